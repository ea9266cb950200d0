"""make_series, frequency inference, seasonal periods and from_pandas: behaviour and messages."""

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.frames import from_pandas
from rnnlab.data.series import (
    SEASON_BY_FREQ,
    SeriesData,
    infer_frequency,
    make_series,
    season_for,
)
from rnnlab.errors import RnnlabError


def series_on(freq: str, n: int = 8, start: str = "1991-01-01", **kwargs) -> SeriesData:
    index = pd.date_range(start, periods=n, freq=freq)
    return make_series(index, np.arange(n, dtype=float), **kwargs)


# --- frequency inference


@pytest.mark.parametrize(
    "freq",
    ["MS", "ME", "QS", "QS-FEB", "QE", "QE-NOV", "YS", "YE", "YE-JUN", "YS-JUL"]
    + ["D", "B", "W-SUN", "W-WED", "h", "2h", "30min", "15min", "min", "2D"],
)
def test_infer_frequency_names_the_grid(freq):
    index = pd.date_range("1991-01-01", periods=30, freq=freq)
    assert infer_frequency(index) == freq


@pytest.mark.parametrize(
    "stamps_freq, expected_freq, expected_first",
    [
        ("BME", "MS", "1991-01-01"),  # last business day of the month: monthly periods
        ("SMS", None, None),  # twice a month: neither monthly nor a fixed step
        ("BQE", "QS", "1991-01-01"),  # last business day of a quarter: calendar quarters
    ],
)
def test_other_days_of_month_map_to_period_starts(stamps_freq, expected_freq, expected_first):
    index = pd.date_range("1991-01-01", periods=12, freq=stamps_freq)
    if expected_freq is None:
        with pytest.raises(RnnlabError, match="irregular timestamps"):
            make_series(index, np.ones(12))
        return
    series = make_series(index, np.arange(12.0))
    assert series.freq == expected_freq
    assert series.index[0] == pd.Timestamp(expected_first)
    assert series.values.tolist() == list(range(12))


def test_business_days_skip_weekends_only():
    index = pd.date_range("2024-01-01", periods=20, freq="B")
    series = make_series(index, np.arange(20.0))
    assert series.freq == "B" and series.season == 5
    assert series.index.equals(index)


def test_daily_series_with_weekend_dates_is_daily():
    assert infer_frequency(pd.date_range("2024-01-01", periods=10, freq="D")) == "D"


def test_irregular_stamps_are_an_error():
    index = pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:10"])
    index = index.append(pd.DatetimeIndex(["2024-01-01 03:00"]))
    with pytest.raises(RnnlabError, match=r"irregular timestamps: 2024-01-01 02:10:00 is off"):
        make_series(index, np.ones(4))


def test_fixed_28_day_step_is_not_monthly():
    assert infer_frequency(pd.date_range("2024-01-01", periods=20, freq="28D")) == "28D"


# --- seasonal period


def test_season_table_is_importable_and_complete():
    assert SEASON_BY_FREQ["MS"] == 12 and SEASON_BY_FREQ["QE"] == 4 and SEASON_BY_FREQ["YS"] == 1


@pytest.mark.parametrize(
    "freq, season",
    [("h", 24), ("D", 7), ("B", 5), ("W-SUN", 52), ("W-WED", 52), ("MS", 12), ("ME", 12)]
    + [("QS", 4), ("QS-FEB", 4), ("QE-NOV", 4), ("YS", 1), ("YE-JUN", 1), ("30min", 48)]
    + [("15min", 96), ("min", 1440), ("2h", 12), ("6MS", 2), ("2D", 1)],
)
def test_season_for(freq, season):
    assert season_for(freq) == season


def test_season_argument_overrides():
    assert series_on("MS").season == 12
    assert series_on("MS", season=6).season == 6


@pytest.mark.parametrize("bad", [0, -3, 1.5, True, "12"])
def test_bad_season_is_an_error(bad):
    with pytest.raises(RnnlabError, match="season must be a whole number >= 1"):
        series_on("MS", season=bad)


