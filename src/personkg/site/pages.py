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

import json
import multiprocessing
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .. import runtime
from ..compile import CompiledGraph
from ..errors import RunError
from ..export import FORMATS, Compiled
from ..export.jsonld import to_jsonld
from ..export.schemaorg import CONTEXT, profile_page, schema_type, script_json
from ..export.turtle import Compactor, to_turtle
from ..model import Dataset, Entity, Source
from ..namespaces import PKGP, PKGPQV, PKGPSV, PROV, prefixes
from ..output import write_chunks, write_dir
from ..vocab import Vocabulary
from .sections import Context
from .timeline import timeline_svg

__all__ = ["build_site", "environment"]

_HERE = Path(__file__).parent
STATIC = ("site.css", "search.js")  # copied from static/ to the site's root


def environment() -> Environment:
    """The templates of `templates/`, with autoescape on for every file."""
    return Environment(loader=FileSystemLoader(_HERE / "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


_VALUE_NODES = (str(PKGPSV), str(PKGPQV))


def _entity_triples(by_subject: dict[str, list[ox.Triple]], iri: str) -> list[ox.Triple]:
    """The entity's own triples, its statements', their references' and their dates' full
    value nodes (`by_subject`: the compiled graph's triples indexed by subject IRI, built
    once for the whole site)."""
    out, seen, todo = [], set(), [iri]
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for t in by_subject.get(s, []):
            out.append(t)
            o = t.object
            pred = t.predicate.value
            is_statement = (s == iri and pred.startswith(str(PKGP))
                            and "/" not in pred[len(str(PKGP)):])
            if isinstance(o, ox.NamedNode) and (is_statement or pred == str(PROV.wasDerivedFrom)
                                                or pred.startswith(_VALUE_NODES)):
                todo.append(o.value)
    return out


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


#: Records from which a forked process writes half of the pages (a page costs about 10 ms;
#: a fork, about as much as 5 pages, and the pages are most of a large site's time).
MIN_PAGES = 500


def in_two(work: Callable[[int, int], None], large: bool) -> None:
    """`work(part, parts)` for every part: on two cores and a large site, part 1 of 2 in a
    forked process (it shares what was built, copy-on-write, and writes its own files) while
    this one does part 0; its failure is raised here as one line. Else `work(0, 1)`."""
    if not (large and runtime.can_fork()):
        work(0, 1)
        return
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)

    def child() -> None:
        try:
            work(1, 2)
            send.send(None)
        except BaseException as exc:  # noqa: BLE001 - said to the parent, which raises it
            send.send(f"{type(exc).__name__}: {exc}")

    proc = fork.Process(target=child, daemon=True)
    proc.start()
    try:
        work(0, 2)
    finally:
        proc.join()
    failure = receive.recv() if receive.poll() else "it stopped without an answer"
    if failure is not None or proc.exitcode != 0:
        raise RunError(f"writing the site's pages failed in the second process: {failure}")


def build_site(c: Compiled, out: Path, site_url: str | None = None) -> int:
    """Write the site into `out` (replaced only once complete); returns the page count."""
    ds, voc, graph = c.dataset, c.voc, c.graph
    downloads = [f for f in FORMATS.values() if f.in_build(c)]
    site_url = (site_url or ds.site_url).rstrip("/") + "/"
    entities = sorted(ds.entities.values(), key=lambda e: e.id)
    sources = sorted(ds.sources.values(), key=lambda s: s.id)

    env = environment()
    entity_page, source_page = env.get_template("entity.html"), env.get_template("source.html")
    ctx = Context.of(ds, voc)
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in graph.triples:
        if isinstance(t.subject, ox.NamedNode):  # the compiler mints no blank node
            by_subject[t.subject.value].append(t)

    compactor = Compactor(prefixes(ds.base))  # one for every page: each IRI compacted once

    def linked_data(tmp: Path, record_id: str) -> None:
        sub = CompiledGraph([str(t) for t in _entity_triples(by_subject, ds.base + record_id)],
                            base=ds.base)
        (tmp / "id" / f"{record_id}.ttl").write_text(to_turtle(sub, compactor=compactor),
                                                     encoding="utf-8")
        (tmp / "id" / f"{record_id}.jsonld").write_text(to_jsonld(sub, voc, compactor),
                                                        encoding="utf-8")

    def entity_files(tmp: Path, e: Entity) -> None:
        linked_data(tmp, e.id)
        if e.type == "Person":
            jsonld = profile_page(ds, voc, e.id)
            svg = Markup(timeline_svg(ds, voc, e))  # built from escaped parts
        else:
            jsonld, svg = _schema_node(ds, voc, e, e.type), Markup("")
        page = entity_page.render(up="../", e=ctx.entity(e), timeline=svg,
                                  jsonld=_script(jsonld))
        (tmp / "id" / f"{e.id}.html").write_text(page, encoding="utf-8")

    def source_files(tmp: Path, s: Source) -> None:
        linked_data(tmp, s.id)
        page = source_page.render(up="../", s=ctx.source(s),
                                  jsonld=_script(_schema_node(ds, voc, s, "Source")))
        (tmp / "id" / f"{s.id}.html").write_text(page, encoding="utf-8")

    def record_files(tmp: Path, part: int, parts: int) -> None:
        for e in entities[part::parts]:
            entity_files(tmp, e)
        for s in sources[part::parts]:
            source_files(tmp, s)

    def fill(tmp: Path) -> None:
        (tmp / "id").mkdir()
        for name in STATIC:
            shutil.copyfile(_HERE / "static" / name, tmp / name)
        in_two(lambda part, parts: record_files(tmp, part, parts),
               len(entities) + len(sources) >= MIN_PAGES)
        for f in downloads:
            write_chunks(tmp / f.file_name, f.chunks(c))
        dataset_node = _dataset_node(c, site_url, downloads)
        (tmp / "dataset-metadata.jsonld").write_text(
            json.dumps(dataset_node, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        index = ctx.index()
        (tmp / "search.json").write_text(json.dumps(
            [{"name": item["name"], "kind": k["kind"], "url": item["href"]}
             for k in index["kinds"] for item in k["members"]], ensure_ascii=False) + "\n",
            encoding="utf-8")
        page = env.get_template("index.html").render(
            up="", d=index, dataset=dataset_node, triples=len(graph.lines),
            downloads=downloads, jsonld=_script(dataset_node))
        (tmp / "index.html").write_text(page, encoding="utf-8")
        ids = [e.id for e in entities] + [s.id for s in sources]
        urls = [site_url + "index.html"] + [site_url + f"id/{i}.html" for i in ids]
        (tmp / "sitemap.xml").write_text(
            env.get_template("sitemap.xml").render(urls=urls), encoding="utf-8")

    write_dir(out, fill, protect=[ds.root])
    return len(entities) + len(sources) + 1
