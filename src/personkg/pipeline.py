"""The pipeline: load the records, check them in four layers, compile the graph, write
every format. The CLI and the Python API (`personkg.build`, `personkg.check`) both run it.

1. YAML syntax (and UTF-8);          2. JSON Schema per record kind;
3. references between records;        4. SHACL on the compiled graph.

`check_dataset()` runs the layers in order and returns a `Checked` result: the report, and
the dataset and graph built from the records that passed layers 1-2. A problem found by an
earlier layer is not reported again by a later one at the same place. `build()` writes every
format of `export.FORMATS` into a folder that is replaced only once complete.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import cache, runtime
from .checks.records import Wording, metadata_issues, prepare, schema_check
from .checks.references import reference_check, resting_on_broken
from .checks.report import WARNING, Issue, Report, display_path, render_json
from .checks.shacl import issues_of, shacl_check
from .checks.shacl.incremental import cached_found
from .checks.shacl.shapes import shape_files
from .compile import CompiledGraph, compile_dataset, fingerprint
from .errors import DataError, RunError
from .export import FORMATS, Compiled
from .generate import generated_files
from .load import LineDict, LoadProblem, RawRecord, load_dir, load_file, unknown_folders
from .model import AuthorList, Dataset, Entity, Source, Verdict
from .namespaces import DEFAULT_BASE
from .output import write_chunks, write_dir
from .progress import progress
from .resources import KINDS_HINT, data_folder, resource_dir
from .runtime import paused_gc, release_memory
from .vocab import Vocabulary

if TYPE_CHECKING:
    from .remote import Endpoint

__all__ = ["Checked", "Built", "Invalid", "check", "check_dataset", "check_records", "add_shacl",
           "load_dataset", "build", "compiled", "queryable", "Queryable", "vocabulary_key",
           "RECONCILIATION"]

#: reconcile's verdicts, beside dataset.yaml (written by `personkg reconcile --write`)
RECONCILIATION = "reconciliation.yaml"


@dataclass
class Checked:
    report: Report
    dataset: Dataset
    graph: CompiledGraph | None


class Invalid(DataError):
    """The dataset does not conform: `report` says why. Nothing was written."""

    def __init__(self, report: Report):
        super().__init__("the dataset does not validate; nothing was written")
        self.report = report


@paused_gc()
def load_dataset(root: Path, voc: Vocabulary, report: Report) -> Dataset:
    """Layers 1-3: read every record under `root` into a Dataset, reporting problems.
    A record that fails layer 1 or 2 is reported once: its id (and its file name) go in
    `Dataset.broken`, and what points at it is not reported again."""
    root = Path(root)
    shapes_dir = voc.shapes_dir
    wording = Wording.of(voc)
    value_kinds = {k: p.kind for k, p in voc.claims.items()}
    qualifier_kinds = {k: p.kind for k, p in voc.qualifiers.items()}
    prepare_one = partial(prepare, shapes_dir, value_kinds, qualifier_kinds, author_list(voc),
                          wording)
    memo = cache.current()
    items = load_dir(root, voc.kinds(), prepare_one, memo, vocabulary_key(voc) if memo else b"")
    stray = unknown_folders(root, _folder_names(voc, wording))
    if not items:
        also = "".join(f"; {p.message}" for p in stray)
        raise RunError(f"{root}: no records found (expected YAML files in subfolders "
                       f"{KINDS_HINT}){also}")
    ds = Dataset(root=root)
    meta_path = root / "dataset.yaml"
    if meta_path.is_file():
        meta = _load_metadata(meta_path, shapes_dir, wording, report)
        if meta:
            ds.metadata = meta
            ds.base = str(meta.get("base", ds.base))
    verdicts_path = root / RECONCILIATION
    if verdicts_path.is_file():
        ds.verdicts = _load_verdicts(verdicts_path, shapes_dir, wording, report)
    elif verdicts_path.exists() or verdicts_path.is_symlink():
        report.add(Issue.at(verdicts_path, 0, "not-a-record",
                            f"{RECONCILIATION} is not a regular file (a folder, a dangling "
                            "link or a pipe?)", layer="yaml"))
    owner: dict[str, Path] = {}
    # Records whose id matches their file name claim their id first, so a copy under
    # another name is the one reported as the duplicate.
    records = [i for i in items if isinstance(i, RawRecord)]
    records.sort(key=lambda r: r.data.get("id") != r.path.stem)
    ds.record_keys = {r.path: r.key for r in records if r.key}
    for problem in [*stray, *(i for i in items if isinstance(i, LoadProblem))]:
        report.add(Issue.at(problem.path, problem.line, problem.code, problem.message,
                            layer="yaml"))
        ds.broken.update(_ids_in(problem.path))
    for item in progress(records, "checking records"):
        report.records += 1
        _admit(item, ds, owner, report)
    ds.broken -= set(ds.entities) | set(ds.sources)
    report.extend(reference_check(ds, voc))
    for ent_id, verdict in sorted(ds.verdicts.items()):
        if ent_id not in ds.entities and ent_id not in ds.broken:
            report.add(Issue.at(verdicts_path, verdict.line, "stale-verdict",
                                f"{ent_id}: no entity with that id (renamed or removed?); "
                                "`personkg reconcile --write` drops it", severity=WARNING,
                                layer="references"))
    named = ds.metadata.get("subject")
    if isinstance(named, str) and named not in ds.entities and named not in ds.broken:
        line = ds.metadata.key_lines.get("subject") if isinstance(ds.metadata, LineDict) else 0
        report.add(Issue.at(meta_path, line, "unknown-id",
                            f"subject: {named!r} is not an entity in this dataset",
                            layer="references"))
    return ds


def author_list(voc: Vocabulary) -> AuthorList | None:
    """How a work's `authors:` list becomes claims: ids as the item property that maps to
    schema.org `author`, other text as the string one, each with the qualifier that maps to
    `position` (and `name` for a name as printed). None when the ontology has no such pair."""
    props = voc.by_schema_org("CreativeWork", "author")
    item = next((p for p in props if p.is_item), None)
    name = next((p for p in props if p.kind == "string"), None)
    ordinal = voc.qualifier_for(item, "position") if item else None
    if item is None or name is None or ordinal is None:
        return None
    return AuthorList(item.key, name.key, ordinal, voc.qualifier_for(item, "name"))


def _folder_names(voc: Vocabulary, wording: Wording) -> dict[str, str]:
    """Each record folder, and the names and labels of its records' types, -> the folder."""
    names = {kind: kind for kind in voc.kinds()}
    for spelling, type_name in wording.type_names.items():
        names.setdefault(spelling, wording.type_kinds[type_name])
    return names


