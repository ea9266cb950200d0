"""ONNX export of a global forecaster: `GlobalForecaster.predict_windows` as one graph.

The graph reads raw windows x (B, L), L the longest member's window, and returns the members'
median forecast (B, H) in the data's units. Each member reads the last values it needs,
normalises its window by the window's own statistics (data/normalize.py), runs its network
(the recursive strategy and the seq2seq decoder unrolled over the H steps) and scales back; the
median over members is taken as numpy takes it, so the graph and `predict_windows` agree.

Exported with torch's TorchScript-based exporter (`dynamo=False`): it traces the module once,
unrolling the Python loops, keeps nn.LSTM, nn.GRU and nn.RNN as ONNX's own recurrent operators,
and needs no onnxscript (the default torch.export-based exporter does). The batch axis is
dynamic; L and H are fixed in the graph. Not exported: local models (one network and scaler per
series, float64 arithmetic in numpy) and models trained with covariates.
References: https://onnx.ai/onnx/operators/ ; https://docs.pytorch.org/docs/stable/onnx.html
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnlab.data.normalize import denormalize, normalize, window_stats
from rnnlab.errors import RnnlabError
from rnnlab.forecast.global_model import GlobalForecaster

OPSET = 17  # onnxruntime 1.12 and later run it
INPUT, OUTPUT = "x", "forecast"
INSTALL = "pip install -c constraints.txt -e '.[onnx]'"
TOLERANCE = 1e-4  # largest difference from predict_windows, relative to the window's scale
SUPPORTED = (
    "rnnlab export supports global models without covariates (--strategy direct, recursive "
    "or seq2seq, any --model, no --calendar or --future-cols)"
)


def require_onnx() -> None:
    """Fail in one line, saying how to install them, when onnx or onnxruntime is missing."""
    missing = []
    for name in ("onnx", "onnxruntime"):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise RnnlabError(
            f"ONNX export needs the packages onnx and onnxruntime ({', '.join(missing)} not "
            f"installed); install them with: {INSTALL}"
        )


def median_of_members(forecasts: torch.Tensor) -> torch.Tensor:
    """The median over axis 0 of (M, B, H), as np.median takes it: for an even M the mean of
    the two middle values (torch.median would take the lower one). Sort exports as TopK."""
    members = forecasts.shape[0]
    ordered = torch.sort(forecasts, dim=0).values  # (M, B, H)
    return (ordered[(members - 1) // 2] + ordered[members // 2]) / 2  # (B, H)


class OnnxForecaster(nn.Module):
    """A fitted GlobalForecaster (no covariates) as a module: raw windows (B, L) -> (B, H)."""

    def __init__(self, fitted: GlobalForecaster):
        super().__init__()
        if fitted.covariates_:
            names = ", ".join(fitted.covariate_names_)
            raise RnnlabError(f"this model was trained with the covariates {names}; {SUPPORTED}")
        self.fitted = fitted  # its _forecast: the step predict_windows runs, not a copy of it
        self.members = nn.ModuleList(fitted.members_)
        self.input_sizes = list(fitted.input_sizes_)
        self.window = max(self.input_sizes)  # L
        self.horizon = fitted.config.horizon  # H

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = []
        for model, input_size in zip(self.members, self.input_sizes, strict=True):
            chunk = x[:, -input_size:]  # (B, L_k): this member reads the last L_k values
            shift, scale = window_stats(chunk, self.fitted.config.normalize)  # (B, 1) each
            z = self.fitted._forecast(model, normalize(chunk, shift, scale), None)  # (B, H)
            outs.append(denormalize(z, shift, scale))  # (B, H)
        if len(outs) == 1:
            return outs[0]
        return median_of_members(torch.stack(outs))  # (M, B, H) -> (B, H)


def export_onnx(fitted: GlobalForecaster, path: Path) -> OnnxForecaster:
    """Write the ONNX graph of `fitted` to `path` and check it is valid ONNX (the caller makes
    the write atomic and compares its forecasts with predict_windows': `parity`)."""
    import onnx

    module = OnnxForecaster(fitted).eval()
    example = 1.0 + torch.rand(3, module.window)  # (3, L): tracing reads shapes, not values
    with torch.no_grad(), warnings.catch_warnings():
        # the TorchScript exporter's deprecation notice and its tracer warnings (a batch size
        # other than 1 with LSTM...): the graph is checked against predict_windows instead
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                module,
                (example,),
                str(path),
                dynamo=False,
                input_names=[INPUT],
                output_names=[OUTPUT],
                dynamic_axes={INPUT: {0: "batch"}, OUTPUT: {0: "batch"}},
                opset_version=OPSET,
            )
            onnx.checker.check_model(str(path))
        except (torch.onnx.errors.OnnxExporterError, onnx.checker.ValidationError) as err:
            first = str(err).strip().splitlines()[0][:160] if str(err).strip() else ""
            raise RnnlabError(
                f"torch could not export this {fitted.config.model} model to ONNX "
                f"({type(err).__name__}: {first}); {SUPPORTED}"
            ) from err
    return module


def onnx_session(path: Path, threads: int = 1):
    """An onnxruntime session on the CPU with `threads` intra-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def check_windows(window: int, count: int = 64, seed: int = 0) -> np.ndarray:
    """Random walks (count, window) float32 at levels from 0.01 to 10,000, for parity checks."""
    rng = np.random.default_rng(seed)
    level = 10.0 ** rng.uniform(-2, 4, (count, 1))  # (count, 1)
    walk = 1.0 + 0.05 * np.cumsum(rng.standard_normal((count, window)), axis=1)  # (count, L)
    return (level * walk).astype(np.float32)


def parity(fitted: GlobalForecaster, session, x: np.ndarray) -> dict:
    """How far the ONNX graph's forecasts lie from `predict_windows`' on windows x (B, L):
    the largest absolute difference, and the largest relative to its row's scale, the mean
    magnitude of the window or of the forecast, whichever is larger (float32 arithmetic
    errs in proportion to the numbers it handles; with --normalize none they can differ)."""
    expected = fitted.predict_windows(torch.from_numpy(x))  # (B, H) float64
    got = session.run([OUTPUT], {INPUT: x})[0].astype(np.float64)  # (B, H)
    diff = np.abs(got - expected)  # (B, H); NaN where either is not finite
    scale = np.maximum(np.abs(x).mean(axis=1), np.abs(expected).mean(axis=1))[:, None]  # (B, 1)
    scale = np.maximum(scale, 1e-6)
    return {
        "windows": len(x),
        "max_abs_diff": float(np.max(diff)),
        "max_relative_diff": float(np.max(diff / scale)),
    }
