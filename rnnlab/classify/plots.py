"""The classification room's figures: the confusion matrix, misclassified sequences."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from rnnlab.core.figures import grid


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
    fig, axes = grid(len(sequences), panel_height=2.0, sharex=False)
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
