"""`rnnlab lab`: the lecture's theory made measurable.

  gradients  ||dh_T/dh_k|| against the lag T-k, measured exactly with autograd, for the lecture's
             vanilla RNN with W_rec scaled to spectral radius 0.5, 1.0 and 1.5, and for torch's
             LSTM (default init and with forget-gate biases) and GRU; the fitted change per step
             beside what the lecture's product formula predicts
  memory     name the first of T random symbols after reading all T, for T = 10 ... 200: test
             accuracy against T for RNN, LSTM and GRU, where the RNN fails and the LSTM (with
             chrono initialization, Tallec & Ollivier 2018) does not

Each writes a run directory: a PNG, metrics.json, config.json, a CSV and report.html.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnlab.commands import common
from rnnlab.core import CELL_NAMES
from rnnlab.lab import report as lab_report

# ----------------------------------------------------------------------------- options


def _lstm_init(text: str) -> str | float:
    if text in ("chrono", "torch"):
        return text
    try:
        return common.number_type(float, None)(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected chrono, torch or a forget-gate bias like 1 (got {text!r})"
        ) from None


def _cells(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in CELL_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown cell {(unknown or [text])[0]!r}; choose from {', '.join(CELL_NAMES)}"
        )
    return tuple(dict.fromkeys(names))


def _ascending(parse):
    """An argparse type: the values `parse` reads, sorted and each once (the table reads T up)."""
    return lambda text: tuple(sorted(set(parse(text))))


COUNT = common.number_type(int, 1)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="the lecture's theory made measurable: vanishing gradients, memory over long lags",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    labs = parser.add_subparsers(dest="experiment", metavar="EXPERIMENT", required=True)

    grad = labs.add_parser(
        "gradients",
        help="||dh_T/dh_k|| against the lag for RNN(0.5, 1.0, 1.5), LSTM and GRU",
        description="Measure ||dh_T/dh_k|| (spectral norm, exact, autograd) against the lag, "
        "fit its change per step and compare it with the lecture's product formula.",
    )
    grad.add_argument(
        "--radii",
        type=common.numbers_type(float, 0, "0.5,1.0,1.5", above=True),
        default=(0.5, 1.0, 1.5),
        help="spectral radii of the vanilla RNN's W_rec (default: 0.5,1.0,1.5)",
    )
    grad.add_argument(
        "--forget-biases",
        type=common.numbers_type(float, None, "1,3"),
        default=(1.0, 3.0),
        help="forget-gate biases of extra LSTMs beside the torch-init one (default: 1,3)",
    )
    grad.add_argument("--hidden", type=COUNT, default=64, help="hidden units (default: 64)")
    grad.add_argument("--max-lag", type=COUNT, default=100, help="longest lag (default: 100)")
    grad.add_argument(
        "--networks", type=COUNT, default=4, help="random draws of each network (default: 4)"
    )
    grad.add_argument(
        "--sequences", type=COUNT, default=8, help="random inputs per network (default: 8)"
    )
    grad.add_argument(
        "--burn-in",
        type=common.number_type(int, 0),
        default=100,
        help="steps run before the measured ones, so every lag sees the settled state "
        "(default: 100)",
    )
    _add_run_args(grad, "lab-gradients")
    grad.set_defaults(run=run_gradients)

    memory = labs.add_parser(
        "memory",
        help="remember the first of T symbols: accuracy against T for RNN, LSTM, GRU",
        description="Train each cell to name the first of T random symbols after reading all "
        "T of them, for every T, with a fixed budget of Adam steps; tabulate test accuracy.",
    )
    memory.add_argument(
        "--lags",
        type=_ascending(common.numbers_type(int, 1, "10,25,50,100,200")),
        default=(10, 25, 50, 100, 200),
        help="sequence lengths T (default: 10,25,50,100,200)",
    )
    memory.add_argument(
        "--cells",
        type=_cells,
        default=("rnn", "lstm"),
        help="cells to train, of rnn, lstm, gru (default: rnn,lstm)",
    )
    memory.add_argument("--tries", type=COUNT, default=3, help="seeds per cell and T (default: 3)")
    memory.add_argument(
        "--steps", type=COUNT, default=1000, help="most Adam steps per run (default: 1000)"
    )
    memory.add_argument(
        "--symbols", type=common.number_type(int, 2), default=4, help="alphabet (default: 4)"
    )
    memory.add_argument("--hidden", type=COUNT, default=32, help="hidden units (default: 32)")
    memory.add_argument("--batch", type=COUNT, default=64, help="batch size (default: 64)")
    memory.add_argument(
        "--lr",
        type=common.number_type(float, 0, above=True),
        default=5e-3,
        help="Adam learning rate (default: 0.005)",
    )
    memory.add_argument(
        "--lstm-init",
        type=_lstm_init,
        default="chrono",
        help="the LSTM's gate biases: chrono (forget log U(1, T_max-1), input its negative, "
        "T_max the longest T; default), torch (torch's init), or a number: that forget bias",
    )
    _add_run_args(memory, "lab-memory")
    memory.set_defaults(run=run_memory)


def _add_run_args(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument(
        "--out", type=Path, default=None, help=f"run directory (default: runs/{name}-DATE-TIME)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing --out")
    common.add_common_args(parser)


# ---------------------------------------------------------------------------- gradients


def run_gradients(args: argparse.Namespace) -> int:
    out = args.out or common.default_out("lab-gradients")
    with common.run_directory(out, args.force) as tmp:  # a bad --out fails before torch loads
        from rnnlab.lab.gradients import gradient_experiment

        result = gradient_experiment(
            radii=args.radii,
            forget_biases=args.forget_biases,
            hidden=args.hidden,
            max_lag=args.max_lag,
            networks=args.networks,
            sequences=args.sequences,
            burn_in=args.burn_in,
            seed=args.seed,
        )
        lab_report.write_gradients(tmp, result, _config(args, "lab gradients", result.seconds))
    lab_report.print_gradients(result)
    print(f"run directory: {out}  (report.html, metrics.json, gradients.png, norms.csv)")
    return 0


def _config(args: argparse.Namespace, command: str, seconds: float) -> dict:
    return {**common.run_config(args, command), "seed": args.seed, "seconds": round(seconds, 2)}


# ------------------------------------------------------------------------------- memory


def run_memory(args: argparse.Namespace) -> int:
    out = args.out or common.default_out("lab-memory")
    with common.run_directory(out, args.force) as tmp:  # a bad --out fails before torch loads
        from rnnlab.lab.memory import memory_experiment

        result = memory_experiment(
            lags=args.lags,
            cells=args.cells,
            tries=args.tries,
            steps=args.steps,
            symbols=args.symbols,
            hidden=args.hidden,
            batch=args.batch,
            lr=args.lr,
            lstm_init=args.lstm_init,
            seed=args.seed,
            progress=None if args.quiet else _print_try,
        )
        lab_report.write_memory(tmp, result, _config(args, "lab memory", result.seconds))
    lab_report.print_memory(result)
    print(f"run directory: {out}  (report.html, metrics.json, memory.png, accuracy.csv)")
    return 0


def _print_try(cell: str, length: int, result: dict) -> None:
    print(
        f"  {cell:<4} T={length:<4} seed {result['seed']}: accuracy {result['accuracy']:.3f} "
        f"after {result['steps']} steps ({result['seconds']:.1f} s)",
        file=sys.stderr,
    )
