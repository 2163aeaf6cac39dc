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
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..checks.report import display_path
from ..compile import best_of
from ..model import Dataset, Entity
from ..namespaces import RDFS, WD, WDQS, WDQS_SCHOLARLY, WDT
from ..output import write_bytes, write_file
from ..remote import Endpoint
from ..vocab import Vocabulary

__all__ = ["Match", "Reconciliation", "Refused", "reconcile", "write_qids", "WDQS",
           "WDQS_SCHOLARLY", "default_cache_dir"]

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
    endpoint: str = ""  # where it was looked up

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

    def fetched(self, when: float) -> None:
        self.oldest = when if self.oldest is None else min(self.oldest, when)

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
            self.stats.fetched(path.stat().st_mtime)
            return json.loads(path.read_text(encoding="utf-8"))
        self.stats.fetched(time.time())
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
    for e in todo:
        match = _verdict(e.id, found.get(e.id), duplicates)
        match.endpoint = clients[e.type in scholarly_types].endpoint.url
        rec.matches.append(match)
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


_WIKIDATA_LINE = re.compile(r"wikidata:([ \t]*)(?:null|~)?([ \t]*(?:#.*)?)")
_LINES = re.compile(r"(?<=\n)")


@dataclass(frozen=True)
class Refused:
    """A record `write_qids` could not edit safely: left as it was."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: error: QID not written: {self.reason}"


def _plain(node: object) -> object:
    """A ruamel.yaml document as plain data, to compare two readings."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _edited(raw: bytes, qid: str) -> bytes | tuple[int, str]:
    """`raw` with `wikidata: <qid>` in its top-level mapping, every other byte (line endings,
    comments, encoding) as it was; or (line, why) when that cannot be done safely."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    try:
        text = raw.decode("utf-8")
        doc = yaml.load(text)
    except (UnicodeDecodeError, YAMLError) as exc:
        return 1, f"the file cannot be read again ({type(exc).__name__})"
    if not isinstance(doc, CommentedMap) or doc.fa.flow_style():
        return 1, "the record is not a block mapping"
    lines = _LINES.split(text)
    ending = "\r\n" if lines[0].endswith("\r\n") else "\n"
    if "wikidata" in doc:
        n = doc.lc.key("wikidata")[0]
        body = lines[n].rstrip("\r\n")
        m = _WIKIDATA_LINE.fullmatch(body)
        if m is None:
            return n + 1, "the wikidata: line is not a plain empty value"
        lines[n] = f"wikidata:{m.group(1) or ' '}{qid}{m.group(2)}{lines[n][len(body):]}"
    else:
        keys = list(doc)
        after = keys.index("name") + 1 if "name" in doc else 1
        if after < len(keys):  # before the next top-level key: never inside a value
            n = doc.lc.key(keys[after])[0]
            lines.insert(n, f"wikidata: {qid}{ending}")
        else:
            if lines[-1] and not lines[-1].endswith("\n"):
                lines[-1] += ending
            lines.append(f"wikidata: {qid}{ending}")
    new = "".join(lines)
    try:
        check = yaml.load(new)
    except YAMLError:
        check = None
    before = _plain(doc)
    assert isinstance(before, dict)
    if not isinstance(check, dict) or _plain(check) != {**before, "wikidata": qid}:
        return 1, "the edit would change more than the wikidata: value"
    return new.encode("utf-8")


def write_qids(ds: Dataset, rec: Reconciliation) -> tuple[list[Path], list[Refused]]:
    """Store accepted QIDs in the records: only the top-level `wikidata:` value of each file
    changes, every other byte (line endings included) is kept. Every file is read and its
    edit checked first (with ruamel.yaml, reading the result back); a record that cannot be
    edited safely is refused and left as it is; only then is each edited file replaced
    atomically. Returns the files written and the records refused."""
    planned: list[tuple[Path, bytes]] = []
    refused: list[Refused] = []
    for m in rec.matches:
        if not m.accepted or m.qid is None:
            continue
        path = ds.entities[m.entity].path
        try:
            raw = path.read_bytes()
        except OSError as exc:
            refused.append(Refused(path, 0, f"cannot read: {exc.strerror}"))
            continue
        done = _edited(raw, m.qid)
        if isinstance(done, bytes):
            planned.append((path, done))
        else:
            refused.append(Refused(path, *done))
    for path, data in planned:
        write_bytes(path, data)
    return [p for p, _ in planned], refused
