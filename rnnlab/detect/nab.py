"""The Numenta Anomaly Benchmark (NAB) scorer: per-file raw scores, the threshold sweep, and
normalised scores, reproducing the published NAB numbers.

Rules (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection Algorithms - the Numenta
Anomaly Benchmark", arXiv:1510.03336, section "Scoring"), as coded in numenta/NAB v1.x:
`nab/sweeper.py` (`scaledSigmoid`, `Sweeper.calcSweepScore`, `calcScoreByThreshold`,
`scoreDataSet`), `nab/optimizer.py` (`optimizeThreshold`), `nab/scorer.py` (`scoreCorpus`),
`nab/runner.py` (`Runner.normalize`) and `nab/util.py` (`getProbationPeriod`).

- Each row with anomaly score >= threshold is a detection; rows of the probationary period
  (the first min(floor(0.15 n), 750) rows of a file) are never scored.
- In a window of `width` rows ending at row `e`, the earliest detection `i` earns
  A_TP * S(-(e - i + 1) / width) / S(-1): exactly A_TP at the window's first row; later
  detections in the same window earn nothing. A window without detection costs -A_FN.
- A detection outside every window costs A_FP * S((i - e) / (width - 1)), measured from the end
  `e` of the preceding window; with no preceding window it costs the full -A_FP.
- S(x) = 2 / (1 + exp(5x)) - 1 (-1 for x > 3) is NAB's scaled sigmoid.
- The threshold is optimised per detector and profile over the whole corpus (the sweeper), and
  normalised = 100 (raw - null) / (perfect - null), null = never fires, perfect = every window
  detected at its first row.

The expensive part, per-row weights, is computed once per file (`prepare_file`); scoring a
threshold or sweeping all of them is then a few numpy passes over the corpus (365,558 rows).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from rnnlab.errors import RnnlabError

PROBATION_PERCENT = 0.15  # NAB's default: nab/runner.py, Runner(probationaryPercent=0.15)


@dataclass(frozen=True)
class CostMatrix:
    """One NAB profile's weights (config/profiles.json: tpWeight, fpWeight, fnWeight)."""

    tp: float = 1.0
    fp: float = 0.11
    fn: float = 1.0


# NAB's three profiles (config/profiles.json), for scoring without the NAB folder at hand
PROFILES = {
    "standard": CostMatrix(1.0, 0.11, 1.0),
    "reward_low_FP_rate": CostMatrix(1.0, 0.22, 1.0),
    "reward_low_FN_rate": CostMatrix(1.0, 0.11, 2.0),
}


class FilePoints(NamedTuple):
    """One file's scorable rows (probation removed) with their threshold-free weights."""

    scores: np.ndarray  # (n,) anomaly scores, float64
    window: np.ndarray  # (n,) index of the window holding the row, -1 outside every window
    unit: np.ndarray  # (n,) in a window: S(pos)/S(-1) in (0, 1]; outside: S(dist) in [-1, 0)
    n_windows: int  # windows of the file, scorable or not
    scored_windows: int  # windows with at least one scorable row (the only ones NAB scores)


class FileScore(NamedTuple):
    """A file's raw NAB score at one threshold, with NAB's row counts (scorable rows only)."""

    score: float
    tp: int
    tn: int
    fp: int
    fn: int


class ProfileResult(NamedTuple):
    threshold: float
    raw: float
    null: float
    perfect: float
    normalised: float


# --- the rules, one pure function each ----------------------------------------------------------


def scaled_sigmoid(x) -> np.ndarray:
    """NAB's S(x) = 2 / (1 + e^(5x)) - 1, and -1 beyond x > 3 (sweeper.py, `scaledSigmoid`).

    S(-1) = 0.98661 (window start), S(0) = 0 (window end), S(1) = -0.98661.
    """
    x = np.asarray(x, np.float64)
    with np.errstate(over="ignore"):  # exp overflows to inf for huge x: 2/inf - 1 = -1, right
        return np.where(x > 3.0, -1.0, 2.0 / (1.0 + np.exp(5.0 * x)) - 1.0)