def _ids_in(path: Path) -> set[str]:
    """The ids a file that could not be read would have had (its name), or those of the
    YAML files of a folder that is not read."""
    if path.is_dir():
        return {p.stem for p in path.iterdir() if p.suffix in (".yaml", ".yml")}
    return {path.stem}


def _admit(item: RawRecord, ds: Dataset, owner: dict[str, Path], report: Report) -> None:
    """One record that was read: its schema problems, its id, and the record into `ds`."""
    rid = item.data.get("id")
    done = item.prepared
    if isinstance(done, list):  # the schema check's problems
        report.extend(done)
        ds.broken.add(item.path.stem)
        if isinstance(rid, str):
            ds.broken.add(rid)
    if not isinstance(rid, str):  # no id at all: the schema check said so
        return
    id_line = item.data.key_lines.get("id", 1)
    if rid != item.path.stem:
        ds.broken.add(item.path.stem)
        # a malformed id was reported by the schema check: once is enough
        if not (isinstance(done, list) and any(i.line == id_line for i in done)):
            report.add(Issue.at(item.path, id_line, "id-mismatch",
                                f"id {rid!r} differs from the file name {item.path.name!r}",
                                layer="references"))
    if rid in owner:
        report.add(Issue.at(item.path, id_line, "duplicate-id",
                            f"id {rid!r} is already used by {display_path(owner[rid])}",
                            layer="references"))
        return
    owner[rid] = item.path
    if isinstance(done, Source):
        ds.sources[done.id] = done
    elif isinstance(done, Entity):
        ds.entities[done.id] = done


def _load_metadata(path: Path, shapes_dir: Path, wording: Wording,
                   report: Report) -> LineDict | None:
    item = load_file(path, "dataset")
    if isinstance(item, LoadProblem):
        report.add(Issue.at(item.path, item.line, item.code, item.message, layer="yaml"))
        return None
    problems = schema_check(item, shapes_dir, wording) or metadata_issues(item, shapes_dir)
    report.extend(problems)
    return None if problems else item.data


