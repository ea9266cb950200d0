"""The lab's figures: gradient norms against the lag, memory-task accuracy against the length."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def plot_gradient_norms(lags, norms: dict, title: str) -> Figure:
    """log10 ||dh_T/dh_k|| against the lag T - k, one line per network; norms maps a legend
    label (which may carry the fitted rate) to the norm at every lag."""
    fig = Figure(figsize=(9, 5.2))
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.11, top=0.9)
    ax = fig.subplots()
    for label, values in norms.items():
        style = "-" if label.startswith("RNN") else "--"  # the lecture's RNN solid, gated dashed
        ax.plot(lags, np.log10(values), style, lw=1.6, label=label)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xlabel("lag T - k (steps)")
    ax.set_ylabel("log10 ||dh_T / dh_k||  (spectral norm)")
    ax.set_title(title, fontsize=11, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return fig


def plot_memory_accuracy(
    lengths, accuracy: dict, chance: float, title: str, tries: dict | None = None
) -> Figure:
    """Test accuracy against the lag T, one line per cell (tries[cell][i]: the single runs at
    lengths[i], drawn as dots), chance level dashed."""
    fig = Figure(figsize=(8, 4.6))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.9)
    ax = fig.subplots()
    for cell, values in accuracy.items():
        (line,) = ax.plot(lengths, values, "-", lw=1.6, label=cell)
        for t, runs in zip(lengths, (tries or {}).get(cell, []), strict=False):
            ax.plot([t] * len(runs), runs, "o", color=line.get_color(), alpha=0.5, ms=4)
    ax.axhline(chance, color="0.4", ls="--", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xscale("log")
    ax.set_xticks(lengths, [str(t) for t in lengths])
    ax.minorticks_off()
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("T: symbols read before answering (the first is the one to name)")
    ax.set_ylabel("test accuracy")
    ax.set_title(title, fontsize=11, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    return fig
