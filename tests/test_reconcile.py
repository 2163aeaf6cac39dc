"""`personkg reconcile` like a careful editor (issue 17, point 6), against the Wikidata
fixtures on two local servers (tests/fixtures/wikidata/, fake QIDs, see its README) and a
copy of the second dataset with a few records added: classes with their subclasses, labels
and aliases in English and `mul`, sources looked up and their QIDs written, the thesis on the
scholarly endpoint, cache entries that expire, the User-Agent contact, redirects."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from servers import Reply, misbehaving_server

from conftest import REPO
from personkg.cli import options
from personkg.errors import RunError
from personkg.model import Dataset, Source
from personkg.remote import Endpoint
from personkg.resources import __version__
from personkg.vocab import Vocabulary
from personkg.wikidata.cache import AnswerCache, parse_duration
from personkg.wikidata.reconcile import Match, Reconciliation, reconcile, write_qids

SECOND = REPO / "tests" / "fixtures" / "second"
EMPTY_SELECT = json.dumps({"head": {"vars": ["item"]}, "results": {"bindings": []}})


@pytest.fixture
def data(tmp_path):
    """The second dataset, with an alias, a source with a DOI and a thesis."""
    dest = tmp_path / "second"
    shutil.copytree(SECOND, dest)
    grace = dest / "people" / "grace-example.yaml"
    grace.write_text(grace.read_text(encoding="utf-8").replace(
        "name: Grace Example\n", "name: Grace Example\naliases: [G. Example]\n"),
        encoding="utf-8")
    proc = dest / "sources" / "proceedings-page.yaml"
    proc.write_text(proc.read_text(encoding="utf-8") + "doi: 10.5555/example.2023\n",
                    encoding="utf-8")
    (dest / "works" / "example-thesis.yaml").write_text(
        "id: example-thesis\ntype: Thesis\nname: An Example Thesis on Testing\nclaims:\n"
        "  author:\n    - value: grace-example\n      sources: [grace-homepage]\n",
        encoding="utf-8")
    return dest


def _reconcile(run, data, wikidata, tmp_path, *extra):
    return run("reconcile", "--data", str(data), "--endpoint", wikidata.main,
               "--scholarly-endpoint", wikidata.scholarly, "--cache", str(tmp_path / "cache"),
               *extra)


def _summary_counts(out: str) -> tuple[int, int]:
    last = out.splitlines()[-1].split("; ")[-1]  # "N queries (M from cache)"
    return int(last.split(" queries")[0]), int(last.split("(")[1].split(" from")[0])


def test_an_organization_typed_as_a_subclass_is_a_candidate(run, data, wikidata, tmp_path):
    result = _reconcile(run, data, wikidata, tmp_path)
    assert result.code == 0, result.err
    line = next(ln for ln in result.out.splitlines() if ln.startswith("example-lab:"))
    # the fixture item is P31 of a "business" class, itself P279 organization (Q43229)
    assert line.startswith("example-lab: candidate Q990000013 for a person to confirm")
    assert "instance of Q43229 or a subclass" in line


def test_an_alias_and_a_mul_label_are_candidates_never_accepted(run, data, wikidata, tmp_path):
    result = _reconcile(run, data, wikidata, tmp_path, "--format", "json")
    assert result.code == 0, result.err
    matches = {m["entity"]: m for m in json.loads(result.out)}
    grace, uni = matches["grace-example"], matches["example-university"]
    assert grace["confidence"] == "candidate" and grace["candidates"] == ["Q990000014"]
    assert 'alias "G. Example"@en is a Wikidata alias' in grace["evidence"][0]
    assert uni["confidence"] == "candidate" and uni["candidates"] == ["Q990000015"]
    assert '"Example University"@mul is a Wikidata label' in uni["evidence"][0]
    assert not grace["accepted"] and not uni["accepted"]
    assert grace["endpoint"] == uni["endpoint"] == wikidata.main


def test_a_source_with_a_doi_gets_its_qid_written(run, data, wikidata, tmp_path):
    path = data / "sources" / "proceedings-page.yaml"
    before = path.read_text(encoding="utf-8")
    others = {p: p.read_bytes() for p in data.glob("*/*.yaml") if p != path}
    result = _reconcile(run, data, wikidata, tmp_path, "--write")
    assert result.code == 0, result.err
    assert "source proceedings-page: Q990000016 (high: doi 10.5555/example.2023 (P356))" \
        in result.out
    # inserted after the title, nothing else changed; no other record is touched (the label
    # matches are candidates only)
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("title: Proceedings of the Example Workshop 2023\n",
                                   "title: Proceedings of the Example Workshop 2023\n"
                                   "wikidata: Q990000016\n")
    assert all(p.read_bytes() == raw for p, raw in others.items())
    assert run("validate", "--data", str(data)).code == 0
    again = _reconcile(run, data, wikidata, tmp_path, "--write")
    assert "wrote the QIDs into 0 record(s)" in again.err
    assert "source proceedings-page" not in again.out
    # references to that source now say "stated in" (S248) on Wikidata
    paper = data / "works" / "ordered-paper.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace(
        "name: An Ordered Example Paper", "name: An Ordered Example Paper\nwikidata: Q4115189"),
        encoding="utf-8")  # Q4115189: Wikidata's sandbox item
    qs = run("export", "--data", str(data), "--format", "quickstatements").out.splitlines()
    cited = [ln for ln in qs if '"https://workshop.example.org/2023/papers"' in ln]
    assert cited and all("\tS248\tQ990000016\tS854\t" in ln for ln in cited)


def test_write_qids_edits_a_source_record(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"id: s\r\ntype: Source\r\ntitle: T\r\nwikidata: null  # later\r\n")
    ds = Dataset(root=tmp_path)
    ds.sources["s"] = Source(id="s", path=path)
    rec = Reconciliation([Match("s", "Q990000016", "high", ["doi"], kind="source")])
    written, refused = write_qids(ds, rec)
    assert written == [path] and not refused
    assert path.read_bytes() == (b"id: s\r\ntype: Source\r\ntitle: T\r\n"
                                 b"wikidata: Q990000016  # later\r\n")


def test_the_thesis_is_asked_on_the_scholarly_endpoint(run, data, wikidata, tmp_path):
    voc = Vocabulary.load()
    thesis = (REPO / "data" / "works" / "nonparametric-general-reinforcement-learning.yaml")
    assert "type: Thesis\n" in thesis.read_text(encoding="utf-8")
    assert "Thesis" in voc.scholarly_types() and voc.wikidata_class_of("Thesis")
    result = _reconcile(run, data, wikidata, tmp_path, "--format", "json")
    match = next(m for m in json.loads(result.out) if m["entity"] == "example-thesis")
    # the item is only on the scholarly server, typed as a subclass of thesis that only the
    # main server knows: found because the subclasses are fetched there and sent as VALUES
    assert match["endpoint"] == wikidata.scholarly
    assert match["confidence"] == "candidate" and match["candidates"] == ["Q990000018"]


def test_a_redirected_qid_is_reported(run, data, wikidata, tmp_path):
    uni = data / "organizations" / "example-university.yaml"
    uni.write_text(uni.read_text(encoding="utf-8").replace(
        "name: Example University\n", "name: Example University\nwikidata: Q990000017\n"),
        encoding="utf-8")
    result = _reconcile(run, data, wikidata, tmp_path)
    assert result.code == 0, result.err
    assert "example-university: Q990000017 redirects to Q990000015" in result.out
    assert "1 redirected QIDs" in result.out.splitlines()[-1]


def test_expired_cache_entries_are_asked_again(run, data, wikidata, tmp_path):
    first = _reconcile(run, data, wikidata, tmp_path)
    queries, cached = _summary_counts(first.out)
    assert cached == 0 and queries > 0
    entries = sorted((tmp_path / "cache" / "wikidata").glob("*.json"))
    found = [p for p in entries if json.loads(p.read_text())["rows"]]
    assert len(entries) == queries and 0 < len(found) < len(entries)
    two_days_ago = time.time() - 2 * 86400
    for p in entries:  # every answer fetched two days ago
        entry = json.loads(p.read_text())
        p.write_text(json.dumps({**entry, "fetched": two_days_ago}))
    # found answers last 7 days: still fresh; "not found" lasts 1 day: asked again
    second = _reconcile(run, data, wikidata, tmp_path)
    assert _summary_counts(second.out) == (queries, len(found))
    assert first.out.splitlines()[:-1] == second.out.splitlines()[:-1]
    # the empty answers were stored again with today's time; a shorter --max-age expires the
    # two-day-old found ones too
    third = _reconcile(run, data, wikidata, tmp_path, "--max-age", "1d")
    assert _summary_counts(third.out) == (queries, len(entries) - len(found))
    fourth = _reconcile(run, data, wikidata, tmp_path, "--max-age", "1d")
    assert _summary_counts(fourth.out) == (queries, queries)


def test_a_cached_answer_counts_by_its_fetch_time(wikidata, tmp_path):
    from personkg import pipeline

    c = pipeline.compiled(SECOND, shacl=False)
    eps = Endpoint(wikidata.main), Endpoint(wikidata.scholarly)
    reconcile(c.dataset, c.voc, *eps, tmp_path)
    when = time.time() - 3600
    for p in tmp_path.glob("*.json"):
        p.write_text(json.dumps({**json.loads(p.read_text()), "fetched": when}))
    rec = reconcile(c.dataset, c.voc, *eps, tmp_path)
    assert rec.cached == rec.queries and rec.oldest == when


@pytest.mark.parametrize("garbage", [b"\x00\xffnot json", b"[1, 2]", b'{"rows": []}',
                                     b'{"fetched": "yesterday", "rows": []}',
                                     b'{"fetched": 1, "rows": [{"a": 1}]}', b"[" * 100000,
                                     b'{"fetched": 9e99, "rows": []}'])
def test_a_garbage_cache_file_counts_as_missing(run, data, wikidata, tmp_path, garbage):
    first = _reconcile(run, data, wikidata, tmp_path)
    for p in (tmp_path / "cache" / "wikidata").glob("*.json"):
        p.write_bytes(garbage)
    second = _reconcile(run, data, wikidata, tmp_path)
    assert second.code == 0, second.err
    assert second.out.splitlines()[:-1] == first.out.splitlines()[:-1]
    assert _summary_counts(second.out)[1] == 0
    for p in (tmp_path / "cache" / "wikidata").glob("*.json"):  # replaced by good entries
        assert isinstance(json.loads(p.read_text())["rows"], list)


def test_durations():
    assert parse_duration("30d") == 30 * 86400 and parse_duration("12h") == 12 * 3600
    assert parse_duration("90m") == 5400 and parse_duration("45") == 45
    for bad in ("", "d", "-1d", "1y", "1d2h", "nan"):
        with pytest.raises(RunError):
            parse_duration(bad)
    cache = AnswerCache(None, max_age=3600)
    assert cache.not_found_max_age == 3600  # never longer than --max-age


def test_wikimedia_without_contact_is_refused_and_nothing_fetched(run, data, monkeypatch):
    monkeypatch.delenv("PERSONKG_CONTACT", raising=False)
    with misbehaving_server(lambda req, n: Reply(200, EMPTY_SELECT, {
            "Content-Type": "application/sparql-results+json"})) as (local, seen):
        result = run("reconcile", "--data", str(data), "--no-cache",
                     "--endpoint", f"{local}/sparql")  # scholarly: the Wikimedia default
    assert result.code == 2 and not result.out and not seen
    assert len(result.err.strip().splitlines()) == 1
    assert "--contact" in result.err and "PERSONKG_CONTACT" in result.err
    result = run("reconcile", "--data", str(data), "--no-cache",
                 "--endpoint", "https://query.wikidata.org/sparql",
                 "--scholarly-endpoint", "http://127.0.0.1:9/sparql")
    assert result.code == 2 and "https://query.wikidata.org/sparql" in result.err


def test_wikimedia_hosts():
    assert options.is_wikimedia("https://query.wikidata.org/sparql")
    assert options.is_wikimedia("https://query-scholarly.wikidata.org/sparql")
    assert options.is_wikimedia("https://commons-query.wikimedia.org/sparql")
    assert options.is_wikimedia("https://WIKIDATA.ORG./sparql")
    for other in ("https://evilwikidata.org/sparql", "https://wikidata.org.example.com/q",
                  "http://127.0.0.1:7878/query", "https://qlever.cs.uni-freiburg.de/api"):
        assert not options.is_wikimedia(other)
    ep = options.wikidata_endpoint("https://query.wikidata.org/sparql", 90, 3, "me@example.org")
    assert ep.contact == "me@example.org"
    assert options.wikidata_endpoint("http://127.0.0.1:1/q", 90, 3, None).contact is None


@pytest.mark.parametrize("contact", ["someone", "me@example.org\r\nX-Evil: 1", "ftp://x.example",
                                     "a b@example.org"])
def test_a_contact_that_is_not_an_address_or_url_is_refused(run, data, contact):
    result = run("reconcile", "--data", str(data), "--contact", contact, "--no-cache")
    assert result.code == 2 and "--contact" in result.err and not result.out


@pytest.mark.parametrize("how", ["option", "env"])
def test_the_user_agent_carries_the_contact(run, data, monkeypatch, how):
    contact = "https://example.org/ops" if how == "env" else "ops@example.org"
    monkeypatch.delenv("PERSONKG_CONTACT", raising=False)
    extra = ["--contact", contact] if how == "option" else []
    if how == "env":
        monkeypatch.setenv("PERSONKG_CONTACT", contact)
    with misbehaving_server(lambda req, n: Reply(200, EMPTY_SELECT, {
            "Content-Type": "application/sparql-results+json"})) as (local, seen):
        result = run("reconcile", "--data", str(data), "--no-cache", "--endpoint",
                     f"{local}/main", "--scholarly-endpoint", f"{local}/scholarly", *extra)
    assert result.code == 0, result.err
    assert seen and {r.headers.get("User-Agent") for r in seen} == {
        f"personkg/{__version__} ({contact}) urllib3"}
    assert {r.path for r in seen} == {"/main", "/scholarly"}


def test_reconcile_waits_longer_than_the_query_service(run):
    result = run("reconcile", "--help")
    assert "--timeout FLOAT" in result.out and "[default: 90.0]" in result.out
    assert "--max-age DURATION" in result.out and "1 day" in result.out


def test_a_lookup_that_lands_on_a_redirect_follows_it():
    from personkg.wikidata.reconcile import _follow, _Found, _verdict

    found = _Found()
    found.evidence["paper"]["Q990000017"].append("doi 10.5555/x (P356)")
    _follow(found, {"Q990000017": "Q990000015"}, side=False)
    match = _verdict("paper", found.evidence["paper"], found.duplicates)
    assert match.accepted and match.qid == "Q990000015"
    assert "which redirects to Q990000015" in match.evidence[0]
