"""The fuzz harness: property-based fuzzing of the file readers and the command line (hypothesis).

Every generated input either loads into a valid object or ends in one RnnlabError line (on the
command line: exit code 2 and one line on stderr); any other exception is a traceback, a bug.
The files vary what real exports vary: random bytes, UTF-8 with a BOM and Latin-1, `;` and tab
separators, decimal commas and thousands groups, empty files, a header alone, one row, all NaN,
huge values (1e308, inf), very long lines, quotes, CRLF. The command-line cases always end with
a bad --out, so a valid input stops at the run directory instead of training.

derandomize=True: every run tests the same cases. The conftest summary prints how many ran;
tests/commands/test_fuzz_cli.py checks that a full run reaches MIN_CASES.
The properties live beside the rooms they test (tests/*/test_fuzz_*.py); this module holds the
settings, the generators of files and flags, and the checks they share.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import signal
import tempfile
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from rnnlab.cli import main
from rnnlab.errors import RnnlabError
from rnnlab.forecast import NEURAL_NAMES

MIN_CASES = 1000


HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def fuzz(max_examples: int):
    """Reproducible settings; no example database, so nothing is written into the repository."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def assert_one_line(message: str) -> None:
    assert message.strip(), "an empty error message"
    assert message.splitlines() == [message], f"not one line: {message!r}"


def outcome(tally, name: str, call, *args, **kwargs):
    """call(...)'s result, or None when it raised an RnnlabError of one line; anything else
    fails the test."""
    tally.cases[name] += 1
    try:
        return call(*args, **kwargs)
    except RnnlabError as err:
        assert_one_line(str(err))
        return None
    except Exception:
        tally.tracebacks += 1
        raise


SEPARATORS = st.sampled_from([",", ";", "\t"])


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "latin-1"])


NEWLINES = st.sampled_from(["\n", "\r\n"])


LINE_TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), max_size=30
)


HEADER_WORDS = ["date", "Datum", "Année", "période", "timestamp", "value", "Wert", "Größe"]


HEADER_WORDS += ["Preis (£)", "y", "ds", "unique_id", "", "a;b", 'say "hi"', "1991"]


SPECIAL = ["", "NA", "nan", "NaN", "-", "..", "null", "?", "inf", "-inf", "Infinity", "1e308"]


SPECIAL += ["-1e308", "1e309", "1.7976931348623157e308", "3.5e38", "-0", "1e-320", "abc"]


SPECIAL += ["1 234", "1.234,5", "1,234.5", "12,5", "1,2,3", "١٢٣", "0x10", "1_000", " 7 ", "TRUE"]


# (strftime format or "Q" for 1991Q1, pandas frequency of consecutive rows)
DATE_STYLES = [("%Y-%m-%d", "D"), ("%d.%m.%Y", "D"), ("%m/%d/%Y", "D"), ("%d/%m/%Y", "D")]


DATE_STYLES += [("%Y-%m", "MS"), ("%b %Y", "MS"), ("%Y-%m-%d %H:%M", "h"), ("%Y", "YS")]


DATE_STYLES += [("%Y-%m-%dT%H:%M:%S", "30min"), ("Q", "QS"), ("%Y%m%d", "D")]


LONG_CELLS = [0, 5_000, 200_000]  # characters; the csv module refuses fields over 131,072


def quoted(text: str, sep: str) -> str:
    """A field as a spreadsheet writes it: quoted when it holds the separator or a quote."""
    return '"' + text.replace('"', '""') + '"' if sep in text or '"' in text else text


def render_date(stamp: pd.Timestamp, fmt: str) -> str:
    return f"{stamp.year}Q{stamp.quarter}" if fmt == "Q" else stamp.strftime(fmt)


@st.composite
def numbers(draw, decimal: str = ".") -> str:
    """A number as a spreadsheet may write it, with `decimal` as the decimal mark."""
    x = draw(
        st.one_of(
            st.integers(-(10**6), 10**6).map(float),
            st.floats(-1e6, 1e6),
            st.floats(allow_nan=False, allow_infinity=False),
        )
    )
    style = draw(st.sampled_from(["repr", "fixed", "grouped", "sci"]))
    text = {"repr": repr(x), "fixed": f"{x:.2f}", "grouped": f"{x:,.2f}", "sci": f"{x:.3e}"}[style]
    return text.translate(str.maketrans(".,", ",.")) if decimal == "," else text


def cells(decimal: str, clean: bool):
    """Value cells: numbers only when `clean`, else also missing markers, huge values, text."""
    if clean:
        return numbers(decimal)
    return st.one_of(numbers(decimal), st.sampled_from(SPECIAL), st.text(max_size=6))


