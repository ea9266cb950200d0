"""A character-level language model: read text one character at a time, predict the next.

The lecture's "practical intuition" for recurrent networks (Karpathy, "The Unreasonable
Effectiveness of Recurrent Neural Networks", 2015): an embedding, stacked LSTM/GRU/RNN layers
and a linear read-out to the next character's logits. Training is truncated backpropagation
through time: the text is cut into B parallel streams, read T characters at a time, and the
state carried from one chunk to the next is detached, so gradients flow back at most T steps
while the network still sees an unbroken text (Williams & Peng 1990; pytorch/examples
word_language_model). Loss is cross-entropy in nats per character; bits = nats / ln 2.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
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
            raise RnnlabError("the text is empty; give a file with some text in it")
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


# ----------------------------------------------------------------------------- training


@dataclass
class TextTrainConfig:
    # Many small steps learn faster in a time budget than few large ones: Tiny Shakespeare,
    # LSTM 2 x 256, 3 minutes: 32 x 64 characters a step reach 1.58 nats/char, 64 x 128 1.90
    batch: int = 32  # parallel streams
    bptt: int = 64  # characters a gradient flows back through
    lr: float = 3e-3
    clip: float = 1.0
    minutes: float = 10.0  # wall-clock budget; the learning rate decays over it
    steps: int | None = None  # a step budget instead: the same numbers on any machine
    max_epochs: int = 50
    eval_every: float = 0.1  # validate after each tenth of the budget (and at the end)
    seed: int = 0


def streams(ids: torch.Tensor, batch: int) -> torch.Tensor:
    """ids (N,) -> (B, N // B): B contiguous stretches of the text, read side by side."""
    length = ids.shape[0] // batch
    if length < 2:
        raise RnnlabError(
            f"the text is too short for {batch} streams ({ids.shape[0]} characters); "
            "give more text or a smaller --batch"
        )
    return ids[: batch * length].view(batch, length)  # (B, N // B)


def evaluate(model: CharLM, ids: torch.Tensor, batch: int = 16, bptt: int = 256) -> float:
    """Mean cross-entropy in nats per character of predicting ids[1:] from what precedes,
    the state carried through the whole text (each of `batch` stretches starts afresh)."""
    data = streams(ids, min(batch, max(1, ids.shape[0] // 2)))  # (B, L)
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for s in range(0, data.shape[1] - 1, bptt):
            x = data[:, s : s + bptt]  # (B, T)
            y = data[:, s + 1 : s + bptt + 1]  # (B, T)
            x = x[:, : y.shape[1]]
            logits, state = model(x, state)  # (B, T, V)
            total += nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"
            ).item()
            count += y.numel()
    model.train(was_training)
    return total / count


@dataclass
class TextTrainResult:
    curve: list[dict]  # one row per evaluation: seconds, step, epoch, train and val nats/char
    best_val: float
    best_step: int
    steps: int
    seconds: float


def train_text(
    model: CharLM,
    train_ids: torch.Tensor,
    val_ids: torch.Tensor,
    config: TextTrainConfig,
    progress: Callable[[float, str], None] | None = None,
    save_every: int = 0,
    save: Callable[[dict, dict], None] | None = None,
    resume: tuple[dict, dict] | None = None,
) -> TextTrainResult:
    """Truncated BPTT within a time budget; the model ends with its best validation weights.

    The learning rate follows a cosine from `lr` to zero over the budget: wall time (a slower
    machine takes fewer steps and still ends with a small rate) or, when `steps` is set, a
    number of steps (the same seed then gives the same model anywhere). Each epoch starts the
    streams at a random offset, so chunk boundaries fall in new places.

    Every `save_every` steps `save(tensors, meta)` receives a checkpoint: the weights, Adam's
    moments, the random generators, the state carried between chunks and the loop's position.
    `resume=(tensors, meta)` from such a checkpoint goes on from there; with a step budget the
    result equals that of a run never interrupted. With a time budget the time already spent
    counts, but which steps fall in it depends on the machine."""
    from rnnlab.core.checkpoint import optimizer_state, restore_optimizer

    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    budget = config.minutes * 60
    # the loop's position: everything besides tensors that a checkpoint must carry
    at = {"epoch": 1, "offset": None, "chunk": 0, "step": 0, "next_eval": config.eval_every,
          "running": 0.0, "seen": 0, "best": None, "best_step": 0, "curve": [],
          "spent": 0.0}  # fmt: skip
    best_state, carried = None, None
    if resume is not None:
        tensors, meta = resume
        at = meta["position"]
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        restore_optimizer(optimizer, tensors, meta)
        torch.set_rng_state(tensors["rng.torch"])
        generator.set_state(tensors["rng.generator"])
        best_state = {k[5:]: v for k, v in tensors.items() if k.startswith("best.")} or None
        parts = [tensors[k] for k in ("carry.0", "carry.1") if k in tensors]
        carried = None if not parts else (tuple(parts) if len(parts) == 2 else parts[0])
    start = time.perf_counter() - at["spent"]

    def elapsed() -> float:  # the share of the budget spent
        if config.steps:
            return at["step"] / config.steps
        return (time.perf_counter() - start) / budget

    def evaluate_now() -> None:
        nonlocal best_state
        val = evaluate(model, val_ids)
        train_loss = at["running"] / max(at["seen"], 1)
        at["curve"].append(
            {
                "seconds": round(time.perf_counter() - start, 1),
                "step": at["step"],
                "epoch": at["epoch"],
                "train_nats": round(train_loss, 4),
                "val_nats": round(val, 4),
            }
        )
        at["running"], at["seen"] = 0.0, 0
        if at["best"] is None or val < at["best"]:
            at["best"], at["best_step"] = val, at["step"]
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if progress is not None:
            progress(min(elapsed(), 1.0), f"train {train_loss:.3f} val {val:.3f} nats/char")

    def checkpoint(state) -> None:
        tensors, meta = optimizer_state(optimizer)
        tensors |= {f"model.{k}": v for k, v in model.state_dict().items()}
        tensors |= {f"best.{k}": v for k, v in (best_state or {}).items()}
        tensors["rng.torch"] = torch.get_rng_state()
        tensors["rng.generator"] = generator.get_state()
        if state is not None:
            parts = state if isinstance(state, tuple) else (state,)
            tensors |= {f"carry.{i}": t.detach() for i, t in enumerate(parts)}
        at["spent"] = time.perf_counter() - start
        save(tensors, meta | {"position": at})

    model.train()
    done = False
    while config.steps or at["epoch"] <= config.max_epochs:
        if at["offset"] is None:  # a new epoch: new chunk boundaries, the state starts afresh
            at["offset"] = int(torch.randint(config.bptt, (1,), generator=generator))
            at["chunk"], carried = 0, None
        data = streams(train_ids[at["offset"] :], config.batch)  # (B, L)
        starts = range(0, data.shape[1] - 1 - config.bptt, config.bptt)
        state = carried
        for s in starts[at["chunk"] :]:
            fraction = elapsed()
            if fraction >= 1.0:
                done = True
                break
            x = data[:, s : s + config.bptt]  # (B, T)
            y = data[:, s + 1 : s + config.bptt + 1]  # (B, T): the next character of each
            for group in optimizer.param_groups:
                group["lr"] = config.lr * 0.5 * (1 + math.cos(math.pi * fraction))
            optimizer.zero_grad()
            logits, state = model(x, detach(state))  # (B, T, V)
            loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            optimizer.step()
            value = loss.item()
            at["step"], at["running"], at["seen"] = (
                at["step"] + 1,
                at["running"] + value,
                at["seen"] + 1,
            )
            at["chunk"] += 1
            if not math.isfinite(value):
                raise RnnlabError(f"training diverged at step {at['step']}; lower --lr")
            if elapsed() >= at["next_eval"]:
                evaluate_now()
                at["next_eval"] += config.eval_every
            if save is not None and save_every and at["step"] % save_every == 0:
                checkpoint(state)
        if done:
            break
        at["epoch"], at["offset"] = at["epoch"] + 1, None
    if not config.steps:  # the epochs ran out: the last evaluation belongs to the last one
        at["epoch"] = min(at["epoch"], config.max_epochs)
    if at["seen"] or best_state is None:  # the last steps, or a budget too small for any
        evaluate_now()
    model.load_state_dict(best_state)
    model.eval()
    seconds = time.perf_counter() - start
    return TextTrainResult(at["curve"], at["best"], at["best_step"], at["step"], seconds)


# ----------------------------------------------------------------------------- sampling


def sample(
    model: CharLM,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    """One-to-many: read `prompt`, then draw `length` characters one at a time, each fed back
    as the next input. Temperature < 1 sharpens the distribution, > 1 flattens it."""
    if not temperature > 0:  # also refuses nan
        raise RnnlabError(f"--temperature must be above 0 (got {temperature})")
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    ids = vocab.encode(prompt or "\n")[None]  # (1, P)
    out = []
    with torch.no_grad(), step_by_step():
        logits, state = model(ids)  # (1, P, V)
        for _ in range(length):
            # In float64, shifted to a maximum of 0: a tiny temperature gives 0 and -inf, not nan
            last = logits[0, -1].double()  # (V,)
            scaled = (last - last.max()) / temperature  # (V,)
            probs = torch.softmax(scaled, dim=-1)  # (V,)
            nxt = torch.multinomial(probs, 1, generator=generator)  # (1,)
            out.append(int(nxt))
            logits, state = model(nxt[None], state)  # (1, 1, V)
    return vocab.decode(out)


# ------------------------------------------------------------------------ model folders

KIND = "charlm"  # modelfile kind
SAVED_BY = "'rnnlab textgen train --out DIR'"


def save_model(folder, model: CharLM, vocab: Vocabulary, extra: dict) -> None:
    """Write the model into `folder` (a run folder being written) in rnnlab's model-file format:
    weights as safetensors, and what rebuilds the model (config, vocabulary) in model.json."""
    from dataclasses import asdict

    from rnnlab.core import modelfile

    meta = {"config": asdict(model.config), "vocabulary": vocab.to_json(), **extra}
    modelfile.write(folder, model.state_dict(), KIND, meta)


def load_model(folder) -> tuple[CharLM, Vocabulary, dict]:
    """The model saved by `rnnlab textgen train --out folder`; checked, and no pickle is read."""
    from pathlib import Path

    from rnnlab.core import modelfile

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
