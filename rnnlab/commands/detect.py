"""`rnnlab detect`: causal anomaly scores for every point of a stream, flagged points, a report.

Each point is scored once, in order, from the points up to it (rnnlab.detect). The detectors
learn only from the probationary prefix (NAB's rule: the first min(15%, 750) rows), which is
never flagged. With --labels (anomaly windows) the run also reports the file's NAB score.

Writes to --out: scores.csv (timestamp, value, score, is_anomaly), config.json, metrics.json,
detect.png (values, flagged points, label windows) and report.html.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from rnnlab.commands import common
from rnnlab.detect.names import METHODS


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


# --- the run -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from rnnlab.core.modelfile import check_save_target
    from rnnlab.detect import pipeline

    check_save_target(args.save)
    detector, fresh = pipeline.open_detector(
        args.model, method=args.method, probation=args.probation, threshold=args.threshold,
        seed=args.seed,
    )  # fmt: skip
    if not fresh:  # a saved detector keeps its method and, unless given, its columns
        args.method = detector.method
        args.time_col = args.time_col or detector.time_col_
        args.value_col = args.value_col or detector.value_col_
    detection = pipeline.detect_csv(
        args.csv, detector, fresh=fresh, time_col=args.time_col, value_col=args.value_col,
        labels=args.labels,
    )  # fmt: skip
    out = args.out or common.default_out("detect")
    with common.run_directory(out, args.force) as tmp:
        config = {
            "task": "detect",
            "rerun": "rnnlab " + shlex.join(args.argv),
            "args": common.resolved_args(args),
            "time_col": detection.stream.time_col,
            "value_col": detection.stream.value_col,
            "versions": common.versions(),
        }
        pipeline.write_run(tmp, detection, config, f"rnnlab detect: {args.csv.name}")
        if args.save is not None:
            trained_by = "rnnlab " + shlex.join(args.argv)
            detector.save(args.save, extra={"trained_by": trained_by})
    if not args.quiet:
        _print_summary(detection.metrics, out)
    return 0


def _print_summary(metrics: dict, out: Path) -> None:
    if metrics["timestamps_stepping_back"]:
        print(
            f"note: timestamps step back {metrics['timestamps_stepping_back']} time(s); "
            "rows were scored in file order"
        )
    flagged, n, method = metrics["flagged"], metrics["rows"], metrics["method"]
    print(f"{flagged} of {n} points flagged ({method}); run written to {out}")
