"""`rnnlab forecast`: forecast one series or many, H steps ahead, checked against baselines.

Input: a single series (--data NAME, or a CSV with a date and a value column) or many in long
format (`unique_id, ds, y`; CSV or Parquet). First an honest check: every series loses its
last H points, the models train on the rest and forecast them, beside naive, seasonal naive,
Naive2, drift, Theta and Damped; with --backtest N, from N rolling origins --step S apart. Then the
model trains again on everything and forecasts the future, with conformal intervals calibrated
on the check's errors.

The default is a global MLP ensemble (twelve members, median): one network learns from windows of
every series, each window normalised by its own level, and outputs all H steps at once
(--strategy direct). Also: recursive (a global one-step network fed its own forecasts),
seq2seq (a global encoder-decoder), local (the demo's one-step network, one per series).
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import shutil
from pathlib import Path

from rnnlab.commands import common
from rnnlab.forecast import NEURAL_NAMES
from rnnlab.forecast.options import PRESETS, STRATEGIES

# fmt: off
MODEL_FLAGS = [  # (flag, options): the model's flags, PanelForecaster's parameters
    ("--horizon", dict(type=int, default=None,
                       help="steps to forecast (default: one season, or 12 without season)")),
    ("--model", dict(choices=NEURAL_NAMES, default=None, help="network (default: fc, a "
        "multi-layer perceptron; lstm for seq2seq, whose encoder and decoder take the cell rnn, "
        "lstm or gru named here); lstm_scratch: lstm written from the lecture's gate equations "
        "with a Python loop over time, the same function, slower (direct, recursive, local)")),
    ("--strategy", dict(choices=STRATEGIES, default="direct", help="direct: one global network "
        "outputs all H steps (default); recursive: a global one-step network fed its own "
        "forecasts; seq2seq: a global encoder-decoder; local: the demo's one-step network, one "
        "per series, fed its own forecasts")),
    ("--preset", dict(choices=tuple(PRESETS), default="mlp", help="mlp: the global MLP ensemble "
        "(default); linear: one linear layer on the last 336 values (at most a fifth of the "
        "shortest series), shifted by the last one (NLinear), for long horizons")),
    ("--ensemble", dict(type=int, default=None, help="global: members whose median is the "
        "forecast, each with its own seed and window length (default: 12; linear preset 4)")),
    ("--lags", dict(type=int, default=None, help="window length (default global: members cycle "
        "through 2, 1.5, 2.5 and 3 seasons, or horizons without a season; linear preset 336; "
        "local: 12)")),
    ("--layout", dict(choices=("timesteps", "features"), default="timesteps",
                      help="local: k timesteps x 1 feature (default) or 1 x k")),
    ("--hidden", dict(type=int, default=None,
                      help="hidden units (default: 256 global fc, 64 global recurrent, 16 local)")),
    ("--layers", dict(type=int, default=None, help="layers (default: 3 global fc, 1 global "
        "recurrent, 1 local; fc with 0 is linear)")),
    ("--dropout", dict(type=float, default=0.0, help="dropout (default: 0)")),
    ("--normalize", dict(choices=("level", "standard", "last", "none"), default=None, help="global:"
        " per-window normalisation (default: level; linear preset last)")),
    ("--loss", dict(choices=("mae", "mse"), default=None,
                    help="training loss (default: mae global, mse local)")),
    ("--calendar", dict(action="store_true", help="feed the network calendar features of every "
        "step of its window and horizon: time of day, day of week, day of year, as the data's "
        "step resolves them (global only)")),
    ("--future-cols", dict(default=None, metavar="LIST", help="comma-separated columns of the "
        "long-format file known in advance (a price, a promotion); their values for the horizon "
        "come from --future-csv (global only)")),
    ("--future-csv", dict(type=Path, default=None, metavar="FILE", help="long-format file with "
        "the --future-cols for the H steps after each series ends")),
    ("--backtest", dict(type=int, default=1, metavar="N", help="rolling-origin windows to check "
        "on (default: 1, the last H points of each series)")),
    ("--step", dict(type=int, default=None, metavar="S",
                    help="steps between backtest origins (default: the horizon)")),
    ("--refit", dict(action="store_true",
                     help="train again at every backtest origin (default: once, at the oldest)")),
    ("--baselines", dict(default=None, metavar="LIST", help="comma-separated baselines (default: "
        "naive,seasonal_naive,naive2,drift,theta,damped; also holt_winters, mean); seasonal "
        "naive, the reference, is always included")),
    ("--no-theta", dict(action="store_true",
                        help="skip the Theta baseline (the slowest; about 30 ms a series)")),
    ("--out", dict(type=Path, default=None,
                   help="run directory (default: runs/forecast-DATE-TIME)")),
    ("--force", dict(action="store_true", help="replace an existing --out")),
    ("--save", dict(type=Path, default=None, help="save the final model (trained on all the data) "
        "in this folder, for 'rnnlab predict --model DIR --csv NEW'")),
    ("--resume", dict(action="store_true", help="after a crash or kill, run the same command with "
        "--resume: global ensemble members finished before are read from .NAME.checkpoint "
        "beside --out instead of trained again; the result is the uninterrupted run's")),
]
# fmt: on
# --epochs and --lr default by strategy: global 20 epochs of mini-batches at 0.002, local (the
# demo's full-batch training) 1000 at 0.02
BY_STRATEGY = {
    "epochs": "epochs (default: 20 global, 1000 local)",
    "lr": "Adam learning rate (default: 0.002 global with a cosine schedule, 0.02 local)",
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast one or many series H steps ahead, checked against baselines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_input_args(parser)
    parser.add_argument("--id-col", default="unique_id", help="series id column of a long-"
                        "format file (default: unique_id); its date and value columns default to "
                        "ds, y")  # fmt: skip
    for flag, options in MODEL_FLAGS:
        parser.add_argument(flag, **options)
    common.add_train_args(parser)
    common.add_common_args(parser)
    parser.set_defaults(run=run, epochs=None, lr=None)
    for action in parser._actions:  # the shared training flags, with this command's defaults
        action.help = BY_STRATEGY.get(action.dest, action.help)


def future_columns(args: argparse.Namespace) -> tuple[str, ...]:
    """The --future-cols, which need --future-csv (and the other way round)."""
    names = tuple(c.strip() for c in (args.future_cols or "").split(",") if c.strip())
    if names and args.future_csv is None:
        raise common.RnnlabError(
            "--future-cols needs --future-csv FILE with their values for the horizon"
        )
    if args.future_csv is not None and not names:
        raise common.RnnlabError("--future-csv needs --future-cols naming its columns")
    return names


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.modelfile import check_save_target
    from rnnlab.forecast import PanelForecaster, inputs, output, pipeline

    columns = {"id_col": args.id_col, "date_col": args.date_col, "value_col": args.value_col}
    panel = inputs.read_input(
        args.csv, args.data, **columns, season=args.season, fill=args.fill,
        future_cols=future_columns(args),
    )  # fmt: skip
    out, force, rank = args.out or common.default_out("forecast"), args.force, pipeline.rank()
    if rank != 0:  # under torchrun: every rank trains on its shard, rank 0 alone reports
        import tempfile

        out, force = Path(tempfile.mkdtemp()) / "run", True
    forecaster = PanelForecaster(**{k: getattr(args, k) for k in PanelForecaster().get_params()})
    cache = pipeline.member_cache(out, args.resume, args.strategy)
    with contextlib.ExitStack() as claimed, common.EpochProgress(args.quiet or rank) as bar:
        staged = []

        def claim_outputs():  # every option is checked: a bad --save or --out fails now
            check_save_target(args.save)
            staged.append(claimed.enter_context(common.run_directory(out, force)))

        forecaster.fit(
            panel, id_col=args.id_col, time_col=args.date_col, target_col=args.value_col,
            future_df=args.future_csv, progress=bar.callback, cache=cache,
            before_training=claim_outputs,
        )  # fmt: skip
        config = {
            "command": "forecast",
            "rerun": "rnnlab " + shlex.join(args.argv),
            "args": common.resolved_args(args) | forecaster.resolved_params_,
            **output.run_config(forecaster),
            "versions": common.versions(),
        }
        output.write_run(staged[0], forecaster, config)
        if args.save is not None and rank == 0:
            forecaster.save(args.save, trained_by="rnnlab " + shlex.join(args.argv))
    if cache is not None:  # the run is complete: nothing to resume
        shutil.rmtree(cache.folder, ignore_errors=True)
    if rank != 0:
        shutil.rmtree(out.parent, ignore_errors=True)
        return 0
    output.print_summary(forecaster, out)
    return 0
