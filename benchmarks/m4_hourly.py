"""M4 Hourly (414 series, h=48, m=24): rnnlab's default forecast against the official scores.

The training series are written as one long CSV with integer steps (M4's start dates are not in
the shared copy), forecast by ONE command with default settings,
`rnnlab forecast --csv train.csv --horizon 48 --season 24`, and scored on the test file with
M4's sMAPE and MASE (m = 24). Published figures come from
../shared/data/m4/m4_point_forecast_scores_by_frequency.csv.

    .venv/bin/python benchmarks/m4_hourly.py [--extra "--ensemble 4"]
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from results_file import save_result

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "m4"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rnnlab.core.metrics import mase, smape  # noqa: E402

PUBLISHED = {
    "Naive2": "Naive2",
    "sNaive": "sNaive",
    "Theta": "Theta",
    "MLP": "MLP",
    "RNN": "RNN",
    "118": "Smyl (winner, ES-RNN)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", default="", help="more rnnlab forecast flags")
    args = parser.parse_args()
    train = pd.read_csv(DATA / "Train" / "Hourly-train.csv")
    test = pd.read_csv(DATA / "Test" / "Hourly-test.csv")
    ids = train.iloc[:, 0].astype(str).tolist()
    series = [row[~np.isnan(row)] for row in train.iloc[:, 1:].to_numpy(float)]
    actual = test.iloc[:, 1:].to_numpy(float)
    with tempfile.TemporaryDirectory() as tmp:
        frame = pd.concat(
            [
                pd.DataFrame({"unique_id": uid, "ds": np.arange(len(y)), "y": y})
                for uid, y in zip(ids, series, strict=True)
            ]
        )
        frame.to_csv(f"{tmp}/train.csv", index=False)
        cmd = [
            sys.executable,
            "-m",
            "rnnlab",
            "forecast",
            "--csv",
            f"{tmp}/train.csv",
            "--horizon",
            "48",
            "--season",
            "24",
            "--out",
            f"{tmp}/run",
            "--quiet",
            *shlex.split(args.extra),
        ]
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - start
        fc = pd.read_csv(f"{tmp}/run/forecast.csv")
    by_id = {uid: g["yhat"].to_numpy() for uid, g in fc.groupby("unique_id", sort=False)}
    s = np.mean([smape(a, by_id[uid]) for uid, a in zip(ids, actual, strict=True)])
    m = np.mean([mase(a, by_id[uid], y, 24) for uid, a, y in zip(ids, actual, series, strict=True)])
    lo, hi = (
        np.concatenate([g[c].to_numpy() for _, g in fc.groupby("unique_id", sort=False)])
        for c in ("yhat_lo_80", "yhat_hi_80")
    )
    flat = np.concatenate([actual[ids.index(uid)] for uid in fc["unique_id"].unique()])
    cover = float(np.mean((flat >= lo) & (flat <= hi)))
    table = pd.read_csv(DATA / "m4_point_forecast_scores_by_frequency.csv")
    table["method"] = table["method"].astype(str)
    lines = [
        f"# M4 Hourly benchmark, {time.strftime('%Y-%m-%d')}",
        "",
        "Command: `python benchmarks/m4_hourly.py"
        + (f' --extra "{args.extra}"' if args.extra else "")
        + "`; "
        f"one `rnnlab forecast` command, {wall:.0f} s wall.",
        "",
        "| method | sMAPE | MASE |",
        "|---|---|---|",
        f"| **rnnlab (default)** | {s:.3f} | {m:.3f} |",
    ]
    for key, name in PUBLISHED.items():
        row = table[table["method"] == key]
        if len(row):
            lines.append(
                f"| {name} | {row['sMAPE_Hourly'].iloc[0]:.3f} | {row['MASE_Hourly'].iloc[0]:.3f} |"
            )
    lines += ["", f"Coverage of rnnlab's 80% intervals on the test values: {cover:.1%}."]
    text = "\n".join(lines) + "\n"
    save_result("m4-hourly", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
