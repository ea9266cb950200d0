"""`rnnlab textgen`: a character-level language model you can train, sample, score and look inside.

  train FILE --out DIR      learn to predict the next character (truncated BPTT, a time budget)
  sample --model DIR        one-to-many: continue a prompt, one character at a time
  eval --model DIR --text F nats and bits per character on held-out text
  explain --model DIR --text F --out DIR
                            a page: the text coloured by a neuron, the model's guesses, and the
                            neurons that track quotes, brackets, the position in a line, ...

Without FILE, train reads the text that ships with Python: the documentation topics of
CPython's `pydoc_data` (about 0.8 MB), so it runs offline.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from rnnlab.commands import common

DEFAULT_CORPUS = "pydoc_data.topics"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "textgen",
        help="a character-level RNN language model: train, sample, eval, explain",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    train = actions.add_parser("train", help="train on a text file", description=__doc__)
    train.add_argument(
        "file", nargs="?", type=Path, default=None, help=f"UTF-8 text (default: {DEFAULT_CORPUS})"
    )
    train.add_argument("--out", type=Path, default=None, help="run folder (default: runs/...)")
    train.add_argument("--force", action="store_true", help="replace an earlier run in --out")
    train.add_argument("--cell", choices=("lstm", "gru", "rnn"), default="lstm", help="(lstm)")
    train.add_argument("--hidden", type=int, default=256, help="units per layer (default: 256)")
    train.add_argument("--layers", type=int, default=2, help="stacked layers (default: 2)")
    train.add_argument("--embedding", type=int, default=64, help="embedding size (default: 64)")
    train.add_argument("--dropout", type=float, default=0.2, help="dropout (default: 0.2)")
    train.add_argument("--batch", type=int, default=32, help="parallel streams (default: 32)")
    train.add_argument(
        "--bptt", type=int, default=64, help="characters per truncated-BPTT chunk (default: 64)"
    )
    train.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (default: 3e-3)")
    train.add_argument(
        "--minutes", type=float, default=10.0, help="training time budget (default: 10)"
    )
    train.add_argument(
        "--steps",
        type=int,
        default=None,
        help="train exactly N steps instead of --minutes: the same seed then gives the same "
        "model on any machine",
    )
    train.add_argument(
        "--checkpoint-every", type=int, default=200, help="steps between checkpoints, written "
        "atomically beside --out as .NAME.checkpoint (default: 200; 0: none)",
    )  # fmt: skip
    train.add_argument(
        "--resume", action="store_true", help="go on from the last checkpoint of the same "
        "command (after a crash or kill); with --steps the model equals an uninterrupted run's",
    )  # fmt: skip
    train.add_argument(
        "--val-fraction",
        type=float,
        default=0.1,
        help="the end of the text held out for validation (default: 0.1)",
    )
    train.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    common.add_common_args(train)

    sample = actions.add_parser("sample", help="continue a prompt")
    sample.add_argument("--model", type=Path, required=True, help="a textgen train --out folder")
    sample.add_argument("--prompt", default="\n", help="text to start from (default: a newline)")
    sample.add_argument("--length", type=int, default=500, help="characters (default: 500)")
    sample.add_argument(
        "--temperature", type=float, default=0.8, help="below 1 safer, above 1 wilder (0.8)"
    )
    common.add_common_args(sample)

    evaluate = actions.add_parser("eval", help="nats and bits per character on a text")
    evaluate.add_argument("--model", type=Path, required=True, help="a textgen train --out folder")
    evaluate.add_argument("--text", type=Path, required=True, help="UTF-8 text to score")
    evaluate.add_argument("--json", action="store_true", help="print one JSON line")
    common.add_common_args(evaluate)

    explain = actions.add_parser("explain", help="a page showing what the neurons do")
    explain.add_argument("--model", type=Path, required=True, help="a textgen train --out folder")
    explain.add_argument("--text", type=Path, required=True, help="UTF-8 text to read")
    explain.add_argument("--out", type=Path, default=None, help="run folder (default: runs/...)")
    explain.add_argument("--force", action="store_true", help="replace an earlier run in --out")
    explain.add_argument(
        "--neuron", default=None, help="neuron to colour the text by, e.g. h2.17 or C1.5 "
        "(default: the best match found)",
    )  # fmt: skip
    explain.add_argument(
        "--chars", type=int, default=2000, help="characters of the text to read (default: 2000)"
    )
    common.add_common_args(explain)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return {"train": run_train, "sample": run_sample, "eval": run_eval, "explain": run_explain}[
        args.action
    ](args)


# ------------------------------------------------------------------------------- input


def read_text(path: Path | None) -> tuple[str, str]:
    """The text and where it came from. UTF-8 (a BOM is dropped); Latin-1 when the bytes are
    not UTF-8, since every byte string is Latin-1 text; binary files are refused."""
    if path is None:
        from pydoc_data.topics import topics

        return "\n\n".join(topics[k] for k in sorted(topics)), DEFAULT_CORPUS
    if not path.is_file():
        raise common.RnnlabError(f"{path}: no such file; give a text file")
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise common.RnnlabError(f"{path} looks binary (it holds NUL bytes); give a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if len(text) < 2:
        raise common.RnnlabError(f"{path} holds {len(text)} characters; give more text")
    return text.replace("\r\n", "\n"), str(path)


# ------------------------------------------------------------------------------- train


def _check_train(args: argparse.Namespace) -> None:
    problems = [
        f"--{name.replace('_', '-')} must be {rule} (got {getattr(args, name)})"
        for name, ok, rule in (
            ("hidden", args.hidden >= 1, "at least 1"),
            ("layers", args.layers >= 1, "at least 1"),
            ("embedding", args.embedding >= 1, "at least 1"),
            ("batch", args.batch >= 1, "at least 1"),
            ("bptt", args.bptt >= 1, "at least 1"),
            ("dropout", 0 <= args.dropout < 1, "in [0, 1)"),
            ("lr", 0 < args.lr < 1, "in (0, 1)"),
            ("minutes", args.minutes > 0, "above 0"),
            ("steps", args.steps is None or args.steps >= 1, "at least 1"),
            ("checkpoint_every", args.checkpoint_every >= 0, "0 or more"),
            ("val_fraction", 0 < args.val_fraction < 1, "in (0, 1)"),
        )
        if not ok
    ]
    if problems:
        raise common.RnnlabError(problems[0])


def run_train(args: argparse.Namespace) -> int:
    _check_train(args)
    text, source = read_text(args.file)
    cut = int(len(text) * (1 - args.val_fraction))
    train_text_, val_text = text[:cut], text[cut:]
    if len(val_text) < 2 * 16 or len(train_text_) < args.batch * (args.bptt + 2):
        raise common.RnnlabError(
            f"{source} is too short ({len(text)} characters) for --batch {args.batch} x --bptt "
            f"{args.bptt} and a validation part; give more text or smaller --batch/--bptt"
        )
    out = args.out or common.default_out("textgen")
    if args.resume and args.out is None:
        raise common.RnnlabError("--resume needs the --out folder of the run to go on with")
    with common.run_directory(out, args.force) as tmp:
        import torch

        from rnnlab.core import checkpoint
        from rnnlab.text import charlm as lm

        saved_at, same = checkpoint.folder_for(out), _resume_key(args, source)
        resume = _load_checkpoint(saved_at, same) if args.resume else None

        if args.threads:
            torch.set_num_threads(args.threads)
        torch.manual_seed(args.seed)
        vocab = lm.Vocabulary.from_text(train_text_)
        config = lm.CharLMConfig(
            len(vocab.chars), args.cell, args.embedding, args.hidden, args.layers, args.dropout
        )
        model = lm.CharLM(config)
        train_config = lm.TextTrainConfig(
            args.batch, args.bptt, args.lr, minutes=args.minutes, steps=args.steps, seed=args.seed
        )
        if not args.quiet:
            params = sum(p.numel() for p in model.parameters())
            print(
                f"textgen: {source}, {len(train_text_):,} characters to train on, "
                f"{len(val_text):,} held out; {len(vocab.chars)} distinct; {args.cell} "
                f"{args.layers} x {args.hidden} ({params:,} weights); "
                + (f"{args.steps} steps" if args.steps else f"{args.minutes:g} min"),
                file=sys.stderr,
            )
        with _Progress(args.quiet) as bar:
            result = lm.train_text(
                model, vocab.encode(train_text_), vocab.encode(val_text), train_config, bar.update,
                save_every=args.checkpoint_every,
                save=lambda tensors, meta: checkpoint.save(saved_at, tensors, meta | same),
                resume=resume,
            )  # fmt: skip
        sample = lm.sample(model, vocab, "\n", 600, 0.8, seed=args.seed)
        metrics = {
            "val_nats_per_char": round(result.best_val, 4),
            "val_bits_per_char": round(result.best_val / math.log(2), 4),
            "best_step": result.best_step,
            "steps": result.steps,
            "seconds": round(result.seconds, 1),
            "train_chars": len(train_text_),
            "val_chars": len(val_text),
            "vocabulary": len(vocab.chars),
            "curve": result.curve,
        }
        run_config = {
            **common.run_config(args, "textgen train"),
            "data": source,
            "model": config.__dict__,
            "train": train_config.__dict__,
        }
        lm.save_model(tmp, model, vocab, {"data": source})
        _write_train_report(tmp, metrics, run_config, sample)
    import shutil

    shutil.rmtree(saved_at, ignore_errors=True)  # the run is complete: nothing to resume
    print(
        f"validation: {metrics['val_nats_per_char']:.3f} nats/char "
        f"({metrics['val_bits_per_char']:.3f} bits) after {result.steps} steps, "
        f"{result.seconds:.0f} s; model and report in {out}"
    )
    if not args.quiet:
        print(f"--- a sample (temperature 0.8) ---\n{sample}")
    return 0


def _resume_key(args: argparse.Namespace, source: str) -> dict:
    """What a checkpoint must share with the command that resumes it."""
    names = ("cell", "hidden", "layers", "embedding", "dropout", "batch", "bptt", "lr",
             "minutes", "steps", "seed", "val_fraction")  # fmt: skip
    return {"resume_key": {"data": source, **{n: getattr(args, n) for n in names}}}


def _load_checkpoint(folder: Path, same: dict):
    from rnnlab.core import checkpoint

    if not folder.is_dir():
        raise common.RnnlabError(
            f"no checkpoint to resume in {folder}: the run finished, or never saved one; "
            "run it again without --resume"
        )
    tensors, meta = checkpoint.load(folder, "'rnnlab textgen train ... --checkpoint-every N'")
    saved = meta.get("resume_key", {})
    for name, value in same["resume_key"].items():
        if saved.get(name) != value:
            flag = name if name == "data" else "--" + name.replace("_", "-")
            raise common.RnnlabError(
                f"the checkpoint was made with {flag} {saved.get(name)}, not {value}; resume "
                "with the options of the interrupted run"
            )
    return tensors, meta


def _write_train_report(folder: Path, metrics: dict, config: dict, sample: str) -> None:
    import html

    from rnnlab.core.figures import save_figure
    from rnnlab.core.report import html_page, write_json
    from rnnlab.text.plots import plot_text_curve

    write_json(folder / "metrics.json", metrics)
    write_json(folder / "config.json", config)
    (folder / "sample.txt").write_text(sample, encoding="utf-8")
    save_figure(plot_text_curve(metrics["curve"]), folder / "curve.png")
    rows = "".join(
        f"<tr><td>{r['seconds']}</td><td>{r['step']}</td><td>{r['train_nats']:.3f}</td>"
        f"<td>{r['val_nats']:.3f}</td></tr>"
        for r in metrics["curve"]
    )
    summary = (
        f"<p>Validation loss <b>{metrics['val_nats_per_char']:.3f} nats per character</b> "
        f"({metrics['val_bits_per_char']:.3f} bits) on the last {metrics['val_chars']:,} "
        f"characters, after {metrics['steps']} steps in {metrics['seconds']:.0f} s; the weights "
        f"kept are those of step {metrics['best_step']}. A model that guessed uniformly among "
        f"the {metrics['vocabulary']} characters would score "
        f"{math.log(metrics['vocabulary']):.2f} nats.</p>"
        "<table><tr><th>seconds</th><th>step</th><th>train nats/char</th>"
        f"<th>validation nats/char</th></tr>{rows}</table>"
    )
    page = html_page(
        "rnnlab textgen train",
        [("Result", summary), ("A sample (temperature 0.8)", f"<pre>{html.escape(sample)}</pre>")],
        [("Learning curve", folder / "curve.png")],
        config,
    )
    (folder / "report.html").write_text(page, encoding="utf-8")


class _Progress:
    """A bar over the time budget with the latest losses; silent when quiet or not a TTY."""

    def __init__(self, quiet: bool):
        self.inner = common.EpochProgress(quiet)
        self.bar = None

    def __enter__(self):
        self.inner.__enter__()
        self.bar = self.inner.bar("textgen", 1000)
        return self

    def update(self, fraction: float, info: str) -> None:
        if self.bar is not None:
            self.bar(int(fraction * 1000), info)

    def __exit__(self, *exc):
        return self.inner.__exit__(*exc)


# ------------------------------------------------------------------ sample, eval, explain


def run_sample(args: argparse.Namespace) -> int:
    from rnnlab.text import charlm as lm

    if args.length < 1:
        raise common.RnnlabError(f"--length must be at least 1 (got {args.length})")
    if not args.temperature > 0:  # before the note below: an error is the only line
        raise common.RnnlabError(f"--temperature must be above 0 (got {args.temperature})")
    model, vocab, _ = lm.load_model(args.model)
    unseen = vocab.unseen(args.prompt)
    if unseen and not args.quiet:
        print(f"note: the model never saw {''.join(sorted(unseen))!r}", file=sys.stderr)
    text = lm.sample(model, vocab, args.prompt, args.length, args.temperature, args.seed)
    print(args.prompt + text)
    return 0


def run_eval(args: argparse.Namespace) -> int:
    import json

    from rnnlab.text import charlm as lm

    model, vocab, _ = lm.load_model(args.model)
    text, _ = read_text(args.text)
    unseen = vocab.unseen(text)
    if unseen and not args.quiet:  # scored as the commonest character: the loss is a little low
        count = sum(text.count(c) for c in unseen)
        print(
            f"note: {count} characters of the text ({''.join(sorted(unseen))!r}) never occurred "
            "in training; each is scored as the model's commonest character",
            file=sys.stderr,
        )
    nats = lm.evaluate(model, vocab.encode(text))
    bits = nats / math.log(2)
    if args.json:
        print(json.dumps({"nats_per_char": round(nats, 4), "bits_per_char": round(bits, 4)}))
    else:
        print(f"{args.text}: {len(text):,} characters, {nats:.4f} nats/char, {bits:.4f} bits/char")
    return 0


def run_explain(args: argparse.Namespace) -> int:
    from rnnlab.core.report import html_page, write_json
    from rnnlab.text import charlm as lm
    from rnnlab.text import explain as ex

    if args.chars < 2:
        raise common.RnnlabError(f"--chars must be at least 2 (got {args.chars})")
    model, vocab, _ = lm.load_model(args.model)
    text, source = read_text(args.text)
    text = text[: args.chars]
    activations, names, probs = ex.neuron_table(model, vocab, text)  # (T, N), [N], (T, V)
    found = ex.find_neurons(activations, names, ex.text_features(text))
    if args.neuron is not None and args.neuron not in names:
        raise common.RnnlabError(
            f"no neuron {args.neuron!r} in this model; names run from {names[0]} to {names[-1]}"
        )
    chosen = args.neuron or (found[0]["neurons"][0]["neuron"] if found else names[0])
    column = names.index(chosen)
    tips = ex.guess_tips(text, probs, vocab)
    confidence = ex.next_char_confidence(text, probs, vocab)
    sections = [
        (
            f"The text coloured by neuron {chosen}",
            "<p>Blue: the neuron's activation after reading that character is positive, red: "
            "negative (scaled by its largest magnitude here). Hover over a character to see "
            "the model's five best guesses for the character after it.</p>"
            + ex.coloured_text(text, activations[:, column], tips),
        ),
        (
            "How sure the model was of each next character",
            "<p>Blue: the probability it gave the character that actually came next (darker is "
            f"surer); mean {confidence[:-1].mean():.0%}.</p>"
            + ex.coloured_text(text, confidence, tips),
        ),
        ("Neurons that track something", _found_table(found)),
    ]
    excerpt = text[: min(len(text), 600)]
    for row in found[:4]:
        best = row["neurons"][0]
        sections.append(
            (
                f"{row['feature']}: neuron {best['neuron']} (r = {best['r']:+.2f})",
                ex.coloured_text(excerpt, activations[: len(excerpt), best["index"]]),
            )
        )
    config = {**common.run_config(args, "textgen explain"), "text": source, "neurons": len(names)}
    out = args.out or common.default_out("textgen-explain")
    with common.run_directory(out, args.force) as tmp:
        write_json(tmp / "neurons.json", {"chosen": chosen, "found": found})
        write_json(tmp / "config.json", config)
        page = html_page("rnnlab textgen explain", sections, [], config)
        (tmp / "report.html").write_text(page, encoding="utf-8")
    for row in found[:5]:
        best = row["neurons"][0]
        print(f"{row['feature']:<42} neuron {best['neuron']:<8} r = {best['r']:+.2f}")
    print(f"page: {out / 'report.html'}")
    return 0


def _found_table(found: list[dict]) -> str:
    import html

    rows = "".join(
        f"<tr><td>{html.escape(row['feature'])}</td><td>"
        + ", ".join(f"{n['neuron']} ({n['r']:+.2f})" for n in row["neurons"])
        + "</td></tr>"
        for row in found
    )
    return (
        "<p>Each neuron's activation after every character, correlated (Pearson r) with a "
        "property of the text read so far; the three strongest per property.</p>"
        f"<table><tr><th>property</th><th>neurons (r)</th></tr>{rows}</table>"
    )
