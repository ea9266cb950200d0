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
import functools
import shlex
from pathlib import Path

from rnnlab.commands import common

LECTURE_MODELS = {
    "fc_1lag": {"model": "fc", "lags": 1, "hidden": (12,)},
    "lstm_1lag": {"model": "lstm", "lags": 1, "layout": "timesteps", "hidden": 6},
    "fc_window": {"model": "fc", "lags": 12, "hidden": (12,)},
    "lstm_window_1x12": {"model": "lstm", "lags": 12, "layout": "features", "hidden": 6},
    "lstm_window_12x1": {"model": "lstm", "lags": 12, "layout": "timesteps", "hidden": 6},
}
BASELINE_IDS = ("naive", "seasonal_naive")


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
    from rnnlab.data.windows import split_point
    from rnnlab.forecast.evaluation import evaluate

    series = common.load_input(args)
    n_train = split_point(series.index, args.split)
    overrides = common.train_overrides(args)
    specs = {mid: {"model": mid} for mid in BASELINE_IDS}
    for mid, spec in LECTURE_MODELS.items():
        specs[mid] = {
            **spec,
            "scaler": args.scaler,
            "transform": args.transform,
            "train": overrides,
        }
    out = args.out or common.default_out("demo")

    spread = series.values[:n_train]
    if spread.max() == spread.min():
        raise common.RnnlabError(
            "the training span is constant: there is nothing to learn and MASE is undefined"
        )
    from rnnlab.core.modelfile import check_save_target

    check_save_target(args.save)  # before training: a bad --save fails in a second
    with common.run_directory(out, args.force) as tmp, common.EpochProgress(args.quiet) as bar:
        import torch  # after the output check: a bad --out fails before the slow import

        torch.set_num_threads(1)  # tiny models: one thread is faster, and bit-for-bit repeatable
        result = evaluate(series, n_train, specs, seed=args.seed, progress=bar)
        config = {
            "command": "demo",
            "rerun": "rnnlab " + shlex.join(args.argv),
            "args": common.resolved_args(args),
            "data": series.source,
            "freq": series.freq,
            "season": series.season,
            "n": len(series),
            "n_train": n_train,
            "split": args.split,
            "test_span": [str(series.index[n_train].date()), str(series.index[-1].date())],
            "seed": args.seed,
            "models": result.configs,
            "versions": common.versions(),
        }
        write_run(tmp, series, n_train, result, config)
        if args.save is not None:
            save_best(args, series, result)
    from rnnlab.forecast.leaderboard import print_leaderboard

    test = f"{series.index[n_train].date()} to {series.index[-1].date()}"
    print_leaderboard(
        result.rows,
        f"{series.name}: one-step forecasts over the test span {test} "
        f"({len(series) - n_train} points, m={series.season})",
    )
    print(f"run directory: {out}  (report.html, metrics.json, predictions.csv, plots)")
    return 0


def save_best(args: argparse.Namespace, series, result) -> None:
    """The neural model with the lowest test MASE, as a one-series local forecaster."""
    from rnnlab.commands import predict
    from rnnlab.data.panel import panel_from_series

    neural = [row for row in result.rows if row["id"] in LECTURE_MODELS]
    best = min(neural, key=lambda row: row["mase"])["id"]
    panel = panel_from_series(series)
    tensors, networks = predict.local_state([result.forecasters[best]], panel.ids)
    schema = predict.reading_schema(args, panel) | {"model": best}
    horizon = max(series.season, 1) if series.season > 1 else 12
    predict.save_model(args.save, tensors, networks, "local", horizon, schema, {}, args)


def write_run(out: Path, series, n_train: int, result, config: dict) -> None:
    """config.json, metrics.json, predictions.csv, two plots and report.html into `out`."""
    import pandas as pd

    from rnnlab.core import report
    from rnnlab.core.figures import draw_to_file
    from rnnlab.core.parallel import in_parallel
    from rnnlab.forecast import leaderboard, plots

    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "data": series.source,
            "protocol": "one-step-ahead over the test span",
            "units": "mse_scaled on the lecture's min-max scale of the training span; "
            "the rest in original units",
            "season": series.season,
            "n_test": len(series) - n_train,
            "verdict": leaderboard.verdict(result.rows),
            "models": result.rows,
        },
    )
    test_index = series.index[n_train:]
    frame = pd.DataFrame({"date": test_index, "actual": series.values[n_train:]})
    for mid, yhat in result.predictions.items():
        frame[mid] = yhat
    frame.to_csv(out / "predictions.csv", index=False, float_format="%.6g")

    context = max(n_train - 3 * max(series.season, 12), 0)  # the last three seasons of training
    scores = {row["id"]: row["mase"] for row in result.rows}
    figures = {  # name -> how to draw it; drawn in parallel, each in its own process
        "test_predictions.png": lambda: plots.plot_test_predictions(
            series.index[context : n_train + 1],
            series.values[context : n_train + 1],
            test_index,
            series.values[n_train:],
            result.predictions,
            scores,
        ),
        "training_curves.png": lambda: plots.plot_training_curves(result.curves),
    }
    in_parallel(
        [functools.partial(draw_to_file, draw, out / name) for name, draw in figures.items()]
    )
    first = config["models"]["fc_window"]
    sections = [
        (
            "Data and protocol",
            f"<p>{series.name} ({series.source}): {len(series)} points, frequency {series.freq}, "
            f"season m = {series.season}. Training span {series.index[0].date()} to "
            f"{series.index[n_train - 1].date()} ({n_train} points), test span "
            f"{series.index[n_train].date()} to {series.index[-1].date()} "
            f"({len(series) - n_train} points). The networks learn differences over "
            f"{first['difference_order']} step(s), scaled ({first['scaler']}) on the training "
            "span; early stopping as in config.json below.</p>",
        ),
        (
            "Leaderboard",
            f"<p class='verdict'>{leaderboard.verdict(result.rows)}</p>"
            + leaderboard.leaderboard_html(result.rows)
            + "<p>One-step-ahead forecasts over the test span; MASE scales by the in-sample "
            f"seasonal naive error (m = {series.season}); MSE (scaled) is on the lecture's "
            "min-max scale, everything else in original units.</p>",
        ),
    ]
    images = [
        ("Test span", out / "test_predictions.png"),
        ("Training curves", out / "training_curves.png"),
    ]
    page = report.html_page(f"rnnlab demo: {series.name}", sections, images, config)
    (out / "report.html").write_text(page, encoding="utf-8")
