"""When work is split between two processes. On a large dataset with two cores, a
forked process takes part of a step: half the record files, half the SHACL shapes (both
processes read the store built before the fork), the Turtle and N-Triples files of
`build`. Forking shares the parent's memory instead of copying or pickling it; where
processes cannot be forked, or there is one core, every step runs in one process."""

from __future__ import annotations

import multiprocessing
import os

__all__ = ["can_fork", "MIN_FILES", "MIN_TRIPLES"]

#: Record files from which a second process reads half of them.
MIN_FILES = 2000
#: Triples from which SHACL and `build` use a second process.
MIN_TRIPLES = 200_000


def can_fork() -> bool:
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()
