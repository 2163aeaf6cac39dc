"""The site's pages show what the rest of the dataset knows about an entity: a person's
publications (authors in order) and co-authors, the records that point at an entity, a work's
author line; one note per source with every passage quoted from it; facts resting only on
low-trust sources flagged."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, REPO


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from personkg.cli import main

    out = tmp_path_factory.mktemp("s") / "site"
    main(["site", "--data", str(REPO / "data"), "--out", str(out)])
    return out


def _page(site, entity):
    return (site / "id" / f"{entity}.html").read_text(encoding="utf-8")


def test_a_persons_page_lists_publications_and_coauthors(site):
    page = _page(site, "jan-leike")
    pubs = re.search(r"<h2>Publications \((\d+)\)</h2>", page)
    assert pubs and int(pubs.group(1)) >= 8
    assert '<a href="deep-rl-from-human-preferences.html"><cite>' in page
    first = page.index('<a href="paul-christiano.html">Paul Christiano</a>')
    assert page.index('<a href="jan-leike.html">Jan Leike</a>', first) > first  # in order
    assert re.search(r'<h2 id="coauthors">Co-authors \(\d+\)</h2>', page)
    assert '<a href="marcus-hutter.html">Marcus Hutter</a> (9)' in page
    # the picture, and the papers per year; quotations by status; an organization's people
    assert 'class="coauthors"' in page and 'aria-label="Papers per year: 2014: 1,' in page
    assert re.search(r"<h3>verbatim-verified \(\d+\)</h3>", page)


def test_an_organization_lists_its_people_with_dates(site):
    page = _page(site, "openai")
    people = page[page.index("<h2>People</h2>"):page.index("</table>", page.index("<h2>People"))]
    assert ('<tr><td><a href="jan-leike.html">Jan Leike</a></td><td>employer: Head of '
            "Alignment</td><td>2021</td><td>2024-05-16</td></tr>") in people


def test_an_organization_shows_who_points_at_it(site):
    page = _page(site, "openai")
    linked = page[page.index("<h2>Linked from</h2>"):]
    assert "<th>employer of</th>" in linked
    assert '<a href="jan-leike.html">Jan Leike</a>' in linked


def test_a_coauthor_page_reaches_the_shared_papers(site):
    page = _page(site, "marcus-hutter")
    assert "<th>author of</th>" in page
    assert '<a href="bad-universal-priors-and-notions-of-optimality.html">' in page


def test_a_paper_has_one_author_line(site):
    page = _page(site, "deep-rl-from-human-preferences")
    line = re.search(r'<p class="byline">(.*?)</p>', page)
    assert line and line.group(1).endswith("(2017)")
    assert line.group(1).index("Paul Christiano") < line.group(1).index("Jan Leike")


def test_the_views_give_each_list_item_its_separator():
    from personkg.site.facts import separated

    assert [i["sep"] for i in separated([{}, {}, {}, {}], ", ", " and ")] == ["", ", ", ", ",
                                                                            " and "]
    assert [i["sep"] for i in separated([{}, {}], "; ")] == ["", "; "]
    assert [i["sep"] for i in separated([{}], ", ", " and ")] == [""]
    assert separated([], ", ") == []


def test_lists_on_pages_are_separated(site, tmp_path):
    """Authors, qualifiers, links, co-authors, undated affiliations and inverse links, each
    with its separator between items and none before the first or after the last."""
    paper = _page(site, "deep-rl-from-human-preferences")
    assert ('<a href="shane-legg.html">Shane Legg</a> and <a href="dario-amodei.html">'
            "Dario Amodei</a> (2017)</p>") in paper
    assert ('<p class="byline"><a href="paul-christiano.html">Paul Christiano</a>, '
            '<a href="jan-leike.html">Jan Leike</a>, ') in paper
    assert ('<p class="links"><a href="https://arxiv.org/abs/1706.03741">arXiv</a> · <a '
            'href="https://doi.org/10.48550/ARXIV.1706.03741">DOI</a></p>') in paper
    person = _page(site, "jan-leike")
    assert ('>arXiv</a> <a href="https://doi.org/10.48550/ARXIV.1706.03741">DOI</a></li>'
            in person)
    assert re.search(r'<div class="q">start time: 20\d\d; end time: ', person)
    coauthors = re.search(r'<h2 id="coauthors">.*?<p>(.*?)</p>', person, re.S)
    item = r"(<a [^>]*>[^<]*</a>|[^<>]+?) \(\d+\)"  # linked where the co-author has a page
    assert coauthors and re.fullmatch(f"{item}(, {item})+", coauthors.group(1))
    assert ('employer <a href="center-for-ai-safety.html">Center for AI Safety</a> '
            "(executive director); educated at <a") in _page(site, "dan-hendrycks")
    linked = _page(site, "openai")
    row = re.search(r"<th>employer of</th><td>(.*?)</td>", linked)
    assert row and re.fullmatch(r"<a [^>]*>[^<]*</a>(, <a [^>]*>[^<]*</a>)+", row.group(1))
    from personkg.cli import main

    main(["site", "--data", str(FIXTURES / "second"), "--out", str(tmp_path / "s")])
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "s" / "id").glob("*.html"))
    assert ('<p class="byline"><a href="grace-example.html">Grace Example</a>, Mary '
            "Printed-Name and A. Example (2023)</p>") in pages
    assert ('<p class="byline"><a href="alan-example.html">Alan Example</a> and <a '
            'href="grace-example.html">Grace Example</a> (2021)</p>') in pages
    assert '<div class="q">start time: 2013; end time: 2019</div>' in pages


def test_page_templates_take_separators_from_the_views():
    """No page template asks `loop` (index.html, one page, may): a `loop.last` in a fact's
    qualifiers made Jinja track every row and fact of each table (`facts.separated`)."""
    from personkg.site import pages

    folder = pages._HERE / "templates"
    for path in [*folder.glob("*.html"), *folder.glob("parts/*.html")]:
        if path.name != "index.html":
            assert "loop." not in path.read_text(encoding="utf-8"), path.name


def test_one_note_per_source(site):
    page = _page(site, "jan-leike")
    sources = page[page.index("<h2>Sources</h2>"):]
    titles = re.findall(r'<li id="ref-\d+">(.*?)</li>', sources, re.S)
    heads = [re.sub(r"<br>.*", "", t, flags=re.S) for t in titles]
    assert len(heads) == len(set(heads))  # no source is listed twice


def test_a_fact_resting_only_on_low_trust_sources_is_flagged(tmp_path):
    from personkg.cli import main

    out = tmp_path / "site"
    main(["site", "--data", str(FIXTURES / "second"), "--out", str(out)])
    lab = (out / "id" / "example-lab.html").read_text(encoding="utf-8")
    row = lab[lab.index("number of employees"):]
    assert '<span class="flag">only low-trust sources</span>' in row[:600]
    assert 'class="trust trust-low"' in lab


def test_every_source_has_a_page_with_every_fact_it_supports(site):
    from personkg.pipeline import compiled

    ds = compiled(REPO / "data").dataset
    supported: dict[str, int] = {}
    for e in ds.entities.values():
        for c in e.claims:
            for s in {r.source for r in c.references}:
                supported[s] = supported.get(s, 0) + 1
    assert len(ds.sources) > 90
    for s in ds.sources.values():
        page = _page(site, s.id)
        assert (site / "id" / f"{s.id}.ttl").is_file()
        count = re.search(r"<h2>Facts it supports \((\d+)\)</h2>", page)
        assert count and int(count.group(1)) == supported.get(s.id, 0), s.id
        assert page.count("<tr") - page.count('<table class="fields">') >= supported.get(s.id, 0)
    page = _page(site, "80000-hours-ep-159-jan-leike")
    assert '<h3><a href="jan-leike.html">Jan Leike</a>' in page
    assert "<blockquote>" in page  # the source's own words


def test_every_citation_note_links_to_its_source_page(site):
    page = _page(site, "jan-leike")
    notes = re.findall(r'<li id="ref-\d+">(.*?)</li>', page, re.S)
    assert len(notes) > 10
    for note in notes:
        target = re.match(r'<a href="([^"/]+)\.html">', note)
        assert target and (site / "id" / f"{target.group(1)}.html").is_file(), note[:200]


def test_the_index_reaches_every_record_and_the_search_index_names_them(site):
    import json

    index = (site / "index.html").read_text(encoding="utf-8")
    pages = sorted(p.name for p in (site / "id").glob("*.html"))
    linked = set(re.findall(r'<li><a href="id/([^"]+)">', index))
    assert linked == set(pages)
    search = json.loads((site / "search.json").read_text(encoding="utf-8"))
    assert sorted(item["url"] for item in search) == sorted(f"id/{p}" for p in pages)
    assert {"name": "Jan Leike", "kind": "person", "url": "id/jan-leike.html"} in search
    assert '<link rel="stylesheet" href="site.css">' in index
    assert (site / "site.css").is_file() and (site / "search.js").is_file()
    assert index.index("Jan Leike") < index.index("Everything, by kind")  # the subject first
    assert "<details" in index and '<svg xmlns="http://www.w3.org/2000/svg" class="trustbar"' \
        in index
    assert '<link rel="stylesheet" href="../site.css">' in _page(site, "openai")


def test_pages_need_no_script_but_the_search_box(site):
    for name in ("jan-leike", "openai", "deep-rl-from-human-preferences",
                 "80000-hours-ep-159-jan-leike"):
        page = _page(site, name)
        assert re.findall(r"<script[^>]*>", page) == ['<script type="application/ld+json">']
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<div id="search" hidden>' in index  # shown by search.js only
    assert re.findall(r"<script[^>]*>", index) == ['<script type="application/ld+json">',
                                                   '<script src="search.js">']


@pytest.mark.parametrize("root", [REPO / "data", FIXTURES / "second"])
def test_what_a_source_supports_is_found_when_its_page_asks(root):
    """`Context.supported` is worked out for every source when a source page first asks:
    entity pages do not need it (the process of a large site that joins the pages last
    writes only those), and the facts it lists are each source's, whenever asked."""
    from personkg.pipeline import compiled
    from personkg.site.facts import facts_by_source
    from personkg.site.sections import Context

    c = compiled(root)
    ctx = Context.of(c.dataset, c.voc)
    for e in c.dataset.entities.values():
        ctx.entity(e)
    assert ctx._supports is None
    expected = facts_by_source(c.dataset)
    for s in c.dataset.sources.values():
        assert ctx.supported(s.id) == expected.get(s.id, [])
        assert ctx.source(s)["count"] == len(expected.get(s.id, []))
    assert ctx._supports is not None


def test_a_facts_trust_is_its_most_trusted_known_source(voc):
    """`best_trust`: "none" without a known source; one source's own trust; of several,
    the first in the ontology's trust order; a reference to no source record is ignored."""
    from pathlib import Path

    from personkg.model import Claim, Dataset, Reference, Source
    from personkg.site.facts import best_trust

    ds = Dataset(root=Path("."))
    for sid, trust in (("hi", "high"), ("lo", "low"), ("mid", "medium")):
        ds.sources[sid] = Source(sid, Path("s.yaml"), fields={"trust": trust})

    def trust(*sources: str) -> str:
        return best_trust(ds, voc, Claim("p", "v", references=[Reference(s) for s in sources]))

    assert trust() == "none" and trust("gone") == "none"
    assert trust("lo") == "low" and trust("mid") == "medium" and trust("hi") == "high"
    assert trust("lo", "hi") == "high" and trust("mid", "lo") == "medium"
    assert trust("gone", "lo") == "low" and trust("lo", "gone", "mid") == "medium"
    assert voc.trust_order()[:3] == ["high", "medium", "low"]
