"""What every run writes and prints: JSON, the leaderboard table, one self-contained HTML page.

The HTML embeds its images as base64 and carries its own CSS, so it opens offline, alone.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

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


def jsonable(obj):
    """NaN and inf become null (JSON has no NaN); tuples become lists; paths become strings."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item"):  # numpy scalar
        return jsonable(obj.item())
    return obj


def write_json(path: Path, obj) -> None:
    Path(path).write_text(json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n")


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


# ---------------------------------------------------------------------------------- html

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd}
th{background:#f4f4f4;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
.yes{color:#1a7f37;font-weight:600} .no{color:#c62828} img{max-width:100%}
pre{background:#f6f8fa;padding:.8rem;overflow:auto;font-size:.8rem} .verdict{font-weight:600}
"""


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


def html_page(
    title: str, sections: list[tuple[str, str]], images: list[tuple[str, Path]], config: dict
) -> str:
    """A self-contained page: sections of trusted HTML, embedded PNGs, the resolved config."""
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for heading, content in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{content}")
    for caption, path in images:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        parts.append(
            f"<h2>{html.escape(caption)}</h2><img alt='{html.escape(caption)}' "
            f"src='data:image/png;base64,{data}'>"
        )
    config_text = html.escape(json.dumps(jsonable(config), indent=2))
    parts.append(f"<h2>Configuration (config.json)</h2><pre>{config_text}</pre></body></html>")
    return "\n".join(parts)
