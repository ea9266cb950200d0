"""Fuzzing text: the text reader, `rnnlab textgen` and its model commands.

The harness (settings, generators, the one-line check) is tests/fuzzing.py.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rnnlab.cli import main
from rnnlab.text.charlm import Vocabulary
from rnnlab.text.corpus import read_text
from tests.fuzzing import (
    ARG_TEXT,
    BAD_OUTS,
    FLOAT_TEXT,
    TEXTGEN_FLAGS,
    TEXTS,
    flags,
    fuzz,
    outcome,
    run_cli,
)


@fuzz(80)
@given(data=TEXTS)
def test_read_text(fuzz_tally, fuzz_folder, data):
    path = fuzz_folder / "corpus.txt"
    path.write_bytes(data)
    read = outcome(fuzz_tally, "read_text", read_text, path)
    if read is not None:
        text, _ = read
        assert isinstance(text, str) and len(text) >= 1 and "\r\n" not in text
        vocab = Vocabulary.from_text(text)
        assert vocab.decode(vocab.encode(text[:200])) == text[:200]


@fuzz(50)
@given(
    text=st.one_of(TEXTS, st.builds(lambda k: b"to be or not to be " * k, st.integers(0, 400))),
    action=st.sampled_from(["train", "train", "eval", "explain", "sample"]),
    argv=flags(TEXTGEN_FLAGS),
    out=BAD_OUTS,
)
def test_cli_textgen(fuzz_tally, fuzz_folder, text, action, argv, out):
    if action == "train":
        argv = ["textgen", "train", "@/corpus.txt", *argv, "--out", out]
    else:  # these load a model first: "@/full" holds none
        argv = ["textgen", action, "--model", "@/full"]
        argv += [] if action == "sample" else ["--text", "@/corpus.txt"]
    run_cli(fuzz_tally, "cli_textgen", argv, {"corpus.txt": text}, fuzz_folder)


@pytest.fixture(scope="session")
def text_model(tmp_path_factory) -> Path:
    """A character model of a few dozen weights, trained for one step by the command line."""
    where = tmp_path_factory.mktemp("text_model")
    (where / "corpus.txt").write_text("to be or not to be, that is the question. " * 40)
    argv = ["textgen", "train", str(where / "corpus.txt"), "--out", str(where / "model")]
    argv += ["--steps", "1", "--hidden", "4", "--layers", "1", "--embedding", "2", "--batch", "2"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--bptt", "8", "--quiet"]) == 0
    return where / "model"


TEXTGEN_MODEL_FLAGS = {
    "sample": {
        "--prompt": st.one_of(ARG_TEXT, st.just("")),
        "--length": st.sampled_from(["0", "-1", "1", "20", "abc", "", "2.5"]),
        "--temperature": FLOAT_TEXT,
    },
    "eval": {"--json": st.none()},
    "explain": {
        "--neuron": st.one_of(st.sampled_from(["h1.0", "C1.3", "h9.9", "h0.0"]), ARG_TEXT),
        "--chars": st.sampled_from(["0", "1", "2", "50", "x", "99999999999999999999999"]),
    },
}


@st.composite
def model_commands(draw) -> list[str]:
    """An action on a trained model and some of its flags."""
    action = draw(st.sampled_from(sorted(TEXTGEN_MODEL_FLAGS)))
    return [action, *draw(flags(TEXTGEN_MODEL_FLAGS[action]))]


@fuzz(40)
# Regression: a tiny temperature overflowed the scaled logits into nan probabilities.
@example(text=b"", command=["sample", "--temperature", "1e-300"])
@given(text=TEXTS, command=model_commands())
def test_cli_textgen_with_a_model(fuzz_tally, fuzz_folder, text_model, text, command):
    action, *argv = command
    head = ["textgen", action, "--model", str(text_model)]
    head += [] if action == "sample" else ["--text", "@/text.txt"]
    tail = ["--out", "@/blocker"] if action == "explain" else []
    run_cli(fuzz_tally, "cli_textgen_model", [*head, *argv, *tail], {"text.txt": text}, fuzz_folder)
