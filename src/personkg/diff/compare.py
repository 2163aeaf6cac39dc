"""What a change does to the facts: two datasets compared statement by statement.

A statement is matched by its entity, property and value first (the value and qualifiers
are what the compiler hashes into the statement IRI; rank and references are not), so that
a refined qualifier (an end date from 2024-05 to 2024-05-16) is a change of the same
statement: claims with the same content hash pair first, then the rest with the same
entity, property and value (the pair that shares the most qualifiers first), then a date
value and its refinement. Rank, reason, note, references and the trust of the best source
are compared on each pair. Entity and source ids that were renamed (an id gone and one new,
with the same type and name or QID; a source with the same URL or title) are mapped before
statements are compared, so a renamed id is one change, not every fact removed and added.
Where a record is in which file, and the order of lists and keys, are not facts."""

from __future__ import annotations

import builtins
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..compile import statement_iri
from ..model import Claim, Dataset, Date, Entity, Reference, Source, Text, Value
from ..vocab import Vocabulary

__all__ = ["Diff", "EntityChange", "StatementChange", "SourceChange", "compare"]


@dataclass
class StatementChange:
    """A statement added, removed or changed (`changes`: what -> (before, after); a
    qualifier is `qualifier <key>`). `trust` is the best source's trust level before and
    after; `weakened` when it went down on a statement that is not deprecated; `low_only`
    when the statement (not deprecated) now rests only on low-trust sources."""

    status: str  # added | removed | changed
    property: str
    value: Value
    qualifiers: dict[str, Value]
    rank: str
    reason: str | None
    statement: str  # its IRI (after the change; before it for a removed one)
    path: Path | None  # where it is after the change (None: removed)
    line: int
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    references_added: list[Reference] = field(default_factory=list)
    references_removed: list[Reference] = field(default_factory=list)
    trust: tuple[str | None, str | None] = (None, None)
    weakened: bool = False
    low_only: bool = False

    @builtins.property
    def deprecated(self) -> bool:
        """Newly deprecated (normal or preferred before)."""
        return self.changes.get("rank", (None, None))[1] == "deprecated"

    @builtins.property
    def undeprecated(self) -> bool:
        return self.changes.get("rank", (None, None))[0] == "deprecated"


@dataclass
class EntityChange:
    """An entity added, removed or changed (label, QID, type, description, aliases, id, or
    statements), with its place after the change (before it, when removed)."""

    id: str
    type: str
    name: str
    status: str  # added | removed | changed
    path: Path
    line: int
    renamed_from: str | None = None
    fields: dict[str, tuple[object, object]] = field(default_factory=dict)
    statements: list[StatementChange] = field(default_factory=list)


@dataclass
class SourceChange:
    id: str
    status: str  # added | removed | changed
    path: Path
    line: int
    renamed_from: str | None = None
    fields: dict[str, tuple[object, object]] = field(default_factory=dict)


@dataclass
class Diff:
    base: str
    head: str
    entities: list[EntityChange] = field(default_factory=list)
    sources: list[SourceChange] = field(default_factory=list)
    site_url: str | None = None  # where the entity pages are (dataset.yaml's site_url)
    notes: list[str] = field(default_factory=list)

    def statements(self) -> list[StatementChange]:
        return [s for e in self.entities for s in e.statements]

    def counts(self) -> dict[str, int]:
        st = self.statements()
        ents = self.entities
        return {
            "added": sum(s.status == "added" for s in st),
            "removed": sum(s.status == "removed" for s in st),
            "changed": sum(s.status == "changed" for s in st),
            "deprecated": sum(s.deprecated for s in st),
            "undeprecated": sum(s.undeprecated for s in st),
            "weakened": sum(s.weakened for s in st),
            "new_low_trust_only": sum(s.low_only and s.status == "added" for s in st),
            "entities_added": sum(e.status == "added" for e in ents),
            "entities_removed": sum(e.status == "removed" for e in ents),
            "entities_renamed": sum(e.renamed_from is not None for e in ents),
            "labels_changed": sum("label" in e.fields for e in ents),
            "qids_changed": sum("wikidata" in e.fields for e in ents),
            "sources_added": sum(s.status == "added" for s in self.sources),
            "sources_removed": sum(s.status == "removed" for s in self.sources),
            "sources_changed": sum(s.status == "changed" for s in self.sources),
        }

    def empty(self) -> bool:
        return not (self.entities or self.sources)

    def summary(self) -> str:
        """`+12 facts, -1, 2 deprecated, 1 weakened`, then what else changed."""
        if self.empty():
            return "no fact changes"
        n = self.counts()
        parts = [f"+{n['added']} facts, -{n['removed']}, {n['deprecated']} deprecated, "
                 f"{n['weakened']} weakened"]
        for key, words in (("undeprecated", "undeprecated"), ("changed", "changed"),
                           ("new_low_trust_only", "new on low-trust sources only"),
                           ("entities_added", "entities added"),
                           ("entities_removed", "entities removed"),
                           ("entities_renamed", "ids renamed"),
                           ("labels_changed", "labels changed"),
                           ("qids_changed", "QIDs set or changed"),
                           ("sources_added", "sources added"),
                           ("sources_removed", "sources removed"),
                           ("sources_changed", "sources changed")):
            if n[key]:
                parts.append(f"{n[key]} {words}")
        return ", ".join(parts)


