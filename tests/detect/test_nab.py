"""The NAB scorer: the rules on hand-computed cases, the sweep against brute force, and the
published scores of NAB's `numenta` and `windowedGaussian` detectors rescored from their files."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from rnnlab.detect import nab
from rnnlab.errors import RnnlabError
from tests.conftest import SHARED_DATA

STANDARD = nab.CostMatrix(tp=1.0, fp=0.11, fn=1.0)


def S(x: float) -> float:
    """NAB's scaled sigmoid written independently: 2 / (1 + e^(5x)) - 1 = -tanh(2.5 x)."""
    return -1.0 if x > 3 else -math.tanh(2.5 * x)


def make_file(n, windows, detections, probation=0.0):
    """A 5-minute file of n rows, windows as (first row, last row), scores 1 at `detections`."""
    ts = pd.date_range("2020-01-01", periods=n, freq="5min")
    scores = np.zeros(n)
    scores[list(detections)] = 1.0
    return nab.prepare_file(ts, scores, [(ts[a], ts[b]) for a, b in windows], probation)


def score(n, windows, detections, costs=STANDARD, probation=0.0):
    return nab.score_file(make_file(n, windows, detections, probation), 0.5, costs).score


# --- the rules by hand --------------------------------------------------------------------------


def test_scaled_sigmoid_matches_nabs_documented_values():
    # sweeper.py docstring: S(-1) = 0.98661, S(-0.5) = 0.84828, S(0) = 0, S(1) = -0.98661
    np.testing.assert_allclose(
        nab.scaled_sigmoid([-1.0, -0.5, 0.0, 1.0]), [0.98661, 0.84828, 0.0, -0.98661], atol=1e-5
    )
    assert nab.scaled_sigmoid(3.0) == pytest.approx(S(3.0))  # still the curve at 3 ...
    assert nab.scaled_sigmoid(3.01) == -1.0  # ... a flat -1 beyond it
    assert nab.scaled_sigmoid(1e6) == -1.0


def test_probation_is_15_percent_capped_at_750_rows():
    assert [nab.probation_length(n) for n in (100, 4032, 4999, 5000, 22695)] == [
        15, 604, 749, 750, 750,
    ]  # fmt: skip


def test_detection_at_window_start_earns_exactly_a_tp():
    # NAB divides by S(-1), so the first row of a window earns the whole A_TP
    assert score(100, [(40, 49)], [40]) == pytest.approx(1.0)
    assert score(100, [(40, 49)], [40], nab.CostMatrix(tp=2.5)) == pytest.approx(2.5)
    # the last row of a 10-row window sits at -(49 - 49 + 1) / 10 = -0.1
    assert score(100, [(40, 49)], [49]) == pytest.approx(S(-0.1) / S(-1.0))
    assert 0 < score(100, [(40, 49)], [49]) < score(100, [(40, 49)], [44]) < 1


def test_missed_window_costs_a_fn():
    assert score(100, [(40, 49)], []) == pytest.approx(-1.0)
    assert score(100, [(40, 49)], [], nab.CostMatrix(fn=2.0)) == pytest.approx(-2.0)
    assert score(100, [(20, 29), (60, 69)], [60]) == pytest.approx(-1.0 + 1.0)


def test_only_the_first_detection_in_a_window_counts():
    assert score(100, [(40, 49)], [42, 45, 48]) == pytest.approx(score(100, [(40, 49)], [42]))
    assert score(100, [(40, 49)], [40, 42]) == pytest.approx(1.0)
    assert score(100, [(40, 49)], [45]) < score(100, [(40, 49)], [42])


def test_false_positives_weigh_by_distance_from_the_preceding_window():
    # window rows 20..29 (width 10); an FP at row r sits (r - 29) / (10 - 1) past it
    near = score(100, [(20, 29)], [20, 30]) - 1.0
    far = score(100, [(20, 29)], [20, 90]) - 1.0
    assert near == pytest.approx(0.11 * S(1 / 9))
    assert far == pytest.approx(-0.11)  # 61 / 9 > 3: the full A_FP
    assert far < near < 0
    # before any window an FP costs the full A_FP, however close the next window is
    assert score(100, [(20, 29)], [19]) == pytest.approx(-0.11 - 1.0)
    assert score(100, [], [5, 50]) == pytest.approx(-0.22)


