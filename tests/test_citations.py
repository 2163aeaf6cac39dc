"""Citations for reference managers (CSL-JSON, BibTeX): every scholarly work, its authors in
order (an author without a record by the printed name), fields as the ontology's
pkg:citationField maps them, only what a medium- or high-trust source states."""

from __future__ import annotations

import json

import bibtexparser
from bibtexparser.bparser import BibTexParser

from conftest import FIXTURES, REPO

SECOND = FIXTURES / "second"


def _export(run, data, fmt):
    result = run("export", "--data", str(data), "--format", fmt)
    assert result.code == 0, result.err
    return result.out


def test_csl_json_keeps_author_order_and_names_as_printed(run):
    items = {i["id"]: i for i in json.loads(_export(run, SECOND, "csl-json"))}
    assert sorted(items) == ["explicit-paper", "ordered-paper", "unordered-note"]
    ordered = items["ordered-paper"]
    assert ordered["author"] == [{"family": "Example", "given": "Grace"},
                                 {"family": "Printed-Name", "given": "Mary"},
                                 {"literal": "A. Example"}]
    assert ordered["issued"] == {"date-parts": [[2023, 9, 14]]}
    assert ordered["URL"] == "https://workshop.example.org/2023/papers/7"
    assert ordered["type"] == "article"


def test_bibtex_reads_back_with_the_same_authors_and_fields(run):
    text = _export(run, SECOND, "bibtex")
    entries = {e["ID"]: e for e in bibtexparser.loads(
        text, parser=BibTexParser(common_strings=True)).entries}
    assert entries["ordered-paper"]["author"] == \
        "Example, Grace and Printed-Name, Mary and {A. Example}"
    assert entries["ordered-paper"]["year"] == "2023"
    assert entries["explicit-paper"]["ENTRYTYPE"] == "misc"


def test_showcase_papers_cite_their_venue_and_arxiv_id(run):
    data = REPO / "data"
    entries = {e["ID"]: e for e in bibtexparser.loads(
        _export(run, data, "bibtex"), parser=BibTexParser(common_strings=True)).entries}
    paper = entries["deep-rl-from-human-preferences"]
    assert paper["ENTRYTYPE"] == "inproceedings"
    assert paper["booktitle"] == "NeurIPS 2017"
    assert paper["eprint"] == "1706.03741" and paper["archiveprefix"] == "arXiv"
    assert paper["author"].startswith("Christiano, Paul and Leike, Jan")
    thesis = entries["nonparametric-general-reinforcement-learning"]
    assert thesis["ENTRYTYPE"] == "phdthesis"


def test_tex_special_characters_are_escaped(run, tmp_path):
    import shutil

    data = tmp_path / "second"
    shutil.copytree(SECOND, data)
    paper = data / "works" / "explicit-paper.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace(
        "value: An Explicit Example Paper", "value: 50% of {braces} & $money_#1"),
        encoding="utf-8")
    text = _export(run, data, "bibtex")
    assert r"title = {{50\% of \{braces\} \& \$money\_\#1}}" in text
    entries = bibtexparser.loads(text, parser=BibTexParser(common_strings=True)).entries
    assert len(entries) == 3


def test_one_work_or_one_authors_works_with_entity(run):
    one = json.loads(run("export", "--data", str(SECOND), "--format", "csl-json", "--entity",
                         "ordered-paper").out)
    assert [i["id"] for i in one] == ["ordered-paper"]
    grace = run("export", "--data", str(SECOND), "--format", "bibtex", "--entity",
                "grace-example").out
    ids = sorted(e["ID"] for e in bibtexparser.loads(
        grace, parser=BibTexParser(common_strings=True)).entries)
    assert len(ids) == 3  # explicit-paper, ordered-paper, unordered-note
    hutter = json.loads(run("export", "--data", str(REPO / "data"), "--format", "csl-json",
                            "--entity", "marcus-hutter").out)
    assert len(hutter) == 9 and all(
        any(a.get("family") == "Hutter" for a in i["author"]) for i in hutter)
    missing = run("export", "--data", str(SECOND), "--format", "bibtex", "--entity",
                  "exampleland")
    assert missing.code == 2 and "no work, and no author of a work" in missing.err


def test_a_paper_page_has_a_cite_box_a_parser_reads(tmp_path, run):
    import html
    import re

    out = tmp_path / "site"
    assert run("site", "--data", str(SECOND), "--out", str(out)).code == 0
    page = (out / "id" / "ordered-paper.html").read_text(encoding="utf-8")
    pres = [html.unescape(p) for p in re.findall(r"<pre>(.*?)</pre>", page, re.S)]
    assert len(pres) == 2
    [entry] = bibtexparser.loads(pres[0], parser=BibTexParser(common_strings=True)).entries
    assert entry["title"] == "{An Ordered Example Paper}"  # braces keep its capitals
    assert entry["author"] == "Example, Grace and Printed-Name, Mary and {A. Example}"
    assert json.loads(pres[1])[0]["id"] == "ordered-paper"
    # and each fact carries its best source's trust
    person = (out / "id" / "grace-example.html").read_text(encoding="utf-8")
    assert '<span class="trust trust-high">trust: high</span>' in person


def test_every_works_items_are_worked_out_once_per_dataset():
    """The site's pages and its citation downloads share one list: `csl_items` of a whole
    dataset is kept in `ds.memo`; one work's or one author's items are not kept."""
    from personkg import pipeline
    from personkg.export.citations import csl_items

    c = pipeline.compiled(SECOND)
    every = csl_items(c.dataset, c.voc)
    assert csl_items(c.dataset, c.voc) is every and c.dataset.memo["csl-items"] is every
    assert "ordered-paper" in [i["id"] for i in every]
    one = csl_items(c.dataset, c.voc, "ordered-paper")
    assert [i["id"] for i in one] == ["ordered-paper"]
    assert csl_items(c.dataset, c.voc) is every  # the one work's items left it whole
