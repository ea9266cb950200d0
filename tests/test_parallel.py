import os

import pytest

from rnnlab.errors import RnnlabError
from rnnlab.evaluate import evaluate
from rnnlab.parallel import balance, in_parallel


def test_results_come_back_in_order_from_other_processes():
    pids = in_parallel([os.getpid, os.getpid, os.getpid], workers=2)
    assert pids[0] == os.getpid() and pids[1] != os.getpid() and pids[2] != os.getpid()
    assert in_parallel([lambda: 1, lambda: [2, 3]], workers=2) == [1, [2, 3]]
    assert in_parallel([os.getpid, os.getpid], workers=1) == [os.getpid()] * 2


def test_an_error_in_a_child_is_raised_here():
    def fail():
        raise RnnlabError("bad input in the child")

    with pytest.raises(RnnlabError, match="bad input in the child"):
        in_parallel([lambda: 1, fail], workers=2)


def test_balance_shares_the_cost():
    groups = balance({"a": 13, "b": 5, "c": 5, "d": 1, "e": 1}, 2)
    assert groups == [["a"], ["b", "c", "d", "e"]]
    assert balance({"a": 1}, 2) == [["a"]]


def test_numbers_do_not_depend_on_the_number_of_processes(seasonal_series):
    train = {"epochs": 40, "patience": 10}
    specs = {
        "seasonal_naive": {"model": "seasonal_naive"},
        "lstm": {"model": "lstm", "lags": 12, "train": train},
        "fc": {"model": "fc", "lags": 12, "train": train},
    }
    one, two = (evaluate(seasonal_series, 100, specs, workers=w) for w in (1, 2))
    for a, b in zip(one.rows, two.rows, strict=True):
        assert {**a, "fit_seconds": 0} == {**b, "fit_seconds": 0}
