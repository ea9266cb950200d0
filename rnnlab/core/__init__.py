"""Mechanism every job room shares: the training loop and optimiser, the one cell registry,
parallel runs, model files, checkpoints, atomic writes, run directories, reports and figures.

Names here are cheap (no torch), so commands can offer them in `--help`.
"""

CELL_NAMES = ("rnn", "lstm", "gru")  # the fused recurrent layers every room offers (core/cells.py)
