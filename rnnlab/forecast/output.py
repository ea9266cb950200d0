"""A forecast's results as files and tables: the run directory and the summary printed.

config.json     everything to rerun it, the resolved model, the intervals' half-widths
metrics.json    every model's scores over the backtest (and per window), the verdict
forecast.csv    unique_id, ds, yhat and the 80% / 95% bounds (PanelForecaster.predict)
backtest.csv    one row per series, window and step: the actual beside every forecast
forecast.png    a few series, the latest backtest window and the forecast
report.html     all of it on one self-contained page
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def protocol(windows, step: int) -> str:
    """How the check was made, in words, for titles and metrics.json."""
    horizon = windows[0].actual.shape[1]
    if len(windows) == 1:
        return f"hold-out check on the last {horizon} points of each series"
    return (
        f"backtest: {len(windows)} windows of {horizon} steps, origins {step} steps apart, "
        "the last ending with the data"
    )


def forecast_frame(panel, future: np.ndarray, bands: dict) -> pd.DataFrame:
    """unique_id, ds, yhat and each band, one row per series and step of `future` (n, H)."""
    horizon = future.shape[1]
    return pd.DataFrame(
        {
            "unique_id": np.repeat(panel.ids, horizon),
            "ds": np.concatenate([np.asarray(d) for d in panel.future(horizon)]),
            "yhat": future.ravel(),
            **{name: band.ravel() for name, band in bands.items()},
        }
    )


def backtest_frame(panel, windows, forecasts: dict) -> pd.DataFrame:
    """backtest.csv: one row per series, window and step, the actual beside every forecast."""
    parts = []
    for w in windows:
        n, horizon = w.actual.shape
        cutoff = w.history.last if panel.freq is not None else np.asarray(w.history.last)
        part = pd.DataFrame(
            {
                "unique_id": np.repeat(panel.ids, horizon),
                "window": w.index + 1,
                "cutoff": np.repeat(np.asarray(cutoff), horizon),
                "ds": np.concatenate([np.asarray(d) for d in w.history.future(horizon)]),
                "step": np.tile(np.arange(1, horizon + 1), n),
                "actual": w.actual.ravel(),
            }
        )
        for name, per_window in forecasts.items():
            part[name] = per_window[w.index].ravel()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def cross_validation_frame(panel, windows, forecasts: dict) -> pd.DataFrame:
    """backtest.csv's rows in statsforecast's cross_validation layout: unique_id, ds, cutoff,
    y and one column per model."""
    frame = backtest_frame(panel, windows, forecasts).rename(columns={"actual": "y"})
    return frame[["unique_id", "ds", "cutoff", "y", *forecasts]]


def run_config(forecaster) -> dict:
    """What config.json says of a fitted PanelForecaster's data, check, model and intervals."""
    f = forecaster
    panel = f.panel_
    return {
        "data": panel.source,
        "freq": panel.freq,
        "season": panel.season,
        "series": len(panel),
        "points": int(panel.lengths.sum()),
        "horizon": f.horizon_,
        "backtest": {
            "windows": len(f.backtest_.windows),
            "step": f.step or f.horizon_,
            "refit": f.refit,
        },
        "seed": f.seed,
        "model": f.model_config_,
        "intervals": f.intervals_,
    }


def write_run(out: Path, forecaster, config: dict) -> None:
    """config.json, metrics.json, forecast.csv, backtest.csv, forecast.png and report.html."""
    from rnnlab.core import figures, report
    from rnnlab.forecast import leaderboard, plots

    f, out = forecaster, Path(out)
    panel, check, future, model_id = f.panel_, f.backtest_, f.forecast_, f.model_id_
    windows, rows = check.windows, check.rows
    horizon, step = f.horizon_, config["backtest"]["step"]
    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "data": panel.source,
            "protocol": protocol(windows, step) + "; scores averaged over series, then windows",
            "season": panel.season,
            "series": len(panel),
            "verdict": leaderboard.verdict(rows),
            "models": rows,
            "intervals": {k: v for k, v in config["intervals"].items() if "coverage" in k},
            "windows": [
                {"window": w.index + 1, "cut": w.cut, "models": r}
                for w, r in zip(windows, check.window_rows, strict=True)
            ],
        },
    )
    frame = f.predict()
    frame.to_csv(out / "forecast.csv", index=False, float_format="%.6g")
    backtest_frame(panel, windows, check.forecasts).to_csv(
        out / "backtest.csv", index=False, float_format="%.6g"
    )

    latest = windows[-1].index
    shown = list(range(min(4, len(panel))))
    fig = plots.plot_panel_forecasts(
        [str(panel.ids[i]) for i in shown],
        [panel.series(i) for i in shown],
        [future[i] for i in shown],
        [
            {
                "actual": windows[-1].actual[i],
                model_id: check.forecasts[model_id][latest][i],
                "seasonal_naive": check.forecasts["seasonal_naive"][latest][i],
            }
            for i in shown
        ],
    )
    figures.save_figure(fig, out / "forecast.png")
    columns = leaderboard.PANEL_COLUMNS if len(panel) > 1 else None
    sections = [
        (
            protocol(windows, step).capitalize(),
            f"<p class='verdict'>{leaderboard.verdict(rows)}</p>"
            + leaderboard.leaderboard_html(rows, columns),
        ),
        (
            "Forecast (first rows of forecast.csv)",
            frame.head(3 * horizon).to_html(index=False, float_format="%.4g"),
        ),
    ]
    if len(windows) > 1:
        sections.insert(
            1, ("MASE per backtest window", leaderboard.window_table_html(check.window_rows))
        )
    page = report.html_page(
        f"rnnlab forecast: {panel.source}",
        sections,
        [("Series, the latest backtest window and the forecast", out / "forecast.png")],
        config,
    )
    (out / "report.html").write_text(page, encoding="utf-8")


def print_summary(forecaster, out: Path) -> None:
    """The leaderboard (and per-window table), the intervals' coverage, where the run went."""
    from rnnlab.forecast.leaderboard import PANEL_COLUMNS, print_leaderboard, print_window_table

    f = forecaster
    panel, windows, info = f.panel_, f.backtest_.windows, f.intervals_
    refit = " (refit at every origin)" if f.refit else " (trained once, at the oldest)"
    print_leaderboard(
        f.backtest_.rows,
        f"{panel.source or 'data'}: {len(panel)} series, "
        f"{protocol(windows, f.step or f.horizon_)}"
        + (refit if len(windows) > 1 else "")
        + f" (m={panel.season})",
        columns=PANEL_COLUMNS if len(panel) > 1 else None,
    )
    if len(windows) > 1:
        print_window_table(f.backtest_.window_rows, [w.cut for w in windows])
    if "coverage_80" in info:
        print(
            f"intervals: out-of-sample coverage 80%: {info['coverage_80']:.1%}, "
            f"95%: {info['coverage_95']:.1%} ({info['coverage_method']})"
        )
    print(
        f"forecast: {f.horizon_} steps for {len(panel)} series; run directory: {out}  "
        "(forecast.csv, backtest.csv, report.html)"
    )
