"""One harness over the neural registry: shapes, a backward pass, and overfitting one batch."""

import pytest
import torch

from rnnlab.core.train import TensorWindows, TrainConfig, seed_everything, train
from rnnlab.data.windows import to_layout
from rnnlab.errors import RnnlabError
from rnnlab.forecast.networks import NEURAL, build_model, model_layout

CASES = [
    ("fc", {"hidden": (12,)}),
    ("fc", {"hidden": (16, 8), "dropout": 0.1}),
    *[
        (cell, {"layout": layout})
        for cell in ("rnn", "lstm", "gru", "lstm_scratch")
        for layout in ("timesteps", "features")
    ],
    ("lstm", {"layers": 2, "dropout": 0.2, "hidden": 8}),  # a deep (stacked) RNN
    ("lstm_scratch", {"layers": 2, "dropout": 0.2, "hidden": 8}),
    ("seq2seq", {"hidden": 8}),  # encoder-decoder, many-to-many
    ("seq2seq", {"cell": "gru", "layers": 2, "dropout": 0.1, "hidden": 8}),
    ("seq2seq", {"cell": "lstm_scratch", "hidden": 8}),
]


def test_the_harness_covers_every_registered_model():
    assert {name for name, _ in CASES} == set(NEURAL)


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
    assert set(NEURAL) == {"fc", "rnn", "lstm", "gru", "lstm_scratch", "seq2seq"}
    with pytest.raises(RnnlabError, match="seq2seq reads layout timesteps, not 'features'"):
        build_model("seq2seq", layout="features")
    with pytest.raises(RnnlabError, match="unknown cell 'tcn'"):
        build_model("seq2seq", cell="tcn")


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru", "lstm_scratch", "seq2seq"])
def test_recurrent_networks_read_known_covariates(name):
    """(B, lags + horizon, 1 + k): values and covariates a row; the future rows' covariates
    must reach the forecast, their (empty) value channel must not."""
    seed_everything(0)
    _, model = build_model(name, lags=8, horizon=3, covariates=2, hidden=6)
    x = torch.randn(4, 11, 3)
    x[:, 8:, 0] = 0.0
    out = model(x)
    assert out.shape == (4, 3)
    out.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
    changed = x.clone()
    changed[:, 9, 1:] += 1.0  # the covariates of the second future step
    with torch.no_grad():
        assert not torch.allclose(model(changed), model(x))
        ignored = x.clone()
        ignored[:, 8:, 0] = 5.0  # the future rows' value channel is not read
        torch.testing.assert_close(model(ignored), model(x))
    with pytest.raises(RnnlabError, match="covariates need the timesteps layout"):
        build_model("lstm", lags=8, covariates=2, layout="features")


def test_seq2seq_decoder_unrolls_one_step_per_forecast_value():
    seed_everything(0)
    _, model = build_model("seq2seq", lags=8, horizon=5, hidden=4)
    x = torch.randn(3, 8, 1)
    out = model(x)
    # the decoder's first input is the last observed value: changing it changes every step
    x2 = x.clone()
    x2[:, -1] += 1.0
    assert out.shape == (3, 5) and not torch.allclose(model(x2)[:, 0], out[:, 0])
    # step h depends only on the window, not on the horizon asked for: a longer unroll
    # repeats the shorter one's first steps
    longer = type(model)(type(model.config)(**{**model.config.__dict__, "horizon": 7}))
    longer.load_state_dict(model.state_dict())
    torch.testing.assert_close(longer(x)[:, :5], out)


def test_lecture_sizes():
    _, fc = build_model("fc", lags=12, hidden=(12,))
    assert [tuple(p.shape) for p in fc.parameters()] == [(12, 12), (12,), (1, 12), (1,)]
    _, lstm = build_model("lstm", lags=12, layout="timesteps", hidden=6)
    assert lstm.rnn.input_size == 1 and lstm.rnn.hidden_size == 6
    _, lstm = build_model("lstm", lags=12, layout="features", hidden=6)
    assert lstm.rnn.input_size == 12
    _, scratch = build_model("lstm_scratch", lags=12, layout="timesteps", hidden=6)
    assert [tuple(p.shape) for p in scratch.rnn.parameters()] == [(6, 7), (6,)] * 4  # W_f..W_o
