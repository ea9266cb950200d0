"""What SequenceClassifier accepts: sequences as arrays, DataFrames, lists, or a UCR file's
contents, and labels of any type; one clear error for anything else.

Sequences become one float array (N, L), NaN-padded on the right, as rnnlab.data.ucr's readers
give them; `prepare` then z-normalises each and fills its gaps, so nothing is fitted on the
training set. The models read one channel: a 3-D array must be (N, 1, L).
"""

from __future__ import annotations

import numpy as np

from rnnlab.data.ucr import FLOAT32_MAX, LabelledSequences, sort_classes
from rnnlab.errors import RnnlabError


def as_sequences(X) -> np.ndarray:
    """(N, L) float64 from X: (N, L) or (N, 1, L) array-likes, a DataFrame (one sequence per
    row), a list of 1-D sequences of any lengths, or LabelledSequences; NaN marks a gap."""
    if isinstance(X, LabelledSequences):
        X = X.values
    if isinstance(X, list | tuple) and X and all(np.ndim(row) == 1 for row in X):
        rows = [_floats(row) for row in X]
        values = np.full((len(rows), max(len(r) for r in rows)), np.nan)  # (N, L)
        for i, row in enumerate(rows):
            values[i, : len(row)] = row
    else:
        values = _floats(X.to_numpy() if hasattr(X, "to_numpy") else X)
    if values.ndim == 3 and values.shape[1] == 1:
        values = values[:, 0]  # (N, 1, L) -> (N, L)
    elif values.ndim == 3:
        raise RnnlabError(
            f"X has {values.shape[1]} channels (shape {values.shape}); the models read one: "
            "give (n, length) or (n, 1, length)"
        )
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise RnnlabError(
            f"X must hold one sequence per row, (n, length) with n, length >= 1 (got shape "
            f"{values.shape})"
        )
    if (np.abs(values) > FLOAT32_MAX).any():  # False for NaN
        raise RnnlabError("X holds an infinite value or one beyond 3.4e38 (32-bit floats)")
    empty = np.isnan(values).all(axis=1)
    if empty.any():
        raise RnnlabError(f"X row {int(np.argmax(empty))} has no values; each needs some")
    return values


def _floats(values) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise RnnlabError(
            "X must hold numbers (one sequence per row; NaN for a gap); it holds something else"
        ) from None


def as_labels(y, n: int) -> np.ndarray:
    """y as a 1-D array of n labels (strings, integers, ...)."""
    labels = np.asarray(y)
    if labels.ndim != 1 or len(labels) != n:
        raise RnnlabError(f"y must hold one label per sequence: {n} (got shape {labels.shape})")
    return labels


def class_order(labels: np.ndarray) -> np.ndarray:
    """The distinct labels, sorted; labels written as numbers in strings sort numerically
    ("-1" before "1" before "10"), as `rnnlab classify` has always ordered a file's classes."""
    try:
        distinct = np.unique(labels)
    except TypeError:  # strings beside numbers, say: no order between them
        raise RnnlabError("y mixes labels that cannot be ordered (text and numbers?)") from None
    if distinct.dtype.kind in "UO" and all(isinstance(c, str) for c in distinct):
        return np.asarray(sort_classes(distinct.tolist()), dtype=distinct.dtype)
    return distinct
