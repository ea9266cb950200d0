"""Tiny Shakespeare, character level: `rnnlab textgen train` with its defaults for 10 minutes.

Protocol (char-rnn / nanoGPT): the first 90% of the 1,115,394 characters train, the last 10%
validate; the score is the cross-entropy of the held-out characters in nats per character
(bits = nats / ln 2). The run is the exact command a user types, in a subprocess; the held-out
10% is then scored again by `rnnlab textgen eval --json`, and the model writes samples from a
speaker's name. For scale (the issue): nanoGPT's CPU example (a small character-level
Transformer) reports about 1.88 after about 3 minutes.

    .venv/bin/python benchmarks/tinyshakespeare.py [--minutes 10] [--extra "--hidden 512"]

Prints the table and writes benchmarks/results/DATE-tinyshakespeare.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_file import save_result

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "tinyshakespeare" / "input.txt"
TARGET, AIM = 1.60, 1.55


def rnnlab(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "rnnlab", *args], capture_output=True, text=True, cwd=ROOT
    )
    if out.returncode != 0:
        raise SystemExit(f"rnnlab {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="training budget (10)")
    parser.add_argument("--extra", default="", help="more textgen train flags")
    args = parser.parse_args()
    flags = shlex.split(args.extra)
    threads = flags[flags.index("--threads") + 1] if "--threads" in flags else "all"
    if not DATA.is_file():
        raise SystemExit(f"{DATA} is missing: this benchmark reads ../shared/data")
    text = DATA.read_text(encoding="utf-8")
    held_out = text[int(len(text) * 0.9) :]  # what textgen train holds out (--val-fraction 0.1)
    work = Path(tempfile.mkdtemp(prefix="tinyshakespeare-"))
    (work / "val.txt").write_text(held_out, encoding="utf-8")
    model = work / "model"
    train = [
        *("textgen", "train", str(DATA), "--out", str(model), "--quiet"),
        *("--minutes", f"{args.minutes:g}", *flags),
    ]
    start = time.perf_counter()
    rnnlab(*train)
    wall = time.perf_counter() - start
    load = os.getloadavg()[0]
    metrics = json.loads((model / "metrics.json").read_text())
    config = json.loads((model / "config.json").read_text())
    scored = json.loads(
        rnnlab("textgen", "eval", "--model", str(model), "--text", str(work / "val.txt"), "--json")
    )
    samples = [
        rnnlab(
            "textgen",
            "sample",
            "--model",
            str(model),
            "--prompt",
            prompt,
            "--length",
            "400",
            "--temperature",
            "0.8",
            "--seed",
            str(seed),
        )  # fmt: skip
        for seed, prompt in enumerate(("ROMEO:\n", "\n"))
    ]
    nats = metrics["val_nats_per_char"]
    m = config["model"]
    lines = [
        f"# Tiny Shakespeare, character-level {m['cell'].upper()}, {time.strftime('%Y-%m-%d')}",
        "",
        f"Command: `python benchmarks/tinyshakespeare.py --minutes {args.minutes:g}"
        + (f' --extra "{args.extra}"' if args.extra else "")
        + "`, which runs `rnnlab "
        + shlex.join(train).replace(str(model), "OUT").replace(str(DATA), "input.txt")
        + "`",
        "",
        f"Machine: {os.cpu_count()} CPU cores, torch threads {threads}; load average at the end "
        f"{load:.2f}. Model: {m['cell']} {m['layers']} x {m['hidden']}, embedding "
        f"{m['embedding']}, dropout {m['dropout']}; batch {config['train']['batch']} streams x "
        f"bptt {config['train']['bptt']} characters, lr {config['train']['lr']} (cosine over the "
        f"budget); {metrics['steps']} steps in {metrics['seconds']:.0f} s of training "
        f"({wall:.0f} s for the whole command).",
        "",
        "| minutes | step | train nats/char | validation nats/char |",
        "|---|---|---|---|",
        *(
            f"| {r['seconds'] / 60:.1f} | {r['step']} | {r['train_nats']:.3f} "
            f"| {r['val_nats']:.3f} |"
            for r in metrics["curve"]
        ),
        "",
        f"- Best validation: **{nats:.3f} nats/char** ({metrics['val_bits_per_char']:.3f} "
        f"bits/char), at step {metrics['best_step']}; `textgen eval` on the same held-out "
        f"{len(held_out):,} characters: {scored['nats_per_char']:.4f} nats, "
        f"{scored['bits_per_char']:.4f} bits.",
        f"- Target <= {TARGET}: {'**holds**' if nats <= TARGET else '**fails**'}; "
        f"aim <= {AIM}: {'reached' if nats <= AIM else 'not reached'}. Uniform guessing over "
        f"{metrics['vocabulary']} characters: {math.log(metrics['vocabulary']):.2f} nats. For "
        "scale: nanoGPT's CPU example reports about 1.88 after about 3 minutes.",
        "",
        "Samples (temperature 0.8), from `ROMEO:` (seed 0) and from a blank line (seed 1):",
        "",
        *(f"```\n{s.rstrip()}\n```\n" for s in samples),
    ]
    save_result("tinyshakespeare", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
