"""`Forecaster`: one object that fits any registry model to a series and forecasts with it.

Neural models learn on a transformed, scaled copy of the series: by default the seasonal
difference z_t = y_t - y_{t-m}, then a scaler fitted on the training span. Why difference?
A window of the 12 previous months cannot express the seasonal naive forecast corrected by the
latest change, y_{t-12} + (y_{t-1} - y_{t-13}), because y_{t-13} lies outside it; on elec_equip
even the best linear model on 12 raw lags loses to seasonal naive one step ahead (MASE 0.40 vs
0.37), while on seasonal differences it wins easily (0.15). Baselines always see raw values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from rnnlab.core.params import Params
from rnnlab.data.scaling import Scaler, fit_scaler
from rnnlab.data.series import SeriesData
from rnnlab.data.windows import holdout_windows, make_windows, to_layout
from rnnlab.errors import ParameterError, ParametersError, RnnlabError, literal
from rnnlab.forecast.baselines import BASELINES, min_history
from rnnlab.forecast.names import BASELINE_NAMES, MODEL_NAMES

TRANSFORMS = ("auto", "none", "diff", "sdiff")


@dataclass
class ForecasterConfig:
    """Everything that defines a forecaster; saved in each run's config.json."""

    model: str = "lstm"
    lags: int = 12
    layout: str = "timesteps"  # timesteps (B, k, 1) | features (B, 1, k); fc reads (B, k)
    hidden: int | tuple[int, ...] | None = None  # None: 6 for recurrent nets, (12,) for fc
    layers: int = 1
    dropout: float = 0.0
    scaler: str = "standard"
    transform: str = "auto"  # auto: sdiff when the series has a season, none otherwise
    train: dict = field(default_factory=dict)  # TrainConfig fields that differ from the defaults


def as_series(data, **options) -> SeriesData:
    """A SeriesData from SeriesData, a pandas Series or a DataFrame."""
    if isinstance(data, SeriesData):
        return data
    from rnnlab.data.frames import from_pandas

    return from_pandas(data, **options)


def difference_order(transform: str, season: int) -> int:
    """How many steps back the transform subtracts: 0 (none), 1 (diff) or the season (sdiff)."""
    if transform not in TRANSFORMS:
        raise ParameterError(
            "transform",
            f"unknown {{name}} {literal(repr(transform))}; choose one of: " + ", ".join(TRANSFORMS),
        )
    if transform == "auto":
        transform = "sdiff" if season > 1 else "none"
    return {"none": 0, "diff": 1, "sdiff": season}[transform]


def difference(values: np.ndarray, order: int) -> np.ndarray:
    """z[i] = values[i + order] - values[i]: z[i] belongs to the time step i + order."""
    return values if order == 0 else values[order:] - values[:-order]


