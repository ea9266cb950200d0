"""rnnlab: learning from sequences with recurrent networks.

One front door per job, pandas in and out, scikit-learn's conventions:

    import rnnlab
    rnnlab.PanelForecaster(horizon=12).fit(df).predict()     # df: unique_id, ds, y
    rnnlab.AnomalyDetector(method="naive").fit_score(stream)  # timestamp, value, score, flagged
    rnnlab.SequenceClassifier(model="rocket").fit(X, y).predict(X_new)
    rnnlab.CharModel(steps=200).fit(text).sample(100)
    rnnlab.gradient_experiment(), rnnlab.memory_experiment()  # the lab, as DataFrames

Names are imported lazily, so `import rnnlab` (and `rnnlab --help`) does not load torch.
"""

__version__ = "0.1.0"

from rnnlab.core.lazy import lazy_exports

_EXPORTS = {
    "load_series": "rnnlab.data",
    "SeriesData": "rnnlab.data.series",
    "make_windows": "rnnlab.data.windows",
    "fit_scaler": "rnnlab.data.scaling",
    "Forecaster": "rnnlab.forecast.local",
    "read_panel": "rnnlab.data.panel",
    "GlobalForecaster": "rnnlab.forecast.global_model",
    "PanelForecaster": "rnnlab.forecast.api",
    "AnomalyDetector": "rnnlab.detect.estimator",
    "SequenceClassifier": "rnnlab.classify.estimator",
    "CharModel": "rnnlab.text.estimator",
    "gradient_experiment": "rnnlab.lab.gradients",
    "memory_experiment": "rnnlab.lab.memory",
    "evaluate": "rnnlab.forecast.evaluation",
    "RnnlabError": "rnnlab.errors",
    "ParameterError": "rnnlab.errors",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports("rnnlab", _EXPORTS)
