"""QuickStatements export: the dataset's best-rank statements as Wikidata edits.

The output is a narrow, portable subset of QuickStatements V1 (the real parser drops lines it
does not understand without a word): tab-separated, upper-case ids, qualifier columns then
reference (`S…`) columns, one reference group per line, times always with their precision and
zeros below it (`+2017-00-00T00:00:00Z/9`), series ordinals as strings, monolingual text as
`en:"…"`. A string that QuickStatements cannot carry (a double quote, a tab or a line break in
it) is left out and counted, never altered. Each property's Wikidata id and datatype come from
the ontology; a value that does not fit its datatype is refused. Only medium- and high-trust
sources become references; a statement that rests only on low-trust sources, and values kept
side by side because sources disagree (`alternative: true`), are not exported.

Lines are sorted and carry no run-dependent data (the retrieved date is the source record's
`date_retrieved`), so two runs give the same bytes and QuickStatements does not add a second
reference to a statement it already has.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from ..compile import best_claims
from ..model import Claim, Dataset, Date, Entity, Text
from ..vocab import Property, Vocabulary

__all__ = ["QSLine", "QSExport", "quickstatements", "to_v1", "to_csv"]

_QID = re.compile(r"^Q[1-9]\d*$")
STATED_IN, REFERENCE_URL, RETRIEVED, QUOTE = "S248", "S854", "S813", "S1683"
INSTANCE_OF = "P31"


class Unfit(ValueError):
    """A value that the property's Wikidata datatype (or QuickStatements) cannot carry."""


@dataclass(frozen=True, order=True)
class QSLine:
    subject: str  # a QID, or "LAST" after CREATE
    prop: str  # "P108", or "Len"/"Den" for terms, or "CREATE"
    value: str = ""
    qualifiers: tuple[tuple[str, str], ...] = ()
    references: tuple[tuple[str, str], ...] = ()


@dataclass
class QSExport:
    blocks: list[list[QSLine]] = field(default_factory=list)  # one block per entity, in order
    skipped: Counter[str] = field(default_factory=Counter)
    #: entities without a QID that are not created, by reason
    not_created: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[QSLine]:
        return [line for block in self.blocks for line in block]

    def summary(self) -> str:
        exported = sum(1 for ln in self.lines() if ln.prop.startswith("P"))
        created = sum(1 for ln in self.lines() if ln.prop == "CREATE")
        out = [f"quickstatements: {exported} statement lines, {created} new items"]
        if self.not_created:
            total = sum(self.not_created.values())
            out.append(f"not created: {total} entities without a QID:")
            out.extend(f"  {n:5d}  {why}" for why, n in sorted(self.not_created.items(),
                                                               key=lambda x: (-x[1], x[0])))
        if self.skipped:
            total = sum(self.skipped.values())
            out.append(f"left out {total}:")
            out.extend(f"  {n:5d}  {why}" for why, n in sorted(self.skipped.items(),
                                                               key=lambda x: (-x[1], x[0])))
        return "\n".join(out) + "\n"


#: What a QuickStatements string cannot carry, each with the reason it is left out (checked
#: against the parsers the live tools use, magnusmanske/quickstatements
#: public_html/quickstatements.php and QuickStatements 3, src/core/parsers/{base,v1,csv}.py):
_UNFIT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # no escapes: parseValueV1 / BaseParser.parse_value_string take `^"(.*)"$` verbatim; a TAB
    # is the column separator and a line break the command separator (importDataFromV1)
    (re.compile('["\x00-\x1f\x7f\x85\u2028\u2029]'),
     "a double quote, tab or line break in a string"),
    # QS3 V1CommandParser.parse turns every `||` into a line break and every `|` into a TAB,
    # in the whole batch; the PHP tool does so in a one-line batch (the URL form `#v1=`)
    (re.compile(r"\|"), "a '|' in a string (QuickStatements reads it as a column separator)"),
    # QS3 BaseParser.parse_value replaces U+201C and U+201D with a straight double quote
    (re.compile("[\u201c\u201d]"),
     "a curly double quote in a string (QuickStatements 3 straightens it)"),
    # PHP fgetcsv (importDataFromCSV) reads a backslash as an escape before a quote
    (re.compile(r"\\$"), "a backslash at the end of a string (PHP's CSV reader escapes with it)"),
    # parseValueV1 / parse_value_string trim the text, and an empty label removes it in QS3
    (re.compile(r"^\s|\s$|^$"), "white space around a string, or an empty one "
                                   "(QuickStatements trims it)"),
)

