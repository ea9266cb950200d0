"""The lab's Python API: the experiments as functions returning DataFrames, and the CLI on them."""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

import rnnlab.lab
from rnnlab.cli import main
from rnnlab.errors import ParameterError

GRADIENTS = dict(hidden=8, max_lag=12, networks=2, sequences=2, burn_in=5)
MEMORY = dict(lags=(5, 3), cells=("rnn", "lstm"), tries=2, steps=20, hidden=8)


@pytest.fixture(scope="module")
def grads():
    return rnnlab.lab.gradient_experiment(**GRADIENTS)


@pytest.fixture(scope="module")
def memory():
    return rnnlab.lab.memory_experiment(**MEMORY)


def test_the_readme_example():
    grads = rnnlab.lab.gradient_experiment(hidden=16, max_lag=30, networks=1, sequences=2)
    assert list(grads.table.columns) == [
        "network", "factor_per_step", "rate_per_step", "lag_10", "lag_30",
        "predicted_per_step", "bound",
    ]  # fmt: skip
    assert grads.table.loc["rnn_0.5", "factor_per_step"] < 1  # rho = 0.5: it vanishes
    memory = rnnlab.lab.memory_experiment(lags=(5, 10), cells=("rnn", "lstm"), tries=1, steps=50)
    grid = memory.table.pivot(index="T", columns="cell", values="accuracy")
    assert grid.shape == (2, 2) and list(grid.index) == [5, 10]
    assert ((grid >= 0) & (grid <= 1)).all().all()


def test_gradient_experiment_returns_the_printed_table(grads):
    table = grads.table
    assert list(table.index) == [
        "rnn_0.5",
        "rnn_1",
        "rnn_1.5",
        "lstm",
        "lstm_bf1",
        "lstm_bf3",
        "gru",
    ]
    assert table.index.name == "id" and table.loc["lstm_bf3", "network"] == "LSTM b_f=3"
    row = grads.networks["rnn_1.5"]
    assert table.loc["rnn_1.5", "factor_per_step"] == row["factor_per_step"]
    assert table.loc["rnn_1.5", "bound"] == row["formula"]["bound"]
    assert math.isnan(table.loc["gru", "bound"])  # gated cells: no product of W_rec factors
    assert (
        table.loc["gru", "predicted_per_step"] == grads.networks["gru"]["formula"]["slowest_unit"]
    )
    np.testing.assert_array_equal(
        table["factor_per_step"], np.exp(table["rate_per_step"])
    )  # the factor per step is e^rate
    assert grads.norms.shape == (13, 7) and grads.norms.index.name == "lag"
    assert (grads.norms.iloc[0] == 1).all()  # dh_T/dh_T is the identity
    assert table.loc["rnn_0.5", "lag_12"] == grads.norms.loc[12, "rnn_0.5"]
    assert "shrinks by a factor" in grads.findings["rnn_0.5"] and grads.seconds > 0


def test_the_command_prints_and_writes_what_the_function_returns(grads, tmp_path, capsys):
    argv = ["lab", "gradients", "--out", str(tmp_path / "g"), "--quiet"]
    argv += [f"--{k.replace('_', '-')}={v}" for k, v in GRADIENTS.items()]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"{grads.table.loc['rnn_1', 'factor_per_step']:.3f}" in printed
    metrics = json.loads((tmp_path / "g" / "metrics.json").read_text())
    for name, row in metrics["networks"].items():
        assert row["factor_per_step"] == grads.table.loc[name, "factor_per_step"]
        assert row["finding"] == grads.findings[name]
    norms = pd.read_csv(tmp_path / "g" / "norms.csv", index_col="lag")
    np.testing.assert_allclose(norms, grads.norms, rtol=1e-5)


def test_memory_experiment_returns_the_printed_table(memory):
    assert list(memory.table.columns) == ["cell", "T", "accuracy", "solved", "tries"]
    assert memory.table[["cell", "T"]].values.tolist() == [
        ["rnn", 3], ["rnn", 5], ["lstm", 3], ["lstm", 5]
    ]  # fmt: skip
    assert memory.params["lags"] == (3, 5) and memory.chance == 0.25
    assert list(memory.tries.columns) == [
        "cell", "T", "accuracy", "steps", "final_loss", "seconds", "seed"
    ]  # fmt: skip
    assert len(memory.tries) == 2 * 2 * 2 and set(memory.tries["seed"]) == {0, 1}
    mean = memory.tries.groupby(["cell", "T"], sort=False)["accuracy"].mean()
    np.testing.assert_allclose(memory.table["accuracy"], mean.values)
    assert memory.runs["lstm"][5]["accuracy"] == memory.table["accuracy"].iloc[3]
    assert len(memory.findings) == 2 and memory.findings[0].startswith("rnn: tries that solved")


def test_the_memory_command_writes_what_the_function_returns(memory, tmp_path, capsys):
    argv = ["lab", "memory", "--out", str(tmp_path / "m"), "--quiet", "--lags", "5,3"]
    argv += ["--cells", "rnn,lstm", "--tries", "2", "--steps", "20", "--hidden", "8"]
    assert main(argv) == 0
    assert "0.25" not in capsys.readouterr().err  # quiet: no progress lines
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert metrics["findings"] == memory.findings
    for cell, by_t in memory.runs.items():
        for t, row in by_t.items():
            assert metrics["runs"][cell][str(t)]["accuracy"] == row["accuracy"]


def test_progress_is_called_after_each_try_and_threads_are_restored():
    seen, before = [], torch.get_num_threads()
    rnnlab.lab.memory_experiment(
        lags=(3,), cells=("gru",), tries=2, steps=5, hidden=4, progress=lambda *a: seen.append(a)
    )
    assert [(cell, t, r["seed"]) for cell, t, r in seen] == [("gru", 3, 0), ("gru", 3, 1)]
    assert torch.get_num_threads() == before


@pytest.mark.parametrize(
    ("call", "kwargs", "message"),
    [
        ("gradient_experiment", {"hidden": 0}, "hidden must be a whole number >= 1 (got 0)"),
        ("gradient_experiment", {"radii": (0.5, -1)}, "radii must be a finite number above 0"),
        ("gradient_experiment", {"radii": ()}, "radii must hold at least one value (got none)"),
        ("gradient_experiment", {"burn_in": -1}, "burn_in must be a whole number >= 0 (got -1)"),
        ("memory_experiment", {"lags": (0,)}, "lags must be a whole number >= 1 (got 0)"),
        ("memory_experiment", {"cells": ("rnn", "cnn")}, "unknown cell 'cnn' in cells"),
        ("memory_experiment", {"symbols": 1}, "symbols must be a whole number >= 2 (got 1)"),
        ("memory_experiment", {"lr": 0}, "lr must be a finite number above 0 (got 0)"),
        ("memory_experiment", {"lstm_init": "x"}, "lstm_init must be chrono, torch or a forget"),
        ("memory_experiment", {"lags": "10,20"}, "lags must be a list of values (got '10,20')"),
    ],
)
def test_a_bad_parameter_is_a_parameter_error_naming_it(call, kwargs, message):
    with pytest.raises(ParameterError) as err:
        getattr(rnnlab.lab, call)(**kwargs)
    assert str(err.value).startswith(message) and err.value.name == next(iter(kwargs))


def test_importing_the_lab_loads_no_torch():
    code = "import sys, rnnlab.lab; rnnlab.lab.__all__; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
