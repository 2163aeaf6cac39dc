"""The site's linked data: each record's `.ttl` and `.jsonld`, and the full dumps, from one
pass over the compiled graph.

A record's files hold its own triples, its statements', their references' and their dates'
value nodes. Every subject's Turtle block and JSON-LD node is written once (`TurtleBlocks`,
`JsonldNodes`: a block does not depend on the rest of the graph), and a record's files are
the blocks of the subjects it reaches, in the graph's order; the dumps are all the blocks.
Writing each record's subgraph on its own wrote every block twice (once for the dump) and
was a third of a large site's time (`benchmarks/site.py`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..compile import CompiledGraph
from ..export.jsonld import JsonldNodes, jsonld_document, jsonld_head
from ..export.turtle import Compactor, TurtleBlocks, _Memo, subjects, turtle_header
from ..namespaces import PKGP, PKGPQV, PKGPSV, PROV, prefixes
from ..runtime import paused_gc
from ..vocab import Vocabulary

__all__ = ["LinkedData", "FORMATS_WRITTEN"]

#: The dumps `LinkedData` writes itself (names in `export.FORMATS`), from the blocks of the
#: records' files.
FORMATS_WRITTEN = ("turtle", "jsonld")

_PKGP = f"<{PKGP}"
_DERIVED = f"<{PROV.wasDerivedFrom}>"
_VALUE_NODES = (f"<{PKGPSV}", f"<{PKGPQV}")


_STATEMENT, _FOLLOWED = 1, 2


def _link_kind(p: str) -> int:
    """What a predicate (in N-Triples) links to: `_FOLLOWED` for a reference
    (`prov:wasDerivedFrom`) or a full value node (`pkgpsv:`, `pkgpqv:`), `_STATEMENT` for
    `pkgp:P` (an entity's link to its statement, not `pkgp:` followed by a path), else 0."""
    if p == _DERIVED or p.startswith(_VALUE_NODES):
        return _FOLLOWED
    return _STATEMENT if p.startswith(_PKGP) and "/" not in p[len(_PKGP):] else 0


class LinkedData:
    """Every subject's Turtle block, JSON-LD node and links, in the graph's order."""

    def __init__(self, graph: CompiledGraph, voc: Vocabulary):
        compactor = Compactor(prefixes(graph.base))
        block = TurtleBlocks(compactor).block
        node = JsonldNodes(voc, graph.base, compactor).node
        self.ttl_head = turtle_header(graph.base)
        self.jsonld_head = jsonld_head(voc, graph.base)
        self.order: dict[str, int] = {}
        self.ttl: list[str] = []
        self.jsonld: list[bytes] = []
        #: subject -> (its statements, the references and value nodes it links to)
        self.links: dict[str, tuple[list[str], list[str]]] = {}
        link_kind = _Memo(_link_kind)
        # the predicates that link, of each set of predicates (subjects of a kind share one)
        linking = _Memo(lambda ps: [(p, link_kind[p]) for p in ps if link_kind[p]])
        with paused_gc():
            for s, preds in subjects(graph):
                self.order[s] = len(self.ttl)
                self.ttl.append(block(s, preds))
                self.jsonld.append(node(s, preds))
                links = linking[tuple(preds)]
                if not links:
                    continue
                statements: list[str] = []
                others: list[str] = []
                for p, kind in links:
                    (statements if kind == _STATEMENT else others).extend(
                        [o for o in preds[p] if o[0] == "<"])
                if statements or others:
                    self.links[s] = (statements, others)

    def _reached(self, record_iri: str) -> list[int]:
        """The positions of the record's subject and of every subject it reaches: its
        statements, and from any of them their references and value nodes."""
        root = f"<{record_iri}>"
        todo, seen = [root], {root}
        while todo:
            s = todo.pop()
            statements, others = self.links.get(s, ((), ()))
            for o in (*statements, *others) if s == root else others:
                if o not in seen:
                    seen.add(o)
                    todo.append(o)
        return sorted(self.order[s] for s in seen if s in self.order)

    def record_files(self, record_iri: str) -> tuple[str, bytes]:
        """The record's `.ttl` and `.jsonld`."""
        reached = self._reached(record_iri)
        return (self.ttl_head + "".join([self.ttl[i] for i in reached]),
                b"".join(jsonld_document(self.jsonld_head, [self.jsonld[i] for i in reached])))

    def ttl_chunks(self) -> Iterator[str]:
        """The whole graph as Turtle: `turtle.turtle_chunks`'s bytes."""
        yield self.ttl_head
        yield from self.ttl

    def jsonld_chunks(self) -> Iterator[bytes]:
        """The whole graph as JSON-LD: `jsonld.jsonld_chunks`'s bytes."""
        return jsonld_document(self.jsonld_head, self.jsonld)

    def dump(self, name: str) -> Iterator[str] | Iterator[bytes]:
        """The chunks of the format `name` of `FORMATS_WRITTEN`."""
        return self.ttl_chunks() if name == "turtle" else self.jsonld_chunks()
