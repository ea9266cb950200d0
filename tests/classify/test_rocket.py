"""ROCKET: the kernels' features against a plain convolution, the closed-form leave-one-out ridge
against explicit refits, and the classifier end to end."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.classify import networks
from rnnlab.classify.estimator import SequenceClassifier
from rnnlab.classify.rocket import fit_temperature, ridge_loo
from tests.classify.test_classify import synthetic


def _rocket(n_kernels=200, length=40, n_classes=2, seed=0):
    config = networks.ClassifierConfig(
        kind="rocket", n_kernels=n_kernels, length=length, n_classes=n_classes, seed=seed
    )
    return networks.build_model(config)


def _ridge(z, t, alpha):
    """Ridge with an unpenalised intercept, the textbook way: centre, then solve the primal."""
    zm, tm = z.mean(axis=0), t.mean(axis=0)
    zc = z - zm
    coef = np.linalg.solve(zc.T @ zc + alpha * np.eye(z.shape[1]), zc.T @ (t - tm))  # (P, K)
    return coef, tm - zm @ coef


def test_features_match_a_plain_dilated_convolution():
    model = _rocket(n_kernels=50, length=30)
    x = torch.randn(3, 30, dtype=torch.float32)  # (B, L)
    feats = model.transform(x).numpy()  # (B, 100)
    assert model.dilation.max() > 1 and model.padding.max() > 0  # the draw covers both cases
    for i in range(50):
        k, d, p = (int(v[i]) for v in (model.sizes, model.dilation, model.padding))
        w, b = model.weights[i, :k].numpy(), float(model.bias[i])
        for row in range(3):
            z = np.pad(x[row].numpy(), p)
            span = (k - 1) * d
            out = np.array([w @ z[s : s + span + 1 : d] + b for s in range(len(z) - span)])  # (L',)
            assert feats[row, i] == pytest.approx((out > 0).mean(), abs=1e-6)
            assert feats[row, 50 + i] == pytest.approx(out.max(), abs=1e-4)


def test_kernel_weights_are_centred_and_the_seed_decides_them():
    a, b, c = _rocket(seed=1), _rocket(seed=1), _rocket(seed=2)
    assert torch.equal(a.weights, b.weights) and not torch.equal(a.weights, c.weights)
    assert torch.allclose(a.weights.sum(dim=1), torch.zeros(200), atol=1e-5)
    reach = (a.sizes - 1) * a.dilation + 1  # (n,): no kernel reaches past the series
    assert int(reach.max()) <= 40


@pytest.mark.parametrize("n, p", [(12, 30), (30, 5)])  # the dual form, then the primal
def test_leave_one_out_equals_refitting_without_each_case(n, p):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(n, p)) + 3.0  # uncentred: the intercept must absorb the offset
    t = np.where(rng.random((n, 2)) > 0.5, 1.0, -1.0)
    for alpha in (0.1, 10.0):
        coef, intercept, picked, loo = ridge_loo(z, t, np.array([alpha]))
        assert picked == alpha
        ref_coef, ref_intercept = _ridge(z, t, alpha)
        assert np.allclose(coef, ref_coef, atol=1e-8)
        assert np.allclose(intercept, ref_intercept, atol=1e-8)
        for i in range(n):
            keep = np.arange(n) != i
            c, b = _ridge(z[keep], t[keep], alpha)
            assert np.allclose(loo[i], z[i] @ c + b, atol=1e-8)


def test_the_penalty_with_the_lowest_leave_one_out_error_wins():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(20, 5))
    t = np.where(z[:, :1] + 0.3 * rng.normal(size=(20, 1)) > 0, 1.0, -1.0)
    alphas = np.array([1e-3, 1.0, 1e3])
    errors = [np.mean((t - ridge_loo(z, t, np.array([a]))[3]) ** 2) for a in alphas]
    assert ridge_loo(z, t, alphas)[2] == alphas[int(np.argmin(errors))]


def test_temperature_sharpens_scores_that_are_right_and_softens_ones_that_are_not():
    y = np.array([0, 1] * 10)
    right = np.where(np.eye(2)[y] > 0, 1.0, -1.0)  # (20, 2): every score points the right way
    wrong = right.copy()
    wrong[:8] *= -1  # 8 of 20 confidently wrong
    assert fit_temperature(right, y) > 10 * fit_temperature(wrong, y)


def test_rocket_classifier_learns_reloads_and_takes_other_lengths(tmp_path):
    values, labels = synthetic(8, 40)  # (16, 40)
    clf = SequenceClassifier(model="rocket", kernels=300, seed=3).fit(values, labels)
    assert clf.fits_[0].loo_accuracy == 1.0 and clf.configs_[0].seed == 3
    test_values, test_labels = synthetic(5, 23, seed=4)  # shorter than training
    assert clf.predict(test_values).tolist() == test_labels
    probs = clf.predict_proba(test_values)  # (10, 2)
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-6) and probs.max(axis=1).min() > 0.5
    one_value = clf.predict_proba(np.zeros((2, 1), np.float32))  # (2, 2): length 1 still runs
    assert np.isfinite(one_value).all()
    clf.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    assert np.allclose(again.predict_proba(test_values), probs, atol=1e-6)
    same = SequenceClassifier(model="rocket", kernels=300, seed=3).fit(values, labels)
    assert np.array_equal(same.predict_proba(test_values), probs)


def test_features_are_the_same_in_small_chunks(monkeypatch):
    from rnnlab.classify import rocket

    model = _rocket(n_kernels=64, length=30)
    x = torch.randn(9, 50)  # (B, L): longer than training
    whole = model.transform(x)
    monkeypatch.setattr(rocket, "CHUNK_VALUES", 100)  # one sequence at a time
    assert torch.allclose(model.transform(x), whole, atol=1e-5)  # conv kernels may round apart


def test_a_tampered_kernel_count_is_one_line(tmp_path):
    from rnnlab.errors import RnnlabError

    values, labels = synthetic(4, 20)
    SequenceClassifier(model="rocket", kernels=50).fit(values, labels).save(tmp_path / "m")
    meta = tmp_path / "m" / "model.json"
    meta.write_text(meta.read_text().replace('"n_kernels": 50', '"n_kernels": 1000000000000'))
    with pytest.raises(RnnlabError, match="does not describe a classifier") as err:
        SequenceClassifier.load(tmp_path / "m")
    assert "\n" not in str(err.value)


def test_rocket_needs_the_training_length():
    with pytest.raises(ValueError, match="needs the training length"):
        networks.build_model(networks.ClassifierConfig(kind="rocket"))
