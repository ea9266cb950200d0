"""One training loop for every neural model in rnnlab, visible whole.

zero_grad -> forward -> loss -> backward -> clip -> step, then an evaluation under no_grad for
early stopping. Full batch when `batch_size` is 0 (small data: a few large tensor ops per epoch
instead of many tiny ones), shuffled mini-batches otherwise. Early stopping watches either a
validation tail of the training windows (default) or, as in the lecture, the training loss with
patience 1; the best weights are restored at the end.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from rnnlab.core.optim import Adam
from rnnlab.errors import RnnlabError

MONITORS = ("val", "train")
LOSSES = {"mse": nn.MSELoss, "mae": nn.L1Loss}


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
    loss: str = "mse"  # mse | mae
    schedule: str = "constant"  # constant | cosine (warm-up, then cosine decay to 0)
    keep: str = "best"  # best: the weights of the best monitored loss; last: the final ones
    seed: int = 0

    def __post_init__(self):
        checks = {
            "epochs >= 1": self.epochs >= 1,
            "patience >= 1": self.patience >= 1,
            "batch_size >= 0": self.batch_size >= 0,
            "0 < lr < 10": 0 < self.lr < 10,  # also refuses NaN
            "0 <= min_delta < 1": 0 <= self.min_delta < 1,
            "0 < val_fraction < 1": 0 < self.val_fraction < 1,
            f"monitor in {MONITORS}": self.monitor in MONITORS,
            f"loss in {tuple(LOSSES)}": self.loss in LOSSES,
            "schedule in ('constant', 'cosine')": self.schedule in ("constant", "cosine"),
            "keep in ('best', 'last')": self.keep in ("best", "last"),
        }
        wrong = [rule for rule, ok in checks.items() if not ok]
        if wrong:
            raise RnnlabError(f"training options out of range: need {'; '.join(wrong)}")


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


class TensorWindows:
    """Windows in memory: full batch or shuffled mini-batches; the latest are validation."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, config: TrainConfig):
        n_val = validation_split(len(x), config)
        self.x_fit, self.y_fit = x[: len(x) - n_val], y[: len(y) - n_val]  # (B_fit, ...)
        self.x_val, self.y_val = x[len(x) - n_val :], y[len(y) - n_val :]  # (B_val, ...)
        self.batch_size = config.batch_size

    def batches(self, generator: torch.Generator):
        n = len(self.x_fit)
        if not self.batch_size or self.batch_size >= n:
            yield self.x_fit, self.y_fit  # full batch
            return
        order = torch.randperm(n, generator=generator)
        for i in range(0, n, self.batch_size):
            idx = order[i : i + self.batch_size]
            yield self.x_fit[idx], self.y_fit[idx]

    def steps_per_epoch(self) -> int:
        n = len(self.x_fit)
        return 1 if not self.batch_size else max(1, math.ceil(n / self.batch_size))

    def validation(self):
        return (self.x_val, self.y_val) if len(self.x_val) else None


def _mean_over_ranks(total: float, count: int) -> float:
    """The epoch's mean loss; under torchrun, over every rank's windows, so that all ranks take
    the same early-stopping decisions and keep the same weights."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        both = torch.tensor([total, float(count)], dtype=torch.float64)
        torch.distributed.all_reduce(both)
        total, count = both.tolist()
    return total / count


def learning_rate(config: TrainConfig, progress: float) -> float:
    """lr at a point of training (0 to 1): constant, or a short warm-up then a cosine decay."""
    if config.schedule == "constant":
        return config.lr
    warmup = 0.05
    if progress < warmup:
        return config.lr * (progress / warmup)
    return config.lr * 0.5 * (1 + math.cos(math.pi * (progress - warmup) / (1 - warmup)))


def train(model: nn.Module, data, config: TrainConfig, progress=None) -> TrainResult:
    """Fit `model` in place on `data`; return the loss history.

    `data` hands out training batches, `batches(generator)` -> (x (B, ...), y (B, horizon)), and
    `validation()` -> (x, y) or None: TensorWindows for windows in memory, PanelWindows for windows
    sampled across many series. `progress`, when given, is called as
    progress(epoch, train_loss, val_loss) after each epoch.
    """
    start = time.perf_counter()
    optimizer = Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = LOSSES[config.loss]()
    generator = torch.Generator().manual_seed(config.seed)
    validation = data.validation()
    total_steps, step = config.epochs * data.steps_per_epoch(), 0
    result = TrainResult()
    best, best_state, reference, wait = float("inf"), None, float("inf"), 0

    model.train()
    for epoch in range(1, config.epochs + 1):
        if validation is None and config.keep == "best":
            # the epoch's training loss belongs to the weights it starts with
            start_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        epoch_loss, seen = 0.0, 0
        for xb, yb in data.batches(generator):
            optimizer.lr = learning_rate(config, step / total_steps)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if config.clip:
                nn.utils.clip_grad_norm_(model.parameters(), config.clip, foreach=True)
            optimizer.step()
            epoch_loss += loss.item() * len(xb)
            seen, step = seen + len(xb), step + 1
        train_loss = _mean_over_ranks(epoch_loss, seen)
        if not math.isfinite(train_loss):
            raise RnnlabError(
                f"training diverged: the loss is {train_loss} at epoch {epoch}; "
                "lower --lr, or check the data for extreme values"
            )

        val_loss = float("nan")
        if validation is not None:
            model.eval()
            with torch.no_grad():
                val_loss = loss_fn(model(validation[0]), validation[1]).item()
            model.train()
        result.train_loss.append(train_loss)
        result.val_loss.append(val_loss)
        if progress is not None:
            progress(epoch, train_loss, val_loss)

        watched = val_loss if validation is not None else train_loss
        if watched < best:  # keep the best weights seen ...
            best, result.best_epoch = watched, epoch
            if config.keep == "best" and validation is None:
                best_state = start_state
            elif config.keep == "best":
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
