"""PanelForecaster: forecast one series or many from pandas, checked against baselines.

    from rnnlab.forecast import PanelForecaster
    f = PanelForecaster(horizon=12, ensemble=1, epochs=2).fit(df)   # unique_id, ds, y
    f.leaderboard()     # the hold-out check: every model's sMAPE, MASE, OWA beside the baselines
    f.predict()         # unique_id, ds, yhat, yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95
    f.cross_validation(df, h=6, n_windows=3)    # unique_id, ds, cutoff, y, one column per model

`fit` runs the protocol `rnnlab forecast` runs (pipeline.py): a backtest beside the baselines,
which makes the leaderboard and calibrates the intervals, then the final fit on all the data.
The parameters are the command's model options, with its defaults; scikit-learn's conventions
hold (`__init__` stores them, `fit` checks them and sets attributes ending in `_`), so
`sklearn.base.clone` and `get_params` / `set_params` work. `save(dir)` writes the folder
`rnnlab forecast --save` writes; `PanelForecaster.load(dir)` reads either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.core.parallel import one_thread
from rnnlab.core.params import Params
from rnnlab.data.series import SeriesData
from rnnlab.errors import ParameterError, RnnlabError, literal
from rnnlab.forecast import inputs, options, pipeline
from rnnlab.forecast.backtest import rolling_windows
from rnnlab.forecast.intervals import intervals, series_scales
from rnnlab.forecast.output import cross_validation_frame, forecast_frame
from rnnlab.forecast.saved import load_forecaster, reading_schema, save_forecaster, saved_params


class PanelForecaster(Params):
    """One network for a panel of series (or one per series), its backtest and intervals."""

    def __init__(
        self,
        horizon: int | None = None,
        strategy: str = "direct",
        model: str | None = None,
        preset: str = "mlp",
        ensemble: int | None = None,
        lags: int | None = None,
        layout: str = "timesteps",
        hidden: int | None = None,
        layers: int | None = None,
        dropout: float = 0.0,
        normalize: str | None = None,
        loss: str | None = None,
        calendar: bool = False,
        future_cols: str | tuple[str, ...] | None = None,
        backtest: int = 1,
        step: int | None = None,
        refit: bool = False,
        baselines: str | tuple[str, ...] | None = None,
        no_theta: bool = False,
        transform: str = "auto",
        scaler: str = "standard",
        epochs: int | None = None,
        lr: float | None = None,
        batch_size: int = 0,
        patience: int = 100,
        min_delta: float = 1e-3,
        monitor: str = "val",
        val_fraction: float = 0.2,
        seed: int = 0,
    ):
        self.horizon, self.strategy, self.model, self.preset = horizon, strategy, model, preset
        self.ensemble, self.lags, self.layout, self.hidden = ensemble, lags, layout, hidden
        self.layers, self.dropout, self.normalize, self.loss = layers, dropout, normalize, loss
        self.calendar, self.future_cols, self.backtest = calendar, future_cols, backtest
        self.step, self.refit, self.baselines, self.no_theta = step, refit, baselines, no_theta
        self.transform, self.scaler, self.epochs, self.lr = transform, scaler, epochs, lr
        self.batch_size, self.patience, self.min_delta = batch_size, patience, min_delta
        self.monitor, self.val_fraction, self.seed = monitor, val_fraction, seed

    # ------------------------------------------------------------------------------ fitting

    def fit(
        self,
        df,
        *,
        id_col: str | None = "unique_id",
        time_col: str | None = "ds",
        target_col: str | None = "y",
        season: int | None = None,
        fill: str | None = None,
        future_df=None,
        progress=None,
        cache=None,
        before_training=None,
    ) -> PanelForecaster:
        """Backtest every model, then train the network on all of `df` and forecast after it.

        `df`: a long-format DataFrame (`id_col`, `time_col`, `target_col` and the
        `future_cols`), a pandas Series (one series, dated index), or a Panel that
        `inputs.read_input` read (the column names then only say how it was read).
        `season`: the seasonal period (default: from the frequency); `fill`: "interpolate" or
        "ffill" gaps instead of refusing them. `future_df`: the `future_cols`' values for the
        horizon (a DataFrame or a long-format file). `progress(label, epochs)` may return a
        training callback per fit; `cache` (a checkpoint.MemberCache) keeps finished global
        members; `before_training()` is called once everything is checked, before any model
        trains (the CLI claims its output folders there).
        """
        series = isinstance(df, pd.Series | SeriesData)
        future_cols = options.names_of(self.future_cols)
        panel = inputs.as_panel(df, id_col, time_col, target_col, season, fill, future_cols)
        horizon = options.resolve_horizon(self.horizon, panel.season)
        resolved = options.resolve_options(
            self.get_params(), int(panel.lengths.min()), horizon, panel.season
        )
        panel = inputs.add_covariates(
            panel, horizon, strategy=resolved.strategy, calendar=self.calendar,
            future_df=future_df, id_col=id_col, time_col=time_col,
        )  # fmt: skip
        resolved = options.check_training(resolved)
        windows = rolling_windows(panel, horizon, self.backtest, self.step)
        baselines = options.chosen_baselines(self.baselines, self.no_theta)
        if before_training is not None:
            before_training()
        with one_thread():
            check = pipeline.run_backtest(resolved, windows, baselines, self.refit, cache, progress)
            network = pipeline.fit_final(resolved, panel, horizon, cache, progress)
            future = network.predict(panel)  # (n, H)
        _, self.intervals_, self.halfwidths_ = pipeline.prediction_intervals(
            panel, windows, check.forecasts[resolved.model_id], future
        )
        columns = (None, None, None) if series else (id_col, time_col, target_col)
        self.schema_ = reading_schema(panel, *columns)
        self.horizon_, self.options_, self.model_id_ = horizon, resolved, resolved.model_id
        self.resolved_params_ = {name: getattr(resolved, name) for name in options.FILLED}
        self.panel_, self.backtest_, self.forecast_ = panel, check, future
        self.final_, self.model_config_ = network.fitted_, network.resolved_config()
        self.levels_ = tuple(self.halfwidths_)
        return self

    # ----------------------------------------------------------------------------- results

    def predict(self, h: int | None = None, level=(80, 95), *, df=None, future_df=None):
        """The forecast of the `h` steps (default: the fitted horizon) after each series' end,
        with the conformal intervals of each `level`, as a DataFrame: unique_id, ds, yhat,
        yhat_lo_80, yhat_hi_80, yhat_lo_95, yhat_hi_95. Without `df`, after the data `fit`
        saw; with `df` (same columns), after its series: a global model forecasts any series,
        a local one only those it was trained on. `future_df`: the future_cols' values."""
        self._check_fitted()
        h = self.horizon_ if h is None else h
        options.whole("h", h)
        if h > self.horizon_:
            raise ParameterError(
                "h", f"{{name}} must be at most the fitted horizon, {self.horizon_} (got {h}); "
                f"fit with horizon={h} to forecast further",
            )  # fmt: skip
        levels = () if level is None else (level,) if np.isscalar(level) else tuple(level)
        missing = [lvl for lvl in levels if lvl not in self.halfwidths_]
        if missing:
            have = ", ".join(map(str, self.halfwidths_)) or "none (saved without a backtest)"
            raise ParameterError(
                "level", f"{{name}} {literal(missing[0])} was not calibrated; the levels are: "
                + have,
            )  # fmt: skip
        if df is None:
            if not hasattr(self, "panel_"):
                raise RnnlabError(
                    "this forecaster was loaded from a folder and holds no data: pass the "
                    "series to forecast from, predict(df=...)"
                )
            panel, future = self.panel_, self.forecast_
        else:
            panel = self._read_new(df, future_df)
            with one_thread():
                future = self.final_.predict(panel)  # (n, H)
            if not np.isfinite(future).all():
                raise RnnlabError(
                    f"the model's forecasts for {panel.source} are not finite: the new data "
                    "lies far outside what it was trained on"
                )
        scales = series_scales([panel.series(i) for i in range(len(panel))], panel.season)
        bands = intervals(future[:, :h], scales, {k: self.halfwidths_[k][:h] for k in levels})
        return forecast_frame(panel, future[:, :h], bands)

    def _read_new(self, df, future_df):
        """`df` as a panel read as the training data was, with its covariates."""
        schema = self.schema_
        cols = [schema.get(k) for k in ("id_col", "date_col", "value_col")]
        names = options.names_of(self.future_cols)
        panel = inputs.as_panel(df, *cols, season=schema.get("season"), future_cols=names)
        panel = inputs.add_covariates(
            panel, self.horizon_, strategy=self.strategy, calendar=self.calendar,
            future_df=future_df, id_col=cols[0], time_col=cols[1],
        )  # fmt: skip
        if schema.get("freq") != panel.freq:
            raise RnnlabError(
                f"the model was trained on data of frequency {schema.get('freq')}; "
                f"{panel.source} has {panel.freq}: give data at the model's frequency"
            )
        return panel

    def leaderboard(self) -> pd.DataFrame:
        """The backtest's scores, one row per model as metrics.json has them: model, kind,
        smape, mase, mape, rmse, mae, r2, mse_scaled, owa, beats_seasonal_naive, ..."""
        self._check_fitted()
        if not hasattr(self, "backtest_"):
            raise RnnlabError("this forecaster was loaded from a folder: it has no backtest")
        return pd.DataFrame(self.backtest_.rows).rename(columns={"id": "model"})

    def cross_validation(
        self,
        df,
        h: int,
        n_windows: int = 1,
        step_size: int | None = None,
        refit: bool = False,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        season: int | None = None,
        fill: str | None = None,
        progress=None,
    ) -> pd.DataFrame:
        """Forecasts of the last `n_windows` windows of `h` steps of every series, origins
        `step_size` (default `h`) apart, by the network (trained at the oldest origin, or at
        each with `refit`) and the baselines: unique_id, ds, cutoff, y and one column per
        model (statsforecast's layout). The estimator itself is left as it was."""
        options.whole("h", h)
        options.whole("n_windows", n_windows)
        if step_size is not None:
            options.whole("step_size", step_size)
        names = options.names_of(self.future_cols)
        panel = inputs.as_panel(df, id_col, time_col, target_col, season, fill, names)
        params = self.get_params() | {"backtest": n_windows, "step": step_size}
        resolved = options.resolve_options(params, int(panel.lengths.min()), h, panel.season)
        panel = inputs.add_covariates(
            panel, h, strategy=resolved.strategy, calendar=self.calendar, need_future=False
        )
        resolved = options.check_training(resolved)
        windows = rolling_windows(panel, h, n_windows, step_size)
        baselines = options.chosen_baselines(self.baselines, self.no_theta)
        with one_thread():
            check = pipeline.run_backtest(resolved, windows, baselines, refit, None, progress)
        return cross_validation_frame(panel, windows, check.forecasts)

    # ------------------------------------------------------------------------ saved models

    def save(self, folder, trained_by: str | None = None) -> None:
        """The final network, how the data was read and the intervals' half-widths, as the
        model folder `rnnlab predict --model DIR` reads (forecast/saved.py)."""
        self._check_fitted()
        save_forecaster(folder, self, trained_by or f"rnnlab.forecast.{self!r}")

    @classmethod
    def load(cls, folder) -> PanelForecaster:
        """A forecaster saved by `save` or by `rnnlab forecast --save`, ready to predict(df=...);
        its parameters are the ones the folder records."""
        fitted, meta = load_forecaster(folder)
        self = cls(**saved_params(meta))
        self.final_, self.horizon_, self.schema_ = fitted, int(meta["horizon"]), meta["schema"]
        intervals = meta.get("intervals", {})
        self.halfwidths_ = {int(k): np.asarray(v, dtype=np.float64) for k, v in intervals.items()}
        self.levels_, self.trained_by_ = tuple(self.halfwidths_), meta.get("trained_by")
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "final_"):
            raise RnnlabError(f"this {type(self).__name__} is not fitted yet: call fit(df) first")
