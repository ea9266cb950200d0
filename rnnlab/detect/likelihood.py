"""HTM's anomaly likelihood: how unusual is the recent level of a raw anomaly score?

Ahmad, Lavin, Purdy & Agha 2017, "Unsupervised real-time anomaly detection for streaming data",
Neurocomputing 262, section 4.2 (anomaly likelihood), as coded in numenta/nupic and
htm-community/htm.core `anomaly_likelihood.py` (`AnomalyLikelihood.anomalyProbability`,
`estimateAnomalyLikelihoods`, `estimateNormal`, `tailProbability`, `_filterLikelihoods`) and
used by NAB's numenta detector (`nab/detectors/numenta/numenta_detector.py`):

- the raw scores' short-term mean (the last 10) is compared with a Gaussian fitted to the
  10-point means of a long history (the last 8640 raw scores), re-fitted every 100 points;
- likelihood = 1 - Q((short mean - mean) / std), Q the Gaussian tail, mirrored below the mean;
- a tail of <= 1e-5 right after another one is reported as 1e-3 (only sharp rises stay red);
- NAB thresholds log(1 - likelihood) / log(1e-10), a score in [0, 1] (`log_score`).

A raw score is any non-negative number that is large when a point is surprising (HTM: the
share of unpredicted columns; here: a scaled prediction error). Everything is causal: the
likelihood at t uses raw scores up to t only.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

LOG_1E_10 = -23.02585084720009  # log(1 - 0.9999999999): the log score is 1 at likelihood 1 - 1e-10


def log_score(likelihood: float) -> float:
    """NAB's numenta score: log(1.0000000001 - likelihood) / log(1e-10), in [0, 1]."""
    return math.log(1.0000000001 - likelihood) / LOG_1E_10


def tail_probability(x: float, mean: float, std: float) -> float:
    """Gaussian Q-function, mirrored: the chance of a sample further from the mean than x."""
    z = abs(x - mean) / std
    return 0.5 * math.erfc(z / math.sqrt(2.0))


class AnomalyLikelihood:
    """Streaming anomaly likelihood of a raw score; `update(raw, value) -> likelihood`.

    The first `learning + estimation` points report 0.5 (nothing known yet); the first
    `learning` raw scores are left out of the first fits (a model settles in first).
    `value` is only used to spot a flat metric, for which nothing is anomalous (HTM's rule).
    """

    def __init__(
        self,
        learning: int = 288,
        estimation: int = 100,
        history: int = 8640,
        refit_every: int = 100,
        average: int = 10,
    ):
        self.learning, self.estimation = learning, estimation
        self.refit_every, self.average = refit_every, average
        self.scores_: deque[float] = deque(maxlen=history)  # raw scores
        self.values_: deque[float] = deque(maxlen=history)
        self.recent_: deque[float] = deque(maxlen=average)  # for the short-term mean
        self.iteration_ = 0
        self.mean_, self.std_ = 0.5, 1e3  # HTM's "null distribution": everything is likely
        self.previous_tail_ = 1.0

    def _fit(self) -> None:
        """estimateAnomalyLikelihoods: a Gaussian over the 10-point means of the history."""
        scores = np.fromiter(self.scores_, np.float64, len(self.scores_))
        # HTM starts its running mean afresh at the window's first score: partial means there
        csum = np.cumsum(scores)  # (n,)
        sums = csum - np.r_[np.zeros(self.average), csum[: -self.average]][: len(csum)]
        means = sums / np.minimum(np.arange(1, len(scores) + 1), self.average)  # (n,)
        shifted_out = max(0, self.iteration_ - self.scores_.maxlen)
        skip = min(self.iteration_, max(0, self.learning - shifted_out))
        if len(means) <= skip:
            self.mean_, self.std_ = 0.5, 1e3
            return
        mean, var = float(means[skip:].mean()), float(means[skip:].var())
        # HTM's lower bounds: near-silent raw scores must not make the slightest blip red
        mean, var = max(mean, 0.03), max(var, 0.0003)
        values = np.fromiter(self.values_, np.float64, len(self.values_))[skip:]
        if values.var() < 1.5e-5:  # a flat metric: report nothing as anomalous
            self.mean_, self.std_ = mean, 1e3
        else:
            self.mean_, self.std_ = mean, math.sqrt(var)
        self.previous_tail_ = tail_probability(float(means[-1]), self.mean_, self.std_)

    def update(self, raw: float, value: float = 0.0) -> float:
        """The likelihood (in [0, 1]) that the stream is in an unusual state at this point."""
        self.recent_.append(raw)
        if self.iteration_ < self.learning + self.estimation:
            likelihood = 0.5
        else:
            if self.iteration_ == self.learning + self.estimation or (
                self.iteration_ % self.refit_every == 0
            ):
                self._fit()
            short = sum(self.recent_) / len(self.recent_)
            tail = tail_probability(short, self.mean_, self.std_)
            # _filterLikelihoods: a red tail right after a red tail is only yellow
            reported = 1e-3 if tail <= 1e-5 and self.previous_tail_ <= 1e-5 else tail
            self.previous_tail_ = tail
            likelihood = 1.0 - reported
        self.scores_.append(raw)
        self.values_.append(value)
        self.iteration_ += 1
        return likelihood
