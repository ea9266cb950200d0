"""Sequence classification (many-to-one): ROCKET, FCN, ResNet, InceptionTime, LSTM/GRU, LSTM-FCN,
and ensembles of them.

References:
- FCN and ResNet: Wang, Yan & Oates (2017), "Time series classification from scratch with deep
  neural networks: a strong baseline", IJCNN; FCN: three conv blocks 128-256-128, kernels 8-5-3,
  batch norm, ReLU, global average pooling; ResNet: three such blocks (64-128-128) with shortcuts.
- Training recipe: Fawaz, Forestier, Weber, Idoumghar & Muller (2019), "Deep learning for time
  series classification: a review", DMKD 33; Adam at 1e-3 on every training case, a fixed budget.
- InceptionTime: Fawaz et al. (2020), DMKD 34; bottlenecked modules of parallel kernels.
- LSTM-FCN: Karim, Majumdar, Darabi & Chen (2017), "LSTM fully convolutional networks for time
  series classification", IEEE Access 6; an FCN branch beside an LSTM that reads the
  "dimension-shuffled" series (one timestep of L features), concatenated before the softmax.
- ROCKET: Dempster, Petitjean & Webb (2020), DMKD 34; random frozen kernels and a ridge head
  (rnnlab/classify/rocket.py).
- Ensembles: averaged class probabilities, as in InceptionTime (Fawaz et al. 2020, DMKD 34).

Input is (B, L) after `rnnlab.data.ucr.prepare` (per-sequence z-normalisation, gaps filled).
Every model pools over time, so train and test sequences may have different lengths.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.classify.rocket import Rocket
from rnnlab.errors import RnnlabError

# ----------------------------------------------------------------------------- models


@dataclass
class ClassifierConfig:
    kind: str = "fcn"  # a key of MODELS
    n_classes: int = 2
    # FCN filters per block: half of Wang et al.'s 128-256-128, four times cheaper on a CPU core and
    # as accurate on the UCR sets we benchmark (benchmarks/ucr.py)
    channels: tuple[int, int, int] = (64, 128, 64)
    kernels: tuple[int, int, int] = (8, 5, 3)
    hidden: int = 64  # recurrent units (lstm/gru); lstm_fcn uses its own `lstm_cells`
    layers: int = 1
    bidirectional: bool = False
    pooling: str = "last"  # recurrent models: "last" state or "mean" over time
    lstm_cells: int = 8  # LSTM-FCN's LSTM branch (Karim et al. use 8, 64 or 128)
    dropout: float = 0.8  # LSTM-FCN's dropout after the LSTM branch, as in the paper
    length: int = 0  # training length: the width of LSTM-FCN's shuffled input (0: not set)
    # InceptionTime: filters per branch (4 branches -> 4x channels), modules, longest kernel
    filters: int = 32
    depth: int = 6
    longest_kernel: int = 40
    # ResNet (Wang et al.): filters of its three residual blocks, each block kernels 8-5-3
    blocks: tuple[int, ...] = (64, 128, 128)
    n_kernels: int = 10_000  # ROCKET: random kernels, two features each (the paper's 10,000)
    seed: int = 0  # the member's training seed (ROCKET draws its kernels with it)


def conv_block(c_in: int, channels, kernels, last_relu: bool = True) -> nn.Sequential:
    """Conv -> batch norm -> ReLU per (channels, kernel) pair, the length kept ("same")."""
    layers = []
    for c_out, k in zip(channels, kernels, strict=True):
        # "same" padding keeps the length, so short series and the last timesteps count;
        # explicit and asymmetric for the even kernel 8 (3 left, 4 right)
        pad = nn.ConstantPad1d(((k - 1) // 2, k - 1 - (k - 1) // 2), 0.0)
        layers += [pad, nn.Conv1d(c_in, c_out, k), nn.BatchNorm1d(c_out), nn.ReLU()]
        c_in = c_out
    return nn.Sequential(*(layers if last_relu else layers[:-1]))


class FCNBody(nn.Module):
    """Three conv blocks and global average pooling: (B, L) -> (B, channels[-1])."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.blocks = conv_block(1, config.channels, config.kernels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.blocks(x.unsqueeze(1))  # (B, 1, L) -> (B, C, L)
        return z.mean(dim=2)  # (B, C): global average pooling makes it length-agnostic


