"""read_csv_series on CSV files as people really have them, and on broken ones."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.csv_reader import read_csv_series
from rnnlab.errors import RnnlabError


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows(dates: list[str], values=None, header: str = "date,value", sep: str = ",") -> str:
    values = values if values is not None else range(1, len(dates) + 1)
    body = "".join(f"{d}{sep}{v}\n" for d, v in zip(dates, values, strict=True))
    return (header.replace(",", sep) + "\n" if header else "") + body


# --- date formats


@pytest.mark.parametrize(
    "dates, first, freq",
    [
        (["Jan-1991", "Feb-1991", "Mar-1991"], "1991-01-01", "MS"),
        (["Jan 1991", "Feb 1991", "Mar 1991"], "1991-01-01", "MS"),
        (["January 1991", "February 1991", "March 1991"], "1991-01-01", "MS"),
        (["1991-01", "1991-02", "1991-03"], "1991-01-01", "MS"),
        (["1991-01-31", "1991-02-28", "1991-03-31"], "1991-01-31", "ME"),
        (["1991/01/31", "1991/02/28", "1991/03/31"], "1991-01-31", "ME"),
        (["01/31/1991", "02/28/1991", "03/31/1991"], "1991-01-31", "ME"),
        (["31.01.1991", "28.02.1991", "31.03.1991"], "1991-01-31", "ME"),
        (["Jan-1-1995", "Feb-1-1995", "Mar-1-1995"], "1995-01-01", "MS"),
        (["1991Q1", "1991Q2", "1991Q3"], "1991-01-01", "QS"),
        (["1991-Q1", "1991-Q2", "1991-Q3"], "1991-01-01", "QS"),
        (["1991 Q1", "1991 Q2", "1991 Q3"], "1991-01-01", "QS"),
        (["1991-01-31 13:00", "1991-01-31 14:00", "1991-01-31 15:00"], "1991-01-31 13:00", "h"),
        (
            ["1991-01-31T13:00:00", "1991-01-31T13:30:00", "1991-01-31T14:00:00"],
            "1991-01-31 13:00",
            "30min",
        ),
    ],
)
def test_date_formats(tmp_path, dates, first, freq):
    series = read_csv_series(write(tmp_path, rows(dates)))
    assert series.index[0] == pd.Timestamp(first)
    assert series.freq == freq
    assert series.values.tolist() == [1, 2, 3]


def test_slashes_are_month_first_unless_a_row_says_otherwise(tmp_path):
    us = read_csv_series(write(tmp_path, rows(["01/02/1991", "01/03/1991", "01/04/1991"])))
    assert us.index[0] == pd.Timestamp("1991-01-02") and us.freq == "D"
    dmy = rows(["11/01/1991", "12/01/1991", "13/01/1991", "14/01/1991"])
    day_first = read_csv_series(write(tmp_path, dmy))
    assert day_first.index[0] == pd.Timestamp("1991-01-11") and day_first.freq == "D"


def test_years_count_as_dates_when_named_or_stepping(tmp_path):
    named = read_csv_series(write(tmp_path, rows(["1991", "1993", "1992"], header="Year,flow")))
    assert named.freq == "YS" and named.index[0] == pd.Timestamp("1991-01-01")
    assert named.values.tolist() == [1, 3, 2]
    stepping = read_csv_series(write(tmp_path, rows(["1991", "1992", "1993"], header="x,flow")))
    assert stepping.freq == "YS" and stepping.name == "flow"
    with pytest.raises(RnnlabError, match="found no column of dates"):
        read_csv_series(write(tmp_path, rows(["1991", "2005", "1993"], header="id,flow")))


def test_statsmodels_elec_equip():
    spec = importlib.util.find_spec("statsmodels")
    if spec is None:
        pytest.skip("statsmodels is not installed")
    path = Path(spec.origin).parent / "datasets" / "elec_equip" / "elec_equip.csv"
    series = read_csv_series(path)
    assert len(series) == 257
    assert series.index[0] == pd.Timestamp("1995-01-01")
    assert (series.freq, series.season) == ("MS", 12)
    assert series.values[0] == pytest.approx(66.19)


# --- layout: metadata, footers, separators, encodings


AGENCY_FILE = """\
Monthly sales of widgets
Source: Widget Agency; table 7, series A
Unit: thousands