def probation_length(n_rows: int, probation_percent: float = PROBATION_PERCENT) -> int:
    """Rows at the start of a file that are never scored (util.py, `getProbationPeriod`):
    min(floor(p * n), p * 5000), i.e. 15% of the file but at most 750 rows."""
    return int(min(math.floor(probation_percent * n_rows), probation_percent * 5000))


def window_rows(timestamps, windows, name: str = "file") -> np.ndarray:
    """Row indices (k, 2) of each window's first and last row.

    NAB enters a window at the row whose timestamp equals its start and takes the first row
    equal to its end (sweeper.py, `timestamps.index(...)`), so both bounds must be timestamps
    of the file; windows are then row ranges, which also holds where timestamps repeat.
    """
    ts = pd.to_datetime(pd.Series(timestamps)).to_numpy()
    rows = np.empty((len(windows), 2), np.int64)
    for k, bounds in enumerate(windows):
        for j, bound in enumerate(bounds):
            hits = np.flatnonzero(ts == np.datetime64(pd.Timestamp(bound)))
            if len(hits) == 0:
                raise RnnlabError(
                    f"NAB window bound {bound} is not a timestamp of {name}; "
                    "window bounds must be rows of the file (as in NAB's labels)"
                )
            rows[k, j] = hits[0]
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    if len(rows) and (np.any(rows[:, 1] < rows[:, 0]) or np.any(rows[1:, 0] <= rows[:-1, 1])):
        raise RnnlabError(f"NAB windows of {name} end before they start or overlap; fix the labels")
    return rows


def prepare_file(
    timestamps, scores, windows, probation_percent: float = PROBATION_PERCENT, name: str = "file"
) -> FilePoints:
    """Per-row weights of one file, as NAB's `Sweeper.calcSweepScore` computes them."""
    scores = np.asarray(scores, np.float64)
    if np.isnan(scores).any():
        raise RnnlabError(f"anomaly scores of {name} contain NaN; NAB needs a score on every row")
    n = len(scores)
    rows = window_rows(timestamps, windows, name)
    starts, ends = rows[:, 0], rows[:, 1]
    width = (ends - starts + 1).astype(np.float64)
    i = np.arange(n)

    # The last window starting at or before row i; the row is inside it when i <= its end.
    k = np.searchsorted(starts, i, side="right") - 1
    has_prev = k >= 0
    kk = np.where(has_prev, k, 0)
    inside = has_prev & (i <= ends[kk]) if len(rows) else np.zeros(n, bool)
    window = np.where(inside, kk, -1)

    unit = np.full(n, -1.0)  # before any window: full -1 (sweeper.py: "no preceding window")
    if len(rows):
        pos = -(ends[kk] - i + 1) / width[kk]  # in [-1, 0): -1 at the first row (NAB's `+ 1`)
        tp_unit = scaled_sigmoid(pos) / scaled_sigmoid(-1.0)
        # NAB divides by width - 1 and fails on one-row windows; we divide by 1 there instead.
        dist = (i - ends[kk]) / np.maximum(width[kk] - 1.0, 1.0)
        unit = np.where(inside, tp_unit, np.where(has_prev, scaled_sigmoid(dist), unit))

    keep = i >= probation_length(n, probation_percent)
    scored = np.unique(window[keep & inside])
    return FilePoints(scores[keep], window[keep], unit[keep], len(rows), len(scored))


def score_file(points: FilePoints, threshold: float, costs: CostMatrix) -> FileScore:
    """Raw NAB score of one file at `threshold` (sweeper.py `scoreDataSet`: rows >= threshold).

    Only the earliest detection of a window counts, and its weight is the largest of the
    window's detections, so a per-window maximum finds it.
    """
    det = points.scores >= threshold
    inside = points.window >= 0
    fp_rows = det & ~inside
    tp_rows = det & inside
    best = np.full(points.n_windows, -np.inf)
    np.maximum.at(best, points.window[tp_rows], points.unit[tp_rows])
    scored = np.zeros(points.n_windows, bool)
    scored[points.window[inside]] = True  # windows wholly in probation are not scored at all
    hit = scored & np.isfinite(best)
    score = (
        costs.fp * points.unit[fp_rows].sum()
        + costs.tp * best[hit].sum()
        - costs.fn * np.count_nonzero(scored & ~hit)
    )
    tp, fp = int(tp_rows.sum()), int(fp_rows.sum())
    return FileScore(float(score), tp, int((~inside).sum()) - fp, fp, int(inside.sum()) - tp)


