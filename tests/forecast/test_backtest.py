import numpy as np
import pytest

from rnnlab.data.panel import panel_from_arrays
from rnnlab.errors import RnnlabError
from rnnlab.forecast.backtest import (
    coverage_estimate,
    forecast_windows,
    rolling_windows,
    score_windows,
)
from rnnlab.forecast.global_model import GlobalForecaster


def seasonal_panel(n=3, length=80, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    arrays = [
        10 + i + 3 * np.sin(2 * np.pi * t / 12) + 0.05 * t + rng.normal(0, 0.3, length)
        for i in range(n)
    ]
    return panel_from_arrays([f"s{i}" for i in range(n)], arrays, season=12)


class Global:
    """The test's model: a small, fast global direct network."""

    def __init__(self, horizon, seed=0):
        self.f = GlobalForecaster(
            seed=seed, horizon=horizon, input_size=24, hidden=16, layers=1, ensemble=1,
            train={"epochs": 2},
        )  # fmt: skip

    def fit(self, panel, progress=None):
        self.f.fit(panel, workers=1)
        return self

    def predict(self, panel):
        return self.f.predict(panel)


def test_windows_cut_the_series_where_the_step_says():
    panel = seasonal_panel(n=2, length=60)
    windows = rolling_windows(panel, horizon=6, count=3, step=4)
    assert [w.cut for w in windows] == [14, 10, 6]
    for w in windows:
        assert w.actual.shape == (2, 6)
        for i in range(2):
            values = panel.series(i)
            origin = len(values) - w.cut
            np.testing.assert_array_equal(w.history.series(i), values[:origin])
            np.testing.assert_array_equal(w.actual[i], values[origin : origin + 6])
    # the latest window ends with the data; the default step is the horizon
    assert [w.cut for w in rolling_windows(panel, 6, 2)] == [12, 6]


def test_windows_refuse_series_too_short_or_bad_counts():
    panel = seasonal_panel(n=2, length=30)
    with pytest.raises(RnnlabError, match="has 30 points: 5 backtest window"):
        rolling_windows(panel, horizon=6, count=5)
    with pytest.raises(RnnlabError, match="at least 1"):
        rolling_windows(panel, horizon=6, count=0)
    with pytest.raises(RnnlabError, match="at least 1"):
        rolling_windows(panel, horizon=6, count=2, step=0)


@pytest.mark.parametrize("refit", [True, False])
def test_backtest_windows_never_see_the_future(refit):
    """Change every value after window 1's origin: windows 0 and 1 must not notice."""
    horizon = 6
    panel = seasonal_panel()
    windows = rolling_windows(panel, horizon, count=3)
    origin = panel.lengths - windows[1].cut  # (n,) first index window 1 must not see
    arrays = []
    for i in range(len(panel)):
        values = panel.series(i).copy()
        values[origin[i] :] *= 5.0  # a different future
        arrays.append(values)
    changed = panel_from_arrays(panel.ids, arrays, season=12)
    changed_windows = rolling_windows(changed, horizon, count=3)
    a = forecast_windows(lambda: Global(horizon), windows, refit)
    b = forecast_windows(lambda: Global(horizon), changed_windows, refit)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[2], b[2])  # the last window's history did change


def test_without_refit_the_model_trains_once_at_the_oldest_origin():
    fits = []

    class Spy:
        def fit(self, panel, progress=None):
            fits.append(int(panel.lengths.sum()))
            return self

        def predict(self, panel):
            return np.repeat(panel.flat[panel.offsets[1:] - 1][:, None], 6, axis=1)

    panel = seasonal_panel(n=2, length=50)
    windows = rolling_windows(panel, 6, count=3)
    out = forecast_windows(Spy, windows, refit=False)
    assert fits == [2 * (50 - 18)] and len(out) == 3
    # the prediction still starts from each window's own history: its last value
    np.testing.assert_array_equal(out[2][:, 0], [panel.series(i)[-7] for i in range(2)])
    forecast_windows(Spy, windows, refit=True)
    assert fits[1:] == [2 * (50 - 18), 2 * (50 - 12), 2 * (50 - 6)]


def test_scores_average_over_windows_and_count_wins():
    panel = seasonal_panel(n=4, length=60)
    windows = rolling_windows(panel, 6, count=2)
    truth = [w.actual for w in windows]
    forecasts = {
        "seasonal_naive": [t + 1.0 for t in truth],
        "naive2": [t + 2.0 for t in truth],
        "perfect": [t.copy() for t in truth],
    }
    kinds = {"seasonal_naive": "baseline", "naive2": "baseline", "perfect": "neural"}
    overall, per_window = score_windows(windows, forecasts, kinds)
    rows = {r["id"]: r for r in overall}
    assert rows["perfect"]["mase"] == 0 and rows["perfect"]["windows_beating_seasonal_naive"] == 2
    expected = np.mean([w[0]["mase"] for w in per_window])
    assert rows["seasonal_naive"]["mase"] == pytest.approx(expected)
    assert rows["naive2"]["owa"] == 1.0 and len(per_window) == 2


def test_coverage_is_measured_out_of_sample():
    rng = np.random.default_rng(1)
    panel = panel_from_arrays(
        [f"s{i}" for i in range(40)], [rng.normal(0, 1, 200).cumsum() for _ in range(40)], 1
    )
    windows = rolling_windows(panel, 4, count=3, step=10)
    # forecasts off by Gaussian noise of a series' own scale: coverage near the nominal level
    forecasts = [w.actual + rng.normal(0, 1.0, w.actual.shape) for w in windows]
    estimate = coverage_estimate(windows, forecasts)
    assert estimate["method"] == "leave one window out"
    assert 0.72 <= estimate["coverage_80"] <= 0.88
    assert 0.90 <= estimate["coverage_95"] <= 0.99
    one = coverage_estimate(windows[:1], forecasts[:1])
    assert one["method"] == "two halves of the series" and 0.65 <= one["coverage_80"] <= 0.95
