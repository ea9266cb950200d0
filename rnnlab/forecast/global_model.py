"""Global models: one network trained on windows from every series, forecasting H steps ahead.

Why global: a retailer's thousand products share patterns that no single short series shows;
the M4 winner and N-BEATS both learn across series. Three multi-step strategies:
  direct     the head outputs all H values (the default): no error feeds back into later
             steps, and one forward pass forecasts the whole horizon;
  recursive  a one-step network, fed its own forecast H times;
  seq2seq    model "seq2seq": an encoder-decoder that unrolls H steps (models/neural.py),
             trained like a direct model on whole H-step targets.
Windows are normalised one by one (data/normalize.py) and sampled at random across the panel
without ever materialising them all (global_windows.py): memory stays that of the points. An
ensemble trains several seeds and takes the median forecast, N-BEATS's main lever; members
train in parallel on free cores.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from rnnlab.core.parallel import available_workers, in_parallel
from rnnlab.core.params import Params
from rnnlab.core.train import TrainConfig, TrainResult, seed_everything, train
from rnnlab.data.normalize import denormalize, normalize, window_stats
from rnnlab.data.panel import Panel
from rnnlab.errors import ParameterError, RnnlabError, literal
from rnnlab.forecast.global_windows import (
    PanelWindows,
    last_windows,
    panel_digest,
    with_covariates,
)
from rnnlab.forecast.networks import build_model

# Training defaults for global models: many small mini-batch steps, a cosine schedule, MAE on
# normalised windows (close to what sMAPE and MASE reward), and no early stopping: the
# schedule's end is the model kept (keep "last"), so every point of history stays in training.
GLOBAL_TRAIN = {
    "epochs": 20,
    "batch_size": 1024,
    "lr": 2e-3,
    "schedule": "cosine",
    "loss": "mae",
    "monitor": "train",
    "patience": 1000,
    "clip": 1.0,
    "keep": "last",
}

# Recurrent networks (rnn, lstm, gru, seq2seq) step through a window one value at a time, so a
# window costs them many times what it costs fc: they train on smaller batches, which reach the
# same accuracy in a fraction of the time (M3 monthly, lstm 1 x 64, 2000 steps: 128 windows a
# batch give sMAPE 14.68 in 18 s, 1024 windows 14.67 in 169 s). The encoder-decoder needs a
# little more: 128 windows cost it 0.3 (M3 monthly, 1 x 64: 15.03 in 56 s, 256 windows 14.74 in
# 80 s, 512 windows 14.84, 1024 windows 14.72).
RECURRENT_BATCH, SEQ2SEQ_BATCH = 128, 256


STRATEGIES = ("direct", "recursive")


@dataclass
class GlobalConfig:
    model: str = "fc"  # fc | rnn | lstm | gru | seq2seq
    horizon: int = 12
    strategy: str = "direct"  # direct | recursive (a one-step model fed its own forecasts)
    cell: str = "lstm"  # seq2seq: rnn | lstm | gru
    input_size: int | None = None  # None: members cycle through `lookbacks`
    lookbacks: tuple[float, ...] = (2.0, 1.5, 2.5, 3.0)  # in seasons (or horizons without one)
    hidden: int = 256
    layers: int = 3  # fc: hidden layers; recurrent: stacked layers
    dropout: float = 0.0
    normalize: str = "level"
    ensemble: int = 12  # members with seeds seed, seed + 1, ...; the forecast is their median
    steps_per_epoch: int = 100
    train: dict = field(default_factory=dict)  # overrides of GLOBAL_TRAIN

    def member_input_size(self, member: int, season: int) -> int:
        """Window length of ensemble member `member`: varied lookbacks make a better ensemble
        than varied seeds alone (on M3 monthly, 8 members: sMAPE 13.74 vs 13.78 for 2 x 24)."""
        if self.input_size is not None:
            return self.input_size
        unit = season if season > 1 else max(self.horizon, 4)
        return max(2, int(round(self.lookbacks[member % len(self.lookbacks)] * unit)))


def distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized()


def init_distributed() -> bool:
    """Join the process group when started by torchrun. rnnlab trains on the CPU, so gloo;
    nccl is the backend to take once training moves to GPUs."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) < 2 or distributed():
        return distributed()
    torch.distributed.init_process_group("gloo")
    return True


