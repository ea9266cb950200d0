"""Cells as people write them: the one date parser and the one number parser of every reader.

Every job's readers (one series, long-format panels, NAB streams, UCR files) turn columns of
strings into timestamps and floats here. Parsing is vectorised per column: `pd.to_datetime` with
an explicit format, `pd.to_numeric` on cleaned strings.
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd

_MISSING = {"", "na", "nan", "n/a", "#n/a", ".", "-", "..", "...", "--", "null", "none"}

# Explicit formats, tried on whole columns. Month-first comes before day-first, so 01/02/1991 is
# read as January 2nd unless some row only parses day-first (13/02/1991).
_QUARTER, _QUARTER_FIRST, YEAR, COMPACT = "1991Q1", "Q1 1991", "%Y", "%Y%m%d"
_DAY_FIRST_FREE = ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y"]
DATE_FORMATS = (
    _DAY_FIRST_FREE
    + ["%d-%m-%Y", "%m-%d-%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%y", "%Y.%m.%d"]
    + ["%Y-%m", "%Y/%m", "%m/%Y", "%YM%m", "%Y-%b", "%Y %b"]
    + ["%b-%Y", "%b %Y", "%B %Y", "%B-%Y", "%b-%y", "%b %y", "%b. %Y"]
    + ["%b-%d-%Y", "%d-%b-%Y", "%d %b %Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y"]
    + [f"{d} {t}" for d in _DAY_FIRST_FREE for t in ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f")]
    + ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f"]
    + ["%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"]
    + [_QUARTER, _QUARTER_FIRST]
)
_PATTERNS = {
    _QUARTER: re.compile(r"^(\d{4})\s*-?\s*[Qq]([1-4])$"),
    _QUARTER_FIRST: re.compile(r"^[Qq]([1-4])\s*[- ]?\s*(\d{4})$"),
    YEAR: re.compile(r"^\d{4}$"),
}
DATE_EXAMPLES = "1991-01-31, 01/31/1991, 31.01.1991, Jan-1991, 1991-01, 1991Q1, 1991-01-31 13:00"

# Thousands groups: "1 234", "1'234" (spaces, apostrophes) and "1,234.5"; European "1.234,5".
_SPACE_GROUPS = r"^[+-]?\d{1,3}(?:[ '\u2019\u00a0\u202f]\d{3})+(?:[.,]\d+)?$"
_COMMA_GROUPS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_DOT_GROUPS = r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$"


# ---------------------------------------------------------------------------------------------
# Dates

# Header words that mark a date column, matched as whole words: "observation_date" and
# "TIME_PERIOD" count, "updated" does not.
_DATE_WORDS = {"date", "datum", "fecha", "time", "timestamp", "datetime", "period", "periode"}
_DATE_WORDS |= {"month", "monat", "year", "jahr", "quarter", "week", "day", "ds", "dt", "t"}


def looks_like_date_name(name: object) -> bool:
    """True for headers such as 'Date', 'timestamp', 'observation_date', 'TIME_PERIOD', 'ds'."""
    return any(word in _DATE_WORDS for word in re.split(r"[^a-z]+", str(name).lower()))


def _cell_matches(cell: str, fmt: str) -> bool:
    if fmt in _PATTERNS:
        return bool(_PATTERNS[fmt].match(cell))
    try:
        datetime.strptime(cell, fmt)
    except ValueError:
        return False
    return True


def _parse_with(cells: pd.Series, fmt: str) -> pd.Series:
    """Datetimes for a column of stripped strings under one format; NaT where it does not fit."""
    try:
        if fmt in (_QUARTER, _QUARTER_FIRST):
            parts = cells.str.extract(_PATTERNS[fmt])
            year, quarter = (parts[0], parts[1]) if fmt == _QUARTER else (parts[1], parts[0])
            month = quarter.map({"1": "01", "2": "04", "3": "07", "4": "10"})
            return pd.to_datetime(year + "-" + month, format="%Y-%m", errors="coerce")
        if fmt == YEAR:
            cells = cells.where(cells.str.fullmatch(r"\d{4}"), "")
        return pd.to_datetime(cells, format=fmt, errors="coerce", utc="%z" in fmt)
    except (ValueError, TypeError, OverflowError):
        return pd.Series(pd.NaT, index=cells.index, dtype="datetime64[us]")


def _runs(ok: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, int | None]:
    """The data block, as row positions, and the first dated row after it (None if none).

    Blank rows are skipped inside the block; the block is the first run of at least two dated
    rows (or the only single one), so a title row that happens to parse does not count.
    """
    rows = np.flatnonzero(~blank)
    dated = ok[rows].astype(np.int8)
    edges = np.diff(np.concatenate([[0], dated, [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(starts) == 0:
        return rows[:0], None
    long = np.flatnonzero(ends - starts >= 2)
    k = int(long[0]) if len(long) else 0
    later = int(rows[starts[k + 1]]) if k + 1 < len(starts) else None
    return rows[starts[k] : ends[k]], later


def date_block(cells: pd.Series, blank: np.ndarray, formats) -> tuple | None:
    """(format, parsed, block rows, later dated row) for the format with the longest block."""
    filled = cells[cells != ""]
    sample = filled.iloc[
        np.unique(np.linspace(0, len(filled) - 1, min(64, len(filled)), dtype=int))
    ]
    numbers, _ = parse_numbers(sample.reset_index(drop=True))
    if not {YEAR, COMPACT} & set(formats) and (~np.isnan(numbers)).sum() >= 0.9 * len(sample) > 0:
        return None  # a column of numbers: skip some fifty format probes
    best = None
    for fmt in formats:
        if not any(_cell_matches(cell, fmt) for cell in sample):
            continue
        parsed = _parse_with(cells, fmt)
        block, later = _runs(parsed.notna().to_numpy(), blank)
        if len(block) and (best is None or len(block) > len(best[2])):
            best = (fmt, parsed, block, later)
    return best


def parse_dates(cells: pd.Series, *, allow_year: bool = True) -> pd.Series | None:
    """Parse a column of date strings with the first format that reads every non-empty cell."""
    cells = cells.astype(str).str.strip()
    blank = (cells == "").to_numpy()
    for fmt in DATE_FORMATS + ([YEAR] if allow_year else []):
        if blank.all() or not _cell_matches(cells[~blank].iloc[0], fmt):
            continue
        parsed = _parse_with(cells, fmt)
        if (parsed.notna().to_numpy() | blank).all():
            return parsed
    return None


# ---------------------------------------------------------------------------------------------
# Numbers


def parse_numbers(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Floats for a column of stripped strings, and a mask of cells that are not numbers.

    Missing markers (empty, NA, n/a, ., -, ..) become NaN. A comma is a thousands separator when
    every comma-bearing cell fits 3-digit groups, otherwise a decimal comma (then "1.234,5").
    """
    numbers = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
    missing = np.zeros(len(cells), dtype=bool)
    unread = np.isnan(numbers)  # only these can be missing markers; checking all costs time
    missing[unread] = cells[unread].str.lower().isin(_MISSING).to_numpy()
    failed = unread & ~missing
    if failed.any():
        text = cells.copy()
        spaced = text.str.match(_SPACE_GROUPS)
        text[spaced] = text[spaced].str.replace(r"[ '\u2019\u00a0\u202f]", "", regex=True)
        commas = text.str.contains(",", regex=False)
        if text[commas].str.match(_COMMA_GROUPS).all():
            text = text.str.replace(",", "", regex=False)
        else:
            # Decimal commas: a dot can only group thousands, and the comma becomes the point.
            dotted = text.str.match(_DOT_GROUPS)
            text[dotted] = text[dotted].str.replace(".", "", regex=False)
            text = text.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(dtype=float)
    return numbers, np.isnan(numbers) & ~missing
