"""`rnnlab demo`: the lecture's code demo, made honest.

Five predictors with the lecture's sizes, each forecasting one step ahead over the test span
from the actual values before it, next to naive and seasonal naive:
  fc_1lag           Dense(12, relu) -> Dense(1) on the current value
  lstm_1lag         LSTM(6) on the current value as (1 timestep, 1 feature)
  fc_window         Dense(12, relu) -> Dense(1) on the 12 previous values
  lstm_window_1x12  LSTM(6) on the 12 previous values as 1 timestep x 12 features
  lstm_window_12x1  LSTM(6) on the 12 previous values as 12 timesteps x 1 feature, oldest first
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from rnnlab.commands import common


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="the lecture's five predictors next to baselines, on built-in data or a CSV",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_input_args(parser)
    parser.add_argument(
        "--split",
        default="0.8",
        help="first test date (e.g. 2012-01-01) or training fraction (default: 0.8)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="run directory (default: runs/demo-DATE-TIME)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out")
    parser.add_argument(
        "--save", type=Path, default=None, help="save the neural model with the best test MASE "
        "(trained on the training span) for 'rnnlab predict --model DIR'",
    )  # fmt: skip
    common.add_train_args(parser)
    common.add_common_args(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.modelfile import check_save_target
    from rnnlab.data.windows import split_point
    from rnnlab.forecast import lecture
    from rnnlab.forecast.evaluation import evaluate

    series = common.load_input(args)
    n_train = split_point(series.index, args.split)
    specs = lecture.lecture_specs(args.scaler, args.transform, common.train_overrides(args))
    out = args.out or common.default_out("demo")
    lecture.check_training_span(series, n_train)
    check_save_target(args.save)  # before training: a bad --save fails in a second
    with common.run_directory(out, args.force) as tmp, common.EpochProgress(args.quiet) as bar:
        import torch  # after the output check: a bad --out fails before the slow import

        torch.set_num_threads(1)  # tiny models: one thread is faster, and bit-for-bit repeatable
        result = evaluate(series, n_train, specs, seed=args.seed, progress=bar)
        config = {
            "command": "demo",
            "rerun": "rnnlab " + shlex.join(args.argv),
            "args": common.resolved_args(args),
            **lecture.demo_config(series, n_train, args.split, args.seed, result),
            "versions": common.versions(),
        }
        lecture.write_run(tmp, series, n_train, result, config)
        if args.save is not None:
            trained_by = "rnnlab " + shlex.join(args.argv)
            columns = (args.date_col, args.value_col)
            lecture.save_best(args.save, series, result, columns, trained_by)
    lecture.print_summary(series, n_train, result, out)
    return 0
