"""The honest protocol of a forecast: backtest beside the baselines, final fit, intervals.

1. every model forecasts the backtest's windows (backtest.py): the baselines, then the
   network, trained once at the oldest origin or again at each one (refit);
2. the scores of those forecasts make the leaderboard;
3. the network trains again on all the data and forecasts the H steps after it;
4. the backtest's errors calibrate conformal intervals around that forecast (intervals.py).

The network is whatever ForecastOptions describe: a GlobalForecaster (direct, recursive,
seq2seq) or one local Forecaster per series, behind one `fit(panel)` / `predict(panel)`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnlab.data.panel import Panel
from rnnlab.errors import ParameterError, RnnlabError, literal
from rnnlab.forecast.backtest import Window, calibrate, forecast_windows, score_windows
from rnnlab.forecast.options import ForecastOptions


class NetworkModel:
    """The network the options describe, on a whole panel: fit, then forecast (n, H)."""

    def __init__(self, options: ForecastOptions, horizon: int, cache=None):
        """`cache`: a checkpoint.MemberCache that keeps each finished global member."""
        self.options, self.horizon, self.cache = options, horizon, cache

    def fit(self, panel: Panel, progress=None) -> NetworkModel:
        o = self.options
        if o.strategy != "local":
            from rnnlab.forecast.global_model import GlobalForecaster

            self.fitted_ = GlobalForecaster(
                seed=o.seed,
                model="seq2seq" if o.strategy == "seq2seq" else o.model,
                cell=o.model if o.strategy == "seq2seq" else "lstm",
                strategy="recursive" if o.strategy == "recursive" else "direct",
                horizon=self.horizon,
                input_size=o.lags,
                hidden=o.hidden,
                layers=o.layers,
                dropout=o.dropout,
                normalize=o.normalize,
                ensemble=o.ensemble,
                train=o.train_overrides(),
            ).fit(panel, progress=progress, cache=self.cache)
            return self
        from rnnlab.forecast.local import Forecaster

        hidden = (o.hidden,) * o.layers if o.model == "fc" else o.hidden
        spec = {"lags": o.lags or 12, "layout": o.layout, "hidden": hidden, "layers": o.layers}
        spec |= {"dropout": o.dropout, "scaler": o.scaler, "transform": o.transform}
        self.fitted_ = LocalForecasters(
            {
                str(panel.ids[i]): Forecaster(
                    o.model, seed=o.seed, **spec, train=o.train_overrides()
                ).fit(series_of(panel, i), progress=progress)
                for i in range(len(panel))
            },
            self.horizon,
        )
        return self

    def predict(self, panel: Panel) -> np.ndarray:
        """Forecasts (n, H) from the end of each series of `panel` (the fitted ones, or the
        same series with more history: a backtest without refitting)."""
        return self.fitted_.predict(panel)

    def resolved_config(self) -> dict:
        if self.options.strategy != "local":
            return self.fitted_.resolved_config()
        return next(iter(self.fitted_.by_id.values())).resolved_config()


class LocalForecasters:
    """The networks of the local strategy, one per series id, with `predict(panel)`."""

    def __init__(self, by_id: dict, horizon: int):
        self.by_id, self.horizon = by_id, horizon

    def predict(self, panel: Panel) -> np.ndarray:
        """Forecasts (n, H) from the end of each series of `panel`, each by its own network."""
        if len(self.by_id) == 1 and len(panel) == 1:  # one series: whatever the file calls it
            return self.by_id[next(iter(self.by_id))].forecast(panel.series(0), self.horizon)[None]
        unknown = [str(i) for i in panel.ids if str(i) not in self.by_id]
        if unknown:
            raise RnnlabError(
                f"series {unknown[0]!r} is not one this local model was trained on ("
                f"{len(self.by_id)} series, one network each); train a global model to forecast "
                "new series"
            )
        return np.stack(
            [
                self.by_id[str(sid)].forecast(panel.series(i), self.horizon)
                for i, sid in enumerate(panel.ids)
            ]
        )


class Baseline:
    """A baseline with the model interface: nothing to fit, forecasts from each series' end."""

    def __init__(self, name: str, horizon: int):
        self.name, self.horizon = name, horizon

    def fit(self, panel: Panel, progress=None) -> Baseline:
        return self

    def predict(self, panel: Panel) -> np.ndarray:
        from rnnlab.forecast.panel_eval import baseline_forecasts

        return baseline_forecasts(self.name, panel, self.horizon)


