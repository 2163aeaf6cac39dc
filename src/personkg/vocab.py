"""The ontology, read into typed terms: the only place code learns what a property is.

`Vocabulary.load()` parses `ontology/personkg.ttl` once, with pyoxigraph (rdflib is imported
only where pySHACL needs it); everything else (the compiler, the JSON Schema and SHACL
generators, the exporters) asks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import namespaces as ns
from .errors import RunError, SourceError
from .resources import resource_dir

__all__ = ["DATE_TYPE", "LANG_STRING", "EntityClass", "Property", "SourceField", "Vocabulary"]

SCHEMA_NS = str(ns.SCHEMA)
DATE_TYPE = ns.PKG.DateValue
LANG_STRING = ns.RDF.langString

#: How a value is written and typed, by its datatype (items are "item"; others "string").
_KIND_OF_TYPE = {DATE_TYPE: "date", LANG_STRING: "text", ns.XSD.integer: "integer",
                 ns.XSD.anyURI: "url"}


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
    scholarly: bool = False  # Wikidata keeps such works in its scholarly graph
    alt_labels: tuple[str, ...] = ()  # other names for it (skos:altLabel), for suggestions


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
    pattern_description: str | None = None  # the pattern in words, for messages
    same_as: str | None = None  # URL template for sameAs links, "{}" is the value
    reconcile_order: int | None = None  # an identifier naming one thing: reconcile's order
    profile_order: int | None = None  # its place on a ProfilePage (with schema_org)
    schema_org_role: str | None = None  # the schema.org Role class its values are wrapped in
    schema_org_text: bool = False  # schema.org takes the value as text, not as a node
    identifier_name: str | None = None  # the name of the identifier, if not the label
    citation_field: str | None = None  # its CSL-JSON variable in a work's citation

    @property
    def is_item(self) -> bool:
        return self.value_class is not None

    @property
    def kind(self) -> str:
        """item | date | text | integer | url | string: how a value is written and typed."""
        if self.value_class:
            return "item"
        return _KIND_OF_TYPE.get(self.value_type or "", "string")


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
    low_trust: set[str] = field(default_factory=set)  # trust keys a published fact must not rest on
    ranks: dict[str, str] = field(default_factory=dict)  # key -> iri
    #: the ontology's triples (the built-in one and the dataset's extension), in file order
    triples: tuple[ox.Triple, ...] = ()
    #: the folder of this vocabulary's record schemas and SHACL shapes (a dataset that
    #: extends the ontology gets them generated; see `pipeline.vocabulary`)
    shapes_dir: Path = field(default_factory=lambda: resource_dir("shapes"))
    extension: Path | None = None  # the dataset's own ontology file, if any
    #: what is worked out once per vocabulary (a compiled validator, ...)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: Path | None = None, extension: Path | None = None) -> Vocabulary:
        """Read the ontology (default: the one shipped with personkg), and a dataset's own
        `extension` of it (its `ontology.ttl`: properties of its own, in any namespace;
        one that redefines a built-in property is an error at its line)."""
        return _load(str(path or resource_dir("ontology") / "personkg.ttl"),
                     str(extension) if extension else None)

    def ontology_ntriples(self) -> str:
        """The ontology as N-Triples (made once per vocabulary)."""
        text = self.memo.get("ontology-nt")
        if text is None:
            text = self.memo["ontology-nt"] = "".join(f"{t} .\n" for t in self.triples)
        return text

    def rdflib_graph(self) -> Any:
        """The ontology as an rdflib Graph (for pySHACL; rdflib is imported only here)."""
        from rdflib import Graph

        g = Graph()
        g.parse(data=self.ontology_ntriples(), format="nt")
        return g

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

    def _listed(self, key: str, make: Callable[[], list[Property]]) -> list[Property]:
        """`make()`, worked out once per vocabulary (the exporters and the site's pages ask
        the same of every record); a copy, which the caller may change."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = make()
        return list(found)

    def claims_for(self, type_name: str) -> list[Property]:
        """Claim properties a record of this type may use, in ontology key order."""
        return self._listed(f"claims-for:{type_name}", lambda: [
            p for p in self.claims.values() if any(self.is_a(type_name, d) for d in p.domain)])

    def entity_classes(self) -> list[EntityClass]:
        return [c for c in self.classes.values() if c.kind and c.kind != "sources"]

    def profile_properties(self, type_name: str) -> list[Property]:
        """The claim properties a ProfilePage of this type shows: those with a schema.org
        counterpart, by `profile_order`, then in ontology order."""
        return self._listed(f"profile:{type_name}", lambda: sorted(
            [p for p in self.claims_for(type_name) if p.schema_org],
            key=lambda p: _or_last(p.profile_order)))

    def identifiers(self, type_name: str) -> list[Property]:
        """The identifier properties of this type (those with a page: `same_as`)."""
        return self._listed(f"identifiers:{type_name}",
                            lambda: [p for p in self.claims_for(type_name) if p.same_as])

    def by_schema_org(self, type_name: str, term: str) -> list[Property]:
        """The claim properties of this type that map to schema.org `term` ("author")."""
        return self._listed(f"schema-org:{type_name}:{term}", lambda: [
            p for p in self.claims_for(type_name) if p.schema_org == SCHEMA_NS + term])

    def qualifier_for(self, prop: Property, term: str) -> str | None:
        """The key of `prop`'s qualifier that maps to schema.org `term`, if any."""
        for key in prop.qualifiers:
            if self.qualifiers[key].schema_org == SCHEMA_NS + term:
                return key
        return None

    def trust_order(self) -> list[str]:
        """Trust keys, most trusted first."""
        return sorted(self.trust_levels, key=lambda k: -self.trust_levels[k][1])

    def trust_rank(self) -> dict[str, int]:
        """Trust key -> its place in `trust_order` (0: most trusted), worked out once."""
        rank = self.memo.get("trust-rank")
        if rank is None:
            rank = self.memo["trust-rank"] = {k: n for n, k in enumerate(self.trust_order())}
        return rank

    def scholarly_types(self) -> tuple[str, ...]:
        """The types of scholarly works (kept in Wikidata's scholarly graph)."""
        return tuple(c.name for c in self.classes.values() if c.scholarly)

    def strong_identifiers(self) -> list[str]:
        """Claim keys whose value names one thing, in the order reconcile looks them up."""
        found = [(p.reconcile_order, k) for k, p in self.claims.items()
                 if p.reconcile_order is not None]
        return [k for _, k in sorted(found)]


