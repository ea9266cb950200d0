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
import shlex
import time
from pathlib import Path

from rnnlab.commands import common
from rnnlab.core import CELL_NAMES
from rnnlab.forecast import NEURAL_NAMES

STRATEGIES = ("direct", "recursive", "seq2seq", "local")
# Named settings for the global strategies; flags given on the command line win.
PRESETS = {
    # the default: an MLP ensemble whose members read 1.5 to 3 seasons (M3, M4 benchmarks)
    "mlp": {"model": "fc", "hidden": 256, "layers": 3, "normalize": "level", "ensemble": 12},
    # one linear layer from the last 336 values (fewer when series are short: see
    # resolve_options), each window shifted by its last value (NLinear, Zeng et al. 2023):
    # the long-horizon benchmarks' strong simple model (ETTh1)
    "linear": {"model": "fc", "layers": 0, "normalize": "last", "ensemble": 4, "lags": 336},
}


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
        default=None,
        help="network (default: fc, a multi-layer perceptron; lstm for seq2seq, whose encoder "
        "and decoder take the cell rnn, lstm or gru named here); lstm_scratch: lstm written "
        "from the lecture's gate equations with a Python loop over time, the same function, "
        "slower (direct, recursive, local)",
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="direct",
        help="direct: one global network outputs all H steps (default); recursive: a global "
        "one-step network fed its own forecasts; seq2seq: a global encoder-decoder; local: the "
        "demo's one-step network, one per series, fed its own forecasts",
    )
    parser.add_argument(
        "--preset",
        choices=tuple(PRESETS),
        default="mlp",
        help="mlp: the global MLP ensemble (default); linear: one linear layer on the last 336 "
        "values (at most half the shortest series), shifted by the last one (NLinear), for "
        "long horizons",
    )
    parser.add_argument(
        "--ensemble",
        type=int,
        default=None,
        help="global: members whose median is the forecast, each with its own seed and window "
        "length (default: 12; linear preset 4)",
    )
    parser.add_argument(
        "--lags",
        type=int,
        default=None,
        help="window length (default global: members cycle through 2, 1.5, 2.5 and 3 seasons, "
        "or horizons without a season; linear preset 336; local: 12)",
    )
    parser.add_argument(
        "--layout",
        choices=("timesteps", "features"),
        default="timesteps",
        help="local: k timesteps x 1 feature (default) or 1 x k",
    )
    parser.add_argument(
        "--hidden",
        type=int,
        default=None,
        help="hidden units (default: 256 global fc, 64 global recurrent, 16 local)",
    )
    parser.add_argument(
        "--layers",
        type=int,
        default=None,
        help="layers (default: 3 global fc, 1 global recurrent, 1 local; fc with 0 is linear)",
    )
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout (default: 0)")
    parser.add_argument(
        "--normalize",
        choices=("level", "standard", "last", "none"),
        default=None,
        help="global: per-window normalisation (default: level; linear preset last)",
    )
    parser.add_argument(
        "--loss",
        choices=("mae", "mse"),
        default=None,
        help="training loss (default: mae global, mse local)",
    )
    parser.add_argument(
        "--calendar",
        action="store_true",
        help="feed the network calendar features of every step of its window and horizon: "
        "time of day, day of week, day of year, as the data's step resolves them (global only)",
    )
    parser.add_argument(
        "--future-cols",
        default=None,
        metavar="LIST",
        help="comma-separated columns of the long-format file known in advance (a price, a "
        "promotion); their values for the horizon come from --future-csv (global only)",
    )
    parser.add_argument(
        "--future-csv",
        type=Path,
        default=None,
        metavar="FILE",
        help="long-format file with the --future-cols for the H steps after each series ends",
    )
    parser.add_argument(
        "--backtest",
        type=int,
        default=1,
        metavar="N",
        help="rolling-origin windows to check on (default: 1, the last H points of each series)",
    )
    parser.add_argument(
        "--step",
        type=int,
        default=None,
        metavar="S",
        help="steps between backtest origins (default: the horizon)",
    )
    parser.add_argument(
        "--refit",
        action="store_true",
        help="train again at every backtest origin (default: once, at the oldest)",
    )
    parser.add_argument(
        "--baselines",
        default=None,
        metavar="LIST",
        help="comma-separated baselines (default: naive,seasonal_naive,naive2,drift,theta,damped; "
        "also holt_winters, mean); seasonal naive, the reference, is always included",
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
    parser.add_argument(
        "--save", type=Path, default=None, help="save the final model (trained on all the data) "
        "in this folder, for 'rnnlab predict --model DIR --csv NEW'",
    )  # fmt: skip
    parser.add_argument(
        "--resume", action="store_true", help="after a crash or kill, run the same command "
        "with --resume: global ensemble members finished before are read from .NAME.checkpoint "
        "beside --out instead of trained again; the result is the uninterrupted run's",
    )  # fmt: skip
    common.add_train_args(parser)
    common.add_common_args(parser)
    # --epochs and --lr default by strategy: global 20 epochs of mini-batches at 0.002,
    # local (the demo's full-batch training) 1000 at 0.02
    parser.set_defaults(run=run, epochs=None, lr=None)
    by_strategy = {
        "epochs": "epochs (default: 20 global, 1000 local)",
        "lr": "Adam learning rate (default: 0.002 global with a cosine schedule, 0.02 local)",
    }
    for action in parser._actions:  # the shared training flags, with this command's defaults
        action.help = by_strategy.get(action.dest, action.help)


def future_columns(args: argparse.Namespace) -> tuple[str, ...]:
    names = tuple(c.strip() for c in (args.future_cols or "").split(",") if c.strip())
    if names and args.future_csv is None:
        raise common.RnnlabError(
            "--future-cols needs --future-csv FILE with their values for the horizon"
        )
    if args.future_csv is not None and not names:
        raise common.RnnlabError("--future-csv needs --future-cols naming its columns")
    return names


def load_panel(args: argparse.Namespace):
    """A long-format file as a panel; anything else as a panel of one series."""
    from rnnlab.data.panel import panel_from_series, read_panel

    path, covariates = args.csv, future_columns(args)
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
            covariates=covariates,
        )
    if covariates:
        raise common.RnnlabError(
            f"--future-cols needs a long-format file (columns {args.id_col}, ds, y and yours)"
        )
    return panel_from_series(common.load_input(args))


