"""The lecture's vanilla RNN, written out, and the gated cells beside it.

`VanillaRNN` is h_t = tanh(W_rec h_{t-1} + W_in x_t + b) in float64, unrolled in a visible loop,
with W_rec rescaled to a chosen spectral radius (its largest |eigenvalue|): the knob the lecture
turns between vanishing (small W_rec) and exploding (large W_rec) gradients. `make_cell` builds
torch's RNN, LSTM or GRU, with the LSTM's gate biases set when asked (a forget-gate bias, or
chrono initialization); `step` advances any of them by one time step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from rnnlab.core.cells import cell_class


@dataclass
class VanillaRNNConfig:
    hidden: int = 64
    inputs: int = 1
    radius: float = 1.0  # spectral radius of W_rec: its largest |eigenvalue|
    input_scale: float = 0.1  # std of W_in's entries: a small drive, so tanh starts near linear
    seed: int = 0


def spectral_radius(w: torch.Tensor) -> float:
    return float(torch.linalg.eigvals(w).abs().max())


class VanillaRNN(nn.Module):
    """h_t = tanh(W_rec h_{t-1} + W_in x_t + b) in float64, unrolled in a visible loop."""

    def __init__(self, config: VanillaRNNConfig):
        super().__init__()
        g = torch.Generator().manual_seed(config.seed)
        hidden, inputs = config.hidden, config.inputs
        # iid entries of variance 1/H put the eigenvalues in the unit disc (the circular law);
        # the rescaling then sets the largest |eigenvalue| exactly
        w = torch.randn(hidden, hidden, generator=g, dtype=torch.float64) / math.sqrt(hidden)
        self.W_rec = nn.Parameter(w * (config.radius / spectral_radius(w)))  # (H, H)
        w_in = torch.randn(hidden, inputs, generator=g, dtype=torch.float64)  # (H, D)
        self.W_in = nn.Parameter(w_in * config.input_scale)  # (H, D)
        self.b = nn.Parameter(torch.zeros(hidden, dtype=torch.float64))  # (H,)

    def step(self, h: torch.Tensor, x_t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The next state and its pre-activation a_t, the argument of sigma = tanh."""
        a = h @ self.W_rec.T + x_t @ self.W_in.T + self.b  # (B, H)
        return torch.tanh(a), a  # (B, H), (B, H)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None):
        """All states and pre-activations of x (B, T, D), from h (zeros by default)."""
        h = x.new_zeros(x.shape[0], self.W_rec.shape[0]) if h is None else h  # (B, H)
        states, pre = [], []
        for t in range(x.shape[1]):
            h, a = self.step(h, x[:, t])  # (B, H), (B, H)
            states.append(h)
            pre.append(a)
        return torch.stack(states, 1), torch.stack(pre, 1)  # (B, T, H), (B, T, H)


def make_cell(
    name: str,
    inputs: int,
    hidden: int,
    forget_bias: float | None = None,
    chrono: int | None = None,
) -> nn.Module:
    """torch's RNN, LSTM or GRU with torch's init, except for an LSTM's gate biases when asked:
    forget_bias sets every unit's forget-gate bias; chrono=T_max draws them as log U(1, T_max-1)
    with the input-gate bias their negative (Tallec & Ollivier 2018, "chrono initialization"),
    so the units' memories span 1 to T_max steps and a slow unit writes little of each input."""
    cell = cell_class(name)(inputs, hidden, batch_first=True)
    if name == "lstm" and (forget_bias is not None or chrono is not None):
        if chrono is not None:
            b_f = torch.empty(hidden).uniform_(1, max(chrono - 1, 1)).log()  # (H,)
        else:
            b_f = torch.full((hidden,), float(forget_bias))  # (H,)
        with torch.no_grad():  # torch adds two biases per gate, stacked in the order i, f, g, o
            cell.bias_ih_l0[hidden : 2 * hidden] = b_f
            cell.bias_hh_l0[hidden : 2 * hidden] = 0.0
            if chrono is not None:
                cell.bias_ih_l0[:hidden] = -b_f
                cell.bias_hh_l0[:hidden] = 0.0
    return cell


def step(net: nn.Module, state: tuple, x_t: torch.Tensor) -> tuple:
    """One time step of any network here; the state is (h,), or (h, c) for the LSTM."""
    if isinstance(net, VanillaRNN):
        return (net.step(state[0], x_t)[0],)
    if isinstance(net, nn.LSTM):
        _, (h, c) = net(x_t[:, None], (state[0][None], state[1][None]))  # (1, B, H) each
        return h[0], c[0]  # (B, H), (B, H)
    _, h = net(x_t[:, None], state[0][None])  # (1, B, H)
    return (h[0],)  # (B, H)


def hidden_size(net: nn.Module) -> int:
    return net.W_rec.shape[0] if isinstance(net, VanillaRNN) else net.hidden_size


def zero_state(net: nn.Module, batch: int) -> tuple:
    zeros = torch.zeros(batch, hidden_size(net))  # (B, H)
    return (zeros, zeros.clone()) if isinstance(net, nn.LSTM) else (zeros,)
