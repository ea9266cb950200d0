"""The `rnnlab` command: a thin dispatcher over the task modules.

Each task module has `add_parser(subparsers)` and `run(args)`; `main(argv)` is testable
in-process. Heavy imports (torch, matplotlib) happen inside `run`, so `rnnlab --help` is fast.
A problem the user can fix prints one line and exits with code 2; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys

from rnnlab.commands import (
    classify,
    datasets,
    demo,
    detect,
    export,
    forecast,
    lab,
    predict,
    textgen,
)
from rnnlab.errors import ParameterError, RnnlabError

TASKS = (demo, forecast, predict, export, detect, classify, textgen, lab, datasets)


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line plus where to look, exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="rnnlab",
        description="Learning from sequences with recurrent networks: forecasts next to honest "
        "baselines, and the lecture's theory made measurable.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for task in TASKS:
        task.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # saved in config.json to rerun
    if args.version:
        from importlib.metadata import version

        print(f"rnnlab {version('rnnlab')}")
        return 0
    if args.command is None:
        parser.print_help()
        return 0
    signal.signal(signal.SIGTERM, _terminate)  # clean up like Ctrl-C: no half-written run
    try:
        return args.run(args) or 0
    except RnnlabError as err:
        if args.debug:
            raise
        message = err.flag_message() if isinstance(err, ParameterError) else err
        print(f"rnnlab {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"rnnlab {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like, which stopped reading
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 141


def _terminate(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
