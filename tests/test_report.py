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


def _completeness_from_records(checked) -> dict[str, object]:
    """The completeness figures counted in Python from the records, not from SPARQL."""
    entities = checked.dataset.entities.values()
    works = [e for e in entities if e.type in ("ScholarlyArticle", "Thesis")]
    per_year: Counter[str] = Counter()
    complete = 0
    for work in works:
        best = [work.claims[i] for i in sorted(best_claims(work.claims))]
        dates = [getattr(c.value, "text", str(c.value)) for c in best
                 if c.property == "publication_date"]
        per_year[min(d[:4] for d in dates) if dates else "unknown"] += 1
        authors = [c for c in best if c.property in ("author", "author_name_string")]
        if authors and all(c.qualifiers.get("series_ordinal") is not None for c in authors):
            complete += 1
    return {"works": len(works), "works_by_year": dict(sorted(per_year.items())),
            "works_with_complete_ordered_authors": complete}


def test_completeness_of_the_showcase_matches_the_records(report_json, embedded):
    c = report_json["summary"]["completeness"]
    expected = _completeness_from_records(embedded)
    assert {k: c[k] for k in expected} == expected
    assert c["complete_ordered_authors_percent"] == round(
        100 * c["works_with_complete_ordered_authors"] / c["works"], 1)
    facts = report_json["summary"]["by_best_source_trust"]["facts"]
    assert c["facts"] == sum(facts.values())
    assert c["facts_with_high_trust_source"] == facts["high"]
    assert c["quotations"] == report_json["summary"]["quotations"]


def test_completeness_of_the_second_dataset_counted_by_hand():
    """tests/fixtures/second: explicit-paper (2021, 2 authors, both ordered), unordered-note
    (2022, 2 authors, no ordinals), ordered-paper (2023, 3 authors from an ordered list).
    24 statements, all facts; 2 rest on forum-thread (low), the other 22 on high-trust pages."""
    from conftest import FIXTURES
    from personkg.pipeline import vocabulary
    from personkg.stats import collect

    root = FIXTURES / "second"
    voc = vocabulary(root)
    second = check(root, voc)
    rep = collect(second.graph.store(), voc, base=second.dataset.base)
    assert rep.completeness() == {
        "works": 3,
        "works_by_year": {"2021": 1, "2022": 1, "2023": 1},
        "works_with_complete_ordered_authors": 2,
        "complete_ordered_authors_percent": 66.7,
        "facts": 24,
        "facts_with_high_trust_source": 22,
        "high_trust_percent": 91.7,
        "quotations": {"verbatim-verified": 0, "altered": 0, "as-reported": 0},
    }
    text = rep.to_text()
    assert ("Works (scholarly articles and theses): 3; with complete ordered authors: 2 "
            "(66.7%).") in text
    assert "Facts with a high-trust source: 22 of 24 (91.7%)." in text
    assert "## Completeness" in rep.to_markdown()
