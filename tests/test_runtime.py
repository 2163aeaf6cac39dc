"""`runtime.paused_gc`: no cyclic collection while it is open, in any thread, and collection
back (with what was built frozen) once the last one closes."""

from __future__ import annotations

import gc
import threading

from personkg.runtime import paused_gc


def test_collection_resumes_when_the_last_pause_ends_in_any_thread():
    """SHACL's thread and the writing each pause collection: the first to end must not turn
    it back on under the other."""
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with paused_gc():
            inside.set()
            leave.wait(10)

    try:
        with paused_gc():
            thread = threading.Thread(target=other)
            thread.start()
            assert inside.wait(10)
        assert not gc.isenabled()  # the other thread's pause is still open
        leave.set()
        thread.join(10)
        assert gc.isenabled()
    finally:
        leave.set()
        gc.enable()


def test_a_nested_pause_and_a_pause_where_collection_was_off():
    try:
        with paused_gc():
            with paused_gc():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with paused_gc():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_what_was_built_is_frozen():
    gc.unfreeze()
    with paused_gc():
        kept = [[i] for i in range(1000)]
    assert gc.get_freeze_count() >= len(kept)
    gc.unfreeze()
