"""Sequence classification (many-to-one): label whole sequences with ROCKET, FCN, ResNet,
InceptionTime, LSTM/GRU, LSTM-FCN, or an ensemble of them.

    from rnnlab.classify import SequenceClassifier
    clf = SequenceClassifier(model="rocket", seed=0).fit(X, y)   # X (n, length), y any labels
    clf.predict(X_test), clf.predict_proba(X_test), clf.score(X_test, y_test)

The room's parts:
- names.py     the model names (no torch): MODEL_NAMES, ENSEMBLE, CHOICES
- networks.py  the models (plain nn.Modules from a ClassifierConfig) and their registry
- rocket.py    ROCKET: random frozen kernels and a ridge head
- training.py  the training loop and the fit of each member (FitConfig, fit_model)
- estimator.py SequenceClassifier, scikit-learn's conventions; inputs.py what it accepts
- saved.py     model folders; metrics.py accuracy, macro F1, confusion matrix
- pipeline.py  what `rnnlab classify` runs: read the files, fit, score, write the run folder
- outputs.py   the run folder's files; plots.py its figures

Names are imported lazily, so `import rnnlab.classify` does not load torch.
"""

from __future__ import annotations

from rnnlab.classify.names import CHOICES, ENSEMBLE, MODEL_NAMES
from rnnlab.core.lazy import lazy_exports

_EXPORTS = {
    "SequenceClassifier": "rnnlab.classify.estimator",
    "classification_metrics": "rnnlab.classify.metrics",
}
__all__ = ["CHOICES", "ENSEMBLE", "MODEL_NAMES", *_EXPORTS]

__getattr__ = lazy_exports("rnnlab.classify", _EXPORTS)
