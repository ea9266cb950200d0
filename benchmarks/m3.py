"""M3 competition: rnnlab's default forecast against the published methods, per group.

For each group (yearly h=6, quarterly h=8, monthly h=18, other h=8) the training part of every
series (all but the last NF values), one long-format DataFrame, is forecast by ONE fit of
rnnlab's Python API, `PanelForecaster(horizon=NF).fit(train)` (what `rnnlab forecast --csv
train.csv --horizon NF` runs), with default settings, and scored on the last NF values. The
published forecasts of the 24 M3 methods (../shared/data/m3/M3Forecast.csv) are scored with
the same sMAPE code: THETA on monthly should come out near 13.9.

    .venv/bin/python benchmarks/m3.py [--groups monthly,yearly,...] [--extra "--ensemble 3"]

--extra takes `rnnlab forecast` flags, read by the command's own parser into the parameters.

Prints a table per group and writes benchmarks/results/DATE-m3.md.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from results_file import save_result

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "m3"
GROUPS = {"yearly": ("YS", 1), "quarterly": ("QS", 4), "monthly": ("MS", 12), "other": (None, 1)}
PUBLISHED = ["THETA", "ForecastPro", "ForcX", "COMB S-H-D", "DAMPEN", "Auto-ANN", "NAIVE2"]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rnnlab.cli import build_parser  # noqa: E402
from rnnlab.core.metrics import mase, smape  # noqa: E402
from rnnlab.forecast import PanelForecaster  # noqa: E402


def forecaster(horizon: int, extra: str) -> PanelForecaster:
    """PanelForecaster with the parameters `rnnlab forecast --horizon H EXTRA` would use."""
    args = build_parser().parse_args(["forecast", "--horizon", str(horizon), *shlex.split(extra)])
    return PanelForecaster(**{k: getattr(args, k) for k in PanelForecaster().get_params()})


def load(group: str):
    frame = pd.read_csv(DATA / f"M3_{group}.csv")
    values = frame.filter(regex=r"^v\d+$").to_numpy(float)
    series = [row[:n] for row, n in zip(values, frame["N"], strict=True)]
    return frame, series


def long_format(group: str, frame, series) -> pd.DataFrame:
    freq, _ = GROUPS[group]
    parts = []
    for (_, row), y in zip(frame.iterrows(), series, strict=True):
        train = y[: -int(row["NF"])]
        year = int(row["start_year"]) if row["start_year"] >= 1800 else 1990  # 0: not known
        if freq is None:
            ds = np.arange(len(train))
        else:
            period = {"YS": "Y", "QS": "Q", "MS": "M"}[freq]
            sub = int(row["start_period"])
            sub = sub if 1 <= sub <= (4 if freq == "QS" else 12) else 1  # 0 or 9: not known
            if freq == "YS":
                start = pd.Period(year=year, freq=period)
            elif freq == "QS":
                start = pd.Period(year=year, quarter=sub, freq=period)
            else:
                start = pd.Period(year=year, month=sub, freq=period)
            ds = pd.period_range(start, periods=len(train), freq=period).to_timestamp()
        parts.append(pd.DataFrame({"unique_id": row["series"], "ds": ds, "y": train}))
    return pd.concat(parts, ignore_index=True)


def score(frame, series, forecasts: dict, season: int) -> dict[str, tuple[float, float]]:
    """(sMAPE, MASE) of every method: per series, then the mean. STEPS collects each method's
    sMAPE per horizon step for the M3 tables' other average (over horizons)."""
    out = {}
    for name, by_id in forecasts.items():
        s, m, steps = [], [], []
        for (_, row), y in zip(frame.iterrows(), series, strict=True):
            h = int(row["NF"])
            f = by_id.get(row["series"])
            if f is None:
                break
            s.append(smape(y[-h:], f[:h]))
            steps.append([smape(y[len(y) - h + k], f[k]) for k in range(h)])
            m.append(mase(y[-h:], f[:h], y[:-h], season if len(y) - h > season else 1))
        else:
            out[name] = (float(np.mean(s)), float(np.mean(m)))
            for per_series in steps:
                for k, value in enumerate(per_series):
                    STEPS.setdefault(name, {}).setdefault(k, []).append(value)
    return out


STEPS: dict[str, dict[int, list]] = {}  # method: horizon step: sMAPE of every series there


