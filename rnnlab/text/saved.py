"""Where a character model is kept: its model folder, and the checkpoints of a training run.

A model folder is rnnlab's one format (core/modelfile.py): the weights as safetensors, and in
model.json what rebuilds the network (its config and the vocabulary) and the data it learned.
A checkpoint (core/checkpoint.py) carries, besides the loop's state, the options of the run that
wrote it, so that a resumed run can refuse to go on with different ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rnnlab.errors import ParameterError, RnnlabError, literal

if TYPE_CHECKING:  # torch is imported when a model is, not with this module
    from rnnlab.text.charlm import CharLM, Vocabulary

KIND = "charlm"  # modelfile kind
SAVED_BY = "'rnnlab textgen train --out DIR'"
CHECKPOINTED_BY = "'rnnlab textgen train ... --checkpoint-every N'"
# the options a checkpoint must share with the run that resumes it, in the order they are checked
RESUME_KEY = ("cell", "hidden", "layers", "embedding", "dropout", "batch", "bptt", "lr",
              "minutes", "steps", "seed", "val_fraction")  # fmt: skip


def save_model(folder, model: CharLM, vocab: Vocabulary, extra: dict) -> None:
    """Save the model as the folder `folder`, atomically, in rnnlab's model-file format: weights
    as safetensors, and what rebuilds the model (config, vocabulary) and `extra` in model.json.
    An existing folder is replaced only when it is empty or an earlier model folder."""
    from dataclasses import asdict

    from rnnlab.core import modelfile

    meta = {"config": asdict(model.config), "vocabulary": vocab.to_json(), **extra}
    modelfile.save(Path(folder), model.state_dict(), KIND, meta)


def load_model(folder) -> tuple[CharLM, Vocabulary, dict]:
    """The model saved in `folder` (by `rnnlab textgen train --out folder` or CharModel.save);
    checked, and no pickle is read."""
    from rnnlab.core import modelfile
    from rnnlab.text.charlm import CharLM, CharLMConfig, Vocabulary

    folder = Path(folder)
    tensors, spec = modelfile.read(folder, KIND, SAVED_BY)
    try:
        vocab = Vocabulary.from_json(spec["vocabulary"])
        model = CharLM(CharLMConfig(**spec["config"]))
    except (ValueError, KeyError, TypeError) as err:
        raise RnnlabError(
            f"{folder}: {modelfile.META} does not describe a text model ({type(err).__name__}); "
            f"train it again with {SAVED_BY}"
        ) from None
    modelfile.load_state(model, tensors, "", folder)
    model.eval()
    return model, vocab, spec


# --------------------------------------------------------------------------- checkpoints


def resume_key(params: dict, data: str) -> dict:
    """What a checkpoint must share with the run that resumes it: the data and the options."""
    return {"resume_key": {"data": data, **{name: params[name] for name in RESUME_KEY}}}


def load_checkpoint(folder, same: dict) -> tuple[dict, dict]:
    """The checkpoint in `folder`, checked against `same` (a resume_key) option by option."""
    from rnnlab.core import checkpoint

    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(
            "resume",
            f"no checkpoint to resume in {literal(folder)}: the run finished, or never saved "
            "one; run it again without {name}",
        )
    tensors, meta = checkpoint.load(folder, CHECKPOINTED_BY)
    saved = meta.get("resume_key", {})
    for name, value in same["resume_key"].items():
        if saved.get(name) != value:
            made = f"the checkpoint was made with {{name}} {literal(saved.get(name))}, not "
            made += f"{literal(value)}; resume with the options of the interrupted run"
            if name == "data":
                raise RnnlabError(made.format(name=name))
            raise ParameterError(name, made)
    return tensors, meta
