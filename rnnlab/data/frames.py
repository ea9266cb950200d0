"""pandas Series and DataFrames as rnnlab series, and the header words that mark a date column."""

from __future__ import annotations

import pandas as pd

from rnnlab.data.parsing import looks_like_date_name, parse_dates
from rnnlab.data.series import SeriesData, make_series
from rnnlab.errors import RnnlabError


def _as_timestamps(values: pd.Index | pd.Series, what: str) -> pd.DatetimeIndex:
    if isinstance(values.dtype, pd.PeriodDtype):
        # A period's label is its start: monthly periods become "MS", quarters "QS".
        return pd.PeriodIndex(values).to_timestamp(how="start")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pd.DatetimeIndex(values)
    parsed = parse_dates(pd.Series(values, dtype=object).astype(str).str.strip())
    if parsed is None:
        raise RnnlabError(f"{what} does not hold dates in a format rnnlab reads")
    return pd.DatetimeIndex(parsed)


def from_pandas(
    obj: pd.Series | pd.DataFrame,
    *,
    value_col: str | None = None,
    date_col: str | None = None,
    season: int | None = None,
    fill: str | None = None,
    name: str | None = None,
) -> SeriesData:
    """A SeriesData from a Series with a DatetimeIndex/PeriodIndex, or from a DataFrame.

    For a DataFrame the dates come from `date_col`, else a datetime index, else the first
    datetime column, else a column named like a date; the values from `value_col`, else the
    first numeric column that is not the date column.
    """
    if isinstance(obj, pd.Series):
        if not isinstance(obj.index, (pd.DatetimeIndex, pd.PeriodIndex)):
            raise RnnlabError(
                f"a Series needs a DatetimeIndex or PeriodIndex, not {type(obj.index).__name__}"
            )
        if not pd.api.types.is_numeric_dtype(obj.dtype) or pd.api.types.is_bool_dtype(obj.dtype):
            raise RnnlabError(f"the Series holds {obj.dtype} values; rnnlab needs numbers")
        label = name or (str(obj.name) if obj.name is not None else "y")
        stamps = _as_timestamps(obj.index, "the index")
        return make_series(stamps, obj.to_numpy(dtype=float), name=label, season=season, fill=fill)
    if not isinstance(obj, pd.DataFrame):
        raise RnnlabError(f"expected a pandas Series or DataFrame, got {type(obj).__name__}")

    columns = [str(c) for c in obj.columns]
    frame = obj.set_axis(columns, axis=1)
    for col in (date_col, value_col):
        if col is not None and str(col) not in columns:
            listed = ", ".join(columns)
            raise RnnlabError(f"no column {col!r} in the DataFrame; the columns are: {listed}")

    if date_col is not None:
        stamps = _as_timestamps(frame[str(date_col)], f"column {date_col!r}")
    elif isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        stamps = _as_timestamps(frame.index, "the index")
    else:
        dated = [c for c in columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]
        named = [c for c in columns if looks_like_date_name(c)]
        if not dated and not named:
            raise RnnlabError(
                f"no date column found; the columns are: {', '.join(columns)}; "
                "pass date_col or use a DatetimeIndex"
            )
        date_col = (dated or named)[0]
        stamps = _as_timestamps(frame[date_col], f"column {date_col!r}")

    if value_col is None:
        numeric = [
            c
            for c in columns
            if c != date_col
            and pd.api.types.is_numeric_dtype(frame[c].dtype)
            and not pd.api.types.is_bool_dtype(frame[c].dtype)
        ]
        if not numeric:
            raise RnnlabError(
                f"no numeric column found; the columns are: {', '.join(columns)}; pass value_col"
            )
        value_col = numeric[0]
    values = pd.to_numeric(frame[str(value_col)], errors="coerce")
    bad = values.isna() & frame[str(value_col)].notna()
    if bad.any():
        cell = frame[str(value_col)][bad].iloc[0]
        raise RnnlabError(f"value {cell!r} in column {value_col!r} is not a number")
    return make_series(
        stamps,
        values.to_numpy(dtype=float),
        name=name or str(value_col),
        season=season,
        fill=fill,
    )
