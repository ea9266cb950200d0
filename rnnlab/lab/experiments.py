"""The lecture's theory made measurable: vanishing and exploding gradients, memory over long lags.

Gradients. The lecture writes how a vanilla RNN's state at time t depends on its state at k as a
product (Pascanu, Mikolov & Bengio 2013, eq. 5, on pre-activations x):
    dx_t/dx_k = prod_{i=k+1..t} W_rec^T diag(sigma'(x_{i-1}))
so the gradient shrinks or grows geometrically with the lag t-k: W_rec small -> vanishing, large
-> exploding (Bengio, Simard & Frasconi 1994). Here the RNN is written on states,
h_t = tanh(a_t), a_t = W_rec h_{t-1} + W_in x_t + b, where the same factors read
dh_T/dh_k = prod_{i=T..k+1} diag(sigma'(a_i)) W_rec. `jacobian_norms` measures ||dh_T/dh_k||
exactly with autograd, for `VanillaRNN` (W_rec rescaled to a chosen spectral radius) and for
torch's LSTM and GRU; `fit_rate` fits the change per step; `product_formula_norms` multiplies the
lecture's factors out by hand, and `formula_factors` says what they predict for the rate.

Memory. `recall_batch` makes the long-lag task "name the first of T random symbols";
`train_recall` trains one network on it for a fixed step budget and returns its test accuracy.
The LSTM's escape from the product is its cell, C_t = f_t*C_{t-1} + i_t*C~_t: along C the factor
per step is the forget gate f_t, with no W_rec and no squashing (Hochreiter & Schmidhuber 1997),
so it holds when f_t is near 1. A positive forget-gate bias starts it there (Gers, Schmidhuber &
Cummins 2000; Jozefowicz, Zaremba & Sutskever 2015 use +1); chrono initialization (Tallec &
Ollivier 2018) spreads the units' memories over 1..T_max steps and keeps their input gates shut.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.core.cells import cell_class

# ------------------------------------------------------------------------ the lecture's RNN


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


def _hidden_size(net: nn.Module) -> int:
    return net.W_rec.shape[0] if isinstance(net, VanillaRNN) else net.hidden_size


# ------------------------------------------------------------------- gradients through time


def jacobian_norms(net: nn.Module, x: torch.Tensor, max_lag: int, burn_in: int) -> np.ndarray:
    """||dh_T/dh_{T-lag}||_2, the spectral norm, for lag = 0..max_lag: (B, max_lag + 1).

    x: (B, burn_in + max_lag, D), one row per sequence. The first burn_in steps, without
    gradients, bring the state onto its typical path, so every lag sees the same regime. Autograd
    gives each Jacobian exactly; the sequences are independent, so a backward pass from unit j
    of every sequence's h_T at once still separates them. For the LSTM, c_k is held fixed: a
    change of h_k reaches h_T through the gates, then through both h and C.
    """
    state = tuple(s.to(x.dtype) for s in _zero_state(net, x.shape[0]))
    with torch.no_grad():
        for t in range(burn_in):
            state = step(net, state, x[:, t])
    state = tuple(s.detach().requires_grad_() for s in state)
    hs = [state[0]]  # h_k for k = T - max_lag .. T
    for t in range(burn_in, burn_in + max_lag):
        state = step(net, state, x[:, t])
        hs.append(state[0])
    batch, hidden = hs[-1].shape
    # one vectorised backward pass per unit j of h_T gives row j of every dh_T/dh_k
    units = torch.eye(hidden, dtype=x.dtype)[:, None].expand(hidden, batch, hidden)  # (H, B, H)
    grads = torch.autograd.grad(hs[-1], hs[:-1], grad_outputs=units, is_grads_batched=True)
    jac = torch.stack(grads, 2).permute(1, 2, 0, 3)  # (B, max_lag, H, H), oldest k first
    norms = torch.linalg.matrix_norm(jac, ord=2).flip(1)  # (B, max_lag), lag 1 first
    ones = norms.new_ones(norms.shape[0], 1)  # (B, 1): dh_T/dh_T is the identity
    return torch.cat([ones, norms], 1).detach().numpy()  # (B, max_lag + 1)


def _zero_state(net: nn.Module, batch: int) -> tuple:
    zeros = torch.zeros(batch, _hidden_size(net))  # (B, H)
    return (zeros, zeros.clone()) if isinstance(net, nn.LSTM) else (zeros,)


def fit_rate(lags: np.ndarray, norms: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of ln ||dh_T/dh_k|| against the lag: (rate per step, e^rate).

    e^rate is the factor by which the norm changes per step: below 1 it vanishes, above 1 it
    explodes. `norms` should already be averaged over sequences (geometrically: see log_mean).
    """
    slope = float(np.polyfit(np.asarray(lags, float), np.log(norms), 1)[0])
    return slope, math.exp(slope)


