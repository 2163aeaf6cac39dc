"""The Wikidata round trip against a local Oxigraph server loaded with a fixture in Wikidata's
own RDF shape (tests/fixtures/wikidata/: fake QIDs, see its README): reconcile by identifier,
write QIDs into the records, and export only what the fixture lacks."""

from __future__ import annotations

import shutil

import pytest
from qs_grammar import parse_v1
from servers import Wikidata

from conftest import REPO
from personkg.remote import Endpoint

WDT = "http://www.wikidata.org/prop/direct/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture
def data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(REPO / "data", dest)
    return dest


def _qid_of(endpoint: str, pattern: str) -> list[str]:
    rows = Endpoint(endpoint).query(f"SELECT ?item WHERE {{ {pattern} }} ORDER BY ?item")
    return [sol["item"].value.rsplit("/", 1)[-1] for sol in rows]


def _reconcile(run, data, wikidata: Wikidata, tmp_path, *extra):
    return run("reconcile", "--data", str(data), "--endpoint", wikidata.main,
               "--scholarly-endpoint", wikidata.scholarly, "--cache", str(tmp_path / "cache"),
               *extra)


def _against(run, data, wikidata: Wikidata, *extra):
    return run("export", "--data", str(data), "--format", "quickstatements", "--against",
               wikidata.main, "--scholarly-endpoint", wikidata.scholarly, *extra)


def test_reconcile_finds_the_fixture_items_by_identifier(run, data, wikidata, tmp_path):
    person = _qid_of(wikidata.main, f'?item <{WDT}P2002> "janleike"')
    drlhp = _qid_of(wikidata.scholarly, f'?item <{WDT}P818> "1706.03741"')
    dupes = _qid_of(wikidata.scholarly, f'?item <{WDT}P818> "2203.02155"')
    assert len(person) == len(drlhp) == 1 and len(dupes) == 2
    result = _reconcile(run, data, wikidata, tmp_path)
    assert result.code == 0, result.err
    out = result.out
    assert f"jan-leike: {person[0]} (high: " in out and "x_username janleike (P2002)" in out
    assert f"deep-rl-from-human-preferences: {drlhp[0]} (high: arxiv_id 1706.03741" in out
    # an arXiv id on two items is a likely duplicate on Wikidata, never accepted
    assert (f"training-language-models-to-follow-instructions: likely duplicate on Wikidata: "
            f"{', '.join(dupes)}") in out


def test_write_changes_only_the_wikidata_lines_of_the_matched_files(run, data, wikidata,
                                                                   tmp_path):
    before = {p: p.read_text(encoding="utf-8") for p in data.glob("*/*.yaml")}
    result = _reconcile(run, data, wikidata, tmp_path, "--write")
    assert result.code == 0, result.err
    changed = {p for p in before if p.read_text(encoding="utf-8") != before[p]}
    assert {p.stem for p in changed} == {"jan-leike", "deep-rl-from-human-preferences",
                                         "scalable-agent-alignment-via-reward-modeling"}
    for p in changed:
        old, new = before[p].splitlines(), p.read_text(encoding="utf-8").splitlines()
        assert len(old) == len(new)
        diff = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
        assert len(diff) == 1 and diff[0][0] == "wikidata: null"
        assert diff[0][1].startswith("wikidata: Q990000")
    # the written dataset still validates, and a second run finds nothing more to write
    assert run("validate", "--data", str(data)).code == 0
    again = _reconcile(run, data, wikidata, tmp_path, "--write")
    assert "wrote the QIDs into 0 record(s)" in again.err


def test_reconcile_reruns_from_the_cache(run, data, wikidata, tmp_path):
    first = _reconcile(run, data, wikidata, tmp_path)
    second = _reconcile(run, data, wikidata, tmp_path)
    assert first.out.splitlines()[:-1] == second.out.splitlines()[:-1]
    summary = second.out.splitlines()[-1]
    queries = int(summary.split("; ")[-1].split(" queries")[0])
    assert f"({queries} from cache)" in summary and queries > 0


