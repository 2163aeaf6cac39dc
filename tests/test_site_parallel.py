"""A large site is written by two processes (the second: pages from the start, while this one
compiles the graph, runs SHACL and writes the linked data):
the same bytes as one process, and a failure in the second process is one line, raised in
the first."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from conftest import FIXTURES, generate
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
    data = generate(tmp_path / "data", 300, 0)
    c = compiled(data, shacl=False)
    assert len(c.dataset.entities) + len(c.dataset.sources) >= pages.MIN_PAGES
    calls = []
    real = pages.in_two

    def spy(there, here, large):
        calls.append(large)
        real(there, here, large)

    monkeypatch.setattr(pages, "in_two", spy)
    pages.build_site(c, tmp_path / "two")
    monkeypatch.setattr(pages, "MIN_PAGES", 10**9)
    pages.build_site(compiled(data, shacl=False), tmp_path / "one")
    assert calls == [True, False]
    _same_tree(tmp_path / "one", tmp_path / "two")


@pytest.mark.skipif(not runtime.can_fork(), reason="needs two cores and fork")
def test_the_second_process_writes_pages_while_this_one_compiles(tmp_path):
    """The pages need only the checked records: the other process is forked before the
    graph is compiled, and writes pages meanwhile; the graph is compiled once, here."""
    import os
    import time

    data = generate(tmp_path / "data", 300, 0)
    c = compiled(data, shacl=False)
    calls = tmp_path / "calls"
    out = tmp_path / "out"
    out.mkdir()

    def compile_slowly() -> object:
        with calls.open("a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(2)  # pages keep coming meanwhile, from the other process
        return c

    pages.fill_site(pages.Staged(c.dataset, c.voc, compile_slowly), out)
    assert calls.read_text().split() == [str(os.getpid())]
    written = list(out.glob("id/*.html"))
    assert len(written) == len(c.dataset.entities) + len(c.dataset.sources)
    first = min(p.stat().st_mtime for p in written)
    assert first < (out / "index.html").stat().st_mtime - 1  # the index needs the graph
    reference = tmp_path / "reference"
    pages.build_site(c, reference)
    (reference / ".personkg-output").unlink()  # write_dir's mark of a folder it wrote
    _same_tree(reference, out)


@pytest.mark.skipif(not runtime.can_fork(), reason="needs two cores and fork")
def test_a_failure_in_the_second_process_is_one_line_here(tmp_path):
    done = []

    def there() -> None:
        raise OSError("No space left on device")

    with pytest.raises(RunError) as info:
        pages.in_two(there, lambda: done.append("here"), True)
    assert str(info.value) == ("writing the site's pages failed in the second process: "
                               "OSError: No space left on device")
    assert done == ["here"]


def test_a_small_site_is_one_process():
    parts = []
    pages.in_two(lambda: parts.append("there"), lambda: parts.append("here"), False)
    assert parts == ["here", "there"]


def test_batches_give_every_page_to_exactly_one_process():
    """Two processes take batches from one counter until none is left: together they get
    every number once, whatever each does between batches."""
    import multiprocessing
    import time

    batches = pages.Batches(203, batch=8)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    second_began = ctx.Event()

    def taker(first: bool) -> None:
        got = []
        for i in batches:
            got.append(i)
            if first and len(got) == 8:  # after its first batch, until the other has one
                second_began.wait(30)
            if not first:
                second_began.set()
                time.sleep(0.001)
        send.send(got)

    procs = [ctx.Process(target=taker, args=(first,)) for first in (True, False)]
    for p in procs:
        p.start()
    got = [receive.recv() for _ in procs]
    for p in procs:
        p.join()
    assert sorted(got[0] + got[1]) == list(range(203))
    assert got[0] and got[1]
    assert list(pages.Batches(0)) == [] and list(pages.Batches(3, batch=8)) == [0, 1, 2]


@pytest.mark.parametrize("people", [300, 20])
def test_a_site_that_fails_shacl_writes_nothing(tmp_path, people):
    """The generated defects pass layers 1-3 and fail SHACL, which a large site runs while
    the second process writes pages: exit 1 with validate's problems, and no folder, not
    even a partial one."""
    from conftest import run_process

    data = generate(tmp_path / "data", people, 0.1)
    c = compiled(data, shacl=False)  # layers 1-3 pass
    assert pages.large_site(c.dataset) == (people == 300)
    validate = run_process("validate", "--no-cache", "--data", str(data))
    site = run_process("site", "--no-cache", "--data", str(data), "--out",
                       str(tmp_path / "site"))
    assert validate.code == site.code == 1
    problems = [ln for ln in validate.out.splitlines() if ".yaml:" in ln]
    assert problems and all(" error " in ln or " warning " in ln for ln in problems)
    assert [ln for ln in site.err.splitlines() if ".yaml:" in ln] == problems
    assert site.err.endswith("the dataset does not validate; nothing was written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.skipif(not runtime.can_fork(), reason="needs two cores and fork")
def test_a_failure_here_stops_the_second_process(tmp_path):
    """SHACL fails in this process while the other writes pages: the other is stopped
    (its files are in the folder the failure removes), not waited for."""
    import time

    def there() -> None:
        time.sleep(60)
        (tmp_path / "written").write_text("late")

    def here() -> None:
        raise ValueError("does not conform")

    start = time.monotonic()
    with pytest.raises(ValueError):
        pages.in_two(there, here, True)
    assert time.monotonic() - start < 30  # not the 60 s the other process would take
    assert not (tmp_path / "written").exists()


def test_without_shared_semaphores_the_site_is_one_process(monkeypatch):
    import multiprocessing

    def no_semaphores(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(multiprocessing, "Value", no_semaphores)
    batches = pages.Batches(20, batch=8, shared=True)
    assert batches.shared is False and list(batches) == list(range(20))
    assert list(pages.Batches(5, shared=False)) == [0, 1, 2, 3, 4]


def _shacl_only_defect(tmp_path: Path) -> Path:
    """The mini fixture with two authors sharing a series ordinal: layers 1-3 pass, SHACL
    (duplicate-series-ordinal) fails."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", data)
    paper = data / "works" / "example-paper.yaml"
    text = paper.read_text(encoding="utf-8")
    assert "series_ordinal: 2" in text
    paper.write_text(text.replace("series_ordinal: 2", "series_ordinal: 1"), encoding="utf-8")
    compiled(data, shacl=False)  # layers 1-3 pass
    return data


