"""One training loop for every neural model in rnnlab, visible whole.

zero_grad -> forward -> loss -> backward -> clip -> step, then an evaluation under no_grad for
early stopping. Full batch when `batch_size` is 0 (small data: a few large tensor ops per epoch
instead of many tiny ones), shuffled mini-batches otherwise. Early stopping watches either a
validation tail of the training windows (default) or, as in the lecture, the training loss with
patience 1; the best weights are restored at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn

from rnnlab.errors import RnnlabError
from rnnlab.optim import Adam

MONITORS = ("val", "train")


@dataclass
class TrainConfig:
    epochs: int = 1000  # an upper bound: early stopping usually ends sooner
    lr: float = 0.02
    batch_size: int = 0  # 0: full batch
    clip: float = 1.0  # max gradient norm
    patience: int = 100  # epochs without improvement before stopping
    min_delta: float = 1e-3  # an improvement is a relative drop of more than this
    monitor: str = "val"  # val: validation tail; train: training loss (the lecture's choice)
    val_fraction: float = 0.2  # share of the training windows, the most recent ones, for validation
    weight_decay: float = 0.0
    seed: int = 0


@dataclass
class TrainResult:
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = 0
    epochs: int = 0
    seconds: float = 0.0


def seed_everything(seed: int) -> None:
    """Same seed, same numbers: torch's generator drives initialisation and shuffling."""
    torch.manual_seed(seed)


def validation_split(n_windows: int, config: TrainConfig) -> int:
    """Number of windows, the most recent, held out for early stopping (0 when monitoring train)."""
    if config.monitor == "train":
        return 0
    if config.monitor != "val":
        raise RnnlabError(
            f"unknown monitor {config.monitor!r}; choose one of: {', '.join(MONITORS)}"
        )
    n_val = max(1, int(round(config.val_fraction * n_windows)))
    if n_windows - n_val < 2:
        raise RnnlabError(
            f"only {n_windows} training windows: too few to hold out a validation tail; "
            "use a longer series, fewer lags, or --monitor train"
        )
    return n_val


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, config: TrainConfig, progress=None):
    """Fit `model` to windows x (B, ...) -> y (B, horizon) in place; return the loss history.

    `progress`, when given, is called as progress(epoch, train_loss, val_loss) after each epoch.
    """
    start = time.perf_counter()
    n_val = validation_split(len(x), config)
    x_fit, y_fit = x[: len(x) - n_val], y[: len(y) - n_val]  # (B_fit, ...), (B_fit, horizon)
    x_val, y_val = x[len(x) - n_val :], y[len(y) - n_val :]  # (B_val, ...), (B_val, horizon)
    optimizer = Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(config.seed)
    result = TrainResult()
    best, best_state, reference, wait = float("inf"), None, float("inf"), 0

    model.train()
    for epoch in range(1, config.epochs + 1):
        if config.batch_size and config.batch_size < len(x_fit):
            order = torch.randperm(len(x_fit), generator=generator)
            batches = [
                order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)
            ]
        else:
            batches = [None]  # full batch
        epoch_loss = 0.0
        for idx in batches:
            xb, yb = (x_fit, y_fit) if idx is None else (x_fit[idx], y_fit[idx])
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if config.clip:
                nn.utils.clip_grad_norm_(model.parameters(), config.clip, foreach=True)
            optimizer.step()
            epoch_loss += loss.item() * len(xb)
        train_loss = epoch_loss / len(x_fit)

        val_loss = float("nan")
        if n_val:
            model.eval()
            with torch.no_grad():
                val_loss = loss_fn(model(x_val), y_val).item()
            model.train()
        result.train_loss.append(train_loss)
        result.val_loss.append(val_loss)
        if progress is not None:
            progress(epoch, train_loss, val_loss)

        watched = val_loss if n_val else train_loss
        if watched < best:  # keep the best weights seen ...
            best, result.best_epoch = watched, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if watched < reference * (1 - config.min_delta):  # ... only real progress resets patience
            reference, wait = watched, 0
        else:
            wait += 1
            if wait >= config.patience:
                break

    result.epochs = epoch
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    result.seconds = time.perf_counter() - start
    return result
