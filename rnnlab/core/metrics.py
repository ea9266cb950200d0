"""Forecast metrics as pure numpy functions, defined so figures compare with published tables.

sMAPE is on the M3/M4 scale (0-200); MASE divides by the in-sample mean absolute seasonal
difference with period m (1 when the series has no season). See DESIGN.md, "Metrics".
"""

from __future__ import annotations

import numpy as np


def mse(y, yhat) -> float:
    return float(np.mean((np.asarray(y, np.float64) - yhat) ** 2))


def rmse(y, yhat) -> float:
    return float(np.sqrt(mse(y, yhat)))


def mae(y, yhat) -> float:
    return float(np.mean(np.abs(np.asarray(y, np.float64) - yhat)))


def mape(y, yhat) -> float:
    """Mean absolute percentage error, in percent (undefined, NaN, when some y is 0)."""
    y = np.asarray(y, np.float64)
    if np.any(y == 0):
        return float("nan")
    return float(100 * np.mean(np.abs((y - yhat) / y)))


def smape(y, yhat) -> float:
    """Mean of 200 |y - yhat| / (|y| + |yhat|); 0 where both are 0; NaN stays NaN."""
    y, yhat = np.asarray(y, np.float64), np.asarray(yhat, np.float64)
    denom = np.abs(y) + np.abs(yhat)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(denom == 0, 0.0, 200 * np.abs(y - yhat) / denom)
    return float(np.mean(terms))


def mase_scale(insample, m: int = 1) -> float:
    """In-sample mean |y_t - y_{t-m}|: the error of the seasonal naive one-step forecast."""
    x = np.asarray(insample, np.float64)
    if len(x) <= m:
        return float("nan")
    return float(np.mean(np.abs(x[m:] - x[:-m])))


def mase(y, yhat, insample, m: int = 1) -> float:
    """Mean absolute error divided by `mase_scale(insample, m)`."""
    scale = mase_scale(insample, m)
    if not scale > 0:
        return float("nan")
    return mae(y, yhat) / scale


def r2(y, yhat) -> float:
    y = np.asarray(y, np.float64)
    total = np.sum((y - y.mean()) ** 2)
    if total == 0:
        return float("nan")
    return float(1 - np.sum((y - yhat) ** 2) / total)


def forecast_metrics(y, yhat, insample, m: int) -> dict[str, float]:
    """Every original-unit metric of the leaderboard, in one dict."""
    return {
        "rmse": rmse(y, yhat),
        "mae": mae(y, yhat),
        "mape": mape(y, yhat),
        "smape": smape(y, yhat),
        "mase": mase(y, yhat, insample, m),
        "r2": r2(y, yhat),
    }
