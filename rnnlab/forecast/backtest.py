"""Rolling-origin backtests: forecast a panel from several past origins and score each window.

Window k (0 the oldest, N - 1 the latest) cuts `H + (N - 1 - k) * S` points from the end of
every series: the model sees what is left, forecasts H steps, and is scored on the H actual
values that follow. Without refitting, a model trains once, at the oldest origin, and each later
window only hands it the newer history as input: the way a model runs between retrainings, and
never better informed than a refitted one. With refitting it trains again at every origin.

The residuals of all windows calibrate the conformal prediction intervals (intervals.py);
with two or more windows each window's coverage is measured with intervals calibrated on the
others, so the coverage reported is out of sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.data.panel import Panel
from rnnlab.errors import ParametersError, literal
from rnnlab.forecast.intervals import LEVELS, conformal_halfwidths, series_scales
from rnnlab.forecast.panel_eval import add_owa_and_verdicts, panel_scores

SCORES = ("smape", "mase", "mape", "rmse", "mae", "r2", "mse_scaled")


@dataclass(frozen=True)
class Window:
    """One origin: the history each series has there and the next `horizon` actual values."""

    index: int
    cut: int  # points cut from each series' end to reach this origin
    history: Panel
    actual: np.ndarray  # (n, H)


def rolling_windows(panel: Panel, horizon: int, count: int = 1, step: int | None = None):
    """The backtest's windows, oldest first; `step` (default `horizon`) apart."""
    step = horizon if step is None else step
    if count < 1 or step < 1 or horizon < 1:
        culprit = "backtest" if count < 1 else "step" if step < 1 else "horizon"
        raise ParametersError(
            f"{{backtest}}, {{step}} and {{horizon}} must be at least 1 (got {count}, {step}, "
            f"{horizon})",
            ("backtest", "step", "horizon"),
            culprit,
        )
    deepest = horizon + (count - 1) * step
    shortest = int(panel.lengths.min())
    if shortest <= deepest + 1:
        name = str(panel.ids[int(np.argmin(panel.lengths))])
        raise ParametersError(
            f"series {literal(repr(name))} has {shortest} points: {count} backtest window(s) of "
            f"{horizon} steps, {step} apart, reach {deepest} points back and leave too little to "
            "train on; use fewer {backtest} windows, a smaller {step} or {horizon}",
            ("backtest", "step", "horizon"),
        )
    out = []
    for k in range(count):
        cut = horizon + (count - 1 - k) * step
        history, held = panel.split_last(cut)
        out.append(Window(k, cut, history, held[:, :horizon]))
    return out


def forecast_windows(model, windows: list[Window], refit: bool, progress=None) -> list:
    """Forecasts (n, H) of `model` for every window. `model()` makes a fresh model with
    `fit(panel, progress)` and `predict(panel)`; without refit it trains once, at the oldest.
    `progress(k)`, when given, returns the training callback for the fit at window k."""
    track = progress or (lambda k: None)
    if refit:
        return [model().fit(w.history, track(w.index)).predict(w.history) for w in windows]
    fitted = model().fit(windows[0].history, track(0))
    return [fitted.predict(w.history) for w in windows]


def score_windows(windows: list[Window], forecasts: dict[str, list], kinds: dict[str, str]):
    """(overall rows, rows per window): each model's scores, averaged over series in a window
    and then over windows; OWA and the verdict against seasonal naive on both."""
    per_window = []
    for w in windows:
        rows = [
            {"id": name, "kind": kinds[name], **panel_scores(w.history, w.actual, f[w.index])}
            for name, f in forecasts.items()
        ]
        add_owa_and_verdicts(rows)
        per_window.append(rows)
    overall = []
    for j, name in enumerate(forecasts):
        row = {"id": name, "kind": kinds[name]}
        for key in SCORES:
            row[key] = float(np.nanmean([rows[j][key] for rows in per_window]))
        overall.append(row)
    add_owa_and_verdicts(overall)
    if len(windows) > 1:
        for j, row in enumerate(overall):
            wins = [rows[j].get("beats_seasonal_naive") for rows in per_window]
            if None not in wins:
                row["windows_beating_seasonal_naive"] = int(sum(wins))
    return overall, per_window


def residuals(windows: list[Window], forecasts: list) -> tuple[np.ndarray, np.ndarray]:
    """Errors (N * n, H) of every window, stacked, and each row's series scale (N * n,)."""
    errors = np.concatenate([w.actual - f for w, f in zip(windows, forecasts, strict=True)])
    scales = np.concatenate(
        [
            series_scales([w.history.series(i) for i in range(len(w.history))], w.history.season)
            for w in windows
        ]
    )
    return errors, scales


def calibrate(windows: list[Window], forecasts: list) -> tuple[dict, dict]:
    """Conformal half-widths per step, in series scales, from every window's errors; and their
    out-of-sample coverage (see coverage_estimate), from the same residuals."""
    errors, scales = residuals(windows, forecasts)
    halfwidths = {level: conformal_halfwidths(errors, scales, level) for level in LEVELS}
    return halfwidths, _coverage(errors, scales, len(windows), len(windows[0].history))


def coverage_estimate(windows: list[Window], forecasts: list) -> dict:
    """Out-of-sample coverage of the intervals: with several windows, each window is scored
    with half-widths calibrated on the others; with one, the series are split in two halves
    that calibrate each other. Empty when neither is possible (one window of one series)."""
    return calibrate(windows, forecasts)[1]


def _coverage(errors: np.ndarray, scales: np.ndarray, count: int, n: int) -> dict:
    """coverage_estimate on residuals (count * n, H) of `count` windows of `n` series."""
    if count > 1:
        folds, how = np.repeat(np.arange(count), n), "leave one window out"
    elif n >= 2:
        folds, how = np.arange(n) % 2, "two halves of the series"
    else:
        return {}
    out = {"method": how}
    for level in LEVELS:
        inside = []
        for fold in np.unique(folds):
            test = folds == fold
            half = conformal_halfwidths(errors[~test], scales[~test], level)  # (H,)
            scores = np.abs(errors[test]) / scales[test, None]  # (rows, H)
            inside.append((scores <= half[None, :])[np.isfinite(scores)])
        out[f"coverage_{level}"] = float(np.mean(np.concatenate(inside)))
    return out
