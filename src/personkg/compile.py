"""Records -> the Wikibase-style RDF graph. The only place that mints IRIs and triples.

For each claim the graph holds a statement node (pkgp:/pkgps:/pkgpq:), its rank, its
references (prov:wasDerivedFrom -> pkgpr:), and, for best-rank values, the truthy
pkgd: triple. A date is, as in Wikibase RDF, an xsd:dateTime at the start of its period
in pkgd:/pkgps:/pkgpq:, and a full value node (pkgpsv:/pkgpqv: -> pkg:timeValue,
pkg:timePrecision) keeps its precision. Statement IRIs are derived from the claim's
content (entity, property, value, qualifiers), reference IRIs from the reference's content
and value node IRIs from the value (like Wikidata's wdv:), so rebuilding an unchanged
dataset gives identical output whatever the file or load order.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .cache import key_of
from .load import Memo
from .model import Claim, Dataset, Date, Entity, Reference, Source, Text, Value
from .namespaces import (
    DEFAULT_BASE,
    PKG,
    PKGD,
    PKGP,
    PKGPQ,
    PKGPQV,
    PKGPR,
    PKGPS,
    PKGPSV,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    WD,
    XSD,
)
from .runtime import paused_gc
from .vocab import EntityClass, Vocabulary

__all__ = ["Location", "CompiledGraph", "compile_dataset", "fingerprint", "content_hash",
           "statement_iri", "reference_iri", "value_iri", "iri_term", "text_term"]

RDF_TYPE = f"<{RDF.type}>"
RDFS_LABEL = f"<{RDFS.label}>"
SKOS_ALT = f"<{SKOS.altLabel}>"
DESCRIPTION = f"<{SCHEMA.description}>"
SAME_AS = f"<{SCHEMA.sameAs}>"
TRUE = f'"true"^^<{XSD.boolean}>'

_T_STATEMENT = f"<{PKG.Statement}>"
_T_REFERENCE = f"<{PKG.Reference}>"
_T_BEST = f"<{PKG.BestRank}>"
_RANK = f"<{PKG.rank}>"
_REASON = f"<{PKG.reasonForDeprecation}>"
_ALTERNATIVE = f"<{PKG.alternative}>"
_NOTE = f"<{PKG.note}>"
_DERIVED = f"<{PROV.wasDerivedFrom}>"
_STATED_IN = f"<{PKGPR.statedIn}>"
_QUOTE = f"<{PKGPR.quote}>"
_REF_URL = f"<{PKGPR.referenceUrl}>"
_TIME_VALUE = f"<{PKG.timeValue}>"
_TIME_PRECISION = f"<{PKG.timePrecision}>"


def iri_term(iri: str) -> str:
    """`<iri>`, the N-Triples form of an IRI; ValueError when pyoxigraph does not take it.
    Layer 2 checks every URL, base and language tag of a record with these two functions,
    so what passes it compiles."""
    return str(ox.NamedNode(iri))


def text_term(text: str, lang: str) -> str:
    """A literal in a language; ValueError for a language tag pyoxigraph does not take."""
    return str(ox.Literal(text, language=lang))


class _Terms:
    """Terms in their N-Triples form, made (and so checked) by pyoxigraph: IRIs once
    each, literals each time (most are unique)."""

    def __init__(self) -> None:
        self._iris: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        done = self._iris.get(iri)
        if done is None:
            done = self._iris[iri] = iri_term(iri)
        return done

    @staticmethod
    def literal(text: str, datatype: str | None = None, lang: str | None = None) -> str:
        if lang:
            return text_term(text, lang)
        if datatype:
            return str(ox.Literal(text, datatype=ox.NamedNode(datatype)))
        return str(ox.Literal(text))


@dataclass(frozen=True, slots=True)
class Location:
    """Where a node of the graph comes from: a record file and line."""

    path: Path
    line: int
    what: str  # "entity ada-example", "claim employer of ada-example", ...


@dataclass
class CompiledGraph:
    """The dataset as N-Triples statements (`<s> <p> o`, without the final ` .`), with
    the record location of every minted node. Every consumer reads the lines (the store
    and the exports parse or split them); `triples` parses them on demand.

    `compile_dataset` leaves the lines sorted and distinct, so each subject's lines, and
    within them each predicate's, are one run; `canonical()` gives that form for any
    graph and the exports read it in a single pass."""

    lines: list[str] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)
    base: str = DEFAULT_BASE  # the dataset's namespace: the `id:` prefix of its exports
    #: with the build cache: a key for the lines and locations (empty: not known), each
    #: record file's part of the graph (its key in the cache) and the records' own
    #: rdf:type lines (what other records' checks may read of it)
    fingerprint: bytes = b""
    parts: dict[Path, bytes] = field(default_factory=dict, repr=False, compare=False)
    type_lines: list[str] = field(default_factory=list, repr=False, compare=False)
    _triples: list[ox.Triple] | None = field(default=None, repr=False, compare=False)
    _canonical: list[str] | None = field(default=None, repr=False, compare=False)

    def canonical(self) -> list[str]:
        """The distinct lines in sorted order."""
        if self._canonical is None:
            self._canonical = sorted_unique(self.lines)
        return self._canonical

    @property
    def triples(self) -> list[ox.Triple]:
        if self._triples is None:
            self._triples = [q.triple for q in ox.parse(self.text().encode("utf-8"),
                                                         format=ox.RdfFormat.N_TRIPLES)]
        return self._triples

    def text(self) -> str:
        """The graph as N-Triples, in the order of `lines`."""
        return "".join(f"{line} .\n" for line in self.lines)

    def chunks(self, size: int = 200_000) -> Iterator[bytes]:
        """The graph as N-Triples, `size` lines a piece: a store loads piece by piece
        without the whole text in memory, and without holding the GIL while it does."""
        for i in range(0, len(self.lines), size):
            yield "".join([f"{line} .\n" for line in self.lines[i:i + size]]).encode("utf-8")

    def store(self) -> ox.Store:
        store = ox.Store()
        for chunk in self.chunks():
            store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
        return store

    def ntriples(self) -> str:
        """Sorted N-Triples: deterministic, one triple a line. (No character below the
        space is left unescaped in a line, so sorting with or without the final ` .`
        gives one order.)"""
        return "".join(f"{line} .\n" for line in self.canonical())


def sorted_unique(lines: list[str]) -> list[str]:
    """`sorted(set(lines))`, faster: the compiler's lines come in long sorted runs, which
    the sort merges, and equal lines end up side by side."""
    ordered = sorted(lines)
    if not ordered:
        return []
    after = [*ordered[1:], None]
    return [line for line, nxt in zip(ordered, after, strict=True) if line != nxt]


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _digest(parts: object, n: int) -> str:
    return hashlib.sha1(_JSON.encode(parts).encode("utf-8")).hexdigest()[:n]


def _plain(v: Value) -> object:
    if isinstance(v, Text):
        return [v.text, v.lang]
    return v if isinstance(v, int) else str(v)


def content_hash(claim: Claim) -> str:
    """The hash of a claim's value and qualifiers, worked out once per claim: the
    reference check and the compiler both need it, and a claim is not changed after it
    is read."""
    h = claim.content_hash
    if h is None:
        h = claim.content_hash = _digest(
            [_plain(claim.value), sorted((k, _plain(v)) for k, v in claim.qualifiers.items())],
            10)
    return h


def statement_iri(base: str, entity_id: str, claim: Claim) -> str:
    """`<base>statement/<entity>-<property>-<hash of value and qualifiers>`: statements have
    a namespace of their own (like Wikidata's wds:), and an id never holds a slash, so no
    record can be one."""
    return (f"{base}statement/{entity_id}-{claim.property.replace('_', '-')}-"
            f"{content_hash(claim)}")


def reference_iri(base: str, ref: Reference) -> str:
    """`<base>reference/<hash of source, quote and url>` (like Wikidata's wdref:)."""
    return f"{base}reference/{_digest(list(ref.key()), 12)}"


def value_iri(base: str, date: Date) -> str:
    """`<base>value/<hash of time and precision>`: a date's full value node (like
    Wikidata's wdv:), one for every statement or qualifier with that value."""
    return f"{base}value/{_digest([date.date_time, date.time_precision], 12)}"


def literal_for(value: Value, kind: str, base: str, terms: _Terms | None = None) -> str:
    """The RDF term (N-Triples form) of a claim or qualifier value of the given kind."""
    terms = terms or _Terms()
    if kind == "item":
        return terms.iri(base + str(value))
    if kind == "url":
        return terms.iri(str(value))
    if isinstance(value, Date):  # the start of its period; the precision is on the value node
        return terms.literal(value.date_time, XSD.dateTime)
    if isinstance(value, Text):
        return terms.literal(value.text, lang=value.lang)
    if kind == "integer":
        return terms.literal(str(value), XSD.integer)
    return terms.literal(str(value))


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
    """The best-rank claims of property `key`, in record order (`best_claims` of that
    property alone, without indexing the others: pages ask this of every work)."""
    mine = [c for c in claims if c.property == key]
    return [c for c in mine if c.rank == "preferred"] or [c for c in mine
                                                          if c.rank == "normal"]


@dataclass(slots=True)
class _Context:
    """What the compiler needs at hand while it writes one dataset's lines."""

    put: Callable[[str], None]  # one "<s> <p> o" line a triple
    terms: _Terms
    base: str
    locations: dict[str, Location]
    preds: dict[str, tuple[str, str, str, str]]  # claim key -> pkgd:, pkgp:, pkgps:, kind
    qpreds: dict[str, tuple[str, str]]  # qualifier key -> pkgpq:, kind
    rank_iri: dict[str, str]
    ref_iris: dict[tuple, str] = field(default_factory=dict)  # content -> IRI, once each
    value_nodes: dict[str, str] = field(default_factory=dict)  # date text -> node, once each
    # the IRIs of the two above, worked out once for the whole dataset (per record, the two
    # above start empty, so that each record writes the nodes it uses)
    ref_memo: dict[tuple, tuple[str, str]] = field(default_factory=dict)  # -> IRI, term
    value_memo: dict[str, tuple[str, str]] = field(default_factory=dict)  # -> IRI, term


@paused_gc()
def compile_dataset(ds: Dataset, voc: Vocabulary, memo: Memo | None = None) -> CompiledGraph:
    """Every entity and source of `ds` as triples (see the module docstring). With a
    `memo` (and `ds.record_keys`), each record's lines are taken from it when it has them,
    and the graph gets a fingerprint."""
    out = CompiledGraph(base=ds.base)
    lines: list[str] = []
    terms = _Terms()
    nn = terms.iri
    c = _Context(
        put=lines.append, terms=terms, base=ds.base, locations=out.locations,
        preds={k: (nn(PKGD[p.name]), nn(PKGP[p.name]), nn(PKGPS[p.name]), p.kind)
               for k, p in voc.claims.items()},
        qpreds={k: (nn(PKGPQ[q.name]), q.kind) for k, q in voc.qualifiers.items()},
        rank_iri={k: nn(v) for k, v in voc.ranks.items()})
    trust_iri = {k: nn(v[0]) for k, v in voc.trust_levels.items()}
    records: list[Entity | Source] = [*ds.entities.values(), *ds.sources.values()]

    def one(rec: Entity | Source) -> None:
        if isinstance(rec, Entity):
            _entity(c, rec, voc.classes[rec.type])
        else:
            _source(c, rec, voc, trust_iri)

    if memo is not None and all(r.path in ds.record_keys for r in records):
        _from_parts(c, lines, records, one, memo, ds.record_keys, out)
    else:
        for rec in records:
            one(rec)
    # two best-rank statements with one value (an award in two years) give one truthy triple
    out.lines = out._canonical = sorted_unique(lines)
    return out


#: a record's part of the graph: its lines, the location of each node it mints, and its
#: own rdf:type lines
Part = tuple[list[str], list[tuple[str, int, str]], list[str]]


def _from_parts(c: _Context, lines: list[str], records: list[Entity | Source],
                one: Callable[[Entity | Source], None], memo: Memo,
                record_keys: dict[Path, bytes], out: CompiledGraph) -> None:
    """`one(record)` for each record whose part is not in `memo`, each with a context of
    its own, so that its lines do not depend on the records before it (a reference or date
    node that other records also use is written again, and sorted_unique keeps one). The
    locations are merged first-come as in one pass. Sets the graph's fingerprint, parts
    and type lines."""
    keys = part_keys(records, record_keys, c.base)
    parts: dict[bytes, Part] = memo.get_many(keys)
    new: dict[bytes, Part] = {}
    locations = c.locations
    for rec, key in zip(records, keys, strict=True):
        part = parts.get(key)
        if part is None:
            mine: list[str] = []
            where: dict[str, Location] = {}
            c.put, c.locations, c.ref_iris, c.value_nodes = mine.append, where, {}, {}
            one(rec)
            typed = f"{c.terms.iri(c.base + rec.id)} {RDF_TYPE} "
            mine.sort()  # sorted runs: the sort of the whole graph merges them
            part = new[key] = (mine, [(n, loc.line, loc.what) for n, loc in where.items()],
                               [line for line in mine if line.startswith(typed)])
        lines.extend(part[0])
        out.type_lines.extend(part[2])
        out.parts[rec.path] = key
        path = rec.path
        for node, line, what in part[1]:
            if node not in locations:
                locations[node] = Location(path, line, what)
    memo.put_many(new)
    out.fingerprint = key_of(b"graph", *keys)


def part_keys(records: list[Entity | Source], record_keys: dict[Path, bytes],
              base: str) -> list[bytes]:
    """The cache key of each record's part of the graph."""
    return [key_of(record_keys[r.path], base) for r in records]


def fingerprint(ds: Dataset) -> bytes:
    """The fingerprint `compile_dataset(ds, voc, memo)` gives its graph, without compiling
    (empty when a record has no key)."""
    records: list[Entity | Source] = [*ds.entities.values(), *ds.sources.values()]
    if not all(r.path in ds.record_keys for r in records):
        return b""
    return key_of(b"graph", *part_keys(records, ds.record_keys, ds.base))


def _entity(c: _Context, ent: Entity, cls: EntityClass) -> None:
    put, terms, nn = c.put, c.terms, c.terms.iri
    s = nn(c.base + ent.id)
    c.locations[s[1:-1]] = Location(ent.path, ent.line, f"entity {ent.id}")
    put(f"{s} {RDF_TYPE} {nn(cls.iri)}")
    if cls.schema_org:
        put(f"{s} {RDF_TYPE} {nn(cls.schema_org)}")
    put(f"{s} {RDFS_LABEL} {terms.literal(ent.name, lang='en')}")
    if ent.description:
        put(f"{s} {DESCRIPTION} {terms.literal(ent.description, lang='en')}")
    for alias in ent.aliases:
        put(f"{s} {SKOS_ALT} {terms.literal(alias, lang='en')}")
    if ent.wikidata:
        put(f"{s} {SAME_AS} {nn(WD + ent.wikidata)}")
    best = best_claims(ent.claims)
    for i, claim in enumerate(ent.claims):
        _statement(c, s, ent, claim, i in best)


def _statement(c: _Context, s: str, ent: Entity, claim: Claim, best: bool) -> None:
    """A claim's statement node, its value, qualifiers, rank and references; and, for a
    best-rank claim, the truthy triple."""
    put, terms, base = c.put, c.terms, c.base
    direct, p_claim, p_stmt, kind = c.preds[claim.property]
    st_iri = statement_iri(base, ent.id, claim)
    st = str(ox.NamedNode(st_iri))
    c.locations.setdefault(
        st_iri, Location(ent.path, claim.line, f"claim {claim.property} of {ent.id}"))
    value = literal_for(claim.value, kind, base, terms)
    put(f"{s} {p_claim} {st}")
    put(f"{st} {RDF_TYPE} {_T_STATEMENT}")
    put(f"{st} {p_stmt} {value}")
    put(f"{st} {_RANK} {c.rank_iri[claim.rank]}")
    if best:
        put(f"{st} {RDF_TYPE} {_T_BEST}")
        put(f"{s} {direct} {value}")
    if isinstance(claim.value, Date):
        put(f"{st} {terms.iri(PKGPSV + p_stmt[len(PKGPS) + 1:-1])} "
            f"{_value_node(c, claim.value, st_iri)}")
    for qk, qv in claim.qualifiers.items():
        qp, qkind = c.qpreds[qk]
        put(f"{st} {qp} {literal_for(qv, qkind, base, terms)}")
        if isinstance(qv, Date):
            put(f"{st} {terms.iri(PKGPQV + qp[len(PKGPQ) + 1:-1])} {_value_node(c, qv, st_iri)}")
    if claim.reason:
        put(f"{st} {_REASON} {terms.literal(claim.reason)}")
    if claim.alternative:
        put(f"{st} {_ALTERNATIVE} {TRUE}")
    if claim.note:
        put(f"{st} {_NOTE} {terms.literal(claim.note)}")
    ref_iris = c.ref_iris
    for ref in claim.references:
        r_iri = ref_iris.get(ref.key())
        if r_iri is not None:  # cited the same way before: its node is written
            put(f"{st} {_DERIVED} <{r_iri}>")
        else:
            _reference(c, st, ent, claim, ref)


def _value_node(c: _Context, date: Date, st_iri: str) -> str:
    """A date's full value node (time and precision), written the first time it is seen."""
    node = c.value_nodes.get(date.text)
    if node is None:
        made = c.value_memo.get(date.text)
        if made is None:
            iri = value_iri(c.base, date)
            made = c.value_memo[date.text] = (iri, str(ox.NamedNode(iri)))
        iri, node = made
        c.value_nodes[date.text] = node
        c.locations.setdefault(iri, c.locations[st_iri])
        c.put(f"{node} {_TIME_VALUE} {c.terms.literal(date.date_time, XSD.dateTime)}")
        c.put(f"{node} {_TIME_PRECISION} {c.terms.literal(str(date.time_precision), XSD.integer)}")
    return node


def _reference(c: _Context, st: str, ent: Entity, claim: Claim, ref: Reference) -> None:
    """A reference node, the first time its citation is seen."""
    put, terms = c.put, c.terms
    key = ref.key()
    made = c.ref_memo.get(key)
    if made is None:
        r_iri = reference_iri(c.base, ref)
        made = c.ref_memo[key] = (r_iri, str(ox.NamedNode(r_iri)))  # a valid IRI (the base
        # is checked once here)
    r_iri, r = made
    c.ref_iris[key] = r_iri
    put(f"{st} {_DERIVED} {r}")
    c.locations[r_iri] = Location(ent.path, ref.line,
                                  f"reference of {claim.property} of {ent.id}")
    put(f"{r} {RDF_TYPE} {_T_REFERENCE}")
    put(f"{r} {_STATED_IN} {terms.iri(c.base + ref.source)}")
    if ref.quote:
        put(f"{r} {_QUOTE} {terms.literal(ref.quote)}")
    if ref.url:
        put(f"{r} {_REF_URL} {terms.iri(ref.url)}")


def _source(c: _Context, src: Source, voc: Vocabulary, trust_iri: dict[str, str]) -> None:
    put, terms, nn = c.put, c.terms, c.terms.iri
    src_cls = voc.classes["Source"]
    s = nn(c.base + src.id)
    c.locations[s[1:-1]] = Location(src.path, src.line, f"source {src.id}")
    put(f"{s} {RDF_TYPE} {nn(src_cls.iri)}")
    if src_cls.schema_org:
        put(f"{s} {RDF_TYPE} {nn(src_cls.schema_org)}")
    for field_key, f in voc.source_fields.items():
        if field_key not in src.fields:
            continue
        v = src.fields[field_key]
        if f.value_class == "Trust":
            obj = trust_iri[str(v)]
        elif isinstance(v, Date):
            obj = terms.literal(v.text, XSD + v.xsd)
        elif f.value_type == XSD.anyURI:
            obj = nn(str(v))
        else:
            obj = terms.literal(str(v))
        put(f"{s} {nn(f.predicate)} {obj}")
    if src.wikidata:
        put(f"{s} {SAME_AS} {nn(WD + src.wikidata)}")
