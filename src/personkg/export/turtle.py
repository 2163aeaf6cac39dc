"""Deterministic Turtle and N-Triples: sorted subjects, predicates and objects, so an
unchanged dataset always serialises to the same bytes."""

from __future__ import annotations

import re

import pyoxigraph as ox

from ..graph import CompiledGraph
from ..vocab import PREFIXES, Vocabulary

__all__ = ["to_turtle", "to_ntriples", "Compactor"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


class Compactor:
    """IRIs as prefixed names where the prefix table allows it (each IRI worked out once)."""

    def __init__(self, prefixes: dict[str, str]):
        # longest namespace first, so pkgps: wins over pkgp:
        self.table = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self._memo: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        done = self._memo.get(iri)
        if done is None:
            done = self._memo[iri] = self._compact(iri)
        return done

    def _compact(self, iri: str) -> str:
        for prefix, ns in self.table:
            if iri.startswith(ns):
                local = iri[len(ns):]
                if _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        return self.nt(str(term))

    def nt(self, text: str) -> str:
        """A term written in N-Triples (`<iri>`, `_:b`, `"lexical"@lang`,
        `"lexical"^^<datatype>`) as Turtle, with prefixed names."""
        if text[0] == "<":
            return self.iri(text[1:-1])
        if text[0] == "_":
            return text
        end = text.rindex('"')
        if text.startswith("^^<", end + 1):
            datatype = text[end + 4:-1]
            if datatype == _XSD_STRING:
                return text[:end + 1]
            return f"{text[:end + 1]}^^{self.iri(datatype)}"
        return text


def split_triples(graph: CompiledGraph) -> dict[str, list[tuple[str, str]]]:
    """subject -> its distinct (predicate, object) pairs, each term in its N-Triples form."""
    by_subject: dict[str, set[tuple[str, str]]] = {}
    for line in graph.lines:
        s, p, o = line.split(" ", 2)
        pairs = by_subject.get(s)
        if pairs is None:
            by_subject[s] = {(p, o)}
        else:
            pairs.add((p, o))
    return {s: list(pairs) for s, pairs in by_subject.items()}


def grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """(predicate, object) pairs as predicate -> objects."""
    out: dict[str, list[str]] = {}
    for p, o in pairs:
        out.setdefault(p, []).append(o)
    return out


def node_key(text: str) -> str:
    """Sort key of an N-Triples IRI or blank node: the IRI itself, or the node id."""
    return text[1:-1] if text[0] == "<" else text[2:]


def _object_key(text: str) -> tuple[bool, str]:
    return (text[0] != "<", text)


_TYPE_NT = f"<{_RDF_TYPE}>"


def to_turtle(graph: CompiledGraph, voc: Vocabulary | None = None) -> str:
    c = Compactor(PREFIXES)
    by_subject = split_triples(graph)
    out = [f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items())]
    for s in sorted(by_subject, key=node_key):
        preds = grouped(by_subject[s])
        order = sorted(preds, key=lambda p: (p != _TYPE_NT, c.iri(p[1:-1])))
        lines = []
        for p in order:
            name = "a" if p == _TYPE_NT else c.iri(p[1:-1])
            objs = ", ".join(c.nt(o) for o in sorted(preds[p], key=_object_key))
            lines.append(f"{name} {objs}")
        out.append(f"\n{c.nt(s)}\n    " + " ;\n    ".join(lines) + " .\n")
    return "".join(out)


def to_ntriples(graph: CompiledGraph, voc: Vocabulary | None = None) -> str:
    return graph.ntriples()
