"""rnnlab's LSTM against neuralforecast's LSTM on M3 monthly: wall time and sMAPE, in one run.

The acceptance it measures: "rnnlab's LSTM is at least 5x faster than neuralforecast's LSTM on
M3 monthly at equal or better sMAPE". Both libraries train in one run, one after the other,
each in a fresh process (in_fresh_process), on the same 2 torch threads, on the same data
(every series but its last 18 values; 1428 series), and are scored with rnnlab.core.metrics.smape
on those 18 values (the mean over series of per-series sMAPE, as in benchmarks/m3.py). Wall
time is construction + fit + predict, after the library is imported.

What is held equal: window length L = 24 (two seasons), horizon 18, MAE loss, seeds (0), and
the number of optimiser steps: rnnlab's own default for this data, epochs x steps per epoch
(GLOBAL_TRAIN, PanelWindows: 20 x 100 = 2000), given to neuralforecast as max_steps.

Each library's LSTM is run as it ships: rnnlab's is what `rnnlab forecast --model lstm` trains
(1 layer of 64 units, 128 windows a step drawn across the whole panel: RECURRENT_BATCH);
neuralforecast's defaults are 2 layers of 128 units and 128 windows a step, drawn from 32 series.
A second rnnlab row trains neuralforecast's network (2 x 128) on rnnlab's batch, so the time of a
step compares on the same torch kernels. `--nf-rows matched` adds neuralforecast at 1024 windows
from 128 series a step (rnnlab's fc batch; about 20 minutes at 2000 steps). Everything else stays
each library's default (rnnlab: lr 2e-3 with a cosine schedule, per-window level scaling, a
linear head; neuralforecast: lr 1e-3 constant, robust scaling, an MLP decoder). The published
THETA forecasts, scored the same way, give the scale.

    .venv-peers/bin/python benchmarks/peers.py [--steps N] [--series K] [--threads 2]
        [--rnnlab-sizes 64x1,128x2] [--nf-rows defaults,matched]

`make bench-peers` builds .venv-peers (neuralforecast, never a project dependency) and runs it.
Writes benchmarks/results/DATE-peers.md.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from results_file import save_result

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "m3"
HORIZON, SEASON, INPUT_SIZE = 18, 12, 24
HIDDEN, LAYERS, SEED = 128, 2, 0  # neuralforecast's default encoder
RNNLAB_SIZES = "64x1,128x2"  # rnnlab's `--model lstm` default first (the acceptance), then nf's
STEPS_PER_EPOCH = 100  # rnnlab's default cap (GlobalConfig.steps_per_epoch)
SPEEDUP = 5.0  # the acceptance: rnnlab at least this many times faster ...
NF_ROWS = {  # ... than each of these neuralforecast settings, at equal or better sMAPE
    "defaults": {},
    "matched": {"batch_size": 128, "windows_batch_size": 1024},
}
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rnnlab.core.metrics import smape  # noqa: E402
from rnnlab.data.panel import panel_from_arrays  # noqa: E402
from rnnlab.forecast.global_model import GLOBAL_TRAIN, GlobalForecaster, PanelWindows  # noqa: E402


def load(limit: int | None) -> tuple[list[str], list[np.ndarray], np.ndarray]:
    """Series ids, training parts, and the held-out last 18 values (n, 18) of M3 monthly."""
    frame = pd.read_csv(DATA / "M3_monthly.csv")
    frame = frame.iloc[:limit] if limit else frame
    assert (frame["NF"] == HORIZON).all()
    values = frame.filter(regex=r"^v\d+$").to_numpy(float)
    series = [row[:n] for row, n in zip(values, frame["N"], strict=True)]
    train = [y[:-HORIZON] for y in series]
    test = np.stack([y[-HORIZON:] for y in series])  # (n, 18)
    return list(frame["series"]), train, test


def mean_smape(test: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.mean([smape(y, f) for y, f in zip(test, forecast, strict=True)]))


def theta(ids: list[str]) -> np.ndarray:
    """The published THETA forecasts (n, 18), for scale."""
    table = pd.read_csv(DATA / "M3Forecast.csv")
    table = table[table["method"] == "THETA"].set_index("series")
    return table.loc[[f"N{int(s[1:]):04d}" for s in ids]].filter(like="F").to_numpy(float)


# --- the two libraries ------------------------------------------------------------------------


def rnnlab_windows(panel, steps_per_epoch: int) -> PanelWindows:
    """rnnlab's training data for this panel: its steps per epoch (about two passes over the
    windows in fc's batch, between 10 and `steps_per_epoch`) and its LSTM batch."""
    batch_size = GlobalForecaster(model="lstm").train_defaults()["batch_size"]
    return PanelWindows(
        panel, INPUT_SIZE, HORIZON, "level", batch_size, steps_per_epoch, "timesteps",
        schedule_batch=GLOBAL_TRAIN["batch_size"],
    )  # fmt: skip


