"""Statistical baselines per series: Naive2 (M4's benchmark) and Theta (the M3 winner).

Naive2 (Makridakis et al., M4 guidelines): when the series is seasonal by the 90% autocorrelation
test at lag m, divide out the seasonal indices of a classical multiplicative decomposition,
forecast the last value, and multiply the indices back. Theta comes from statsmodels'
ThetaModel (Assimakopoulos & Nikolopoulos 2000; Hyndman & Billah 2003), which applies the same
seasonality test and adjustment.
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
    if seasonality_test(x, m) and np.all(x > 0):
        indices = seasonal_indices(x, m)
        adjusted = x / indices[np.arange(len(x)) % m]
        future = indices[np.arange(len(x), len(x) + horizon) % m]
        return adjusted[-1] * future
    return np.repeat(x[-1], horizon)


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


STATISTICAL = {"naive2": naive2, "theta": theta}
