"""The options of a forecast: presets, the defaults each strategy fills in, and their checks.

PanelForecaster's parameters (and `rnnlab forecast`'s flags) leave many options unset (None):
the network's sizes, its window, the ensemble, the loss, the training budget. Which value fits
depends on the strategy, the preset and the data (a preset's window is capped by the shortest
series), so they are resolved in `fit`, into one ForecastOptions, and never written back into
the parameters (scikit-learn's rule: `fit` does not change what `__init__` stored).
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.core import CELL_NAMES
from rnnlab.errors import ParameterError, ParametersError, literal
from rnnlab.forecast.names import NEURAL_NAMES

STRATEGIES = ("direct", "recursive", "seq2seq", "local")
LAYOUTS = ("timesteps", "features")
NORMALIZERS = ("level", "standard", "last", "none")
LOSSES = ("mae", "mse")
# Named settings for the global strategies; options given explicitly win.
PRESETS = {
    # the default: an MLP ensemble whose members read 1.5 to 3 seasons (M3, M4 benchmarks)
    "mlp": {"model": "fc", "hidden": 256, "layers": 3, "normalize": "level", "ensemble": 12},
    # one linear layer from the last 336 values (fewer when series are short: see
    # resolve_options), each window shifted by its last value (NLinear, Zeng et al. 2023):
    # the long-horizon benchmarks' strong simple model (ETTh1)
    "linear": {"model": "fc", "layers": 0, "normalize": "last", "ensemble": 4, "lags": 336},
}
# The parameters resolve_options fills in when they are left None (config.json shows them so)
FILLED = ("model", "hidden", "layers", "normalize", "ensemble", "lags", "epochs", "lr")


@dataclass(frozen=True)
class ForecastOptions:
    """What the network of a forecast is and how it trains, every default filled in."""

    strategy: str = "direct"  # direct | recursive | seq2seq | local
    model: str = "fc"  # fc | rnn | lstm | gru | lstm_scratch; seq2seq: its cell
    ensemble: int = 12  # global: members, each with its own seed and window length
    lags: int | None = None  # window length; None: global members cycle through lookbacks
    layout: str = "timesteps"  # local: (B, k, 1) timesteps | (B, 1, k) features
    hidden: int = 256
    layers: int = 3  # fc: hidden layers (global 0: linear); recurrent: stacked layers
    dropout: float = 0.0
    normalize: str = "level"  # global: per-window normalisation
    loss: str | None = None  # None: mae global, mse local
    epochs: int | None = None  # None (global): 20
    lr: float | None = None  # None (global): 0.002
    # local only: the demo's full-batch training with early stopping (core/train.py)
    scaler: str = "standard"
    transform: str = "auto"
    batch_size: int = 0
    patience: int = 100
    min_delta: float = 1e-3
    monitor: str = "val"
    val_fraction: float = 0.2
    seed: int = 0

    @property
    def model_id(self) -> str:
        """The network's row in the leaderboard: fc_direct, linear_direct, lstm_seq2seq, ..."""
        network = "linear" if self.model == "fc" and self.layers == 0 else self.model
        return f"{network}_{self.strategy}"

    def train_overrides(self) -> dict:
        """TrainConfig fields that differ from the strategy's training defaults."""
        if self.strategy != "local":
            given = (("epochs", self.epochs), ("lr", self.lr), ("loss", self.loss))
            return {k: v for k, v in given if v is not None}
        names = ("epochs", "lr", "batch_size", "patience", "min_delta", "monitor", "val_fraction")
        return {k: getattr(self, k) for k in names} | ({"loss": self.loss} if self.loss else {})


