"""Run under torchrun by test_distributed.py: fit a global model on a synthetic panel, save the
rank's weights and loss curve. Not a test module itself."""

import sys

import numpy as np
import torch

from rnnlab.data.panel import panel_from_arrays
from rnnlab.forecast.global_model import GlobalForecaster, init_distributed

out = sys.argv[1]
torch.set_num_threads(1)
assert init_distributed(), "expected to run under torchrun"
rank = torch.distributed.get_rank()
t = np.arange(120.0)
arrays = [(10 + i) * (1 + 0.2 * np.sin(2 * np.pi * (t + i) / 12)) for i in range(8)]
panel = panel_from_arrays([f"s{i}" for i in range(8)], arrays, season=12)
model = GlobalForecaster(horizon=6, ensemble=1, hidden=16, layers=2, train={"epochs": 4})
model.fit(panel)
torch.save(
    {
        "state": model.members_[0].state_dict(),
        "loss": model.results_[0].train_loss,
        "forecast": model.predict(panel),
    },
    f"{out}/rank{rank}.pt",
)
torch.distributed.destroy_process_group()
