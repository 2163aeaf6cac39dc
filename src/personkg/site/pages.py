"""`personkg site`: a static linked-data site, readable from the file system or any host.

Entity `<base><id>` is the page `id/<id>.html`, with `id/<id>.ttl` and
`id/<id>.jsonld` beside it (its own statements and their references). The index lists every
entity; `dataset.ttl`, `dataset.nt` and `dataset.jsonld` are the full dump;
`dataset-metadata.jsonld` and the index describe the dataset (schema.org `Dataset`: licence,
version, triple count); `sitemap.xml` lists every page under the site URL (`site_url:` in
dataset.yaml, or derived from the base).

Every text is HTML-escaped; JSON-LD inside `<script>` is raw JSON with `<`, `>` and `&`
written as \\u escapes. Pages are built one entity at a time (no JSON-LD processing of the
whole graph).
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from ..compile import CompiledGraph, best_claims
from ..export import FORMATS, Compiled
from ..export.jsonld import to_jsonld
from ..export.schemaorg import CONTEXT, default_entity, profile_page, schema_type, script_json
from ..export.turtle import to_turtle
from ..model import Claim, Dataset, Date, Entity, Text
from ..namespaces import PKGP, PKGPQV, PKGPSV, PROV, WIKIDATA_PAGE
from ..output import write_chunks, write_dir
from ..vocab import Vocabulary
from .sections import Context
from .timeline import timeline_svg

__all__ = ["build_site"]

CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} .kind{color:#666;margin-top:0} a{color:#0645ad}
table{border-collapse:collapse;width:100%} td,th{border-top:1px solid #ddd;padding:.35rem;
text-align:left;vertical-align:top} th{width:14rem;font-weight:600}
.q{color:#555;font-size:.9em} sup a{text-decoration:none} .deprecated{color:#8a1f11}
.refs li{margin-bottom:.4rem} nav{margin-bottom:1rem}
svg text{font:12px system-ui,sans-serif} .byline{font-size:1.05em}
.trust{font-size:.8em;border-radius:.3em;padding:0 .3em;background:#eee}
.trust-low,.trust-very-low{background:#fde2e1;color:#8a1f11} .trust-high{background:#e3f4e1}
.flag{font-size:.8em;color:#8a1f11;border:1px solid #e0a9a3;border-radius:.3em;padding:0 .3em}
.pubs li{margin-bottom:.5rem}
@media (max-width:600px){th,td{display:block;width:auto}th{border-top:1px solid #ddd}
td{border-top:0} body{margin:1rem auto}}
""".strip()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _value_text(v: object) -> str:
    return v.text if isinstance(v, (Date, Text)) else str(v)


def _page(title: str, body: str, jsonld: dict | None, depth: int) -> str:
    up = "../" * depth
    script = (f'<script type="application/ld+json">\n{script_json(jsonld)}\n</script>\n'
              if jsonld else "")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<style>{CSS}</style>\n{script}</head>\n<body>\n"
            f"<nav><a href=\"{up}index.html\">index</a></nav>\n{body}\n</body>\n</html>\n")


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


def _claim_row(ds: Dataset, voc: Vocabulary, c: Claim, cite: dict[str, list[tuple[str, str]]]
               ) -> str:
    v = c.value
    if voc.claims[c.property].is_item and str(v) in ds.entities:
        target = ds.entities[str(v)]
        shown = f'<a href="{_e(target.id)}.html">{_e(target.name)}</a>'
    elif isinstance(v, str) and v.startswith(("http://", "https://")):
        shown = f'<a href="{_e(v)}">{_e(v)}</a>'
    else:
        shown = _e(_value_text(v))
    quals = []
    for k, q in c.qualifiers.items():
        label = voc.qualifiers[k].label
        if voc.qualifiers[k].is_item and str(q) in ds.entities:
            q_shown = f'<a href="{_e(str(q))}.html">{_e(ds.entities[str(q)].name)}</a>'
        else:
            q_shown = _e(_value_text(q))
        quals.append(f"{_e(label)}: {q_shown}")
    refs: list[str] = []
    numbers: list[int] = []
    for r in c.references:  # one note per source, with every passage quoted from it
        passages = cite.setdefault(r.source, [])
        if (r.quote or "", r.url or "") not in passages and (r.quote or r.url):
            passages.append((r.quote or "", r.url or ""))
        n = list(cite).index(r.source) + 1
        if n not in numbers:
            numbers.append(n)
            refs.append(f'<a href="#ref-{n}">[{n}]</a>')
    trusted = [ds.sources[r.source].trust not in voc.low_trust
               for r in c.references if r.source in ds.sources]
    if c.rank != "deprecated" and not any(trusted):
        refs.append(' <span class="flag">only low-trust sources</span>')
    extra = []
    if quals:
        extra.append(f'<div class="q">{"; ".join(quals)}</div>')
    if c.note:
        extra.append(f'<div class="q">Note: {_e(c.note)}</div>')
    if c.alternative:
        extra.append('<div class="q">Sources disagree; this is one of the values given.</div>')
    if c.rank == "deprecated":
        extra.append(f'<div class="q deprecated">Deprecated: {_e(c.reason or "")}</div>')
    return f"{shown} <sup>{''.join(refs)}</sup>{''.join(extra)}"


