"""One harness over the global models: every network and multi-step strategy fits a panel and
forecasts it, and learns a clean seasonal pattern better than naive."""

import numpy as np
import pytest
import torch

from rnnlab.data.panel import panel_from_arrays
from rnnlab.errors import RnnlabError
from rnnlab.forecast.global_model import STRATEGIES, GlobalForecaster
from rnnlab.forecast.networks import NEURAL

HORIZON = 6
CASES = [
    *[(name, "direct", {}) for name in NEURAL],
    ("fc", "recursive", {}),
    ("gru", "recursive", {}),
    ("seq2seq", "direct", {"cell": "gru"}),
]


def panel(n=4, length=72):
    t = np.arange(length)
    arrays = [(5 + i) * (1 + 0.3 * np.sin(2 * np.pi * t / 12)) for i in range(n)]
    return panel_from_arrays([f"s{i}" for i in range(n)], arrays, season=12)


def test_the_harness_covers_every_network_and_strategy():
    assert {name for name, _, _ in CASES} == set(NEURAL)
    assert {strategy for _, strategy, _ in CASES} == set(STRATEGIES)


@pytest.mark.parametrize(("model", "strategy", "options"), CASES)
def test_every_global_model_learns_a_seasonal_panel(model, strategy, options):
    train, actual = panel().split_last(HORIZON)
    forecaster = GlobalForecaster(
        seed=0, model=model, strategy=strategy, horizon=HORIZON, input_size=24, ensemble=1,
        hidden=32, layers=1, steps_per_epoch=20, train={"epochs": 8, "lr": 1e-2}, **options,
    ).fit(train, workers=1)  # fmt: skip
    forecast = forecaster.predict(train)
    assert forecast.shape == (4, HORIZON) and np.isfinite(forecast).all()
    naive = np.repeat(train.flat[train.offsets[1:] - 1][:, None], HORIZON, axis=1)
    assert np.abs(forecast - actual).mean() < 0.5 * np.abs(naive - actual).mean()
    losses = forecaster.results_[0].train_loss
    assert losses[-1] < losses[0]
    config = forecaster.resolved_config()
    assert config["strategy"] == strategy and config["model_configs"][0]["horizon"] == (
        1 if strategy == "recursive" else HORIZON
    )


def test_recursive_feeds_its_own_forecasts_back():
    train, _ = panel().split_last(HORIZON)
    f = GlobalForecaster(
        seed=0, strategy="recursive", horizon=HORIZON, input_size=12, ensemble=1, hidden=8,
        layers=1, normalize="none", train={"epochs": 1},
    ).fit(train, workers=1)  # fmt: skip
    x = torch.from_numpy(np.stack([train.series(i)[-12:] for i in range(len(train))]))
    out = f.predict_windows(x)  # (n, H)
    one_step = f.members_[0]
    with torch.no_grad():
        first = one_step(x).numpy()[:, 0]
        slid = torch.cat([x[:, 1:], torch.from_numpy(out[:, :1]).float()], dim=1)
        second = one_step(slid).numpy()[:, 0]
    np.testing.assert_allclose(out[:, 0], first, rtol=1e-5)
    np.testing.assert_allclose(out[:, 1], second, rtol=1e-5)


def test_predict_windows_matches_predict_at_the_end_and_refuses_short_windows():
    train, _ = panel().split_last(HORIZON)
    f = GlobalForecaster(seed=0, horizon=HORIZON, input_size=12, ensemble=2, hidden=8, layers=1)
    f.set_params(train={"epochs": 1})
    f.fit(train, workers=1)
    x = torch.from_numpy(np.stack([train.series(i)[-20:] for i in range(len(train))]))
    np.testing.assert_allclose(f.predict_windows(x), f.predict(train), rtol=1e-6)
    with pytest.raises(RnnlabError, match="windows of 5 values; this model reads 12"):
        f.predict_windows(x[:, -5:])
    with pytest.raises(RnnlabError, match="unknown strategy 'teacher'"):
        GlobalForecaster(strategy="teacher").fit(train)  # checked in fit, not in __init__


@pytest.mark.parametrize(
    ("model", "train", "batch"),
    [("fc", {}, 1024), ("lstm", {}, 128), ("seq2seq", {}, 256), ("gru", {"batch_size": 512}, 512)],
)
def test_recurrent_networks_train_on_smaller_batches_unless_told(model, train, batch):
    lengths = [600] * 4  # enough windows that no batch is capped by their number
    arrays = [np.sin(np.arange(n) / 3.0) + 2 for n in lengths]
    data = panel_from_arrays([f"s{i}" for i in range(4)], arrays, season=12)
    f = GlobalForecaster(
        seed=0, model=model, horizon=3, input_size=6, ensemble=1, hidden=4, layers=1,
        steps_per_epoch=1, train={"epochs": 1, **train},
    ).fit(data, workers=1)  # fmt: skip
    assert f.train_config_["batch_size"] == batch
