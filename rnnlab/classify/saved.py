"""Saved classifiers: the members of a fitted SequenceClassifier in a model folder.

The folder is rnnlab's one format (rnnlab.core.modelfile): member k's tensors as "m{k}.{name}" in
model.safetensors; in model.json the class names, each member's ClassifierConfig, how inputs are
prepared, the training length and the estimator's parameters. Loading rebuilds every member
from its config and refuses, in one line, a folder whose description does not fit.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from torch import nn

from rnnlab.classify.networks import ClassifierConfig, build_model
from rnnlab.errors import RnnlabError

KIND = "classifier"  # modelfile kind
SAVED_BY = "'rnnlab classify ... --save DIR'"
SCHEMA = {
    "input": "one sequence per row: label, then values (UCR), .ts, or long format",
    "normalisation": "per-sequence z-normalisation; gaps interpolated, right padding "
    "repeats the last value",
}


def save_members(
    folder: Path,
    classes: list,
    configs: list[ClassifierConfig],
    members: list[nn.Module],
    extra: dict | None = None,
) -> None:
    """Write the members, their configs and the class names (JSON values) to `folder`."""
    from rnnlab.core import modelfile

    tensors = modelfile.members_state(members)
    meta = {
        "classes": classes,
        "members": [asdict(c) for c in configs],
        "schema": SCHEMA,
        **(extra or {}),
    }
    modelfile.save(folder, tensors, KIND, meta)


def load_members(folder: Path) -> tuple[list, list[ClassifierConfig], list[nn.Module], dict]:
    """(classes, configs, members in eval mode, the whole model.json) of a saved classifier."""
    from rnnlab.core import modelfile

    folder = Path(folder)
    tensors, meta = modelfile.read(folder, KIND, SAVED_BY)
    try:
        configs = [
            ClassifierConfig(
                **{**m, **{k: tuple(m[k]) for k in ("channels", "kernels", "blocks") if k in m}}
            )
            for m in meta["members"]
        ]
        classes = list(meta["classes"])
        models = [build_model(config) for config in configs]
        if not isinstance(meta.get("params", {}), dict):
            raise TypeError("params is not a mapping")
    except (KeyError, TypeError, ValueError) as err:
        raise RnnlabError(
            f"{folder}: {modelfile.META} does not describe a classifier ({type(err).__name__}: "
            f"{str(err)[:120]}); save it again with {SAVED_BY}"
        ) from None
    for k, model in enumerate(models):
        modelfile.load_state(model, tensors, f"m{k}.", folder)
        model.eval()
    return classes, configs, models, meta
