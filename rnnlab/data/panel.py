"""Many series at once ("a panel"), stored flat so memory grows with the number of points.

Long format in: one row per (series id, timestamp, value), the layout of Nixtla's and most
warehouses' exports: `unique_id, ds, y`. `ds` holds dates, or integers (then --season gives the
period). Each series is validated like a single one (sorted, unique, regular, finite), and all
must share one frequency.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.data.series import FLOAT32_MAX, SeriesData, make_series
from rnnlab.errors import RnnlabError, printable


@dataclass(frozen=True)
class Panel:
    """Series i is flat[offsets[i]:offsets[i+1]]; its last timestamp is last[i].

    Covariates known in advance (calendar features, a price or promotion plan), when any:
    `cov` (total, k) row for row beside `flat`, and `cov_future` (n, F, k) for the F steps
    after each series' end (data/covariates.py attaches them).
    """

    ids: np.ndarray  # (n,) str
    flat: np.ndarray  # (total,) float32
    offsets: np.ndarray  # (n + 1,) int64
    last: pd.DatetimeIndex | np.ndarray  # (n,) last timestamp, or last integer step
    freq: str | None  # None: integer steps
    season: int
    source: str = ""
    cov: np.ndarray | None = None  # (total, k) float32
    cov_future: np.ndarray | None = None  # (n, F, k) float32
    cov_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def series(self, i: int) -> np.ndarray:
        return self.flat[self.offsets[i] : self.offsets[i + 1]]

    def future(self, horizon: int) -> list:
        """The `horizon` timestamps (or integer steps) after each series' end."""
        if self.freq is None:
            return [np.arange(end + 1, end + horizon + 1) for end in self.last]
        return [pd.date_range(end, periods=horizon + 1, freq=self.freq)[1:] for end in self.last]

    def subset(self, rows) -> Panel:
        """The series at positions `rows`, e.g. a rank's shard: subset(range(rank, n, world))."""
        rows = np.asarray(list(rows), dtype=np.int64)
        parts = [self.series(i) for i in rows]
        offsets = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
        flat = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        last = self.last[rows] if self.freq is not None else np.asarray(self.last)[rows]
        cov = cov_future = None
        if self.cov is not None:
            cov = np.concatenate([self.cov[self.offsets[i] : self.offsets[i + 1]] for i in rows])
            cov_future = self.cov_future[rows]
        return replace(
            self, ids=self.ids[rows], flat=flat, offsets=offsets, last=last, cov=cov,
            cov_future=cov_future,
        )  # fmt: skip

    def split_last(self, horizon: int) -> tuple[Panel, np.ndarray]:
        """(the panel without each series' last `horizon` points, those points (n, horizon))."""
        if self.lengths.min() <= horizon:
            short = str(self.ids[int(np.argmin(self.lengths))])
            raise RnnlabError(
                f"series {short!r} has {self.lengths.min()} points: too few to hold out {horizon}"
            )
        ends = self.offsets[1:]
        held = self.flat[ends[:, None] - horizon + np.arange(horizon)[None, :]]  # (n, horizon)
        keep = np.ones(len(self.flat), dtype=bool)
        keep[(ends[:, None] - horizon + np.arange(horizon)[None, :]).ravel()] = False
        if self.freq is None:
            last = np.asarray(self.last) - horizon
        else:
            step = pd.tseries.frequencies.to_offset(self.freq)
            last = pd.DatetimeIndex([end - horizon * step for end in self.last])
        offsets = self.offsets - np.arange(len(self.offsets)) * horizon
        cov = cov_future = None
        if self.cov is not None:  # the held-out steps' covariates become known-future ones
            held_cov = self.cov[ends[:, None] - horizon + np.arange(horizon)[None, :]]
            cov, cov_future = self.cov[keep], np.concatenate([held_cov, self.cov_future], axis=1)
        trimmed = replace(
            self, flat=self.flat[keep], offsets=offsets, last=last, cov=cov, cov_future=cov_future
        )
        return trimmed, held


def panel_from_series(series: SeriesData) -> Panel:
    """A panel of one series."""
    return Panel(
        np.array([series.name]),
        series.values.astype(np.float32),
        np.array([0, len(series)]),
        series.index[-1:],
        series.freq,
        series.season,
        series.source,
    )


