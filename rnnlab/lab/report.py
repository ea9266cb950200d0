"""What `rnnlab lab` writes and prints: findings in words, tables, metrics.json, report.html.

Formatting of the results of the lab's experiments; torch is never imported at module level.
"""

from __future__ import annotations

import argparse
import html
import math
from pathlib import Path

GRADIENT_TITLE = "||dh_T/dh_k|| against the lag T-k (spectral norm, exact)"


def _marks(max_lag: int) -> list[int]:
    return sorted({lag for lag in (10, 50, max_lag) if lag <= max_lag})


def gradient_finding(row: dict, max_lag: int) -> str:
    """One sentence: how fast the norm changes, where it is after 50 steps, what was predicted."""
    factor, at = row["factor_per_step"], min(50, max_lag)
    verb = "holds: changes" if 0.98 <= factor <= 1.02 else "shrinks" if factor < 1 else "grows"
    text = (
        f"{row['label']}: ||dh_T/dh_k|| {verb} by a factor {factor:.3f} per step "
        f"(fitted, rate {row['rate_per_step']:+.3f} per step); after {at} steps it is "
        f"{row['norms'][at]:.1e}."
    )
    f = row["formula"]
    if "bound" in f:
        return text + (
            f" The lecture's product predicts about {f['estimate']:.3f} per step "
            f"(rho x rms sigma' = {f['spectral_radius']:.2f} x "
            f"{f['estimate'] / f['spectral_radius']:.3f}) and at most {f['bound']:.3f} "
            "(the geometric mean of its factors' norms)."
        )
    gate = "forget gate f_t (dC_t/dC_(t-1))" if "LSTM" in row["label"] else "update gate z_t"
    return text + (
        f" Its own direct path, the {gate}, keeps {f['slowest_unit']:.3f} per step in the "
        f"slowest unit (mean gate {f['mean_gate']:.2f})."
    )


def write_gradients(out: Path, results: dict, max_lag: int, config: dict) -> None:
    import numpy as np
    import pandas as pd

    from rnnlab.core import figures, report
    from rnnlab.lab import plots

    lags = np.arange(max_lag + 1)
    report.write_json(out / "config.json", config)
    findings = {name: gradient_finding(row, max_lag) for name, row in results.items()}
    report.write_json(
        out / "metrics.json",
        {
            "measure": "||dh_T/dh_k||_2, the spectral norm of the exact Jacobian (autograd), "
            "geometric mean over random input sequences x_t ~ N(0, 1), after a burn-in",
            "rate": "least-squares slope of ln norm against lag, lags 1..max_lag; "
            "factor_per_step = exp(rate)",
            "networks": {
                name: {
                    "label": row["label"],
                    "rate_per_step": row["rate_per_step"],
                    "factor_per_step": row["factor_per_step"],
                    "norm_at_lag": {lag: float(row["norms"][lag]) for lag in _marks(max_lag)},
                    "prediction": row["formula"],
                    "finding": findings[name],
                }
                for name, row in results.items()
            },
        },
    )
    frame = pd.DataFrame({"lag": lags, **{name: row["norms"] for name, row in results.items()}})
    frame.to_csv(out / "norms.csv", index=False, float_format="%.6g")
    curves = {
        f"{row['label']}: x{row['factor_per_step']:.3f}/step": row["norms"]
        for row in results.values()
    }
    title = "How far back the gradient reaches: ||dh_T/dh_k|| against the lag"
    figures.save_figure(plots.plot_gradient_norms(lags, curves, title), out / "gradients.png")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in findings.values())
    sections = [
        ("Findings", f"<ul>{items}</ul>"),
        (
            GRADIENT_TITLE,
            html_table(*gradient_table(results, max_lag)) + f"<p>{GRADIENT_NOTE}</p>",
        ),
        (
            "What was measured",
            "<p>For every network, the exact Jacobian dh_T/dh_k (autograd, one vectorised backward "
            "pass per unit of h_T) for every lag T-k up to "
            f"{max_lag}, its spectral norm (largest singular value), averaged geometrically "
            f"over {config['args']['networks']} random draws of the weights times "
            f"{config['args']['sequences']} random input sequences x_t ~ N(0, 1) after "
            f"{config['args']['burn_in']} burn-in steps. The vanilla RNN is the lecture's, "
            "h_t = tanh(W_rec h_(t-1) + W_in x_t + b), W_rec Gaussian rescaled to the spectral "
            "radius rho; multiplying its factors diag(sigma'(a_i)) W_rec out by hand gives the "
            "same norms (max_log_gap_to_autograd in metrics.json). LSTM and GRU are torch's, "
            "with torch's init; 'b_f' sets the LSTM's forget-gate bias (the usual +1 of "
            "Jozefowicz et al. 2015, and larger). For the LSTM, C_k is held fixed: a change of "
            "h_k reaches h_T through the gates, then along both h and C.</p>",
        ),
    ]
    page = report.html_page(
        "rnnlab lab gradients: vanishing and exploding",
        sections,
        [("log10 ||dh_T/dh_k|| against the lag", out / "gradients.png")],
        config,
    )
    (out / "report.html").write_text(page, encoding="utf-8")


def gradient_table(results: dict, max_lag: int) -> tuple[list[str], list[list[str]]]:
    """Header and rows: fitted factor and rate, norms at a few lags, what the formulas predict."""
    header = ["network", "x per step", "rate/step"]
    header += [f"lag {lag}" for lag in _marks(max_lag)] + ["predicted x/step", "bound"]
    rows = []
    for row in results.values():
        f = row["formula"]
        rows.append(
            [
                row["label"],
                f"{row['factor_per_step']:.3f}",
                f"{row['rate_per_step']:+.3f}",
                *(f"{row['norms'][lag]:.1e}" for lag in _marks(max_lag)),
                f"{f.get('estimate', f.get('slowest_unit')):.3f}",
                f"{f['bound']:.3f}" if "bound" in f else "–",
            ]
        )
    return header, rows