def run_rnnlab(
    ids, train, steps_per_epoch: int, hidden: int, layers: int
) -> tuple[np.ndarray, float, int]:
    """Forecasts (n, 18), wall seconds, and the optimiser steps taken, read off the fit."""
    panel = panel_from_arrays(ids, train, SEASON)
    start = time.perf_counter()
    model = GlobalForecaster(
        seed=SEED,
        model="lstm",
        horizon=HORIZON,
        input_size=INPUT_SIZE,
        ensemble=1,
        hidden=hidden,
        layers=layers,
        steps_per_epoch=steps_per_epoch,
    )
    forecast = model.fit(panel, workers=1).predict(panel)  # (n, 18)
    seconds = time.perf_counter() - start
    steps = model.results_[0].epochs * rnnlab_windows(panel, steps_per_epoch).steps_per_epoch()
    return forecast, seconds, steps


def run_neuralforecast(ids, train, steps: int, options: dict) -> tuple[np.ndarray, float]:
    """Forecasts (n, 18) of neuralforecast's LSTM with `options`, and wall seconds."""
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    quiet_neuralforecast()
    frame = pd.concat(  # long format; integer steps, so freq=1
        pd.DataFrame({"unique_id": uid, "ds": np.arange(len(y)), "y": y})
        for uid, y in zip(ids, train, strict=True)
    )
    start = time.perf_counter()
    model = LSTM(
        h=HORIZON,
        input_size=INPUT_SIZE,
        max_steps=steps,
        encoder_hidden_size=HIDDEN,
        encoder_n_layers=LAYERS,
        random_seed=SEED,
        accelerator="cpu",
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **options,
    )
    forecaster = NeuralForecast(models=[model], freq=1)
    forecaster.fit(frame)
    out = forecaster.predict().set_index("unique_id")
    seconds = time.perf_counter() - start
    forecast = np.stack([out.loc[uid, "LSTM"].to_numpy(float) for uid in ids])  # (n, 18)
    return forecast, seconds


def quiet_neuralforecast() -> None:
    """Lightning's banners and warnings off: the table is the output. Call after the import:
    Lightning sets its loggers' levels when it is imported."""
    prefixes = ("pytorch_lightning", "lightning", "lightning_fabric", "neuralforecast", "ray")
    for name in [*logging.root.manager.loggerDict, *prefixes]:  # each sets its own level
        if name.startswith(prefixes):
            logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")


