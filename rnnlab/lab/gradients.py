"""Gradients through time: how far back ||dh_T/dh_k|| reaches, measured and predicted.

The lecture writes how a vanilla RNN's state at time t depends on its state at k as a product
(Pascanu, Mikolov & Bengio 2013, eq. 5, on pre-activations x):
    dx_t/dx_k = prod_{i=k+1..t} W_rec^T diag(sigma'(x_{i-1}))
so the gradient shrinks or grows geometrically with the lag t-k: W_rec small -> vanishing, large
-> exploding (Bengio, Simard & Frasconi 1994). Here the RNN is written on states,
h_t = tanh(a_t), a_t = W_rec h_{t-1} + W_in x_t + b, where the same factors read
dh_T/dh_k = prod_{i=T..k+1} diag(sigma'(a_i)) W_rec. `jacobian_norms` measures ||dh_T/dh_k||
exactly with autograd, for `VanillaRNN` (W_rec rescaled to a chosen spectral radius) and for
torch's LSTM and GRU; `fit_rate` fits the change per step; `product_formula_norms` multiplies the
lecture's factors out by hand, and `formula_factors` says what they predict for the rate.
`gradient_experiment` runs it all over random draws and returns the tables.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from rnnlab.core.parallel import one_thread
from rnnlab.lab import checks
from rnnlab.lab.rnn import (
    VanillaRNN,
    VanillaRNNConfig,
    make_cell,
    spectral_radius,
    step,
    zero_state,
)


def jacobian_norms(net: nn.Module, x: torch.Tensor, max_lag: int, burn_in: int) -> np.ndarray:
    """||dh_T/dh_{T-lag}||_2, the spectral norm, for lag = 0..max_lag: (B, max_lag + 1).

    x: (B, burn_in + max_lag, D), one row per sequence. The first burn_in steps, without
    gradients, bring the state onto its typical path, so every lag sees the same regime. Autograd
    gives each Jacobian exactly; the sequences are independent, so a backward pass from unit j
    of every sequence's h_T at once still separates them. For the LSTM, c_k is held fixed: a
    change of h_k reaches h_T through the gates, then through both h and C.
    """
    state = tuple(s.to(x.dtype) for s in zero_state(net, x.shape[0]))
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
    state = tuple(s.to(x.dtype) for s in zero_state(net, x.shape[0]))
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


def measure_gradients(
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


# ------------------------------------------------------------------------------ the API


@dataclass
class GradientResult:
    """What `gradient_experiment` measured.

    table: one row per network (index: its id, as "rnn_0.5", "lstm_bf3"): network (its label),
      factor_per_step (e^rate: below 1 vanishing, above 1 exploding), rate_per_step (the slope
      of ln ||dh_T/dh_k|| against the lag), lag_10 / lag_50 / lag_{max_lag} (the norm there),
      predicted_per_step (the RNN: rho x rms sigma'; LSTM and GRU: the slowest unit's gate) and
      bound (the RNN: the geometric mean of its factors' norms; NaN for gated cells): the table
      `rnnlab lab gradients` prints.
    norms: ||dh_T/dh_k|| for every lag (rows, from 0) and network (columns) (norms.csv).
    networks: the same per network as dicts, with every formula's value (metrics.json).
    findings: a sentence per network. params: the parameters; seconds: the wall time.
    """

    table: pd.DataFrame
    norms: pd.DataFrame
    networks: dict
    findings: dict
    params: dict
    seconds: float


def gradient_experiment(
    *,
    radii=(0.5, 1.0, 1.5),
    forget_biases=(1.0, 3.0),
    hidden: int = 64,
    max_lag: int = 100,
    networks: int = 4,
    sequences: int = 8,
    burn_in: int = 100,
    seed: int = 0,
) -> GradientResult:
    """Measure ||dh_T/dh_k|| against the lag for the lecture's RNN at each spectral radius in
    `radii`, torch's LSTM (its init, and each forget-gate bias in `forget_biases`) and torch's
    GRU, over `networks` draws of the weights x `sequences` random inputs each, after `burn_in`
    steps; fit the change per step and set it beside the formulas. The parameters are
    `rnnlab lab gradients`'s options."""
    from rnnlab.lab.report import gradient_finding, marks

    positive = lambda name, v: checks.number(name, v, above=0)  # noqa: E731
    params = {
        "radii": checks.several("radii", radii, positive),
        "forget_biases": checks.several("forget_biases", forget_biases, checks.number, True),
        "hidden": checks.whole("hidden", hidden, 1), "max_lag": checks.whole("max_lag", max_lag, 1),
        "networks": checks.whole("networks", networks, 1),
        "sequences": checks.whole("sequences", sequences, 1),
        "burn_in": checks.whole("burn_in", burn_in, 0), "seed": checks.whole("seed", seed, 0),
    }  # fmt: skip
    start = time.perf_counter()
    with one_thread():
        results = measure_gradients(**params)
    seconds = time.perf_counter() - start
    rows = {}
    for name, row in results.items():
        f = row["formula"]
        rows[name] = {
            "network": row["label"],
            "factor_per_step": row["factor_per_step"],
            "rate_per_step": row["rate_per_step"],
            **{f"lag_{lag}": float(row["norms"][lag]) for lag in marks(max_lag)},
            "predicted_per_step": f.get("estimate", f.get("slowest_unit")),
            "bound": f.get("bound", math.nan),
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("id")
    norms = pd.DataFrame({name: row["norms"] for name, row in results.items()})
    norms.index.name = "lag"
    findings = {name: gradient_finding(row, max_lag) for name, row in results.items()}
    return GradientResult(table, norms, results, findings, params, seconds)