def test_probationary_rows_are_not_scored():
    # 100 rows: the first 15 are probation
    assert score(100, [], [3], probation=0.15) == 0.0
    assert score(100, [], [15], probation=0.15) == pytest.approx(-0.11)
    # a window wholly in probation is not scored, not even as a miss
    points = make_file(100, [(2, 8)], [], probation=0.15)
    assert nab.score_file(points, 0.5, STANDARD).score == 0.0
    assert (points.n_windows, points.scored_windows) == (1, 0)
    # ... but it still is the window an FP is measured from: row 20 is 12 / 6 past row 8
    assert score(100, [(2, 8)], [20], probation=0.15) == pytest.approx(0.11 * S(12 / 6))


def test_row_counts_follow_nab():
    got = nab.score_file(make_file(100, [(40, 49)], [5, 42, 45, 60]), 0.5, STANDARD)
    assert got[1:] == (2, 88, 2, 8)  # tp, tn, fp, fn counted in rows, as NAB's summaries


def test_sweep_equals_scoring_each_threshold():
    rng = np.random.default_rng(0)
    points = {}
    for f, (n, windows) in enumerate([(300, [(80, 99), (200, 229)]), (150, []), (200, [(50, 60)])]):
        ts = pd.date_range("2021-01-01", periods=n, freq="h")
        scores = np.round(rng.random(n), 2)  # ties, as real detectors have
        points[f"f{f}.csv"] = nab.prepare_file(ts, scores, [(ts[a], ts[b]) for a, b in windows])
    for costs in (STANDARD, nab.CostMatrix(fp=0.22), nab.CostMatrix(fn=2.0)):
        thresholds, raw = nab.sweep_thresholds(points, costs)
        assert thresholds[0] == 1.1 and raw[0] == pytest.approx(-3 * costs.fn)
        assert np.all(np.diff(thresholds) < 0)
        brute = [
            sum(s.score for s in nab.score_corpus(points, t, costs).values()) for t in thresholds
        ]
        np.testing.assert_allclose(raw, brute, atol=1e-12)
        best, best_raw = nab.optimise_threshold(points, costs)
        assert best_raw == pytest.approx(max(brute))
        assert best == thresholds[np.flatnonzero(raw == raw.max())[0]]  # ties: highest threshold


def test_null_and_perfect_detectors_score_0_and_100():
    windows, frames, perfect = {}, {}, {}
    for name, n, rows in [("a.csv", 200, [(50, 59), (120, 139)]), ("b.csv", 100, [])]:
        ts = pd.date_range("2020-01-01", periods=n, freq="5min")
        windows[name] = [(ts[a], ts[b]) for a, b in rows]
        frames[name] = pd.DataFrame({"timestamp": ts, "anomaly_score": np.full(n, 0.5)})
        hits = np.zeros(n)
        hits[[a for a, _ in rows]] = 1.0
        perfect[name] = frames[name].assign(anomaly_score=hits)
    profiles = {"standard": STANDARD, "reward_low_FN_rate": nab.CostMatrix(fn=2.0)}
    null = {"standard": 0.625, "reward_low_FN_rate": 0.625}  # NAB's null: 0.5 never reaches it
    assert nab.normalised_scores(frames, windows, profiles, null) == {
        "standard": 0.0, "reward_low_FN_rate": 0.0,
    }  # fmt: skip
    got = nab.normalised_scores(perfect, windows, profiles)
    assert got == pytest.approx({"standard": 100.0, "reward_low_FN_rate": 100.0})
    result = nab.score_detector(perfect, windows, profiles)["reward_low_FN_rate"]
    assert (result.threshold, result.null, result.perfect) == (1.0, -4.0, 2.0)


def test_bad_inputs_are_one_line_errors(tmp_path):
    ts = pd.date_range("2020-01-01", periods=10, freq="5min")
    with pytest.raises(RnnlabError, match="is not a timestamp of f.csv"):
        nab.prepare_file(ts, np.zeros(10), [(ts[2] + pd.Timedelta("1min"), ts[4])], name="f.csv")
    with pytest.raises(RnnlabError, match="overlap"):
        nab.prepare_file(ts, np.zeros(10), [(ts[2], ts[5]), (ts[4], ts[6])])
    with pytest.raises(RnnlabError, match="NaN"):
        nab.prepare_file(ts, np.full(10, np.nan), [])
    with pytest.raises(RnnlabError, match="not found"):
        nab.load_windows(tmp_path / "missing.json")


