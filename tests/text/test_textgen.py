"""The character-level language model: its parts, and `rnnlab textgen` end to end."""

import json
import math

import numpy as np
import pytest
import torch

from rnnlab.cli import main
from rnnlab.errors import RnnlabError
from rnnlab.text.charlm import CharLM, CharLMConfig, Vocabulary
from rnnlab.text.explain import correlations, find_neurons, text_features
from rnnlab.text.sampling import sample
from rnnlab.text.training import TextTrainConfig, evaluate, streams, train_text

VERSE = "to be, or not to be: that is the question.\n" * 60  # 2,640 characters


def small_model(vocab: Vocabulary, cell: str = "lstm", hidden: int = 16) -> CharLM:
    torch.manual_seed(0)
    return CharLM(CharLMConfig(len(vocab.chars), cell, embedding=8, hidden=hidden, layers=2))


def test_vocabulary_round_trips_and_maps_unseen_characters_to_the_commonest():
    vocab = Vocabulary.from_text("abracadabra")
    assert vocab.chars == ["a", "b", "c", "d", "r"]
    assert vocab.decode(vocab.encode("cab")) == "cab"
    assert vocab.decode(vocab.encode("z")) == "a" and vocab.unseen("az") == {"z"}
    assert Vocabulary.from_json(vocab.to_json()).encode("rad").tolist() == [4, 0, 3]
    with pytest.raises(RnnlabError, match="empty"):
        Vocabulary.from_text("")


def test_streams_read_the_text_side_by_side():
    data = streams(torch.arange(10), 3)  # (3, 3): one character is left over
    assert data.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    with pytest.raises(RnnlabError, match="too short"):
        streams(torch.arange(5), 4)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_carried_state_makes_chunked_evaluation_equal_one_pass(cell):
    # truncated BPTT cuts gradients, not the state: reading the text in chunks of 7 with the
    # state carried gives the loss of reading it in one go
    vocab = Vocabulary.from_text(VERSE)
    model = small_model(vocab, cell).eval()
    ids = vocab.encode(VERSE[:300])
    chunked = evaluate(model, ids, batch=1, bptt=7)
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])  # (1, T, V)
        whole = torch.nn.functional.cross_entropy(logits[0], ids[1:]).item()
    assert chunked == pytest.approx(whole, rel=1e-5)


def test_reading_one_character_at_a_time_gives_the_same_predictions():
    vocab = Vocabulary.from_text(VERSE)
    model = small_model(vocab).eval()
    ids = vocab.encode(VERSE[:50])
    hs, cs, logits = model.hidden_states(ids)
    assert hs.shape == cs.shape == (2, 50, 16) and logits.shape == (50, len(vocab.chars))
    with torch.no_grad():
        whole, _ = model(ids[None])  # (1, 50, V)
    torch.testing.assert_close(logits, whole[0], rtol=1e-5, atol=1e-5)
    gru = small_model(vocab, "gru").eval()
    assert gru.hidden_states(ids)[1] is None  # a GRU has no cell state


def test_training_learns_a_repeated_line_and_keeps_the_best_weights():
    vocab = Vocabulary.from_text(VERSE)
    model = small_model(vocab, hidden=32)
    cut = len(VERSE) * 9 // 10
    train_ids, val_ids = vocab.encode(VERSE[:cut]), vocab.encode(VERSE[cut:])
    before = evaluate(model, val_ids)
    config = TextTrainConfig(batch=8, bptt=32, lr=1e-2, minutes=0.15, eval_every=0.2)
    result = train_text(model, train_ids, val_ids, config)
    assert before > 2.5  # about ln(17) = 2.8 untrained
    assert result.best_val < 0.5  # a line repeated 60 times is nearly predictable
    assert result.best_val == pytest.approx(min(row["val_nats"] for row in result.curve), abs=1e-4)
    assert evaluate(model, val_ids) == pytest.approx(result.best_val, abs=1e-6)  # best kept
    text = sample(model, vocab, "to be, or ", 30, temperature=0.5, seed=1)
    assert text.startswith("not to be")


def test_a_step_budget_gives_the_same_model_twice():
    vocab = Vocabulary.from_text(VERSE)
    ids = vocab.encode(VERSE)
    config = TextTrainConfig(batch=4, bptt=16, steps=12, eval_every=0.5, seed=5)
    runs = [train_text(small_model(vocab), ids[:2000], ids[2000:], config) for _ in range(2)]
    assert runs[0].steps == 12 and len(runs[0].curve) == 2
    assert [r["val_nats"] for r in runs[0].curve] == [r["val_nats"] for r in runs[1].curve]


def test_sampling_is_reproducible_and_checks_the_temperature():
    vocab = Vocabulary.from_text(VERSE)
    model = small_model(vocab)
    first = sample(model, vocab, "to", 40, 1.0, seed=3)
    assert len(first) == 40 and first == sample(model, vocab, "to", 40, 1.0, seed=3)
    assert set(first) <= set(vocab.chars)
    with pytest.raises(RnnlabError, match="temperature"):
        sample(model, vocab, "to", 5, 0.0)


def test_text_features_track_quotes_brackets_and_the_line():
    features = text_features('a "b" (c\nHAMLET:')
    np.testing.assert_array_equal(
        features["inside double quotes"], [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    )
    np.testing.assert_array_equal(
        features["inside brackets"], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    )
    assert features["position in the line"][:9].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 0]
    assert features["in a line of capitals (a speaker's name)"][-2] == 1


