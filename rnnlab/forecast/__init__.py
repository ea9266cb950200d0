"""Forecasting: the model registry's names, and the front door, PanelForecaster (api.py).

The room's roles: networks.py, baselines.py and statistical.py (the models); local.py (one
network per series, the demo's) and global_model.py (one network for a panel); backtest.py,
intervals.py and panel_eval.py (checking and scoring); options.py, inputs.py and pipeline.py
(the protocol PanelForecaster and `rnnlab forecast` run); saved.py (the saved forecaster);
output.py and lecture.py (the run directories of `rnnlab forecast` and `rnnlab demo`).

Importing the package costs nothing (no torch, so `rnnlab --help` stays fast): it holds the
model registry's names (names.py) and imports PanelForecaster on first use. The room's own
modules import names.py, never the package, so the lazy import makes no cycle.
"""

from rnnlab.core.lazy import lazy_exports
from rnnlab.forecast.names import BASELINE_NAMES, MODEL_NAMES, NEURAL_NAMES

_EXPORTS = {"PanelForecaster": "rnnlab.forecast.api"}
__all__ = ["BASELINE_NAMES", "MODEL_NAMES", "NEURAL_NAMES", *_EXPORTS]
__getattr__ = lazy_exports("rnnlab.forecast", _EXPORTS)
