"""Shared fixtures: small synthetic series, the path to ../shared/data, the fuzz tally."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def seasonal_series():
    """Ten years of a monthly series with trend, a yearly season and a little noise."""
    from rnnlab.data.series import make_series

    rng = np.random.default_rng(0)
    t = np.arange(120)
    values = 100 + 0.3 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5, len(t))
    index = pd.date_range("2010-01-01", periods=len(t), freq="MS")
    return make_series(index, values, name="synthetic", source="test")


def pytest_configure(config):
    import torch

    torch.set_num_threads(1)  # tests train tiny models: one thread is faster and repeatable


# --- the fuzz suite (tests/*/test_fuzz_*.py): how many cases ran, printed at the end


@dataclass
class FuzzTally:
    cases: Counter = field(default_factory=Counter)  # property -> examples run
    tracebacks: int = 0  # examples that raised anything but a one-line RnnlabError


FUZZ_TALLY = pytest.StashKey[FuzzTally]()


@pytest.fixture(scope="session")
def fuzz_tally(request) -> FuzzTally:
    return request.config.stash.setdefault(FUZZ_TALLY, FuzzTally())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tally = config.stash.get(FUZZ_TALLY, None)
    if tally is not None:
        ran = sum(tally.cases.values())
        terminalreporter.write_line(f"fuzz: {ran} cases ran, {tally.tracebacks} tracebacks")


@pytest.fixture(scope="session")
def fuzz_folder(tmp_path_factory):
    """Where the fuzz properties write their generated files."""
    return tmp_path_factory.mktemp("fuzz")


def pytest_collection_modifyitems(session, config, items):
    """The check that the fuzz suite ran enough cases runs after every fuzz property."""
    last = [item for item in items if item.name == "test_fuzz_ran_enough_cases"]
    items[:] = [item for item in items if item not in last] + last