def _entity_body(ctx: Context, e: Entity, svg: str) -> str:
    ds, voc = ctx.ds, ctx.voc
    cite: dict[str, list[tuple[str, str]]] = {}
    cls = voc.classes.get(e.type)
    parts = [f"<h1>{_e(e.name)}</h1>",
             f'<p class="kind">{_e(cls.label if cls else e.type)}'
             f' · <a href="{_e(e.id)}.ttl">Turtle</a> · <a href="{_e(e.id)}.jsonld">JSON-LD</a>'
             + (f' · <a href="{_e(WIKIDATA_PAGE.format(e.wikidata))}">Wikidata</a>'
                if e.wikidata else "") + "</p>"]
    byline = ctx.author_line(e.id)
    if byline:
        parts.append(f'<p class="byline">{byline}</p>')
    if e.description:
        parts.append(f"<p>{_e(e.description)}</p>")
    if svg:
        parts.append(f"<h2>Career timeline</h2>\n{svg}")
    parts.append(ctx.publications(e.id))
    best = best_claims(e.claims)
    rows: dict[str, list[str]] = defaultdict(list)
    deprecated = []
    for i, c in enumerate(e.claims):
        if c.rank == "deprecated":
            deprecated.append(c)
        elif i in best or c.rank == "normal":
            rows[c.property].append(_claim_row(ds, voc, c, cite))
    if rows:
        parts.append("<h2>Facts</h2>\n<table>")
        for key, cells in rows.items():
            parts.append(f"<tr><th>{_e(voc.claims[key].label)}</th><td>"
                         + "<br>".join(cells) + "</td></tr>")
        parts.append("</table>")
    if deprecated:
        parts.append("<h2>Claims a better source contradicts</h2>\n<table>")
        for c in deprecated:
            parts.append(f'<tr class="deprecated"><th>{_e(voc.claims[c.property].label)}</th>'
                         f"<td>{_claim_row(ds, voc, c, cite)}</td></tr>")
        parts.append("</table>")
    parts.append(ctx.linked_from(e.id))
    if cite:
        parts.append('<h2>Sources</h2>\n<ol class="refs">')
        for n, (source_id, passages) in enumerate(cite.items(), 1):
            f = ds.sources[source_id].fields
            link = f.get("url")
            title = _e(f.get("title", source_id))
            title = f'<a href="{_e(link)}">{title}</a>' if link else title
            meta = ", ".join(_e(_value_text(f[k])) for k in ("publisher", "date_published")
                             if f.get(k))
            trust = str(f.get("trust", "?"))
            words = "".join(f"<br><q>{_e(q)}</q>" if q else "" for q, _ in passages)
            words += "".join(f'<br><a href="{_e(u)}">{_e(u)}</a>' for _, u in passages if u)
            parts.append(f'<li id="ref-{n}">{title}{", " + meta if meta else ""} '
                         f'<span class="trust trust-{_e(trust)}">trust: {_e(trust)}</span>'
                         f"{words}</li>")
        parts.append("</ol>")
    return "\n".join(p for p in parts if p)


