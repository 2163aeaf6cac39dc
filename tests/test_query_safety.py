"""`personkg query` with hostile input: parameter values that try to become query structure,
SERVICE on the embedded store, a query that never ends, Ctrl-C, control characters in data."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personkg.binding import bind_terms, bind_text, has_service, subject_parameters
from personkg.errors import RunError
from personkg.query import render, run_query, with_prefixes

# every pattern of the mini dataset with itself five times: far more than a second of work
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
        "?m ?n2 ?o }")


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------ injection

def test_two_values_that_made_a_service_call_bind_as_two_literals(run, mini):
    # before: binding ?y found "VALUES ?y { '' }" inside ?x's literal and replaced it, which
    # closed the literal and left a SERVICE clause in the query
    x = "VALUES ?y { '' }"
    y = "} SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } #"
    result = run("query", "--data", str(mini), "--format", "csv", "SELECT ?x ?y WHERE {\n}",
                 "--param", f"x={x}", "--param", f"y={y}")
    assert result.code == 0, result.err
    assert list(csv.reader(io.StringIO(result.out))) == [["x", "y"], [x, y]]
    bound = bind_text("SELECT ?x ?y WHERE {\n}", {"x": x, "y": y})
    assert not has_service(bound)


def test_binding_ignores_strings_comments_and_iris_of_the_query():
    query = ('SELECT ?x ?s WHERE {\n  # VALUES ?x { "c" }\n'
             '  BIND("WHERE { VALUES ?x { 1 } }" AS ?s)\n  VALUES ?x { "default" }\n}')
    rows = list(ox.Store().query(bind_text(query, {"x": "v"})))
    assert [(r["x"], r["s"]) for r in rows] == [(ox.Literal("v"),
                                                ox.Literal("WHERE { VALUES ?x { 1 } }"))]
    assert subject_parameters('# VALUES ?p { pkg:subject }\nSELECT * { VALUES ?q { '
                              'pkg:subject } BIND("VALUES ?r { pkg:subject }" AS ?z) }') == ["q"]


def _hostile() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(
        list("\"'{}<>#?$\\\n\r\t ;.,()^@:_-aZ0é€\x00\x1b\u2028\U0001f600")
        + ['"""', "'''", "SERVICE ", "<http://127.0.0.1:1/>", "VALUES ?y { '' }", "WHERE {",
           "}}"]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=_hostile(), y=_hostile())
def test_any_pair_of_text_values_binds_as_two_literals(x, y):
    store = ox.Store()
    # with a string default, a value is a string whatever it looks like; without one, a value
    # that looks like an IRI, date or number is typed so ("v" keeps these strings)
    for query, (vx, vy) in (
            ("SELECT ?x ?y WHERE { VALUES ?y { 'd' } VALUES ?x { \"e\" } }", (x, y)),
            ("SELECT ?x ?y WHERE {\n}", ("v" + x, "v" + y))):
        bound = bind_text(query, {"x": vx, "y": vy})
        assert not has_service(bound)
        rows = list(store.query(bound))
        assert [(r["x"], r["y"]) for r in rows] == [(ox.Literal(vx), ox.Literal(vy))]


@settings(max_examples=200, deadline=None)
@given(s=_hostile(), o=_hostile())
def test_text_binding_gives_the_rows_of_algebra_binding(s, o):
    store = ox.Store()
    for i in range(3):
        store.add(ox.Quad(ox.NamedNode(f"http://e.org/{i}"), ox.NamedNode("http://e.org/p"),
                          ox.Literal(o if i == 1 else f"v{i}")))
    params = {"s": "http://e.org/" + s, "o": o}
    query = "SELECT * WHERE { ?s <http://e.org/p> ?o }"
    try:
        text = bind_text(query, params)
    except RunError as exc:  # not an IRI: refused before any query is made
        assert exc.option == "param"
        return
    plain, substitutions = bind_terms(query, params)
    expected = list(store.query(plain, substitutions=substitutions))
    assert [tuple(r) for r in store.query(text)] == [tuple(r) for r in expected]


@settings(max_examples=100, deadline=None)
@given(value=_hostile())
def test_a_named_query_default_is_replaced_not_joined(value):
    query = "SELECT ?n WHERE { VALUES ?p { 'default' } BIND(STRLEN(?p) AS ?n) }"
    rows = list(ox.Store().query(bind_text(query, {"p": value})))
    assert [r["n"].value for r in rows] == [str(len(value))]


# ------------------------------------------------------------------ SERVICE

