"""The text room's Python API: CharModel, with scikit-learn's conventions, and the CLI on it."""

import json
import math
import subprocess
import sys

import pandas as pd
import pytest

from rnnlab.cli import main
from rnnlab.errors import ParameterError, RnnlabError
from rnnlab.text import CharModel

VERSE = "to be, or not to be: that is the question.\n" * 60  # 2,580 characters
TINY = dict(hidden=16, layers=1, embedding=8, batch=4, bptt=16, lr=0.01, steps=30)


@pytest.fixture(scope="module")
def fitted():
    return CharModel(**TINY).fit(VERSE)


def test_the_readme_example(tmp_path):
    # the example given for the README: fit, sample, evaluate, save, load
    model = CharModel(hidden=32, layers=1, embedding=8, batch=8, bptt=32, lr=0.01, steps=60)
    model.fit(VERSE)
    assert list(model.history_.columns) == ["seconds", "step", "epoch", "train_nats", "val_nats"]
    assert model.steps_ == 60 and model.best_val_ < math.log(len(model.vocab_.chars))
    text = model.sample(40, prompt="to be", temperature=0.5, seed=1)
    assert len(text) == 40 and set(text) <= set(VERSE)
    scores = model.evaluate(VERSE[-500:])
    assert scores["bits_per_char"] == pytest.approx(scores["nats_per_char"] / math.log(2))
    assert scores["characters"] == 500 and scores["unseen"] == 0
    model.save(tmp_path / "verse")
    again = CharModel.load(tmp_path / "verse")
    assert again.evaluate(VERSE[-500:]) == scores
    assert again.sample(40, prompt="to be", temperature=0.5, seed=1) == text


def test_fit_learns_and_sets_its_attributes(fitted):
    assert fitted.vocab_.chars == sorted(set(VERSE))
    assert fitted.train_chars_ == int(len(VERSE) * 0.9) and fitted.val_chars_ == 258
    history = fitted.history_
    assert isinstance(history, pd.DataFrame) and history["step"].iloc[-1] == 30
    assert fitted.best_val_ == pytest.approx(history["val_nats"].min(), abs=1e-4)
    assert fitted.best_val_ < history["val_nats"].iloc[0]  # it learned something
    assert fitted.source_ is None and fitted.seconds_ > 0


def test_sample_and_evaluate_are_reproducible_and_report_unseen_characters(fitted):
    first = fitted.sample(30, prompt="to", seed=3)
    assert first == fitted.sample(30, prompt="to", seed=3) != fitted.sample(30, "to", seed=4)
    scores = fitted.evaluate("to be or not ZZ Q\n" * 5)
    assert scores["unseen"] == 15 and scores["unseen_chars"] == "QZ"
    assert set(scores) == {"nats_per_char", "bits_per_char", "characters", "unseen", "unseen_chars"}


def test_the_same_parameters_give_the_same_model_as_the_command(fitted, tmp_path, capsys):
    corpus = tmp_path / "verse.txt"
    corpus.write_text(VERSE, encoding="utf-8")
    argv = ["textgen", "train", str(corpus), "--out", str(tmp_path / "cli"), "--quiet"]
    argv += [f"--{name}={value}" for name, value in TINY.items()]
    assert main(argv) == 0
    loaded = CharModel.load(tmp_path / "cli")
    assert loaded.source_ == str(corpus) and loaded.hidden == 16 and loaded.layers == 1
    assert loaded.evaluate(VERSE) == fitted.evaluate(VERSE)  # the very same weights
    metrics = json.loads((tmp_path / "cli" / "metrics.json").read_text())
    assert metrics["val_nats_per_char"] == round(fitted.best_val_, 4)
    assert [row["val_nats"] for row in metrics["curve"]] == list(fitted.history_["val_nats"])


def test_the_command_reads_what_the_api_saved(fitted, tmp_path, capsys):
    fitted.save(tmp_path / "api")
    capsys.readouterr()
    argv = ["textgen", "sample", "--model", str(tmp_path / "api"), "--prompt", "to", "--length"]
    assert main([*argv, "25", "--temperature", "0.8", "--seed", "2"]) == 0
    assert capsys.readouterr().out == "to" + fitted.sample(25, "to", 0.8, seed=2) + "\n"
    corpus = tmp_path / "verse.txt"
    corpus.write_text(VERSE, encoding="utf-8")
    assert main(["textgen", "eval", "--model", str(tmp_path / "api"), "--text", str(corpus)]) == 0
    assert f"{fitted.evaluate(VERSE)['nats_per_char']:.4f} nats/char" in capsys.readouterr().out


