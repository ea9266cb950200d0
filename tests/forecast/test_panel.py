import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.data.panel import panel_from_arrays, read_panel
from rnnlab.errors import RnnlabError
from rnnlab.forecast.global_model import GlobalForecaster, PanelWindows, last_windows
from rnnlab.forecast.panel_eval import add_owa_and_verdicts, baseline_forecasts, panel_scores
from rnnlab.forecast.statistical import (
    damped,
    holt_winters,
    naive2,
    seasonal_indices,
    seasonality_test,
    theta,
)


def _frame():
    rows = []
    for uid, n in (("b", 5), ("a", 4)):
        for t, ds in enumerate(pd.date_range("2020-01-01", periods=n, freq="MS")):
            rows.append((uid, ds, float(10 * (uid == "b") + t)))
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).sample(frac=1, random_state=0)


def test_read_panel_sorts_and_stores_flat():
    panel = read_panel(_frame())
    assert list(panel.ids) == ["a", "b"] and list(panel.lengths) == [4, 5]
    np.testing.assert_array_equal(panel.series(1), [10, 11, 12, 13, 14])
    assert panel.freq == "MS" and panel.season == 12
    assert [str(d[0].date()) for d in panel.future(2)] == ["2020-05-01", "2020-06-01"]


def test_split_last_holds_out_the_end_of_every_series():
    panel = read_panel(_frame())
    train, held = panel.split_last(2)
    np.testing.assert_array_equal(held, [[2, 3], [13, 14]])
    np.testing.assert_array_equal(train.series(0), [0, 1])
    assert [str(t.date()) for t in train.last] == ["2020-02-01", "2020-03-01"]
    with pytest.raises(RnnlabError, match="too few to hold out 4"):
        panel.split_last(4)


def test_read_panel_errors_name_the_column_and_series():
    with pytest.raises(RnnlabError, match="no column 'id'.*choose with --id-col"):
        read_panel(_frame(), id_col="id")
    frame = _frame()
    duplicate = frame[frame["unique_id"] == "a"].iloc[:1]
    with pytest.raises(RnnlabError, match="series 'a': .*duplicate"):
        read_panel(pd.concat([frame, duplicate]))


def test_windows_are_sampled_without_materialising_and_never_cross_series():
    panel = panel_from_arrays(["a", "b"], [np.arange(10.0), 100 + np.arange(3.0)], season=1)
    data = PanelWindows(panel, 4, 2, "none", 64, 100, "flat")
    # series b (3 points) is left-padded with its first value to one window of 6
    assert len(data.starts) == 5 + 1
    x, y = data.windows(data.starts)
    np.testing.assert_array_equal(x[-1].numpy(), [100, 100, 100, 100])
    np.testing.assert_array_equal(y[-1].numpy(), [101, 102])
    assert torch.all(x[:5] < 10) and torch.all(y[:5] < 10)  # a's windows hold only a's values
    assert data.batch_size == 6 and data.steps_per_epoch() == 100


def test_steps_per_epoch_are_reckoned_in_the_schedule_batch():
    panel = panel_from_arrays(["a"], [np.arange(500.0)], season=1)  # 495 windows of 4 + 2
    fc = PanelWindows(panel, 4, 2, "none", 1024, 100, "flat")
    assert fc.batch_size == 495 and fc.steps_per_epoch() == 100  # one batch holds them all
    small = PanelWindows(panel, 4, 2, "none", 64, 100, "flat")
    assert small.steps_per_epoch() == 16  # two passes of 64
    same = PanelWindows(panel, 4, 2, "none", 64, 100, "flat", schedule_batch=1024)
    assert same.batch_size == 64 and same.steps_per_epoch() == 100  # fc's steps, smaller batches


def test_level_normalisation_is_reversible_in_predict():
    # a global model on series of very different levels forecasts each at its own level
    t = np.arange(80.0)
    arrays = [level * (1 + 0.1 * np.sin(2 * np.pi * t / 4)) for level in (1.0, 1000.0)]
    panel = panel_from_arrays(["small", "big"], arrays, season=4)
    f = GlobalForecaster(horizon=4, ensemble=2, hidden=32, train={"epochs": 5}).fit(
        panel, workers=1
    )
    forecast = f.predict(panel)
    assert forecast.shape == (2, 4) and f.input_sizes_ == [8, 6]
    assert 0.5 < forecast[0].mean() < 2 and 500 < forecast[1].mean() < 2000
    np.testing.assert_array_equal(last_windows(panel, 3)[1].numpy(), arrays[1][-3:].astype("f4"))


def test_naive2_by_hand():
    x = np.tile([1.0, 2.0, 3.0, 2.0], 6) * np.repeat([10.0, 11.0, 12.0, 13.0, 14.0, 15.0], 4)
    assert seasonality_test(x, 4)
    indices = seasonal_indices(x, 4)
    assert indices.mean() == pytest.approx(1.0) and indices[2] > indices[1] > indices[0]
    f = naive2(x, 4, 4)
    adjusted_last = x[-1] / indices[3]
    np.testing.assert_allclose(f, adjusted_last * indices)
    np.testing.assert_array_equal(naive2(np.arange(1.0, 30.0), 3, 4), [29.0, 29.0, 29.0])
    assert not seasonality_test(np.arange(1.0, 30.0) % 2 + np.arange(29), 1)


