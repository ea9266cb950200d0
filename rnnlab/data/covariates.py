"""Covariates known in advance: calendar features from the timestamps, and the user's own
columns (a price list, a promotion plan) with their values for the forecast horizon.

The lecture's "trend and seasonality, DOW, TOD": each calendar cycle the data's step can
resolve (time of day below a day, day of week below a week, day of year below a year) becomes
two features, sin and cos of its phase, so that 23:00 sits beside 00:00 and December beside
January. A cycle needs at least two steps: monthly data gets the year only, yearly data none.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from rnnlab.data.panel import Panel
from rnnlab.data.series import FLOAT32_MAX
from rnnlab.errors import RnnlabError

CYCLES = {"day": 1.0, "week": 7.0, "year": 365.25}  # name: period in days


def calendar_cycles(index: pd.DatetimeIndex) -> list[str]:
    """The cycles that at least two steps of `index` fall in."""
    if len(index) < 2:
        return []
    step_days = (index[1:] - index[:-1]).median() / pd.Timedelta(days=1)
    return [name for name, period in CYCLES.items() if period >= 2 * step_days]


def calendar_features(index: pd.DatetimeIndex, cycles: list[str]) -> np.ndarray:
    """(T, 2 * len(cycles)) float32: sin and cos of each cycle's phase at every timestamp."""
    index = pd.DatetimeIndex(index)
    day = (index.hour * 3600 + index.minute * 60 + index.second).to_numpy() / 86400.0
    phases = {
        "day": day,
        "week": (index.day_of_week.to_numpy() + day) / 7.0,
        "year": (index.day_of_year.to_numpy() - 1 + day) / (365.0 + index.is_leap_year),
    }
    columns = []
    for name in cycles:
        angle = 2 * np.pi * phases[name]
        columns += [np.sin(angle), np.cos(angle)]
    return np.stack(columns, axis=1).astype(np.float32) if columns else np.zeros((len(index), 0))


def with_calendar(panel: Panel, horizon: int) -> Panel:
    """`panel` with calendar features added to its covariates, for its span and `horizon`
    steps beyond."""
    if panel.freq is None:
        raise RnnlabError("--calendar needs dates in the ds column; integer steps have no calendar")
    first = pd.date_range(end=panel.last[0], periods=panel.lengths[0], freq=panel.freq)
    cycles = calendar_cycles(first)
    if not cycles:
        raise RnnlabError(
            f"--calendar: data with frequency {panel.freq} has no calendar cycle of two or "
            "more steps (time of day, day of week, day of year)"
        )
    names = tuple(f"{c}_{f}" for c in cycles for f in ("sin", "cos"))
    dates = panel.future(horizon)
    history = [
        calendar_features(pd.date_range(end=end, periods=n, freq=panel.freq), cycles)
        for end, n in zip(panel.last, panel.lengths, strict=True)
    ]
    future = [calendar_features(d, cycles) for d in dates]
    return _combine(panel, np.concatenate(history), np.stack(future), names)


def with_future_values(
    panel: Panel, frame: pd.DataFrame, id_col: str, ds_col: str, horizon: int, source: str
) -> Panel:
    """`panel`, read with its own covariate columns (read_panel(covariates=...)), completed
    with their next `horizon` values per series from `frame` (long format: id, ds and the
    same columns; e.g. next month's price list)."""
    names = panel.cov_names
    missing = [c for c in (id_col, ds_col, *names) if c not in frame.columns]
    if missing:
        raise RnnlabError(
            f"no column {missing[0]!r} in {source}; it needs {id_col}, {ds_col} and the "
            f"future columns {', '.join(names)}"
        )
    frame = frame.copy()
    frame[id_col] = frame[id_col].astype(str)
    if panel.freq is not None:
        try:
            frame[ds_col] = pd.to_datetime(frame[ds_col])
        except (ValueError, TypeError):
            raise RnnlabError(f"column {ds_col!r} in {source} does not hold dates") from None
    groups = dict(tuple(frame.groupby(id_col, sort=False)))
    future = np.empty((len(panel), horizon, len(names)), dtype=np.float32)
    for i, (uid, dates) in enumerate(zip(map(str, panel.ids), panel.future(horizon), strict=True)):
        if uid not in groups:
            raise RnnlabError(f"{source} has no rows for series {uid!r}")
        group = groups[uid].drop_duplicates(ds_col, keep="last").set_index(ds_col)
        values = group[list(names)].apply(pd.to_numeric, errors="coerce").reindex(dates)
        bad = ~np.isfinite(values.to_numpy(np.float64))
        if bad.any():
            step, col = np.argwhere(bad)[0]
            raise RnnlabError(
                f"{source}: no number for {names[col]!r} of series {uid!r} at "
                f"{dates[step]}; it must hold every future column for the "
                f"{horizon} steps after each series ends"
            )
        if (values.abs() > FLOAT32_MAX).to_numpy().any():
            raise RnnlabError(
                f"{source}: a future value of series {uid!r} is too large for 32-bit floats "
                "(at most 3.4e38); rescale it"
            )
        future[i] = values.to_numpy(np.float32)
    return replace(panel, cov_future=future)


def _combine(panel: Panel, cov: np.ndarray, cov_future: np.ndarray, names: tuple) -> Panel:
    """`panel` with covariates (total, k) and future ones (n, F, k) appended to its own."""
    if panel.cov is not None:
        steps = min(cov_future.shape[1], panel.cov_future.shape[1])
        cov = np.concatenate([panel.cov, cov], axis=1)
        cov_future = np.concatenate([panel.cov_future[:, :steps], cov_future[:, :steps]], axis=2)
        names = panel.cov_names + names
    return Panel(
        panel.ids,
        panel.flat,
        panel.offsets,
        panel.last,
        panel.freq,
        panel.season,
        panel.source,
        cov.astype(np.float32),
        cov_future.astype(np.float32),
        names,
    )
