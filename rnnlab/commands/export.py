"""`rnnlab export`: a saved forecaster as an ONNX graph, to forecast with onnxruntime alone.

  rnnlab forecast --csv sales.csv --save models/sales
  rnnlab export --model models/sales --onnx sales.onnx      # writes sales.onnx and sales.json

The graph's input x (batch, L) float32 holds raw values, not normalised: the last L values of
each series, oldest first, one row per series (a shorter series left-padded with its first
value, as `rnnlab predict` does). Its output forecast (batch, H) float32 is the ensemble's
median forecast of the H steps after each row, in the data's units; the prediction intervals
of `rnnlab predict` are not in the graph. sales.json names both, L, H and the data's frequency,
and says how the graph was checked: before anything is written, onnxruntime runs it on 64 random
windows and its forecasts are compared with rnnlab's own.

Supported: global models without covariates (--strategy direct, recursive or seq2seq, any
--model). Refused: local models (--strategy local), models trained with --calendar or
--future-cols. Needs the packages onnx and onnxruntime: pip install -c constraints.txt -e '.[onnx]'.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from rnnlab.commands import common
from rnnlab.forecast import onnx_files


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a model saved by 'rnnlab forecast --save' as an ONNX graph",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", type=Path, required=True, help="folder written by --save")
    parser.add_argument(
        "--onnx",
        type=Path,
        required=True,
        metavar="FILE.onnx",
        help="the graph to write; its description goes beside it, in FILE.json",
    )
    parser.add_argument("--force", action="store_true", help="replace an earlier export")
    common.add_common_args(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.onnx)
    onnx_files.check_targets(path, path.with_suffix(".json"), args.force)
    import torch

    from rnnlab.forecast import onnx_export

    onnx_export.require_onnx()
    fitted, meta = onnx_files.load_global(args.model)
    torch.set_num_threads(1)

    def description(module, check) -> dict:
        described = onnx_files.describe(module, meta, check, args.onnx.name, str(args.model))
        return described | {
            "exported_by": "rnnlab " + shlex.join(args.argv),
            "versions": common.versions() | onnx_files.onnx_versions(),
        }

    module, check = onnx_files.write_export(fitted, path, description)
    if not args.quiet:
        print(
            f"exported {args.model} ({len(module.input_sizes)} {fitted.config.model} members, "
            f"{meta['strategy']}) to {path}: input {onnx_export.INPUT} (batch, {module.window}) "
            f"raw values, output {onnx_export.OUTPUT} (batch, {module.horizon}); checked on "
            f"{check['windows']} windows, largest difference {check['max_relative_diff']:.1e} of "
            f"the scale; described in {path.with_suffix('.json')}"
        )
    return 0
