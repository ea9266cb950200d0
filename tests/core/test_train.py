import pytest
import torch

from rnnlab.core.optim import Adam
from rnnlab.core.train import TensorWindows, TrainConfig, learning_rate, seed_everything, train
from rnnlab.errors import RnnlabError
from rnnlab.forecast.networks import build_model


def test_adam_matches_torch_adam():
    seed_everything(0)
    _, ours = build_model("lstm", lags=4, hidden=5)
    _, reference = build_model("lstm", lags=4, hidden=5)
    reference.load_state_dict(ours.state_dict())
    x, y = torch.randn(16, 4, 1), torch.randn(16, 1)
    opt_ours = Adam(ours.parameters(), lr=0.01, weight_decay=0.01)
    opt_ref = torch.optim.Adam(reference.parameters(), lr=0.01, weight_decay=0.01)
    for _ in range(25):
        for model, opt in ((ours, opt_ours), (reference, opt_ref)):
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
    for a, b in zip(ours.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-5)


def _data():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(60, 5, generator=g)
    return x, x[:, -1:] * 0.5 + 0.1 * torch.randn(60, 1, generator=g)


def _fit(**config):
    seed_everything(0)
    _, model = build_model("fc", lags=5, hidden=(8,))
    x, y = _data()
    config = TrainConfig(**config)
    return model, train(model, TensorWindows(x, y, config), config)


def test_same_seed_same_numbers():
    _, first = _fit(epochs=50)
    _, second = _fit(epochs=50)
    assert first.train_loss == second.train_loss and first.val_loss == second.val_loss


def test_early_stopping_restores_the_best_weights():
    model, result = _fit(epochs=500, patience=5, lr=0.05)
    assert result.epochs == result.best_epoch + 5 < 500
    x, y = _data()
    with torch.no_grad():
        val = torch.nn.functional.mse_loss(model(x[48:]), y[48:]).item()  # the 20% tail
    assert val == pytest.approx(result.val_loss[result.best_epoch - 1], rel=1e-5)


def test_lecture_setting_training_loss_patience_one():
    _, result = _fit(epochs=500, monitor="train", patience=1, min_delta=0.0)
    assert all(v != v for v in result.val_loss)  # no validation: NaN
    assert result.train_loss[-1] >= result.train_loss[-2]  # stopped at the first non-improvement
    assert all(a > b for a, b in zip(result.train_loss[:-2], result.train_loss[1:-1], strict=True))


def test_patience_counts_only_real_progress():
    _, result = _fit(epochs=2000, monitor="train", patience=10, min_delta=0.01)
    losses = result.train_loss
    # no epoch in the last ten improved on the loss ten epochs before by more than 1%
    assert all(losses[-i] > 0.99 * min(losses[:-10]) for i in range(1, 11))
    assert result.epochs < 2000


def test_minibatches():
    _, full = _fit(epochs=30, monitor="train")
    _, mini = _fit(epochs=30, monitor="train", batch_size=8)
    assert mini.train_loss[-1] < full.train_loss[0] and mini.train_loss != full.train_loss


def test_too_few_windows_for_validation():
    seed_everything(0)
    _, model = build_model("fc", lags=2)
    with pytest.raises(RnnlabError, match="only 2 training windows"):
        TensorWindows(torch.randn(2, 2), torch.randn(2, 1), TrainConfig())


def test_cosine_schedule_warms_up_then_decays():
    config = TrainConfig(lr=0.1, schedule="cosine")
    assert learning_rate(config, 0.0) == 0.0
    assert learning_rate(config, 0.05) == pytest.approx(0.1)
    assert learning_rate(config, 0.525) == pytest.approx(0.05)
    assert learning_rate(config, 1.0) == pytest.approx(0.0, abs=1e-12)
    assert learning_rate(TrainConfig(lr=0.1), 0.7) == 0.1


def test_mae_loss_and_minibatches_cover_every_window():
    x, y = _data()
    data = TensorWindows(x, y, TrainConfig(batch_size=7))
    batches = list(data.batches(torch.Generator().manual_seed(0)))
    assert sum(len(b[0]) for b in batches) == 48 and data.steps_per_epoch() == 7
    _, result = _fit(epochs=20, loss="mae")
    assert result.train_loss[-1] < result.train_loss[0]


def test_training_options_are_checked_and_divergence_is_caught():
    with pytest.raises(RnnlabError, match="0 < lr < 10"):
        TrainConfig(lr=float("nan"))
    with pytest.raises(RnnlabError, match="epochs >= 1; batch_size >= 0"):
        TrainConfig(epochs=0, batch_size=-5)
    with pytest.raises(RnnlabError, match="training diverged"):
        _diverge()


def _diverge():
    seed_everything(0)
    _, model = build_model("fc", lags=5, hidden=(8,))
    x, y = _data()
    config = TrainConfig(epochs=5)
    train(model, TensorWindows(x, y * float("inf"), config), config)


def test_monitor_train_keeps_the_weights_the_best_loss_was_measured_on():
    model, result = _fit(epochs=300, monitor="train", patience=1, min_delta=0.0, lr=0.3)
    x, y = _data()
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(model(x), y).item()
    assert loss == pytest.approx(min(result.train_loss), rel=1e-5)


def test_keep_last_returns_the_weights_training_ended_with():
    seed_everything(0)
    _, model = build_model("fc", lags=5, hidden=(8,))
    x, y = _data()
    config = TrainConfig(epochs=3, monitor="train", keep="last", lr=0.05)
    result = train(model, TensorWindows(x, y, config), config)
    with torch.no_grad():
        final = torch.nn.functional.mse_loss(model(x), y).item()
    # one full-batch step per epoch: the final weights have taken all three steps, so their
    # loss is below the third epoch's, measured on the weights before its step
    assert final < result.train_loss[-1]
    with pytest.raises(RnnlabError, match="keep in"):
        TrainConfig(keep="first")
