"""A large site is written by two processes (half the pages each): the same bytes as one
process, and a failure in the second process is one line, raised in the first."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from personkg import runtime
from personkg.errors import RunError
from personkg.pipeline import compiled
from personkg.site import pages


def _same_tree(a: Path, b: Path) -> None:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    _, mismatch, errors = filecmp.cmpfiles(a, b, [str(p) for p in files_a], shallow=False)
    assert not mismatch and not errors


@pytest.mark.skipif(not runtime.can_fork(), reason="needs two cores and fork")
def test_two_processes_write_the_same_site_as_one(tmp_path, monkeypatch):
    data = tmp_path / "data"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--people", "300",
                    "--defects", "0", "--out", str(data)], check=True, capture_output=True)
    c = compiled(data, shacl=False)
    assert len(c.dataset.entities) + len(c.dataset.sources) >= pages.MIN_PAGES
    calls = []
    real = pages.in_two

    def spy(work, large):
        calls.append(large)
        real(work, large)

    monkeypatch.setattr(pages, "in_two", spy)
    pages.build_site(c, tmp_path / "two")
    monkeypatch.setattr(pages, "MIN_PAGES", 10**9)
    pages.build_site(compiled(data, shacl=False), tmp_path / "one")
    assert calls == [True, False]
    _same_tree(tmp_path / "one", tmp_path / "two")


@pytest.mark.skipif(not runtime.can_fork(), reason="needs two cores and fork")
def test_a_failure_in_the_second_process_is_one_line_here(tmp_path):
    done = []

    def work(part: int, parts: int) -> None:
        if part == 1:
            raise OSError("No space left on device")
        done.append(part)

    with pytest.raises(RunError) as info:
        pages.in_two(work, True)
    assert str(info.value) == ("writing the site's pages failed in the second process: "
                               "OSError: No space left on device")
    assert done == [0]


def test_a_small_site_is_one_process():
    parts = []
    pages.in_two(lambda part, n: parts.append((part, n)), False)
    assert parts == [(0, 1)]
