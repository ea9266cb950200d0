import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.data.windows import holdout_windows, make_windows, split_point, to_layout
from rnnlab.errors import RnnlabError


def test_windows_shapes_order_and_views():
    values = np.arange(10.0)
    x, y = make_windows(values, lags=3, horizon=2)
    assert x.shape == (6, 3) and y.shape == (6, 2)
    np.testing.assert_array_equal(x[0], [0, 1, 2])  # oldest -> newest
    np.testing.assert_array_equal(y[0], [3, 4])
    np.testing.assert_array_equal(x[-1], [5, 6, 7])
    np.testing.assert_array_equal(y[-1], [8, 9])
    assert np.shares_memory(x, values) and np.shares_memory(y, values)  # views, not copies


def test_torch_windows_are_views_and_match_numpy():
    values = torch.arange(10.0)
    x, y = make_windows(values, lags=4)
    assert x.shape == (6, 4) and y.shape == (6, 1)
    assert x.untyped_storage().data_ptr() == values.untyped_storage().data_ptr()
    np.testing.assert_array_equal(x.numpy(), make_windows(np.arange(10.0), 4)[0])


def test_layouts():
    x, _ = make_windows(np.arange(20.0), lags=12)  # (8, 12)
    assert to_layout(x, "flat").shape == (8, 12)
    assert to_layout(x, "features").shape == (8, 1, 12)
    timesteps = to_layout(x, "timesteps")
    assert timesteps.shape == (8, 12, 1)
    np.testing.assert_array_equal(timesteps[0, :, 0], np.arange(12.0))  # time runs forwards
    with pytest.raises(RnnlabError, match="unknown layout 'sideways'; choose one of: flat"):
        to_layout(x, "sideways")


def test_make_windows_rejects_too_short_series():
    with pytest.raises(RnnlabError, match="a series of 5 points has no window of 12 lags"):
        make_windows(np.arange(5.0), 12)


def test_split_by_date_and_fraction():
    index = pd.date_range("2000-01-01", periods=100, freq="MS")
    assert split_point(index, "2005-01-01") == 60  # every point before the date trains
    assert split_point(index, 0.8) == 80
    assert split_point(index, "0.75") == 75
    with pytest.raises(RnnlabError, match="leaves 0 training and 100 test points"):
        split_point(index, "1990-01-01")
    with pytest.raises(RnnlabError, match="neither a date"):
        split_point(index, "soon")
    with pytest.raises(RnnlabError, match="between 0 and 1"):
        split_point(index, 1.5)


def test_holdout_windows_predict_every_test_point_without_leakage():
    values = np.arange(30.0)
    n_train, lags = 20, 12
    x, y = holdout_windows(values, n_train, lags)
    np.testing.assert_array_equal(y[:, 0], values[n_train:])  # every test point is a target
    for window, target in zip(x, y[:, 0], strict=True):
        assert window.max() < target  # inputs come only from before their target
    train_x, train_y = make_windows(values[:n_train], lags)
    assert train_y.max() < n_train and train_x.max() < n_train  # no test value in training
