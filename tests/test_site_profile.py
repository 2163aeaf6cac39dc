"""The profile parts of a person's page (site/profile.py), on the second dataset (figures worked
out by hand from tests/fixtures/second) and on the showcase."""

from __future__ import annotations

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
