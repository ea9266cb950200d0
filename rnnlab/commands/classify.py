"""`rnnlab classify`: label whole sequences (many-to-one) from UCR-format files.

  rnnlab classify --train A_TRAIN.tsv --test A_TEST.tsv --out DIR [--save MODEL_DIR]
  rnnlab classify --model MODEL_DIR --predict FILE [--out DIR]

Files: UCR .tsv/.csv (label first, then the values; tab, comma or spaces), sktime/aeon .ts, or a
long-format CSV (id, label, value columns). Unequal lengths are fine: gaps are interpolated, the
right padding repeats the last value, and train and test may differ in length (every model pools
over time). Each sequence is z-normalised on its own.

The default model, rocket, convolves each sequence with 10,000 random kernels that are never
trained and fits a ridge classifier on what they detect, its penalty picked by leave-one-out error
on the training file (Dempster et al. 2020): seconds on one core, and the most accurate model here
on the UCR benchmarks (benchmarks/ucr.py). The networks (fcn, resnet, inception, lstm, gru,
lstm_fcn) train on the whole training file for a fixed 300 epochs (Adam 1e-3, cosine decay), as
Fawaz et al. do; --val-fraction 0.2 instead picks the epoch count on a stratified 20% of it and
trains again on all. ensemble: rocket beside three FCNs, each kind weighing half. The test file
is only scored. The run folder gets metrics.json, predictions.csv, confusion.png,
misclassified.png, config.json and report.html.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from rnnlab.commands import common

KINDS = ("rocket", "fcn", "lstm", "gru", "lstm_fcn", "inception", "resnet", "ensemble")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="sequence classification on UCR-format files: ROCKET, FCN, ResNet, Inception, "
        "LSTM/GRU, LSTM-FCN, ensemble",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--train", type=Path, default=None, help="labelled training sequences")
    parser.add_argument("--test", type=Path, default=None, help="labelled test sequences")
    parser.add_argument("--out", type=Path, default=None, help="run folder (default: runs/...)")
    parser.add_argument("--force", action="store_true", help="replace an earlier run in --out")
    parser.add_argument(
        "--model",
        default="rocket",
        help=f"one of {', '.join(KINDS)} (default: rocket; ensemble: rocket and three FCNs); with "
        "--predict, a folder written by --save",
    )
    parser.add_argument(
        "--kernels", type=int, default=10_000, help="rocket: random kernels (default: 10000)"
    )
    parser.add_argument("--predict", type=Path, default=None, help="sequences to label")
    parser.add_argument("--save", type=Path, default=None, help="also save the model here")
    parser.add_argument("--bidirectional", action="store_true", help="lstm/gru: both directions")
    parser.add_argument("--layers", type=int, default=1, help="lstm/gru stacked layers (1)")
    parser.add_argument("--hidden", type=int, default=64, help="lstm/gru units per layer (64)")
    parser.add_argument(
        "--pooling", choices=("last", "mean"), default="last", help="lstm/gru: final state or "
        "the mean over time (default: last)",
    )  # fmt: skip
    parser.add_argument(
        "--epochs",
        type=int,
        default=300,
        help="networks: epochs, or the most epochs with --val-fraction (default: 300)",
    )
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (1e-3)")
    parser.add_argument("--batch-size", type=int, default=16, help="mini-batch size (16)")
    parser.add_argument(
        "--val-fraction", type=float, default=0.0, help="stratified share of the training file "
        "that picks the epoch count, then all is trained again (default: 0, train on all)",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    common.add_common_args(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.predict is not None:
        return run_predict(args)
    if args.train is None or args.test is None:
        raise common.RnnlabError("give --train FILE and --test FILE (or --model DIR --predict F)")
    if args.model not in KINDS:
        raise common.RnnlabError(f"--model must be one of {', '.join(KINDS)} (got {args.model!r})")
    for name, ok, rule in (
        ("epochs", args.epochs >= 1, "at least 1"),
        ("kernels", 1 <= args.kernels <= 100_000, "in 1..100000"),
        ("layers", args.layers >= 1, "at least 1"),
        ("hidden", args.hidden >= 1, "at least 1"),
        ("batch_size", args.batch_size >= 2, "at least 2"),
        ("lr", 0 < args.lr < 1, "in (0, 1)"),
        ("val_fraction", 0 <= args.val_fraction < 1, "in [0, 1)"),
        ("threads", args.threads >= 1, "at least 1"),
    ):
        if not ok:
            raise common.RnnlabError(f"--{name.replace('_', '-')} must be {rule}")
    return run_train(args)


def run_train(args: argparse.Namespace) -> int:
    from rnnlab.data.ucr import prepare, read_labelled, sort_classes

    train, test = read_labelled(args.train), read_labelled(args.test)
    classes = sort_classes(train.labels)
    if len(classes) < 2:
        raise common.RnnlabError(f"{args.train} holds one class ({classes[0]}); need at least two")
    unseen = sorted(set(test.labels) - set(classes))
    out = args.out or common.default_out("classify")
    with common.run_directory(out, args.force) as tmp:
        import torch

        from rnnlab.classify import classifier as cl

        torch.set_num_threads(args.threads)
        configs = cl.make_configs(
            args.model, len(classes), hidden=args.hidden, layers=args.layers,
            bidirectional=args.bidirectional, pooling=args.pooling, length=train.values.shape[1],
            n_kernels=args.kernels,
        )  # fmt: skip
        fit = cl.FitConfig(
            epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
            val_fraction=args.val_fraction, refit=True, seed=args.seed,
        )  # fmt: skip
        if not args.quiet:
            print(
                f"classify: {len(train.labels)} training and {len(test.labels)} test sequences, "
                f"length {train.values.shape[1]}/{test.values.shape[1]}, {len(classes)} classes; "
                f"{args.model}"
                + ("" if args.model == "rocket" else f", up to {args.epochs} epochs"),
                file=sys.stderr,
            )
            if unseen:
                print(f"note: test labels never seen in training: {unseen}", file=sys.stderr)
            unused = _network_flags_given(args) if args.model == "rocket" else []
            if unused:
                print(
                    f"note: {', '.join(unused)} train the networks; rocket has no epochs (its "
                    "ridge head is solved on every training case)",
                    file=sys.stderr,
                )
        clf = cl.SequenceClassifier(configs, classes)
        clf.fit(prepare(train.values), train.labels, fit, None if args.quiet else _note)
        x_test = prepare(test.values)  # (N, L)
        probs = clf.predict_proba(x_test)  # (N, K)
        predicted = [classes[i] for i in probs.argmax(axis=1)]
        metrics = cl.classification_metrics(test.labels, predicted, classes + unseen)
        metrics["members"] = [
            {"model": c.kind, "best_epoch": f.best_epoch, "val_accuracy": f.val_accuracy,
             "leave_one_out_accuracy": f.loo_accuracy, "seconds": round(f.seconds, 2)}
            for c, f in zip(configs, clf.fits_, strict=True)
        ]  # fmt: skip
        run_config = {
            **common.run_config(args, "classify"),
            "train": train.source,
            "test": test.source,
            "models": [c.__dict__ for c in configs],
            "fit": fit.__dict__,
        }
        _write_outputs(tmp, metrics, run_config, test, probs, predicted, classes, train, x_test)
        if args.save is not None:
            _save(args.save, clf, {"trained_on": train.source, "length": train.values.shape[1]})
    print(
        f"test accuracy {metrics['accuracy']:.4f}, macro F1 {metrics['macro_f1']:.4f} "
        f"on {len(test.labels)} sequences; report in {out}"
    )
    return 0


NETWORK_FLAGS = (
    "--epochs", "--lr", "--batch-size", "--val-fraction", "--hidden", "--layers", "--pooling",
    "--bidirectional",
)  # fmt: skip


def _network_flags_given(args: argparse.Namespace) -> list[str]:
    """The flags for the trained networks that the command line gave."""
    given = {a.split("=", 1)[0] for a in args.argv if a.startswith("--")}
    return [flag for flag in NETWORK_FLAGS if flag in given]


def _note(done: int, total: int, kind: str, result) -> None:
    if result.loo_accuracy is not None:
        print(
            f"  model {done}/{total} ({kind}): ridge head on every training case, leave-one-out "
            f"accuracy {result.loo_accuracy:.3f}, {result.seconds:.1f} s",
            file=sys.stderr,
        )
        return
    how = (
        "on all training data"
        if result.val_accuracy is None
        else f"picked on validation (accuracy {result.val_accuracy:.3f})"
    )
    print(
        f"  model {done}/{total} ({kind}): {result.best_epoch} epochs {how}, "
        f"{result.seconds:.1f} s",
        file=sys.stderr,
    )


def _save(folder: Path, clf, extra: dict) -> None:
    from rnnlab.classify.classifier import save_classifier

    save_classifier(Path(folder), clf, extra)


def _predictions_frame(labels, predicted, probs, classes):
    import pandas as pd

    frame = pd.DataFrame({"label": labels, "predicted": predicted})
    for k, c in enumerate(classes):
        frame[f"p_{c}"] = probs[:, k].round(6)
    return frame


def _write_outputs(folder, metrics, config, test, probs, predicted, classes, train, x_test):
    import numpy as np

    from rnnlab.classify.plots import plot_confusion, plot_misclassified
    from rnnlab.core.figures import save_figure
    from rnnlab.core.report import html_page, write_json
    from rnnlab.data.ucr import prepare

    write_json(folder / "metrics.json", metrics)
    write_json(folder / "config.json", config)
    frame = _predictions_frame(test.labels, predicted, probs, classes)
    frame.to_csv(folder / "predictions.csv", index_label="row")
    save_figure(plot_confusion(np.asarray(metrics["confusion_matrix"]), metrics["classes"]),
                folder / "confusion.png")  # fmt: skip
    x_train = prepare(train.values)  # (N_train, L)
    train_labels = np.asarray(train.labels)
    means = {c: x_train[train_labels == c].mean(axis=0) for c in classes}  # class -> (L,)
    wrong = [i for i, (a, p) in enumerate(zip(test.labels, predicted, strict=True)) if a != p]
    images = [("Confusion matrix (test)", folder / "confusion.png")]
    if wrong:
        shown = wrong[:8]
        confidence = probs[shown].max(axis=1)  # (S,)
        fig = plot_misclassified(
            x_test[shown], [test.labels[i] for i in shown], [predicted[i] for i in shown],
            confidence, shown, means,
        )  # fmt: skip
        save_figure(fig, folder / "misclassified.png")
        images.append((f"Misclassified test sequences ({len(shown)} of {len(wrong)})",
                       folder / "misclassified.png"))  # fmt: skip
    rows = "".join(
        f"<tr><td>{c}</td><td>{m['precision']:.3f}</td><td>{m['recall']:.3f}</td>"
        f"<td>{m['f1']:.3f}</td><td>{m['support']}</td></tr>"
        for c, m in metrics["per_class"].items()
    )
    members = ", ".join(_member_text(m) for m in metrics["members"])
    picked = any(m["val_accuracy"] is not None for m in metrics["members"])
    epochs = (
        "epoch counts picked on a stratified validation split of the training file"
        if picked
        else "trained on the whole training file"
    )
    summary = (
        f"<p>Test accuracy <b>{metrics['accuracy']:.4f}</b>, macro F1 "
        f"<b>{metrics['macro_f1']:.4f}</b> on {len(test.labels)} sequences. Models: {members}; "
        f"{epochs}; the test file never seen in training.</p><table><tr><th>class</th>"
        f"<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>"
    )
    page = html_page("rnnlab classify", [("Result", summary)], images, config)
    (folder / "report.html").write_text(page, encoding="utf-8")


def _member_text(member: dict) -> str:
    if member.get("leave_one_out_accuracy") is not None:
        return (
            f"{member['model']} (ridge penalty picked by leave-one-out, accuracy "
            f"{member['leave_one_out_accuracy']:.3f})"
        )
    return f"{member['model']} ({member['best_epoch']} epochs)"


# ---------------------------------------------------------------------------- predict


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.classify.classifier import classification_metrics, load_classifier
    from rnnlab.data.ucr import prepare, read_labelled

    clf, meta = load_classifier(Path(args.model))
    data = read_labelled(args.predict)
    probs = clf.predict_proba(prepare(data.values))  # (N, K)
    predicted = [clf.classes_[i] for i in probs.argmax(axis=1)]
    frame = _predictions_frame(data.labels, predicted, probs, clf.classes_)
    known = all(label in clf.classes_ for label in data.labels)
    metrics = classification_metrics(data.labels, predicted, clf.classes_) if known else None
    if args.out is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        from rnnlab.core.report import write_json

        with common.run_directory(args.out, args.force) as tmp:
            frame.to_csv(tmp / "predictions.csv", index_label="row")
            write_json(tmp / "config.json", {
                "command": "classify --predict", "rerun": "rnnlab " + shlex.join(args.argv),
                "model": str(args.model), "data": data.source, "versions": common.versions(),
            })  # fmt: skip
            if metrics is not None:
                write_json(tmp / "metrics.json", metrics)
        print(f"predictions for {len(predicted)} sequences in {args.out}")
    if metrics is not None and not args.quiet:
        print(f"accuracy {metrics['accuracy']:.4f} against the labels in the file", file=sys.stderr)
    return 0
