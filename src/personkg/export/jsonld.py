"""Full-graph JSON-LD: one flattened, sorted `@graph` of node objects, with a context
generated from the project's prefixes and the ontology's classes. No remote context is
needed (or fetched) to read it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import orjson

from ..compile import CompiledGraph
from ..namespaces import DEFAULT_BASE, XSD, prefixes
from ..runtime import paused_gc
from ..vocab import Vocabulary
from .turtle import _TYPE_NT, Compactor, _Memo, subjects

__all__ = ["to_jsonld", "jsonld_chunks", "jsonld_context", "jsonld_head", "jsonld_document",
           "JsonldNodes"]

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


def to_jsonld(graph: CompiledGraph, voc: Vocabulary) -> str:
    """The graph as JSON-LD."""
    return b"".join(jsonld_chunks(graph, voc)).decode("utf-8")


_INDENT = orjson.OPT_INDENT_2


def jsonld_head(voc: Vocabulary, base: str) -> bytes:
    """What comes before the first node: the context and the opening of `@graph`."""
    head = orjson.dumps({"@context": jsonld_context(voc, base)}, option=_INDENT)
    return head[:-2] + b',\n  "@graph": [\n    '


def jsonld_document(head: bytes, nodes: Iterable[bytes]) -> Iterator[bytes]:
    """A document from `jsonld_head` and node texts (`JsonldNodes.node`), in pieces."""
    first = True
    for text in nodes:
        yield head + text if first else b",\n    " + text
        first = False
    yield head[:-len(b"[\n    ")] + b"[]\n}\n" if first else b"\n  ]\n}\n"


def jsonld_chunks(graph: CompiledGraph, voc: Vocabulary) -> Iterator[bytes]:
    """`to_jsonld` as UTF-8, a node at a time: the bytes of `json.dumps(doc, indent=2,
    ensure_ascii=False)` (orjson writes them, a node at a time, indented to its depth)."""
    with paused_gc():
        node = JsonldNodes(voc, graph.base).node
        yield from jsonld_document(jsonld_head(voc, graph.base),
                                   (node(s, preds) for s, preds in subjects(graph)))


class JsonldNodes:
    """A subject's node object, as indented UTF-8 at the depth of `@graph`, from its
    predicate -> objects (as `subjects` gives them). Like `TurtleBlocks`, a node depends on
    nothing else in the graph: `jsonld_document` of some of a graph's nodes, in the order of
    `subjects`, is that subgraph's `to_jsonld`."""

    def __init__(self, voc: Vocabulary, base: str, compactor: Compactor | None = None):
        self.c = c = compactor or Compactor(prefixes(base))
        ctx = jsonld_context(voc, base)
        self.class_terms = {v: k for k, v in ctx.items() if isinstance(v, str) and ":" in v
                            and not v.endswith(("/", "#"))}
        self.keys = _Memo(lambda p: c.iri(p[1:-1]).strip("<>"))
        self.type_lists: dict[tuple[str, ...], list[str]] = {}
        # IRIs and typed literals (the terms ending in ">") repeat: one value object each
        self.repeated = _Memo(lambda o: _value(c, o))

    def _type_list(self, types: list[str]) -> list[str]:
        key = tuple(types)
        done = self.type_lists.get(key)
        if done is None:
            c = self.c
            done = self.type_lists[key] = sorted(
                self.class_terms.get(c.nt(o), c.nt(o).strip("<>")) for o in types)
        return done

    def node(self, s: str, preds: dict[str, list[str]]) -> bytes:
        c, keys, repeated = self.c, self.keys, self.repeated
        node: dict[str, object] = {"@id": c.nt(s).strip("<>")}
        types = preds.get(_TYPE_NT)
        if types is not None:
            node["@type"] = self._type_list(types)
        for p, objs in preds.items():  # sorted already, as the lines are
            if p == _TYPE_NT:
                continue
            if len(objs) == 1:
                o = objs[0]
                node[keys[p]] = repeated[o] if o[-1] == ">" else _value(c, o)
            else:
                node[keys[p]] = sorted([repeated[o] if o[-1] == ">" else _value(c, o)
                                        for o in objs], key=_sort_key)
        return orjson.dumps(node, option=_INDENT).replace(b"\n", b"\n    ")
