"""Every code example in README.md and docs/*.md runs, as docs/README.md promises.

The convention, by the fence's language:

- ```python blocks are executed, in order, in one namespace per file, with a temporary
  directory of that file as the working directory;
- ```console blocks: each `$ rnnlab ...` line is run in-process through `rnnlab.cli.main(argv)`
  (shlex split, `rnnlab` dropped) in the same directory and must exit 0; other `$ ...` lines
  (`head`, `cat`) run in a shell there and must exit 0. The lines after a command are its output,
  shown, not compared, except that an output line `rnnlab COMMAND: error: ...` means the command
  must fail with exit code 2 and print that line;
- ```sh and ```text blocks are not run (make targets, benchmark commands that take minutes, and
  output); every `rnnlab ...` command in them is still parsed by rnnlab's own argument parser,
  so a renamed or removed flag fails here.

A path starting with `../shared/data` means the benchmark data beside the repository; a block
that needs it is skipped, with the reason, when it is absent. `<!-- docs-test: slow -->` on the
line before a fence marks the block slow.

Each block is one test case, named by file, block number and line (`README.md-block3-L57`, which
`-k` selects). Asking for one block runs the file's earlier blocks first, since later examples use
what earlier ones made.
Files and folders the pages name in inline code (`rnnlab/core/cells.py`) must exist.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rnnlab.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = ("python", "console")
SHOWN = ("sh", "text")
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")


# --- reading the examples out of the Markdown


@dataclass
class Block:
    file: str  # relative to the repository root
    index: int  # position among the file's fenced blocks, from 0
    line: int  # line of the opening fence, from 1
    lang: str
    text: str
    slow: bool = False

    @property
    def name(self) -> str:
        return f"{self.file}-block{self.index}-L{self.line}"


def read_blocks(path: Path) -> list[Block]:
    """The fenced blocks of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, lang, start = match.group(1), match.group(2), i
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        slow = start > 0 and "docs-test: slow" in lines[start - 1]
        name = str(path.relative_to(ROOT))
        blocks.append(Block(name, len(blocks), start + 1, lang, "\n".join(body) + "\n", slow))
        i += 1  # the closing fence
    return blocks


def console_commands(text: str) -> list[tuple[str, list[str]]]:
    """(command, output lines) for each `$ ` line, `\\` continuations joined."""
    commands: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = line[2:]
            while command.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command.rstrip()[:-1] + " " + lines[i].strip()
            commands.append((command.strip(), []))
        elif commands:
            commands[-1][1].append(line)
        i += 1
    return commands


