"""`personkg export --format quickstatements --against wikidata`: only what Wikidata lacks.

The items' existing statements, with their qualifiers, references and time precisions, are
read from Wikidata SPARQL endpoints in Wikibase RDF shape (p:/ps:/psv:/pq:/prov:/pr:): the
scholarly works' from the scholarly endpoint, everything else from the main one (Wikidata's
graph was split in 2025). Then, line by line:

- a statement Wikidata has, with every one of our references, is left out;
- a statement Wikidata has without some of our references is sent again with its qualifiers
  and the missing reference (QuickStatements adds it to the existing statement);
- a date Wikidata has more precisely (2017-06-12 where we say 2017) counts as present; one we
  have more precisely (a refinement) and a different value of a single-valued property (a
  conflict) are reported, never sent: a person decides;
- an author Wikidata still has as a name string (P2093) with the same series ordinal (P1545)
  as our author item (P50) is replaced: the P50 line is sent and the P2093 statement removed;
  an author name string of ours whose place Wikidata already fills with an item is left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..export.quickstatements import QSExport, QSLine
from ..model import Dataset
from ..namespaces import PROV, WD, WDP, WDPQ, WDPR, WDPS, WDPSV, WIKIBASE
from ..remote import Endpoint
from ..vocab import Vocabulary
from .cache import Row, rows_of

__all__ = ["Held", "Existing", "Diff", "fetch_existing", "fetch_for", "against"]

AUTHOR, AUTHOR_NAME, ORDINAL = "P50", "P2093", "P1545"
STATED_IN, REFERENCE_URL = "P248", "P854"
_PRECISION_NAME = {9: "year", 10: "month", 11: "day"}
BATCH = 100


@dataclass
class Held:
    """One non-deprecated statement on Wikidata: its value as text (an item as its QID), the
    precision of a time, its qualifiers and its references (each a set of (P…, value))."""

    value: str
    precision: int | None = None
    qualifiers: set[tuple[str, str]] = field(default_factory=set)
    references: list[set[tuple[str, str]]] = field(default_factory=list)


@dataclass
class Existing:
    """What Wikidata states: (item, property) -> its statements."""

    statements: dict[tuple[str, str], list[Held]] = field(default_factory=dict)

    def merge(self, other: Existing) -> None:
        self.statements.update(other.statements)


def _short(value: str) -> str:
    """A Wikidata RDF value (as a plain string) with an item reduced to its QID."""
    return value[len(WD):] if value.startswith(WD) else value


def _unquoted(value: str) -> str:
    """A QuickStatements value without its quotes or language (`en:"…"`)."""
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    m = re.match(r'^[a-z-]+:"(.*)"$', value)
    return m.group(1) if m else value


_QS_TIME = re.compile(r"^\+(\d{4})-(\d\d)-(\d\d)T00:00:00Z/(9|10|11)$")
_WD_TIME = re.compile(r"^\+?(\d{4})-(\d\d)-(\d\d)T")


def _at(parts: tuple[str | Any, ...], precision: int) -> str:
    """The date `parts` (year, month, day) at `precision` (9 year, 10 month, 11 day)."""
    return "-".join(parts[:precision - 8])


def compare(qs_value: str, held: Held) -> str:
    """How our QuickStatements value stands to a Wikidata statement's: "same", "coarser"
    (Wikidata has the same date more precisely), "finer" (ours refines Wikidata's) or
    "different". Times are compared at the coarser of the two precisions."""
    m = _QS_TIME.match(qs_value)
    if m:
        theirs = _WD_TIME.match(held.value)
        if theirs is None:
            return "different"
        ours_p, their_p = int(m.group(4)), held.precision or 11
        common = min(ours_p, their_p)
        if _at(m.groups()[:3], common) != _at(theirs.groups(), common):
            return "different"
        return "same" if ours_p == their_p else ("coarser" if ours_p < their_p else "finer")
    a = _unquoted(qs_value)
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", a) and re.fullmatch(r"[+-]?\d+(\.\d+)?", held.value):
        return "same" if float(a) == float(held.value) else "different"
    return "same" if a == held.value else "different"


def _precision(value: str) -> int | None:
    """A time precision from an answer (0 to 14 on Wikidata); None for anything else."""
    return int(value) if re.fullmatch(r"[0-9]{1,2}", value) else None


def _select(endpoint: Endpoint, query: str) -> list[Row]:
    return rows_of(endpoint.query(query), endpoint.url)


def fetch_existing(endpoint: Endpoint, qids: list[str]) -> Existing:
    """The non-deprecated statements of `qids` (Wikibase RDF shape), in batches: values and
    time precisions, then qualifiers, then references (three queries, no cross products)."""
    out = Existing()
    # Each query starts from a batch of items named in VALUES, so the predicates whose text
    # is tested are those items' and their statements' own, never a scan of the store.
    for start in range(0, len(qids), BATCH):
        chunk = " ".join(f"<{WD}{q}>" for q in qids[start:start + BATCH])
        head = ("VALUES ?item { " + chunk + " } ?item ?p ?st . "
                f"FILTER (STRSTARTS(STR(?p), \"{WDP}P\")) ")
        statements = _select(endpoint, (
            "SELECT ?item ?p ?st ?value ?precision WHERE { " + head +
            f"?st ?ps ?value . FILTER (STR(?ps) = CONCAT(\"{WDPS}\", "
            f"STRAFTER(STR(?p), \"{WDP}\"))) "
            f"OPTIONAL {{ ?st <{WIKIBASE.rank}> ?rank }} "
            f"FILTER (!BOUND(?rank) || ?rank != <{WIKIBASE.DeprecatedRank}>) "
            f"OPTIONAL {{ ?st ?psv ?node . ?node <{WIKIBASE.timePrecision}> ?precision . "
            f"FILTER (STR(?psv) = CONCAT(\"{WDPSV}\", STRAFTER(STR(?p), \"{WDP}\"))) }} }}"))
        by_node: dict[str, Held] = {}
        for row in statements:
            if row["st"] in by_node:
                continue
            held = Held(_short(row["value"]),
                        _precision(row.get("precision", "")))
            by_node[row["st"]] = held
            key = (row["item"][len(WD):], row["p"][len(WDP):])
            out.statements.setdefault(key, []).append(held)
        for row in _select(endpoint, (
                "SELECT ?st ?pq ?qv WHERE { " + head + "?st ?pq ?qv . "
                f"FILTER (STRSTARTS(STR(?pq), \"{WDPQ}P\")) }}")):
            if row["st"] in by_node:
                by_node[row["st"]].qualifiers.add((row["pq"][len(WDPQ):], _short(row["qv"])))
        refs: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for row in _select(endpoint, (
                "SELECT ?st ?ref ?pr ?rv WHERE { " + head +
                f"?st <{PROV.wasDerivedFrom}> ?ref . ?ref ?pr ?rv . "
                f"FILTER (STRSTARTS(STR(?pr), \"{WDPR}P\")) }}")):
            if row["st"] in by_node:
                refs[(row["st"], row["ref"])].add((row["pr"][len(WDPR):], _short(row["rv"])))
        for (node, _ref), pairs in sorted(refs.items()):
            by_node[node].references.append(pairs)
    return out


def fetch_for(ds: Dataset, voc: Vocabulary, main: Endpoint, scholarly: Endpoint) -> Existing:
    """What Wikidata states about the dataset's items: the scholarly works' at `scholarly`
    (Wikidata's scholarly graph, since the 2025 split), everything else's at `main`."""
    kinds = voc.scholarly_types()
    qids: dict[bool, set[str]] = {True: set(), False: set()}
    for e in ds.entities.values():
        if e.wikidata:
            qids[e.type in kinds].add(e.wikidata)
    out = fetch_existing(main, sorted(qids[False]))
    out.merge(fetch_existing(scholarly, sorted(qids[True])))
    return out


def _has_reference(held: Held, group: tuple[tuple[str, str], ...]) -> bool:
    """Whether one of the statement's references is ours: the same reference URL, or (when
    one side has no URL) the same "stated in" item."""
    ours = {("P" + s[1:], _unquoted(v)) for s, v in group}
    url = {v for p, v in ours if p == REFERENCE_URL}
    stated = {v for p, v in ours if p == STATED_IN}
    for ref in held.references:
        their_url = {v for p, v in ref if p == REFERENCE_URL}
        if url and url & their_url:
            return True
        if stated and stated & {v for p, v in ref if p == STATED_IN} and not (url and their_url):
            return True
    return False


@dataclass
class Diff:
    present: int = 0
    references_added: int = 0
    more_precise_there: int = 0
    replaced: set[tuple[str, str]] = field(default_factory=set)  # (item, name) removed
    resolved: set[tuple[str, str]] = field(default_factory=set)  # (item, place) left out
    conflicts: list[str] = field(default_factory=list)
    refinements: list[str] = field(default_factory=list)

    def summary(self, where: str) -> str:
        out = [f"against {where}: {self.present} statements already there "
               f"({self.more_precise_there} of them more precisely), "
               f"{self.references_added} get a missing reference, {len(self.replaced)} author "
               f"name strings replaced by items, {len(self.resolved)} name strings "
               f"already items there, {len(self.refinements)} refinements and "
               f"{len(self.conflicts)} conflicts (not emitted)"]
        out += [f"  refinement: {r}" for r in self.refinements]
        out += [f"  conflict: {c}" for c in self.conflicts]
        return "\n".join(out) + "\n"


def _ordinal(pairs: tuple[tuple[str, str], ...] | set[tuple[str, str]]) -> str | None:
    return next((_unquoted(v) for p, v in pairs if p == ORDINAL), None)


def _show(held: Held) -> str:
    m = _WD_TIME.match(held.value)
    if m and held.precision in _PRECISION_NAME:
        return f"{_at(m.groups(), held.precision)} ({_PRECISION_NAME[held.precision]})"
    return held.value


def _line(ln: QSLine, existing: Existing, single: set[str], diff: Diff) -> list[QSLine]:
    """What to send for one of our lines, given what Wikidata holds."""
    have = existing.statements.get((ln.subject, ln.prop), [])
    verdicts = [(compare(ln.value, h), h) for h in have]
    same = [h for v, h in verdicts if v in ("same", "coarser")]
    if same:
        if any(_has_reference(h, ln.references) for h in same) or not ln.references:
            diff.present += 1
            diff.more_precise_there += not any(v == "same" for v, _ in verdicts)
            return []
        diff.references_added += 1
        return [ln]  # with its qualifiers: QuickStatements adds the reference to that statement
    finer = [h for v, h in verdicts if v == "finer"]
    if finer:
        diff.refinements.append(f"{ln.subject} {ln.prop}: Wikidata has "
                                f"{', '.join(_show(h) for h in finer)}, the dataset "
                                f"{_unquoted(ln.value)}")
        return []
    if have and ln.prop in single:
        diff.conflicts.append(f"{ln.subject} {ln.prop}: Wikidata has "
                              f"{', '.join(_show(h) for h in have)}, the dataset {ln.value}")
        return []
    place = _ordinal(ln.qualifiers)
    if ln.prop == AUTHOR_NAME and place and any(
            _ordinal(h.qualifiers) == place
            for h in existing.statements.get((ln.subject, AUTHOR), [])):
        diff.resolved.add((ln.subject, place))
        return []
    out = [ln]
    if ln.prop == AUTHOR and place:
        for h in existing.statements.get((ln.subject, AUTHOR_NAME), []):
            if _ordinal(h.qualifiers) == place:
                diff.replaced.add((ln.subject, h.value))
                out.append(QSLine("-" + ln.subject, AUTHOR_NAME, f'"{h.value}"'))
    return out


def against(export: QSExport, existing: Existing, voc: Vocabulary) -> tuple[QSExport, Diff]:
    """Only what Wikidata lacks (see the module's docstring); lines of new items (CREATE,
    LAST) and terms are kept as they are."""
    single = {p.wikidata for p in voc.claims.values() if p.wikidata and p.single_valued}
    diff = Diff()
    blocks = []
    for block in export.blocks:
        new_block: list[QSLine] = []
        for ln in block:
            if not ln.prop.startswith("P") or ln.subject in ("", "LAST"):
                new_block.append(ln)
            else:
                new_block += _line(ln, existing, single, diff)
        blocks.append(list(dict.fromkeys(new_block)))
    diff.conflicts = sorted(set(diff.conflicts))
    diff.refinements = sorted(set(diff.refinements))
    return QSExport(blocks, export.skipped), diff