def _load_verdicts(path: Path, shapes_dir: Path, wording: Wording,
                   report: Report) -> dict[str, Verdict]:
    """reconcile's verdicts per entity id (`reconciliation.yaml`), schema-checked."""
    item = load_file(path, "reconciliation")
    if isinstance(item, LoadProblem):
        report.add(Issue.at(item.path, item.line, item.code, item.message, layer="yaml"))
        return {}
    problems = schema_check(item, shapes_dir, wording)
    report.extend(problems)
    table = item.data.get("verdicts") or {}
    if problems or not isinstance(table, LineDict):
        return {}
    return {str(ent): Verdict(str(v["verdict"]), str(v["checked"]), str(v["endpoint"]),
                              str(v["of"]), v.get("qid"), tuple(v.get("candidates") or ()),
                              table.key_lines.get(ent, 0))
            for ent, v in table.items()}


def describe(data: Path | str | None = None) -> tuple[str, str | None]:
    """The base and subject of the dataset at `data`, from its dataset.yaml (the records are
    read only when it names no subject)."""
    root = _folder(data)
    report = Report()
    meta: LineDict | None = None
    if (root / "dataset.yaml").is_file():
        meta = _load_metadata(root / "dataset.yaml", resource_dir("shapes"),
                              Wording.of(Vocabulary.load()), report)
        if not report.conforms():
            raise Invalid(report)
    base = str(meta.get("base", DEFAULT_BASE)) if meta else DEFAULT_BASE
    subject = meta.get("subject") if meta else None
    if not isinstance(subject, str):
        subject = compiled(root).dataset.subject
    return base, subject


def check_dataset(root: Path, voc: Vocabulary | None = None, shacl: bool = True,
                  engine: str = "fast") -> Checked:
    """Run every layer on the data folder `root` (SHACL with `engine`: fast or pyshacl)."""
    voc = voc or vocabulary(Path(root))
    checked = check_records(root, voc)
    if shacl:
        add_shacl(checked, voc, engine)
    return checked


def check_records(root: Path, voc: Vocabulary) -> Checked:
    """Layers 1-3, and the graph compiled from the records that passed them."""
    report = Report()
    ds = load_dataset(root, voc, report)
    graph = compile_dataset(ds, voc, cache.current())
    report.triples = len(graph.lines)
    return Checked(report, ds, graph)


def add_shacl(checked: Checked, voc: Vocabulary, engine: str = "fast") -> None:
    """Layer 4 into `checked.report` (a place an earlier layer reported is not reported
    again, nor one that points at a record that failed)."""
    assert checked.graph is not None
    report = checked.report
    already = {(i.path, i.line) for i in report.issues}
    already |= resting_on_broken(checked.dataset, voc)
    graph, memo = checked.graph, cache.current()
    if memo is None or not graph.fingerprint:
        issues = shacl_check(graph, voc, engine)
    else:  # what the cache knows, and SHACL again on what changed
        sources = [s.path for s in checked.dataset.sources.values()]
        issues = issues_of(cached_found(graph, sources, voc, engine, checked.dataset.root,
                                        memo), graph.locations)
    for issue in issues:
        if (issue.path, issue.line) not in already:
            report.add(issue)
    release_memory()


def vocabulary_key(voc: Vocabulary) -> bytes:
    """What every cached record depends on besides its own bytes: personkg's code, the
    ontology (and the dataset's extension of it) and the shapes and record schemas."""
    extension = voc.extension.read_bytes() if voc.extension else b""
    return cache.key_of(cache.code_key(), cache.folder_key(resource_dir("ontology")),
                        extension, cache.folder_key(voc.shapes_dir))


@dataclass
class Queryable:
    """A checked dataset (layers 1-3) and a store holding its compiled graph."""

    dataset: Dataset
    voc: Vocabulary
    store: ox.Store


def queryable(data: Path | str | None = None) -> Queryable:
    """The dataset at `data`, checked, and its graph in a store, for queries; `Invalid`
    when it does not conform. With the build cache the store is the one kept on disk for
    this graph, opened without compiling the records again (loaded there the first time);
    else a new one in memory."""
    root = _folder(data)
    voc = vocabulary(root)
    report = Report()
    with paused_gc():
        ds = load_dataset(root, voc, report)
    if not report.conforms():
        raise Invalid(report)
    memo = cache.current()
    key = fingerprint(ds) if memo is not None else b""
    if memo is not None and key:
        return Queryable(ds, voc, memo.store(key, lambda: compile_dataset(ds, voc, memo).chunks()))
    return Queryable(ds, voc, compile_dataset(ds, voc).store())



def vocabulary(root: Path) -> Vocabulary:
    """The vocabulary of the dataset at `root`: the built-in ontology, extended by the
    dataset's own `ontology.ttl` when it has one. An extended vocabulary gets its record
    schemas and per-property shapes generated now, like the built-in ones at build time."""
    own = root / "ontology.ttl"
    return extended_vocabulary(own if own.is_file() else None)