class FCN(nn.Module):
    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.body = FCNBody(config)
        self.head = nn.Linear(config.channels[-1], config.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))  # (B, L) -> (B, K) logits


class RNNClassifier(nn.Module):
    """Stacked, optionally bidirectional LSTM or GRU over time; last state or mean -> linear."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        self.rnn = getattr(nn, config.kind.upper())(
            1, config.hidden, config.layers, batch_first=True, bidirectional=config.bidirectional
        )
        directions = 2 if config.bidirectional else 1
        self.head = nn.Linear(config.hidden * directions, config.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, state = self.rnn(x.unsqueeze(2))  # (B, L, 1) -> out (B, L, D*H)
        if self.config.pooling == "mean":
            z = out.mean(dim=1)  # (B, D*H)
        else:
            h_n = state[0] if isinstance(state, tuple) else state  # (layers*D, B, H)
            # the top layer's final state of each direction: the backward one has read to t=0
            z = (
                h_n[-(2 if self.config.bidirectional else 1) :].transpose(0, 1).flatten(1)
            )  # (B, D*H)
        return self.head(z)  # (B, K)


class LSTMFCN(nn.Module):
    """FCN branch + LSTM on the dimension-shuffled input (1 timestep x L features)."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        if config.length < 1:
            raise ValueError("lstm_fcn needs the training length (ClassifierConfig.length)")
        self.fcn = FCNBody(config)
        self.lstm = nn.LSTM(config.length, config.lstm_cells, batch_first=True)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.channels[-1] + config.lstm_cells, config.n_classes)
        self.config = config

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shuffled = x
        if x.shape[1] != self.config.length:
            # The shuffle makes the length the LSTM's input width, fixed at training: sequences
            # of another length are linearly resampled to it for this branch (the FCN sees x).
            shuffled = F.interpolate(x.unsqueeze(1), self.config.length, mode="linear")[:, 0]
        # Karim et al.'s dimension shuffle: one timestep of L features, so the LSTM is a short
        # gated path over the whole series instead of L steps for the gradient to cross.
        _, (h_n, _) = self.lstm(shuffled.unsqueeze(1))  # (B, 1, L) -> h_n (1, B, cells)
        z = torch.cat([self.fcn(x), self.dropout(h_n[-1])], dim=1)  # (B, C + cells)
        return self.head(z)  # (B, K)


