"""Training the classification members: the loop, the epoch count, one fit per member.

The recipe is Fawaz, Forestier, Weber, Idoumghar & Muller (2019), "Deep learning for time series
classification: a review", DMKD 33: Adam at 1e-3 on every training case, a fixed budget. This
room owns its loop instead of using rnnlab.core.train's: that one early-stops on the latest
windows of one series, while here a fixed epoch budget runs over shuffled mini-batches of whole
sequences, with batch norm (which needs batches of two or more) and, optionally, the epoch count
picked on a stratified split. ROCKET trains nothing by gradient: its ridge head is solved.
Ensembles average class probabilities per kind, as in InceptionTime (Fawaz et al. 2020, DMKD 34).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.classify.networks import ClassifierConfig, build_model

# --------------------------------------------------------------------------- one member


@dataclass
class FitConfig:
    # Fawaz et al.'s recipe, on a CPU budget: Adam at 1e-3, every training case, a fixed number
    # of epochs (they train 2000 and keep the lowest training loss; a cosine decay to zero over
    # 300 ends on a settled model). No validation split: the UCR training sets are 50-100 cases;
    # holding out a fifth to pick the epoch count costs a second run and, in our runs, did not
    # beat a fixed budget (benchmarks/results/2026-11-28-ucr.md).
    epochs: int = 300
    lr: float = 1e-3
    batch_size: int = 16  # Wang et al. use min(N / 10, 16); 6 did no better on ItalyPowerDemand
    val_fraction: float = 0.0  # > 0: a stratified share of the training set picks the epochs
    refit: bool = True  # after picking, train again on all training data for that many epochs
    seed: int = 0


@dataclass
class FitResult:
    best_epoch: int
    val_accuracy: float | None
    curve: list[dict] = field(default_factory=list)  # per epoch: train loss, val loss, val acc
    seconds: float = 0.0
    loo_accuracy: float | None = None  # rocket: leave-one-out accuracy of its ridge head


def stratified_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices, every class in proportion; a class of one stays in train."""
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        n_val = int(round(fraction * len(members))) if len(members) > 1 else 0
        val.extend(members[: min(n_val, len(members) - 1)])
    val = np.sort(np.asarray(val, dtype=int))
    return np.setdiff1d(np.arange(len(y)), val), val


def _train_epochs(model, x, y, config: FitConfig, epochs: int, x_val=None, y_val=None):
    """The loop: shuffle, mini-batch, zero_grad -> forward -> loss -> backward -> step.

    Returns one row per epoch; with x_val, the validation loss and accuracy after that epoch.
    """
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    # cosine decay to zero over the run: the last epochs take small steps, so the model kept at
    # the end is a settled one rather than one caught mid-jump (small sets make Adam jumpy)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    gen = torch.Generator().manual_seed(config.seed)
    curve = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(x), generator=gen)  # (N,)
        total = 0.0
        for start in range(0, len(x), config.batch_size):
            idx = order[start : start + config.batch_size]
            if len(idx) < 2 and len(x) > 1:
                continue  # batch norm needs two cases; the next epoch's shuffle uses this one
            loss = F.cross_entropy(model(x[idx]), y[idx])  # x[idx]: (b, L)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        schedule.step()
        row = {"epoch": epoch, "train_loss": total / len(x)}
        if x_val is not None:
            logits = predict_logits(model, x_val)  # (V, K)
            row["val_loss"] = F.cross_entropy(logits, y_val).item()
            row["val_accuracy"] = (logits.argmax(1) == y_val).float().mean().item()
        curve.append(row)
    return curve


@torch.no_grad()
def predict_logits(model: nn.Module, x: torch.Tensor, batch: int = 512) -> torch.Tensor:
    was_training = model.training
    model.eval()
    out = torch.cat([model(x[i : i + batch]) for i in range(0, len(x), batch)])  # (N, K)
    model.train(was_training)
    return out


