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