def log_mean(norms: np.ndarray) -> np.ndarray:
    """Geometric mean over sequences (axis 0): products average in log space."""
    return np.exp(np.log(norms).mean(0))


def product_formula_norms(rnn: VanillaRNN, pre: torch.Tensor) -> np.ndarray:
    """The lecture's product multiplied out by hand, J_lag = prod diag(sigma'(a_i)) W_rec over the
    last `lag` steps of pre-activations pre (B, L, H); its spectral norms (B, L + 1)."""
    slope = 1 - torch.tanh(pre) ** 2  # (B, L, H): tanh' = 1 - tanh^2
    batch, length, hidden = pre.shape
    jac = torch.eye(hidden, dtype=pre.dtype).expand(batch, hidden, hidden)  # (B, H, H)
    norms = [torch.ones(batch, dtype=pre.dtype)]
    with torch.no_grad():
        for lag in range(1, length + 1):
            factor = slope[:, length - lag, :, None] * rnn.W_rec  # (B, H, H): diag(sigma') W_rec
            jac = jac @ factor  # (B, H, H): one step further back
            norms.append(torch.linalg.matrix_norm(jac, ord=2))  # (B,)
    return torch.stack(norms, 1).numpy()  # (B, L + 1)


def formula_factors(rnn: VanillaRNN, pre: torch.Tensor) -> dict:
    """What the lecture's factors predict for the change per step, from pre-activations (B, L, H).

    bound: the geometric mean of ||diag(sigma'(a_i)) W_rec||_2 over the steps; the norm of a
      product is at most the product of the norms, so the measured growth stays below it.
    estimate: rho(W_rec) * rms(sigma'), the mean-field value (Poole et al. 2016; Molgedey,
      Schuchhardt & Schuster 1992): a random direction's squared length gains rho^2 <sigma'^2>
      per step. Exact in the linear regime (sigma' = 1) up to W_rec's transient non-normal growth.
    """
    slope = 1 - torch.tanh(pre) ** 2  # (B, L, H)
    with torch.no_grad():
        factor_norms = torch.linalg.matrix_norm(slope[..., None] * rnn.W_rec, ord=2)  # (B, L)
    radius = spectral_radius(rnn.W_rec.detach())
    return {
        "bound": float(torch.log(factor_norms).mean().exp()),
        "estimate": radius * float(slope.pow(2).mean().sqrt()),
        "spectral_radius": radius,
        "mean_sigma_prime": float(slope.mean()),
    }


def gate_factor(net: nn.Module, x: torch.Tensor, burn_in: int) -> dict:
    """The gated cells' own product: the factor per step along the direct path of the state.

    LSTM: dC_t/dC_{t-1} = diag(f_t) along C; GRU: h_t = (1 - z_t) n_t + z_t h_{t-1}, so diag(z_t).
    torch stacks the forget gate (LSTM: i, f, g, o) and the update gate (GRU: r, z, n) second.
    A product of diagonal matrices has the norm of its largest entry: the slowest unit leads.
    Returns that unit's geometric-mean gate per step (averaged over sequences) and the mean gate.
    """
    hidden = net.hidden_size
    state = tuple(s.to(x.dtype) for s in _zero_state(net, x.shape[0]))
    previous = []
    with torch.no_grad():
        for t in range(x.shape[1]):
            previous.append(state[0])
            state = step(net, state, x[:, t])
        h_prev = torch.stack(previous[burn_in:], 1)  # (B, L, H): h_{t-1} of each measured step
        rows = slice(hidden, 2 * hidden)
        gate = torch.sigmoid(
            x[:, burn_in:] @ net.weight_ih_l0[rows].T
            + net.bias_ih_l0[rows]
            + h_prev @ net.weight_hh_l0[rows].T
            + net.bias_hh_l0[rows]
        )  # (B, L, H)
    slowest = torch.log(gate).mean(1).max(1).values  # (B,): the slowest unit's log-rate
    return {"slowest_unit": float(slowest.mean().exp()), "mean_gate": float(gate.mean())}