date;sales;region
Jan-1991;12,5;north
Feb-1991;1.234,5;north
Mar-1991;13,25;north

Apr-1991;14;north

Note: (p) provisional
Source: ibid; see table 7
"""


def test_metadata_footer_semicolons_and_decimal_commas(tmp_path):
    series = read_csv_series(write(tmp_path, AGENCY_FILE))
    assert series.name == "sales"
    assert series.values.tolist() == [12.5, 1234.5, 13.25, 14]
    assert series.freq == "MS" and len(series) == 4


def test_error_lines_count_metadata_lines(tmp_path):
    path = write(tmp_path, AGENCY_FILE.replace("13,25", "13,x"))
    with pytest.raises(
        RnnlabError,
        match=r"^line 8: value '13,x' in column 'sales' is not a number: Mar-1991;13,x;north$",
    ):
        read_csv_series(path)


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separators(tmp_path, sep):
    text = "Title line\n\n" + rows(["1991-01", "1991-02", "1991-03"], [1.5, 2.5, 3.5], sep=sep)
    series = read_csv_series(write(tmp_path, text))
    assert series.values.tolist() == [1.5, 2.5, 3.5]


@pytest.mark.parametrize(
    "sep, cells, expected",
    [
        (",", ['"1,234.5"', '"2,000"', "3"], [1234.5, 2000, 3]),
        (";", ["1 234", "2 345,5", "12"], [1234, 2345.5, 12]),
        (";", ["1'234", "2'345.5", "12"], [1234, 2345.5, 12]),
        (";", ["12,5", "13", "14,25"], [12.5, 13, 14.25]),
        ("\t", ["1.234,5", "12,5", "1.000"], [1234.5, 12.5, 1000]),
        (";", ["1,234", "2,345", "3,000"], [1234, 2345, 3000]),  # 3-digit groups: thousands
        (",", [" 5 ", '" 6"', "7 "], [5, 6, 7]),
    ],
)
def test_number_formats(tmp_path, sep, cells, expected):
    text = rows(["1991-01", "1991-02", "1991-03"], cells, sep=sep)
    assert read_csv_series(write(tmp_path, text)).values.tolist() == expected


def test_utf8_bom_and_latin1(tmp_path):
    bom = read_csv_series(write(tmp_path, rows(["1991-01", "1991-02", "1991-03"]), "utf-8-sig"))
    assert bom.values.tolist() == [1, 2, 3]
    text = "Verkäufe in Österreich\n" + rows(
        ["1991-01", "1991-02", "1991-03"], header="Monat;Verkäufe", sep=";"
    )
    latin = read_csv_series(write(tmp_path, text, "latin-1"))
    assert latin.name == "Verkäufe" and latin.values.tolist() == [1, 2, 3]


def test_excel_unicode_text_export_is_utf16_with_tabs(tmp_path):
    text = rows(["1991-01", "1991-02", "1991-03"], ["1,5", "2,5", "3"], sep="\t")
    assert read_csv_series(write(tmp_path, text, "utf-16")).values.tolist() == [1.5, 2.5, 3]


def test_compact_dates_and_utc_offsets(tmp_path):
    compact = rows(["19910101", "19910102", "19910103"], header="date,v")
    assert read_csv_series(write(tmp_path, compact)).freq == "D"
    offsets = [
        "2024-03-31T01:00:00+01:00",
        "2024-03-31T03:00:00+02:00",
        "2024-03-31T04:00:00+02:00",
    ]
    series = read_csv_series(write(tmp_path, rows(offsets)))  # across a DST switch
    assert series.freq == "h" and str(series.index.tz) == "UTC"


def test_no_header_names_columns_by_position(tmp_path):
    path = write(tmp_path, "1991-01,7,10\n1991-02,8,20\n1991-03,9,30\n")
    series = read_csv_series(path)
    assert series.name == "y" and series.values.tolist() == [7, 8, 9]
    assert read_csv_series(path, value_col=2).values.tolist() == [10, 20, 30]
    assert read_csv_series(path, value_col="2", date_col=0).values.tolist() == [10, 20, 30]


def test_newest_first_is_sorted(tmp_path):
    text = rows(["1991-03", "1991-02", "1991-01"], [3, 2, 1])
    series = read_csv_series(write(tmp_path, text))
    assert series.values.tolist() == [1, 2, 3] and series.index[0] == pd.Timestamp("1991-01-01")


def test_date_named_column_wins_and_columns_can_be_named(tmp_path):
    text = (
        "id,updated,Reference period,sales,region\n"
        "1,2024-01-05,1991-01,10,n\n2,2024-01-05,1991-02,11,n\n3,2024-01-05,1991-03,12,n\n"
    )
    path = write(tmp_path, text)
    # "Reference period" is named like a date, "updated" is not: the period column wins, and the
    # value column is the first other column of numbers.
    series = read_csv_series(path)
    assert (series.freq, series.name, series.values.tolist()) == ("MS", "id", [1, 2, 3])
    series = read_csv_series(path, value_col="SALES")
    assert (series.name, series.values.tolist()) == ("sales", [10, 11, 12])
    with pytest.raises(RnnlabError, match=r"duplicate timestamp 2024-01-05 \(lines 2 and 3\)"):
        read_csv_series(path, date_col="updated", value_col="sales")


def test_first_parsing_column_without_date_names(tmp_path):
    text = "region,when,sales\nn,1991-01,10\nn,1991-02,11\nn,1991-03,12\n"
    series = read_csv_series(write(tmp_path, text))
    assert series.name == "sales" and series.freq == "MS"


def test_missing_markers_then_fill(tmp_path):
    text = rows(
        ["1991-01", "1991-02", "1991-03", "1991-04", "1991-05", "1991-06"],
        [1, "NA", "", "..", "-", 6],
    )
    path = write(tmp_path, text)
    with pytest.raises(RnnlabError, match=r"4 missing values, the first at 1991-02-01 \(line 3\)"):
        read_csv_series(path)
    assert read_csv_series(path, fill="interpolate").values.tolist() == [1, 2, 3, 4, 5, 6]
    assert read_csv_series(path, fill="ffill").values.tolist() == [1, 1, 1, 1, 1, 6]


def test_gaps_in_a_file(tmp_path):
    path = write(tmp_path, rows(["1991-01", "1991-02", "1991-05", "1991-06"], [1, 2, 5, 6]))
    with pytest.raises(RnnlabError, match=r"2 missing timestamps \(first: 1991-03-01\); fill them"):
        read_csv_series(path)
    assert read_csv_series(path, fill="interpolate").values.tolist() == [1, 2, 3, 4, 5, 6]


def test_season_override(tmp_path):
    path = write(tmp_path, rows(["1991-01", "1991-02", "1991-03"]))
    assert read_csv_series(path).season == 12
    assert read_csv_series(path, season=3).season == 3


def test_larger_hourly_file(tmp_path):
    index = pd.date_range("2020-01-01", periods=50_000, freq="h")
    values = np.arange(50_000) % 24
    text = "timestamp,load\n" + "".join(
        f"{t},{v}\n" for t, v in zip(index.strftime("%Y-%m-%d %H:%M"), values, strict=True)
    )
    series = read_csv_series(write(tmp_path, text))
    assert (len(series), series.freq, series.season) == (50_000, "h", 24)
    assert series.values[:25].tolist() == list(range(24)) + [0]


# --- errors


def test_unknown_column_lists_the_columns(tmp_path):
    path = write(tmp_path, rows(["1991-01", "1991-02", "1991-03"], header="date,sales"))
    with pytest.raises(
        RnnlabError, match=r"no column 'salez' in .*data\.csv; the columns are: date, sales$"
    ):
        read_csv_series(path, value_col="salez")
    headerless = write(tmp_path, "1991-01,1\n1991-02,2\n1991-03,3\n", name="bare.csv")
    with pytest.raises(RnnlabError, match=r"no column 5 .*columns go by position\): 0, 1$"):
        read_csv_series(headerless, value_col=5)


def test_non_numeric_value_shows_the_line(tmp_path):
    text = "date,sales\n1991-01,10\n1991-02,11\n1991-03,12\n1991-04,12.x\n1991-05,13\n"
    with pytest.raises(
        RnnlabError,
        match=r"^line 5: value '12\.x' in column 'sales' is not a number: 1991-04,12\.x$",
    ):
        read_csv_series(write(tmp_path, text))


def test_long_lines_are_cut_in_messages(tmp_path):
    text = f"date,sales,note\n1991-01,1,a\n1991-02,2,a\n1991-03,x,{'z' * 200}\n"
    with pytest.raises(RnnlabError, match=r"is not a number: 1991-03,x,z+\.\.\.$") as info:
        read_csv_series(write(tmp_path, text), value_col="sales")
    assert len(str(info.value)) < 160


def test_value_column_cannot_be_the_date_column(tmp_path):
    path = write(tmp_path, rows(["1991-01", "1991-02", "1991-03"]))
    with pytest.raises(RnnlabError, match="column 'date' is the date column"):
        read_csv_series(path, value_col="date")


def test_duplicates_name_file_lines(tmp_path):
    path = write(tmp_path, rows(["1991-01", "1991-02", "1991-02", "1991-03"]))
    with pytest.raises(RnnlabError, match=r"duplicate timestamp 1991-02-01 \(lines 3 and 4\)"):
        read_csv_series(path)


def test_inf_in_a_file(tmp_path):
    path = write(tmp_path, rows(["1991-01", "1991-02", "1991-03"], [1, "inf", 3]))
    with pytest.raises(
        RnnlabError, match=r"infinite value at 1991-02-01 \(line 3\); remove or fix"
    ):
        read_csv_series(path, fill="ffill")


def test_too_few_rows(tmp_path):
    with pytest.raises(RnnlabError, match="a series needs at least 3 points; got 2"):
        read_csv_series(write(tmp_path, rows(["1991-01", "1991-02"])))


@pytest.mark.parametrize("bad_row", [1, 3])
def test_a_bad_date_inside_the_data_is_reported(tmp_path, bad_row):
    dates = ["1991-01", "1991-02", "1991-03", "1991-04", "1991-05"]
    dates[bad_row] = "1991-13"
    with pytest.raises(
        RnnlabError,
        match=rf"line {bad_row + 2}: '1991-13' is not a date like the other rows of its column",
    ):
        read_csv_series(write(tmp_path, rows(dates)))


def test_dated_title_line_above_the_header_is_skipped(tmp_path):
    text = "Jan 2024,Monthly report\n" + rows(["Jan 1991", "Feb 1991", "Mar 1991"])
    assert read_csv_series(write(tmp_path, text)).values.tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is empty"),
        ("\n  \n", "is empty"),
        ("just one column\n1\n2\n", "no rows with two or more fields"),
        ("date,value\n", "found no column of dates"),
        ("a,b\nx,1\ny,2\n", "found no column of dates"),
        ("date,region\n1991-01,n\n1991-02,s\n1991-03,e\n", "no column of numbers besides"),
    ],
)
def test_files_without_data(tmp_path, text, message):
    with pytest.raises(RnnlabError, match=message):
        read_csv_series(write(tmp_path, text))


def test_excel_workbook_is_refused(tmp_path):
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(RnnlabError, match="zip or Excel workbook; save the sheet as CSV"):
        read_csv_series(tmp_path / "book.xlsx")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(RnnlabError, match="no such file: .*nope.csv"):
        read_csv_series(tmp_path / "nope.csv")
    with pytest.raises(RnnlabError, match="is a directory"):
        read_csv_series(tmp_path)


def test_garbage_never_leaks_other_exceptions(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(30):
        raw = bytes(rng.integers(0, 256, size=200, dtype=np.uint8))
        path = tmp_path / f"junk{i}.csv"
        path.write_bytes(b"date,value\n" + raw.replace(b"\x00", b"0"))
        with pytest.raises(RnnlabError):
            read_csv_series(path)
