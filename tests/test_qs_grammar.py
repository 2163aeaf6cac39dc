"""Tests of the strict QuickStatements parser in qs_grammar.py (the parser itself, not the
exporter). Valid examples follow https://www.wikidata.org/wiki/Help:QuickStatements
(Q4115189 is the Wikidata sandbox item the help page uses)."""

from __future__ import annotations

import pytest
from qs_grammar import (
    Command,
    Item,
    Monolingual,
    QSSyntaxError,
    Quantity,
    String,
    Time,
    Url,
    duplicate_statements,
    parse_csv,
    parse_v1,
)

T = "\t"


def v1(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def line(*fields: str) -> str:
    return T.join(fields)


def error_of(fn, text: str, **kw) -> QSSyntaxError:
    with pytest.raises(QSSyntaxError) as info:
        fn(text, **kw)
    return info.value


# ------------------------------------------------------------------ valid V1 (help page)


def test_simple_statement() -> None:
    assert parse_v1(line("Q4115189", "P31", "Q1")) == [
        Command("Q4115189", "statement", property="P31", value=Item("Q1"))
    ]


def test_removal_of_a_statement() -> None:
    """Help:QuickStatements, "Removing statements": a minus before the item."""
    assert parse_v1(line("-Q4115189", "P2093", '"Jan Leike"')) == [
        Command("Q4115189", "remove", property="P2093", value=String("Jan Leike"))
    ]


def test_statement_with_qualifier_and_sources() -> None:
    text = line(
        "Q4115189",
        "P31",
        "Q1",
        "P580",
        "+1840-00-00T00:00:00Z/9",
        "S143",
        "Q48183",
        "S813",
        "+2017-10-04T00:00:00Z/11",
    )
    [cmd] = parse_v1(text)
    assert cmd.subject == "Q4115189" and cmd.property == "P31" and cmd.value == Item("Q1")
    assert cmd.qualifiers == [("P580", Time("+1840-00-00T00:00:00Z", 9))]
    assert cmd.references == [("S143", Item("Q48183")), ("S813", Time("+2017-10-04T00:00:00Z", 11))]
    assert cmd.line == 1


def test_create_and_last() -> None:
    cmds = parse_v1(
        v1(
            "CREATE",
            line("LAST", "P31", "Q5"),
            line("LAST", "Len", '"Jan Leike"'),
            line("LAST", "Den", '"machine learning researcher"'),
            line("LAST", "Aen", '"Leike"'),
            line("LAST", "Lde", '"Jan Leike"'),
        )
    )
    assert cmds == [
        Command(None, "CREATE"),
        Command("LAST", "statement", property="P31", value=Item("Q5")),
        Command("LAST", "label", language="en", value=String("Jan Leike")),
        Command("LAST", "description", language="en", value=String("machine learning researcher")),
        Command("LAST", "alias", language="en", value=String("Leike")),
        Command("LAST", "label", language="de", value=String("Jan Leike")),
    ]
    assert [c.line for c in cmds] == [1, 2, 3, 4, 5, 6]


def test_value_types() -> None:
    cmds = parse_v1(
        v1(
            line("Q4115189", "P1476", 'en:"Deep reinforcement learning from human preferences"'),
            line("Q4115189", "P569", "+1967-01-17T00:00:00Z/11"),
            line("Q4115189", "P577", "+2017-06-00T00:00:00Z/10"),
            line("Q4115189", "P569", "-0500-00-00T00:00:00Z/9"),
            line("Q4115189", "P1128", "1500"),
            line("Q4115189", "P2048", "1.5U11573"),
            line("Q4115189", "P818", '"1706.03741"'),
        )
    )
    assert [c.value for c in cmds] == [
        Monolingual("en", "Deep reinforcement learning from human preferences"),
        Time("+1967-01-17T00:00:00Z", 11),
        Time("+2017-06-00T00:00:00Z", 10),
        Time("-0500-00-00T00:00:00Z", 9),
        Quantity("1500"),
        Quantity("1.5", "Q11573"),
        String("1706.03741"),
    ]


def test_inner_quotes_are_verbatim_and_blank_lines_skipped() -> None:
    text = v1(line("Q1", "P1476", 'en:"Say "hi" to RLHF"'), "", line("Q1", "Len", '"A "B""'))
    cmds = parse_v1(text)
    assert cmds[0].value == Monolingual("en", 'Say "hi" to RLHF')
    assert cmds[1].value == String('A "B"') and cmds[1].line == 3


def test_datatypes_make_urls_and_check_types() -> None:
    dts = {"P856": "url", "P854": "url", "P2002": "external-id", "P248": "wikibase-item"}
    [cmd] = parse_v1(
        line(
            "Q1",
            "P856",
            '"https://jan.leike.name/"',
            "S854",
            '"https://example.org/a?b=c"',
            "S248",
            "Q2",
        ),
        datatypes=dts,
    )
    assert cmd.value == Url("https://jan.leike.name/")
    assert cmd.references == [("S854", Url("https://example.org/a?b=c")), ("S248", Item("Q2"))]
    assert parse_v1(line("Q1", "P2002", '"janleike"'), datatypes=dts)[0].value == String("janleike")
    assert error_of(parse_v1, line("Q1", "P856", '"jan.leike.name"'), datatypes=dts).line == 1
    assert error_of(parse_v1, line("Q1", "P2002", "Q5"), datatypes=dts).line == 1
    with pytest.raises(ValueError):
        parse_v1("", datatypes={"P1": "geo-shape"})


# ------------------------------------------------------------------ malformed V1


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        (line("q42", "P31", "Q5"), "upper-case"),
        (line("Q42", "p31", "Q5"), "upper-case"),
        (line("Q42", "P31", "q5"), "upper-case"),
        (line("Q42", "P569", "+1986-00-00T00:00:00Z"), "precision"),
        (line("Q42", "P569", "+1986-06-12T00:00:00Z/10"), "day 00"),
        (line("Q42", "P569", "+1986-06-00T00:00:00Z/9"), "month and day 00"),
        (line("Q42", "P569", "+1840-01-01T00:00:00Z/9"), "month and day 00"),
        (line("Q42", "P569", "+1986-02-30T00:00:00Z/11"), "bad day"),
        (line("Q42", "P569", "+1986-06-12T00:00:00Z/12"), "9, 10 or 11"),
        (line("Q42", "P569", "+1986-06-12T10:00:00Z/11"), "malformed time"),
        (line("Q42", "P2002", "janleike"), "double quotes"),
        (line("Q42", "Len", "Jan Leike"), "double quotes"),
        (
            line("Q42", "P31", "Q5", "S248", "Q1", "P580", "+2017-00-00T00:00:00Z/9"),
            "after a source",
        ),
        (line("Q42", "P31", "Q5", "P580"), "odd number of columns"),
        (line("Q42", "P31"), "subject, a property and a value"),
        (line("Q42", "P1476", 'en:"a \\"b\\""'), "no escapes"),
        (line("Q42", "P1476", 'en:" padded"'), "white space"),
        (line("Q42", "P2002", '""'), "empty string"),
        (line("Q42", "P2002", '"a||b"'), "||"),
        (line("Q42", "P2002", '"a|b"'), "'|'"),
        (line("Q42", "P1476", 'en:"say \u201chi\u201d"'), "curly"),
        (line("Q42", "Len", '"\u201cJan\u201d"'), "curly"),
        (line("Q42", "P2002", '"C:\\"'), "backslash"),
        (line("Q42", "P1476", 'es-419:"Hola"'), "no digits"),
        (line("Q42", "Les-419", '"Hola"'), "expected a property"),
        (line("Q42", "P31", "Q5", "S248", "Q1", "!S248", "Q2"), "existing item"),
        (line("Q42", "P31", "Q5", ""), "empty field"),
        (line("Q42", "P31", "Q5 "), "white space"),
        ("Q42|P31|Q5", "'|' separators"),
        ("Q42 P31 Q5", "TAB"),
        (line("CREATE", "P31", "Q5"), "alone"),
        (line("LAST", "P31", "Q5"), "LAST before any CREATE"),
        (line("-Q42", "P31", "Q5", "P580", "+2017-00-00T00:00:00Z/9"), "a removal is"),
        (line("-LAST", "P31", "Q5"), "a removal is"),
        (line("Q42", "Senwiki", '"Jan Leike"'), "sitelinks"),
        (line("Q42", "P31", "somevalue"), "outside"),
        (line("Q42", "P625", "@43.26/10.92"), "unrecognised"),
        (line("Q42", "P31", "P5"), "only Q ids"),
        (line("Q42", "Len", '"a"', "P31", "Q5"), "exactly three fields"),
        ("Q42\tP31\tQ5\r", "CR"),
    ],
)
def test_malformed_v1_line_is_reported_on_its_line(bad: str, needle: str) -> None:
    text = v1(line("Q4115189", "P31", "Q1"), "CREATE", line("LAST", "Len", '"ok"'), bad)
    if bad.startswith("LAST\tP31"):
        text = v1(line("Q4115189", "P31", "Q1"), bad)
        expected_line = 2
    else:
        expected_line = 4
    err = error_of(parse_v1, text)
    assert err.line_number == expected_line, err
    assert needle in err.message, err
    assert str(err).startswith(f"line {expected_line}: ")


