'''A strict parser for a narrow, portable subset of QuickStatements (V1 and CSV).

Written from the QuickStatements help page,
https://www.wikidata.org/wiki/Help:QuickStatements ("Command sequence syntax", V1
commands, and the CSV import section). The stored copy of that page that could be read
here was only partial, so the details below were also checked against the parsers
QuickStatements itself uses: ``parseValueV1``/``importDataFromV1`` in
https://github.com/magnusmanske/quickstatements (public_html/quickstatements.php) and the
QuickStatements 3 parsers (quickstatements/apps/core/parsers/{base,csv}.py in
https://github.com/WikiMovimentoBrasil/quickstatements3). Where this module is stricter
than those tools, it says so.

Its job is to check what personkg *writes*: every batch the exporter produces must parse
here, and must mean here exactly what QuickStatements would do with it. So it accepts a
small subset and rejects everything else, reporting the first bad line.

API
---
``parse_v1(text, datatypes=None) -> list[Command]``
``parse_csv(text, datatypes=None) -> list[Command]``
Both raise ``QSSyntaxError(line_number, message)`` (1-based physical line) on the first bad
line. ``datatypes`` optionally maps property ids (``"P856"``) to Wikibase datatypes
(``"url"``, ``"external-id"``, ``"string"``, ``"wikibase-item"``, ``"time"``,
``"monolingualtext"``, ``"quantity"``, as in the ontology's ``pkg:wikidataDatatype``). When a
property is in the map its values (main value, qualifier values, and reference values:
``S854`` is looked up as ``P854``) must have that type, and quoted values of ``url``
properties are returned as ``Url``. Without the map a quoted value is a ``String``.

The V1 subset (one command per line, fields separated by exactly one TAB)
-------------------------------------------------------------------------
* ``CREATE`` alone on a line: a new item; ``LAST`` (as a subject) then means that item.
  ``LAST`` before any ``CREATE`` is an error.
* ``SUBJECT<TAB>P<n><TAB>VALUE`` then zero or more ``P<n><TAB>VALUE`` qualifier pairs, then
  zero or more ``S<n><TAB>VALUE`` source pairs. The source pairs form ONE reference (as
  QuickStatements does), except that ``!S<n>`` starts a further reference group on the same
  statement (``importDataFromV1``'s ``new_source_group``, used by ``compressCommands`` when
  a new item is built; ``V1CommandParser.parse_statement`` in QS3). ``!S`` is accepted only
  on ``LAST`` lines and only after a first ``S`` group: for an existing item the PHP tool
  (``commandAddSources``) ignores the mark and makes all groups one reference. A qualifier
  after a source is an error; so is an odd pair (an even number of fields).
* A new item must not get two statement lines with the same property and value: the web tool
  folds a new item's lines into one edit (``compressCommands``), where each line is a
  statement of its own (checked by ``duplicate_statements``).
* ``SUBJECT<TAB>Len<TAB>"text"`` (label), ``Den`` (description), ``Aen`` (alias), for any
  lower-case language code (``[a-z]{2,3}`` optionally followed by letter-only ``-subtag``s:
  both parsers read a language as ``[a-z_-]+``, so ``es-419`` is rejected); exactly three
  fields; the value must be a quoted string.
* SUBJECT is ``Q<n>`` or ``LAST``. Ids are upper-case letter + digits without leading zeros
  (``Q5``, ``P31``, ``S248``); ``q5``/``p31`` are errors.
* Values:
    - item: ``Q<n>``
    - string: ``"text"`` (see the quoting rule below)
    - monolingual text: ``lang:"text"``, e.g. ``en:"Deep reinforcement learning"``; the
      language as for terms, without digits (``parseValueV1``/``parse_value_monolingualtext``
      match ``^([a-z_-]+):"(.*)"$``, so ``es-419:"…"`` is not a monolingual text there)
    - time: exactly ``[+-]YYYY-MM-DDT00:00:00Z/P`` with P in 9 (year), 10 (month), 11 (day),
      and zeros below the precision: ``+2017-00-00T00:00:00Z/9``,
      ``+2017-06-00T00:00:00Z/10``, ``+2017-06-12T00:00:00Z/11``. (QuickStatements itself
      also accepts ``+1840-01-01T00:00:00Z/9`` and a missing ``/P``, meaning 9; both are
      rejected here, because they are ambiguous to a reader.) Year 0000 is rejected.
    - quantity: ``[+-]?digits[.digits]`` optionally followed by ``U<n>`` (unit item).
    - url: a quoted ``http://`` or ``https://`` URL, only for properties typed ``url``.
* A removal is ``-Q<n> TAB P<n> TAB VALUE`` (removes the statement with that value), exactly
  three fields: personkg writes one only to replace an author name string (P2093).
* Rejected on purpose (valid QuickStatements, outside the subset): ``|``/``||`` separators,
  removals with qualifiers or references, sitelinks (``Senwiki``), ``somevalue``/``novalue``,
  coordinates (``@lat/lon``), quantities with bounds or tolerance, ``/J`` Julian dates,
  lexemes, forms, senses, properties and ``M`` ids as subjects or values, ``LAST`` as a
  value, comments (``/* */``), edit summaries, ranks, empty fields, spaces around fields, CR
  characters. Empty lines are allowed and skipped.

The quoting rule for strings (V1 and CSV cells alike)
-----------------------------------------------------
QuickStatements has NO escape mechanism. Both implementations match a string value with
the greedy pattern ``^"(.*)"$`` and take everything between the first and the last double
quote of the field verbatim, then trim surrounding white space; a backslash is an ordinary
character, so ``"a \\"b\\""`` would be stored WITH the backslashes. The help page shows
strings only as ``"text"`` and documents no escaping either. So the rule here is:

    a string is ``"`` + text + ``"``, where text is written verbatim (inner double quotes
    are written as they are: ``"Say "hi""`` is the string ``Say "hi"``), and text must not
    contain a TAB, CR or LF; nor a ``|`` (QS3's ``V1CommandParser.parse`` turns every ``||``
    into a line break and every ``|`` into a TAB in the whole batch; the PHP
    ``importDataFromV1`` does so in a one-line batch, the form of a ``#v1=`` URL); nor a curly
    double quote U+201C/U+201D (QS3's ``BaseParser.parse_value`` replaces both with a straight
    one, so the stored text would differ); nor a backslash directly before a double quote or
    at the end (somebody's attempt at escaping, which QuickStatements would store literally;
    PHP's ``fgetcsv`` in ``importDataFromCSV`` takes a backslash as its escape character); it
    must not start or end with white space (QuickStatements would trim it, so the value would
    not round-trip) and must not be empty (QS3 removes a label given an empty one).

The CSV form
------------
The help page's CSV layout: the first header cell is ``qid``; a row's ``qid`` cell is the
subject (empty = ``CREATE`` a new item, whose commands then use ``LAST``). Other header
cells: ``P<n>`` starts a statement whose cell is the main value; ``qal<n>`` (lower-case
``qal`` + property number without ``P``) adds a qualifier ``P<n>`` to the statement to its
left; ``S<n>`` starts a reference on that statement and lower-case ``s<n>`` adds a further
snak ``S<n>`` to the same reference; ``L<lang>``/``D<lang>``/``A<lang>`` set a label,
description, alias. A statement, qualifier or source cell holds a value in V1 syntax after
ordinary CSV (RFC 4180) decoding, so a string is written ``"""text"""`` in the file. A label,
description or alias cell holds the text itself, unquoted: ``importDataFromCSV`` stores that
cell verbatim (a quoted cell would keep its quotes in the label), and QS3's
``CSVCommandParser.parse_line`` takes a cell it cannot read as another value as a string.

Empty cells: the PHP parser does NOT skip them (``importDataFromCSV`` turns every cell of a
row into a command; an empty statement value is an error), so every cell must be filled; the
only empty cell allowed is ``qid``, which means ``CREATE``. Only the first row is a header in
both parsers, so a batch whose rows have different shapes is written as several CSV
documents, each with its own header row, separated by one empty line, pasted one at a time;
``parse_csv`` reads such a file document by document.

The CSV subset is the same as the V1 subset, plus: every row has exactly as many cells as
the header; header cells are unique statement groups in the order P, qal..., S, s... (so a
``qal`` after an ``S``/``s`` column of the same statement is an error, as in V1); at most one
reference (one ``S`` column) per statement, so that a CSV row means the same as the V1 line;
label/description/alias columns have a two-letter language (QS3's ``is_valid_label`` is
``^L[a-z]{2}$``) and cells of plain text that QS3 would not read as another value (an id, a
time, a number, ``somevalue``, ``lang:"…"``, a quoted string). Rejected: ``-P31``/``-Len`` removal
columns, ``#`` comment columns, sitelink columns (``Senwiki``), ``LAST`` or anything but a
Q id in ``qid``, multi-line cells. Header errors are reported on line 1.

Commands carry their source line in ``Command.line``, which does not take part in ``==``, so
``parse_v1(a) == parse_csv(b)`` compares meaning only.
'''

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NoReturn

