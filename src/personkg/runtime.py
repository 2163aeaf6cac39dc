"""How personkg uses the machine: two cores, the garbage collector, memory, threads.

When work is shared between two cores, on a large dataset:

- YAML parsing holds the GIL, so a forked process reads half the record files,
  checks them and builds their model (forked before any thread is started; what it
  made comes back pickled);
- pyoxigraph loads a store and evaluates queries without holding the GIL, so threads
  share the rest: SHACL checks its shapes in two threads on one store, and `build`
  writes the exports while SHACL runs in a thread.

With one core, or where processes cannot be forked, each step runs alone."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator

__all__ = ["can_fork", "two_cores", "MIN_FILES", "MIN_TRIPLES", "paused_gc", "release_memory",
           "Background"]

#: Record files from which a second process reads half of them.
MIN_FILES = 2000
#: Triples from which SHACL checks its shapes in two threads.
MIN_TRIPLES = 200_000


def two_cores() -> bool:
    return (os.cpu_count() or 1) >= 2


def can_fork() -> bool:
    return two_cores() and "fork" in multiprocessing.get_all_start_methods()


class _Pauses:
    """The `paused_gc` blocks open in any thread, and whether collection was on before the
    first of them."""

    lock = threading.Lock()
    open = 0
    was_on = False


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while records and triples are built: they are
    millions of long-lived objects without cycles, and each collection would walk them
    all again (at 10,000 people this halves the time to load and compile). What was
    built is then frozen: later collections skip it. Also a decorator. Counted across
    threads (SHACL runs in one beside the writing): collection resumes when the last
    one open ends, not when the first does."""
    with _Pauses.lock:
        if _Pauses.open == 0:
            _Pauses.was_on = gc.isenabled()
            gc.disable()
        _Pauses.open += 1
    try:
        yield
    finally:
        with _Pauses.lock:
            _Pauses.open -= 1
            if _Pauses.open == 0 and _Pauses.was_on:
                gc.enable()
                gc.freeze()  # what was built stays: later collections skip it


def release_memory() -> None:
    """Give memory that was freed back to the system. After SHACL has dropped its store,
    glibc keeps the pages it had (about 370 MB at 10,000 people) for later use, but the
    Python objects built next are not allocated from them."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Background:
    """`fn()` in a thread; `join()` waits for it and raises what it raised."""

    def __init__(self, fn: Callable[[], object]):
        self._error: BaseException | None = None

        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - raised again by join()
                self._error = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error
