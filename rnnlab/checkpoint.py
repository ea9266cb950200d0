"""Training checkpoints: all a training loop needs to go on exactly where it stopped.

A checkpoint is a model folder (rnnlab/modelfile.py) of kind "checkpoint": the network's and the
optimiser's tensors and the random generators' states as safetensors, the loop's counters as
JSON. It is written atomically (a new folder renamed over the old one), so a `kill -9` at any
instant leaves the previous checkpoint or the new one. Resumed from it with the same seed and a
step budget, training ends with the same weights as a run that was never interrupted (tested).
"""

from __future__ import annotations

from pathlib import Path

import torch

from rnnlab import modelfile

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
