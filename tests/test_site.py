"""`personkg site`: pages, Turtle and JSON-LD beside them, dump, metadata, sitemap; the JSON-LD
read back with extruct as a consumer would; escaping; and the person's page in headless
Chromium (screenshot kept in tests/artifacts/)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import extruct
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from browser import chromium
from conftest import FIXTURES, REPO

ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from personkg.cli import main

    out = tmp_path_factory.mktemp("site") / "site"
    try:
        main(["site", "--data", str(REPO / "data"), "--out", str(out)])
    except SystemExit as exc:
        assert exc.code in (0, None)
    return out


def _jsonld_of(page) -> list[dict]:
    html = page.read_text(encoding="utf-8")
    return extruct.extract(html, base_url=page.as_uri(), syntaxes=["json-ld"],
                           uniform=False)["json-ld"]


def test_every_entity_has_a_page_turtle_and_jsonld(site):
    records = [p.stem for p in (REPO / "data").glob("*/*.yaml")
               if p.parent.name != "sources"]
    for rid in records:
        for ext in ("html", "ttl", "jsonld"):
            assert (site / "id" / f"{rid}.{ext}").is_file(), f"{rid}.{ext}"
    leike = Graph().parse(site / "id" / "jan-leike.ttl", format="turtle")
    jl = Graph().parse(site / "id" / "jan-leike.jsonld", format="json-ld")
    assert isomorphic(leike, jl) and len(leike) > 100
    for name in ("index.html", "dataset.ttl", "dataset.nt", "dataset.jsonld", "sitemap.xml",
                 "dataset-metadata.jsonld"):
        assert (site / name).is_file(), name


def test_sitemap_and_dataset_metadata(site):
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == len(list((site / "id").glob("*.html"))) + 1
    assert "https://w3id.org/personkg/id/jan-leike.html" in locs
    meta = json.loads((site / "dataset-metadata.jsonld").read_text(encoding="utf-8"))
    triples = len((site / "dataset.nt").read_text(encoding="utf-8").splitlines())
    assert meta["@type"] == "Dataset" and meta["size"] == f"{triples} triples"
    assert meta["license"].startswith("https://creativecommons.org/")


def test_extruct_reads_back_the_schema_org_export(site, run):
    export = run("export", "--data", str(REPO / "data"), "--format", "schemaorg").out
    embedded = _jsonld_of(site / "id" / "jan-leike.html")
    assert len(embedded) == 1
    g_page = Graph().parse(data=json.dumps(embedded[0]), format="json-ld")
    g_export = Graph().parse(data=export, format="json-ld")
    assert len(g_export) > 50 and isomorphic(g_page, g_export)


def test_person_page_shows_timeline_citations_and_deprecated_claims(site):
    page = (site / "id" / "jan-leike.html").read_text(encoding="utf-8")
    # a group, not an img: its paper dots are links (axe: nested-interactive)
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="group" id="timeline"' in page
    assert 'href="#ref-1"' in page and '<li id="ref-1">' in page
    assert "Claims a better source contradicts" in page
    assert "Since joining DeepMind in 2016" in page  # the source's own words, cited


def test_text_is_escaped_and_script_json_cannot_break_out(tmp_path, run):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", data)
    nasty = 'Ada </script><script>alert(1)</script> <!-- "x" & <b>bold</b>'
    person = data / "people" / "ada-example.yaml"
    person.write_text(person.read_text(encoding="utf-8").replace(
        "description: a researcher who exists only in tests",
        f"description: '{nasty}'"), encoding="utf-8")
    source = data / "sources" / "acme-site.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "title: About Acme", f"title: '{nasty}'"), encoding="utf-8")
    out = tmp_path / "site"
    result = run("site", "--data", str(data), "--out", str(out))
    assert result.code == 0, result.err
    page_path = out / "id" / "ada-example.html"
    page = page_path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "<b>bold" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page
    assert page.count("</script>") == 1  # only the JSON-LD element's own end tag
    (jsonld,) = _jsonld_of(page_path)
    assert jsonld["mainEntity"]["description"] == nasty
    for page_path in (out / "id" / "acme-site.html", out / "index.html"):  # a source's title
        page = page_path.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in page and "<b>bold" not in page, page_path.name
        assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page, page_path.name
    # search.json holds the names as data; the search box writes them as text, never HTML
    names = [i["name"] for i in json.loads((out / "search.json").read_text(encoding="utf-8"))]
    assert nasty in names
    script = (out / "search.js").read_text(encoding="utf-8")
    assert "textContent" in script and "innerHTML" not in script
    (jsonld,) = _jsonld_of(out / "id" / "acme-site.html")
    assert jsonld["name"] == nasty


def test_the_person_page_in_headless_chromium(site):
    from selenium.webdriver.common.by import By

    with chromium(1200, 1800) as browser:
        browser.get((site / "id" / "jan-leike.html").as_uri())
        assert browser.find_element(By.TAG_NAME, "h1").text == "Jan Leike"
        svg = browser.find_element(By.ID, "timeline")
        assert svg.size["height"] > 100 and svg.size["width"] > 500
        bars = svg.find_elements(By.TAG_NAME, "rect")
        assert len(bars) >= 4
        citations = browser.find_elements(By.CSS_SELECTOR, "ol.refs li")
        assert len(citations) > 10
        assert browser.find_element(By.ID, "ref-1").is_displayed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(ARTIFACTS / "person-page.png"))


def test_uri_of_keeps_ascii_and_encodes_the_rest():
    from personkg.model import uri_of

    for ascii_url in ("https://example.org/kg/", "http://[::1]:8080/a%C3%A9/",
                      "https://w3id.org/personkg/"):
        assert uri_of(ascii_url) == ascii_url
    assert uri_of("https://exämple.org/café/") == "https://xn--exmple-cua.org/caf%C3%A9/"
    assert uri_of("http://例え.テスト:8080/é%20x/") == \
        "http://xn--r8jz45g.xn--zckzah:8080/%C3%A9%20x/"  # port and escapes kept
    # UTS 46, as browsers read a name: not IDNA 2003's mapping to another domain
    assert uri_of("https://straße.de/") == "https://xn--strae-oqa.de/"
    assert uri_of("https://ς.gr/") == "https://xn--3xa.gr/"
    for bad in ("https://" + "ä" * 70 + ".org/", "https://exa\u200dmple.org/",
                "https://exa\uff03mple.org/", "https://exämple.org:99999/",
                "https://example.org:0/", "https://exämple.org:0/",
                "https://" + "漢" * 10_000 + ".org/"):  # the last refused before IDNA's work
        with pytest.raises(ValueError):
            uri_of(bad)


def _addresses(site):
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    meta = json.loads((site / "dataset-metadata.jsonld").read_text(encoding="utf-8"))
    return locs, [meta["@id"], *(d["contentUrl"] for d in meta["distribution"])]


def test_a_site_address_that_is_not_ascii_is_written_as_a_uri(tmp_path, run):
    """A sitemap's `<loc>` must be a URI: a site address with non-ASCII letters (from
    `--site-url` or `site_url:`) has its host in IDNA and the rest percent-encoded, in the
    sitemap and the dataset's metadata alike; on the showcase and the second dataset."""
    out = tmp_path / "showcase"
    result = run("site", "--data", str(REPO / "data"), "--out", str(out),
                 "--site-url", "https://exämple.org/wissen/café")
    assert result.code == 0, result.err
    locs, urls = _addresses(out)
    assert locs[0] == "https://xn--exmple-cua.org/wissen/caf%C3%A9/index.html"
    assert "https://xn--exmple-cua.org/wissen/caf%C3%A9/id/jan-leike.html" in locs
    assert urls[0] == "https://xn--exmple-cua.org/wissen/caf%C3%A9/#dataset"
    assert all(u.isascii() for u in [*locs, *urls])

    data = tmp_path / "second"
    shutil.copytree(FIXTURES / "second", data)
    meta = data / "dataset.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "site_url: https://example.org/ß/kg/\n",
                    encoding="utf-8")
    result = run("site", "--data", str(data), "--out", str(tmp_path / "site2"))
    assert result.code == 0, result.err
    locs, urls = _addresses(tmp_path / "site2")
    assert locs[0] == "https://example.org/%C3%9F/kg/index.html"
    assert "https://example.org/%C3%9F/kg/id/grace-example.html" in locs
    assert "https://example.org/%C3%9F/kg/dataset.ttl" in urls
    assert all(u.isascii() for u in [*locs, *urls])

    # one that has no URI is the data's problem, reported when read: nothing is written
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "site_url: https://example.org/ß/kg/", 'site_url: "https://exa\u200dmple.org/"'),
        encoding="utf-8")
    result = run("site", "--data", str(data), "--out", str(tmp_path / "site3"))
    assert result.code == 1 and "Traceback" not in result.err
    assert "dataset.yaml:12: error bad-value: site_url: " in result.err
    assert not (tmp_path / "site3").exists()
    bad = run("site", "--data", str(data), "--out", str(tmp_path / "site4"),
              "--site-url", "https://שלום1a.com/")
    assert bad.code == 2 and bad.err.count("\n") == 1 and "IDNA" in bad.err
