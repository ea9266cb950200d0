"""Training checkpoints: all a training loop needs to go on exactly where it stopped.

A checkpoint is a model folder (core/modelfile.py) of kind "checkpoint": the network's and the
optimiser's tensors and the random generators' states as safetensors, the loop's counters as
JSON. It is written atomically (a new folder renamed over the old one), so a `kill -9` at any
instant leaves the previous checkpoint or the new one. Resumed from it with the same seed and a
step budget, training ends with the same weights as a run that was never interrupted (tested).
"""

from __future__ import annotations

from pathlib import Path

import torch

from rnnlab.core import modelfile

KIND = "checkpoint"


def folder_for(out: Path) -> Path:
    """Where the checkpoints of the run written to `out` go: beside it, hidden."""
    out = Path(out)
    return out.parent / f".{out.name}.checkpoint"


def optimizer_state(optimizer: torch.optim.Optimizer) -> tuple[dict, dict]:
    """The optimiser's per-parameter tensors ("opt.{i}.{name}") and its JSON-able groups."""
    state = optimizer.state_dict()
    tensors = {
        f"opt.{i}.{name}": torch.as_tensor(value)
        for i, per_param in state["state"].items()
        for name, value in per_param.items()
    }
    return tensors, {"param_groups": state["param_groups"]}


def restore_optimizer(optimizer: torch.optim.Optimizer, tensors: dict, meta: dict) -> None:
    per_param: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith("opt."):
            _, i, name = key.split(".", 2)
            per_param.setdefault(int(i), {})[name] = value
    optimizer.load_state_dict({"state": per_param, "param_groups": meta["param_groups"]})


def save(folder: Path, tensors: dict, meta: dict) -> None:
    modelfile.save(folder, tensors, KIND, meta)


def load(folder: Path, what: str) -> tuple[dict, dict]:
    """The tensors and counters of the checkpoint in `folder`; `what` names the command."""
    return modelfile.read(folder, KIND, what)


class MemberCache:
    """The finished members of an interrupted ensemble run, found again by what made them.

    A member's key is a digest of everything its training depends on (the model's config, its
    seed and window length, the training data), so a resumed run takes each member it finished
    before from disk and trains only the rest: the same seed gives the same members, and the
    result equals an uninterrupted run's. Each member is its own model folder, written
    atomically, by whichever process trained it.
    """

    def __init__(self, folder: Path, resume: bool):
        self.folder, self.resume = Path(folder), resume

    @staticmethod
    def key(*parts) -> str:
        import hashlib
        import json

        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def get(self, key: str) -> tuple[dict, dict] | None:
        if not self.resume or not (self.folder / key / modelfile.META).is_file():
            return None
        return modelfile.read(self.folder / key, "member", "'rnnlab forecast'")

    def put(self, key: str, tensors: dict, meta: dict) -> None:
        modelfile.save(self.folder / key, tensors, "member", meta)


def json_safe(value):
    """`value` with every non-finite float as None (JSON has no NaN or infinity)."""
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