__all__ = [
    "Command",
    "Item",
    "Monolingual",
    "QSSyntaxError",
    "Quantity",
    "String",
    "Time",
    "Url",
    "Value",
    "duplicate_statements",
    "parse_csv",
    "parse_v1",
]

HELP_URL = "https://www.wikidata.org/wiki/Help:QuickStatements"


class QSSyntaxError(ValueError):
    """The first line that is not in the accepted subset."""

    def __init__(self, line_number: int, message: str) -> None:
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
        self.line = line_number
        self.message = message


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Item:
    id: str  # "Q42"


@dataclass(frozen=True)
class String:
    text: str


@dataclass(frozen=True)
class Monolingual:
    lang: str
    text: str


@dataclass(frozen=True)
class Time:
    iso: str  # "+2017-06-00T00:00:00Z"
    precision: int  # 9, 10 or 11


@dataclass(frozen=True)
class Quantity:
    amount: str  # as written, e.g. "+12", "3.5"
    unit: str | None = None  # "Q11573" or None


@dataclass(frozen=True)
class Url:
    url: str


Value = Item | String | Monolingual | Time | Quantity | Url
Action = Literal["CREATE", "statement", "remove", "label", "description", "alias"]


@dataclass
class Command:
    subject: str | None  # "Q123", "LAST", or None for CREATE
    action: Action
    language: str | None = None  # for label / description / alias
    property: str | None = None  # "P50" for statements
    value: Value | None = None
    qualifiers: list[tuple[str, Value]] = field(default_factory=list)  # ("P580", Time(...))
    references: list[tuple[str, Value]] = field(default_factory=list)  # ("S248", Item(...))
    #: further reference groups of the same statement (V1 ``!S``, new items only)
    more_references: list[list[tuple[str, Value]]] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    def reference_groups(self) -> list[list[tuple[str, Value]]]:
        """All reference groups of the statement: ``references`` then ``more_references``."""
        return ([self.references] if self.references else []) + self.more_references


