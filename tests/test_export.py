"""Exports: byte-identical across runs and processes, and they parse back to the same graph."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import REPO, run_process
from personkg.export import FORMATS, GRAPH_FORMATS, Compiled
from personkg.pipeline import check_dataset as check

DATA = REPO / "data"


@pytest.fixture(scope="module")
def checked(voc):
    result = check(DATA, voc, shacl=False)
    assert result.report.conforms(), result.report.sorted()
    return result


@pytest.fixture(scope="module")
def compiled(checked):
    return checked.graph


def export(fmt, graph, checked, voc):
    """The text of a graph format for `graph`."""
    return FORMATS[fmt].text(Compiled(checked.dataset, graph, voc))


def test_turtle_is_byte_identical_across_processes(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    for out in (a, b):
        result = run_process("export", "--data", str(DATA), "--format", "turtle", "-o", str(out))
        assert result.code == 0, result.err
    assert a.read_bytes() == b.read_bytes()
    assert a.stat().st_size > 1000


def test_record_order_does_not_change_output(compiled, checked, voc):
    from personkg.compile import CompiledGraph

    shuffled = CompiledGraph(list(reversed(compiled.lines)), compiled.locations)
    for fmt in GRAPH_FORMATS:
        assert export(fmt, shuffled, checked, voc) == export(fmt, compiled, checked, voc), fmt


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"),
                                               ("jsonld", "json-ld")])
def test_export_parses_back_to_the_compiled_graph(compiled, checked, voc, fmt, rdflib_format):
    reference = Graph().parse(data=compiled.ntriples(), format="nt")
    text = export(fmt, compiled, checked, voc)
    parsed = Graph().parse(data=text, format=rdflib_format)
    assert len(parsed) == len(reference)
    assert isomorphic(parsed, reference)


def test_jsonld_context_is_inline_and_uses_the_project_prefixes(compiled, checked, voc):
    doc = json.loads(export("jsonld", compiled, checked, voc))
    ctx = doc["@context"]
    assert isinstance(ctx, dict)  # nothing remote to fetch
    assert ctx["pkgd"] == "https://w3id.org/personkg/prop/direct/"
    assert ctx["Person"] == "pkg:Person"
    person = next(n for n in doc["@graph"] if n["@id"] == "id:jan-leike")
    assert "Person" in person["@type"]


def test_every_statement_has_a_reference(compiled, checked, voc):
    g = Graph().parse(data=export("turtle", compiled, checked, voc), format="turtle")
    rows = list(g.query("""
        PREFIX pkg: <https://w3id.org/personkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT (COUNT(DISTINCT ?s) AS ?all) (COUNT(DISTINCT ?r) AS ?referenced) WHERE {
            ?s a pkg:Statement .
            OPTIONAL { ?s prov:wasDerivedFrom ?ref . ?ref a pkg:Reference .
                       BIND (?s AS ?r) }
        }"""))
    total, referenced = (int(v) for v in rows[0])
    assert total > 50
    assert referenced == total


def test_build_writes_every_export(run, tmp_path):
    out = tmp_path / "site"
    result = run("build", "--data", str(DATA), "--out", str(out))
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == [
        ".personkg-output", "dataset.jsonld", "dataset.nt", "dataset.ttl",
        "person.schemaorg.jsonld", "quickstatements.csv", "quickstatements.txt", "validation.json",
        "works.bib", "works.csl.json"]
    assert json.loads((out / "validation.json").read_text())["conforms"] is True
    # each file is what `personkg export` prints for its format
    for name, fmt in [("dataset.ttl", "turtle"), ("quickstatements.txt", "quickstatements"),
                      ("quickstatements.csv", "qs-csv"), ("person.schemaorg.jsonld", "schemaorg")]:
        exported = run("export", "--data", str(DATA), "--format", fmt)
        assert exported.code == 0, exported.err
        assert (out / name).read_text(encoding="utf-8") == exported.out, name