def test_further_reference_groups_on_a_new_items_line() -> None:
    [_, cmd] = parse_v1(
        v1("CREATE", line("LAST", "P31", "Q5", "S248", "Q1", "S813", "+2024-00-00T00:00:00Z/9",
                          "!S248", "Q2", "S813", "+2025-00-00T00:00:00Z/9", "!S854",
                          '"https://example.org/"'))
    )
    assert cmd.references == [("S248", Item("Q1")), ("S813", Time("+2024-00-00T00:00:00Z", 9))]
    assert cmd.more_references == [
        [("S248", Item("Q2")), ("S813", Time("+2025-00-00T00:00:00Z", 9))],
        [("S854", String("https://example.org/"))],
    ]
    assert len(cmd.reference_groups()) == 3
    err = error_of(parse_v1, v1("CREATE", line("LAST", "P31", "Q5", "!S248", "Q2")))
    assert "must follow a first S" in err.message and err.line_number == 2


def test_duplicate_statements_of_a_new_item_are_found() -> None:
    text = v1("CREATE", line("LAST", "P31", "Q5", "S248", "Q1"),
              line("LAST", "P31", "Q5", "S248", "Q2"), line("LAST", "P31", "Q6"),
              "CREATE", line("LAST", "P31", "Q5"))
    assert duplicate_statements(parse_v1(text)) == [(3, "P31", Item("Q5"))]


