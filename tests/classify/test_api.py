"""SequenceClassifier's Python API: scikit-learn's conventions (clone, cross_val_score, params
stored as given, errors in fit), the inputs it takes, save/load, and the README examples."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rnnlab.classify import SequenceClassifier
from rnnlab.cli import main
from rnnlab.errors import ParameterError, RnnlabError
from tests.classify.test_classify import synthetic, write_ucr


def waves(n_per_class: int = 20, length: int = 60, seed: int = 0):
    """A slow and a fast wave: (2n, length) values and their labels."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    periods = [16.0] * n_per_class + [4.0] * n_per_class
    X = np.array([np.sin(2 * np.pi * t / p + rng.uniform(0, 6)) for p in periods])
    return X, ["slow"] * n_per_class + ["fast"] * n_per_class


# ------------------------------------------------------------------------ the examples


def test_readme_example_rocket():
    X, y = waves()  # (40, 60)
    clf = SequenceClassifier(model="rocket", kernels=500, seed=0).fit(X, y)
    assert clf.classes_.tolist() == ["fast", "slow"]
    assert clf.predict(X[[0, -1]]).tolist() == ["slow", "fast"]
    probs = clf.predict_proba(X[[0, -1]])  # (2, 2), columns in classes_ order
    assert probs.shape == (2, 2) and np.allclose(probs.sum(axis=1), 1, atol=1e-6)
    assert probs[0, 1] > 0.5 and probs[1, 0] > 0.5
    assert clf.score(X, y) == 1.0


def test_readme_example_cross_validation_and_a_network():
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = waves()
    scores = model_selection.cross_val_score(
        SequenceClassifier(model="rocket", kernels=200), X, y, cv=3
    )
    assert scores.shape == (3,) and scores.min() == 1.0
    fcn = SequenceClassifier(model="fcn", epochs=20, lr=0.01, seed=0).fit(X, y)
    assert fcn.fits_[0].best_epoch == 20 and fcn.score(X, y) >= 0.9


