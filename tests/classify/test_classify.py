"""Sequence classification: the model registry, training, the loaders on tricky files, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlab.classify import names, networks, training
from rnnlab.classify.estimator import SequenceClassifier
from rnnlab.classify.metrics import classification_metrics
from rnnlab.cli import main
from rnnlab.data.ucr import fill_missing, prepare, read_labelled, sort_classes, znormalise
from rnnlab.errors import RnnlabError
from tests.conftest import SHARED_DATA

SMALL = {"channels": (8, 16, 8)}  # tiny FCN branches keep the harness fast

VARIANTS = {
    "fcn": {},
    "lstm": {"layers": 2},
    "gru": {"bidirectional": True, "pooling": "mean"},
    "lstm_bi_last": {"kind": "lstm", "bidirectional": True, "layers": 2},
    "lstm_fcn": {},
    "inception": {"filters": 4, "longest_kernel": 9},
    "resnet": {"blocks": (4, 8, 8)},
}


def _config(name: str, n_classes: int = 3) -> networks.ClassifierConfig:
    options = {"kind": name, **SMALL, "hidden": 8, "length": 30, **VARIANTS[name]}
    return networks.ClassifierConfig(n_classes=n_classes, **options)


def synthetic(n_per_class: int, length: int, seed: int = 0):
    """Two classes anyone can tell apart, wherever one looks: a slow wave or a fast one."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    rows, labels = [], []
    for label, period in (("a", 16.0), ("b", 4.0)):
        for _ in range(n_per_class):
            phase = rng.uniform(0, 2 * np.pi)
            rows.append(np.sin(2 * np.pi * t / period + phase) + rng.normal(0, 0.1, length))
            labels.append(label)
    return np.asarray(rows, np.float32), labels


def write_ucr(path, values, labels, sep="\t"):
    lines = [
        sep.join([lab] + [f"{v:.5f}" for v in row]) for lab, row in zip(labels, values, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------------------ models


@pytest.mark.parametrize("name", list(VARIANTS))
def test_shapes_and_one_backward_pass(name):
    torch.manual_seed(0)
    model = networks.build_model(_config(name))
    for length in (17, 40):  # any length: every model pools over time
        x = torch.randn(5, length)  # (B, L)
        logits = model(x)
        assert logits.shape == (5, 3)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 0, 1]))
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


def test_unknown_model_lists_the_valid_ones():
    with pytest.raises(ValueError, match="choose from fcn, lstm, gru, lstm_fcn"):
        networks.build_model(networks.ClassifierConfig(kind="transformer"))


def test_one_list_of_names_for_the_registry_the_estimator_and_the_cli():
    from rnnlab.cli import build_parser
    from rnnlab.commands import classify as command

    assert set(names.MODEL_NAMES) == set(networks.MODELS)
    assert names.CHOICES == (*names.MODEL_NAMES, "ensemble") and command.CHOICES is names.CHOICES
    assert set(names.ENSEMBLE) <= set(names.MODEL_NAMES)
    page = build_parser()._subparsers._group_actions[0].choices["classify"].format_help()
    listed = "one of rocket, fcn, lstm, gru, lstm_fcn, inception, resnet, ensemble"
    assert listed in " ".join(page.split())  # --model's help, from the same list


@pytest.mark.parametrize("name", ["fcn", "resnet", "inception"])
def test_conv_models_overfit_a_tiny_set(name):
    values, labels = synthetic(6, 32)
    x, y = prepare(values), np.array([0] * 6 + [1] * 6)  # (12, 32), (12,)
    fit = training.FitConfig(epochs=60, lr=1e-2, batch_size=4, val_fraction=0.0)
    model, result = training.fit_model(_config(name, n_classes=2), x, y, fit)
    assert result.best_epoch == 60 and len(result.curve) == 60
    probs = training.average_by_kind([model], [name], x)  # (12, 2)
    assert (probs.argmax(axis=1) == y).all()
    assert probs.shape == (12, 2) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_stratified_split_keeps_every_class_and_singletons_in_train():
    y = np.array([0] * 10 + [1] * 5 + [2])
    train, val = training.stratified_split(y, 0.2, seed=0)
    assert sorted(np.concatenate([train, val])) == list(range(16))
    assert list(np.bincount(y[val], minlength=3)) == [2, 1, 0]


def test_metrics_accuracy_macro_f1_confusion():
    m = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert m["accuracy"] == 0.75
    assert m["confusion_matrix"] == [[1, 1], [0, 2]]
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


# ----------------------------------------------------------------------------- loaders


def test_tab_comma_and_space_files_read_alike(tmp_path):
    values, labels = synthetic(3, 10)
    a = read_labelled(write_ucr(tmp_path / "a.tsv", values, labels, "\t"))
    b = read_labelled(write_ucr(tmp_path / "b.csv", values, labels, ","))
    c = read_labelled(write_ucr(tmp_path / "c.txt", values, labels, "  "))
    assert a.values.shape == (6, 10) and a.labels == labels
    assert np.allclose(a.values, b.values) and np.allclose(a.values, c.values)
    assert b.labels == c.labels == labels


