"""Every named query on the embedded store, a real Oxigraph server and a real Virtuoso
(Debian's virtuoso-opensource, installed by `make test`), both on 127.0.0.1 with scratch
stores, for the showcase dataset and the second one, each in its own named graph: the same
rows. On Virtuoso also: `publish` as the README says (digest authentication), what the
stock endpoint refuses, in one line, the warnings about answers it cuts, and the README's
bulk-loading recipe (ld_dir)."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shlex

import pytest
from servers import VIRTUOSO_USER, oxigraph_server, virtuoso_server

from conftest import FIXTURES, REPO
from personkg.query import named_queries
from personkg.remote import DEFAULT_GRAPH

SHOWCASE = str(REPO / "data")
SECOND = str(FIXTURES / "second")
SECOND_GRAPH = "https://example.org/kg/graph"
DATASETS = {"showcase": (SHOWCASE, DEFAULT_GRAPH), "second": (SECOND, SECOND_GRAPH)}


def _export(data: str) -> bytes:
    from personkg.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(["export", "--data", data, "--format", "ntriples"])
        except SystemExit as exc:
            assert exc.code in (0, None)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="module")
def loaded(virtuoso):
    """Both datasets on the server, each in its graph, loaded with isql."""
    for data, graph in DATASETS.values():
        virtuoso.load(graph, _export(data))
    return f"{virtuoso.base}/sparql"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """Both datasets on a real Oxigraph server, each in its graph, published by personkg."""
    from personkg.cli import main

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        for data, graph in DATASETS.values():
            with contextlib.redirect_stdout(io.StringIO()):  # not the first test's output
                try:
                    main(["publish", "--data", data, "--endpoint", f"{base}/store",
                          "--graph", graph])
                except SystemExit as exc:
                    assert exc.code in (0, None)
        yield f"{base}/query"


@pytest.fixture(scope="module")
def stores(request):
    """The SPARQL endpoint of each server, started only when a test asks for it."""
    return lambda store: request.getfixturevalue({"oxigraph": "oxigraph",
                                                  "virtuoso": "loaded"}[store])


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
    assert remote.code == 0 and remote.err == "", remote.err  # no warning either
    assert _lines(remote.out) == _lines(embedded.out)
    return embedded.out


@pytest.mark.parametrize("store", ["oxigraph", "virtuoso"])
@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_gives_the_embedded_rows_on_each_store(run, stores, name, dataset, store):
    out = _same_rows(run, stores(store), name, dataset)
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


# ------------------------------------------------------------ answers the server cuts
def test_an_answer_cut_at_the_row_cap_is_warned_about(run, loaded):
    # the showcase has more triples than the stock ResultSetMaxRows (10,000)
    every = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    cut = run("query", every, "--format", "csv", "--endpoint", loaded, "--graph", DEFAULT_GRAPH)
    assert cut.code == 0 and len(cut.out.splitlines()) == 1 + 10000
    assert cut.err.count("\n") == 1 and cut.err.startswith("personkg: warning: ")
    assert loaded in cut.err and "10000 rows" in cut.err and "at most 10000" in cut.err
    whole = run("query", every + " LIMIT 9999", "--format", "csv", "--endpoint", loaded,
                "--graph", DEFAULT_GRAPH)
    assert whole.code == 0 and whole.err == ""


def test_a_partial_answer_at_an_anytime_limit_is_warned_about(run, loaded):
    # `timeout` (ms) asks Virtuoso for an anytime answer: what it found when time ran out
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = run("query", endless, "--endpoint", f"{loaded}?timeout=500",
                 "--graph", DEFAULT_GRAPH, "--timeout", "60")
    assert result.code == 0, result.err
    assert result.err.count("\n") == 1 and result.err.startswith("personkg: warning: ")
    assert "incomplete" in result.err and "S1TAT" in result.err
    assert "Activity" not in result.err  # the server's statistics are left out


# ------------------------------------------------------------ bulk loading (README recipe)
def _readme_bulk_load() -> tuple[str, list[str]]:
    """The README's recipe for ld_dir: the folder it exports to, and its SQL lines."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("**Bulk loading a dump**"):]
    block = block[:block.index("  ```\n\n")]
    [export] = [ln for ln in block.splitlines() if "$ personkg export" in ln]
    path = export.split("> ")[-1].strip()
    return path, [ln.strip()[len("SQL> "):] for ln in block.splitlines()
                  if ln.strip().startswith("SQL> ")]


def test_the_readmes_bulk_loading_recipe_replaces_the_graph(virtuoso):
    path, sql = _readme_bulk_load()
    folder, name = path.rsplit("/", 1)
    dump = virtuoso.folder / "dump"  # inside the database folder, which DirsAllowed names
    dump.mkdir()
    graph = "https://example.org/bulk"
    script = "\n".join(sql).replace(folder, str(dump)).replace(DEFAULT_GRAPH, graph) + "\n"
    count = f"SPARQL SELECT COUNT(*) FROM <{graph}> WHERE {{ ?s ?p ?o }};\n"
    for data in (SECOND, SHOWCASE):  # the second run replaces the first graph
        triples = _export(data)
        (dump / name).write_bytes(triples)
        out = virtuoso.isql(script + count)
        assert re.search(r"^2\s+NULL\s*$", out, re.M), out  # loaded, no error
        assert out.split()[-1] == str(len(triples.splitlines())), out
