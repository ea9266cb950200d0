"""rnnlab: learning from sequences with recurrent networks.

    import rnnlab
    series = rnnlab.load_series("elec_equip")          # or a CSV path, or a pandas Series
    f = rnnlab.Forecaster(model="lstm", lags=12, layout="timesteps").fit(series)
    f.predict(12)                                      # a pandas Series of 12 future values

Names are imported lazily, so `import rnnlab` (and `rnnlab --help`) does not load torch.
"""

__version__ = "0.1.0"

_EXPORTS = {
    "load_series": "rnnlab.data",
    "SeriesData": "rnnlab.data.series",
    "make_windows": "rnnlab.data.windows",
    "fit_scaler": "rnnlab.data.scaling",
    "Forecaster": "rnnlab.forecast.local",
    "read_panel": "rnnlab.data.panel",
    "GlobalForecaster": "rnnlab.forecast.global_model",
    "evaluate": "rnnlab.forecast.evaluation",
    "RnnlabError": "rnnlab.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")
