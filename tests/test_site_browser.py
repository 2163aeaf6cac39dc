"""Every kind of page of the site (person, organization, paper, source, index) in headless
Chromium at 1280 and 390 px wide, on the embedded dataset and on the second one: no horizontal
overflow of the page, no serious or critical axe-core violation (`make axe` installs
axe-core with npm into .cache/axe), every paper title of the person as text, inverse links
that lead where they should, and the index's search box."""

from __future__ import annotations

import pytest

from browser import axe_violations, chromium, overflow, set_width
from conftest import FIXTURES, REPO

# dataset -> (folder, {kind: record id}, the person, an organization they worked for, a
# source and an entity it supports)
DATASETS = {
    "showcase": (REPO / "data", {"person": "jan-leike", "organization": "openai",
                                 "paper": "deep-rl-from-human-preferences",
                                 "source": "80000-hours-ep-159-jan-leike"}),
    "second": (FIXTURES / "second", {"person": "grace-example", "organization": "example-lab",
                                     "paper": "ordered-paper", "source": "lab-people"}),
}
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    from personkg.cli import main

    out = {}
    for name, (data, _) in DATASETS.items():
        site = tmp_path_factory.mktemp(name) / "site"
        try:
            main(["site", "--data", str(data), "--out", str(site)])
        except SystemExit as exc:
            assert exc.code in (0, None)
        out[name] = site
    return out


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _open(browser, site, kind: str, dataset: str) -> None:
    page = "index.html" if kind == "index" else f"id/{DATASETS[dataset][1][kind]}.html"
    browser.get((site / page).as_uri())


@pytest.mark.parametrize("dataset", list(DATASETS))
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_fits_and_passes_axe(sites, browser, dataset, width):
    set_width(browser, width)
    assert browser.execute_script("return window.innerWidth") == width
    problems = {}
    for kind in ("person", "organization", "paper", "source", "index"):
        _open(browser, sites[dataset], kind, dataset)
        wider = overflow(browser)
        found = axe_violations(browser)
        if wider or found:
            problems[kind] = {"overflow": wider, "axe": found}
    assert not problems, problems


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_the_person_page_shows_every_paper_title(sites, browser, dataset):
    from selenium.webdriver.common.by import By

    from personkg.pipeline import compiled

    data, ids = DATASETS[dataset]
    c = compiled(data)
    author_keys = {k for k, p in c.voc.claims.items() if p.citation_field == "author"}
    titles = [w.name for w in c.dataset.entities.values()
              if w.type in c.voc.scholarly_types()
              and any(cl.property in author_keys and str(cl.value) == ids["person"]
                      and cl.rank != "deprecated" for cl in w.claims)]
    assert titles
    for width in WIDTHS:
        set_width(browser, width)
        _open(browser, sites[dataset], "person", dataset)
        text = browser.find_element(By.TAG_NAME, "main").text
        missing = [t for t in titles if t not in text]
        assert not missing, (width, missing)
        svg = browser.find_element(By.ID, "timeline")
        assert svg.size["width"] > 300 and svg.size["height"] > 50
        # the co-author picture is drawn within the page's width, every co-author named
        picture = browser.find_element(By.CSS_SELECTOR, "svg.coauthors")
        assert 250 < picture.size["width"] <= width and picture.size["height"] > 250
        names = {t.text for t in picture.find_elements(By.TAG_NAME, "text")}
        assert len(names) >= 2


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_inverse_links_lead_to_the_person_and_the_supported_entity(sites, browser, dataset):
    from selenium.webdriver.common.by import By

    ids = DATASETS[dataset][1]
    _open(browser, sites[dataset], "organization", dataset)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.inverse tr")
    employer = [r for r in rows if r.find_element(By.TAG_NAME, "th").text == "employer of"]
    assert employer, "the organization lists no employee"
    employer[0].find_element(By.CSS_SELECTOR, f'a[href="{ids["person"]}.html"]').click()
    assert browser.current_url.endswith(f"/id/{ids['person']}.html")
    person = browser.find_element(By.TAG_NAME, "h1").text

    _open(browser, sites[dataset], "source", dataset)
    headings = browser.find_elements(By.CSS_SELECTOR, "section.supported h3 a")
    assert headings, "the source supports no fact"
    names = [h.text for h in headings]
    target = headings[0].get_attribute("href")
    headings[0].click()
    assert browser.current_url == target
    assert browser.find_element(By.TAG_NAME, "h1").text == names[0]
    if dataset == "second":
        assert person == "Grace Example" and "Grace Example" in names

    # and back: the entity's note for that source leads to the source's page
    notes = browser.find_elements(By.CSS_SELECTOR, f'ol.refs a[href="{ids["source"]}.html"]')
    assert notes
    notes[0].click()
    assert browser.current_url.endswith(f"/id/{ids['source']}.html")


def test_the_index_search_box_finds_a_name_offline(sites, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    set_width(browser, 390)
    browser.get((sites["showcase"] / "index.html").as_uri())
    box = browser.find_element(By.ID, "q")
    assert box.is_displayed()
    box.send_keys("leike")
    WebDriverWait(browser, 5).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#hits a"))
    hits = browser.find_elements(By.CSS_SELECTOR, "#hits a")
    assert any(h.get_attribute("href").endswith("id/jan-leike.html") for h in hits)
    assert overflow(browser) == 0
