"""What `rnnlab classify` runs: read a training and a test file, fit a SequenceClassifier on the
first, score it on the second and write the run folder; or label a file with a saved model.

The command parses its flags into a SequenceClassifier, calls these functions, and prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from rnnlab.classify.estimator import SequenceClassifier
from rnnlab.classify.metrics import classification_metrics
from rnnlab.classify.outputs import predictions_frame, write_predictions, write_run
from rnnlab.data.ucr import LabelledSequences, read_labelled, sort_classes
from rnnlab.errors import ParameterError, RnnlabError


@dataclass
class TrainTest:
    """A training and a test file, read; `unseen`: test labels the training file lacks."""

    train: LabelledSequences
    test: LabelledSequences
    classes: list[str]
    unseen: list[str]


def check_options(clf: SequenceClassifier, threads: int) -> None:
    """The estimator's parameters, then the torch thread count: before any file is read."""
    clf.check_params()
    if threads < 1:
        raise ParameterError("threads", "{name} must be at least 1")


def read_train_test(train_path: Path, test_path: Path) -> TrainTest:
    train, test = read_labelled(train_path), read_labelled(test_path)
    classes = sort_classes(train.labels)
    if len(classes) < 2:
        raise RnnlabError(f"{train_path} holds one class ({classes[0]}); need at least two")
    unseen = sorted(set(test.labels) - set(classes))
    return TrainTest(train, test, classes, unseen)


def fit_and_report(
    folder: Path,
    clf: SequenceClassifier,
    data: TrainTest,
    run_config: dict,
    *,
    threads: int = 1,
    save: Path | None = None,
    progress=None,
) -> dict:
    """Fit on the training file, score the test file, write the run into `folder` (and the
    model into `save`); returns metrics.json's content. `run_config` heads config.json."""
    import torch

    torch.set_num_threads(threads)
    clf.fit(data.train, progress=progress)
    probs = clf.predict_proba(data.test)  # (N, K)
    classes = clf.classes_.tolist()  # the training file's classes, as data.classes
    predicted = [classes[i] for i in probs.argmax(axis=1)]
    metrics = classification_metrics(data.test.labels, predicted, classes + data.unseen)
    metrics["members"] = [
        {"model": c.kind, "best_epoch": f.best_epoch, "val_accuracy": f.val_accuracy,
         "leave_one_out_accuracy": f.loo_accuracy, "seconds": round(f.seconds, 2)}
        for c, f in zip(clf.configs_, clf.fits_, strict=True)
    ]  # fmt: skip
    config = {
        **run_config,
        "train": data.train.source,
        "test": data.test.source,
        "models": [asdict(c) for c in clf.configs_],
        "fit": asdict(clf.fit_config_),
    }
    write_run(folder, metrics, config, data.train, data.test, probs, predicted, classes)
    if save is not None:
        clf.save(save, trained_on=data.train.source)
    return metrics


@dataclass
class Prediction:
    """A file labelled by a saved model; `metrics` when every label in it is a known class."""

    frame: pd.DataFrame  # label, predicted, p_{class}...
    metrics: dict | None
    source: str


def predict_file(model: Path, path: Path) -> Prediction:
    clf = SequenceClassifier.load(model)
    data = read_labelled(path)
    probs = clf.predict_proba(data)  # (N, K)
    classes = [str(c) for c in clf.classes_.tolist()]  # the file's labels are text
    predicted = [classes[i] for i in probs.argmax(axis=1)]
    frame = predictions_frame(data.labels, predicted, probs, classes)
    known = all(label in classes for label in data.labels)
    metrics = classification_metrics(data.labels, predicted, classes) if known else None
    return Prediction(frame, metrics, data.source)


def write_prediction_run(folder: Path, prediction: Prediction, config: dict) -> None:
    write_predictions(folder, prediction.frame, config, prediction.metrics)