def fit_model(config: ClassifierConfig, x: np.ndarray, y: np.ndarray, fit: FitConfig):
    """Train on all of x for fit.epochs; or, with fit.val_fraction > 0, pick the epoch count on
    a stratified validation split, then (refit) train on all of x for that many.

    x (N, L) prepared, y (N,) class indices. The test set is never seen here.
    """
    started = time.perf_counter()
    torch.manual_seed(fit.seed)
    xt = torch.as_tensor(x, dtype=torch.float32)  # (N, L)
    yt = torch.as_tensor(y, dtype=torch.long)  # (N,)
    if config.kind == "rocket":
        # Nothing to train by gradient and no split to hold out: the ridge penalty is picked by
        # exact leave-one-out error over every training case (rnnlab.classify.rocket.ridge_loo).
        model = build_model(config)
        loo = model.fit(xt, yt)
        return model, FitResult(0, None, [], time.perf_counter() - started, loo_accuracy=loo)
    train_idx, val_idx = stratified_split(y, fit.val_fraction, fit.seed)
    if len(val_idx) == 0:  # none held out (or too few cases to): train the full budget on all
        model = build_model(config)
        curve = _train_epochs(model, xt, yt, fit, fit.epochs)
        return model, FitResult(fit.epochs, None, curve, time.perf_counter() - started)
    model = build_model(config)
    curve = _train_epochs(
        model, xt[train_idx], yt[train_idx], fit, fit.epochs, xt[val_idx], yt[val_idx]
    )
    # Validation accuracy on a few cases is noisy: smooth it over five epochs, and take the
    # latest epoch within one validation case of the best, where the cosine schedule has
    # settled; an earlier epoch wins only when it is clearly better, not by one lucky case.
    acc = np.array([r["val_accuracy"] for r in curve])  # (E,)
    smooth = np.convolve(np.pad(acc, 2, mode="edge"), np.ones(5) / 5, mode="valid")  # (E,)
    good = np.flatnonzero(smooth >= smooth.max() - 1 / len(val_idx) - 1e-6)
    best = curve[int(good[-1])]
    # Start again from the same initial weights for the picked number of epochs; with refit on
    # every training case, since 20% more data is worth more than the weights seen on the split.
    rows = torch.arange(len(yt)) if fit.refit else torch.as_tensor(train_idx)  # (N',)
    torch.manual_seed(fit.seed)
    model = build_model(config)
    _train_epochs(model, xt[rows], yt[rows], fit, best["epoch"])
    seconds = time.perf_counter() - started
    return model, FitResult(best["epoch"], best["val_accuracy"], curve, seconds)


# ----------------------------------------------------------------------------- members


def fit_members(
    configs: list[ClassifierConfig], x: np.ndarray, y: np.ndarray, fit: FitConfig, progress=None
) -> tuple[list[ClassifierConfig], list[nn.Module], list[FitResult]]:
    """Fit every member on all of x (N, L) prepared, y (N,) class indices; member k's seed is
    fit.seed + 1000 k. Returns the configs as fitted (with their seeds), models and results;
    `progress(done, total, kind, result)` is called as each member finishes."""
    fitted, models, results = [], [], []
    for k, config in enumerate(configs):
        member_fit = FitConfig(**{**asdict(fit), "seed": fit.seed + 1000 * k})
        config = replace(config, seed=member_fit.seed)
        model, result = fit_model(config, x, y, member_fit)
        fitted.append(config)
        models.append(model)
        results.append(result)
        if progress is not None:
            progress(k + 1, len(configs), config.kind, result)
    return fitted, models, results


def average_by_kind(members: list[nn.Module], kinds: list[str], x: np.ndarray) -> np.ndarray:
    """Class probabilities (N, K): averaged over the members of each kind, then over kinds,
    so that three FCNs beside one rocket weigh as much as it does (the members of one kind
    differ by seed only, and would otherwise outvote a kind of another view)."""
    xt = torch.as_tensor(x, dtype=torch.float32)  # (N, L)
    probs = [predict_logits(m, xt).softmax(dim=1) for m in members]  # M x (N, K)
    per_kind = [
        torch.stack([p for p, k in zip(probs, kinds, strict=True) if k == kind]).mean(dim=0)
        for kind in dict.fromkeys(kinds)
    ]  # kinds x (N, K)
    return torch.stack(per_kind).mean(dim=0).numpy()  # (N, K)