# ------------------------------------------------------------------ matching

def _plain(v: Value) -> object:
    if isinstance(v, Text):
        return [v.text, v.lang]
    return v if isinstance(v, int) else str(v)


class _Mapper:
    """Item values and source ids of the base, renamed to the ids they have in HEAD."""

    def __init__(self, voc: Vocabulary, entities: dict[str, str], sources: dict[str, str]):
        self.items = {k for k, p in voc.claims.items() if p.kind == "item"}
        self.qitems = {k for k, p in voc.qualifiers.items() if p.kind == "item"}
        self.entities, self.sources = entities, sources

    def claim(self, c: Claim) -> Claim:
        if not (self.entities or self.sources):
            return c
        ids = self.entities
        value = ids.get(c.value, c.value) if c.property in self.items \
            and isinstance(c.value, str) else c.value
        quals = {k: ids.get(v, v) if k in self.qitems and isinstance(v, str) else v
                 for k, v in c.qualifiers.items()}
        refs = [Reference(self.sources.get(r.source, r.source), r.quote, r.url, r.line)
                for r in c.references]
        return Claim(c.property, value, quals, c.rank, c.reason, c.alternative, c.note, refs,
                     c.line)


def _key(c: Claim) -> str:
    return json.dumps([c.property, _plain(c.value),
                       sorted((k, _plain(v)) for k, v in c.qualifiers.items())],
                      ensure_ascii=False, sort_keys=True)


def _value_key(c: Claim) -> str:
    return json.dumps([c.property, _plain(c.value)], ensure_ascii=False)


def _shared(c: Claim, other: Claim) -> int:
    return sum(other.qualifiers.get(k) == v for k, v in c.qualifiers.items())


def _refines(a: Value, b: Value) -> bool:
    """One date is the other at a finer (or coarser) precision."""
    if not (isinstance(a, Date) and isinstance(b, Date)) or a == b:
        return False
    short, long = sorted((a.text, b.text), key=len)
    return long.startswith(short)


def _pairs(old: list[Claim], new: list[Claim]
           ) -> tuple[list[tuple[Claim, Claim]], list[Claim], list[Claim]]:
    """Matched (before, after) claims, then the removed and the added ones."""
    pairs: list[tuple[Claim, Claim]] = []
    left_old, left_new = list(old), list(new)
    for key in (_key, _value_key):
        waiting: dict[str, list[Claim]] = defaultdict(list)
        for c in left_old:
            waiting[key(c)].append(c)
        rest_new = []
        for c in left_new:
            group = waiting.get(key(c))
            if group:  # the candidate sharing the most qualifiers
                best = max(group, key=partial(_shared, c))
                group.remove(best)
                pairs.append((best, c))
            else:
                rest_new.append(c)
        left_old = [c for group in waiting.values() for c in group]
        left_new = rest_new
    for c in list(left_new):  # a date made more (or less) precise
        match = [o for o in left_old if o.property == c.property and _refines(o.value, c.value)]
        if len(match) == 1:
            left_old.remove(match[0])
            left_new.remove(c)
            pairs.append((match[0], c))
    return pairs, left_old, left_new


