"""Model folders: the one format every rnnlab job saves and loads its trained models in.

    DIR/model.safetensors   the weights: named tensors, nothing else (safetensors format)
    DIR/model.json          what rebuilds the model: kind, configs, data schema (columns,
                            frequency, scaler state, vocabulary...), the rnnlab version, and the
                            SHA-256 of model.safetensors

Why not torch.save: a pickle can run any code when it is loaded, and people share model files.
safetensors holds tensors and a JSON header only, so loading one runs no code; the checksum in
model.json turns a tampered or truncated weights file into one clear error instead of a model
that silently predicts nonsense. A folder with a pickle in it is refused, not opened.

Writing is atomic: the folder is written under a temporary name and renamed into place, so a
killed job leaves either the old model or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rnnlab.core.atomic import staged
from rnnlab.errors import RnnlabError

FORMAT = "rnnlab-model"
VERSION = 1  # bump when a kind's layout changes; loading refuses a newer file
WEIGHTS, META = "model.safetensors", "model.json"
PICKLES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt")  # torch.save and pickle files


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rnnlab_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rnnlab")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def save(folder: Path, tensors: dict, kind: str, meta: dict) -> None:
    """Save a model folder atomically. An existing `folder` is replaced only when it is empty
    or an earlier model folder."""
    folder = Path(folder)
    check_replaceable(folder)
    with staged(folder) as tmp:
        write(tmp, tensors, kind, meta)


def write(folder: Path, tensors: dict, kind: str, meta: dict) -> None:
    """Write `tensors` (name -> torch.Tensor) and `meta` (JSON-able) into `folder`, which
    exists: a run folder that is itself being written atomically (common.run_directory)."""
    from safetensors.torch import save_file

    folder = Path(folder)
    # safetensors wants contiguous tensors that share no memory
    save_file({k: v.detach().contiguous().clone() for k, v in tensors.items()}, folder / WEIGHTS)
    head = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "rnnlab": rnnlab_version(),
        "weights": {"file": WEIGHTS, "sha256": sha256(folder / WEIGHTS)},
    }
    text = json.dumps(head | meta, indent=2, ensure_ascii=False, allow_nan=False)
    (folder / META).write_text(text + "\n", encoding="utf-8")


def read(folder: Path, kind: str, what: str) -> tuple[dict, dict]:
    """The tensors and the metadata of a model folder of `kind`, checked; else one clear error.

    `what` names the command that writes such a folder, for the message."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RnnlabError(f"{folder} is not a folder; give the model folder written by {what}")
    if not (folder / META).is_file():
        pickles = sorted(p.name for p in folder.iterdir() if _looks_pickled(p))
        if pickles:
            raise RnnlabError(
                f"{folder} holds {pickles[0]}, a pickled file that rnnlab does not load (loading "
                f"it could run code); save the model again with {what}"
            )
        raise RnnlabError(f"{folder} is not an rnnlab model folder (no {META}); use {what}")
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        why = type(err).__name__
        raise RnnlabError(f"{folder / META} is damaged ({why}); {what} again") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise RnnlabError(f"{folder / META} is not an rnnlab model description; use {what}")
    if meta.get("kind") != kind:
        raise RnnlabError(
            f"{folder} holds a {meta.get('kind')} model, not a {kind} model; use {what}"
        )
    if not isinstance(meta.get("version"), int) or meta["version"] > VERSION:
        raise RnnlabError(
            f"{folder} was saved by a newer rnnlab ({meta.get('rnnlab')}, format "
            f"{meta.get('version')}); upgrade rnnlab to load it"
        )
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise RnnlabError(f"{folder} has no {WEIGHTS}; the folder is incomplete: {what} again")
    expected = (meta.get("weights") or {}).get("sha256")
    if sha256(weights) != expected:
        raise RnnlabError(
            f"{weights} does not match the checksum in {META}: the file was changed or damaged; "
            f"use the original folder or {what} again"
        )
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        tensors = load_file(weights, device="cpu")
    except (SafetensorError, OSError, ValueError) as err:  # a consistent forgery
        why = str(err).splitlines()[0][:160] if str(err) else type(err).__name__
        raise RnnlabError(
            f"{weights} is not a valid safetensors file ({why}); {what} again"
        ) from None
    return tensors, meta


def members_state(modules, letter: str = "m") -> dict:
    """The tensors of several modules in one dict, module k's named "{letter}{k}.{name}"."""
    return {
        f"{letter}{k}.{name}": t
        for k, m in enumerate(modules)
        for name, t in m.state_dict().items()
    }


def load_state(module, tensors: dict, prefix: str, where: Path) -> None:
    """Load the tensors named `prefix`* into `module` (strict); a mismatch is one clear error."""
    state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
    try:
        module.load_state_dict(state)
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0]
        raise RnnlabError(
            f"{where}: the weights do not fit the model its {META} describes ({first[:160]}); "
            "save the model again"
        ) from None


def _looks_pickled(path: Path) -> bool:
    """A torch.save or pickle file, by its name or by pickle's opening bytes (protocol 2-5)."""
    if not path.is_file():
        return False
    if path.suffix in PICKLES:
        return True
    with open(path, "rb") as f:
        head = f.read(2)
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def check_replaceable(folder: Path) -> None:
    """Refuse a place that is not a folder, or a folder holding files that are no model's."""
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise RnnlabError(f"{folder} exists and is not a folder; choose another place to save")
    if any(folder.iterdir()) and not (folder / META).is_file():
        raise RnnlabError(
            f"{folder} is a folder with other files in it; choose a new or empty folder to save to"
        )


def check_save_target(folder: Path | None) -> None:
    """Fail before training when `folder` (None: nothing to save) cannot take a model."""
    if folder is not None:
        check_replaceable(Path(folder))
