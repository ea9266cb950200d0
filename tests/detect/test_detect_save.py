"""`rnnlab detect --save` then `--model`: a saved detector goes on with the stream exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.cli import main


def _stream(path, stamps, values):
    pd.DataFrame({"timestamp": stamps, "value": values}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("method", ["naive", "residual", "gaussian"])
def test_saved_detector_scores_the_rest_as_one_long_run(tmp_path, method):
    rng = np.random.default_rng(1)
    stamps = pd.date_range("2024-01-01", periods=1200, freq="5min")
    values = np.sin(np.arange(1200) / 15) + rng.normal(0, 0.1, 1200)
    values[1000] += 6  # a spike after the cut
    whole = _stream(tmp_path / "whole.csv", stamps, values)
    first = _stream(tmp_path / "first.csv", stamps[:800], values[:800])
    rest = _stream(tmp_path / "rest.csv", stamps[800:], values[800:])
    common = ["--method", method, "--probation", "150", "--quiet"]
    assert main(["detect", "--csv", str(whole), *common, "--out", str(tmp_path / "w")]) == 0
    saved = tmp_path / "detector"
    argv = ["detect", "--csv", str(first), *common, "--out", str(tmp_path / "a")]
    assert main([*argv, "--save", str(saved)]) == 0
    argv = ["detect", "--model", str(saved), "--csv", str(rest), "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "b"), "--save", str(tmp_path / "later")]) == 0
    expected = pd.read_csv(tmp_path / "w" / "scores.csv")["score"].to_numpy()[800:]
    got = pd.read_csv(tmp_path / "b" / "scores.csv")
    np.testing.assert_allclose(got["score"].to_numpy(), expected, rtol=1e-7, atol=1e-12)
    # the spike scores highest, and is flagged, without a new probation
    assert got["score"].to_numpy()[200] == got["score"].max()
    assert got["is_anomaly"].to_numpy()[200] or method == "gaussian"  # its threshold is 1
    import json

    meta = json.loads((tmp_path / "later" / "model.json").read_text())
    assert meta["kind"] == "detector" and meta["rows_seen"] == 1200 and meta["method"] == method


def test_a_saved_detector_that_was_tampered_with_is_refused(tmp_path, capsys):
    stamps = pd.date_range("2024-01-01", periods=300, freq="h")
    data = _stream(tmp_path / "d.csv", stamps, np.arange(300) % 24)
    saved = tmp_path / "detector"
    argv = ["detect", "--csv", str(data), "--quiet", "--out", str(tmp_path / "r")]
    assert main([*argv, "--save", str(saved)]) == 0
    raw = bytearray((saved / "model.safetensors").read_bytes())
    raw[-1] ^= 1
    (saved / "model.safetensors").write_bytes(bytes(raw))
    assert (
        main(["detect", "--model", str(saved), "--csv", str(data), "--out", str(tmp_path / "x")])
        == 2
    )
    err = capsys.readouterr().err
    assert "changed or damaged" in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()