# --------------------------------------------------------------------------- lexical

_ITEM = re.compile(r"Q[1-9][0-9]*")
_PROP = re.compile(r"P[1-9][0-9]*")
_SOURCE = re.compile(r"S[1-9][0-9]*")
_NEW_GROUP = re.compile(r"!S[1-9][0-9]*")
_LANG = r"[a-z]{2,3}(?:-[a-z]{1,8})*"
_TERM = re.compile(r"([LDA])(" + _LANG + r")")
_MONO = re.compile(r"(" + _LANG + r"):(\".*\")", re.S)
_TIME = re.compile(r"([+-])([0-9]{4})-([0-9]{2})-([0-9]{2})T00:00:00Z/([0-9]+)")
_QUANTITY = re.compile(r"([+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)(?:U([1-9][0-9]*))?")
_URL = re.compile(r"https?://[^\s\"<>\\^`{|}]+")
_ANY_ID_CI = re.compile(r"[qpslmQPSLM][0-9]+")
_TERM_ACTION: dict[str, Action] = {"L": "label", "D": "description", "A": "alias"}
_DATATYPES = {
    "wikibase-item",
    "string",
    "external-id",
    "url",
    "time",
    "monolingualtext",
    "quantity",
}
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _quoted(token: str, n: int, what: str = "string") -> str:
    """The text of a quoted string token, by the quoting rule in the module docstring."""
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise QSSyntaxError(n, f"{what} must be in double quotes: {token!r}")
    text = token[1:-1]
    if text == "":
        raise QSSyntaxError(n, "empty string")
    if any(c in text for c in "\t\r\n"):
        raise QSSyntaxError(n, "string contains a tab or line break")
    if "|" in text:
        raise QSSyntaxError(
            n, "string contains '|' (QuickStatements reads '|' as TAB and '||' as a line break)"
        )
    if "\u201c" in text or "\u201d" in text:
        raise QSSyntaxError(
            n, "string contains a curly double quote (QuickStatements 3 straightens it)"
        )
    if text.endswith("\\"):
        raise QSSyntaxError(n, "string ends with a backslash (an escape in PHP's CSV reader)")
    if '\\"' in text:
        raise QSSyntaxError(
            n, 'string contains \\" (QuickStatements has no escapes; write inner quotes as-is)'
        )
    if text != text.strip():
        raise QSSyntaxError(n, "string starts or ends with white space (QuickStatements trims)")
    return text