def gradient_networks(
    radii=(0.5, 1.0, 1.5), forget_biases=(1.0, 3.0), hidden: int = 64, seed: int = 0
) -> dict[str, tuple[str, nn.Module]]:
    """id -> (label, network), float64: the lecture's RNN per spectral radius; torch's LSTM with
    its default init and with each forget-gate bias; torch's GRU with its default init."""
    nets = {}
    for radius in radii:
        config = VanillaRNNConfig(hidden=hidden, radius=radius, seed=seed)
        nets[f"rnn_{radius:g}"] = (f"RNN rho={radius:g}", VanillaRNN(config))
    for name, label, cell, bias in [
        ("lstm", "LSTM torch init", "lstm", None),
        *((f"lstm_bf{b:g}", f"LSTM b_f={b:g}", "lstm", b) for b in forget_biases),
        ("gru", "GRU torch init", "gru", None),
    ]:
        torch.manual_seed(seed)  # the same draw of weights for every LSTM: only b_f differs
        nets[name] = (label, make_cell(cell, 1, hidden, bias).double())
    return nets


def gradient_experiment(
    radii=(0.5, 1.0, 1.5),
    forget_biases=(1.0, 3.0),
    hidden: int = 64,
    max_lag: int = 100,
    sequences: int = 8,
    networks: int = 4,
    burn_in: int = 100,
    seed: int = 0,
) -> dict[str, dict]:
    """For every kind of network of `gradient_networks`: ||dh_T/dh_k|| per lag, the geometric
    mean over `networks` random draws of the weights times `sequences` random inputs
    x_t ~ N(0, 1) each; the fitted rate; and what the formulas predict (averaged likewise)."""
    norms, formulas, labels = {}, {}, {}
    for draw in range(seed, seed + networks):
        g = torch.Generator().manual_seed(draw)
        x = torch.randn(sequences, burn_in + max_lag, 1, generator=g, dtype=torch.float64)
        for name, (label, net) in gradient_networks(radii, forget_biases, hidden, draw).items():
            labels[name] = label
            norms.setdefault(name, []).append(jacobian_norms(net, x, max_lag, burn_in))
            if isinstance(net, VanillaRNN):
                with torch.no_grad():
                    pre = net(x)[1][:, burn_in:]  # (B, L, H): the measured steps' a_i
                gap = np.abs(np.log(product_formula_norms(net, pre)) - np.log(norms[name][-1]))
                formula = formula_factors(net, pre) | {"max_log_gap_to_autograd": gap.max()}
            else:
                formula = gate_factor(net, x, burn_in)
            formulas.setdefault(name, []).append(formula)
    lags = np.arange(max_lag + 1)
    results = {}
    for name, label in labels.items():
        curve = log_mean(np.concatenate(norms[name]))  # (L + 1,)
        rate, factor = fit_rate(lags[1:], curve[1:])
        results[name] = {
            "label": label,
            "norms": curve,
            "rate_per_step": rate,
            "factor_per_step": factor,
            "formula": _average(formulas[name]),
        }
    return results


def _average(rows: list[dict]) -> dict:
    """Per key over the draws: factors geometrically, maxima as maxima, the rest arithmetically."""
    out = {}
    for key in rows[0]:
        values = np.array([row[key] for row in rows], float)
        if key in ("bound", "estimate", "slowest_unit"):
            out[key] = float(np.exp(np.log(values).mean()))
        else:
            out[key] = float(values.max() if key.startswith("max") else values.mean())
    return out


# -------------------------------------------------------------------------- the memory task

SOLVED = 0.9  # test accuracy that counts as solving the memory task


