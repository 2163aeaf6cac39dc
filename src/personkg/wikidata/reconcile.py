"""`personkg reconcile`: find the Wikidata item of each entity that has no QID yet.

Strong identifiers first (arXiv id, DOI, ORCID, X username, official website), each looked up
in one batched query per property (VALUES), then the exact English label with the entity's
Wikidata class. Scholarly works are looked up on the scholarly endpoint (Wikidata's graph was
split in 2025), everything else on the main one; both are configurable.

A match by a unique identifier is accepted (confidence high). A label match is only a
candidate for a person to confirm. An identifier that two items share is a likely duplicate on
Wikidata and is never accepted; neither is an entity whose identifiers point at different
items. Answers are cached on disk, keyed by endpoint and query text, so re-runs are cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..compile import best_of
from ..model import Dataset, Entity
from ..namespaces import RDFS, WD, WDQS, WDQS_SCHOLARLY, WDT
from ..output import write_file
from ..remote import Endpoint
from ..vocab import Vocabulary

__all__ = ["Match", "Reconciliation", "reconcile", "write_qids", "WDQS", "WDQS_SCHOLARLY",
           "default_cache_dir"]

BATCH = 200


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "personkg" / "wikidata"


@dataclass
class Match:
    entity: str
    qid: str | None
    confidence: str  # high | candidate | duplicate | conflict | none
    evidence: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.confidence == "high" and self.qid is not None


@dataclass
class Reconciliation:
    matches: list[Match] = field(default_factory=list)
    queries: int = 0
    cached: int = 0

    def to_text(self) -> str:
        out = []
        for m in sorted(self.matches, key=lambda m: (m.confidence != "high", m.entity)):
            if m.confidence == "high":
                out.append(f"{m.entity}: {m.qid} (high: {'; '.join(m.evidence)})")
            elif m.confidence == "candidate":
                out.append(f"{m.entity}: candidate {', '.join(m.candidates)} for a person to "
                           f"confirm ({'; '.join(m.evidence)})")
            elif m.confidence == "duplicate":
                out.append(f"{m.entity}: likely duplicate on Wikidata: "
                           f"{', '.join(m.candidates)} ({'; '.join(m.evidence)})")
            elif m.confidence == "conflict":
                out.append(f"{m.entity}: identifiers point at different items "
                           f"{', '.join(m.candidates)} ({'; '.join(m.evidence)})")
        accepted = sum(m.accepted for m in self.matches)
        candidates = sum(m.confidence == "candidate" for m in self.matches)
        decide = sum(m.confidence in ("duplicate", "conflict") for m in self.matches)
        out.append(f"reconcile: {len(self.matches)} entities without a QID; {accepted} matched "
                   f"by identifier; {candidates} candidates; {decide} for a person to decide; "
                   f"{self.queries} queries ({self.cached} from cache)")
        return "\n".join(out) + "\n"

    def to_json(self) -> str:
        return json.dumps([m.__dict__ | {"accepted": m.accepted} for m in self.matches],
                          indent=2) + "\n"


class _Client:
    def __init__(self, endpoint: Endpoint, cache: Path | None, stats: Reconciliation) -> None:
        self.endpoint, self.cache, self.stats = endpoint, cache, stats

    def select(self, query: str) -> list[dict[str, str]]:
        key = hashlib.sha256(f"{self.endpoint.url}\n{query}".encode()).hexdigest()
        path = self.cache / f"{key}.json" if self.cache else None
        self.stats.queries += 1
        if path and path.is_file():
            self.stats.cached += 1
            return json.loads(path.read_text(encoding="utf-8"))
        result = self.endpoint.query(query)
        rows = [{v.value: sol[v].value for v in result.variables if sol[v] is not None}
                for sol in result]
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, json.dumps(rows, sort_keys=True))
        return rows


def _literal(value: str) -> str:
    return str(ox.Literal(value))  # escaped by pyoxigraph, never pasted


def _iri(value: str) -> str | None:
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        return None


def _identifier_terms(key: str, value: str) -> list[str]:
    if key == "website":
        variants = {value, value.rstrip("/"), value.rstrip("/") + "/"}
        return sorted(t for t in (_iri(v) for v in variants) if t)
    if key == "doi":
        return sorted({_literal(value.upper()), _literal(value)})
    return [_literal(value)]


def _best_values(ent: Entity, key: str) -> list[str]:
    return [str(c.value) for c in best_of(ent.claims, key)]


_Evidence = dict[str, dict[str, list[str]]]  # entity -> qid ("?": shared identifier) -> evidence


def reconcile(ds: Dataset, voc: Vocabulary, main: Endpoint, scholarly: Endpoint,
              cache: Path | None = None) -> Reconciliation:
    """Look up every entity without a QID (whose type has a Wikidata class): strong
    identifiers first, then label and class for the rest; one verdict per entity."""
    rec = Reconciliation()
    clients = {False: _Client(main, cache, rec), True: _Client(scholarly, cache, rec)}
    todo = [e for e in sorted(ds.entities.values(), key=lambda e: e.id)
            if not e.wikidata and voc.wikidata_class_of(e.type)]
    found: _Evidence = defaultdict(lambda: defaultdict(list))
    duplicates: dict[str, list[str]] = {}  # entity -> the items that share its identifier
    scholarly_types = voc.scholarly_types()
    for scholarly_side in (False, True):
        group = [e for e in todo if (e.type in scholarly_types) == scholarly_side]
        for key in voc.strong_identifiers():
            _by_identifier(group, key, voc.claims[key].wikidata, clients[scholarly_side],
                           found, duplicates)
    # exact label and class, for the rest
    for scholarly_side in (False, True):
        rest = [e for e in todo if e.id not in found
                and (e.type in scholarly_types) == scholarly_side]
        _by_label(rest, voc, clients[scholarly_side], found)
    rec.matches.extend(_verdict(e.id, found.get(e.id), duplicates) for e in todo)
    return rec


def _by_identifier(group: list[Entity], key: str, prop: str | None, client: _Client,
                   found: _Evidence, duplicates: dict[str, list[str]]) -> None:
    """Look up the best values of identifier `key` (Wikidata property `prop`) of `group`,
    in batches of one VALUES query, and record the items each value is on."""
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)  # term -> (entity, raw)
    for e in group:
        for raw in _best_values(e, key):
            for term in _identifier_terms(key, raw):
                wanted[term].append((e.id, raw))
    terms = sorted(wanted)
    for start in range(0, len(terms), BATCH):
        chunk = terms[start:start + BATCH]
        query = ("SELECT ?value ?item WHERE { VALUES ?value { " + " ".join(chunk)
                 + f" }} ?item <{WDT}{prop}> ?value . }}")
        by_value: dict[str, set[str]] = defaultdict(set)
        for row in client.select(query):
            got = (_iri(row["value"]) if key == "website"
                   else _literal(row["value"]))
            if got in wanted and row.get("item", "").startswith(WD):
                by_value[got].add(row["item"][len(WD):])
        for term, items in by_value.items():
            for ent_id, raw in wanted[term]:
                _record_identifier(ent_id, f"{key} {raw} ({prop})", items, found, duplicates)


def _record_identifier(ent_id: str, what: str, items: set[str], found: _Evidence,
                       duplicates: dict[str, list[str]]) -> None:
    """Note that identifier `what` of `ent_id` is on `items`: evidence for the one item, or
    a likely duplicate on Wikidata when there are several."""
    if len(items) > 1:
        duplicates[ent_id] = sorted(items)
        found[ent_id]["?"].append(f"{what} is on {len(items)} items")
    else:
        found[ent_id][next(iter(items))].append(what)


def _by_label(rest: list[Entity], voc: Vocabulary, client: _Client, found: _Evidence) -> None:
    """Look up the exact English name of each of `rest` among the items of its entity
    type's Wikidata class, class by class in batches; every hit is a label match."""
    by_class: dict[str, list[Entity]] = defaultdict(list)
    for e in rest:
        by_class[voc.wikidata_class_of(e.type) or ""].append(e)
    for wd_class, ents in sorted(by_class.items()):
        labels = sorted({e.name for e in ents})
        for start in range(0, len(labels), BATCH):
            chunk = labels[start:start + BATCH]
            values = " ".join(str(ox.Literal(x, language="en")) for x in chunk)
            query = ("SELECT ?label ?item WHERE { VALUES ?label { " + values + " } "
                     f"?item <{RDFS.label}> ?label ; "
                     f"<{WDT.P31}> <{WD}{wd_class}> . }}")
            hits: dict[str, set[str]] = defaultdict(set)
            for row in client.select(query):
                if row.get("item", "").startswith(WD):
                    hits[row["label"]].add(row["item"][len(WD):])
            for e in ents:
                if e.name in hits:
                    for qid in sorted(hits[e.name]):
                        found[e.id][qid].append(f"label \"{e.name}\"@en and P31 {wd_class}")


