"""SequenceClassifier: label whole sequences, with scikit-learn's conventions.

`__init__` only stores the parameters; `fit(X, y)` checks them, fits one model or the ensemble's
members, and sets `classes_`, `configs_`, `members_`, `fits_`; `predict`, `predict_proba` and
`score` follow scikit-learn, so `sklearn.base.clone` and `cross_val_score` work on it (rnnlab
does not need scikit-learn). Each sequence is z-normalised on its own and its gaps are filled
(rnnlab.data.ucr.prepare) inside fit and predict: nothing is learned from the data for that,
so nothing can leak between folds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnlab.classify.inputs import as_labels, as_sequences, class_order
from rnnlab.classify.names import CHOICES
from rnnlab.core.params import Params
from rnnlab.data.ucr import LabelledSequences, prepare
from rnnlab.errors import ParameterError, RnnlabError, is_real, is_whole, literal

MAX_KERNELS = 100_000  # rocket.MAX_KERNELS, checked here without loading torch


class SequenceClassifier(Params):
    """One classifier (`model`: rocket, fcn, resnet, inception, lstm, gru, lstm_fcn) or the
    ensemble (rocket beside three FCNs, each kind weighing half), fitted on labelled sequences.

    >>> clf = SequenceClassifier(model="rocket", seed=0).fit(X, y)   # X (n, length)
    >>> clf.predict(X_test)          # labels of y's type
    >>> clf.predict_proba(X_test)    # (n, n_classes), columns in clf.classes_ order

    `kernels` is ROCKET's; `epochs`, `lr`, `batch_size`, `val_fraction` train the networks
    (`val_fraction` > 0 picks the epoch count on a stratified share, then trains on all);
    `hidden`, `layers`, `bidirectional`, `pooling` shape lstm and gru. Member k of an ensemble
    trains with seed `seed + 1000 k`.
    """

    _estimator_type = "classifier"

    def __init__(
        self,
        model: str = "rocket",
        *,
        kernels: int = 10_000,
        epochs: int = 300,
        lr: float = 1e-3,
        batch_size: int = 16,
        val_fraction: float = 0.0,
        hidden: int = 64,
        layers: int = 1,
        bidirectional: bool = False,
        pooling: str = "last",
        seed: int = 0,
    ):
        self.model, self.kernels, self.epochs, self.lr = model, kernels, epochs, lr
        self.batch_size, self.val_fraction = batch_size, val_fraction
        self.hidden, self.layers, self.bidirectional = hidden, layers, bidirectional
        self.pooling, self.seed = pooling, seed

    # ----------------------------------------------------------------------- checks

    def check_params(self) -> None:
        """A ParameterError naming the first bad parameter (fit calls this first)."""
        if not isinstance(self.model, str) or self.model not in CHOICES:
            got = literal(repr(self.model))
            raise ParameterError(
                "model", f"{{name}} must be one of {', '.join(CHOICES)} (got {got})"
            )
        for name, low, high, rule in (
            ("epochs", 1, None, "at least 1"),
            ("kernels", 1, MAX_KERNELS, f"in 1..{MAX_KERNELS}"),
            ("layers", 1, None, "at least 1"),
            ("hidden", 1, None, "at least 1"),
            ("batch_size", 2, None, "at least 2"),
        ):
            value = getattr(self, name)
            whole = is_whole(value)
            if not whole or value < low or (high is not None and value > high):
                raise ParameterError(name, f"{{name}} must be {rule}" + _type(value, whole))
        for name, ok, rule in (
            ("lr", lambda v: 0 < v < 1, "in (0, 1)"),
            ("val_fraction", lambda v: 0 <= v < 1, "in [0, 1)"),
        ):
            value = getattr(self, name)
            real = is_real(value)
            if not real or not ok(value):
                raise ParameterError(name, f"{{name}} must be {rule}" + _type(value, real))
        if not isinstance(self.bidirectional, bool | np.bool_):
            raise ParameterError("bidirectional", "{name} must be True or False")
        if self.pooling not in ("last", "mean"):
            got = literal(repr(self.pooling))
            raise ParameterError("pooling", f"{{name}} must be 'last' or 'mean' (got {got})")
        if not is_whole(self.seed) or self.seed < 0:
            got = literal(repr(self.seed))
            raise ParameterError("seed", f"{{name}} must be a whole number >= 0 (got {got})")

    def _check_fitted(self) -> None:
        if not hasattr(self, "members_"):
            raise RnnlabError("this SequenceClassifier is not fitted yet: call fit(X, y) first")

    # ------------------------------------------------------------------------ fit

    def fit(self, X, y=None, progress=None) -> SequenceClassifier:
        """Fit on sequences X and labels y (y may be left out when X is what
        rnnlab.data.ucr.read_labelled gives). `progress(done, total, kind, result)` is called
        as each member finishes."""
        from rnnlab.classify.networks import make_configs
        from rnnlab.classify.training import FitConfig, fit_members

        self.check_params()
        values = as_sequences(X)  # (N, L)
        if y is None:
            if not isinstance(X, LabelledSequences):
                raise RnnlabError("fit needs y, one label per sequence")
            y = X.labels
        labels = as_labels(y, len(values))
        classes = class_order(labels)
        if len(classes) < 2:
            raise RnnlabError(f"y holds one class ({classes[0]}); need at least two")
        index = {c: i for i, c in enumerate(classes.tolist())}
        codes = np.asarray([index[c] for c in labels.tolist()])  # (N,) class indices
        configs = make_configs(
            self.model, len(classes), hidden=self.hidden, layers=self.layers,
            bidirectional=bool(self.bidirectional), pooling=self.pooling,
            length=values.shape[1], n_kernels=self.kernels,
        )  # fmt: skip
        fit = FitConfig(
            epochs=self.epochs, lr=self.lr, batch_size=self.batch_size,
            val_fraction=self.val_fraction, refit=True, seed=self.seed,
        )  # fmt: skip
        self.configs_, self.members_, self.fits_ = fit_members(
            configs, prepare(values), codes, fit, progress
        )
        self.classes_, self.fit_config_, self.length_ = classes, fit, values.shape[1]
        return self

    # -------------------------------------------------------------------- predict

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n, n_classes), rows summing to 1, columns as in `classes_`."""
        from rnnlab.classify.training import average_by_kind

        self._check_fitted()
        x = prepare(as_sequences(X))  # (N, L)
        return average_by_kind(self.members_, [c.kind for c in self.configs_], x)

    def predict(self, X) -> np.ndarray:
        """The most likely label of each sequence, of the type of the labels fitted on."""
        probs = self.predict_proba(X)  # (N, K); checks that fit ran
        return self.classes_[probs.argmax(axis=1)]

    def score(self, X, y=None) -> float:
        """Accuracy on (X, y); y may be left out when X is LabelledSequences."""
        predicted = self.predict(X)
        if y is None and isinstance(X, LabelledSequences):
            y = X.labels
        return float(np.mean(predicted == as_labels(y, len(predicted))))

    # ------------------------------------------------------------------ save / load

    def save(self, folder: Path | str, trained_on: str | None = None) -> None:
        """A model folder that `load` (and `rnnlab classify --model DIR --predict`) reads."""
        from rnnlab.classify.saved import save_members

        self._check_fitted()
        extra = {} if trained_on is None else {"trained_on": trained_on}
        extra |= {"length": self.length_, "params": _jsonable(self.get_params())}
        save_members(Path(folder), self.classes_.tolist(), self.configs_, self.members_, extra)

    @classmethod
    def load(cls, folder: Path | str) -> SequenceClassifier:
        """A fitted SequenceClassifier from a folder written by `save`."""
        from rnnlab.classify.saved import load_members

        classes, configs, members, meta = load_members(Path(folder))
        names = cls._param_names()
        params = {k: v for k, v in meta.get("params", {}).items() if k in names}
        first = configs[0]
        clf = cls(**(params or {
            "model": first.kind if len(configs) == 1 else "ensemble", "kernels": first.n_kernels,
            "hidden": first.hidden, "layers": first.layers, "bidirectional": first.bidirectional,
            "pooling": first.pooling, "seed": first.seed,
        }))  # fmt: skip
        clf.classes_, clf.configs_, clf.members_, clf.fits_ = (
            np.asarray(classes),
            configs,
            members,
            [],
        )
        clf.fit_config_, clf.length_ = None, int(meta.get("length", first.length))
        return clf


def _type(value, typed: bool) -> str:
    """Nothing for a number out of range (the CLI's messages stay as they were); for a value of
    the wrong type, what it was."""
    return "" if typed else f" (got {literal(repr(value))})"


def _jsonable(params: dict) -> dict:
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in params.items()}