# ------------------------------------------------------------------ renames

def _renames(old: dict[str, Entity] | dict[str, Source], new: dict[str, Entity] | dict[str, Source],
             same: object) -> dict[str, str]:
    """Ids gone from `old` whose record is, by `same`, exactly one new id of `new`."""
    gone = [i for i in old if i not in new]
    fresh = [i for i in new if i not in old]
    found: dict[str, str] = {}
    for g in gone:
        match = [f for f in fresh if same(old[g], new[f])]  # type: ignore[operator]
        if len(match) == 1:
            found[g] = match[0]
    taken = defaultdict(list)
    for g, f in found.items():
        taken[f].append(g)
    return {g: f for g, f in found.items() if len(taken[f]) == 1}


def _same_entity(a: Entity, b: Entity) -> bool:
    return a.type == b.type and (a.name == b.name or bool(a.wikidata and a.wikidata == b.wikidata))


def _same_source(a: Source, b: Source) -> bool:
    url, title = a.fields.get("url"), a.fields.get("title")
    return bool(url and url == b.fields.get("url")) or bool(
        title and title == b.fields.get("title") and a.fields.get("type") == b.fields.get("type"))


# ------------------------------------------------------------------ trust

class _Trust:
    def __init__(self, ds: Dataset, voc: Vocabulary):
        self.ds, self.order = ds, {k: v[1] for k, v in voc.trust_levels.items()}
        self.low = voc.low_trust

    def best(self, c: Claim) -> str | None:
        levels = [self.ds.sources[r.source].trust for r in c.references
                  if r.source in self.ds.sources]
        return max(levels, key=lambda t: self.order.get(t, -1)) if levels else None

    def rank(self, level: str | None) -> int:
        return -1 if level is None else self.order.get(level, -1)


# ------------------------------------------------------------------ the diff

def compare(base: Dataset, base_voc: Vocabulary, head: Dataset, head_voc: Vocabulary,
            base_label: str, head_label: str) -> Diff:
    """What changes from `base` to `head`."""
    ent_renames = _renames(base.entities, head.entities, _same_entity)
    src_renames = _renames(base.sources, head.sources, _same_source)
    mapper = _Mapper(base_voc, ent_renames, src_renames)
    named = head.metadata.get("site_url")
    diff = Diff(base_label, head_label,
                site_url=head.site_url if isinstance(named, str) else None)
    trust = (_Trust(base, base_voc), _Trust(head, head_voc))
    back = {new: old for old, new in ent_renames.items()}
    for eid in sorted(set(head.entities) | set(base.entities)):
        if eid in ent_renames:
            continue
        before = base.entities.get(back.get(eid, eid))
        change = _entity(before, head.entities.get(eid), head, mapper, trust)
        if change is not None:
            change.renamed_from = back.get(eid)
            diff.entities.append(change)
    diff.sources = _sources(base, head, src_renames)
    return diff


