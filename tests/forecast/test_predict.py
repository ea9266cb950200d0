"""`rnnlab forecast --save` then `rnnlab predict`: the saved forecaster continues on new data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rnnlab.cli import main


def _panel_csv(path, ids=("s0", "s1", "s2"), n=60, start="2015-01-01"):
    rows = ["unique_id,ds,y"]
    for s, sid in enumerate(ids):
        for t, ds in enumerate(pd.date_range(start, periods=n - 3 * s, freq="MS")):
            rows.append(f"{sid},{ds.date()},{100 + 10 * s + 5 * ((t % 12) > 5) + 0.2 * t:.3f}")
    path.write_text("\n".join(rows) + "\n")
    return path


FAST = ["--horizon", "4", "--epochs", "2", "--baselines", "naive", "--quiet"]


@pytest.mark.parametrize(
    "flags",
    [["--ensemble", "2"], ["--strategy", "local", "--model", "gru", "--epochs", "5"]],
    ids=["global", "local"],
)
def test_saved_forecaster_reproduces_the_run_forecast(tmp_path, flags):
    data = _panel_csv(tmp_path / "panel.csv")
    run, saved, again = tmp_path / "run", tmp_path / "model", tmp_path / "again"
    argv = ["forecast", "--csv", str(data), *FAST, *flags, "--out", str(run), "--save", str(saved)]
    assert main(argv) == 0
    assert sorted(p.name for p in saved.iterdir()) == ["model.json", "model.safetensors"]
    meta = json.loads((saved / "model.json").read_text())
    assert meta["kind"] == "forecaster" and meta["schema"]["freq"] == "MS"
    assert meta["schema"]["id_col"] == "unique_id" and meta["horizon"] == 4
    assert main(["predict", "--model", str(saved), "--csv", str(data), "--out", str(again)]) == 0
    expected, got = pd.read_csv(run / "forecast.csv"), pd.read_csv(again / "forecast.csv")
    pd.testing.assert_frame_equal(got, expected, rtol=1e-5)
    assert json.loads((again / "config.json").read_text())["command"] == "predict"


def test_predict_continues_on_new_data_and_new_series(tmp_path, capsys):
    data = _panel_csv(tmp_path / "panel.csv")
    saved = tmp_path / "model"
    argv = ["forecast", "--csv", str(data), *FAST, "--ensemble", "1", "--out", str(tmp_path / "r")]
    assert main([*argv, "--save", str(saved)]) == 0
    newer = _panel_csv(tmp_path / "newer.csv", ids=("s0", "s1", "new"), n=66)  # 6 more months
    capsys.readouterr()
    assert main(["predict", "--model", str(saved), "--csv", str(newer)]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert sorted(out["unique_id"].unique()) == ["new", "s0", "s1"]
    first = out.groupby("unique_id", sort=False)["ds"].first().to_dict()
    assert first == {"s0": "2020-07-01", "s1": "2020-04-01", "new": "2020-01-01"}
    assert out["yhat"].between(90, 160).all()  # the level of the data, not a scaled number

    local = tmp_path / "local"
    argv = ["forecast", "--csv", str(data), *FAST, "--strategy", "local", "--out"]
    assert main([*argv, str(tmp_path / "r2"), "--save", str(local)]) == 0
    assert main(["predict", "--model", str(local), "--csv", str(newer)]) == 2
    err = capsys.readouterr().err
    assert "series 'new' is not one this local model was trained on" in err
    assert err.count("\n") == 1


def test_predict_refuses_wrong_data_and_damaged_models(tmp_path, capsys):
    data = _panel_csv(tmp_path / "panel.csv")
    saved = tmp_path / "model"
    argv = ["forecast", "--csv", str(data), *FAST, "--ensemble", "1", "--out", str(tmp_path / "r")]
    assert main([*argv, "--save", str(saved)]) == 0
    daily = tmp_path / "daily.csv"
    days = pd.date_range("2020-01-01", periods=80)
    daily.write_text(
        "unique_id,ds,y\n" + "".join(f"a,{d.date()},{i % 7}\n" for i, d in enumerate(days))
    )
    weights = (saved / "model.safetensors").read_bytes()
    cases = [
        (["--csv", str(daily)], "trained on data of frequency MS"),
        (["--csv", str(tmp_path / "missing.csv")], "missing.csv"),
    ]
    for flags, message in cases:
        assert main(["predict", "--model", str(saved), *flags]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    (saved / "model.safetensors").write_bytes(weights[:-100])
    assert main(["predict", "--model", str(saved), "--csv", str(data)]) == 2
    assert "changed or damaged" in capsys.readouterr().err
    (saved / "model.safetensors").write_bytes(weights)
    assert main(["predict", "--model", str(tmp_path / "r"), "--csv", str(data)]) == 2
    assert "not an rnnlab model folder" in capsys.readouterr().err


def test_a_bad_save_folder_fails_before_training_and_writes_nothing(tmp_path, capsys):
    data = _panel_csv(tmp_path / "panel.csv")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me")
    argv = ["forecast", "--csv", str(data), *FAST, "--out", str(tmp_path / "r")]
    assert main([*argv, "--save", str(notes)]) == 2
    assert "a folder with other files" in capsys.readouterr().err
    assert not (tmp_path / "r").exists() and (notes / "todo.txt").read_text() == "keep me"


def test_the_demo_saves_its_best_network_for_predict(tmp_path, capsys):
    saved, run = tmp_path / "model", tmp_path / "demo"
    argv = ["demo", "--epochs", "30", "--quiet", "--out", str(run), "--save", str(saved)]
    assert main(argv) == 0
    meta = json.loads((saved / "model.json").read_text())
    rows = json.loads((run / "metrics.json").read_text())["models"]
    best = min((m for m in rows if m["kind"] == "neural"), key=lambda m: m["mase"])
    assert meta["schema"]["model"] == best["id"] and meta["schema"]["data"] == "elec_equip"
    capsys.readouterr()
    assert main(["predict", "--model", str(saved)]) == 0  # the training data, by default
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert len(out) == 12 and out["ds"].iloc[0] == "2016-06-01"  # after the last month
    assert out["yhat"].between(60, 140).all()