def extended_vocabulary(own: Path | None) -> Vocabulary:
    """The built-in vocabulary extended by the ontology file `own` (None: not extended),
    with the record schemas and per-property shapes of the extension generated."""
    if own is None:
        return Vocabulary.load()
    voc = Vocabulary.load(extension=own)
    if voc.shapes_dir == resource_dir("shapes"):
        folder = Path(tempfile.mkdtemp(prefix="personkg-shapes-"))
        atexit.register(shutil.rmtree, folder, True)
        for name, text in generated_files(voc).items():
            (folder / name).write_text(text, encoding="utf-8")
        for core in shape_files(resource_dir("shapes")):
            if not (folder / core.name).exists():
                shutil.copyfile(core, folder / core.name)
        voc.shapes_dir = folder
    return voc


def check_endpoint(endpoint: Endpoint, graphs: tuple[str, ...] = (),
                   ontology: Path | None = None) -> Report:
    """SHACL on the graph at a SPARQL endpoint (the named `graphs` as its default graph),
    with the shapes of the built-in vocabulary extended by `ontology` when given."""
    from .checks.shacl.endpoint import endpoint_report

    return endpoint_report(endpoint, extended_vocabulary(ontology), graphs)


def check(data: Path | str | None = None, engine: str = "fast") -> Report:
    """Every layer on the dataset folder `data` (default: `./data` when it holds a
    dataset, else the embedded one): the report of what is wrong, if anything. With the
    build cache, a folder whose every file is as it was at an earlier check gets that
    check's report."""
    root = _folder(data)
    memo = cache.current()
    if memo is None:
        return check_dataset(root, engine=engine).report
    voc = vocabulary(root)
    key = cache.tree_key(root, b"report", vocabulary_key(voc), engine)
    done = memo.get_many([key] if key else []).get(key or b"")
    if isinstance(done, Report):
        return done
    report = check_dataset(root, voc, engine=engine).report
    if key and cache.tree_key(root, b"report", vocabulary_key(voc), engine) == key:
        memo.put_many({key: report})  # (not when a file was edited meanwhile)
    return report


def _folder(data: Path | str | None) -> Path:
    return data_folder(data)


def compiled(data: Path | str | None = None, shacl: bool = False) -> Compiled:
    """The dataset at `data`, checked (SHACL too when `shacl`) and compiled, ready for a
    format; `Invalid` when it does not conform."""
    root = _folder(data)
    voc = vocabulary(root)
    result = check_dataset(root, voc, shacl=shacl)
    if not result.report.conforms():
        raise Invalid(result.report)
    assert result.graph is not None
    return Compiled(result.dataset, result.graph, voc)


@dataclass
class Built:
    """What `build` wrote: the files (in writing order) and what the formats said."""

    compiled: Compiled
    report: Report
    files: list[str] = field(default_factory=list)


def build(data: Path | str | None = None, out: Path | str = "build") -> Built:
    """Validate, then write every format of `FORMATS` that applies and `validation.json`
    into the folder `out`, replaced only once complete; `Invalid` (nothing written) when
    the dataset does not conform."""
    out = Path(out)
    root = _folder(data)
    voc = vocabulary(root)
    with paused_gc():  # a short-lived process: no cycles worth collecting
        result = check_records(root, voc)
        if not result.report.conforms():  # every layer's problems, as validate gives them
            add_shacl(result, voc)
            raise Invalid(result.report)
        assert result.graph is not None
        c = Compiled(result.dataset, result.graph, voc)
        formats = [f for f in FORMATS.values() if f.in_build(c)]
        built = Built(c, result.report, [*(f.file_name for f in formats), "validation.json"])

        def fill(tmp: Path) -> None:
            # On a large graph SHACL runs in a thread while the exports are written:
            # pyoxigraph loads the store and answers queries without holding the GIL.
            # Until it has finished the files are only in the temporary folder, which a
            # failure removes. On a small graph SHACL runs first, and a failure stops
            # before any export is written.
            shacl = None
            if len(c.graph.lines) >= runtime.MIN_TRIPLES:
                shacl = runtime.Background(lambda: add_shacl(result, voc))
            else:
                add_shacl(result, voc)
                if not result.report.conforms():
                    raise Invalid(result.report)
            for f in progress(formats, "writing exports"):
                write_chunks(tmp / f.file_name, f.chunks(c))
            if shacl is not None:
                shacl.join()
                if not result.report.conforms():
                    raise Invalid(result.report)
            write_chunks(tmp / "validation.json", [render_json(result.report)])

        write_dir(out, fill, protect=[root])
    return built
