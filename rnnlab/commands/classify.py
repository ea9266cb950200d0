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

from rnnlab.classify.names import CHOICES
from rnnlab.commands import common


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
        help=f"one of {', '.join(CHOICES)} (default: rocket; ensemble: rocket and three FCNs); "
        "with --predict, a folder written by --save",
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
    return run_train(args)


def run_train(args: argparse.Namespace) -> int:
    from rnnlab.classify import pipeline
    from rnnlab.classify.estimator import SequenceClassifier

    clf = SequenceClassifier(
        model=args.model, kernels=args.kernels, epochs=args.epochs, lr=args.lr,
        batch_size=args.batch_size, val_fraction=args.val_fraction, hidden=args.hidden,
        layers=args.layers, bidirectional=args.bidirectional, pooling=args.pooling, seed=args.seed,
    )  # fmt: skip
    pipeline.check_options(clf, args.threads)
    data = pipeline.read_train_test(args.train, args.test)
    out = args.out or common.default_out("classify")
    with common.run_directory(out, args.force) as tmp:
        if not args.quiet:
            _print_notes(args, data)
        metrics = pipeline.fit_and_report(
            tmp, clf, data, common.run_config(args, "classify"), threads=args.threads,
            save=args.save, progress=None if args.quiet else _note,
        )  # fmt: skip
    print(
        f"test accuracy {metrics['accuracy']:.4f}, macro F1 {metrics['macro_f1']:.4f} "
        f"on {len(data.test.labels)} sequences; report in {out}"
    )
    return 0


def _print_notes(args: argparse.Namespace, data) -> None:
    train, test = data.train, data.test
    print(
        f"classify: {len(train.labels)} training and {len(test.labels)} test sequences, "
        f"length {train.values.shape[1]}/{test.values.shape[1]}, {len(data.classes)} classes; "
        f"{args.model}" + ("" if args.model == "rocket" else f", up to {args.epochs} epochs"),
        file=sys.stderr,
    )
    if data.unseen:
        print(f"note: test labels never seen in training: {data.unseen}", file=sys.stderr)
    unused = _network_flags_given(args) if args.model == "rocket" else []
    if unused:
        print(
            f"note: {', '.join(unused)} train the networks; rocket has no epochs (its "
            "ridge head is solved on every training case)",
            file=sys.stderr,
        )


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


# ---------------------------------------------------------------------------- predict


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.classify import pipeline

    prediction = pipeline.predict_file(Path(args.model), args.predict)
    if args.out is None:
        prediction.frame.to_csv(sys.stdout, index=False)
    else:
        config = {
            "command": "classify --predict", "rerun": "rnnlab " + shlex.join(args.argv),
            "model": str(args.model), "data": prediction.source, "versions": common.versions(),
        }  # fmt: skip
        with common.run_directory(args.out, args.force) as tmp:
            pipeline.write_prediction_run(tmp, prediction, config)
        print(f"predictions for {len(prediction.frame)} sequences in {args.out}")
    if prediction.metrics is not None and not args.quiet:
        accuracy = prediction.metrics["accuracy"]
        print(f"accuracy {accuracy:.4f} against the labels in the file", file=sys.stderr)
    return 0