class Forecaster(Params):
    """Fit a model on a series, then forecast ahead or one step at a time over a span.

    >>> f = Forecaster(model="lstm", lags=12, layout="timesteps").fit(series)
    >>> f.predict(12)            # 12 future values, recursively, as a pandas Series
    """

    def __init__(
        self,
        model: str = "lstm",
        seed: int = 0,
        lags: int = 12,
        layout: str = "timesteps",
        hidden: int | tuple[int, ...] | None = None,
        layers: int = 1,
        dropout: float = 0.0,
        scaler: str = "standard",
        transform: str = "auto",
        train: dict | None = None,
    ):
        self.model, self.seed, self.lags, self.layout = model, seed, lags, layout
        self.hidden, self.layers, self.dropout = hidden, layers, dropout
        self.scaler, self.transform, self.train = scaler, transform, train

    @property
    def config(self) -> ForecasterConfig:
        """The parameters but the seed as a ForecasterConfig (saved in config.json)."""
        names = [n for n in ForecasterConfig.__dataclass_fields__ if n != "train"]
        return ForecasterConfig(
            **{n: getattr(self, n) for n in names}, train=dict(self.train or {})
        )

    @property
    def is_baseline(self) -> bool:
        return self.model in BASELINE_NAMES

    # ------------------------------------------------------------------ fitting
    def fit(self, data, n_train: int | None = None, progress=None) -> Forecaster:
        """Train on the first `n_train` points (all when None); `progress` as in train.train."""
        if self.model not in MODEL_NAMES:
            raise ParameterError(
                "model",
                f"unknown {{name}} {literal(repr(self.model))}; choose one of: "
                + ", ".join(MODEL_NAMES),
            )
        series = as_series(data)
        n_train = len(series) if n_train is None else n_train
        self.series_ = series
        self.history_ = series.values[:n_train]  # (n_train,)
        self.order_ = 0 if self.is_baseline else difference_order(self.transform, series.season)
        self.train_result_ = None
        if self.is_baseline:
            if n_train < min_history(self.model, series.season) + 1:
                raise RnnlabError(
                    f"{self.model} needs more than {series.season} training points (got {n_train})"
                )
            return self
        self._check_length(n_train)
        import torch

        from rnnlab.core.train import TensorWindows, TrainConfig, seed_everything, train
        from rnnlab.forecast.networks import build_model, model_layout

        cfg = self.config
        z = difference(self.history_, self.order_)  # (n_train - order,)
        self.scaler_: Scaler = fit_scaler(z, cfg.scaler)
        z_scaled = torch.from_numpy(self.scaler_.transform(z).astype(np.float32))
        seed_everything(self.seed)
        hidden = cfg.hidden if cfg.hidden is not None else ((12,) if cfg.model == "fc" else 6)
        if cfg.model == "fc" and isinstance(hidden, int):
            hidden = (hidden,)
        self.model_config_, self.model_ = build_model(
            cfg.model,
            lags=cfg.lags,
            layout=cfg.layout,
            hidden=hidden,
            layers=cfg.layers,
            dropout=cfg.dropout,
        )
        self.layout_ = model_layout(self.model_config_)
        x, y = make_windows(z_scaled, cfg.lags, 1)  # (B, lags), (B, 1)
        self.train_config_ = TrainConfig(**{**cfg.train, "seed": self.seed})
        x = to_layout(x, self.layout_)
        data = TensorWindows(x, y, self.train_config_)
        self.train_result_ = train(self.model_, data, self.train_config_, progress)
        return self

    def _check_length(self, n_train: int) -> None:
        needed = self.lags + self.order_ + 10
        if n_train < needed:
            why = f" and differencing over {self.order_} steps" if self.order_ else ""
            raise ParametersError(
                f"the training span has {n_train} points; {literal(self.model)} with {self.lags} "
                f"lags{why} needs at least {needed}: use a longer series, fewer {{lags}} or "
                "{transform} none",
                ("lags", "transform"),
            )

    # --------------------------------------------------------------- forecasting
    def _neural_step(self, z_windows: np.ndarray) -> np.ndarray:
        """Next transformed value for each window of raw z (N, lags), in original z units."""
        import torch

        x = torch.from_numpy(self.scaler_.transform(z_windows).astype(np.float32))  # (N, lags)
        with torch.no_grad():
            out = self.model_(to_layout(x, self.layout_))[:, 0].numpy()  # (N,)
        return self.scaler_.inverse(out.astype(np.float64))

    def predict_one_step(self, values: np.ndarray, start: int) -> np.ndarray:
        """One-step forecasts of values[start:], each from the actual values before it."""
        values = np.asarray(values, dtype=np.float64)
        self._check_fitted()
        needed = (
            min_history(self.model, self.series_.season)
            if self.is_baseline
            else self.lags + self.order_
        )
        if not needed <= start < len(values):
            raise RnnlabError(
                f"one-step forecasts need {needed} values of history before "
                f"start; got start={start} for {len(values)} values"
            )
        if self.is_baseline:
            origins = np.arange(start, len(values))
            return BASELINES[self.model](values, origins, 1, self.series_.season)[:, 0]
        z = difference(values, self.order_)  # z[i] belongs to step i + order
        x, _ = holdout_windows(z, start - self.order_, self.lags)  # (T, lags)
        z_hat = self._neural_step(np.asarray(x))  # (T,)
        base = values[start - self.order_ : len(values) - self.order_] if self.order_ else 0.0
        return z_hat + base

    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        """`horizon` values after `history`; a one-step model is fed its own forecasts."""
        history = np.asarray(history, dtype=np.float64)
        if self.is_baseline:
            origin = np.array([len(history)])
            return BASELINES[self.model](history, origin, horizon, self.series_.season)[0]
        extended = list(history)
        need = self.lags + self.order_
        for _ in range(horizon):
            recent = np.asarray(extended[-need:])  # (lags + order,)
            z_window = difference(recent, self.order_)[None, :]  # (1, lags)
            base = recent[-self.order_] if self.order_ else 0.0
            extended.append(float(self._neural_step(z_window)[0] + base))
        return np.asarray(extended[len(history) :])

    def _check_fitted(self) -> None:
        if not hasattr(self, "history_"):
            raise RnnlabError("this Forecaster is not fitted yet: call fit(series) first")

    def predict(self, horizon: int) -> pd.Series:
        """Forecast `horizon` steps past the fitted span, indexed by their dates."""
        self._check_fitted()
        if not isinstance(horizon, int | np.integer) or horizon < 1:
            raise RnnlabError(f"horizon must be a whole number >= 1 (got {horizon!r})")
        values = self.forecast(self.history_, horizon)
        n = len(self.history_)
        index = pd.date_range(
            self.series_.index[n - 1], periods=horizon + 1, freq=self.series_.freq
        )
        return pd.Series(values, index=index[1:], name=self.model)

    def state(self) -> tuple[dict, dict]:
        """Tensors and JSON that rebuild this fitted neural forecaster (rnnlab/core/modelfile.py):
        the network, the transform's difference order and the scaler's fitted numbers."""
        self._check_fitted()
        if self.is_baseline:
            raise RnnlabError("a baseline has nothing to save: it is refitted from the data")
        meta = {
            "config": asdict(self.config),
            "seed": self.seed,
            "season": self.series_.season,
            "difference_order": self.order_,
            "scaler": self.scaler_.to_dict(),
            "model_config": asdict(self.model_config_),
        }
        return self.model_.state_dict(), meta

    @classmethod
    def from_state(cls, tensors: dict, meta: dict, where, prefix: str = "") -> Forecaster:
        """A forecaster that forecasts (`forecast`, `predict_one_step`) as the saved one did;
        it holds no series, so `predict(horizon)` needs a `fit` first."""
        from rnnlab.core.modelfile import load_state
        from rnnlab.data.scaling import Scaler
        from rnnlab.forecast.networks import build_model, model_layout

        config = dict(meta["config"])
        self = cls(config.pop("model"), seed=meta["seed"], **config)
        self.order_ = int(meta["difference_order"])
        self.scaler_ = Scaler(**meta["scaler"])
        self.model_config_, self.model_ = build_model(self.model, **meta["model_config"])
        self.layout_ = model_layout(self.model_config_)
        load_state(self.model_, tensors, prefix, where)
        self.model_.eval()
        self.saved_season_ = int(meta["season"])
        return self

    def resolved_config(self) -> dict:
        """The config as run, including the model's own dataclass, for config.json."""
        out = asdict(self.config) | {"seed": self.seed}
        if not self.is_baseline:
            out["model_config"] = asdict(self.model_config_)
            out["train_config"] = asdict(self.train_config_)
            out["difference_order"] = self.order_
            out["scaler_state"] = self.scaler_.to_dict()
        return out
