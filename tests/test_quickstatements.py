"""QuickStatements export: golden files reviewed by hand (tests/cases/quickstatements/README.md),
every line valid by a parser written from the documented grammar (tests/qs_grammar.py), stable
across runs, deprecated statements never exported, values that do not fit refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from qs_grammar import parse_csv, parse_v1

from conftest import CASES, REPO, mark_absent, run_process
from personkg.export.quickstatements import Unfit, _value
from personkg.model import Date, Text
from personkg.pipeline import check_dataset as check

CASE = CASES / "quickstatements"


@pytest.mark.parametrize(("args", "golden"), [
    ((), "expected.qs"),
    (("--create-missing",), "expected-create.qs"),
])
def test_export_matches_the_reviewed_golden_file(run, tmp_path, args, golden):
    data = mark_absent(Path(shutil.copytree(CASE / "data", tmp_path / "data")))
    result = run("export", "--data", str(data), "--format", "quickstatements", *args)
    assert result.code == 0, result.err
    assert result.out == (CASE / golden).read_text(encoding="utf-8")
    parse_v1(result.out)  # every line parses


def test_csv_form_matches_the_golden_file_and_parses(run):
    result = run("export", "--data", str(CASE / "data"), "--format", "qs-csv")
    assert result.out == (CASE / "expected.csv").read_text(encoding="utf-8")
    parse_csv(result.out)


def test_what_is_left_out_is_listed_on_stderr(run):
    result = run("export", "--data", str(CASE / "data"), "--format", "quickstatements")
    assert "quickstatements: 10 statement lines" in result.err
    assert "reference to a low-trust source left out" in result.err
    assert "deprecated statement (never exported)" in result.err
    assert "doctoral_advisor: the value has no QID yet" in result.err


def test_deprecated_statements_are_never_exported(run, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(CASE / "data", data)
    out = run("export", "--data", str(data), "--format", "quickstatements").out
    # the deprecated employer statement starts in 2017; the exported one in 2016
    assert "+2016-00-00T00:00:00Z/9" in out and "+2017-00-00T00:00:00Z/9" not in out


def test_the_whole_embedded_export_is_valid_and_stable(tmp_path):
    data = mark_absent(Path(shutil.copytree(REPO / "data", tmp_path / "data")))
    first = run_process("export", "--data", str(data), "--format", "quickstatements",
                        "--create-missing")
    second = run_process("export", "--data", str(data), "--format",
                         "quickstatements", "--create-missing")
    assert first.code == 0, first.err
    assert first.out == second.out
    commands = parse_v1(first.out)
    # only entities with a referenced statement become items (most of the 134 have none)
    assert 10 < sum(1 for c in commands if c.action == "CREATE") < 134
    assert "it would carry no referenced statement" in first.err
    # quotations, podcast episodes and posts are not created as items
    assert "Lessons" not in first.out


def test_csv_with_create_missing_is_refused(run):
    result = run("export", "--data", str(CASE / "data"), "--format", "qs-csv",
                 "--create-missing")
    assert result.code == 2 and "--create-missing needs --format quickstatements" in result.err


@pytest.mark.parametrize(("key", "value", "ok"), [
    ("publication_date", Date("2017"), "+2017-00-00T00:00:00Z/9"),
    ("publication_date", Date("2017-06"), "+2017-06-00T00:00:00Z/10"),
    ("publication_date", Date("2017-06-12"), "+2017-06-12T00:00:00Z/11"),
    ("publication_date", "2017", None),  # a string is not a time
    ("title", Text("A title", "en"), 'en:"A title"'),
    ("title", "A title", None),  # monolingual text needs a language
    ("arxiv_id", "1706.03741", '"1706.03741"'),
    ("arxiv_id", 'say "hi"', None),  # QuickStatements cannot carry a double quote
    ("website", "https://example.org/", '"https://example.org/"'),
    ("website", "example.org", None),
    ("employees", 25, "25"),
    ("employees", "many", None),
])
def test_each_value_is_checked_against_its_wikidata_datatype(voc, key, value, ok):
    ds = check(REPO / "tests/fixtures/mini", shacl=False).dataset
    prop = voc.claims[key]
    if ok is None:
        with pytest.raises(Unfit):
            _value(prop, value, ds)
    else:
        assert _value(prop, value, ds) == ok


@pytest.mark.parametrize("quote", ["two\twords", "two\nlines", "two\r\nlines",
                                   "line\u2028separator", 'a "quoted" word'])
def test_a_quotation_quickstatements_cannot_carry_is_left_out_not_altered(tmp_path, quote):
    """The README's promise: a string with a double quote, tab or line break is left out and
    counted, never normalised (issue 16)."""
    from collections import Counter

    from personkg.export.quickstatements import QUOTE, _references
    from personkg.model import Claim, Dataset, Reference, Source

    ds = Dataset(root=tmp_path)
    ds.sources["s"] = Source(id="s", path=tmp_path / "s.yaml", wikidata="Q42",
                             fields={"trust": "high", "url": "https://s.example/"})
    claim = Claim(property="employer", value="x", references=[Reference("s", quote=quote)])
    skipped: Counter[str] = Counter()
    groups = _references(claim, ds, set(), skipped)
    assert groups and all(col != QUOTE for group in groups for col, _ in group)
    assert sum(n for why, n in skipped.items() if "quotation left out" in why) == 1
    plain = Claim(property="employer", value="x", references=[Reference("s", quote="fine")])
    assert any(col == QUOTE for g in _references(plain, ds, set(), Counter()) for col, _ in g)


def test_a_description_with_double_quotes_is_left_out_not_rewritten(run, tmp_path):
    """Bob's description has straight double quotes: the item is still created, without the
    description, and the reason names the double quote (it is not turned into typographic
    quotes, which QuickStatements 3 would straighten back)."""
    data = mark_absent(Path(shutil.copytree(CASE / "data", tmp_path / "data")))
    result = run("export", "--data", str(data), "--format", "quickstatements",
                 "--create-missing")
    assert 'LAST\tLen\t"Bob Example"' in result.out and "\tDen\t" not in result.out
    assert ("      1  description of a new item left out (a double quote, tab or line break in "
            "a string)") in result.err
