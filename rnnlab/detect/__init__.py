"""Anomaly detection on streams: a score for every point from the points up to it (no
look-ahead), flagged points, and the NAB score where labels are known.

    from rnnlab.detect import AnomalyDetector
    det = AnomalyDetector(method="naive").fit(df)   # learns from NAB's probationary prefix
    det.score(new_rows)          # DataFrame: timestamp, value, score, flagged
    det.update(timestamp, value) # the score of one new point

The room's parts:
- names.py      the method names and their NAB-optimised thresholds (no torch)
- detectors.py  the streaming detectors (windowed Gaussian, forecast residuals) and make_detector
- likelihood.py HTM's anomaly likelihood; nab.py the NAB scorer
- estimator.py  AnomalyDetector, scikit-learn's conventions; saved.py its streaming state on disk
- labels.py     label windows from a file, and one file's NAB scores
- pipeline.py   what `rnnlab detect` runs: read, score, write the run folder; plots.py its figure

Names are imported lazily, so `import rnnlab.detect` does not load torch.
"""

from __future__ import annotations

from rnnlab.core.lazy import lazy_exports
from rnnlab.detect.names import DEFAULT_THRESHOLDS, METHODS

_EXPORTS = {"AnomalyDetector": "rnnlab.detect.estimator"}
__all__ = ["DEFAULT_THRESHOLDS", "METHODS", *_EXPORTS]

__getattr__ = lazy_exports("rnnlab.detect", _EXPORTS)
