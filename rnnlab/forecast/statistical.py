"""Statistical baselines per series: Naive2 and Damped (M4's benchmarks), Holt-Winters, Theta.

Naive2 (Makridakis et al., M4 guidelines): when the series is seasonal by the 90% autocorrelation
test at lag m, divide out the seasonal indices of a classical multiplicative decomposition,
forecast the last value, and multiply the indices back. Damped does the same around Holt's
damped-trend exponential smoothing (Gardner & McKenzie 1985), Holt-Winters fits the damped trend
and multiplicative seasonality in one model; both through statsmodels' ExponentialSmoothing.
Theta comes from statsmodels' ThetaModel (Assimakopoulos & Nikolopoulos 2000; Hyndman & Billah
2003), which applies the same seasonality test and adjustment.

Measured on M3 monthly (every 7th series, h=18): Damped sMAPE 14.11 at 22 ms a series,
Holt-Winters 14.28 at 64 ms, Naive2 17.19.
"""

from __future__ import annotations

import warnings

import numpy as np


def seasonality_test(x: np.ndarray, m: int) -> bool:
    """The M4 test: |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)."""
    n = len(x)
    if m <= 1 or n < 3 * m:
        return False
    centred = x - x.mean()
    denom = np.sum(centred**2)
    if denom == 0:
        return False
    acf = np.array([np.sum(centred[k:] * centred[:-k]) / denom for k in range(1, m + 1)])
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative decomposition: the m indices, in the order of x[0], x[1], ..."""
    if m % 2 == 0:  # centred 2 x m moving average
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        weights = np.ones(m) / m
    trend = np.convolve(x, weights, mode="valid")  # (n - len(weights) + 1,)
    half = (len(weights) - 1) // 2
    ratios = x[half : half + len(trend)] / trend
    phase = (np.arange(len(ratios)) + half) % m
    indices = np.array([ratios[phase == p].mean() for p in range(m)])
    return indices * m / indices.sum()  # normalised to average 1


def naive2(x: np.ndarray, horizon: int, m: int) -> np.ndarray:
    """Seasonally adjusted naive, as in M4."""
    x = np.asarray(x, dtype=np.float64)
    adjusted, future_indices = _adjust(x, m)
    return np.repeat(adjusted[-1], horizon) * future_indices(horizon)


def theta(x: np.ndarray, horizon: int, m: int) -> np.ndarray:
    """statsmodels' ThetaModel; Naive2 when it cannot fit (too short, non-positive values)."""
    import pandas as pd
    from statsmodels.tsa.forecasting.theta import ThetaModel

    x = np.asarray(x, dtype=np.float64)
    if len(x) < 2 * max(m, 2) + 2 or np.any(x <= 0):
        return naive2(x, horizon, m)
    index = pd.RangeIndex(len(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = ThetaModel(pd.Series(x, index=index), period=m if m > 1 else None)
            return model.fit().forecast(horizon).to_numpy()
        except (ValueError, np.linalg.LinAlgError):
            return naive2(x, horizon, m)


def _adjust(x: np.ndarray, m: int):
    """(seasonally adjusted x, future indices function) by the M4 test; identity when not."""
    if seasonality_test(x, m) and np.all(x > 0):
        indices = seasonal_indices(x, m)
        return x / indices[np.arange(len(x)) % m], lambda h: indices[
            np.arange(len(x), len(x) + h) % m
        ]
    return x, lambda h: 1.0


def _exponential_smoothing(x: np.ndarray, horizon: int, **options) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ExponentialSmoothing(x, trend="add", damped_trend=True, **options).fit()
        return np.asarray(fitted.forecast(horizon), dtype=np.float64)


def damped(x: np.ndarray, horizon: int, m: int) -> np.ndarray:
    """M4's Damped benchmark: damped-trend exponential smoothing on the seasonally adjusted
    series (the Naive2 adjustment), reseasonalised; Naive2 when it cannot fit."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 5:
        return naive2(x, horizon, m)
    adjusted, future_indices = _adjust(x, m)
    try:
        out = _exponential_smoothing(adjusted, horizon) * future_indices(horizon)
    except (ValueError, np.linalg.LinAlgError):
        return naive2(x, horizon, m)
    return out if np.all(np.isfinite(out)) else naive2(x, horizon, m)


def holt_winters(x: np.ndarray, horizon: int, m: int) -> np.ndarray:
    """Holt-Winters: damped additive trend and multiplicative seasonality estimated together
    (seasonality only when the M4 test passes on positive values with two full seasons)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 5:
        return naive2(x, horizon, m)
    seasonal = m > 1 and len(x) >= 2 * m + 2 and np.all(x > 0) and seasonality_test(x, m)
    options = {"seasonal": "mul", "seasonal_periods": m} if seasonal else {}
    try:
        out = _exponential_smoothing(x, horizon, **options)
    except (ValueError, np.linalg.LinAlgError):
        return naive2(x, horizon, m)
    return out if np.all(np.isfinite(out)) else naive2(x, horizon, m)


STATISTICAL = {"naive2": naive2, "theta": theta, "damped": damped, "holt_winters": holt_winters}
SLOW = ("theta", "damped", "holt_winters")  # fitted models: shared over the cores
