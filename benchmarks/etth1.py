"""ETTh1, horizon 96, the long-horizon literature's protocol: rnnlab's global models beside
the baselines and the published figures.

Protocol (Zhou et al. 2021, kept by DLinear, PatchTST, N-HiTS): hourly, 7 variables; train = the
first 12 months (8,640 rows), validation = the next 4, test = the 4 after that; every column
standardised with the training rows' mean and std; forecasts of 96 steps from every hour of the
test span (2,785 origins, stride 1, inputs may reach back before it), all 7 variables; MSE and
MAE over all of them, on standardised values. rnnlab treats the variables as 7 series of one
panel (channel-independent, as PatchTST does), trains one global model on the training rows
alone (no validation-based stopping: the schedule's end is the model) and forecasts every test
origin with `GlobalForecaster.predict_windows`.

    .venv/bin/python benchmarks/etth1.py [--configs linear,default,fc_last,lstm] [--ensemble 4]

Prints the table and writes benchmarks/results/DATE-etth1.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from results_file import save_result

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rnnlab.data.panel import panel_from_arrays  # noqa: E402
from rnnlab.forecast.global_model import GlobalForecaster  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ett" / "ETTh1.csv"
HORIZON, MONTH = 96, 30 * 24
TRAIN_END, TEST_START, TEST_END = 12 * MONTH, 16 * MONTH, 20 * MONTH
PUBLISHED = {  # MSE, MAE at h=96, input 336 (../shared/data/README.md and the papers)
    "PatchTST/64 (Nie et al. 2023)": (0.370, 0.400),
    "DLinear (Zeng et al. 2023)": (0.374, 0.394),
    "N-HiTS (Challu et al. 2023)": (0.378, None),
}
# name: GlobalForecaster options; all read 336 hours (two weeks, the papers' input length) unless
# they say otherwise. "linear" is `rnnlab forecast --preset linear`; "default" is the command's
# default network (members reading 1.5 to 3 days); "fc_last" shows an MLP over-fitting here.
CONFIGS = {
    "linear": {"model": "fc", "layers": 0, "normalize": "last"},
    "linear_mse": {"model": "fc", "layers": 0, "normalize": "last", "train": {"loss": "mse"}},
    "default": {"input_size": None},
    "fc_last": {"model": "fc", "hidden": 256, "layers": 2, "normalize": "last"},
    "lstm": {  # 96 hours in: an LSTM over 336 steps is slow on a CPU
        "model": "lstm",
        "input_size": 96,
        "hidden": 64,
        "layers": 1,
        "normalize": "last",
        "train": {"epochs": 5},
    },
}


def load() -> tuple[np.ndarray, list[str]]:
    """The standardised values (rows, 7) up to the test span's end, and the column names."""
    frame = pd.read_csv(DATA)
    values = frame.drop(columns="date").to_numpy(np.float64)[:TEST_END]
    mean, std = values[:TRAIN_END].mean(axis=0), values[:TRAIN_END].std(axis=0)
    return (values - mean) / std, list(frame.columns[1:])


def test_windows(values: np.ndarray, lookback: int):
    """Inputs (7 * origins, lookback) and targets (7 * origins, H) of every test origin."""
    origins = np.arange(TEST_START, TEST_END - HORIZON + 1)  # the first forecast step's row
    steps_in, steps_out = np.arange(-lookback, 0), np.arange(HORIZON)
    x = values[origins[:, None] + steps_in].transpose(2, 0, 1).reshape(-1, lookback)
    y = values[origins[:, None] + steps_out].transpose(2, 0, 1).reshape(-1, HORIZON)
    return x, y, len(origins)


def baselines(x: np.ndarray) -> dict[str, np.ndarray]:
    """Naive (the last value) and seasonal naive at a day and a week, 96 steps ahead."""
    day = np.tile(x[:, -24:], (1, HORIZON // 24))
    week = x[:, -168 : -168 + HORIZON]
    return {"naive": np.repeat(x[:, -1:], HORIZON, axis=1), "seasonal naive (24 h)": day} | {
        "seasonal naive (168 h)": week
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="linear,default")
    parser.add_argument("--ensemble", type=int, default=4)
    parser.add_argument("--lookback", type=int, default=336)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    values, columns = load()
    train = [values[:TRAIN_END, j] for j in range(values.shape[1])]
    panel = panel_from_arrays(columns, train, season=24, source="ETTh1 train")
    x, y, n_origins = test_windows(values, args.lookback)
    rows = [(name, *score(y, f), None) for name, f in baselines(x).items()]
    for name in args.configs.split(","):
        options = {"input_size": args.lookback} | CONFIGS[name]
        start = time.perf_counter()
        model = GlobalForecaster(
            seed=args.seed, horizon=HORIZON, ensemble=args.ensemble, **options
        ).fit(panel)
        forecast = model.predict_windows(torch.from_numpy(x.astype(np.float32)))
        wall = time.perf_counter() - start
        rows.append((f"rnnlab {name} x{args.ensemble}", *score(y, forecast), wall))
        print(f"{rows[-1][0]}: MSE {rows[-1][1]:.3f}, MAE {rows[-1][2]:.3f}", flush=True)
    rows.sort(key=lambda r: r[1])
    lines = [
        f"# ETTh1, h={HORIZON}: {n_origins} test origins x 7 variables, input {args.lookback} h",
        "",
        f"`.venv/bin/python benchmarks/etth1.py --configs {args.configs} "
        f"--ensemble {args.ensemble} --lookback {args.lookback}` "
        f"({time.strftime('%Y-%m-%d')}, torch {torch.__version__}, 2 CPU cores)",
        "",
        "Train: the first 12 months only; standardised with their mean and std; test: months "
        "16-20, every hour an origin. Published rows are the papers' figures, not rerun here.",
        "",
        "| model | MSE | MAE | fit + predict s |",
        "|---|---|---|---|",
    ]
    for name, mse, mae, wall in rows:
        lines.append(f"| {name} | {mse:.3f} | {mae:.3f} | {'–' if wall is None else round(wall)} |")
    for name, (mse, mae) in PUBLISHED.items():
        shown = "–" if mae is None else f"{mae:.3f}"
        lines.append(f"| {name} (published) | {mse:.3f} | {shown} | – |")
    for name, options in CONFIGS.items():
        if name in args.configs.split(","):
            lines.append(f"\n`{name}`: {options}")
    save_result("etth1", "\n".join(lines) + "\n")
    return 0


def score(y: np.ndarray, forecast: np.ndarray) -> tuple[float, float]:
    return float(np.mean((y - forecast) ** 2)), float(np.mean(np.abs(y - forecast)))


if __name__ == "__main__":
    sys.exit(main())
