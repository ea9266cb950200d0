"""The two files of an ONNX export: FILE.onnx, the graph (onnx_export.py), and FILE.json, what
it reads and returns and how it was checked.

Nothing is written before the graph has been run by onnxruntime on random windows and its
forecasts compared with rnnlab's own; then both files are renamed into place, so a failed
export leaves what was there before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rnnlab.errors import ParametersError, RnnlabError, literal

FORMAT = "rnnlab-onnx"  # the description file's "format": what `force` may replace


def check_targets(path: Path, described: Path, force: bool) -> None:
    """Fail before any work when FILE.onnx or FILE.json cannot be written or replaced."""
    if path.suffix != ".onnx":
        raise ParametersError(
            f"{{onnx}} names the file to write, ending in .onnx (got {literal(path)})", ("onnx",)
        )
    for target in (path, described):
        if not target.exists() and not target.is_symlink():
            continue
        if target.is_symlink() or not target.is_file():
            raise ParametersError(
                f"{literal(target)} exists and is not a file; choose another {{onnx}}", ("onnx",)
            )
        if not force:
            raise ParametersError(
                f"{literal(target)} already exists; choose another {{onnx}} or {{force}}",
                ("onnx", "force"),
            )
    if described.exists() and not is_description(described):
        raise ParametersError(
            f"{literal(described)} is not a description written by rnnlab export; {{force}} "
            "replaces only those: choose another {onnx}",
            ("force", "onnx"),
        )


def is_description(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False


def load_global(folder: Path):
    """The GlobalForecaster and metadata of a saved forecaster; local models and models with
    covariates are refused."""
    from rnnlab.forecast.onnx_export import SUPPORTED
    from rnnlab.forecast.saved import load_forecaster

    fitted, meta = load_forecaster(folder)
    if "global" not in meta:
        raise RnnlabError(
            f"{folder} holds a local model (one network per series, --strategy local); {SUPPORTED}"
        )
    if fitted.covariates_:
        names = ", ".join(fitted.covariate_names_)
        raise RnnlabError(f"{folder} was trained with the covariates {names}; {SUPPORTED}")
    return fitted, meta


def describe(module, meta: dict, check: dict, onnx_name: str, folder: str) -> dict:
    """What FILE.json holds: the graph's input and output, and the model it came from."""
    from rnnlab.forecast.onnx_export import INPUT, OPSET, OUTPUT, TOLERANCE

    config = module.fitted.config
    window, horizon = module.window, module.horizon
    return {
        "format": FORMAT,
        "onnx": onnx_name,
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
            "folder": folder,
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
    }


def onnx_versions() -> dict:
    from importlib.metadata import version

    return {p: version(p) for p in ("onnx", "onnxruntime")}


def write_export(fitted, path: Path, description) -> tuple:
    """Export `fitted` to `path`, check the graph, then write it and `description(module,
    check)` beside it as FILE.json; (the exported module, the check)."""
    from rnnlab.core.report import write_json
    from rnnlab.forecast import onnx_export

    described = path.with_suffix(".json")
    staged = [p.parent / f".{p.name}.tmp-{os.getpid()}" for p in (path, described)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        module = onnx_export.export_onnx(fitted, staged[0])
        session = onnx_export.onnx_session(staged[0])
        check = onnx_export.parity(fitted, session, onnx_export.check_windows(module.window))
        worst = check["max_relative_diff"]
        if not worst <= onnx_export.TOLERANCE:  # NaN too
            raise RnnlabError(
                f"the ONNX graph's forecasts differ from rnnlab's by {worst:.2g} of the scale "
                f"(tolerance {onnx_export.TOLERANCE:g}); nothing written: please report this "
                "with the model folder"
            )
        write_json(staged[1], description(module, check))
        os.replace(staged[0], path)
        os.replace(staged[1], described)
    except OSError as err:
        raise RnnlabError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
    return module, check