#: a language code as both parsers read it before `:"…"` (parseValueV1 and
#: BaseParser.parse_value_monolingualtext: `[a-z_-]+`, so no digits: `es-419` is not read)
_LANG = re.compile(r"[a-z]{2,3}(-[a-z]{1,8})*")


def _string(text: str) -> str:
    """`text` as a QuickStatements string, or Unfit with the rule it breaks (never altered)."""
    for pattern, why in _UNFIT_RULES:
        if pattern.search(text):
            raise Unfit(why)
    return f'"{text}"'


def _monolingual(lang: str, text: str) -> str:
    if not _LANG.fullmatch(lang):
        raise Unfit(f"language {lang!r} (QuickStatements reads only letters, '-' and '_' in "
                    "a language code)")
    return f"{lang}:{_string(text)}"


def _term(text: str) -> str:
    """A label or description: a string by the same rules (a double or curly quote in it is
    left out, not turned into another character)."""
    return _string(text)


def _terms(ent: Entity, skipped: Counter[str]) -> list[QSLine] | None:
    """The label and description lines of a new item; None (and counted) when its label
    cannot be written; a description that cannot be is left out and counted."""
    try:
        lines = [QSLine("LAST", "Len", _term(ent.name))]
    except Unfit as exc:
        skipped[f"new item left out: its label cannot be written ({exc})"] += 1
        return None
    if ent.description:
        try:
            lines.append(QSLine("LAST", "Den", _term(ent.description)))
        except Unfit as exc:
            skipped[f"description of a new item left out ({exc})"] += 1
    return lines


def _time(value: object) -> str:
    if not isinstance(value, Date):
        raise Unfit("not a date")
    parts = value.text.split("-") + ["00", "00"]
    precision = {"year": 9, "month": 10, "day": 11}[value.precision]
    return f"+{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z/{precision}"


def _value(prop: Property, value: object, ds: Dataset) -> str:
    """`value` in QuickStatements syntax for the property's Wikidata datatype."""
    kind = prop.wikidata_datatype
    if kind == "wikibase-item":
        target = ds.entities.get(str(value))
        qid = target.wikidata if target else None
        if not qid:
            raise LookupError("value has no QID")
        if not _QID.match(qid):
            raise Unfit(f"{qid!r} is not a QID")
        return qid
    if kind == "time":
        return _time(value)
    if kind == "monolingualtext":
        if not isinstance(value, Text):
            raise Unfit("not a text with a language")
        return _monolingual(value.lang, value.text)
    if kind in ("string", "external-id"):
        if isinstance(value, (Date, Text, bool)):
            raise Unfit("not a plain string")
        return _string(str(value))
    if kind == "url":
        text = str(value)
        if not re.match(r"^https?://\S+$", text):
            raise Unfit("not an http(s) URL")
        return _string(text)
    if kind == "quantity":
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+(\.\d+)?", str(value)):
            raise Unfit("not a number")
        return str(value)
    raise Unfit(f"unsupported Wikidata datatype {kind!r}")


def _pnum(pid: str | None) -> int:
    return int(pid[1:]) if pid else 0


def _references(claim: Claim, ds: Dataset, low_trust: set[str],
                skipped: Counter[str]) -> list[tuple[tuple[str, str], ...]]:
    """One reference group per reference of the claim, in a stable order."""
    groups = []
    for ref in claim.references:
        src = ds.sources.get(ref.source)
        if src is None:
            continue
        if str(src.fields.get("trust")) in low_trust:
            skipped["reference to a low-trust source left out"] += 1
            continue
        cols: list[tuple[str, str]] = []
        if src.wikidata and _QID.match(src.wikidata):
            cols.append((STATED_IN, src.wikidata))
        url = ref.url or src.fields.get("url")
        if url:
            try:
                cols.append((REFERENCE_URL, _string(str(url))))
            except Unfit as exc:
                skipped[f"reference URL left out ({exc})"] += 1
        retrieved = src.fields.get("date_retrieved")
        if isinstance(retrieved, Date):
            cols.append((RETRIEVED, _time(retrieved)))
        if ref.quote:
            lang = str(src.fields.get("language") or "en")
            try:
                cols.append((QUOTE, _monolingual(lang, ref.quote)))
            except Unfit as exc:
                skipped[f"reference quotation left out ({exc})"] += 1
        if cols:
            groups.append(tuple(cols))
    return sorted(set(groups))


