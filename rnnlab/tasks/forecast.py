"""`rnnlab forecast`: forecast one series or many, H steps ahead, checked against baselines.

Input: a single series (--data NAME, or a CSV with a date and a value column) or many in long
format (`unique_id, ds, y`; CSV or Parquet). First an honest check: every series loses its
last H points, the models train on the rest and forecast them, beside naive, seasonal naive,
Naive2, drift and Theta. Then the models train again on everything and forecast the future.

The default is a global MLP ensemble (twelve members, median): one network learns from windows of
every series, each window normalised by its own level, and outputs all H steps at once.
"""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from rnnlab.models import NEURAL_NAMES
from rnnlab.tasks import common


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast one or many series H steps ahead, checked against baselines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_input_args(parser)
    parser.add_argument(
        "--id-col",
        default="unique_id",
        help="series id column of a long-format "
        "file (default: unique_id); its date and value columns default to ds, y",
    )
    parser.add_argument(
        "--horizon",
        type=int,
        default=None,
        help="steps to forecast (default: one season, or 12 without season)",
    )
    parser.add_argument(
        "--model",
        choices=NEURAL_NAMES,
        default="fc",
        help="network (default: fc, a multi-layer perceptron)",
    )
    parser.add_argument(
        "--strategy",
        choices=("direct", "recursive"),
        default="direct",
        help="direct: one global network outputs all H steps (default); "
        "recursive: a one-step network per series fed its own forecasts",
    )
    parser.add_argument(
        "--ensemble",
        type=int,
        default=12,
        help="direct: members whose median is the forecast, each with its own seed and window "
        "length (default: 12)",
    )
    parser.add_argument(
        "--lags",
        type=int,
        default=None,
        help="window length (default direct: members cycle through 2, 1.5, 2.5 and 3 seasons, "
        "or horizons without a season; recursive: 12)",
    )
    parser.add_argument(
        "--layout",
        choices=("timesteps", "features"),
        default="timesteps",
        help="recursive: k timesteps x 1 feature (default) or 1 x k",
    )
    parser.add_argument(
        "--hidden", type=int, default=None, help="hidden units (default: 256 direct, 16 recursive)"
    )
    parser.add_argument(
        "--layers", type=int, default=None, help="layers (default: 3 direct, 1 recursive)"
    )
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout (default: 0)")
    parser.add_argument(
        "--normalize",
        choices=("level", "standard", "last", "none"),
        default="level",
        help="direct: per-window normalisation (default: level)",
    )
    parser.add_argument(
        "--no-theta",
        action="store_true",
        help="skip the Theta baseline (the slowest; about 30 ms a series)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="run directory (default: runs/forecast-DATE-TIME)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out")
    common.add_train_args(parser)
    common.add_common_args(parser)
    # --epochs and --lr default by strategy: direct 20 epochs of mini-batches at 0.002,
    # recursive (the demo's full-batch training) 1000 at 0.02
    parser.set_defaults(run=run, epochs=None, lr=None)


def load_panel(args: argparse.Namespace):
    """A long-format file as a panel; anything else as a panel of one series."""
    from rnnlab.data.panel import panel_from_series, read_panel

    path = args.csv
    if path is not None and (
        path.suffix.lower() in (".parquet", ".pq") or args.id_col in common.csv_columns(path)
    ):
        return read_panel(
            path,
            id_col=args.id_col,
            ds_col=args.date_col or "ds",
            value_col=args.value_col or "y",
            season=args.season,
            fill=args.fill,
        )
    return panel_from_series(common.load_input(args))


class Model:
    """The network the options describe, on a whole panel: fit, then forecast (n, H)."""

    def __init__(self, args: argparse.Namespace, horizon: int):
        self.args, self.horizon = args, horizon

    def fit_predict(self, panel, progress=None):
        import numpy as np

        a = self.args
        if a.strategy == "direct":
            from rnnlab.global_model import GlobalForecaster

            train = {k: v for k, v in (("epochs", a.epochs), ("lr", a.lr)) if v is not None}
            forecaster = GlobalForecaster(
                seed=a.seed,
                model=a.model,
                horizon=self.horizon,
                input_size=a.lags,
                hidden=a.hidden or 256,
                layers=a.layers or 3,
                dropout=a.dropout,
                normalize=a.normalize,
                ensemble=a.ensemble,
                train=train,
            ).fit(panel, progress=progress)
            return forecaster.predict(panel), forecaster.resolved_config()
        from rnnlab.forecaster import Forecaster

        spec = {
            "lags": a.lags or 12,
            "layout": a.layout,
            "hidden": a.hidden or 16,
            "layers": a.layers or 1,
            "dropout": a.dropout,
            "scaler": a.scaler,
            "transform": a.transform,
            "train": common.train_overrides(a),
        }
        if a.model == "fc":
            spec["hidden"] = (spec["hidden"],) * spec["layers"]
        out, config = [], None
        for i in range(len(panel)):
            f = Forecaster(a.model, seed=a.seed, **spec)
            f.fit(_series_of(panel, i), progress=progress)
            out.append(f.predict(self.horizon).to_numpy())
            config = f.resolved_config()
        return np.stack(out), config


def _series_of(panel, i):
    import pandas as pd

    from rnnlab.data.series import SeriesData

    values = panel.series(i)
    if panel.freq is None:
        index = pd.date_range("2000-01-01", periods=len(values), freq="D")  # steps as days
        return SeriesData(values, index, "D", panel.season, str(panel.ids[i]))
    index = pd.date_range(end=panel.last[i], periods=len(values), freq=panel.freq)
    return SeriesData(values, index, panel.freq, panel.season, str(panel.ids[i]))


def run(args: argparse.Namespace) -> int:
    from rnnlab.panel_eval import (
        BASELINE_IDS,
        add_owa_and_verdicts,
        baseline_forecasts,
        panel_scores,
    )

    panel = load_panel(args)
    horizon = args.horizon if args.horizon is not None else max(panel.season, 1)
    horizon = horizon if horizon > 1 or args.horizon is not None else 12
    if horizon < 1 or args.ensemble < 1:
        raise common.RnnlabError("--horizon and --ensemble must be at least 1")
    if args.strategy == "recursive":
        args.epochs, args.lr = args.epochs or 1000, args.lr or 0.02
        common.train_overrides(args)  # validates the training flags
    elif (args.epochs is not None and args.epochs < 1) or (args.lr is not None and args.lr <= 0):
        raise common.RnnlabError("--epochs must be >= 1 and --lr > 0")
    epochs = args.epochs or 20
    train_panel, actual = panel.split_last(horizon)
    out = args.out or common.default_out("forecast")
    if _rank() != 0:  # under torchrun: every rank trains on its shard, rank 0 alone reports
        import tempfile

        out, args.force, args.quiet = Path(tempfile.mkdtemp()) / "run", True, True
    model_id = f"{args.model}_{args.strategy}"
    baselines = [b for b in BASELINE_IDS if not (b == "theta" and args.no_theta)]

    with common.run_directory(out, args.force) as tmp, common.EpochProgress(args.quiet) as bar:
        import torch  # after the output check: a bad --out fails before the slow import

        torch.set_num_threads(1)
        rows, checks = [], {}
        for name in baselines:
            start = time.perf_counter()
            checks[name] = baseline_forecasts(name, train_panel, horizon)
            rows.append(
                {
                    "id": name,
                    "kind": "baseline",
                    **panel_scores(train_panel, actual, checks[name]),
                    "fit_seconds": time.perf_counter() - start,
                    "epochs": None,
                }
            )
        start = time.perf_counter()
        model = Model(args, horizon)
        checks[model_id], _ = model.fit_predict(train_panel, bar.callback(model_id, epochs))
        rows.append(
            {
                "id": model_id,
                "kind": "neural",
                **panel_scores(train_panel, actual, checks[model_id]),
                "fit_seconds": time.perf_counter() - start,
                "epochs": None,
            }
        )
        add_owa_and_verdicts(rows)
        future, final_config = model.fit_predict(panel, bar.callback(f"{model_id} (all)", epochs))
        bands, halfwidths = prediction_intervals(
            train_panel, panel, actual, checks[model_id], future
        )
        config = {
            "command": "forecast",
            "rerun": "rnnlab " + shlex.join(args.argv),
            "args": common.resolved_args(args),
            "data": panel.source,
            "freq": panel.freq,
            "season": panel.season,
            "series": len(panel),
            "points": int(panel.lengths.sum()),
            "horizon": horizon,
            "seed": args.seed,
            "model": final_config,
            "versions": common.versions(),
        }
        config["intervals"] = {
            "method": "split conformal: |check error| / series scale (MASE's), quantile per step",
            **{f"halfwidth_{lvl}_in_scales": list(map(float, h)) for lvl, h in halfwidths.items()},
        }
        write_run(
            tmp, panel, train_panel, actual, checks, rows, future, bands, model_id, horizon, config
        )

    if _rank() != 0:
        import shutil

        shutil.rmtree(out.parent, ignore_errors=True)
        return 0
    from rnnlab.report import PANEL_COLUMNS, print_leaderboard

    print_leaderboard(
        rows,
        f"{panel.source or 'data'}: {len(panel)} series, hold-out check on "
        f"the last {horizon} points of each (m={panel.season})",
        columns=PANEL_COLUMNS if len(panel) > 1 else None,
    )
    print(
        f"forecast: {horizon} steps for {len(panel)} series; run directory: {out}  "
        "(forecast.csv, report.html)"
    )
    return 0


def _rank() -> int:
    """This process's rank under torchrun (joining the group on first use), else 0."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) < 2:
        return 0
    import torch

    from rnnlab.global_model import init_distributed

    init_distributed()
    return torch.distributed.get_rank()


def prediction_intervals(train_panel, panel, actual, check, future):
    """80% and 95% bands around `future` from the check's errors (see rnnlab/intervals.py)."""
    from rnnlab.intervals import LEVELS, conformal_halfwidths, intervals, series_scales

    check_scales = series_scales([train_panel.series(i) for i in range(len(panel))], panel.season)
    halfwidths = {lvl: conformal_halfwidths(actual - check, check_scales, lvl) for lvl in LEVELS}
    scales = series_scales([panel.series(i) for i in range(len(panel))], panel.season)
    return intervals(future, scales, halfwidths), halfwidths


def write_run(
    out, panel, train_panel, actual, checks, rows, future, bands, model_id, horizon, config
):
    import numpy as np
    import pandas as pd

    from rnnlab import plots, report

    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "data": panel.source,
            "protocol": f"hold-out: the last {horizon} points of each series, "
            "forecast from one origin; scores averaged over series",
            "season": panel.season,
            "series": len(panel),
            "verdict": report.verdict(rows),
            "models": rows,
        },
    )
    dates = panel.future(horizon)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(panel.ids, horizon),
            "ds": np.concatenate([np.asarray(d) for d in dates]),
            "yhat": future.ravel(),
            **{name: band.ravel() for name, band in bands.items()},
        }
    )
    frame.to_csv(out / "forecast.csv", index=False, float_format="%.6g")
    check = pd.DataFrame(
        {
            "unique_id": np.repeat(panel.ids, horizon),
            "step": np.tile(np.arange(1, horizon + 1), len(panel)),
            "actual": actual.ravel(),
        }
    )
    for name, values in checks.items():
        check[name] = values.ravel()
    check.to_csv(out / "holdout.csv", index=False, float_format="%.6g")

    shown = list(range(min(4, len(panel))))
    fig = plots.plot_panel_forecasts(
        [str(panel.ids[i]) for i in shown],
        [panel.series(i) for i in shown],
        [future[i] for i in shown],
        [
            {
                "actual": actual[i],
                model_id: checks[model_id][i],
                "seasonal_naive": checks["seasonal_naive"][i],
            }
            for i in shown
        ],
    )
    plots.save_figure(fig, out / "forecast.png")
    columns = report.PANEL_COLUMNS if len(panel) > 1 else None
    sections = [
        (
            "Hold-out check",
            f"<p class='verdict'>{report.verdict(rows)}</p>"
            + report.leaderboard_html(rows, columns),
        ),
        (
            "Forecast (first rows of forecast.csv)",
            frame.head(3 * horizon).to_html(index=False, float_format="%.4g"),
        ),
    ]
    page = report.html_page(
        f"rnnlab forecast: {panel.source}",
        sections,
        [("Series, hold-out check and forecast", out / "forecast.png")],
        config,
    )
    (out / "report.html").write_text(page, encoding="utf-8")
