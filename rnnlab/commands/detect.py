"""`rnnlab detect`: causal anomaly scores for every point of a stream, flagged points, a report.

Each point is scored once, in order, from the points up to it (rnnlab.detect). The detectors
learn only from the probationary prefix (NAB's rule: the first min(15%, 750) rows), which is
never flagged. With --labels (anomaly windows) the run also reports the file's NAB score.

Writes to --out: scores.csv (timestamp, value, score, is_anomaly), config.json, metrics.json,
detect.png (values, flagged points, label windows) and report.html.
"""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path

from rnnlab.commands import common
from rnnlab.errors import RnnlabError

METHODS = (
    "naive",
    "residual",
    "gru",
    "gaussian",
)  # keep in step with detectors.METHODS
MIN_POINTS = 50


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "detect",
        help="causal anomaly scores and flagged points for a stream (NAB-scored detectors)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--csv", type=Path, required=True, help="a CSV file: a time and a value")
    parser.add_argument("--time-col", default=None, help="timestamp column (default: found)")
    parser.add_argument(
        "--value-col", default=None, help="value column (default: the first numeric one)"
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="naive",
        help="naive: last-value forecast errors -> anomaly likelihood (best on NAB, default); "
        "residual: a small net's forecast errors -> likelihood; gru: the same with a GRU; "
        "gaussian: NAB's windowed Gaussian baseline",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="flag points scoring at least this (default: the method's NAB-optimised one)",
    )
    parser.add_argument(
        "--probation",
        type=int,
        default=None,
        help="rows to learn from, never flagged (default: NAB's min(15%%, 750))",
    )
    parser.add_argument(
        "--labels",
        type=Path,
        default=None,
        help="anomaly windows: JSON [[start, end], ...] (or NAB's {file: windows}) or a CSV "
        "with start,end columns; adds the file's NAB score",
    )
    parser.add_argument("--out", type=Path, default=None, help="run folder (default: runs/...)")
    parser.add_argument("--force", action="store_true", help="replace an earlier run in --out")
    parser.add_argument(
        "--save", type=Path, default=None, help="save the detector as it stands after the last "
        "row (predictor, error scale, likelihood history), to go on with the stream later",
    )  # fmt: skip
    parser.add_argument(
        "--model", type=Path, default=None, help="a detector saved with --save: --csv then holds "
        "the rows that follow, scored from the first one (no new probation)",
    )  # fmt: skip
    common.add_common_args(parser)
    parser.set_defaults(run=run)


# --- input ---------------------------------------------------------------------------------


def read_stream(path: Path, time_col: str | None, value_col: str | None):
    """(timestamps, values) from a CSV; every problem is one RnnlabError."""
    import csv

    import numpy as np
    import pandas as pd

    from rnnlab.data.panel import read_csv_text

    if not path.is_file():
        raise RnnlabError(f"{path}: no such file")
    try:
        frame = read_csv_text(path, sep=None, engine="python")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, csv.Error, UnicodeError, ValueError):
        raise RnnlabError(f"{path}: not a readable CSV file (or empty)") from None
    if frame.empty:
        raise RnnlabError(f"{path}: no data rows")
    names = [str(c) for c in frame.columns]
    frame.columns = names
    for given, flag in ((time_col, "--time-col"), (value_col, "--value-col")):
        if given is not None and given not in names:
            raise RnnlabError(f"{path}: no column {given!r} for {flag}; columns: {names}")
    if time_col is None:
        hinted = [c for c in names if any(w in c.lower() for w in ("time", "date"))]
        time_col = hinted[0] if hinted else names[0]
    stamps = pd.to_datetime(frame[time_col], errors="coerce", format="mixed")
    if stamps.isna().any():
        row = int(np.argmax(stamps.isna().to_numpy()))
        raise RnnlabError(
            f"{path}: line {row + 2}: {str(frame[time_col].iloc[row])!r} in column {time_col!r} "
            "is not a timestamp; name the time column with --time-col"
        )
    if value_col is None:
        numeric = [
            c for c in names if c != time_col and pd.api.types.is_numeric_dtype(frame[c].dtype)
        ]
        if not numeric:
            raise RnnlabError(f"{path}: no numeric column besides {time_col!r}; see --value-col")
        value_col = numeric[0]
    values = pd.to_numeric(frame[value_col], errors="coerce").to_numpy(np.float64)
    if not np.isfinite(values).all():
        row = int(np.argmax(~np.isfinite(values)))
        raise RnnlabError(
            f"{path}: line {row + 2}: value {str(frame[value_col].iloc[row])!r} in column "
            f"{value_col!r} is not a number; fill or drop such rows first"
        )
    if len(values) < MIN_POINTS:
        raise RnnlabError(f"{path}: {len(values)} rows; a detector needs at least {MIN_POINTS}")
    # Rows are scored in file order, as they would arrive; NAB's own files have a clock that
    # steps back (machine_temperature_system_failure), so that is a note, not an error.
    return stamps.reset_index(drop=True), values, time_col, value_col