def test_clone_copies_the_parameters_and_not_the_fit(fitted):
    clone = pytest.importorskip("sklearn.base").clone
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params() == CharModel(**TINY).get_params()
    assert not hasattr(copy, "model_") and repr(copy).startswith("CharModel(hidden=16, ")
    assert CharModel().get_params()["hidden"] == 256  # the train command's defaults
    assert copy.set_params(hidden=8).hidden == 8


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden": 0}, "hidden must be at least 1 (got 0)"),
        ({"dropout": 1.0}, "dropout must be in [0, 1) (got 1.0)"),
        ({"lr": 2}, "lr must be in (0, 1) (got 2)"),
        ({"steps": 0}, "steps must be at least 1 (got 0)"),
        ({"val_fraction": 0}, "val_fraction must be in (0, 1) (got 0)"),
        ({"cell": "cnn"}, "cell must be one of lstm, gru, rnn (got 'cnn')"),
        ({"threads": -1}, "threads must be 0 (all) or more (got -1)"),
        ({"batch": "{x}"}, "batch must be at least 1 (got '{x}')"),
    ],
)
def test_a_bad_parameter_is_a_parameter_error_naming_it(params, message):
    model = CharModel(**params)  # __init__ only stores
    with pytest.raises(ParameterError) as err:
        model.fit(VERSE)
    assert str(err.value) == message and err.value.name == next(iter(params))


def test_bad_calls_are_one_clear_error(fitted):
    with pytest.raises(ParameterError, match="^batch must be at least 1"):
        CharModel(batch=0).fit("")
    with pytest.raises(ParameterError) as err:
        CharModel(batch=64, bptt=64).fit(VERSE)
    assert str(err.value).startswith("the text is too short (2580 characters) for batch 64 x bptt")
    assert "--batch 64 x --bptt 64" in err.value.flag_message()
    with pytest.raises(ParameterError, match="^val_text holds 5 characters"):
        CharModel(**TINY).fit(VERSE, "short")
    with pytest.raises(ParameterError, match="^temperature must be above 0"):
        fitted.sample(10, temperature=0)
    with pytest.raises(ParameterError, match="^length must be at least 1"):
        fitted.sample(0)
    with pytest.raises(ParameterError, match="^text must be a str of 2 characters or more"):
        fitted.evaluate("x")
    with pytest.raises(RnnlabError, match="not trained yet"):
        CharModel().sample(5)


def test_a_fit_interrupted_and_resumed_equals_an_uninterrupted_one(tmp_path):
    whole = CharModel(**TINY, checkpoint_every=10).fit(VERSE)

    def interrupt(fraction, info):
        if fraction >= 0.5:  # after the checkpoint of step 10, before the one of step 20
            raise KeyboardInterrupt

    folder = tmp_path / "checkpoint"
    model = CharModel(**TINY, checkpoint_every=10)
    with pytest.raises(KeyboardInterrupt):
        model.fit(VERSE, checkpoint=folder, progress=interrupt)
    assert json.loads((folder / "model.json").read_text())["position"]["step"] == 10
    with pytest.raises(ParameterError, match="^the checkpoint was made with hidden 16, not 8"):
        CharModel(**TINY | {"hidden": 8}).fit(VERSE, checkpoint=folder, resume=True)
    model.fit(VERSE, checkpoint=folder, resume=True)
    assert model.evaluate(VERSE) == whole.evaluate(VERSE)
    assert list(model.history_["val_nats"]) == list(whole.history_["val_nats"])
    with pytest.raises(ParameterError, match="^no checkpoint to resume in .*without resume$"):
        model.fit(VERSE, checkpoint=tmp_path / "none", resume=True)


def test_importing_the_room_and_its_estimator_loads_no_torch():
    code = "import sys; from rnnlab.text import CharModel; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
