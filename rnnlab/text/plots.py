"""The text room's figure: cross-entropy against training time."""

from __future__ import annotations

from matplotlib.figure import Figure


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