def add_covariates(args: argparse.Namespace, panel, horizon: int):
    """The panel with the future values of --future-cols and, with --calendar, calendar
    features; both only for global fc networks, the ones that read them."""
    from rnnlab.data.covariates import with_calendar, with_future_values
    from rnnlab.data.panel import read_frame

    if panel.cov is None and not args.calendar:
        return panel
    if args.strategy == "local":
        raise common.RnnlabError(
            "--calendar and --future-cols feed the global networks; --strategy local's "
            "per-series models do not take them"
        )
    if panel.cov is not None:
        frame = read_frame(args.future_csv)
        ds_col = args.date_col or "ds"
        panel = with_future_values(panel, frame, args.id_col, ds_col, horizon, str(args.future_csv))
    return with_calendar(panel, horizon) if args.calendar else panel


class Model:
    """The network the options describe, on a whole panel: fit, then forecast (n, H)."""

    def __init__(self, args: argparse.Namespace, horizon: int, cache=None):
        """`cache`: a checkpoint.MemberCache that keeps each finished global member."""
        self.args, self.horizon, self.cache = args, horizon, cache

    def fit(self, panel, progress=None) -> Model:
        a = self.args
        if a.strategy != "local":
            from rnnlab.forecast.global_model import GlobalForecaster

            train = {
                k: v
                for k, v in (("epochs", a.epochs), ("lr", a.lr), ("loss", a.loss))
                if v is not None
            }
            fitted = GlobalForecaster(
                seed=a.seed,
                model="seq2seq" if a.strategy == "seq2seq" else a.model,
                cell=a.model if a.strategy == "seq2seq" else "lstm",
                strategy="recursive" if a.strategy == "recursive" else "direct",
                horizon=self.horizon,
                input_size=a.lags,
                hidden=a.hidden,
                layers=a.layers,
                dropout=a.dropout,
                normalize=a.normalize,
                ensemble=a.ensemble,
                train=train,
            )
            fitted.cache = self.cache
            self.fitted_ = fitted.fit(panel, progress=progress)
            return self
        from rnnlab.forecast.local import Forecaster

        spec = {
            "lags": a.lags or 12,
            "layout": a.layout,
            "hidden": a.hidden,
            "layers": a.layers,
            "dropout": a.dropout,
            "scaler": a.scaler,
            "transform": a.transform,
            "train": common.train_overrides(a) | ({"loss": a.loss} if a.loss else {}),
        }
        if a.model == "fc":
            spec["hidden"] = (spec["hidden"],) * spec["layers"]
        self.fitted_ = [
            Forecaster(a.model, seed=a.seed, **spec).fit(_series_of(panel, i), progress=progress)
            for i in range(len(panel))
        ]
        return self

    def predict(self, panel):
        """Forecasts (n, H) from the end of each series of `panel` (the fitted ones, or the
        same series with more history: a backtest without refitting)."""
        import numpy as np

        if self.args.strategy != "local":
            return self.fitted_.predict(panel)
        return np.stack(
            [f.forecast(panel.series(i), self.horizon) for i, f in enumerate(self.fitted_)]
        )

    def resolved_config(self) -> dict:
        if self.args.strategy != "local":
            return self.fitted_.resolved_config()
        return self.fitted_[0].resolved_config()


