"""Labelled sequences for classification: UCR .tsv/.csv, sktime/aeon .ts, long-format CSV.

Formats (Dau et al. 2019, "The UCR time series archive", IEEE/CAA J. Autom. Sinica 6(6)):
- UCR 2018 `.tsv` (and the older comma- or space-separated `.csv`/`.txt`): no header, one case per
  line, the class label first, then the values.
- sktime/aeon `.ts`: `#` comments, `@` header lines, then `@data` and one case per line as
  `v1,v2,...,vL:label`; `?` marks a missing value.
- long format: a CSV with a header holding `label` and `value` columns and a sequence id column
  (`id`, `series`, `series_id`, `sequence` or `case`); rows keep their file order within a
  sequence unless a `time`/`t`/`step` column orders them.

Unequal lengths are padded on the right with NaN by the readers; `fill_missing` then fills interior
gaps by linear interpolation and the right padding with the last observed value, so every model
(all length-agnostic: global pooling or a recurrent state) sees finite numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.errors import RnnlabError

ID_COLUMNS = ("id", "series", "series_id", "sequence", "case")
FLOAT32_MAX = float(np.finfo(np.float32).max)
TIME_COLUMNS = ("time", "t", "step", "timestamp")


@dataclass
class LabelledSequences:
    """Sequences (N, L) float32, NaN-padded on the right, with their labels as strings."""

    values: np.ndarray  # (N, L)
    labels: list[str]
    source: str


def read_labelled(path: Path | str) -> LabelledSequences:
    """Read any supported file; one clear RnnlabError line when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise RnnlabError(f"{path}: no such file; give a UCR .tsv/.csv/.ts file")
    text = path.read_bytes()
    if b"\x00" in text[:65536]:
        raise RnnlabError(f"{path} looks binary (it holds NUL bytes); give a text file")
    lines = [ln.strip() for ln in text.decode("utf-8-sig", errors="replace").splitlines()]
    if not any(ln and not ln.startswith("#") for ln in lines):
        raise RnnlabError(f"{path} is empty; give a file with one labelled sequence per line")
    if path.suffix.lower() == ".ts" or any(ln.lower().startswith("@data") for ln in lines):
        rows, labels = _parse_ts(lines, path)
    else:
        first = next(ln for ln in lines if ln)
        sep = "\t" if "\t" in first else ("," if "," in first else None)
        fields = _split(first, sep)
        if not _all_numeric(fields[1:]):  # a header line: long format, or wide with a header
            names = [f.strip().strip('"').lower() for f in fields]
            if "label" in names and "value" in names:
                rows, labels = _parse_long(path, sep)
            else:
                rows, labels = _parse_wide(lines[lines.index(first) + 1 :], sep, path, 2)
        else:
            rows, labels = _parse_wide(lines, sep, path, 1)
    if len(rows) == 0:
        raise RnnlabError(f"{path} holds no sequences; give one labelled sequence per line")
    return LabelledSequences(_pad(rows), [_clean_label(s) for s in labels], str(path))


def _split(line: str, sep: str | None) -> list[str]:
    return line.split(sep) if sep is not None else line.split()


def _all_numeric(fields: list[str]) -> bool:
    try:
        np.asarray([f if f.strip() not in ("", "?") else "nan" for f in fields], dtype=np.float64)
        return True
    except ValueError:
        return False


def _to_floats(fields: list[str], path: Path, lineno: int) -> np.ndarray:
    cleaned = [f if f.strip() not in ("", "?") else "nan" for f in fields]
    try:
        return np.asarray(cleaned, dtype=np.float64)  # (L,) numpy parses in C: no loop per value
    except ValueError:
        bad = next(f for f in cleaned if not _all_numeric([f]))
        raise RnnlabError(
            f"{path} line {lineno}: {bad.strip()[:30]!r} is not a number; values must be "
            "numeric after the label"
        ) from None


def _check_row(values: np.ndarray, path: Path, lineno: int) -> None:
    if values.size == 0 or np.isnan(values).all():
        raise RnnlabError(f"{path} line {lineno}: a label with no values; each line needs both")
    _check_size(values, f"{path} line {lineno}")


def _check_size(values: np.ndarray, where: str) -> None:
    """Sequences are kept as float32: inf, or a number beyond 3.4e38, would become inf."""
    huge = np.abs(values) > FLOAT32_MAX  # False for NaN
    if huge.any():
        raise RnnlabError(
            f"{where}: {values[huge][0]:g} is infinite or too large for 32-bit floats (at most "
            "3.4e38); fix or rescale it"
        )


def _parse_wide(lines: list[str], sep: str | None, path: Path, first_lineno: int):
    rows, labels = [], []
    for lineno, line in enumerate(lines, first_lineno):
        if not line or line.startswith("#"):
            continue
        fields = _split(line, sep)
        values = _to_floats(fields[1:], path, lineno)
        _check_row(values, path, lineno)
        rows.append(values)
        labels.append(fields[0].strip().strip('"'))
    return rows, labels


