import os

import pytest

from rnnlab.core.parallel import balance, in_parallel
from rnnlab.errors import RnnlabError
from rnnlab.forecast.evaluation import evaluate


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


def test_an_unpicklable_error_still_comes_back_as_one_message():
    class Odd(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a}-{b}")

    def fail():
        raise Odd(1, 2)

    with pytest.raises(RuntimeError, match="Odd: 1-2"):
        in_parallel([lambda: 1, fail], workers=2)


def test_a_killed_worker_is_one_clear_error():
    import signal

    with pytest.raises(RnnlabError, match="a worker process died"):
        in_parallel([lambda: 1, lambda: os.kill(os.getpid(), signal.SIGKILL)], workers=2)


def test_evaluate_twice_with_threads_in_the_parent(seasonal_series):
    import torch

    import rnnlab

    torch.set_num_threads(2)  # OpenMP's pool in the parent must not hang the forked children
    try:
        torch.randn(256, 256) @ torch.randn(256, 256)
        specs = {m: {"model": m, "lags": 12, "train": {"epochs": 5}} for m in ("lstm", "gru")}
        for _ in range(2):
            result = rnnlab.evaluate(seasonal_series, 100, specs, workers=2)
            assert len(result.rows) == 2
    finally:
        torch.set_num_threads(1)


def test_children_inherit_the_default_sigterm_action_and_the_parent_keeps_its_own():
    import signal

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        dispositions = in_parallel([lambda: "here", lambda: signal.getsignal(signal.SIGTERM)], 2)
        assert dispositions == ["here", signal.SIG_DFL]  # a terminated child dies, never unwinds
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)
