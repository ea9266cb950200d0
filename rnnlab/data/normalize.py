"""Per-window normalisation: each window is scaled by its own input, and the forecast scaled back.

One global model can then learn from series of any level (a product selling 10 a month and one
selling 10,000): it sees shapes, not sizes. The M4 winner normalised each window by its level
(Smyl 2020, section 3.3); N-BEATS divides by the input's maximum. Kinds:
  level     x / mean|x|            (the default: scale-free, keeps the sign)
  standard  (x - mean x) / std x
  last      x - x_last             (differences from the latest value)
  none      x                      (for data already on one scale)
"""

from __future__ import annotations

import torch

from rnnlab.errors import RnnlabError

NORMALIZERS = ("level", "standard", "last", "none")
_EPS = 1e-6


def window_stats(x: torch.Tensor, kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Shift and scale per window, from the inputs x (B, L) only: each (B, 1)."""
    zero, one = torch.zeros_like(x[:, :1]), torch.ones_like(x[:, :1])
    if kind == "level":
        return zero, x.abs().mean(dim=1, keepdim=True).clamp_min(_EPS)
    if kind == "standard":
        return x.mean(dim=1, keepdim=True), x.std(dim=1, keepdim=True).nan_to_num(1.0).clamp_min(
            _EPS
        )
    if kind == "last":
        return x[:, -1:], one
    if kind == "none":
        return zero, one
    raise RnnlabError(f"unknown normalisation {kind!r}; choose one of: {', '.join(NORMALIZERS)}")


def normalize(values: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return (values - shift) / scale  # (B, T)


def denormalize(values: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return values * scale + shift  # (B, T)
