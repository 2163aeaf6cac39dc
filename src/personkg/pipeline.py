"""The pipeline: load the records, check them in four layers, compile the graph, write
every format. The CLI and the Python API (`personkg.build`, `personkg.check`) both run it.

1. YAML syntax (and UTF-8);          2. JSON Schema per record kind;
3. references between records;        4. SHACL on the compiled graph.

`check_dataset()` runs the layers in order and returns a `Checked` result: the report, and
the dataset and graph built from the records that passed layers 1-2. A problem found by an
earlier layer is not reported again by a later one at the same place (layers 1-3 are
`reading.py`). `build()` writes every format of `export.FORMATS` into a folder that is
replaced only once complete. With the build cache (`cache.py`), each step takes what an
earlier run made from the same inputs.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import cache, runtime
from .checks.report import Report, render_json
from .errors import DataError, RunError
from .namespaces import DEFAULT_BASE
from .resources import data_folder, resource_dir
from .runtime import paused_gc, release_memory
from .vocab import Vocabulary

# The modules that read, check, compile and write are imported in the functions that use
# them: `validate` of a dataset whose report is in the build cache needs none of them, and
# they are most of the time such a run takes (issue 20's startup target).
if TYPE_CHECKING:
    from .compile import CompiledGraph
    from .export import Compiled
    from .load import LineDict
    from .model import Dataset
    from .remote import Endpoint

__all__ = ["Checked", "Built", "Invalid", "check", "check_dataset", "check_records", "add_shacl",
           "loaded_for_writing",
           "build", "compiled", "queryable", "Queryable", "describe", "vocabulary",
           "extended_vocabulary"]


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


def describe(data: Path | str | None = None) -> tuple[str, str | None]:
    """The base and subject of the dataset at `data`, from its dataset.yaml (the records are
    read only when it names no subject)."""
    from .checks.records import Wording
    from .reading import load_metadata

    root = _folder(data)
    report = Report()
    meta: LineDict | None = None
    if (root / "dataset.yaml").is_file():
        meta = load_metadata(root / "dataset.yaml", resource_dir("shapes"),
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
    checked = load_records(root, voc)
    compile_checked(checked, voc)
    return checked


def load_records(root: Path, voc: Vocabulary) -> Checked:
    """Layers 1-3: the records read and checked, not compiled yet (`compile_checked`)."""
    from .reading import load_dataset

    report = Report()
    return Checked(report, load_dataset(root, voc, report), None)


def compile_checked(checked: Checked, voc: Vocabulary) -> CompiledGraph:
    """The graph compiled from the records that passed layers 1-3 (once: kept in `checked`)."""
    from .compile import compile_dataset

    if checked.graph is None:
        checked.graph = compile_dataset(checked.dataset, voc, cache.current())
        checked.report.triples = len(checked.graph.lines)
    return checked.graph


def add_shacl(checked: Checked, voc: Vocabulary, engine: str = "fast") -> None:
    """Layer 4 into `checked.report` (a place an earlier layer reported is not reported
    again, nor one that points at a record that failed)."""
    from .checks.references import resting_on_broken
    from .checks.shacl import issues_of, shacl_check
    from .checks.shacl.incremental import cached_found

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
    from .compile import compile_dataset, fingerprint
    from .reading import load_dataset

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
    from .checks.shacl.shapes import shape_files
    from .generate import generated_files

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
    stamp = cache.tree_stamp(root)
    key = None if stamp is None else cache.tree_key(
        root, stamp, b"report", cache.vocabulary_key(voc.shapes_dir, voc.extension), engine)
    done = memo.get_many([key] if key else []).get(key or b"")
    if isinstance(done, Report):
        return done
    report = check_dataset(root, voc, engine=engine).report
    if key and cache.tree_stamp(root) == stamp:
        memo.put_many({key: report})  # (not when a file was written meanwhile)
    return report


def _folder(data: Path | str | None) -> Path:
    return data_folder(data)


def compiled(data: Path | str | None = None, shacl: bool = False) -> Compiled:
    """The dataset at `data`, checked (SHACL too when `shacl`) and compiled, ready for a
    format; `Invalid` when it does not conform."""
    from .export import Compiled

    root = _folder(data)
    voc = vocabulary(root)
    result = check_dataset(root, voc, shacl=shacl)
    if not result.report.conforms():
        raise Invalid(result.report)
    assert result.graph is not None
    return Compiled(result.dataset, result.graph, voc)


class Layer4:
    """SHACL for a dataset whose files are being written into a temporary folder. `beside`
    (a large graph, or a long write): it runs in a thread while the files are written
    (pyoxigraph loads the store and answers queries without holding the GIL), and until
    `done()` the files are only in the temporary folder, which a failure removes. Else it
    runs at `start()`, and a failure stops before any file is written."""

    def __init__(self, checked: Checked, voc: Vocabulary, beside: bool):
        self.checked, self.voc, self.beside = checked, voc, beside
        self.thread: runtime.Background | None = None
        self._compiled: Compiled | None = None
        self._started = False

    def compiled(self) -> Compiled:
        """The checked dataset, compiled (`loaded_for_writing` leaves that to the writing)."""
        if self._compiled is None:
            self._compiled = _compiled(self.checked, self.voc)
        return self._compiled

    def started(self) -> Compiled:
        """`compiled()`, with the check started on it (once; `done()` waits for it)."""
        if not self._started:
            self.start()
        return self.compiled()

    def start(self) -> None:
        self._started = True
        self.compiled()
        if self.beside:
            self.thread = runtime.Background(lambda: add_shacl(self.checked, self.voc))
        else:
            self._now()

    def _now(self) -> None:
        self.compiled()
        add_shacl(self.checked, self.voc)
        self.done()

    def done(self) -> None:
        """Wait for the check; `Invalid` when the dataset does not conform."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if not self.checked.report.conforms():
            raise Invalid(self.checked.report)

    def write(self, out: Path, fill: Callable[[Path], None], protect: list[Path]) -> None:
        """`output.write_dir(out, fill)`, where `fill` calls `start()` (or `started()`) and
        `done()`. When `out` cannot be written, the dataset's problems come first, as they do
        for layers 1-3: SHACL runs, and `Invalid` is raised before the folder's `RunError`;
        also when the writing fails while SHACL runs beside it (a full disk)."""
        from .output import check_folder_target, write_dir

        try:
            check_folder_target(out, protect)
        except RunError:
            self._now()
            raise
        try:
            write_dir(out, fill, protect=protect)
        except Exception:
            if self.thread is not None:
                self.done()  # `Invalid` when SHACL, still running beside, finds problems
            raise


