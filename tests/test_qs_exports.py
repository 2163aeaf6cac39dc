"""Every QuickStatements export the project makes, read by the strict grammar of
tests/qs_grammar.py WITH the datatype check (each property's values must fit the Wikidata
datatype the ontology gives it): the embedded dataset, the second dataset and the reviewed
case, with and without --create-missing, V1 and CSV. Then the rules the live parsers impose
on strings, one test each, and a record that breaks them all."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from qs_grammar import QSSyntaxError, duplicate_statements, parse_csv, parse_v1

from conftest import CASES, FIXTURES, REPO, mark_absent
from personkg.export.quickstatements import (
    INSTANCE_OF,
    RETRIEVED,
    QSExport,
    QSLine,
    Unfit,
    _monolingual,
    _string,
    to_csv,
    to_v1,
)
from personkg.pipeline import vocabulary
from personkg.vocab import Vocabulary

DATASETS = {
    "embedded": REPO / "data",
    "second": FIXTURES / "second",
    "case": CASES / "quickstatements" / "data",
}

#: the two properties the exporter writes without an ontology property behind them, with
#: their datatypes on Wikidata (instance of, retrieved)
FIXED = {INSTANCE_OF: "wikibase-item", "P" + RETRIEVED[1:]: "time"}


def datatypes_of(voc: Vocabulary) -> dict[str, str]:
    """Wikidata property -> Wikidata datatype, from the ontology (claims, qualifiers and
    reference properties), plus the exporter's fixed ones."""
    out = dict(FIXED)
    for prop in [*voc.claims.values(), *voc.qualifiers.values(), *voc.references.values()]:
        if prop.wikidata and prop.wikidata_datatype:
            assert out.setdefault(prop.wikidata, prop.wikidata_datatype) == \
                prop.wikidata_datatype, prop.wikidata
    return out


def _properties(commands) -> set[str]:
    out = set()
    for c in commands:
        if c.action != "statement":
            continue
        out.add(c.property)
        out.update(p for p, _ in c.qualifiers)
        out.update("P" + s[1:] for group in c.reference_groups() for s, _ in group)
    return out


EXPORTS = [(name, fmt, create) for name in DATASETS
           for fmt, create in (("quickstatements", False), ("quickstatements", True),
                               ("qs-csv", False))]


@pytest.mark.parametrize(("name", "fmt", "create"), EXPORTS,
                         ids=[f"{n}-{f}{'-create' if c else ''}" for n, f, c in EXPORTS])
def test_every_export_parses_with_the_ontologys_datatypes(run, tmp_path, name, fmt, create):
    root = DATASETS[name]
    if create:  # as after `reconcile --write` found none of the entities without a QID
        root = mark_absent(Path(shutil.copytree(root, tmp_path / "data")))
    args = ["export", "--data", str(root), "--format", fmt] + (["--create-missing"] * create)
    result = run(*args)
    assert result.code == 0, result.err
    datatypes = datatypes_of(vocabulary(root))
    if result.out == "":  # nothing to edit (no entity has a QID): an empty file
        assert not create and name != "case"
        return
    commands = (parse_v1 if fmt == "quickstatements" else parse_csv)(result.out,
                                                                      datatypes=datatypes)
    # every property written is one whose datatype the check knows
    assert _properties(commands) <= set(datatypes)
    assert not duplicate_statements(commands)
    if fmt == "qs-csv":
        assert_dense(result.out)
    if create and name == "embedded":  # the grouped form is exercised: a new item's
        # statement with two or more reference groups
        assert any(len(c.reference_groups()) > 1 for c in commands if c.subject == "LAST")


def assert_dense(text: str) -> None:
    """No empty cell anywhere in a qs-csv file (nor an empty row inside a document)."""
    for doc in text.split("\n\n"):
        rows = list(csv.reader(io.StringIO(doc)))
        assert rows and rows[0][0] == "qid"
        for row in rows:
            assert row and all(cell != "" for cell in row), row
            assert len(row) == len(rows[0])
        assert sum(1 for r in rows if r[0] == "qid") == 1  # one header row per document


