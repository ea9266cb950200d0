"""Plots as functions of arrays that return a matplotlib Figure (never plt.show()).

Figures are made without pyplot: no GUI backend, faster import, safe in threads and servers.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure


def _grid(n: int, width: float = 11.0, panel_height: float = 2.4, cols: int = 2, sharex=True):
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


def plot_test_predictions(
    history_dates, history, test_dates, actual, predictions: dict, scores: dict | None = None
) -> Figure:
    """One panel per model: end of the training span, test actuals, the model's forecasts."""
    fig, axes = _grid(len(predictions))
    for ax, (name, yhat) in zip(axes, predictions.items(), strict=False):
        ax.plot(history_dates, history, color="0.65", lw=1, label="training")
        ax.plot(test_dates, actual, color="black", lw=1.4, label="actual")
        ax.plot(test_dates, yhat, color="tab:red", lw=1.2, label="forecast")
        title = name if scores is None else f"{name}  (MASE {scores[name]:.3f})"
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle("Test span: one-step-ahead forecasts", fontsize=11)
    return fig


def plot_training_curves(curves: dict) -> Figure:
    """Training and validation loss (MSE on scaled values) per epoch, log scale, one panel each."""
    fig, axes = _grid(len(curves), panel_height=2.2, sharex=False)
    for ax, (name, (train_loss, val_loss, best_epoch)) in zip(axes, curves.items(), strict=False):
        epochs = np.arange(1, len(train_loss) + 1)
        ax.plot(epochs, train_loss, lw=1.2, label="training")
        if not np.all(np.isnan(val_loss)):
            ax.plot(epochs, val_loss, lw=1.2, label="validation")
        ax.axvline(best_epoch, color="0.5", ls="--", lw=1, label=f"kept (epoch {best_epoch})")
        ax.set_yscale("log")
        ax.set_title(name, fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Training curves (MSE on scaled values)", fontsize=11)
    return fig


def plot_panel_forecasts(names, histories, futures, checks) -> Figure:
    """One panel per series: its history, the hold-out check (dashed) and the forecast (red).

    Steps are counted from the end of history; checks[i] maps a label to the last H values
    (`actual`) or to a model's forecast of them.
    """
    fig, axes = _grid(len(names), sharex=False)
    for ax, name, history, future, check in zip(
        axes, names, histories, futures, checks, strict=False
    ):
        horizon = len(future)
        t = np.arange(-len(history) + 1, 1)
        ax.plot(t, history, color="black", lw=1.1, label="history")
        ax.plot(np.arange(1, horizon + 1), future, color="tab:red", lw=1.6, label="forecast")
        held = np.arange(-horizon + 1, 1)
        for label, values in check.items():
            if label != "actual":
                ax.plot(held, values, lw=1, ls="--", label=f"{label} (hold-out)")
        ax.set_title(str(name), fontsize=10, loc="left")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("History, hold-out check and forecast (steps from the end)", fontsize=11)
    return fig


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


def save_figure(fig: Figure, path) -> None:
    fig.savefig(path, dpi=100)


def draw_to_file(draw, path) -> None:
    """Make a figure with `draw()` and save it: one picklable-free unit of work for in_parallel."""
    save_figure(draw(), path)


def plot_text_curve(curve: list[dict]) -> Figure:
    """Training and validation cross-entropy (nats per character) against training time."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    seconds = [row["seconds"] / 60 for row in curve]
    ax.plot(seconds, [row["train_nats"] for row in curve], marker=".", label="training")
    ax.plot(seconds, [row["val_nats"] for row in curve], marker=".", label="validation")
    best = min(curve, key=lambda row: row["val_nats"])
    ax.axhline(best["val_nats"], color="0.5", ls="--", lw=1, label=f"best {best['val_nats']:.3f}")
    ax.set_xlabel("minutes of training")
    ax.set_ylabel("nats per character")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


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


def plot_confusion(matrix, classes: list[str]) -> Figure:
    """Counts of (actual, predicted) test labels; the diagonal is what was right."""
    matrix = np.asarray(matrix)  # (K, K): rows actual, columns predicted
    size = min(3 + 0.45 * len(classes), 12)
    fig = Figure(figsize=(size + 1, size))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, classes, rotation=45 if len(classes) > 6 else 0)
    ax.set_yticks(ticks, classes)
    if len(classes) <= 20:  # numbers stay legible up to about twenty classes
        for i, j in np.ndindex(matrix.shape):
            dark = matrix[i, j] > matrix.max() / 2
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center",
                    color="white" if dark else "black", fontsize=9)  # fmt: skip
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title(f"Confusion matrix ({matrix.trace()} of {matrix.sum()} right)", fontsize=10)
    fig.tight_layout()
    return fig


def plot_misclassified(
    sequences, actual: list[str], predicted: list[str], confidence, rows: list[int], means: dict
) -> Figure:
    """Each wrongly labelled sequence (z-normalised) beside the training means of both classes."""
    fig, axes = _grid(len(sequences), panel_height=2.0, sharex=False)
    for k, ax in enumerate(axes[: len(sequences)]):
        ax.plot(sequences[k], color="black", lw=1.3, label="sequence")
        if actual[k] in means:  # a test label never seen in training has no mean
            ax.plot(means[actual[k]], color="tab:green", lw=1, ls="--", label="mean of actual")
        if predicted[k] in means:
            ax.plot(means[predicted[k]], color="tab:red", lw=1, ls=":", label="mean of predicted")
        ax.set_title(
            f"row {rows[k]}: actual {actual[k]}, predicted {predicted[k]} "
            f"(p = {confidence[k]:.2f})",
            fontsize=9,
            loc="left",
        )
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle("Misclassified test sequences (z-normalised), training class means", fontsize=11)
    return fig
