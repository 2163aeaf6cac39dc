"""The build cache: a command reads what an earlier one checked and compiled, an edited
record is read, checked and compiled again alone, SHACL runs again on what an edit changed,
and every answer is the one a run without the cache gives (generated data with defects,
the second dataset); a damaged, shared or concurrent cache does no harm."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_scale import generate

from conftest import FIXTURES
from personkg import cache, keys, load, pipeline
from personkg.checks.report import render_json
from personkg.checks.shacl import incremental
from personkg.namespaces import SH
from personkg.resources import resource_dir

PERSONKG = [sys.executable, "-m", "personkg"]


def _report(root: Path, folder: Path | None) -> str:
    """`personkg validate --format json` in this process, with the cache at `folder`."""
    cache.use(cache.Cache(folder) if folder else None)
    try:
        return render_json(pipeline.check_dataset(root).report)
    finally:
        cache.use(None)


@pytest.fixture
def spy(monkeypatch):
    """Counts of what a run did: files parsed, whole-graph SHACL runs, SHACL runs on the
    changed part only."""
    seen = {"parsed": 0, "full": 0, "again": 0}
    parse, full, again = load.load_file, incremental.shacl_found, incremental._again

    def parsed(*a, **k):
        seen["parsed"] += 1
        return parse(*a, **k)

    def whole(*a, **k):
        seen["full"] += 1
        return full(*a, **k)

    def part(*a, **k):
        out = again(*a, **k)
        seen["again"] += out is not None
        return out

    monkeypatch.setattr(load, "load_file", parsed)
    monkeypatch.setattr(incremental, "shacl_found", whole)
    monkeypatch.setattr(incremental, "_again", part)

    def take() -> dict[str, int]:
        out = dict(seen)
        seen.update(parsed=0, full=0, again=0)
        return out

    return take


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert re.search(old, text), (path, old)
    path.write_text(re.sub(old, new, text, count=1), encoding="utf-8")


def _with_dates(root: Path) -> Path:
    """A person record with an employer start and end."""
    return next(p for p in sorted((root / "people").glob("*.yaml"))
                if re.search(r'\n      end: "\d{4}', p.read_text(encoding="utf-8")))


def test_each_edit_gives_the_results_of_a_full_run(tmp_path, spy):
    root = generate(tmp_path / "data", 60, 0.25)
    folder = tmp_path / "cache"
    n_files = sum(1 for _ in root.glob("*/*.yaml"))
    person = _with_dates(root)
    source = sorted((root / "sources").glob("*.yaml"))[3]
    work = sorted((root / "works").glob("*.yaml"))[2]

    def step(change, parsed: int | None, mode: str) -> str:
        change()
        spy()
        got = _report(root, folder)
        did = spy()
        assert got == _report(root, None)  # the same report as a run without the cache
        if parsed is not None:
            assert did["parsed"] == parsed, did
        assert {"hit": (0, 0), "again": (0, 1), "full": (1, 0)}[mode] == (
            did["full"], did["again"]), (mode, did)
        return got

    cold = step(lambda: None, n_files, "full")
    assert '"shacl"' in cold  # the generated defects are there to be found
    assert step(lambda: None, 0, "hit") == cold
    step(lambda: _edit(person, r'name: "([^"]*)"', r'name: "\1 Renamed"'), 1, "again")
    broken = step(lambda: _edit(person, r'\n      end: "\d{4}', '\n      end: "1900'), 1,
                  "again")
    assert any(i["code"] == "start-after-end" and i["path"].endswith(person.name)
               for i in json.loads(broken)["issues"])
    step(lambda: _edit(person, r'\n      end: "1900', '\n      end: "2999'), 1, "again")
    step(lambda: _edit(work, r"\n  (\w+):\n", r"\n  \1:\n"), 0, "hit")  # same bytes
    step(lambda: _edit(source, r"trust: \w+", "trust: low"), 1, "full")
    extra = person.with_name("person-extra.yaml")

    def add() -> None:
        shutil.copy(person, extra)
        _edit(extra, r"\nid: \S+", "\nid: person-extra")

    step(add, 1, "full")
    step(extra.unlink, 0, "hit")  # the graph checked two steps ago
    step(lambda: _edit(person, "type: Person", "type: Organization"), 1, "full")


def test_the_second_dataset_from_the_cache(tmp_path, spy):
    root = tmp_path / "second"
    shutil.copytree(FIXTURES / "second", root)
    folder = tmp_path / "cache"
    first = _report(root, folder)
    assert first == _report(root, None)
    record = sorted((root / "people").glob("*.yaml"))[0]
    _edit(record, r"\nname: (.*)\n", r"\nname: \1 B\n")
    spy()
    assert _report(root, folder) == _report(root, None)


def test_a_new_version_or_vocabulary_reads_every_record_again(tmp_path, spy, monkeypatch):
    root = generate(tmp_path / "data", 10, 0)
    folder = tmp_path / "cache"
    _report(root, folder)
    spy()
    _report(root, folder)
    assert spy()["parsed"] == 0
    monkeypatch.setattr(keys, "_CODE_KEY", b"another version")
    _report(root, folder)
    assert spy()["parsed"] == sum(1 for _ in root.glob("*/*.yaml"))
    real = keys.folder_key
    monkeypatch.setattr(keys, "folder_key", lambda f: real(f) + b"edited shapes")
    _report(root, folder)
    assert spy()["parsed"] == sum(1 for _ in root.glob("*/*.yaml"))


def test_the_shapes_keep_to_what_incremental_checking_assumes():
    """incremental.py: a focus node's results depend on its own record's nodes, the types
    of what it points at and the sources. A shape that reads more (sh:node, a path of more
    than one step, a new SPARQL constraint) must be reviewed there before it is added."""
    store = ox.Store()
    for f in resource_dir("shapes").glob("*.ttl"):
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    used = {q.predicate.value.removeprefix(str(SH)) for q in store
            if q.predicate.value.startswith(str(SH))}
    assert used <= {"class", "datatype", "declare", "in", "maxCount", "message", "minCount",
                    "minInclusive", "namespace", "nodeKind", "or", "path", "pattern", "prefix",
                    "prefixes", "select", "severity", "sparql", "targetClass",
                    "targetSubjectsOf"}, used
    paths = [q.object for q in store.quads_for_pattern(None, ox.NamedNode(SH + "path"), None)]
    assert paths and all(isinstance(p, ox.NamedNode) for p in paths)
    codes = {r["code"].value for r in store.query(
        "SELECT DISTINCT ?code WHERE { ?s <http://www.w3.org/ns/shacl#sparql> ?x ; "
        "<https://w3id.org/personkg/shapes#code> ?code }")}
    assert codes == {"altered-without-wording", "alternative-values", "author-order",
                     "conflicting-values", "deprecated-without-reason",
                     "duplicate-series-ordinal", "quotation-status-evidence",
                     "start-after-end", "weakly-sourced"}


def _cli(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    """`personkg ARGS` in a fresh process (keyword arguments go to subprocess.run)."""
    return subprocess.run([*PERSONKG, *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})}, **kw)


@pytest.mark.parametrize("dataset", ["second", "generated"])
def test_queries_reuse_one_store_on_disk(tmp_path, dataset):
    root = tmp_path / "data"
    if dataset == "second":
        shutil.copytree(FIXTURES / "second", root)
    else:
        generate(root, 30, 0)
    folder = tmp_path / "cache"
    for name in ("entities-by-type", "sourcing"):
        plain = _cli("query", "--data", str(root), "--no-cache", "--name", name)
        assert plain.returncode == 0, plain.stderr
        for _ in range(2):
            got = _cli("query", "--data", str(root), "--cache", str(folder), "--name", name)
            assert (got.returncode, got.stdout) == (0, plain.stdout), got.stderr
    stores = [p for p in (folder / "build-cache" / "stores").iterdir()]
    assert len(stores) == 1 and (stores[0] / "done").is_file()
    report = _cli("report", "--data", str(root), "--cache", str(folder), "--format", "json")
    assert report.stdout == _cli("report", "--data", str(root), "--no-cache",
                                 "--format", "json").stdout
    # an edit is a new graph: a new store, and the answer says so
    record = sorted((root / "people").glob("*.yaml"))[0]
    _edit(record, r"\nname: (.*)\n", "\nname: Renamed Person\n")
    got = _cli("query", "--data", str(root), "--cache", str(folder),
               "SELECT ?name WHERE { ?person a pkg:Person ; rdfs:label ?name }")
    assert "Renamed Person" in got.stdout, got.stderr
    assert len(list((folder / "build-cache" / "stores").iterdir())) == 2


def test_no_cache_writes_nothing_and_the_default_folder_is_the_platforms(tmp_path):
    root = generate(tmp_path / "data", 5, 0)
    folder = tmp_path / "unused"
    assert _cli("validate", "--data", str(root), "--cache", str(folder),
                "--no-cache").returncode == 0
    assert _cli("validate", "--data", str(root), "--cache", "off").returncode == 0
    assert not folder.exists()
    env = {k: v for k, v in os.environ.items() if k != "PERSONKG_CACHE"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    done = subprocess.run([*PERSONKG, "validate", "--data", str(root)], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "xdg" / "personkg" / "build-cache" / "entries.sqlite").is_file()


def test_a_cache_others_can_write_to_is_refused(tmp_path):
    root = generate(tmp_path / "data", 5, 0)
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    got = _cli("validate", "--data", str(root), "--cache", str(folder))
    assert got.returncode == 2
    assert got.stderr.count("\n") == 1 and "refused as the build cache" in got.stderr
    assert "Traceback" not in got.stderr
    a_file = tmp_path / "file"
    a_file.write_text("x")
    got = _cli("validate", "--data", str(root), "--cache", str(a_file))
    assert got.returncode == 2 and got.stderr.count("\n") == 1, got.stderr


def test_a_damaged_cache_is_replaced(tmp_path):
    root = generate(tmp_path / "data", 20, 0.25)
    folder = tmp_path / "cache"
    expected = _cli("validate", "--data", str(root), "--no-cache", "--format", "json").stdout
    first = _cli("validate", "--data", str(root), "--cache", str(folder), "--format", "json")
    assert first.stdout == expected
    db = folder / "build-cache" / "entries.sqlite"
    with sqlite3.connect(db) as conn:  # damaged entries: each digest no longer matches
        conn.execute("UPDATE entries SET value = x'00' || value")
    got = _cli("validate", "--data", str(root), "--cache", str(folder), "--format", "json")
    assert (got.stdout, got.stderr) == (expected, "")
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"not a database" * 100)  # a damaged file
    got = _cli("validate", "--data", str(root), "--cache", str(folder), "--format", "json")
    assert got.stdout == expected
    assert "the build cache was damaged; it starts anew" in got.stderr
    again = _cli("validate", "--data", str(root), "--cache", str(folder), "--format", "json")
    assert (again.stdout, again.stderr) == (expected, "")


def test_concurrent_runs_and_a_run_killed_midway(tmp_path):
    root = generate(tmp_path / "data", 150, 0.25)
    folder = tmp_path / "cache"
    expected = _cli("validate", "--data", str(root), "--no-cache", "--format", "json").stdout
    args = [*PERSONKG, "validate", "--data", str(root), "--cache", str(folder), "--format",
            "json"]
    for delay in (0.4, 0.9, 1.5):  # killed at some point of reading, compiling or checking
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    runs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    outs = [r.communicate(timeout=300) for r in runs]
    assert [o for o, _ in outs] == [expected] * 3, [e for _, e in outs]
    query = ["query", "--data", str(root), "--name", "entities-by-type"]
    runs = [subprocess.Popen([*PERSONKG, *query, "--cache", str(folder)], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    plain = _cli(*query, "--no-cache").stdout
    assert [r.communicate(timeout=300)[0] for r in runs] == [plain, plain]


def test_an_unchanged_folder_gets_its_report_without_reading_a_record(tmp_path, spy,
                                                                     monkeypatch):
    root = generate(tmp_path / "data", 20, 0.25)
    cache.use(cache.Cache(tmp_path / "cache"))
    calls = []
    full = pipeline.check_dataset
    monkeypatch.setattr(pipeline, "check_dataset", lambda *a, **k: calls.append(1) or full(*a, **k))
    try:
        first = render_json(pipeline.check(root))
        assert calls == [1]
        spy()
        assert render_json(pipeline.check(root)) == first
        assert calls == [1] and spy()["parsed"] == 0  # nothing read but the files' bytes
        (root / "notes.txt").write_text("any file in the folder counts")
        assert render_json(pipeline.check(root)) == first
        assert calls == [1, 1] and spy()["parsed"] == 0  # every record from the cache
        (root / "link.yaml").symlink_to(root / "notes.txt")  # a link: no shortcut
        assert render_json(pipeline.check(root)) == first
        assert render_json(pipeline.check(root)) == first
        assert calls == [1, 1, 1, 1]
    finally:
        cache.use(None)


def test_a_problem_names_its_file_as_seen_from_where_the_command_runs(tmp_path):
    """Problems name their file relative to the working folder: a report cached from one
    folder is not given in another."""
    root = generate(tmp_path / "data", 8, 0)
    record = sorted((root / "people").glob("*.yaml"))[0]
    record.write_text(record.read_text(encoding="utf-8") + "unknown_field: 1\n", encoding="utf-8")
    folder, elsewhere = tmp_path / "cache", tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["validate", "--data", str(root), "--format", "json"]
    first = _cli(*args, "--cache", str(folder), cwd=tmp_path)
    assert first.returncode == 1 and '"data/people/' in first.stdout
    for cwd in (elsewhere, tmp_path):
        got = _cli(*args, "--cache", str(folder), cwd=cwd)
        assert got.stdout == _cli(*args, "--no-cache", cwd=cwd).stdout


def test_a_damaged_store_is_loaded_again(tmp_path):
    root = tmp_path / "second"
    shutil.copytree(FIXTURES / "second", root)
    folder = tmp_path / "cache"
    query = ["query", "--data", str(root), "--name", "entities-by-type"]
    expected = _cli(*query, "--no-cache").stdout
    assert _cli(*query, "--cache", str(folder)).stdout == expected
    (store,) = (folder / "build-cache" / "stores").iterdir()
    damages = [lambda: (store / "db" / "CURRENT").write_text("garbage\n"),
               lambda: shutil.rmtree(store / "db"),
               lambda: shutil.rmtree(store) or store.write_text("not a store")]
    for damage in damages:
        damage()
        got = _cli(*query, "--cache", str(folder))
        assert (got.returncode, got.stdout) == (0, expected), got.stderr
        assert "Traceback" not in got.stderr


def test_cache_files_others_can_write_to_are_refused(tmp_path):
    root = generate(tmp_path / "data", 5, 0)
    folder = tmp_path / "cache"
    assert _cli("validate", "--data", str(root), "--cache", str(folder)).returncode == 0
    db = folder / "build-cache" / "entries.sqlite"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    db.chmod(0o666)
    got = _cli("validate", "--data", str(root), "--cache", str(folder))
    assert got.returncode == 2 and got.stderr.count("\n") == 1
    assert "refused in the build cache" in got.stderr
