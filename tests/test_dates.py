"""Dates as the Wikidata Query Service has them: in pkgd:, pkgps: and pkgpq: an
xsd:dateTime at the start of the period, and on the full value node (pkgpsv:/pkgpqv:) the
same time and its precision (9 year, 10 month, 11 day). Exports for people (schema.org,
the site) keep the precision the source gave."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, REPO
from personkg.checks.report import Report
from personkg.checks.shacl import shacl_results
from personkg.compile import CompiledGraph, compile_dataset
from personkg.namespaces import PKG, PKGD, PKGP, PKGPQ, PKGPQV, PKGPS, PKGPSV, XSD
from personkg.pipeline import vocabulary
from personkg.reading import load_dataset

SECOND = "https://example.org/kg/id/"


@pytest.fixture
def second(tmp_path: Path) -> Path:
    dest = tmp_path / "second"
    shutil.copytree(FIXTURES / "second", dest)
    return dest


def _store(root: Path) -> tuple[ox.Store, CompiledGraph]:
    voc = vocabulary(root)  # the second dataset extends the vocabulary
    graph = compile_dataset(load_dataset(root, voc, Report()), voc)
    return graph.store(), graph


def _date_time(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD.dateTime))


def _one(store: ox.Store, s, p: str) -> ox.Literal | ox.NamedNode:
    objects = [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]
    assert len(objects) == 1, (s, p, objects)
    return objects[0]


def _statement(store: ox.Store, subject: str, prop: str, value: str | None = None):
    """The one statement of `subject` for `prop` (with that item value, when given)."""
    found = [q.object for q in store.quads_for_pattern(
                 ox.NamedNode(SECOND + subject), ox.NamedNode(PKGP[prop]), None)
             if value is None or ox.NamedNode(SECOND + value) in
             [v.object for v in store.quads_for_pattern(q.object, ox.NamedNode(PKGPS[prop]),
                                                        None)]]
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------ the graph's shape

# (record, property, item value or None, qualifier or None, expected time, precision)
PRECISIONS = [
    pytest.param("grace-example", "educatedAt", None, "start",
                 "2013-01-01T00:00:00Z", 9, id="year-qualifier"),
    pytest.param("explicit-paper", "publicationDate", None, None,
                 "2021-01-01T00:00:00Z", 9, id="year-value"),
    pytest.param("grace-example", "employer", "example-lab", "start",
                 "2019-09-01T00:00:00Z", 10, id="month-qualifier"),
    pytest.param("unordered-note", "publicationDate", None, None,
                 "2022-03-01T00:00:00Z", 10, id="month-value"),
    pytest.param("ordered-paper", "publicationDate", None, None,
                 "2023-09-14T00:00:00Z", 11, id="day-value"),
]


@pytest.mark.parametrize(("subject", "prop", "value", "qualifier", "time", "precision"),
                         PRECISIONS)
def test_a_date_is_a_date_time_at_the_start_with_its_precision_on_the_value_node(
        second, voc, subject, prop, value, qualifier, time, precision):
    store, _ = _store(second)
    st = _statement(store, subject, prop, value)
    if qualifier is None:
        assert _one(store, st, PKGPS[prop]) == _date_time(time)
        assert _one(store, ox.NamedNode(SECOND + subject), PKGD[prop]) == _date_time(time)
        node = _one(store, st, PKGPSV[prop])
    else:
        assert _one(store, st, PKGPQ[qualifier]) == _date_time(time)
        node = _one(store, st, PKGPQV[qualifier])
    assert isinstance(node, ox.NamedNode) and node.value.startswith(SECOND + "value/")
    assert _one(store, node, PKG.timeValue) == _date_time(time)
    assert _one(store, node, PKG.timePrecision) == ox.Literal(
        str(precision), datatype=ox.NamedNode(XSD.integer))


def test_a_day_qualifier_on_the_showcase(run):
    """The Superalignment team membership started on 2023-07-05 (day precision)."""
    rows = _rows(run, REPO / "data",
                 "SELECT ?start ?time ?precision WHERE { id:jan-leike pkgp:memberOf ?st . "
                 "?st pkgpq:start ?start ; pkgpqv:start [ pkg:timeValue ?time ; "
                 "pkg:timePrecision ?precision ] . "
                 'FILTER (?start = "2023-07-05T00:00:00Z"^^xsd:dateTime) }')
    assert rows == [["2023-07-05T00:00:00Z", "2023-07-05T00:00:00Z", "11"]]


def test_one_value_node_per_value_and_identical_bytes_on_a_rebuild(second, voc):
    _, first = _store(second)
    _, again = _store(second)
    assert first.ntriples() == again.ntriples()
    nodes = {line.split(" ", 1)[0] for line in first.canonical()
             if f"<{PKG.timePrecision}>" in line}
    # the second dataset's distinct dates: 2013, 2015, 2019, 2019-09, 2020, 2021, 2022-03,
    # 2023-09-14, 2024
    assert len(nodes) == 9


# ------------------------------------------------------------------ queries

_QUALIFIED = """SELECT ?d ?precision WHERE {
  ?statement ?p ?d ; ?pv [ pkg:timeValue ?d ; pkg:timePrecision ?precision ] .
  FILTER (STRSTARTS(STR(?p), STR(pkgps:)) || STRSTARTS(STR(?p), STR(pkgpq:)))
  FILTER (?d >= "2016-01-01T00:00:00Z"^^xsd:dateTime)
} ORDER BY ?d ?precision"""


def _rows(run, data: Path, query: str) -> list[list[str]]:
    result = run("query", "--data", str(data), "--format", "csv", query)
    assert result.code == 0, result.err
    return list(csv.reader(io.StringIO(result.out)))[1:]


@pytest.mark.parametrize("data", [REPO / "data", FIXTURES / "second"],
                         ids=["showcase", "second"])
def test_a_date_time_filter_finds_dates_of_every_precision(run, data):
    rows = _rows(run, data, _QUALIFIED)
    assert {precision for _, precision in rows} == {"9", "10", "11"}
    assert all(d >= "2016-01-01T00:00:00Z" for d, _ in rows)
    assert len(rows) > 3


def test_the_filter_keeps_exactly_the_dates_from_2016_on(run):
    rows = _rows(run, FIXTURES / "second", _QUALIFIED)
    assert rows == [
        ["2019-01-01T00:00:00Z", "9"],    # educated_at end 2019
        ["2019-09-01T00:00:00Z", "10"],   # employer start 2019-09
        ["2020-01-01T00:00:00Z", "9"],    # the deprecated employer start 2020
        ["2021-01-01T00:00:00Z", "9"],    # explicit-paper
        ["2022-03-01T00:00:00Z", "10"],   # unordered-note
        ["2023-09-14T00:00:00Z", "11"],   # ordered-paper
        ["2024-01-01T00:00:00Z", "9"],    # the lab's head count, point in time 2024
    ]


def test_order_by_sorts_dates_of_mixed_precision(run):
    rows = _rows(run, FIXTURES / "second",
                 "SELECT ?work ?d WHERE { ?work pkgps:publicationDate ?d } ORDER BY DESC(?d)")
    # day, month and year precision, newest first
    assert [d for _, d in rows] == ["2023-09-14T00:00:00Z", "2022-03-01T00:00:00Z",
                                    "2021-01-01T00:00:00Z"]
    career = _rows(run, REPO / "data",
                   "SELECT ?start WHERE { id:jan-leike ?p ?st . ?st pkgpq:start ?start ; "
                   "pkgpqv:start/pkg:timePrecision ?precision } ORDER BY ?start")
    starts = [s for (s,) in career]
    assert starts == sorted(starts) and len(starts) >= 4
    # 2016 (year), 2021 (year), 2023-07-05 (day), 2024-05 (month): in time order
    wanted = ["2016-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2023-07-05T00:00:00Z",
              "2024-05-01T00:00:00Z"]
    assert list(dict.fromkeys(s for s in starts if s in wanted)) == wanted


def test_a_date_parameter_is_a_date_time_at_the_start_of_the_day(run):
    result = run("query", "--data", str(REPO / "data"), "--format", "csv",
                 "--name", "affiliations-on-date", "--param", "date=2016-06-15")
    assert result.code == 0, result.err
    assert "no entity or source" not in result.err
    rows = list(csv.reader(io.StringIO(result.out)))[1:]
    assert rows == [["DeepMind", "employer", "Senior Research Scientist", "2016", "2021"]]
    # an end known to the month counts for the whole month; one known to the day ends there
    end_month = run("query", "--data", str(REPO / "data"), "--format", "csv",
                    "--name", "affiliations-on-date", "--param", "date=2024-05-31")
    assert any(r.startswith("OpenAI Superalignment team,member of,")
               and r.endswith(",2023-07-05,2024-05") for r in end_month.out.splitlines())
    assert not any(r.startswith("OpenAI,employer,") for r in end_month.out.splitlines())
    last_day = run("query", "--data", str(REPO / "data"), "--format", "csv",
                   "--name", "affiliations-on-date", "--param", "date=2024-05-16")
    assert any(r.startswith("OpenAI,employer,") and r.endswith(",2021,2024-05-16")
               for r in last_day.out.splitlines())
    after = run("query", "--data", str(REPO / "data"), "--format", "csv",
                "--name", "affiliations-on-date", "--param", "date=2024-06-01")
    assert not any(r.startswith("OpenAI,employer,") for r in after.out.splitlines())


# ------------------------------------------------------------------ exports for people

def test_schema_org_and_the_site_keep_the_month(run, second, tmp_path):
    result = run("export", "--data", str(second), "--format", "schemaorg")
    assert result.code == 0, result.err
    assert '"startDate": "2019-09"' in result.out
    assert '"datePublished": "2022-03"' in result.out
    assert "2019-09-01" not in result.out and "2022-03-01" not in result.out
    site = tmp_path / "site"
    result = run("site", "--data", str(second), "--out", str(site))
    assert result.code == 0, result.err
    page = (site / "id" / "grace-example.html").read_text(encoding="utf-8")
    body = page.split("</script>")[-1]
    assert "2019-09; role: Research Scientist" in body  # the employer's start
    assert "2019-09–ongoing" in page  # the timeline
    assert "2019-09-01" not in page
    # the entity's own Turtle holds the value nodes of its statements' dates
    ttl = (site / "id" / "grace-example.ttl").read_text(encoding="utf-8")
    assert 'pkg:timePrecision "10"^^xsd:integer' in ttl


# ------------------------------------------------------------------ SHACL, both engines

def _codes(graph: CompiledGraph, voc, engine: str) -> list[tuple[str, str, str]]:
    return sorted((r.code, str(r.focus), str(r.value))
                  for r in shacl_results(graph, voc, engine))


def _ada(mini: Path, start: str, end: str) -> None:
    path = mini / "people" / "ada-example.yaml"
    text = path.read_text(encoding="utf-8")
    assert "start: 2016\n      end: 2021-03" in text
    path.write_text(text.replace("start: 2016\n      end: 2021-03",
                                 f"start: {start}\n      end: {end}", 1), encoding="utf-8")


@pytest.mark.parametrize(("start", "end", "wrong"), [
    ("2016", "2016-05", False),
    ("2016-05-17", "2016-05", False),
    ("2016-05", "2016", False),
    ("2016", "2016", False),
    ("2017", "2016", True),
    ("2016-06", "2016-05", True),
    ("2016-05-18", "2016-05-17", True),
    ("2017-01-01", "2016", True),
])
def test_start_after_end_at_the_coarser_precision(mini, voc, start, end, wrong):
    _ada(mini, start, end)
    _, graph = _store(mini)
    for engine in ("fast", "pyshacl"):
        found = [c for c in _codes(graph, voc, engine) if c[0] == "start-after-end"]
        assert bool(found) is wrong, (engine, found)
        if wrong:  # the end as the source gives it
            assert found[0][2] == f'"{end}"', (engine, found)


@pytest.mark.parametrize("datatype", ["gYear", "string", "date"])
def test_a_date_of_the_wrong_datatype_is_caught_by_both_engines(mini, voc, datatype):
    _, graph = _store(mini)
    old = '"2016-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    new = {"gYear": '"2016"^^<http://www.w3.org/2001/XMLSchema#gYear>',
           "string": '"2016-01-01T00:00:00Z"',
           "date": '"2016-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'}[datatype]
    start = f"<{PKGPQ.start}> {old}"
    assert sum(start in line for line in graph.lines) == 1
    bad = CompiledGraph(lines=[line.replace(start, f"<{PKGPQ.start}> {new}")
                               for line in graph.lines],
                        locations=graph.locations, base=graph.base)
    results = {engine: _codes(bad, voc, engine) for engine in ("fast", "pyshacl")}
    assert results["fast"] == results["pyshacl"]
    assert [c[0] for c in results["fast"] if c[0] == "qualifier-type"] == ["qualifier-type"]