def test_against_emits_nothing_the_fixture_already_has(run, data, wikidata, tmp_path):
    assert _reconcile(run, data, wikidata, tmp_path, "--write").code == 0
    person = _qid_of(wikidata.main, f'?item <{WDT}P2002> "janleike"')[0]
    full = run("export", "--data", str(data), "--format", "quickstatements")
    diff = _against(run, data, wikidata)
    assert full.code == 0 and diff.code == 0, diff.err
    parse_v1(diff.out)
    full_lines = [ln.split("\t") for ln in full.out.splitlines()]
    diff_lines = [ln.split("\t") for ln in diff.out.splitlines()]
    # the fixture has the X username and the website without references: only the references
    # are emitted for them, never the statements again
    assert any(ln[:3] == [person, "P2002", '"janleike"'] for ln in full_lines)
    for prop in ("P2002", "P856"):
        mine = [ln for ln in diff_lines if ln[:2] == [person, prop]]
        assert mine and all(ln[3].startswith("S") for ln in mine), prop
    # the birth year: sources disagree (1986 or 1987), so it is not exported at all
    assert not any(ln[:2] == [person, "P569"] for ln in full_lines + diff_lines)
    # the fixture dates the reward-modeling paper a day later: a conflict, reported only
    paper = _qid_of(wikidata.scholarly, f'?item <{WDT}P818> "1811.07871"')[0]
    assert any(ln[:2] == [paper, "P577"] for ln in full_lines)
    assert not any(ln[:2] == [paper, "P577"] for ln in diff_lines)
    assert f"conflict: {paper} P577: Wikidata has 2018-11-20 (day)" in diff.err
    # what is not on Wikidata yet is still emitted (the paper's arXiv id is there; its title
    # and date are compared too)
    assert len(diff_lines) < len(full_lines)


def test_against_emits_only_the_reference_for_an_unreferenced_statement(run, data, wikidata,
                                                                        tmp_path):
    assert _reconcile(run, data, wikidata, tmp_path, "--write").code == 0
    person = _qid_of(wikidata.main, f'?item <{WDT}P2002> "janleike"')[0]
    deepmind = _qid_of(wikidata.main, f'?item <{LABEL}> "DeepMind"@en')[0]
    openai = _qid_of(wikidata.main, f'?item <{LABEL}> "OpenAI"@en')[0]
    # a person confirms the organizations (reconcile only offers label matches as candidates)
    for stem, qid in (("deepmind", deepmind), ("openai", openai)):
        path = data / "organizations" / f"{stem}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("wikidata: null",
                                                                 f"wikidata: {qid}"),
                        encoding="utf-8")
    diff = _against(run, data, wikidata)
    lines = [ln.split("\t") for ln in diff.out.splitlines()]
    full = run("export", "--data", str(data), "--format", "quickstatements")
    full_lines = [ln.split("\t") for ln in full.out.splitlines()]
    deepmind_lines = [ln for ln in lines if ln[:3] == [person, "P108", deepmind]]
    # the fixture's DeepMind employment has no reference: each of ours is sent again, with
    # the statement's qualifiers (start and end), so QuickStatements adds it to that statement
    assert deepmind_lines == [ln for ln in full_lines if ln[:3] == [person, "P108", deepmind]]
    # (the undated statement of his agent alignment team role is sent without a start)
    dated = [ln for ln in deepmind_lines if "P580" in ln]
    assert dated and all(ln[3:5] == ["P580", "+2016-00-00T00:00:00Z/9"] for ln in dated)
    # the fixture's OpenAI employment has one of our references (TIME): only the others go
    ours = [ln for ln in full_lines if ln[:3] == [person, "P108", openai]]
    sent = [ln for ln in lines if ln[:3] == [person, "P108", openai]]
    time100 = [ln for ln in ours if '"https://time.com/collection/time100-ai/6310616/jan-leike"'
               in ln]
    assert len(time100) == 1 and len(ours) > 1
    assert sent == [ln for ln in ours if ln not in time100]
    assert "get a missing reference" in diff.err
