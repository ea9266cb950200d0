"""The forecasting room's figures: test-span forecasts, training curves, a panel's forecasts."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from rnnlab.core.figures import grid


def plot_test_predictions(
    history_dates, history, test_dates, actual, predictions: dict, scores: dict | None = None
) -> Figure:
    """One panel per model: end of the training span, test actuals, the model's forecasts."""
    fig, axes = grid(len(predictions))
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
    fig, axes = grid(len(curves), panel_height=2.2, sharex=False)
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
    fig, axes = grid(len(names), sharex=False)
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
