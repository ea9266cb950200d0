"""The lecture's LSTM cell against nn.LSTM: same outputs, same gradients, same training; and
each gate line doing what its equation says."""

import pytest
import torch
from torch import nn

from rnnlab.core.cells import (
    TORCH_GATES,
    LectureLSTMCell,
    LSTMFromEquations,
    copy_from_torch,
    copy_to_torch,
)
from rnnlab.core.optim import Adam
from rnnlab.forecast.networks import build_model

B, T, D, H = 3, 7, 2, 5  # batch, steps, input features, hidden units
TOLERANCE = {torch.float64: 1e-6, torch.float32: 1e-5}


def _pair(layers: int, dtype: torch.dtype) -> tuple[nn.LSTM, LSTMFromEquations]:
    torch.manual_seed(0)
    reference = nn.LSTM(D, H, num_layers=layers, batch_first=True).to(dtype)
    ours = LSTMFromEquations(D, H, num_layers=layers).to(dtype)
    with torch.no_grad():  # both biases nonzero, so the mapping must add them
        for p in reference.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    return reference, copy_from_torch(ours, reference)


def _rows(stacked: torch.Tensor, gate: str) -> torch.Tensor:
    k = TORCH_GATES.index(gate)
    return stacked[k * H : (k + 1) * H]  # (H, ...)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("initial_state", [False, True])
def test_outputs_and_gradients_match_nn_lstm(dtype, layers, initial_state):
    reference, ours = _pair(layers, dtype)
    torch.manual_seed(1)
    x = torch.randn(B, T, D, dtype=dtype)  # (B, T, D)
    state = (
        (torch.randn(layers, B, H, dtype=dtype), torch.randn(layers, B, H, dtype=dtype))
        if initial_state
        else None
    )
    weights = torch.randn(B, T, H, dtype=dtype)  # (B, T, H): a loss that reads every output
    results = []
    for net in (reference, ours):
        x_in = x.clone().requires_grad_()
        state_in = tuple(s.clone().requires_grad_() for s in state) if state else None
        out, (h_n, c_n) = net(x_in, state_in)  # (B, T, H), (layers, B, H) x 2
        ((out * weights).sum() + h_n.pow(2).sum() + c_n.pow(3).sum()).backward()
        grads = [x_in.grad, *(s.grad for s in state_in or ())]
        results.append(([out, h_n, c_n], grads))
    tol = TOLERANCE[dtype]
    flat = [outputs + grads for outputs, grads in results]
    for theirs, mine in zip(flat[0], flat[1], strict=True):
        assert theirs.shape == mine.shape
        torch.testing.assert_close(mine, theirs, atol=tol, rtol=0)
    # every parameter: our W's gradient is nn.LSTM's [W_hh | W_ih] rows of that gate; b's is
    # the gradient of either of nn.LSTM's two biases (they enter only as their sum)
    for k, cell in enumerate(ours.cells):
        w_ih, w_hh = getattr(reference, f"weight_ih_l{k}"), getattr(reference, f"weight_hh_l{k}")
        b_ih, b_hh = getattr(reference, f"bias_ih_l{k}"), getattr(reference, f"bias_hh_l{k}")
        for gate, W in (("f", cell.W_f), ("i", cell.W_i), ("g", cell.W_C), ("o", cell.W_o)):
            expected = torch.cat([_rows(w_hh.grad, gate), _rows(w_ih.grad, gate)], dim=1)
            torch.testing.assert_close(W.weight.grad, expected, atol=tol, rtol=0)
            torch.testing.assert_close(W.bias.grad, _rows(b_ih.grad, gate), atol=tol, rtol=0)
            torch.testing.assert_close(W.bias.grad, _rows(b_hh.grad, gate), atol=tol, rtol=0)


def test_copy_to_torch_is_the_reverse_mapping():
    torch.manual_seed(0)
    ours = LSTMFromEquations(D, H, num_layers=2).double()
    with torch.no_grad():
        for p in ours.parameters():
            p.copy_(torch.randn_like(p))
    reference = copy_to_torch(nn.LSTM(D, H, num_layers=2, batch_first=True).double(), ours)
    x = torch.randn(B, T, D, dtype=torch.float64)  # (B, T, D)
    torch.testing.assert_close(ours(x)[0], reference(x)[0], atol=1e-12, rtol=0)
    back = copy_from_torch(LSTMFromEquations(D, H, num_layers=2).double(), reference)
    for a, b in zip(back.parameters(), ours.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-15, rtol=0)
    with pytest.raises(ValueError, match="the LSTMs differ"):
        copy_from_torch(LSTMFromEquations(D, H + 1), nn.LSTM(D, H))


def test_a_drop_in_for_nn_lstm():
    torch.manual_seed(0)
    ours = LSTMFromEquations(D, H, num_layers=2, dropout=0.5, batch_first=True)
    x = torch.randn(B, T, D)  # (B, T, D)
    out, (h_n, c_n) = ours(x)
    assert out.shape == (B, T, H) and h_n.shape == c_n.shape == (2, B, H)
    torch.testing.assert_close(out[:, -1], h_n[-1])  # the last step's output is h_T
    assert not torch.allclose(ours(x)[0], out)  # dropout between layers, in training
    ours.eval()
    torch.testing.assert_close(ours(x)[0], ours(x)[0])
    with pytest.raises(ValueError, match="batch_first=True only"):
        LSTMFromEquations(D, H, batch_first=False)


