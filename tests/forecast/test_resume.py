"""Kill a training run with SIGKILL mid-way, resume it: the model of an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import torch
from safetensors.torch import load_file

from rnnlab.cli import main

TINY = ["--hidden", "48", "--layers", "1", "--embedding", "8", "--batch", "8", "--bptt", "32"]
TINY += ["--threads", "1", "--quiet"]
SMALL = [*TINY, "--steps", "500", "--checkpoint-every", "10"]


def _corpus(path):
    rng = random.Random(0)
    words = ["the", "cat", "sat", "on", "a", "mat", "and", "then", "ran", "away", "quickly"]
    path.write_text("\n".join(" ".join(rng.choices(words, k=9)) for _ in range(1500)))
    return path


def _checkpoint_step(folder) -> int:
    try:
        return json.loads((folder / "model.json").read_text())["position"]["step"]
    except (OSError, ValueError, KeyError):
        return -1  # not there yet, or being renamed into place


@pytest.mark.slow
def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path, capsys):
    corpus = _corpus(tmp_path / "corpus.txt")
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    checkpoints = tmp_path / ".killed.checkpoint"
    argv = ["textgen", "train", str(corpus), *SMALL]
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnnlab.cli", *argv, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    deadline = time.monotonic() + 120
    while _checkpoint_step(checkpoints) < 60 and proc.poll() is None:
        assert time.monotonic() < deadline, "no checkpoint within 2 minutes"
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stopped_at = _checkpoint_step(checkpoints)
    assert 60 <= stopped_at < 500 and not killed.exists()  # no half-written run folder

    assert main([*argv, "--out", str(killed), "--resume"]) == 0
    assert not checkpoints.exists()  # the run is complete: its checkpoints are gone
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []  # orphans removed
    torch.manual_seed(1234)  # the resumed run must not depend on the caller's random state
    assert main([*argv, "--out", str(whole)]) == 0
    a, b = load_file(whole / "model.safetensors"), load_file(killed / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    curve_a, curve_b = (
        [{k: v for k, v in row.items() if k != "seconds"} for row in json.loads(
            (run / "metrics.json").read_text())["curve"]]
        for run in (whole, killed)
    )  # fmt: skip
    assert curve_a == curve_b and len(curve_a) >= 10


def test_resume_refuses_a_missing_or_different_checkpoint(tmp_path, capsys):
    corpus = _corpus(tmp_path / "corpus.txt")
    fast = [*TINY, "--steps", "20", "--checkpoint-every", "5"]
    out = tmp_path / "run"
    argv = ["textgen", "train", str(corpus), *fast, "--out", str(out)]
    assert main([*argv, "--resume"]) == 2
    assert "no checkpoint to resume" in capsys.readouterr().err
    assert main(argv) == 0 and not (tmp_path / ".run.checkpoint").exists()
    # a checkpoint left by an interrupted run, then a resume with other options
    from rnnlab.core import checkpoint

    partial = ["textgen", "train", str(corpus), *fast, "--out", str(tmp_path / "partial")]
    checkpoint.save(checkpoint.folder_for(tmp_path / "partial"), {"x": torch.zeros(1)},
                    {"resume_key": {"hidden": 7}})  # fmt: skip
    assert main([*partial, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "the checkpoint was made with" in err and err.count("\n") == 1


def _members(folder) -> int:
    return sum((p / "model.json").is_file() for p in folder.glob("*")) if folder.is_dir() else 0


@pytest.mark.slow
def test_forecast_killed_mid_ensemble_resumes_to_the_same_forecast(tmp_path):
    from tests.forecast.test_predict import _panel_csv

    data = _panel_csv(tmp_path / "panel.csv")
    argv = ["forecast", "--csv", str(data), "--horizon", "4", "--ensemble", "4", "--epochs", "5"]
    argv += ["--baselines", "naive", "--quiet"]
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    members = tmp_path / ".killed.checkpoint"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnnlab.cli", *argv, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its forked workers too: kill the whole group
    )
    deadline = time.monotonic() + 180
    while _members(members) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "no member finished within 3 minutes"
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = _members(members)
    assert 2 <= done < 8 and not killed.exists()

    assert main([*argv, "--out", str(killed), "--resume"]) == 0
    assert not members.exists()
    assert main([*argv, "--out", str(whole)]) == 0
    for name in ("forecast.csv", "backtest.csv"):
        assert (killed / name).read_text() == (whole / name).read_text()
