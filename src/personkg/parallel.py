"""When work is shared between two cores, on a large dataset:

- YAML parsing holds the GIL, so a forked process reads half the record files,
  checks them and builds their model (forked before any thread is started; what it
  made comes back pickled);
- pyoxigraph loads a store and evaluates queries without holding the GIL, so threads
  share the rest: SHACL checks its shapes in two threads on one store, and `build`
  writes the exports while SHACL runs in a thread.

With one core, or where processes cannot be forked, each step runs alone."""

from __future__ import annotations

import multiprocessing
import os

__all__ = ["can_fork", "two_cores", "MIN_FILES", "MIN_TRIPLES"]

#: Record files from which a second process reads half of them.
MIN_FILES = 2000
#: Triples from which SHACL checks its shapes in two threads.
MIN_TRIPLES = 200_000


def two_cores() -> bool:
    return (os.cpu_count() or 1) >= 2


def can_fork() -> bool:
    return two_cores() and "fork" in multiprocessing.get_all_start_methods()
