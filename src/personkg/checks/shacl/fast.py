"""The fast engine: the core constraint components, each one SPARQL query over the whole
graph (values a query cannot decide exactly are decided in Python by the shape's tests),
and each SPARQL-based constraint once over the whole graph, its target joined into the
query (`$this` becomes a variable bound by the target pattern). On a large graph and two
cores, two threads share the shapes.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

from ... import runtime
from ...namespaces import RDF, RDFS
from ...progress import progress
from .result import ShaclResult
from .shapes import Shape

__all__ = ["Run", "fast_results"]

_TYPE = ox.NamedNode(RDF + "type")


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    """The solutions of a SELECT query."""
    result = store.query(query)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query}")
    return result


class Run:
    """One validation: the data graph (compiled triples plus the ontology) in a
    pyoxigraph store, and the class hierarchy read from it."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._classes: dict[Any, list] = {}

    def classes(self, cls: Any) -> list:
        """`cls` and every class below it (rdfs:subClassOf*), sorted."""
        if cls not in self._classes:
            rows = _solutions(self.store,
                              f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {cls} }}")
            self._classes[cls] = sorted({sol["c"] for sol in rows} | {cls}, key=str)
        return self._classes[cls]

    def typed(self, var: str, cls: Any) -> str:
        """A group pattern: `var` is an instance of `cls` (or of a subclass)."""
        name = f"?class_{var.lstrip('?$')}"
        values = " ".join(str(c) for c in self.classes(cls))
        return f"VALUES {name} {{ {values} }} {var} a {name} ."

    def ask(self, fragment: str, value: Any) -> bool:
        """Whether `fragment`, with ?v__ bound to `value`, has a solution."""
        return bool(self.store.query(f"ASK {{ VALUES ?v__ {{ {value} }} {fragment} }}"))

    def has_type(self, node: Any, cls: Any = None) -> bool:
        return next(iter(self.store.quads_for_pattern(node, _TYPE, cls)), None) is not None


def fast_results(run: Run, shapes: tuple[Shape, ...], triples: int) -> list[ShaclResult]:
    """The results of `shapes` on the run's store (of `triples` triples): the core
    components shape by shape, then the SPARQL constraints shape by shape."""
    if triples < runtime.MIN_TRIPLES or not runtime.two_cores():
        return (_core_results(run, shapes, "SHACL core constraints")
                + _sparql_results(run, shapes, "SHACL SPARQL constraints"))
    return _in_two_threads(run, shapes)


def _select(run: Run, query: str, *names: str) -> list[tuple]:
    return [tuple(sol[n] for n in names) for sol in _solutions(run.store, query)]


def _core_results(run: Run, shapes: tuple[Shape, ...], label: str = "") -> list[ShaclResult]:
    """The core constraint components, each one SPARQL query over the whole graph."""
    out = []
    for shape in progress(shapes, label) if label else shapes:
        target = _target_pattern(shape, run)
        if target is None:
            continue
        if shape.path is None:  # a node shape: the focus node is the value
            for t in shape.tests:
                q = f"SELECT DISTINCT ?this WHERE {{ {target} {t.where('?this', run)} }}"
                for (focus,) in _select(run, q, "this"):
                    if t.check is None or not t.check(focus, run):
                        out.append(ShaclResult.of(shape, focus, focus, None))
            continue
        path = str(shape.path)
        # When the target is "subjects of the path", every focus node has a value on it:
        # queries over the values need no target, and a minimum of one cannot fail.
        same = shape.target_subjects_of == shape.path
        values_target = "" if same else target
        counts = []
        if same and (shape.min_count or 0) <= 1:
            pass
        elif shape.min_count == 1:
            counts.append(f"SELECT ?this WHERE {{ {target} MINUS {{ ?this {path} ?v }} }}")
        elif shape.min_count:
            counts.append(f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?v }} }} "
                          f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {shape.min_count})")
        if shape.max_count is not None:
            counts.append(f"SELECT ?this WHERE {{ {values_target} ?this {path} ?v }} "
                          f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {shape.max_count})")
        for q in counts:
            out += [ShaclResult.of(shape, focus, None, shape.path)
                    for (focus,) in _select(run, q, "this")]
        for t in shape.tests:
            q = (f"SELECT DISTINCT ?this ?v WHERE {{ {values_target} ?this {path} ?v . "
                 f"{t.where('?v', run)} }}")
            for focus, v in _select(run, q, "this", "v"):
                if t.check is None or not t.check(v, run):
                    out.append(ShaclResult.of(shape, focus, v, shape.path))
    return out


