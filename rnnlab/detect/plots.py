"""The detection room's figure: values, scores, flagged points and label windows."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def plot_anomalies(
    timestamps, values, scores, flagged, threshold: float, windows=(), probation: int = 0
) -> Figure:
    """The stream with flagged points (red) and label windows (shaded), and the score below."""
    fig = Figure(figsize=(11, 5))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    top.plot(timestamps, values, lw=0.7, color="0.3", label="value")
    flagged = np.asarray(flagged, bool)
    top.plot(
        np.asarray(timestamps)[flagged],
        np.asarray(values)[flagged],
        "o",
        color="crimson",
        ms=5,
        label="flagged",
    )
    for k, (start, end) in enumerate(windows):
        for ax in (top, bottom):
            label = "label window" if k == 0 and ax is top else None
            ax.axvspan(start, end, color="gold", alpha=0.3, label=label)
    if probation > 0:
        for ax in (top, bottom):
            ax.axvspan(
                timestamps[0],
                timestamps[probation - 1],
                color="0.85",
                alpha=0.5,
                label="learning (not flagged)" if ax is top else None,
            )
    bottom.plot(timestamps, scores, lw=0.7, color="tab:blue")
    bottom.axhline(threshold, color="crimson", ls="--", lw=1)
    bottom.set_ylabel("anomaly score")
    top.set_ylabel("value")
    top.legend(fontsize=8, loc="upper left")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
