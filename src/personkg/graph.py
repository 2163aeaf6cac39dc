"""Records -> the Wikibase-style RDF graph. The only place that mints IRIs and triples.

For each claim the graph holds a statement node (pkgp:/pkgps:/pkgpq:), its rank, its
references (prov:wasDerivedFrom -> pkgpr:), and, for best-rank values, the truthy
pkgd: triple. Statement IRIs are derived from the claim's content (entity, property,
value, qualifiers) and reference IRIs from the reference's content, so rebuilding an
unchanged dataset gives identical output whatever the file or load order.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .model import Claim, Dataset, Date, Reference, Text, Value
from .schemas import value_kind
from .vocab import PKG, PKGD, PKGP, PKGPQ, PKGPR, PKGPS, PROV, SCHEMA, XSD, Vocabulary

__all__ = ["Location", "CompiledGraph", "compile_dataset", "statement_iri", "reference_iri"]

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
DESCRIPTION = ox.NamedNode(str(SCHEMA.description))
SAME_AS = ox.NamedNode(str(SCHEMA.sameAs))
WD_ENTITY = "http://www.wikidata.org/entity/"
TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


_T_STATEMENT = _nn(str(PKG.Statement))
_T_REFERENCE = _nn(str(PKG.Reference))
_T_BEST = _nn(str(PKG.BestRank))
_RANK = _nn(str(PKG.rank))
_REASON = _nn(str(PKG.reasonForDeprecation))
_ALTERNATIVE = _nn(str(PKG.alternative))
_NOTE = _nn(str(PKG.note))
_DERIVED = _nn(str(PROV.wasDerivedFrom))
_STATED_IN = _nn(str(PKGPR.statedIn))
_QUOTE = _nn(str(PKGPR.quote))
_REF_URL = _nn(str(PKGPR.referenceUrl))


@dataclass(frozen=True)
class Location:
    """Where a node of the graph comes from: a record file and line."""

    path: Path
    line: int
    what: str  # "entity jan-leike", "claim employer of jan-leike", ...


@dataclass
class CompiledGraph:
    """The dataset as triples, with the record location of every minted node."""

    triples: list[ox.Triple] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)

    def store(self) -> ox.Store:
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        return store

    def ntriples(self) -> str:
        """Sorted N-Triples: deterministic, one triple a line."""
        return "".join(sorted(f"{t} .\n" for t in self.triples))


def _digest(parts: object, n: int) -> str:
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def _plain(v: Value) -> object:
    if isinstance(v, Text):
        return [v.text, v.lang]
    return v if isinstance(v, int) else str(v)


def statement_iri(base: str, entity_id: str, claim: Claim) -> str:
    """`<base><entity>-<property>-<hash of value and qualifiers>`."""
    h = _digest([_plain(claim.value), sorted((k, _plain(v)) for k, v in claim.qualifiers.items())],
                10)
    return f"{base}{entity_id}-{claim.property.replace('_', '-')}-{h}"


def reference_iri(base: str, ref: Reference) -> str:
    return f"{base}ref-{_digest(list(ref.key()), 12)}"


def literal_for(value: Value, kind: str, base: str) -> ox.NamedNode | ox.Literal:
    """The RDF term of a claim or qualifier value of the given value kind."""
    if kind == "item":
        return _nn(base + str(value))
    if kind == "url":
        return _nn(str(value))
    if isinstance(value, Date):
        return ox.Literal(value.text, datatype=_nn(str(XSD) + value.xsd))
    if isinstance(value, Text):
        return ox.Literal(value.text, language=value.lang)
    if kind == "integer":
        return ox.Literal(str(value), datatype=_nn(str(XSD.integer)))
    return ox.Literal(str(value))


def best_claims(claims: list[Claim]) -> set[int]:
    """Indexes of best-rank claims: preferred ones per property, else normal ones."""
    by_prop: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(claims):
        by_prop[c.property].append(i)
    best: set[int] = set()
    for idxs in by_prop.values():
        preferred = [i for i in idxs if claims[i].rank == "preferred"]
        best.update(preferred or [i for i in idxs if claims[i].rank == "normal"])
    return best


def best_of(claims: list[Claim], key: str) -> list[Claim]:
    """The best-rank claims of property `key`, in record order."""
    best = best_claims(claims)
    return [c for i, c in enumerate(claims) if i in best and c.property == key]


def compile_dataset(ds: Dataset, voc: Vocabulary) -> CompiledGraph:
    """Every entity and source of `ds` as triples (see the module docstring)."""
    out = CompiledGraph()
    add = out.triples.append
    base = ds.base
    rank_iri = {k: _nn(v) for k, v in voc.ranks.items()}
    trust_iri = {k: _nn(v[0]) for k, v in voc.trust_levels.items()}
    preds = {k: (_nn(PKGD[p.name]), _nn(PKGP[p.name]), _nn(PKGPS[p.name]), value_kind(p))
             for k, p in voc.claims.items()}
    qpreds = {k: (_nn(PKGPQ[q.name]), value_kind(q)) for k, q in voc.qualifiers.items()}
    seen_refs: set[str] = set()

    for ent in ds.entities.values():
        s = _nn(base + ent.id)
        out.locations[s.value] = Location(ent.path, ent.line, f"entity {ent.id}")
        cls = voc.classes[ent.type]
        add(ox.Triple(s, RDF_TYPE, _nn(cls.iri)))
        if cls.schema_org:
            add(ox.Triple(s, RDF_TYPE, _nn(cls.schema_org)))
        add(ox.Triple(s, RDFS_LABEL, ox.Literal(ent.name, language="en")))
        if ent.description:
            add(ox.Triple(s, DESCRIPTION, ox.Literal(ent.description, language="en")))
        for alias in ent.aliases:
            add(ox.Triple(s, SKOS_ALT, ox.Literal(alias, language="en")))
        if ent.wikidata:
            add(ox.Triple(s, SAME_AS, _nn(WD_ENTITY + ent.wikidata)))
        best = best_claims(ent.claims)
        for i, claim in enumerate(ent.claims):
            direct, p_claim, p_stmt, kind = preds[claim.property]
            st = _nn(statement_iri(base, ent.id, claim))
            out.locations.setdefault(
                st.value, Location(ent.path, claim.line, f"claim {claim.property} of {ent.id}"))
            value = literal_for(claim.value, kind, base)
            add(ox.Triple(s, p_claim, st))
            add(ox.Triple(st, RDF_TYPE, _T_STATEMENT))
            add(ox.Triple(st, p_stmt, value))
            add(ox.Triple(st, _RANK, rank_iri[claim.rank]))
            if i in best:
                add(ox.Triple(st, RDF_TYPE, _T_BEST))
                add(ox.Triple(s, direct, value))
            for qk, qv in claim.qualifiers.items():
                qp, qkind = qpreds[qk]
                add(ox.Triple(st, qp, literal_for(qv, qkind, base)))
            if claim.reason:
                add(ox.Triple(st, _REASON, ox.Literal(claim.reason)))
            if claim.alternative:
                add(ox.Triple(st, _ALTERNATIVE, TRUE))
            if claim.note:
                add(ox.Triple(st, _NOTE, ox.Literal(claim.note)))
            for ref in claim.references:
                r = _nn(reference_iri(base, ref))
                add(ox.Triple(st, _DERIVED, r))
                if r.value in seen_refs:
                    continue
                seen_refs.add(r.value)
                out.locations[r.value] = Location(ent.path, ref.line,
                                                  f"reference of {claim.property} of {ent.id}")
                add(ox.Triple(r, RDF_TYPE, _T_REFERENCE))
                add(ox.Triple(r, _STATED_IN, _nn(base + ref.source)))
                if ref.quote:
                    add(ox.Triple(r, _QUOTE, ox.Literal(ref.quote)))
                if ref.url:
                    add(ox.Triple(r, _REF_URL, _nn(ref.url)))

    src_cls = voc.classes["Source"]
    for src in ds.sources.values():
        s = _nn(base + src.id)
        out.locations[s.value] = Location(src.path, src.line, f"source {src.id}")
        add(ox.Triple(s, RDF_TYPE, _nn(src_cls.iri)))
        if src_cls.schema_org:
            add(ox.Triple(s, RDF_TYPE, _nn(src_cls.schema_org)))
        for key, f in voc.source_fields.items():
            if key not in src.fields:
                continue
            v = src.fields[key]
            p = _nn(f.predicate)
            if f.value_class == "Trust":
                obj: ox.NamedNode | ox.Literal = trust_iri[str(v)]
            elif isinstance(v, Date):
                obj = ox.Literal(v.text, datatype=_nn(str(XSD) + v.xsd))
            elif f.value_type == str(XSD.anyURI):
                obj = _nn(str(v))
            else:
                obj = ox.Literal(str(v))
            add(ox.Triple(s, p, obj))
        if src.wikidata:
            add(ox.Triple(s, SAME_AS, _nn(WD_ENTITY + src.wikidata)))
    # two best-rank statements with one value (an award in two years) give one truthy triple
    out.triples = list(dict.fromkeys(out.triples))
    return out
