"""Options and steps that several tasks share: input, training flags, run directory, progress.

Nothing here imports torch or matplotlib at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shlex
import sys
import time
from pathlib import Path

from rnnlab.errors import RnnlabError  # noqa: F401  (re-exported for tasks)

# ----------------------------------------------------------------------------- options


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bar or notes")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default: 0)")


def seed(text: str) -> int:
    """An argparse type: a seed that torch and numpy both take, 0 to 2**32 - 1."""
    value = int(text)  # a ValueError reads "invalid seed value: 'x'"
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must lie between 0 and {2**32 - 1} (got {text})")
    return value


def add_input_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input (one of --data or --csv)")
    group.add_argument(
        "--data", default=None, help="built-in dataset (default: elec_equip); see 'rnnlab datasets'"
    )
    group.add_argument(
        "--csv",
        type=Path,
        default=None,
        help="a CSV file with a date column and "
        "a value column; metadata lines above and notes below are skipped",
    )
    group.add_argument("--date-col", default=None, help="date column name (default: found)")
    group.add_argument(
        "--value-col", default=None, help="value column name (default: the first numeric one)"
    )
    group.add_argument(
        "--fill",
        choices=("interpolate", "ffill"),
        default=None,
        help="fill gaps and missing values instead of refusing them",
    )
    group.add_argument(
        "--season",
        type=int,
        default=None,
        help="seasonal period m (default: "
        "from the frequency: monthly 12, quarterly 4, daily 7, hourly 24, yearly 1)",
    )


def add_train_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("training")
    group.add_argument(
        "--transform",
        default="auto",
        choices=("auto", "none", "diff", "sdiff"),
        help="what the networks learn: sdiff = y_t - y_{t-m}, diff = y_t - y_{t-1}; "
        "auto: sdiff when the series has a season (default)",
    )
    group.add_argument(
        "--scaler",
        default="standard",
        choices=("minmax", "standard", "robust"),
        help="scaling fitted on the training span (default: standard)",
    )
    group.add_argument("--epochs", type=int, default=1000, help="most epochs (default: 1000)")
    group.add_argument("--lr", type=float, default=0.02, help="Adam learning rate (default: 0.02)")
    group.add_argument("--batch-size", type=int, default=0, help="0: full batch (default)")
    group.add_argument(
        "--patience",
        type=int,
        default=100,
        help="epochs without improvement before stopping (default: 100)",
    )
    group.add_argument(
        "--min-delta",
        type=float,
        default=1e-3,
        help="relative drop of the watched loss that counts as progress (default: 0.001)",
    )
    group.add_argument(
        "--monitor",
        choices=("val", "train"),
        default="val",
        help="early stopping on a validation tail (val, default) or on the training "
        "loss (train; with --patience 1 --min-delta 0 this is the lecture's setting)",
    )
    group.add_argument(
        "--val-fraction",
        type=float,
        default=0.2,
        help="share of training windows, the latest, for validation (default: 0.2)",
    )


def train_overrides(args: argparse.Namespace) -> dict:
    """TrainConfig fields from the command line."""
    if args.epochs < 1 or args.patience < 1 or not 0 < args.lr < 10 or args.batch_size < 0:
        raise RnnlabError("need --epochs, --patience >= 1, --lr in (0, 10), --batch-size >= 0")
    if not 0 <= args.min_delta < 1:
        raise RnnlabError(f"--min-delta must lie in [0, 1) (got {args.min_delta})")
    if not 0 < args.val_fraction < 1:
        raise RnnlabError(f"--val-fraction must lie between 0 and 1 (got {args.val_fraction})")
    return {
        "epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "patience": args.patience,
        "min_delta": args.min_delta,
        "monitor": args.monitor,
        "val_fraction": args.val_fraction,
    }


def load_input(args: argparse.Namespace):
    """The series named by --data or --csv, validated."""
    if args.season is not None and args.season < 1:
        raise RnnlabError(f"--season must be a whole number >= 1 (got {args.season})")
    if args.csv is not None:
        if args.data is not None:
            raise RnnlabError("give either --data or --csv, not both")
        from rnnlab.data.csv_reader import read_csv_series

        return read_csv_series(
            args.csv,
            date_col=args.date_col,
            value_col=args.value_col,
            season=args.season,
            fill=args.fill,
        )
    from rnnlab.data.datasets import load_builtin

    return load_builtin(args.data or "elec_equip", season=args.season)


def resolved_args(args: argparse.Namespace) -> dict:
    """Every option as resolved, for config.json."""
    return {k: v for k, v in vars(args).items() if k not in ("run", "argv")}


def run_config(args: argparse.Namespace, command: str) -> dict:
    """The head of a run's config.json: the command, how to rerun it, every option, versions."""
    return {
        "command": command,
        "rerun": "rnnlab " + shlex.join(args.argv),
        "args": resolved_args(args),
        "versions": versions(),
    }


