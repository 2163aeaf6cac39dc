"""The ontology, read into typed terms: the only place code learns what a property is.

`Vocabulary.load()` parses `ontology/personkg.ttl` once; everything else (the compiler,
the JSON Schema and SHACL generators, the exporters) asks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from .errors import RunError
from .resources import resource_dir

__all__ = [
    "PKG", "PKGD", "PKGP", "PKGPS", "PKGPQ", "PKGPR", "ID", "SCHEMA", "PROV", "XSD", "WD", "WDT",
    "PREFIXES", "EntityClass", "Property", "SourceField", "Vocabulary",
]

PKG = Namespace("https://w3id.org/personkg/ontology#")
PKGD = Namespace("https://w3id.org/personkg/prop/direct/")
PKGP = Namespace("https://w3id.org/personkg/prop/")
PKGPS = Namespace("https://w3id.org/personkg/prop/statement/")
PKGPQ = Namespace("https://w3id.org/personkg/prop/qualifier/")
PKGPR = Namespace("https://w3id.org/personkg/prop/reference/")
ID = Namespace("https://w3id.org/personkg/id/")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

#: Prefixes written in Turtle output and predeclared for SPARQL queries.
PREFIXES: dict[str, str] = {
    "pkg": str(PKG), "pkgd": str(PKGD), "pkgp": str(PKGP), "pkgps": str(PKGPS),
    "pkgpq": str(PKGPQ), "pkgpr": str(PKGPR), "id": str(ID),
    "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "schema": str(SCHEMA),
    "prov": str(PROV), "skos": "http://www.w3.org/2004/02/skos/core#",
    "wd": str(WD), "wdt": str(WDT),
}

DATE_TYPE = str(PKG.DateValue)
LANG_STRING = str(RDF.langString)


@dataclass(frozen=True)
class EntityClass:
    """A class of entities: its record folder, schema.org and Wikidata counterparts."""

    iri: str
    name: str  # local name, also the `type:` written in records
    label: str
    comment: str
    kind: str | None
    schema_org: str | None
    wikidata_class: str | None
    parent: str | None  # local name of the direct superclass


@dataclass(frozen=True)
class Property:
    """A claim, qualifier or reference property and all its mappings."""

    iri: str
    name: str  # local name: pkgd:<name>, pkgp:<name>, ...
    key: str  # YAML key
    label: str
    comment: str
    roles: frozenset[str]  # {"claim", "qualifier", "reference"}
    domain: tuple[str, ...] = ()  # class names
    value_class: str | None = None  # class name for item values
    value_type: str | None = None  # datatype IRI for literals (DATE_TYPE for dates)
    single_valued: bool = False
    schema_org: str | None = None
    wikidata: str | None = None
    wikidata_datatype: str | None = None
    qualifiers: tuple[str, ...] = ()  # qualifier keys
    pattern: str | None = None
    same_as: str | None = None  # URL template for sameAs links, "{}" is the value

    @property
    def is_item(self) -> bool:
        return self.value_class is not None


@dataclass(frozen=True)
class SourceField:
    """A field of a source record (title, url, trust...), written as a plain triple."""

    key: str
    predicate: str
    label: str
    value_type: str | None
    value_class: str | None
    required: bool
    allowed: tuple[str, ...]


@dataclass
class Vocabulary:
    classes: dict[str, EntityClass] = field(default_factory=dict)
    claims: dict[str, Property] = field(default_factory=dict)  # by key
    qualifiers: dict[str, Property] = field(default_factory=dict)  # by key
    references: dict[str, Property] = field(default_factory=dict)  # by key
    source_fields: dict[str, SourceField] = field(default_factory=dict)
    trust_levels: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (iri, order)
    ranks: dict[str, str] = field(default_factory=dict)  # key -> iri
    graph: Graph = field(default_factory=Graph)

    # ------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        """Read the ontology (default: the one shipped with personkg)."""
        return _load(str(path or resource_dir("ontology") / "personkg.ttl"))

    # ------------------------------------------------------------ queries
    def ancestors(self, name: str) -> list[str]:
        """`name` and its superclasses, nearest first."""
        out = []
        cur: str | None = name
        while cur is not None:
            out.append(cur)
            cur = self.classes[cur].parent
        return out

    def wikidata_class_of(self, type_name: str) -> str | None:
        """The Wikidata class (QID) of a type, inherited from the nearest ancestor that has
        one; None when no class in the chain maps to Wikidata."""
        for name in [type_name, *self.ancestors(type_name)]:
            c = self.classes.get(name)
            if c and c.wikidata_class:
                return c.wikidata_class
        return None

    def is_a(self, name: str, ancestor: str) -> bool:
        return name in self.classes and ancestor in self.ancestors(name)

    def types_for_kind(self, kind: str) -> list[str]:
        return sorted(c.name for c in self.classes.values() if c.kind == kind)

    def kinds(self) -> list[str]:
        return sorted({c.kind for c in self.classes.values() if c.kind})

    def claims_for(self, type_name: str) -> list[Property]:
        """Claim properties a record of this type may use, in ontology key order."""
        return [p for p in self.claims.values() if any(self.is_a(type_name, d) for d in p.domain)]

    def entity_classes(self) -> list[EntityClass]:
        return [c for c in self.classes.values() if c.kind and c.kind != "sources"]


def _text(g: Graph, s: URIRef, p: URIRef) -> str | None:
    v = g.value(s, p)
    return str(v) if v is not None else None


def _local(iri: URIRef | str) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@cache
def _load(path: str) -> Vocabulary:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds; all mean the same here
        raise RunError(f"{path}: cannot read the ontology: {exc}") from None
    voc = Vocabulary(graph=g)
    order = _file_order(path)

    def _position(s: URIRef) -> tuple[int, str]:
        return (order.get(str(s), 10_000), str(s))

    for c in sorted(set(g.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))):
        if not str(c).startswith(str(PKG)):
            continue
        parent = g.value(c, RDFS.subClassOf)
        voc.classes[_local(c)] = EntityClass(
            iri=str(c), name=_local(c), label=_text(g, c, RDFS.label) or _local(c),
            comment=_text(g, c, RDFS.comment) or "", kind=_text(g, c, PKG.recordKind),
            schema_org=_text(g, c, PKG.schemaOrg), wikidata_class=_text(g, c, PKG.wikidataClass),
            parent=_local(parent) if parent is not None else None,
        )
    roles_of = {PKG.ClaimProperty: "claim", PKG.QualifierProperty: "qualifier",
                PKG.ReferenceProperty: "reference"}
    by_iri: dict[URIRef, set[str]] = {}
    for klass, role in roles_of.items():
        for s in g.subjects(RDF.type, klass):
            by_iri.setdefault(s, set()).add(role)
    # Keep the ontology's order of appearance for stable schemas and docs.
    ordered = sorted(by_iri, key=_position)
    for s in ordered:
        vc = g.value(s, PKG.valueClass)
        prop = Property(
            iri=str(s), name=_local(s), key=_text(g, s, PKG.key) or _local(s),
            label=_text(g, s, RDFS.label) or _local(s), comment=_text(g, s, RDFS.comment) or "",
            roles=frozenset(by_iri[s]),
            domain=tuple(sorted(_local(d) for d in g.objects(s, RDFS.domain))),
            value_class=_local(vc) if vc is not None else None,
            value_type=_text(g, s, PKG.valueType),
            single_valued=bool(g.value(s, PKG.singleValued, default=Literal(False)).toPython()),
            schema_org=_text(g, s, PKG.schemaOrg), wikidata=_text(g, s, PKG.wikidataProperty),
            wikidata_datatype=_text(g, s, PKG.wikidataDatatype),
            qualifiers=tuple(sorted(
                (_text(g, q, PKG.key) or _local(q) for q in g.objects(s, PKG.qualifier)),
                key=lambda k: _QUALIFIER_ORDER.get(k, 99),
            )),
            pattern=_text(g, s, PKG.pattern), same_as=_text(g, s, PKG.sameAsPattern),
        )
        for role in prop.roles:
            table = {"claim": voc.claims, "qualifier": voc.qualifiers,
                     "reference": voc.references}[role]
            table[prop.key] = prop
    for s in sorted(g.subjects(RDF.type, PKG.SourceField), key=_position):
        vc = g.value(s, PKG.valueClass)
        key = _text(g, s, PKG.key) or _local(s)
        voc.source_fields[key] = SourceField(
            key=key, predicate=str(g.value(s, PKG.predicate)),
            label=_text(g, s, RDFS.label) or key, value_type=_text(g, s, PKG.valueType),
            value_class=_local(vc) if vc is not None else None,
            required=bool(g.value(s, PKG.required, default=Literal(False)).toPython()),
            allowed=tuple(sorted(str(v) for v in g.objects(s, PKG.allowedValue))),
        )
    for t in g.subjects(RDF.type, PKG.Trust):
        voc.trust_levels[str(g.value(t, PKG.key))] = (str(t), int(g.value(t, PKG.trustOrder)))
    for r in g.subjects(RDF.type, PKG.Rank):
        voc.ranks[str(g.value(r, PKG.key))] = str(r)
    return voc


_QUALIFIER_ORDER = {"series_ordinal": 0, "stated_as": 1, "start": 2, "end": 3,
                    "point_in_time": 4, "role": 5, "academic_degree": 6, "academic_major": 7}


_QUALIFIER_ORDER = {"series_ordinal": 0, "stated_as": 1, "start": 2, "end": 3,
                    "point_in_time": 4, "role": 5, "academic_degree": 6, "academic_major": 7}


def _file_order(path: str) -> dict[str, int]:
    """Where each `pkg:x a ...` definition appears: properties keep the ontology's order."""
    text = Path(path).read_text(encoding="utf-8")
    found = re.finditer(r"^pkg:(\w+) a ", text, flags=re.M)
    return {str(PKG[m.group(1)]): i for i, m in enumerate(found)}
