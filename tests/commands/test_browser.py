"""Every kind of report.html opened in headless Chromium, offline, from file:// (issue 7).

A page passes when it logs no console error or exception, requests nothing but itself, decodes
every image, shows no image blank on the full-page screenshot, has data rows in every table, and
its screenshot is not blank (browser.py). `make browser` installs Chromium; without it this
file skips, except where RNNLAB_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import base64
import io
import json
import os

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imsave

from rnnlab.cli import main
from tests.commands.browser import Browser, find_chromium

CHROMIUM = find_chromium()
REQUIRED = os.environ.get("RNNLAB_REQUIRE_BROWSER", "") not in ("", "0")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED,
    reason="no chromium on the PATH (`make browser` installs it)",
)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("RNNLAB_REQUIRE_BROWSER is set but chromium is not on the PATH")
    with Browser(CHROMIUM) as opened:
        yield opened


# --- each command's arguments: the smallest options that still write the whole page ----------


def _demo(folder, make):
    return ["demo", "--epochs", "3", "--patience", "2"]


def _forecast(folder, make):
    rows = ["unique_id,ds,y"]
    for s in range(3):
        for t, ds in enumerate(pd.date_range("2015-01-01", periods=60 - 3 * s, freq="MS")):
            rows.append(f"s{s},{ds.date()},{100 + 10 * s + 5 * ((t % 12) > 5) + 0.2 * t:.3f}")
    (folder / "panel.csv").write_text("\n".join(rows) + "\n")
    argv = ["forecast", "--csv", str(folder / "panel.csv"), "--horizon", "4", "--backtest", "2"]
    return [*argv, "--ensemble", "1", "--epochs", "1", "--baselines", "naive"]


def _detect(folder, make):
    rng = np.random.default_rng(0)
    time = pd.date_range("2020-01-01", periods=600, freq="5min")
    values = np.sin(np.arange(600) / 20) + rng.normal(0, 0.1, 600)
    values[450] += 6.0
    pd.DataFrame({"timestamp": time, "value": values}).to_csv(folder / "s.csv", index=False)
    (folder / "windows.json").write_text(json.dumps([[str(time[440]), str(time[460])]]))
    return ["detect", "--csv", str(folder / "s.csv"), "--labels", str(folder / "windows.json")]


def _ucr(path, n_per_class, seed, swap_last=False):
    """A slow wave (a) or a fast one (b); swap_last repeats a row under the other label."""
    rng = np.random.default_rng(seed)
    t = np.arange(30)
    lines = []
    for label, period in (("a", 16.0), ("b", 4.0)):
        for _ in range(n_per_class):
            row = np.sin(2 * np.pi * t / period + rng.uniform(0, 6)) + rng.normal(0, 0.1, 30)
            lines.append(label + "\t" + "\t".join(f"{v:.4f}" for v in row))
    if swap_last:  # one of the twins is always misclassified: the page gets that plot too
        lines.append("a" + lines[-1][1:])
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _classify(folder, make):
    train = _ucr(folder / "T_TRAIN.tsv", 6, seed=1)
    test = _ucr(folder / "T_TEST.tsv", 3, seed=2, swap_last=True)
    return ["classify", "--train", train, "--test", test, "--kernels", "200"]  # the default model


def _textgen_train(folder, make):
    text = folder / "verse.txt"
    text.write_text('to be, or not to be: that is the "question" (and answer).\n' * 40)
    argv = ["textgen", "train", str(text), "--hidden", "16", "--layers", "1", "--embedding", "8"]
    return [*argv, "--batch", "4", "--bptt", "16", "--steps", "5"]


def _textgen_explain(folder, make):
    model = make("textgen train").parent
    argv = ["textgen", "explain", "--model", str(model), "--text", str(model.parent / "verse.txt")]
    return [*argv, "--chars", "300"]


def _lab_gradients(folder, make):
    argv = ["lab", "gradients", "--hidden", "8", "--max-lag", "12", "--sequences", "2"]
    return [*argv, "--networks", "2", "--burn-in", "5"]


def _lab_memory(folder, make):
    argv = ["lab", "memory", "--lags", "3", "--cells", "rnn", "--tries", "1", "--steps", "5"]
    return [*argv, "--hidden", "8"]


KINDS = {  # kind: (its arguments from (folder, make), images at least, tables at least)
    "demo": (_demo, 2, 1),
    "forecast": (_forecast, 1, 3),
    "detect": (_detect, 1, 0),
    "classify": (_classify, 2, 1),
    "textgen train": (_textgen_train, 1, 1),
    "textgen explain": (_textgen_explain, 0, 1),
    "lab gradients": (_lab_gradients, 1, 1),
    "lab memory": (_lab_memory, 1, 1),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """report(kind) -> the path of that command's report.html, each written once."""
    made = {}

    def make(kind):
        if kind not in made:
            folder = tmp_path_factory.mktemp(kind.replace(" ", "-"))
            argv = KINDS[kind][0](folder, make)
            assert main([*argv, "--out", str(folder / "run"), "--quiet"]) == 0, kind
            made[kind] = folder / "run" / "report.html"
        return made[kind]

    return make