@st.composite
def finish(draw, lines: list[str]) -> bytes:
    """Lines as file bytes: encoding, line ending, last newline, sometimes damaged."""
    newline, encoding = draw(NEWLINES), draw(ENCODINGS)
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    data = text.encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none"] * 6 + ["insert", "truncate", "flip"]))
    if damage != "none" and data:
        at = draw(st.integers(0, len(data) - 1))
        if damage == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif damage == "truncate":
            data = data[:at]
        else:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data


@st.composite
def dated_rows(draw, sep: str, decimal: str, n_max: int, styles=DATE_STYLES) -> list[list[str]]:
    """Rows of a date and a value, on a regular grid that mutations may break."""
    fmt, freq = draw(st.sampled_from(styles))
    n = draw(st.integers(0, n_max))
    start = draw(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
    stamps = pd.date_range(start, periods=n, freq=freq)
    values = draw(st.lists(cells(decimal, draw(st.booleans())), min_size=n, max_size=n))
    rows = [[render_date(t, fmt), quoted(v, sep)] for t, v in zip(stamps, values, strict=True)]
    extra = draw(st.sampled_from([None, None, None, *LONG_CELLS]))
    if extra is not None:  # a third column: a note, or one very long cell on the first row
        for i, row in enumerate(rows):
            row.append("x" * extra if i == 0 else quoted(draw(LINE_TEXT), sep))
    mutation = draw(st.sampled_from(["none"] * 4 + ["reverse", "drop", "duplicate", "junk"]))
    if rows and mutation == "reverse":
        rows.reverse()
    elif rows and mutation != "none":
        i = draw(st.integers(0, len(rows) - 1))
        if mutation == "drop":
            del rows[i]
        elif mutation == "duplicate":
            rows.insert(i, list(rows[i]))
        else:
            rows[i][0] = quoted(draw(LINE_TEXT), sep)
    return rows


@st.composite
def series_files(draw) -> bytes:
    """One series: notes above and below, an optional header, date and value rows."""
    sep = draw(SEPARATORS)
    decimal = draw(st.sampled_from([".", ","])) if sep != "," else "."
    lines = [sep.join(row) for row in draw(dated_rows(sep, decimal, 40))]
    header = draw(st.none() | st.lists(st.sampled_from(HEADER_WORDS), min_size=2, max_size=3))
    if header is not None:
        lines.insert(0, sep.join(quoted(h, sep) for h in header))
    above = draw(st.lists(LINE_TEXT, max_size=2))
    below = draw(st.lists(LINE_TEXT, max_size=2))
    return draw(finish(above + lines + below))


@st.composite
def panel_files(draw) -> bytes:
    """Long format: unique_id, ds, y (and a covariate), dates or integer steps."""
    sep = draw(SEPARATORS)
    names = ["unique_id", "ds", "y", "price"]
    if draw(st.booleans()):
        names = draw(st.permutations(names + draw(st.sampled_from([[], ["Größe"], ["y"]]))))
    ids = draw(st.lists(st.sampled_from(["a", "b", "Zürich", "1", "", "x,y"]), max_size=3))
    integer = draw(st.booleans())
    lines = [sep.join(quoted(n, sep) for n in names)]
    for uid in dict.fromkeys(ids):
        rows = draw(dated_rows(sep, ".", 12, [("%Y-%m-%d", "D"), ("%Y-%m", "MS")]))
        for step, row in enumerate(rows):
            ds = str(step) if integer else row[0]
            price = draw(st.sampled_from(["1.5", "2", "", "x", "1e300", "-inf"]))
            cell = {"unique_id": quoted(uid, sep), "ds": ds, "y": row[1], "price": price}
            lines.append(sep.join(cell.get(n, "0") for n in names))
    if draw(st.booleans()):
        lines[1:] = draw(st.permutations(lines[1:]))
    return draw(finish(lines))


@st.composite
def stream_files(draw) -> bytes:
    """A stream for the detector: timestamp, value (and a note), 0 to 80 rows."""
    sep = draw(SEPARATORS)
    rows = draw(dated_rows(sep, ".", 80, [("%Y-%m-%d %H:%M", "h"), ("%Y-%m-%d", "D")]))
    header = draw(st.sampled_from([["timestamp", "value"], ["Zeit", "Wert"], ["t", "x", "note"]]))
    return draw(finish([sep.join(header)] + [sep.join(r) for r in rows]))


UCR_LABELS = st.sampled_from(["1", "-1", "2", "1.0000000e+00", "abc", "", '"2"', "ä", "nan"])


UCR_VALUES = st.one_of(
    st.floats(-1e3, 1e3).map(repr),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(
        ["NaN", "nan", "?", "", "inf", "-inf", "1e308", "1e309", "-1e39", "3e38", "1,5"]
    ),
    st.text(max_size=4),
)


@st.composite
def ucr_files(draw) -> tuple[str, bytes]:
    """(suffix, bytes) of a labelled file: UCR wide (tab, comma, spaces), .ts, long format."""
    kind = draw(st.sampled_from(["tsv", "csv", "txt", "ts", "long"]))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        values = UCR_VALUES if draw(st.booleans()) else st.floats(-9, 9).map(repr)  # messy or not
        rows.append((draw(UCR_LABELS), draw(st.lists(values, max_size=12))))
    pad = draw(st.integers(0, 3))  # NaN padding at the end of every row
    rows = [(label, values + ["NaN"] * pad) for label, values in rows]
    lines = draw(st.lists(st.sampled_from(["", "# a comment"]), max_size=2))
    if kind == "ts":
        lines += draw(st.lists(st.sampled_from(["@problemName x", "@univariate true"]), max_size=2))
        lines += ["@data"] if draw(st.integers(0, 5)) else []
        lines += [",".join(v) + ":" + label for label, v in rows]
        if rows and draw(st.booleans()):
            lines.append(lines[-1].replace(":", ":0,1:", 1))  # two dimensions
    elif kind == "long":
        sep = draw(st.sampled_from([",", "\t", ";"]))
        lines.append(sep.join(["id", "label", "value", "time"]))
        for k, (label, values) in enumerate(rows):
            lines += [sep.join([str(k), label, v, str(t)]) for t, v in enumerate(values)]
    else:
        sep = {"tsv": "\t", "csv": ",", "txt": draw(st.sampled_from([" ", "  "]))}[kind]
        if draw(st.integers(0, 4)) == 0:
            lines.append(sep.join(["label"] + [f"t{i}" for i in range(5)]))
        lines += [sep.join([label, *values]) for label, values in rows]
    return ("csv" if kind == "long" else kind), draw(finish(lines))


TEXTS = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda t, enc: t.encode(enc, errors="replace"), st.text(max_size=300), ENCODINGS),
)


