"""Streaming anomaly detectors: causal, streaming equals batch, spikes and shifts flagged, and
`rnnlab detect` end to end (outputs, NAB score with labels, one-line errors)."""

import json

import numpy as np
import pandas as pd
import pytest

from rnnlab.cli import main
from rnnlab.commands import detect as detect_task
from rnnlab.detect.detectors import (
    fit_window_gru,
    gru_forecast,
    make_detector,
    score_stream,
)
from rnnlab.detect.likelihood import AnomalyLikelihood, log_score
from rnnlab.detect.names import DEFAULT_THRESHOLDS, METHODS

N, PROBATION, SPIKE, SHIFT = 1600, 300, 1000, 1300


def stream(seed: int = 0, spike: bool = True, shift: bool = True):
    """A noisy seasonal 5-minute stream with a spike at SPIKE and a level shift at SHIFT."""
    rng = np.random.default_rng(seed)
    t = np.arange(N)
    values = 10 + 2 * np.sin(2 * np.pi * t / 96) + rng.normal(0, 0.2, N)  # noise sd 0.2
    values[SPIKE] += 6.0 * spike
    values[SHIFT:] += 4.0 * shift
    return pd.date_range("2024-01-01", periods=N, freq="5min"), values


def scores_of(method: str, values, seed: int = 0):
    ts = pd.date_range("2024-01-01", periods=len(values), freq="5min")
    return score_stream(make_detector(method, PROBATION, seed=seed), ts, values)


@pytest.mark.parametrize("method", METHODS)
def test_changing_a_future_value_never_changes_a_past_score(method):
    _, values = stream()
    before = scores_of(method, values)
    for t in (PROBATION - 1, 700, 1200):  # at the end of learning, and while streaming
        changed = values.copy()
        changed[t] += 50.0
        after = scores_of(method, changed)
        np.testing.assert_array_equal(after[:t], before[:t])
        assert after[t:].tolist() != before[t:].tolist()  # the change is seen from t on


@pytest.mark.parametrize("method", METHODS)
def test_streaming_update_equals_batch_scores(method):
    ts, values = stream()
    batch = score_stream(make_detector(method, PROBATION), ts, values)
    detector = make_detector(method, PROBATION)
    one_by_one = [detector.update(t, v) for t, v in zip(ts, values, strict=True)]
    np.testing.assert_array_equal(batch, one_by_one)
    # and in chunks, as a service would receive them
    detector = make_detector(method, PROBATION)
    cut = range(0, N, 333)
    chunks = [score_stream(detector, ts[a : a + 333], values[a : a + 333]) for a in cut]
    np.testing.assert_array_equal(batch, np.concatenate(chunks))


@pytest.mark.parametrize("method", ["naive", "residual", "gru"])
def test_spike_and_level_shift_are_flagged_and_the_quiet_stretch_mostly_not(method):
    threshold = DEFAULT_THRESHOLDS[method]
    scores = scores_of(method, stream(shift=False)[1])
    assert scores[SPIKE : SPIKE + 5].max() >= threshold
    assert (scores[PROBATION + 50 : SPIKE] >= threshold).mean() < 0.01  # the quiet stretch
    # a 20-sigma shift, on its own (a spike just before it widens the error distribution)
    scores = scores_of(method, stream(spike=False)[1])
    assert scores[SHIFT : SHIFT + 10].max() >= threshold
    assert (scores[PROBATION + 50 : SHIFT] >= threshold).mean() < 0.01


def test_windowed_gaussian_flags_the_spike():
    _, values = stream()
    scores = scores_of("gaussian", values)
    assert scores[SPIKE] >= 0.9999 and scores[SPIKE] > np.quantile(scores[PROBATION:SPIKE], 0.99)


def test_same_seed_same_scores_and_all_in_unit_interval():
    _, values = stream()
    a, b = scores_of("residual", values, seed=3), scores_of("residual", values, seed=3)
    np.testing.assert_array_equal(a, b)
    assert ((a >= 0) & (a <= 1)).all()


def test_gru_forecast_in_numpy_equals_torch_gru_with_the_same_weights():
    import torch

    values = np.cumsum(np.random.default_rng(0).normal(size=300))
    weights = fit_window_gru(values, lags=8, hidden=6, steps=20, lr=0.01, seed=0)
    gru = torch.nn.GRU(1, 6, batch_first=True).double()
    with torch.no_grad():
        names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
        for name, w in zip(names, weights[:4], strict=True):
            getattr(gru, name).copy_(torch.from_numpy(w))
        inputs = values[100:108] - values[107]  # (lags,)
        _, h_last = gru(torch.from_numpy(inputs).view(1, 8, 1))  # (1, 1, H)
        expected = float(h_last[0, 0] @ torch.from_numpy(weights[4])) + float(weights[5])
    assert gru_forecast(weights, inputs) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_one_list_of_methods_for_the_registry_the_estimator_and_the_cli():
    from rnnlab.cli import build_parser
    from rnnlab.detect import names

    assert detect_task.METHODS is names.METHODS and set(DEFAULT_THRESHOLDS) == set(METHODS)
    assert all(make_detector(method, PROBATION) is not None for method in names.METHODS)
    with pytest.raises(ValueError, match="choose one of naive, residual, gru, gaussian"):
        make_detector("lof", PROBATION)
    parser = build_parser()._subparsers._group_actions[0].choices["detect"]
    method = next(a for a in parser._actions if a.dest == "method")
    assert tuple(method.choices) == names.METHODS