def _schema_node(ds: Dataset, voc: Vocabulary, e: Entity) -> dict:
    node: dict[str, object] = {"@context": CONTEXT, "@type": schema_type(voc, e.type),
                               "@id": ds.base + e.id, "name": e.name}
    if e.description:
        node["description"] = e.description
    return node


def build_site(c: Compiled, out: Path, site_url: str | None = None) -> int:
    """Write the site into `out` (replaced only once complete); returns the page count."""
    ds, voc, graph = c.dataset, c.voc, c.graph
    downloads = [f for f in FORMATS.values() if f.in_build(c)]
    site_url = (site_url or ds.site_url).rstrip("/") + "/"
    person_id = default_entity(ds)
    entities = sorted(ds.entities.values(), key=lambda e: e.id)

    ctx = Context.of(ds, voc)
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in graph.triples:
        if isinstance(t.subject, ox.NamedNode):  # the compiler mints no blank node
            by_subject[t.subject.value].append(t)

    def fill(tmp: Path) -> None:
        (tmp / "id").mkdir()
        for e in entities:
            sub = CompiledGraph([str(t) for t in _entity_triples(by_subject, ds.base + e.id)],
                                base=ds.base)
            (tmp / "id" / f"{e.id}.ttl").write_text(to_turtle(sub), encoding="utf-8")
            (tmp / "id" / f"{e.id}.jsonld").write_text(to_jsonld(sub, voc), encoding="utf-8")
            if e.type == "Person":
                jsonld = profile_page(ds, voc, e.id)
                svg = timeline_svg(ds, voc, e)
            else:
                jsonld, svg = _schema_node(ds, voc, e), ""
            page = _page(e.name, _entity_body(ctx, e, svg), jsonld, depth=1)
            (tmp / "id" / f"{e.id}.html").write_text(page, encoding="utf-8")
        for f in downloads:
            write_chunks(tmp / f.file_name, f.chunks(c))
        meta = ds.metadata
        dataset_node = {
            "@context": CONTEXT, "@type": "Dataset", "@id": site_url + "#dataset",
            "name": str(meta.get("title", "personkg dataset")),
            "description": str(meta.get("description", "")),
            "license": str(meta.get("license", "")), "version": str(meta.get("version", "")),
            "size": f"{len(graph.lines)} triples",
            "distribution": [
                {"@type": "DataDownload", "encodingFormat": f.media_type,
                 "contentUrl": site_url + f.file_name, "description": f.description}
                for f in downloads],
        }
        (tmp / "dataset-metadata.jsonld").write_text(
            json.dumps(dataset_node, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        groups: dict[str, list[Entity]] = defaultdict(list)
        for e in entities:
            cls = voc.classes.get(e.type)
            groups[cls.label if cls else e.type].append(e)
        body = [f"<h1>{_e(dataset_node['name'])}</h1>",
                f"<p>{_e(dataset_node['description'])}</p>",
                f'<p>Start with <a href="id/{_e(person_id)}.html">'
                f"{_e(ds.entities[person_id].name)}</a>. {len(graph.lines)} triples · "
                f"version {_e(dataset_node['version'])} · "
                f'<a href="{_e(dataset_node["license"])}">licence</a> · downloads: '
                + ", ".join(f'<a href="{_e(f.file_name)}" title="{_e(f.description)}">'
                          f"{_e(f.label)}</a>" for f in downloads) + "</p>"]
        for label in sorted(groups):
            body.append(f"<h2>{_e(label)} ({len(groups[label])})</h2>\n<ul>")
            body += [f'<li><a href="id/{_e(e.id)}.html">{_e(e.name)}</a></li>'
                     for e in groups[label]]
            body.append("</ul>")
        index = _page(str(dataset_node["name"]), "\n".join(body), dataset_node, depth=0)
        (tmp / "index.html").write_text(index.replace('<nav><a href="index.html">index</a>'
                                                      "</nav>\n", ""), encoding="utf-8")
        urls = [site_url + "index.html"] + [site_url + f"id/{e.id}.html" for e in entities]
        (tmp / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(f"  <url><loc>{_e(u)}</loc></url>\n" for u in urls) + "</urlset>\n",
            encoding="utf-8")

    write_dir(out, fill, protect=[ds.root])
    return len(entities) + 1
