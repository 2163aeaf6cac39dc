"""Review of the site rewrite (LinkedData, Layer4, Batches, in_two): defects found."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import pytest

from conftest import FIXTURES, run_process
from personkg import runtime
from personkg.pipeline import compiled
from personkg.site import pages


def _shacl_only_defect(tmp_path):
    """The mini fixture with two authors sharing a series ordinal: layers 1-3 pass, SHACL
    (duplicate-series-ordinal) fails."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", data)
    paper = data / "works" / "example-paper.yaml"
    paper.write_text(paper.read_text().replace("series_ordinal: 2", "series_ordinal: 1"))
    compiled(data, shacl=False)  # layers 1-3 pass
    return data


def test_a_dataset_failing_shacl_is_reported_before_the_out_folder_is_judged(tmp_path):
    """Before the change `site` validated every layer before looking at --out: a dataset
    that fails SHACL gave exit 1 and its problems whatever --out was (as it still does for
    layers 1-3). Now SHACL runs inside write_dir's fill, after the target check, so a bad
    --out hides the SHACL problems (exit 2)."""
    data = _shacl_only_defect(tmp_path)
    not_a_folder = tmp_path / "site"
    not_a_folder.write_text("a file")
    site = run_process("site", "--no-cache", "--data", str(data), "--out", str(not_a_folder))
    assert "duplicate-series-ordinal" in site.err
    assert site.code == 1


@pytest.mark.skipif(not runtime.can_fork(), reason="needs two cores and fork")
def test_an_interrupt_while_waiting_for_the_second_process_stops_it(tmp_path):
    """`in_two` terminates the second process only when `here()` raises; an interrupt that
    arrives while this process waits in `proc.join()` (its own part done, the other still
    writing) leaves the other one running: it goes on writing into the temporary folder
    that write_dir is removing (a `.site.partial*` leftover when it wins the race)."""

    def there() -> None:
        time.sleep(3)
        (tmp_path / "written").write_text("late")

    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            pages.in_two(there, lambda: None, True)  # here() is done at once: waits in join
    finally:
        timer.cancel()
    time.sleep(4)
    assert not (tmp_path / "written").exists()
