"""Scalers fitted on the training span only, so no test statistic leaks into training.

`minmax` is the lecture's (to [0, 1]); `standard` centres on the mean and divides by the standard
deviation; `robust` uses the median and the interquartile range, so outliers do not set the scale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from rnnlab.errors import RnnlabError

SCALERS = ("minmax", "standard", "robust", "none")


@dataclass(frozen=True)
class Scaler:
    """x_scaled = (x - shift) / scale. Holds only fitted numbers, so it saves as JSON."""

    kind: str
    shift: float
    scale: float

    def transform(self, x):
        return (x - self.shift) / self.scale

    def inverse(self, x):
        return x * self.scale + self.shift

    def to_dict(self) -> dict:
        return asdict(self)


def fit_scaler(train_values: np.ndarray, kind: str = "minmax") -> Scaler:
    """Fit a scaler on the training values (pass only the training span)."""
    x = np.asarray(train_values, dtype=np.float64)
    if kind == "minmax":
        shift, scale = x.min(), x.max() - x.min()
    elif kind == "standard":
        shift, scale = x.mean(), x.std()
    elif kind == "robust":
        q1, median, q3 = np.percentile(x, [25, 50, 75])
        shift, scale = median, q3 - q1
    elif kind == "none":
        shift, scale = 0.0, 1.0
    else:
        raise RnnlabError(f"unknown scaler {kind!r}; choose one of: {', '.join(SCALERS)}")
    # A constant training span has no spread: keep the shift, do not divide by zero.
    if not np.isfinite(scale) or scale <= 0:
        scale = 1.0
    return Scaler(kind, float(shift), float(scale))
