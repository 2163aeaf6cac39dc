"""Full-graph JSON-LD: one flattened, sorted `@graph` of node objects, with a context
generated from the project's prefixes and the ontology's classes. No remote context is
needed (or fetched) to read it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import orjson

from ..compile import CompiledGraph
from ..namespaces import DEFAULT_BASE, XSD, prefixes
from ..runtime import paused_gc
from ..vocab import Vocabulary
from .turtle import _TYPE_NT, Compactor, _Memo, subjects

__all__ = ["to_jsonld", "jsonld_chunks", "jsonld_context"]

_XSD_STRING = XSD.string


def jsonld_context(voc: Vocabulary, base: str = DEFAULT_BASE) -> dict:
    """The inline context: the project's prefixes (`id:` is the dataset's base) and a term
    for each class."""
    ctx: dict[str, object] = dict(sorted(prefixes(base).items()))
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
    body = text[1:end]
    value = json.loads(text[:end + 1]) if "\\" in body else body
    suffix = text[end + 1:]
    if suffix.startswith("@"):
        return {"@value": value, "@language": suffix[1:]}
    if not suffix or suffix == f"^^<{_XSD_STRING}>":
        return value
    return {"@value": value, "@type": c.iri(suffix[3:-1]).strip("<>")}


def _json_key(v: object) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def _sort_key(value: object) -> str:
    """`_json_key` of a value, without encoding node references: `{"@id": x}` encodes
    as `{"@id": "x"}`, and nothing in an IRI is escaped, so `x"` orders them alike."""
    if type(value) is dict and len(value) == 1:
        return '{"@id": "' + value["@id"] + '"}'  # type: ignore[index]
    return _json_key(value)


def to_jsonld(graph: CompiledGraph, voc: Vocabulary, compactor: Compactor | None = None) -> str:
    """The graph as JSON-LD (`compactor`: as for `turtle.to_turtle`)."""
    return b"".join(jsonld_chunks(graph, voc, compactor)).decode("utf-8")


_INDENT = orjson.OPT_INDENT_2


def jsonld_chunks(graph: CompiledGraph, voc: Vocabulary,
                  compactor: Compactor | None = None) -> Iterator[bytes]:
    """`to_jsonld` as UTF-8, a node at a time: the bytes of `json.dumps(doc, indent=2,
    ensure_ascii=False)` (orjson writes them, a node at a time, indented to its depth)."""
    with paused_gc():
        c = compactor or Compactor(prefixes(graph.base))
        ctx = jsonld_context(voc, graph.base)
        class_terms = {v: k for k, v in ctx.items() if isinstance(v, str) and ":" in v
                       and not v.endswith(("/", "#"))}
        keys = _Memo(lambda p: c.iri(p[1:-1]).strip("<>"))
        type_lists: dict[tuple[str, ...], list[str]] = {}
        # IRIs and typed literals (the terms ending in ">") repeat: one value object each
        repeated = _Memo(lambda o: _value(c, o))

        def value(o: str) -> object:
            return _value(c, o) if o[-1] != ">" else repeated[o]

        head = orjson.dumps({"@context": ctx}, option=_INDENT)
        if not graph.canonical():
            yield head[:-2] + b',\n  "@graph": []\n}\n'
            return
        yield head[:-2] + b',\n  "@graph": [\n    '
        for n, (s, preds) in enumerate(subjects(graph)):
            node: dict[str, object] = {"@id": c.nt(s).strip("<>")}
            types = preds.pop(_TYPE_NT, None)
            if types is not None:
                key = tuple(types)
                if key not in type_lists:
                    type_lists[key] = sorted(class_terms.get(c.nt(o), c.nt(o).strip("<>"))
                                             for o in types)
                node["@type"] = type_lists[key]
            for p, objs in preds.items():  # sorted already, as the lines are
                if len(objs) == 1:
                    node[keys[p]] = value(objs[0])
                else:
                    node[keys[p]] = sorted(map(value, objs), key=_sort_key)
            text = orjson.dumps(node, option=_INDENT).replace(b"\n", b"\n    ")
            yield text if n == 0 else b",\n    " + text
        yield b"\n  ]\n}\n"