class InceptionModule(nn.Module):
    """Bottleneck 1x1, then kernels k, k/2, k/4 side by side, plus max-pool -> 1x1; concatenated."""

    def __init__(self, c_in: int, filters: int, longest: int):
        super().__init__()
        self.bottleneck = nn.Conv1d(c_in, filters, 1, bias=False) if c_in > 1 else nn.Identity()
        c_mid = filters if c_in > 1 else c_in
        self.convs = nn.ModuleList(
            nn.Conv1d(c_mid, filters, max(longest // 2**i, 2), padding="same", bias=False)
            for i in range(3)
        )
        self.pool = nn.Sequential(
            nn.MaxPool1d(3, stride=1, padding=1), nn.Conv1d(c_in, filters, 1, bias=False)
        )
        self.norm = nn.BatchNorm1d(4 * filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.bottleneck(x)  # (B, F, L)
        branches = [conv(z) for conv in self.convs] + [self.pool(x)]  # 4 x (B, F, L)
        return F.relu(self.norm(torch.cat(branches, dim=1)))  # (B, 4F, L)


class InceptionNet(nn.Module):
    """One InceptionTime network: `depth` modules, a residual shortcut around every three."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        width = 4 * config.filters
        self.modules_ = nn.ModuleList(
            InceptionModule(1 if d == 0 else width, config.filters, config.longest_kernel)
            for d in range(config.depth)
        )
        self.shortcuts = nn.ModuleList(
            nn.Sequential(nn.Conv1d(1 if s == 0 else width, width, 1, bias=False),
                          nn.BatchNorm1d(width))
            for s in range(config.depth // 3)
        )  # fmt: skip
        self.head = nn.Linear(width, config.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.unsqueeze(1)  # (B, 1, L)
        residual = z
        for d, module in enumerate(self.modules_):
            z = module(z)  # (B, 4F, L)
            if d % 3 == 2:
                z = F.relu(z + self.shortcuts[d // 3](residual))
                residual = z
        return self.head(z.mean(dim=2))  # (B, K)


class ResNet(nn.Module):
    """Wang et al.'s ResNet: three FCN-like blocks, each with a shortcut (1x1 conv + BN, here
    also where the widths match, where Wang et al. use BN alone)."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.blocks, self.shortcuts, c_in = nn.ModuleList(), nn.ModuleList(), 1
        for c_out in config.blocks:
            self.blocks.append(conv_block(c_in, [c_out] * 3, config.kernels, last_relu=False))
            self.shortcuts.append(nn.Sequential(nn.Conv1d(c_in, c_out, 1), nn.BatchNorm1d(c_out)))
            c_in = c_out
        self.head = nn.Linear(c_in, config.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.unsqueeze(1)  # (B, 1, L)
        for block, shortcut in zip(self.blocks, self.shortcuts, strict=True):
            z = F.relu(block(z) + shortcut(z))  # (B, C, L)
        return self.head(z.mean(dim=2))  # (B, K)


MODELS: dict[str, type[nn.Module]] = {
    "fcn": FCN,
    "lstm": RNNClassifier,
    "gru": RNNClassifier,
    "lstm_fcn": LSTMFCN,
    "inception": InceptionNet,
    "resnet": ResNet,
    "rocket": Rocket,  # no gradient training: fit_model solves its ridge head
}
# --model ensemble: ROCKET's random features beside three FCNs that learn theirs, each FCN with its
# own seed; predict_proba gives each kind an equal share, so rocket counts as much as the trio
ENSEMBLE = ("rocket", "fcn", "fcn", "fcn")


def build_model(config: ClassifierConfig) -> nn.Module:
    if config.kind not in MODELS:
        raise ValueError(f"unknown model {config.kind!r}; choose from {', '.join(MODELS)}")
    return MODELS[config.kind](config)


# --------------------------------------------------------------------------- training


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


# ------------------------------------------------------------------------- classifier


class SequenceClassifier:
    """Fitted members (one model, or an ensemble) and the class names; probabilities averaged."""

    def __init__(self, configs: list[ClassifierConfig], classes: list[str]):
        self.configs = configs
        self.classes_ = classes
        self.members_: list[nn.Module] = []
        self.fits_: list[FitResult] = []

    def fit(self, x: np.ndarray, labels: list[str], fit: FitConfig, progress=None):
        index = {c: i for i, c in enumerate(self.classes_)}
        y = np.asarray([index[s] for s in labels])  # (N,)
        for k, config in enumerate(self.configs):
            member_fit = FitConfig(**{**asdict(fit), "seed": fit.seed + 1000 * k})
            config = self.configs[k] = replace(config, seed=member_fit.seed)
            model, result = fit_model(config, x, y, member_fit)
            self.members_.append(model)
            self.fits_.append(result)
            if progress is not None:
                progress(k + 1, len(self.configs), config.kind, result)
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, K): averaged over the members of each kind, then over kinds,
        so that three FCNs beside one rocket weigh as much as it does (the members of one kind
        differ by seed only, and would otherwise outvote a kind of another view)."""
        xt = torch.as_tensor(x, dtype=torch.float32)  # (N, L)
        probs = [predict_logits(m, xt).softmax(dim=1) for m in self.members_]  # M x (N, K)
        kinds = [c.kind for c in self.configs]
        per_kind = [
            torch.stack([p for p, k in zip(probs, kinds, strict=True) if k == kind]).mean(dim=0)
            for kind in dict.fromkeys(kinds)
        ]  # kinds x (N, K)
        return torch.stack(per_kind).mean(dim=0).numpy()  # (N, K)

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.classes_[i] for i in self.predict_proba(x).argmax(axis=1)]


def make_configs(kind: str, n_classes: int, **overrides) -> list[ClassifierConfig]:
    kinds = ENSEMBLE if kind == "ensemble" else (kind,)
    return [ClassifierConfig(kind=k, n_classes=n_classes, **overrides) for k in kinds]


# ------------------------------------------------------------------------ save / load

KIND = "classifier"  # modelfile kind
SAVED_BY = "'rnnlab classify ... --save DIR'"


def save_classifier(folder: Path, clf: SequenceClassifier, extra: dict | None = None) -> None:
    """A model folder (rnnlab.core.modelfile): member k's tensors as "m{k}.{name}", the configs,
    the class names and how inputs are prepared."""
    from rnnlab.core import modelfile

    tensors = modelfile.members_state(clf.members_)
    meta = {
        "classes": clf.classes_,
        "members": [asdict(c) for c in clf.configs],
        "schema": {
            "input": "one sequence per row: label, then values (UCR), .ts, or long format",
            "normalisation": "per-sequence z-normalisation; gaps interpolated, right padding "
            "repeats the last value",
        },
        **(extra or {}),
    }
    modelfile.save(folder, tensors, KIND, meta)


def load_classifier(folder: Path) -> tuple[SequenceClassifier, dict]:
    from rnnlab.core import modelfile

    folder = Path(folder)
    tensors, meta = modelfile.read(folder, KIND, SAVED_BY)
    try:
        configs = [
            ClassifierConfig(
                **{**m, **{k: tuple(m[k]) for k in ("channels", "kernels", "blocks") if k in m}}
            )
            for m in meta["members"]
        ]
        clf = SequenceClassifier(configs, [str(c) for c in meta["classes"]])
        models = [build_model(config) for config in configs]
    except (KeyError, TypeError, ValueError) as err:
        raise RnnlabError(
            f"{folder}: {modelfile.META} does not describe a classifier ({type(err).__name__}: "
            f"{str(err)[:120]}); save it again with {SAVED_BY}"
        ) from None
    for k, model in enumerate(models):
        modelfile.load_state(model, tensors, f"m{k}.", folder)
        model.eval()
        clf.members_.append(model)
    return clf, meta


# ---------------------------------------------------------------------------- metrics


def classification_metrics(actual: list[str], predicted: list[str], classes: list[str]) -> dict:
    """Accuracy, macro F1, per-class precision/recall/F1/support, and the confusion matrix."""
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    cm = np.zeros((k, k), dtype=int)  # rows: actual, columns: predicted
    np.add.at(cm, ([index[a] for a in actual], [index[p] for p in predicted]), 1)
    per_class, f1s = {}, []
    for i, c in enumerate(classes):
        tp, col, row = cm[i, i], cm[:, i].sum(), cm[i, :].sum()
        precision = tp / col if col else 0.0
        recall = tp / row if row else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {"precision": precision, "recall": recall, "f1": f1, "support": int(row)}
        if row:  # macro F1 over the classes present in the test set
            f1s.append(f1)
    return {
        "accuracy": float(np.trace(cm) / max(cm.sum(), 1)),
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "per_class": per_class,
        "confusion_matrix": cm.tolist(),
        "classes": classes,
    }
