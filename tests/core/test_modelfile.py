"""Model folders: safetensors + JSON, checked on load, never unpickled; written atomically."""

from __future__ import annotations

import json
import pickle

import pytest
import torch

from rnnlab.core import modelfile
from rnnlab.errors import RnnlabError

BY = "'rnnlab test --save'"


def _saved(tmp_path, **meta):
    folder = tmp_path / "model"
    net = torch.nn.Linear(3, 2)
    modelfile.save(folder, net.state_dict(), "toy", {"config": {"inputs": 3}, **meta})
    return folder, net


def test_round_trip_restores_every_tensor_and_the_metadata(tmp_path):
    folder, net = _saved(tmp_path, schema={"columns": ["ds", "y"]})
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "model.safetensors"]
    tensors, meta = modelfile.read(folder, "toy", BY)
    again = torch.nn.Linear(3, 2)
    modelfile.load_state(again, tensors, "", folder)
    for name, value in net.state_dict().items():
        assert torch.equal(again.state_dict()[name], value)
    assert meta["kind"] == "toy" and meta["version"] == modelfile.VERSION
    assert meta["schema"] == {"columns": ["ds", "y"]} and meta["rnnlab"]
    assert len(meta["weights"]["sha256"]) == 64


class _Payload:
    """A pickle that creates a file when it is unpickled: what a malicious model file does."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickled_model_is_refused_and_never_run(tmp_path):
    folder, marker = tmp_path / "shared_model", tmp_path / "ran.txt"
    folder.mkdir()
    (folder / "model.pt").write_bytes(pickle.dumps({"weight": _Payload(marker)}))
    with pytest.raises(RnnlabError, match="model.pt, a pickled file that rnnlab does not load"):
        modelfile.read(folder, "toy", BY)
    (folder / "model.pt").rename(folder / "weights.bin")  # known by its bytes, whatever its name
    with pytest.raises(RnnlabError, match="weights.bin, a pickled file"):
        modelfile.read(folder, "toy", BY)
    assert not marker.exists()
    # the same pickle dressed as safetensors, with a model.json that describes it: the
    # checksum and then safetensors' own header check refuse it, and nothing runs
    good, _ = _saved(tmp_path)
    (good / "model.safetensors").write_bytes(pickle.dumps({"weight": _Payload(marker)}))
    with pytest.raises(RnnlabError, match="changed or damaged"):
        modelfile.read(good, "toy", BY)
    meta = json.loads((good / "model.json").read_text())
    meta["weights"]["sha256"] = modelfile.sha256(good / "model.safetensors")
    (good / "model.json").write_text(json.dumps(meta))
    with pytest.raises(RnnlabError, match="not a valid safetensors file"):
        modelfile.read(good, "toy", BY)
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: (f / "model.safetensors").write_bytes(
            (f / "model.safetensors").read_bytes()[:-7]), "changed or damaged"),
        (lambda f: (f / "model.safetensors").write_bytes(
            bytes([b ^ (i == 99) for i, b in enumerate((f / "model.safetensors").read_bytes())])
        ), "changed or damaged"),
        (lambda f: (f / "model.safetensors").unlink(), "no model.safetensors"),
        (lambda f: (f / "model.json").write_text("{"), "model.json is damaged"),
        (lambda f: (f / "model.json").write_bytes(b"\xff\xfe"), "model.json is damaged"),
        (lambda f: (f / "model.json").write_text("[1, 2]"), "not an rnnlab model description"),
        (lambda f: (f / "model.json").unlink(), "not an rnnlab model folder"),
    ],
)  # fmt: skip
def test_a_damaged_folder_is_one_clear_error(tmp_path, damage, message):
    folder, _ = _saved(tmp_path)
    damage(folder)
    with pytest.raises(RnnlabError, match=message) as err:
        modelfile.read(folder, "toy", BY)
    assert "\n" not in str(err.value)


def test_wrong_kind_newer_version_and_mismatched_weights_are_refused(tmp_path):
    folder, _ = _saved(tmp_path)
    with pytest.raises(RnnlabError, match="holds a toy model, not a classifier model"):
        modelfile.read(folder, "classifier", BY)
    tensors, _ = modelfile.read(folder, "toy", BY)
    with pytest.raises(RnnlabError, match="the weights do not fit the model"):
        modelfile.load_state(torch.nn.Linear(4, 2), tensors, "", folder)
    meta = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(meta | {"version": modelfile.VERSION + 1}))
    with pytest.raises(RnnlabError, match="saved by a newer rnnlab"):
        modelfile.read(folder, "toy", BY)


def test_saving_replaces_a_model_but_never_other_files(tmp_path):
    folder, _ = _saved(tmp_path)
    modelfile.save(folder, torch.nn.Linear(3, 1).state_dict(), "toy", {})  # a model: replaced
    assert modelfile.read(folder, "toy", BY)[0]["weight"].shape == (1, 3)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(RnnlabError, match="a folder with other files"):
        modelfile.save(other, {}, "toy", {})
    assert (other / "keep.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_save_leaves_the_old_model(tmp_path):
    folder, net = _saved(tmp_path)
    with pytest.raises(ValueError):  # NaN is not JSON: fails after the weights were written
        modelfile.save(folder, torch.nn.Linear(3, 1).state_dict(), "toy", {"x": float("nan")})
    tensors, _ = modelfile.read(folder, "toy", BY)
    assert torch.equal(tensors["weight"], net.weight)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["predict", "--model", "{m}", "--data", "elec_equip"],
        ["export", "--model", "{m}", "--onnx", "{t}/x.onnx"],
        ["detect", "--model", "{m}", "--csv", "{t}/stream.csv"],
        ["classify", "--model", "{m}", "--predict", "{t}/stream.csv"],
        ["textgen", "sample", "--model", "{m}"],
        ["textgen", "eval", "--model", "{m}", "--text", "{t}/stream.csv"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_every_command_that_loads_a_model_refuses_a_pickle_unopened(tmp_path, capsys, argv):
    from rnnlab.cli import main

    folder, marker = tmp_path / "shared", tmp_path / "ran.txt"
    folder.mkdir()
    (folder / "model.pt").write_bytes(pickle.dumps({"weight": _Payload(marker)}))
    (folder / "model.json").write_text(json.dumps({"format": "rnnlab-model"}))  # a lure
    (tmp_path / "stream.csv").write_text("timestamp,value\n2024-01-01,1\n")
    filled = [a.format(m=folder, t=tmp_path) for a in argv]
    assert main(filled) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rnnlab" in err
    assert not marker.exists()
    (folder / "model.json").unlink()
    assert main(filled) == 2
    assert "a pickled file that rnnlab does not load" in capsys.readouterr().err
    assert not marker.exists()