def _load_detector(args: argparse.Namespace):
    """(detector, metadata) saved by --save; --method, --time-col, --value-col follow it."""
    from rnnlab.core import modelfile
    from rnnlab.detect.detectors import SAVED_BY, detector_from_state

    tensors, meta = modelfile.read(args.model, "detector", SAVED_BY)
    try:
        detector = detector_from_state(tensors, meta)
        args.method = meta["method"]
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise RnnlabError(
            f"{args.model}: {modelfile.META} does not describe a detector ({type(err).__name__}); "
            f"save it again with {SAVED_BY}"
        ) from None
    args.time_col = args.time_col or meta.get("time_col")
    args.value_col = args.value_col or meta.get("value_col")
    return detector, meta


def read_windows(path: Path, csv_path: Path) -> list:
    """Label windows [(start, end)] from JSON (a list, or NAB's {file: list}) or CSV."""
    import pandas as pd

    from rnnlab.data.panel import read_csv_text

    if not path.is_file():
        raise RnnlabError(f"{path}: no such labels file")
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(path.read_text(encoding="utf-8-sig"))
            if isinstance(raw, dict):  # NAB's combined_windows.json: pick this file's entry
                keys = [k for k in raw if Path(k).name == csv_path.name]
                if not keys:
                    raise RnnlabError(f"{path}: no windows for {csv_path.name}")
                raw = raw[keys[0]]
            pairs = [(a, b) for a, b in raw]
        else:
            frame = read_csv_text(path)
            pairs = list(zip(frame["start"], frame["end"], strict=True))
        windows = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in pairs]
    except RnnlabError:
        raise
    except (ValueError, TypeError, KeyError, json.JSONDecodeError):
        raise RnnlabError(
            f"{path}: labels must be [[start, end], ...] in JSON or a CSV with start,end columns"
        ) from None
    if any(pd.isna(bound) for pair in windows for bound in pair):
        raise RnnlabError(f"{path}: a window has an empty start or end; give both as timestamps")
    return windows


