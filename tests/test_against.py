"""`export --against`: what Wikidata already has, asked at the right endpoint, and what is sent.

Against the two local Wikidata-shaped servers (tests/fixtures/wikidata/, fake QIDs), and
unit-level on `against()` for each rule: coarser and finer dates, missing references, author
name strings replaced by items."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from qs_grammar import parse_v1
from servers import Wikidata

from conftest import FIXTURES, REPO
from personkg.export.quickstatements import QSExport, QSLine
from personkg.vocab import Vocabulary
from personkg.wikidata.diff import Existing, Held, against, compare

PAPER = "Q990000005"  # Deep RL from human preferences, in the scholarly fixture
#: a fake QID for Paul Christiano, the paper's first author (not in the fixtures)
PAUL = "Q990000050"


def _set_qid(path: Path, qid: str) -> None:
    text = path.read_text(encoding="utf-8")
    if re.search(r"^wikidata:", text, re.M):
        text = re.sub(r"^wikidata: null$", f"wikidata: {qid}", text, count=1, flags=re.M)
    else:
        text = re.sub(r"^(name: .*)$", rf"\1\nwikidata: {qid}", text, count=1, flags=re.M)
    assert f"wikidata: {qid}\n" in text
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(REPO / "data", dest)
    _set_qid(dest / "works" / "deep-rl-from-human-preferences.yaml", PAPER)
    _set_qid(dest / "people" / "jan-leike.yaml", "Q990000001")
    return dest


def _lines(text: str) -> list[list[str]]:
    return [ln.split("\t") for ln in text.splitlines()]


def _export(run, data, *extra):
    result = run("export", "--data", str(data), "--format", "quickstatements", *extra)
    assert result.code == 0, result.err
    parse_v1(result.out)
    return result


def _against(run, data, wd: Wikidata, scholarly: str | None = None):
    return _export(run, data, "--against", wd.main, "--scholarly-endpoint",
                   scholarly or wd.scholarly)


# ------------------------------------------------------------------ author name strings

@pytest.mark.parametrize("dataset", ["showcase", "second"])
def test_authors_without_a_qid_go_out_as_name_strings_with_their_place(run, tmp_path, dataset):
    if dataset == "showcase":
        data = tmp_path / "data"
        shutil.copytree(REPO / "data", data)
        _set_qid(data / "works" / "deep-rl-from-human-preferences.yaml", PAPER)
        _set_qid(data / "people" / "jan-leike.yaml", "Q990000001")
        expected = {"1": ("P2093", '"Paul Christiano"'), "2": ("P50", "Q990000001"),
                    "3": ("P2093", '"Tom B. Brown"'), "4": ("P2093", '"Miljan Martic"'),
                    "5": ("P2093", '"Shane Legg"'), "6": ("P2093", '"Dario Amodei"')}
        subject = PAPER
    else:
        data = tmp_path / "data"
        shutil.copytree(FIXTURES / "second", data)
        _set_qid(data / "works" / "ordered-paper.yaml", "Q990000060")
        _set_qid(data / "people" / "grace-example.yaml", "Q990000061")
        # Grace by her item; Mary (no record) and Alan (no QID; "as printed") by name string
        expected = {"1": ("P50", "Q990000061"), "2": ("P2093", '"Mary Printed-Name"'),
                    "3": ("P2093", '"A. Example"')}
        subject = "Q990000060"
    out = _lines(_export(run, data).out)
    authors = {}
    for ln in out:
        if ln[0] == subject and ln[1] in ("P50", "P2093"):
            place = ln[ln.index("P1545") + 1].strip('"')
            authors[place] = (ln[1], ln[2])
    assert authors == expected  # every author kept, at its place


def test_a_coauthor_who_gets_a_qid_replaces_the_name_string(run, data, wikidata):
    _set_qid(data / "people" / "paul-christiano.yaml", PAUL)
    result = _against(run, data, wikidata)
    lines = _lines(result.out)
    # the P50 with the same ordinal is sent, and the name string at that place removed
    assert any(ln[:3] == [PAPER, "P50", PAUL] and ln[3:5] == ["P1545", '"1"'] for ln in lines)
    assert ["-" + PAPER, "P2093", '"Paul Christiano"'] in lines
    assert "1 author name strings replaced by items" in result.err
    # the third author's name string is there with the arXiv reference: only the other goes
    brown = [ln for ln in lines if ln[:3] == [PAPER, "P2093", '"Tom B. Brown"']]
    assert len(brown) == 1 and '"https://nips.cc/virtual/2017/poster/9209"' in brown[0]
    # Jan Leike's P50 (ordinal 2) is there without references: ours are added
    assert not any(ln[0] == "-" + PAPER and ln[2] == '"Jan Leike"' for ln in lines)


def test_a_name_string_whose_place_wikidata_fills_with_an_item_is_left_out(run, tmp_path,
                                                                           wikidata):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    _set_qid(data / "works" / "deep-rl-from-human-preferences.yaml", PAPER)  # not Jan's QID
    full = _lines(_export(run, data).out)
    assert any(ln[:3] == [PAPER, "P2093", '"Jan Leike"'] for ln in full)
    result = _against(run, data, wikidata)
    assert not any(ln[:3] == [PAPER, "P2093", '"Jan Leike"'] for ln in _lines(result.out))
    assert "1 name strings already items there" in result.err


# ------------------------------------------------------------------ endpoints

def test_scholarly_works_are_asked_at_the_scholarly_endpoint(run, data, wikidata):
    arxiv_brown = [PAPER, "P2093", '"Tom B. Brown"', "P1545", '"3"', "S854",
                   '"https://arxiv.org/abs/1706.03741v3"']
    routed = _lines(_against(run, data, wikidata).out)
    assert not any(ln[:7] == arxiv_brown for ln in routed)  # the scholarly server has it
    # asked at the main endpoint only, the paper looks absent: everything is sent again
    misrouted = _lines(_against(run, data, wikidata, scholarly=wikidata.main).out)
    assert any(ln[:7] == arxiv_brown for ln in misrouted)


# ------------------------------------------------------------------ rules, unit level

@pytest.mark.parametrize(("ours", "theirs", "precision", "verdict"), [
    ("+2017-00-00T00:00:00Z/9", "2017-06-12T00:00:00Z", 11, "coarser"),
    ("+2017-06-12T00:00:00Z/11", "2017-01-01T00:00:00Z", 9, "finer"),
    ("+2017-06-00T00:00:00Z/10", "2017-06-01T00:00:00Z", 10, "same"),
    ("+2017-06-12T00:00:00Z/11", "2017-06-12T00:00:00Z", 11, "same"),
    ("+2017-06-12T00:00:00Z/11", "2017-06-13T00:00:00Z", 11, "different"),
    ("+2017-06-00T00:00:00Z/10", "2017-07-01T00:00:00Z", 9, "finer"),  # same year: 2017
    ("+2017-06-00T00:00:00Z/10", "2018-01-01T00:00:00Z", 9, "different"),
    ("+2016-00-00T00:00:00Z/9", "2017-01-01T00:00:00Z", 9, "different"),
])
def test_dates_are_compared_at_the_coarser_precision(ours, theirs, precision, verdict):
    assert compare(ours, Held(theirs, precision)) == verdict


def test_values_other_than_dates_compare_exactly():
    assert compare('"1706.03741"', Held("1706.03741")) == "same"
    assert compare('en:"A title"', Held("A title")) == "same"
    assert compare("Q5", Held("Q5")) == "same" and compare("Q5", Held("Q6")) == "different"
    assert compare("25", Held("25.0")) == "same"


def _one(line: QSLine, held: dict[tuple[str, str], list[Held]]):
    voc = Vocabulary.load()
    out, diff = against(QSExport([[line]]), Existing(held), voc)
    return out.lines(), diff


REF = (("S854", '"https://a.example/"'),)


def test_a_refinement_is_reported_and_not_sent():
    line = QSLine("Q1", "P577", "+2017-06-12T00:00:00Z/11", (), REF)
    sent, diff = _one(line, {("Q1", "P577"): [Held("2017-01-01T00:00:00Z", 9)]})
    assert sent == [] and diff.refinements == ["Q1 P577: Wikidata has 2017 (year), the dataset "
                                               "+2017-06-12T00:00:00Z/11"]
    assert diff.conflicts == []


def test_a_more_precise_date_on_wikidata_counts_as_present():
    line = QSLine("Q1", "P577", "+2017-00-00T00:00:00Z/9", (), REF)
    held = Held("2017-06-12T00:00:00Z", 11, references=[{("P854", "https://a.example/")}])
    sent, diff = _one(line, {("Q1", "P577"): [held]})
    assert sent == [] and diff.present == 1 and diff.more_precise_there == 1


def test_a_different_single_value_is_a_conflict_and_not_sent():
    line = QSLine("Q1", "P577", "+2018-11-19T00:00:00Z/11", (), REF)
    sent, diff = _one(line, {("Q1", "P577"): [Held("2018-11-20T00:00:00Z", 11)]})
    assert sent == [] and diff.conflicts == ["Q1 P577: Wikidata has 2018-11-20 (day), the "
                                             "dataset +2018-11-19T00:00:00Z/11"]


def test_a_missing_reference_is_sent_with_the_statements_qualifiers():
    quals = (("P580", "+2016-00-00T00:00:00Z/9"),)
    line = QSLine("Q1", "P108", "Q2", quals, REF)
    other = Held("Q2", references=[{("P854", "https://other.example/")}])
    sent, diff = _one(line, {("Q1", "P108"): [other]})
    assert sent == [line] and diff.references_added == 1
    same = Held("Q2", references=[{("P854", "https://a.example/"), ("P813", "x")}])
    sent, diff = _one(line, {("Q1", "P108"): [same]})
    assert sent == [] and diff.present == 1


def test_a_reference_matches_by_stated_in_when_one_side_has_no_url():
    line = QSLine("Q1", "P108", "Q2", (), (("S248", "Q7"),))
    sent, _ = _one(line, {("Q1", "P108"): [Held("Q2", references=[{("P248", "Q7")}])]})
    assert sent == []
    sent, _ = _one(line, {("Q1", "P108"): [Held("Q2", references=[{("P248", "Q8")}])]})
    assert sent == [line]


def test_lines_of_new_items_are_kept_as_they_are():
    block = [QSLine("", "CREATE"), QSLine("LAST", "Len", '"X"'),
             QSLine("LAST", "P31", "Q5")]
    out, _ = against(QSExport([block]), Existing({}), Vocabulary.load())
    assert out.lines() == block


@pytest.mark.parametrize("target", ["wikidata", "https://query.wikidata.org/sparql"])
def test_asking_wikidata_needs_a_contact_and_nothing_is_read_before(run, monkeypatch, tmp_path,
                                                                    target):
    monkeypatch.delenv("PERSONKG_CONTACT", raising=False)
    result = run("export", "--data", str(tmp_path / "no-such-folder"), "--format",
                 "quickstatements", "--against", target)
    assert result.code == 2
    assert "https://query.wikidata.org/sparql: Wikimedia asks clients to say who runs them" \
        in result.err and "Traceback" not in result.err


def test_contact_and_scholarly_endpoint_need_against(run):
    for extra in (("--contact", "me@example.org"), ("--scholarly-endpoint", "http://x/")):
        result = run("export", "--format", "quickstatements", *extra)
        assert result.code == 2 and "need --against" in result.err
