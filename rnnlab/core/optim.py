"""Adam, written out (Kingma & Ba 2015, Algorithm 1; the same update as torch.optim.Adam).

Why not torch.optim.Adam? Its first use imports torch._dynamo, which costs more than a second of
start-up on a laptop CPU: more than training all five of the lecture's models takes. The update
is a few lines, and a test holds it to torch.optim.Adam's numbers.
"""

from __future__ import annotations

import torch


class Adam:
    """m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  p <- p - lr m^ / (sqrt(v^) + eps)."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.weight_decay = weight_decay
        self.m = [torch.zeros_like(p) for p in self.params]  # first moment, per parameter
        self.v = [torch.zeros_like(p) for p in self.params]  # second moment, per parameter
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        params = [p for p in self.params if p.grad is not None]
        if not params:
            return
        moments = [
            (m, v)
            for p, m, v in zip(self.params, self.m, self.v, strict=True)
            if p.grad is not None
        ]
        m, v = [pair[0] for pair in moments], [pair[1] for pair in moments]
        grads = [p.grad for p in params]
        if self.weight_decay:
            grads = torch._foreach_add(grads, params, alpha=self.weight_decay)
        self.t += 1
        bias1 = 1 - self.beta1**self.t  # bias corrections for the zero-initialised moments
        bias2_sqrt = (1 - self.beta2**self.t) ** 0.5
        # The same update as above, one fused call per line over all parameters (foreach):
        # a small model's step costs a handful of calls instead of six per parameter tensor.
        torch._foreach_mul_(m, self.beta1)
        torch._foreach_add_(m, grads, alpha=1 - self.beta1)  # m = b1 m + (1 - b1) g
        torch._foreach_mul_(v, self.beta2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - self.beta2)  # v = b2 v + (1 - b2) g^2
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, bias2_sqrt)
        torch._foreach_add_(denom, self.eps)  # sqrt(v^) + eps
        torch._foreach_addcdiv_(params, m, denom, value=-self.lr / bias1)  # p -= lr m^ / denom