# ------------------------------------------------------------------ CREATE blocks (!S)


def test_a_new_items_statement_with_two_references_is_one_line_with_a_further_group():
    refs_a = (("S248", "Q1"), ("S813", "+2024-00-00T00:00:00Z/9"))
    refs_b = (("S854", '"https://example.org/"'),)
    export = QSExport(blocks=[
        [QSLine("", "CREATE"), QSLine("LAST", "Len", '"X"'),
         QSLine("LAST", "P31", "Q5", (), refs_a), QSLine("LAST", "P31", "Q5", (), refs_b),
         QSLine("LAST", "P108", "Q7", (), refs_a)],
        [QSLine("", "CREATE"), QSLine("LAST", "P31", "Q5", (), refs_a)],
        [QSLine("Q9", "P31", "Q5", (), refs_a), QSLine("Q9", "P31", "Q5", (), refs_b)],
    ])
    text = to_v1(export)
    assert text.splitlines() == [
        "CREATE",
        'LAST\tLen\t"X"',
        'LAST\tP31\tQ5\tS248\tQ1\tS813\t+2024-00-00T00:00:00Z/9\t!S854\t"https://example.org/"',
        "LAST\tP108\tQ7\tS248\tQ1\tS813\t+2024-00-00T00:00:00Z/9",
        "CREATE",  # a new CREATE: LAST is another item, nothing is merged across
        "LAST\tP31\tQ5\tS248\tQ1\tS813\t+2024-00-00T00:00:00Z/9",
        # an existing item: one line per reference (QuickStatements adds each to the statement)
        "Q9\tP31\tQ5\tS248\tQ1\tS813\t+2024-00-00T00:00:00Z/9",
        'Q9\tP31\tQ5\tS854\t"https://example.org/"',
    ]
    commands = parse_v1(text)
    assert not duplicate_statements(commands)
    assert commands[2].more_references and len(commands[2].reference_groups()) == 2


# ------------------------------------------------------------------ the string rules

#: (text, the rule's words in the reason): one per rule of the live parsers
UNFIT = [
    ('say "hi"', "double quote"),
    ("two\twords", "tab"),
    ("two\nlines", "line break"),
    ("a|b", "'|'"),
    ("a||b", "'|'"),
    ("say \u201chi\u201d", "curly double quote"),
    ("C:\\", "backslash"),
    (" padded", "white space"),
    ("", "empty"),
]


@pytest.mark.parametrize(("text", "rule"), UNFIT, ids=[r for _, r in UNFIT])
def test_each_string_rule_leaves_the_value_out_and_the_grammar_agrees(text, rule):
    with pytest.raises(Unfit) as info:
        _string(text)
    assert rule in str(info.value)
    # what a writer without the rule would write is refused by the grammar (V1 and CSV)
    naive = f'"{text}"'
    if rule == "double quote":
        return  # both parsers take inner quotes verbatim (the grammar too); the writer is
        # stricter, since a value that starts or ends with one reads differently in QS3's CSV
    with pytest.raises(QSSyntaxError):
        parse_v1(f"Q1\tP2002\t{naive}\n")
    if "\n" not in text:
        cell = naive.replace('"', '""')
        with pytest.raises(QSSyntaxError):
            parse_csv(f'qid,P2002\nQ1,"{cell}"\n')


def test_a_language_code_with_digits_is_left_out_and_the_grammar_agrees():
    with pytest.raises(Unfit, match="language 'es-419'"):
        _monolingual("es-419", "Hola")
    assert _monolingual("pt-br", "Olá") == 'pt-br:"Olá"'
    with pytest.raises(QSSyntaxError, match="no digits"):
        parse_v1('Q1\tP1476\tes-419:"Hola"\n')


