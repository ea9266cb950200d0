"""scikit-learn's conventions (core/params.py) and the parameter errors the CLI shows as flags."""

import pytest

from rnnlab.core.params import Params
from rnnlab.errors import ParameterError, RnnlabError


class Toy(Params):
    def __init__(self, depth: int = 2, lr: float = 0.1, tags: tuple = ()):
        self.depth, self.lr, self.tags = depth, lr, tags

    def fit(self, x):
        self.mean_ = sum(x) / len(x)
        return self


def test_get_and_set_params_follow_the_signature():
    toy = Toy(depth=3)
    assert toy.get_params() == {"depth": 3, "lr": 0.1, "tags": ()}
    assert toy.set_params(lr=0.5) is toy and toy.lr == 0.5
    assert repr(toy) == "Toy(depth=3, lr=0.5)"
    with pytest.raises(ValueError, match="Toy has no parameter 'width'; its parameters are depth"):
        toy.set_params(width=4)


def test_sklearn_clone_copies_parameters_not_fitted_state():
    base = pytest.importorskip("sklearn.base")
    toy = Toy(depth=5).fit([1.0, 2.0])
    copy = base.clone(toy)
    assert copy.get_params() == toy.get_params() and not hasattr(copy, "mean_")


def test_a_parameter_error_names_the_parameter_and_the_cli_its_flag():
    err = ParameterError("val_fraction", "{name} must be in [0, 1) (got 2)")
    assert str(err) == "val_fraction must be in [0, 1) (got 2)"
    assert err.flag_message() == "--val-fraction must be in [0, 1) (got 2)"
    assert isinstance(err, RnnlabError) and isinstance(err, ValueError)
