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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from rnnlab.data.parsing import (
    COMPACT,
    DATE_EXAMPLES,
    DATE_FORMATS,
    YEAR,
    date_block,
    looks_like_date_name,
    parse_numbers,
)
from rnnlab.data.series import SeriesData, make_series
from rnnlab.errors import RnnlabError, printable

# Ties go to the earlier separator: a ";" file with decimal commas and no header splits as
# evenly on "," as on ";", and the comma is then the likelier decimal mark.
_SEPARATORS = ("\t", ";", "|", ",")

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
    best, best_count = None, 0
    for sep in _SEPARATORS:
        widths = Counter()
        try:
            for row in csv.reader(sample, delimiter=sep, skipinitialspace=True):
                widths[len(row)] += 1
        except csv.Error:
            pass  # e.g. a field over the csv module's size limit: _Table.read reports it
        # Score: how many rows share the most common width of 2+ fields.
        count = max((n for w, n in widths.items() if w >= 2), default=0)
        if count > best_count:
            best, best_count = sep, count
    return best


class _Block(NamedTuple):
    """The data rows found through one date column."""

    fmt: str  # the date format that reads them
    parsed: pd.Series  # datetimes for every row of the file, NaT where the cell is no date
    rows: np.ndarray  # row positions of the data block
    later: int | None  # a dated row after the block, which means a bad date split the data


@dataclass
class _Table:
    """The file split into rows of cells, with per-column views for the column search."""

    path: Path
    lines: list[str]
    rows: list[list[str]]
    line_of: np.ndarray  # (n_rows,) 1-based file line of each row
    blank: np.ndarray  # (n_rows,) True where every cell is empty
    width: int  # the most common number of fields, at least 2
    columns: dict[int, pd.Series] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> _Table:
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
        return cls(path, lines, rows, line_of, blank, width)

    def cells(self, j: int) -> pd.Series:
        """Column j, stripped, "" where a row is too short."""
        if j not in self.columns:
            column = [r[j].strip() if j < len(r) else "" for r in self.rows]
            self.columns[j] = pd.Series(column, dtype=object)
        return self.columns[j]

    def date_block(self, j: int, formats: list[str]) -> _Block | None:
        found = date_block(self.cells(j), self.blank, formats)
        return None if found is None else _Block(*found)

    def header_above(self, first: int) -> list[str] | None:
        """The nearest non-blank row above the block, when it is as wide as the first data row."""
        above = first - 1
        while above >= 0 and self.blank[above]:
            above -= 1
        if above < 0:
            return None
        header, data = self.rows[above], self.rows[first]
        named = [c.strip() for c in header]
        while named and not named[-1]:
            named.pop()
        data_width = len(data) - next((i for i, c in enumerate(reversed(data)) if c.strip()), 0)
        if len(named) >= 2 and (len(header) == len(data) or len(named) == data_width):
            return [c.strip() for c in header]
        return None

    def names(self, header: list[str] | None) -> list[str]:
        """Column names: the header's, or positions where it has none."""
        names = [c or str(i) for i, c in enumerate(header or [])][: self.width]
        return names + [str(i) for i in range(len(names), self.width)]

    def broken_row(self, block: _Block, date_j: int) -> int | None:
        """A row that splits the data: undated, yet with dated rows on both sides of it.

        After the block any dated row counts (footnotes are not dated). Before it only a row
        whose other cells are numbers counts, so a dated title line above a header is skipped.
        """
        if block.later is not None:
            stop = int(block.rows[-1]) + 1
            while self.blank[stop]:
                stop += 1
            return stop
        above = [i for i in range(int(block.rows[0]) - 1, -1, -1) if not self.blank[i]][:2]
        if len(above) == 2 and pd.notna(block.parsed.iloc[above[1]]):
            others = [c.strip() for j, c in enumerate(self.rows[above[0]]) if j != date_j]
            if others and not parse_numbers(pd.Series(others, dtype=object))[1].any():
                return above[0]
        return None

    def show(self, row: int) -> str:
        """The file line of a row, cut to one readable line."""
        text = printable(self.lines[int(self.line_of[row]) - 1])
        return text if len(text) <= 80 else text[:77] + "..."


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
    listed = printable(", ".join(names))
    hint = "" if has_header else " (no header row, so columns go by position)"
    raise RnnlabError(f"no column {spec!r} in {path}; the columns are{hint}: {listed}")


