"""`personkg reconcile`: find the Wikidata item of each entity and source that has no QID yet,
like a careful editor would.

Strong identifiers first (arXiv id, DOI, ORCID, X username, official website), each looked up
in one batched query per property (VALUES); then, for the entities still without one, their
name and every alias (`aliases:`), matched exactly against Wikidata's labels and aliases
(`rdfs:label`, `skos:altLabel`) in English and in `mul` (the language-independent label),
among the items of the entity type's Wikidata class *or any subclass of it*.

Scholarly works are looked up on the scholarly endpoint (Wikidata's graph was split in 2025),
everything else on the main one; both are configurable. The class hierarchy (P279) lives in
the main graph only, so the two sides ask differently: the main endpoint follows it in the
query (`wdt:P31/wdt:P279*`); for the scholarly endpoint the subclasses of the class are first
fetched from the main endpoint (one cached query per class) and sent as VALUES with a direct
`wdt:P31` (when a class has more than MAX_SUBCLASSES subclasses, only the class itself is
sent, as before).

Sources (`data/sources/`) are looked up so that references can say "stated in" (S248): by
`doi` (P356, on both endpoints: a cited article may live in either graph), `issn` (P236) and
`url` (P953 "full work available at URL": a source record's URL is the document that was
read, not the official website of its publisher, which P856 would mean), on the main one.

A match by a unique identifier is accepted (confidence high). A label or alias match is only
a candidate for a person to confirm. An identifier that two items share is a likely duplicate
on Wikidata and is never accepted; neither is a record whose identifiers point at different
items. A lookup that lands on a redirected item follows the redirect (`owl:sameAs`), and a
record whose `wikidata:` QID is a redirect is reported; both are checked in one batched query
per endpoint. Answers are cached on disk (see `cache`), keyed by endpoint and query text.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..compile import best_of
from ..model import Dataset, Entity
from ..namespaces import OWL, RDFS, SKOS, WD, WDQS, WDQS_SCHOLARLY, WDT
from ..remote import Endpoint
from ..vocab import Vocabulary
from .cache import (
    DEFAULT_MAX_AGE,
    NOT_FOUND_MAX_AGE,
    AnswerCache,
    CachedClient,
)
from .write import Refused, write_qids

__all__ = ["Match", "Reconciliation", "Refused", "reconcile", "write_qids", "WDQS",
           "WDQS_SCHOLARLY", "SOURCE_IDENTIFIERS"]

BATCH = 200
MAX_SUBCLASSES = 500
LANGUAGES = ("en", "mul")
#: source field -> Wikidata property, in lookup order
SOURCE_IDENTIFIERS = {"doi": "P356", "issn": "P236", "url": "P953"}
_IRI_VALUED = {"website", "url"}


@dataclass
class Match:
    entity: str
    qid: str | None
    confidence: str  # high | candidate | duplicate | conflict | none
    evidence: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    endpoint: str = ""  # where it was looked up
    kind: str = "entity"  # entity | source (`entity` is then the source's id)

    @property
    def accepted(self) -> bool:
        return self.confidence == "high" and self.qid is not None


@dataclass
class Reconciliation:
    matches: list[Match] = field(default_factory=list)
    queries: int = 0
    cached: int = 0
    #: when the oldest answer used was fetched (seconds since the epoch): the day the
    #: verdicts were checked, also when answers come from the cache
    oldest: float | None = None
    #: records whose `wikidata:` QID is a redirect: (record id, old QID, new QID)
    redirects: list[tuple[str, str, str]] = field(default_factory=list)

    def fetched(self, when: float) -> None:
        self.oldest = when if self.oldest is None else min(self.oldest, when)

    def to_text(self) -> str:
        out = []
        for m in sorted(self.matches, key=lambda m: (m.confidence != "high", m.entity)):
            name = f"source {m.entity}" if m.kind == "source" else m.entity
            if m.confidence == "high":
                out.append(f"{name}: {m.qid} (high: {'; '.join(m.evidence)})")
            elif m.confidence == "candidate":
                out.append(f"{name}: candidate {', '.join(m.candidates)} for a person to "
                           f"confirm ({'; '.join(m.evidence)})")
            elif m.confidence == "duplicate":
                out.append(f"{name}: likely duplicate on Wikidata: "
                           f"{', '.join(m.candidates)} ({'; '.join(m.evidence)})")
            elif m.confidence == "conflict":
                out.append(f"{name}: identifiers point at different items "
                           f"{', '.join(m.candidates)} ({'; '.join(m.evidence)})")
        for rid, old, new in self.redirects:
            out.append(f"{rid}: {old} redirects to {new} (update its wikidata: line)")
        ents = [m for m in self.matches if m.kind == "entity"]
        sources = len(self.matches) - len(ents)
        accepted = sum(m.accepted for m in self.matches)
        candidates = sum(m.confidence == "candidate" for m in self.matches)
        decide = sum(m.confidence in ("duplicate", "conflict") for m in self.matches)
        out.append(f"reconcile: {len(ents)} entities without a QID"
                   + (f" and {sources} sources" if sources else "")
                   + f"; {accepted} matched by identifier; {candidates} candidates; "
                   f"{decide} for a person to decide; {len(self.redirects)} redirected QIDs; "
                   f"{self.queries} queries ({self.cached} from cache)")
        return "\n".join(out) + "\n"

    def to_json(self) -> str:
        items = [m.__dict__ | {"accepted": m.accepted} for m in self.matches]
        items += [{"entity": rid, "qid": old, "confidence": "redirect", "redirects_to": new,
                   "accepted": False} for rid, old, new in self.redirects]
        return json.dumps(items, indent=2) + "\n"


def _literal(value: str) -> str:
    return str(ox.Literal(value))  # escaped by pyoxigraph, never pasted


def _iri(value: str) -> str | None:
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        return None


def _identifier_terms(key: str, value: str) -> list[str]:
    if key in _IRI_VALUED:
        variants = {value, value.rstrip("/"), value.rstrip("/") + "/"}
        return sorted(t for t in (_iri(v) for v in variants) if t)
    if key == "doi":
        return sorted({_literal(value.upper()), _literal(value)})
    return [_literal(value)]


def _best_values(ent: Entity, key: str) -> list[str]:
    return [str(c.value) for c in best_of(ent.claims, key)]


_QID = re.compile(r"Q[1-9][0-9]*")


def _qid(iri: str) -> str | None:
    """The QID of a Wikidata item IRI from an answer; None for anything else (a property,
    a lexeme, or text no QID has, which would otherwise reach the records, the verdicts
    file and the output)."""
    qid = iri[len(WD):] if iri.startswith(WD) else ""
    return qid if _QID.fullmatch(qid) else None


_Evidence = dict[str, dict[str, list[str]]]  # record -> qid ("?": shared identifier) -> evidence


@dataclass
class _Found:
    """What the lookups found for one kind of record (entities or sources)."""

    evidence: _Evidence = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # -> items sharing an id
    scholarly: set[str] = field(default_factory=set)  # QIDs found on the scholarly endpoint


def reconcile(ds: Dataset, voc: Vocabulary, main: Endpoint, scholarly: Endpoint,
              cache: Path | None = None, max_age: float = DEFAULT_MAX_AGE,
              not_found_max_age: float = NOT_FOUND_MAX_AGE) -> Reconciliation:
    """Look up every entity without a QID (whose type has a Wikidata class) and every source
    without one: strong identifiers first, then labels and aliases with the class for the
    entities left; check the QIDs records have for redirects; one verdict per record."""
    rec = Reconciliation()
    answers = AnswerCache(cache, max_age, not_found_max_age)
    clients = {False: CachedClient(main, answers, rec), True: CachedClient(scholarly, answers, rec)}
    todo = [e for e in sorted(ds.entities.values(), key=lambda e: e.id)
            if not e.wikidata and voc.wikidata_class_of(e.type)]
    scholarly_types = voc.scholarly_types()
    ents, srcs = _Found(), _Found()
    for side in (False, True):
        group = [e for e in todo if (e.type in scholarly_types) == side]
        for key in voc.strong_identifiers():
            values = {e.id: _best_values(e, key) for e in group}
            _by_identifier(values, key, voc.claims[key].wikidata, clients[side], ents, side)
    for side in (False, True):  # labels and aliases with the class, for the rest
        rest = [e for e in todo if e.id not in ents.evidence
                and (e.type in scholarly_types) == side]
        _by_label(rest, voc, clients[side], ents.evidence,
                  None if not side else (lambda c: _subclasses(clients[False], c)))
        # an item with the same name but another class is not proof of absence: a candidate
        # for a person to look at (e.g. a company whose item is typed "organization")
        _by_label([e for e in rest if e.id not in ents.evidence], voc, clients[side],
                  ents.evidence, None, any_class=True)
    sources = sorted((s for s in ds.sources.values() if not s.wikidata), key=lambda s: s.id)
    for key, prop in SOURCE_IDENTIFIERS.items():
        values = {s.id: [str(s.fields[key])] for s in sources if s.fields.get(key)}
        for side in ((False, True) if key == "doi" else (False,)):
            _by_identifier(values, key, prop, clients[side], srcs, side)
    # redirects: of the QIDs records have, and of the items the lookups landed on
    have = {side: {e.id: e.wikidata for e in ds.entities.values()
                   if e.wikidata and (e.type in scholarly_types) == side} for side in (False, True)}
    have[False] |= {f"source {s.id}": s.wikidata for s in ds.sources.values() if s.wikidata}
    for side in (False, True):
        landed = {q for found in (ents, srcs) for ev in found.evidence.values() for q in ev
                  if q != "?" and (q in found.scholarly) == side}
        moved = _redirects(clients[side], set(have[side].values()) | landed)
        rec.redirects += sorted((rid, q, moved[q]) for rid, q in have[side].items() if q in moved)
        for found in (ents, srcs):
            _follow(found, moved, side)
    for e in todo:
        match = _verdict(e.id, ents.evidence.get(e.id), ents.duplicates)
        match.endpoint = clients[e.type in scholarly_types].endpoint.url
        rec.matches.append(match)
    for s in sources:
        match = _verdict(s.id, srcs.evidence.get(s.id), srcs.duplicates)
        match.kind = "source"
        match.endpoint = clients[match.qid in srcs.scholarly].endpoint.url
        rec.matches.append(match)
    return rec


def _by_identifier(values: dict[str, list[str]], key: str, prop: str | None,
                   client: CachedClient, found: _Found, on_scholarly: bool) -> None:
    """Look up identifier `key` (Wikidata property `prop`) with the given values of each
    record, in batches of one VALUES query, and record the items each value is on."""
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)  # term -> (record, raw)
    for rid, raws in values.items():
        for raw in raws:
            for term in _identifier_terms(key, raw):
                wanted[term].append((rid, raw))
    terms = sorted(wanted)
    for start in range(0, len(terms), BATCH):
        chunk = terms[start:start + BATCH]
        query = ("SELECT ?value ?item WHERE { VALUES ?value { " + " ".join(chunk)
                 + f" }} ?item <{WDT}{prop}> ?value . }}")
        by_value: dict[str, set[str]] = defaultdict(set)
        for row in client.select(query):
            got = _iri(row["value"]) if key in _IRI_VALUED else _literal(row["value"])
            qid = _qid(row.get("item", ""))
            if got in wanted and qid:
                by_value[got].add(qid)
        for term, items in by_value.items():
            if on_scholarly:
                found.scholarly |= items
            for rid, raw in wanted[term]:
                _record_identifier(rid, f"{key} {raw} ({prop})", items, found)


def _record_identifier(rid: str, what: str, items: set[str], found: _Found) -> None:
    """Note that identifier `what` of `rid` is on `items`: evidence for the one item, or
    a likely duplicate on Wikidata when there are several."""
    if len(items) > 1:
        found.duplicates[rid] = sorted(items)
        found.evidence[rid]["?"].append(f"{what} is on {len(items)} items")
    else:
        found.evidence[rid][next(iter(items))].append(what)


def _subclasses(main: CachedClient, wd_class: str) -> list[str]:
    """`wd_class` and its subclasses (P279*), asked at the main endpoint, which holds the
    class hierarchy; only `wd_class` when there are more than MAX_SUBCLASSES."""
    query = (f"SELECT DISTINCT ?class WHERE {{ ?class <{WDT.P279}>* <{WD}{wd_class}> . }} "
             f"LIMIT {MAX_SUBCLASSES + 1}")
    found = {q for row in main.select(query) if (q := _qid(row.get("class", "")))}
    if len(found) > MAX_SUBCLASSES:
        return [wd_class]
    return sorted(found | {wd_class})


def _by_label(rest: list[Entity], voc: Vocabulary, client: CachedClient, found: _Evidence,
              subclasses: Callable[[str], list[str]] | None, any_class: bool = False) -> None:
    """Look up the name and aliases of each of `rest` among the labels and aliases (English
    and `mul`) of the items of its entity type's Wikidata class or a subclass, class by
    class in batches; every hit is a label match. `subclasses` (for an endpoint without
    the class hierarchy) gives the classes to send as VALUES; None: follow P279* in the
    query. `any_class`: items of any class (the evidence says so)."""
    by_class: dict[str, list[Entity]] = defaultdict(list)
    for e in rest:
        by_class[voc.wikidata_class_of(e.type) or ""].append(e)
    for wd_class, ents in sorted(by_class.items()):
        names: dict[str, list[tuple[Entity, str]]] = defaultdict(list)
        for e in ents:
            for text, which in [(e.name, "name"), *((a, "alias") for a in e.aliases)]:
                if text and (e, which) not in names[text]:
                    names[text].append((e, which))
        if any_class:
            typed = ""
        elif subclasses is None:
            typed = f"?item <{WDT.P31}>/<{WDT.P279}>* <{WD}{wd_class}> ."
        else:
            classes = " ".join(f"<{WD}{c}>" for c in subclasses(wd_class))
            typed = f"VALUES ?class {{ {classes} }} ?item <{WDT.P31}> ?class ."
        texts = sorted(names)
        step = BATCH // len(LANGUAGES)
        for start in range(0, len(texts), step):
            chunk = texts[start:start + step]
            values = " ".join(str(ox.Literal(x, language=lang))
                              for x in chunk for lang in LANGUAGES)
            query = ("SELECT ?label (LANG(?label) AS ?lang) ?via ?item WHERE { "
                     f"VALUES ?label {{ {values} }} VALUES ?via {{ <{RDFS.label}> "
                     f"<{SKOS.altLabel}> }} ?item ?via ?label . {typed} }}")
            for row in client.select(query):
                qid = _qid(row.get("item", ""))
                if not qid or row.get("label") not in names:
                    continue
                via = "alias" if row.get("via") == str(SKOS.altLabel) else "label"
                for e, which in names[row["label"]]:
                    kind = (f"not an instance of {wd_class} or a subclass" if any_class
                            else f"instance of {wd_class} or a subclass")
                    tag = row.get("lang", "")  # shown: only a language that was asked
                    ev = (f"label match: {which} \"{row['label']}\"@"
                          f"{tag if tag in LANGUAGES else ''} is "
                          f"a Wikidata {via}, {kind}")
                    if ev not in found[e.id][qid]:
                        found[e.id][qid].append(ev)


def _redirects(client: CachedClient, qids: Iterable[str]) -> dict[str, str]:
    """Which of `qids` are redirects (`owl:sameAs` on WDQS), and to what: batched."""
    terms = sorted({t for q in qids if (t := _iri(WD + q))})
    moved: dict[str, str] = {}
    for start in range(0, len(terms), BATCH):
        query = ("SELECT ?old ?new WHERE { VALUES ?old { " + " ".join(terms[start:start + BATCH])
                 + f" }} ?old <{OWL.sameAs}> ?new . }}")
        for row in client.select(query):
            old, new = _qid(row.get("old", "")), _qid(row.get("new", ""))
            if old and new and old != new:
                moved[old] = new
    return moved


def _follow(found: _Found, moved: dict[str, str], side: bool) -> None:
    """Move the evidence for redirected items to the items they redirect to."""
    for by_qid in found.evidence.values():
        for old in [q for q in by_qid if q in moved and (q in found.scholarly) == side]:
            new = moved[old]
            by_qid[new] += [f"{ev} (found on {old}, which redirects to {new})"
                            for ev in by_qid.pop(old)]
            if side:
                found.scholarly.add(new)
    for rid, items in found.duplicates.items():
        found.duplicates[rid] = sorted({moved.get(q, q) for q in items})


def _verdict(ent_id: str, evidence: dict[str, list[str]] | None,
             duplicates: dict[str, list[str]]) -> Match:
    """The match of one record from its evidence: none, a likely duplicate, identifiers
    that point at different items (conflict), one item by identifier (high, whatever the
    label matches say), or label matches only (candidates)."""
    if not evidence:
        return Match(ent_id, None, "none")
    if ent_id in duplicates:
        return Match(ent_id, None, "duplicate", evidence["?"], duplicates[ent_id])
    qids = sorted(q for q in evidence if q != "?")
    strong = [q for q in qids if any(not ev.startswith("label") for ev in evidence[q])]
    if len(strong) > 1:
        return Match(ent_id, None, "conflict", [ev for q in qids for ev in evidence[q]], strong)
    if len(strong) == 1:  # alone, or an identifier match plus other label matches
        return Match(ent_id, strong[0], "high", evidence[strong[0]])
    return Match(ent_id, None, "candidate", [ev for q in qids for ev in evidence[q]], qids)