def in_fresh_process(threads: int, run, *args):
    """`run(*args)` in a new interpreter with `threads` torch threads; also the threads it read
    back. Why: importing neuralforecast (ray, pyarrow, Lightning) made rnnlab's training ~5x
    slower in the same process (20 steps: 6.5 s alone, 31 s after the import), so each library
    runs with only its own imports, as its users run it."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        return pool.submit(_with_threads, threads, run, *args).result()


def _with_threads(threads: int, run, *args):
    torch.set_num_threads(threads)
    return run(*args), torch.get_num_threads()


# --- the run ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=None, help="optimiser steps (default: rnnlab's own count)"
    )
    parser.add_argument("--series", type=int, default=None, help="only the first K series")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for both")
    parser.add_argument(
        "--rnnlab-sizes",
        default=None,
        metavar="HxL,...",
        help=f"rnnlab's LSTM sizes, units x layers (default {RNNLAB_SIZES}: what `rnnlab "
        "forecast --model lstm` trains, then neuralforecast's encoder); the first is held to "
        "the acceptance",
    )
    parser.add_argument(
        "--nf-rows",
        default=None,
        help=f"neuralforecast settings, of {', '.join(NF_ROWS)} (default: defaults)",
    )
    args = parser.parse_args()
    sizes = [
        tuple(map(int, size.split("x"))) for size in (args.rnnlab_sizes or RNNLAB_SIZES).split(",")
    ]
    ids, train, test = load(args.series)
    # rnnlab trains 20 epochs; --steps N sets the steps per epoch to N / 20 (at least 10), so
    # the schedule keeps its shape.
    epochs = GLOBAL_TRAIN["epochs"]
    per_epoch_cap = max(10, -(-args.steps // epochs)) if args.steps else STEPS_PER_EPOCH
    windows = rnnlab_windows(panel_from_arrays(ids, train, SEASON), per_epoch_cap)
    per_epoch = windows.steps_per_epoch()
    print(f"M3 monthly: {len(ids)} series; {epochs} epochs x {per_epoch} steps", flush=True)

    rows = []  # (library, model, steps, batch, seconds, sMAPE)
    threads = []
    for hidden, layers in sizes:
        (forecast, seconds, steps), read_back = in_fresh_process(
            args.threads, run_rnnlab, ids, train, per_epoch_cap, hidden, layers
        )
        assert steps == epochs * per_epoch, f"rnnlab took {steps} steps, not {epochs * per_epoch}"
        batch = f"{windows.batch_size} windows from all series"
        model = f"lstm {layers} x {hidden}"
        rows.append(("rnnlab", model, steps, batch, seconds, mean_smape(test, forecast)))
        threads.append(read_back)
        print(f"rnnlab {model}: {seconds:.1f} s, sMAPE {rows[-1][-1]:.2f}", flush=True)
    chosen = (args.nf_rows or "defaults").split(",")
    for name, options in ((k, v) for k, v in NF_ROWS.items() if k in chosen):
        (forecast, seconds), read_back = in_fresh_process(
            args.threads, run_neuralforecast, ids, train, steps, options
        )
        threads.append(read_back)
        batch = (
            f"{options.get('windows_batch_size', 128)} windows "
            f"from {options.get('batch_size', 32)} series"
        )
        score = mean_smape(test, forecast)
        rows.append(("neuralforecast", f"LSTM ({name})", steps, batch, seconds, score))
        print(f"neuralforecast ({name}): {seconds:.1f} s, sMAPE {rows[-1][-1]:.2f}", flush=True)
    save_result("peers", report(args, rows, threads, mean_smape(test, theta(ids)), len(ids)))
    return 0


def report(args, rows, threads, theta_smape: float, n: int) -> str:
    command = "make bench-peers  # .venv-peers/bin/python benchmarks/peers.py" + "".join(
        f" --{k.replace('_', '-')} {v}"
        for k, v in vars(args).items()
        if v is not None and (k, v) != ("threads", 2)
    )
    lines = [
        f"# rnnlab vs neuralforecast: LSTM on M3 monthly, {time.strftime('%Y-%m-%d')}",
        "",
        f"Command: `{command}`",
        "",
        *(
            [
                "**A quick check on a subset (--series), not the acceptance run**: with fewer "
                "than 1024 windows in all, rnnlab's batch is every window while "
                "neuralforecast still draws 1024, so the work per step differs.",
                "",
            ]
            if args.series
            else []
        ),
        *(
            [
                f"**A shorter run (--steps {args.steps})** than rnnlab's own step count for "
                "this data (2,000): both libraries take the same number of steps, so the "
                "time per step compares; both sMAPEs are those of under-trained models.",
                "",
            ]
            if args.steps
            else []
        ),
        f"Versions: torch {torch.__version__}, neuralforecast {version('neuralforecast')}, "
        f"pytorch-lightning {version('pytorch-lightning')}, Python {sys.version.split()[0]}. "
        f"torch threads: {args.threads} set for both (read back after each fit: "
        f"{', '.join(map(str, threads))}); CPU cores: {os.cpu_count()}; "
        f"load average at the end: {os.getloadavg()[0]:.2f}.",
        "",
        f"{n} series, input size {INPUT_SIZE}, horizon {HORIZON}, neuralforecast's LSTM "
        f"{LAYERS} x {HIDDEN}, seed {SEED}, sMAPE on the last {HORIZON} values. The first "
        "rnnlab row is held to the acceptance; a row with neuralforecast's network compares "
        "the time of a step on the same kernels.",
        "",
        "| library | model | input size | horizon | steps | batch | wall s | sMAPE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for library, model, steps, batch, seconds, score in rows:
        lines.append(
            f"| {library} | {model} | {INPUT_SIZE} | {HORIZON} | {steps} | {batch} "
            f"| {seconds:.1f} | {score:.2f} |"
        )
    lines += [f"| M3 published | THETA | – | {HORIZON} | – | – | – | {theta_smape:.2f} |", ""]
    theirs = [row for row in rows if row[0] == "neuralforecast"]
    for k, ours in enumerate(row for row in rows if row[0] == "rnnlab"):
        for _, model, _, _, seconds, score in theirs:
            ratio = seconds / ours[4]
            holds = ratio >= SPEEDUP and ours[5] <= score
            verdict = (
                f"acceptance (>= {SPEEDUP:.0f}x at equal or better sMAPE) "
                f"{'**holds**' if holds else '**fails**'}"
                if k == 0
                else "for the time of a step"
            )
            lines.append(
                f"- rnnlab {ours[1]} against {model}: {ratio:.1f}x as fast, sMAPE "
                f"{ours[5]:.2f} vs {score:.2f}: {verdict}"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
