"""Rolling windows over a series, as views, and the chronological split.

Window layouts (the same names everywhere in rnnlab), for k lags and a batch of B windows:
  flat       (B, k)     what a fully connected model sees;
  features   (B, 1, k)  one timestep carrying k features (the lecture's "1 x 12");
  timesteps  (B, k, 1)  k timesteps of one feature, oldest first (the lecture's "12 x 1").
The lecture's notebook built its windows newest-lag-first, so its 12 x 1 LSTM read time
backwards; here every window runs oldest -> newest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.errors import RnnlabError

LAYOUTS = ("flat", "features", "timesteps")


def make_windows(values, lags: int, horizon: int = 1):
    """Inputs and targets of every window, as views of `values` (numpy array or torch tensor).

    Window b holds values[b : b + lags] as input and values[b + lags : b + lags + horizon] as
    target; no Python loop and no copy, so memory stays that of the series.
    Returns (X, Y) with shapes (B, lags) and (B, horizon), B = len(values) - lags - horizon + 1.
    """
    size = lags + horizon
    if lags < 1 or horizon < 1:
        raise RnnlabError(
            f"lags and horizon must be at least 1 (got lags={lags}, horizon={horizon})"
        )
    if len(values) < size:
        raise RnnlabError(
            f"a series of {len(values)} points has no window of {lags} lags + {horizon}"
        )
    if hasattr(values, "unfold"):  # torch.Tensor: unfold is a strided view
        windows = values.unfold(0, size, 1)  # (B, lags + horizon)
    else:
        windows = np.lib.stride_tricks.sliding_window_view(values, size)  # (B, lags + horizon)
    return windows[:, :lags], windows[:, lags:]  # (B, lags), (B, horizon)


def to_layout(x, layout: str):
    """Reshape flat windows (B, k) into a layout, as a view."""
    if layout == "flat":
        return x  # (B, k)
    if layout == "features":
        return x[:, None, :]  # (B, 1, k)
    if layout == "timesteps":
        return x[:, :, None]  # (B, k, 1)
    raise RnnlabError(f"unknown layout {layout!r}; choose one of: {', '.join(LAYOUTS)}")


def split_point(index: pd.DatetimeIndex, split: str | float) -> int:
    """Number of training points for a split given as a date or as a training fraction.

    A date D puts every point before D in training (the lecture's split date); a fraction f
    in (0, 1) puts the first round(f * n) points there.
    """
    n = len(index)
    fraction = _as_fraction(split)
    if fraction is not None:
        if not 0 < fraction < 1:
            raise RnnlabError(f"--split fraction must lie between 0 and 1 (got {split})")
        n_train = int(round(fraction * n))
    else:
        try:
            when = pd.Timestamp(str(split))
        except ValueError:
            raise RnnlabError(
                f"--split {split!r} is neither a date (e.g. 2012-01-01) nor a fraction (e.g. 0.8)"
            ) from None
        n_train = int(index.searchsorted(when, side="left"))
    if n_train < 1 or n_train >= n:
        raise RnnlabError(
            f"--split {split} leaves {n_train} training and {n - n_train} test points; "
            f"the data runs {index[0].date()} to {index[-1].date()}"
        )
    return n_train


def _as_fraction(split: str | float) -> float | None:
    if isinstance(split, int | float):
        return float(split)
    try:
        return float(split)
    except ValueError:
        return None


def holdout_windows(values, n_train: int, lags: int):
    """Windows whose targets are exactly the test points values[n_train:].

    Their history reaches back `lags` points into the training span, so every test point is
    predicted (the lecture's notebook lost its first 12 test months); no test value is ever
    an input to a window whose target lies in the training span.
    """
    if n_train < lags:
        raise RnnlabError(f"the training span has {n_train} points, fewer than lags={lags}")
    return make_windows(values[n_train - lags :], lags, 1)  # (T, lags), (T, 1)
