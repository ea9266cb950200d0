"""Run a few independent calls at once on a laptop's cores, by forking this process.

Why fork: the children start with torch already imported (a fresh interpreter would spend
seconds importing it again), so even sub-second jobs, like fitting one of the lecture's small
models, gain from a second core. Where fork is unavailable (Windows, macOS default) or only one
core is free, the calls simply run one after another. Results come back pickled by value; an
exception in a child is raised again here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable

from rnnlab.errors import RnnlabError


def available_workers() -> int:
    """Processes worth running: the cores this process may use, when it can fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def in_parallel(calls: list[Callable], workers: int | None = None) -> list:
    """Results of `calls`, in order; calls[0] runs here, the others in forked children."""
    workers = available_workers() if workers is None else workers
    if workers < 2 or len(calls) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [call() for call in calls]
    context = multiprocessing.get_context("fork")
    children = []
    with _children_die_on_sigterm():
        for call in calls[1:]:
            receive, send = context.Pipe(duplex=False)
            # With fork the target is not pickled: closures and bound methods are fine.
            child = context.Process(target=_run_and_send, args=(call, send), daemon=True)
            child.start()
            send.close()
            children.append((child, receive))
    try:
        results = [calls[0]()]
    except BaseException:
        for child, _ in children:
            child.terminate()
        raise
    for child, receive in children:
        try:
            ok, value = pickle.loads(receive.recv_bytes())
        except EOFError:
            child.join()
            raise RnnlabError(
                f"a worker process died (exit code {child.exitcode}): killed, or out of memory? "
                "Try again with fewer series or a smaller --ensemble"
            ) from None
        child.join()
        if not ok:
            raise value
        results.append(value)
    return results


@contextlib.contextmanager
def _children_die_on_sigterm():
    """Fork with SIGTERM at its default action, so that children inherit it. The CLI turns
    SIGTERM into KeyboardInterrupt (a clean stop); a child terminated in the instant after fork,
    before multiprocessing's own exit guard, would raise it into a copy of the caller's stack
    and carry on running the caller's code (seen once: a second test session in one CI log)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be changed from the main thread
        return
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        yield
    finally:
        if previous is not None:  # None: a handler installed outside Python, left as it was
            signal.signal(signal.SIGTERM, previous)


def _run_and_send(call: Callable, send) -> None:
    _die_with_parent()
    if "torch" in sys.modules:
        # OpenMP's thread pool does not survive fork: a child that used it would hang.
        sys.modules["torch"].set_num_threads(1)
    # Plain pickle, by value: multiprocessing's own pickler would pass torch tensors as shared
    # memory handles that die with this process.
    try:
        send.send_bytes(pickle.dumps((True, call())))
    except BaseException as err:  # noqa: BLE001 - the parent re-raises it
        try:
            payload = pickle.dumps((False, err))
            pickle.loads(payload)  # some exceptions pickle but cannot be rebuilt
        except Exception:  # noqa: BLE001
            payload = pickle.dumps((False, RuntimeError(f"{type(err).__name__}: {err}")))
        send.send_bytes(payload)
    finally:
        send.close()


def _die_with_parent() -> None:
    """Linux: end this child when the parent dies (a killed run leaves no trainer behind)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def balance(costs: dict[str, float], groups: int) -> list[list[str]]:
    """Split keys into `groups` lists of similar total cost (longest first, to the lightest)."""
    out: list[list[str]] = [[] for _ in range(groups)]
    totals = [0.0] * groups
    for key in sorted(costs, key=costs.get, reverse=True):
        lightest = totals.index(min(totals))
        out[lightest].append(key)
        totals[lightest] += costs[key]
    return [group for group in out if group]


@contextlib.contextmanager
def one_thread():
    """torch on one thread while the block runs (restored after): small networks train as fast
    so, and their numbers do not depend on the machine's cores, from the CLI or from Python."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
