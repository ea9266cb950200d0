"""Fuzzing the readers of series, panels, future values and labelled sequences.

The harness (settings, generators, the one-line check) is tests/fuzzing.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from rnnlab.data.covariates import with_future_values
from rnnlab.data.csv_reader import read_csv_series
from rnnlab.data.panel import read_frame, read_panel
from rnnlab.data.ucr import prepare, read_labelled
from tests.fuzzing import (
    RAW,
    SEPARATORS,
    clean_series,
    finish,
    fuzz,
    outcome,
    panel_files,
    series_files,
    tidy_panel,
    ucr_files,
)


def check_series(series) -> None:
    assert len(series) >= 3 and len(series.index) == len(series.values)
    assert series.values.dtype == np.float32 and np.isfinite(series.values).all()
    assert series.index.is_monotonic_increasing and series.index.is_unique
    assert series.season >= 1 and series.freq


NO_COLUMNS = {"date_col": None, "value_col": None, "fill": None}


@fuzz(200)
# Regressions: a cell over the csv module's 131,072-character limit broke the separator search;
# 1e300 became inf as float32; a line with NEL and vertical tab made a three-line message.
@example(data=b"date,value,note\n2000-01-01,1," + b"x" * 200_000 + b"\n", **NO_COLUMNS)
@example(data=b"date,value\n2000-01-01,1\n2000-01-02,1e300\n2000-01-03,3\n", **NO_COLUMNS)
@example(data=b"date,value\n2000-01-01,1\n2000-01-02,x\x85y\x0bz\n2000-01-03,3\n", **NO_COLUMNS)
@given(
    data=st.one_of(series_files(), RAW),
    date_col=st.sampled_from([None, None, None, "date", "Datum", 0, 1, 5, "nope"]),
    value_col=st.sampled_from([None, None, None, "value", "Wert", 1, 2, "y"]),
    fill=st.sampled_from([None, None, "interpolate", "ffill"]),
)
def test_read_csv_series(fuzz_tally, fuzz_folder, data, date_col, value_col, fill):
    path = fuzz_folder / "series.csv"
    path.write_bytes(data)
    columns = {"date_col": date_col, "value_col": value_col, "fill": fill}
    series = outcome(fuzz_tally, "read_csv_series", read_csv_series, path, **columns)
    if series is not None:
        check_series(series)


ZURICH = "unique_id,ds,y\nZürich,2001-01-01,1\nZürich,2001-01-02,2\nZürich,2001-01-03,3\n"


@fuzz(50)
# Regressions: a BOM stayed in the first column's name, and Latin-1 could not be read at all.
@example(case=(ZURICH.encode("latin-1"), {"Zürich": 3}))
@example(case=(ZURICH.encode("utf-8-sig"), {"Zürich": 3}))
@given(case=tidy_panel())
def test_tidy_panel_loads_exactly(fuzz_tally, fuzz_folder, case):
    data, lengths = case
    path = fuzz_folder / "tidy_panel.csv"
    path.write_bytes(data)
    fuzz_tally.cases["tidy_panel"] += 1
    panel = read_panel(path)
    assert dict(zip(panel.ids.tolist(), panel.lengths.tolist(), strict=True)) == lengths


@fuzz(50)
@given(case=clean_series())
def test_tidy_csv_loads_exactly(fuzz_tally, fuzz_folder, case):
    data, stamps, values = case
    path = fuzz_folder / "tidy.csv"
    path.write_bytes(data)
    fuzz_tally.cases["tidy_csv"] += 1
    series = read_csv_series(path)
    assert (series.index == stamps).all()
    np.testing.assert_allclose(series.values, values.astype(np.float32), rtol=1e-6)


def check_panel(panel) -> None:
    assert len(panel) >= 1 and len(panel.offsets) == len(panel) + 1
    assert panel.offsets[0] == 0 and panel.offsets[-1] == len(panel.flat)
    assert (np.diff(panel.offsets) > 0).all()
    assert panel.flat.dtype == np.float32 and np.isfinite(panel.flat).all()
    if panel.cov is not None:
        assert panel.cov.shape[0] == len(panel.flat) and np.isfinite(panel.cov).all()


@fuzz(120)
# Regressions: an empty file raised csv.Error; 1e300 became inf as float32 (values, covariates);
# a column named with a vertical tab made a two-line message; rows without an id were dropped
# (and when no row had one, np.concatenate raised).
@example(data=b"", covariates=(), fill=None)
@example(data=b"\t\x0b", covariates=(), fill=None)
@example(
    data=b"unique_id,ds,y\n,2020-01-01,1\n,2020-01-02,2\n,2020-01-03,3\n", covariates=(), fill=None
)
@example(data=b"unique_id,ds,y,price\na,0,1,1\na,1,1e300,2\na,2,3,1\n", covariates=(), fill=None)
@example(
    data=b"unique_id,ds,y,price\na,0,1,1\na,1,2,1e300\na,2,3,1\n", covariates=("price",), fill=None
)
@given(
    data=st.one_of(panel_files(), RAW),
    covariates=st.sampled_from([(), (), ("price",)]),
    fill=st.sampled_from([None, None, "interpolate"]),
)
def test_read_panel(fuzz_tally, fuzz_folder, data, covariates, fill):
    path = fuzz_folder / "panel.csv"
    path.write_bytes(data)
    panel = outcome(fuzz_tally, "read_panel", read_panel, path, covariates=covariates, fill=fill)
    if panel is not None:
        check_panel(panel)


HISTORY = "unique_id,ds,y,price\n" + "".join(
    f"{uid},{t:%Y-%m-%d},{k % 7 + 1},{k % 3}\n"
    for uid in "ab"
    for k, t in enumerate(pd.date_range("2001-01-01", periods=20, freq="D"))
)


@st.composite
def future_files(draw) -> bytes:
    """The --future-csv of HISTORY: price for the days after 2001-01-20, gaps and all."""
    sep = draw(SEPARATORS)
    lines = [sep.join(draw(st.sampled_from([["unique_id", "ds", "price"], ["ds", "price"]])))]
    for uid in draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3)):
        for day in draw(st.lists(st.integers(18, 27), max_size=8)):
            price = draw(st.sampled_from(["1", "2.5", "", "x", "1e300", "inf"]))
            lines.append(sep.join([uid, f"2001-01-{day:02d}", price]))
    return draw(finish(lines))


@fuzz(50)
@example(data=b"unique_id,ds,price\na,2001-01-21,1e300\nb,2001-01-21,1\n", horizon=1)  # was inf
@given(data=st.one_of(future_files(), panel_files(), RAW), horizon=st.integers(1, 5))
def test_read_future_values(fuzz_tally, fuzz_folder, data, horizon):
    history, path = fuzz_folder / "history.csv", fuzz_folder / "future.csv"
    history.write_text(HISTORY)
    path.write_bytes(data)
    panel = read_panel(history, covariates=("price",))

    def complete():
        return with_future_values(panel, read_frame(path), "unique_id", "ds", horizon, str(path))

    completed = outcome(fuzz_tally, "read_future_values", complete)
    if completed is not None:
        assert completed.cov_future.shape == (len(panel), horizon, 1)
        assert np.isfinite(completed.cov_future).all()


@fuzz(150)
# Regressions: inf and 1e300 were kept (inf as float32), float32 sums of 3e38 overflowed into
# NaN, and a long-format sequence with no values was kept.
@example(case=("tsv", b"1\t1.5\t1e300\n2\t2.5\t3.5\n"))
@example(case=("tsv", b"1\tinf\t1\n2\t2.5\t3.5\n"))
@example(case=("tsv", b"1\t3e38\t3e38\t-3e38\n2\t1\t2\t3\n"))
@example(case=("csv", b"id,label,value\n0,a,\n0,a,\n1,b,1\n"))
@given(case=st.one_of(ucr_files(), st.tuples(st.sampled_from(["tsv", "ts"]), RAW)))
def test_read_labelled(fuzz_tally, fuzz_folder, case):
    suffix, data = case
    path = fuzz_folder / f"labelled.{suffix}"
    path.write_bytes(data)
    labelled = outcome(fuzz_tally, "read_labelled", read_labelled, path)
    if labelled is not None:
        values = labelled.values  # (N, L)
        assert values.dtype == np.float32 and values.ndim == 2
        assert values.shape[0] == len(labelled.labels) >= 1
        assert (~np.isnan(values)).any(axis=1).all(), "a sequence with no values"
        assert np.isfinite(values[~np.isnan(values)]).all(), "an infinite value"
        assert np.isfinite(prepare(values)).all(), "what the models see is not finite"