def test_first_bad_line_wins() -> None:
    err = error_of(
        parse_v1, v1(line("Q1", "P31", "Q5"), line("q2", "P31", "Q5"), line("Q3", "P31", "bad"))
    )
    assert err.line_number == 2


# ------------------------------------------------------------------ CSV

CSV_HEADER = "qid,Len,Den,Aen,P31,P569,qal1480,S248,s854,P1476"


def test_csv_layout_from_the_help_page() -> None:
    text = (
        "qid,Len,Den,Aen,P31,P21,qal1545,S248,s214\n"
        "Q4115189,Sandbox,Sandbox item,Sandbox alias,"
        'Q5,Q6581072,"""1""",Q54919,"""54919"""\n'
    )
    cmds = parse_csv(text)
    assert cmds == [
        Command("Q4115189", "label", language="en", value=String("Sandbox")),
        Command("Q4115189", "description", language="en", value=String("Sandbox item")),
        Command("Q4115189", "alias", language="en", value=String("Sandbox alias")),
        Command("Q4115189", "statement", property="P31", value=Item("Q5")),
        Command(
            "Q4115189",
            "statement",
            property="P21",
            value=Item("Q6581072"),
            qualifiers=[("P1545", String("1"))],
            references=[("S248", Item("Q54919")), ("S214", String("54919"))],
        ),
    ]
    assert {c.line for c in cmds} == {2}