def _load_error(path: str, what: str) -> RunError:
    return RunError(f"{path}: the ontology is not usable: {what}")


Node = Any  # a pyoxigraph term


class _Graph:
    """The parsed ontology: its triples, and an index by subject and predicate and by
    predicate and object (what the reader asks)."""

    def __init__(self) -> None:
        self.triples: dict[ox.Triple, None] = {}  # a set that keeps file order
        self.by_sp: dict[tuple[Node, Node], list[Node]] = {}
        self.by_po: dict[tuple[Node, Node], list[Node]] = {}

    def add(self, triples: list[ox.Triple]) -> None:
        for t in triples:
            if t in self.triples:
                continue
            self.triples[t] = None
            self.by_sp.setdefault((t.subject, t.predicate), []).append(t.object)
            self.by_po.setdefault((t.predicate, t.object), []).append(t.subject)

    def subjects(self, p: str, o: str) -> list[Node]:
        return list(self.by_po.get((ox.NamedNode(p), ox.NamedNode(o)), ()))


class _Reader:
    """Typed look-ups in the parsed ontology."""

    def __init__(self, g: _Graph, path: str, *extra: str):
        self.g, self.path, self.order = g, path, _file_order(path, *extra)

    def value(self, s: Node, p: str) -> Node | None:
        found = self.g.by_sp.get((s, ox.NamedNode(p)))
        return found[0] if found else None

    def text(self, s: Node, p: str) -> str | None:
        v = self.value(s, p)
        return v.value if v is not None else None

    def flag(self, s: Node, p: str) -> bool:
        v = self.value(s, p)
        if not isinstance(v, ox.Literal):
            return False
        if v.datatype.value == ns.XSD.boolean:
            return v.value.strip() in ("true", "1")
        if v.datatype.value == ns.XSD.integer:
            return int(v.value) != 0
        return v.value != ""

    def number(self, s: Node, p: str) -> int | None:
        v = self.value(s, p)
        if not isinstance(v, ox.Literal):
            return None
        try:
            return int(v.value)
        except ValueError:
            return int(float(v.value))

    def local(self, s: Node, p: str) -> str | None:
        v = self.value(s, p)
        return _local(v.value) if v is not None else None

    def objects(self, s: Node, p: str) -> list[Node]:
        return list(self.g.by_sp.get((s, ox.NamedNode(p)), ()))

    def position(self, s: Node) -> tuple[int, str]:
        """Where `s` is defined in the file: things keep the ontology's order."""
        return (self.order.get(_local(s.value), 10_000), s.value)

    def instances(self, cls: str) -> list[Node]:
        """The instances of `cls`, in the ontology's order."""
        return sorted(self.g.subjects(ns.RDF.type, cls), key=self.position)