def test_service_is_refused_unless_allowed(run, mini):
    query = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/> { ?a ?b ?c } }"
    refused = run("query", "--data", str(mini), query)
    assert refused.code == 2
    assert "--allow-service" in _one_line(refused.err)
    # the word in a string, an IRI, a comment or a variable is no SERVICE
    fine = run("query", "--data", str(mini), "--format", "csv",
               'SELECT ?service WHERE { # SERVICE <http://x/>\n'
               ' BIND("SERVICE <http://x/> {}" AS ?service) }')
    assert fine.code == 0, fine.err
    # allowed, the query is parsed and run (SILENT: the unreachable service gives no rows)
    allowed = run("query", "--data", str(mini), "--allow-service", query)
    assert allowed.code == 0, allowed.err
    with pytest.raises(RunError) as exc:
        run_query(ox.Store(), "select * { service <http://127.0.0.1:1/> { ?a ?b ?c } }")
    assert exc.value.option == "allow-service"


# ------------------------------------------------------------------ time


def test_a_slow_embedded_query_is_stopped_by_timeout(run, mini):
    start = time.monotonic()
    result = run("query", "--data", str(mini), "--timeout", "1", SLOW)
    assert result.code == 2
    line = _one_line(result.err)
    assert "1 s" in line and "--timeout" in line
    assert time.monotonic() - start < 30


def test_timeout_must_be_a_positive_finite_number(run, mini):
    for bad in ("0", "-1", "inf", "nan"):
        result = run("query", "--data", str(mini), "--timeout", bad, "ASK {}")
        assert result.code == 2, bad
        _one_line(result.err)


def test_errors_inside_the_time_limit_keep_their_exit_code(run, mini):
    result = run("query", "--data", str(mini), "SELECT ?p WHERE { ?p a }")
    assert result.code == 1
    assert "syntax error" in _one_line(result.err)


def _children(pid: int) -> list[str]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return path.read_text().split() if path.exists() else []


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process group")
def test_ctrl_c_stops_an_embedded_query(mini):
    proc = subprocess.Popen([sys.executable, "-m", "personkg", "query", "--data", str(mini),
                             SLOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    # wait until the query runs (in its own process where it can be forked)
    while not _children(proc.pid) and time.monotonic() < deadline:
        if not Path(f"/proc/{proc.pid}").exists():
            time.sleep(8)
            break
        time.sleep(0.05)
    time.sleep(0.3)
    start = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - start < 10
    assert proc.returncode == 130, err
    assert _one_line(err) == "personkg: interrupted"


# ------------------------------------------------------------------ terminal


def test_escape_sequences_in_a_label_do_not_reach_the_terminal(run, mini):
    ada = mini / "people" / "ada-example.yaml"
    ada.write_text(ada.read_text().replace("name: Ada Example",
                                           'name: "Ada \\e[31mRed\\e[0m\\nExample"'))
    query = "SELECT ?name WHERE { id:ada-example rdfs:label ?name }"
    for fmt in ("table", "csv", "tsv"):
        result = run("query", "--data", str(mini), "--format", fmt, query)
        assert result.code == 0, result.err
        assert "\x1b" not in result.out and "\u241b[31mRed" in result.out, (fmt, result.out)
    table = run("query", "--data", str(mini), query).out
    assert "Ada \u241b[31mRed\u241b[0m\u240aExample" in table  # one line per row


def test_render_makes_every_control_character_visible():
    store = ox.Store()
    text = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]) + "ok"
    for fmt in ("table", "csv", "tsv", "json"):
        out = render(store.query(with_prefixes(f"SELECT ?x {{ BIND({ox.Literal(text)} AS ?x) }}")),
                     fmt)
        assert not any(ord(ch) < 0x20 and ch not in "\t\n\r" or 0x7F <= ord(ch) < 0xA0
                       for ch in out), (fmt, out)


@pytest.mark.parametrize(("query", "bound"), [
    ("ASK { FILTER(?x = 'a') }", "ASK { VALUES ?x { \"a\" }  FILTER(?x = 'a') }"),
    # the main group, not the first WHERE (a subquery's)
    ("SELECT ?y { { SELECT ?z WHERE {} } BIND(?x AS ?y) }",
     'SELECT ?y { VALUES ?x { "a" }  { SELECT ?z WHERE {} } BIND(?x AS ?y) }'),
    # a CONSTRUCT template is no WHERE group
    ("CONSTRUCT { ?x ?x ?x } { BIND(?x AS ?y) }",
     'CONSTRUCT { ?x ?x ?x } { VALUES ?x { "a" }  BIND(?x AS ?y) }'),
])
def test_a_value_is_bound_for_the_whole_where_group(query, bound):
    assert bind_text(query, {"x": "a"}) == bound


def test_a_value_is_typed_like_the_first_of_several_defaults():
    with pytest.raises(RunError, match="not an integer"):
        bind_text("SELECT ?x WHERE { VALUES ?x { 1 2 } }", {"x": "a"})
    assert bind_text("SELECT ?x WHERE { VALUES ?x { 1 2 } }", {"x": "3"}) == (
        'SELECT ?x WHERE { VALUES ?x { "3"^^<http://www.w3.org/2001/XMLSchema#integer> } }')