def score_corpus(
    points_by_file: dict[str, FilePoints], threshold: float, costs: CostMatrix
) -> dict[str, FileScore]:
    """Per-file raw scores at one threshold (scorer.py, `scoreCorpus`); their sum is the raw."""
    return {name: score_file(p, threshold, costs) for name, p in points_by_file.items()}


# --- the sweep: every threshold at once ---------------------------------------------------------


def sweep_thresholds(
    points_by_file: dict[str, FilePoints], costs: CostMatrix
) -> tuple[np.ndarray, np.ndarray]:
    """Raw corpus score at every distinct anomaly score, as NAB's `calcScoreByThreshold`.

    Returns (thresholds, raw scores), thresholds falling; the first row fires nowhere (NAB
    starts at 1.1). Rows are sorted by score and each one's change to the total is computed
    in one pass: an FP adds its weight; a window row adds the rise of its window's running
    maximum (the first detection turns -A_FN into A_TP * weight).
    """
    parts = list(points_by_file.values())
    scores = np.concatenate([p.scores for p in parts])
    unit = np.concatenate([p.unit for p in parts])
    first_id = np.cumsum([0] + [p.n_windows for p in parts])  # window ids unique over files
    window = np.concatenate(
        [np.where(p.window >= 0, p.window + first_id[f], -1) for f, p in enumerate(parts)]
    )
    base = -costs.fn * sum(p.scored_windows for p in parts)  # nothing detected: every window FN
    start = 1.1 if scores.size == 0 or scores.max() < 1.1 else np.inf

    order = np.argsort(-scores, kind="stable")  # (N,) highest score first
    s, w, u = scores[order], window[order], unit[order]
    delta = np.where(w < 0, costs.fp * u, 0.0)

    # Running maximum of the weight within each window, in sweep order. Adding 2 * window id
    # keeps windows apart (weights lie in (0, 1]), so one accumulate serves all windows.
    ins = np.flatnonzero(w >= 0)  # (M,) positions of window rows in sweep order
    by_window = ins[np.argsort(w[ins], kind="stable")]  # grouped by window, sweep order kept
    g = w[by_window].astype(np.float64)
    running = np.maximum.accumulate(u[by_window] + 2.0 * g) - 2.0 * g
    first = np.ones(len(by_window), bool)
    first[1:] = g[1:] != g[:-1]
    before = np.where(first, -costs.fn, costs.tp * np.roll(running, 1))
    delta[by_window] = costs.tp * running - before

    total = base + np.cumsum(delta)
    last_of_tie = np.ones(len(s), bool)  # a threshold takes every row with that score
    last_of_tie[:-1] = s[:-1] != s[1:]
    return np.r_[start, s[last_of_tie]], np.r_[base, total[last_of_tie]]


def optimise_threshold(
    points_by_file: dict[str, FilePoints], costs: CostMatrix
) -> tuple[float, float]:
    """(threshold, raw score) maximising the corpus score (optimizer.py, `optimizeThreshold`).

    NAB sorts the sweep by score with a stable sort, so ties go to the highest threshold; so
    does argmax, which returns the first maximum.
    """
    thresholds, raw = sweep_thresholds(points_by_file, costs)
    best = int(np.argmax(raw))
    return float(thresholds[best]), float(raw[best])


# --- normalisation ------------------------------------------------------------------------------


def null_score(points_by_file: dict[str, FilePoints], costs: CostMatrix) -> float:
    """Raw score of NAB's null detector (never fires): -A_FN for every scored window."""
    return -costs.fn * sum(p.scored_windows for p in points_by_file.values())


def perfect_score(points_by_file: dict[str, FilePoints], costs: CostMatrix) -> float:
    """Every window detected at its first row: A_TP per window (runner.py, `normalize`)."""
    return costs.tp * sum(p.n_windows for p in points_by_file.values())


def normalise(raw: float, null: float, perfect: float) -> float:
    """NAB's final score: 100 (raw - null) / (perfect - null); null -> 0, perfect -> 100."""
    return 100.0 * (raw - null) / (perfect - null)


