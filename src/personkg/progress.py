"""Progress bars on standard error for long runs.

A bar appears only when standard error is a terminal, and only once a step has run for
half a second (PERSONKG_PROGRESS_DELAY seconds), so short runs, pipes, CI logs and
redirected output never see one; PERSONKG_PROGRESS=0 turns bars off. A bar redraws at
most ten times a second and erases itself when its step ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress", "enabled"]

T = TypeVar("T")

DELAY = float(os.environ.get("PERSONKG_PROGRESS_DELAY", "0.5"))  # before a bar first appears
INTERVAL = 0.1  # seconds between redraws
WIDTH = 30


def enabled() -> bool:
    """Bars are drawn when stderr is a terminal (PERSONKG_PROGRESS=0 turns them off), by
    the main thread only (work in other threads would draw over its bar)."""
    if os.environ.get("PERSONKG_PROGRESS") == "0":
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Yield `items`, drawing `label [####    ] done/total` on stderr meanwhile."""
    if not enabled():
        yield from items
        return
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    start = time.monotonic()
    last = 0.0
    drawn = False
    done = 0
    try:
        for item in items:
            yield item
            done += 1
            now = time.monotonic()
            if now - start >= DELAY and now - last >= INTERVAL:
                _draw(label, done, total)
                drawn = True
                last = now
    finally:
        if drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _draw(label: str, done: int, total: int | None) -> None:
    if total:
        filled = WIDTH * min(done, total) // total
        bar = "#" * filled + " " * (WIDTH - filled)
        text = f"{label} [{bar}] {done}/{total}"
    else:
        text = f"{label} {done}"
    sys.stderr.write("\r" + text + "\x1b[K")
    sys.stderr.flush()