def test_readme_example_save_load_and_the_cli_reads_it(tmp_path, capsys):
    X, y = waves()
    clf = SequenceClassifier(model="rocket", kernels=300, seed=1).fit(X, y)
    clf.save(tmp_path / "model")
    again = SequenceClassifier.load(tmp_path / "model")
    assert again.get_params() == clf.get_params()
    assert np.allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    test = write_ucr(tmp_path / "new.tsv", X[:3].astype(np.float32), y[:3])
    assert main(["classify", "--model", str(tmp_path / "model"), "--predict", str(test)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "label,predicted,p_fast,p_slow" and lines[1].startswith("slow,slow,")


# ------------------------------------------------------------- scikit-learn's conventions


def test_init_stores_only_and_fit_names_the_bad_parameter():
    clf = SequenceClassifier(model="cnn", epochs=0)  # no check here
    assert clf.get_params()["model"] == "cnn" and clf.epochs == 0
    X, y = waves(5, 20)
    with pytest.raises(
        ParameterError, match=r"^model must be one of rocket, fcn, .*\(got 'cnn'\)$"
    ):
        clf.fit(X, y)
    for params, message in [
        ({"epochs": 0}, "epochs must be at least 1"),
        ({"kernels": 0}, "kernels must be in 1..100000"),
        ({"batch_size": 1}, "batch_size must be at least 2"),
        ({"lr": 1.5}, "lr must be in (0, 1)"),
        ({"val_fraction": 1.0}, "val_fraction must be in [0, 1)"),
        ({"epochs": "3"}, "epochs must be at least 1 (got '3')"),
        ({"pooling": "max"}, "pooling must be 'last' or 'mean' (got 'max')"),
        ({"seed": -1}, "seed must be a whole number >= 0 (got -1)"),
    ]:
        with pytest.raises(ParameterError) as err:
            SequenceClassifier(**params).fit(X, y)
        assert str(err.value) == message and err.value.name == next(iter(params))


def test_the_kernel_limit_is_rockets():
    from rnnlab.classify import estimator, rocket

    assert estimator.MAX_KERNELS == rocket.MAX_KERNELS


def test_clone_repr_and_set_params():
    base = pytest.importorskip("sklearn.base")
    X, y = waves(5, 20)
    clf = SequenceClassifier(model="fcn", epochs=2, hidden=8).fit(X, y)
    copy = base.clone(clf)
    assert copy.get_params() == clf.get_params() and not hasattr(copy, "classes_")
    assert repr(copy) == "SequenceClassifier(model='fcn', epochs=2, hidden=8)"
    assert copy.set_params(epochs=3) is copy and copy.epochs == 3
    assert base.is_classifier(copy)


def test_not_fitted_is_one_line():
    with pytest.raises(RnnlabError, match="not fitted yet: call fit"):
        SequenceClassifier().predict(np.zeros((2, 5)))


# ------------------------------------------------------------------------------ inputs


def test_dataframes_3d_arrays_lists_and_ucr_files_give_the_same_model(tmp_path):
    X, y = waves(8, 30)
    expected = SequenceClassifier(kernels=100).fit(X, y).predict_proba(X)
    for data in (pd.DataFrame(X), X[:, None, :], list(X)):
        got = SequenceClassifier(kernels=100).fit(data, y).predict_proba(data)
        np.testing.assert_allclose(got, expected, atol=1e-6)
    from rnnlab.data.ucr import read_labelled

    data = read_labelled(write_ucr(tmp_path / "a.tsv", X, y))  # labels and values, no y
    clf = SequenceClassifier(kernels=100).fit(data)
    np.testing.assert_allclose(clf.predict_proba(data), expected, atol=1e-4)  # 5 digits in file
    assert clf.score(data) == 1.0


def test_labels_keep_their_type_and_numbers_in_text_sort_numerically():
    X, _ = synthetic(6, 30)  # (12, 30): 6 slow, then 6 fast
    ints = SequenceClassifier(kernels=100).fit(X, [10] * 6 + [2] * 6)
    assert ints.classes_.tolist() == [2, 10] and ints.predict(X[:1]).tolist() == [10]
    text = SequenceClassifier(kernels=100).fit(X, ["10"] * 6 + ["-1"] * 3 + ["2"] * 3)
    assert text.classes_.tolist() == ["-1", "2", "10"]  # as `rnnlab classify` orders a file's


def test_unequal_lengths_and_gaps_are_filled():
    X, y = waves(6, 40)
    ragged = [row[: 30 + i % 10] for i, row in enumerate(X)]  # lengths 30..39
    ragged[0] = ragged[0].copy()
    ragged[0][5] = np.nan  # a gap, interpolated
    clf = SequenceClassifier(kernels=100).fit(ragged, y)
    assert clf.length_ == 39 and clf.score(ragged, y) == 1.0


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.zeros((4, 2, 10)), [0, 1, 0, 1], "X has 2 channels"),
        (np.zeros(10), [0] * 10, "one sequence per row"),
        (np.full((4, 10), np.inf), [0, 1, 0, 1], "infinite value"),
        (np.array([[np.nan] * 5, [1.0] * 5]), [0, 1], "X row 0 has no values"),
        ([["a", "b"], ["c", "d"]], [0, 1], "X must hold numbers"),
        (np.zeros((4, 10)), [0, 1, 0], "y must hold one label per sequence: 4"),
        (np.zeros((4, 10)), [1, 1, 1, 1], r"y holds one class \(1\); need at least two"),
        (np.zeros((4, 10)), None, "fit needs y"),
    ],
)
def test_bad_inputs_are_one_line(X, y, message):
    with pytest.raises(RnnlabError, match=message) as err:
        SequenceClassifier(kernels=10).fit(X, y)
    assert "\n" not in str(err.value)


def test_a_folder_saved_before_params_were_kept_still_loads(tmp_path):
    X, y = waves(6, 30)
    SequenceClassifier(model="ensemble", kernels=50, epochs=1, seed=4).fit(X, y).save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    del meta["params"]  # as `rnnlab classify --save` wrote it before
    (tmp_path / "model.json").write_text(json.dumps(meta))
    clf = SequenceClassifier.load(tmp_path)
    assert (clf.model, clf.kernels, clf.seed) == ("ensemble", 50, 4)
    assert clf.predict(X).shape == (12,)