def prepare_corpus(
    detector_scores_per_file: dict[str, pd.DataFrame],
    windows: dict[str, list],
    probation_percent: float = PROBATION_PERCENT,
) -> dict[str, FilePoints]:
    """`prepare_file` for each file: frames with columns timestamp and anomaly_score."""
    missing = sorted(set(detector_scores_per_file) - set(windows))
    if missing:
        raise RnnlabError(f"no NAB windows for {missing[0]}; use the labels of its corpus")
    return {
        name: prepare_file(
            frame["timestamp"], frame["anomaly_score"], windows[name], probation_percent, name
        )
        for name, frame in detector_scores_per_file.items()
    }


def score_detector(
    detector_scores_per_file: dict[str, pd.DataFrame],
    windows: dict[str, list],
    profiles: dict[str, CostMatrix],
    thresholds: dict[str, float] | None = None,
    probation_percent: float = PROBATION_PERCENT,
) -> dict[str, ProfileResult]:
    """NAB's score step per profile: optimised thresholds unless `thresholds` are given."""
    points = prepare_corpus(detector_scores_per_file, windows, probation_percent)
    results = {}
    for profile, costs in profiles.items():
        if thresholds is None:
            threshold, raw = optimise_threshold(points, costs)
        else:
            threshold = thresholds[profile]
            raw = sum(f.score for f in score_corpus(points, threshold, costs).values())
        null, perfect = null_score(points, costs), perfect_score(points, costs)
        results[profile] = ProfileResult(
            threshold, raw, null, perfect, normalise(raw, null, perfect)
        )
    return results


def normalised_scores(
    detector_scores_per_file: dict[str, pd.DataFrame],
    windows: dict[str, list],
    profiles: dict[str, CostMatrix],
    thresholds: dict[str, float] | None = None,
) -> dict[str, float]:
    """{profile: normalised NAB score}, the numbers of NAB's results/final_results.json."""
    results = score_detector(detector_scores_per_file, windows, profiles, thresholds)
    return {profile: r.normalised for profile, r in results.items()}


# --- NAB's files --------------------------------------------------------------------------------


def _read_json(path) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise RnnlabError(f"NAB file {path} not found; point to a NAB checkout") from None


def load_windows(path) -> dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]]:
    """labels/combined_windows.json: {"category/file.csv": [(start, end), ...]}."""
    raw = _read_json(path)
    return {name: [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in ws] for name, ws in raw.items()}


def load_profiles(path) -> dict[str, CostMatrix]:
    """config/profiles.json: {profile: {"CostMatrix": {"tpWeight", "fpWeight", "fnWeight"}}}."""
    raw = _read_json(path)
    return {
        name: CostMatrix(
            m["CostMatrix"]["tpWeight"], m["CostMatrix"]["fpWeight"], m["CostMatrix"]["fnWeight"]
        )
        for name, m in raw.items()
    }


def load_thresholds(path, detector: str) -> dict[str, float]:
    """config/thresholds.json: a detector's published {profile: threshold}."""
    raw = _read_json(path)
    if detector not in raw:
        raise RnnlabError(f"no NAB thresholds for {detector!r}; known: {', '.join(sorted(raw))}")
    return {profile: float(v["threshold"]) for profile, v in raw[detector].items()}


def read_detector_results(folder) -> dict[str, pd.DataFrame]:
    """A detector's per-file scores in NAB's layout, keyed like the labels.

    `folder` is results/<detector>/ holding <category>/<detector>_<file>.csv (or .csv.gz);
    the <detector>_<profile>_scores.csv summaries at its top are skipped.
    """
    folder = Path(folder)
    prefix = folder.name + "_"
    paths = sorted(folder.glob("*/*.csv")) + sorted(folder.glob("*/*.csv.gz"))
    if not paths:
        raise RnnlabError(f"no NAB results in {folder}; expected <category>/{prefix}<file>.csv")
    results = {}
    for path in paths:
        name = path.name.removesuffix(".gz").removeprefix(prefix)
        frame = pd.read_csv(path, usecols=["timestamp", "anomaly_score"])
        frame["timestamp"] = pd.to_datetime(frame["timestamp"])
        results[f"{path.parent.name}/{name}"] = frame
    return results
