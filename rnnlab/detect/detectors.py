"""Causal anomaly detectors for streams: each sees every point once, in order, no look-ahead.

A detector is a small class with `update(timestamp, value) -> score` (score in [0, 1], higher
is more anomalous); `score_stream` is exactly that update repeated, so batch scores and
streaming scores are the same numbers. Fitted state lives in trailing-underscore attributes.

- `WindowedGaussian`: NAB's baseline (numenta/NAB `nab/detectors/gaussian/
  windowedGaussian_detector.py`): 1 - the Gaussian tail of the value under the mean and std of
  the last `window` values, re-estimated every `step` points.
- `ResidualDetector`: a one-step forecaster (a small fully connected net or a GRU on the last
  `lags` values, or the naive last value) trained on the probationary prefix only; its scaled errors
  (in units of a slowly adapting mean error) are raw scores for HTM's anomaly likelihood
  (rnnlab.detect.likelihood; Ahmad et al. 2017, Neurocomputing 262), reported on NAB's log
  scale, with NAB numenta's "spatial" rule: 5% of the seen range beyond it scores 1.
- Tried on NAB and dropped (benchmarks/nab.py): suppressing scores for N points after a
  detection (HTM's red-after-red filter already does it), mixing in the error of "same time
  yesterday", and mean/max ensembles of the naive and the net's likelihoods: each scored lower.

The probationary prefix is NAB's (Lavin & Ahmad 2015): the first min(15%, 750) rows of a file,
which NAB never scores and which detectors may learn from (rnnlab.detect.nab.probation_length).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from rnnlab.detect.likelihood import AnomalyLikelihood, log_score, tail_probability
from rnnlab.detect.names import METHODS

# --- the windowed Gaussian (NAB's baseline) ----------------------------------------------------


class WindowedGaussian:
    """score = 1 - P(a value further from the mean), mean and std of the last `window` values."""

    def __init__(self, window: int = 6400, step: int = 100):
        self.window, self.step = window, step
        self.data_: deque[float] = deque(maxlen=window)
        self.buffer_: list[float] = []
        self.mean_, self.std_ = 0.0, 0.0
        self.ready_ = False

    def update(self, timestamp, value: float) -> float:
        score = 0.0
        if self.ready_:
            score = 1.0 - tail_probability(value, self.mean_, max(self.std_, 1e-6))
        if len(self.data_) < self.step:  # the first `step` values go straight into the window
            self.data_.append(value)
            self._refit()
        else:
            self.buffer_.append(value)
            if len(self.buffer_) == self.step:
                self.data_.extend(self.buffer_)
                self.buffer_.clear()
                self._refit()
        return score

    def _refit(self) -> None:
        data = np.fromiter(self.data_, np.float64, len(self.data_))
        self.mean_, self.std_, self.ready_ = float(data.mean()), float(data.std()), True


# --- the forecaster-residual detector ----------------------------------------------------------


@dataclass
class ResidualConfig:
    predictor: str = "fc"  # "fc": a small net on the last `lags` values; "naive": the last value
    lags: int = 16
    hidden: int = 32
    steps: int = 100  # full-batch Adam steps (NAB: 100 scores 65.7, 300 scores 64.3)
    lr: float = 0.01
    # raw = min(1, |error| / (error_scale * held-out MAE)); 16 chosen on NAB (benchmarks/nab.py)
    error_scale: float = 16.0
    # the MAE then follows the errors (an exponential average with this weight, ~2500 points):
    # volatility that grows slowly is no anomaly. 0.0003-0.0005 all score 66-67 on NAB.
    adapt: float = 0.0004
    spatial_tolerance: float = 0.05  # NAB numenta's SPATIAL_TOLERANCE; <= 0 turns it off
    history: int = 8640  # the likelihood's long-term window (raw scores)
    fit_share: float = 0.6  # of the prefix the net trains on; the rest calibrates the errors
    seed: int = 0


def fit_window_net(values: np.ndarray, lags: int, hidden: int, steps: int, lr: float, seed: int):
    """Train y_t - y_{t-1} ~ f((y_{t-lags..t-1} - y_{t-1}) / scale) on `values` (already scaled).

    Returns numpy weights (W1 (hidden, lags), b1, w2 (hidden,), b2) for a float64 forward.
    Inputs are relative to the last value, so an untrained net is the naive forecast.
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(values, dtype=torch.float32)
    windows = x.unfold(0, lags + 1, 1)  # (N, lags + 1), oldest first
    inputs = windows[:, :-1] - windows[:, -2:-1]  # (N, lags)
    target = windows[:, -1] - windows[:, -2]  # (N,)
    w1 = (torch.randn(hidden, lags, generator=g) / math.sqrt(lags)).requires_grad_()
    b1 = torch.zeros(hidden, requires_grad=True)
    w2 = torch.zeros(hidden, requires_grad=True)  # starts as the naive forecast
    b2 = torch.zeros((), requires_grad=True)
    params = [w1, b1, w2, b2]
    opt = torch.optim.Adam(params, lr=lr, weight_decay=1e-4)
    for _ in range(steps):
        opt.zero_grad()
        pred = torch.tanh(inputs @ w1.T + b1) @ w2 + b2  # (N,)
        # Huber, not MSE: the prefix may hold a spike, and it must not teach the net to chase it
        loss = torch.nn.functional.huber_loss(pred, target, delta=1.0)
        loss.backward()
        opt.step()
    return tuple(p.detach().double().numpy() for p in params)


