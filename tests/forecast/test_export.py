"""`rnnlab export --onnx`: the ONNX graph forecasts as `GlobalForecaster.predict_windows` does."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
import torch

INSTALL = "pip install -c constraints.txt -e '.[onnx]'"
pytest.importorskip("onnx", reason=f"rnnlab export needs onnx: {INSTALL}")
pytest.importorskip("onnxruntime", reason=f"rnnlab export needs onnxruntime: {INSTALL}")

from rnnlab.cli import main  # noqa: E402
from rnnlab.forecast.onnx_export import check_windows, median_of_members, onnx_session  # noqa: E402
from rnnlab.forecast.onnx_files import load_global  # noqa: E402

HORIZON = 4
FAST = ["--horizon", str(HORIZON), "--epochs", "2", "--baselines", "naive", "--quiet"]
MODELS = {  # name: forecast flags; two members, so the median averages the two middle ones
    "fc_direct": ["--ensemble", "2", "--hidden", "16"],  # members read 24 and 18 values
    "fc_recursive": ["--ensemble", "2", "--hidden", "16", "--strategy", "recursive"],
    "lstm_direct": ["--ensemble", "2", "--hidden", "16", "--model", "lstm"],
    "seq2seq": ["--ensemble", "2", "--hidden", "16", "--strategy", "seq2seq", "--lags", "8"],
    "local": ["--strategy", "local", "--model", "gru", "--epochs", "5"],
    "calendar": ["--ensemble", "1", "--hidden", "16", "--calendar"],
}
EXPORTED = ("fc_direct", "fc_recursive", "lstm_direct", "seq2seq")
LOCAL = "--strategy local"
OK = "rnnlab export supports global models without covariates (--strategy direct, recursive"


def _panel_values(n: int = 60) -> dict[str, np.ndarray]:
    """Three monthly series of 60, 57 and 54 values: a level, a half-year step and a trend."""
    values = {}
    for s, sid in enumerate(("s0", "s1", "s2")):
        t = np.arange(n - 3 * s)
        values[sid] = np.round(100 + 10 * s + 5 * (t % 12 > 5) + 0.2 * t, 3)
    return values


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """The panel's values and the CSV file that holds them."""
    values = _panel_values()
    rows = ["unique_id,ds,y"]
    for sid, y in values.items():
        dates = pd.date_range("2015-01-01", periods=len(y), freq="MS")
        rows += [f"{sid},{d.date()},{v:.3f}" for d, v in zip(dates, y, strict=True)]
    path = tmp_path_factory.mktemp("data") / "panel.csv"
    path.write_text("\n".join(rows) + "\n")
    return values, path


@pytest.fixture(scope="module")
def saved(tmp_path_factory, panel):
    """name -> the folder of that model of MODELS, trained through the CLI on first use."""
    root, folders = tmp_path_factory.mktemp("models"), {}

    def get(name: str):
        if name not in folders:
            out, folder = root / f"run-{name}", root / name
            argv = ["forecast", "--csv", str(panel[1]), *FAST, *MODELS[name]]
            assert main([*argv, "--out", str(out), "--save", str(folder)]) == 0
            folders[name] = folder
        return folders[name]

    return get


def real_windows(values: dict[str, np.ndarray], window: int) -> np.ndarray:
    """Every window of `window` values of every series (the last one included): (B, L)."""
    rows = [
        y[start : start + window] for y in values.values() for start in range(len(y) - window + 1)
    ]
    return np.stack(rows).astype(np.float32)


@pytest.mark.parametrize("members", [1, 2, 3, 4])
def test_median_of_members_is_numpys(members):
    forecasts = torch.randn(members, 5, 3)  # (M, B, H)
    expected = np.median(forecasts.numpy(), axis=0)  # an even M: the two middle ones' mean
    np.testing.assert_allclose(median_of_members(forecasts).numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("name", EXPORTED)
def test_onnx_graph_forecasts_as_predict_windows(tmp_path, saved, panel, name, capsys):
    folder, target = saved(name), tmp_path / "model.onnx"
    assert main(["export", "--model", str(folder), "--onnx", str(target)]) == 0
    assert "checked on 64 windows" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.onnx"]
    fitted, _ = load_global(folder)
    window = max(fitted.input_sizes_)
    described = json.loads((tmp_path / "model.json").read_text())
    assert described["input"] == {"name": "x", "shape": ["batch", window], "dtype": "float32"}
    assert described["output"] == {
        "name": "forecast",
        "shape": ["batch", HORIZON],
        "dtype": "float32",
    }
    assert described["window"] == window and described["horizon"] == HORIZON
    assert described["freq"] == "MS" and described["model"]["members"] == 2
    if name == "fc_direct":  # members of two window lengths: each reads the last values it needs
        assert described["model"]["input_sizes"] == [24, 18]
    assert described["check"]["max_relative_diff"] <= 1e-4

    session = onnx_session(target)
    batches = {
        "random": check_windows(window, count=100, seed=1),
        "real": real_windows(panel[0], window),
        "one series": real_windows(panel[0], window)[-1:],  # batch 1: the series' last window
    }
    for what, x in batches.items():
        expected = fitted.predict_windows(torch.from_numpy(x))  # (B, H)
        got = session.run(None, {"x": x})[0]  # (B, H)
        assert got.shape == expected.shape == (len(x), HORIZON), what
        scale = np.abs(x).mean(axis=1, keepdims=True)  # (B, 1)
        worst = float(np.max(np.abs(got - expected) / scale))
        print(f"{name} {what}: {len(x)} windows, largest difference {worst:.1e} of the scale")
        assert worst <= 1e-4, what


def test_export_refuses_in_one_line(tmp_path, saved, capsys, monkeypatch):
    folder, target = saved("fc_direct"), tmp_path / "m.onnx"
    (tmp_path / "folder.onnx").mkdir()
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    (tmp_path / "other.onnx").write_text("old")
    cases = [
        (["--model", str(tmp_path / "missing")], "is not a folder; give the model folder"),
        (
            ["--model", str(saved("local"))],
            f"a local model (one network per series, {LOCAL}); {OK}",
        ),
        (["--model", str(saved("calendar"))], f"with the covariates year_sin, year_cos; {OK}"),
        (["--onnx", str(tmp_path / "m.bin")], "ending in .onnx"),
        (["--onnx", str(tmp_path / "folder.onnx")], "exists and is not a file"),
        (["--onnx", str(tmp_path / "other.onnx"), "--force"], "not a description written by"),
    ]
    for flags, message in cases:  # a flag given twice: the later one counts
        argv = ["export", "--model", str(folder), "--onnx", str(target), *flags]
        assert main(argv) == 2, flags
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert not target.exists() and (tmp_path / "other.onnx").read_text() == "old"

    target.write_text("old")
    assert main(["export", "--model", str(folder), "--onnx", str(target)]) == 2
    assert "m.onnx already exists; choose another --onnx or --force" in capsys.readouterr().err
    assert target.read_text() == "old"
    argv = ["export", "--model", str(folder), "--onnx", str(target), "--quiet"]
    assert main([*argv, "--force"]) == 0  # an earlier export, and its description, replaced
    assert main([*argv, "--force"]) == 0
    written = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("m.", ".m.")))
    assert written == ["m.json", "m.onnx"]  # and no temporary file left

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    assert main([*argv, "--force"]) == 2
    err = capsys.readouterr().err
    assert "onnxruntime not installed" in err and INSTALL in err and err.count("\n") == 1