def series_of(panel: Panel, i: int):
    """Series i of the panel as a SeriesData (integer steps become days from 2000-01-01)."""
    import pandas as pd

    from rnnlab.data.series import SeriesData

    values = panel.series(i)
    if panel.freq is None:
        index = pd.date_range("2000-01-01", periods=len(values), freq="D")  # steps as days
        return SeriesData(values, index, "D", panel.season, str(panel.ids[i]))
    index = pd.date_range(end=panel.last[i], periods=len(values), freq=panel.freq)
    return SeriesData(values, index, panel.freq, panel.season, str(panel.ids[i]))


# ------------------------------------------------------------------------------ the protocol


@dataclass
class Backtest:
    """Every model's forecasts (n, H) of every window, and their scores."""

    windows: list[Window]
    forecasts: dict[str, list] = field(default_factory=dict)  # model id -> per window
    kinds: dict[str, str] = field(default_factory=dict)  # model id -> baseline | neural
    rows: list[dict] = field(default_factory=list)  # scores over all windows
    window_rows: list[list[dict]] = field(default_factory=list)  # scores per window


def run_backtest(
    options: ForecastOptions,
    windows: list[Window],
    baselines: list[str],
    refit: bool,
    cache=None,
    progress=None,
) -> Backtest:
    """The baselines' and the network's forecasts of every window, scored. `progress(label,
    epochs)`, when given, returns the training callback of each fit (train.train's)."""
    horizon = windows[0].actual.shape[1]
    result, seconds = Backtest(windows), {}
    for name in baselines:
        start = time.perf_counter()
        result.forecasts[name] = forecast_windows(
            lambda n=name: Baseline(n, horizon), windows, True
        )
        result.kinds[name], seconds[name] = "baseline", time.perf_counter() - start

    model_id = options.model_id

    def track(k: int):
        where = f" w{k + 1}" if len(windows) > 1 else ""
        return progress(model_id + where, options.epochs or 20) if progress else None

    start = time.perf_counter()
    result.forecasts[model_id] = forecast_windows(
        lambda: NetworkModel(options, horizon, cache), windows, refit, track
    )
    result.kinds[model_id], seconds[model_id] = "neural", time.perf_counter() - start
    result.rows, result.window_rows = score_windows(windows, result.forecasts, result.kinds)
    for row in result.rows:
        row["fit_seconds"], row["epochs"] = seconds[row["id"]], None
    return result


def fit_final(options: ForecastOptions, panel: Panel, horizon: int, cache=None, progress=None):
    """The network trained on all of `panel`."""
    track = progress(f"{options.model_id} (all)", options.epochs or 20) if progress else None
    return NetworkModel(options, horizon, cache).fit(panel, track)


def prediction_intervals(panel: Panel, windows: list[Window], checks: list, future: np.ndarray):
    """80% and 95% bands around `future` from the backtest's errors (intervals.py), what
    config.json says of them (the half-widths, their out-of-sample coverage), the half-widths."""
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


# ------------------------------------------------------------------- where the run happens


def member_cache(out: Path, resume: bool, strategy: str):
    """Where finished global members are kept while the run writing `out` lasts (None: not
    kept); `resume`: take the members an interrupted run finished."""
    import os
    import shutil

    from rnnlab.core.checkpoint import MemberCache, folder_for

    if strategy == "local":
        if resume:
            raise ParameterError("resume", "{name} applies to the global strategies, not local")
        return None
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # torchrun: each rank trains its shard
        if resume:
            raise ParameterError("resume", "{name} is not available under torchrun")
        return None
    folder = folder_for(out)
    if resume and not folder.is_dir():
        raise ParameterError(
            "resume",
            f"no checkpoint to resume in {literal(folder)}: the run finished, or never started "
            "training; run it again without {name}",
        )
    if not resume:
        shutil.rmtree(folder, ignore_errors=True)  # an older run's members: not this one's
    return MemberCache(folder, resume)


def rank() -> int:
    """This process's rank under torchrun (joining the group on first use), else 0."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) < 2:
        return 0
    import torch

    from rnnlab.forecast.global_model import init_distributed

    init_distributed()
    return torch.distributed.get_rank()
