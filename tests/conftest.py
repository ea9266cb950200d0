"""Shared fixtures: small synthetic series and the path to ../shared/data."""

from __future__ import annotations

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