def _target_pattern(shape: Shape, run: Run) -> str | None:
    """The shape's focus nodes as a group binding ?this once each (a set, as SHACL
    targets are; joining a bare `?this p ?x` would repeat ?this once per value)."""
    if shape.target_class is not None:
        classes = run.classes(shape.target_class)
        if len(classes) == 1:  # one triple per instance: no duplicates to remove
            return f"?this a {classes[0]} ."
        body = run.typed("?this", shape.target_class)
    elif shape.target_subjects_of is not None:
        body = f"?this {shape.target_subjects_of} ?any__ ."
    else:
        return None
    return f"{{ SELECT DISTINCT ?this WHERE {{ {body} }} }}"


_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_NOT_EXISTS = re.compile(r"FILTER\s*(\(\s*)?NOT\s+EXISTS\s*\{", re.IGNORECASE)


def _braces(text: str, start: int, stop: int | None = None) -> tuple[int, int]:
    """Walk `text` from `start` (depth 1), skipping string literals, until the depth drops
    to 0 or `stop` is reached: returns (index, depth)."""
    depth, i = 1, start
    while depth and (stop is None or i < stop):
        c = text[i]
        if c in "\"'":
            i = text.index(c, i + 1)
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    return i, depth


def _minus_for_not_exists(query: str) -> str:
    """`FILTER NOT EXISTS { B }` as `MINUS { B }` where that means the same and runs as
    one join instead of once per row: B mentions ?this (always bound: the target binds
    it), and shares no other variable with the rest of the query."""
    out, pos = [], 0
    where = query.index("{", query.upper().index("WHERE")) + 1
    for m in _NOT_EXISTS.finditer(query, where):
        if m.start() < pos or _braces(query, where, m.start())[1] != 1:
            continue  # only in the top-level group, where a FILTER and a MINUS both
            # apply to everything else in it
        end = _braces(query, m.end())[0]
        if m.group(1):  # FILTER ( NOT EXISTS { ... } )
            close = re.match(r"\s*\)", query[end:])
            if close is None:
                continue
            stop = end + close.end()
        else:
            stop = end
        inner = query[m.end():end - 1]
        rest = query[:m.start()] + query[stop:]
        shared = set(_VAR.findall(inner)) & set(_VAR.findall(rest))
        if "this" in _VAR.findall(inner) and shared <= {"this"}:
            out.append(query[pos:m.start()] + "MINUS {" + inner + "}")
            pos = stop
    return "".join(out) + query[pos:]


def _sparql_results(run: Run, shapes: tuple[Shape, ...], label: str = "") -> list[ShaclResult]:
    out = []
    for shape in progress(shapes, label) if label else shapes:
        target = _target_pattern(shape, run)
        if target is None:
            continue
        for select in shape.sparql:
            where = select.upper().index("WHERE", select.upper().index("SELECT"))
            body_start = select.index("{", where) + 1
            query = (select[:body_start] + f" {target} " + select[body_start:]).replace(
                "$this", "?this")
            head = query[: query.upper().index("WHERE", query.upper().index("SELECT"))]
            if "DISTINCT" not in head.upper():
                query = re.sub(r"SELECT", "SELECT DISTINCT", query, count=1)
            query = _minus_for_not_exists(query)
            with_value = "?value" in head
            for sol in _solutions(run.store, query):
                # without a ?value binding, a node shape's value is its focus node
                focus = sol["this"]
                value = sol["value"] if with_value else None
                if value is None and shape.path is None:
                    value = focus
                out.append(ShaclResult.of(shape, focus, value, shape.path))
    return out


def _by_shape(run: Run, shapes: tuple[Shape, ...],
              i: int) -> tuple[list[ShaclResult], list[ShaclResult]]:
    return _core_results(run, (shapes[i],)), _sparql_results(run, (shapes[i],))


def _weights(run: Run, shapes: tuple[Shape, ...]) -> list[int]:
    """A rough cost of each shape: its queries times the instances of its target."""
    sizes = {str(sol["c"]): int(sol["n"].value) for sol in _solutions(
        run.store, "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    out = []
    for shape in shapes:
        targets = run.classes(shape.target_class) if shape.target_class is not None else []
        queries = len(shape.tests) + len(shape.sparql) + 2
        out.append(queries * sum(sizes.get(str(c), 0) for c in targets))
    return out


def _in_two_threads(run: Run, shapes: tuple[Shape, ...]) -> list[ShaclResult]:
    """Two threads take shapes from one queue, the costliest first: pyoxigraph evaluates
    a query without holding the GIL, so both cores work on the one store. The results
    come back in one thread's order: the core components shape by shape, then the SPARQL
    constraints shape by shape."""
    weights = _weights(run, shapes)
    order = sorted(range(len(shapes)), key=lambda i: -weights[i])
    with ThreadPoolExecutor(2) as pool:
        done = pool.map(lambda i: (i, _by_shape(run, shapes, i)), order)
        found = dict(progress(done, "SHACL shapes (2 threads)", total=len(order)))
    ordered = [found[i] for i in range(len(shapes))]
    return [r for core, _ in ordered for r in core] + [r for _, sp in ordered for r in sp]
