"""UCR classification benchmark: rnnlab classify's default model on GunPoint, ItalyPowerDemand and
ECG200, mean ± std test accuracy over seeds, beside published accuracies on the same default
train/test split: 1-NN Euclidean, 1-NN DTW (learned window, and full window) from the bake-off
(Bagnall et al. 2017, DMKD 31), and InceptionTime (Fawaz et al. 2020, DMKD 34; aeon's results,
resample 0 = the default split).

    taskset -c 0 .venv/bin/python benchmarks/ucr.py                 # all, seeds 0-4
    .venv/bin/python benchmarks/ucr.py --datasets GunPoint --seeds 0 --cache /tmp/ucr
    .venv/bin/python benchmarks/ucr.py --model ensemble             # three FCNs
    .venv/bin/python benchmarks/ucr.py --resamples 30               # and 30 other splits

--resamples R also pools each set's train and test files and draws R other stratified splits of
the same sizes (seed 0 of the model on each), and sets their mean accuracy beside the published
30-resample means of InceptionTime and HIVE-COTE 2 (aeon's resamples are other splits of the same
sizes, so the two means are comparable, not paired). One default split can flatter or wrong a
model by a few cases; the resample mean says whether a lead is real.

With --cache each (dataset, seed) result is kept as JSON, so the runs can be split into short
processes; the table is written (benchmarks/results/DATE-ucr.md) once every pair is there.
One torch thread by default (--threads): the wall time is that of one CPU core. Data:
../shared/data/ucr.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
DATASETS = ("GunPoint", "ItalyPowerDemand", "ECG200")


def reference(name: str) -> dict:
    """Published accuracies on the default split."""
    import pandas as pd

    ref = DATA / "reference_results"
    bakeoff = pd.read_csv(ref / "bakeoff_singleTrainTest_accuracy.csv", sep=";", index_col=0)
    inception = pd.read_csv(ref / "InceptionTime_accuracy.csv", index_col=0)
    return {
        "1-NN ED": float(bakeoff.loc[name, "Euclidean_1NN"]),
        "1-NN DTW (Rn)": float(bakeoff.loc[name, "DTW_Rn_1NN"]),
        "1-NN DTW (R1)": float(bakeoff.loc[name, "DTW_R1_1NN"]),
        "InceptionTime": float(inception.loc[name].iloc[0]),
    }


def resample_means(name: str) -> dict:
    """Published mean accuracy over aeon's 30 resamples (resample 0 = the default split)."""
    import pandas as pd

    ref = DATA / "reference_results"
    return {
        method: float(pd.read_csv(ref / f"{method}_accuracy.csv", index_col=0).loc[name].mean())
        for method in ("InceptionTime", "HC2")
    }


def _fit_score(train_x, train_labels, test_x, test_labels, seed: int, model: str) -> float:
    """Train the default `rnnlab classify` model and return its test accuracy."""
    from rnnlab.classify import SequenceClassifier

    clf = SequenceClassifier(model=model, seed=seed).fit(train_x, train_labels)
    return clf.score(test_x, test_labels)


def run_resample(name: str, resample: int, model: str, threads: int = 1) -> dict:
    """Train and test files pooled, split again stratified with the default split's sizes."""
    import torch

    from rnnlab.data.ucr import read_labelled

    torch.set_num_threads(threads)
    train = read_labelled(DATA / name / f"{name}_TRAIN.tsv")
    test = read_labelled(DATA / name / f"{name}_TEST.tsv")
    values = np.concatenate([train.values, test.values])  # (N_train + N_test, L)
    labels = np.asarray(train.labels + test.labels)
    rng = np.random.default_rng(resample)
    picked = []
    for c in sorted(set(train.labels)):  # as many of each class in train as the default split
        members = np.flatnonzero(labels == c)
        picked.extend(rng.choice(members, train.labels.count(c), replace=False))
    in_train = np.zeros(len(labels), dtype=bool)
    in_train[picked] = True
    started = time.perf_counter()
    accuracy = _fit_score(
        values[in_train], labels[in_train].tolist(), values[~in_train], labels[~in_train].tolist(),
        0, model,
    )  # fmt: skip
    return {"accuracy": accuracy, "seconds": time.perf_counter() - started}


def run_one(name: str, seed: int, model: str, threads: int = 1) -> dict:
    """One default `rnnlab classify` fit and test score, timed."""
    import torch

    from rnnlab.data.ucr import read_labelled

    torch.set_num_threads(threads)
    started, cpu_started = time.perf_counter(), time.process_time()
    train = read_labelled(DATA / name / f"{name}_TRAIN.tsv")
    test = read_labelled(DATA / name / f"{name}_TEST.tsv")
    accuracy = _fit_score(train.values, train.labels, test.values, test.labels, seed, model)
    seconds = time.perf_counter() - started
    # CPU time of this process: near the wall time a quiet machine would give (one thread);
    # the wall time alone grows with whatever else the machine runs
    cpu_seconds = time.process_time() - cpu_started
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "accuracy": accuracy,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "threads": torch.get_num_threads(),
        "cores": cores,
    }


