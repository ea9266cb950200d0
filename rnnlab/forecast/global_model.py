"""Global models: one network trained on windows from every series, forecasting H steps ahead.

Why global: a retailer's thousand products share patterns that no single short series shows;
the M4 winner and N-BEATS both learn across series. Three multi-step strategies:
  direct     the head outputs all H values (the default): no error feeds back into later
             steps, and one forward pass forecasts the whole horizon;
  recursive  a one-step network, fed its own forecast H times;
  seq2seq    model "seq2seq": an encoder-decoder that unrolls H steps (models/neural.py),
             trained like a direct model on whole H-step targets. Windows
are normalised one by one (data/normalize.py) and sampled at random across the panel without
ever materialising them all: memory stays that of the points. An ensemble trains several seeds
and takes the median forecast, N-BEATS's main lever; members train in parallel on free cores.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from rnnlab.core.parallel import available_workers, in_parallel
from rnnlab.core.train import TrainConfig, TrainResult, seed_everything, train
from rnnlab.data.normalize import denormalize, normalize, window_stats
from rnnlab.data.panel import Panel
from rnnlab.errors import RnnlabError
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


class PanelWindows:
    """Training data for train.train: random windows across the panel, normalised one by one.

    Series shorter than a window are padded on the left with their first value, so every series
    takes part. Window starts are kept as one int64 per window: 12 bytes per point in all.
    With covariates (panel.cov), a flat input ends with those of the whole window: the L input
    steps (what explains the past values) and the H target steps (what the future holds).
    """

    def __init__(
        self,
        panel: Panel,
        input_size: int,
        horizon: int,
        normalizer: str,
        batch_size: int,
        steps_per_epoch: int,
        layout: str,
        schedule_batch: int | None = None,
    ):
        """`schedule_batch`: the batch the step count is reckoned in (default `batch_size`), so
        that recurrent networks take the steps fc takes on the same data, on smaller batches."""
        self.input_size, self.horizon, self.normalizer = input_size, horizon, normalizer
        self.layout = layout
        size = input_size + horizon
        self.flat, offsets = pad_left(panel, size)  # (total,), (n + 1,)
        self.cov = None if panel.cov is None else pad_left(panel, size, panel.cov)[0]
        counts = np.diff(offsets) - size + 1  # windows per series, >= 1
        first = np.repeat(offsets[:-1], counts)  # (W,) each window's series start
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        self.starts = torch.from_numpy(first + within)  # (W,) global start of each window
        # Steps per epoch: about two passes over the windows, between 10 and `steps_per_epoch`;
        # but when one batch holds every window (one short series), full-batch descent needs the
        # full count. Measured: elec_equip, 12 ahead, MASE 0.91 after 200 steps, 0.14 after 2000
        # (seasonal naive 0.42); M3 yearly (10k windows) sMAPE 16.39 after 400 steps of 1024
        # windows, 16.71 after 2000 (over-fitting, and six times the time).
        self.batch_size = min(batch_size, len(self.starts))
        schedule_batch = min(schedule_batch or batch_size, len(self.starts))
        if len(self.starts) <= schedule_batch:
            self._steps = steps_per_epoch
        else:
            passes = -(-2 * len(self.starts) // schedule_batch)
            self._steps = max(10, min(steps_per_epoch, passes))
        self.steps = torch.arange(size)  # (L + H,) offsets inside a window

    def windows(self, starts: torch.Tensor):
        """Normalised inputs (B, L) or (B, L, 1) and targets (B, H) of windows at `starts`."""
        w = self.flat[starts[:, None] + self.steps]  # (B, L + H)
        x, y = w[:, : self.input_size], w[:, self.input_size :]  # (B, L), (B, H)
        shift, scale = window_stats(x, self.normalizer)  # (B, 1) each
        cov = None if self.cov is None else self.cov[starts[:, None] + self.steps]  # (B, L+H, k)
        return with_covariates(normalize(x, shift, scale), cov, self.layout), normalize(
            y, shift, scale
        )

    def batches(self, generator: torch.Generator):
        for _ in range(self._steps):
            pick = torch.randint(len(self.starts), (self.batch_size,), generator=generator)
            yield self.windows(self.starts[pick])

    def steps_per_epoch(self) -> int:
        return self._steps

    def validation(self):
        return None


def pad_left(panel: Panel, size: int, rows=None) -> tuple[torch.Tensor, np.ndarray]:
    """The panel's values (or `rows` beside them, e.g. its covariates (total, k)), each series
    left-padded with its first value (row) to at least `size`."""
    rows = panel.flat if rows is None else rows
    lengths = panel.lengths
    pads = np.maximum(size - lengths, 0)
    if not pads.any():
        return torch.from_numpy(rows), panel.offsets
    pieces = []
    for i, (a, b) in enumerate(zip(panel.offsets[:-1], panel.offsets[1:], strict=True)):
        if pads[i]:
            pieces.append(np.repeat(rows[a : a + 1], pads[i], axis=0))
        pieces.append(rows[a:b])
    offsets = np.concatenate([[0], np.cumsum(lengths + pads)]).astype(np.int64)
    return torch.from_numpy(np.concatenate(pieces)), offsets


def with_covariates(z: torch.Tensor, cov: torch.Tensor | None, layout: str) -> torch.Tensor:
    """Normalised windows z (B, L), shaped for the network, with the covariates of the
    window's input and target steps, cov (B, L + H, k): flat, appended (B, L + (L + H) k);
    timesteps, as channels beside the values, the H future rows with value 0 (B, L + H, 1 + k)."""
    if cov is None:
        return shape_input(z, layout)
    if layout == "flat":
        return torch.cat([z, cov.reshape(len(cov), -1)], dim=1)
    values = torch.cat([z, z.new_zeros(len(z), cov.shape[1] - z.shape[1])], dim=1)
    return torch.cat([values[:, :, None], cov], dim=2)


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


def shape_input(x: torch.Tensor, layout: str) -> torch.Tensor:
    return x if layout == "flat" else x[:, :, None]  # (B, L) or (B, L, 1)


def panel_digest(panel: Panel) -> str:
    """A digest of a panel's values (and covariates): what a member was trained on."""
    import hashlib

    digest = hashlib.sha256(panel.flat.tobytes())
    digest.update(np.asarray(panel.offsets).tobytes())
    if panel.cov is not None:
        digest.update(panel.cov.tobytes())
    return digest.hexdigest()


