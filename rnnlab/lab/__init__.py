"""The lab: the lecture's theory made measurable.

    import rnnlab.lab
    grads = rnnlab.lab.gradient_experiment(hidden=16, max_lag=30, networks=1, sequences=2)
    grads.table            # one row per network: its change per step, what the formula predicts
    memory = rnnlab.lab.memory_experiment(lags=(5, 10), cells=("rnn", "lstm"), tries=1, steps=50)
    memory.table           # one row per cell and T: mean test accuracy, tries that solved it

rnn.py        the lecture's vanilla RNN (W_rec at a chosen spectral radius), torch's gated cells
gradients.py  ||dh_T/dh_k|| against the lag: autograd, the lecture's product, the fitted rate
memory.py     the long-lag task "name the first of T symbols", trained and tabulated
report.py, plots.py   what `rnnlab lab` prints and writes

Names are imported lazily: `import rnnlab.lab` does not load torch.
"""

from rnnlab.core.lazy import lazy_exports

_EXPORTS = {
    "gradient_experiment": "rnnlab.lab.gradients",
    "GradientResult": "rnnlab.lab.gradients",
    "memory_experiment": "rnnlab.lab.memory",
    "MemoryResult": "rnnlab.lab.memory",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports("rnnlab.lab", _EXPORTS)
