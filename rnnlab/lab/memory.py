"""Memory over long lags: name the first of T random symbols after reading all T of them.

`recall_batch` makes the task; `train_recall` trains one network on it for a fixed step budget
and returns its test accuracy; `memory_experiment` does so for every cell, T and seed and
tabulates the result. The LSTM's escape from the vanishing product is its cell,
C_t = f_t*C_{t-1} + i_t*C~_t: along C the factor per step is the forget gate f_t, with no W_rec
and no squashing (Hochreiter & Schmidhuber 1997), so it holds when f_t is near 1. A positive
forget-gate bias starts it there (Gers, Schmidhuber & Cummins 2000; Jozefowicz, Zaremba &
Sutskever 2015 use +1); chrono initialization (Tallec & Ollivier 2018) spreads the units'
memories over 1..T_max steps and keeps their input gates shut.

This room owns its loop rather than using core/train.py: every step draws a fresh batch, the
budget is a number of Adam steps, and it stops early on a held-out accuracy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.core import CELL_NAMES
from rnnlab.core.parallel import one_thread
from rnnlab.errors import ParameterError, shown
from rnnlab.lab import checks
from rnnlab.lab.rnn import make_cell

SOLVED = 0.9  # test accuracy that counts as solving the memory task


def recall_batch(batch: int, length: int, symbols: int, generator: torch.Generator):
    """The long-lag task: `length` random symbols, the first marked; the target is the first.

    Each step is one-hot over K symbols plus a start channel that is 1 at the first step only.
    The later symbols come through the same channels as the first, so a network cannot simply
    shut them out; it must keep the first across all of them. Chance is 1/K.
    """
    seq = torch.randint(symbols, (batch, length), generator=generator)  # (B, T)
    x = F.one_hot(seq, symbols + 1).float()  # (B, T, K + 1), the last channel still all 0
    x[:, 0, symbols] = 1.0  # (B,): the start mark
    return x, seq[:, 0]  # (B, T, K + 1), (B,)


@dataclass
class RecallConfig:
    cell: str = "lstm"
    length: int = 50  # T: how many steps the first symbol must be kept
    symbols: int = 4  # alphabet size K; chance is 1/K
    hidden: int = 32
    batch: int = 64
    steps: int = 1000  # most Adam steps
    lr: float = 5e-3
    forget_bias: float | None = None  # LSTM: this forget-gate bias in every unit, or
    chrono: int | None = None  # LSTM: chrono init for lags up to this; neither: torch's init
    target: float = 0.99  # stop early once a validation batch reaches this accuracy
    check_every: int = 25
    seed: int = 0


class RecallNet(nn.Module):
    """A recurrent cell reading the whole sequence, a linear head on its last state."""

    def __init__(self, config: RecallConfig):
        super().__init__()
        self.rnn = make_cell(
            config.cell, config.symbols + 1, config.hidden, config.forget_bias, config.chrono
        )
        self.head = nn.Linear(config.hidden, config.symbols)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (B, T, H)
        return self.head(out[:, -1])  # (B, K): many-to-one, the answer after the last step


def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    was_training = net.training
    net.eval()
    with torch.no_grad():
        hit = (net(x).argmax(1) == y).float().mean()  # ()
    net.train(was_training)
    return float(hit)


def train_recall(config: RecallConfig) -> dict:
    """Train on fresh batches for at most config.steps Adam steps; test on 1000 new sequences."""
    start = time.perf_counter()
    torch.manual_seed(config.seed)
    net = RecallNet(config)
    data = torch.Generator().manual_seed(config.seed + 1)
    held_out = torch.Generator().manual_seed(config.seed + 10_000)  # never the training stream
    check = recall_batch(512, config.length, config.symbols, held_out)  # for the early stop
    test = recall_batch(1000, config.length, config.symbols, held_out)  # for the table
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    done = 0
    for done in range(1, config.steps + 1):
        x, y = recall_batch(
            config.batch, config.length, config.symbols, data
        )  # (B, T, K + 1), (B,)
        loss = F.cross_entropy(net(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)  # an exploding step cannot wreck it
        optimizer.step()
        if done % config.check_every == 0 and accuracy(net, *check) >= config.target:
            break
    return {
        "accuracy": accuracy(net, *test),
        "steps": done,
        "final_loss": loss.item(),
        "seconds": time.perf_counter() - start,
    }


def run_tries(cells, lengths, tries: int, progress=None, **options) -> dict[str, dict[int, dict]]:
    """train_recall for every cell, length and try (seeds seed, seed + 1, ...); options are
    RecallConfig fields. One try is luck: gradient descent on this task succeeds or stalls on
    a plateau depending on the draw. runs[cell][T] holds the mean test accuracy, how many
    tries solved it, and every try. progress(cell, length, result) is called after each try."""
    seed = options.pop("seed", 0)
    runs = {}
    for cell in cells:
        runs[cell] = {}
        for length in lengths:
            results = []
            for k in range(tries):
                config = RecallConfig(cell=cell, length=length, seed=seed + k, **options)
                if cell != "lstm":
                    config.forget_bias = config.chrono = None
                results.append(train_recall(config) | {"seed": seed + k})
                if progress is not None:
                    progress(cell, length, results[-1])
            accuracies = [r["accuracy"] for r in results]
            runs[cell][length] = {
                "accuracy": float(np.mean(accuracies)),
                "solved": sum(a >= SOLVED for a in accuracies),
                "tries": results,
            }
    return runs


def lstm_options(init: str | float, longest: int) -> dict:
    """RecallConfig fields for an LSTM init: "chrono" (for lags up to `longest`), "torch", or a
    number, the forget-gate bias."""
    if init == "chrono":
        return {"chrono": longest}
    return {} if init == "torch" else {"forget_bias": init}


def memory_findings(runs: dict, tries: int) -> list[str]:
    """Per cell: how many tries solved each T, and from which T on none did."""
    lines = []
    for cell, by_length in runs.items():
        counts = ", ".join(f"T={t} {r['solved']}/{tries}" for t, r in by_length.items())
        never = [
            t for t in by_length if all(by_length[u]["solved"] == 0 for u in by_length if u >= t)
        ]
        text = f"{cell}: tries that solved it (test accuracy >= {SOLVED:.0%}): {counts}."
        if never:
            text += f" None from T = {min(never)} on."
        elif all(r["solved"] == tries for r in by_length.values()):
            text += " Every try solved every T."
        lines.append(text)
    return lines


# ------------------------------------------------------------------------------ the API


@dataclass
class MemoryResult:
    """What `memory_experiment` measured.

    table: one row per cell and T: cell, T, accuracy (mean test accuracy of the tries), solved
      (tries with test accuracy >= SOLVED), tries; `table.pivot(index="T", columns="cell",
      values="accuracy")` is the grid `rnnlab lab memory` prints.
    tries: one row per try: cell, T, accuracy, steps, final_loss, seconds, seed (accuracy.csv).
    runs: the same as nested dicts, runs[cell][T] (metrics.json). findings: a sentence per cell.
    params: the experiment's parameters, lags sorted; chance: 1 / symbols; seconds: wall time.
    """

    table: pd.DataFrame
    tries: pd.DataFrame
    runs: dict
    findings: list[str]
    params: dict
    chance: float
    seconds: float


def memory_experiment(
    *,
    lags=(10, 25, 50, 100, 200),
    cells=("rnn", "lstm"),
    tries: int = 3,
    steps: int = 1000,
    symbols: int = 4,
    hidden: int = 32,
    batch: int = 64,
    lr: float = 5e-3,
    lstm_init: str | float = "chrono",
    seed: int = 0,
    progress=None,
) -> MemoryResult:
    """Train each cell to name the first of T random symbols after reading all T, for every T
    in `lags`, `tries` times (seeds seed, seed + 1, ...), each for at most `steps` Adam steps.
    The parameters are `rnnlab lab memory`'s options. lstm_init: "chrono" (chrono
    initialization for lags up to the longest T), "torch" (torch's init) or a number (that
    forget-gate bias). progress(cell, T, result) is called after each try."""
    lags = tuple(sorted(set(checks.several("lags", lags, lambda n, v: checks.whole(n, v, 1)))))
    cells = tuple(dict.fromkeys(checks.several("cells", cells, _cell)))
    params = {
        "lags": lags, "cells": cells, "tries": checks.whole("tries", tries, 1),
        "steps": checks.whole("steps", steps, 1), "symbols": checks.whole("symbols", symbols, 2),
        "hidden": checks.whole("hidden", hidden, 1), "batch": checks.whole("batch", batch, 1),
        "lr": checks.number("lr", lr, above=0), "lstm_init": _lstm_init(lstm_init),
        "seed": checks.whole("seed", seed, 0),
    }  # fmt: skip
    start = time.perf_counter()
    with one_thread():
        runs = run_tries(
            cells, lags, params["tries"], progress, symbols=params["symbols"],
            hidden=params["hidden"], batch=params["batch"], steps=params["steps"],
            lr=params["lr"], seed=params["seed"], **lstm_options(params["lstm_init"], max(lags)),
        )  # fmt: skip
    seconds = time.perf_counter() - start
    table = pd.DataFrame(
        [
            {"cell": cell, "T": t, "accuracy": r["accuracy"], "solved": r["solved"],
             "tries": len(r["tries"])}
            for cell, by_length in runs.items()
            for t, r in by_length.items()
        ]
    )  # fmt: skip
    every = pd.DataFrame(
        [
            {"cell": cell, "T": t, **one}
            for cell, by_length in runs.items()
            for t, r in by_length.items()
            for one in r["tries"]
        ]
    )
    findings = memory_findings(runs, params["tries"])
    return MemoryResult(table, every, runs, findings, params, 1 / params["symbols"], seconds)


def _cell(name: str, value) -> str:
    if value not in CELL_NAMES:
        got = shown(value)
        raise ParameterError(name, f"unknown cell {got} in {{name}}; choose from rnn, lstm, gru")
    return value


def _lstm_init(value) -> str | float:
    if value in ("chrono", "torch"):
        return value
    if isinstance(value, str):
        got = shown(value)
        raise ParameterError(
            "lstm_init", f"{{name}} must be chrono, torch or a forget-gate bias (got {got})"
        )
    return checks.number("lstm_init", value)
