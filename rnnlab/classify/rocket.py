"""ROCKET: random convolutional kernels and a ridge classifier on what they detect.

Dempster, Petitjean & Webb (2020), "ROCKET: exceptionally fast and accurate time series
classification using random convolutional kernels", DMKD 34(5), sections 3.1-3.2. Each kernel has
a random length (7, 9 or 11), N(0, 1) weights centred on their mean, a bias from U(-1, 1), a
dilation 2^U(0, log2((L-1)/(k-1))) and zero padding on or off at random. Every kernel gives two
features: the share of positive outputs (PPV) and the largest output. The kernels are never
trained: only the linear layer on their 2 x n features is, by ridge regression on +-1 class
targets with the penalty picked by leave-one-out error over 10^-3..10^3 on features centred and
scaled to unit length, as the authors' code does.

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
CHUNK_VALUES = 16_000_000  # floats of convolution output held at once (64 MB)
MAX_KERNELS = 100_000


class Rocket(nn.Module):
    """(B, L) -> (B, K) logits; `fit(x, y)` draws nothing, it only solves the linear head."""

    def __init__(self, config):
        """config: a `ClassifierConfig` (n_kernels, length, n_classes, seed)."""
        super().__init__()
        n_kernels, length, n_classes = config.n_kernels, config.length, config.n_classes
        if length < 1:
            raise ValueError("rocket needs the training length (ClassifierConfig.length)")
        if not 1 <= n_kernels <= MAX_KERNELS:
            raise ValueError(f"rocket takes 1..{MAX_KERNELS} kernels (got {n_kernels})")
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
    def transform(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L) -> (B, 2n): PPV of kernel i in column i, its maximum in column n + i."""
        n = len(self.bias)
        out = torch.empty(len(x), 2 * n)
        groups = self._groups()
        # rows per chunk: a group's output (rows, g, L') stays near CHUNK_VALUES floats however
        # long the sequences are (a model trained on short ones may be handed long ones)
        widest = max(len(idx) for idx in groups.values())
        rows = int(min(64, max(1, CHUNK_VALUES // (widest * max(x.shape[1], 1)))))
        for start in range(0, len(x), rows):
            chunk = x[start : start + rows].unsqueeze(1)  # (b, 1, L)
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
        z = self.transform(x).double()  # (N, 2n)
        mean = z.mean(dim=0)  # (2n,)
        self.mean.copy_(mean)
        z -= mean
        # Each centred column scaled to unit length, as the authors' code does (scikit-learn's
        # RidgeClassifierCV(normalize=True)): the penalty grid then means what it meant in the
        # paper. Scaling to unit variance instead would make every penalty N - 1 times weaker.
        norm = z.norm(dim=0)  # (2n,)
        self.scale.copy_(torch.where(norm > 1e-8, norm, torch.ones_like(norm)))
        z = (z / self.scale.double()).numpy()  # (N, 2n), centred
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
    squared error.

    Returns coef (P, K), intercept (K,), the alpha, and the leave-one-out predictions (N, K).
    Closed form: with H = Zc (Zc'Zc + aI)^-1 Zc' on centred data, the prediction for case i
    without case i is y_i - (y_i - yhat_i) / (1 - 1/N - H_ii) (Hastie et al., ESL 7.10). H comes
    from the eigenvectors U of the smaller Gram matrix: Zc Zc' (N x N) when features outnumber
    cases, as with ROCKET's 20,000 on a UCR set, else Zc'Zc (P x P), with U = Zc V / sqrt(s).
    """
    n, p = z.shape
    zc = z - z.mean(axis=0)  # (N, P)
    yc = targets - targets.mean(axis=0)  # (N, K)
    if n <= p:
        s, u = np.linalg.eigh(zc @ zc.T)  # (N,), (N, N)
        s = np.clip(s, 0.0, None)
    else:
        s, v = np.linalg.eigh(zc.T @ zc)  # (P,), (P, P)
        keep = s > 1e-10 * max(s.max(), 1e-300)  # directions with no spread add nothing to H
        s, v = s[keep], v[:, keep]
        u = zc @ v / np.sqrt(s)  # (N, r): the same eigenvectors as the N x N form's
    uty = u.T @ yc  # (r, K)
    best = None
    for alpha in alphas:
        shrink = s / (s + alpha)  # (r,)
        fitted = u @ (shrink[:, None] * uty)  # (N, K)
        leverage = (u**2) @ shrink + 1.0 / n  # (N,)
        residual = (yc - fitted) / np.maximum(1.0 - leverage, 1e-12)[:, None]  # (N, K)
        error = float(np.mean(residual**2))
        if best is None or error < best[0] - 1e-12:
            best = (error, alpha, targets - residual)
    _, alpha, loo = best
    # coef = Zc' (Zc Zc' + aI)^-1 yc; the part of yc outside U's span is in Zc's null space
    coef = zc.T @ (u @ ((1.0 / (s + alpha))[:, None] * uty))  # (P, K)
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