def test_reads_nabs_results_layout(tmp_path):
    folder = tmp_path / "mydet"
    (folder / "realTraffic").mkdir(parents=True)
    frame = pd.DataFrame(
        {"timestamp": ["2020-01-01 00:00:00"], "value": [1], "anomaly_score": [0.3]}
    )
    frame.to_csv(folder / "realTraffic" / "mydet_speed_1.csv", index=False)
    frame.to_csv(folder / "realTraffic" / "mydet_speed_2.csv.gz", index=False)
    pd.DataFrame({"Score": [1.0]}).to_csv(folder / "mydet_standard_scores.csv", index=False)
    got = nab.read_detector_results(folder)
    assert sorted(got) == ["realTraffic/speed_1.csv", "realTraffic/speed_2.csv"]
    assert list(got["realTraffic/speed_2.csv"].columns) == ["timestamp", "anomaly_score"]


# --- reproduction of the published scores (needs ../shared/data/nab) ----------------------------

NAB = SHARED_DATA / "nab"
needs_nab = pytest.mark.skipif(
    not (NAB / "results" / "numenta").is_dir(), reason=f"NAB corpus and results not in {NAB}"
)
DETECTORS = ["numenta", "windowedGaussian"]


@pytest.fixture(scope="module")
def corpus():
    windows = nab.load_windows(NAB / "labels" / "combined_windows.json")
    points = {
        d: nab.prepare_corpus(nab.read_detector_results(NAB / "results" / d), windows)
        for d in DETECTORS
    }
    profiles = nab.load_profiles(NAB / "config" / "profiles.json")
    final = json.loads((NAB / "results" / "final_results.json").read_text())
    return points, profiles, final


def normalised(points, costs, raw):
    return nab.normalise(raw, nab.null_score(points, costs), nab.perfect_score(points, costs))


@needs_nab
@pytest.mark.parametrize("detector", DETECTORS)
def test_per_file_scores_and_counts_match_nabs_summaries(corpus, detector):
    points, profiles, _ = corpus
    assert len(points[detector]) == 58
    thresholds = nab.load_thresholds(NAB / "config" / "thresholds.json", detector)
    for profile, costs in profiles.items():
        summary = pd.read_csv(NAB / "results" / detector / f"{detector}_{profile}_scores.csv.gz")
        summary = summary[summary["Detector"] != "Totals"].set_index("File")
        got = nab.score_corpus(points[detector], thresholds[profile], costs)
        assert sorted(got) == sorted(summary.index)
        mine = pd.DataFrame(got, index=["Score", "TP", "TN", "FP", "FN"]).T.loc[summary.index]
        np.testing.assert_allclose(mine["Score"], summary["Score"], atol=1e-9)
        for column in ["TP", "TN", "FP", "FN"]:
            np.testing.assert_array_equal(mine[column], summary[column], err_msg=column)


@needs_nab
@pytest.mark.parametrize("detector", DETECTORS)
def test_published_thresholds_reproduce_final_results(corpus, detector):
    points, profiles, final = corpus
    thresholds = nab.load_thresholds(NAB / "config" / "thresholds.json", detector)
    for profile, costs in profiles.items():
        raw = sum(
            s.score for s in nab.score_corpus(points[detector], thresholds[profile], costs).values()
        )
        assert normalised(points[detector], costs, raw) == pytest.approx(
            final[detector][profile], abs=1e-6
        ), profile
    assert round(final["numenta"]["standard"], 1) == 70.1  # the numbers, 0.2 allowed
    assert round(final["windowedGaussian"]["standard"], 1) == 39.6


@needs_nab
@pytest.mark.parametrize("detector", DETECTORS)
def test_optimised_thresholds_reproduce_final_results(corpus, detector):
    points, profiles, final = corpus
    published = nab.load_thresholds(NAB / "config" / "thresholds.json", detector)
    for profile, costs in profiles.items():
        threshold, raw = nab.optimise_threshold(points[detector], costs)
        score = normalised(points[detector], costs, raw)
        # NAB's own optimum on these files; never below what the published threshold scores
        at_published = nab.score_corpus(points[detector], published[profile], costs)
        assert raw >= sum(s.score for s in at_published.values()) - 1e-9
        assert score == pytest.approx(final[detector][profile], abs=0.2), profile


@needs_nab
def test_the_built_in_profiles_are_nabs():
    assert nab.load_profiles(NAB / "config" / "profiles.json") == nab.PROFILES
