"""ROCKET: random convolutional kernels and a ridge classifier on what they detect.

Dempster, Petitjean & Webb (2020), "ROCKET: exceptionally fast and accurate time series
classification using random convolutional kernels", DMKD 34(5), sections 3.1-3.2. Each kernel has
a random length (7, 9 or 11), N(0, 1) weights centred on their mean, a bias from U(-1, 1), a
dilation 2^U(0, log2((L-1)/(k-1))) and zero padding on or off at random. Every kernel gives two
features: the share of positive outputs (PPV) and the largest output. The kernels are never
trained: only the linear layer on their 2 x n features is, by ridge regression on +-1 class
targets with the penalty picked by leave-one-out error over 10^-3..10^3, as the paper does.

The network here is one frozen `Conv1d` layer per (length, dilation, padding) group plus a linear
head. Its logits are the ridge scores times a temperature fitted on the leave-one-out scores, so
that `softmax(logits)` gives probabilities an ensemble can average with other members' (the
leave-one-out scores are what the head gives a case it was not fitted on; no data beyond the
training set is used).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

KERNEL_LENGTHS = (7, 9, 11)
ALPHAS = np.logspace(-3, 3, 10)  # the paper's ridge penalties
TEMPERATURES = np.logspace(-2, 2, 81)  # probability scale searched on leave-one-out scores


class Rocket(nn.Module):
    """(B, L) -> (B, K) logits; `fit(x, y)` draws nothing, it only solves the linear head."""

    def __init__(self, config):
        """config: a `rnnlab.classify.ClassifierConfig` (n_kernels, length, n_classes, seed)."""
        super().__init__()
        n_kernels, length, n_classes = config.n_kernels, config.length, config.n_classes
        if length < 1:
            raise ValueError("rocket needs the training length (ClassifierConfig.length)")
        if n_kernels < 1:
            raise ValueError("rocket needs at least one kernel")
        rng = np.random.default_rng(config.seed)
        sizes = rng.choice(KERNEL_LENGTHS, n_kernels)  # (n,)
        weights = np.zeros((n_kernels, max(KERNEL_LENGTHS)), dtype=np.float32)  # (n, 11)
        for i, k in enumerate(sizes):
            w = rng.normal(0.0, 1.0, k)
            weights[i, :k] = w - w.mean()
        bias = rng.uniform(-1.0, 1.0, n_kernels)  # (n,)
        top = np.log2(np.maximum((length - 1) / (sizes - 1), 1.0))  # (n,): receptive field <= L
        dilation = np.floor(2.0 ** rng.uniform(0.0, top)).astype(np.int64)  # (n,)
        padding = np.where(rng.integers(0, 2, n_kernels) == 1, (sizes - 1) * dilation // 2, 0)
        self.register_buffer("weights", torch.as_tensor(weights))
        self.register_buffer("sizes", torch.as_tensor(sizes, dtype=torch.int64))
        self.register_buffer("bias", torch.as_tensor(bias, dtype=torch.float32))
        self.register_buffer("dilation", torch.as_tensor(dilation))
        self.register_buffer("padding", torch.as_tensor(padding, dtype=torch.int64))
        # the head, solved by fit(): standardisation of the 2n features, ridge weights, scale
        self.register_buffer("mean", torch.zeros(2 * n_kernels))
        self.register_buffer("scale", torch.ones(2 * n_kernels))
        self.register_buffer("coef", torch.zeros(2 * n_kernels, n_classes))
        self.register_buffer("intercept", torch.zeros(n_classes))
        self.register_buffer("temperature", torch.ones(()))
        self.register_buffer("alpha", torch.ones(()))

    # ------------------------------------------------------------------ features

    def _groups(self):
        """Kernels that share (length, dilation, padding) run as one conv: index lists."""
        keys = torch.stack([self.sizes, self.dilation, self.padding], dim=1).tolist()  # (n, 3)
        groups: dict[tuple, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(tuple(key), []).append(i)
        return groups

    @torch.no_grad()
    def transform(self, x: torch.Tensor, batch: int = 64) -> torch.Tensor:
        """(B, L) -> (B, 2n): PPV of kernel i in column i, its maximum in column n + i."""
        n = len(self.bias)
        out = torch.empty(len(x), 2 * n)
        groups = self._groups()
        for start in range(0, len(x), batch):
            chunk = x[start : start + batch].unsqueeze(1)  # (b, 1, L)
            for (k, d, p), idx in groups.items():
                need = (k - 1) * d + 1 - chunk.shape[2] - 2 * p
                z = F.pad(chunk, (0, need)) if need > 0 else chunk  # shorter test sequences
                w = self.weights[idx, :k].unsqueeze(1)  # (g, 1, k)
                conv = F.conv1d(z, w, self.bias[idx], padding=p, dilation=d)  # (b, g, L')
                cols = torch.as_tensor(idx)
                out[start : start + len(chunk), cols] = (conv > 0).float().mean(dim=2)
                out[start : start + len(chunk), cols + n] = conv.amax(dim=2)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = (self.transform(x) - self.mean) / self.scale  # (B, 2n)
        return self.temperature * (z @ self.coef + self.intercept)  # (B, K)

    # ---------------------------------------------------------------------- head

    @torch.no_grad()
    def fit(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """Solve the ridge head on (x (N, L), y (N,)); returns the leave-one-out accuracy."""
        feats = self.transform(x).double()  # (N, 2n)
        self.mean.copy_(feats.mean(dim=0))
        std = feats.std(dim=0)
        self.scale.copy_(torch.where(std > 1e-8, std, torch.ones_like(std)))
        z = ((feats - self.mean) / self.scale).numpy()  # (N, 2n)
        k = self.coef.shape[1]
        targets = np.where(np.eye(k)[y.numpy()] > 0, 1.0, -1.0)  # (N, K)
        coef, intercept, alpha, loo = ridge_loo(z, targets, ALPHAS)
        self.coef.copy_(torch.as_tensor(coef))
        self.intercept.copy_(torch.as_tensor(intercept))
        self.alpha.fill_(alpha)
        self.temperature.fill_(fit_temperature(loo, y.numpy()))
        return float(np.mean(loo.argmax(axis=1) == y.numpy()))


def ridge_loo(z: np.ndarray, targets: np.ndarray, alphas: np.ndarray):
    """Ridge regression with an unpenalised intercept, the penalty picked by leave-one-out
    squared error, in the dual (N x N) form since features outnumber cases.

    Returns coef (P, K), intercept (K,), the alpha, and the leave-one-out predictions (N, K).
    Closed form: with H = Zc (Zc'Zc + aI)^-1 Zc' on centred data, the prediction for case i
    without case i is y_i - (y_i - yhat_i) / (1 - 1/N - H_ii) (Hastie et al., ESL 7.10).
    """
    n = len(z)
    zc = z - z.mean(axis=0)  # (N, P)
    yc = targets - targets.mean(axis=0)  # (N, K)
    s, u = np.linalg.eigh(zc @ zc.T)  # (N,), (N, N)
    s = np.clip(s, 0.0, None)
    uty = u.T @ yc  # (N, K)
    best = None
    for alpha in alphas:
        shrink = s / (s + alpha)  # (N,)
        fitted = u @ (shrink[:, None] * uty)  # (N, K)
        leverage = (u**2) @ shrink + 1.0 / n  # (N,)
        residual = (yc - fitted) / np.maximum(1.0 - leverage, 1e-12)[:, None]  # (N, K)
        error = float(np.mean(residual**2))
        if best is None or error < best[0] - 1e-12:
            best = (error, alpha, targets - residual)
    _, alpha, loo = best
    dual = u @ ((1.0 / (s + alpha))[:, None] * uty)  # (N, K)
    coef = zc.T @ dual  # (P, K)
    intercept = targets.mean(axis=0) - z.mean(axis=0) @ coef  # (K,)
    return coef, intercept, float(alpha), loo


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The scale t minimising the cross-entropy of softmax(t * scores) on held-out scores."""
    losses = []
    for t in TEMPERATURES:
        logits = t * scores  # (N, K)
        logits = logits - logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        losses.append(-float(np.mean(logp[np.arange(len(y)), y])))
    return float(TEMPERATURES[int(np.argmin(losses))])
