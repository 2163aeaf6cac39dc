"""`personkg report`: its SPARQL-computed figures agree with the records, counted in Python."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import REPO
from personkg.compile import best_claims
from personkg.pipeline import check_dataset as check


@pytest.fixture(scope="module")
def embedded():
    return check(REPO / "data")


@pytest.fixture(scope="module")
def report_json(embedded):
    from personkg.stats import collect
    from personkg.vocab import Vocabulary

    return json.loads(collect(embedded.graph.store(), Vocabulary.load()).to_json())


def test_every_statement_is_referenced(report_json, embedded):
    s = report_json["summary"]
    claims = sum(len(e.claims) for e in embedded.dataset.entities.values())
    assert s["statements"] == claims
    assert s["referenced"] == claims and s["referenced_percent"] == 100.0


def test_ranks_match_the_records(report_json, embedded):
    ranks = Counter(c.rank for e in embedded.dataset.entities.values() for c in e.claims)
    assert report_json["summary"]["by_rank"] == {
        "preferred": ranks["preferred"], "normal": ranks["normal"],
        "deprecated": ranks["deprecated"]}


def test_deprecated_claims_are_listed_with_their_reasons(report_json, embedded):
    expected = sorted((e.id, c.reason) for e in embedded.dataset.entities.values()
                      for c in e.claims if c.rank == "deprecated")
    listed = sorted((r["entity"], r["reason"]) for r in report_json["deprecated"])
    assert listed == expected and all(reason for _, reason in listed)


def test_quotation_statuses_match_the_records(report_json, embedded):
    expected = Counter(str(c.value) for e in embedded.dataset.entities.values()
                       if e.type == "Quotation"
                       for i, c in enumerate(e.claims)
                       if c.property == "quotation_status" and i in best_claims(e.claims))
    assert report_json["summary"]["quotations"] == {
        k: expected[k] for k in ("verbatim-verified", "altered", "as-reported")}
    assert sum(expected.values()) == len([e for e in embedded.dataset.entities.values()
                                          if e.type == "Quotation"])


def test_weakly_sourced_facts_are_exactly_the_validation_warnings(report_json, embedded):
    warned = Counter(i.path.rsplit("/", 1)[-1].removesuffix(".yaml")
                     for i in embedded.report.issues if i.code == "weakly-sourced")
    listed = Counter(r["entity"] for r in report_json["weakly_sourced"])
    assert listed == warned and listed


def test_conflicts_are_the_alternative_values(report_json, embedded):
    expected = {(e.id, c.property) for e in embedded.dataset.entities.values()
                for c in e.claims if c.alternative}
    listed = {(r["entity"], r["property"]) for r in report_json["conflicts"]}
    assert listed == expected
    birth = next(r for r in report_json["conflicts"] if r["entity"] == "jan-leike")
    assert birth["values"] == "1986 | 1987"


def test_report_formats_and_output_file(run, tmp_path):
    text = run("report")
    assert text.code == 0 and text.out.startswith("Data report\n")
    out = tmp_path / "report.md"
    md = run("report", "--format", "markdown", "-o", str(out))
    assert md.code == 0 and md.out == ""
    assert out.read_text(encoding="utf-8").startswith("# Data report\n")
    js = run("report", "--format", "json")
    assert json.loads(js.out)["summary"]["referenced_percent"] == 100.0


def test_report_on_invalid_data_exits_1_and_writes_nothing(run, mini, tmp_path):
    person = mini / "people" / "ada-example.yaml"
    person.write_text(person.read_text(encoding="utf-8").replace("employer:", "employr:"),
                      encoding="utf-8")
    out = tmp_path / "r.txt"
    result = run("report", "--data", str(mini), "-o", str(out))
    assert result.code == 1 and "Traceback" not in result.err and not out.exists()


def test_readme_shows_the_current_report_summary(run):
    summary = run("report", "--format", "markdown").out.split("\n## ", 1)[0]
    lines = [line for line in summary.splitlines()[1:] if line.strip()]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [line for line in lines if line not in readme]
    assert not missing, f"README is missing the current report summary lines: {missing}"
