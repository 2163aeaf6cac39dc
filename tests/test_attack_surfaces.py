"""Hostile answers from a Wikidata-shaped server and a reconcile --write that cannot finish:
what the server says never reaches the records or the verdicts file unchecked, a malformed
answer is one line (exit 2, no traceback), and the records and reconciliation.yaml are
written together or not at all."""

from __future__ import annotations

import json
import shutil
from urllib.parse import unquote_plus

import pytest
from servers import Reply, Request, misbehaving_server

from conftest import FIXTURES, run_process
from personkg.errors import RunError
from personkg.model import Dataset, Entity
from personkg.wikidata.diff import _precision
from personkg.wikidata.reconcile import Match, Reconciliation, write_qids

WD = "http://www.wikidata.org/entity/"
JSON = {"Content-Type": "application/sparql-results+json"}


def _answer(variables: list[str], rows: list[dict]) -> Reply:
    return Reply(200, json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}),
                 JSON)


def _hostile_labels(req: Request, n: int) -> Reply:
    """Every label lookup lands on an item whose IRI is not a QID, with a language tag that
    carries a terminal escape and a line break; every other query finds nothing."""
    query = unquote_plus(req.body.decode() + req.path)
    if "?label" not in query:
        return _answer(["x"], [])
    return _answer(["label", "lang", "via", "item"], [{
        "label": {"type": "literal", "value": "Ada Example", "xml:lang": "en"},
        "lang": {"type": "literal", "value": "en\x1b[31m\nfake: line"},
        "via": {"type": "uri", "value": "http://www.w3.org/2000/01/rdf-schema#label"},
        "item": {"type": "uri", "value": WD + "Q1,extra:1"}}])


@pytest.fixture
def data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


def _reconcile(url: str, data, *extra: str):
    return run_process("reconcile", "--data", str(data), "--endpoint", url,
                       "--scholarly-endpoint", url, "--no-cache", *extra)


def test_an_item_iri_that_is_not_a_qid_never_reaches_the_verdicts_file(data):
    with misbehaving_server(_hostile_labels) as (url, _):
        result = _reconcile(url, data, "--write")
    assert result.code == 0, result.err
    assert "extra" not in result.out and "\x1b" not in result.out
    assert "fake: line" not in result.out
    assert "extra" not in (data / "reconciliation.yaml").read_text(encoding="utf-8")
    check = run_process("validate", "--data", str(data))
    assert check.code == 0, check.out + check.err


@pytest.mark.parametrize("command", ["reconcile", "against"])
def test_an_answer_with_other_variable_names_is_one_line(data, command):
    def other_names(req: Request, n: int) -> Reply:
        return _answer(["x"], [{"x": {"type": "literal", "value": "a"}}])

    (data / "people" / "ada-example.yaml").write_text(
        (data / "people" / "ada-example.yaml").read_text(encoding="utf-8")
        .replace("name: Ada Example\n", "name: Ada Example\nwikidata: Q42\n"), encoding="utf-8")
    with misbehaving_server(other_names) as (url, _):
        if command == "reconcile":
            result = _reconcile(url, data)
        else:
            result = run_process("export", "--data", str(data), "--format", "quickstatements",
                                 "--against", url, "--scholarly-endpoint", url)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert "malformed answer: a row without the variable ?" in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err


@pytest.mark.parametrize("value, expected", [("11", 11), ("9", 9), ("²", None),
                                             ("١١", None), ("", None), ("123", None)])
def test_a_time_precision_from_an_answer_is_a_small_ascii_number_or_nothing(value, expected):
    assert _precision(value) == expected


def test_records_and_verdicts_are_written_together_or_not_at_all(tmp_path):
    raw = b"id: a\ntype: Person\nname: A\n"
    path = tmp_path / "a.yaml"
    path.write_bytes(raw)
    ds = Dataset(root=tmp_path)
    ds.entities["a"] = Entity(id="a", type="Person", name="a", path=path)
    rec = Reconciliation(matches=[Match("a", "Q991", "high", ["test"])])
    blocked = tmp_path / "reconciliation.yaml"
    blocked.mkdir()  # the verdicts file cannot be written
    with pytest.raises(RunError, match="reconciliation.yaml: is a folder"):
        write_qids(ds, rec, also=((blocked, b"verdicts: {}\n"),))
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "reconciliation.yaml"]