# --- the run -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd
    import torch

    from rnnlab.core import figures, report
    from rnnlab.core.modelfile import check_save_target
    from rnnlab.detect import nab, plots
    from rnnlab.detect.detectors import DEFAULT_THRESHOLDS, make_detector, score_stream

    check_save_target(args.save)
    saved = _load_detector(args) if args.model is not None else None
    stamps, values, time_col, value_col = read_stream(args.csv, args.time_col, args.value_col)
    n = len(values)
    probation = nab.probation_length(n) if args.probation is None else args.probation
    if saved is not None:
        probation = 0  # the saved detector has learned: every new row is scored
    elif not 0 < probation < n:
        raise RnnlabError(f"--probation must lie between 1 and {n - 1} rows (got {probation})")
    windows = read_windows(args.labels, args.csv) if args.labels is not None else None
    if windows is not None:
        nab.window_rows(stamps, windows, str(args.csv))  # bounds must be rows: fail before work
    threshold = DEFAULT_THRESHOLDS[args.method] if args.threshold is None else args.threshold

    torch.manual_seed(args.seed)
    if saved is None:
        detector = make_detector(args.method, probation, seed=args.seed)
    else:
        detector, before = saved
    scores = score_stream(detector, stamps, values)
    flagged = scores >= threshold
    flagged[:probation] = False  # nothing is flagged while the detector is still learning

    metrics = {
        "rows": n,
        "probation_rows": probation,
        "method": args.method,
        "threshold": threshold,
        "flagged": int(flagged.sum()),
        "first_flags": [str(t) for t in stamps[flagged][:20]],
        "timestamps_stepping_back": int((np.diff(stamps.to_numpy()) < np.timedelta64(0)).sum()),
    }
    if windows is not None:
        points = nab.prepare_file(stamps, np.where(flagged, 1.0, 0.0), windows, name=str(args.csv))
        nab_scores = {}
        for profile, costs in nab.PROFILES.items():
            fs = nab.score_file(points, 0.5, costs)
            null = nab.null_score({"file": points}, costs)
            perfect = nab.perfect_score({"file": points}, costs)
            nab_scores[profile] = {
                "raw": fs.score,
                "normalised": nab.normalise(fs.score, null, perfect) if perfect > null else None,
                "fp_rows": fs.fp,
            }
        metrics["label_windows"] = len(windows)
        metrics["nab"] = nab_scores

    out = args.out or common.default_out("detect")
    with common.run_directory(out, args.force) as tmp:
        pd.DataFrame(
            {"timestamp": stamps, "value": values, "score": scores, "is_anomaly": flagged}
        ).to_csv(tmp / "scores.csv", index=False, float_format="%.8g")
        config = {
            "task": "detect",
            "rerun": "rnnlab " + shlex.join(args.argv),
            "args": common.resolved_args(args),
            "time_col": time_col,
            "value_col": value_col,
            "versions": common.versions(),
        }
        report.write_json(tmp / "config.json", config)
        report.write_json(tmp / "metrics.json", metrics)
        bounds = [] if windows is None else [(a, b) for a, b in windows]
        fig = plots.plot_anomalies(stamps, values, scores, flagged, threshold, bounds, probation)
        figures.save_figure(fig, tmp / "detect.png")
        summary = (
            f"<p>{n} points, {probation} learned from (never flagged); "
            f"{int(flagged.sum())} flagged by <b>{args.method}</b> at score &ge; {threshold:g}.</p>"
        )
        if windows is not None:
            std = metrics["nab"]["standard"]
            summary += f"<p>NAB standard score of this file: raw {std['raw']:.3f}</p>"
        page = report.html_page(
            f"rnnlab detect: {args.csv.name}",
            [("Summary", summary)],
            [("Values, flagged points and label windows", tmp / "detect.png")],
            config,
        )
        (tmp / "report.html").write_text(page)
        if args.save is not None:
            from rnnlab.core import modelfile
            from rnnlab.detect.detectors import detector_state

            tensors, state = detector_state(detector)
            rows_before = 0 if saved is None else before["rows_seen"]
            modelfile.save(args.save, tensors, "detector", state | {
                "method": args.method, "time_col": time_col, "value_col": value_col,
                "rows_seen": rows_before + n, "last_timestamp": str(stamps.iloc[-1]),
                "trained_by": "rnnlab " + shlex.join(args.argv),
            })  # fmt: skip
    if not args.quiet:
        if metrics["timestamps_stepping_back"]:
            print(
                f"note: timestamps step back {metrics['timestamps_stepping_back']} time(s); "
                "rows were scored in file order"
            )
        print(f"{int(flagged.sum())} of {n} points flagged ({args.method}); run written to {out}")
    return 0