def fit_window_gru(values: np.ndarray, lags: int, hidden: int, steps: int, lr: float, seed: int):
    """As `fit_window_net`, with a GRU reading the window oldest -> newest (timesteps layout).

    Returns numpy weights (W_ih (3H, 1), W_hh (3H, H), b_ih, b_hh, w_out (H,), b_out) in
    torch's gate order r, z, n, for `gru_forecast`.
    """
    import torch

    torch.manual_seed(seed)
    x = torch.as_tensor(values, dtype=torch.float32)
    windows = x.unfold(0, lags + 1, 1)  # (N, lags + 1)
    inputs = (windows[:, :-1] - windows[:, -2:-1]).unsqueeze(-1)  # (N, lags, 1)
    target = windows[:, -1] - windows[:, -2]  # (N,)
    gru = torch.nn.GRU(1, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, 1)
    torch.nn.init.zeros_(head.weight)  # starts as the naive forecast
    torch.nn.init.zeros_(head.bias)
    params = [*gru.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=lr, weight_decay=1e-4)
    for _ in range(steps):
        opt.zero_grad()
        _, h_last = gru(inputs)  # (1, N, H)
        pred = head(h_last[0]).squeeze(-1)  # (N,)
        loss = torch.nn.functional.huber_loss(pred, target, delta=1.0)
        loss.backward()
        opt.step()
    weights = [gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0]
    weights += [head.weight[0], head.bias[0]]
    return tuple(w.detach().double().numpy() for w in weights)


def gru_forecast(weights, inputs: np.ndarray) -> float:
    """The GRU's next-step change from `inputs` (lags,), one line per gate equation."""
    w_ih, w_hh, b_ih, b_hh, w_out, b_out = weights
    hidden = len(b_ih) // 3
    h = np.zeros(hidden)  # (H,)
    for x in inputs:
        gi, gh = w_ih[:, 0] * x + b_ih, w_hh @ h + b_hh  # (3H,) each
        # sigmoid(a) = (1 + tanh(a / 2)) / 2: no overflow for the huge inputs of a spike
        r = 0.5 + 0.5 * np.tanh(0.5 * (gi[:hidden] + gh[:hidden]))
        z = 0.5 + 0.5 * np.tanh(0.5 * (gi[hidden : 2 * hidden] + gh[hidden : 2 * hidden]))
        n = np.tanh(gi[2 * hidden :] + r * gh[2 * hidden :])
        h = (1 - z) * n + z * h
    return float(w_out @ h + b_out)