def _as_panel(data) -> Panel:
    if isinstance(data, Panel):
        return data
    from rnnlab.forecast.inputs import as_panel

    return as_panel(data)


class GlobalForecaster(Params):
    """Fit one network (or an ensemble) on a whole panel; forecast every series H steps ahead.

    The parameters are GlobalConfig's fields and the seed (`config` reads them as one);
    `fit(panel)` checks them and sets the fitted attributes: members_, input_sizes_, ...
    """

    def __init__(
        self,
        seed: int = 0,
        model: str = "fc",
        horizon: int = 12,
        strategy: str = "direct",
        cell: str = "lstm",
        input_size: int | None = None,
        lookbacks: tuple[float, ...] = (2.0, 1.5, 2.5, 3.0),
        hidden: int = 256,
        layers: int = 3,
        dropout: float = 0.0,
        normalize: str = "level",
        ensemble: int = 12,
        steps_per_epoch: int = 100,
        train: dict | None = None,
    ):
        self.seed, self.model, self.horizon, self.strategy = seed, model, horizon, strategy
        self.cell, self.input_size, self.lookbacks = cell, input_size, lookbacks
        self.hidden, self.layers, self.dropout, self.normalize = hidden, layers, dropout, normalize
        self.ensemble, self.steps_per_epoch, self.train = ensemble, steps_per_epoch, train

    @property
    def config(self) -> GlobalConfig:
        """The parameters as a GlobalConfig (`train`: the overrides of GLOBAL_TRAIN)."""
        names = [n for n in GlobalConfig.__dataclass_fields__ if n != "train"]
        return GlobalConfig(**{n: getattr(self, n) for n in names}, train=dict(self.train or {}))

    @property
    def layout(self) -> str:
        """How a window reaches the network: flat (B, L) for fc, else timesteps (B, L, 1)."""
        return "flat" if self.model == "fc" else "timesteps"

    def _check_params(self) -> None:
        if isinstance(self.ensemble, bool) or not hasattr(self.ensemble, "__index__"):
            got = literal(repr(self.ensemble))
            raise ParameterError("ensemble", f"{{name}} must be a whole number (got {got})")
        if self.ensemble < 1:
            got = literal(repr(self.ensemble))
            raise ParameterError("ensemble", f"{{name}} must be at least 1 (got {got})")
        if self.strategy not in STRATEGIES:
            raise ParameterError(
                "strategy",
                f"unknown {{name}} {literal(repr(self.strategy))}; choose one of: "
                + ", ".join(STRATEGIES),
            )

    @property
    def trained_horizon(self) -> int:
        """Steps each training target holds: 1 for the recursive strategy, else H."""
        return 1 if self.config.strategy == "recursive" else self.config.horizon

    def _model_options(self, input_size: int) -> dict:
        c = self.config
        hidden = (c.hidden,) * c.layers if c.model == "fc" else c.hidden
        layers = 1 if c.model == "fc" else c.layers
        return {
            # fc reads the window and the covariates of its input and target steps, flat;
            # recurrent networks read them as more channels (with_covariates)
            "lags": input_size
            + (input_size + self.trained_horizon) * self.covariates_ * (c.model == "fc"),
            "covariates": self.covariates_,
            "horizon": self.trained_horizon,
            "hidden": hidden,
            "layers": layers,
            "dropout": c.dropout,
            "layout": "timesteps",
            "cell": c.cell if c.model == "seq2seq" else None,
        }

    def train_defaults(self) -> dict:
        """GLOBAL_TRAIN, with the smaller batch of recurrent networks (RECURRENT_BATCH)."""
        if self.config.model == "fc":
            return dict(GLOBAL_TRAIN)
        batch = SEQ2SEQ_BATCH if self.config.model == "seq2seq" else RECURRENT_BATCH
        return {**GLOBAL_TRAIN, "batch_size": batch}

    def _fit_member(self, panel: Panel, member: int, progress=None, cache=None):
        c = self.config
        seed = self.seed + member
        input_size = c.member_input_size(member, panel.season)
        key = None
        if cache is not None and not distributed():
            key = cache.key(asdict(c), seed, input_size, self.covariates_, self.data_digest_)
            done = cache.get(key)
            if done is not None:  # trained before an interruption: the same member
                tensors, meta = done
                result = TrainResult(**meta["result"])
                return tensors, result, meta["model_config"], meta["train_config"]
        seed_everything(seed)
        model_config, model = build_model(c.model, **self._model_options(input_size))
        train_config = TrainConfig(**{**self.train_defaults(), **c.train, "seed": seed})
        data = PanelWindows(
            panel,
            input_size,
            self.trained_horizon,
            c.normalize,
            train_config.batch_size,
            c.steps_per_epoch,
            self.layout,
            schedule_batch=c.train.get("batch_size", GLOBAL_TRAIN["batch_size"]),
        )
        if distributed():  # under torchrun: gradients are averaged over ranks on backward
            model = torch.nn.parallel.DistributedDataParallel(model)
        result = train(model, data, train_config, progress)
        model = getattr(model, "module", model)
        out = model.state_dict(), result, asdict(model_config), asdict(train_config)
        if key is not None:
            from rnnlab.core.checkpoint import json_safe

            meta = {"result": asdict(result), "model_config": out[2], "train_config": out[3]}
            cache.put(key, out[0], json_safe(meta))
        return out

    def fit(
        self, panel: Panel, progress=None, workers: int | None = None, cache=None
    ) -> GlobalForecaster:
        """Train every member on `panel`. Under torchrun each rank trains on its shard of the
        series (DistributedDataParallel), members one after another; the fitted weights are
        the same on every rank. `cache`: a checkpoint.MemberCache that keeps each finished
        member, so that a killed run, started again, trains only the members it lacked.
        `panel` may also be a long-format DataFrame (unique_id, ds, y) or a pandas Series."""
        self._check_params()
        panel = _as_panel(panel)
        members = list(range(self.config.ensemble))
        self.covariates_ = 0 if panel.cov is None else panel.cov.shape[1]
        self.data_digest_ = panel_digest(panel) if cache is not None else None
        self.covariate_names_ = list(panel.cov_names)
        if distributed():
            rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
            if len(panel) < world:
                raise RnnlabError(f"{len(panel)} series cannot be shared by {world} ranks")
            panel, workers = panel.subset(range(rank, len(panel), world)), 1
        workers = min(available_workers() if workers is None else workers, len(members))
        groups = [members[w::workers] for w in range(workers)]
        calls = [
            functools.partial(self._fit_group, panel, group, progress if i == 0 else None, cache)
            for i, group in enumerate(groups)
        ]
        fitted = {k: out for group in in_parallel(calls, workers) for k, out in group}
        self.members_, self.results_, self.input_sizes_, self.model_configs_ = [], [], [], []
        for k in members:  # in member order, whichever process trained each
            state, result, model_config, self.train_config_ = fitted[k]
            input_size = self.config.member_input_size(k, panel.season)
            _, model = build_model(self.config.model, **self._model_options(input_size))
            model.load_state_dict(state)
            model.eval()
            self.members_.append(model)
            self.results_.append(result)
            self.input_sizes_.append(input_size)
            self.model_configs_.append(model_config)
        return self

    def _fit_group(self, panel: Panel, members: list[int], progress, cache) -> list:
        return [(k, self._fit_member(panel, k, progress, cache)) for k in members]

    def predict(self, panel: Panel) -> np.ndarray:
        """Forecasts (n, H) from the end of each series of `panel` (or of a DataFrame, as
        `fit` takes it): the members' median."""
        panel = _as_panel(panel)
        cov = None
        if self.covariates_:
            if panel.cov_future is None or panel.cov_future.shape[1] < self.config.horizon:
                raise RnnlabError(
                    f"this model needs the covariates {', '.join(self.covariate_names_)} "
                    f"for the {self.config.horizon} steps it forecasts"
                )
            future = torch.from_numpy(panel.cov_future[:, : self.config.horizon])
            past = last_windows(panel, max(self.input_sizes_), panel.cov)  # (n, L, k)
            cov = torch.cat([past, future], dim=1)  # (n, L + H, k)
        return self.predict_windows(last_windows(panel, max(self.input_sizes_)), cov)

    def predict_windows(
        self, x: torch.Tensor, cov: torch.Tensor | None = None, batch: int = 8192
    ) -> np.ndarray:
        """Forecasts (B, H) after each row of `x` (B, L) of raw values, L at least the longest
        member's window (each member reads the last values it needs): the members' median.
        Forecasting from many origins at once, as a rolling evaluation does. `cov` (B, L + H, k):
        the covariates of the steps of `x` and of the H to forecast, when the model was trained
        with them."""
        need = max(self.input_sizes_)
        if x.shape[1] < need:
            raise RnnlabError(f"windows of {x.shape[1]} values; this model reads {need}")
        if (cov is None) != (self.covariates_ == 0):
            raise RnnlabError(f"this model takes {self.covariates_} covariates a step")
        if cov is None:
            cov = torch.zeros(len(x), x.shape[1] + self.config.horizon, 0)
        if cov.shape[1] != x.shape[1] + self.config.horizon:
            raise RnnlabError(
                f"covariates for {cov.shape[1]} steps; windows of {x.shape[1]} values and "
                f"{self.config.horizon} steps ahead need {x.shape[1] + self.config.horizon}"
            )
        outs = []
        with torch.no_grad():
            for model, input_size in zip(self.members_, self.input_sizes_, strict=True):
                cut = x.shape[1] - input_size  # this member reads the last input_size values
                parts = []
                for chunk, c in zip(
                    torch.split(x[:, cut:], batch), torch.split(cov[:, cut:], batch), strict=True
                ):
                    shift, scale = window_stats(chunk, self.config.normalize)  # (b, 1) each
                    y = self._forecast(model, normalize(chunk, shift, scale), c)  # (b, H)
                    parts.append(denormalize(y, shift, scale))
                outs.append(torch.cat(parts).numpy())
        return np.median(np.stack(outs), axis=0).astype(np.float64)  # (B, H)

    def _forecast(self, model, z: torch.Tensor, cov: torch.Tensor) -> torch.Tensor:
        """H normalised steps after normalised windows z (B, L), covariates cov (B, L + H, k).
        Recursive: the window slides over each forecast, normalised like the original input
        (one shift and scale), and so do the covariates."""
        c = cov if self.covariates_ else None
        if self.config.strategy == "direct":
            return model(with_covariates(z, c, self.layout))  # (B, H)
        steps, size = [], z.shape[1] + 1
        for h in range(self.config.horizon):
            step_cov = None if c is None else c[:, h : h + size]  # (B, L + 1, k)
            steps.append(model(with_covariates(z, step_cov, self.layout)))  # (B, 1)
            z = torch.cat([z[:, 1:], steps[-1]], dim=1)  # (B, L)
        return torch.cat(steps, dim=1)  # (B, H)

    def state(self) -> tuple[dict, dict]:
        """Tensors (member k's as "m{k}.{name}") and JSON that rebuild this fitted forecaster
        (rnnlab/core/modelfile.py); `from_state` reverses it."""
        tensors = {
            f"m{k}.{name}": t
            for k, m in enumerate(self.members_)
            for name, t in m.state_dict().items()
        }
        meta = asdict(self.config) | {
            "seed": self.seed,
            "input_sizes": self.input_sizes_,
            "covariates": self.covariates_,
            "covariate_names": self.covariate_names_,
        }
        return tensors, meta

    @classmethod
    def from_state(cls, tensors: dict, meta: dict, where) -> GlobalForecaster:
        from rnnlab.core.modelfile import load_state

        options = dict(meta)
        seed, sizes = options.pop("seed"), options.pop("input_sizes")
        covariates, names = options.pop("covariates"), options.pop("covariate_names")
        self = cls(seed=seed, **options | {"lookbacks": tuple(options["lookbacks"])})
        self.covariates_, self.covariate_names_, self.input_sizes_ = covariates, names, sizes
        self.members_, self.results_, self.model_configs_, self.train_config_ = [], [], [], {}
        for k, input_size in enumerate(sizes):
            config, model = build_model(self.config.model, **self._model_options(input_size))
            load_state(model, tensors, f"m{k}.", where)
            model.eval()
            self.members_.append(model)
            self.model_configs_.append(asdict(config))
        return self

    def resolved_config(self) -> dict:
        return asdict(self.config) | {
            "seed": self.seed,
            "input_sizes": self.input_sizes_,
            "covariates": self.covariate_names_,
            "model_configs": self.model_configs_,
            "train_config": self.train_config_,
        }
