"""The LSTM cell from the lecture's slides, one line per equation, and a stack of it over time.

With [h_{t-1}, x_t] the previous hidden state and the current input concatenated:

    f_t  = σ(W_f·[h_{t-1}, x_t] + b_f)        forget gate: how much of C_{t-1} to keep
    i_t  = σ(W_i·[h_{t-1}, x_t] + b_i)        input gate: how much of the candidate to write
    C̃_t  = tanh(W_C·[h_{t-1}, x_t] + b_C)     candidate values
    C_t  = f_t * C_{t-1} + i_t * C̃_t          the cell state: an additive path through time
    o_t  = σ(W_o·[h_{t-1}, x_t] + b_o)        output gate
    h_t  = o_t * tanh(C_t)                    the hidden state, read by the next layer and step

References: Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation 1997; the
forget gate f_t from Gers, Schmidhuber & Cummins, "Learning to Forget", Neural Computation 2000;
the notation as in C. Olah, "Understanding LSTM Networks" (colah.github.io, 2015).

`LSTMFromEquations` unrolls time in a plain Python loop: slower than `nn.LSTM` (one fused
kernel) but the same function. `copy_from_torch` maps an `nn.LSTM`'s weights onto it, so the two
can be checked against each other (tests/core/test_lstm_cell.py).

`CELLS` is the one cell registry: every room builds its recurrent layers through `cell_class`.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnlab.core import CELL_NAMES
from rnnlab.errors import RnnlabError

TORCH_GATES = ("i", "f", "g", "o")  # nn.LSTM stacks its gates' rows in this order; g is C̃


class LectureLSTMCell(nn.Module):
    """One step of the lecture's LSTM: (x_t, (h_{t-1}, C_{t-1})) -> (h_t, C_t)."""

    def __init__(self, input_size: int, hidden: int):
        super().__init__()
        self.input_size, self.hidden = input_size, hidden
        # each W reads [h_{t-1}, x_t]: its first `hidden` columns weigh h_{t-1}, the rest x_t;
        # each Linear's bias is that gate's b
        self.W_f = nn.Linear(hidden + input_size, hidden)
        self.W_i = nn.Linear(hidden + input_size, hidden)
        self.W_C = nn.Linear(hidden + input_size, hidden)
        self.W_o = nn.Linear(hidden + input_size, hidden)

    def forward(
        self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h_prev, C_prev = state  # (B, H), (B, H)
        h_x = torch.cat([h_prev, x_t], dim=1)  # (B, H + I): [h_{t-1}, x_t]
        f_t = torch.sigmoid(self.W_f(h_x))  # (B, H)
        i_t = torch.sigmoid(self.W_i(h_x))  # (B, H)
        C_tilde = torch.tanh(self.W_C(h_x))  # (B, H)
        C_t = f_t * C_prev + i_t * C_tilde  # (B, H)
        o_t = torch.sigmoid(self.W_o(h_x))  # (B, H)
        h_t = o_t * torch.tanh(C_t)  # (B, H)
        return h_t, C_t


class LSTMFromEquations(nn.Module):
    """Stacked `LectureLSTMCell`s over a (B, T, I) sequence: a drop-in for
    `nn.LSTM(input_size, hidden_size, num_layers, dropout=..., batch_first=True)`, returning
    `(out (B, T, H), (h_n, c_n))` with h_n, c_n (layers, B, H), from an optional initial state.

    It starts from the weights `nn.LSTM` would draw from the same random state (mapped onto the
    four W's), so under one seed both networks begin as the same function."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        dropout: float = 0.0,
        batch_first: bool = True,
    ):
        super().__init__()
        if not batch_first:
            raise ValueError("LSTMFromEquations reads (B, T, I): batch_first=True only")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        with torch.random.fork_rng(devices=[]):  # their own draws are overwritten just below
            self.cells = nn.ModuleList(
                LectureLSTMCell(input_size if k == 0 else hidden_size, hidden_size)
                for k in range(num_layers)
            )
        copy_from_torch(self, nn.LSTM(input_size, hidden_size, num_layers, batch_first=True))
        self.dropout = nn.Dropout(dropout)  # between layers, as nn.LSTM: not after the last

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        B, T, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.num_layers, B, self.hidden_size)  # (layers, B, H)
            state = (zeros, zeros)
        h_0, C_0 = state  # (layers, B, H) each
        h_n, C_n = [], []
        for k, cell in enumerate(self.cells):  # layer k reads layer k - 1's whole sequence
            h, C = h_0[k], C_0[k]  # (B, H)
            outputs = []
            for t in range(T):
                h, C = cell(x[:, t], (h, C))  # (B, H), (B, H)
                outputs.append(h)
            x = torch.stack(outputs, dim=1)  # (B, T, H)
            if k < self.num_layers - 1:
                x = self.dropout(x)  # (B, T, H)
            h_n.append(h)
            C_n.append(C)
        return x, (torch.stack(h_n), torch.stack(C_n))  # (B, T, H), ((layers, B, H) x 2)


# --------------------------------------------------------------------------- weight mapping


def _check_alike(ours: LSTMFromEquations, lstm: nn.LSTM) -> None:
    sizes = (lstm.input_size, lstm.hidden_size, lstm.num_layers)
    if sizes != (ours.input_size, ours.hidden_size, ours.num_layers):
        raise ValueError(
            f"the LSTMs differ: nn.LSTM has (input, hidden, layers) {sizes}, ours "
            f"{(ours.input_size, ours.hidden_size, ours.num_layers)}"
        )
    if not lstm.bias or lstm.proj_size or lstm.bidirectional:
        raise ValueError("only an nn.LSTM with biases, no projection, one direction maps")


def _gate_rows(weight: torch.Tensor, gate: str) -> torch.Tensor:
    """The rows of one gate in nn.LSTM's stacked (4H, ...) weight or (4H,) bias."""
    H = weight.shape[0] // 4
    k = TORCH_GATES.index(gate)
    return weight[k * H : (k + 1) * H]  # (H, ...)


@torch.no_grad()
def copy_from_torch(ours: LSTMFromEquations, lstm: nn.LSTM) -> LSTMFromEquations:
    """Set `ours` to compute what `lstm` computes. nn.LSTM keeps, per layer k, weight_ih_l{k}
    (4H, I) and weight_hh_l{k} (4H, H) with the gates' rows stacked i, f, g, o, and two biases
    whose sum is the lecture's b; the lecture's W reads [h_{t-1}, x_t], so W = [W_hh | W_ih]."""
    _check_alike(ours, lstm)
    for k, cell in enumerate(ours.cells):
        w_ih, w_hh = getattr(lstm, f"weight_ih_l{k}"), getattr(lstm, f"weight_hh_l{k}")
        b = getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}")  # (4H,)
        for gate, W in (("f", cell.W_f), ("i", cell.W_i), ("g", cell.W_C), ("o", cell.W_o)):
            W.weight.copy_(torch.cat([_gate_rows(w_hh, gate), _gate_rows(w_ih, gate)], dim=1))
            W.bias.copy_(_gate_rows(b, gate))  # (H,)
    return ours


