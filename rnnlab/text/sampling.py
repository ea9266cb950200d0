"""Sampling from a character-level model: one-to-many, each drawn character fed back."""

from __future__ import annotations

import torch

from rnnlab.errors import ParameterError
from rnnlab.text.charlm import CharLM, Vocabulary, step_by_step


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
        raise ParameterError("temperature", f"{{name}} must be above 0 (got {temperature})")
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