def _parse(path: str, g: _Graph | None = None, of_dataset: bool = False) -> _Graph:
    """Parse a Turtle file into `g`. A dataset's own ontology that does not parse is the
    data's error (exit 1, at its line); the built-in one could not be read (exit 2)."""
    g = g if g is not None else _Graph()
    try:
        g.add([q.triple for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE,
                                          base_iri=Path(path).resolve().as_uri())])
    except (SyntaxError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if of_dataset:
            raise SourceError(path, _line_of_error(exc),
                              f"not a Turtle ontology: {first}") from None
        raise RunError(f"{path}: cannot read the ontology: {exc}") from None
    return g


def _line_of_error(exc: Exception) -> int | None:
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None


@cache
def _load(path: str, extension: str | None = None) -> Vocabulary:
    g = _parse(path)
    if extension is not None:
        _check_extension(Vocabulary.load(Path(path)), extension)
        _parse(extension, g, of_dataset=True)
    voc = Vocabulary(triples=tuple(g.triples), extension=Path(extension) if extension else None)
    r = _Reader(g, path, *([extension] if extension else []))
    _read_classes(r, voc)
    _read_properties(r, voc)
    _read_source_fields(r, voc)
    _read_levels(r, voc)
    return voc


def _read_classes(r: _Reader, voc: Vocabulary) -> None:
    PKG = ns.PKG
    for c in sorted(set(r.g.subjects(ns.RDF.type, ns.OWL.Class)), key=lambda n: n.value):
        if not isinstance(c, ox.NamedNode) or not c.value.startswith(PKG):
            continue
        voc.classes[_local(c)] = EntityClass(
            iri=c.value, name=_local(c), label=r.text(c, ns.RDFS.label) or _local(c),
            comment=r.text(c, ns.RDFS.comment) or "", kind=r.text(c, PKG.recordKind),
            schema_org=r.text(c, PKG.schemaOrg), wikidata_class=r.text(c, PKG.wikidataClass),
            parent=r.local(c, ns.RDFS.subClassOf), scholarly=r.flag(c, PKG.scholarly),
            alt_labels=tuple(sorted(v.value for v in r.objects(c, ns.SKOS.altLabel))),
        )


def _read_properties(r: _Reader, voc: Vocabulary) -> None:
    PKG = ns.PKG
    roles_of = {PKG.ClaimProperty: "claim", PKG.QualifierProperty: "qualifier",
                PKG.ReferenceProperty: "reference"}
    by_iri: dict[Node, set[str]] = {}
    for klass, role in roles_of.items():
        for s in r.instances(klass):
            by_iri.setdefault(s, set()).add(role)
    qualifier_order = {r.text(q, PKG.key) or _local(q): r.number(q, PKG.qualifierOrder)
                       for q, roles in by_iri.items() if "qualifier" in roles}
    tables = {"claim": voc.claims, "qualifier": voc.qualifiers, "reference": voc.references}
    for s in sorted(by_iri, key=r.position):
        prop = Property(
            iri=s.value, name=_local(s), key=r.text(s, PKG.key) or _local(s),
            label=r.text(s, ns.RDFS.label) or _local(s),
            comment=r.text(s, ns.RDFS.comment) or "", roles=frozenset(by_iri[s]),
            domain=tuple(sorted(_local(d) for d in r.objects(s, ns.RDFS.domain))),
            value_class=r.local(s, PKG.valueClass), value_type=r.text(s, PKG.valueType),
            single_valued=r.flag(s, PKG.singleValued), schema_org=r.text(s, PKG.schemaOrg),
            wikidata=r.text(s, PKG.wikidataProperty),
            wikidata_datatype=r.text(s, PKG.wikidataDatatype),
            qualifiers=tuple(sorted(
                (r.text(q, PKG.key) or _local(q) for q in r.objects(s, PKG.qualifier)),
                key=lambda k: _or_last(qualifier_order.get(k)),
            )),
            pattern=r.text(s, PKG.pattern),
            pattern_description=r.text(s, PKG.patternDescription),
            same_as=r.text(s, PKG.sameAsPattern),
            reconcile_order=r.number(s, PKG.reconcileOrder),
            profile_order=r.number(s, PKG.profileOrder),
            schema_org_role=r.text(s, PKG.schemaOrgRole),
            schema_org_text=r.flag(s, PKG.schemaOrgText),
            identifier_name=r.text(s, PKG.identifierName),
            citation_field=r.text(s, PKG.citationField),
        )
        for role in prop.roles:
            tables[role][prop.key] = prop


def _read_source_fields(r: _Reader, voc: Vocabulary) -> None:
    PKG = ns.PKG
    for s in r.instances(PKG.SourceField):
        key = r.text(s, PKG.key) or _local(s)
        voc.source_fields[key] = SourceField(
            key=key, predicate=_value(r.value(s, PKG.predicate)),
            label=r.text(s, ns.RDFS.label) or key, value_type=r.text(s, PKG.valueType),
            value_class=r.local(s, PKG.valueClass), required=r.flag(s, PKG.required),
            allowed=tuple(sorted(v.value for v in r.objects(s, PKG.allowedValue))),
        )


def _read_levels(r: _Reader, voc: Vocabulary) -> None:
    """Trust levels and ranks."""
    PKG = ns.PKG
    for t in r.g.subjects(ns.RDF.type, PKG.Trust):
        level, rank = r.text(t, PKG.key), r.number(t, PKG.trustOrder)
        if level is None or rank is None:
            raise _load_error(r.path, f"trust level {t.value} needs pkg:key and pkg:trustOrder")
        voc.trust_levels[level] = (t.value, rank)
        if r.flag(t, PKG.lowTrust):
            voc.low_trust.add(level)
    for k in r.g.subjects(ns.RDF.type, PKG.Rank):
        voc.ranks[_value(r.value(k, PKG.key))] = k.value


def _or_last(position: int | None) -> int:
    return 99 if position is None else position


def _local(iri: Node | str) -> str:
    return _value(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _value(term: Node | str | None) -> str:
    """What rdflib's str() gave: an IRI, a literal's lexical form, a blank node's id."""
    if term is None:
        return "None"
    return term if isinstance(term, str) else term.value


def _check_extension(builtin: Vocabulary, path: str) -> None:
    """A dataset's ontology adds properties; one with the key, local name or IRI of a
    built-in property would change what the built-in one means: an error at its line."""
    own = _parse(path, of_dataset=True)
    r = _Reader(own, path)
    known = {p.iri: p for p in [*builtin.claims.values(), *builtin.qualifiers.values(),
                                *builtin.references.values()]}
    by_name = {p.name: p for p in known.values()}
    by_key = {p.key: p for p in known.values()}
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for cls in (ns.PKG.ClaimProperty, ns.PKG.QualifierProperty, ns.PKG.ReferenceProperty):
        for s in r.instances(cls):
            key = r.text(s, ns.PKG.key) or _local(s)
            clash = known.get(s.value) or by_name.get(_local(s)) or by_key.get(key)
            if clash is not None:
                line = next((n for n, text in enumerate(lines, 1)
                             if re.search(rf"(^|[:/#<]){re.escape(_local(s))}\b", text)), None)
                raise SourceError(path, line, f"property {_local(s)} (key {key!r}) clashes with "
                                              f"the built-in property {clash.name} "
                                              f"(key {clash.key!r}); give it a name of its own")


def _file_order(path: str, *extra: str) -> dict[str, int]:
    """Where each `pkg:x a ...` definition appears: properties keep the ontology's order."""
    order: dict[str, int] = {}
    for file in (path, *extra):
        text = Path(file).read_text(encoding="utf-8")
        for m in re.finditer(r"^[\w-]*:(\w+) a ", text, flags=re.M):
            order.setdefault(m.group(1), len(order))
    return order
