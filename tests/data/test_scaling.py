import numpy as np
import pytest

from rnnlab.data.scaling import fit_scaler
from rnnlab.errors import RnnlabError


def test_minmax_standard_robust_by_hand():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    minmax = fit_scaler(x, "minmax")
    np.testing.assert_allclose(minmax.transform(x), [0, 1 / 9, 2 / 9, 3 / 9, 1])
    standard = fit_scaler(x, "standard")
    assert standard.shift == pytest.approx(4.0) and standard.scale == pytest.approx(np.std(x))
    robust = fit_scaler(x, "robust")
    assert robust.shift == 3.0 and robust.scale == 2.0  # median 3, IQR 4 - 2
    for scaler in (minmax, standard, robust):
        np.testing.assert_allclose(scaler.inverse(scaler.transform(x)), x)


def test_scaler_sees_only_the_training_span():
    series = np.concatenate([np.linspace(0, 1, 80), np.full(20, 1000.0)])  # test span explodes
    scaler = fit_scaler(series[:80], "minmax")
    assert scaler.shift == 0.0 and scaler.scale == 1.0
    assert scaler.transform(series[80:]).min() == 1000.0  # test values are not clipped into [0, 1]


def test_constant_training_span_does_not_divide_by_zero():
    scaler = fit_scaler(np.full(10, 5.0), "standard")
    assert scaler.scale == 1.0 and np.all(scaler.transform(np.full(3, 5.0)) == 0)


def test_unknown_scaler():
    with pytest.raises(RnnlabError, match="unknown scaler 'zscore'; choose one of: minmax"):
        fit_scaler(np.arange(3.0), "zscore")
