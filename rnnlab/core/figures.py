"""Figure helpers every room's plots share: a grid of panels, saving.

Plots are functions of arrays that return a matplotlib Figure (never plt.show()). Figures are
made without pyplot: no GUI backend, faster import, safe in threads and servers.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure


def grid(n: int, width: float = 11.0, panel_height: float = 2.4, cols: int = 2, sharex=True):
    rows = math.ceil(n / cols)
    height = panel_height * rows + 0.6
    # A fixed layout: constrained layout would double the drawing time.
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(
        left=0.06, right=0.98, bottom=0.5 / height, top=1 - 0.55 / height, hspace=0.4, wspace=0.15
    )
    axes = fig.subplots(rows, cols, squeeze=False, sharex=sharex).ravel()
    for i in range(n, len(axes)):
        axes[i].set_visible(False)
        if sharex and i >= cols:
            axes[i - cols].tick_params(labelbottom=True)  # it is now its column's lowest panel
    return fig, axes


def save_figure(fig: Figure, path) -> None:
    fig.savefig(path, dpi=100)


def draw_to_file(draw, path) -> None:
    """Make a figure with `draw()` and save it: one picklable-free unit of work for in_parallel."""
    save_figure(draw(), path)
