"""Classification metrics: accuracy, macro F1, per-class precision/recall/F1, confusion matrix."""

from __future__ import annotations

import numpy as np


def classification_metrics(actual: list[str], predicted: list[str], classes: list[str]) -> dict:
    """Accuracy, macro F1, per-class precision/recall/F1/support, and the confusion matrix."""
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    cm = np.zeros((k, k), dtype=int)  # rows: actual, columns: predicted
    np.add.at(cm, ([index[a] for a in actual], [index[p] for p in predicted]), 1)
    per_class, f1s = {}, []
    for i, c in enumerate(classes):
        tp, col, row = cm[i, i], cm[:, i].sum(), cm[i, :].sum()
        precision = tp / col if col else 0.0
        recall = tp / row if row else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {"precision": precision, "recall": recall, "f1": f1, "support": int(row)}
        if row:  # macro F1 over the classes present in the test set
            f1s.append(f1)
    return {
        "accuracy": float(np.trace(cm) / max(cm.sum(), 1)),
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "per_class": per_class,
        "confusion_matrix": cm.tolist(),
        "classes": classes,
    }