def test_same_seed_same_start_as_nn_lstm():
    """Under one seed the from-equations network starts as the function nn.LSTM starts as, and
    draws as many random numbers, so what is built after it (a head) starts the same too."""
    networks = {}
    for name in ("lstm", "lstm_scratch"):
        torch.manual_seed(3)
        _, networks[name] = build_model(name, lags=12, hidden=H, layers=2, horizon=3)
    x = torch.randn(B, 12, 1)  # (B, T, 1)
    with torch.no_grad():
        torch.testing.assert_close(networks["lstm_scratch"](x), networks["lstm"](x))
    torch.testing.assert_close(networks["lstm_scratch"].head.weight, networks["lstm"].head.weight)


# --------------------------------------------------------------------------- one gate at a time

BIG = 50.0  # σ(50) = 1 and σ(-50) = 0 in float64 (to 2e-22)


def _hand_set(cell: LectureLSTMCell, f: float, i: float, o: float) -> LectureLSTMCell:
    """Gates f, i, o fixed open (BIG) or shut (-BIG) by their biases alone; C̃ reads x."""
    with torch.no_grad():
        for W, bias in ((cell.W_f, f), (cell.W_i, i), (cell.W_o, o)):
            W.weight.zero_()
            W.bias.fill_(bias)
    return cell


def test_forget_1_input_0_carries_the_cell_state_unchanged():
    torch.manual_seed(0)
    cell = _hand_set(LectureLSTMCell(D, H).double(), f=BIG, i=-BIG, o=BIG)
    C_0 = torch.randn(B, H, dtype=torch.float64)  # (B, H)
    h, C = torch.zeros(B, H, dtype=torch.float64), C_0
    for _ in range(20):
        h, C = cell(torch.randn(B, D, dtype=torch.float64) * 10, (h, C))  # (B, H) x 2
    torch.testing.assert_close(C, C_0, atol=1e-12, rtol=0)
    torch.testing.assert_close(h, torch.tanh(C_0), atol=1e-12, rtol=0)  # o = 1: h = tanh(C)


def test_forget_0_input_1_forgets_and_writes_the_candidate():
    torch.manual_seed(0)
    cell = _hand_set(LectureLSTMCell(D, H).double(), f=-BIG, i=BIG, o=-BIG)
    h_prev = torch.randn(B, H, dtype=torch.float64)  # (B, H)
    x_t = torch.randn(B, D, dtype=torch.float64)  # (B, D)
    candidate = torch.tanh(cell.W_C(torch.cat([h_prev, x_t], dim=1)))  # (B, H): C̃_t
    for C_prev in (torch.zeros(B, H), torch.randn(B, H) * 100):  # whatever it held is gone
        h_t, C_t = cell(x_t, (h_prev, C_prev.double()))
        torch.testing.assert_close(C_t, candidate, atol=1e-12, rtol=0)
        torch.testing.assert_close(h_t, torch.zeros_like(h_t), atol=1e-12, rtol=0)  # o = 0


def test_each_w_reads_h_before_x():
    """[h_{t-1}, x_t]: a W whose first H columns are zero does not see h_{t-1}."""
    torch.manual_seed(0)
    cell = _hand_set(LectureLSTMCell(D, H).double(), f=-BIG, i=BIG, o=BIG)
    with torch.no_grad():
        cell.W_C.weight[:, :H] = 0.0  # the columns that weigh h_{t-1}
    x_t, C_prev = torch.randn(B, D, dtype=torch.float64), torch.zeros(B, H, dtype=torch.float64)
    one = cell(x_t, (torch.randn(B, H, dtype=torch.float64), C_prev))
    other = cell(x_t, (torch.randn(B, H, dtype=torch.float64), C_prev))
    torch.testing.assert_close(one, other)
    expected = torch.tanh(x_t @ cell.W_C.weight[:, H:].T + cell.W_C.bias)  # (B, H)
    torch.testing.assert_close(one[1], expected)


# --------------------------------------------------------------------------- training


def test_trains_the_same_as_nn_lstm():
    """Same weights, same data, same Adam steps: the losses stay equal. nn.LSTM keeps two biases
    a gate where the lecture has one b; Adam would move each by its own step, so their sum twice
    as fast: here nn.LSTM's second bias is held at zero, leaving the lecture's one b."""
    torch.manual_seed(0)
    x = torch.randn(32, 12, 1)  # (B, T, 1)
    y = x[:, -3:, 0] + 0.5 * x[:, :3, 0]  # (B, 3): a target that needs memory
    networks = {}
    for name in ("lstm", "lstm_scratch"):
        torch.manual_seed(1)
        _, networks[name] = build_model(name, lags=12, hidden=8, layers=2, horizon=3)
    reference, ours = networks["lstm"], networks["lstm_scratch"]
    copy_to_torch(reference.rnn, ours.rnn)  # the whole b in bias_ih, bias_hh = 0
    reference.head.load_state_dict(ours.head.state_dict())
    for k in range(2):
        getattr(reference.rnn, f"bias_hh_l{k}").requires_grad_(False)
    losses = {}
    for name, net in networks.items():
        optimizer = Adam(net.parameters(), lr=0.01)  # rnnlab's; it skips frozen parameters
        losses[name] = []
        for _ in range(30):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(net(x), y)
            loss.backward()
            optimizer.step()
            losses[name].append(loss.item())
    assert losses["lstm"][-1] < 0.8 * losses["lstm"][0]  # it learned something
    for step, (theirs, mine) in enumerate(zip(losses["lstm"], losses["lstm_scratch"], strict=True)):
        assert abs(theirs - mine) < 1e-5, f"step {step}: {theirs} vs {mine}"