# --- future index


@pytest.mark.parametrize("freq", ["MS", "ME", "QS", "QE", "YS", "YE", "D", "B", "h", "W-SUN"])
def test_future_index_continues_the_grid(freq):
    whole = pd.date_range("2023-11-01", periods=15, freq=freq)
    series = make_series(whole[:10], np.arange(10.0))
    assert series.freq.split("-")[0] == freq.split("-")[0]
    assert series.future_index(5).equals(whole[10:])


# --- validation


def test_values_are_float32_and_rows_sorted():
    index = pd.date_range("1991-01-01", periods=5, freq="MS")[::-1]  # newest first
    series = make_series(index, [5, 4, 3, 2, 1])
    assert series.values.dtype == np.float32
    assert series.values.tolist() == [1, 2, 3, 4, 5]
    assert series.index[0] == pd.Timestamp("1991-01-01")


def test_duplicate_timestamp_names_it_and_its_lines():
    index = pd.DatetimeIndex(["1991-01-01", "1991-02-01", "1991-02-01", "1991-03-01"])
    with pytest.raises(
        RnnlabError, match=r"^duplicate timestamp 1991-02-01 \(lines 3 and 4\); keep one row"
    ):
        make_series(index, [1, 2, 3, 4], line_numbers=[2, 3, 4, 5])


def test_two_stamps_in_one_month_are_an_error():
    index = pd.DatetimeIndex(["1991-01-31", "1991-03-01", "1991-03-31", "1991-04-30"])
    index = index.append(pd.date_range("1991-05-31", periods=4, freq="ME"))
    with pytest.raises(RnnlabError, match="1991-03-01 and 1991-03-31 fall in the same MS period"):
        make_series(index, np.ones(8))


GAPPY = pd.DatetimeIndex(["1991-01-01", "1991-02-01", "1991-03-01", "1991-06-01", "1991-07-01"])


def test_gaps_are_an_error_with_a_hint():
    with pytest.raises(
        RnnlabError,
        match=r"^2 missing timestamps \(first: 1991-04-01\); "
        r"fill them with --fill interpolate or --fill ffill$",
    ):
        make_series(GAPPY, [1, 2, 3, 6, 7])


def test_fill_interpolate_and_ffill_fill_gaps():
    interpolated = make_series(GAPPY, [1, 2, 3, 6, 7], fill="interpolate")
    assert interpolated.values.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert interpolated.index.equals(pd.date_range("1991-01-01", periods=7, freq="MS"))
    carried = make_series(GAPPY, [1, 2, 3, 6, 7], fill="ffill")
    assert carried.values.tolist() == [1, 2, 3, 3, 3, 6, 7]


def test_hourly_gap_is_found_on_the_grid():
    index = pd.date_range("2024-03-01", periods=48, freq="h").delete([5, 6, 7])
    with pytest.raises(RnnlabError, match=r"^3 missing timestamps \(first: 2024-03-01 05:00:00\)"):
        make_series(index, np.ones(45))
    assert len(make_series(index, np.ones(45), fill="ffill")) == 48


def test_business_day_holiday_is_a_gap():
    index = pd.date_range("2024-01-01", periods=10, freq="B").delete(3)
    with pytest.raises(RnnlabError, match=r"^1 missing timestamps \(first: 2024-01-04\)"):
        make_series(index, np.ones(9))


def test_nan_values_are_an_error_naming_the_first():
    index = pd.date_range("1991-01-01", periods=5, freq="MS")
    with pytest.raises(
        RnnlabError,
        match=r"^2 missing values, the first at 1991-02-01 \(line 3\); fill them with --fill",
    ):
        make_series(index, [1, np.nan, 3, np.nan, 5], line_numbers=[2, 3, 4, 5, 6])
    with pytest.raises(RnnlabError, match=r"^missing value at 1991-02-01; fill it with --fill"):
        make_series(index, [1, np.nan, 3, 4, 5])


