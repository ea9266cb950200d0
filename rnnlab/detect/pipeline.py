"""What `rnnlab detect` runs: read a stream, score every row with an AnomalyDetector (a fresh
one that learns from the probationary prefix, or a saved one that goes on), add the file's NAB
score when label windows are given, and write the run folder.

The command parses its flags, calls these functions, and prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.data.stream import Stream, read_stream
from rnnlab.detect.estimator import AnomalyDetector
from rnnlab.detect.labels import nab_file_scores, read_windows


@dataclass
class Detection:
    """One scored stream: every row's score and flag, what was learned from, the metrics."""

    stream: Stream
    scores: pd.DataFrame  # timestamp, value, score, flagged
    detector: AnomalyDetector
    probation: int  # rows learned from in this run (0: a saved detector that goes on)
    windows: list | None
    metrics: dict


def open_detector(model: Path | None, **params) -> tuple[AnomalyDetector, bool]:
    """(detector, fresh): a new AnomalyDetector(**params), or the one saved in `model` (which
    keeps its method; `threshold` still applies)."""
    if model is None:
        return AnomalyDetector(**params), True
    detector = AnomalyDetector.load(model)
    detector.set_params(threshold=params.get("threshold"))
    return detector, False


def detect_csv(
    path: Path,
    detector: AnomalyDetector,
    *,
    fresh: bool = True,
    time_col: str | None = None,
    value_col: str | None = None,
    labels: Path | None = None,
) -> Detection:
    """Score every row of the CSV stream at `path` (see the module docstring)."""
    stream = read_stream(path, time_col, value_col)
    n = len(stream.values)
    probation = detector.probation_rows(n) if fresh else 0
    windows = read_windows(labels, path) if labels is not None else None
    if windows is not None:
        from rnnlab.detect.nab import window_rows

        window_rows(stream.timestamps, windows, str(path))  # bounds must be rows: fail before work
    scores = detector.fit_score(stream) if fresh else detector.score(stream)
    flagged = scores["flagged"].to_numpy()
    stamps = stream.timestamps
    metrics = {
        "rows": n,
        "probation_rows": probation,
        "method": detector.method,
        "threshold": detector.threshold_,
        "flagged": int(flagged.sum()),
        "first_flags": [str(t) for t in stamps[flagged][:20]],
        "timestamps_stepping_back": int((np.diff(stamps.to_numpy()) < np.timedelta64(0)).sum()),
    }
    if windows is not None:
        metrics["label_windows"] = len(windows)
        metrics["nab"] = nab_file_scores(stamps, flagged, windows, str(path))
    return Detection(stream, scores, detector, probation, windows, metrics)


def write_run(folder: Path, detection: Detection, config: dict, title: str) -> None:
    """scores.csv (timestamp, value, score, is_anomaly), config.json, metrics.json, detect.png
    and report.html into `folder`, which exists."""
    from rnnlab.core import figures, report
    from rnnlab.detect import plots

    frame = detection.scores.rename(columns={"flagged": "is_anomaly"})
    frame.to_csv(folder / "scores.csv", index=False, float_format="%.8g")
    report.write_json(folder / "config.json", config)
    report.write_json(folder / "metrics.json", detection.metrics)
    m, stamps = detection.metrics, detection.stream.timestamps
    bounds = [] if detection.windows is None else [(a, b) for a, b in detection.windows]
    fig = plots.plot_anomalies(
        stamps, detection.stream.values, frame["score"].to_numpy(), frame["is_anomaly"].to_numpy(),
        m["threshold"], bounds, detection.probation,
    )  # fmt: skip
    figures.save_figure(fig, folder / "detect.png")
    summary = (
        f"<p>{m['rows']} points, {detection.probation} learned from (never flagged); "
        f"{m['flagged']} flagged by <b>{m['method']}</b> at score &ge; {m['threshold']:g}.</p>"
    )
    if detection.windows is not None:
        summary += f"<p>NAB standard score of this file: raw {m['nab']['standard']['raw']:.3f}</p>"
    page = report.html_page(
        title,
        [("Summary", summary)],
        [("Values, flagged points and label windows", folder / "detect.png")],
        config,
    )
    (folder / "report.html").write_text(page)