@pytest.mark.parametrize("kind", list(KINDS))
def test_report_renders_in_chromium(browser, report, kind):
    check = browser.check(report(kind))
    assert not check.problems, f"{kind}: " + "; ".join(check.problems)
    _, images, tables = KINDS[kind]
    assert len(check.images) >= images and len(check.tables) >= tables, (kind, check.images)


# --- the check itself catches what it is there for -----------------------------------------


def _checkerboard_png() -> str:
    """A 300x200 PNG of 20-pixel squares, base64: a plot that is surely not blank."""
    buffer = io.BytesIO()
    imsave(buffer, (np.indices((200, 300)) // 20).sum(axis=0) % 2, cmap="gray", format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


GOOD = (
    "<h1>A report</h1><p>Some words to read, enough of them to show on a screenshot.</p>"
    "<table><tr><th>model</th><th>MASE</th></tr><tr><td>naive</td><td>1.0</td></tr></table>"
    f"<img alt='plot' src='data:image/png;base64,{_checkerboard_png()}'>"
)
BROKEN = {
    "console error": ("<script>console.error('boom')</script>", "console.error: boom"),
    "exception": ("<script>undefined_function()</script>", "uncaught exception"),
    "missing image": ("<img alt='gone' src='gone.png'>", "image 'gone' did not load"),
    "corrupt image": ("<img alt='bad' src='data:image/png;base64,AAAA'>", "'bad' did not load"),
    "blank image": (
        "<img alt='white' width='300' height='200' src='data:image/svg+xml,"
        '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"/>\'>',
        "'white' is blank on the screenshot",
    ),
    "outside stylesheet": (
        "<link rel='stylesheet' href='http://127.0.0.1:9/a.css'>",
        "the page loads another resource: http://127.0.0.1:9/a.css",
    ),
    "empty table": ("<table><tr><th>only a head</th></tr></table>", "no data rows"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_check_catches_a_broken_page(browser, tmp_path, name):
    html, expected = BROKEN[name]
    page = tmp_path / "broken.html"
    page.write_text(f"<!doctype html><html><body>{GOOD}{html}</body></html>")
    problems = browser.check(page).problems
    assert any(expected in p for p in problems), problems


def test_a_good_page_passes(browser, tmp_path):
    page = tmp_path / "good.html"
    page.write_text(f"<!doctype html><html><body>{GOOD}</body></html>")
    assert browser.check(page).problems == []


def test_a_blank_page_is_blank(browser, tmp_path):
    page = tmp_path / "blank.html"
    page.write_text("<!doctype html><html><body><p style='color:white'>unseen</p></body></html>")
    assert "the screenshot is blank" in browser.check(page).problems
