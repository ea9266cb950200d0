"""Where every benchmark writes its dated Markdown table: benchmarks/results/DATE-NAME.md."""

from __future__ import annotations

import time
from pathlib import Path


def save_result(name: str, text: str) -> Path:
    """Write `text` to benchmarks/results/DATE-NAME.md, print it and where it went."""
    out = Path(__file__).parent / "results" / f"{time.strftime('%Y-%m-%d')}-{name}.md"
    out.write_text(text)
    print(text)
    print(f"written: {out}")
    return out