class Baseline:
    """A baseline with the model interface: nothing to fit, forecasts from each series' end."""

    def __init__(self, name: str, horizon: int):
        self.name, self.horizon = name, horizon

    def fit(self, panel, progress=None) -> Baseline:
        return self

    def predict(self, panel):
        from rnnlab.forecast.panel_eval import baseline_forecasts

        return baseline_forecasts(self.name, panel, self.horizon)


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
    from rnnlab.forecast.backtest import forecast_windows, rolling_windows, score_windows

    panel = load_panel(args)
    horizon = args.horizon if args.horizon is not None else max(panel.season, 1)
    horizon = horizon if horizon > 1 or args.horizon is not None else 12
    if horizon < 1:
        raise common.RnnlabError(f"--horizon must be at least 1 (got {horizon})")
    resolve_options(args, int(panel.lengths.min()), horizon, panel.season)
    panel = add_covariates(args, panel, horizon)
    if args.strategy == "local":
        args.epochs, args.lr = args.epochs or 1000, args.lr or 0.02
        common.train_overrides(args)  # validates the training flags
    elif (args.epochs is not None and args.epochs < 1) or (args.lr is not None and args.lr <= 0):
        raise common.RnnlabError("--epochs must be >= 1 and --lr > 0")
    epochs = args.epochs or 20
    windows = rolling_windows(panel, horizon, args.backtest, args.step)
    out = args.out or common.default_out("forecast")
    if _rank() != 0:  # under torchrun: every rank trains on its shard, rank 0 alone reports
        import tempfile

        out, args.force, args.quiet = Path(tempfile.mkdtemp()) / "run", True, True
    network = "linear" if args.model == "fc" and args.layers == 0 else args.model
    model_id = f"{network}_{args.strategy}"
    baselines = chosen_baselines(args.baselines, args.no_theta)
    from rnnlab.commands.predict import save_forecaster
    from rnnlab.core.modelfile import check_save_target

    check_save_target(args.save)  # before training: a bad --save fails in a second
    cache = member_cache(args, out)

    with common.run_directory(out, args.force) as tmp, common.EpochProgress(args.quiet) as bar:
        import torch  # after the output check: a bad --out fails before the slow import

        torch.set_num_threads(1)
        forecasts, kinds, seconds = {}, {}, {}
        for name in baselines:
            start = time.perf_counter()
            forecasts[name] = forecast_windows(lambda n=name: Baseline(n, horizon), windows, True)
            kinds[name], seconds[name] = "baseline", time.perf_counter() - start

        def progress(k: int):
            where = f" w{k + 1}" if len(windows) > 1 else ""
            return bar.callback(model_id + where, epochs)

        start = time.perf_counter()
        forecasts[model_id] = forecast_windows(
            lambda: Model(args, horizon, cache), windows, args.refit, progress
        )
        kinds[model_id], seconds[model_id] = "neural", time.perf_counter() - start
        rows, window_rows = score_windows(windows, forecasts, kinds)
        for row in rows:
            row["fit_seconds"], row["epochs"] = seconds[row["id"]], None
        final = Model(args, horizon, cache).fit(panel, bar.callback(f"{model_id} (all)", epochs))
        future = final.predict(panel)
        bands, intervals_info, halfwidths = prediction_intervals(
            panel, windows, forecasts[model_id], future
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
            "backtest": {
                "windows": len(windows),
                "step": args.step or horizon,
                "refit": args.refit,
            },
            "seed": args.seed,
            "model": final.resolved_config(),
            "intervals": intervals_info,
            "versions": common.versions(),
        }
        write_run(
            tmp, panel, windows, forecasts, rows, window_rows, future, bands, model_id, config
        )
        if args.save is not None and _rank() == 0:
            save_forecaster(args.save, final, args, panel, horizon, halfwidths)

    import shutil

    if cache is not None:  # the run is complete: nothing to resume
        shutil.rmtree(cache.folder, ignore_errors=True)
    if _rank() != 0:
        shutil.rmtree(out.parent, ignore_errors=True)
        return 0
    print_summary(panel, windows, args, rows, window_rows, intervals_info, out)
    return 0


