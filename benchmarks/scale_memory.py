"""Memory at scale: one epoch of the global MLP on 10,000 series x 2,000 points.

Target (issue 3): peak RSS < 2 GB. Windows are sampled from the flat values by index, so memory
grows with the points (4 bytes each, plus an 8-byte window start), not points x window length.

    .venv/bin/python benchmarks/scale_memory.py [--series 10000] [--length 2000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rnnlab.data.panel import panel_from_arrays  # noqa: E402
from rnnlab.forecast.global_model import GlobalForecaster  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--length", type=int, default=2_000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    base = peak_rss_mb()
    rng = np.random.default_rng(0)
    t = np.arange(args.length)
    season = np.sin(2 * np.pi * t / 24).astype(np.float32)
    arrays = [
        (10 + rng.random()) * (1 + 0.3 * season)
        + rng.normal(0, 0.1, args.length).astype(np.float32)
        for _ in range(args.series)
    ]
    panel = panel_from_arrays(np.arange(args.series).astype(str), arrays, season=24)
    del arrays
    points = int(panel.lengths.sum())
    start = time.perf_counter()
    model = GlobalForecaster(horizon=48, ensemble=1, train={"epochs": 1}).fit(panel, workers=1)
    seconds = time.perf_counter() - start
    forecast = model.predict(panel)
    peak = peak_rss_mb()
    print(
        f"{args.series} series x {args.length} points = {points:,} points; "
        f"windows {points:,}-ish, window length {48 + 48}"
    )
    print(f"one epoch (100 steps of 1024 windows): {seconds:.1f} s; forecast {forecast.shape}")
    print(
        f"peak RSS {peak:.0f} MB (python + torch before data: {base:.0f} MB); "
        f"target < 2048 MB: {'yes' if peak < 2048 else 'NO'}"
    )
    return 0 if peak < 2048 else 1


if __name__ == "__main__":
    sys.exit(main())
