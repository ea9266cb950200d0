"""One harness over the neural registry: shapes, a backward pass, and overfitting one batch."""

import pytest
import torch

from rnnlab.data.windows import to_layout
from rnnlab.errors import RnnlabError
from rnnlab.models.neural import NEURAL, build_model, model_layout
from rnnlab.train import TensorWindows, TrainConfig, seed_everything, train

CASES = [
    ("fc", {"hidden": (12,)}),
    ("fc", {"hidden": (16, 8), "dropout": 0.1}),
    *[
        (cell, {"layout": layout})
        for cell in ("rnn", "lstm", "gru")
        for layout in ("timesteps", "features")
    ],
    ("lstm", {"layers": 2, "dropout": 0.2, "hidden": 8}),  # a deep (stacked) RNN
]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_shapes_and_backward(name, options):
    seed_everything(0)
    config, model = build_model(name, lags=12, horizon=3, **options)
    x = to_layout(torch.randn(5, 12), model_layout(config))
    out = model(x)
    assert out.shape == (5, 3)
    out.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


@pytest.mark.parametrize(("name", "options"), CASES)
def test_overfits_a_tiny_batch(name, options):
    seed_everything(0)
    config, model = build_model(name, lags=6, **{**options, "dropout": 0.0})
    x = torch.randn(8, 6)
    y = x.sum(dim=1, keepdim=True) / 3  # a learnable target
    before = torch.nn.functional.mse_loss(model(to_layout(x, model_layout(config))), y).item()
    cfg = TrainConfig(epochs=400, lr=0.03, monitor="train", patience=400)
    result = train(model, TensorWindows(to_layout(x, model_layout(config)), y, cfg), cfg)
    assert result.train_loss[result.best_epoch - 1] < 0.02 * before


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(RnnlabError, match="unknown neural model 'transformer'; choose one of: fc"):
        build_model("transformer")
    with pytest.raises(RnnlabError, match="layout timesteps or features, not 'flat'"):
        build_model("lstm", layout="flat")
    assert set(NEURAL) == {"fc", "rnn", "lstm", "gru"}


def test_lecture_sizes():
    _, fc = build_model("fc", lags=12, hidden=(12,))
    assert [tuple(p.shape) for p in fc.parameters()] == [(12, 12), (12,), (1, 12), (1,)]
    _, lstm = build_model("lstm", lags=12, layout="timesteps", hidden=6)
    assert lstm.rnn.input_size == 1 and lstm.rnn.hidden_size == 6
    _, lstm = build_model("lstm", lags=12, layout="features", hidden=6)
    assert lstm.rnn.input_size == 12
