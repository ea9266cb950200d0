import numpy as np
import pytest

from rnnlab.core import metrics
from rnnlab.forecast import BASELINE_NAMES, MODEL_NAMES, NEURAL_NAMES
from rnnlab.forecast.baselines import BASELINES


def test_metrics_by_hand():
    y = np.array([1.0, 2.0, 4.0])
    yhat = np.array([2.0, 2.0, 2.0])
    assert metrics.mse(y, yhat) == pytest.approx(5 / 3)
    assert metrics.rmse(y, yhat) == pytest.approx(np.sqrt(5 / 3))
    assert metrics.mae(y, yhat) == pytest.approx(1.0)
    assert metrics.mape(y, yhat) == pytest.approx(100 * (1 + 0 + 0.5) / 3)
    # sMAPE: 200 * [1/3, 0, 2/6] / 3
    assert metrics.smape(y, yhat) == pytest.approx(200 * (1 / 3 + 0 + 1 / 3) / 3)
    # R^2: 1 - 5 / sum((y - 7/3)^2) = 1 - 5 / (14/3)
    assert metrics.r2(y, yhat) == pytest.approx(1 - 5 / (14 / 3))


def test_mase_uses_the_seasonal_in_sample_error():
    insample = np.array([1.0, 5.0, 2.0, 7.0, 3.0, 9.0])  # m=2 differences: 1, 2, 1, 2
    assert metrics.mase_scale(insample, 2) == pytest.approx(1.5)
    assert metrics.mase([10.0, 12.0], [11.0, 11.0], insample, 2) == pytest.approx(1 / 1.5)
    assert metrics.mase_scale(insample, 1) == pytest.approx(np.mean([4, 3, 5, 4, 6]))


def test_edge_cases_are_nan_or_zero_not_errors():
    assert np.isnan(metrics.mape([0.0, 1.0], [1.0, 1.0]))
    assert metrics.smape([0.0], [0.0]) == 0.0
    assert np.isnan(metrics.smape([1.0, 2.0], [np.nan, np.nan]))  # a NaN forecast never wins
    assert np.isnan(metrics.mase([1.0], [1.0], [3.0, 3.0, 3.0], 1))  # flat history: no scale


def test_baselines_by_hand():
    values = np.array([1.0, 2.0, 3.0, 4.0, 10.0, 20.0])
    origins = np.array([4, 6])
    np.testing.assert_array_equal(BASELINES["naive"](values, origins, 2, 2), [[4, 4], [20, 20]])
    np.testing.assert_array_equal(
        BASELINES["seasonal_naive"](values, origins, 3, 2), [[3, 4, 3], [10, 20, 10]]
    )
    # drift from origin 4: last 4, slope (4 - 1) / 3 = 1
    np.testing.assert_allclose(BASELINES["drift"](values, origins[:1], 2, 1), [[5, 6]])
    np.testing.assert_allclose(BASELINES["mean"](values, origins, 1, 1), [[2.5], [40 / 6]])


def test_registry_names_match_the_registries():
    from rnnlab.forecast.networks import NEURAL

    assert set(BASELINE_NAMES) == set(BASELINES)
    assert set(NEURAL_NAMES) == set(NEURAL)
    assert set(MODEL_NAMES) == set(BASELINES) | set(NEURAL)