def test_csv_cells_are_never_empty():
    export = QSExport(blocks=[[
        QSLine("Q1", "P108", "Q2", (("P580", "+2016-00-00T00:00:00Z/9"),), (("S248", "Q3"),)),
        QSLine("Q1", "P108", "Q4", (), (("S248", "Q3"), ("S854", '"https://e.example/"'))),
        QSLine("Q5", "P108", "Q4", (), (("S248", "Q3"), ("S854", '"https://f.example/"'))),
    ]])
    text = to_csv(export)
    assert_dense(text)
    assert text == (
        "qid,P108,S248,s854\n"
        'Q1,Q4,Q3,"""https://e.example/"""\n'
        'Q5,Q4,Q3,"""https://f.example/"""\n'
        "\n"
        "qid,P108,qal580,S248\n"
        "Q1,Q2,+2016-00-00T00:00:00Z/9,Q3\n"
    )
    assert len(parse_csv(text)) == 3


# ------------------------------------------------------------------ an adversarial record


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def hostile(tmp_path) -> Path:
    """The reviewed case with values QuickStatements cannot carry unchanged."""
    data = tmp_path / "data"
    shutil.copytree(CASES / "quickstatements" / "data", data)
    ada = data / "people" / "ada-example.yaml"
    _edit(ada, "quote: Follow Ada on X (@ada_example).", 'quote: "Follow\\tAda on X."')  # a tab
    _edit(data / "works" / "example-paper.yaml", "- value: An Example Paper",
          "- value: An \u201cExample\u201d Paper")  # curly quotes
    _edit(data / "works" / "example-paper.yaml", "stated_as: B. Example",
          "stated_as: B.|Example")  # a '|'
    _edit(data / "people" / "bob-example.yaml", "name: Bob Example",
          "name: Bob Example\nwikidata: Q990000106")
    (data / "works" / "other-paper.yaml").write_text(
        "id: other-paper\ntype: ScholarlyArticle\nname: Otro artículo\nwikidata: Q990000105\n"
        "claims:\n  title:\n    - value: Otro artículo\n      lang: es-419\n"
        "      sources: [acme-site]\n", encoding="utf-8")  # a language with digits
    (data / "people" / "carol-example.yaml").write_text(
        "id: carol-example\ntype: Person\nname: Carol Example\n"
        "description: co-author of \u201cAn Example Paper\u201d\nclaims:\n"
        "  employer:\n    - value: acme\n      sources: [acme-site]\n", encoding="utf-8")
    return data


def test_a_hostile_record_is_exported_without_what_quickstatements_would_change(run, hostile):
    assert run("validate", "--data", str(hostile)).code == 0
    mark_absent(hostile)
    result = run("export", "--data", str(hostile), "--format", "quickstatements",
                 "--create-missing")
    assert result.code == 0, result.err
    err, out = result.err, result.out
    for reason in [
        "qualifier stated_as left out (a '|' in a string",
        "reference quotation left out (a double quote, tab or line break in a string)",
        "title: value does not fit monolingualtext (a curly double quote in a string",
        "title: value does not fit monolingualtext (language 'es-419'",
        "description of a new item left out (a curly double quote in a string",
    ]:
        assert f"      1  {reason}" in err, reason
    for gone in ("B.|Example", "Follow", "\u201c", "es-419", "Otro"):
        assert gone not in out, gone
    assert 'LAST\tLen\t"Carol Example"' in out  # the new item is created, without description
    commands = parse_v1(out, datatypes=datatypes_of(vocabulary(hostile)))
    assert not duplicate_statements(commands)
    csv_result = run("export", "--data", str(hostile), "--format", "qs-csv")
    assert csv_result.code == 0, csv_result.err
    parse_csv(csv_result.out, datatypes=datatypes_of(vocabulary(hostile)))
    assert_dense(csv_result.out)
    assert "|" not in csv_result.out and "\u201c" not in csv_result.out