def whole(name: str, value, minimum: int | None = 1) -> None:
    """A ParameterError unless `value` is a whole number of at least `minimum`."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ParameterError(name, f"{{name}} must be a whole number (got {literal(repr(value))})")
    if minimum is not None and value < minimum:
        raise ParameterError(name, f"{{name}} must be at least {minimum} (got {value})")


def one_of(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ParameterError(
            name, f"unknown {{name}} {literal(repr(value))}; choose one of: {', '.join(choices)}"
        )


def resolve_horizon(horizon: int | None, season: int) -> int:
    """The horizon asked for, or one season (12 steps when the data has none)."""
    if horizon is None:
        return season if season > 1 else 12
    whole("horizon", horizon, minimum=None)
    if horizon < 1:
        raise ParameterError("horizon", f"{{name}} must be at least 1 (got {horizon})")
    return int(horizon)


def resolve_options(params: dict, shortest: int, horizon: int, season: int) -> ForecastOptions:
    """Fill the options left unset from the preset and the strategy, and check them.
    A preset's window length is capped at a fifth of what the shortest series has left after
    the backtest (params' backtest and step), so every series gives at least four windows per
    input value: at half (as first written) a linear layer on a short series had about as many
    weights a step as windows, and failed (benchmarks/one_series.py, docs/forecast.md)."""
    strategy, model = params["strategy"], params["model"]
    one_of("strategy", strategy, STRATEGIES)
    one_of("preset", params["preset"], tuple(PRESETS))
    if model is not None:
        one_of("model", model, NEURAL_NAMES)
    preset = PRESETS[params["preset"]] if strategy != "local" else {}
    if model is None:
        model = "lstm" if strategy == "seq2seq" else preset.get("model", "fc")
    if strategy == "seq2seq" and model not in CELL_NAMES:
        raise ParametersError(
            "{strategy} seq2seq builds its encoder and decoder from {model} rnn, lstm or gru, "
            f"not {model}",
            ("strategy", "model"),
            "model",
        )
    fc, local = model == "fc", strategy == "local"
    if local:
        sizes = {"hidden": 16, "layers": 1}
    elif model == preset.get("model"):  # the preset's sizes are for its own network
        sizes = {"hidden": preset.get("hidden", 256), "layers": preset["layers"]}
    else:
        sizes = {"hidden": 256 if fc else 64, "layers": 3 if fc else 1}
    defaults = {
        **sizes,
        "normalize": preset.get("normalize", "level"),
        "ensemble": preset.get("ensemble", 12),
        "lags": 12 if local else preset.get("lags"),
    }
    for name in ("backtest", "step"):
        if params[name] is not None:
            whole(name, params[name], minimum=None)
    if defaults["lags"] is not None and not local:
        step = params["step"] or horizon
        room = (shortest - horizon - (params["backtest"] - 1) * step) // 5
        defaults["lags"] = min(defaults["lags"], max(2 * season, room, 1))
    chosen = {k: params[k] if params[k] is not None else v for k, v in defaults.items()}
    for name in ("hidden", "layers", "ensemble") + (
        ("lags",) if chosen["lags"] is not None else ()
    ):
        whole(name, chosen[name], minimum=None)
    low = [n for n in ("hidden", "ensemble") if chosen[n] < 1]
    if chosen["layers"] < (0 if fc and not local else 1) or low:
        raise ParametersError(
            "{hidden} and {ensemble} must be at least 1, {layers} at least 1 "
            "(0 for a global fc: a linear model)",
            ("hidden", "ensemble", "layers"),
            low[0] if low else "layers",
        )
    if chosen["lags"] is not None and chosen["lags"] < 1:
        raise ParameterError("lags", f"{{name}} must be at least 1 (got {chosen['lags']})")
    one_of("layout", params["layout"], LAYOUTS)
    one_of("normalize", chosen["normalize"], NORMALIZERS)
    if params["loss"] is not None:
        one_of("loss", params["loss"], LOSSES)
    dropout = params["dropout"]
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout <= 1:
        raise ParameterError("dropout", f"{{name}} must lie in [0, 1] (got {literal(dropout)})")
    names = [n for n in ForecastOptions.__dataclass_fields__ if n not in chosen]
    given = {n: params[n] for n in names if n not in ("model", "strategy")}
    return ForecastOptions(**given, **chosen, model=model, strategy=strategy)


def check_training(options: ForecastOptions) -> ForecastOptions:
    """The options with the local strategy's training budget filled in (1000 epochs at 0.02,
    the demo's full-batch training), and the training options checked."""
    from dataclasses import replace

    o = options
    for name in ("epochs", "batch_size", "patience"):
        if getattr(o, name) is not None:
            whole(name, getattr(o, name), minimum=None)
    if o.strategy != "local":
        if (o.epochs is not None and o.epochs < 1) or (o.lr is not None and not o.lr > 0):
            culprit = "epochs" if o.epochs is not None and o.epochs < 1 else "lr"
            raise ParametersError("{epochs} must be >= 1 and {lr} > 0", ("epochs", "lr"), culprit)
        return o
    o = replace(o, epochs=1000 if o.epochs is None else o.epochs, lr=0.02 if o.lr is None else o.lr)
    bad = [
        name
        for name, ok in (
            ("epochs", o.epochs >= 1),
            ("patience", o.patience >= 1),
            ("lr", 0 < o.lr < 10),
            ("batch_size", o.batch_size >= 0),
        )
        if not ok
    ]
    if bad:
        raise ParametersError(
            "need {epochs}, {patience} >= 1, {lr} in (0, 10), {batch_size} >= 0",
            ("epochs", "patience", "lr", "batch_size"),
            bad[0],
        )
    if not 0 <= o.min_delta < 1:
        raise ParameterError("min_delta", f"{{name}} must lie in [0, 1) (got {o.min_delta})")
    if not 0 < o.val_fraction < 1:
        raise ParameterError(
            "val_fraction", f"{{name}} must lie between 0 and 1 (got {o.val_fraction})"
        )
    one_of("monitor", o.monitor, ("val", "train"))
    return o


def chosen_baselines(names, no_theta: bool) -> list[str]:
    """The baselines to run, seasonal naive (the reference) first. `names`: None (the default
    set), a comma-separated string or a list."""
    from rnnlab.forecast.panel_eval import ALL_BASELINES, BASELINE_IDS

    chosen = BASELINE_IDS if names is None else names_of(names)
    unknown = [n for n in chosen if n not in ALL_BASELINES]
    if unknown:
        raise ParameterError(
            "baselines",
            f"unknown baseline {literal(repr(unknown[0]))} in {{name}}; "
            f"choose from {', '.join(ALL_BASELINES)}",
        )
    chosen = ["seasonal_naive", *(n for n in chosen if n != "seasonal_naive")]
    return [n for n in dict.fromkeys(chosen) if not (n == "theta" and no_theta)]


def names_of(names) -> tuple[str, ...]:
    """Column or model names from "a,b" or ["a", "b"] (None: none)."""
    if names is None:
        return ()
    parts = names.split(",") if isinstance(names, str) else list(names)
    return tuple(str(n).strip() for n in parts if str(n).strip())
