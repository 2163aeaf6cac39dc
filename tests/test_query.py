"""`personkg query` on the embedded store: inline, by file, by name; formats; errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import FIXTURES, REPO


def test_select_table_on_the_mini_dataset(run, mini):
    result = run("query", "--data", str(mini),
                 "SELECT ?p ?name WHERE { ?p a pkg:Person ; rdfs:label ?name } ORDER BY ?name")
    assert result.code == 0, result.err
    assert result.out == (
        "p               name\n"
        "--------------  -----------\n"
        "id:ada-example  Ada Example\n"
        "id:bob-example  Bob Example\n"
        "(2 rows)\n")


def test_truthy_values_skip_deprecated_statements(run, mini):
    result = run("query", "--data", str(mini), "--format", "csv",
                 "SELECT ?start WHERE { id:ada-example pkgp:employer ?s . ?s a pkg:BestRank ; "
                 "pkgpq:start ?start }")
    rows = list(csv.reader(io.StringIO(result.out)))
    # the deprecated 2017 claim is not best rank (a date is an xsd:dateTime at its start)
    assert rows == [["start"], ["2016-01-01T00:00:00Z"]]


def test_json_results_and_ask(run, mini):
    result = run("query", "--data", str(mini), "--format", "json",
                 "SELECT ?o WHERE { id:example-paper pkgd:author ?o } ORDER BY ?o")
    doc = json.loads(result.out)
    assert [b["o"]["value"] for b in doc["results"]["bindings"]] == [
        "https://w3id.org/personkg/id/ada-example", "https://w3id.org/personkg/id/bob-example"]
    assert run("query", "--data", str(mini), "ASK { id:acme a pkg:Company }").out == "true\n"


def test_named_query_career_on_the_embedded_dataset(run):
    result = run("query", "--name", "career", "--data", str(REPO / "data"), "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    deepmind = [r for r in rows if r["organization"] == "DeepMind"]
    # 2016, not the seed's deprecated 2017; the agent alignment team lead role has no dates
    assert sorted(r["start"] for r in deepmind) == ["", "2016"]


def test_list_shows_titles(run):
    result = run("query", "--list")
    lines = {line.split()[0]: line for line in result.out.splitlines()}
    assert "Career timeline: every employment" in lines["career"]
    assert "Quotations and how far each was checked" in lines["quotations"]


def test_syntax_error_names_line_and_column(run, mini):
    result = run("query", "--data", str(mini), "SELECT ?p WHERE { ?p a }")
    assert result.code == 1
    assert result.err.startswith("personkg: query: SPARQL syntax error: error at line 1, column")


def test_query_needs_exactly_one_source_of_text(run):
    assert run("query").code == 2
    assert run("query", "--name", "nope").code == 2


def test_construct_returns_turtle_with_the_project_prefixes(run, mini):
    result = run("query", "--data", str(mini),
                 "CONSTRUCT { ?s a pkg:Company } WHERE { ?s a pkg:Company }")
    assert result.code == 0, result.err
    assert result.out.endswith("\nid:acme\n    a pkg:Company .\n")


@pytest.mark.parametrize("data", [REPO / "data", FIXTURES / "second"], ids=["showcase", "second"])
def test_a_format_that_does_not_fit_the_query_is_refused(run, data):
    """Turtle or JSON-LD of a SELECT, or CSV of a CONSTRUCT, cannot be given: one line,
    exit 2, nothing on standard output (before, the table or the Turtle came instead)."""
    select = "SELECT ?s WHERE { ?s a pkg:Person }"
    construct = "CONSTRUCT { ?s a pkg:Person } WHERE { ?s a pkg:Person }"
    for query, fmt, said in ((select, "turtle", "gives solutions or true or false, not triples"),
                             (select, "jsonld", "gives solutions or true or false, not triples"),
                             ("ASK { ?s a pkg:Person }", "turtle", "gives solutions"),
                             (construct, "csv", "gives triples"),
                             (construct, "tsv", "gives triples")):
        result = run("query", "--data", str(data), "--format", fmt, query)
        assert result.code == 2 and result.out == "", (fmt, result.out)
        assert result.err.count("\n") == 1 and said in result.err, result.err
    for query, fmt in ((select, "table"), (select, "csv"), (construct, "table"),
                       (construct, "turtle"), (construct, "json")):  # what fits still runs
        assert run("query", "--data", str(data), "--format", fmt, query).code == 0, fmt
