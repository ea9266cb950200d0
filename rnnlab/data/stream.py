"""Streams: one value per timestamp, in the order the rows arrive, from a CSV file or pandas.

Rows are kept in file order, as they would arrive: NAB's own files have a clock that steps back
(machine_temperature_system_failure.csv), so that is no error here. Timestamps are parsed with
pandas' mixed-format parser, row by row, not with rnnlab.data.parsing's one-format-per-column
rule: a stream is what a logger wrote, and its scores.csv keeps the timestamps as parsed.
Every problem is one RnnlabError line; one that a parameter fixes is a ParameterError naming it
(`time_col`, `value_col`), which the CLI shows as its flag.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from rnnlab.errors import ParameterError, RnnlabError, literal

MIN_POINTS = 50  # rows a CSV stream needs: a detector learns from 15% of them


class Stream(NamedTuple):
    """Timestamps (a Series, rows in arrival order) and float64 values, with the columns they
    came from; unpacks as (timestamps, values, time_col, value_col)."""

    timestamps: pd.Series
    values: np.ndarray  # (n,)
    time_col: str
    value_col: str

    def rows(self, start: int, stop: int | None = None) -> Stream:
        """The rows start..stop-1, timestamps indexed from 0 again."""
        part = self.timestamps.iloc[start:stop].reset_index(drop=True)
        return Stream(part, self.values[start:stop], self.time_col, self.value_col)


def read_stream(path: Path | str, time_col: str | None = None, value_col: str | None = None):
    """The Stream in a CSV file of at least MIN_POINTS rows: a time column (`time_col`, else
    the first whose name holds "time" or "date", else the first) and a value column
    (`value_col`, else the first other numeric one)."""
    import csv

    from rnnlab.data.panel import read_csv_text

    path = Path(path)
    if not path.is_file():
        raise RnnlabError(f"{path}: no such file")
    try:
        frame = read_csv_text(path, sep=None, engine="python")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, csv.Error, UnicodeError, ValueError):
        raise RnnlabError(f"{path}: not a readable CSV file (or empty)") from None
    if frame.empty:
        raise RnnlabError(f"{path}: no data rows")
    stream = stream_from_frame(frame, time_col, value_col, source=str(path))
    if len(stream.values) < MIN_POINTS:
        raise RnnlabError(
            f"{path}: {len(stream.values)} rows; a detector needs at least {MIN_POINTS}"
        )
    return stream


def stream_from_frame(
    data: pd.DataFrame | pd.Series,
    time_col: str | None = None,
    value_col: str | None = None,
    source: str | None = None,
) -> Stream:
    """The Stream in a DataFrame (columns found as `read_stream` finds them; a DatetimeIndex is
    the time when `time_col` is not given) or in a Series with a DatetimeIndex. `source` names
    a file the frame was read from: problems then name its lines."""
    where = source or "the DataFrame"
    if isinstance(data, pd.Series):
        if not isinstance(data.index, pd.DatetimeIndex):
            raise RnnlabError(
                f"a Series needs a DatetimeIndex of timestamps, not {type(data.index).__name__}"
            )
        data = data.to_frame("value" if data.name is None else str(data.name))
    if not isinstance(data, pd.DataFrame):
        raise RnnlabError(f"a stream is a DataFrame or a Series, not {type(data).__name__}")
    names = [str(c) for c in data.columns]
    frame = data.set_axis(names, axis=1)
    for given, param in ((time_col, "time_col"), (value_col, "value_col")):
        if given is not None and str(given) not in names:
            raise ParameterError(
                param,
                f"{literal(where)}: no column {literal(repr(given))} for {{name}}; columns: "
                + literal(names),
            )
    at = (lambda row: f"line {row + 2}") if source else (lambda row: f"row {row}")
    if time_col is None and isinstance(frame.index, pd.DatetimeIndex):
        time_col = "timestamp" if frame.index.name is None else str(frame.index.name)
        cells = pd.Series(frame.index)
        names_left = names
    else:
        if time_col is None:
            hinted = [c for c in names if any(w in c.lower() for w in ("time", "date"))]
            time_col = hinted[0] if hinted else names[0]
        time_col = str(time_col)
        cells = frame[time_col].reset_index(drop=True)
        names_left = [c for c in names if c != time_col]
    stamps = pd.to_datetime(cells, errors="coerce", format="mixed")
    if stamps.isna().any():
        row = int(np.argmax(stamps.isna().to_numpy()))
        raise ParameterError(
            "time_col",
            literal(
                f"{where}: {at(row)}: {str(cells.iloc[row])!r} in column {time_col!r} is not a "
                "timestamp; name the time column with "
            )
            + "{name}",
        )
    if value_col is None:
        numeric = [c for c in names_left if pd.api.types.is_numeric_dtype(frame[c].dtype)]
        if not numeric:
            raise ParameterError(
                "value_col",
                literal(f"{where}: no numeric column besides {time_col!r}; see ") + "{name}",
            )
        value_col = numeric[0]
    value_col = str(value_col)
    cells = frame[value_col].reset_index(drop=True)
    values = pd.to_numeric(cells, errors="coerce").to_numpy(np.float64)
    if not np.isfinite(values).all():
        row = int(np.argmax(~np.isfinite(values)))
        raise RnnlabError(
            f"{where}: {at(row)}: value {str(cells.iloc[row])!r} in column {value_col!r} is "
            "not a number; fill or drop such rows first"
        )
    return Stream(stamps.reset_index(drop=True), values, time_col, value_col)