def published(frame) -> dict:
    table = pd.read_csv(DATA / "M3Forecast.csv")
    wanted = {f"N{int(name[1:]):04d}": name for name in frame["series"]}
    table = table[table["series"].isin(wanted)]
    out = {}
    for method, group in table.groupby("method"):
        values = group.filter(like="F").to_numpy(float)
        out[method] = {wanted[s]: v for s, v in zip(group["series"], values, strict=True)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default="monthly,quarterly,yearly,other")
    parser.add_argument("--extra", default="", help="more rnnlab forecast flags")
    args = parser.parse_args()
    lines = [
        f"# M3 benchmark, {time.strftime('%Y-%m-%d')}",
        "",
        f"Command: `python benchmarks/m3.py --groups {args.groups}"
        + (f' --extra "{args.extra}"' if args.extra else "")
        + "`",
        "",
    ]
    totals: dict[str, list] = {}  # method: [(group, series, sMAPE)]
    walls = []
    for group in args.groups.split(","):
        frame, series = load(group)
        horizon, season = int(frame["NF"].iloc[0]), GROUPS[group][1]
        train = long_format(group, frame, series)
        start = time.perf_counter()
        fitted = forecaster(horizon, args.extra).fit(
            train, season=1 if GROUPS[group][0] is None else None
        )
        wall = time.perf_counter() - start
        fc = fitted.predict()
        ours = {uid: g["yhat"].to_numpy() for uid, g in fc.groupby("unique_id", sort=False)}
        tests = {
            row["series"]: y[-int(row["NF"]) :]
            for (_, row), y in zip(frame.iterrows(), series, strict=True)
        }
        actual = np.concatenate([tests[uid] for uid in fc["unique_id"].unique()])
        cover = {
            lvl: float(np.mean((actual >= fc[f"yhat_lo_{lvl}"]) & (actual <= fc[f"yhat_hi_{lvl}"])))
            for lvl in (80, 95)
        }
        models = list(fitted.leaderboard()["model"])
        scores = score(frame, series, {"rnnlab (default)": ours} | published(frame), season)
        walls.append(wall)
        for name, (s, _) in scores.items():
            totals.setdefault(name, []).append((group, len(series), s))
        lines += [
            f"## {group}: {len(series)} series, h={horizon}, one fit in {wall:.0f} s",
            "",
            f"`rnnlab forecast --csv train.csv --horizon {horizon}"
            + (" --season 1" if GROUPS[group][0] is None else "")
            + (f" {args.extra}" if args.extra else "")
            + "`",
            "",
            "| method | sMAPE | MASE |",
            "|---|---|---|",
        ]
        for name, (s, m) in sorted(scores.items(), key=lambda kv: kv[1][0]):
            if name.startswith("rnnlab") or name in PUBLISHED:
                lines.append(
                    f"| {'**' + name + '**' if name.startswith('rnnlab') else name} "
                    f"| {s:.2f} | {m:.3f} |"
                )
        lines += [
            "",
            f"Coverage of rnnlab's intervals on the test values: 80%: {cover[80]:.1%}, "
            f"95%: {cover[95]:.1%}.",
            "",
            f"(rnnlab's hold-out leaderboard compared: {', '.join(models)})",
            "",
        ]
        print("\n".join(lines[-(len(scores) + 8) :]), flush=True)
    groups = args.groups.split(",")
    if len(groups) > 1:  # the average over every series of the groups run: M3's overall table
        n = sum(len(load(g)[1]) for g in groups)
        lines += [
            f"## All {len(groups)} groups: {n} series, {sum(walls):.0f} s of rnnlab in all",
            "",
            "| method | sMAPE over all series | mean over horizons 1-18 "
            "(each step's mean over series first) |",
            "|---|---|---|",
        ]
        overall = {
            name: sum(k * s for _, k, s in parts) / n
            for name, parts in totals.items()
            if len(parts) == len(groups)
        }
        for name, value in sorted(overall.items(), key=lambda kv: kv[1]):
            if name.startswith("rnnlab") or name in PUBLISHED:
                bold = name.startswith("rnnlab")
                steps = STEPS[name]
                by_horizon = np.mean([np.mean(steps[k]) for k in sorted(steps)])
                lines.append(
                    f"| {'**' + name + '**' if bold else name} | {value:.2f} | {by_horizon:.2f} |"
                )
        lines.append("")
        print("\n".join(lines[-(len(overall) + 5) :]), flush=True)
    text = "\n".join(lines) + "\n"
    tag = args.groups.replace(",", "-") + ("-" + "".join(args.extra.split()) if args.extra else "")
    save_result(f"m3-{tag}", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
