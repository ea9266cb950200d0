"""Wall time of `rnnlab demo` end to end and of `rnnlab --help`, median of N runs.

Targets (issue 2): demo <= 6 s (aim 4 s), --help <= 0.3 s. Each run is a fresh process, as a
user would start it. Prints a table and writes benchmarks/results/DATE-demo.md.

    .venv/bin/python benchmarks/bench_demo.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_file import save_result

RNNLAB = [sys.executable, "-m", "rnnlab"]
TARGETS = {"demo": (6.0, 4.0), "help": (0.3, 0.3)}  # seconds: limit, aim


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"demo": [], "help": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            times["help"].append(wall([*RNNLAB, "--help"]))
            times["demo"].append(wall([*RNNLAB, "demo", "--quiet", "--out", f"{tmp}/run{i}"]))
        models = json.loads(Path(f"{tmp}/run0/metrics.json").read_text())["models"]

    lines = [
        f"# rnnlab demo benchmark, {time.strftime('%Y-%m-%d')}",
        "",
        f"Command: `python benchmarks/bench_demo.py --runs {args.runs}`; "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}.",
        "",
        "| what | median s | runs (s) | limit s | aim s | ok |",
        "|---|---|---|---|---|---|",
    ]
    ok = True
    for name, values in times.items():
        median = statistics.median(values)
        limit, aim = TARGETS[name]
        ok &= median <= limit
        runs = ", ".join(f"{v:.2f}" for v in values)
        lines.append(
            f"| `rnnlab {'demo' if name == 'demo' else '--help'}` | {median:.2f} | "
            f"{runs} | {limit} | {aim} | {'yes' if median <= limit else 'NO'} |"
        )
    lines += [
        "",
        "Test-span MASE of the default demo (elec_equip, seed 0):",
        "",
        "| model | MASE | beats seasonal naive |",
        "|---|---|---|",
    ]
    for row in sorted(models, key=lambda r: r["mase"]):
        lines.append(f"| {row['id']} | {row['mase']:.3f} | {row['beats_seasonal_naive']} |")
    text = "\n".join(lines) + "\n"
    save_result("demo", text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
