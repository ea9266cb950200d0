"""Training a character-level model: truncated backpropagation through time in a budget.

The text is cut into B parallel streams, read T characters at a time, and the state carried
from one chunk to the next is detached, so gradients flow back at most T steps while the network
still sees an unbroken text (Williams & Peng 1990; pytorch/examples word_language_model). Loss
is cross-entropy in nats per character; bits = nats / ln 2.

This room owns its loop rather than using core/train.py: a text is one long stream read in
chunks with the state carried between them, not a set of windows, and the budget is wall time
or a fixed number of steps, with checkpoints that resume bit for bit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from rnnlab.errors import ParameterError
from rnnlab.text.charlm import CharLM, detach


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
        raise ParameterError(
            "batch",
            f"the text is too short for {batch} streams ({ids.shape[0]} characters); "
            "give more text or a smaller {name}",
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
                raise ParameterError(
                    "lr", f"training diverged at step {at['step']}; lower {{name}}"
                )
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