def panel_from_arrays(ids, arrays: list[np.ndarray], season: int, source: str = "") -> Panel:
    """A panel over integer steps 0..n_i-1 (synthetic data, benchmarks); no validation."""
    offsets = np.concatenate([[0], np.cumsum([len(a) for a in arrays])]).astype(np.int64)
    flat = np.concatenate(arrays).astype(np.float32)
    last = np.array([len(a) - 1 for a in arrays])
    return Panel(np.asarray(ids, dtype=str), flat, offsets, last, None, season, source)


def read_panel(
    source,
    *,
    id_col: str = "unique_id",
    ds_col: str = "ds",
    value_col: str = "y",
    season: int | None = None,
    fill: str | None = None,
    covariates: tuple[str, ...] = (),
) -> Panel:
    """A validated Panel from a long-format CSV or Parquet path, or a DataFrame. Columns named
    in `covariates` (values known in advance: prices, promotions) come along as `cov`; their
    future values are added by data/covariates.py."""
    name = str(source) if isinstance(source, str | Path) else "the DataFrame"
    frame = read_frame(source) if isinstance(source, str | Path) else source
    columns = [str(c) for c in frame.columns]
    wanted = [("--id-col", id_col), ("--date-col", ds_col), ("--value-col", value_col)]
    for flag, col in [*wanted, *(("--future-cols", c) for c in covariates)]:
        if col not in columns:
            raise RnnlabError(
                f"no column {col!r} in {name}; the columns are: "
                f"{printable(', '.join(columns))} (choose with {flag})"
            )
    frame = frame[[id_col, ds_col, value_col, *covariates]].copy()
    for col in covariates:
        numbers = pd.to_numeric(frame[col], errors="coerce")
        if not np.isfinite(numbers.to_numpy(np.float64)).all():
            row = frame[~np.isfinite(numbers.to_numpy(np.float64))].iloc[0]
            raise RnnlabError(
                f"covariate {col!r} of series {str(row[id_col])!r} at {printable(row[ds_col])} "
                f"is {row[col]!r}, not a number"
            )
        huge = (numbers.abs() > FLOAT32_MAX).to_numpy()
        if huge.any():
            i = int(np.argmax(huge))
            raise RnnlabError(
                f"covariate {col!r} of series {str(frame[id_col].iloc[i])!r} at "
                f"{printable(frame[ds_col].iloc[i])} is {numbers.iloc[i]:.3g}, too large for "
                "32-bit floats (at most 3.4e38); rescale it"
            )
        frame[col] = numbers
    if frame[id_col].isna().any():  # pandas would drop the row from every series
        row = int(np.argmax(frame[id_col].isna().to_numpy()))
        raise RnnlabError(
            f"{name}: data row {row + 1} has no series id in column {id_col!r}; every row needs one"
        )
    frame[id_col] = frame[id_col].astype(str)
    values = pd.to_numeric(frame[value_col], errors="coerce")
    bad = (
        values.isna() & frame[value_col].notna() & (frame[value_col].astype(str).str.strip() != "")
    )
    if bad.any():
        row = frame[bad].iloc[0]
        raise RnnlabError(
            f"value {row[value_col]!r} of series {row[id_col]!r} at {printable(row[ds_col])} "
            "is not a number"
        )
    frame[value_col] = values
    integer_steps = pd.api.types.is_integer_dtype(frame[ds_col].dtype)
    if not integer_steps:
        try:
            frame[ds_col] = pd.to_datetime(frame[ds_col])
        except (ValueError, TypeError):
            raise RnnlabError(
                f"column {ds_col!r} in {name} holds neither dates nor whole numbers"
            ) from None
    frame = frame.sort_values([id_col, ds_col], kind="stable")
    if frame.empty:
        raise RnnlabError(f"{name} has no rows")
    if integer_steps:
        panel = _integer_panel(frame, id_col, ds_col, value_col, season, fill, name)
        return _with_columns(panel, frame[list(covariates)].to_numpy(np.float32), covariates)
    arrays, last, freqs, ids, seasons, covs = [], [], set(), [], set(), []
    for uid, group in frame.groupby(id_col, sort=False):
        try:
            series = make_series(
                pd.DatetimeIndex(group[ds_col]),
                group[value_col].to_numpy(float),
                name=uid,
                season=season,
                fill=fill,
            )
        except (RnnlabError, ValueError, OverflowError) as err:
            raise RnnlabError(f"series {uid!r}: {err}") from None
        ids.append(uid)
        arrays.append(series.values)
        if covariates:  # on the series' own grid; filled gaps take the last known values
            known = group.drop_duplicates(ds_col, keep="last").set_index(ds_col)
            covs.append(known[list(covariates)].reindex(series.index).ffill().bfill())
        last.append(series.index[-1])
        freqs.add(series.freq)
        seasons.add(series.season)
    if len(freqs) > 1:
        raise RnnlabError(
            f"the series in {name} have different frequencies "
            f"({', '.join(sorted(freqs))}); forecast them separately"
        )
    offsets = np.concatenate([[0], np.cumsum([len(a) for a in arrays])]).astype(np.int64)
    panel = Panel(
        np.array(ids),
        np.concatenate(arrays).astype(np.float32),
        offsets,
        pd.DatetimeIndex(last),
        freqs.pop(),
        max(seasons),
        name,
    )
    if not covariates:
        return panel
    return _with_columns(panel, np.concatenate(covs).astype(np.float32), covariates)


