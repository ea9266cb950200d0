"""Neural forecasters: plain nn.Modules, each built from one small dataclass config.

`fc` is a fully connected network on the flattened window (the lecture's Dense(12, relu) ->
Dense(1)); `rnn`, `lstm`, `gru` run a (stacked) recurrent layer over either window layout and
read the last hidden state through a linear head (many-to-one); `lstm_scratch` is `lstm` with
the lecture's cell written out, one line per gate equation, time unrolled in a Python loop
(models/lstm_cell.py): the same function, slower. `seq2seq` is an encoder-decoder
(many-to-many; Sutskever et al. 2014): an LSTM reads the window, a second LSTM starts from its
final state and unrolls one step per forecast value, each step fed the value it forecast last.
Layouts: see data/windows.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from rnnlab.core.cells import CELLS, cell_class
from rnnlab.data.windows import LAYOUTS
from rnnlab.errors import RnnlabError

RECURRENT_CELLS = tuple(CELLS)  # a recurrent predictor's cells: the fused ones and the lecture's


@dataclass
class FCConfig:
    lags: int = 12
    horizon: int = 1
    hidden: tuple[int, ...] = (12,)  # one entry per hidden layer, relu between
    dropout: float = 0.0


class FC(nn.Module):
    def __init__(self, config: FCConfig):
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        width = config.lags
        for size in config.hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            if config.dropout > 0:
                layers.append(nn.Dropout(config.dropout))
            width = size
        layers.append(nn.Linear(width, config.horizon))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0], -1)  # (B, k) from any layout
        return self.net(x)  # (B, horizon)


@dataclass
class RNNConfig:
    cell: str = "lstm"  # rnn | lstm | gru | lstm_scratch
    lags: int = 12
    layout: str = "timesteps"  # timesteps: (B, k, 1); features: (B, 1, k)
    hidden: int = 6
    layers: int = 1  # > 1 stacks layers: a deep RNN
    dropout: float = 0.0  # between stacked layers
    horizon: int = 1
    covariates: int = 0  # k known covariates a step (timesteps layout; see forward)


class RecurrentNet(nn.Module):
    def __init__(self, config: RNNConfig):
        super().__init__()
        if config.layout not in ("timesteps", "features"):
            raise RnnlabError(
                f"a recurrent model takes layout timesteps or features, not {config.layout!r}"
            )
        if config.covariates and config.layout != "timesteps":
            raise RnnlabError("covariates need the timesteps layout: one row of them a step")
        self.config = config
        input_size = 1 + config.covariates if config.layout == "timesteps" else config.lags
        self.rnn = cell_class(config.cell, RECURRENT_CELLS)(
            input_size,
            config.hidden,
            num_layers=config.layers,
            dropout=config.dropout if config.layers > 1 else 0.0,
            batch_first=True,
        )
        self.head = nn.Linear(config.hidden + config.horizon * config.covariates, config.horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, T, 1) or (B, 1, k); with covariates (B, lags + horizon, 1 + k): each row a
        value and that step's covariates, the last `horizon` rows the future's (value 0). The
        network reads the window; the head also reads the future covariates."""
        if not self.config.covariates:
            out, _ = self.rnn(x)  # (B, T, hidden)
            return self.head(out[:, -1])  # (B, horizon): many-to-one, from the last step
        lags = self.config.lags
        out, _ = self.rnn(x[:, :lags])  # (B, lags, hidden)
        future = x[:, lags:, 1:].reshape(len(x), -1)  # (B, horizon k)
        return self.head(torch.cat([out[:, -1], future], dim=1))  # (B, horizon)


@dataclass
class Seq2SeqConfig:
    cell: str = "lstm"  # rnn | lstm | gru | lstm_scratch, for encoder and decoder
    lags: int = 12
    layout: str = "timesteps"  # the encoder reads one value per step
    hidden: int = 64
    layers: int = 1
    dropout: float = 0.0
    horizon: int = 1
    covariates: int = 0  # k known covariates a step, read by encoder and decoder


class Seq2Seq(nn.Module):
    """Encoder-decoder: the decoder's input at step h is its own forecast of step h - 1 (the
    last observed value at h = 1), in training too, so training and forecasting match and no
    teacher forcing is needed."""

    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        if config.layout != "timesteps":
            raise RnnlabError(f"seq2seq reads layout timesteps, not {config.layout!r}")
        self.config = config
        cell = cell_class(config.cell, RECURRENT_CELLS)
        options = {
            "num_layers": config.layers,
            "dropout": config.dropout if config.layers > 1 else 0.0,
            "batch_first": True,
        }
        self.encoder = cell(1 + config.covariates, config.hidden, **options)
        self.decoder = cell(1 + config.covariates, config.hidden, **options)
        self.head = nn.Linear(config.hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, L, 1); with covariates (B, L + horizon, 1 + k) as for RecurrentNet: the
        decoder's input at step h is then its last forecast beside step h's covariates."""
        lags = self.config.lags if self.config.covariates else x.shape[1]
        _, state = self.encoder(x[:, :lags])  # state: (layers, B, hidden), or a pair
        previous = x[:, lags - 1 : lags, :1]  # (B, 1, 1): the last observed value
        outputs = []
        for h in range(self.config.horizon):
            if self.config.covariates:  # beside step h's covariates (B, 1, k)
                step = torch.cat([previous, x[:, lags + h : lags + h + 1, 1:]], dim=2)
            else:
                step = previous
            out, state = self.decoder(step, state)
            previous = self.head(out)  # (B, 1, 1)
            outputs.append(previous)
        return torch.cat(outputs, dim=1)[:, :, 0]  # (B, horizon)


NEURAL = {
    "fc": (FCConfig, FC),
    "rnn": (RNNConfig, RecurrentNet),
    "lstm": (RNNConfig, RecurrentNet),
    "gru": (RNNConfig, RecurrentNet),
    "lstm_scratch": (RNNConfig, RecurrentNet),
    "seq2seq": (Seq2SeqConfig, Seq2Seq),
}


def model_layout(config) -> str:
    """The window layout a model reads: flat for fc, its own layout for recurrent nets."""
    return getattr(config, "layout", "flat")


def build_model(name: str, **options) -> tuple[object, nn.Module]:
    """Config and module for a registry name; options are the config's fields."""
    if name not in NEURAL:
        raise RnnlabError(f"unknown neural model {name!r}; choose one of: {', '.join(NEURAL)}")
    config_cls, module_cls = NEURAL[name]
    if config_cls is RNNConfig:
        options = {**options, "cell": name}
    fields = config_cls.__dataclass_fields__
    config = config_cls(**{k: v for k, v in options.items() if k in fields and v is not None})
    sizes = config.hidden if isinstance(config.hidden, tuple | list) else (config.hidden,)
    if min(sizes, default=1) < 1 or config.lags < 1 or getattr(config, "layers", 1) < 1:
        raise RnnlabError("hidden sizes, lags and layers must be at least 1")
    if model_layout(config) not in LAYOUTS:
        raise RnnlabError(
            f"unknown layout {model_layout(config)!r}; choose one of: {', '.join(LAYOUTS)}"
        )
    return config, module_cls(config)