def member_cache(args: argparse.Namespace, out: Path):
    """Where finished global members are kept while the run lasts (None: not kept)."""
    import os
    import shutil

    from rnnlab.core.checkpoint import MemberCache, folder_for

    if args.strategy == "local":
        if args.resume:
            raise common.RnnlabError("--resume applies to the global strategies, not local")
        return None
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # torchrun: each rank trains its shard
        if args.resume:
            raise common.RnnlabError("--resume is not available under torchrun")
        return None
    folder = folder_for(out)
    if args.resume and not folder.is_dir():
        raise common.RnnlabError(
            f"no checkpoint to resume in {folder}: the run finished, or never started training; "
            "run it again without --resume"
        )
    if not args.resume:
        shutil.rmtree(folder, ignore_errors=True)  # an older run's members: not this one's
    return MemberCache(folder, args.resume)


def resolve_options(args: argparse.Namespace, shortest: int, horizon: int, season: int) -> None:
    """Fill the model flags left unset from the preset and the strategy, and check them.
    A preset's window length is capped at half of what the shortest series has left after
    the backtest, so that every series still gives many training windows."""
    preset = PRESETS[args.preset] if args.strategy != "local" else {}
    if args.model is None:
        args.model = "lstm" if args.strategy == "seq2seq" else preset.get("model", "fc")
    if args.strategy == "seq2seq" and args.model not in CELL_NAMES:
        raise common.RnnlabError(
            f"--strategy seq2seq builds its encoder and decoder from --model rnn, lstm or gru, "
            f"not {args.model}"
        )
    fc, local = args.model == "fc", args.strategy == "local"
    if local:
        sizes = {"hidden": 16, "layers": 1}
    elif args.model == preset.get("model"):  # the preset's sizes are for its own network
        sizes = {"hidden": preset.get("hidden", 256), "layers": preset["layers"]}
    else:
        sizes = {"hidden": 256 if fc else 64, "layers": 3 if fc else 1}
    defaults = {
        **sizes,
        "normalize": preset.get("normalize", "level"),
        "ensemble": preset.get("ensemble", 12),
        "lags": 12 if local else preset.get("lags"),
    }
    if defaults["lags"] is not None and not local:
        room = (shortest - horizon - (args.backtest - 1) * (args.step or horizon)) // 2
        defaults["lags"] = min(defaults["lags"], max(2 * season, room, 1))
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.layers < (0 if fc and not local else 1) or args.hidden < 1 or args.ensemble < 1:
        raise common.RnnlabError(
            "--hidden and --ensemble must be at least 1, --layers at least 1 "
            "(0 for a global fc: a linear model)"
        )
    if args.lags is not None and args.lags < 1:
        raise common.RnnlabError(f"--lags must be at least 1 (got {args.lags})")