RAW = st.binary(max_size=2000)


@st.composite
def clean_series(draw) -> tuple[bytes, pd.DatetimeIndex, np.ndarray]:
    """A tidy export: header, ISO dates, two-decimal values; varies only separator, decimal
    mark, encoding, line ending. It must load exactly."""
    sep = draw(SEPARATORS)
    decimal = draw(st.sampled_from([".", ","])) if sep != "," else "."
    freq = draw(st.sampled_from(["D", "MS"]))
    n = draw(st.integers(3, 40))
    start = draw(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
    stamps = pd.date_range(start, periods=n, freq=freq)
    values = np.round(draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n)), 2)
    fmt = "%Y-%m-%d" if freq == "D" else "%Y-%m"
    header = draw(st.sampled_from([["date", "value"], ["Datum", "Größe"], ["période", "y"]]))
    lines = [sep.join(header)]
    for t, v in zip(stamps, values, strict=True):
        lines.append(f"{t.strftime(fmt)}{sep}{f'{v:.2f}'.replace('.', decimal)}")
    newline, encoding = draw(NEWLINES), draw(ENCODINGS)
    return (newline.join(lines) + newline).encode(encoding), stamps, values


@st.composite
def tidy_panel(draw) -> tuple[bytes, dict[str, int]]:
    """A tidy long-format export, (bytes, length of each series); it must load exactly."""
    sep, newline, encoding = draw(SEPARATORS), draw(NEWLINES), draw(ENCODINGS)
    ids = draw(st.lists(st.sampled_from(["a", "Zürich", "b-2", "7"]), min_size=1, unique=True))
    lengths = {uid: draw(st.integers(3, 30)) for uid in ids}
    freq = draw(st.sampled_from(["D", "MS", "h"]))
    rows = [
        sep.join([uid, str(t), f"{k * 1.5 - 3:.2f}"])
        for uid, n in lengths.items()
        for k, t in enumerate(pd.date_range("2001-01-01", periods=n, freq=freq))
    ]
    rows = draw(st.permutations(rows)) if draw(st.booleans()) else rows
    text = newline.join([sep.join(["unique_id", "ds", "y", "Preis"]), *rows, ""])
    return text.encode(encoding), lengths


ARG_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12)


