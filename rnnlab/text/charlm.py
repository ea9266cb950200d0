"""A character-level language model: read text one character at a time, predict the next.

The lecture's "practical intuition" for recurrent networks (Karpathy, "The Unreasonable
Effectiveness of Recurrent Neural Networks", 2015): an embedding, stacked LSTM/GRU/RNN layers
and a linear read-out to the next character's logits. This file holds the vocabulary and the
network; training.py trains it (truncated BPTT), sampling.py draws text from it, saved.py keeps
it in a model folder, and estimator.py wraps it all as `CharModel`, the room's Python API.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn

from rnnlab.core.cells import cell_class
from rnnlab.errors import RnnlabError

# --------------------------------------------------------------------------- vocabulary


class Vocabulary:
    """The characters of the training text, each an integer id. A character the model never
    saw maps to `unknown` (the most frequent training character), so any text can be read."""

    def __init__(self, chars: list[str], unknown: str):
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}
        self.unknown = self.index[unknown]

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        if not text:
            raise RnnlabError("the text is empty; give some text to learn from")
        counts: dict[str, int] = {}
        for c in text:
            counts[c] = counts.get(c, 0) + 1
        return cls(sorted(counts), max(counts, key=counts.get))

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor([self.index.get(c, self.unknown) for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def unseen(self, text: str) -> set[str]:
        return set(text) - set(self.index)

    def to_json(self) -> dict:
        return {"chars": self.chars, "unknown": self.chars[self.unknown]}

    @classmethod
    def from_json(cls, data: dict) -> Vocabulary:
        return cls(list(data["chars"]), data["unknown"])


# ------------------------------------------------------------------------------- model


@dataclass
class CharLMConfig:
    vocab_size: int
    cell: str = "lstm"  # rnn | lstm | gru
    embedding: int = 64
    hidden: int = 256
    layers: int = 2
    dropout: float = 0.2  # after the embedding, between layers and before the read-out


class CharLM(nn.Module):
    def __init__(self, config: CharLMConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embedding)
        self.drop = nn.Dropout(config.dropout)
        self.rnn = cell_class(config.cell)(
            config.embedding,
            config.hidden,
            config.layers,
            batch_first=True,
            dropout=config.dropout if config.layers > 1 else 0.0,
        )
        self.head = nn.Linear(config.hidden, config.vocab_size)

    def forward(self, ids: torch.Tensor, state=None):
        """ids (B, T) -> logits (B, T, V) and the state after the last character."""
        x = self.drop(self.embed(ids))  # (B, T, E)
        out, state = self.rnn(x, state)  # (B, T, H)
        return self.head(self.drop(out)), state  # (B, T, V)

    def hidden_states(self, ids: torch.Tensor):
        """Every layer's hidden state h_t and, for an LSTM, its cell state C_t at every
        character of `ids` (T,): (layers, T, H) each (cell None otherwise), and logits (T, V).
        One character at a time, so that the inner layers' states can be read."""
        state, hs, cs, logits = None, [], [], []
        x = self.embed(ids[None])  # (1, T, E)
        with torch.no_grad(), step_by_step():
            for t in range(ids.shape[0]):
                out, state = self.rnn(x[:, t : t + 1], state)  # (1, 1, H)
                h, c = state if isinstance(state, tuple) else (state, None)
                hs.append(h[:, 0])  # (layers, H)
                cs.append(None if c is None else c[:, 0])
                logits.append(self.head(out[0, 0]))  # (V,)
        cells = None if cs[0] is None else torch.stack(cs, 1)  # (layers, T, H)
        return torch.stack(hs, 1), cells, torch.stack(logits)  # (layers, T, H), ..., (T, V)


@contextlib.contextmanager
def step_by_step():
    """For calls that read one character at a time. oneDNN's recurrent kernel (torch's default
    on CPU) re-lays out the weights on every call: 19 ms a call for one character through an
    LSTM of 2 x 256, against 0.7 ms with torch's own kernel."""
    before = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = before


def detach(state):
    """Cut the graph at a chunk boundary (truncated BPTT): keep the values, drop the history."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()