def chosen_baselines(names: str | None, no_theta: bool) -> list[str]:
    from rnnlab.forecast.panel_eval import ALL_BASELINES, BASELINE_IDS

    chosen = BASELINE_IDS if names is None else [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in ALL_BASELINES]
    if unknown:
        raise common.RnnlabError(
            f"unknown baseline {unknown[0]!r} in --baselines; "
            f"choose from {', '.join(ALL_BASELINES)}"
        )
    chosen = ["seasonal_naive", *(n for n in chosen if n != "seasonal_naive")]
    return [n for n in dict.fromkeys(chosen) if not (n == "theta" and no_theta)]


def protocol(windows, step: int) -> str:
    """How the check was made, in words, for titles and metrics.json."""
    horizon = windows[0].actual.shape[1]
    if len(windows) == 1:
        return f"hold-out check on the last {horizon} points of each series"
    return (
        f"backtest: {len(windows)} windows of {horizon} steps, origins {step} steps apart, "
        "the last ending with the data"
    )


def print_summary(panel, windows, args, rows, window_rows, intervals_info, out) -> None:
    from rnnlab.forecast.leaderboard import PANEL_COLUMNS, print_leaderboard, print_window_table

    horizon = windows[0].actual.shape[1]
    refit = " (refit at every origin)" if args.refit else " (trained once, at the oldest)"
    print_leaderboard(
        rows,
        f"{panel.source or 'data'}: {len(panel)} series, "
        f"{protocol(windows, args.step or horizon)}"
        + (refit if len(windows) > 1 else "")
        + f" (m={panel.season})",
        columns=PANEL_COLUMNS if len(panel) > 1 else None,
    )
    if len(windows) > 1:
        print_window_table(window_rows, [w.cut for w in windows])
    if "coverage_80" in intervals_info:
        print(
            f"intervals: out-of-sample coverage 80%: {intervals_info['coverage_80']:.1%}, "
            f"95%: {intervals_info['coverage_95']:.1%} ({intervals_info['coverage_method']})"
        )
    print(
        f"forecast: {horizon} steps for {len(panel)} series; run directory: {out}  "
        "(forecast.csv, backtest.csv, report.html)"
    )


