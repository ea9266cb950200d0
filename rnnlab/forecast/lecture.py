"""The lecture's code demo, made honest: five small predictors one step ahead, beside baselines.

The predictors keep the lecture's sizes (DESIGN.md): a dense layer of 12 and an LSTM of 6 units,
on the current value or on the 12 previous values, as 1 x 12 or 12 x 1, oldest first. Each
forecasts every test point from the actual values before it (evaluation.py); the run directory
holds the leaderboard, the predictions, two plots and a report. The best network can be saved
as a one-series local forecaster, for `rnnlab predict`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from rnnlab.errors import RnnlabError

LECTURE_MODELS = {
    "fc_1lag": {"model": "fc", "lags": 1, "hidden": (12,)},
    "lstm_1lag": {"model": "lstm", "lags": 1, "layout": "timesteps", "hidden": 6},
    "fc_window": {"model": "fc", "lags": 12, "hidden": (12,)},
    "lstm_window_1x12": {"model": "lstm", "lags": 12, "layout": "features", "hidden": 6},
    "lstm_window_12x1": {"model": "lstm", "lags": 12, "layout": "timesteps", "hidden": 6},
}
BASELINE_IDS = ("naive", "seasonal_naive")


def lecture_specs(scaler: str, transform: str, train: dict) -> dict:
    """evaluate()'s specs: the two baselines and the five networks with these settings."""
    specs = {mid: {"model": mid} for mid in BASELINE_IDS}
    for mid, spec in LECTURE_MODELS.items():
        specs[mid] = {**spec, "scaler": scaler, "transform": transform, "train": train}
    return specs


def check_training_span(series, n_train: int) -> None:
    spread = series.values[:n_train]
    if spread.max() == spread.min():
        raise RnnlabError(
            "the training span is constant: there is nothing to learn and MASE is undefined"
        )


def demo_config(series, n_train: int, split: str, seed: int, result) -> dict:
    """What config.json says of the data, the split and the models."""
    return {
        "data": series.source,
        "freq": series.freq,
        "season": series.season,
        "n": len(series),
        "n_train": n_train,
        "split": split,
        "test_span": [str(series.index[n_train].date()), str(series.index[-1].date())],
        "seed": seed,
        "models": result.configs,
    }


def print_summary(series, n_train: int, result, out: Path) -> None:
    from rnnlab.forecast.leaderboard import print_leaderboard

    test = f"{series.index[n_train].date()} to {series.index[-1].date()}"
    print_leaderboard(
        result.rows,
        f"{series.name}: one-step forecasts over the test span {test} "
        f"({len(series) - n_train} points, m={series.season})",
    )
    print(f"run directory: {out}  (report.html, metrics.json, predictions.csv, plots)")


def save_best(folder: Path, series, result, columns: tuple, trained_by: str) -> None:
    """The neural model with the lowest test MASE, as a one-series local forecaster;
    `columns`: the date and value columns the series was read from (None: found)."""
    from rnnlab.data.panel import panel_from_series
    from rnnlab.forecast import saved

    neural = [row for row in result.rows if row["id"] in LECTURE_MODELS]
    best = min(neural, key=lambda row: row["mase"])["id"]
    panel = panel_from_series(series)
    tensors, networks = saved.local_state([result.forecasters[best]], panel.ids)
    schema = saved.reading_schema(panel, None, *columns) | {"model": best}
    horizon = max(series.season, 1) if series.season > 1 else 12
    saved.save_model(folder, tensors, networks, "local", horizon, schema, {}, trained_by)


def write_run(out: Path, series, n_train: int, result, config: dict) -> None:
    """config.json, metrics.json, predictions.csv, two plots and report.html into `out`."""
    import pandas as pd

    from rnnlab.core import report
    from rnnlab.core.figures import draw_to_file
    from rnnlab.core.parallel import in_parallel
    from rnnlab.forecast import leaderboard, plots

    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "data": series.source,
            "protocol": "one-step-ahead over the test span",
            "units": "mse_scaled on the lecture's min-max scale of the training span; "
            "the rest in original units",
            "season": series.season,
            "n_test": len(series) - n_train,
            "verdict": leaderboard.verdict(result.rows),
            "models": result.rows,
        },
    )
    test_index = series.index[n_train:]
    frame = pd.DataFrame({"date": test_index, "actual": series.values[n_train:]})
    for mid, yhat in result.predictions.items():
        frame[mid] = yhat
    frame.to_csv(out / "predictions.csv", index=False, float_format="%.6g")

    context = max(n_train - 3 * max(series.season, 12), 0)  # the last three seasons of training
    scores = {row["id"]: row["mase"] for row in result.rows}
    figures = {  # name -> how to draw it; drawn in parallel, each in its own process
        "test_predictions.png": lambda: plots.plot_test_predictions(
            series.index[context : n_train + 1],
            series.values[context : n_train + 1],
            test_index,
            series.values[n_train:],
            result.predictions,
            scores,
        ),
        "training_curves.png": lambda: plots.plot_training_curves(result.curves),
    }
    in_parallel(
        [functools.partial(draw_to_file, draw, out / name) for name, draw in figures.items()]
    )
    first = config["models"]["fc_window"]
    sections = [
        (
            "Data and protocol",
            f"<p>{series.name} ({series.source}): {len(series)} points, frequency {series.freq}, "
            f"season m = {series.season}. Training span {series.index[0].date()} to "
            f"{series.index[n_train - 1].date()} ({n_train} points), test span "
            f"{series.index[n_train].date()} to {series.index[-1].date()} "
            f"({len(series) - n_train} points). The networks learn differences over "
            f"{first['difference_order']} step(s), scaled ({first['scaler']}) on the training "
            "span; early stopping as in config.json below.</p>",
        ),
        (
            "Leaderboard",
            f"<p class='verdict'>{leaderboard.verdict(result.rows)}</p>"
            + leaderboard.leaderboard_html(result.rows)
            + "<p>One-step-ahead forecasts over the test span; MASE scales by the in-sample "
            f"seasonal naive error (m = {series.season}); MSE (scaled) is on the lecture's "
            "min-max scale, everything else in original units.</p>",
        ),
    ]
    images = [
        ("Test span", out / "test_predictions.png"),
        ("Training curves", out / "training_curves.png"),
    ]
    page = report.html_page(f"rnnlab demo: {series.name}", sections, images, config)
    (out / "report.html").write_text(page, encoding="utf-8")
