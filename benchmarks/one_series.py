"""One series at a time: which forecasting strategy a single short series should get, chosen on
the training data alone.

Each of the six built-in series (statsmodels' elec_equip, co2, sunspots, nile, elnino,
macrodata) loses its test span (the last H points, H = its season or 12 without one) and is
never scored on it. On what is left, `PanelForecaster` runs a rolling-origin backtest of
`--windows` windows of H points, origins H apart, the last ending where the test span starts,
the network trained once at the oldest origin (as `rnnlab forecast --backtest N` does). The
scores are MASE averaged over the windows, beside seasonal naive, Theta and damped trend; the
summary is the geometric mean of each model's MASE relative to seasonal naive's, and the wall
time of the whole fit (backtest and final fit).

    .venv/bin/python benchmarks/one_series.py [--configs direct,local_fc,local_lstm] [--ensemble 12]

Prints the tables and writes benchmarks/results/DATE-one-series.md. With `--m3 monthly` it asks
the same question of real series instead: M3's monthly series lose their test span (the last
18 points), and on the rest the local and direct strategies forecast the 18 points before it
beside the baselines (sMAPE, MASE and OWA averaged over series), on the series long enough for
the local network's check (it needs 34 points before the window); it writes DATE-m3-validation.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from results_file import save_result

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import rnnlab  # noqa: E402
from rnnlab.forecast import PanelForecaster  # noqa: E402

SERIES = ("elec_equip", "co2", "sunspots", "nile", "elnino", "macrodata")
CONFIGS = {  # name -> PanelForecaster parameters besides the horizon and the backtest
    "direct": {},  # the default: the global MLP ensemble
    "local_fc": {"strategy": "local", "model": "fc"},  # the demo's one-step network, fed back
    "local_lstm": {"strategy": "local", "model": "lstm"},
    "linear": {"preset": "linear"},  # one linear layer on a long window, each shifted (NLinear)
}
REFERENCES = ("seasonal_naive", "theta", "damped")


def run(config: str, ensemble: int, windows: int) -> list[dict]:
    params = dict(CONFIGS[config])
    if config == "direct":
        params["ensemble"] = ensemble
    rows = []
    for name in SERIES:
        series = rnnlab.load_series(name)
        horizon = series.season if series.season > 1 else 12
        train = series.to_pandas()[:-horizon]  # the test span is never seen
        start = time.perf_counter()
        f = PanelForecaster(horizon=horizon, backtest=windows, step=horizon, **params).fit(train)
        seconds = time.perf_counter() - start
        board = f.leaderboard().set_index("model")["mase"]
        row = {"config": config, "series": name, "model": float(board[f.model_id_])}
        rows.append(row | {k: float(board[k]) for k in REFERENCES} | {"seconds": seconds})
        print(
            ", ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else str(v) for k, v in rows[-1].items()
            )
        )
    return rows


def table(rows: list[dict]) -> str:
    frame = pd.DataFrame(rows)
    lines = ["| strategy | " + " | ".join(SERIES) + " | gmean vs sNaive | wall s (median) |"]
    lines.append("|---" * (len(SERIES) + 3) + "|")
    for config, part in frame.groupby("config", sort=False):
        part = part.set_index("series").loc[list(SERIES)]
        ratio = float(np.exp(np.log(part["model"] / part["seasonal_naive"]).mean()))
        cells = " | ".join(f"{v:.3f}" for v in part["model"])
        lines.append(f"| {config} | {cells} | {ratio:.3f} | {part['seconds'].median():.1f} |")
    first = frame[frame["config"] == frame["config"].iloc[0]].set_index("series").loc[list(SERIES)]
    for ref in REFERENCES:
        ratio = float(np.exp(np.log(first[ref] / first["seasonal_naive"]).mean()))
        cells = " | ".join(f"{v:.3f}" for v in first[ref])
        lines.append(f"| {ref} | {cells} | {ratio:.3f} | – |")
    return "\n".join(lines)


def m3_validation(group: str, configs: list[str]) -> str:
    """The hold-out check of each strategy on M3 `group`'s training parts (test spans removed)."""
    from m3 import load, long_format

    frame, series = load(group)
    df = long_format(group, frame, series)
    horizon = int(frame["NF"].iloc[0])
    sizes = df.groupby("unique_id").size()
    keep = sizes[sizes >= horizon + 34].index
    df = df[df["unique_id"].isin(keep)]
    parts = [
        f"{len(keep)} of {len(sizes)} M3 {group} series have the history the local check needs."
    ]
    for config in configs:
        params = dict(CONFIGS[config])
        start = time.perf_counter()
        f = PanelForecaster(horizon=horizon, **params).fit(df)
        seconds = time.perf_counter() - start
        board = f.leaderboard().set_index("model")[["smape", "mase", "owa"]]
        rows = [
            f"| {m} | {r.smape:.2f} | {r.mase:.3f} | {r.owa:.3f} |" for m, r in board.iterrows()
        ]
        parts.append(
            f"### {config} ({seconds:.0f} s)\n\n| model | sMAPE | MASE | OWA |\n|---|---|---|---|\n"
            + "\n".join(rows)
        )
        print(parts[-1], flush=True)
    return "\n\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated strategies")
    parser.add_argument("--ensemble", type=int, default=12, help="members of the direct MLP")
    parser.add_argument("--windows", type=int, default=4, help="backtest windows per series")
    parser.add_argument("--m3", default=None, help="an M3 group (monthly, ...): see above")
    args = parser.parse_args()
    command = "python benchmarks/one_series.py " + " ".join(sys.argv[1:])
    if args.m3:
        configs = [c.strip() for c in args.configs.split(",")]
        text = m3_validation(args.m3, configs)
        head = f"# M3 {args.m3}: strategies on the window before the test span\n\n"
        save_result(f"m3-validation-{args.m3}", head + f"Command: `{command.strip()}`.\n\n" + text)
        return
    rows = [r for c in args.configs.split(",") for r in run(c.strip(), args.ensemble, args.windows)]
    text = (
        "# One series at a time: strategies on validation windows of the training data\n\n"
        f"Command: `{command.strip()}`. MASE averaged over {args.windows} rolling windows of H "
        "points (origins H apart) that end where each series' test span (its last H points) "
        "begins; the test span is never used. Direct MLP ensemble of "
        f"{args.ensemble} member(s); wall: backtest and final fit, torch on one thread, "
        "members forked over the 2 cores.\n\n" + table(rows) + "\n"
    )
    save_result("one-series", text)


if __name__ == "__main__":
    main()
