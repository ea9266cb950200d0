"""AnomalyDetector's Python API: the documented columns, score() equal to update() row by row,
causality, clone, parameter errors that name the parameter, Series input, save/load, and the
README examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.cli import main
from rnnlab.detect import METHODS, AnomalyDetector
from rnnlab.errors import ParameterError, RnnlabError
from tests.detect.test_detect import PROBATION, SHIFT, SPIKE, N, stream


def frame(**options) -> pd.DataFrame:
    ts, values = stream(**options)
    return pd.DataFrame({"timestamp": ts, "value": values})


# ------------------------------------------------------------------------ the examples


def test_readme_example_fit_then_score_the_rows_that_follow():
    df = frame()  # 1600 five-minute rows, a spike at row 1000
    det = AnomalyDetector(method="naive").fit(df.iloc[:800])  # learns from the first 120 rows
    assert det.probation_ == 120 and det.threshold_ == 0.508
    later = det.score(df.iloc[120:])  # the stream goes on from row 120
    assert list(later.columns) == ["timestamp", "value", "score", "flagged"]
    assert len(later) == N - 120 and later["score"].between(0, 1).all()
    assert later.index[later["flagged"]].tolist() == [SPIKE - 120, SHIFT - 120]
    assert later["score"].idxmax() == SPIKE - 120
    assert det.update(pd.Timestamp("2024-01-06 13:20"), 14.0) < det.threshold_
    assert det.rows_seen_ == N + 1
    all_rows = AnomalyDetector(method="naive").fit_score(df)  # what `rnnlab detect` writes
    assert len(all_rows) == N and int(all_rows["flagged"].sum()) == 2
    series = df.set_index("timestamp")["value"]  # a Series with a DatetimeIndex
    flagged = AnomalyDetector().fit_score(series)["flagged"]
    assert flagged.index[flagged].tolist() == [SPIKE, SHIFT]


def test_readme_example_fit_score_is_what_the_cli_writes(tmp_path):
    df = frame()
    scores = AnomalyDetector(method="naive").fit_score(df)  # every row; the prefix never flagged
    assert len(scores) == N and not scores["flagged"].iloc[:240].any()
    path = tmp_path / "stream.csv"
    df.to_csv(path, index=False)
    assert main(["detect", "--csv", str(path), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    written = pd.read_csv(tmp_path / "run" / "scores.csv")
    np.testing.assert_allclose(written["score"], scores["score"], rtol=1e-7)  # %.8g in the file
    assert (written["is_anomaly"] == scores["flagged"]).all()


# ------------------------------------------------------------------ streaming and causality


@pytest.mark.parametrize("method", METHODS)
def test_score_equals_update_row_by_row(method):
    df = frame()
    batch = AnomalyDetector(method=method, probation=PROBATION).fit(df)
    streaming = AnomalyDetector(method=method, probation=PROBATION).fit(df)
    rest = df.iloc[PROBATION:]
    scores = batch.score(rest)["score"].to_numpy()
    one_by_one = [
        streaming.update(t, v) for t, v in zip(rest["timestamp"], rest["value"], strict=True)
    ]
    np.testing.assert_array_equal(scores, one_by_one)
    assert batch.rows_seen_ == streaming.rows_seen_ == N
    assert batch.last_timestamp_ == streaming.last_timestamp_ == df["timestamp"].iloc[-1]


@pytest.mark.parametrize("method", ["naive", "gaussian"])
def test_changing_a_future_value_does_not_change_a_past_score(method):
    df = frame()
    before = AnomalyDetector(method=method).fit_score(df)["score"].to_numpy()
    for t in (100, 700):  # while learning, and while streaming
        changed = df.copy()
        changed.loc[t, "value"] += 50.0
        after = AnomalyDetector(method=method).fit_score(changed)["score"].to_numpy()
        np.testing.assert_array_equal(after[:t], before[:t])
        assert not np.array_equal(after[t:], before[t:])


def test_a_series_with_a_datetime_index_and_an_indexed_frame_work_alike():
    df = frame()
    expected = AnomalyDetector().fit_score(df)
    series = pd.Series(df["value"].to_numpy(), index=pd.DatetimeIndex(df["timestamp"]))
    for data in (series, df.set_index("timestamp")):
        got = AnomalyDetector().fit_score(data)
        pd.testing.assert_frame_equal(got, expected)


def test_save_then_load_goes_on_with_the_stream(tmp_path):
    df = frame()
    whole = AnomalyDetector(method="residual", probation=PROBATION).fit_score(df)
    det = AnomalyDetector(method="residual", probation=PROBATION).fit(df)
    det.score(df.iloc[PROBATION:900])
    det.save(tmp_path / "detector")
    again = AnomalyDetector.load(tmp_path / "detector")
    assert again.get_params() == det.get_params() and again.rows_seen_ == 900
    rest = again.score(df.iloc[900:])
    np.testing.assert_array_equal(rest["score"], whole["score"].iloc[900:])


# ------------------------------------------------------------- scikit-learn's conventions


def test_clone_and_repr():
    base = pytest.importorskip("sklearn.base")
    det = AnomalyDetector(method="gaussian", threshold=0.9).fit(frame())
    copy = base.clone(det)
    assert copy.get_params() == det.get_params() and not hasattr(copy, "detector_")
    assert repr(copy) == "AnomalyDetector(method='gaussian', threshold=0.9)"


@pytest.mark.parametrize(
    "params, name, message",
    [
        ({"method": "lof"}, "method", "method must be one of naive, residual, gru, gaussian"),
        ({"probation": 0}, "probation", "probation must lie between 1 and 1600 rows (got 0)"),
        ({"probation": "all"}, "probation", "probation must be a whole number of rows"),
        ({"threshold": "high"}, "threshold", "threshold must be a number or None"),
        ({"seed": -1}, "seed", "seed must be a whole number >= 0 (got -1)"),
    ],
)
def test_a_bad_parameter_is_a_parameter_error_naming_it(params, name, message):
    det = AnomalyDetector(**params)  # __init__ only stores
    with pytest.raises(ParameterError) as err:
        det.fit(frame())
    assert err.value.name == name and str(err.value).startswith(message)


def test_bad_columns_and_values_name_what_is_wrong():
    df = frame()
    with pytest.raises(ParameterError) as err:
        AnomalyDetector().fit(df, time_col="when")
    assert str(err.value) == (
        "the DataFrame: no column 'when' for time_col; columns: ['timestamp', 'value']"
    )
    assert err.value.flag_message().endswith("for --time-col; columns: ['timestamp', 'value']")
    bad = df.astype({"value": object})
    bad.loc[5, "value"] = "n/a"
    with pytest.raises(RnnlabError, match="no numeric column besides 'timestamp'; see value_col"):
        AnomalyDetector().fit(bad)  # text in the column: it is not found as the values
    with pytest.raises(RnnlabError, match="row 5: value 'n/a' in column 'value' is not a number"):
        AnomalyDetector().fit(bad, value_col="value")
    with pytest.raises(RnnlabError, match="not fitted yet"):
        AnomalyDetector().update(pd.Timestamp("2024-01-01"), 1.0)
    det = AnomalyDetector().fit(df)
    with pytest.raises(RnnlabError, match="value must be a finite number \\(got nan\\)"):
        det.update(pd.Timestamp("2024-01-07"), float("nan"))
