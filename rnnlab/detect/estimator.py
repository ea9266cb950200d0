"""AnomalyDetector: causal anomaly scores for a stream, with scikit-learn's conventions.

`__init__` only stores the parameters. `fit(df)` starts a fresh detector and feeds it the
stream's probationary prefix (NAB's rule: the first min(15%, 750) rows, or `probation`), which
it learns from; `score(df)` and `update(timestamp, value)` then go on with the stream: each point
is scored from the points up to it and changes the state the next one is scored from, so
scoring rows in one call, in chunks or one by one gives the same numbers. `fit_score(df)` is
`rnnlab detect`: fit on the prefix, score the rest, every row of df in one frame.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.core.params import Params
from rnnlab.data.stream import Stream, stream_from_frame
from rnnlab.detect.names import DEFAULT_THRESHOLDS, METHODS
from rnnlab.errors import ParameterError, RnnlabError, is_real, is_whole, literal

COLUMNS = ("timestamp", "value", "score", "flagged")


class AnomalyDetector(Params):
    """A streaming detector by `method`: naive (last-value forecast errors -> HTM's anomaly
    likelihood, the best on NAB), residual (a small net's errors), gru, or gaussian (NAB's
    windowed Gaussian). A point is flagged when its score reaches `threshold` (None: the
    method's NAB-optimised one); rows learned from are never flagged.

    >>> det = AnomalyDetector(method="naive").fit(df)   # df: a time and a value column
    >>> det.score(later_rows)                           # timestamp, value, score, flagged
    >>> det.update(timestamp, value)                    # one new point's score
    """

    def __init__(
        self,
        method: str = "naive",
        probation: int | None = None,
        threshold: float | None = None,
        seed: int = 0,
    ):
        self.method, self.probation, self.threshold, self.seed = method, probation, threshold, seed

    # ----------------------------------------------------------------------- checks

    def check_params(self) -> None:
        """A ParameterError naming the first bad parameter (fit calls this first)."""
        if not isinstance(self.method, str) or self.method not in METHODS:
            got = literal(repr(self.method))
            raise ParameterError(
                "method", f"{{name}} must be one of {', '.join(METHODS)} (got {got})"
            )
        if self.probation is not None and not is_whole(self.probation):
            got = literal(repr(self.probation))
            raise ParameterError(
                "probation", f"{{name}} must be a whole number of rows (got {got})"
            )
        if self.threshold is not None and not is_real(self.threshold):
            got = literal(repr(self.threshold))
            raise ParameterError("threshold", f"{{name}} must be a number or None (got {got})")
        if not is_whole(self.seed) or self.seed < 0:
            got = literal(repr(self.seed))
            raise ParameterError("seed", f"{{name}} must be a whole number >= 0 (got {got})")

    def probation_rows(self, n: int, scored: bool = True) -> int:
        """The rows `fit` learns from in a stream of n rows: `probation`, or NAB's
        min(15%, 750). With `scored`, at least one row must be left to score."""
        from rnnlab.detect.nab import probation_length

        self.check_params()
        if n < 1 + scored:
            raise RnnlabError(f"the stream has {n} rows; a detector needs at least {1 + scored}")
        rows = probation_length(n) if self.probation is None else int(self.probation)
        top = n - 1 if scored else n
        if not 0 < rows <= top:
            raise ParameterError(
                "probation", f"{{name}} must lie between 1 and {top} rows (got {rows})"
            )
        return rows

    @property
    def threshold_(self) -> float:
        """The score from which a point is flagged: `threshold`, or the method's default."""
        self.check_params()
        return DEFAULT_THRESHOLDS[self.method] if self.threshold is None else float(self.threshold)

    def _check_fitted(self) -> None:
        if not hasattr(self, "detector_"):
            raise RnnlabError("this AnomalyDetector is not fitted yet: call fit(df) first")

    # ------------------------------------------------------------------------ fit

    def fit(self, X, time_col: str | None = None, value_col: str | None = None) -> AnomalyDetector:
        """Start afresh and learn from the first `probation_` rows of the stream X (a DataFrame
        with a time and a value column, a Series with a DatetimeIndex, or a Stream)."""
        from rnnlab.detect.detectors import make_detector

        stream = _as_stream(X, time_col, value_col)
        rows = self.probation_rows(len(stream.values), scored=False)
        self.detector_ = make_detector(self.method, rows, seed=self.seed)
        self.time_col_, self.value_col_ = stream.time_col, stream.value_col
        self.probation_, self.rows_seen_, self.last_timestamp_ = rows, 0, None
        # the scores the detector gave the rows it learned from (none of them is ever flagged)
        self.probation_scores_ = self._feed(stream.rows(0, rows))  # (probation_,)
        return self

    def fit_score(self, X, time_col: str | None = None, value_col: str | None = None):
        """fit on X's probationary prefix, then score the rest: a frame of every row of X, the
        prefix's rows never flagged (what `rnnlab detect --csv FILE` reports)."""
        stream = _as_stream(X, time_col, value_col)
        rows = self.probation_rows(len(stream.values), scored=True)
        self.fit(stream)
        head = stream.rows(0, rows)
        learned = _frame(head, self.probation_scores_, np.zeros(rows, bool))
        return pd.concat([learned, self.score(stream.rows(rows))], ignore_index=True)

    # ---------------------------------------------------------------------- score

    def score(self, X, time_col: str | None = None, value_col: str | None = None) -> pd.DataFrame:
        """Score X's rows as the stream's next points: timestamp, value, score (in [0, 1], higher
        is more anomalous), flagged (score >= threshold_). The columns default to fit's."""
        self._check_fitted()
        if isinstance(X, pd.DataFrame):
            columns = {str(c) for c in X.columns}
            time_col = time_col or (self.time_col_ if self.time_col_ in columns else None)
            value_col = value_col or (self.value_col_ if self.value_col_ in columns else None)
        stream = _as_stream(X, time_col, value_col)
        scores = self._feed(stream)
        return _frame(stream, scores, scores >= self.threshold_)

    def update(self, timestamp, value: float) -> float:
        """The score of one new point, which the stream's state then includes."""
        self._check_fitted()
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise RnnlabError(f"value must be a finite number (got {value!r})")
        score = self.detector_.update(timestamp, number)
        self.rows_seen_ += 1
        self.last_timestamp_ = timestamp
        return score

    def _feed(self, stream: Stream) -> np.ndarray:
        """Exactly `update` over the rows, in order (rnnlab.detect.detectors.score_stream)."""
        from rnnlab.detect.detectors import score_stream

        scores = score_stream(self.detector_, stream.timestamps, stream.values)  # (n,)
        self.rows_seen_ += len(scores)
        if len(scores):
            self.last_timestamp_ = stream.timestamps.iloc[-1]
        return scores

    # ------------------------------------------------------------------ save / load

    def save(self, folder: Path | str, extra: dict | None = None) -> None:
        """The whole streaming state as a model folder; `load` goes on where this stands."""
        from rnnlab.core import modelfile
        from rnnlab.detect.saved import detector_state

        self._check_fitted()
        tensors, state = detector_state(self.detector_)
        meta = state | {
            "method": self.method, "time_col": self.time_col_, "value_col": self.value_col_,
            "rows_seen": self.rows_seen_, "last_timestamp": str(self.last_timestamp_),
        }  # fmt: skip
        meta |= (extra or {}) | {"params": self.get_params(), "learned_from_rows": self.probation_}
        modelfile.save(Path(folder), tensors, "detector", meta)

    @classmethod
    def load(cls, folder: Path | str) -> AnomalyDetector:
        """A fitted AnomalyDetector from a folder written by `save` (or `rnnlab detect --save`);
        its next `score` or `update` continues the saved stream."""
        from rnnlab.core import modelfile
        from rnnlab.detect.saved import SAVED_BY, detector_from_state

        folder = Path(folder)
        tensors, meta = modelfile.read(folder, "detector", SAVED_BY)
        try:
            detector = detector_from_state(tensors, meta)
            names = cls._param_names()
            params = {k: v for k, v in dict(meta.get("params") or {}).items() if k in names}
            det = cls(**(params | {"method": meta["method"]}))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise RnnlabError(
                f"{folder}: {modelfile.META} does not describe a detector "
                f"({type(err).__name__}); save it again with {SAVED_BY}"
            ) from None
        det.detector_, det.time_col_, det.value_col_ = (
            detector,
            meta.get("time_col"),
            meta.get("value_col"),
        )
        det.rows_seen_, det.last_timestamp_ = (
            int(meta.get("rows_seen", 0)),
            meta.get("last_timestamp"),
        )
        det.probation_, det.probation_scores_ = int(meta.get("learned_from_rows", 0)), np.zeros(0)
        return det


def _as_stream(X, time_col, value_col) -> Stream:
    return X if isinstance(X, Stream) else stream_from_frame(X, time_col, value_col)


def _frame(stream: Stream, scores: np.ndarray, flagged: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {"timestamp": stream.timestamps, "value": stream.values, "score": scores,
         "flagged": np.asarray(flagged, bool)}
    )  # fmt: skip