@pytest.mark.parametrize("command", ["site", "build"])
def test_shacl_problems_come_before_a_bad_out_folder(tmp_path, command):
    """SHACL runs while the folder is written, but a dataset's problems are reported before
    its --out is judged, as for layers 1-3: exit 1 with the problem, not exit 2."""
    from conftest import run_process

    data = _shacl_only_defect(tmp_path)
    not_a_folder = tmp_path / "out"
    not_a_folder.write_text("a file", encoding="utf-8")
    result = run_process(command, "--no-cache", "--data", str(data), "--out",
                         str(not_a_folder))
    assert result.code == 1 and "duplicate-series-ordinal" in result.err
    assert not_a_folder.read_text(encoding="utf-8") == "a file"
    ok = run_process(command, "--no-cache", "--data", str(FIXTURES / "mini"), "--out",
                     str(not_a_folder))
    assert ok.code == 2 and ok.err.count("\n") == 1 and "is not a folder" in ok.err


@pytest.mark.parametrize(("command", "people"), [("site", 20), ("site", 300),
                                                ("build", 1500)])
def test_shacl_problems_come_before_a_write_that_fails(tmp_path, command, people):
    """SHACL runs in a thread while the files are written; when the writing fails (here a
    file size limit: a full disk), a dataset that does not conform still says so: exit 1
    with its problems, not the write's exit 2, and nothing is left. (1,500 people: enough
    triples for `build` to run SHACL beside its writers.)"""
    import resource
    import subprocess
    import sys

    data = generate(tmp_path / "data", people, 0.1)
    c = compiled(data, shacl=False)  # layers 1-3 pass
    assert command == "site" or len(c.graph.lines) >= runtime.MIN_TRIPLES

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "personkg", command, "--no-cache", "--data",
                           str(data), "--out", str(out)], capture_output=True, text=True,
                          timeout=300, preexec_fn=small_files)
    assert proc.returncode == 1, proc.stderr
    assert "nothing was written" in proc.stderr and ".yaml:" in proc.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    valid = generate(tmp_path / "valid", people, 0)  # the same limit on a valid dataset
    proc = subprocess.run([sys.executable, "-m", "personkg", command, "--no-cache", "--data",
                           str(valid), "--out", str(out)], capture_output=True, text=True,
                          timeout=300, preexec_fn=small_files)
    assert proc.returncode == 2 and "File too large" in proc.stderr and not out.exists()


@pytest.mark.skipif(not runtime.can_fork(), reason="needs two cores and fork")
def test_an_interrupt_while_waiting_for_the_second_process_stops_it(tmp_path):
    """This process has done its part and waits; an interrupt then stops the other one too
    (it would go on writing into the folder the interrupt removes)."""
    import os
    import signal
    import threading
    import time

    def there() -> None:
        time.sleep(3)
        (tmp_path / "written").write_text("late")

    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            pages.in_two(there, lambda: None, True)  # here() is done at once: it waits
    finally:
        timer.cancel()
    time.sleep(4)
    assert not (tmp_path / "written").exists()
