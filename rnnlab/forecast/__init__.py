"""The model registry: baselines (pure numpy) and neural networks (plain nn.Modules).

Names are listed here without importing torch, so `rnnlab --help` stays fast; the registries
themselves are the dicts `baselines.BASELINES` and `neural.NEURAL`.
"""

BASELINE_NAMES = ("naive", "seasonal_naive", "drift", "mean")
NEURAL_NAMES = ("fc", "rnn", "lstm", "gru", "lstm_scratch", "seq2seq")
MODEL_NAMES = BASELINE_NAMES + NEURAL_NAMES