def _time(token: str, n: int) -> Time:
    m = _TIME.fullmatch(token)
    if not m:
        if re.fullmatch(r"[+-]?[0-9]+-[0-9]{2}-[0-9]{2}T[0-9:]+Z", token):
            raise QSSyntaxError(n, f"time without /precision: {token!r}")
        raise QSSyntaxError(n, f"malformed time {token!r} (want [+-]YYYY-MM-DDT00:00:00Z/P)")
    _sign, y, mo, d, p = m.groups()
    year, month, day, prec = int(y), int(mo), int(d), int(p)
    if p != str(prec) or prec not in (9, 10, 11):
        raise QSSyntaxError(n, f"time precision must be 9, 10 or 11, got {p}")
    if year == 0:
        raise QSSyntaxError(n, "year 0000 is not a valid time")
    if prec == 9 and (month or day):
        raise QSSyntaxError(n, f"year precision (9) needs month and day 00: {token!r}")
    if prec == 10:
        if not 1 <= month <= 12:
            raise QSSyntaxError(n, f"month precision (10) needs a month 01-12: {token!r}")
        if day:
            raise QSSyntaxError(n, f"month precision (10) needs day 00: {token!r}")
    if prec == 11:
        if not 1 <= month <= 12:
            raise QSSyntaxError(n, f"bad month in {token!r}")
        last = 28 if month == 2 and not _leap(year) else _DAYS[month - 1]
        if not 1 <= day <= last:
            raise QSSyntaxError(n, f"bad day in {token!r}")
    return Time(token.rsplit("/", 1)[0], prec)


def _value(token: str, n: int, datatype: str | None = None) -> Value:
    """One V1 value; ``datatype`` (Wikibase datatype of the property), when known, must fit."""
    if token == "":
        raise QSSyntaxError(n, "empty value")
    if token != token.strip():
        raise QSSyntaxError(n, f"white space around value {token!r}")
    value: Value
    if _ITEM.fullmatch(token):
        value = Item(token)
    elif token.startswith('"'):
        value = String(_quoted(token, n))
    elif m := _MONO.fullmatch(token):
        value = Monolingual(m.group(1), _quoted(m.group(2), n))
    elif (token[0] in "+-" and "T" in token) or re.match(r"[0-9]{4}-", token):
        value = _time(token, n)
    elif m := _QUANTITY.fullmatch(token):
        unit = f"Q{m.group(2)}" if m.group(2) else None
        value = Quantity(m.group(1), unit)
    elif token in ("LAST", "somevalue", "novalue"):
        raise QSSyntaxError(n, f"{token} as a value is outside the accepted subset")
    elif _ANY_ID_CI.fullmatch(token):
        if token[0].islower():
            raise QSSyntaxError(n, f"ids must be upper-case: {token!r}")
        raise QSSyntaxError(n, f"only Q ids are accepted as entity values: {token!r}")
    elif re.fullmatch(r"[A-Za-z0-9_-]+:\".*", token, re.S):
        raise QSSyntaxError(
            n,
            f'malformed monolingual text {token!r} (want lang:"text", the language in '
            "lower-case letters and '-' only: QuickStatements reads no digits there)",
        )
    else:
        raise QSSyntaxError(
            n, f"unrecognised value {token!r} (strings and URLs must be in double quotes)"
        )
    if datatype is not None:
        value = _check_type(value, datatype, n)
    return value


