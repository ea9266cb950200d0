"""Label windows for one stream, and that stream's NAB scores under each profile.

Windows come from JSON (a list of [start, end], or NAB's combined_windows.json {file: list}) or a
CSV with start and end columns; their bounds must be timestamps of the stream (NAB's rule,
checked by rnnlab.detect.nab.window_rows).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.detect import nab
from rnnlab.errors import RnnlabError


def read_windows(path: Path, csv_path: Path) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Label windows [(start, end)] from JSON (a list, or NAB's {file: list}) or CSV; from NAB's
    dict, the entry whose file name is `csv_path`'s."""
    from rnnlab.data.panel import read_csv_text

    path, csv_path = Path(path), Path(csv_path)
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


def nab_file_scores(timestamps, flagged: np.ndarray, windows, name: str) -> dict:
    """{profile: {raw, normalised, fp_rows}} of one file whose flagged rows are its detections
    (NAB's threshold 0.5 on 0/1 scores); normalised is None where perfect equals null."""
    points = nab.prepare_file(timestamps, np.where(flagged, 1.0, 0.0), windows, name=name)
    scores = {}
    for profile, costs in nab.PROFILES.items():
        fs = nab.score_file(points, 0.5, costs)
        null = nab.null_score({"file": points}, costs)
        perfect = nab.perfect_score({"file": points}, costs)
        scores[profile] = {
            "raw": fs.score,
            "normalised": nab.normalise(fs.score, null, perfect) if perfect > null else None,
            "fp_rows": fs.fp,
        }
    return scores
