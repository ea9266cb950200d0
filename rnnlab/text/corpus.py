"""Reading a text to learn from: any file of characters, or the text that ships with Python."""

from __future__ import annotations

from pathlib import Path

from rnnlab.errors import RnnlabError

# Without a file, the documentation topics of CPython's `pydoc_data` (about 0.8 MB): a corpus
# every Python has, so training runs offline.
DEFAULT_CORPUS = "pydoc_data.topics"


def read_text(path: str | Path | None) -> tuple[str, str]:
    """The text and where it came from. UTF-8 (a BOM is dropped); Latin-1 when the bytes are
    not UTF-8, since every byte string is Latin-1 text; binary files are refused. Line ends
    become "\\n". None reads DEFAULT_CORPUS."""
    if path is None:
        from pydoc_data.topics import topics

        return "\n\n".join(topics[k] for k in sorted(topics)), DEFAULT_CORPUS
    path = Path(path)
    if not path.is_file():
        raise RnnlabError(f"{path}: no such file; give a text file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise RnnlabError(f"cannot read {path}: {err.strerror}") from None
    if b"\x00" in data[:65536]:
        raise RnnlabError(f"{path} looks binary (it holds NUL bytes); give a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if len(text) < 2:
        raise RnnlabError(f"{path} holds {len(text)} characters; give more text")
    return text.replace("\r\n", "\n"), str(path)