def test_csv_empty_qid_creates_and_equals_v1() -> None:
    csv_text = (
        "qid,Len,P31,P1476,qal577,S248,s854\n"
        ',Jan Leike,Q5,"en:""Deep RL from human preferences""",+2017-06-00T00:00:00Z/10,'
        'Q2,"""https://arxiv.org/abs/1706.03741"""\n'
        "\n"
        "qid,P31\n"
        "Q42,Q5\n"
    )
    v1_text = v1(
        "CREATE",
        line("LAST", "Len", '"Jan Leike"'),
        line("LAST", "P31", "Q5"),
        line(
            "LAST",
            "P1476",
            'en:"Deep RL from human preferences"',
            "P577",
            "+2017-06-00T00:00:00Z/10",
            "S248",
            "Q2",
            "S854",
            '"https://arxiv.org/abs/1706.03741"',
        ),
        line("Q42", "P31", "Q5"),
    )
    dts = {"P854": "url"}
    assert parse_csv(csv_text, datatypes=dts) == parse_v1(v1_text, datatypes=dts)
    assert parse_csv(csv_text)[0] == Command(None, "CREATE")


@pytest.mark.parametrize(
    ("text", "line_number", "needle"),
    [
        ("id,P31\nQ1,Q5\n", 1, "qid"),
        ("qid,p31\nQ1,Q5\n", 1, "malformed header"),
        ("qid,qal580,P31\nQ1,Q5,Q5\n", 1, "must follow a P column"),
        ("qid,P31,S248,qal580\nQ1,Q5,Q2,Q3\n", 1, "qualifier column after a source"),
        ("qid,P31,S248,S854\nQ1,Q5,Q2,Q3\n", 1, "second reference"),
        ("qid,P31,s854\nQ1,Q5,Q3\n", 1, "must follow an S"),
        ("qid,-P31\nQ1,Q5\n", 1, "removal"),
        ("qid,P31,#\nQ1,Q5,x\n", 1, "comment"),
        ("qid,Senwiki\nQ1,x\n", 1, "sitelink"),
        ("qid,P31\nQ1,Q5\nq2,Q5\n", 3, "upper-case"),
        ("qid,P31\nQ1,Q5\nQ2,q5\n", 3, "upper-case"),
        ("qid,P31\nQ1,Q5\nQ2,Q5,Q6\n", 3, "cells"),
        ("qid,P31,P2002\nQ1,Q5,\"\"\"x\"\"\"\nQ2,Q5\n", 3, "cells"),
        ('qid,Len\nQ1,"""Jan Leike"""\n', 2, "keep the quotes"),
        ("qid,Len\nQ1,Q42\n", 2, "another kind of value"),
        ("qid,Len\nQ1,1984\n", 2, "another kind of value"),
        ("qid,Lde-ch\nQ1,x\n", 1, "two-letter"),
        ("qid,P31,P2002\nQ1,Q5,\n", 2, "empty cell"),
        ("qid,P31,qal580\nQ1,Q5,\n", 2, "empty P580 cell"),
        ("qid,P31,S248,s854\nQ1,Q5,Q2,\n", 2, "empty S854 cell"),
        ("qid,P31\nQ1,Q5\n\nQ2,Q5\n", 4, "qid"),
        ("qid,P31\nQ1,Q5\n\n\nqid,P31\nQ2,Q5\n", 4, "two empty lines"),
        ("qid,P31\nQ1,Q5\n\nqid,P2002\nQ2,\"\"\"a|b\"\"\"\n", 5, "'|'"),
        ("qid,P569\nQ1,+1986-00-00T00:00:00Z\n", 2, "precision"),
        ("qid,P569\nQ1,+1986-06-12T00:00:00Z/10\n", 2, "day 00"),
        ("qid,P31,qal580\nQ1,,+2017-00-00T00:00:00Z/9\n", 2, "without a value"),
        ("qid,P31\nLAST,Q5\n", 2, "Q id or empty"),
        ('qid,Len\nQ1,"""a\nb"""\n', 2, "several lines"),
        ("qid,P31\r\nQ1,Q5\r\n", 1, "CR"),
        ("", 1, "header"),
    ],
)
def test_malformed_csv(text: str, line_number: int, needle: str) -> None:
    err = error_of(parse_csv, text)
    assert err.line_number == line_number, err
    assert needle in err.message, err