def _check_type(value: Value, datatype: str, n: int) -> Value:
    want = {
        "wikibase-item": Item,
        "string": String,
        "external-id": String,
        "url": String,
        "time": Time,
        "monolingualtext": Monolingual,
        "quantity": Quantity,
    }[datatype]
    if not isinstance(value, want):
        raise QSSyntaxError(n, f"{datatype} property given a {type(value).__name__} value")
    if datatype == "url":
        assert isinstance(value, String)
        if not _URL.fullmatch(value.text):
            raise QSSyntaxError(n, f"not an absolute http(s) URL: {value.text!r}")
        return Url(value.text)
    return value


def _datatype_of(prop: str, datatypes: Mapping[str, str] | None) -> str | None:
    if datatypes is None:
        return None
    return datatypes.get("P" + prop[1:])


def _check_datatypes(datatypes: Mapping[str, str] | None) -> None:
    if datatypes is None:
        return
    for prop, dt in datatypes.items():
        if not _PROP.fullmatch(prop):
            raise ValueError(f"datatypes: bad property id {prop!r}")
        if dt not in _DATATYPES:
            raise ValueError(f"datatypes: unsupported datatype {dt!r} for {prop}")


def _subject(token: str, n: int, created: bool) -> str:
    if token == "LAST":
        if not created:
            raise QSSyntaxError(n, "LAST before any CREATE")
        return token
    if _ITEM.fullmatch(token):
        return token
    if token.upper() == "LAST" or re.fullmatch(r"q[0-9]+", token):
        raise QSSyntaxError(n, f"ids must be upper-case: {token!r}")
    if token.startswith("-"):
        raise QSSyntaxError(n, "a removal is -Q<n>, property and value, nothing more")
    if token.upper() == "CREATE":
        raise QSSyntaxError(n, "CREATE must be upper-case and alone on its line")
    raise QSSyntaxError(n, f"subject must be a Q id or LAST: {token!r}")


# --------------------------------------------------------------------------- V1


def _v1_line(
    fields: list[str], n: int, created: bool, datatypes: Mapping[str, str] | None
) -> Command:
    """One non-empty V1 line, already split at TABs."""
    _check_fields(fields, n)
    if fields[0] == "CREATE":
        if len(fields) != 1:
            raise QSSyntaxError(n, "CREATE must be alone on its line")
        return Command(None, "CREATE", line=n)
    if fields[0].startswith("-") and _ITEM.fullmatch(fields[0][1:]) and len(fields) == 3:
        if not _PROP.fullmatch(fields[1]):
            _bad_property(fields[1], n)
        value = _value(fields[2], n, _datatype_of(fields[1], datatypes))
        return Command(fields[0][1:], "remove", property=fields[1], value=value, line=n)
    subject = _subject(fields[0], n, created)
    if len(fields) < 3:
        raise QSSyntaxError(n, "a command needs a subject, a property and a value")
    what = fields[1]
    if m := _TERM.fullmatch(what):
        if len(fields) != 3:
            raise QSSyntaxError(n, "a label/description/alias line has exactly three fields")
        text = _quoted(fields[2], n, "a label, description or alias")
        return Command(
            subject,
            _TERM_ACTION[m.group(1)],
            language=m.group(2),
            value=String(text),
            line=n,
        )
    if not _PROP.fullmatch(what):
        _bad_property(what, n)
    if len(fields) % 2 == 0:
        raise QSSyntaxError(
            n,
            "odd number of columns expected (subject, property, value, then pairs); "
            f"got {len(fields)}",
        )
    value = _value(fields[2], n, _datatype_of(what, datatypes))
    cmd = Command(subject, "statement", property=what, value=value, line=n)
    _v1_pairs(cmd, fields[3:], n, datatypes)
    return cmd


def _check_fields(fields: list[str], n: int) -> None:
    """No field of a V1 line is empty or has white space around it."""
    for f in fields:
        if f == "":
            raise QSSyntaxError(n, "empty field (two tabs in a row, or a tab at an end)")
        if f != f.strip():
            raise QSSyntaxError(n, f"white space around field {f!r}")


def _bad_property(what: str, n: int) -> NoReturn:
    """Reject `what` in a V1 line's property field, saying why it is not a property."""
    if _ANY_ID_CI.fullmatch(what) and what[0].islower():
        raise QSSyntaxError(n, f"ids must be upper-case: {what!r}")
    if re.fullmatch(r"S[a-z_]+", what):
        raise QSSyntaxError(n, "sitelinks are outside the accepted subset")
    raise QSSyntaxError(n, f"expected a property (P…) or Lxx/Dxx/Axx, got {what!r}")


