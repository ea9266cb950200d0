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
import json
import os
import shlex
from pathlib import Path

from rnnlab.commands import common

FORMAT = "rnnlab-onnx"  # the description file's "format": what --force may replace


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


def check_targets(path: Path, described: Path, force: bool) -> None:
    """Fail before any work when FILE.onnx or FILE.json cannot be written or replaced."""
    if path.suffix != ".onnx":
        raise common.RnnlabError(f"--onnx names the file to write, ending in .onnx (got {path})")
    for target in (path, described):
        if not target.exists() and not target.is_symlink():
            continue
        if target.is_symlink() or not target.is_file():
            raise common.RnnlabError(f"{target} exists and is not a file; choose another --onnx")
        if not force:
            raise common.RnnlabError(f"{target} already exists; choose another --onnx or --force")
    if described.exists() and not _is_description(described):
        raise common.RnnlabError(
            f"{described} is not a description written by rnnlab export; --force replaces only "
            "those: choose another --onnx"
        )


def _is_description(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False


def load_global(folder: Path):
    """The GlobalForecaster and metadata of a saved forecaster; local models and models with
    covariates are refused."""
    from rnnlab.commands.predict import load_forecaster
    from rnnlab.forecast.onnx_export import SUPPORTED

    fitted, meta = load_forecaster(folder)
    if "global" not in meta:
        raise common.RnnlabError(
            f"{folder} holds a local model (one network per series, --strategy local); {SUPPORTED}"
        )
    if fitted.covariates_:
        names = ", ".join(fitted.covariate_names_)
        raise common.RnnlabError(f"{folder} was trained with the covariates {names}; {SUPPORTED}")
    return fitted, meta


def describe(args: argparse.Namespace, module, meta: dict, check: dict) -> dict:
    """What FILE.json holds: the graph's input and output, and the model it came from."""
    from importlib.metadata import version

    from rnnlab.forecast.onnx_export import INPUT, OPSET, OUTPUT, TOLERANCE

    config = module.fitted.config
    window, horizon = module.window, module.horizon
    return {
        "format": FORMAT,
        "onnx": args.onnx.name,
        "input": {"name": INPUT, "shape": ["batch", window], "dtype": "float32"},
        "output": {"name": OUTPUT, "shape": ["batch", horizon], "dtype": "float32"},
        "input_is": f"raw values, not normalised: the last {window} values of each series, "
        "oldest first, one row per series; a shorter series left-padded with its first value",
        "output_is": f"the median of the ensemble members' forecasts of the {horizon} steps "
        "after each row's last value, in the input's units (no prediction intervals)",
        "window": window,
        "horizon": horizon,
        "freq": meta["schema"].get("freq"),
        "season": meta["schema"].get("season"),
        "model": {
            "folder": str(args.model),
            "strategy": meta["strategy"],
            "network": config.model,
            "cell": config.cell if config.model == "seq2seq" else None,
            "normalize": config.normalize,
            "members": len(module.input_sizes),
            "input_sizes": module.input_sizes,
            "trained_by": meta.get("trained_by"),
        },
        "check": check | {"tolerance": TOLERANCE},
        "opset": OPSET,
        "exported_by": "rnnlab " + shlex.join(args.argv),
        "versions": common.versions() | {p: version(p) for p in ("onnx", "onnxruntime")},
    }


def run(args: argparse.Namespace) -> int:
    path = Path(args.onnx)
    described = path.with_suffix(".json")
    check_targets(path, described, args.force)
    import torch

    from rnnlab.core.report import write_json
    from rnnlab.forecast import onnx_export

    onnx_export.require_onnx()
    fitted, meta = load_global(args.model)
    torch.set_num_threads(1)
    staged = [p.parent / f".{p.name}.tmp-{os.getpid()}" for p in (path, described)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        module = onnx_export.export_onnx(fitted, staged[0])
        session = onnx_export.onnx_session(staged[0])
        check = onnx_export.parity(fitted, session, onnx_export.check_windows(module.window))
        worst = check["max_relative_diff"]
        if not worst <= onnx_export.TOLERANCE:  # NaN too
            raise common.RnnlabError(
                f"the ONNX graph's forecasts differ from rnnlab's by {worst:.2g} of the scale "
                f"(tolerance {onnx_export.TOLERANCE:g}); nothing written: please report this "
                "with the model folder"
            )
        write_json(staged[1], describe(args, module, meta, check))
        os.replace(staged[0], path)
        os.replace(staged[1], described)
    except OSError as err:
        raise common.RnnlabError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
    if not args.quiet:
        print(
            f"exported {args.model} ({len(module.input_sizes)} {fitted.config.model} members, "
            f"{meta['strategy']}) to {path}: input {onnx_export.INPUT} (batch, {module.window}) "
            f"raw values, output {onnx_export.OUTPUT} (batch, {module.horizon}); checked on "
            f"{check['windows']} windows, largest difference {check['max_relative_diff']:.1e} of "
            f"the scale; described in {described}"
        )
    return 0
