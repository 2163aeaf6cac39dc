"""The profile parts of a person's page (site/profile.py), on the second dataset (figures worked
out by hand from tests/fixtures/second) and on the showcase."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES, REPO
from personkg.pipeline import compiled
from personkg.site.profile import (
    coauthor_svg,
    coauthors,
    members,
    papers_per_year,
    papers_per_year_svg,
    quotations_by_status,
    undated_affiliations,
)
from personkg.site.sections import Context


@pytest.fixture(scope="module")
def second() -> Context:
    c = compiled(FIXTURES / "second", shacl=False)
    return Context.of(c.dataset, c.voc)


@pytest.fixture(scope="module")
def showcase() -> Context:
    c = compiled(REPO / "data", shacl=False)
    return Context.of(c.dataset, c.voc)


def test_papers_per_year_counts_each_dated_work_once(second):
    # explicit-paper (2021), unordered-note (2022-03), ordered-paper (2023-09-14); Alan
    # wrote all three
    assert papers_per_year(second, "grace-example") == {2021: 1, 2022: 1, 2023: 1}
    assert papers_per_year(second, "alan-example") == {2021: 1, 2022: 1, 2023: 1}
    assert papers_per_year(second, "example-lab") == {}


def test_the_chart_has_a_bar_per_year_with_works_and_says_the_counts():
    svg = papers_per_year_svg({2016: 2, 2018: 1})
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}rect")) == 2  # 2017 is a gap
    assert root.get("aria-label") == "Papers per year: 2016: 2, 2018: 1"
    heights = [float(r.get("height")) for r in root.findall(f"{ns}rect")]
    assert heights[0] == pytest.approx(2 * heights[1])
    assert papers_per_year_svg({}) == ""


def test_coauthors_are_counted_by_identity_records_and_printed_names_alike(second):
    # Alan is a record on all three (printed as "A. Example" on one): one co-author with 3
    assert coauthors(second, "grace-example") == [("Alan Example", "alan-example", 3),
                                                  ("Mary Printed-Name", None, 1)]
    assert coauthors(second, "alan-example") == [("Grace Example", "grace-example", 3),
                                                 ("Mary Printed-Name", None, 1)]


def test_the_coauthor_picture_names_everyone_and_links_records():
    people = [("Alan <Example>", "alan-example", 3), ("Mary", None, 1)]
    svg = coauthor_svg("Grace", people)
    root = ET.fromstring(svg)  # well-formed: the name with < > is escaped
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts == ["Alan <Example>", "Mary", "Grace"]
    links = [a.get("href") for a in root.iter(f"{ns}a")]
    assert links == ["alan-example.html"]  # Mary has no page
    radii = [float(c.get("r")) for c in root.iter(f"{ns}circle")][:2]
    assert radii[0] > radii[1]  # sized by shared papers
    assert coauthor_svg("Grace", people) == svg  # deterministic
    assert coauthor_svg("Grace", []) == ""


def test_the_coauthor_picture_puts_more_shared_papers_nearer():
    """Each co-author's dot is on a ring around the person (410, 290): the most shared papers
    the nearest (80), the fewest the farthest (260); the line ends at the dot; names on the
    right half start at the dot, on the left end at it."""
    people = [(f"P{i}", f"p{i}", k) for i, k in enumerate([5, 4, 4, 3, 2, 2, 1])]
    root = ET.fromstring(coauthor_svg("Grace", people))
    ns = "{http://www.w3.org/2000/svg}"
    dots = list(root.iter(f"{ns}circle"))[:-1]  # the last is the person
    lines = list(root.iter(f"{ns}line"))
    texts = list(root.iter(f"{ns}text"))[:-1]
    rings = {5: 0, 4: 1, 3: 2, 2: 3, 1: 4}
    for (_, _, k), dot, line, text in zip(people, dots, lines, texts, strict=True):
        x, y = float(dot.get("cx")), float(dot.get("cy"))
        assert abs(math.hypot(x - 410, y - 290) - (80 + 45 * rings[k])) < 0.2, k
        assert (line.get("x2"), line.get("y2")) == (dot.get("cx"), dot.get("cy"))
        assert (line.get("x1"), line.get("y1")) == ("410.0", "290")
        assert float(dot.get("r")) == pytest.approx(4 + 10 * k / 5, abs=0.05)
        assert text.get("text-anchor") == ("start" if x >= 410 else "end")
        assert (float(text.get("x")) > x) == (x >= 410)
    assert float(dots[0].get("cy")) == pytest.approx(290 - 80, abs=0.05)  # the first on top


def test_the_picture_shows_at_most_the_limit_and_counts_the_rest():
    people = [(f"P{i:02d}", None, 1) for i in range(45)]
    svg = coauthor_svg("X", people, limit=40)
    assert svg.count("<circle") == 41 and "and 5 more co-authors" in svg


def test_members_of_an_organization_with_dates_and_roles(second):
    got = [(m.relation, m.person.id, m.start, m.end, m.role) for m in members(second,
                                                                           "example-lab")]
    assert got == [("employer", "grace-example", "2019-09", "", "Research Scientist")]
    # the deprecated employer claim is not a membership; education is
    uni = [(m.relation, m.person.id, m.start, m.end) for m in members(second,
                                                                     "example-university")]
    assert uni == [("educated at", "grace-example", "2013", "2019"),
                   ("employer", "alan-example", "2015", "")]


def test_the_showcase_profile(showcase):
    per_year = papers_per_year(showcase, "jan-leike")
    assert sum(per_year.values()) == len([w for w in showcase.works_of["jan-leike"]
                                          if re.match(r"\d", str(showcase.citations[w].get(
                                              "issued", {}).get("date-parts", [[""]])[0][0]))])
    people = coauthors(showcase, "jan-leike")
    names = [n for n, _, _ in people]
    assert "Jan Leike" not in names and len(names) == len(set(names))
    assert ("Marcus Hutter", "marcus-hutter") in [(n, i) for n, i, _ in people]
    groups = dict(quotations_by_status(showcase, "jan-leike"))
    assert set(groups) <= {"verbatim-verified", "altered", "as-reported", "no status"}
    assert sum(len(v) for v in groups.values()) > 50
    openai = [(m.relation, m.person.id) for m in members(showcase, "openai")]
    assert ("employer", "jan-leike") in openai


def test_undated_affiliations_are_listed(second, showcase):
    assert undated_affiliations(second, second.ds.entities["grace-example"]) == []
    listed = undated_affiliations(showcase, showcase.ds.entities["jan-leike"])
    for label, org, _role in listed:
        assert label and org.id in showcase.ds.entities
