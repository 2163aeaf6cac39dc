"""A real Virtuoso (Debian's virtuoso-opensource, installed by `make test`) on 127.0.0.1 with
a scratch database: every named query gives the embedded rows on it, for the showcase
dataset and the second one, each in its own named graph; `publish` as the README says
(digest authentication), and what the stock endpoint refuses, in one line."""

from __future__ import annotations

import contextlib
import csv
import io
import shlex

import pytest
from servers import VIRTUOSO_USER, virtuoso_server

from conftest import FIXTURES, REPO
from personkg.query import named_queries
from personkg.remote import DEFAULT_GRAPH

SHOWCASE = str(REPO / "data")
SECOND = str(FIXTURES / "second")
SECOND_GRAPH = "https://example.org/kg/graph"
DATASETS = {"showcase": (SHOWCASE, DEFAULT_GRAPH), "second": (SECOND, SECOND_GRAPH)}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="module")
def loaded(virtuoso):
    """Both datasets on the server, each in its graph, loaded with isql."""
    from personkg.cli import main

    for data, graph in DATASETS.values():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                main(["export", "--data", data, "--format", "ntriples"])
            except SystemExit as exc:
                assert exc.code in (0, None)
        virtuoso.load(graph, out.getvalue().encode("utf-8"))
    return f"{virtuoso.base}/sparql"


def _lines(text: str) -> list[tuple[str, ...]]:
    """Rows as a sorted list; within a cell, GROUP_CONCAT parts are sorted too (SPARQL leaves
    the order of an aggregate's inputs, like the order of unordered rows, to the engine)."""
    head, *rows = list(csv.reader(io.StringIO(text)))
    norm = [tuple(" | ".join(sorted(", ".join(sorted(p.split(", "))) for p in cell.split(" | ")))
                  for cell in row) for row in rows]
    return [tuple(head), *sorted(norm)]


def _same_rows(run, sparql: str, name: str, dataset: str, *params: str) -> str:
    data, graph = DATASETS[dataset]
    args = ["--name", name, "--format", "csv", "--data", data]
    for p in params:
        args += ["--param", p]
    embedded = run("query", *args)
    remote = run("query", *args, "--endpoint", sparql, "--graph", graph)
    assert embedded.code == 0, embedded.err
    assert remote.code == 0, remote.err
    assert _lines(remote.out) == _lines(embedded.out)
    return embedded.out


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_gives_the_embedded_rows_on_virtuoso(run, loaded, name, dataset):
    out = _same_rows(run, loaded, name, dataset)
    if dataset == "showcase":
        assert len(out.splitlines()) > 1, f"{name} returns no rows on the showcase"


@pytest.mark.parametrize(("dataset", "date"), [
    ("showcase", "2010-01-01"), ("showcase", "2016-12-31"), ("showcase", "2021-06-01"),
    ("showcase", "2023-08-01"), ("showcase", "2024-05-16"), ("showcase", "2024-06-01"),
    ("second", "2015-01-01"), ("second", "2019-10-01")])
def test_affiliations_on_each_date_on_virtuoso(run, loaded, dataset, date):
    # ends unbound and ends known to the year, month or day, on both sides of the date
    _same_rows(run, loaded, "affiliations-on-date", dataset, f"date={date}")


def _readme_publish() -> list[str]:
    """The README's command publishing to Virtuoso, as words."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines()
              if ln.startswith("$ personkg publish --endpoint http://localhost:8890/")]
    return shlex.split(line)[3:]


@pytest.mark.parametrize("method", ["auto", "digest"])
def test_publish_to_virtuoso_as_the_readme_says(run, virtuoso, monkeypatch, method):
    monkeypatch.setenv("KG_AUTH", ":".join(VIRTUOSO_USER))
    words = [w.replace("http://localhost:8890", virtuoso.base) for w in _readme_publish()]
    assert words[words.index("--auth-method") + 1] == "auto"
    words[words.index("--auth-method") + 1] = method
    graph = f"https://example.org/published-{method}"
    result = run("publish", "--data", SHOWCASE, *words, "--graph", graph)
    assert result.code == 0, result.err
    exported = run("export", "--data", SHOWCASE, "--format", "ntriples").out
    assert f"published {len(exported.splitlines())} triples to <{graph}>" in result.out
    count = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv",
                "--endpoint", f"{virtuoso.base}/sparql", "--graph", graph)
    assert count.out.splitlines()[1] == str(len(exported.splitlines()))
    again = run("publish", "--data", SHOWCASE, *words, "--graph", graph)  # replaces
    assert again.code == 0, again.err
    assert run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv",
               "--endpoint", f"{virtuoso.base}/sparql", "--graph", graph).out == count.out
    assert "dba" not in result.out + result.err


def test_basic_refused_by_virtuoso_is_one_line(run, virtuoso, monkeypatch):
    monkeypatch.setenv("KG_AUTH", ":".join(VIRTUOSO_USER))
    result = run("publish", "--data", SECOND, "--endpoint",
                 f"{virtuoso.base}/sparql-graph-crud-auth", "--auth-env", "KG_AUTH")
    assert result.code == 2 and result.err.count("\n") == 1 and "HTTP 401" in result.err
    assert "--auth-method digest or auto" in result.err


def test_default_graph_is_refused_by_virtuoso_with_its_reason(run, virtuoso, monkeypatch):
    monkeypatch.setenv("KG_AUTH", ":".join(VIRTUOSO_USER))
    result = run("publish", "--data", SECOND, "--endpoint",
                 f"{virtuoso.base}/sparql-graph-crud-auth", "--auth-env", "KG_AUTH",
                 "--auth-method", "auto", "--default-graph")
    assert result.code == 2 and result.err.count("\n") == 1 and "HTTP 500" in result.err
    assert "not configured to have default graph" in result.err and "<" not in result.err


def test_query_on_virtuosos_authenticated_endpoint(run, loaded, monkeypatch):
    monkeypatch.setenv("KG_AUTH", ":".join(VIRTUOSO_USER))
    sparql_auth = loaded.replace("/sparql", "/sparql-auth")
    args = ["--name", "career", "--format", "csv", "--data", SHOWCASE]
    remote = run("query", *args, "--endpoint", sparql_auth, "--graph", DEFAULT_GRAPH,
                 "--auth-env", "KG_AUTH", "--auth-method", "auto")
    assert remote.code == 0, remote.err
    assert _lines(remote.out) == _lines(run("query", *args).out)