def _verdict(ent_id: str, evidence: dict[str, list[str]] | None,
             duplicates: dict[str, list[str]]) -> Match:
    """The match of one entity from its evidence: none, a likely duplicate, identifiers
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


_WIKIDATA_LINE = re.compile(r"^wikidata:[ \t]*(null|~)?[ \t]*(#.*)?$")


def write_qids(ds: Dataset, rec: Reconciliation) -> list[Path]:
    """Store accepted QIDs in the records: only the top-level `wikidata:` line of each file
    changes (found with ruamel.yaml, which also checks the result); each file is replaced
    atomically. Returns the files written."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    written = []
    for m in rec.matches:
        if not m.accepted:
            continue
        path = ds.entities[m.entity].path
        text = path.read_text(encoding="utf-8")
        doc = yaml.load(text)
        lines = text.splitlines(keepends=True)
        if "wikidata" in doc:
            n = doc.lc.key("wikidata")[0]
            if not _WIKIDATA_LINE.match(lines[n].rstrip("\r\n")):
                continue  # a QID is already there, or the line is not plain: leave it
            comment = _WIKIDATA_LINE.match(lines[n].rstrip("\r\n")).group(2)  # type: ignore[union-attr]
            lines[n] = f"wikidata: {m.qid}" + (f"  {comment}" if comment else "") + "\n"
        else:
            n = doc.lc.key("name")[0] if "name" in doc else doc.lc.key("id")[0]
            lines.insert(n + 1, f"wikidata: {m.qid}\n")
        new = "".join(lines)
        check = yaml.load(new)
        assert check["wikidata"] == m.qid and check["id"] == doc["id"]
        write_file(path, new)
        written.append(path)
    return written