def _rank() -> int:
    """This process's rank under torchrun (joining the group on first use), else 0."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) < 2:
        return 0
    import torch

    from rnnlab.forecast.global_model import init_distributed

    init_distributed()
    return torch.distributed.get_rank()


def prediction_intervals(panel, windows, checks, future):
    """80% and 95% bands around `future` from the backtest's errors (forecast/intervals.py), what
    config.json says of them (the half-widths, their out-of-sample coverage), the half-widths."""
    from rnnlab.forecast.backtest import calibrate
    from rnnlab.forecast.intervals import intervals, series_scales

    halfwidths, estimate = calibrate(windows, checks)
    scales = series_scales([panel.series(i) for i in range(len(panel))], panel.season)
    info = {
        "method": "split conformal: |backtest error| / series scale (MASE's), quantile per step",
        **{f"halfwidth_{lvl}_in_scales": list(map(float, h)) for lvl, h in halfwidths.items()},
        **{k: v for k, v in estimate.items() if k != "method"},
    }
    if estimate:
        info["coverage_method"] = estimate["method"]
    return intervals(future, scales, halfwidths), info, halfwidths


def write_run(out, panel, windows, forecasts, rows, window_rows, future, bands, model_id, config):
    import numpy as np
    import pandas as pd

    from rnnlab.core import figures, report
    from rnnlab.forecast import leaderboard, plots

    horizon = future.shape[1]
    step = config["backtest"]["step"]
    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "data": panel.source,
            "protocol": protocol(windows, step) + "; scores averaged over series, then windows",
            "season": panel.season,
            "series": len(panel),
            "verdict": leaderboard.verdict(rows),
            "models": rows,
            "intervals": {k: v for k, v in config["intervals"].items() if "coverage" in k},
            "windows": [
                {"window": w.index + 1, "cut": w.cut, "models": r}
                for w, r in zip(windows, window_rows, strict=True)
            ],
        },
    )
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(panel.ids, horizon),
            "ds": np.concatenate([np.asarray(d) for d in panel.future(horizon)]),
            "yhat": future.ravel(),
            **{name: band.ravel() for name, band in bands.items()},
        }
    )
    frame.to_csv(out / "forecast.csv", index=False, float_format="%.6g")
    backtest_frame(panel, windows, forecasts).to_csv(
        out / "backtest.csv", index=False, float_format="%.6g"
    )

    latest = windows[-1].index
    shown = list(range(min(4, len(panel))))
    fig = plots.plot_panel_forecasts(
        [str(panel.ids[i]) for i in shown],
        [panel.series(i) for i in shown],
        [future[i] for i in shown],
        [
            {
                "actual": windows[-1].actual[i],
                model_id: forecasts[model_id][latest][i],
                "seasonal_naive": forecasts["seasonal_naive"][latest][i],
            }
            for i in shown
        ],
    )
    figures.save_figure(fig, out / "forecast.png")
    columns = leaderboard.PANEL_COLUMNS if len(panel) > 1 else None
    sections = [
        (
            protocol(windows, step).capitalize(),
            f"<p class='verdict'>{leaderboard.verdict(rows)}</p>"
            + leaderboard.leaderboard_html(rows, columns),
        ),
        (
            "Forecast (first rows of forecast.csv)",
            frame.head(3 * horizon).to_html(index=False, float_format="%.4g"),
        ),
    ]
    if len(windows) > 1:
        sections.insert(1, ("MASE per backtest window", leaderboard.window_table_html(window_rows)))
    page = report.html_page(
        f"rnnlab forecast: {panel.source}",
        sections,
        [("Series, the latest backtest window and the forecast", out / "forecast.png")],
        config,
    )
    (out / "report.html").write_text(page, encoding="utf-8")


def backtest_frame(panel, windows, forecasts):
    """backtest.csv: one row per series, window and step, the actual beside every forecast."""
    import numpy as np
    import pandas as pd

    parts = []
    for w in windows:
        n, horizon = w.actual.shape
        cutoff = w.history.last if panel.freq is not None else np.asarray(w.history.last)
        part = pd.DataFrame(
            {
                "unique_id": np.repeat(panel.ids, horizon),
                "window": w.index + 1,
                "cutoff": np.repeat(np.asarray(cutoff), horizon),
                "ds": np.concatenate([np.asarray(d) for d in w.history.future(horizon)]),
                "step": np.tile(np.arange(1, horizon + 1), n),
                "actual": w.actual.ravel(),
            }
        )
        for name, per_window in forecasts.items():
            part[name] = per_window[w.index].ravel()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
