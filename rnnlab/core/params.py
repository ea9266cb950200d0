"""scikit-learn's estimator conventions without depending on scikit-learn.

`__init__` only stores its arguments, under their own names; `fit` learns and sets attributes
ending in `_`. `get_params` reads the parameters back from `__init__`'s signature, so
`sklearn.base.clone`, grid searches and `cross_val_score` work on rnnlab's estimators as on
scikit-learn's (scikit-learn's `doc/developers/develop.rst`).
"""

from __future__ import annotations

import inspect


class Params:
    """get_params / set_params / repr from `__init__`'s keyword arguments."""

    # scikit-learn's kind of estimator ("classifier", "regressor" or None): its is_classifier,
    # which makes cross_val_score's folds stratified, reads it through __sklearn_tags__
    _estimator_type: str | None = None

    def __sklearn_tags__(self):
        """The tags scikit-learn (1.6 and later) asks every estimator for. Only scikit-learn calls
        this, so it is imported already when this runs: rnnlab itself never needs it."""
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        kind = self._estimator_type
        return Tags(
            estimator_type=kind,
            target_tags=TargetTags(required=kind in ("classifier", "regressor")),
            classifier_tags=ClassifierTags() if kind == "classifier" else None,
            regressor_tags=RegressorTags() if kind == "regressor" else None,
        )

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def get_params(self, deep: bool = True) -> dict:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params) -> Params:
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{type(self).__name__} has no parameter {name!r}; "
                    f"its parameters are {', '.join(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = [
            f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults.get(k))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays and the like: show them
        return False