def _name_string(prop: Property, claim: Claim, ent: Entity, ds: Dataset,
                 voc: Vocabulary) -> tuple[Property, str, Claim] | None:
    """For an item value without a QID (an author whose record has no QID yet), the string
    property that stands for it on Wikidata (the one of the same schema.org term: author name
    string, P2093), the name as printed (its `stated_as` qualifier, else the record's name)
    and the claim reduced to the qualifiers that property takes (the series ordinal)."""
    if not prop.schema_org:
        return None
    term = prop.schema_org.rsplit("/", 1)[-1]
    alt = next((p for p in voc.by_schema_org(ent.type, term)
                if p.kind == "string" and p.wikidata and p is not prop), None)
    target = ds.entities.get(str(claim.value))
    if alt is None or target is None:
        return None
    stated = voc.qualifier_for(prop, "name")
    name = str(claim.qualifiers.get(stated, target.name)) if stated else target.name
    kept = {k: v for k, v in claim.qualifiers.items() if k in alt.qualifiers}
    return alt, name, Claim(alt.key, name, qualifiers=kept, references=claim.references)


def _statement(prop: Property, claim: Claim, ent: Entity, ds: Dataset, voc: Vocabulary,
               skipped: Counter[str]) -> tuple[Property, str, Claim] | None:
    """The property, value and claim one best-rank claim is exported as, or None (counted
    in `skipped`)."""
    try:
        return prop, _value(prop, claim.value, ds), claim
    except LookupError:
        alt = _name_string(prop, claim, ent, ds, voc)
        if alt is None:
            skipped[f"{claim.property}: the value has no QID yet"] += 1
            return None
        try:
            return alt[0], _value(alt[0], alt[1], ds), alt[2]
        except Unfit as exc:
            skipped[f"{claim.property}: name string does not fit ({exc})"] += 1
    except Unfit as exc:
        skipped[f"{claim.property}: value does not fit {prop.wikidata_datatype} ({exc})"] += 1
    return None


def _entity_lines(ent: Entity, subject: str, ds: Dataset, voc: Vocabulary,
                  skipped: Counter[str]) -> list[QSLine]:
    out: list[QSLine] = []
    best = best_claims(ent.claims)
    for i, claim in enumerate(ent.claims):
        if i not in best:
            if claim.rank == "deprecated":
                skipped["deprecated statement (never exported)"] += 1
            else:
                skipped["not best rank"] += 1
            continue
        if not voc.claims[claim.property].wikidata:
            skipped[f"{claim.property}: no Wikidata property"] += 1
            continue
        if claim.alternative:
            skipped[f"{claim.property}: alternative values (sources disagree)"] += 1
            continue
        done = _statement(voc.claims[claim.property], claim, ent, ds, voc, skipped)
        if done is None:
            continue
        prop, value, claim = done
        quals: list[tuple[str, str]] = []
        for key, qv in sorted(claim.qualifiers.items(),
                              key=lambda kv: _pnum(voc.qualifiers[kv[0]].wikidata)):
            q = voc.qualifiers[key]
            if not q.wikidata:
                continue
            try:
                quals.append((q.wikidata, _value(q, qv, ds)))
            except (LookupError, Unfit) as exc:
                skipped[f"qualifier {key} left out ({exc})"] += 1
        refs = _references(claim, ds, voc.low_trust, skipped)
        if not refs:
            skipped[f"{claim.property}: rests only on low-trust sources"] += 1
            continue
        for group in refs:
            out.append(QSLine(subject, str(prop.wikidata), value, tuple(quals), group))
    return sorted(set(out))


def quickstatements(ds: Dataset, voc: Vocabulary, create: Collection[str] = ()) -> QSExport:
    """The best-rank statements of entities with a QID; new items (CREATE) only for the
    entities in `create` (those reconcile checked absent: see wikidata/verdicts.py), each
    with its referenced statements (an item that would carry none is not created)."""
    export = QSExport()
    for ent in sorted(ds.entities.values(), key=lambda e: e.id):
        wd_class = voc.wikidata_class_of(ent.type)
        if ent.wikidata:
            export.blocks.append(_entity_lines(ent, ent.wikidata, ds, voc, export.skipped))
            continue
        if ent.id not in create or wd_class is None:
            if ent.claims:
                export.skipped["subject has no QID (run `personkg reconcile`)"] += \
                    len(ent.claims)
            continue
        lines = _entity_lines(ent, "LAST", ds, voc, export.skipped)
        if not lines:
            export.not_created["it would carry no referenced statement"] += 1
            continue
        block = [QSLine("", "CREATE")]
        terms = _terms(ent, export.skipped)
        if terms is None:
            continue
        block += terms
        block.append(QSLine("LAST", INSTANCE_OF, wd_class))
        export.blocks.append(block + lines)
    return export


