"""The files of a `rnnlab classify` run folder: metrics.json, config.json, predictions.csv,
confusion.png, misclassified.png and report.html; and of a `--predict` folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.data.ucr import LabelledSequences, prepare


def predictions_frame(labels, predicted, probs: np.ndarray, classes: list) -> pd.DataFrame:
    """label, predicted, then p_{class} per class (rounded to 6 digits), one row per sequence."""
    frame = pd.DataFrame({"label": labels, "predicted": predicted})
    for k, c in enumerate(classes):
        frame[f"p_{c}"] = probs[:, k].round(6)
    return frame


def write_run(
    folder: Path,
    metrics: dict,
    config: dict,
    train: LabelledSequences,
    test: LabelledSequences,
    probs: np.ndarray,  # (N_test, K)
    predicted: list,
    classes: list,
) -> None:
    """Write a training run's files into `folder` (which exists)."""
    from rnnlab.classify.plots import plot_confusion, plot_misclassified
    from rnnlab.core.figures import save_figure
    from rnnlab.core.report import html_page, write_json

    write_json(folder / "metrics.json", metrics)
    write_json(folder / "config.json", config)
    frame = predictions_frame(test.labels, predicted, probs, classes)
    frame.to_csv(folder / "predictions.csv", index_label="row")
    save_figure(plot_confusion(np.asarray(metrics["confusion_matrix"]), metrics["classes"]),
                folder / "confusion.png")  # fmt: skip
    x_train, x_test = prepare(train.values), prepare(test.values)  # (N_train, L), (N_test, L')
    train_labels = np.asarray(train.labels)
    means = {c: x_train[train_labels == c].mean(axis=0) for c in classes}  # class -> (L,)
    wrong = [i for i, (a, p) in enumerate(zip(test.labels, predicted, strict=True)) if a != p]
    images = [("Confusion matrix (test)", folder / "confusion.png")]
    if wrong:
        shown = wrong[:8]
        confidence = probs[shown].max(axis=1)  # (S,)
        fig = plot_misclassified(
            x_test[shown], [test.labels[i] for i in shown], [predicted[i] for i in shown],
            confidence, shown, means,
        )  # fmt: skip
        save_figure(fig, folder / "misclassified.png")
        images.append((f"Misclassified test sequences ({len(shown)} of {len(wrong)})",
                       folder / "misclassified.png"))  # fmt: skip
    page = html_page("rnnlab classify", [("Result", _summary(metrics, len(test.labels)))],
                     images, config)  # fmt: skip
    (folder / "report.html").write_text(page, encoding="utf-8")


def _summary(metrics: dict, n_test: int) -> str:
    rows = "".join(
        f"<tr><td>{c}</td><td>{m['precision']:.3f}</td><td>{m['recall']:.3f}</td>"
        f"<td>{m['f1']:.3f}</td><td>{m['support']}</td></tr>"
        for c, m in metrics["per_class"].items()
    )
    members = ", ".join(_member_text(m) for m in metrics["members"])
    picked = any(m["val_accuracy"] is not None for m in metrics["members"])
    epochs = (
        "epoch counts picked on a stratified validation split of the training file"
        if picked
        else "trained on the whole training file"
    )
    return (
        f"<p>Test accuracy <b>{metrics['accuracy']:.4f}</b>, macro F1 "
        f"<b>{metrics['macro_f1']:.4f}</b> on {n_test} sequences. Models: {members}; "
        f"{epochs}; the test file never seen in training.</p><table><tr><th>class</th>"
        f"<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>"
    )


def _member_text(member: dict) -> str:
    if member.get("leave_one_out_accuracy") is not None:
        return (
            f"{member['model']} (ridge penalty picked by leave-one-out, accuracy "
            f"{member['leave_one_out_accuracy']:.3f})"
        )
    return f"{member['model']} ({member['best_epoch']} epochs)"


def write_predictions(folder: Path, frame: pd.DataFrame, config: dict, metrics: dict | None):
    """A `--predict` folder: predictions.csv, config.json, and metrics.json when the file's
    labels are all known classes."""
    from rnnlab.core.report import write_json

    frame.to_csv(folder / "predictions.csv", index_label="row")
    write_json(folder / "config.json", config)
    if metrics is not None:
        write_json(folder / "metrics.json", metrics)
