"""Work with a time limit that Ctrl-C can stop: a forked process computes the text and sends
it back; the parent waits until the deadline and kills the child when the time is up or on
KeyboardInterrupt. pyoxigraph evaluates a query without looking at signals, and a thread
cannot be stopped, so a process is the only thing that can be.

Forking costs a few milliseconds (the store is shared copy-on-write). Where processes cannot
be forked, the work runs in a daemon thread that is abandoned at the deadline (the process
exits soon after, in the CLI)."""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from .errors import DataError, PersonkgError, RunError

__all__ = ["run_with_deadline"]


def run_with_deadline(work: Callable[[], str], timeout: float, origin: str) -> str:
    """`work()`, or a RunError (option timeout) when it takes longer than `timeout` seconds."""
    if "fork" in multiprocessing.get_all_start_methods():
        return _in_child(work, timeout, origin)
    return _in_thread(work, timeout, origin)


def _late(origin: str, timeout: float) -> RunError:
    return RunError(f"{origin}: the query took longer than {timeout:g} s and was stopped",
                    option="timeout")


def _child(work: Callable[[], str], conn: Connection, timeout: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
    if hasattr(signal, "alarm"):  # ends this process even if the parent is gone
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(math.ceil(timeout) + 5)
    try:
        reply: tuple[str, ...] = ("ok", work())
    except PersonkgError as exc:
        reply = ("data" if isinstance(exc, DataError) else "run", str(exc), exc.option or "")
    except BaseException as exc:  # noqa: BLE001 - reported by the parent
        reply = ("run", f"the query failed: {exc}", "")
    conn.send(reply)
    conn.close()


def _in_child(work: Callable[[], str], timeout: float, origin: str) -> str:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(work, child, timeout), daemon=True)
    deadline = time.monotonic() + timeout
    for stream in (sys.stdout, sys.stderr):  # or the child would write their buffers again
        stream.flush()
    proc.start()
    child.close()
    try:
        if not parent.poll(max(0.0, deadline - time.monotonic())):
            raise _late(origin, timeout)
        reply = parent.recv()
    except EOFError:
        raise RunError(f"{origin}: the query process ended without an answer "
                       f"(exit code {proc.exitcode})") from None
    finally:
        parent.close()
        if proc.is_alive() and proc.pid is not None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.join()
    if reply[0] == "ok":
        return str(reply[1])
    error = DataError if reply[0] == "data" else RunError
    raise error(reply[1], option=reply[2] or None)


def _in_thread(work: Callable[[], str], timeout: float, origin: str) -> str:
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["ok"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _late(origin, timeout)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return str(box["ok"])
