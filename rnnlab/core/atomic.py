"""Atomic outputs: a folder is written under a temporary name and renamed into place.

A killed or failed job leaves the old folder or the new one, never half of one: rename is
atomic within a file system, and the temporary folder lies beside the target for that reason.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
from pathlib import Path

from rnnlab.errors import RnnlabError


@contextlib.contextmanager
def staged(folder: Path, label: str = ""):
    """Yield a temporary folder beside `folder` that replaces it when the block succeeds.

    The old `folder` is set aside first and removed only once the new one is in place; on any
    error (or Ctrl-C) the temporary folder is removed and `folder` is untouched. `label` names
    the folder in error messages ("the run directory ")."""
    folder = Path(folder)
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        _remove_orphans(folder)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
    except OSError as err:
        raise RnnlabError(f"cannot write {label}{folder}: {err.strerror}") from None
    try:
        yield tmp
        old = None
        if folder.exists():
            old = folder.parent / f".{folder.name}.old-{os.getpid()}"
            folder.rename(old)
        tmp.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RnnlabError(f"cannot write {label}{folder}: {err.strerror}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _remove_orphans(folder: Path) -> None:
    """Remove the temporary folders of `folder` that a killed process left (kill -9 runs no
    clean-up); a live process's are left alone."""
    for tmp in folder.parent.glob(f".{glob.escape(folder.name)}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
