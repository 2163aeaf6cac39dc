"""Work shared between two cores gives what one core gives: records read in two
processes (the same records in the same order, with every line number, and the same
problems), SHACL shapes checked in two threads (the same results in the same order);
a failure in a background thread is raised where it is joined."""

from __future__ import annotations

import os
import shutil

import pytest

from personkg import load, runtime
from personkg.errors import RunError
from personkg.load import LineDict, LineList, LoadProblem
from personkg.resources import resource_dir
from personkg.vocab import Vocabulary


def _shape(node):
    """A loaded value with the lines it remembers, as plain data to compare."""
    if isinstance(node, LineDict):
        return ("map", node.line, [(k, node.key_lines[k], _shape(v)) for k, v in node.items()])
    if isinstance(node, LineList):
        items = zip(node.item_lines, node, strict=True)
        return ("seq", node.line, [(ln, _shape(v)) for ln, v in items])
    return (type(node).__name__, node)


def _loaded(root, kinds, monkeypatch, parallel_min):
    monkeypatch.setattr(runtime, "MIN_FILES", parallel_min)
    out = []
    for item in load.load_dir(root, kinds):
        if isinstance(item, LoadProblem):
            out.append(("problem", item.path, item.line, item.code, item.message))
        else:
            out.append((item.path, item.kind, _shape(item.data)))
    return out


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(resource_dir("data"), root)
    # a broken record in each half, so problems cross the process boundary too
    (root / "people" / "aaa-broken.yaml").write_text("id: aaa-broken\nname: [unclosed\n")
    (root / "works" / "zzz-broken.yaml").write_text("- a list, not a record\n")
    return root


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: records are read in one process")
def test_two_processes_read_what_one_reads(data, monkeypatch):
    kinds = Vocabulary.load().kinds()
    one = _loaded(data, kinds, monkeypatch, parallel_min=10**9)
    two = _loaded(data, kinds, monkeypatch, parallel_min=1)
    assert len(one) > 300
    assert sum(1 for item in one if item[0] == "problem") == 2
    assert two == one


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: records are read in one process")
def test_an_unreadable_file_in_the_second_process_is_one_error(data, monkeypatch):
    (data / "works" / "zzz-link.yaml").symlink_to(data / "missing.yaml")
    monkeypatch.setattr(runtime, "MIN_FILES", 1)
    with pytest.raises(RunError, match=r"zzz-link\.yaml: cannot read: the link points to a "
                                       r"missing file"):
        load.load_dir(data, Vocabulary.load().kinds())


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: records are read in one process")
def test_two_processes_build_the_dataset_and_report_of_one(voc, tmp_path, monkeypatch):
    # the second process also checks its records against the schema and builds their
    # model (with each claim's content hash): the same dataset, the same problems
    from test_scale import generate

    from personkg.checks.report import Report
    from personkg.reading import load_dataset

    root = generate(tmp_path / "data", 60, 0.5, seed=3)
    (root / "people" / "zzz-bad.yaml").write_text("id: zzz-bad\ntype: Person\nname: 1\n")
    got = []
    for parallel_min in (10**9, 1):
        monkeypatch.setattr(runtime, "MIN_FILES", parallel_min)
        report = Report()
        ds = load_dataset(root, voc, report)
        hashes = [c.content_hash for e in ds.entities.values() for c in e.claims]
        got.append((ds.entities, ds.sources, hashes, report.issues))
    assert got[0][2] and all(got[0][2])  # every claim's hash was worked out
    assert any(i.where().endswith("people/zzz-bad.yaml:3") and i.code == "wrong-type"
               for i in got[0][3])  # a schema problem, at its line
    assert list(got[1][0]) == list(got[0][0])  # entities in the same order
    assert got[1] == got[0]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: shapes are checked in one process")
def test_two_processes_find_the_shacl_results_of_one(voc, tmp_path, monkeypatch):
    from test_scale import generate

    from personkg.checks import shacl
    from personkg.checks.report import Report
    from personkg.compile import compile_dataset
    from personkg.reading import load_dataset

    root = generate(tmp_path / "data", 40, 0.5, seed=5)
    graph = compile_dataset(load_dataset(root, voc, Report()), voc)
    monkeypatch.setattr(runtime, "MIN_TRIPLES", 10**9)
    one = shacl.shacl_results(graph, voc)
    monkeypatch.setattr(runtime, "MIN_TRIPLES", 0)
    two = shacl.shacl_results(graph, voc)
    assert len({r.code for r in one}) >= 5
    assert two == one  # the same results in the same order


def test_a_background_failure_is_raised_by_join():
    from personkg.runtime import Background

    def fail():
        raise RunError("the store could not be loaded")

    job = Background(fail)
    with pytest.raises(RunError, match="could not be loaded"):
        job.join()
    Background(lambda: None).join()
