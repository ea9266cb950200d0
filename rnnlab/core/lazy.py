"""Lazy exports: a package names its front doors without importing them.

`import rnnlab` and `import rnnlab.detect` stay cheap (no torch, no matplotlib): a name is
imported from its module the first time it is read (PEP 562's module `__getattr__`).
"""

from __future__ import annotations

import importlib


def lazy_exports(package: str, exports: dict[str, str]):
    """A module `__getattr__` for `package` that reads `name` from `exports[name]` on first use."""

    def __getattr__(name: str):
        if name in exports:
            return getattr(importlib.import_module(exports[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