def test_fill_repairs_nan_and_trims_the_edges():
    index = pd.date_range("1991-01-01", periods=7, freq="MS")
    values = [np.nan, 2, np.nan, 4, np.nan, 8, np.nan]
    interpolated = make_series(index, values, fill="interpolate")
    assert interpolated.values.tolist() == [2, 3, 4, 6, 8]
    assert interpolated.index[0] == pd.Timestamp("1991-02-01")
    assert interpolated.index[-1] == pd.Timestamp("1991-06-01")
    assert make_series(index, values, fill="ffill").values.tolist() == [2, 2, 4, 4, 8]


def test_inf_is_always_an_error():
    index = pd.date_range("1991-01-01", periods=4, freq="MS")
    with pytest.raises(
        RnnlabError, match=r"^infinite value at 1991-03-01 \(line 4\); remove or fix it$"
    ):
        make_series(index, [1, 2, np.inf, 4], fill="interpolate", line_numbers=[2, 3, 4, 5])


def test_too_few_points():
    with pytest.raises(RnnlabError, match="a series needs at least 3 points; got 2"):
        make_series(pd.date_range("1991-01-01", periods=2, freq="MS"), [1, 2])
    index = pd.date_range("1991-01-01", periods=4, freq="MS")
    with pytest.raises(RnnlabError, match="at least 3 non-missing points; got 2"):
        make_series(index, [np.nan, 1, 2, np.nan], fill="ffill")


def test_unknown_fill_lists_the_valid_ones():
    with pytest.raises(RnnlabError, match=r"unknown fill 'bfill'; use one of: interpolate, ffill"):
        series_on("MS", fill="bfill")


def test_missing_timestamp_is_an_error():
    with pytest.raises(RnnlabError, match=r"missing timestamp \(line 3\)"):
        make_series(["1991-01-01", None, "1991-03-01"], [1, 2, 3], line_numbers=[2, 3, 4])


# --- pandas objects


def test_from_pandas_series_with_datetime_and_period_index():
    index = pd.date_range("2000-01-01", periods=24, freq="MS")
    series = from_pandas(pd.Series(np.arange(24.0), index=index, name="sales"))
    assert (series.freq, series.season, series.name) == ("MS", 12, "sales")
    quarters = pd.period_range("2000Q1", periods=8, freq="Q")
    series = from_pandas(pd.Series(np.arange(8), index=quarters), name="gdp")
    assert (series.freq, series.name, series.index[1]) == ("QS", "gdp", pd.Timestamp("2000-04-01"))


def test_from_pandas_frame_finds_date_and_value_columns():
    frame = pd.DataFrame(
        {
            "region": ["n"] * 4,
            "month": ["Jan-2000", "Feb-2000", "Mar-2000", "Apr-2000"],
            "units": [1, 2, 3, 4],
            "price": [9.0, 9, 9, 9],
        }
    )
    series = from_pandas(frame)
    assert (series.freq, series.name, series.values.tolist()) == ("MS", "units", [1, 2, 3, 4])
    assert from_pandas(frame, value_col="price").values.tolist() == [9, 9, 9, 9]
    indexed = frame.set_index(pd.date_range("2000-01-31", periods=4, freq="ME"))
    assert from_pandas(indexed, value_col="units").freq == "ME"


def test_from_pandas_errors_list_the_columns():
    frame = pd.DataFrame({"date": ["2000-01-01"] * 3, "sales": [1, 2, 3]})
    with pytest.raises(RnnlabError, match="no column 'salez' in the DataFrame; the columns are: "):
        from_pandas(frame, value_col="salez")
    with pytest.raises(RnnlabError, match="a Series needs a DatetimeIndex or PeriodIndex"):
        from_pandas(pd.Series([1.0, 2.0, 3.0]))
    with pytest.raises(RnnlabError, match="no date column found; the columns are: a, b"):
        from_pandas(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]}))
