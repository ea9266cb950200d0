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
import sys
from pathlib import Path

from rnnlab.commands import common
from rnnlab.text.corpus import DEFAULT_CORPUS


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


# ------------------------------------------------------------------------------- train


def run_train(args: argparse.Namespace) -> int:
    from rnnlab.text.estimator import CharModel
    from rnnlab.text.pipeline import prepare_training

    names = CharModel().get_params()  # the options that are its parameters, by the same names
    model, text, source = prepare_training({n: getattr(args, n) for n in names}, args.file)
    out = args.out or common.default_out("textgen")
    if args.resume and args.out is None:
        raise common.RnnlabError("--resume needs the --out folder of the run to go on with")
    with common.run_directory(out, args.force) as tmp:
        from rnnlab.core import checkpoint
        from rnnlab.text.report import write_train_run

        saved_at = checkpoint.folder_for(out)
        with _Progress(args.quiet) as bar:
            model.fit(
                text, source=source, checkpoint=saved_at, resume=args.resume,
                progress=bar.update, on_start=None if args.quiet else _announce,
            )  # fmt: skip
        config = common.run_config(args, "textgen train")
        metrics, sample = write_train_run(tmp, model, config)
    import shutil

    shutil.rmtree(saved_at, ignore_errors=True)  # the run is complete: nothing to resume
    print(
        f"validation: {metrics['val_nats_per_char']:.3f} nats/char "
        f"({metrics['val_bits_per_char']:.3f} bits) after {metrics['steps']} steps, "
        f"{model.seconds_:.0f} s; model and report in {out}"
    )
    if not args.quiet:
        print(f"--- a sample (temperature 0.8) ---\n{sample}")
    return 0


def _announce(model) -> None:
    from rnnlab.text.report import training_summary

    print(training_summary(model), file=sys.stderr)


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
    from rnnlab.text.pipeline import sample_folder

    text, unseen = sample_folder(args.model, args.prompt, args.length, args.temperature, args.seed)
    if unseen and not args.quiet:
        print(f"note: the model never saw {''.join(sorted(unseen))!r}", file=sys.stderr)
    print(args.prompt + text)
    return 0


def run_eval(args: argparse.Namespace) -> int:
    import json

    from rnnlab.text.pipeline import evaluate_file

    scores = evaluate_file(args.model, args.text)
    if scores["unseen"] and not args.quiet:  # scored as the commonest character: a little low
        print(
            f"note: {scores['unseen']} characters of the text ({scores['unseen_chars']!r}) never "
            "occurred in training; each is scored as the model's commonest character",
            file=sys.stderr,
        )
    nats, bits = scores["nats_per_char"], scores["bits_per_char"]
    if args.json:
        print(json.dumps({"nats_per_char": round(nats, 4), "bits_per_char": round(bits, 4)}))
    else:
        print(
            f"{args.text}: {scores['characters']:,} characters, {nats:.4f} nats/char, "
            f"{bits:.4f} bits/char"
        )
    return 0


def run_explain(args: argparse.Namespace) -> int:
    from rnnlab.text.pipeline import explain_file
    from rnnlab.text.report import write_explain

    explanation, source = explain_file(args.model, args.text, args.chars, args.neuron)
    config = {
        **common.run_config(args, "textgen explain"), "text": source,
        "neurons": explanation.neurons,
    }  # fmt: skip
    out = args.out or common.default_out("textgen-explain")
    with common.run_directory(out, args.force) as tmp:
        write_explain(tmp, explanation, config)
    for row in explanation.found[:5]:
        best = row["neurons"][0]
        print(f"{row['feature']:<42} neuron {best['neuron']:<8} r = {best['r']:+.2f}")
    print(f"page: {out / 'report.html'}")
    return 0