def _find_dates(table: _Table, date_col: str | int | None) -> tuple[int, _Block]:
    """The date column and its data block: named, else named like a date, else the first."""
    found = {j: b for j in range(table.width) if (b := table.date_block(j, DATE_FORMATS))}
    if not found:
        # Bare numbers (1991, 19910131) only count as dates in a column named like one;
        # years also when they step by 1.
        for j, fmt in ((j, fmt) for j in range(table.width) for fmt in (YEAR, COMPACT)):
            block = table.date_block(j, [fmt])
            if block is None:
                continue
            header = table.header_above(int(block.rows[0]))
            years = block.parsed.iloc[block.rows].dt.year.to_numpy()
            stepping = fmt == YEAR and len(years) > 1 and np.median(np.abs(np.diff(years))) == 1
            if (header and looks_like_date_name(header[j])) or stepping:
                found[j] = block
                break
    if date_col is None:
        if not found:
            raise RnnlabError(
                f"{table.path}: found no column of dates; rnnlab reads dates like {DATE_EXAMPLES} "
                "(name the column with --date-col if it has another header)"
            )
        # Prefer a date-named column among those whose block is not much shorter than the best.
        longest = max(len(b.rows) for b in found.values())
        candidates = [j for j, b in found.items() if 2 * len(b.rows) >= longest]
        header = table.header_above(int(found[candidates[0]].rows[0]))
        named = [j for j in candidates if header and looks_like_date_name(header[j])]
        date_j = (named or candidates)[0]
        return date_j, found[date_j]

    if found:
        header = table.header_above(int(next(iter(found.values())).rows[0]))
    else:
        header = next((r for r in table.rows if len(r) == table.width), None)
    names = table.names(header)
    date_j = _resolve(date_col, names, header is not None, table.path)
    block = found.get(date_j) or table.date_block(date_j, DATE_FORMATS + [YEAR, COMPACT])
    if block is None:
        sample = next((c for c in table.cells(date_j) if c), "")
        raise RnnlabError(
            f"{table.path}: column {names[date_j]!r} holds no dates rnnlab reads (e.g. "
            f"{sample!r}); use a format like {DATE_EXAMPLES}"
        )
    return date_j, block


def _find_values(table: _Table, block: _Block, names: list[str], date_j: int) -> int:
    """The first column other than the dates whose cells in the block are mostly numbers."""
    step = max(1, len(block.rows) // 200)  # a sample keeps wide files fast
    for j in range(table.width):
        if j != date_j:
            numbers, bad = parse_numbers(table.cells(j).iloc[block.rows[::step]])
            if (~np.isnan(numbers)).sum() > bad.sum():
                return j
    raise RnnlabError(
        f"{table.path}: no column of numbers besides the date column {names[date_j]!r}; "
        f"the columns are: {printable(', '.join(names))}"
    )


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
    table = _Table.read(Path(path))
    date_j, block = _find_dates(table, date_col)
    header = table.header_above(int(block.rows[0]))
    names = table.names(header)
    broken = table.broken_row(block, date_j)
    if broken is not None:
        raise RnnlabError(
            f"{table.path}: line {table.line_of[broken]}: {table.cells(date_j)[broken]!r} is "
            f"not a date like the other rows of its column ({block.fmt}): {table.show(broken)}"
        )

    if value_col is None:
        value_j = _find_values(table, block, names, date_j)
    else:
        value_j = _resolve(value_col, names, header is not None, table.path)
        if value_j == date_j:
            raise RnnlabError(f"{table.path}: column {names[date_j]!r} is the date column")
    cells = table.cells(value_j).iloc[block.rows]
    values, bad = parse_numbers(cells.reset_index(drop=True))
    if bad.any():
        i = int(block.rows[int(np.argmax(bad))])
        raise RnnlabError(
            f"line {table.line_of[i]}: value {cells[i]!r} in column {names[value_j]!r} "
            f"is not a number: {table.show(i)}"
        )

    name = header[value_j].strip() if header is not None and value_j < len(header) else ""
    try:
        return make_series(
            block.parsed.iloc[block.rows].to_numpy(),
            values,
            name=name or "y",
            source=str(table.path),
            season=season,
            fill=fill,
            line_numbers=table.line_of[block.rows],
        )
    except RnnlabError as err:
        raise RnnlabError(f"{table.path}: {err}") from None