def recall_batch(batch: int, length: int, symbols: int, generator: torch.Generator):
    """The long-lag task: `length` random symbols, the first marked; the target is the first.

    Each step is one-hot over K symbols plus a start channel that is 1 at the first step only.
    The later symbols come through the same channels as the first, so a network cannot simply
    shut them out; it must keep the first across all of them. Chance is 1/K.
    """
    seq = torch.randint(symbols, (batch, length), generator=generator)  # (B, T)
    x = F.one_hot(seq, symbols + 1).float()  # (B, T, K + 1), the last channel still all 0
    x[:, 0, symbols] = 1.0  # (B,): the start mark
    return x, seq[:, 0]  # (B, T, K + 1), (B,)


@dataclass
class RecallConfig:
    cell: str = "lstm"
    length: int = 50  # T: how many steps the first symbol must be kept
    symbols: int = 4  # alphabet size K; chance is 1/K
    hidden: int = 32
    batch: int = 64
    steps: int = 1000  # most Adam steps
    lr: float = 5e-3
    forget_bias: float | None = None  # LSTM: this forget-gate bias in every unit, or
    chrono: int | None = None  # LSTM: chrono init for lags up to this; neither: torch's init
    target: float = 0.99  # stop early once a validation batch reaches this accuracy
    check_every: int = 25
    seed: int = 0


class RecallNet(nn.Module):
    """A recurrent cell reading the whole sequence, a linear head on its last state."""

    def __init__(self, config: RecallConfig):
        super().__init__()
        self.rnn = make_cell(
            config.cell, config.symbols + 1, config.hidden, config.forget_bias, config.chrono
        )
        self.head = nn.Linear(config.hidden, config.symbols)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (B, T, H)
        return self.head(out[:, -1])  # (B, K): many-to-one, the answer after the last step


def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    was_training = net.training
    net.eval()
    with torch.no_grad():
        hit = (net(x).argmax(1) == y).float().mean()  # ()
    net.train(was_training)
    return float(hit)


def train_recall(config: RecallConfig) -> dict:
    """Train on fresh batches for at most config.steps Adam steps; test on 1000 new sequences."""
    start = time.perf_counter()
    torch.manual_seed(config.seed)
    net = RecallNet(config)
    data = torch.Generator().manual_seed(config.seed + 1)
    held_out = torch.Generator().manual_seed(config.seed + 10_000)  # never the training stream
    check = recall_batch(512, config.length, config.symbols, held_out)  # for the early stop
    test = recall_batch(1000, config.length, config.symbols, held_out)  # for the table
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    done = 0
    for done in range(1, config.steps + 1):
        x, y = recall_batch(
            config.batch, config.length, config.symbols, data
        )  # (B, T, K + 1), (B,)
        loss = F.cross_entropy(net(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)  # an exploding step cannot wreck it
        optimizer.step()
        if done % config.check_every == 0 and accuracy(net, *check) >= config.target:
            break
    return {
        "accuracy": accuracy(net, *test),
        "steps": done,
        "final_loss": loss.item(),
        "seconds": time.perf_counter() - start,
    }


def memory_experiment(
    cells=("rnn", "lstm"), lengths=(10, 25, 50, 100, 200), tries=3, progress=None, **options
) -> dict[str, dict[int, dict]]:
    """train_recall for every cell, length and try (seeds seed, seed + 1, ...); options are
    RecallConfig fields. One try is luck: gradient descent on this task succeeds or stalls on
    a plateau depending on the draw. table[cell][T] holds the mean test accuracy, how many
    tries solved it, and every try. progress(cell, length, result) is called after each try."""
    seed = options.pop("seed", 0)
    table = {}
    for cell in cells:
        table[cell] = {}
        for length in lengths:
            results = []
            for k in range(tries):
                config = RecallConfig(cell=cell, length=length, seed=seed + k, **options)
                if cell != "lstm":
                    config.forget_bias = config.chrono = None
                results.append(train_recall(config) | {"seed": seed + k})
                if progress is not None:
                    progress(cell, length, results[-1])
            accuracies = [r["accuracy"] for r in results]
            table[cell][length] = {
                "accuracy": float(np.mean(accuracies)),
                "solved": sum(a >= SOLVED for a in accuracies),
                "tries": results,
            }
    return table
