"""The site's per-record `.ttl` and `.jsonld` and its dumps, written from one pass over the
graph (`site.linked.LinkedData`), against the writers run on each record's subgraph worked
out here independently, on the showcase and the second dataset."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, REPO
from personkg import pipeline
from personkg.compile import CompiledGraph
from personkg.export.jsonld import jsonld_chunks, to_jsonld
from personkg.export.turtle import to_turtle, turtle_chunks
from personkg.namespaces import PKGP, PKGPQV, PKGPSV, PROV
from personkg.site.linked import LinkedData


@pytest.fixture(scope="module", params=["showcase", "second"])
def compiled(request):
    return pipeline.compiled(REPO / "data" if request.param == "showcase"
                             else FIXTURES / "second", shacl=False)


def _subgraph(triples: list[ox.Triple], iri: str) -> list[ox.Triple]:
    """What a record's files hold, by the rule written out: the record's triples; the
    statements it links to with `pkgp:P`; from any of these, the nodes linked with
    `prov:wasDerivedFrom` (references) and `pkgpsv:`/`pkgpqv:` (value nodes), and theirs."""
    def follows(s: str, p: str) -> bool:
        statement = p.startswith(str(PKGP)) and "/" not in p[len(str(PKGP)):]
        return ((s == iri and statement) or p == str(PROV.wasDerivedFrom)
                or p.startswith((str(PKGPSV), str(PKGPQV))))

    keep, grew = {iri}, True
    while grew:
        grew = False
        for t in triples:
            if (t.subject.value in keep and isinstance(t.object, ox.NamedNode)
                    and t.object.value not in keep and follows(t.subject.value,
                                                               t.predicate.value)):
                keep.add(t.object.value)
                grew = True
    return [t for t in triples if t.subject.value in keep]


def test_each_record_file_is_the_writers_output_on_its_subgraph(compiled):
    ds, voc, graph = compiled.dataset, compiled.voc, compiled.graph
    linked = LinkedData(graph, voc)
    triples = list(graph.triples)
    for rid in [*ds.entities, *ds.sources]:
        iri = ds.base + rid
        sub = CompiledGraph([str(t) for t in _subgraph(triples, iri)], base=ds.base)
        ttl, jsonld = linked.record_files(iri)
        assert ttl == to_turtle(sub), rid
        assert jsonld.decode("utf-8") == to_jsonld(sub, voc), rid


def test_a_record_file_holds_its_statements_references_and_value_nodes_only(compiled):
    """Read back as RDF: the subject's file has its own node, statement nodes, references
    and (for a dated fact) value nodes, and no triple about another record."""
    ds = compiled.dataset
    linked = LinkedData(compiled.graph, compiled.voc)
    subject = ds.base + ds.subject
    ttl, jsonld = linked.record_files(subject)
    got = {q.subject.value for q in ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)}
    from_jsonld = {q.subject.value for q in ox.parse(jsonld, format=ox.RdfFormat.JSON_LD)}
    assert got == from_jsonld
    assert subject in got
    for space in ("statement/", "reference/", "value/"):
        assert any(s.startswith(ds.base + space) for s in got), space
    records = {ds.base + rid for rid in [*ds.entities, *ds.sources]}
    assert got & records == {subject}


def test_the_dumps_are_the_exporters_bytes(compiled):
    linked = LinkedData(compiled.graph, compiled.voc)
    assert "".join(linked.ttl_chunks()) == "".join(turtle_chunks(compiled.graph))
    assert b"".join(linked.jsonld_chunks()) == b"".join(jsonld_chunks(compiled.graph,
                                                                      compiled.voc))


def test_an_empty_graph_and_an_unknown_record():
    from personkg.vocab import Vocabulary

    voc = Vocabulary.load()
    empty = CompiledGraph([], base="https://example.org/x/")
    linked = LinkedData(empty, voc)
    assert "".join(linked.ttl_chunks()) == to_turtle(empty)
    assert b"".join(linked.jsonld_chunks()).decode() == to_jsonld(empty, voc)
    ttl, jsonld = linked.record_files("https://example.org/x/nobody")
    assert ttl == to_turtle(empty)
    assert jsonld.decode() == to_jsonld(empty, voc)