def shown_rnnlab_commands(text: str) -> list[str]:
    """The `rnnlab ...` commands in a block that is not run: lines that start with `rnnlab` or
    `$ rnnlab`, and `torchrun ... -m rnnlab ...`, continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip().removeprefix("$ ").strip()
        if line.startswith("rnnlab "):
            found.append(line)
        elif "-m rnnlab " in line:
            found.append("rnnlab " + line.split("-m rnnlab ", 1)[1])
    return found


def argv_of(command: str) -> list[str]:
    words = shlex.split(command, comments=True)
    assert words and words[0] == "rnnlab", f"not an rnnlab command: {command}"
    return [_shared(word) for word in words[1:]]


def _shared(word: str) -> str:
    """`../shared/data/...` (also after `--flag=`) as the absolute path beside the repository."""
    head, sep, tail = word.rpartition("../shared/data")
    return f"{head}{SHARED_DATA}{tail}" if sep else word


def needs_shared_data(text: str) -> bool:
    return "../shared/data" in text


ALL_BLOCKS = [block for path in FILES for block in read_blocks(path)]


def _params(langs):
    return [
        pytest.param(b, id=b.name, marks=[pytest.mark.slow] if b.slow else [])
        for b in ALL_BLOCKS
        if b.lang in langs
    ]


# --- running them: one working directory and one namespace per file


@dataclass
class Page:
    workdir: Path
    namespace: dict = field(default_factory=lambda: {"__name__": "__docs__"})
    done: set = field(default_factory=set)
    failed: dict = field(default_factory=dict)  # index -> why


@pytest.fixture(scope="session")
def pages(tmp_path_factory) -> dict[str, Page]:
    """file -> its Page, made on first use."""

    class Pages(dict):
        def __missing__(self, file: str) -> Page:
            page = self[file] = Page(tmp_path_factory.mktemp(re.sub(r"\W+", "-", file)))
            return page

    return Pages()


def run_block(block: Block, page: Page, capsys) -> None:
    if block.lang == "python":
        code = compile(block.text, f"{block.name}", "exec")
        exec(code, page.namespace)
        return
    for command, output in console_commands(block.text):
        if not command.startswith("rnnlab "):
            done = subprocess.run(command, shell=True, capture_output=True, text=True)
            assert done.returncode == 0, f"{block.name}: `{command}` failed:\n{done.stderr}"
            continue
        error = next((line for line in output if re.match(r"rnnlab [\w ]+: error: ", line)), None)
        capsys.readouterr()
        try:
            code = main(argv_of(command))
        except SystemExit as exit_:  # argparse: --help, or a bad flag
            code = exit_.code
        printed = capsys.readouterr()
        if error is None:
            assert code == 0, f"{block.name}: `{command}` exited {code}:\n{printed.err[-2000:]}"
        else:
            assert code == 2, f"{block.name}: `{command}` should fail with 2, got {code}"
            assert error.strip() in printed.err, (
                f"{block.name}: expected {error!r}, got:\n{printed.err}"
            )


@pytest.mark.parametrize("block", _params(RUN))
def test_example_runs(block: Block, pages, capsys, monkeypatch):
    if needs_shared_data(block.text) and not SHARED_DATA.is_dir():
        pytest.skip(f"needs the benchmark data in {SHARED_DATA}, which is absent")
    page = pages[block.file]
    monkeypatch.chdir(page.workdir)
    earlier = [b for b in ALL_BLOCKS if b.file == block.file and b.lang in RUN]
    for before in earlier[: earlier.index(block)]:  # what this example builds on
        if before.index in page.done or before.index in page.failed:
            continue
        if needs_shared_data(before.text) and not SHARED_DATA.is_dir():
            page.done.add(before.index)
            continue
        try:
            _run_recorded(before, page, capsys)
        except Exception:
            pass  # its own test case reports it; this one may not depend on it
    assert block.index not in page.failed, page.failed[block.index]
    if block.index in page.done:
        return
    try:
        _run_recorded(block, page, capsys)
    except Exception as err:
        names = {b.index: b.name for b in earlier}
        failed = [f"{names[i]}: {why}" for i, why in page.failed.items() if i < block.index]
        if failed:  # say so: this example may have needed what they make
            raise AssertionError(f"{err}\n(earlier examples failed too: {failed})") from err
        raise


def _run_recorded(block: Block, page: Page, capsys) -> None:
    start = time.perf_counter()
    try:
        run_block(block, page, capsys)
    except BaseException as err:
        page.failed[block.index] = f"{type(err).__name__}: {err}"[:500]
        raise
    page.done.add(block.index)
    took = time.perf_counter() - start
    assert block.slow or took < 30, f"{block.name} took {took:.0f} s: make it quicker"


@pytest.mark.parametrize(
    "block", [p for p in _params(SHOWN) if shown_rnnlab_commands(p.values[0].text)]
)
def test_shown_commands_parse(block: Block, capsys):
    parser = build_parser()
    for command in shown_rnnlab_commands(block.text):
        try:
            parser.parse_args(argv_of(command))
        except SystemExit as exit_:
            err = capsys.readouterr().err
            pytest.fail(f"{block.name}: `{command}` does not parse ({exit_.code}): {err}")


def test_every_fence_names_a_known_language():
    for path in FILES:
        blocks = read_blocks(path)
        unknown = [b.name for b in blocks if b.lang not in RUN + SHOWN]
        assert not unknown, f"fences need a language of {RUN + SHOWN}: {unknown}"


CITED_PATH = re.compile(r"`((?:rnnlab|tests|benchmarks)/[\w./*-]*)`")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_cited_files_exist(path: Path):
    """A file or folder named in inline code (`rnnlab/core/cells.py`) is there: the docs follow
    the code when it moves. Placeholders in capitals (`DATE-...`) are not paths."""
    text = path.read_text(encoding="utf-8")
    cited = {m for m in CITED_PATH.findall(text) if not re.search(r"[A-Z]{3}", m)}
    missing = sorted(m for m in cited if not list(ROOT.glob(m.rstrip("/"))))
    assert not missing, f"{path.name} names files that do not exist: {missing}"
