"""The lab: the lecture's gradient product measured, the memory task, and both CLI commands."""

import json
import math

import numpy as np
import pytest
import torch

from rnnlab.cli import main
from rnnlab.errors import RnnlabError
from rnnlab.lab import gradients, memory
from rnnlab.lab.rnn import VanillaRNN, VanillaRNNConfig, make_cell

# ------------------------------------------------------------------------------ gradients


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.5])
def test_vanilla_rnn_has_the_requested_spectral_radius(radius):
    rnn = VanillaRNN(VanillaRNNConfig(hidden=24, radius=radius, seed=3))
    eigenvalues = torch.linalg.eigvals(rnn.W_rec.detach()).abs()
    assert eigenvalues.max().item() == pytest.approx(radius, rel=1e-9)


@pytest.mark.parametrize("radius", [0.5, 1.5])
def test_linear_regime_gives_rho_to_the_lag(radius):
    """Zero input and zero state keep tanh' = 1: dh_T/dh_k = W_rec^lag exactly; for a normal
    W_rec (a scaled orthogonal matrix) its spectral norm is rho^lag."""
    rnn = VanillaRNN(VanillaRNNConfig(hidden=16, radius=radius))
    w = torch.randn(16, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    q, _ = torch.linalg.qr(w)  # (H, H) orthogonal
    with torch.no_grad():
        rnn.W_rec.copy_(radius * q)
    x = torch.zeros(3, 5 + 20, 1, dtype=torch.float64)  # (B, T, 1)
    norms = gradients.jacobian_norms(rnn, x, max_lag=20, burn_in=5)  # (B, 21)
    expected = radius ** np.arange(21)
    np.testing.assert_allclose(norms, np.broadcast_to(expected, norms.shape), rtol=1e-9)
    rate, factor = gradients.fit_rate(np.arange(1, 21), norms[0, 1:])
    assert factor == pytest.approx(radius, rel=1e-9) and rate == pytest.approx(math.log(radius))


def test_autograd_matches_the_lectures_product_off_the_linear_regime():
    rnn = VanillaRNN(VanillaRNNConfig(hidden=16, radius=1.5, input_scale=1.0))
    x = torch.randn(2, 10 + 15, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    measured = gradients.jacobian_norms(rnn, x, max_lag=15, burn_in=10)
    with torch.no_grad():
        pre = rnn(x)[1][:, 10:]  # (B, 15, H)
    by_hand = gradients.product_formula_norms(rnn, pre)
    assert (1 - torch.tanh(pre) ** 2).min() < 0.5  # really saturated somewhere
    np.testing.assert_allclose(measured, by_hand, rtol=1e-9)
    factors = gradients.formula_factors(rnn, pre)
    assert factors["estimate"] <= factors["bound"]


def test_fit_rate_recovers_a_known_rate():
    lags = np.arange(1, 30)
    rate, factor = gradients.fit_rate(lags, 3.0 * 0.8**lags)
    assert rate == pytest.approx(math.log(0.8)) and factor == pytest.approx(0.8)


@pytest.fixture(scope="module")
def small_experiment():
    return gradients.gradient_experiment(
        radii=(0.5, 1.5),
        forget_biases=(3.0,),
        hidden=64,  # RNN(1.5) needs the width to be chaotic: at 32 units it settles and decays
        max_lag=40,
        sequences=4,
        networks=2,
        burn_in=50,
    ).networks


def test_rnn_05_vanishes_and_rnn_15_explodes(small_experiment):
    small, large = small_experiment["rnn_0.5"], small_experiment["rnn_1.5"]
    assert small["rate_per_step"] < 0 < large["rate_per_step"]
    assert small["factor_per_step"] < 0.7 and large["factor_per_step"] > 1.02
    assert np.all(np.diff(small["norms"][5:]) < 0)  # falls at every lag past the first few
    assert small["norms"][40] < 1e-8 and large["norms"][40] > 10
    # the lecture's factors: the product of their norms is an upper bound on the growth
    for row in (small, large):
        assert row["factor_per_step"] <= row["formula"]["bound"] * 1.01
        assert row["formula"]["max_log_gap_to_autograd"] < 1e-8


def test_lstm_with_high_forget_bias_decays_far_slower(small_experiment):
    lstm, rnn = small_experiment["lstm_bf3"], small_experiment["rnn_0.5"]
    assert lstm["factor_per_step"] > 0.85 > 0.7 > rnn["factor_per_step"]
    assert lstm["norms"][40] > 1e6 * rnn["norms"][40]
    # torch's init starts the forget gate at sigma(~0) = 0.5: it forgets about as fast
    assert small_experiment["lstm"]["factor_per_step"] < lstm["factor_per_step"] - 0.2
    assert 0.9 < lstm["formula"]["mean_gate"] < 0.99  # sigma(3) = 0.95


def test_make_cell_sets_the_forget_bias_and_refuses_unknown_cells():
    cell = make_cell("lstm", 2, 5, forget_bias=2.0)
    total = (cell.bias_ih_l0 + cell.bias_hh_l0).detach()  # (4H,): gates i, f, g, o
    assert torch.all(total[5:10] == 2.0) and not torch.all(total[:5] == 2.0)
    with pytest.raises(RnnlabError, match="choose one of: rnn, lstm, gru"):
        make_cell("cnn", 2, 5)


def test_chrono_init_spreads_forget_biases_and_shuts_input_gates():
    cell = make_cell("lstm", 2, 200, chrono=100)
    total = (cell.bias_ih_l0 + cell.bias_hh_l0).detach()  # (4H,): gates i, f, g, o
    forget, input_gate = total[200:400], total[:200]
    assert 0 <= forget.min() and forget.max() <= math.log(99)
    assert forget.max() > math.log(50) and forget.min() < math.log(3)  # memories 1..100 steps
    assert torch.equal(input_gate, -forget)


# --------------------------------------------------------------------------------- memory


def test_recall_batch_target_is_the_first_symbol():
    x, y = memory.recall_batch(50, 7, 5, torch.Generator().manual_seed(1))
    assert x.shape == (50, 7, 6) and y.shape == (50,)
    assert torch.all(x[..., :5].sum(-1) == 1)  # one symbol per step, one-hot
    assert torch.all(x[:, 0, 5] == 1) and torch.all(x[:, 1:, 5] == 0)  # the start mark
    assert torch.equal(y, x[:, 0, :5].argmax(-1))
    assert not torch.equal(y, x[:, -1, :5].argmax(-1))  # not the last one
    assert set(y.tolist()) == set(range(5))


def test_tiny_memory_run_learns_above_chance():
    config = memory.RecallConfig(cell="lstm", length=5, hidden=16, batch=64, steps=150, lr=1e-2)
    result = memory.train_recall(config)
    assert result["accuracy"] > 0.6  # chance is 0.25
    assert result["steps"] <= 150


# ------------------------------------------------------------------------------------ CLI


def test_lab_gradients_writes_the_run_directory(tmp_path, capsys):
    out = tmp_path / "grad"
    args = [
        "--hidden",
        "8",
        "--max-lag",
        "12",
        "--sequences",
        "2",
        "--networks",
        "2",
        "--burn-in",
        "5",
    ]
    assert main(["lab", "gradients", "--out", str(out), "--quiet", *args]) == 0
    printed = capsys.readouterr().out
    assert "RNN rho=0.5" in printed and "LSTM b_f=3" in printed
    names = {p.name for p in out.iterdir()}
    assert names == {"config.json", "metrics.json", "report.html", "gradients.png", "norms.csv"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["networks"]) == {
        "rnn_0.5",
        "rnn_1",
        "rnn_1.5",
        "lstm",
        "lstm_bf1",
        "lstm_bf3",
        "gru",
    }
    assert "per step" in metrics["networks"]["rnn_0.5"]["finding"]
    config = json.loads((out / "config.json").read_text())
    assert config["rerun"].startswith("rnnlab lab gradients") and "torch" in config["versions"]
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 1 and "shrinks by a factor" in page


def test_lab_memory_writes_the_run_directory(tmp_path, capsys):
    out = tmp_path / "mem"
    args = ["--lags", "5,3", "--cells", "rnn,lstm", "--steps", "20", "--hidden", "8"]
    assert main(["lab", "memory", "--out", str(out), "--tries", "2", "--quiet", *args]) == 0
    assert "chance 25%" in capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    assert names == {"config.json", "metrics.json", "report.html", "memory.png", "accuracy.csv"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["runs"]) == {"rnn", "lstm"} and list(metrics["runs"]["rnn"]) == ["3", "5"]
    lstm = metrics["runs"]["lstm"]["5"]
    assert [t["seed"] for t in lstm["tries"]] == [0, 1]
    assert lstm["accuracy"] == pytest.approx(np.mean([t["accuracy"] for t in lstm["tries"]]))
    assert len(metrics["findings"]) == 2 and "chrono" in metrics["lstm_init"]
    assert len((out / "accuracy.csv").read_text().splitlines()) == 1 + 2 * 2 * 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["memory", "--lags", "0"], "--lags: every value must be at least 1"),
        (["memory", "--lags", "abc"], "--lags: expected numbers separated by commas"),
        (["memory", "--cells", "rnn,cnn"], "unknown cell 'cnn'"),
        (["gradients", "--radii", "0.5,-1"], "--radii: every value must be above 0"),
    ],
)
def test_bad_lab_flags_are_one_line_exit_2(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["lab", *argv, "--out", str(tmp_path / "run")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()