def _v1_pairs(
    cmd: Command, pairs: list[str], n: int, datatypes: Mapping[str, str] | None
) -> None:
    """Add a statement line's qualifier pairs, then its source pairs (``!S`` starting a
    further group), to `cmd`."""
    in_sources = False
    group = cmd.references
    for i in range(0, len(pairs), 2):
        key, raw = pairs[i], pairs[i + 1]
        if _PROP.fullmatch(key):
            if in_sources:
                raise QSSyntaxError(n, f"qualifier {key} after a source: qualifiers come first")
            cmd.qualifiers.append((key, _value(raw, n, _datatype_of(key, datatypes))))
        elif _SOURCE.fullmatch(key):
            in_sources = True
            group.append((key, _value(raw, n, _datatype_of(key, datatypes))))
        elif _NEW_GROUP.fullmatch(key):
            if cmd.subject != "LAST":
                raise QSSyntaxError(
                    n, f"{key}: a further reference group on an existing item's line is merged "
                    "into one reference by QuickStatements; write one line per reference",
                )
            if not in_sources:
                raise QSSyntaxError(n, f"{key}: '!S' must follow a first S… reference group")
            group = []
            cmd.more_references.append(group)
            key = key[1:]
            group.append((key, _value(raw, n, _datatype_of(key, datatypes))))
        elif _ANY_ID_CI.fullmatch(key) and key[0].islower():
            raise QSSyntaxError(n, f"ids must be upper-case: {key!r}")
        else:
            raise QSSyntaxError(
                n, f"expected a qualifier (P…) or source (S…) property, got {key!r}"
            )


def parse_v1(text: str, datatypes: Mapping[str, str] | None = None) -> list[Command]:
    """Parse QuickStatements V1 (TAB-separated) text in the accepted subset."""
    _check_datatypes(datatypes)
    commands: list[Command] = []
    created = False
    for n, line in enumerate(text.split("\n"), start=1):
        if line == "":
            continue
        if "\r" in line:
            raise QSSyntaxError(n, "CR character (use LF line ends)")
        if "\t" not in line and line != "CREATE":
            if "|" in line:
                raise QSSyntaxError(n, "'|' separators are outside the accepted subset; use TAB")
            if " " in line:
                raise QSSyntaxError(n, "fields must be separated by TAB, not spaces")
        cmd = _v1_line(line.split("\t"), n, created, datatypes)
        created = created or cmd.action == "CREATE"
        commands.append(cmd)
    return commands


# --------------------------------------------------------------------------- CSV


@dataclass
class _Group:
    """A header's statement or term column with its qualifier and source columns."""

    kind: Action  # "statement" | "label" | "description" | "alias"
    col: int
    key: str  # "P31" or language
    quals: list[tuple[int, str]] = field(default_factory=list)  # (column, "P580")
    sources: list[tuple[int, str]] = field(default_factory=list)  # (column, "S248")


def _csv_header(header: list[str]) -> list[_Group]:
    """The statement and term groups of a CSV header row (line 1)."""
    n = 1
    if not header or header[0] != "qid":
        raise QSSyntaxError(n, "the first header cell must be 'qid'")
    groups: list[_Group] = []
    # Columns are positional: a qal…/S…/s… column belongs to the P column before it, so the
    # same header cell may stand in several groups (two P856 groups, an S248 in each); only a
    # repeat inside one group is an error.
    for col, cell in enumerate(header[1:], start=1):
        if groups and cell[:1] in "qSs" and cell in _cells_of(groups[-1]):
            raise QSSyntaxError(n, f"duplicate header cell {cell!r} in one statement group")
        if _PROP.fullmatch(cell):
            groups.append(_Group("statement", col, cell))
        elif m := re.fullmatch(r"([LDA])([a-z]{2})", cell):
            groups.append(_Group(_TERM_ACTION[m.group(1)], col, m.group(2)))
        elif _TERM.fullmatch(cell):
            raise QSSyntaxError(
                n, f"{cell}: QuickStatements 3 reads only two-letter languages in CSV columns"
            )
        elif m := re.fullmatch(r"qal([1-9][0-9]*)", cell):
            g = _statement_before(groups, cell, "a qualifier")
            if g.sources:
                raise QSSyntaxError(n, f"{cell}: qualifier column after a source column")
            g.quals.append((col, "P" + m.group(1)))
        elif m := re.fullmatch(r"([Ss])([1-9][0-9]*)", cell):
            _add_source(_statement_before(groups, cell, "a source"), col, cell, m)
        else:
            _bad_header_cell(cell)
    return groups


