"""Fuzzing `rnnlab classify`.

The harness (settings, generators, the one-line check) is tests/fuzzing.py.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import BAD_OUTS, CLASSIFY_FLAGS, flags, fuzz, run_cli, tidy_ucr, ucr_files


@fuzz(50)
@given(
    train=st.one_of(tidy_ucr(), ucr_files()),
    test=st.one_of(tidy_ucr(), ucr_files()),
    argv=flags(CLASSIFY_FLAGS),
    out=BAD_OUTS,
)
def test_cli_classify(fuzz_tally, fuzz_folder, train, test, argv, out):
    files = {f"train.{train[0]}": train[1], "test.tsv": test[1]}
    argv = ["classify", "--train", f"@/train.{train[0]}", "--test", "@/test.tsv", *argv]
    run_cli(fuzz_tally, "cli_classify", [*argv, "--out", out, "--quiet"], files, fuzz_folder)