def _parse_ts(lines: list[str], path: Path):
    rows, labels, in_data = [], [], False
    for lineno, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        if not in_data:
            in_data = line.lower().startswith("@data")
            continue
        if ":" not in line:
            raise RnnlabError(f"{path} line {lineno}: no ':label' at the end of the case")
        *dims, label = line.split(":")
        if len(dims) != 1:
            raise RnnlabError(
                f"{path} line {lineno}: {len(dims)} dimensions; only univariate series are "
                "supported"
            )
        values = _to_floats(dims[0].split(","), path, lineno)
        _check_row(values, path, lineno)
        rows.append(values)
        labels.append(label.strip())
    if not in_data:
        raise RnnlabError(f"{path}: no @data line; a .ts file lists its cases after @data")
    return rows, labels


def _parse_long(path: Path, sep: str | None):
    import pandas as pd

    from rnnlab.data.panel import read_csv_text

    try:
        frame = read_csv_text(path, sep=sep or r"\s+", engine="python")
    except Exception as err:  # noqa: BLE001 - any parser failure is a malformed file
        raise RnnlabError(f"{path}: cannot read as a long-format CSV ({err})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    id_col = next((c for c in ID_COLUMNS if c in frame.columns), None)
    if id_col is None:
        raise RnnlabError(
            f"{path}: a long-format file needs a sequence id column ({', '.join(ID_COLUMNS)})"
        )
    if frame[id_col].isna().any():  # pandas would drop the row from every sequence
        raise RnnlabError(
            f"{path}: a row has no sequence id in column {id_col!r}; give every row one"
        )
    values = pd.to_numeric(frame["value"], errors="coerce")
    if values.isna().any() and frame["value"].notna().all():
        raise RnnlabError(f"{path}: the value column holds text; values must be numeric")
    frame = frame.assign(value=values)
    time_col = next((c for c in TIME_COLUMNS if c in frame.columns), None)
    rows, labels = [], []
    for uid, group in frame.groupby(id_col, sort=False):  # sort=False: sequences in file order
        if time_col is not None:
            group = group.sort_values(time_col, kind="stable")
        if group["label"].nunique() != 1:
            raise RnnlabError(f"{path}: sequence {str(uid)!r} has several labels")
        values = group["value"].to_numpy(np.float64)
        where = f"{path}: sequence {str(uid)!r}"
        if np.isnan(values).all():
            raise RnnlabError(f"{where} has no values; each sequence needs numbers")
        _check_size(values, where)
        rows.append(values)
        labels.append(str(group["label"].iloc[0]))
    return rows, labels


def _pad(rows: list[np.ndarray]) -> np.ndarray:
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan, np.float32)  # (N, L)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def _clean_label(label: str) -> str:
    """'1.0000000e+00' and '1' are the same class: integral numbers are written as integers."""
    try:
        number = float(label)
    except ValueError:
        return label
    return str(int(number)) if number.is_integer() else label


def sort_classes(labels: list[str]) -> list[str]:
    """Distinct labels, numerically when all are numbers (-1 before 1 before 10)."""
    distinct = sorted(set(labels))
    try:
        return sorted(distinct, key=float)
    except ValueError:
        return distinct


# ------------------------------------------------------------------------- preparing


def fill_missing(values: np.ndarray) -> np.ndarray:
    """Interior NaN by linear interpolation, right padding by the last value, leading by the first.

    (N, L) -> (N, L), all finite. A row is never all NaN (the readers refuse it).
    """
    out = values.astype(np.float32).copy()  # (N, L)
    if not np.isnan(out).any():
        return out
    steps = np.arange(out.shape[1])
    for i in np.flatnonzero(np.isnan(out).any(axis=1)):  # only the rows with gaps: usually few
        known = ~np.isnan(out[i])
        # np.interp holds the end values flat outside the known range: exactly the padding rule
        out[i] = np.interp(steps, steps[known], out[i, known])
    return out


def znormalise(values: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Each sequence to mean 0, standard deviation 1 over its observed (non-NaN) values.

    Per sequence, so nothing is fitted on the training set and nothing can leak from the test
    set; a constant sequence becomes all zeros. (N, L) -> (N, L), NaN stays NaN.
    """
    values = values.astype(np.float64)  # float32 sums of values near 3.4e38 would overflow
    mean = np.nanmean(values, axis=1, keepdims=True)  # (N, 1)
    std = np.nanstd(values, axis=1, keepdims=True)  # (N, 1)
    return ((values - mean) / np.maximum(std, eps)).astype(np.float32)  # (N, L)


def prepare(values: np.ndarray) -> np.ndarray:
    """What every model sees: z-normalised per sequence, then gaps and padding filled."""
    return fill_missing(znormalise(values))