def _cells_of(g: _Group) -> list[str]:
    """The qualifier and source header cells already in group `g`."""
    return (
        [f"qal{q[1:]}" for _, q in g.quals]
        + [s for _, s in g.sources]
        + [s.lower() for _, s in g.sources]
    )


def _statement_before(groups: list[_Group], cell: str, what: str) -> _Group:
    """The statement group that qualifier or source column `cell` belongs to."""
    g = groups[-1] if groups else None
    if g is None or g.kind != "statement":
        raise QSSyntaxError(1, f"{cell}: {what} column must follow a P column")
    return g


def _add_source(g: _Group, col: int, cell: str, m: re.Match[str]) -> None:
    """Add source column `cell` (``S<n>`` starts the reference, ``s<n>`` extends it) to `g`."""
    if m.group(1) == "S" and g.sources:
        raise QSSyntaxError(
            1,
            f"{cell}: a second reference on one statement is outside the subset "
            "(use lower-case s… to add to the reference)",
        )
    if m.group(1) == "s" and not g.sources:
        raise QSSyntaxError(1, f"{cell}: an s… column must follow an S… column")
    g.sources.append((col, "S" + m.group(2)))


def _bad_header_cell(cell: str) -> NoReturn:
    """Reject a header cell outside the subset, saying why."""
    n = 1
    if cell.startswith("-"):
        raise QSSyntaxError(n, f"{cell}: removal columns are outside the accepted subset")
    if cell == "#":
        raise QSSyntaxError(n, "comment columns are outside the accepted subset")
    if re.fullmatch(r"S[a-z_]+", cell):
        raise QSSyntaxError(n, f"{cell}: sitelink columns are outside the accepted subset")
    if re.fullmatch(r"[pP][0-9]+|qal[0-9]+|QAL[0-9]+|Qal[0-9]+|p[0-9]+", cell):
        raise QSSyntaxError(n, f"malformed header cell {cell!r} (P upper-case, qal lower-case)")
    raise QSSyntaxError(n, f"unrecognised header cell {cell!r}")


def _csv_term(cell: str, n: int) -> str:
    """A label/description/alias cell: the text itself, unquoted (see the module docstring)."""
    if cell.startswith('"') or cell.endswith('"'):
        raise QSSyntaxError(
            n, "a label, description or alias cell is plain text: QuickStatements would keep "
            f"the quotes of {cell!r}",
        )
    text = _quoted('"' + cell + '"', n, "a label, description or alias")
    if (
        text in ("LAST", "somevalue", "novalue")
        or _ANY_ID_CI.fullmatch(text)
        or _QUANTITY.fullmatch(text)
        or re.fullmatch(r"[+-]?[0-9]+-[0-9]{2}-[0-9]{2}T.*|@.*|[a-z_-]+:\".*\"", text, re.S)
    ):
        raise QSSyntaxError(
            n, f"label cell {text!r} would be read as another kind of value by QuickStatements 3"
        )
    return text


def parse_csv(text: str, datatypes: Mapping[str, str] | None = None) -> list[Command]:
    """Parse QuickStatements CSV text in the accepted subset: one or more CSV documents, each
    with its header row, separated by one empty line (each is pasted on its own)."""
    commands: list[Command] = []
    offset = 0
    for doc in text.split("\n\n"):
        if doc.startswith("\n") or (offset and doc == ""):
            raise QSSyntaxError(offset + 1, "two empty lines in a row, or one at the end")
        try:
            commands += _parse_csv_document(
                doc if doc == "" or doc.endswith("\n") else doc + "\n", datatypes
            )
        except QSSyntaxError as exc:
            raise QSSyntaxError(exc.line_number + offset, exc.message) from None
        offset += doc.count("\n") + 2 - (1 if doc.endswith("\n") else 0)
    return commands