@torch.no_grad()
def copy_to_torch(lstm: nn.LSTM, ours: LSTMFromEquations) -> nn.LSTM:
    """The reverse of `copy_from_torch`: the whole bias goes to bias_ih, bias_hh becomes 0."""
    _check_alike(ours, lstm)
    H = ours.hidden_size
    for k, cell in enumerate(ours.cells):
        gates = {"i": cell.W_i, "f": cell.W_f, "g": cell.W_C, "o": cell.W_o}
        W = torch.cat([gates[g].weight for g in TORCH_GATES])  # (4H, H + I), rows i, f, g, o
        getattr(lstm, f"weight_hh_l{k}").copy_(W[:, :H])  # (4H, H)
        getattr(lstm, f"weight_ih_l{k}").copy_(W[:, H:])  # (4H, I)
        getattr(lstm, f"bias_ih_l{k}").copy_(torch.cat([gates[g].bias for g in TORCH_GATES]))
        getattr(lstm, f"bias_hh_l{k}").zero_()
    return lstm


# -------------------------------------------------------------------------------- registry

# rnnlab name -> the recurrent layer; each takes (input_size, hidden, num_layers=, dropout=,
# batch_first=True) and returns (out (B, T, H), state) as torch.nn's do
CELLS = {
    "rnn": nn.RNN,  # tanh
    "lstm": nn.LSTM,
    "gru": nn.GRU,
    "lstm_scratch": LSTMFromEquations,  # the lecture's equations, for reading, not for speed
}
assert tuple(CELLS)[: len(CELL_NAMES)] == CELL_NAMES


def cell_class(name: str, allowed: tuple[str, ...] = CELL_NAMES) -> type[nn.Module]:
    """The recurrent layer called `name`; a name outside `allowed` is one error listing them."""
    if name not in allowed:
        raise RnnlabError(f"unknown cell {name!r}; choose one of: {', '.join(allowed)}")
    return CELLS[name]
