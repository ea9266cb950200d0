"""Fuzzing detection: the stream and label-window readers and `rnnlab detect`.

The harness (settings, generators, the one-line check) is tests/fuzzing.py.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from rnnlab.data.stream import MIN_POINTS, read_stream
from rnnlab.detect.labels import read_windows
from tests.fuzzing import (
    BAD_OUTS,
    DETECT_FLAGS,
    RAW,
    STREAM,
    flags,
    fuzz,
    outcome,
    run_cli,
    stream_files,
    tidy_stream,
)


@fuzz(80)
@given(
    data=st.one_of(stream_files(), RAW),
    time_col=st.sampled_from([None, None, "timestamp", "Zeit", "x"]),
    value_col=st.sampled_from([None, None, "value", "note", "t"]),
)
def test_read_stream(fuzz_tally, fuzz_folder, data, time_col, value_col):
    path = fuzz_folder / "stream.csv"
    path.write_bytes(data)
    stream = outcome(fuzz_tally, "read_stream", read_stream, path, time_col, value_col)
    if stream is not None:
        stamps, values, _, _ = stream
        assert len(stamps) == len(values) >= MIN_POINTS
        assert not stamps.isna().any() and np.isfinite(values).all()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


BOUNDS = st.sampled_from(["2020-01-01", "2020-01-02 03:00", "", "x", "1e30"])


WINDOWS = st.lists(st.tuples(BOUNDS, BOUNDS | st.text()).map(list), max_size=3)


@fuzz(60)
@example(suffix="json", data=b'[["2020-01-01", ""]]')  # regression: an empty bound gave NaT
@given(
    suffix=st.sampled_from(["json", "csv"]),
    data=st.one_of(
        st.builds(json.dumps, JSON_VALUES | WINDOWS).map(str.encode),
        st.builds(lambda w: json.dumps({"stream.csv": w}).encode(), WINDOWS),
        st.sampled_from([b"start,end\n2020-01-01,2020-01-02\n", b"start\n1\n", b"", b"\xff"]),
        st.binary(max_size=100),
    ),
)
def test_read_windows(fuzz_tally, fuzz_folder, suffix, data):
    path = fuzz_folder / f"labels.{suffix}"
    path.write_bytes(data)
    windows = outcome(fuzz_tally, "read_windows", read_windows, path, fuzz_folder / "stream.csv")
    if windows is not None:
        assert all(isinstance(a, pd.Timestamp) and isinstance(b, pd.Timestamp) for a, b in windows)


@fuzz(50)
# Regression: a seed beyond 64 bits reached torch.manual_seed and raised a traceback.
@example(data=STREAM, labels=b"[]", argv=["--seed", "99999999999999999999999"], out="@/blocker")
@given(
    data=st.one_of(tidy_stream(), stream_files(), RAW),
    labels=st.one_of(st.builds(json.dumps, WINDOWS).map(str.encode), st.binary(max_size=50)),
    argv=flags(DETECT_FLAGS),
    out=BAD_OUTS,
)
def test_cli_detect(fuzz_tally, fuzz_folder, data, labels, argv, out):
    files = {"stream.csv": data, "labels.json": labels, "labels.csv": labels}
    argv = ["detect", "--csv", "@/stream.csv", *argv, "--out", out]
    run_cli(fuzz_tally, "cli_detect", argv, files, fuzz_folder)
