"""Looking inside a character-level model: which neurons track what, and how sure it is.

Karpathy, Johnson & Fei-Fei, "Visualizing and Understanding Recurrent Networks" (2015) found
single LSTM cells that track quotes, brackets and the position in a line. Here every neuron
(each layer's hidden state h and, for an LSTM, cell state C) is correlated with simple
properties of the text read so far; the best matches are listed, and the page colours the text
by a neuron's activation after each character, with the model's next-character guesses.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
import torch

from rnnlab.errors import RnnlabError
from rnnlab.text.charlm import CharLM, Vocabulary

BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
SPEAKER = re.compile(r"^[A-Z][A-Z' ]*$")  # a line so far in capitals: a name in a play


def text_features(text: str) -> dict[str, np.ndarray]:
    """Properties of the text up to and including each character (T,) each: what a neuron
    whose state follows the reading could track."""
    quote, depth, column, indent, line = 0, 0, 0, 0, ""
    rows = []
    for c in text:
        quote ^= c == '"'
        depth = max(0, depth + BRACKETS.get(c, 0))
        if c == "\n":
            column, indent, line = 0, 0, ""
        else:
            column += 1
            line += c
            indent = indent + 1 if c == " " and line.strip() == "" else indent
        rows.append(
            (
                quote,
                depth > 0,
                column,
                indent,
                c.isalpha(),
                c == " ",
                c == "\n",
                c in ".,;:!?",
                bool(SPEAKER.match(line)) and len(line) > 1,
            )
        )
    names = (
        "inside double quotes",
        "inside brackets",
        "position in the line",
        "indentation of the line",
        "inside a word",
        "after a space",
        "at a line break",
        "after punctuation",
        "in a line of capitals (a speaker's name)",
    )
    table = np.array(rows, dtype=float)  # (T, features)
    return {name: table[:, k] for k, name in enumerate(names)}


def neuron_table(model: CharLM, vocab: Vocabulary, text: str):
    """Activations (T, N) of every neuron after each character, their names ("h2.17": layer 2,
    unit 17 of the hidden state; "C1.5": a cell state), and the next-character probabilities
    (T, V)."""
    ids = vocab.encode(text)  # (T,)
    hs, cs, logits = model.hidden_states(ids)  # (layers, T, H), same or None, (T, V)
    blocks, names = [], []
    for kind, states in (("h", hs), ("C", cs)):
        if states is None:
            continue
        for layer in range(states.shape[0]):
            blocks.append(states[layer])  # (T, H)
            names += [f"{kind}{layer + 1}.{u}" for u in range(states.shape[2])]
    activations = torch.cat(blocks, dim=1).numpy()  # (T, N)
    return activations, names, torch.softmax(logits, dim=-1).numpy()  # (T, N), [N], (T, V)


def correlations(activations: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson correlation (N,) of each neuron with one feature; 0 where either is constant."""
    a = activations - activations.mean(0)  # (T, N)
    f = feature - feature.mean()  # (T,)
    denom = np.sqrt((a**2).sum(0) * (f**2).sum())  # (N,)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * f[:, None]).sum(0) / denom
    return np.nan_to_num(r)


def find_neurons(activations: np.ndarray, names: list[str], features: dict, top: int = 3):
    """For each feature that varies in the text, the `top` neurons most correlated with it,
    strongest first: [{"feature", "neurons": [{"neuron", "index", "r"}]}], best feature first."""
    found = []
    for feature, values in features.items():
        if values.std() == 0:
            continue
        r = correlations(activations, values)  # (N,)
        order = np.argsort(-np.abs(r))[:top]
        found.append(
            {
                "feature": feature,
                "neurons": [
                    {"neuron": names[i], "index": int(i), "r": round(float(r[i]), 3)} for i in order
                ],
            }
        )
    return sorted(found, key=lambda row: -abs(row["neurons"][0]["r"]))


# -------------------------------------------------------------------------------- page


def _colour(value: float) -> str:
    """Blue for a positive activation, red for a negative one, white for zero (value in -1..1)."""
    strength = int(round(min(abs(value), 1.0) * 200))
    if value >= 0:
        return f"rgb({255 - strength},{255 - strength // 2},255)"
    return f"rgb(255,{255 - strength},{255 - strength})"


