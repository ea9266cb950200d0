"""Saved detectors: the whole streaming state, so that a new file continues the stream.

Everything a detector holds goes into a model folder (rnnlab.core.modelfile): its config, the
predictor's weights, the error scale, the range seen, the last values and the likelihood's
history of raw scores; lists and arrays as float64 tensors, the rest as JSON. The restored
detector scores the next point exactly as the saved one would have (tested).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from rnnlab.detect.detectors import ResidualConfig, ResidualDetector, WindowedGaussian
from rnnlab.detect.likelihood import AnomalyLikelihood

SAVED_BY = "'rnnlab detect --csv FILE --save DIR'"
_CLASSES = {c.__name__: c for c in (ResidualDetector, ResidualConfig, WindowedGaussian)}


def detector_state(detector) -> tuple[dict, dict]:
    """Tensors and JSON of everything a detector holds: its config, the predictor's weights, the
    error scale, the range seen, the last values and the likelihood's history of raw scores.
    `detector_from_state` gives a detector that scores the next point exactly as this one."""
    tensors: dict = {}
    return tensors, {"detector": _flatten(detector, "", tensors)}


def detector_from_state(tensors: dict, meta: dict):
    return _restore(meta["detector"], "", tensors)


def _flatten(obj, prefix: str, tensors: dict) -> dict:
    import torch

    fields = {}
    for name, value in vars(obj).items():
        key = prefix + name
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or isinstance(value, bool | int | float | str):
            fields[name] = value
        elif isinstance(value, deque | list):
            tensors[key] = torch.tensor(list(value), dtype=torch.float64)
            fields[name] = {"deque": value.maxlen} if isinstance(value, deque) else {"list": 1}
        elif isinstance(value, tuple):  # the predictor's weights: numpy arrays
            for i, array in enumerate(value):
                tensors[f"{key}.{i}"] = torch.from_numpy(np.asarray(array, np.float64).copy())
            fields[name] = {"arrays": len(value)}
        else:  # a config dataclass, the likelihood
            fields[name] = {"object": _flatten(value, key + ".", tensors)}
    return {"class": type(obj).__name__, "fields": fields}


def _restore(spec: dict, prefix: str, tensors: dict):
    classes = _CLASSES | {AnomalyLikelihood.__name__: AnomalyLikelihood}
    obj = object.__new__(classes[spec["class"]])
    for name, value in spec["fields"].items():
        key = prefix + name
        if isinstance(value, dict) and "deque" in value:
            value = deque(tensors[key].tolist(), maxlen=value["deque"])
        elif isinstance(value, dict) and "list" in value:
            value = tensors[key].tolist()
        elif isinstance(value, dict) and "arrays" in value:
            value = tuple(tensors[f"{key}.{i}"].numpy() for i in range(value["arrays"]))
        elif isinstance(value, dict) and "object" in value:
            value = _restore(value["object"], key + ".", tensors)
        setattr(obj, name, value)
    return obj
