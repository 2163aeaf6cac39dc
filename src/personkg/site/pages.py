"""`personkg site`: a static linked-data site, readable from the file system or any host.

Entity or source `<base><id>` is the page `id/<id>.html`, with `id/<id>.ttl` and
`id/<id>.jsonld` beside it (its own statements and their references). A source's page lists
every fact it supports. The index shows the subject, the dataset's figures and every entity
and source by kind, with a search box over names (`search.json` and `search.js`: the only
script; every page works without it); `dataset.ttl`, `dataset.nt` and `dataset.jsonld` are
the full dump; `dataset-metadata.jsonld` and the index describe the dataset (schema.org
`Dataset`: licence, version, triple count); `sitemap.xml` lists every page under the site URL
(`site_url:` in dataset.yaml, or derived from the base).

The HTML comes from the Jinja2 templates in `templates/` (autoescape on: every text is
escaped) and the style from `static/site.css`, copied beside the index. This module and
`sections.Context` compute the data; JSON-LD inside `<script>` is raw JSON with `<`, `>` and
`&` written as \\u escapes, and the timeline SVG is built from escaped parts (`timeline`):
those two are the only strings marked safe. Pages are built one entity at a time (no JSON-LD
processing of the whole graph).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import pipeline, runtime
from ..errors import RunError
from ..export import FORMATS, Compiled
from ..export.schemaorg import CONTEXT, profile_page, schema_type, script_json
from ..model import Dataset, Entity, Source
from ..output import write_chunks, write_dir, write_new
from ..resources import data_folder
from ..vocab import Vocabulary
from .linked import FORMATS_WRITTEN, LinkedData
from .sections import Context
from .templating import environment
from .timeline import timeline_svg

__all__ = ["site", "build_site", "fill_site", "large_site", "Staged"]

_HERE = Path(__file__).parent
STATIC = ("site.css", "search.js")  # copied from static/ to the site's root


def _schema_node(ds: Dataset, voc: Vocabulary, e: Entity | Source, type_name: str) -> dict:
    node: dict[str, object] = {"@context": CONTEXT, "@type": schema_type(voc, type_name),
                               "@id": ds.base + e.id,
                               "name": e.name if isinstance(e, Entity) else e.title}
    if isinstance(e, Entity) and e.description:
        node["description"] = e.description
    if isinstance(e, Source) and e.fields.get("url"):
        node["url"] = str(e.fields["url"])
    return node


def _script(jsonld: dict) -> Markup:
    """JSON-LD for a `<script>` element: `script_json` escapes `<`, `>` and `&`."""
    return Markup(script_json(jsonld))


def _dataset_node(c: Compiled, site_url: str, downloads: list) -> dict:
    meta = c.dataset.metadata
    return {
        "@context": CONTEXT, "@type": "Dataset", "@id": site_url + "#dataset",
        "name": str(meta.get("title", "personkg dataset")),
        "description": str(meta.get("description", "")),
        "license": str(meta.get("license", "")), "version": str(meta.get("version", "")),
        "size": f"{len(c.graph.lines)} triples",
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": f.media_type,
             "contentUrl": site_url + f.file_name, "description": f.description}
            for f in downloads],
    }


#: Records from which a forked process writes part of the site (a page costs about 3 ms;
#: a fork, about as much as 5 pages, and the pages are most of a large site's time).
MIN_PAGES = 500


def large_site(ds: Dataset) -> bool:
    """Whether the site of `ds` is written by two processes (when the machine allows)."""
    return len(ds.entities) + len(ds.sources) >= MIN_PAGES


class _Counter:
    """A counter for one process, shaped as `multiprocessing.Value`."""

    value = 0

    def get_lock(self) -> contextlib.nullcontext:
        return contextlib.nullcontext()


class Batches:
    """The numbers 0 to `total` - 1, a batch at a time, to whichever process asks first:
    a counter in shared memory, made before the fork. The two processes do different work
    besides the pages (SHACL, the linked data), so neither gets a fixed half: both take
    pages until there are none left, and finish together. `shared` is False when asked for
    one process, or when the system has no shared semaphores (some sandboxes): the site is
    then written by one process."""

    def __init__(self, total: int, batch: int = 8, shared: bool = True):
        self.total, self.batch, self.shared = total, batch, shared
        self.next: Any = _Counter()
        if shared:
            try:
                self.next = multiprocessing.Value("q", 0)
            except OSError:
                self.shared = False

    def __iter__(self) -> Iterator[int]:
        while True:
            with self.next.get_lock():
                start = self.next.value
                self.next.value = start + self.batch
            if start >= self.total:
                return
            yield from range(start, min(start + self.batch, self.total))


def in_two(there: Callable[[], None], here: Callable[[], None], large: bool) -> None:
    """`there()` and `here()`: on two cores and a large site, `there` in a forked process
    (it shares what was built, copy-on-write, and writes its own files) while this one does
    `here`; its failure is raised here as one line. Else `here()`, then `there()`."""
    if not (large and runtime.can_fork()):
        here()
        there()
        return
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)

    def child() -> None:
        try:
            there()
            send.send(None)
        except BaseException as exc:  # noqa: BLE001 - said to the parent, which raises it
            send.send(f"{type(exc).__name__}: {exc}")

    proc = fork.Process(target=child, daemon=True)
    proc.start()
    try:
        here()
        proc.join()
    except BaseException:  # here, or an interrupt while waiting: the other process stops
        proc.terminate()  # (its files are in the folder the failure removes)
        proc.join()
        raise
    failure = receive.recv() if receive.poll() else "it stopped without an answer"
    if failure is not None or proc.exitcode != 0:
        raise RunError(f"writing the site's pages failed in the second process: {failure}")


def site(data: Path | str | None, out: Path | str, site_url: str | None = None) -> int:
    """Validate the dataset at `data`, then write its site into the folder `out` (replaced
    only once complete); returns the page count. The pages need only the checked records:
    on a site large enough to be written by two processes, the other one writes pages while
    this one compiles the graph and runs SHACL; a failure removes what was written
    (`pipeline.Invalid`)."""
    root = data_folder(data)
    checked, voc = pipeline.loaded_for_writing(root)
    # SHACL in a thread while this process writes the linked data: on a large site the
    # other process's pages take less time than compiling, SHACL and the linked data in
    # turn, so this process's chain is what the site waits for (`benchmarks/site.py`)
    shacl = pipeline.Layer4(checked, voc, beside=True)
    pages = 0

    def fill(tmp: Path) -> None:
        nonlocal pages
        pages = fill_site(Staged(checked.dataset, voc, shacl.started, shacl.done), tmp,
                          site_url)

    shacl.write(Path(out), fill, [root])
    return pages


@dataclass
class Staged:
    """What the site is written from: the checked records, and their graph, compiled when
    `compiled()` is called (the pages do not need it). For `site`, that also starts SHACL,
    and `checked()` waits for it: `pipeline.Invalid` when the graph does not conform."""

    dataset: Dataset
    voc: Vocabulary
    compiled: Callable[[], Compiled]
    checked: Callable[[], None] = lambda: None

    @classmethod
    def of(cls, c: Compiled) -> Staged:
        return cls(c.dataset, c.voc, lambda: c)


def build_site(c: Compiled, out: Path, site_url: str | None = None) -> int:
    """Write the site of a checked dataset into `out` (replaced only once complete);
    returns the page count (`site` checks, then writes)."""
    pages = 0

    def fill(tmp: Path) -> None:
        nonlocal pages
        pages = fill_site(Staged.of(c), tmp, site_url)

    write_dir(out, fill, protect=[c.dataset.root])
    return pages


def fill_site(staged: Staged, tmp: Path, site_url: str | None = None) -> int:
    """Write the site into the empty folder `tmp`; returns the page count. On a large site
    a second process writes HTML pages from the start, while this one compiles the graph
    (`staged.compiled()`; for `site`, SHACL then runs beside), writes every record's Turtle
    and JSON-LD, the dumps and the other files, and waits for SHACL (`staged.checked()`);
    then both write HTML pages, taking them in batches (`Batches`)."""
    files = _SiteFiles(staged, tmp, site_url)
    (tmp / "id").mkdir()
    for name in STATIC:
        shutil.copyfile(_HERE / "static" / name, tmp / name)

    def here() -> None:
        c = staged.compiled()
        files.linked_files(c)
        files.other_files(c)
        staged.checked()
        files.html_pages()  # last: the pages even out what the two processes do before them

    in_two(files.html_pages, here, files.batches.shared)
    return len(files.records) + 1


class _SiteFiles:
    """The files of one site, written into `tmp` by whichever process takes them."""

    def __init__(self, staged: Staged, tmp: Path, site_url: str | None):
        self.ds, self.voc, self.tmp = staged.dataset, staged.voc, tmp
        self.site_url = (site_url or self.ds.site_url).rstrip("/") + "/"
        self.entities = sorted(self.ds.entities.values(), key=lambda e: e.id)
        self.sources = sorted(self.ds.sources.values(), key=lambda s: s.id)
        self.records = [*(e.id for e in self.entities), *(s.id for s in self.sources)]
        self.env = environment()
        self.entity_page = self.env.get_template("entity.html")
        self.source_page = self.env.get_template("source.html")
        # made in each process when it first needs it: after the fork, beside the compiling,
        # instead of before it, when only one core is busy
        self._context: Context | None = None
        # the sources' pages first: the process that starts on the pages at once writes
        # them, and the other, which joins at the end, does not need `Context.supported`
        self.writers: list[Callable[[], None]] = [
            *(partial(self.source_page_file, s) for s in self.sources),
            *(partial(self.entity_page_file, e) for e in self.entities)]
        self.batches = Batches(len(self.writers),
                               shared=large_site(self.ds) and runtime.can_fork())

    def context(self) -> Context:
        if self._context is None:
            self._context = Context.of(self.ds, self.voc)
        return self._context

    def html_pages(self) -> None:
        for i in self.batches:
            self.writers[i]()

    def linked_files(self, c: Compiled) -> None:
        """Every record's `.ttl` and `.jsonld`, and the dumps from the same blocks."""
        linked = LinkedData(c.graph, self.voc)
        folder, base = self.tmp / "id", self.ds.base
        for rid in self.records:
            ttl, jsonld = linked.record_files(base + rid)
            write_new(folder / f"{rid}.ttl", ttl)
            write_new(folder / f"{rid}.jsonld", jsonld)
        for name in FORMATS_WRITTEN:
            write_chunks(self.tmp / FORMATS[name].file_name, linked.dump(name))

    def entity_page_file(self, e: Entity) -> None:
        ds, voc = self.ds, self.voc
        if e.type == "Person":
            jsonld = profile_page(ds, voc, e.id)
            svg = Markup(timeline_svg(ds, voc, e))  # built from escaped parts
        else:
            jsonld, svg = _schema_node(ds, voc, e, e.type), Markup("")
        page = self.entity_page.render(up="../", e=self.context().entity(e), timeline=svg,
                                       jsonld=_script(jsonld))
        write_new(self.tmp / "id" / f"{e.id}.html", page)

    def source_page_file(self, s: Source) -> None:
        page = self.source_page.render(
            up="../", s=self.context().source(s),
            jsonld=_script(_schema_node(self.ds, self.voc, s, "Source")))
        write_new(self.tmp / "id" / f"{s.id}.html", page)

    def other_files(self, c: Compiled) -> None:
        """The other downloads, the dataset's metadata, the index, search and sitemap."""
        tmp, site_url = self.tmp, self.site_url
        downloads = [f for f in FORMATS.values() if f.in_build(c)]
        for f in downloads:
            if f.name not in FORMATS_WRITTEN:  # linked_files writes those
                write_chunks(tmp / f.file_name, f.chunks(c))
        dataset_node = _dataset_node(c, site_url, downloads)
        (tmp / "dataset-metadata.jsonld").write_text(
            json.dumps(dataset_node, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        index = self.context().index()
        (tmp / "search.json").write_text(json.dumps(
            [{"name": item["name"], "kind": k["kind"], "url": item["href"]}
             for k in index["kinds"] for item in k["members"]], ensure_ascii=False) + "\n",
            encoding="utf-8")
        page = self.env.get_template("index.html").render(
            up="", d=index, dataset=dataset_node, triples=len(c.graph.lines),
            downloads=downloads, jsonld=_script(dataset_node))
        (tmp / "index.html").write_text(page, encoding="utf-8")
        urls = [site_url + "index.html"] + [site_url + f"id/{i}.html" for i in self.records]
        (tmp / "sitemap.xml").write_text(
            self.env.get_template("sitemap.xml").render(urls=urls), encoding="utf-8")
