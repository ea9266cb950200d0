"""Latency of one series' forecast (batch 1): rnnlab's torch path beside its ONNX export.

Each model is trained with `rnnlab forecast --data elec_equip ... --save` for one epoch (the
weights do not change the cost of a forecast), exported with `rnnlab export --onnx`, and timed
on the series' last window, three ways:
  torch predict_windows  GlobalForecaster.predict_windows(x), the path `rnnlab predict` runs
                         (per member: slice, normalise, network, scale back; numpy's median)
  torch module           onnx_export.OnnxForecaster under torch.no_grad(): the graph's
                         arithmetic, run by torch
  onnxruntime            session.run on the exported graph
Median and 90th percentile of --calls calls after --warmup calls; torch with one thread
(torch.set_num_threads(1)), onnxruntime with one intra-op and one inter-op thread.

    taskset -c 1 .venv/bin/python benchmarks/onnx_latency.py [--configs mlp,lstm] [--calls 1000]

Prints the table and writes benchmarks/results/DATE-onnx-latency.md.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from results_file import save_result

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rnnlab.cli import main as rnnlab  # noqa: E402
from rnnlab.data.datasets import load_builtin  # noqa: E402
from rnnlab.forecast.onnx_export import OnnxForecaster, onnx_session  # noqa: E402
from rnnlab.forecast.onnx_files import load_global  # noqa: E402

TRAIN = ["forecast", "--data", "elec_equip", "--epochs", "1", "--baselines", "naive", "--quiet"]
CONFIGS = {  # name: the flags that make the model, beside TRAIN
    "mlp": [],  # the default: 12 MLP members, 3 x 256, windows of 18 to 36 months
    "lstm": ["--model", "lstm"],  # 12 LSTM members, 1 x 64
    "mlp x1": ["--ensemble", "1"],
    "lstm x1": ["--model", "lstm", "--ensemble", "1"],
}


def timings(call, calls: int, warmup: int) -> tuple[float, float]:
    """Median and 90th percentile of `calls` calls of `call()`, in milliseconds."""
    for _ in range(warmup):
        call()
    spent = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        call()
        spent[i] = time.perf_counter() - start
    return float(np.median(spent) * 1e3), float(np.percentile(spent, 90) * 1e3)


def measure(name: str, folder: Path, target: Path, window: np.ndarray, args) -> dict:
    """Export the model in `folder` to `target`, check it on `window`, time the three ways."""
    assert rnnlab(["export", "--model", str(folder), "--onnx", str(target), "--quiet"]) == 0
    fitted, _ = load_global(folder)
    module = OnnxForecaster(fitted).eval()
    session = onnx_session(target, threads=1)
    x = window[-module.window :][None, :].astype(np.float32)  # (1, L): the last window
    tx = torch.from_numpy(x)
    expected = fitted.predict_windows(tx)  # (1, H)
    got = session.run(None, {"x": x})[0]  # (1, H)

    def torch_module():
        with torch.no_grad():
            return module(tx)

    runs = {
        "predict_windows": lambda: fitted.predict_windows(tx),
        "module": torch_module,
        "onnxruntime": lambda: session.run(None, {"x": x}),
    }
    row = {
        "name": name,
        "members": len(module.input_sizes),
        "window": module.window,
        "horizon": module.horizon,
        "kb": target.stat().st_size / 1024,
        "diff": float(np.abs(got - expected).max() / np.abs(x).mean()),
    }
    for what, call in runs.items():
        row[what] = timings(call, args.calls, args.warmup)
        print(f"{name}: {what} median {row[what][0]:.3f} ms", flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="mlp,lstm", help=f"of: {', '.join(CONFIGS)}")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(1)
    window = load_builtin("elec_equip").values  # the whole series; each model reads its end
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.configs.split(","):
            folder, out = Path(tmp) / f"model-{len(rows)}", Path(tmp) / f"run-{len(rows)}"
            start = time.perf_counter()
            argv = [*TRAIN, *CONFIGS[name], "--out", str(out), "--save", str(folder)]
            assert rnnlab(argv) == 0
            print(f"{name}: trained in {time.perf_counter() - start:.0f} s", flush=True)
            rows.append(measure(name, folder, Path(tmp) / f"m{len(rows)}.onnx", window, args))
    import onnxruntime

    affinity = len(os.sched_getaffinity(0))
    lines = [
        f"# ONNX export: latency of one series' forecast (batch 1), {time.strftime('%Y-%m-%d')}",
        "",
        f"`taskset -c 1 .venv/bin/python benchmarks/onnx_latency.py --configs "
        f"{shlex.quote(args.configs)} --calls {args.calls}`; torch {torch.__version__} with 1 "
        f"thread, onnxruntime {onnxruntime.__version__} with 1 intra-op and 1 inter-op thread; "
        f"the process ran on {affinity} of the machine's {os.cpu_count()} cores, shared with "
        "other jobs.",
        "",
        f"Median (90th percentile) of {args.calls} calls after {args.warmup}, in milliseconds, "
        "on elec_equip's last window. Models: `rnnlab forecast --data elec_equip --epochs 1` "
        "with the flags below (one epoch: the weights do not change the cost); `diff`: the "
        "largest difference between the two forecasts, relative to the window's mean.",
        "",
        "| model | members | L | H | .onnx KB | torch predict_windows | torch module "
        "| onnxruntime | speed-up | diff |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [
            f"{r[k][0]:.3f} ({r[k][1]:.3f})" for k in ("predict_windows", "module", "onnxruntime")
        ]
        speedup = r["predict_windows"][0] / r["onnxruntime"][0]
        lines.append(
            f"| {r['name']} | {r['members']} | {r['window']} | {r['horizon']} | {r['kb']:.0f} | "
            f"{' | '.join(cells)} | {speedup:.1f}x | {r['diff']:.1e} |"
        )
    lines.append("")
    for name in args.configs.split(","):
        lines.append(f"`{name}`: `{' '.join(CONFIGS[name]) or '(the defaults)'}`  ")
    save_result("onnx-latency", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