class ResidualDetector:
    """Forecast error -> anomaly likelihood -> NAB log score, plus the spatial rule.

    `probation` rows are learned from (the net is trained when the last of them arrives) and
    scored as "nothing known" (log score of likelihood 0.5).
    """

    def __init__(self, config: ResidualConfig | None = None, probation: int = 750):
        self.config = config or ResidualConfig()
        self.probation = max(probation, self.config.lags + 2)
        c = self.config
        # the likelihood leaves out the rows the net trained on (in-sample errors flatter it)
        learning = int(self.probation * c.fit_share) if c.predictor != "naive" else c.lags
        self.likelihood_ = AnomalyLikelihood(
            learning=learning, estimation=max(self.probation - learning, 1), history=c.history
        )
        self.recent_: deque[float] = deque(maxlen=c.lags)  # the last `lags` values
        self.prefix_: list[float] = []
        self.weights_ = None
        self.center_, self.scale_, self.mae_ = 0.0, 1.0, 1.0
        self.min_ = self.max_ = None
        self.t_ = 0

    # one-step forecast in scaled units from the last `lags` scaled values
    def _forecast(self, window: np.ndarray) -> float:
        if self.weights_ is None or len(window) < self.config.lags:
            return float(window[-1])
        inputs = window - window[-1]  # (lags,)
        if self.config.predictor == "gru":
            return float(window[-1]) + gru_forecast(self.weights_, inputs)
        w1, b1, w2, b2 = self.weights_
        return float(window[-1] + np.tanh(w1 @ inputs + b1) @ w2 + b2)

    def _fit(self) -> None:
        c = self.config
        prefix = np.asarray(self.prefix_, np.float64)
        self.center_ = float(prefix.mean())
        # scale by the typical step, so lags of a slow and a jumpy series look alike to the net
        step = float(np.abs(np.diff(prefix)).mean()) if len(prefix) > 1 else 0.0
        spread = float(prefix.std())
        self.scale_ = step if step > 0 else (spread if spread > 0 else 1.0)
        scaled = (prefix - self.center_) / self.scale_
        # the net learns from the first part; the errors of the rest are honest (out of sample)
        split = int(len(scaled) * c.fit_share)
        fit = {"fc": fit_window_net, "gru": fit_window_gru}.get(c.predictor)
        if fit is not None and split > c.lags + 10:
            self.weights_ = fit(scaled[:split], c.lags, c.hidden, c.steps, c.lr, c.seed)
        elif c.predictor not in ("fc", "gru", "naive"):
            raise ValueError(f"unknown predictor {c.predictor!r}; use 'fc', 'gru' or 'naive'")
        errors = [
            abs(scaled[i] - self._forecast(scaled[max(0, i - c.lags) : i]))
            for i in range(1, len(scaled))
        ]
        held_out = errors[split:] if self.weights_ is not None else errors
        self.mae_ = max(float(np.mean(held_out)), 1e-3) if held_out else 1.0
        self.recent_.extend(scaled[-c.lags :])
        # replay the prefix through the likelihood so it starts with a history
        self.likelihood_.update(0.0, float(prefix[0]))
        for e, v in zip(errors, prefix[1:], strict=True):
            self.likelihood_.update(self._raw(e), float(v))

    def _raw(self, error: float) -> float:
        """The error as a raw anomaly score in [0, 1]: saturated at `error_scale` MAEs."""
        return min(1.0, error / (self.config.error_scale * self.mae_))

    def _spatial(self, value: float) -> bool:
        """NAB numenta: a value beyond the range seen so far by 5% of that range."""
        tol = self.config.spatial_tolerance
        out = False
        if tol > 0 and self.min_ is not None and self.max_ > self.min_:
            pad = (self.max_ - self.min_) * tol
            out = value > self.max_ + pad or value < self.min_ - pad
        self.min_ = value if self.min_ is None else min(self.min_, value)
        self.max_ = value if self.max_ is None else max(self.max_, value)
        return out

    def update(self, timestamp, value: float) -> float:
        value = float(value)
        spatial = self._spatial(value)
        if self.t_ < self.probation:
            self.prefix_.append(value)
            if self.t_ == self.probation - 1:
                self._fit()
            score = log_score(0.5)
        else:
            x = (value - self.center_) / self.scale_
            error = abs(x - self._forecast(np.asarray(self.recent_)))
            raw = self._raw(error)
            if self.config.adapt > 0:  # follow a slowly changing error level
                self.mae_ += self.config.adapt * (min(error, 10 * self.mae_) - self.mae_)
            score = log_score(self.likelihood_.update(raw, value))
            self.recent_.append(x)
        self.t_ += 1
        return 1.0 if spatial and self.t_ > self.probation else score


# --- the batch function and the registry -----------------------------------------------------


def score_stream(detector, timestamps, values) -> np.ndarray:
    """Batch scores: exactly `detector.update` over the stream, in order. (n,) float64."""
    return np.array([detector.update(t, v) for t, v in zip(timestamps, values, strict=True)])


def make_detector(method: str, probation: int, seed: int = 0, **options):
    """A fresh detector by name (one of names.METHODS); `probation` = rows it may learn from
    (NAB: probation_length)."""
    if method == "gaussian":
        detector = WindowedGaussian(**options)
    elif method in ("residual", "naive", "gru"):
        predictor = {"residual": "fc", "naive": "naive", "gru": "gru"}[method]
        if method == "gru":
            options.setdefault("hidden", 16)  # 16 steps of a GRU per point: keep it small
        config = ResidualConfig(predictor=predictor, seed=seed, **options)
        detector = ResidualDetector(config, probation)
    else:
        raise ValueError(f"unknown detector {method!r}; choose one of {', '.join(METHODS)}")
    return detector
