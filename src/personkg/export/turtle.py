"""Deterministic Turtle and N-Triples: sorted subjects, predicates and objects, so an
unchanged dataset always serialises to the same bytes."""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox

from ..graph import CompiledGraph
from ..vocab import PREFIXES, Vocabulary

__all__ = ["to_turtle", "to_ntriples", "Compactor"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


class Compactor:
    """IRIs as prefixed names where the prefix table allows it."""

    def __init__(self, prefixes: dict[str, str]):
        # longest namespace first, so pkgps: wins over pkgp:
        self.table = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def iri(self, iri: str) -> str:
        for prefix, ns in self.table:
            if iri.startswith(ns):
                local = iri[len(ns):]
                if _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            quoted = str(ox.Literal(term.value))  # N-Triples escaping of the lexical form
            if term.language:
                return f"{quoted}@{term.language}"
            if term.datatype.value == _XSD_STRING:
                return quoted
            return f"{quoted}^^{self.iri(term.datatype.value)}"
        return str(term)


def _sort_key(term: object) -> tuple[int, str]:
    return (0 if isinstance(term, ox.NamedNode) else 1, str(term))


def to_turtle(graph: CompiledGraph, voc: Vocabulary | None = None) -> str:
    c = Compactor(PREFIXES)
    by_subject: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    subjects: dict[str, ox.NamedNode] = {}
    for t in graph.triples:
        key = t.subject.value
        subjects[key] = t.subject
        by_subject[key][t.predicate.value].add(t.object)
    out = [f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items())]
    for skey in sorted(by_subject):
        preds = by_subject[skey]
        order = sorted(preds, key=lambda p: (p != _RDF_TYPE, c.iri(p)))
        lines = []
        for p in order:
            name = "a" if p == _RDF_TYPE else c.iri(p)
            objs = ", ".join(c.term(o) for o in sorted(preds[p], key=_sort_key))
            lines.append(f"{name} {objs}")
        out.append(f"\n{c.term(subjects[skey])}\n    " + " ;\n    ".join(lines) + " .\n")
    return "".join(out)


def to_ntriples(graph: CompiledGraph, voc: Vocabulary | None = None) -> str:
    return "".join(sorted({f"{t} .\n" for t in graph.triples}))
