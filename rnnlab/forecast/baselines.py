"""Baseline forecasters: every leaderboard shows them beside the neural models.

Each takes the whole series, the forecast origins and a horizon, and forecasts from every origin
t using only values[:t], vectorised over origins:
  naive           y_{t-1} repeated;
  seasonal_naive  the value one season back, y_{t-m+(j-1) mod m} for step j;
  drift           y_{t-1} + j (y_{t-1} - y_0) / (t - 1), the line through the first and last point;
  mean            the mean of y_0 .. y_{t-1}.
(Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", section 5.2.)
"""

from __future__ import annotations

import numpy as np


def naive(values: np.ndarray, origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    last = values[origins - 1]  # (N,)
    return np.repeat(last[:, None], horizon, axis=1)  # (N, horizon)


def seasonal_naive(values: np.ndarray, origins: np.ndarray, horizon: int, season: int):
    steps = np.arange(horizon) % season  # (horizon,)
    return values[origins[:, None] - season + steps[None, :]]  # (N, horizon)


def drift(values: np.ndarray, origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    last = values[origins - 1].astype(np.float64)  # (N,)
    slope = (last - values[0]) / np.maximum(origins - 1, 1)  # (N,)
    return last[:, None] + slope[:, None] * np.arange(1, horizon + 1)[None, :]  # (N, horizon)


def mean(values: np.ndarray, origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    cumsum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])  # (n + 1,)
    avg = cumsum[origins] / origins  # (N,)
    return np.repeat(avg[:, None], horizon, axis=1)  # (N, horizon)


BASELINES = {"naive": naive, "seasonal_naive": seasonal_naive, "drift": drift, "mean": mean}


# How much history each baseline needs before its first origin.
def min_history(name: str, season: int) -> int:
    return season if name == "seasonal_naive" else 1
