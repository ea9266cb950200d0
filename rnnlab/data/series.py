"""A validated, regular, float32 series, and the checks that make one.

Every source (CSV, DataFrame, built-in) ends here, so every job sees the same guarantees:
sorted unique timestamps on a regular grid, finite float32 values, a known frequency and
seasonal period.

`make_series` is the single validation path; `infer_frequency` names the grid (a pandas offset
alias that `pd.date_range` continues); `season_for` gives the seasonal period m used by the
seasonal-naive baseline and MASE (Hyndman & Athanasopoulos, "Forecasting: Principles and
Practice", 3rd ed., section 2.3 on seasonal periods).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from rnnlab.errors import RnnlabError

# Seasonal period by frequency: the lecture's trend-and-seasonality view of calendar data.
# Anchored aliases ("QS-FEB", "W-MON", "YE-JUN") and multiples ("2h", "6MS") go through
# `season_for`, which reads this table by the alias' base name.
SEASON_BY_FREQ = {
    "h": 24,
    "D": 7,
    "B": 5,
    "W": 52,
    "MS": 12,
    "ME": 12,
    "QS": 4,
    "QE": 4,
    "YS": 1,
    "YE": 1,
}

FILL_METHODS = ("interpolate", "ffill")
_FILL_HINT = "fill them with --fill interpolate or --fill ffill"
_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAY = pd.Timedelta(days=1)
_DAY_US = 86_400_000_000
FLOAT32_MAX = float(np.finfo(np.float32).max)  # values are kept as float32: larger ones are inf


def _micros(index: pd.DatetimeIndex) -> np.ndarray:
    # Microseconds, pandas 3's default unit: years 1 to 9999 fit, unlike nanoseconds.
    return index.as_unit("us").asi8


@dataclass(frozen=True)
class SeriesData:
    """One regular series. `values` is (n,) float32; `index` is the matching DatetimeIndex."""

    values: np.ndarray
    index: pd.DatetimeIndex
    freq: str  # pandas offset alias that continues the index, e.g. "MS", "ME", "D", "h", "30min"
    season: int  # seasonal period m (1 when none)
    name: str = "y"
    source: str = ""

    def __len__(self) -> int:
        return len(self.values)

    def future_index(self, horizon: int) -> pd.DatetimeIndex:
        """The `horizon` timestamps that follow the last one."""
        return pd.date_range(self.index[-1], periods=horizon + 1, freq=self.freq)[1:]

    def to_pandas(self) -> pd.Series:
        return pd.Series(self.values, index=self.index, name=self.name)


# ---------------------------------------------------------------------------------------------
# Frequency and seasonal period


def season_for(freq: str) -> int:
    """Seasonal period m for a frequency alias: points per day below a day, else the table."""
    offset = to_offset(freq)
    base = offset.rule_code.split("-")[0]
    if isinstance(offset, pd.offsets.Tick) and base != "D":
        # Sub-daily grids repeat daily: a 30-minute series has 48 points per cycle.
        per_day = _DAY / pd.Timedelta(offset)
        return int(per_day) if per_day >= 2 and per_day == int(per_day) else 1
    if base not in SEASON_BY_FREQ:
        return 1
    season = SEASON_BY_FREQ[base]
    # Multiples ("2W-MON", "6MS") keep the cycle only when they divide it evenly.
    return season // offset.n if season % offset.n == 0 else 1


def infer_frequency(index: pd.DatetimeIndex) -> str:
    """The offset alias of a sorted, duplicate-free index, from its median step.

    Steps under four weeks are fixed grids ("30min", "h", "D", "B", "W-SUN", "3D"); longer steps
    are calendar months: "MS"/"ME", "QS"/"QE" (anchored, e.g. "QS-FEB", when quarters do not
    start in January), "YS"/"YE" (e.g. "YE-JUN"), "6MS". Stamps on other days of the month
    (last business day, mid-month) stand for their calendar period and get the start alias.
    Irregular data raises RnnlabError.
    """
    index = pd.DatetimeIndex(index)
    if len(index) < 2:
        raise RnnlabError("need at least 2 timestamps to infer a frequency")
    steps = np.diff(_micros(index))
    step = pd.Timedelta(int(np.median(steps)), unit="us")
    if step <= pd.Timedelta(0):
        raise RnnlabError("timestamps are not sorted and unique; cannot infer a frequency")
    if step >= pd.Timedelta(days=27):
        alias = _calendar_alias(index, step)
        if alias is not None:
            return alias
    if step == _DAY and _is_business_daily(index):
        return "B"
    _grid_positions(index, step)  # raises when stamps are off the grid
    if step == pd.Timedelta(days=7):
        return "W-" + index[0].day_name()[:3].upper()
    return _tick_alias(step)


def _tick_alias(step: pd.Timedelta) -> str:
    # to_offset would spell two days "48h"; whole days read better as "2D".
    if step % _DAY == pd.Timedelta(0):
        days = int(step / _DAY)
        return "D" if days == 1 else f"{days}D"
    return to_offset(step).freqstr


def _is_business_daily(index: pd.DatetimeIndex) -> bool:
    # No weekend dates, one time of day, and at least one weekend skipped: a trading calendar.
    clock = index - index.normalize()
    skips = np.diff(_micros(index.normalize())) > _DAY_US
    return bool((index.day_of_week < 5).all() and (clock == clock[0]).all() and skips.any())


def _month_ordinals(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(index.year * 12 + index.month - 1, dtype=np.int64)


def _calendar_alias(index: pd.DatetimeIndex, step: pd.Timedelta) -> str | None:
    """Alias for steps of whole months, or None when the data is not month-based."""
    months = int(round(step / pd.Timedelta(days=30.436875)))
    if months < 1 or abs(step / _DAY - months * 30.436875) > 3:
        return None
    starts = bool((index.day == 1).all())
    ends = bool(index.is_month_end.all())
    misaligned = bool((np.diff(_month_ordinals(index)) % months != 0).any())
    if starts or ends:
        if misaligned:
            return None  # e.g. quarter starts that jump between anchors: not a grid
        kind = "S" if starts else "E"
        first_month = int(index[0].month)
        if months == 3:
            # Quarter-start aliases name the first month of a quarter, quarter-end ones the last.
            anchor = (first_month - 1) % 3 + (1 if kind == "S" else 10)
            alias = f"Q{kind}-{_MONTH_NAMES[anchor - 1]}"
            return {"QS-JAN": "QS", "QE-DEC": "QE"}.get(alias, alias)
        if months == 12:
            alias = f"Y{kind}-{_MONTH_NAMES[first_month - 1]}"
            return {"YS-JAN": "YS", "YE-DEC": "YE"}.get(alias, alias)
        return f"M{kind}" if months == 1 else f"{months}M{kind}"
    steps = np.diff(_micros(index))
    if (steps == steps[0]).all() and steps[0] % _DAY_US == 0:
        return None  # a fixed step such as "28D" that only looks monthly
    # Other days of the month stand for their calendar month, quarter or year.
    if months in (1, 3, 12):
        return {1: "MS", 3: "QS", 12: "YS"}[months]
    return None if misaligned else f"{months}MS"


def _grid_positions(index: pd.DatetimeIndex, step: pd.Timedelta) -> np.ndarray:
    stamps = _micros(index)
    offsets = stamps - stamps[0]
    step_us = step // pd.Timedelta(microseconds=1)
    off_grid = offsets % step_us != 0
    if off_grid.any():
        bad = index[int(np.argmax(off_grid))]
        raise RnnlabError(
            f"irregular timestamps: {_fmt(bad)} is off the {_tick_alias(step)} grid "
            f"that starts at {_fmt(index[0])}; rnnlab needs evenly spaced data"
        )
    return offsets // step_us


def _positions(index: pd.DatetimeIndex, freq: str) -> tuple[np.ndarray, pd.Timestamp]:
    """Slot of each stamp on the `freq` grid (0 = first), and the grid's first stamp."""
    offset = to_offset(freq)
    if isinstance(offset, pd.offsets.BusinessDay):
        days = index.normalize().values.astype("datetime64[D]")
        return np.busday_count(days[0], days).astype(np.int64), index[0]
    if isinstance(offset, pd.offsets.Week):
        return _grid_positions(index, pd.Timedelta(days=7 * offset.n)), index[0]
    if isinstance(offset, pd.offsets.Day):  # a calendar day in pandas 3, a Tick before
        return _grid_positions(index, pd.Timedelta(days=offset.n)), index[0]
    if isinstance(offset, pd.offsets.Tick):
        return _grid_positions(index, pd.Timedelta(offset)), index[0]
    # Calendar frequencies count months, so any day inside a period lands in that period.
    ordinals = _month_ordinals(index)
    if isinstance(offset, (pd.offsets.QuarterBegin, pd.offsets.QuarterEnd)):
        span, anchor = 3 * offset.n, offset.startingMonth - 1
    elif isinstance(offset, (pd.offsets.YearBegin, pd.offsets.YearEnd)):
        span, anchor = 12 * offset.n, offset.month - 1
    else:
        span, anchor = offset.n, ordinals[0]
    is_end = isinstance(offset, (pd.offsets.MonthEnd, pd.offsets.QuarterEnd, pd.offsets.YearEnd))
    if is_end:  # the period that ends at or after the first stamp
        first_ord = ordinals[0] + (anchor - ordinals[0]) % span
    else:  # the period that starts at or before it
        first_ord = ordinals[0] - (ordinals[0] - anchor) % span
    first = pd.Timestamp(
        year=int(first_ord // 12), month=int(first_ord % 12) + 1, day=1, tz=index.tz
    )
    if is_end:
        first = first + pd.offsets.MonthEnd(0)
    return (ordinals - first_ord) // span, first


# ---------------------------------------------------------------------------------------------
# Validation


def _fmt(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else str(stamp)


def _where(stamp: pd.Timestamp, lines: np.ndarray | None, i: int) -> str:
    return f"{_fmt(stamp)} (line {int(lines[i])})" if lines is not None else _fmt(stamp)


def make_series(
    index,
    values,
    *,
    name: str = "y",
    source: str = "",
    season: int | None = None,
    fill: str | None = None,
    line_numbers=None,
) -> SeriesData:
    """Validate timestamps and values into a SeriesData; every problem is one RnnlabError.

    Rows are sorted by time first (agencies often publish newest-first). Missing timestamps and
    missing (NaN) values are errors unless `fill` is "interpolate" (linear in time steps) or
    "ffill" (carry the last value). Fill only repairs holes between observed values: leading
    and trailing NaN are dropped, since nothing on one side of them vouches for a value.
    Infinite values are always errors. `line_numbers` (1-based file lines, one per row) let
    messages point at the row to fix.
    """
    if fill is not None and fill not in FILL_METHODS:
        raise RnnlabError(f"unknown fill {fill!r}; use one of: {', '.join(FILL_METHODS)}")
    if season is not None and (
        isinstance(season, bool) or not isinstance(season, (int, np.integer)) or season < 1
    ):
        raise RnnlabError(f"season must be a whole number >= 1, got {season!r}")
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(index)).as_unit("us")
    except (ValueError, TypeError, OverflowError) as err:
        raise RnnlabError(f"{source or 'series'}: timestamps could not be read: {err}") from None
    try:
        vals = np.asarray(values, dtype=np.float64).reshape(-1)
    except (ValueError, TypeError) as err:
        raise RnnlabError(f"{source or 'series'}: values are not numbers: {err}") from None
    lines = None if line_numbers is None else np.asarray(line_numbers, dtype=np.int64)
    if len(stamps) != len(vals) or (lines is not None and len(lines) != len(vals)):
        raise RnnlabError(f"{len(stamps)} timestamps but {len(vals)} values; they must match")
    if stamps.hasnans:
        i = int(np.argmax(stamps.isna()))
        where = f" (line {int(lines[i])})" if lines is not None else f" (row {i})"
        raise RnnlabError(f"missing timestamp{where}; every row needs a date")

    order = np.argsort(stamps.asi8, kind="stable")
    stamps, vals = stamps[order], vals[order]
    lines = None if lines is None else lines[order]

    dup = stamps.duplicated()
    if dup.any():
        i = int(np.argmax(dup))
        at = f" (lines {int(lines[i - 1])} and {int(lines[i])})" if lines is not None else ""
        raise RnnlabError(f"duplicate timestamp {_fmt(stamps[i])}{at}; keep one row per timestamp")
    if np.isinf(vals).any():
        i = int(np.argmax(np.isinf(vals)))
        raise RnnlabError(f"infinite value at {_where(stamps[i], lines, i)}; remove or fix it")
    huge = np.abs(vals) > FLOAT32_MAX  # finite here, infinite once float32
    if huge.any():
        i = int(np.argmax(huge))
        raise RnnlabError(
            f"value {vals[i]:.3g} at {_where(stamps[i], lines, i)} is too large: rnnlab keeps "
            "values as 32-bit floats (at most 3.4e38); rescale the data"
        )
    if len(vals) < 3:
        raise RnnlabError(f"a series needs at least 3 points; got {len(vals)}")

    try:
        freq = infer_frequency(stamps)
        pos, first = _positions(stamps, freq)
        if pos[-1] + 1 > max(10 * len(pos), len(pos) + 100_000):
            # Mostly holes: a typo'd year or mixed-up formats, not something to fill.
            raise RnnlabError(
                f"the {freq} grid from {_fmt(stamps[0])} to {_fmt(stamps[-1])} has "
                f"{int(pos[-1]) + 1} steps but only {len(pos)} rows; check the dates"
            )
        grid = pd.date_range(first, periods=int(pos[-1]) + 1, freq=freq).as_unit("us")
    except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta):
        raise RnnlabError(
            f"timestamps from {_fmt(stamps[0])} to {_fmt(stamps[-1])} span too wide a range"
        ) from None
    same = np.diff(pos) == 0
    if same.any():
        # Two stamps inside one calendar period, e.g. 1991-05-01 and 1991-05-15 for "MS".
        i = int(np.argmax(same)) + 1
        at = f" (lines {int(lines[i - 1])} and {int(lines[i])})" if lines is not None else ""
        raise RnnlabError(
            f"{_fmt(stamps[i - 1])} and {_fmt(stamps[i])} fall in the same {freq} period{at}; "
            "keep one row per period"
        )

    missing = len(grid) - len(stamps)
    if missing and fill is None:
        hole = np.flatnonzero(np.diff(pos) > 1)[0]
        first_missing = grid[int(pos[hole]) + 1]
        raise RnnlabError(
            f"{missing} missing timestamps (first: {_fmt(first_missing)}); {_FILL_HINT}"
        )
    nan = np.isnan(vals)
    if nan.any() and fill is None:
        i = int(np.argmax(nan))
        where = _where(stamps[i], lines, i)
        if nan.sum() == 1:
            raise RnnlabError(f"missing value at {where}; {_FILL_HINT.replace('them', 'it')}")
        raise RnnlabError(f"{int(nan.sum())} missing values, the first at {where}; {_FILL_HINT}")

    full = np.full(len(grid), np.nan)
    full[pos] = vals
    if fill is not None and np.isnan(full).any():
        full = _fill(full, fill)
        observed = np.flatnonzero(~np.isnan(full))
        if len(observed) < 3:
            raise RnnlabError(f"a series needs at least 3 non-missing points; got {len(observed)}")
        keep = slice(observed[0], observed[-1] + 1)
        full, grid = full[keep], grid[keep]

    if season is None:
        season = season_for(freq)
    return SeriesData(
        values=full.astype(np.float32),
        index=grid,
        freq=freq,
        season=int(season),
        name=name,
        source=source,
    )


def _fill(values: np.ndarray, fill: str) -> np.ndarray:
    """Fill interior NaN; leading/trailing NaN stay NaN for the caller to trim."""
    series = pd.Series(values)
    if fill == "interpolate":
        return series.interpolate(method="linear", limit_area="inside").to_numpy()
    return series.ffill().where(series.bfill().notna()).to_numpy()
