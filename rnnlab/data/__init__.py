"""Loading, validating, scaling and windowing series."""

from __future__ import annotations

from pathlib import Path


def load_series(source, **options):
    """A validated series from a built-in name, a CSV path, or a pandas Series/DataFrame.

    Options go to the reader: `date_col`, `value_col`, `season`, `fill` ("interpolate" or
    "ffill"); a built-in dataset takes only `season`.
    """
    if isinstance(source, str | Path) and not Path(source).suffix:
        from rnnlab.data.datasets import BUILTINS, load_builtin

        if str(source) in BUILTINS or not Path(source).exists():
            return load_builtin(str(source), **options)  # an unknown name lists the built-ins
    if isinstance(source, str | Path):
        from rnnlab.data.csv_reader import read_csv_series

        return read_csv_series(source, **options)
    from rnnlab.data.frames import from_pandas

    return from_pandas(source, **options)