def _v1_rows(export: QSExport) -> list[list[str]]:
    """The V1 fields of each output line. Lines of a new item (`LAST`) that differ only in
    their reference group become ONE line, each further group introduced by `!S`: the web tool
    folds a new item's commands into one wbeditentity (compressCommands in
    public_html/quickstatements.php; api.php `import` compresses by default), where every
    statement command is a statement of its own, so two lines with the same value would make two
    statements; `!S` starts a new reference group in importDataFromV1 (`new_source_group`) and in
    QS3's V1CommandParser.parse_statement. Lines of existing items keep one group each: for
    them the PHP tool (commandAddSources) ignores `!S` and would merge the groups into one
    reference, while a line per group adds each reference to the matching statement."""
    rows: list[list[str]] = []
    merged: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], list[str]] = {}
    for ln in export.lines():
        if ln.prop == "CREATE":
            rows.append(["CREATE"])
            merged.clear()  # LAST means the new item from here on
            continue
        key = (ln.subject, ln.prop, ln.value, ln.qualifiers)
        if ln.subject == "LAST" and key in merged:
            row = merged[key]
            has_group = len(row) > 3 + 2 * len(ln.qualifiers)
            for k, (s, v) in enumerate(ln.references):
                row += ["!" + s if k == 0 and has_group else s, v]
            continue
        cells = [ln.subject, ln.prop, ln.value]
        for p, v in ln.qualifiers:
            cells += [p, v]
        for s, v in ln.references:
            cells += [s, v]
        rows.append(cells)
        if ln.subject == "LAST":
            merged[key] = cells
    return rows


def to_v1(export: QSExport) -> str:
    return "".join("\t".join(cells) + "\n" for cells in _v1_rows(export))


_Shape = tuple[str, tuple[str, ...], tuple[str, ...]]


def _shape(ln: QSLine) -> _Shape:
    """A statement line's columns: property, qualifier properties, reference properties."""
    return (ln.prop, tuple(p for p, _ in ln.qualifiers), tuple(s for s, _ in ln.references))


def _csv_header(shape: _Shape) -> list[str]:
    """`qid`, the property, `qal<n>` per qualifier, `S<n>` for the reference's first snak and
    lower-case `s<n>` for its others (importDataFromCSV; QS3 CSVCommandParser.parse_line)."""
    prop, quals, refs = shape
    return (["qid", prop] + ["qal" + q[1:] for q in quals]
            + [("S" if k == 0 else "s") + r[1:] for k, r in enumerate(refs)])


def to_csv(export: QSExport) -> str:
    """The CSV form, for existing items only: one CSV document per statement shape (property,
    its qualifier properties, its reference properties), each with its own `qid,…` header row
    and one row per statement and reference group, every cell filled; documents are separated
    by one empty line and are pasted into QuickStatements one at a time.

    Why: neither parser skips columns: the PHP tool (importDataFromCSV) reads every cell of a
    row, an empty one included, as a command (an empty value is an error), and both read only
    the first row as the header, so a second `qid,…` row in one paste would be a row of
    commands on an item called `qid`. A cell holds a value in V1 syntax, CSV-quoted
    (`\"\"\"text\"\"\"`). In CSV every row with an empty `qid` creates an item, so new items
    need the V1 form (there are no label or description cells here; QuickStatements would take a
    label cell verbatim, quotes included, so it would have to be unquoted). With nothing to
    edit, the output is the header `qid` alone."""
    if any(ln.prop == "CREATE" for ln in export.lines()):
        raise ValueError("new items need the V1 form: in CSV every row with an empty qid "
                         "creates an item")
    by_shape: dict[_Shape, list[QSLine]] = {}
    for ln in export.lines():
        by_shape.setdefault(_shape(ln), []).append(ln)
    docs = []
    for shape in sorted(by_shape):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(_csv_header(shape))
        for ln in by_shape[shape]:
            row = [ln.subject, ln.value, *(v for _, v in ln.qualifiers),
                   *(v for _, v in ln.references)]
            assert all(row), "a QuickStatements CSV cell is never empty"
            w.writerow(row)
        docs.append(buf.getvalue())
    return "\n".join(docs) or "qid\n"  # nothing to edit: the header alone
