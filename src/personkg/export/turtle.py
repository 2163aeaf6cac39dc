"""Deterministic Turtle and N-Triples: sorted subjects, predicates and objects, so an
unchanged dataset always serialises to the same bytes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox

from ..compile import CompiledGraph
from ..namespaces import RDF, XSD, prefixes
from ..runtime import paused_gc
from ..vocab import Vocabulary

__all__ = ["to_turtle", "to_ntriples", "turtle_chunks", "TurtleBlocks", "turtle_header",
           "ntriples_chunks", "Compactor"]

_RDF_TYPE = RDF.type
_XSD_STRING = XSD.string
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


def subjects(graph: CompiledGraph) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """Each subject with its predicate -> objects, all in N-Triples form, ordered by
    `node_key` (the lines sort `<a-b>` before `<a>`, the IRIs the other way). In the
    canonical lines a subject's lines, and a predicate's within them, are runs: one
    pass finds the runs, and each is split only when its turn comes."""
    lines = graph.canonical()
    runs: list[tuple[str, str, int, int]] = []
    prev, prev_sp, first = "", "\n", 0  # the subject, and with its space (no line has "\n")
    for i, line in enumerate(lines):
        if line.startswith(prev_sp):  # the same subject: most lines, and no slice made
            continue
        if prev:
            runs.append((node_key(prev), prev, first, i))
        prev = line[:line.index(" ")]
        prev_sp, first = prev + " ", i
    if prev:
        runs.append((node_key(prev), prev, first, len(lines)))
    runs.sort()
    for _, s, first, end in runs:
        preds: dict[str, list[str]] = {}
        objs: list[str] = []
        prev_p = ""
        skip = len(s) + 1
        for line in lines[first:end]:
            p, o = line[skip:].split(" ", 1)
            if p != prev_p:
                objs = preds[p] = [o]
                prev_p = p
            else:
                objs.append(o)
        yield s, preds


class _Memo(dict):
    """A dict that works out a missing value with `make` (and keeps it)."""

    def __init__(self, make: Callable[[str], Any]):
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.make(key)
        return value


def node_key(text: str) -> str:
    """Sort key of an N-Triples IRI or blank node: the IRI itself, or the node id."""
    return text[1:-1] if text[0] == "<" else text[2:]


_TYPE_NT = f"<{_RDF_TYPE}>"


def to_turtle(graph: CompiledGraph, voc: Vocabulary | None = None) -> str:
    """Subjects by IRI; `a` first, then predicates by prefixed name; IRI objects before
    literals, each kind in N-Triples order."""
    return "".join(turtle_chunks(graph))


def turtle_chunks(graph: CompiledGraph) -> Iterator[str]:
    """`to_turtle`, a subject at a time."""
    with paused_gc():
        yield turtle_header(graph.base)
        block = TurtleBlocks(Compactor(prefixes(graph.base))).block
        for s, preds in subjects(graph):
            yield block(s, preds)


def turtle_header(base: str) -> str:
    """The `@prefix` lines that begin every Turtle file of a dataset with this base."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes(base).items()))


class TurtleBlocks:
    """A subject's block of Turtle from its predicate -> objects (as `subjects` gives them).
    A block depends on nothing else in the graph: the blocks of some of a graph's subjects,
    in the order of `subjects`, after `turtle_header`, are that subgraph's `to_turtle`."""

    def __init__(self, compactor: Compactor):
        c = compactor
        #: a predicate as Turtle, with the space before its objects
        self.name = _Memo(lambda p: ("a" if p == _TYPE_NT else c.iri(p[1:-1])) + " ")
        rank = _Memo(lambda p: (p != _TYPE_NT, self.name[p][:-1])).__getitem__
        # subjects of one kind have the same predicates: each set is put in order once
        self.order = _Memo(lambda ps: sorted(ps, key=rank))
        # only IRIs and typed literals end with ">" and change; they repeat: remember them
        self.repeated = _Memo(c.nt)

    def block(self, s: str, preds: dict[str, list[str]]) -> str:
        name, repeated, parts = self.name, self.repeated, []
        for p in self.order[tuple(preds)] if len(preds) > 1 else preds:
            objs = preds[p]
            if len(objs) == 1:  # most predicates: no list to join
                o = objs[0]
                parts.append(name[p] + (o if o[-1] != ">" else repeated[o]))
                continue
            if objs[0][0] != "<":  # literals sort before IRIs in lines
                objs = [o for o in objs if o[0] == "<"] + [o for o in objs if o[0] != "<"]
            parts.append(name[p] + ", ".join(
                [o if o[-1] != ">" else repeated[o] for o in objs]))
        return f"\n{repeated[s]}\n    " + " ;\n    ".join(parts) + " .\n"


def ntriples_chunks(graph: CompiledGraph) -> Iterator[str]:
    """`to_ntriples`, a line at a time."""
    return (f"{line} .\n" for line in graph.canonical())


def to_ntriples(graph: CompiledGraph, voc: Vocabulary | None = None) -> str:
    return graph.ntriples()