def test_theta_runs_and_falls_back():
    x = 100 + np.arange(40.0) + 5 * np.sin(np.arange(40) * np.pi / 6)
    assert theta(x, 6, 12).shape == (6,)
    np.testing.assert_array_equal(theta(np.array([1.0, -1.0, 2.0]), 2, 1), [2.0, 2.0])


def test_damped_and_holt_winters_follow_trend_and_season():
    t = np.arange(72.0)
    pattern = np.tile([0.8, 0.9, 1.0, 1.2, 1.3, 1.1, 1.0, 0.9, 0.8, 0.9, 1.0, 1.1], 7)
    x = (100 + 2 * t) * pattern[:72]
    truth = (100 + 2 * np.arange(72.0, 84.0)) * pattern[72:84]
    for method in (damped, holt_winters):
        f = method(x, 12, 12)
        # the season comes back, and the level continues the trend (damped: at most as steep)
        assert np.abs(f / truth - 1).max() < 0.06, method.__name__
        assert np.corrcoef(f, truth)[0, 1] > 0.95
    line = 5.0 + 0.5 * np.arange(30.0)
    f = damped(line, 4, 1)
    assert line[-1] < f[0] < f[-1] <= line[-1] + 4 * 0.5 + 1e-6  # damped: no steeper than the trend
    # too short, or not fittable: Naive2's forecast instead of an error
    np.testing.assert_array_equal(damped(np.array([1.0, 2.0, 3.0]), 2, 1), [3.0, 3.0])
    np.testing.assert_array_equal(holt_winters(np.array([4.0, 2.0]), 3, 12), [2.0, 2.0, 2.0])


def test_panel_scores_and_owa():
    panel = panel_from_arrays(["a"], [np.array([1.0, 2.0, 3.0, 4.0])], season=1)
    actual = np.array([[5.0, 6.0]])
    naive = baseline_forecasts("naive", panel, 2)
    np.testing.assert_array_equal(naive, [[4.0, 4.0]])
    scores = panel_scores(panel, actual, naive)
    assert scores["mase"] == pytest.approx(1.5)  # MAE 1.5 / in-sample naive error 1
    rows = [
        {"id": "naive2", "smape": 20.0, "mase": 2.0},
        {"id": "seasonal_naive", "smape": 10.0, "mase": 1.0},
        {"id": "net", "smape": 5.0, "mase": 1.5},
    ]
    add_owa_and_verdicts(rows)
    assert rows[2]["owa"] == pytest.approx(0.5 * (5 / 20 + 1.5 / 2))
    assert rows[2]["beats_seasonal_naive"] is False and rows[0]["owa"] == 1.0


def test_conformal_intervals_cover_as_promised_on_exchangeable_errors():
    from rnnlab.forecast.intervals import conformal_halfwidths, coverage, intervals, series_scales

    rng = np.random.default_rng(0)
    scales = rng.uniform(1, 100, size=400)
    errors = rng.normal(size=(400, 6)) * np.arange(1, 7) * scales[:, None]  # grow with the step
    half = conformal_halfwidths(errors[:200], scales[:200], 80)
    assert half.shape == (6,) and np.all(np.diff(half) > 0)
    bands = intervals(np.zeros((200, 6)), scales[200:], {80: half})
    assert 0.74 < coverage(errors[200:], bands["yhat_lo_80"], bands["yhat_hi_80"]) < 0.86
    few = conformal_halfwidths(errors[:3], scales[:3], 95)  # pooled over steps, grows as sqrt
    np.testing.assert_allclose(few / few[0], np.sqrt(np.arange(1, 7)))
    assert series_scales([np.array([1.0, 3.0, 2.0]), np.full(4, 5.0)], 1).tolist() == [1.5, 5.0]


def test_conformal_halfwidth_is_the_corrected_order_statistic():
    from rnnlab.forecast.intervals import conformal_halfwidths

    # 24 rows with scores 1..24 at every step: the 80% half-width is the ceil(25 * 0.8) = 20th
    # smallest, the 95% one the ceil(25 * 0.95) = 24th
    errors = np.tile(np.arange(1.0, 25.0)[::-1, None], (1, 3))  # (24, 3), any row order
    scales = np.ones(24)
    assert conformal_halfwidths(errors, scales, 80).tolist() == [20.0] * 3
    assert conformal_halfwidths(errors, scales, 95).tolist() == [24.0] * 3
    pooled = conformal_halfwidths(errors[:4, :1], scales[:4], 80)  # 4 scores 21..24: the 4th
    assert pooled.tolist() == [24.0]
