"""PanelForecaster, the Python API of `rnnlab forecast`: pandas in and out, scikit-learn's
conventions, the CLI's protocol and saved format. The examples reported for the docs run here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import rnnlab
from rnnlab.cli import main
from rnnlab.errors import ParameterError, RnnlabError
from rnnlab.forecast import PanelForecaster

FAST = {"horizon": 4, "ensemble": 1, "epochs": 2, "hidden": 32, "baselines": "naive"}
COLUMNS = ["unique_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]


def two_series(n: int = 48) -> pd.DataFrame:
    """Two monthly series in long format: a yearly step pattern on a trend, two levels."""
    parts = []
    for k, sid in enumerate(["north", "south"]):
        t = np.arange(n - 6 * k)
        y = 100 + 40 * k + 5 * (t % 12 > 5) + 0.3 * t
        ds = pd.date_range("2020-01-01", periods=len(t), freq="MS")
        parts.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": np.round(y, 3)}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def fitted():
    return PanelForecaster(**FAST).fit(two_series())


def test_fit_predict_returns_the_documented_frame(fitted):
    assert fitted.horizon_ == 4 and fitted.model_id_ == "fc_direct"
    future = fitted.predict()
    assert list(future.columns) == COLUMNS and len(future) == 8
    firsts = future.groupby("unique_id")["ds"].first()
    assert firsts.to_dict() == {
        "north": pd.Timestamp("2024-01-01"),
        "south": pd.Timestamp("2023-07-01"),
    }
    assert future["yhat"].between(90, 170).all()  # the data's level, not a scaled number
    ordered = ["yhat_lo_95", "yhat_lo_80", "yhat", "yhat_hi_80", "yhat_hi_95"]
    assert (future[ordered].diff(axis=1).iloc[:, 1:] >= 0).all().all()  # lo_95 <= ... <= hi_95


def test_predict_fewer_steps_and_levels(fitted):
    full = fitted.predict()
    two = fitted.predict(h=2, level=[95])
    assert list(two.columns) == ["unique_id", "ds", "yhat", "yhat_lo_95", "yhat_hi_95"]
    expected = full.groupby("unique_id", sort=False).head(2)[two.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(two, expected)
    with pytest.raises(ParameterError, match=r"^h must be at most the fitted horizon, 4 \(got 5\)"):
        fitted.predict(h=5)
    with pytest.raises(ParameterError, match="level 90 was not calibrated; the levels are: 80, 95"):
        fitted.predict(level=(90,))


def test_leaderboard_holds_the_checks_rows(fitted):
    board = fitted.leaderboard()
    assert list(board["model"]) == ["seasonal_naive", "naive", "fc_direct"]
    assert list(board.columns[:4]) == ["model", "kind", "smape", "mase"]
    assert {"owa", "beats_seasonal_naive", "fit_seconds"} <= set(board.columns)
    assert board.set_index("model").loc["fc_direct", "kind"] == "neural"


def test_cross_validation_has_statsforecasts_layout(fitted):
    df = two_series()
    cv = fitted.cross_validation(df, h=3, n_windows=2)
    assert list(cv.columns) == ["unique_id", "ds", "cutoff", "y", "seasonal_naive", "naive",
                                "fc_direct"]  # fmt: skip
    assert len(cv) == 2 * 2 * 3 and cv.notna().all().all()
    north = cv[cv["unique_id"] == "north"]
    assert list(north["cutoff"].unique()) == [
        pd.Timestamp("2023-06-01"),
        pd.Timestamp("2023-09-01"),
    ]
    assert north["ds"].iloc[-1] == pd.Timestamp("2023-12-01")  # the last window ends with the data
    joined = cv.merge(df, on=["unique_id", "ds"], suffixes=("", "_data"))
    np.testing.assert_allclose(joined["y"], joined["y_data"], rtol=1e-6)  # y: the actual values
    assert fitted.horizon_ == 4  # cross_validation leaves the fitted estimator as it was


def test_clone_and_params_follow_scikit_learn(fitted):
    from sklearn.base import clone

    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params() and not hasattr(copy, "horizon_")
    assert repr(copy).startswith("PanelForecaster(horizon=4, ensemble=1, hidden=32, baselines=")
    odd = PanelForecaster(ensemble=-5, strategy="teacher")  # __init__ only stores
    assert odd.get_params()["ensemble"] == -5
    assert rnnlab.PanelForecaster is PanelForecaster


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({"ensemble": 0}, "ensemble", "hidden and ensemble must be at least 1, layers at least 1"),
        ({"strategy": "teacher"}, "strategy", "unknown strategy 'teacher'; choose one of: direct"),
        ({"lags": 0}, "lags", "lags must be at least 1 (got 0)"),
        ({"horizon": 0}, "horizon", "horizon must be at least 1 (got 0)"),
        ({"dropout": 1.5}, "dropout", "dropout must lie in [0, 1] (got 1.5)"),
        ({"baselines": "naive,arima"}, "baselines", "unknown baseline 'arima' in baselines"),
        ({"epochs": 0}, "epochs", "epochs must be >= 1 and lr > 0"),
        ({"backtest": 30}, "backtest", "use fewer backtest windows, a smaller step or horizon"),
    ],
)
def test_a_bad_parameter_is_a_parameter_error_naming_it(params, name, message):
    with pytest.raises(ParameterError) as caught:
        PanelForecaster(**{**FAST, **params}).fit(two_series())
    assert caught.value.name == name and message in str(caught.value)
    assert f"--{name}" in caught.value.flag_message()  # what the CLI shows


def test_not_fitted_and_bad_data_are_one_line_errors():
    with pytest.raises(RnnlabError, match="not fitted yet: call fit"):
        PanelForecaster().predict()
    with pytest.raises(ParameterError, match="df must be a long-format DataFrame"):
        PanelForecaster(**FAST).fit([1, 2, 3])


def test_save_load_predict_gives_the_same_frame(fitted, tmp_path, capsys):
    fitted.save(tmp_path / "model")
    loaded = PanelForecaster.load(tmp_path / "model")
    assert loaded.get_params()["ensemble"] == 1 and loaded.horizon_ == 4
    pd.testing.assert_frame_equal(loaded.predict(df=two_series()), fitted.predict())
    with pytest.raises(RnnlabError, match=r"holds no data: pass the series to forecast from"):
        loaded.predict()
    two_series().to_csv(tmp_path / "data.csv", index=False)  # `rnnlab predict` reads it too
    capsys.readouterr()
    assert (
        main(["predict", "--model", str(tmp_path / "model"), "--csv", str(tmp_path / "data.csv")])
        == 0
    )
    printed = capsys.readouterr().out
    assert printed == fitted.predict().to_csv(index=False, float_format="%.6g")


def test_the_cli_and_the_api_give_the_same_forecast(tmp_path):
    df = two_series()
    df.to_csv(tmp_path / "data.csv", index=False)
    run, saved = tmp_path / "run", tmp_path / "model"
    argv = ["forecast", "--csv", str(tmp_path / "data.csv"), "--horizon", "4", "--ensemble", "1"]
    argv += ["--epochs", "2", "--hidden", "32", "--baselines", "naive", "--seed", "3", "--quiet"]
    assert main([*argv, "--out", str(run), "--save", str(saved)]) == 0
    api = PanelForecaster(**FAST, seed=3).fit(df)
    expected = (run / "forecast.csv").read_text()
    assert api.predict().to_csv(index=False, float_format="%.6g") == expected
    rows = json.loads((run / "metrics.json").read_text())["models"]
    board = api.leaderboard().drop(columns="fit_seconds")
    assert board.to_dict("records") == [
        {"model": r.pop("id"), **{k: v for k, v in r.items() if k != "fit_seconds"}} for r in rows
    ]
    loaded = PanelForecaster.load(saved)  # the API reads what `rnnlab forecast --save` wrote
    assert loaded.predict(df=df).to_csv(index=False, float_format="%.6g") == expected


def test_one_pandas_series():
    index = pd.date_range("2018-01-01", periods=48, freq="MS")
    t = np.arange(48)
    sales = pd.Series(100 + 0.5 * t + 10 * np.sin(t * np.pi / 6), index=index, name="sales")
    f = PanelForecaster(horizon=6, ensemble=1, epochs=1, baselines="naive").fit(sales)
    future = f.predict()
    assert list(future["unique_id"].unique()) == ["sales"] and len(future) == 6
    assert future["ds"].iloc[0] == pd.Timestamp("2022-01-01")


def test_local_strategy_forecasts_its_own_series_only(fitted):
    df = two_series()
    f = PanelForecaster(horizon=4, strategy="local", model="gru", epochs=5, baselines="naive")
    f.fit(df)
    assert f.model_id_ == "gru_local" and len(f.predict()) == 8
    pd.testing.assert_frame_equal(f.predict(df=df), f.predict())
    other = df.assign(unique_id=df["unique_id"].replace({"south": "west"}))
    with pytest.raises(RnnlabError, match="series 'west' is not one this local model"):
        f.predict(df=other)


def test_the_examples_reported_for_the_docs(tmp_path, monkeypatch):
    """The API examples handed to the docs, as they are written there (with their output)."""
    monkeypatch.chdir(tmp_path)
    from sklearn.base import clone

    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    t = np.arange(48)
    df = pd.concat(
        pd.DataFrame({"unique_id": shop, "ds": months, "y": 100 + 40 * k + 5 * (t % 12 > 5) + t})
        for k, shop in enumerate(["north", "south"])
    )
    f = PanelForecaster(horizon=4, ensemble=1, epochs=2, baselines="naive").fit(df)
    future = f.predict()
    assert list(future.columns) == COLUMNS and len(future) == 8
    assert future["yhat"].iloc[0] == pytest.approx(149.441376, rel=1e-6)  # as printed there
    board = f.leaderboard()[["model", "kind", "smape", "mase", "beats_seasonal_naive"]]
    assert board["model"].tolist() == ["seasonal_naive", "naive", "fc_direct"]
    assert board["mase"].tolist() == pytest.approx([1.0, 0.208333, 0.182361], rel=1e-5)
    cv = f.cross_validation(df, h=3, n_windows=2)
    assert cv.columns.tolist()[:4] == ["unique_id", "ds", "cutoff", "y"] and len(cv) == 12
    f.save("models/shops")
    assert PanelForecaster.load("models/shops").predict(df=df).equals(f.predict())

    rng = np.random.default_rng(0)
    t = np.arange(60)
    months = pd.date_range("2019-01-01", periods=60, freq="MS")
    y = 100 + 0.5 * t + 10 * np.sin(t * np.pi / 6) + rng.normal(0, 1, 60)
    sales = pd.Series(y, index=months, name="sales")
    f = PanelForecaster(horizon=6, strategy="local", model="gru", epochs=100, baselines="naive")
    three = f.fit(sales).predict(h=3, level=[80])
    assert three.columns.tolist() == ["unique_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80"]
    assert three["yhat"].tolist() == pytest.approx([133.329148, 138.805339, 141.184930], rel=1e-6)
    with pytest.raises(ParameterError, match="h must be at most the fitted horizon, 6 .got 12.; "):
        f.predict(h=12)
    with pytest.raises(ParameterError, match="hidden and ensemble must be at least 1, layers"):
        PanelForecaster(ensemble=0).fit(sales)
    assert repr(clone(f)) == (
        "PanelForecaster(horizon=6, strategy='local', model='gru', baselines='naive', epochs=100)"
    )


def test_the_linear_presets_window_leaves_four_windows_per_input_value():
    """At half the history (as first written) a linear layer on elec_equip had 122 weights a
    step for 124 windows and scored MASE 5.0; a fifth leaves at least four windows a weight."""
    from rnnlab.forecast import options

    params = PanelForecaster(preset="linear").get_params()
    resolved = options.resolve_options(params, shortest=257, horizon=12, season=12)
    windows = 257 - 12 - resolved.lags + 1  # the hold-out check's training windows
    assert resolved.lags == (257 - 12) // 5 and windows >= 4 * resolved.lags
    long = options.resolve_options(params, shortest=8_640, horizon=96, season=24)
    assert long.lags == 336  # long series (ETTh1) keep the preset's window
