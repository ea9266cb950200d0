"""Fit several models on one training span and score them on the span that follows.

Two protocols: one step ahead (the lecture's: each test point forecast from the actual values
before it) and hold-out (the whole test span forecast from its origin, as a forecast is used).
Rows have the same keys for baselines and neural models alike.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import numpy as np

from rnnlab.core.metrics import forecast_metrics, mse
from rnnlab.core.parallel import available_workers, balance, in_parallel
from rnnlab.data.scaling import fit_scaler
from rnnlab.data.series import SeriesData
from rnnlab.errors import RnnlabError
from rnnlab.forecast.local import Forecaster
from rnnlab.forecast.names import BASELINE_NAMES


@dataclass
class Evaluation:
    rows: list[dict] = field(default_factory=list)  # one per model: metrics.json's "models"
    predictions: dict = field(default_factory=dict)  # id -> (T,) forecasts of the test span
    configs: dict = field(default_factory=dict)  # id -> resolved config
    curves: dict = field(default_factory=dict)  # id -> (train_loss, val_loss, best_epoch)
    forecasters: dict = field(default_factory=dict)  # id -> fitted Forecaster


def _fit_group(series, n_train, specs: dict, mode: str, seed: int, progress) -> list[tuple]:
    """Fit and forecast each spec; [(id, forecaster, forecasts, seconds)]."""
    done = []
    for mid, spec in specs.items():
        forecaster = Forecaster(seed=seed, **spec)
        callback = None
        if progress is not None and not forecaster.is_baseline:
            callback = progress.callback(mid, spec.get("train", {}).get("epochs", 1000))
        start = time.perf_counter()
        forecaster.fit(series, n_train, progress=callback)
        if mode == "one_step":
            yhat = forecaster.predict_one_step(series.values, n_train)
        else:
            yhat = forecaster.forecast(series.values[:n_train], len(series) - n_train)
        done.append((mid, forecaster, yhat, time.perf_counter() - start))
    return done


def _cost(spec: dict) -> float:
    """A rough guess of a spec's training time, to share the work between processes."""
    model = spec["model"]
    if model in BASELINE_NAMES:
        return 0.01
    if model == "fc":
        return 1.0
    steps = spec.get("lags", 12) if spec.get("layout", "timesteps") == "timesteps" else 1
    return 1.0 + 3.0 * (1 + steps / 4)


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
    workers: int | None = None,
) -> Evaluation:
    """Fit each spec ({id: Forecaster options}) on values[:n_train] and score values[n_train:].

    mode "one_step": every test point is forecast from the actual values before it (the
    lecture's protocol); "holdout": all test points are forecast from the one origin n_train.
    Models train in up to `workers` processes (default: the free cores); each is seeded on its
    own, so the numbers do not depend on how they were shared out.
    """
    if mode not in MODES:
        raise RnnlabError(f"unknown mode {mode!r}; choose one of: {', '.join(MODES)}")
    workers = available_workers() if workers is None else workers
    groups = balance({mid: _cost(spec) for mid, spec in specs.items()}, max(1, workers))
    calls = [
        functools.partial(
            _fit_group,
            series,
            n_train,
            {mid: specs[mid] for mid in group},
            mode,
            seed,
            progress if i == 0 else None,
        )
        for i, group in enumerate(groups)
    ]
    fitted = {mid: rest for group in in_parallel(calls, workers) for mid, *rest in group}
    evaluation = Evaluation()
    actual = series.values[n_train:].astype(np.float64)
    for mid in specs:  # in the order given, whatever process fitted each
        forecaster, yhat, seconds = fitted[mid]
        evaluation.rows.append(_row(mid, forecaster, actual, yhat, series, n_train, seconds))
        evaluation.predictions[mid] = yhat
        evaluation.forecasters[mid] = forecaster
    return _finish(evaluation)
