"""Read one series from a CSV file as people really have them.

Statistics agencies and spreadsheets add titles, "Source:" lines and footnotes around the table,
use `;` and decimal commas, write dates a dozen ways and sometimes list the newest row first.
The reader finds the data block (the run of rows whose date cell parses), the header just above
it, a date column and a value column, and hands timestamps, values and file line numbers to
`make_series`, which checks the grid. Parsing is vectorised per column (`pd.to_datetime` with an
explicit format, `pd.to_numeric` on cleaned strings), so a million-row file loads in seconds.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.data.series import SeriesData, looks_like_date_name, make_series
from rnnlab.errors import RnnlabError

# Ties go to the earlier separator: a ";" file with decimal commas and no header splits as
# evenly on "," as on ";", and the comma is then the likelier decimal mark.
_SEPARATORS = ("\t", ";", "|", ",")
_MISSING = {"", "na", "nan", "n/a", "#n/a", ".", "-", "..", "...", "--", "null", "none"}

# Explicit formats, tried on whole columns. Month-first comes before day-first, so 01/02/1991 is
# read as January 2nd unless some row only parses day-first (13/02/1991).
_QUARTER, _QUARTER_FIRST, _YEAR = "1991Q1", "Q1 1991", "%Y"
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
    _YEAR: re.compile(r"^\d{4}$"),
}
_EXAMPLES = "1991-01-31, 01/31/1991, 31.01.1991, Jan-1991, 1991-01, 1991Q1, 1991-01-31 13:00"

# Thousands groups: "1 234", "1'234" (spaces, apostrophes) and "1,234.5"; European "1.234,5".
_SPACE_GROUPS = r"^[+-]?\d{1,3}(?:[ '\u2019\u00a0\u202f]\d{3})+(?:[.,]\d+)?$"
_COMMA_GROUPS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_DOT_GROUPS = r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$"


# ---------------------------------------------------------------------------------------------
# Dates


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
        if fmt == _YEAR:
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


def _date_block(cells: pd.Series, blank: np.ndarray, formats) -> tuple | None:
    """(format, parsed, block rows, later dated row) for the format with the longest block."""
    filled = cells[cells != ""]
    sample = filled.iloc[
        np.unique(np.linspace(0, len(filled) - 1, min(64, len(filled)), dtype=int))
    ]
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
    for fmt in DATE_FORMATS + ([_YEAR] if allow_year else []):
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


# ---------------------------------------------------------------------------------------------
# The file


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise RnnlabError(f"{path} is a directory; give the path of a CSV file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RnnlabError(f"no such file: {path}") from None
    except OSError as err:
        raise RnnlabError(f"cannot read {path}: {err.strerror}") from None
    if raw.startswith(b"PK\x03\x04"):
        raise RnnlabError(f"{path} is a zip or Excel workbook; save the sheet as CSV")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return raw.decode("utf-16", errors="replace")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # every byte decodes; the usual older-Windows export
    if not text.strip():
        raise RnnlabError(f"{path} is empty")
    return text


def _detect_separator(lines: list[str]) -> str | None:
    sample = [line for line in lines[:2000] if line.strip()]
    best, best_score = None, (0, 0)
    for sep in _SEPARATORS:
        widths = Counter(len(r) for r in csv.reader(sample, delimiter=sep, skipinitialspace=True))
        counts = [(n, w) for w, n in widths.items() if w >= 2]
        score = max(counts, default=(0, 0))  # rows of the most common width of 2+ fields
        if score[0] > best_score[0]:
            best, best_score = sep, score
    return best


def _find_header(rows: list[list[str]], blank: np.ndarray, first: int) -> list[str] | None:
    # The nearest non-blank row above the block, when it is as wide as the first data row.
    above = first - 1
    while above >= 0 and blank[above]:
        above -= 1
    if above < 0:
        return None
    header, data = rows[above], rows[first]
    trimmed = [c.strip() for c in header]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    data_width = len(data) - next((i for i, c in enumerate(reversed(data)) if c.strip()), 0)
    if len(trimmed) >= 2 and (len(header) == len(data) or len(trimmed) == data_width):
        return [c.strip() for c in header]
    return None


def _broken_row(rows, blank, dated, block, later, date_j: int) -> int | None:
    """A row that splits the data: undated, yet dated rows lie on both sides of it.

    After the block any dated row counts (footnotes are not dated). Before it only a row whose
    other cells are numbers counts, so a dated title line above a header is still skipped.
    """
    if later is not None:
        stop = int(block[-1]) + 1
        while blank[stop]:
            stop += 1
        return stop
    above = [i for i in range(int(block[0]) - 1, -1, -1) if not blank[i]][:2]
    if len(above) == 2 and dated[above[1]]:
        others = [c.strip() for j, c in enumerate(rows[above[0]]) if j != date_j]
        if others and not parse_numbers(pd.Series(others, dtype=object))[1].any():
            return above[0]
    return None


def _resolve(spec: str | int, names: list[str], has_header: bool, path: Path) -> int:
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        if 0 <= spec < len(names):
            return int(spec)
    else:
        text = str(spec).strip()
        lowered = [n.lower() for n in names]
        if text in names:
            return names.index(text)
        if text.lower() in lowered:
            return lowered.index(text.lower())
        if not has_header and text.isdigit() and int(text) < len(names):
            return int(text)
    listed = ", ".join(names)
    hint = "" if has_header else " (no header row, so columns go by position)"
    raise RnnlabError(f"no column {spec!r} in {path}; the columns are{hint}: {listed}")


def read_csv_series(
    path: str | Path,
    *,
    date_col: str | int | None = None,
    value_col: str | int | None = None,
    season: int | None = None,
    fill: str | None = None,
) -> SeriesData:
    """Load one series from a CSV file; every problem with the file is one RnnlabError.

    `date_col`/`value_col` name a header cell, or give a 0-based position. Without them the
    date column is one whose header looks like a date (else the first that parses) and the
    value column the first other column of numbers. `season` and `fill` go to `make_series`.
    """
    path = Path(path)
    text = _read_text(path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sep = _detect_separator(lines)
    if sep is None:
        raise RnnlabError(
            f"{path}: no rows with two or more fields separated by , ; tab or |; "
            "rnnlab needs a date column and a value column"
        )
    reader = csv.reader(lines, delimiter=sep, skipinitialspace=True)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise RnnlabError(f"{path}: line {reader.line_num}: cannot split it: {err}") from None
    if len(rows) == len(lines):
        line_of = np.arange(1, len(rows) + 1)  # one row per line: the usual case, and fast
    else:  # a quoted cell spans lines: count them row by row
        reader = csv.reader(lines, delimiter=sep, skipinitialspace=True)
        line_of = np.array([reader.line_num for _ in reader])
    widths = Counter(map(len, rows))
    width = max((n, w) for w, n in widths.items() if w >= 2)[1]
    blank = np.array([not "".join(r).strip() for r in rows])
    columns: dict[int, pd.Series] = {}

    def cells(j: int) -> pd.Series:
        if j not in columns:
            column = [r[j].strip() if j < len(r) else "" for r in rows]
            columns[j] = pd.Series(column, dtype=object)
        return columns[j]

    # --- the date column and the data block
    found = {j: b for j in range(width) if (b := _date_block(cells(j), blank, DATE_FORMATS))}
    if not found:
        # Bare numbers (1991, 19910131) only count as dates in a column named like one;
        # years also when they step by 1.
        for j, fmt in ((j, fmt) for j in range(width) for fmt in (_YEAR, "%Y%m%d")):
            b = _date_block(cells(j), blank, [fmt])
            if b is None:
                continue
            header = _find_header(rows, blank, int(b[2][0]))
            years = b[1].iloc[b[2]].dt.year.to_numpy()
            stepping = fmt == _YEAR and len(years) > 1 and np.median(np.abs(np.diff(years))) == 1
            if (header and looks_like_date_name(header[j])) or stepping:
                found[j] = b
                break
    if found:
        longest = max(len(b[2]) for b in found.values())
        candidates = [j for j, b in found.items() if 2 * len(b[2]) >= longest]
        header = _find_header(rows, blank, int(found[candidates[0]][2][0]))
        named = [j for j in candidates if header and looks_like_date_name(header[j])]
        date_j = (named or candidates)[0]
    elif date_col is None:
        raise RnnlabError(
            f"{path}: found no column of dates; rnnlab reads dates like {_EXAMPLES} "
            "(name the column with --date-col if it has another header)"
        )
    else:
        header, date_j = next((r for r in rows if len(r) == width), None), None
    names = [c.strip() or str(i) for i, c in enumerate(header or [])]
    names = (names + [str(i) for i in range(len(names), width)])[:width]

    if date_col is not None:
        date_j = _resolve(date_col, names, header is not None, path)
        formats = DATE_FORMATS + [_YEAR, "%Y%m%d"]
        block = found.get(date_j) or _date_block(cells(date_j), blank, formats)
        if block is None:
            sample = next((c for c in cells(date_j) if c), "")
            raise RnnlabError(
                f"{path}: column {names[date_j]!r} holds no dates rnnlab reads (e.g. "
                f"{sample!r}); use a format like {_EXAMPLES}"
            )
    else:
        block = found[date_j]
    fmt, parsed, rows_in, later = block
    header = _find_header(rows, blank, int(rows_in[0]))
    if header is not None:
        names = [c.strip() or str(i) for i, c in enumerate(header)]
        names = (names + [str(i) for i in range(len(names), width)])[:width]
    date_name = names[date_j]
    broken = _broken_row(rows, blank, parsed.notna().to_numpy(), rows_in, later, date_j)
    if broken is not None:
        raise RnnlabError(
            f"{path}: line {line_of[broken]}: {cells(date_j)[broken]!r} is not a date like the "
            f"other rows of its column ({fmt}): " + _show(lines, line_of, broken)
        )

    # --- the value column
    if value_col is not None:
        value_j = _resolve(value_col, names, header is not None, path)
        if value_j == date_j:
            raise RnnlabError(f"{path}: column {date_name!r} is the date column, not values")
    else:
        value_j = None
        for j in range(width):
            if j == date_j:
                continue
            sample = cells(j).iloc[rows_in[:: max(1, len(rows_in) // 200)]]
            numbers, bad = parse_numbers(sample)
            if (~np.isnan(numbers)).sum() > bad.sum():
                value_j = j
                break
        if value_j is None:
            raise RnnlabError(
                f"{path}: no column of numbers besides the date column {date_name!r}; "
                f"the columns are: {', '.join(names)}"
            )
    values, bad = parse_numbers(cells(value_j).iloc[rows_in].reset_index(drop=True))
    if bad.any():
        i = int(rows_in[int(np.argmax(bad))])
        raise RnnlabError(
            f"line {line_of[i]}: value {cells(value_j)[i]!r} in column {names[value_j]!r} "
            f"is not a number: {_show(lines, line_of, i)}"
        )

    name = header[value_j].strip() if header is not None and value_j < len(header) else ""
    try:
        return make_series(
            parsed.iloc[rows_in].to_numpy(),
            values,
            name=name or "y",
            source=str(path),
            season=season,
            fill=fill,
            line_numbers=line_of[rows_in],
        )
    except RnnlabError as err:
        raise RnnlabError(f"{path}: {err}") from None


def _show(lines: list[str], line_of: np.ndarray, row: int) -> str:
    """The file line of a row, cut to one readable line."""
    text = lines[int(line_of[row]) - 1]
    return text if len(text) <= 80 else text[:77] + "..."
