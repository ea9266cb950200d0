"""The command line end to end, in-process, into temporary directories."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from rnnlab.cli import main

QUICK = ["--epochs", "60", "--patience", "20", "--quiet"]
DEMO_IDS = [
    "naive",
    "seasonal_naive",
    "fc_1lag",
    "lstm_1lag",
    "fc_window",
    "lstm_window_1x12",
    "lstm_window_12x1",
]
METRIC_KEYS = {
    "id",
    "mse_scaled",
    "rmse",
    "mae",
    "mape",
    "smape",
    "mase",
    "r2",
    "beats_seasonal_naive",
    "fit_seconds",
    "epochs",
}


def test_help_does_not_import_torch():
    code = (
        "import sys\nfrom rnnlab.cli import main\ntry:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\nassert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "demo" in done.stdout and "forecast" in done.stdout


def test_demo_writes_the_run_directory(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["demo", "--out", str(out), *QUICK]) == 0
    printed = capsys.readouterr().out
    assert "seasonal_naive" in printed and "beat seasonal naive" in printed
    names = {p.name for p in out.iterdir()}
    assert names == {
        "config.json",
        "metrics.json",
        "predictions.csv",
        "report.html",
        "test_predictions.png",
        "training_curves.png",
    }
    metrics = json.loads((out / "metrics.json").read_text())
    assert [m["id"] for m in metrics["models"]] == DEMO_IDS
    assert all(METRIC_KEYS <= set(m) for m in metrics["models"])
    predictions = pd.read_csv(out / "predictions.csv")
    assert list(predictions.columns) == ["date", "actual", *DEMO_IDS]
    assert len(predictions) == 51 and predictions.notna().all().all()  # every test point
    config = json.loads((out / "config.json").read_text())
    assert config["data"] == "builtin:elec_equip" and config["season"] == 12
    assert config["models"]["lstm_window_12x1"]["model_config"]["layout"] == "timesteps"
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and "http" not in page  # self-contained


def _without_timings(path):
    metrics = json.loads(path.read_text())
    for row in metrics["models"]:
        row.pop("fit_seconds")
    return metrics


def test_same_seed_gives_identical_metrics(tmp_path):
    for name in ("a", "b"):
        assert main(["demo", "--out", str(tmp_path / name), "--seed", "7", *QUICK]) == 0
    a, b = (_without_timings(tmp_path / n / "metrics.json") for n in ("a", "b"))
    assert a == b


def test_existing_run_directory_needs_force_and_must_be_a_run(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text("{}")  # an earlier run
    (out / "old.png").write_text("old")
    assert main(["demo", "--out", str(out), *QUICK]) == 2
    assert "already exists; choose another --out or pass --force" in capsys.readouterr().err
    assert (out / "old.png").exists()
    assert main(["demo", "--out", str(out), "--force", *QUICK]) == 0
    assert not (out / "old.png").exists() and (out / "metrics.json").exists()

    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("precious")
    assert main(["demo", "--out", str(precious), "--force", *QUICK]) == 2
    assert "not an rnnlab run (no config.json)" in capsys.readouterr().err
    monkeypatch.chdir(precious)
    assert main(["demo", "--out", ".", "--force", *QUICK]) == 2
    assert "current folder" in capsys.readouterr().err
    (tmp_path / "link").symlink_to(precious)
    afile = tmp_path / "afile"
    afile.write_text("x")
    for target in (tmp_path / "link", afile):
        assert main(["demo", "--out", str(target), "--force", *QUICK]) == 2
        assert "is not a folder" in capsys.readouterr().err
    assert (precious / "thesis.txt").read_text() == "precious" and afile.read_text() == "x"
    assert not list(tmp_path.glob(".*tmp-*"))


def test_nan_learning_rate_is_refused(tmp_path, capsys):
    assert main(["demo", "--lr", "nan", "--out", str(tmp_path / "o"), *QUICK]) == 2
    assert "--lr" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_forecast_one_series_local(tmp_path, capsys):
    out = tmp_path / "fc"
    args = [
        "forecast",
        "--data",
        "elec_equip",
        "--horizon",
        "6",
        "--model",
        "gru",
        "--strategy",
        "local",
        "--no-theta",
        "--out",
        str(out),
        *QUICK,
    ]
    assert main(args) == 0
    forecast = pd.read_csv(out / "forecast.csv")
    assert list(forecast.columns) == [
        "unique_id",
        "ds",
        "yhat",
        "yhat_lo_80",
        "yhat_hi_80",
        "yhat_lo_95",
        "yhat_hi_95",
    ]
    assert list(forecast["ds"]) == [f"2016-{m:02d}-01" for m in range(6, 12)]
    metrics = json.loads((out / "metrics.json").read_text())
    ids = {m["id"] for m in metrics["models"]}
    assert ids == {"naive", "seasonal_naive", "naive2", "drift", "damped", "gru_local"}
    assert (out / "forecast.png").exists() and (out / "report.html").exists()
    assert "hold-out check" in capsys.readouterr().out


def _long_csv(path, n_series=3, n=60):
    rows = ["unique_id,ds,y"]
    for s in range(n_series):
        for t, ds in enumerate(pd.date_range("2015-01-01", periods=n - 3 * s, freq="MS")):
            rows.append(f"s{s},{ds.date()},{100 + 10 * s + 5 * ((t % 12) > 5) + 0.2 * t:.3f}")
    path.write_text("\n".join(rows) + "\n")


def test_forecast_many_series_in_long_format(tmp_path, capsys):
    path, out = tmp_path / "panel.csv", tmp_path / "run"
    _long_csv(path)
    args = [
        "forecast",
        "--csv",
        str(path),
        "--horizon",
        "4",
        "--ensemble",
        "2",
        "--epochs",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(args) == 0
    forecast = pd.read_csv(out / "forecast.csv")
    assert len(forecast) == 12 and list(forecast["unique_id"].unique()) == ["s0", "s1", "s2"]
    assert (forecast["yhat_lo_95"] <= forecast["yhat_lo_80"]).all()
    assert (forecast["yhat_lo_80"] <= forecast["yhat"]).all()
    assert (forecast["yhat"] <= forecast["yhat_hi_80"]).all()
    assert forecast.groupby("unique_id")["ds"].first().to_dict() == {
        "s0": "2020-01-01",
        "s1": "2019-10-01",
        "s2": "2019-07-01",
    }
    rows = {m["id"]: m for m in json.loads((out / "metrics.json").read_text())["models"]}
    assert set(rows) == {
        "naive",
        "seasonal_naive",
        "naive2",
        "drift",
        "theta",
        "damped",
        "fc_direct",
    }
    assert rows["naive2"]["owa"] == 1.0 and rows["fc_direct"]["owa"] > 0
    holdout = pd.read_csv(out / "backtest.csv")
    assert len(holdout) == 12 and holdout["actual"].notna().all()
    assert "3 series" in capsys.readouterr().out


def test_forecast_backtest_writes_every_window(tmp_path, capsys):
    path, out = tmp_path / "panel.csv", tmp_path / "run"
    _long_csv(path, n=48)
    args = ["forecast", "--csv", str(path), "--horizon", "4", "--backtest", "3", "--step", "2"]
    args += ["--ensemble", "1", "--epochs", "2", "--baselines", "naive2,damped,holt_winters"]
    args += ["--out", str(out), "--quiet"]
    assert main(args) == 0
    check = pd.read_csv(out / "backtest.csv")
    models = ["seasonal_naive", "naive2", "damped", "holt_winters", "fc_direct"]
    assert list(check.columns[6:]) == models  # seasonal naive, the reference, always
    assert len(check) == 3 * 3 * 4 and sorted(check["window"].unique()) == [1, 2, 3]
    last = check[(check["unique_id"] == "s0") & (check["window"] == 3)]
    assert list(last["ds"]) == [f"2018-{m:02d}-01" for m in range(9, 13)]  # ends with the data
    first = check[(check["unique_id"] == "s0") & (check["window"] == 1)]
    assert first["cutoff"].iloc[0] == "2018-04-01" and first["ds"].iloc[0] == "2018-05-01"
    metrics = json.loads((out / "metrics.json").read_text())
    assert [w["cut"] for w in metrics["windows"]] == [8, 6, 4]
    assert 0 <= metrics["intervals"]["coverage_80"] <= 1
    config = json.loads((out / "config.json").read_text())
    assert config["backtest"] == {"windows": 3, "step": 2, "refit": False}
    printed = capsys.readouterr().out
    assert "MASE per backtest window" in printed and "leave one window out" in printed
    args[-3:-1] = ["--out", str(tmp_path / "short")]
    args[args.index("--backtest") + 1] = "30"
    assert main(args) == 2
    assert "use fewer --backtest windows" in capsys.readouterr().err


def test_forecast_presets_and_strategies(tmp_path, capsys):
    path = tmp_path / "panel.csv"
    _long_csv(path, n=60)
    base = ["forecast", "--csv", str(path), "--horizon", "4", "--epochs", "1", "--quiet"]
    base += ["--baselines", "naive"]
    out = tmp_path / "linear"
    assert main([*base, "--preset", "linear", "--loss", "mse", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())["model"]
    # the preset's 336-value window shrinks to a fifth of the shortest series' history, but
    # never below two seasons (monthly here)
    assert config["input_size"] == max(2 * 12, (54 - 4) // 5) and config["normalize"] == "last"
    assert config["model_configs"][0]["hidden"] == [] and config["ensemble"] == 4
    assert config["train_config"]["loss"] == "mse"
    rows = json.loads((out / "metrics.json").read_text())["models"]
    assert "linear_direct" in {r["id"] for r in rows}
    out = tmp_path / "s2s"
    assert main([*base, "--strategy", "seq2seq", "--ensemble", "1", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())["model"]
    assert config["model"] == "seq2seq" and config["cell"] == "lstm" and config["hidden"] == 64
    capsys.readouterr()
    bad = [
        (["--strategy", "seq2seq", "--model", "fc"], "from --model rnn, lstm or gru, not fc"),
        (["--model", "lstm", "--layers", "0"], "--layers at least 1 (0 for a global fc"),
        (["--lags", "0"], "--lags must be at least 1"),
        (["--horizon", "0"], "--horizon must be at least 1"),
    ]
    for flags, message in bad:
        assert main([*base, *flags, "--out", str(tmp_path / "bad")]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_forecast_with_calendar_and_future_columns(tmp_path, capsys):
    rows, plan = ["unique_id,ds,y,price"], ["unique_id,ds,price"]
    for s in ("a", "b"):
        for t, ds in enumerate(pd.date_range("2024-01-01", periods=24 * 6 + 6, freq="h")):
            price = 1.0 + (t % 5 == 0)
            if t < 24 * 6:
                rows.append(f"{s},{ds},{10 + (ds.hour > 12) - price:.2f},{price}")
            else:
                plan.append(f"{s},{ds},{price}")
    data, future, out = tmp_path / "d.csv", tmp_path / "plan.csv", tmp_path / "run"
    data.write_text("\n".join(rows) + "\n")
    future.write_text("\n".join(plan) + "\n")
    base = ["forecast", "--csv", str(data), "--horizon", "6", "--ensemble", "1", "--epochs", "1"]
    base += ["--baselines", "naive", "--quiet"]
    cov = ["--future-cols", "price", "--future-csv", str(future)]
    assert main([*base, *cov, "--calendar", "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())["model"]
    assert config["covariates"][0] == "price" and "day_sin" in config["covariates"]
    assert len(pd.read_csv(out / "forecast.csv")) == 12
    out = tmp_path / "seq2seq"  # the decoder reads the plan step by step
    assert main([*base, *cov, "--strategy", "seq2seq", "--out", str(out)]) == 0
    assert json.loads((out / "config.json").read_text())["model"]["covariates"] == ["price"]
    capsys.readouterr()
    bad = [
        (cov[:2], "--future-cols needs --future-csv FILE"),
        ([*cov, "--strategy", "local"], "--strategy local's per-series models do not take"),
        (["--future-cols", "cost", "--future-csv", str(future)], "no column 'cost' in"),
    ]
    future.write_text("\n".join(plan[:-1]) + "\n")  # the last hour of b's plan is missing
    bad.append((cov, "no number for 'price' of series 'b' at 2024-01-07 05:00:00"))
    for flags, message in bad:
        assert main([*base, *flags, "--out", str(tmp_path / "bad")]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_forecast_panel_errors(tmp_path, capsys):
    path = tmp_path / "panel.csv"
    path.write_text("unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,x\na,2020-03-01,2\n")
    assert main(["forecast", "--csv", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "value 'x' of series 'a'" in capsys.readouterr().err
    path.write_text("unique_id,ds,y\n" + "".join(f"a,{i},{i}\n" for i in (0, 1, 2, 4)))
    assert main(["forecast", "--csv", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "gap after step 2" in capsys.readouterr().err
    path.write_text("unique_id,ds,y\n" + "".join(f"a,{i},{i}\n" for i in range(30)))
    args = ["forecast", "--csv", str(path), "--baselines", "naive,arima", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "o")]) == 2
    assert "unknown baseline 'arima' in --baselines; choose from naive," in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_datasets_lists_the_builtins(capsys):
    assert main(["datasets"]) == 0
    printed = capsys.readouterr().out
    for name in ("elec_equip", "co2", "sunspots", "nile"):
        assert name in printed
    assert "1995-01-01 .. 2016-05-01" in printed and "257" in printed


def _monthly(values: list[str], months: list[int] | None = None) -> str:
    months = months or list(range(1, len(values) + 1))
    rows = "".join(f"2000-{m:02d},{v}\n" for m, v in zip(months, values, strict=True))
    return "date,sales\n" + rows


BAD_INPUTS = [  # (file content, what the one line must say)
    (_monthly(["1", "2", "3", "12.x", "5", "6"]), "line 5: value '12.x'"),
    (_monthly(["1", "2", "3", "4", "5"], [1, 2, 3, 3, 4]), "duplicate"),
    (_monthly(["1", "2", "3", "4", "5"], [1, 2, 3, 5, 6]), "--fill"),
    (_monthly(["1", "2", "", "4", "5"]), "--fill"),
    (_monthly(["1", "2", "inf", "4", "5"]), "infinite"),
    (
        "date,sales\n"
        + "".join(f"20{y:02d}-{m:02d},{m}\n" for y in range(2) for m in range(1, 13)),
        "the training span has",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_INPUTS)
def test_bad_csv_gives_one_line_exit_2_and_no_directory(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = tmp_path / "out"
    assert main(["demo", "--csv", str(path), "--out", str(out), *QUICK]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnlab demo: error: ") and err.count("\n") == 1
    assert message in err
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_unknown_column_lists_the_columns(tmp_path, capsys):
    path = tmp_path / "data.csv"
    path.write_text("date,sales\n2000-01,1\n2000-02,2\n")
    assert main(["demo", "--csv", str(path), "--value-col", "salez", *QUICK]) == 2
    err = capsys.readouterr().err
    assert "salez" in err and "date, sales" in err


def test_argument_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--split"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--split" in err and "rnnlab demo --help" in err


def test_debug_shows_the_traceback(tmp_path):
    from rnnlab.errors import RnnlabError

    with pytest.raises(RnnlabError):
        main(["demo", "--data", "nowhere", "--debug", "--out", str(tmp_path / "x")])


@pytest.mark.slow
def test_default_demo_beats_seasonal_naive(tmp_path):
    """The issue's acceptance: with default settings the window models beat seasonal naive."""
    assert main(["demo", "--out", str(tmp_path / "run"), "--quiet"]) == 0
    rows = {
        r["id"]: r for r in json.loads((tmp_path / "run" / "metrics.json").read_text())["models"]
    }
    for model in ("fc_window", "lstm_window_12x1"):
        assert rows[model]["beats_seasonal_naive"], (model, rows[model]["mase"])
        assert rows[model]["mase"] < 0.8 * rows["seasonal_naive"]["mase"]
