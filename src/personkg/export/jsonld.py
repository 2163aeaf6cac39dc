"""Full-graph JSON-LD: one flattened, sorted `@graph` of node objects, with a context
generated from the project's prefixes and the ontology's classes. No remote context is
needed (or fetched) to read it."""

from __future__ import annotations

import json

import orjson

from ..graph import CompiledGraph
from ..vocab import PREFIXES, Vocabulary
from .turtle import _TYPE_NT, Compactor, grouped, node_key, split_triples

__all__ = ["to_jsonld", "jsonld_context"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def jsonld_context(voc: Vocabulary) -> dict:
    ctx: dict[str, object] = dict(sorted(PREFIXES.items()))
    for cls in sorted(voc.classes.values(), key=lambda c: c.name):
        if cls.kind:
            ctx[cls.name] = f"pkg:{cls.name}"
    return ctx


def _value(c: Compactor, text: str) -> object:
    """A JSON-LD value from an N-Triples term (its string escapes are JSON's)."""
    if text[0] == "<":
        return {"@id": c.iri(text[1:-1]).strip("<>")}
    if text[0] == "_":
        return {"@id": text}
    end = text.rindex('"')
    value = json.loads(text[:end + 1])
    suffix = text[end + 1:]
    if suffix.startswith("@"):
        return {"@value": value, "@language": suffix[1:]}
    if not suffix or suffix == f"^^<{_XSD_STRING}>":
        return value
    return {"@value": value, "@type": c.iri(suffix[3:-1]).strip("<>")}


def _json_key(v: object) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def to_jsonld(graph: CompiledGraph, voc: Vocabulary) -> str:
    c = Compactor(PREFIXES)
    ctx = jsonld_context(voc)
    class_terms = {v: k for k, v in ctx.items() if isinstance(v, str) and ":" in v
                   and not v.endswith(("/", "#"))}
    out = []
    by_subject = split_triples(graph)
    for s in sorted(by_subject, key=node_key):
        node: dict[str, object] = {"@id": c.nt(s).strip("<>")}
        preds = grouped(by_subject[s])
        if _TYPE_NT in preds:
            types = [class_terms.get(c.nt(o), c.nt(o).strip("<>")) for o in preds[_TYPE_NT]]
            node["@type"] = sorted(types)
        for p in sorted(k for k in preds if k != _TYPE_NT):
            values = [_value(c, o) for o in preds[p]]
            if len(values) > 1:
                values.sort(key=_json_key)
            node[c.iri(p[1:-1]).strip("<>")] = values[0] if len(values) == 1 else values
        out.append(node)
    # orjson writes the same bytes as json.dumps(indent=2, ensure_ascii=False), faster
    return orjson.dumps({"@context": ctx, "@graph": out},
                        option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