def last_windows(panel: Panel, input_size: int, rows=None) -> torch.Tensor:
    """The last `input_size` values of every series (left-padded): (n, L); or of `rows`
    beside the values, e.g. the covariates: (n, L, k)."""
    flat, offsets = pad_left(panel, input_size, rows)
    ends = torch.from_numpy(offsets[1:])
    return flat[ends[:, None] - input_size + torch.arange(input_size)]  # (n, L, ...)


class GlobalForecaster:
    """Fit one network (or an ensemble) on a whole panel; forecast every series H steps ahead."""

    def __init__(self, seed: int = 0, **options):
        self.config = GlobalConfig(**options)
        self.seed = seed
        if self.config.ensemble < 1:
            raise RnnlabError(f"--ensemble must be at least 1 (got {self.config.ensemble})")
        if self.config.strategy not in STRATEGIES:
            raise RnnlabError(
                f"unknown strategy {self.config.strategy!r}; choose one of: {', '.join(STRATEGIES)}"
            )
        self.layout = "flat" if self.config.model == "fc" else "timesteps"
        self.cache = None  # a checkpoint.MemberCache: finished members survive a killed run

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

    def _fit_member(self, panel: Panel, member: int, progress=None):
        c = self.config
        seed = self.seed + member
        input_size = c.member_input_size(member, panel.season)
        key = None
        if self.cache is not None and not distributed():
            key = self.cache.key(asdict(c), seed, input_size, self.covariates_, self.data_digest_)
            done = self.cache.get(key)
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
            self.cache.put(key, out[0], json_safe(meta))
        return out

    def fit(self, panel: Panel, progress=None, workers: int | None = None) -> GlobalForecaster:
        """Train every member on `panel`. Under torchrun each rank trains on its shard of the
        series (DistributedDataParallel), members one after another; the fitted weights are
        the same on every rank."""
        members = list(range(self.config.ensemble))
        self.covariates_ = 0 if panel.cov is None else panel.cov.shape[1]
        self.data_digest_ = panel_digest(panel) if self.cache is not None else None
        self.covariate_names_ = list(panel.cov_names)
        if distributed():
            rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
            if len(panel) < world:
                raise RnnlabError(f"{len(panel)} series cannot be shared by {world} ranks")
            panel, workers = panel.subset(range(rank, len(panel), world)), 1
        workers = min(available_workers() if workers is None else workers, len(members))
        groups = [members[w::workers] for w in range(workers)]
        calls = [
            functools.partial(self._fit_group, panel, group, progress if i == 0 else None)
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

    def _fit_group(self, panel: Panel, members: list[int], progress) -> list:
        return [(k, self._fit_member(panel, k, progress)) for k in members]

    def predict(self, panel: Panel) -> np.ndarray:
        """Forecasts (n, H) from the end of each series of `panel`: the members' median."""
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
