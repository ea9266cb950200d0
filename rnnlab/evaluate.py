"""Fit several models on one training span and score them on the span that follows.

Two protocols: one step ahead (the lecture's: each test point forecast from the actual values
before it) and hold-out (the whole test span forecast from its origin, as a forecast is used).
Rows have the same keys for baselines and neural models alike.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rnnlab.data.scaling import fit_scaler
from rnnlab.data.series import SeriesData
from rnnlab.forecaster import Forecaster
from rnnlab.metrics import forecast_metrics, mse


@dataclass
class Evaluation:
    rows: list[dict] = field(default_factory=list)  # one per model: metrics.json's "models"
    predictions: dict = field(default_factory=dict)  # id -> (T,) forecasts of the test span
    configs: dict = field(default_factory=dict)  # id -> resolved config
    curves: dict = field(default_factory=dict)  # id -> (train_loss, val_loss, best_epoch)
    forecasters: dict = field(default_factory=dict)  # id -> fitted Forecaster


def _fit(series: SeriesData, n_train: int, mid: str, spec: dict, seed: int, progress):
    forecaster = Forecaster(seed=seed, **spec)
    callback = None
    if progress is not None and not forecaster.is_baseline:
        epochs = spec.get("train", {}).get("epochs", 1000)
        callback = progress.callback(mid, epochs)
    start = time.perf_counter()
    forecaster.fit(series, n_train, progress=callback)
    return forecaster, start


def _row(mid: str, forecaster: Forecaster, actual, yhat, series, n_train, seconds) -> dict:
    insample = series.values[:n_train]
    lecture_scale = fit_scaler(insample, "minmax")  # the lecture's figure: MSE on min-max values
    result = forecaster.train_result_
    return {
        "id": mid,
        "kind": "baseline" if forecaster.is_baseline else "neural",
        "mse_scaled": mse(lecture_scale.transform(actual), lecture_scale.transform(yhat)),
        **forecast_metrics(actual, yhat, insample, series.season),
        "beats_seasonal_naive": None,  # filled in once seasonal naive is scored
        "fit_seconds": seconds,
        "epochs": result.epochs if result else None,
    }


def _finish(evaluation: Evaluation) -> Evaluation:
    reference = next((r for r in evaluation.rows if r["id"] == "seasonal_naive"), None)
    for row in evaluation.rows:
        if reference is not None and row is not reference:
            row["beats_seasonal_naive"] = bool(row["mase"] < reference["mase"])
    for mid, f in evaluation.forecasters.items():
        evaluation.configs[mid] = f.resolved_config()
        if f.train_result_ is not None:
            r = f.train_result_
            evaluation.curves[mid] = (np.array(r.train_loss), np.array(r.val_loss), r.best_epoch)
    return evaluation


MODES = ("one_step", "holdout")


def evaluate(
    series: SeriesData,
    n_train: int,
    specs: dict,
    mode: str = "one_step",
    seed: int = 0,
    progress=None,
) -> Evaluation:
    """Fit each spec ({id: Forecaster options}) on values[:n_train] and score values[n_train:].

    mode "one_step": every test point is forecast from the actual values before it (the
    lecture's protocol); "holdout": all test points are forecast from the one origin n_train.
    """
    evaluation = Evaluation()
    actual = series.values[n_train:].astype(np.float64)
    for mid, spec in specs.items():
        forecaster, start = _fit(series, n_train, mid, spec, seed, progress)
        if mode == "one_step":
            yhat = forecaster.predict_one_step(series.values, n_train)
        else:
            yhat = forecaster.forecast(series.values[:n_train], len(actual))
        seconds = time.perf_counter() - start
        evaluation.rows.append(_row(mid, forecaster, actual, yhat, series, n_train, seconds))
        evaluation.predictions[mid] = yhat
        evaluation.forecasters[mid] = forecaster
    return _finish(evaluation)