def test_numeric_labels_are_one_class_however_written(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("1.0000000e+00,1,2,3\n-1,3,2,1\n1,2,2,2\n10,0,0,1\n")
    data = read_labelled(path)
    assert data.labels == ["1", "-1", "1", "10"]
    assert sort_classes(data.labels) == ["-1", "1", "10"]


def test_ts_file_with_comments_missing_values_and_unequal_lengths(tmp_path):
    path = tmp_path / "x.ts"
    path.write_text(
        "# a comment\n@problemName x\n@univariate true\n@equalLength false\n"
        "@classLabel true up down\n@data\n1,2,3,4:up\n4,?,2:down\n\n5,6:up\n"
    )
    data = read_labelled(path)
    assert data.labels == ["up", "down", "up"]
    assert data.values.shape == (3, 4)
    assert np.isnan(data.values[1, 1]) and np.isnan(data.values[2, 2:]).all()
    filled = fill_missing(data.values)  # (3, 4)
    assert np.allclose(filled[1], [4, 3, 2, 2])  # interpolated gap, padding = last value
    assert np.allclose(filled[2], [5, 6, 6, 6])


def test_unequal_lengths_and_nan_padding_in_tsv(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("1\t1\t2\t3\tNaN\tNaN\n2\t1\t2\n1\t3\t2\t1\t0\t5\n")
    data = read_labelled(path)
    assert data.values.shape == (3, 5)
    x = prepare(data.values)  # (3, 5)
    assert np.isfinite(x).all()
    assert np.allclose(znormalise(np.array([[1.0, 2.0, 3.0]])), [[-1.2247449, 0, 1.2247449]])


def test_long_format_csv(tmp_path):
    path = tmp_path / "long.csv"
    frame = pd.DataFrame(
        {"id": ["s2"] * 3 + ["s1"] * 2, "time": [2, 0, 1, 1, 0], "label": ["b"] * 3 + ["a"] * 2,
         "value": [3.0, 1.0, 2.0, 5.0, 4.0]}
    )  # fmt: skip
    frame.to_csv(path, index=False)
    data = read_labelled(path)
    assert data.labels == ["b", "a"]  # file order of the sequences
    assert np.allclose(data.values[0], [1, 2, 3])  # ordered by time
    assert np.allclose(data.values[1, :2], [4, 5]) and np.isnan(data.values[1, 2])


@pytest.mark.parametrize(
    "content, suffix, message",
    [
        ("", ".tsv", "is empty"),
        ("1\t0.5\t0.7\n2\t0.1\tabc\n", ".tsv", "line 2: 'abc' is not a number"),
        ("1\t0.5\t0.7\n2\n", ".tsv", "line 2: a label with no values"),
        ("@problemName x\n1,2,3:a\n", ".ts", "no @data line"),
        ("@data\n1,2,3\n", ".ts", "line 2: no ':label'"),
        ("@data\n1,2:3,4:a\n", ".ts", "only univariate"),
        ("id,label,value\n1,a,x\n", ".csv", "value column holds text"),
    ],
)
def test_malformed_files_give_one_clear_line(tmp_path, content, suffix, message):
    path = tmp_path / f"bad{suffix}"
    path.write_text(content)
    with pytest.raises(RnnlabError, match=message) as err:
        read_labelled(path)
    assert "\n" not in str(err.value)


@pytest.mark.skipif(not (SHARED_DATA / "ucr").is_dir(), reason="no ../shared/data/ucr")
def test_real_ts_and_tsv_agree():
    folder = SHARED_DATA / "ucr" / "GunPoint"
    ts, tsv = (
        read_labelled(folder / "GunPoint_TRAIN.ts"),
        read_labelled(folder / "GunPoint_TRAIN.tsv"),
    )
    assert ts.values.shape == tsv.values.shape == (50, 150)
    assert ts.labels == tsv.labels
    assert np.allclose(ts.values, tsv.values, atol=1e-5)


# --------------------------------------------------------------------------------- CLI


@pytest.fixture
def ucr_pair(tmp_path):
    values, labels = synthetic(10, 40, seed=1)
    test_values, test_labels = synthetic(5, 36, seed=2)  # shorter test series: allowed
    return (
        write_ucr(tmp_path / "T_TRAIN.tsv", values, labels),
        write_ucr(tmp_path / "T_TEST.csv", test_values, test_labels, ","),
    )


def test_cli_end_to_end_then_save_load_predict(tmp_path, ucr_pair, capsys):
    train, test = ucr_pair
    out, saved = tmp_path / "run", tmp_path / "model"
    argv = ["classify", "--train", str(train), "--test", str(test), "--out", str(out)]
    assert main(argv + ["--model", "fcn", "--epochs", "15", "--quiet", "--save", str(saved)]) == 0
    for name in ("metrics.json", "predictions.csv", "confusion.png", "config.json", "report.html"):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) >= {"accuracy", "macro_f1", "per_class", "confusion_matrix"}
    assert metrics["accuracy"] >= 0.9
    predictions = pd.read_csv(out / "predictions.csv")
    assert list(predictions.columns) == ["row", "label", "predicted", "p_a", "p_b"]
    assert predictions["label"].tolist() == ["a"] * 5 + ["b"] * 5  # file order
    assert "rnnlab classify" in json.loads((out / "config.json").read_text())["rerun"]

    capsys.readouterr()
    assert main(["classify", "--model", str(saved), "--predict", str(test), "--quiet"]) == 0
    again = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert again["predicted"].tolist() == predictions["predicted"].tolist()
    assert np.allclose(again["p_a"], predictions["p_a"], atol=1e-5)


def test_cli_errors_are_one_line_and_leave_no_run(tmp_path, ucr_pair, capsys):
    train, _ = ucr_pair
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\t1\t2\nb\t1\toops\n")
    out = tmp_path / "run"
    argv = ["classify", "--train", str(train), "--test", str(bad), "--out", str(out), "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'oops' is not a number" in err
    assert not out.exists()
    assert main(["classify", "--train", str(train), "--test", str(train), "--model", "cnn"]) == 2
    assert "--model must be one of" in capsys.readouterr().err
    assert main(["classify", "--train", str(train), "--test", str(train), "--kernels", "0"]) == 2
    assert "--kernels must be in 1..100000" in capsys.readouterr().err


def test_network_flags_with_rocket_get_a_note(tmp_path, ucr_pair, capsys):
    train, test = ucr_pair
    argv = ["classify", "--train", str(train), "--test", str(test), "--kernels", "100"]
    assert main([*argv, "--out", str(tmp_path / "a"), "--epochs=5", "--lr", "0.01"]) == 0
    assert (
        "note: --epochs, --lr train the networks; rocket has no epochs" in capsys.readouterr().err
    )
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    assert "note:" not in capsys.readouterr().err


def test_tampered_or_missing_saved_model_is_one_line(tmp_path, ucr_pair, capsys):
    train, test = ucr_pair
    saved = tmp_path / "model"
    SequenceClassifier(model="fcn", epochs=2).fit(read_labelled(train)).save(saved)
    (saved / "model.safetensors").write_bytes(b"not a weights file")
    assert main(["classify", "--model", str(saved), "--predict", str(test)]) == 2
    assert "changed or damaged" in capsys.readouterr().err
    assert main(["classify", "--model", str(tmp_path / "nowhere"), "--predict", str(test)]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [["--model", "lstm_fcn"], ["--model", "gru", "--bidirectional"], ["--model", "rocket"]],
)
def test_cli_other_models_train_and_reload(tmp_path, ucr_pair, extra):
    train, test = ucr_pair  # test sequences are shorter than the training ones
    out, saved = tmp_path / "run", tmp_path / "model"
    argv = ["classify", "--train", str(train), "--test", str(test), "--out", str(out)]
    assert main(argv + extra + ["--epochs", "3", "--quiet", "--save", str(saved)]) == 0
    clf = SequenceClassifier.load(saved)
    assert clf.classes_.tolist() == ["a", "b"] and clf.configs_[0].kind == extra[1]
    assert (
        clf.model == extra[1]
        and clf.epochs == 3
        and clf.bidirectional == ("--bidirectional" in extra)
    )
    expected = pd.read_csv(out / "predictions.csv")[["p_a", "p_b"]].to_numpy()
    assert np.allclose(clf.predict_proba(read_labelled(test)), expected, atol=1e-5)  # (10, 36)


class _Fixed(torch.nn.Module):
    """A member that always says the same logits."""

    def __init__(self, logits):
        super().__init__()
        self.logits = torch.tensor(logits)

    def forward(self, x):
        return self.logits.expand(len(x), -1)  # (B, K)


def test_ensemble_gives_each_kind_an_equal_share():
    clf = SequenceClassifier(model="ensemble")
    clf.classes_ = np.array(["a", "b"])
    clf.configs_ = networks.make_configs("ensemble", 2)
    clf.members_ = [_Fixed([4.0, 0.0]), _Fixed([0.0, 1.0]), _Fixed([0.0, 1.0]), _Fixed([0.0, 2.0])]
    probs = clf.predict_proba(np.zeros((2, 5), np.float32))  # (2, 2)
    p = [m.logits.softmax(0).numpy() for m in clf.members_]  # 4 x (2,)
    expected = (p[0] + (p[1] + p[2] + p[3]) / 3) / 2
    assert np.allclose(probs, expected) and clf.predict(np.zeros((1, 5), np.float32)) == ["a"]
    assert names.ENSEMBLE.count("rocket") == 1 and clf.configs_[0].kind == "rocket"
