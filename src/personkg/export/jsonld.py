"""Full-graph JSON-LD: one flattened, sorted `@graph` of node objects, with a context
generated from the project's prefixes and the ontology's classes. No remote context is
needed (or fetched) to read it."""

from __future__ import annotations

import json
from collections import defaultdict

import pyoxigraph as ox

from ..graph import CompiledGraph
from ..vocab import PREFIXES, Vocabulary
from .turtle import Compactor

__all__ = ["to_jsonld", "jsonld_context"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def jsonld_context(voc: Vocabulary) -> dict:
    ctx: dict[str, object] = dict(sorted(PREFIXES.items()))
    for cls in sorted(voc.classes.values(), key=lambda c: c.name):
        if cls.kind:
            ctx[cls.name] = f"pkg:{cls.name}"
    return ctx


def _value(c: Compactor, term: object) -> object:
    if isinstance(term, ox.NamedNode):
        return {"@id": c.iri(term.value).strip("<>")}
    assert isinstance(term, ox.Literal)
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": c.iri(term.datatype.value).strip("<>")}


def to_jsonld(graph: CompiledGraph, voc: Vocabulary) -> str:
    c = Compactor(PREFIXES)
    ctx = jsonld_context(voc)
    class_terms = {v: k for k, v in ctx.items() if isinstance(v, str) and ":" in v
                   and not v.endswith(("/", "#"))}
    nodes: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for t in graph.triples:
        nodes[t.subject.value][t.predicate.value].add(t.object)
    out = []
    for s in sorted(nodes):
        node: dict[str, object] = {"@id": c.iri(s).strip("<>")}
        preds = nodes[s]
        if _RDF_TYPE in preds:
            types = [class_terms.get(c.iri(o.value), c.iri(o.value).strip("<>"))
                     for o in preds[_RDF_TYPE]]
            node["@type"] = sorted(types)
        for p in sorted(k for k in preds if k != _RDF_TYPE):
            values = sorted((_value(c, o) for o in preds[p]),
                            key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
            node[c.iri(p).strip("<>")] = values[0] if len(values) == 1 else values
        out.append(node)
    return json.dumps({"@context": ctx, "@graph": out}, indent=2, ensure_ascii=False) + "\n"