def _machine(results: dict) -> str:
    """What the runs had to work with, as they recorded it."""
    runs = [r for rs in results.values() for r in rs]
    if not all("threads" in r for r in runs):
        return "torch threads and cores not recorded by every (cached) run"
    threads = sorted({r["threads"] for r in runs})
    cores = sorted({r["cores"] for r in runs})
    return f"torch threads {threads}, CPU cores allowed {cores}"


def _mean_std(acc: np.ndarray) -> str:
    return f"{acc.mean():.4f} ± {acc.std(ddof=1) if len(acc) > 1 else 0.0:.4f}"


def resample_table(resampled: dict, model: str) -> str:
    lines = [
        "",
        f"## Other splits: {model} (seed 0) on stratified resamples of train + test",
        "",
        "Same train size and class counts as the default split; rnnlab's resamples are not "
        "aeon's, so the means compare, the splits do not pair.",
        "",
        "| dataset | resamples | rnnlab mean ± std | min–max | InceptionTime mean (30) "
        "| HC2 mean (30) | s per run |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, runs in resampled.items():
        acc = np.array([r["accuracy"] for r in runs])
        secs = np.array([r["seconds"] for r in runs])
        ref = resample_means(name)
        lines.append(
            f"| {name} | {len(acc)} | {_mean_std(acc)} "
            f"| {acc.min():.3f}–{acc.max():.3f} | {ref['InceptionTime']:.4f} | {ref['HC2']:.4f} "
            f"| {np.median(secs):.1f} |"
        )
    lines.append("")
    return "\n".join(lines)


def table(results: dict, seeds: list[int], model: str) -> str:
    lines = [
        f"# UCR classification: rnnlab classify --model {model} (defaults), seeds {seeds}",
        "",
        "Test accuracy on the default train/test split, mean ± std over seeds; the published "
        "accuracies are on the same split. Wall time: one default run (one seed), reading the "
        f"files included; {_machine(results)}. CPU time: that run's process, near its wall time "
        "on a quiet machine with one thread.",
        "",
        "| dataset | rnnlab (mean ± std) | min–max | 1-NN ED | 1-NN DTW (Rn) | 1-NN DTW (R1) "
        "| InceptionTime | > DTW | ≥ InceptionTime | s per run | CPU s per run |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in results.items():
        acc = np.array([r["accuracy"] for r in runs])
        secs = np.array([r["seconds"] for r in runs])
        cpu = np.array([r.get("cpu_seconds", np.nan) for r in runs])
        cpu_text = "–" if np.isnan(cpu).any() else f"{cpu.mean():.0f} (max {cpu.max():.0f})"
        ref = reference(name)
        dtw = max(ref["1-NN DTW (Rn)"], ref["1-NN DTW (R1)"])
        lines.append(
            f"| {name} | {_mean_std(acc)} "
            f"| {acc.min():.3f}–{acc.max():.3f} | {ref['1-NN ED']:.3f} "
            f"| {ref['1-NN DTW (Rn)']:.3f} "
            f"| {ref['1-NN DTW (R1)']:.3f} | {ref['InceptionTime']:.3f} "
            f"| {'yes' if acc.mean() > dtw else 'no'} "
            f"| {'yes' if acc.mean() >= ref['InceptionTime'] - 1e-9 else 'no'} "
            f"| {secs.mean():.0f} (max {secs.max():.0f}) | {cpu_text} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--model", default="rocket", help="a --model of rnnlab classify (rocket)")
    parser.add_argument(
        "--resamples", type=int, default=0, help="also R other stratified splits (default: 0)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run (1)")
    parser.add_argument("--cache", type=Path, default=None, help="keep per-run JSON here")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"no UCR data at {DATA}")

    def cached(key: str, compute, *compute_args) -> dict:
        """compute(*compute_args) once per key; with --cache, kept as KEY.json for later runs."""
        path = args.cache / f"{key}.json" if args.cache else None
        if path is not None and path.is_file():
            return json.loads(path.read_text())
        result = compute(*compute_args)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result))
        return result

    results, resampled, run_args = {}, {}, (args.model, args.threads)
    for name in args.datasets:
        results[name] = []
        for seed in args.seeds:
            result = cached(f"{name}-{args.model}-{seed}", run_one, name, seed, *run_args)
            print(f"{name} seed {seed}: {result['accuracy']:.4f} in {result['seconds']:.1f} s")
            results[name].append(result)
        resampled[name] = []
        for r in range(1, args.resamples + 1):
            result = cached(f"{name}-{args.model}-r{r}", run_resample, name, r, *run_args)
            print(f"{name} resample {r}: {result['accuracy']:.4f}")
            resampled[name].append(result)
    text = table(results, args.seeds, args.model)
    if args.resamples > 0:
        text += resample_table(resampled, args.model)
    if args.no_save:
        print(text)
    else:
        import sys

        sys.path.insert(0, str(Path(__file__).parent))
        from results_file import save_result

        save_result("ucr" if args.model == "rocket" else f"ucr-{args.model}", text)


if __name__ == "__main__":
    main()
