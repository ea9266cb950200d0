"""Forecast every series of a panel with the baselines, and score forecasts of a whole panel.

Scores are averaged over series, as the M3 and M4 tables do: sMAPE and MASE per series, then
their mean; OWA (M4) relates both to Naive2 on those totals.
"""

from __future__ import annotations

import functools

import numpy as np

from rnnlab.core.metrics import forecast_metrics, mse
from rnnlab.core.parallel import available_workers, in_parallel
from rnnlab.data.panel import Panel
from rnnlab.data.scaling import fit_scaler
from rnnlab.forecast.baselines import BASELINES
from rnnlab.forecast.statistical import SLOW, STATISTICAL

BASELINE_IDS = ("naive", "seasonal_naive", "naive2", "drift", "theta", "damped")  # the default
ALL_BASELINES = (*BASELINE_IDS, "holt_winters", "mean")


def _one(name: str, values: np.ndarray, horizon: int, season: int) -> np.ndarray:
    if name in STATISTICAL:
        return STATISTICAL[name](values, horizon, season)
    m = season if len(values) > season else 1  # too short for a season: plain naive
    return BASELINES[name](values.astype(np.float64), np.array([len(values)]), horizon, m)[0]


def _chunk(name: str, panel: Panel, horizon: int, rows: range) -> np.ndarray:
    return np.stack([_one(name, panel.series(i), horizon, panel.season) for i in rows])


def baseline_forecasts(name: str, panel: Panel, horizon: int, workers: int | None = None):
    """(n, horizon) forecasts of one baseline for every series; slow ones use every core."""
    n = len(panel)
    workers = (available_workers() if workers is None else workers) if name in SLOW else 1
    workers = min(workers, max(1, n // 50))  # forking pays off from about 50 series a core
    if workers > 1:  # statsmodels imported once, before the fork
        import statsmodels.tsa.forecasting.theta  # noqa: F401
        import statsmodels.tsa.holtwinters  # noqa: F401
    bounds = np.linspace(0, n, workers + 1).astype(int)
    calls = [
        functools.partial(_chunk, name, panel, horizon, range(a, b))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        if b > a
    ]
    return np.concatenate(in_parallel(calls, workers))


def panel_scores(train: Panel, actual: np.ndarray, forecast: np.ndarray) -> dict[str, float]:
    """Metrics per series, then averaged: smape, mase, mape, rmse, mae, r2, mse_scaled."""
    rows = []
    for i in range(len(train)):
        history = train.series(i).astype(np.float64)
        scores = forecast_metrics(actual[i], forecast[i], history, train.season)
        lecture = fit_scaler(history, "minmax")  # the lecture's figure, per series
        scores["mse_scaled"] = mse(lecture.transform(actual[i]), lecture.transform(forecast[i]))
        rows.append(scores)
    return {key: float(np.nanmean([r[key] for r in rows])) for key in rows[0]}


def add_owa_and_verdicts(rows: list[dict]) -> None:
    """OWA against naive2 and beats_seasonal_naive (on MASE), in place."""
    by_id = {row["id"]: row for row in rows}
    reference, naive2 = by_id.get("seasonal_naive"), by_id.get("naive2")
    for row in rows:
        if naive2 is not None and naive2["smape"] > 0 and naive2["mase"] > 0:
            row["owa"] = 0.5 * (row["smape"] / naive2["smape"] + row["mase"] / naive2["mase"])
        else:
            row["owa"] = None
        if reference is not None and row is not reference:
            row["beats_seasonal_naive"] = bool(row["mase"] < reference["mase"])
        else:
            row.setdefault("beats_seasonal_naive", None)
