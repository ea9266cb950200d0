"""The classification room's model names, importable without torch.

One list for everyone: the registry in networks.py holds these names (a test keeps them the same),
`SequenceClassifier(model=...)` checks against CHOICES, and `rnnlab classify --model` offers
them, so `rnnlab --help` lists them without loading a network.
"""

from __future__ import annotations

MODEL_NAMES = ("rocket", "fcn", "lstm", "gru", "lstm_fcn", "inception", "resnet")
# model="ensemble": ROCKET's random features beside three FCNs that learn theirs, each FCN with its
# own seed; predict_proba gives each kind an equal share, so rocket counts as much as the trio
ENSEMBLE = ("rocket", "fcn", "fcn", "fcn")
CHOICES = (*MODEL_NAMES, "ensemble")
