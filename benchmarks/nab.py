"""rnnlab's detectors on the Numenta Anomaly Benchmark, beside NAB's published scoreboard.

Each detector scores all 58 files of ../shared/data/nab/data causally (one `update` per row,
learning only from NAB's probationary prefix), then rnnlab.detect.nab scores them as NAB does:
one threshold per detector and profile, optimised over the whole corpus, normalised so that
never firing is 0 and detecting every window at its first row is 100.

    .venv/bin/python benchmarks/nab.py                       # all detectors, writes results/
    .venv/bin/python benchmarks/nab.py --detectors residual --categories realKnownCause
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import save_result  # noqa: E402

from rnnlab.detect import nab  # noqa: E402
from rnnlab.detect.detectors import make_detector, score_stream  # noqa: E402

NAB = Path(__file__).resolve().parents[2] / "shared" / "data" / "nab"
PROFILES = tuple(nab.PROFILES)

# name -> (method, options): the rows of rnnlab's part of the table
DETECTORS = {
    "gaussian": ("gaussian", {}),
    "naive": ("naive", {}),
    "residual": ("residual", {}),
    "gru": ("gru", {}),
}


def load_corpus(root: Path, categories: list[str] | None) -> dict[str, pd.DataFrame]:
    files = sorted((root / "data").glob("*/*.csv"))
    if categories:
        files = [f for f in files if f.parent.name in categories]
    corpus = {}
    for path in files:
        frame = pd.read_csv(path)
        frame["timestamp"] = pd.to_datetime(frame["timestamp"])
        corpus[f"{path.parent.name}/{path.name}"] = frame
    return corpus


def run_detector(method: str, options: dict, corpus: dict, seed: int) -> dict[str, pd.DataFrame]:
    out = {}
    for name, frame in corpus.items():
        detector = make_detector(method, nab.probation_length(len(frame)), seed=seed, **options)
        scores = score_stream(detector, frame["timestamp"], frame["value"].to_numpy(np.float64))
        out[name] = pd.DataFrame({"timestamp": frame["timestamp"], "anomaly_score": scores})
    return out


def category_scores(results, windows, costs, threshold) -> dict[str, dict]:
    """Per category at the corpus threshold: raw score, windows caught, false positives."""
    points = nab.prepare_corpus(results, windows)
    cats: dict[str, dict] = {}
    for name, p in points.items():
        s = nab.score_file(p, threshold, costs)
        fired = p.scores >= threshold
        caught = len(np.unique(p.window[fired & (p.window >= 0)]))
        c = cats.setdefault(name.split("/")[0], {"raw": 0.0, "caught": 0, "windows": 0, "fp": 0})
        c["raw"] += s.score
        c["caught"] += caught
        c["windows"] += p.scored_windows
        c["fp"] += s.fp
    return cats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nab", type=Path, default=NAB, help="NAB data folder")
    parser.add_argument("--detectors", nargs="*", default=list(DETECTORS), help="rows to run")
    parser.add_argument("--categories", nargs="*", default=None, help="subset (not comparable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--options", type=json.loads, default={}, help='extra detector options, JSON: {"lags": 8}'
    )
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    begin = time.perf_counter()
    corpus = load_corpus(args.nab, args.categories)
    windows = {k: v for k, v in nab.load_windows(args.nab / "labels/combined_windows.json").items()}
    windows = {k: windows[k] for k in corpus}
    profiles = nab.load_profiles(args.nab / "config/profiles.json")
    published = json.loads((args.nab / "results/final_results.json").read_text())
    n_rows = sum(len(f) for f in corpus.values())

    rows, details = [], []
    for label in args.detectors:
        method, options = DETECTORS[label]
        options = {**options, **args.options}
        start = time.perf_counter()
        results = run_detector(method, options, corpus, args.seed)
        seconds = time.perf_counter() - start
        scored = nab.score_detector(results, windows, profiles)
        rows.append((label, {p: scored[p].normalised for p in PROFILES}, seconds))
        std = scored["standard"]
        cats = category_scores(results, windows, profiles["standard"], std.threshold)
        details.append(f"\n{label}: standard threshold {std.threshold:.6f}, raw {std.raw:.2f}")
        for cat, c in sorted(cats.items()):
            details.append(
                f"  {cat:<22} raw {c['raw']:7.2f}  windows caught {c['caught']:3d} of "
                f"{c['windows']:3d}  false positives {c['fp']:4d}"
            )
        print(f"{label}: {rows[-1][1]} in {seconds:.1f}s", flush=True)

    lines = [
        f"# NAB v1 corpus: {len(corpus)} files, {n_rows:,} rows (one CPU thread)",
        "",
        f"Command: `{shlex.join(['.venv/bin/python', 'benchmarks/nab.py', *sys.argv[1:]])}`; "
        f"reading, all detectors and the scoring: {time.perf_counter() - begin:.0f} s wall",
        "",
        "| detector | standard | reward_low_FP | reward_low_FN | wall s |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, score, seconds in rows:
        cells = " | ".join(f"{score[p]:.1f}" for p in PROFILES)
        lines.append(f"| **rnnlab {label}** | {cells} | {seconds:.0f} |")
    for name, score in sorted(published.items(), key=lambda kv: -kv[1]["standard"]):
        cells = " | ".join(f"{score[p]:.1f}" for p in PROFILES)
        lines.append(f"| {name} (published) | {cells} | |")
    lines += ["", "Per category at the standard threshold:", "```", *details, "```", ""]
    text = "\n".join(lines)
    if args.no_save or args.categories:
        print(text)
    else:
        save_result("nab", text)


if __name__ == "__main__":
    main()
