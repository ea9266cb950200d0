"""`rnnlab datasets`: the built-in series, with frequency, span and length."""

from __future__ import annotations

import argparse

from rnnlab.commands import common


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "datasets", help="list the built-in datasets", description=__doc__
    )
    common.add_common_args(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from rnnlab.data.datasets import BUILTINS, load_builtin

    table = Table(header_style="bold")
    for heading in ("name", "freq", "season", "span", "length", "what it is"):
        table.add_column(heading, justify="right" if heading == "length" else "left")
    for name, builtin in BUILTINS.items():
        series = load_builtin(name)
        span = f"{series.index[0].date()} .. {series.index[-1].date()}"
        table.add_row(
            name, series.freq, str(series.season), span, str(len(series)), builtin.description
        )
    Console(width=max(Console().width, 120)).print(table)
    return 0
