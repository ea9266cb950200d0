"""Prediction intervals by split conformal prediction on the backtest's errors.

The backtest forecasts every series' H points after each origin (rnnlab/forecast/backtest.py); its
errors, divided by each series' own scale (the in-sample error of seasonal naive, as in MASE),
say how far off the model is h steps ahead on this data. The (1 - alpha) quantile of their
absolute values per step h, times a series' scale, gives that series' interval half-width at
step h (Vovk et al. 2005; Stankeviciute et al. 2021 for multi-step forecasts). With few rows
the steps are pooled, widening as sqrt(h).
"""

from __future__ import annotations

import numpy as np

from rnnlab.core.metrics import mase_scale

LEVELS = (80, 95)
MIN_SERIES_PER_STEP = 20


def series_scales(series: list[np.ndarray], season: int) -> np.ndarray:
    """MASE's scale per series; the mean |value| where that is 0 or undefined; 1 as last resort."""
    out = []
    for values in series:
        m = season if len(values) > season else 1
        scale = mase_scale(values, m)
        if not scale > 0:
            scale = float(np.mean(np.abs(values))) or 1.0
        out.append(scale)
    return np.asarray(out)


def conformal_halfwidths(errors: np.ndarray, scales: np.ndarray, level: int) -> np.ndarray:
    """Half-widths per step (H,), in units of a series' scale, from check errors (n, H)."""
    n, horizon = errors.shape
    scores = np.abs(errors) / scales[:, None]  # (n, H)
    scores = np.where(np.isfinite(scores), scores, np.nan)
    alpha = 1 - level / 100
    # the ceil((n + 1)(1 - alpha))-th smallest score, the finite-sample correction; as a quantile
    # that is k/n with "inverted_cdf" ("higher" at k/n would take the next order statistic up)
    if n >= MIN_SERIES_PER_STEP:
        rank = min(1.0, np.ceil((n + 1) * (1 - alpha)) / n)
        return np.nanquantile(scores, rank, axis=0, method="inverted_cdf")  # (H,)
    growth = np.sqrt(np.arange(1, horizon + 1))  # (H,)
    pooled = (scores / growth[None, :]).ravel()
    pooled = pooled[np.isfinite(pooled)]
    rank = min(1.0, np.ceil((len(pooled) + 1) * (1 - alpha)) / len(pooled))
    return np.quantile(pooled, rank, method="inverted_cdf") * growth


def intervals(forecast: np.ndarray, scales: np.ndarray, halfwidths: dict) -> dict:
    """{'yhat_lo_80': (n, H), 'yhat_hi_80': ..., ...} around forecast (n, H)."""
    out = {}
    for level, half in halfwidths.items():
        width = scales[:, None] * half[None, :]  # (n, H)
        out[f"yhat_lo_{level}"] = forecast - width
        out[f"yhat_hi_{level}"] = forecast + width
    return out


def coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of actual values inside [lo, hi]."""
    return float(np.mean((actual >= lo) & (actual <= hi)))
