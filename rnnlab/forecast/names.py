"""The model registry's names, without importing torch: `rnnlab --help` lists them.

The registries themselves are the dicts `baselines.BASELINES` and `networks.NEURAL`.
"""

BASELINE_NAMES = ("naive", "seasonal_naive", "drift", "mean")
NEURAL_NAMES = ("fc", "rnn", "lstm", "gru", "lstm_scratch", "seq2seq")
MODEL_NAMES = BASELINE_NAMES + NEURAL_NAMES