def _with_columns(panel: Panel, cov: np.ndarray, names: tuple[str, ...]) -> Panel:
    """`panel` with covariates beside its values and, as yet, no future values of them."""
    if not names:
        return panel
    future = np.zeros((len(panel), 0, len(names)), dtype=np.float32)
    return replace(panel, cov=cov, cov_future=future, cov_names=tuple(names))


def _integer_panel(frame, id_col, ds_col, value_col, season, fill, name) -> Panel:
    steps = frame[ds_col].to_numpy()
    ids = frame[id_col].to_numpy()
    same = ids[1:] == ids[:-1]
    gaps = same & (np.diff(steps) != 1)
    if gaps.any():
        i = int(np.argmax(gaps))
        what = "duplicate step" if steps[i + 1] == steps[i] else "gap after step"
        raise RnnlabError(
            f"series {ids[i]!r}: {what} {steps[i]} in {name}; integer steps "
            "must run 0, 1, 2, ... without gaps"
        )
    values = frame[value_col].to_numpy(float)
    if not np.all(np.isfinite(values)):
        i = int(np.argmax(~np.isfinite(values)))
        raise RnnlabError(f"series {ids[i]!r} has a missing or infinite value at step {steps[i]}")
    huge = np.abs(values) > FLOAT32_MAX  # finite here, infinite once float32
    if huge.any():
        i = int(np.argmax(huge))
        raise RnnlabError(
            f"series {ids[i]!r}: value {values[i]:.3g} at step {steps[i]} is too large for "
            "32-bit floats (at most 3.4e38); rescale the data"
        )
    starts = np.concatenate([[0], np.flatnonzero(~same) + 1])
    offsets = np.concatenate([starts, [len(ids)]]).astype(np.int64)
    return Panel(
        ids[starts].astype(str),
        values.astype(np.float32),
        offsets,
        steps[offsets[1:] - 1],
        None,
        season or 1,
        name,
    )


def read_frame(path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise RnnlabError(f"{path}: no such file")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except ImportError:
            raise RnnlabError("reading Parquet needs pyarrow: pip install pyarrow") from None
        except Exception as err:  # noqa: BLE001 - any reader failure is the file's
            raise RnnlabError(f"{path}: not a readable Parquet file ({err})") from None
    try:
        return (
            read_csv_text(path, sep=None, engine="python")
            if path.stat().st_size < 1 << 20
            else read_csv_text(path)
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, csv.Error) as err:
        raise RnnlabError(f"{path}: not a readable CSV file ({err})") from None


def read_csv_text(path, **options) -> pd.DataFrame:
    """pd.read_csv for files as spreadsheets export them: UTF-8 with or without a byte-order
    mark, else Latin-1 (every byte string decodes: the usual older-Windows export)."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **options)
    except UnicodeDecodeError:
        return pd.read_csv(path, encoding="latin-1", **options)