INT_TEXT = st.one_of(
    st.integers(1, 12).map(str),  # sensible values, so that many cases pass the flag checks
    st.integers(-3, 40).map(str),
    st.sampled_from(["0", "-1", "2147483648", "99999999999999999999999", "1e3", "2.5", "abc"]),
    st.sampled_from(["", " 3", "١٢", "0x10", "-99999999999999999999999"]),
)


FLOAT_TEXT = st.one_of(
    st.sampled_from(["0.001", "0.01", "0.1", "0.2", "0.5"]),
    st.floats().map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "0", "-0.5", "0.5", "abc", "", "1,5"]),
)


COLUMNS = st.one_of(st.sampled_from(HEADER_WORDS + ["price", "2", "-1"]), ARG_TEXT)


def choice(*names: str):
    return st.one_of(st.sampled_from(names), ARG_TEXT)


TRAIN_FLAGS = {
    "--transform": choice("auto", "none", "diff", "sdiff"),
    "--scaler": choice("minmax", "standard", "robust"),
    "--epochs": INT_TEXT,
    "--lr": FLOAT_TEXT,
    "--batch-size": INT_TEXT,
    "--patience": INT_TEXT,
    "--min-delta": FLOAT_TEXT,
    "--monitor": choice("val", "train"),
    "--val-fraction": FLOAT_TEXT,
    "--seed": INT_TEXT,
}


INPUT_FLAGS = {
    "--date-col": COLUMNS,
    "--value-col": COLUMNS,
    "--fill": choice("interpolate", "ffill"),
    "--season": INT_TEXT,
    "--data": choice("elec_equip", "co2", "nope"),
}


FORECAST_FLAGS = {
    **TRAIN_FLAGS,
    **INPUT_FLAGS,
    "--id-col": choice("unique_id", "ds", "Zürich"),
    "--horizon": INT_TEXT,
    "--model": choice(*NEURAL_NAMES),
    "--strategy": choice("direct", "recursive", "seq2seq", "local"),
    "--preset": choice("mlp", "linear"),
    "--ensemble": INT_TEXT,
    "--lags": INT_TEXT,
    "--layout": choice("timesteps", "features"),
    "--hidden": INT_TEXT,
    "--layers": INT_TEXT,
    "--dropout": FLOAT_TEXT,
    "--normalize": choice("level", "standard", "last", "none"),
    "--loss": choice("mae", "mse"),
    "--future-cols": choice("price", "price,y", "", ","),
    "--future-csv": st.sampled_from(["@/future.csv", "@/missing.csv", "@"]),
    "--backtest": INT_TEXT,
    "--step": INT_TEXT,
    "--baselines": choice("naive", "theta,mean", "holt_winters", "bogus", ","),
    "--calendar": st.none(),
    "--refit": st.none(),
    "--no-theta": st.none(),
}


DEMO_FLAGS = {**TRAIN_FLAGS, **INPUT_FLAGS, "--split": choice("0.8", "2012-01-01", "nan", "")}


DETECT_FLAGS = {
    "--time-col": COLUMNS,
    "--value-col": COLUMNS,
    "--method": choice("naive", "residual", "gru", "gaussian"),
    "--threshold": FLOAT_TEXT,
    "--probation": INT_TEXT,
    "--labels": st.sampled_from(["@/labels.json", "@/labels.csv", "@/missing.json", "@"]),
    "--seed": INT_TEXT,
}


CLASSIFY_FLAGS = {
    "--model": choice("rocket", "fcn", "lstm", "gru", "lstm_fcn", "ensemble", "@", "@/missing"),
    "--kernels": INT_TEXT,
    "--predict": st.sampled_from(["@/test.tsv", "@/missing.tsv"]),
    "--bidirectional": st.none(),
    "--layers": INT_TEXT,
    "--hidden": INT_TEXT,
    "--pooling": choice("last", "mean"),
    "--epochs": INT_TEXT,
    "--lr": FLOAT_TEXT,
    "--batch-size": INT_TEXT,
    "--val-fraction": FLOAT_TEXT,
    "--threads": INT_TEXT,
    "--seed": INT_TEXT,
}


TEXTGEN_FLAGS = {
    "--cell": choice("lstm", "gru", "rnn"),
    **{flag: INT_TEXT for flag in ("--hidden", "--layers", "--embedding", "--batch", "--bptt")},
    **{flag: FLOAT_TEXT for flag in ("--dropout", "--lr", "--minutes", "--val-fraction")},
    "--steps": INT_TEXT,
    "--threads": INT_TEXT,
    "--seed": INT_TEXT,
}