def test_anomaly_likelihood_learns_then_fires_once_on_a_burst():
    rng = np.random.default_rng(1)
    raw = np.r_[rng.uniform(0, 0.1, 600), np.ones(20), rng.uniform(0, 0.1, 100)]
    al = AnomalyLikelihood(learning=50, estimation=100)
    likelihood = np.array([al.update(r, float(i % 7)) for i, r in enumerate(raw)])
    assert (likelihood[:150] == 0.5).all()  # nothing is known while learning
    assert likelihood[600:620].max() > 0.9999
    red = likelihood[600:620] > 1 - 1e-5
    assert red.sum() <= 2  # HTM's filter: a red tail right after a red tail is only yellow
    assert log_score(0.5) == pytest.approx(np.log(0.5 + 1e-10) / -23.02585084720009)


def test_a_flat_metric_is_never_anomalous():
    al = AnomalyLikelihood(learning=10, estimation=50)
    out = [al.update(1.0 if i == 200 else 0.0, 5.0) for i in range(300)]
    assert max(out) < 0.51


# --- the command ---------------------------------------------------------------------------------


def write_csv(tmp_path, name="stream.csv"):
    ts, values = stream()
    path = tmp_path / name
    pd.DataFrame({"timestamp": ts, "value": values}).to_csv(path, index=False)
    return path, ts


def test_cli_writes_scores_plot_report_and_nab_score(tmp_path):
    path, ts = write_csv(tmp_path)
    labels = tmp_path / "windows.json"
    labels.write_text(json.dumps([[str(ts[SPIKE - 20]), str(ts[SPIKE + 20])]]))
    out = tmp_path / "run"
    args = ["detect", "--csv", str(path), "--labels", str(labels), "--out", str(out), "--quiet"]
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} == {
        "scores.csv", "config.json", "metrics.json", "detect.png", "report.html",
    }  # fmt: skip
    frame = pd.read_csv(out / "scores.csv")
    assert list(frame.columns) == ["timestamp", "value", "score", "is_anomaly"]
    assert len(frame) == N and frame["is_anomaly"].iloc[SPIKE : SPIKE + 5].any()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["rows"] == N and metrics["probation_rows"] == 240  # NAB: 15% of 1600
    assert metrics["nab"]["standard"]["raw"] > 0.5  # the spike's window is caught early
    config = json.loads((out / "config.json").read_text())
    assert config["rerun"].startswith("rnnlab detect --csv")


def test_cli_method_and_columns(tmp_path):
    ts, values = stream()
    path = tmp_path / "two.csv"
    frame = pd.DataFrame({"when": ts, "other": 1.0, "load": values})
    frame.to_csv(path, index=False)
    out = tmp_path / "g"
    args = ["detect", "--csv", str(path), "--value-col", "load", "--method", "gaussian"]
    assert main([*args, "--time-col", "when", "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "config.json").read_text())["value_col"] == "load"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        ("", "not a readable CSV file"),
        ("timestamp,value\n", "no data rows"),
        ("timestamp,name\n2024-01-01,a\n2024-01-02,b\n", "no numeric column"),
        ("timestamp,value\n2024-01-01,1\nyesterday,2\n", "line 3: 'yesterday'"),
        ("timestamp,value\n" + "".join(f"2024-01-{d:02d},1\n" for d in range(1, 11)), "10 rows"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2_and_no_folder(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "run"
    assert main(["detect", "--csv", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("rnnlab detect: error:")
    assert not out.exists()


def test_cli_label_window_outside_the_file_is_one_line(tmp_path, capsys):
    path, _ = write_csv(tmp_path)
    labels = tmp_path / "w.json"
    labels.write_text(json.dumps([["1999-01-01 00:00:00", "1999-01-02 00:00:00"]]))
    out = tmp_path / "run"
    assert main(["detect", "--csv", str(path), "--labels", str(labels), "--out", str(out)]) == 2
    assert "is not a timestamp of" in capsys.readouterr().err and not out.exists()


def test_cli_scores_rows_in_file_order_when_the_clock_steps_back(tmp_path, capsys):
    ts, values = stream()
    stamps = ts.to_series().reset_index(drop=True)
    stamps[900:] -= pd.Timedelta("1h")  # as in NAB's machine_temperature_system_failure.csv
    path = tmp_path / "back.csv"
    pd.DataFrame({"timestamp": stamps, "value": values}).to_csv(path, index=False)
    out = tmp_path / "run"
    assert main(["detect", "--csv", str(path), "--out", str(out)]) == 0
    assert json.loads((out / "metrics.json").read_text())["timestamps_stepping_back"] == 1
    assert "step back 1 time" in capsys.readouterr().out
