"""`personkg validate --endpoint`: the fast engine's SHACL queries run by a real Oxigraph
server on 127.0.0.1, on graphs published there; the results are those of the embedded run,
result for result."""

from __future__ import annotations

import json

import pytest
from servers import oxigraph_server

from conftest import REPO, generate
from personkg import pipeline
from personkg.checks.shacl import shacl_results
from personkg.remote import DEFAULT_GRAPH, Endpoint

SECOND = REPO / "tests" / "fixtures" / "second"
NAMED = "https://example.org/graphs/checked"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """30 generated people without defects, and the same with defects in 5% of them."""
    out = {}
    for defects in ("0", "0.05"):
        out[defects] = generate(tmp_path_factory.mktemp(f"generated-{defects}"), 30, defects)
    return out


def _put(server: str, data, graph: str | None) -> set[tuple[str, ...]]:
    """Publish the compiled graph of `data` (SHACL not required: the records layers are)
    and return the embedded run's SHACL results on it."""
    root = pipeline._folder(data)
    voc = pipeline.vocabulary(root)
    c = pipeline.compiled(root, shacl=False)
    Endpoint(f"{server}/store").put_graph(c.graph.ntriples(), graph)
    return {(r.code, r.focus.value, "" if r.value is None else str(r.value),
             "" if r.path is None else r.path.value, r.severity)
            for r in shacl_results(c.graph, voc)}


def _remote(run, server: str, *args: str) -> tuple[int, dict, set[tuple[str, ...]]]:
    result = run("validate", "--endpoint", f"{server}/query", "--format", "json", *args)
    assert "Traceback" not in result.err
    report = json.loads(result.out)
    found = {(i["code"], i["focus"], i["value"], i["result_path"], i["severity"])
             for i in report["issues"]}
    return result.code, report, found


def test_a_clean_generated_graph_conforms(run, server, generated):
    expected = _put(server, generated["0"], None)
    code, report, found = _remote(run, server)
    assert found == expected
    assert code == 0 and report["conforms"]
    assert report["triples"] > 1000 and "did not run" in report["note"]


def test_generated_defects_are_found_as_embedded(run, server, generated):
    expected = _put(server, generated["0.05"], NAMED)
    assert any(sev == "error" for *_, sev in expected)
    code, report, found = _remote(run, server, "--graph", NAMED)
    assert code == 1 and not report["conforms"]
    assert sorted(found) == sorted(expected)


def test_an_injected_defect_is_found(run, server, generated):
    graph = "https://example.org/graphs/injected"
    _put(server, generated["0"], graph)
    # take the rank off one statement: `statement-rank`
    rank = "<https://w3id.org/personkg/ontology#rank>"
    update = (f"DELETE {{ GRAPH <{graph}> {{ ?s {rank} ?r }} }} WHERE {{ {{ SELECT ?s ?r "
              f"WHERE {{ GRAPH <{graph}> {{ ?s {rank} ?r }} }} ORDER BY ?s LIMIT 1 }} }}")
    import urllib.parse
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(
        f"{server}/update", data=urllib.parse.urlencode({"update": update}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"}), timeout=30).read()
    code, report, found = _remote(run, server, "--graph", graph)
    assert code == 1
    assert [i["code"] for i in report["issues"] if i["severity"] == "error"] == ["statement-rank"]
    text = run("validate", "--endpoint", f"{server}/query", "--graph", graph)
    assert text.code == 1
    assert text.out.startswith("note: SHACL only")
    assert "error statement-rank:" in text.out
    assert f"triples at {server}/query <{graph}>, 1 error" in text.out
    github = run("validate", "--endpoint", f"{server}/query", "--graph", graph,
                 "--format", "github")
    assert github.code == 1
    assert "::error title=statement-rank::https://" in github.out
    assert "file=" not in github.out


@pytest.mark.parametrize("graph", [None, DEFAULT_GRAPH])
def test_the_showcase_gives_the_embedded_results(run, server, graph):
    expected = _put(server, REPO / "data", graph)
    code, report, found = _remote(run, server, *(["--graph", graph] if graph else []))
    assert sorted(found) == sorted(expected)
    assert code == (1 if any(sev == "error" for *_, sev in expected) else 0)


@pytest.mark.parametrize("graph", [None, NAMED])
def test_the_second_dataset_gives_the_embedded_results(run, server, graph):
    expected = _put(server, SECOND, graph)
    code, report, found = _remote(run, server, "--ontology", str(SECOND / "ontology.ttl"),
                                  *(["--graph", graph] if graph else []))
    assert sorted(found) == sorted(expected)


def test_an_unreachable_server_is_one_line(run):
    from servers import free_port

    result = run("validate", "--endpoint", f"http://127.0.0.1:{free_port()}/query",
                 "--retries", "0", "--timeout", "5")
    assert result.code == 2
    assert result.err.startswith("personkg: ") and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_not_a_sparql_answer_is_one_line(run, server):
    result = run("validate", "--endpoint", f"{server}/", "--retries", "0")
    assert result.code == 2
    assert result.err.startswith("personkg: ") and "Traceback" not in result.err


@pytest.mark.parametrize("args, words", [
    (["--data", str(REPO / "data")], "not both"),
    (["--engine", "pyshacl"], "pySHACL cannot"),
])
def test_what_cannot_go_with_endpoint_is_refused(run, args, words):
    result = run("validate", "--endpoint", "http://127.0.0.1:9/query", *args)
    assert result.code == 2 and words in result.err


def test_graph_needs_endpoint(run):
    result = run("validate", "--graph", NAMED)
    assert result.code == 2 and "need --endpoint" in result.err

