"""What `rnnlab lab` writes and prints: findings in words, tables, metrics.json, report.html.

Formatting of the results of the lab's experiments (gradients.GradientResult,
memory.MemoryResult); torch is never imported here.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

GRADIENT_TITLE = "||dh_T/dh_k|| against the lag T-k (spectral norm, exact)"


def marks(max_lag: int) -> list[int]:
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


def write_gradients(out: Path, result, config: dict) -> None:
    """config.json, metrics.json, norms.csv, gradients.png and report.html of a GradientResult."""
    from rnnlab.core import figures, report
    from rnnlab.lab import plots

    results, findings, max_lag = result.networks, result.findings, result.params["max_lag"]
    lags = result.norms.index.to_numpy()
    report.write_json(out / "config.json", config)
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
                    "norm_at_lag": {lag: float(row["norms"][lag]) for lag in marks(max_lag)},
                    "prediction": row["formula"],
                    "finding": findings[name],
                }
                for name, row in results.items()
            },
        },
    )
    result.norms.to_csv(out / "norms.csv", float_format="%.6g")
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
            html_table(*gradient_table(result)) + f"<p>{GRADIENT_NOTE}</p>",
        ),
        (
            "What was measured",
            "<p>For every network, the exact Jacobian dh_T/dh_k (autograd, one vectorised backward "
            "pass per unit of h_T) for every lag T-k up to "
            f"{max_lag}, its spectral norm (largest singular value), averaged geometrically "
            f"over {result.params['networks']} random draws of the weights times "
            f"{result.params['sequences']} random input sequences x_t ~ N(0, 1) after "
            f"{result.params['burn_in']} burn-in steps. The vanilla RNN is the lecture's, "
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


def gradient_table(result) -> tuple[list[str], list[list[str]]]:
    """Header and rows: fitted factor and rate, norms at a few lags, what the formulas predict."""
    max_lag = result.params["max_lag"]
    header = ["network", "x per step", "rate/step"]
    header += [f"lag {lag}" for lag in marks(max_lag)] + ["predicted x/step", "bound"]
    rows = []
    for row in result.networks.values():
        f = row["formula"]
        rows.append(
            [
                row["label"],
                f"{row['factor_per_step']:.3f}",
                f"{row['rate_per_step']:+.3f}",
                *(f"{row['norms'][lag]:.1e}" for lag in marks(max_lag)),
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


def print_gradients(result) -> None:
    print_table(GRADIENT_TITLE, *gradient_table(result), [GRADIENT_NOTE])


def print_memory(result) -> None:
    title = (
        f"Name the first of T symbols: mean test accuracy of {result.params['tries']} tries (how "
        f"many solved it); chance {result.chance:.0%}"
    )
    print_table(title, *memory_table(result), result.findings)


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


def write_memory(out: Path, result, config: dict) -> None:
    """config.json, metrics.json, accuracy.csv, memory.png and report.html of a MemoryResult."""
    from rnnlab.core import figures, report
    from rnnlab.lab import plots

    p, runs, chance = result.params, result.runs, result.chance  # the experiment's parameters
    init = lstm_init_words(p["lstm_init"], max(p["lags"]))
    report.write_json(out / "config.json", config)
    report.write_json(
        out / "metrics.json",
        {
            "task": f"name the first of T random symbols (alphabet {p['symbols']}, one-hot, the "
            "first marked by a start channel) after reading all T; many-to-one, cross-entropy",
            "chance": chance,
            "test": f"1000 held-out sequences per try; {p['tries']} tries (seeds) per cell and T",
            "lstm_init": init,
            "findings": result.findings,
            "runs": runs,
        },
    )
    result.tries.to_csv(out / "accuracy.csv", index=False, float_format="%.4g")
    lengths = list(p["lags"])
    curves = {cell: [by_t[t]["accuracy"] for t in lengths] for cell, by_t in runs.items()}
    dots = {
        cell: [[r["accuracy"] for r in by_t[t]["tries"]] for t in lengths]
        for cell, by_t in runs.items()
    }
    title = f"Remember the first of T symbols: mean of {p['tries']} tries, each a dot"
    fig = plots.plot_memory_accuracy(lengths, curves, chance, title, dots)
    figures.save_figure(fig, out / "memory.png")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in result.findings)
    sections = [
        ("Findings", f"<ul>{items}</ul>"),
        (
            "Test accuracy against T",
            html_table(*memory_table(result)) + f"<p>Chance is {chance:.0%}. Each try "
            f"trains on fresh random batches of {p['batch']} for at most {p['steps']} Adam steps "
            f"(lr {p['lr']}, gradient norm clipped at 1), stopping once a held-out batch is 99% "
            f"right; hidden size {p['hidden']}. The LSTM starts with {init}; RNN and GRU with "
            "torch's init.</p>",
        ),
    ]
    page = report.html_page(
        "rnnlab lab memory: how long can it remember?",
        sections,
        [("Test accuracy against T: the mean line, each try a dot", out / "memory.png")],
        config,
    )
    (out / "report.html").write_text(page, encoding="utf-8")


def memory_table(result) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the printed grid: T, then per cell "mean accuracy (solved/tries)"."""
    runs = result.runs
    header = ["T", *runs]
    rows = [
        [
            str(t),
            *(
                f"{by_t[t]['accuracy']:.3f} ({by_t[t]['solved']}/{len(by_t[t]['tries'])})"
                for by_t in runs.values()
            ),
        ]
        for t in result.params["lags"]
    ]
    return header, rows
