"""`CharModel`: train, sample and score a character-level language model from Python.

    from rnnlab.text import CharModel
    model = CharModel(hidden=64, layers=1, steps=300).fit(text)   # the last 10% validates
    model.sample(200, prompt="ROMEO:")        # 200 new characters
    model.evaluate(held_out)                  # nats and bits per character
    model.save("runs/book")                   # what `rnnlab textgen sample --model` reads

scikit-learn's conventions (core/params.py): `__init__` only stores its parameters, `fit`
validates them, learns, sets the attributes ending in `_` and returns the model. The parameters
are `rnnlab textgen train`'s options with its defaults: the command is a thin layer over this.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from pathlib import Path

from rnnlab.core import CELL_NAMES
from rnnlab.core.params import Params
from rnnlab.errors import (
    ParameterError,
    ParametersError,
    RnnlabError,
    is_real,
    is_whole,
    literal,
    shown,
)

CELLS = ("lstm", "gru", "rnn")  # in the order the train command lists them
assert set(CELLS) == set(CELL_NAMES)
MIN_VAL = 32  # characters of validation text: evaluation reads up to 16 streams of 2
HISTORY = ["seconds", "step", "epoch", "train_nats", "val_nats"]  # history_'s columns


class CharModel(Params):
    """A character-level RNN language model: an embedding, `layers` stacked `cell` layers of
    `hidden` units, a read-out to the next character (text/charlm.py), trained by truncated
    BPTT over `batch` streams `bptt` characters at a time (text/training.py).

    Budget: `minutes` of wall time, or exactly `steps` steps (then the same seed gives the same
    model on any machine); the learning rate decays from `lr` to 0 over it. Without val_text,
    fit holds out the last `val_fraction` of the text; the weights kept are those of the best
    validation loss. `checkpoint_every`: steps between checkpoints, when fit is given a
    checkpoint folder. `threads`: torch's threads (None or 0: all cores).

    After fit: `vocab_` (the characters), `model_` (the nn.Module), `history_` (a DataFrame, one
    row per evaluation: seconds, step, epoch, train_nats, val_nats), `best_val_` (nats/char),
    `best_step_`, `steps_`, `seconds_`, `train_chars_`, `val_chars_`, `source_`. `load` sets
    `vocab_`, `model_` and `source_`, and the parameters that describe the network.
    """

    def __init__(
        self,
        cell: str = "lstm",
        hidden: int = 256,
        layers: int = 2,
        embedding: int = 64,
        dropout: float = 0.2,
        batch: int = 32,
        bptt: int = 64,
        lr: float = 3e-3,
        minutes: float = 10.0,
        steps: int | None = None,
        checkpoint_every: int = 200,
        val_fraction: float = 0.1,
        threads: int | None = None,
        seed: int = 0,
    ):
        self.cell = cell
        self.hidden = hidden
        self.layers = layers
        self.embedding = embedding
        self.dropout = dropout
        self.batch = batch
        self.bptt = bptt
        self.lr = lr
        self.minutes = minutes
        self.steps = steps
        self.checkpoint_every = checkpoint_every
        self.val_fraction = val_fraction
        self.threads = threads
        self.seed = seed

    # ------------------------------------------------------------------------------ fit

    def fit(
        self,
        text: str,
        val_text: str | None = None,
        *,
        source: str | None = None,
        checkpoint: str | Path | None = None,
        resume: bool = False,
        progress: Callable[[float, str], None] | None = None,
        on_start: Callable[[CharModel], None] | None = None,
    ) -> CharModel:
        """Learn to predict each next character of `text`; validate on `val_text`, or on the
        last `val_fraction` of `text` when it is None.

        source: where the text came from, kept in the model folder (default: none) and checked
        on resume. checkpoint: a folder to write a checkpoint into every `checkpoint_every`
        steps; resume=True goes on from it (with a step budget the result equals an
        uninterrupted fit's). progress(fraction, info) is called after each evaluation;
        on_start(model) once the network is built, before the first step."""
        import pandas as pd
        import torch

        from rnnlab.core import checkpoint as checkpoints
        from rnnlab.text.charlm import CharLM, CharLMConfig, Vocabulary
        from rnnlab.text.saved import load_checkpoint, resume_key
        from rnnlab.text.training import train_text

        train, val = self._validate(text, val_text, source)
        same = resume_key(self.get_params(), source if source is not None else digest(train, val))
        if resume and checkpoint is None:
            raise ParameterError("resume", "{name} needs the checkpoint folder to go on from")
        resumed = load_checkpoint(checkpoint, same) if resume else None
        if self.threads:
            torch.set_num_threads(self.threads)
        torch.manual_seed(self.seed)  # the network's initial weights
        self.vocab_ = Vocabulary.from_text(train)
        config = CharLMConfig(
            len(self.vocab_.chars), self.cell, self.embedding, self.hidden, self.layers,
            self.dropout,
        )  # fmt: skip
        self.model_ = CharLM(config)
        self.source_, self.train_chars_, self.val_chars_ = source, len(train), len(val)
        if on_start is not None:
            on_start(self)

        def save(tensors: dict, meta: dict) -> None:
            checkpoints.save(Path(checkpoint), tensors, meta | same)

        result = train_text(
            self.model_, self.vocab_.encode(train), self.vocab_.encode(val), self.train_config(),
            progress, save_every=self.checkpoint_every if checkpoint is not None else 0,
            save=save, resume=resumed,
        )  # fmt: skip
        self.history_ = pd.DataFrame(result.curve, columns=HISTORY)
        self.best_val_, self.best_step_ = result.best_val, result.best_step
        self.steps_, self.seconds_ = result.steps, result.seconds
        return self

    def train_config(self):
        """The training loop's settings (text/training.py) from the parameters."""
        from rnnlab.text.training import TextTrainConfig

        return TextTrainConfig(
            self.batch, self.bptt, self.lr, minutes=self.minutes, steps=self.steps, seed=self.seed
        )

    def _validate(self, text=None, val_text=None, source=None):
        """Check the parameters, in the order the train command lists them, then (given a
        text) that there is enough of it; the training and validation parts."""
        if self.cell not in CELLS:
            raise ParameterError(
                "cell", f"{{name}} must be one of {', '.join(CELLS)} (got {shown(self.cell)})"
            )
        for name, ok, rule in self._rules():
            if not ok:
                value = shown(getattr(self, name))
                raise ParameterError(name, f"{{name}} must be {rule} (got {value})")
        if text is None:
            return None
        for name, value in (("text", text), ("val_text", val_text)):
            if value is not None and not isinstance(value, str):
                raise ParameterError(name, f"{{name}} must be a str (got {type(value).__name__})")
        if val_text is None:
            cut = int(len(text) * (1 - self.val_fraction))
            train, val = text[:cut], text[cut:]
        else:
            train, val = text, val_text
        if len(train) < self.batch * (self.bptt + 2) or (val_text is None and len(val) < MIN_VAL):
            raise ParametersError(
                f"{literal(source or 'the text')} is too short ({len(text)} characters) for "
                f"{{batch}} {self.batch} x {{bptt}} {self.bptt} and a validation part; give "
                "more text or smaller {batch}/{bptt}",
                ("batch", "bptt"),
            )
        if len(val) < MIN_VAL:
            raise ParameterError(
                "val_text", f"{{name}} holds {len(val)} characters; give at least {MIN_VAL}"
            )
        return train, val

    def _rules(self) -> tuple:
        """(parameter, valid, rule) for each parameter checked by value."""
        return (
            ("hidden", is_whole(self.hidden, 1), "at least 1"),
            ("layers", is_whole(self.layers, 1), "at least 1"),
            ("embedding", is_whole(self.embedding, 1), "at least 1"),
            ("batch", is_whole(self.batch, 1), "at least 1"),
            ("bptt", is_whole(self.bptt, 1), "at least 1"),
            ("dropout", is_real(self.dropout) and 0 <= self.dropout < 1, "in [0, 1)"),
            ("lr", is_real(self.lr) and 0 < self.lr < 1, "in (0, 1)"),
            ("minutes", is_real(self.minutes) and self.minutes > 0, "above 0"),
            (
                "steps",
                self.steps is None or is_whole(self.steps, 1),
                "at least 1",
            ),
            (
                "checkpoint_every",
                is_whole(self.checkpoint_every, 0),
                "0 or more",
            ),
            ("val_fraction", is_real(self.val_fraction) and 0 < self.val_fraction < 1, "in (0, 1)"),
            (
                "threads",
                self.threads is None or is_whole(self.threads, 0),
                "0 (all) or more",
            ),
            (
                "seed",
                is_whole(self.seed, 0) and self.seed < 2**32,
                "in 0 .. 2**32 - 1",
            ),
        )

    # ------------------------------------------------------------------ sample, evaluate

    def sample(
        self, length: int = 500, prompt: str = "\n", temperature: float = 0.8, seed: int = 0
    ) -> str:
        """`length` characters that continue `prompt` (not included), drawn one at a time and
        fed back. Temperature below 1 is safer, above 1 wilder; the same seed, the same text."""
        from rnnlab.text.sampling import sample

        check_sampling(length, temperature)
        if not isinstance(prompt, str):
            raise ParameterError("prompt", f"{{name}} must be a str (got {type(prompt).__name__})")
        self._check_fitted()
        return sample(self.model_, self.vocab_, prompt, length, temperature, seed)

    def evaluate(self, text: str) -> dict:
        """Cross-entropy on `text`: nats_per_char, bits_per_char, characters (its length),
        unseen (how many of its characters the model never saw in training: each is scored as
        the commonest training character, so the loss reads a little low) and unseen_chars."""
        from rnnlab.text.training import evaluate

        if not isinstance(text, str) or len(text) < 2:
            got = f"{len(text)} characters" if isinstance(text, str) else type(text).__name__
            raise ParameterError("text", f"{{name}} must be a str of 2 characters or more ({got})")
        self._check_fitted()
        unseen = self.vocab_.unseen(text)
        nats = evaluate(self.model_, self.vocab_.encode(text))
        return {
            "nats_per_char": nats,
            "bits_per_char": nats / math.log(2),
            "characters": len(text),
            "unseen": sum(text.count(c) for c in unseen),
            "unseen_chars": "".join(sorted(unseen)),
        }

    # ----------------------------------------------------------------------- save, load

    def save(self, folder: str | Path) -> CharModel:
        """Save as a model folder (weights, vocabulary, config), atomically: what
        `rnnlab textgen sample/eval/explain --model FOLDER` and `CharModel.load` read."""
        from rnnlab.text.saved import save_model

        self._check_fitted()
        save_model(folder, self.model_, self.vocab_, {"data": self.source_})
        return self

    @classmethod
    def load(cls, folder: str | Path) -> CharModel:
        """The model in `folder` (saved by `save` or `rnnlab textgen train --out`), ready to
        sample and evaluate; the parameters that describe its network are set from it."""
        from rnnlab.text.saved import load_model

        module, vocab, spec = load_model(folder)
        config = module.config
        model = cls(
            cell=config.cell, hidden=config.hidden, layers=config.layers,
            embedding=config.embedding, dropout=config.dropout,
        )  # fmt: skip
        model.model_, model.vocab_, model.source_ = module, vocab, spec.get("data")
        return model

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RnnlabError(
                "this CharModel is not trained yet; call fit(text) or CharModel.load(folder)"
            )


def check_sampling(length: int, temperature: float) -> None:
    """The sampling options, checked before any work (the sample command checks them before
    it loads the model, so a bad option is the only line it prints)."""
    if not is_whole(length, 1):
        raise ParameterError("length", f"{{name}} must be at least 1 (got {shown(length)})")
    if not (is_real(temperature) and temperature > 0):  # also refuses nan
        raise ParameterError("temperature", f"{{name}} must be above 0 (got {shown(temperature)})")


def digest(train: str, val: str) -> str:
    """Names a text given without a source, so a resumed fit can tell it is the same one."""
    data = (train + "\x00" + val).encode("utf-8", "surrogatepass")
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]
