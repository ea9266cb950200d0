"""Built-in series, read from the data files that statsmodels ships (nothing downloads).

The files are found through the installed package's location without importing statsmodels,
which keeps start-up fast.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rnnlab.data.series import SeriesData, make_series
from rnnlab.errors import RnnlabError


@dataclass(frozen=True)
class Builtin:
    file: str  # relative to statsmodels/datasets
    description: str


BUILTINS = {
    "elec_equip": Builtin(
        "elec_equip/elec_equip.csv",
        "Euro-area electrical equipment turnover, monthly, not seasonally adjusted (default)",
    ),
    "co2": Builtin(
        "co2/co2.csv", "Mauna Loa atmospheric CO2 in ppm, weekly readings averaged to months"
    ),
    "sunspots": Builtin("sunspots/sunspots.csv", "Yearly mean sunspot numbers (cycle ~11 years)"),
    "nile": Builtin("nile/nile.csv", "Yearly flow of the Nile at Aswan, 10^8 m^3"),
    "elnino": Builtin("elnino/elnino.csv", "Monthly sea surface temperature, El Nino region, C"),
    "macrodata": Builtin("macrodata/macrodata.csv", "US real GDP, quarterly, billions of 2005 USD"),
}


def _datasets_dir() -> Path:
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or spec.origin is None:
        raise RnnlabError("the built-in datasets come with statsmodels: pip install statsmodels")
    return Path(spec.origin).parent / "datasets"


def _read_frame(name: str) -> tuple[pd.DatetimeIndex, pd.Series]:
    df = pd.read_csv(_datasets_dir() / BUILTINS[name].file)
    if name == "elec_equip":
        return pd.to_datetime(df.iloc[:, 0], format="%b-%d-%Y"), df.iloc[:, 1]
    if name == "co2":
        weekly = pd.Series(
            df["co2"].to_numpy(), pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
        )
        monthly = weekly.resample("MS").mean()  # months with no reading stay NaN: interpolated
        return monthly.index, monthly
    if name in ("sunspots", "nile"):
        year, value = df.columns[:2]
        return pd.to_datetime(df[year].astype(int).astype(str), format="%Y"), df[value]
    if name == "elnino":
        long = df.melt(id_vars="YEAR", var_name="month", value_name="sst")
        long["date"] = pd.to_datetime(
            long["YEAR"].astype(int).astype(str) + long["month"], format="%Y%b"
        )
        long = long.sort_values("date")
        return long["date"], long["sst"]
    # macrodata: quarterly
    starts = pd.PeriodIndex.from_fields(
        year=df["year"].astype(int), quarter=df["quarter"].astype(int), freq="Q"
    )
    return starts.to_timestamp(), df["realgdp"]


def load_builtin(name: str, season: int | None = None) -> SeriesData:
    """One of BUILTINS as a validated series."""
    if name not in BUILTINS:
        raise RnnlabError(f"unknown dataset {name!r}; choose one of: {', '.join(BUILTINS)}")
    index, values = _read_frame(name)
    return make_series(
        pd.DatetimeIndex(index),
        pd.Series(values).to_numpy(dtype=float),
        name=name,
        source=f"builtin:{name}",
        season=season,
        fill="interpolate" if name == "co2" else None,
    )