def versions() -> dict:
    import platform
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for package in ("rnnlab", "torch", "numpy", "pandas"):
        out[package] = version(package)
    return out


def csv_columns(path: Path) -> list[str]:
    """The header of a plain CSV file, or [] when it is not one (metadata lines, binary...)."""
    from rnnlab.data.panel import read_csv_text

    try:
        return [str(c) for c in read_csv_text(path, nrows=5, sep=None, engine="python").columns]
    except Exception:  # noqa: BLE001 - the full reader gives the real error
        return []


def numbers_type(kind, least: float | None, example: str, above: bool = False):
    """An argparse type: comma-separated numbers of `kind`, each >= least (> least if above)."""

    def parse(text: str) -> tuple:
        try:
            values = tuple(kind(v) for v in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected numbers separated by commas, like {example} (got {text!r})"
            ) from None
        if not all(math.isfinite(v) for v in values):
            raise argparse.ArgumentTypeError(f"every value must be finite (got {text!r})")
        if least is not None and any(v < least or (above and v == least) for v in values):
            bound = f"above {least}" if above else f"at least {least}"
            raise argparse.ArgumentTypeError(f"every value must be {bound} (got {text!r})")
        return values

    return parse


def number_type(kind, least: float | None, above: bool = False):
    """An argparse type: one number of `kind`, checked as numbers_type checks."""
    many = numbers_type(kind, least, "1", above)

    def parse(text: str):
        values = many(text)
        if len(values) != 1:
            raise argparse.ArgumentTypeError(f"expected one number (got {text!r})")
        return values[0]

    return parse


# ------------------------------------------------------------------------ run directory


def default_out(task: str) -> Path:
    return Path("runs") / f"{task}-{time.strftime('%Y%m%d-%H%M%S')}"


@contextlib.contextmanager
def run_directory(out: Path, force: bool = False):
    """Yield a temporary directory that becomes `out` only when the block succeeds.

    A failed run leaves nothing behind. An existing `out` is replaced only with --force, and only
    when it is an empty folder or an earlier run (it holds config.json): never the current folder
    or one above it, a file, a link or a device.
    """
    from rnnlab.core.atomic import staged

    out = Path(out)
    check_replaceable(out, force)
    with staged(out, "the run directory ") as tmp:
        yield tmp


def check_replaceable(out: Path, force: bool) -> None:
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise RnnlabError(f"{out} exists and is not a folder; choose another --out")
    if not any(out.iterdir()):
        return
    if not force:
        raise RnnlabError(f"{out} already exists; choose another --out or pass --force")
    here = Path.cwd().resolve()
    if out.resolve() == here or out.resolve() in here.parents:
        raise RnnlabError(f"--out {out} is the current folder or above it; choose a new folder")
    if not (out / "config.json").is_file():
        raise RnnlabError(
            f"{out} is not an rnnlab run (no config.json); --force replaces only "
            "earlier runs: choose another --out"
        )


# ----------------------------------------------------------------------------- progress


class EpochProgress:
    """A progress bar per model on a terminal; silent when quiet or not a TTY."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self._progress = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<18}"),
                BarColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def callback(self, label: str, epochs: int):
        """A `progress(epoch, train_loss, val_loss)` function for train.train, or None."""
        bar = self.bar(label, epochs)
        if bar is None:
            return None
        return lambda epoch, train_loss, val_loss: bar(
            epoch, f"train {train_loss:.4f} val {val_loss:.4f}"
        )

    def bar(self, label: str, total: int):
        """An `update(completed, info)` function for a bar of `total` units, or None."""
        if self._progress is None:
            return None
        task = self._progress.add_task(label, total=total, info="")
        return lambda completed, info: self._progress.update(task, completed=completed, info=info)
