"""Scale-out on PyTorch's own engine: two processes on localhost under torchrun (gloo)."""

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch


@pytest.mark.slow
def test_two_ranks_share_the_series_and_end_with_identical_weights(tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    assert torchrun, "torchrun comes with torch"
    worker = Path(__file__).with_name("ddp_worker.py")
    with socket.socket() as probe:  # a free port on loopback for the rendezvous
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        [
            torchrun,
            "--nproc_per_node=2",
            "--master_addr=127.0.0.1",
            f"--master_port={port}",
            str(worker),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=False) for r in (0, 1)]
    assert ranks[0]["loss"][-1] < 0.5 * ranks[0]["loss"][0]  # it learns
    assert ranks[0]["loss"] == ranks[1]["loss"]  # one loss over both shards
    for name, weight in ranks[0]["state"].items():
        assert torch.equal(weight, ranks[1]["state"][name]), name
    assert (ranks[0]["forecast"] == ranks[1]["forecast"]).all()