STREAM = b"timestamp,value\n" + b"".join(  # 60 rows: enough for a detector
    b"2020-01-01 00:%02d:00,%d\n" % (m, m % 7) for m in range(60)
)


# A bad --out ends every case before training: a file, a folder of other files, below a file.
BAD_OUTS = st.sampled_from(["@/blocker", "@/full", "@/blocker/run"])


# Tidy inputs, so that many command-line cases get past reading to the checks after it.
@st.composite
def priced_panel(draw) -> bytes:
    """One to three series with a price column, long enough for the default backtest."""
    freq, rng = draw(st.sampled_from(["D", "MS"])), np.random.default_rng(draw(st.integers(0, 99)))
    lines = ["unique_id,ds,y,price"]
    for uid in ["a", "b", "c"][: draw(st.integers(1, 3))]:
        for t in pd.date_range("2001-01-01", periods=draw(st.integers(15, 40)), freq=freq):
            lines.append(f"{uid},{t:%Y-%m-%d},{rng.uniform(0, 100):.3f},{rng.integers(1, 4)}")
    return ("\n".join(lines) + "\n").encode()


@st.composite
def tidy_stream(draw, min_rows: int = 40) -> bytes:
    """An hourly stream in any separator, encoding and line ending."""
    n, rng = draw(st.integers(min_rows, 120)), np.random.default_rng(draw(st.integers(0, 99)))
    sep, newline, encoding = draw(SEPARATORS), draw(NEWLINES), draw(ENCODINGS)
    stamps = pd.date_range("2020-01-01", periods=n, freq="h")
    rows = [
        f"{t:%Y-%m-%d %H:%M:%S}{sep}{v:.4f}"
        for t, v in zip(stamps, rng.normal(size=n), strict=True)
    ]
    return newline.join([f"Zeitstempel{sep}Größe", *rows, ""]).encode(encoding)


@st.composite
def tidy_ucr(draw) -> tuple[str, bytes]:
    """A UCR .tsv with two classes."""
    n, rng = draw(st.integers(2, 10)), np.random.default_rng(draw(st.integers(0, 99)))
    length = draw(st.integers(1, 30))
    rows = [[str(1 + i % 2), *(f"{v:.6g}" for v in rng.normal(size=length))] for i in range(n)]
    return "tsv", "".join("\t".join(row) + "\n" for row in rows).encode()


INPUT_FILES = st.one_of(
    clean_series().map(lambda case: case[0]), priced_panel(), series_files(), panel_files(), RAW
)


@st.composite
def flags(draw, pool: dict) -> list[str]:
    """Up to three flags of `pool` with drawn values (None: a switch)."""
    argv = []
    for flag in draw(st.lists(st.sampled_from(sorted(pool)), max_size=3, unique=True)):
        value = draw(pool[flag])
        if value is None:
            argv.append(flag)
        else:  # "--lr=-1e400" also reaches the flag's check: "--lr -1e400" stops in argparse
            argv += [f"{flag}={value}"] if draw(st.booleans()) else [flag, value]
    return argv


def run_cli(tally, name: str, argv: list[str], files: dict[str, bytes], base: Path):
    """main(argv) in a fresh folder holding `files` ("@" in argv is that folder): it must
    return 0, or 2 with one line on stderr; argparse's SystemExit(2) counts as a return.
    Warnings that Python shows by default would be more lines on stderr: none may appear."""
    tally.cases[name] += 1
    where = Path(tempfile.mkdtemp(dir=base))
    (where / "blocker").write_text("a file\n")
    (where / "full").mkdir()
    (where / "full" / "notes.txt").write_text("not a run\n")
    for file, data in files.items():
        (where / file).write_bytes(data)
    argv = [
        arg.replace("@", str(where), 1) if arg.startswith("@") or "=@" in arg else arg
        for arg in argv
    ]
    stdout, stderr = io.StringIO(), io.StringIO()
    handler = signal.getsignal(signal.SIGTERM)  # main() installs its own
    try:
        with (
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            code = main(argv)
    except SystemExit as exit:
        code = exit.code
    except Exception:
        tally.tracebacks += 1
        raise
    finally:
        signal.signal(signal.SIGTERM, handler)
        shutil.rmtree(where, ignore_errors=True)
    err = stderr.getvalue()
    shown = [w for w in caught if not issubclass(w.category, HIDDEN_WARNINGS)]
    assert not shown, [f"{w.category.__name__}: {w.message}" for w in shown]
    assert "Traceback" not in err, err
    assert code in (0, 2), (code, argv, err)
    if code == 2:
        assert err.endswith("\n"), err
        assert_one_line(err[:-1])
    return err
