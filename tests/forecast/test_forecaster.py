import numpy as np
import pandas as pd
import pytest

from rnnlab.errors import RnnlabError
from rnnlab.forecast.evaluation import evaluate
from rnnlab.forecast.local import Forecaster, difference

FAST = {"train": {"epochs": 150, "patience": 30}}


def test_neural_forecaster_beats_seasonal_naive_on_a_clean_season(seasonal_series):
    specs = {
        "seasonal_naive": {"model": "seasonal_naive"},
        "lstm": {"model": "lstm", "lags": 12, "hidden": 8, **FAST},
        "fc": {"model": "fc", "lags": 12, **FAST},
    }
    result = evaluate(seasonal_series, 96, specs)
    rows = {row["id"]: row for row in result.rows}
    # the trend moves each month past its value a year ago: seasonal naive lags it
    assert rows["fc"]["beats_seasonal_naive"] and rows["lstm"]["beats_seasonal_naive"]
    assert rows["seasonal_naive"]["beats_seasonal_naive"] is None


def test_first_forecast_step_equals_the_one_step_forecast(seasonal_series):
    f = Forecaster("gru", lags=12, hidden=4, **FAST).fit(seasonal_series, 100)
    values = seasonal_series.values
    one_step = f.predict_one_step(values, 100)
    ahead = f.forecast(values[:100], 5)
    assert ahead[0] == pytest.approx(one_step[0], rel=1e-5)
    assert len(one_step) == 20 and np.all(np.isfinite(ahead))


def test_predict_returns_future_dates(seasonal_series):
    f = Forecaster("fc", lags=12, **FAST).fit(seasonal_series)
    future = f.predict(3)
    assert list(future.index) == list(pd.date_range("2020-01-01", periods=3, freq="MS"))


def test_pandas_series_in_the_python_api():
    index = pd.date_range("2000-01-01", periods=60, freq="MS")
    data = pd.Series(np.sin(np.arange(60) * 2 * np.pi / 12) + 5, index=index)
    f = Forecaster("seasonal_naive").fit(data)
    np.testing.assert_allclose(f.predict(12).to_numpy(), data.to_numpy()[-12:], rtol=1e-6)


def test_transform_none_and_diff_run(seasonal_series):
    for transform, order in (("none", 0), ("diff", 1), ("sdiff", 12)):
        f = Forecaster("fc", lags=6, transform=transform, **FAST).fit(seasonal_series, 100)
        assert f.order_ == order
        assert np.all(np.isfinite(f.predict_one_step(seasonal_series.values, 100)))


def test_difference_aligns_with_time():
    z = difference(np.array([1.0, 2.0, 4.0, 8.0]), 2)
    np.testing.assert_array_equal(z, [3.0, 6.0])  # z[i] = y[i+2] - y[i]


def test_same_seed_same_forecast(seasonal_series):
    a = Forecaster("lstm", lags=12, seed=3, **FAST).fit(seasonal_series).predict(4)
    b = Forecaster("lstm", lags=12, seed=3, **FAST).fit(seasonal_series).predict(4)
    pd.testing.assert_series_equal(a, b)


def test_clear_errors(seasonal_series):
    with pytest.raises(RnnlabError, match="unknown model 'arima'; choose one of: naive"):
        Forecaster("arima").fit(seasonal_series)  # checked in fit, not in __init__
    with pytest.raises(RnnlabError, match="the training span has 30 points; lstm with 12 lags"):
        Forecaster("lstm").fit(seasonal_series, 30)
    with pytest.raises(RnnlabError, match="unknown transform 'log'"):
        Forecaster("fc", transform="log").fit(seasonal_series)
    with pytest.raises(RnnlabError, match="not fitted yet"):
        Forecaster("fc").predict(3)
    fitted = Forecaster("seasonal_naive").fit(seasonal_series)
    with pytest.raises(RnnlabError, match="horizon must be a whole number >= 1"):
        fitted.predict(0)
    with pytest.raises(RnnlabError, match="need 12 values of history"):
        fitted.predict_one_step(seasonal_series.values, 5)
    with pytest.raises(RnnlabError, match="hidden sizes, lags and layers must be at least 1"):
        Forecaster("fc", hidden=0, **FAST).fit(seasonal_series)


def test_python_api_as_in_the_readme():
    import rnnlab

    series = rnnlab.load_series("elec_equip")
    assert len(series) == 257 and series.season == 12
    with pytest.raises(RnnlabError, match="unknown dataset 'elec_equipp'; choose one of"):
        rnnlab.load_series("elec_equipp")
    forecaster = rnnlab.Forecaster(model="lstm", lags=12, layout="timesteps", **FAST)
    future = forecaster.fit(series).predict(12)
    assert len(future) == 12 and str(future.index[0].date()) == "2016-06-01"
    assert 60 < future.min() and future.max() < 140  # the index's range, not a runaway


def test_holdout_mode_forecasts_the_span_from_one_origin(seasonal_series):
    specs = {"seasonal_naive": {"model": "seasonal_naive"}, "fc": {"model": "fc", **FAST}}
    result = evaluate(seasonal_series, 108, specs, mode="holdout")
    np.testing.assert_allclose(result.predictions["seasonal_naive"], seasonal_series.values[96:108])
    assert len(result.predictions["fc"]) == 12
    with pytest.raises(RnnlabError, match="unknown mode 'rolling'"):
        evaluate(seasonal_series, 108, specs, mode="rolling")
