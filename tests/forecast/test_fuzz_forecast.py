"""Fuzzing `rnnlab forecast` and `rnnlab demo`.

The harness (settings, generators, the one-line check) is tests/fuzzing.py.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import (
    BAD_OUTS,
    DEMO_FLAGS,
    FORECAST_FLAGS,
    INPUT_FILES,
    flags,
    fuzz,
    panel_files,
    run_cli,
)


@fuzz(70)
@given(
    data=INPUT_FILES,
    future=panel_files(),
    csv=st.sampled_from(["@/input.csv", "@/input.csv", "@/input.parquet", "@/missing.csv", "@"]),
    argv=flags(FORECAST_FLAGS),
    out=BAD_OUTS,
    force=st.booleans(),
)
def test_cli_forecast(fuzz_tally, fuzz_folder, data, future, csv, argv, out, force):
    files = {"input.csv": data, "input.parquet": data, "future.csv": future}
    argv = ["forecast", "--csv", csv, *argv, "--out", out] + (["--force"] if force else [])
    run_cli(fuzz_tally, "cli_forecast", argv, files, fuzz_folder)


@fuzz(30)
@given(data=INPUT_FILES, argv=flags(DEMO_FLAGS), out=BAD_OUTS)
def test_cli_demo(fuzz_tally, fuzz_folder, data, argv, out):
    argv = ["demo", "--csv", "@/input.csv", *argv, "--out", out, "--quiet"]
    run_cli(fuzz_tally, "cli_demo", argv, {"input.csv": data}, fuzz_folder)