def _entity(before: Entity | None, after: Entity | None, head: Dataset, mapper: _Mapper,
            trust: tuple[_Trust, _Trust]) -> EntityChange | None:
    ent = after or before
    assert ent is not None
    status = "added" if before is None else "removed" if after is None else "changed"
    change = EntityChange(ent.id, ent.type, ent.name, status, ent.path, ent.line)
    if before is not None and after is not None and before.claims == after.claims \
            and not (mapper.entities or mapper.sources) and before.id == after.id \
            and (before.name, before.type, before.wikidata, before.description,
                 sorted(before.aliases)) == (after.name, after.type, after.wikidata,
                                             after.description, sorted(after.aliases)):
        return None  # the same record (a moved one too: where it is is not compared)
    old_claims = [mapper.claim(c) for c in before.claims] if before else []
    new_claims = after.claims if after else []
    if before is not None and after is not None:
        for what, a, b in (("label", before.name, after.name), ("type", before.type, after.type),
                           ("wikidata", before.wikidata, after.wikidata),
                           ("description", before.description, after.description)):
            if a != b:
                change.fields[what] = (a, b)
        dropped = sorted(set(before.aliases) - set(after.aliases))
        fresh = sorted(set(after.aliases) - set(before.aliases))
        if dropped or fresh:
            change.fields["aliases"] = (dropped, fresh)
    pairs, removed, added = _pairs(old_claims, new_claims)
    base_iri = head.base
    for c in removed:
        change.statements.append(_one("removed", c, ent, base_iri, None, trust[0].best(c)))
    for c in added:
        st = _one("added", c, ent, base_iri, ent.path, trust[1].best(c))
        st.low_only = c.rank != "deprecated" and st.trust[1] in trust[1].low | {None}
        change.statements.append(st)
    for old, new in pairs:
        moved = _changed(old, new, ent, base_iri, trust)
        if moved is not None:
            change.statements.append(moved)
    change.statements.sort(key=lambda s: (s.property, json.dumps(_plain(s.value)), s.statement,
                                          s.status))
    if status == "changed" and not change.fields and not change.statements \
            and before is not None and before.id == ent.id:
        return None
    return change


def _one(status: str, c: Claim, ent: Entity, base_iri: str, path: Path | None,
         best: str | None) -> StatementChange:
    return StatementChange(status, c.property, c.value, dict(c.qualifiers), c.rank, c.reason,
                           statement_iri(base_iri, ent.id, c), path, c.line if path else 0,
                           trust=(None, best) if status == "added" else (best, None))


def _changed(old: Claim, new: Claim, ent: Entity, base_iri: str,
             trust: tuple[_Trust, _Trust]) -> StatementChange | None:
    st = _one("changed", new, ent, base_iri, ent.path, None)
    st.line = new.line
    if old.value != new.value:
        st.changes["value"] = (old.value, new.value)
    for k in sorted(set(old.qualifiers) | set(new.qualifiers)):
        if old.qualifiers.get(k) != new.qualifiers.get(k):
            st.changes[f"qualifier {k}"] = (old.qualifiers.get(k), new.qualifiers.get(k))
    for what in ("rank", "reason", "note", "alternative"):
        a, b = getattr(old, what), getattr(new, what)
        if a != b:
            st.changes[what] = (a, b)
    old_refs = {r.key(): r for r in old.references}
    new_refs = {r.key(): r for r in new.references}
    st.references_removed = [old_refs[k] for k in sorted(set(old_refs) - set(new_refs))]
    st.references_added = [new_refs[k] for k in sorted(set(new_refs) - set(old_refs))]
    st.trust = (trust[0].best(old), trust[1].best(new))
    live = new.rank != "deprecated"
    st.weakened = live and trust[1].rank(st.trust[1]) < trust[0].rank(st.trust[0])
    st.low_only = live and st.weakened and st.trust[1] in trust[1].low | {None}
    if not (st.changes or st.references_added or st.references_removed or st.weakened):
        return None
    return st


def _sources(base: Dataset, head: Dataset, renames: dict[str, str]) -> list[SourceChange]:
    back = {new: old for old, new in renames.items()}
    out = []
    for sid in sorted(set(head.sources) | set(base.sources)):
        if sid in renames:
            continue
        before, after = base.sources.get(back.get(sid, sid)), head.sources.get(sid)
        src = after or before
        assert src is not None
        status = "added" if before is None else "removed" if after is None else "changed"
        change = SourceChange(sid, status, src.path, src.line, back.get(sid))
        if before is not None and after is not None:
            a = {**before.fields, "wikidata": before.wikidata}
            b = {**after.fields, "wikidata": after.wikidata}
            for k in sorted(set(a) | set(b)):
                if _field(a.get(k)) != _field(b.get(k)):
                    change.fields[k] = (a.get(k), b.get(k))
            if before.trust != after.trust:
                change.fields["trust"] = (before.trust, after.trust)
            if not change.fields and change.renamed_from is None:
                continue
        out.append(change)
    return out


def _field(v: object) -> object:
    """A source field as data (a list's order is kept: it may be an author order)."""
    return json.loads(json.dumps(v, default=str, sort_keys=True))