GRADIENT_NOTE = (
    "predicted: for the RNN rho x rms sigma' (the lecture's product, mean field), for LSTM and "
    "GRU the slowest unit's forget / update gate; bound: the geometric mean of the norms of the "
    "lecture's factors ||diag(sigma'(a_i)) W_rec||."
)


def print_gradients(results: dict, max_lag: int) -> None:
    print_table(GRADIENT_TITLE, *gradient_table(results, max_lag), [GRADIENT_NOTE])


def print_memory(table: dict, args: argparse.Namespace) -> None:
    title = (
        f"Name the first of T symbols: mean test accuracy of {args.tries} tries (how many "
        f"solved it); chance {1 / args.symbols:.0%}"
    )
    print_table(title, *memory_table(table, args.lags), memory_findings(table, args.tries))


def print_table(title: str, header: list[str], rows: list[list[str]], notes: list[str]):
    from rich.console import Console
    from rich.table import Table

    table = Table(header_style="bold")  # the title above it: a narrow table would wrap it
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for row in rows:
        table.add_row(*row)
    console = Console(width=max(Console().width, 120))
    console.print(title, style="bold", highlight=False)
    console.print(table)
    for line in notes:
        console.print(line, highlight=False)


def html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td class='num'>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def lstm_init_words(init: str | float, longest: int) -> str:
    if init == "chrono":
        return (
            f"chrono initialization (Tallec & Ollivier 2018) for lags up to {longest}: each "
            f"unit's forget-gate bias drawn as log U(1, {max(longest - 1, 1)}), its input-gate "
            "bias the negative of that, so the units keep memories of 1 to "
            f"{longest} steps from the start and write little of each new symbol"
        )
    if init == "torch":
        return "torch's init (forget gate about sigma(0) = 0.5)"
    return f"forget-gate bias {init:g} in every unit (sigma = {1 / (1 + math.exp(-init)):.2f})"


def memory_findings(table: dict, tries: int) -> list[str]:
    """Per cell: how many tries solved each T, and from which T on none did."""
    from rnnlab.lab.experiments import SOLVED

    lines = []
    for cell, runs in table.items():
        counts = ", ".join(f"T={t} {r['solved']}/{tries}" for t, r in runs.items())
        never = [t for t in runs if all(runs[u]["solved"] == 0 for u in runs if u >= t)]
        text = f"{cell}: tries that solved it (test accuracy >= {SOLVED:.0%}): {counts}."
        if never:
            text += f" None from T = {min(never)} on."
        elif all(r["solved"] == tries for r in runs.values()):
            text += " Every try solved every T."
        lines.append(text)
    return lines


def write_memory(out: Path, table: dict, args: argparse.Namespace, config: dict) -> None:
    import pandas as pd

    from rnnlab.core import figures, report
    from rnnlab.lab import plots

    chance = 1 / args.symbols
    findings = memory_findings(table, args.tries)
    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "task": f"name the first of T random symbols (alphabet {args.symbols}, one-hot, the "
            "first marked by a start channel) after reading all T; many-to-one, cross-entropy",
            "chance": chance,
            "test": f"1000 held-out sequences per try; {args.tries} tries (seeds) per cell and T",
            "lstm_init": lstm_init_words(args.lstm_init, max(args.lags)),
            "findings": findings,
            "runs": table,
        },
    )
    frame = pd.DataFrame(
        [
            {"cell": cell, "T": length, **result}
            for cell, runs in table.items()
            for length, summary in runs.items()
            for result in summary["tries"]
        ]
    )
    frame.to_csv(out / "accuracy.csv", index=False, float_format="%.4g")
    lengths = list(args.lags)
    curves = {cell: [runs[t]["accuracy"] for t in lengths] for cell, runs in table.items()}
    dots = {
        cell: [[r["accuracy"] for r in runs[t]["tries"]] for t in lengths]
        for cell, runs in table.items()
    }
    title = f"Remember the first of T symbols: mean of {args.tries} tries, each a dot"
    fig = plots.plot_memory_accuracy(lengths, curves, chance, title, dots)
    figures.save_figure(fig, out / "memory.png")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in findings)
    sections = [
        ("Findings", f"<ul>{items}</ul>"),
        (
            "Test accuracy against T",
            html_table(*memory_table(table, lengths)) + f"<p>Chance is {chance:.0%}. Each try "
            f"trains on fresh random batches of {args.batch} for at most {args.steps} Adam steps "
            f"(lr {args.lr}, gradient norm clipped at 1), stopping once a held-out batch is 99% "
            f"right; hidden size {args.hidden}. The LSTM starts with "
            f"{lstm_init_words(args.lstm_init, max(args.lags))}; RNN and GRU with torch's "
            "init.</p>",
        ),
    ]
    page = report.html_page(
        "rnnlab lab memory: how long can it remember?",
        sections,
        [("Test accuracy against T: the mean line, each try a dot", out / "memory.png")],
        config,
    )
    (out / "report.html").write_text(page, encoding="utf-8")


def memory_table(table: dict, lengths) -> tuple[list[str], list[list[str]]]:
    header = ["T", *table]
    rows = [
        [
            str(t),
            *(
                f"{runs[t]['accuracy']:.3f} ({runs[t]['solved']}/{len(runs[t]['tries'])})"
                for runs in table.values()
            ),
        ]
        for t in lengths
    ]
    return header, rows
