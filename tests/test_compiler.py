"""The compiler on golden case folders: tests/cases/<name>/data -> expected.ttl.

Each expected.ttl was reviewed by hand against the case's README; regenerate with
`python tests/test_compiler.py` only to review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personkg.compile import statement_iri
from personkg.export.turtle import to_turtle
from personkg.model import Claim, Date, parse_date
from personkg.pipeline import check_dataset as check
from personkg.vocab import Vocabulary

CASES = Path(__file__).resolve().parent / "cases"


def compile_case(name: str, voc: Vocabulary) -> str:
    result = check(CASES / name / "data", voc)
    assert result.report.conforms(), result.report.sorted()
    return to_turtle(result.graph)


@pytest.mark.parametrize("name", sorted(p.parent.name for p in CASES.glob("*/expected.ttl")))
def test_golden_case(voc, name):
    expected = (CASES / name / "expected.ttl").read_text(encoding="utf-8")
    assert compile_case(name, voc) == expected


@given(st.integers(1000, 9999), st.integers(1, 12), st.integers(1, 31))
def test_date_precision_round_trips(year, month, day):
    for text in (f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"):
        d = parse_date(text)
        if d is None:  # only impossible days are refused
            assert len(text) == 10
            continue
        assert d.text == text
        assert d.xsd == {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]
        assert d.time_precision == {4: 9, 7: 10, 10: 11}[len(text)]
        assert d.date_time.startswith(text) and len(d.date_time) == 20
        assert d.date_time == f"{year}-{month if len(text) > 4 else 1:02d}-" \
            f"{day if len(text) > 7 else 1:02d}T00:00:00Z"


@settings(max_examples=50)
@given(st.lists(st.tuples(st.sampled_from(["start", "end", "role"]), st.text(min_size=1)),
                unique_by=lambda t: t[0]))
def test_statement_iri_depends_on_content_not_order(quals):
    a = Claim("employer", "acme", dict(quals))
    b = Claim("employer", "acme", dict(reversed(quals)), rank="deprecated", line=99)
    assert statement_iri("x:", "p", a) == statement_iri("x:", "p", b)
    c = Claim("employer", "acme", {**dict(quals), "role": "other-role"})
    if dict(quals).get("role") != "other-role":
        assert statement_iri("x:", "p", c) != statement_iri("x:", "p", a)


def test_dates_compare_by_text():
    assert Date("2016") < Date("2016-05") < Date("2017")


if __name__ == "__main__":  # regenerate expected files for review
    v = Vocabulary.load()
    for case in sorted(p.parent for p in CASES.glob("*/expected.ttl")):
        (case / "expected.ttl").write_text(compile_case(case.name, v), encoding="utf-8")
        print(f"wrote {case / 'expected.ttl'}", file=sys.stderr)


def test_best_rank_preferred_over_normal_never_deprecated_in_record_order():
    from personkg.compile import best_claims, best_of

    claims = [Claim("employer", "a"), Claim("employer", "b", rank="deprecated"),
              Claim("award", "x", rank="deprecated"), Claim("employer", "c"),
              Claim("field", "f1"), Claim("field", "f2", rank="preferred"),
              Claim("field", "f3"), Claim("field", "f4", rank="preferred")]
    assert [c.value for c in best_of(claims, "employer")] == ["a", "c"]
    assert [c.value for c in best_of(claims, "field")] == ["f2", "f4"]
    assert best_of(claims, "award") == [] and best_of(claims, "none") == []
    assert best_claims(claims) == {0, 3, 5, 7}


@given(st.lists(st.tuples(st.sampled_from("pqr"),
                          st.sampled_from(["preferred", "normal", "deprecated"])),
                max_size=12))
def test_best_of_is_best_claims_of_one_property(rows):
    from personkg.compile import best_claims, best_of

    claims = [Claim(p, str(i), rank=rank) for i, (p, rank) in enumerate(rows)]
    best = best_claims(claims)
    for p in "pqr":
        assert best_of(claims, p) == [c for i, c in enumerate(claims)
                                      if i in best and c.property == p]