def checked_for_writing(root: Path) -> tuple[Compiled, Checked]:
    """Layers 1-3 on the dataset at `root`, compiled (SHACL is left to `Layer4`); `Invalid`
    when they fail (with SHACL's problems too, as validate gives them)."""
    result, voc = loaded_for_writing(root)
    return _compiled(result, voc), result


def _compiled(checked: Checked, voc: Vocabulary) -> Compiled:
    from .export import Compiled

    with paused_gc():  # a short-lived process: no cycles worth collecting
        return Compiled(checked.dataset, compile_checked(checked, voc), voc)


def loaded_for_writing(root: Path) -> tuple[Checked, Vocabulary]:
    """Layers 1-3 on the dataset at `root`, not compiled yet (`Layer4.compiled`): a writer
    may start on what needs only the records (the site's pages) while the graph compiles.
    `Invalid` when they fail, with SHACL's problems too, as validate gives them."""
    voc = vocabulary(root)
    with paused_gc():  # a short-lived process: no cycles worth collecting
        result = load_records(root, voc)
        if not result.report.conforms():  # every layer's problems, as validate gives them
            compile_checked(result, voc)
            add_shacl(result, voc)
            raise Invalid(result.report)
    return result, voc


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
    from .export import FORMATS
    from .output import write_chunks
    from .progress import progress

    out = Path(out)
    root = _folder(data)
    c, result = checked_for_writing(root)
    formats = [f for f in FORMATS.values() if f.in_build(c)]
    built = Built(c, result.report, [*(f.file_name for f in formats), "validation.json"])
    with paused_gc():  # a short-lived process: no cycles worth collecting
        shacl = Layer4(result, c.voc, beside=len(c.graph.lines) >= runtime.MIN_TRIPLES)

        def fill(tmp: Path) -> None:
            shacl.start()
            # With the build cache, the store later queries open is loaded meanwhile.
            memo = cache.current()
            store = (runtime.Background(lambda: memo.store(c.graph.fingerprint, c.graph.chunks))
                     if memo is not None and c.graph.fingerprint else None)
            for f in progress(formats, "writing exports"):
                write_chunks(tmp / f.file_name, f.chunks(c))
            shacl.done()
            if store is not None:
                store.join()
            write_chunks(tmp / "validation.json", [render_json(result.report)])

        shacl.write(out, fill, [root])
    return built
