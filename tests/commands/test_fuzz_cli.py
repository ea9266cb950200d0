"""Fuzzing the command line as a whole: tidy inputs of every job, any arguments.

The harness (settings, generators, the one-line check) is tests/fuzzing.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnlab.data.stream import MIN_POINTS
from tests.fuzzing import (
    ARG_TEXT,
    MIN_CASES,
    clean_series,
    fuzz,
    run_cli,
    tidy_panel,
    tidy_stream,
    tidy_ucr,
)


@fuzz(40)
@given(
    command=st.sampled_from(["forecast", "forecast-series", "detect", "classify"]),
    series=clean_series(),
    panel=tidy_panel(),
    stream=tidy_stream(MIN_POINTS),
    labelled=tidy_ucr(),
)
def test_cli_tidy_inputs_reach_the_run_directory(
    fuzz_tally, fuzz_folder, command, series, panel, stream, labelled
):
    """Tidy files in any encoding, separator and line ending load: the bad --out stops them."""
    files = {"series.csv": series[0], "panel.csv": panel[0], "stream.csv": stream}
    files["labelled.tsv"] = labelled[1]
    argv = {
        "forecast": ["forecast", "--csv", "@/panel.csv", "--horizon", "1"],
        "forecast-series": ["forecast", "--csv", "@/series.csv", "--horizon", "1"],
        "detect": ["detect", "--csv", "@/stream.csv"],
        "classify": ["classify", "--train", "@/labelled.tsv", "--test", "@/labelled.tsv"],
    }[command]
    err = run_cli(fuzz_tally, "cli_tidy", [*argv, "--out", "@/blocker"], files, fuzz_folder)
    assert "blocker exists and is not a folder" in err, err


@fuzz(50)
@given(
    argv=st.lists(
        st.one_of(
            st.sampled_from(["forecast", "detect", "classify", "textgen", "train", "datasets"]),
            st.sampled_from(["--csv", "--train", "--horizon", "--version", "-h", "--", "-"]),
            ARG_TEXT,
        ),
        max_size=5,
    ),
)
def test_cli_any_arguments(fuzz_tally, fuzz_folder, argv):
    run_cli(fuzz_tally, "cli_any", [*argv, "--out", "@/blocker"], {}, fuzz_folder)


def test_fuzz_ran_enough_cases(fuzz_tally):
    """Run last (conftest.py moves it there): the cases of every fuzz property together."""
    files = Path(__file__).resolve().parents[1].glob("*/test_fuzz_*.py")
    properties = [
        node
        for file in files
        for node in ast.parse(file.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef)
        and any(
            getattr(d.func, "id", None) == "given"
            for d in node.decorator_list
            if isinstance(d, ast.Call)
        )
    ]
    if len(fuzz_tally.cases) < len(properties):  # each property counts under its own name
        pytest.skip("counts the cases of a full run of every tests/*/test_fuzz_*.py")
    assert sum(fuzz_tally.cases.values()) >= MIN_CASES
    assert fuzz_tally.tracebacks == 0


def _is_given(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "given"
