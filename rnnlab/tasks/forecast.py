"""`rnnlab forecast`: train one model on a series and forecast H steps past its end.

First the model is checked honestly: it is trained on all but the last --test points (default:
the horizon) and forecasts them from that origin, recursively, beside naive, seasonal naive,
drift and mean. Then it is trained again on the whole series and forecasts the future.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from rnnlab.models import NEURAL_NAMES
from rnnlab.tasks import common

BASELINE_IDS = ("naive", "seasonal_naive", "drift", "mean")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast a series H steps ahead, checked against baselines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_input_args(parser)
    parser.add_argument(
        "--horizon",
        type=int,
        default=None,
        help="steps to forecast (default: one season, or 12 without season)",
    )
    parser.add_argument(
        "--test",
        type=int,
        default=None,
        help="hold-out points for the check (default: the horizon)",
    )
    parser.add_argument(
        "--model", choices=NEURAL_NAMES, default="lstm", help="network (default: lstm)"
    )
    parser.add_argument("--lags", type=int, default=12, help="window length (default: 12)")
    parser.add_argument(
        "--layout",
        choices=("timesteps", "features"),
        default="timesteps",
        help="recurrent input: k timesteps x 1 feature (default) or 1 x k",
    )
    parser.add_argument("--hidden", type=int, default=16, help="hidden units (default: 16)")
    parser.add_argument("--layers", type=int, default=1, help="stacked layers (default: 1)")
    parser.add_argument(
        "--dropout", type=float, default=0.0, help="dropout between layers (default: 0)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="run directory (default: runs/forecast-DATE-TIME)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out")
    common.add_train_args(parser)
    common.add_common_args(parser)
    parser.set_defaults(run=run)


def model_spec(args: argparse.Namespace) -> dict:
    if args.lags < 1 or args.hidden < 1 or args.layers < 1 or not 0 <= args.dropout < 1:
        raise common.RnnlabError("--lags, --hidden and --layers must be >= 1; --dropout in [0, 1)")
    hidden = (args.hidden,) * args.layers if args.model == "fc" else args.hidden
    return {
        "model": args.model,
        "lags": args.lags,
        "layout": args.layout,
        "hidden": hidden,
        "layers": args.layers,
        "dropout": args.dropout,
        "scaler": args.scaler,
        "transform": args.transform,
        "train": common.train_overrides(args),
    }


def run(args: argparse.Namespace) -> int:
    from rnnlab.evaluate import evaluate
    from rnnlab.forecaster import Forecaster

    series = common.load_input(args)
    horizon = args.horizon or (series.season if series.season > 1 else 12)
    test = args.test or horizon
    if horizon < 1 or test < 1:
        raise common.RnnlabError("--horizon and --test must be at least 1")
    if test >= len(series) - 1:
        raise common.RnnlabError(f"--test {test} leaves no training data in {len(series)} points")
    spec = model_spec(args)
    specs = {mid: {"model": mid} for mid in BASELINE_IDS} | {args.model: spec}
    n_train = len(series) - test
    out = args.out or common.default_out("forecast")

    import torch

    torch.set_num_threads(1)
    with common.run_directory(out, args.force) as tmp, common.EpochProgress(args.quiet) as bar:
        check = evaluate(series, n_train, specs, mode="holdout", seed=args.seed, progress=bar)
        final = Forecaster(seed=args.seed, **spec)
        final.fit(series, progress=bar.callback(f"{args.model} (all)", args.epochs))
        future = final.predict(horizon)
        config = {
            "command": "forecast",
            "rerun": "rnnlab " + shlex.join(args.argv),
            "args": common.resolved_args(args),
            "data": series.source,
            "freq": series.freq,
            "season": series.season,
            "n": len(series),
            "horizon": horizon,
            "test": test,
            "seed": args.seed,
            "models": check.configs,
            "final_model": final.resolved_config(),
            "versions": common.versions(),
        }
        write_run(tmp, series, n_train, check, future, args.model, config)

    from rnnlab.report import print_leaderboard

    print_leaderboard(
        check.rows,
        f"{series.name}: hold-out check, the last {test} points "
        f"forecast from {series.index[n_train - 1].date()} (m={series.season})",
    )
    print(
        f"forecast: {horizon} steps, {future.index[0].date()} .. {future.index[-1].date()}; "
        f"run directory: {out}  (forecast.csv, report.html)"
    )
    return 0


def write_run(out: Path, series, n_train, check, future, model: str, config: dict) -> None:
    import pandas as pd

    from rnnlab import plots, report

    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "data": series.source,
            "protocol": f"hold-out: the last {len(series) - n_train} points "
            "forecast from one origin",
            "season": series.season,
            "verdict": report.verdict(check.rows),
            "models": check.rows,
        },
    )
    frame = pd.DataFrame({"date": future.index, "yhat": future.to_numpy()})
    frame.to_csv(out / "forecast.csv", index=False, float_format="%.6g")
    holdout = pd.DataFrame({"date": series.index[n_train:], "actual": series.values[n_train:]})
    for mid, yhat in check.predictions.items():
        holdout[mid] = yhat
    holdout.to_csv(out / "holdout.csv", index=False, float_format="%.6g")

    fig = plots.plot_forecast(
        series.index,
        series.values,
        future.index,
        future.to_numpy(),
        model,
        holdout={
            "dates": series.index[n_train:],
            "forecasts": {m: check.predictions[m] for m in (model, "seasonal_naive")},
        },
    )
    plots.save_figure(fig, out / "forecast.png")
    sections = [
        (
            "Hold-out check",
            f"<p class='verdict'>{report.verdict(check.rows)}</p>"
            + report.leaderboard_html(check.rows),
        ),
        ("Forecast", frame.to_html(index=False, float_format="%.4g")),
    ]
    page = report.html_page(
        f"rnnlab forecast: {series.name}",
        sections,
        [("Series and forecast", out / "forecast.png")],
        config,
    )
    (out / "report.html").write_text(page, encoding="utf-8")
