"""What every run writes: JSON and one self-contained HTML page.

The HTML embeds its images as base64 and carries its own CSS, so it opens offline, alone.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path


def jsonable(obj):
    """NaN and inf become null (JSON has no NaN); tuples become lists; paths become strings."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item"):  # numpy scalar
        return jsonable(obj.item())
    return obj


def write_json(path: Path, obj) -> None:
    Path(path).write_text(json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n")


# ---------------------------------------------------------------------------------- html

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd}
th{background:#f4f4f4;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
.yes{color:#1a7f37;font-weight:600} .no{color:#c62828} img{max-width:100%}
pre{background:#f6f8fa;padding:.8rem;overflow:auto;font-size:.8rem} .verdict{font-weight:600}
"""


def html_page(
    title: str, sections: list[tuple[str, str]], images: list[tuple[str, Path]], config: dict
) -> str:
    """A self-contained page: sections of trusted HTML, embedded PNGs, the resolved config."""
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for heading, content in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{content}")
    for caption, path in images:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        parts.append(
            f"<h2>{html.escape(caption)}</h2><img alt='{html.escape(caption)}' "
            f"src='data:image/png;base64,{data}'>"
        )
    config_text = html.escape(json.dumps(jsonable(config), indent=2))
    parts.append(f"<h2>Configuration (config.json)</h2><pre>{config_text}</pre></body></html>")
    return "\n".join(parts)
