"""The textgen commands' steps on files and folders, each through `CharModel`.

Each checks its options before it reads or loads anything, so a bad option is the one error a
command prints, whatever else is wrong; then it loads, reads and calls the model.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.errors import ParameterError
from rnnlab.text.corpus import read_text
from rnnlab.text.estimator import CharModel, check_sampling


def prepare_training(params: dict, path: str | Path | None) -> tuple[CharModel, str, str]:
    """A CharModel of `params`, checked; the text of `path` (None: the default corpus) and its
    name, checked to be long enough for them. Nothing is trained yet."""
    model = CharModel(**params)
    model._validate()  # a bad option before the file is read
    text, source = read_text(path)
    model._validate(text, source=source)
    return model, text, source


def sample_folder(
    folder: str | Path, prompt: str = "\n", length: int = 500, temperature: float = 0.8,
    seed: int = 0,
) -> tuple[str, set[str]]:  # fmt: skip
    """The continuation of `prompt` by the model in `folder`, and the prompt's characters that
    the model never saw."""
    check_sampling(length, temperature)
    model = CharModel.load(folder)
    text = model.sample(length, prompt, temperature, seed)
    return text, model.vocab_.unseen(prompt)


def evaluate_file(folder: str | Path, path: str | Path) -> dict:
    """CharModel.evaluate of the model in `folder` on the text of the file `path`."""
    model = CharModel.load(folder)
    text, _ = read_text(path)
    return model.evaluate(text)


def explain_file(folder: str | Path, path: str | Path, chars: int = 2000, neuron=None):
    """What the model in `folder` does on the first `chars` characters of the file `path`:
    an Explanation (text/explain.py) and the file's name."""
    from rnnlab.text.explain import explain

    if not (isinstance(chars, int) and chars >= 2):
        raise ParameterError("chars", f"{{name}} must be at least 2 (got {chars})")
    model = CharModel.load(folder)
    text, source = read_text(path)
    return explain(model.model_, model.vocab_, text[:chars], neuron), source