def test_the_neuron_search_finds_a_planted_neuron():
    rng = np.random.default_rng(0)
    features = text_features('say "yes" or "no" to (this) ' * 20)
    activations = rng.normal(size=(len(features["inside brackets"]), 6))  # (T, 6)
    activations[:, 4] = (
        features["inside double quotes"] * 2 - 1 + rng.normal(0, 0.1, len(activations))
    )
    found = find_neurons(activations, [f"h1.{i}" for i in range(6)], features)
    assert found[0]["feature"] == "inside double quotes"
    assert found[0]["neurons"][0]["neuron"] == "h1.4" and found[0]["neurons"][0]["r"] > 0.9
    assert correlations(activations, np.ones(len(activations))).tolist() == [0.0] * 6


# ------------------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny model trained through the CLI, shared by the CLI tests."""
    folder = tmp_path_factory.mktemp("textgen")
    corpus = folder / "verse.txt"
    corpus.write_text(VERSE.replace("question", '"question" (and answer)'), encoding="utf-8")
    out = folder / "run"
    argv = ["textgen", "train", str(corpus), "--out", str(out), "--hidden", "24", "--layers", "1"]
    argv += ["--batch", "8", "--bptt", "32", "--minutes", "0.1", "--lr", "0.01", "--quiet"]
    assert main(argv) == 0
    return corpus, out


def test_train_writes_the_model_and_the_report(trained):
    _, out = trained
    for name in ("model.safetensors", "model.json", "config.json", "metrics.json", "curve.png"):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["val_bits_per_char"] == pytest.approx(
        metrics["val_nats_per_char"] / math.log(2), abs=1e-3
    )
    assert metrics["val_nats_per_char"] < 2.0 and metrics["curve"]
    assert "nats per character" in (out / "report.html").read_text()
    assert json.loads((out / "config.json").read_text())["model"]["hidden"] == 24


def test_eval_json_is_one_line_with_nats_and_bits(trained, capsys):
    corpus, out = trained
    assert main(["textgen", "eval", "--model", str(out), "--text", str(corpus), "--json"]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line
    scores = json.loads(line)
    assert set(scores) == {"nats_per_char", "bits_per_char"}
    assert scores["bits_per_char"] == pytest.approx(scores["nats_per_char"] / math.log(2), abs=1e-3)


def test_sample_continues_the_prompt(trained, capsys):
    _, out = trained
    argv = ["textgen", "sample", "--model", str(out), "--prompt", "to be", "--length", "25"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("to be") and len(printed.rstrip("\n")) >= 25


def test_explain_writes_a_page_and_the_neurons_found(trained, capsys, tmp_path):
    corpus, out = trained
    page = tmp_path / "explain"
    argv = ["textgen", "explain", "--model", str(out), "--text", str(corpus), "--out", str(page)]
    assert main([*argv, "--chars", "400"]) == 0
    found = json.loads((page / "neurons.json").read_text())
    assert found["chosen"].startswith(("h1.", "C1.")) and found["found"]
    html = (page / "report.html").read_text()
    assert "next" in html and "<span style='background:" in html
    assert main([*argv, "--force", "--neuron", "h9.9"]) == 2
    assert "no neuron 'h9.9'" in capsys.readouterr().err


def test_bad_input_is_one_line_and_exit_2(trained, tmp_path, capsys):
    corpus, out = trained
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    (tampered / "model.json").write_text((out / "model.json").read_text())
    (tampered / "model.safetensors").write_bytes((out / "model.safetensors").read_bytes()[:200])
    cases = [
        (["textgen", "train", str(tmp_path / "missing.txt")], "no such file"),
        (["textgen", "train", str(binary)], "looks binary"),
        (["textgen", "train", str(corpus), "--hidden", "0"], "--hidden must be at least 1"),
        (["textgen", "train", str(corpus), "--batch", "500"], "too short"),
        (
            ["textgen", "eval", "--model", str(tmp_path), "--text", str(corpus)],
            "not an rnnlab model",
        ),
        (
            ["textgen", "eval", "--model", str(tampered), "--text", str(corpus)],
            "changed or damaged",
        ),
        (["textgen", "sample", "--model", str(out), "--temperature", "0"], "temperature"),
    ]
    for argv, message in cases:
        assert main([*argv, "--out", str(tmp_path / "x")] if argv[1] == "train" else argv) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (argv, err)
    assert not (tmp_path / "x").exists()  # no half-written run folder


def test_the_default_corpus_ships_with_python_and_odd_encodings_load(tmp_path):
    from rnnlab.text.corpus import read_text

    text, source = read_text(None)
    assert source == "pydoc_data.topics" and len(text) > 100_000
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café\r\nnaïve\r\n".encode("latin-1"))
    assert read_text(latin)[0] == "café\nnaïve\n"  # not UTF-8: read as Latin-1, CRLF to LF
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffhello".encode())
    assert read_text(bom)[0] == "hello"


def test_eval_notes_characters_the_model_never_saw(trained, tmp_path, capsys):
    _, out = trained
    text = tmp_path / "new.txt"
    text.write_text("to be, or not to be: ZZ\n" * 5, encoding="utf-8")
    assert main(["textgen", "eval", "--model", str(out), "--text", str(text), "--json"]) == 0
    captured = capsys.readouterr()
    assert "10 characters" in captured.err and "'Z'" in captured.err
    assert set(json.loads(captured.out)) == {"nats_per_char", "bits_per_char"}
