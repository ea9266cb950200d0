"""The classification networks: plain nn.Modules from one ClassifierConfig, and their registry.

References:
- FCN and ResNet: Wang, Yan & Oates (2017), "Time series classification from scratch with deep
  neural networks: a strong baseline", IJCNN; FCN: three conv blocks 128-256-128, kernels 8-5-3,
  batch norm, ReLU, global average pooling; ResNet: three such blocks (64-128-128) with shortcuts.
- InceptionTime: Fawaz et al. (2020), DMKD 34; bottlenecked modules of parallel kernels.
- LSTM-FCN: Karim, Majumdar, Darabi & Chen (2017), "LSTM fully convolutional networks for time
  series classification", IEEE Access 6; an FCN branch beside an LSTM that reads the
  "dimension-shuffled" series (one timestep of L features), concatenated before the softmax.
- ROCKET: Dempster, Petitjean & Webb (2020), DMKD 34; random frozen kernels and a ridge head
  (rnnlab/classify/rocket.py).

Input is (B, L) after `rnnlab.data.ucr.prepare` (per-sequence z-normalisation, gaps filled).
Every model pools over time, so train and test sequences may have different lengths.
The names of MODELS are also listed, without torch, in rnnlab/classify/names.py (a test keeps
the two the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.classify.names import ENSEMBLE
from rnnlab.classify.rocket import Rocket

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


def build_model(config: ClassifierConfig) -> nn.Module:
    if config.kind not in MODELS:
        raise ValueError(f"unknown model {config.kind!r}; choose from {', '.join(MODELS)}")
    return MODELS[config.kind](config)


def make_configs(kind: str, n_classes: int, **overrides) -> list[ClassifierConfig]:
    """One config per member: `kind`, or for "ensemble" the members of names.ENSEMBLE."""
    kinds = ENSEMBLE if kind == "ensemble" else (kind,)
    return [ClassifierConfig(kind=k, n_classes=n_classes, **overrides) for k in kinds]
