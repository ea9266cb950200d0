from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.covariates import calendar_cycles, calendar_features, with_calendar
from rnnlab.data.panel import read_panel
from rnnlab.errors import RnnlabError
from rnnlab.forecast.global_model import GlobalForecaster


def test_calendar_cycles_follow_the_step():
    hourly = pd.date_range("2024-01-01", periods=48, freq="h")
    assert calendar_cycles(hourly) == ["day", "week", "year"]
    assert calendar_cycles(pd.date_range("2024-01-01", periods=9, freq="D")) == ["week", "year"]
    assert calendar_cycles(pd.date_range("2024-01-01", periods=9, freq="MS")) == ["year"]
    assert calendar_cycles(pd.date_range("2024-01-01", periods=9, freq="YS")) == []


def test_calendar_features_are_phases_on_the_circle():
    index = pd.DatetimeIndex(["2024-01-01 06:00", "2024-01-01 18:00", "2024-01-04 00:00"])
    f = calendar_features(index, ["day", "week"])  # sin, cos of day; sin, cos of week
    np.testing.assert_allclose(f[0, :2], [1, 0], atol=1e-6)  # 06:00: a quarter of the day
    np.testing.assert_allclose(f[1, :2], [-1, 0], atol=1e-6)  # 18:00: three quarters
    monday, thursday = f[0, 2:], f[2, 2:]  # 2024-01-01 is a Monday
    angle = 2 * np.pi * 3 / 7
    np.testing.assert_allclose(thursday, [np.sin(angle), np.cos(angle)], atol=1e-6)
    assert np.allclose(np.hypot(f[:, 0], f[:, 1]), 1) and monday[1] > 0.9


def _hourly_panel(n=4, days=30, seed=0):
    """Sales of n products: a daily cycle, and half as much again in a promotion hour."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n):
        ds = pd.date_range("2024-01-01", periods=24 * days, freq="h")
        promo = (rng.random(len(ds)) < 0.1).astype(float)
        y = (20 + 5 * s) * (1 + 0.2 * np.sin(2 * np.pi * ds.hour / 24)) * (1 + 0.5 * promo)
        rows.append(pd.DataFrame({"unique_id": f"s{s}", "ds": ds, "y": y, "promo": promo}))
    return pd.concat(rows, ignore_index=True)


def test_a_known_future_column_is_learned_and_split_with_the_series():
    frame = _hourly_panel()
    panel = read_panel(frame, covariates=("promo",))
    assert panel.cov.shape == (len(frame), 1) and panel.cov_future.shape == (4, 0, 1)
    train, actual = panel.split_last(24)
    # the held-out hours' promotions became the known future of the shorter panel
    np.testing.assert_array_equal(train.cov_future[0, :, 0], frame["promo"].to_numpy()[696:720])
    errors, fitted = {}, {}
    for name, data in (("with", train), ("without", read_panel(frame).split_last(24)[0])):
        fitted[name] = GlobalForecaster(
            seed=0, horizon=24, input_size=48, ensemble=1, hidden=128, layers=1,
            steps_per_epoch=50, train={"epochs": 16, "lr": 3e-3},
        ).fit(data, workers=1)  # fmt: skip
        errors[name] = np.abs(fitted[name].predict(data) - actual).mean()
    assert errors["with"] < 0.9 * errors["without"], errors
    # what it learned: a promotion in every future hour lifts the forecast by about half
    plans = {}
    for flag in (0.0, 1.0):
        plan = np.full_like(train.cov_future, flag)
        plans[flag] = fitted["with"].predict(replace(train, cov_future=plan))
    uplift = plans[1.0].mean() / plans[0.0].mean()
    assert 1.25 < uplift < 1.75, uplift


def test_calendar_features_extend_into_the_horizon():
    panel = with_calendar(read_panel(_hourly_panel(n=2, days=3)), horizon=5)
    assert panel.cov_names == ("day_sin", "day_cos", "week_sin", "week_cos", "year_sin", "year_cos")
    assert panel.cov.shape == (2 * 72, 6) and panel.cov_future.shape == (2, 5, 6)
    first_future_hour = pd.DatetimeIndex(["2024-01-04 00:00"])
    expected = calendar_features(first_future_hour, ["day", "week", "year"])[0]
    np.testing.assert_allclose(panel.cov_future[0, 0], expected, atol=1e-6)
    with pytest.raises(RnnlabError, match="integer steps have no calendar"):
        frame = pd.DataFrame({"unique_id": "a", "ds": range(30), "y": np.arange(30.0)})
        with_calendar(read_panel(frame), 3)


def test_covariate_errors_are_one_clear_line():
    frame = _hourly_panel(n=1, days=2)
    frame["promo"] = frame["promo"].astype(object)
    frame.loc[5, "promo"] = "soon"
    with pytest.raises(RnnlabError, match="covariate 'promo' of series 's0' at .* is 'soon'"):
        read_panel(frame, covariates=("promo",))
    with pytest.raises(RnnlabError, match="no column 'price' in the DataFrame"):
        read_panel(frame, covariates=("price",))


@pytest.mark.parametrize(
    ("model", "strategy"),
    [("fc", "recursive"), ("gru", "direct"), ("lstm", "recursive"), ("seq2seq", "direct")],
)
def test_every_global_network_reads_covariates(model, strategy):
    train, _ = read_panel(_hourly_panel(n=2, days=6), covariates=("promo",)).split_last(6)
    train = with_calendar(train, 6)
    assert train.cov.shape[1] == 7 and train.cov_future.shape[1] == 6
    f = GlobalForecaster(
        seed=0, model=model, strategy=strategy, horizon=6, input_size=24, ensemble=1,
        hidden=16, layers=1, steps_per_epoch=10, train={"epochs": 2},
    ).fit(train, workers=1)  # fmt: skip
    forecast = f.predict(train)
    assert forecast.shape == (2, 6) and np.isfinite(forecast).all()
    plan = train.cov_future.copy()
    plan[:, :, 0] = 1 - plan[:, :, 0]  # the other promotion plan
    assert not np.allclose(f.predict(replace(train, cov_future=plan)), forecast)
    assert f.resolved_config()["covariates"][0] == "promo"
