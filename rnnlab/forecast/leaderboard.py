"""The forecasting leaderboard: models beside the baselines, in the terminal and in HTML.

Rows are sorted by MASE; every table says whether each model beats seasonal naive.
"""

from __future__ import annotations

import html
import math

LEADERBOARD_COLUMNS = [  # key, heading, format
    ("mase", "MASE", "{:.3f}"),
    ("smape", "sMAPE", "{:.2f}"),
    ("rmse", "RMSE", "{:.3f}"),
    ("mae", "MAE", "{:.3f}"),
    ("mape", "MAPE %", "{:.2f}"),
    ("r2", "R²", "{:.3f}"),
    ("mse_scaled", "MSE (scaled)", "{:.5f}"),
]


PANEL_COLUMNS = [  # many series: only scale-free averages mean something
    ("smape", "sMAPE", "{:.2f}"),
    ("mase", "MASE", "{:.3f}"),
    ("owa", "OWA", "{:.3f}"),
    ("mape", "MAPE %", "{:.2f}"),
]


def _fmt(value, pattern: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return pattern.format(value)


def verdict(rows: list[dict]) -> str:
    """One sentence: how many learned models beat seasonal naive on MASE, and the best one."""
    learned = [r for r in rows if r.get("kind") == "neural"]
    reference = next((r for r in rows if r["id"] == "seasonal_naive"), None)
    if not learned or reference is None:
        return ""
    winners = [r for r in learned if r["beats_seasonal_naive"]]
    best = min(learned, key=lambda r: r["mase"])
    return (
        f"{len(winners)} of {len(learned)} neural models beat seasonal naive on MASE; "
        f"best: {best['id']} (MASE {best['mase']:.3f} vs {reference['mase']:.3f})."
    )


def print_leaderboard(rows: list[dict], title: str, columns: list | None = None) -> None:
    """The leaderboard, best MASE first, with whether each model beats seasonal naive."""
    columns = columns or LEADERBOARD_COLUMNS
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("model", no_wrap=True, min_width=16)
    for _, heading, _ in columns:
        table.add_column(heading, justify="right")
    table.add_column("beats sNaive")
    table.add_column("fit s", justify="right")
    table.add_column("epochs", justify="right")
    for rank, row in enumerate(sorted(rows, key=_mase_key), start=1):
        beats = {True: "[green]yes[/]", False: "[red]no[/]"}.get(row["beats_seasonal_naive"], "–")
        if row["id"] == "seasonal_naive":
            beats = "(reference)"
        table.add_row(
            str(rank),
            row["id"],
            *(_fmt(row.get(k), p) for k, _, p in columns),
            beats,
            f"{row['fit_seconds']:.2f}",
            str(row["epochs"] or "–"),
        )
    console = Console(width=max(Console().width, 132))
    console.print(table)
    if line := verdict(rows):
        console.print(line)


def print_window_table(window_rows: list[list[dict]], cuts: list[int]) -> None:
    """MASE of every model in every backtest window, oldest window first."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="MASE per backtest window", title_justify="left", header_style="bold")
    table.add_column("window", justify="right")
    table.add_column("origin", justify="right")
    for row in window_rows[0]:
        table.add_column(row["id"], justify="right")
    for k, (rows, cut) in enumerate(zip(window_rows, cuts, strict=True), start=1):
        best = min(range(len(rows)), key=lambda j: _mase_key(rows[j]))
        cells = [_fmt(r["mase"], "{:.3f}") for r in rows]
        cells[best] = f"[bold]{cells[best]}[/]"
        table.add_row(str(k), f"end-{cut}", *cells)
    Console(width=max(Console().width, 132)).print(table)


def window_table_html(window_rows: list[list[dict]]) -> str:
    head = "".join(f"<th>{html.escape(r['id'])}</th>" for r in window_rows[0])
    body = "".join(
        f"<tr><td>{k}</td>"
        + "".join(f"<td>{_fmt(r['mase'], '{:.3f}')}</td>" for r in rows)
        + "</tr>"
        for k, rows in enumerate(window_rows, start=1)
    )
    return f"<table><tr><th>window</th>{head}</tr>{body}</table>"


def _mase_key(row: dict) -> float:
    value = row["mase"]
    return value if value is not None and math.isfinite(value) else float("inf")


def leaderboard_html(rows: list[dict], columns: list | None = None) -> str:
    columns = columns or LEADERBOARD_COLUMNS
    head = "".join(f"<th>{h}</th>" for _, h, _ in columns)
    body = []
    for rank, row in enumerate(sorted(rows, key=_mase_key), start=1):
        beats = row["beats_seasonal_naive"]
        mark = (
            "(reference)"
            if row["id"] == "seasonal_naive"
            else f"<span class='{'yes' if beats else 'no'}'>{'yes' if beats else 'no'}</span>"
        )
        cells = "".join(f"<td class='num'>{_fmt(row.get(k), p)}</td>" for k, _, p in columns)
        body.append(
            f"<tr><td>{rank}</td><td>{html.escape(row['id'])}</td>{cells}<td>{mark}</td>"
            f"<td class='num'>{row['fit_seconds']:.2f}</td><td class='num'>"
            f"{row['epochs'] or '–'}</td></tr>"
        )
    return (
        f"<table><tr><th>#</th><th>model</th>{head}<th>beats seasonal naive</th>"
        f"<th>fit s</th><th>epochs</th></tr>{''.join(body)}</table>"
    )
