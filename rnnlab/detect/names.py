"""The detection room's method names and their flag thresholds, importable without torch.

One list for everyone: `make_detector` builds these methods (a test keeps them the same),
`AnomalyDetector(method=...)` checks against METHODS, and `rnnlab detect --method` offers them.
"""

from __future__ import annotations

METHODS = ("naive", "residual", "gru", "gaussian")
# The standard-profile thresholds NAB's optimiser found for each over the corpus
# (benchmarks/nab.py); the windowed Gaussian's scores saturate, so its optimum is 1.
DEFAULT_THRESHOLDS = {"naive": 0.508, "residual": 0.539, "gru": 0.557, "gaussian": 1.0}
