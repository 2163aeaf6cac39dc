"""A real Oxigraph server on 127.0.0.1: publish the embedded dataset, then query it remotely
as embedded (every named query on Oxigraph and Virtuoso: tests/test_virtuoso.py)."""

from __future__ import annotations

import json

import pytest
from servers import oxigraph_server

from conftest import REPO
from personkg.remote import DEFAULT_GRAPH


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="module")
def published(server):
    from personkg.cli import main

    try:
        main(["publish", "--data", str(REPO / "data"), "--endpoint", f"{server}/store"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    return server


def test_parameters_are_bound_the_same_way_remotely(run, published):
    args = ["--name", "affiliations-on-date", "--param", "date=2017-06-01", "--format", "csv"]
    embedded = run("query", "--data", str(REPO / "data"), *args)
    remote = run("query", *args, "--endpoint", f"{published}/query", "--graph", DEFAULT_GRAPH)
    assert remote.out == embedded.out
    assert "DeepMind" in remote.out and "OpenAI" not in remote.out


def test_two_hostile_values_bind_as_two_literals_remotely(run, published):
    # before, the second binding found its VALUES block inside the first value's literal
    # and the query sent to the server gained a SERVICE clause
    x, y = "VALUES ?y { '' }", "} SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } #"
    args = ["SELECT ?x ?y WHERE {\n}", "--param", f"x={x}", "--param", f"y={y}",
            "--format", "json"]
    remote = run("query", *args, "--endpoint", f"{published}/query")
    assert remote.code == 0, remote.err
    [row] = json.loads(remote.out)["results"]["bindings"]
    assert (row["x"]["value"], row["y"]["value"]) == (x, y)


def test_publishing_twice_replaces_the_graph(run, published):
    count = ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    before = run("query", count, "--format", "csv", "--endpoint", f"{published}/query",
                 "--graph", DEFAULT_GRAPH)
    again = run("publish", "--data", str(REPO / "data"), "--endpoint", f"{published}/store")
    assert again.code == 0 and "published" in again.out
    after = run("query", count, "--format", "csv", "--endpoint", f"{published}/query",
                "--graph", DEFAULT_GRAPH)
    triples = int(before.out.splitlines()[1])
    assert after.out == before.out
    exported = run("export", "--data", str(REPO / "data"), "--format", "ntriples").out
    assert triples == len(exported.splitlines())


def test_ask_construct_and_json_remotely(run, published):
    ep = ["--endpoint", f"{published}/query", "--graph", DEFAULT_GRAPH]
    ask = run("query", "ASK { id:jan-leike pkgd:employer id:openai }", *ep)
    assert ask.out == "true\n"
    ask_json = run("query", "ASK { id:jan-leike pkgd:employer id:tesla }", *ep, "--format", "json")
    assert json.loads(ask_json.out) == {"head": {}, "boolean": False}
    construct = ("CONSTRUCT { id:jan-leike pkgd:employer ?o } "
                 "WHERE { id:jan-leike pkgd:employer ?o }")
    turtle = run("query", construct, *ep)
    embedded = run("query", construct, "--data", str(REPO / "data"))
    assert turtle.out == embedded.out and "id:deepmind" in turtle.out
    jsonld = json.loads(run("query", construct, *ep, "--format", "jsonld").out)
    assert any(n.get("@id") == "id:jan-leike" for n in jsonld["@graph"])
    select = run("query", "SELECT ?o WHERE { id:jan-leike pkgd:employer ?o } ORDER BY ?o",
                 *ep, "--format", "json")
    bindings = json.loads(select.out)["results"]["bindings"]
    assert {b["o"]["value"].rsplit("/", 1)[-1] for b in bindings} >= {"deepmind", "openai"}


def test_a_format_that_does_not_fit_the_query_is_refused_remotely(run, published):
    ep = ["--endpoint", f"{published}/query", "--graph", DEFAULT_GRAPH]
    select = run("query", "SELECT ?o WHERE { id:jan-leike pkgd:employer ?o }", *ep,
                 "--format", "turtle")
    construct = run("query", "CONSTRUCT { ?s a pkg:Person } WHERE { ?s a pkg:Person }", *ep,
                    "--format", "csv")
    for result, said in ((select, "gives solutions"), (construct, "gives triples")):
        assert result.code == 2 and result.out == "", result.out
        assert result.err.count("\n") == 1 and said in result.err and "[--format]" in result.err


def test_syntax_error_from_the_server_names_the_users_line(run, published):
    result = run("query", "SELECT ?x WHERE {\n  ?x ?y \n}", "--endpoint", f"{published}/query")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "syntax error" in result.err and "line 3" in result.err, result.err


def test_publish_refused_by_the_server_is_one_line(run, published):
    result = run("publish", "--data", str(REPO / "data"), "--endpoint", f"{published}/nowhere")
    assert result.code == 2 and result.err.count("\n") == 1 and "HTTP 404" in result.err


def test_describe_gives_the_same_graph_remotely(run, published):
    ep = ["--endpoint", f"{published}/query", "--graph", DEFAULT_GRAPH]
    remote = run("query", "DESCRIBE id:openai-superalignment", *ep)
    embedded = run("query", "DESCRIBE id:openai-superalignment", "--data", str(REPO / "data"))
    assert remote.code == 0 and remote.out == embedded.out
    assert "pkgd:dissolved" in remote.out