def _parse_csv_document(text: str, datatypes: Mapping[str, str] | None) -> list[Command]:
    """One CSV document (one header row, then its rows)."""
    _check_datatypes(datatypes)
    if "\r" in text:
        # Report the line of the first CR.
        raise QSSyntaxError(text[: text.index("\r")].count("\n") + 1, "CR character (use LF)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    commands: list[Command] = []
    groups: list[_Group] | None = None
    width = 0
    start = 1
    try:
        for row in reader:
            n = reader.line_num
            if n != start:
                raise QSSyntaxError(start, "a cell spans several lines")
            start = n + 1
            if groups is None:
                groups = _csv_header(row)
                width = len(row)
                continue
            if row == []:
                raise QSSyntaxError(n, "empty line inside a CSV document")
            if len(row) != width:
                raise QSSyntaxError(n, f"row has {len(row)} cells, the header has {width}")
            commands.extend(_csv_row(row, n, groups, datatypes))
    except csv.Error as exc:
        raise QSSyntaxError(reader.line_num or 1, f"CSV: {exc}") from None
    if groups is None:
        raise QSSyntaxError(1, "empty CSV: the header row is missing")
    return commands


def _csv_row(
    row: list[str], n: int, groups: list[_Group], datatypes: Mapping[str, str] | None
) -> list[Command]:
    """The commands of one data row (of the header's width): a CREATE when the qid cell is
    empty, then one command per non-empty group, in header order."""
    commands: list[Command] = []
    qid = row[0]
    if qid == "":
        commands.append(Command(None, "CREATE", line=n))
        subject = "LAST"
    elif _ITEM.fullmatch(qid):
        subject = qid
    elif re.fullmatch(r"q[0-9]+", qid):
        raise QSSyntaxError(n, f"ids must be upper-case: {qid!r}")
    else:
        raise QSSyntaxError(n, f"qid must be a Q id or empty: {qid!r}")
    for g in groups:
        cell = row[g.col]
        extra = [(c, k) for c, k in g.quals + g.sources if row[c] != ""]
        if cell == "":
            if extra:
                raise QSSyntaxError(
                    n,
                    f"qualifier/source cell {extra[0][1]} without a value in its "
                    "statement column",
                )
            raise QSSyntaxError(
                n, f"empty cell in column {g.col + 1} (QuickStatements does not skip it)"
            )
        empty = [k for c, k in g.quals + g.sources if row[c] == ""]
        if empty:
            raise QSSyntaxError(n, f"empty {empty[0]} cell (QuickStatements does not skip it)")
        if g.kind == "statement":
            commands.append(_csv_statement(g, row, subject, n, datatypes))
        else:
            text_ = _csv_term(cell, n)
            commands.append(
                Command(subject, g.kind, language=g.key, value=String(text_), line=n)
            )
    return commands


def _csv_statement(
    g: _Group, row: list[str], subject: str, n: int, datatypes: Mapping[str, str] | None
) -> Command:
    """The statement of group `g` in `row`, with its non-empty qualifier and source cells."""
    cmd = Command(
        subject,
        "statement",
        property=g.key,
        value=_value(row[g.col], n, _datatype_of(g.key, datatypes)),
        line=n,
    )
    for c, k in g.quals:
        if row[c] != "":
            qv = _value(row[c], n, _datatype_of(k, datatypes))
            cmd.qualifiers.append((k, qv))
    for c, k in g.sources:
        if row[c] != "":
            rv = _value(row[c], n, _datatype_of(k, datatypes))
            cmd.references.append((k, rv))
    return cmd


def duplicate_statements(commands: list[Command]) -> list[tuple[int, str, Value | None]]:
    """Statement lines of one new item (after a ``CREATE``) with the same property and value
    as an earlier line of that item: ``(line, property, value)`` for each. The web tool builds
    a new item in one edit (``compressCommands``), where each of them is a new statement."""
    out: list[tuple[int, str, Value | None]] = []
    seen: set[tuple[str, str]] = set()
    for cmd in commands:
        if cmd.action == "CREATE":
            seen = set()
        elif cmd.action == "statement" and cmd.subject == "LAST" and cmd.property:
            key = (cmd.property, repr(cmd.value))
            if key in seen:
                out.append((cmd.line, cmd.property, cmd.value))
            seen.add(key)
    return out