def coloured_text(text: str, values: np.ndarray, tips: list[str] | None = None) -> str:
    """The text as spans coloured by `values` (T,) scaled by their largest magnitude; a tooltip
    per character when `tips` are given."""
    scale = float(np.abs(values).max()) or 1.0
    spans = []
    for t, c in enumerate(text):
        shown = "↵\n" if c == "\n" else c
        tip = f" title='{html.escape(tips[t], quote=True)}'" if tips else ""
        spans.append(
            f"<span style='background:{_colour(values[t] / scale)}'{tip}>"
            f"{html.escape(shown)}</span>"
        )
    return f"<pre class='text'>{''.join(spans)}</pre>"


def guess_tips(text: str, probs: np.ndarray, vocab: Vocabulary, k: int = 5) -> list[str]:
    """Per character: the model's top-k guesses for the character after it, with confidence."""
    tips = []
    order = np.argsort(-probs, axis=1)[:, :k]  # (T, k)
    for t in range(len(text)):
        guesses = ", ".join(
            f"{vocab.chars[i]!r} {probs[t, i]:.0%}".replace("'\\n'", "'↵'") for i in order[t]
        )
        tips.append(f"after {text[t]!r}: next {guesses}")
    return tips


def next_char_confidence(text: str, probs: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """The probability the model gave each actual next character (T,); the last gets 0."""
    ids = vocab.encode(text).numpy()  # (T,)
    out = np.zeros(len(text))
    out[:-1] = probs[np.arange(len(text) - 1), ids[1:]]
    return out


# ----------------------------------------------------------------------------- explain


@dataclass
class Explanation:
    """What `explain` found: the neuron the text is coloured by, the neurons that track each
    property (find_neurons' rows), how many neurons there are, and the page's sections."""

    chosen: str
    found: list[dict]
    neurons: int
    sections: list[tuple[str, str]]  # (title, html)


def explain(model: CharLM, vocab: Vocabulary, text: str, neuron: str | None = None):
    """Read `text` with the model; find the neurons that track something; colour the text by
    `neuron` (default: the best match found) and by the model's confidence."""
    activations, names, probs = neuron_table(model, vocab, text)  # (T, N), [N], (T, V)
    found = find_neurons(activations, names, text_features(text))
    if neuron is not None and neuron not in names:
        raise RnnlabError(
            f"no neuron {neuron!r} in this model; names run from {names[0]} to {names[-1]}"
        )
    chosen = neuron or (found[0]["neurons"][0]["neuron"] if found else names[0])
    column = names.index(chosen)
    tips = guess_tips(text, probs, vocab)
    confidence = next_char_confidence(text, probs, vocab)
    sections = [
        (
            f"The text coloured by neuron {chosen}",
            "<p>Blue: the neuron's activation after reading that character is positive, red: "
            "negative (scaled by its largest magnitude here). Hover over a character to see "
            "the model's five best guesses for the character after it.</p>"
            + coloured_text(text, activations[:, column], tips),
        ),
        (
            "How sure the model was of each next character",
            "<p>Blue: the probability it gave the character that actually came next (darker is "
            f"surer); mean {confidence[:-1].mean():.0%}.</p>"
            + coloured_text(text, confidence, tips),
        ),
        ("Neurons that track something", found_table(found)),
    ]
    excerpt = text[: min(len(text), 600)]
    for row in found[:4]:
        best = row["neurons"][0]
        sections.append(
            (
                f"{row['feature']}: neuron {best['neuron']} (r = {best['r']:+.2f})",
                coloured_text(excerpt, activations[: len(excerpt), best["index"]]),
            )
        )
    return Explanation(chosen, found, len(names), sections)


def found_table(found: list[dict]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(row['feature'])}</td><td>"
        + ", ".join(f"{n['neuron']} ({n['r']:+.2f})" for n in row["neurons"])
        + "</td></tr>"
        for row in found
    )
    return (
        "<p>Each neuron's activation after every character, correlated (Pearson r) with a "
        "property of the text read so far; the three strongest per property.</p>"
        f"<table><tr><th>property</th><th>neurons (r)</th></tr>{rows}</table>"
    )
