"""What a forecast reads: a panel from a file, a built-in dataset or pandas, and its covariates.

Long format (`unique_id, ds, y`; CSV or Parquet; a DataFrame) is read as a panel of many
series; anything else (a CSV of one series with a date and a value column, a built-in dataset,
a pandas Series) as a panel of one. Covariates known in advance come in two kinds, both fed to
the global networks only: columns of the data whose future values the user supplies (a price
plan), and calendar features of the timestamps (data/covariates.py).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rnnlab.data.panel import Panel, panel_from_series, read_csv_text, read_frame, read_panel
from rnnlab.data.series import SeriesData
from rnnlab.errors import ParameterError, ParametersError, literal


def read_input(
    csv: Path | None = None,
    data: str | None = None,
    *,
    id_col: str = "unique_id",
    date_col: str | None = None,
    value_col: str | None = None,
    season: int | None = None,
    fill: str | None = None,
    future_cols: tuple[str, ...] = (),
) -> Panel:
    """A long-format file as a panel (its date and value columns default to ds and y); any
    other file, or the built-in dataset `data` (default elec_equip), as a panel of one series."""
    if csv is not None and (
        Path(csv).suffix.lower() in (".parquet", ".pq") or id_col in _columns(Path(csv))
    ):
        return read_panel(
            csv,
            id_col=id_col,
            ds_col=date_col or "ds",
            value_col=value_col or "y",
            season=season,
            fill=fill,
            covariates=tuple(future_cols),
        )
    if future_cols:
        raise ParameterError(
            "future_cols",
            f"{{name}} needs a long-format file (columns {literal(id_col)}, ds, y and yours)",
        )
    return panel_from_series(read_series(csv, data, date_col, value_col, season, fill))


def read_series(csv, data, date_col, value_col, season, fill) -> SeriesData:
    """The one series in the CSV file `csv`, or the built-in dataset `data`, validated."""
    if season is not None and season < 1:
        raise ParameterError("season", f"{{name}} must be a whole number >= 1 (got {season})")
    if csv is not None:
        if data is not None:
            raise ParametersError("give either {data} or {csv}, not both", ("data", "csv"))
        from rnnlab.data.csv_reader import read_csv_series

        return read_csv_series(
            csv, date_col=date_col, value_col=value_col, season=season, fill=fill
        )
    from rnnlab.data.datasets import load_builtin

    return load_builtin(data or "elec_equip", season=season)


def _columns(path: Path) -> list[str]:
    """The header of a plain CSV file, or [] when it is not one (metadata lines, binary...)."""
    try:
        return [str(c) for c in read_csv_text(path, nrows=5, sep=None, engine="python").columns]
    except Exception:  # noqa: BLE001 - the full reader gives the real error
        return []


def as_panel(
    data,
    id_col: str | None = "unique_id",
    time_col: str | None = "ds",
    target_col: str | None = "y",
    season: int | None = None,
    fill: str | None = None,
    future_cols: tuple[str, ...] = (),
) -> Panel:
    """A Panel from a long-format DataFrame, a pandas Series (one series), a SeriesData or a
    Panel (returned as it is: it was read already)."""
    if isinstance(data, Panel):
        return data
    if isinstance(data, SeriesData | pd.Series):
        if future_cols:
            raise ParameterError("future_cols", "{name} needs a long-format DataFrame")
        from rnnlab.data.frames import from_pandas

        series = (
            data if isinstance(data, SeriesData) else from_pandas(data, season=season, fill=fill)
        )
        return panel_from_series(series)
    if isinstance(data, pd.DataFrame):
        return read_panel(
            data,
            id_col=id_col or "unique_id",
            ds_col=time_col or "ds",
            value_col=target_col or "y",
            season=season,
            fill=fill,
            covariates=tuple(future_cols),
        )
    raise ParameterError(
        "df",
        "{name} must be a long-format DataFrame (unique_id, ds, y) or a pandas Series, not "
        + literal(type(data).__name__),
    )


def add_covariates(
    panel: Panel,
    horizon: int,
    *,
    strategy: str,
    calendar: bool,
    future_df=None,
    id_col: str | None = "unique_id",
    time_col: str | None = "ds",
    need_future: bool = True,
) -> Panel:
    """The panel with the future values of its covariate columns (from `future_df`, a
    DataFrame or a long-format file) and, with `calendar`, calendar features; both only for
    the global networks, the ones that read them. `need_future` False: a backtest, which
    takes the covariates' future values from the data itself."""
    from rnnlab.data.covariates import with_calendar, with_future_values

    if panel.cov is None and not calendar:
        return panel
    if strategy == "local":
        raise ParametersError(
            "{calendar} and {future_cols} feed the global networks; {strategy} local's "
            "per-series models do not take them",
            ("calendar", "future_cols", "strategy"),
            "strategy",
        )
    if panel.cov is not None and need_future:
        if future_df is None:
            names = literal(", ".join(panel.cov_names))
            raise ParameterError(
                "future_df",
                f"{{name}} must hold the values of {names} for the {horizon} steps after each "
                "series ends",
            )
        if isinstance(future_df, str | Path):
            frame, source = read_frame(future_df), str(future_df)
        else:
            frame, source = future_df, "future_df"
        ds_col = time_col or "ds"
        panel = with_future_values(panel, frame, id_col or "unique_id", ds_col, horizon, source)
    return with_calendar(panel, horizon) if calendar else panel
