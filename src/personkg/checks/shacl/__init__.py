"""Layer 4: SHACL on the compiled graph, results mapped back to records.

Two engines give the same results (tests hold them to it, result for result):

- `fast` (default): the core constraint components the project's shapes use are
  evaluated in Python over an index of the compiled triples (built once, one pass), and
  each SPARQL-based constraint runs once over the whole graph in pyoxigraph, its target
  joined into the query (`$this` becomes a variable bound by the target pattern).
  A shape that uses a component this engine does not implement is refused with a
  message, never skipped.
- `pyshacl`: pySHACL runs every shape on an rdflib copy of the graph; the reference.
  It is slow (it runs each SPARQL constraint once per focus node, in rdflib).

Shapes are `shapes/core.shacl.ttl` (hand-written) and `shapes/properties.shacl.ttl`
(generated from the ontology). Every shape carries `pkgsh:code`, the stable code of the
issue it raises. A result's focus node (or, when more precise, its value node) is looked
up in the compiled graph's locations to name the file and line.

Results are dicts with pyoxigraph terms: focus, value (or None), path (or None), code,
severity, message.
"""

from __future__ import annotations

import datetime as _dt
import re
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyoxigraph as ox

from ... import runtime
from ...compile import CompiledGraph, Location
from ...errors import RunError
from ...namespaces import PKG, PKGSH, RDF, RDFS, SH, XSD
from ...progress import progress
from ...resources import resource_dir
from ...runtime import paused_gc, release_memory
from ...vocab import Vocabulary
from ..report import ERROR, WARNING, Issue

__all__ = ["Shape", "load_shapes", "shacl_check", "shacl_results", "ENGINES"]

ENGINES = ("fast", "pyshacl")

_TYPE = ox.NamedNode(RDF + "type")
_STATEMENT = ox.NamedNode(PKG.Statement)

# Shape keys the fast engine reads; anything else on a shape (another constraint
# component) makes it refuse the shapes rather than silently skip a rule.
_SHAPE_KEYS = {RDF + "type", PKGSH + "code"} | {SH + k for k in (
    "message", "severity", "targetClass", "targetSubjectsOf", "path", "minCount", "maxCount",
    "class", "datatype", "nodeKind", "in", "or", "pattern", "minInclusive", "sparql")}
_NESTED_KEYS = {SH + k for k in ("class", "datatype")}


# ------------------------------------------------------------------ the shapes

@dataclass(frozen=True)
class Test:
    """One value constraint of a shape, for a value in the SPARQL variable `var`:

    - `member(var, run)`: a group pattern that matches exactly when the value conforms;
    - or `suspect(var, run)`: an expression true for every value that fails (and perhaps
      for some that do not), each then decided by `check(value, run)`;
    - or neither: every value is decided by `check`.

    So a result never rests on a SPARQL approximation."""

    component: str
    member: Callable[[str, Run], str] | None = None
    suspect: Callable[[str, Run], str] | None = None
    check: Callable[[Any, Run], bool] | None = None

    def where(self, var: str, run: Run) -> str:
        """A group fragment that keeps the values to report (or to check)."""
        if self.member is not None:
            return f"MINUS {{ {self.member(var, run)} }}"
        if self.suspect is not None:
            return f"FILTER ({self.suspect(var, run)})"
        return ""

    def passes(self, value: Any, run: Run) -> bool:
        if self.check is not None:
            return self.check(value, run)
        return not run.ask(self.where("?v__", run), value)


@dataclass(frozen=True)
class Shape:
    """One shape, read into what the fast engine needs."""

    iri: str
    code: str
    message: str
    severity: str  # report.ERROR or report.WARNING
    target_class: ox.NamedNode | None
    target_subjects_of: ox.NamedNode | None
    path: ox.NamedNode | None
    min_count: int | None
    max_count: int | None
    tests: tuple[Test, ...]
    sparql: tuple[str, ...]  # full SELECT queries, prefixes included, $this kept


def _shape_files() -> list:
    return sorted(resource_dir("shapes").glob("*.shacl.ttl"))


@cache
def _shapes_store() -> ox.Store:
    store = ox.Store()
    for path in _shape_files():
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError, ValueError) as exc:
            raise RunError(f"{path}: cannot read SHACL shapes: {exc}") from None
    return store


def _objects(store: ox.Store, s: Any, p: str) -> list:
    return [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]


def _one(store: ox.Store, s: Any, p: str) -> Any:
    values = _objects(store, s, p)
    return values[0] if values else None


def _rdf_list(store: ox.Store, head: Any) -> list:
    out = []
    nil = ox.NamedNode(RDF + "nil")
    while head is not None and head != nil:
        out.append(_one(store, head, RDF + "first"))
        head = _one(store, head, RDF + "rest")
    return out


@cache
def load_shapes() -> tuple[Shape, ...]:
    """Every shape of the shapes files, read with pyoxigraph (cached)."""
    store = _shapes_store()
    shapes = []
    subjects = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(PKGSH + "code"),
                                                           None)}
    for node in sorted(subjects, key=str):
        keys = {q.predicate.value for q in store.quads_for_pattern(node, None, None)}
        unknown = keys - _SHAPE_KEYS
        if unknown:
            raise RunError(f"shape {node.value}: the fast SHACL engine does not implement "
                           f"{', '.join(sorted(unknown))}; use `validate --engine pyshacl`")
        shapes.append(_read_shape(store, node))
    return tuple(shapes)


def _read_shape(store: ox.Store, node: Any) -> Shape:
    def num(key: str) -> int | None:
        v = _one(store, node, SH + key)
        return int(v.value) if v is not None else None

    severity = _one(store, node, SH + "severity")
    tests = _tests(store, node)
    for alt_list in _objects(store, node, SH + "or"):
        alternatives = []
        for alt in _rdf_list(store, alt_list):
            keys = {q.predicate.value for q in store.quads_for_pattern(alt, None, None)}
            if keys - _NESTED_KEYS:
                raise RunError(f"shape {node.value}: the fast SHACL engine supports only "
                               "sh:class and sh:datatype inside sh:or; "
                               "use `validate --engine pyshacl`")
            alternatives.append(_tests(store, alt))
        tests.append(_or_test(alternatives))
    sparql = []
    for constraint in _objects(store, node, SH + "sparql"):
        prefixes = "".join(
            f"PREFIX {_one(store, decl, SH + 'prefix').value}: "
            f"<{_one(store, decl, SH + 'namespace').value}>\n"
            for holder in _objects(store, constraint, SH + "prefixes")
            for decl in _objects(store, holder, SH + "declare"))
        sparql.append(prefixes + _one(store, constraint, SH + "select").value)
    message = _one(store, node, SH + "message")
    return Shape(
        iri=node.value, code=_one(store, node, PKGSH + "code").value,
        message=message.value if message is not None else "SHACL constraint not met",
        severity=WARNING if severity == ox.NamedNode(SH + "Warning") else ERROR,
        target_class=_one(store, node, SH + "targetClass"),
        target_subjects_of=_one(store, node, SH + "targetSubjectsOf"),
        path=_one(store, node, SH + "path"),
        min_count=num("minCount"), max_count=num("maxCount"),
        tests=tuple(tests), sparql=tuple(sparql))


def _tests(store: ox.Store, node: Any) -> list[Test]:
    """The value tests of a shape: one per component, in a fixed order."""
    out: list[Test] = []
    cls = _one(store, node, SH + "class")
    if cls is not None:
        out.append(Test("class", member=lambda var, run, c=cls: run.typed(var, c)))
    dt = _one(store, node, SH + "datatype")
    if dt is not None:
        out.append(Test("datatype",
                        suspect=lambda var, run, d=dt.value: _datatype_candidates(var, d),
                        check=lambda v, run, d=dt.value: _has_datatype(v, d)))
    kind = _one(store, node, SH + "nodeKind")
    if kind is not None:
        if kind.value != SH + "IRI":
            raise RunError(f"shape {node.value}: the fast SHACL engine supports sh:nodeKind "
                           "sh:IRI only; use `validate --engine pyshacl`")
        out.append(Test("nodeKind", suspect=lambda var, run: f"!isIRI({var})"))
    members = _one(store, node, SH + "in")
    if members is not None:
        allowed = _rdf_list(store, members)
        out.append(Test("in", suspect=lambda var, run, a=allowed: "!(" + " || ".join(
            f"sameTerm({var}, {m})" for m in a) + ")"))
    pattern = _one(store, node, SH + "pattern")
    if pattern is not None:
        rx = re.compile(pattern.value)
        out.append(Test("pattern", check=lambda v, run, r=rx: not isinstance(v, ox.BlankNode)
                        and r.search(v.value) is not None))
    low = _one(store, node, SH + "minInclusive")
    if low is not None:
        bound = int(low.value)
        out.append(Test("minInclusive", check=lambda v, run, b=bound:
                        _number(v) is not None and _number(v) >= b))
    return out


def _or_test(alternatives: list[list[Test]]) -> Test:
    """sh:or of class and datatype shapes. A value fails when it fails every alternative,
    so the candidates are those every alternative keeps; each is then decided exactly."""
    def suspect(var: str, run: Run) -> str:
        parts = []
        for alt in alternatives:
            for t in alt:  # sh:class or sh:datatype: member or suspect (see _read_shape)
                parts.append(f"NOT EXISTS {{ {t.member(var, run)} }}" if t.member
                             else f"({t.suspect(var, run)})" if t.suspect else "true")
        return " && ".join(parts) or "true"

    def check(v: Any, run: Run) -> bool:
        return any(all(t.passes(v, run) for t in alt) for alt in alternatives)
    return Test("or", suspect=suspect, check=check)


# Lexical forms of the datatypes the data uses (a literal of a datatype with an
# ill-formed lexical form does not conform to sh:datatype). ASCII classes only, so that
# Python's re and SPARQL's REGEX read them alike.
_TZ = "(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_YEAR = "-?([1-9][0-9]{4,}|[0-9]{4})"
_LEXICAL_TEXT = {
    XSD + "integer": "[+-]?[0-9]+",
    XSD + "gYear": _YEAR + _TZ,
    XSD + "gYearMonth": _YEAR + "-(0[1-9]|1[0-2])" + _TZ,
    XSD + "date": "([0-9]{4})-([0-9][0-9])-([0-9][0-9])" + _TZ,
    XSD + "boolean": "(true|false|1|0)",
}
_LEXICAL = {k: re.compile(v) for k, v in _LEXICAL_TEXT.items()}


def _has_datatype(v: Any, datatype: str) -> bool:
    if not isinstance(v, ox.Literal):
        return False
    if datatype == RDF + "langString":
        return v.language is not None
    if v.datatype.value != datatype:
        return False
    rx = _LEXICAL.get(datatype)
    if rx is None:
        return True
    m = rx.fullmatch(v.value)
    if m is None:
        return False
    if datatype == XSD + "date":
        try:
            _dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return False
    return True


def _datatype_candidates(var: str, datatype: str) -> str:
    """A SPARQL expression true for every value that is not a well-formed literal of
    `datatype` (and for some that are: the exact test is _has_datatype)."""
    if datatype == RDF + "langString":
        return f"!isLiteral({var}) || lang({var}) = \"\""
    cond = f"!isLiteral({var}) || datatype({var}) != <{datatype}>"
    if datatype in _LEXICAL_TEXT:
        cond += f" || !REGEX(STR({var}), \"^{_LEXICAL_TEXT[datatype]}$\")"
    if datatype == XSD + "date":  # a day that may not exist in its month
        cond += f" || SUBSTR(STR({var}), 9, 2) > \"28\""
    return cond


_NUMERIC = {XSD + k for k in ("integer", "int", "long", "decimal", "nonNegativeInteger",
                              "positiveInteger")}


def _number(v: Any) -> int | float | None:
    if isinstance(v, ox.Literal) and v.datatype.value in _NUMERIC:
        try:
            return float(v.value) if "." in v.value else int(v.value)
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------ the engines

class Run:
    """One validation: the data graph (compiled triples plus the ontology) in a
    pyoxigraph store, and the class hierarchy read from it."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._classes: dict[Any, list] = {}

    def classes(self, cls: Any) -> list:
        """`cls` and every class below it (rdfs:subClassOf*), sorted."""
        if cls not in self._classes:
            rows = self.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {cls} }}")
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


def _select(run: Run, query: str, *names: str) -> list[tuple]:
    return [tuple(sol[n] for n in names) for sol in run.store.query(query)]


def _core_results(run: Run, shapes: tuple[Shape, ...], label: str = "") -> list[dict]:
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
                        out.append(_result(shape, focus, focus, None))
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
            out += [_result(shape, focus, None, shape.path)
                    for (focus,) in _select(run, q, "this")]
        for t in shape.tests:
            q = (f"SELECT DISTINCT ?this ?v WHERE {{ {values_target} ?this {path} ?v . "
                 f"{t.where('?v', run)} }}")
            for focus, v in _select(run, q, "this", "v"):
                if t.check is None or not t.check(v, run):
                    out.append(_result(shape, focus, v, shape.path))
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


def _sparql_results(run: Run, shapes: tuple[Shape, ...], label: str = "") -> list[dict]:
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
            for sol in run.store.query(query):
                # without a ?value binding, a node shape's value is its focus node
                focus = sol["this"]
                value = sol["value"] if with_value else None
                if value is None and shape.path is None:
                    value = focus
                out.append(_result(shape, focus, value, shape.path))
    return out


def _result(shape: Shape | None, focus: Any, value: Any, path: Any,
            message: str | None = None, severity: str = ERROR) -> dict:
    return {
        "focus": focus, "value": value, "path": path,
        "code": shape.code if shape else "shacl",
        "severity": shape.severity if shape else severity,
        "message": shape.message if shape else (message or "SHACL constraint not met"),
    }


_ONTOLOGY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _ontology_text(voc: Vocabulary) -> str:
    """The ontology as N-Triples (made once per vocabulary)."""
    if voc.graph not in _ONTOLOGY:
        _ONTOLOGY[voc.graph] = "".join(
            f"{ox.Triple(*(_ox(t) for t in triple))} .\n" for triple in voc.graph)
    return _ONTOLOGY[voc.graph]


def data_store(graph: CompiledGraph, voc: Vocabulary) -> ox.Store:
    """The data graph SHACL sees: the compiled graph and the ontology, as pySHACL's
    ont_graph."""
    store = graph.store()
    store.bulk_load(_ontology_text(voc).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def shacl_results(graph: CompiledGraph, voc: Vocabulary, engine: str = "fast",
                  store: ox.Store | None = None) -> list[dict]:
    """SHACL results of the compiled graph (the ontology is added, as pySHACL's
    ont_graph): dicts of focus, value, path, code, severity, message. `store`, when
    given, is data_store(graph, voc) already built."""
    if engine == "pyshacl":
        return _pyshacl_results(graph, voc)
    if engine != "fast":
        raise RunError(f"unknown SHACL engine {engine!r} ({' or '.join(ENGINES)})")
    shapes = load_shapes()
    run = Run(store or data_store(graph, voc))
    if len(graph.lines) < runtime.MIN_TRIPLES or not runtime.two_cores():
        return (_core_results(run, shapes, "SHACL core constraints")
                + _sparql_results(run, shapes, "SHACL SPARQL constraints"))
    return _in_two_threads(run, shapes)


def _by_shape(run: Run, shapes: tuple[Shape, ...], i: int) -> tuple[list, list]:
    return _core_results(run, (shapes[i],)), _sparql_results(run, (shapes[i],))


def _weights(run: Run, shapes: tuple[Shape, ...]) -> list[int]:
    """A rough cost of each shape: its queries times the instances of its target."""
    sizes = {str(sol["c"]): int(sol["n"].value) for sol in run.store.query(
        "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    out = []
    for shape in shapes:
        targets = run.classes(shape.target_class) if shape.target_class is not None else []
        queries = len(shape.tests) + len(shape.sparql) + 2
        out.append(queries * sum(sizes.get(str(c), 0) for c in targets))
    return out


def _in_two_threads(run: Run, shapes: tuple[Shape, ...]) -> list[dict]:
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


def _pyshacl_results(graph: CompiledGraph, voc: Vocabulary) -> list[dict]:
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph, URIRef

    data = Graph()
    data.parse(data=graph.text(), format="nt")
    shapes_graph = Graph()
    for path in _shape_files():
        shapes_graph.parse(path, format="turtle")
    _conforms, results, _text = pyshacl_validate(
        data, shacl_graph=shapes_graph, ont_graph=voc.graph, inference="none",
        advanced=True, allow_warnings=True, meta_shacl=False,
    )
    by_iri = {s.iri: s for s in load_shapes()}
    sh = {k: URIRef(SH + k) for k in ("sourceShape", "focusNode", "value", "resultPath",
                                       "resultSeverity", "resultMessage")}
    out = []
    for r in results.subjects(URIRef(RDF + "type"), URIRef(SH + "ValidationResult")):
        shape = by_iri.get(str(results.value(r, sh["sourceShape"])))
        severity = results.value(r, sh["resultSeverity"])
        value, path = results.value(r, sh["value"]), results.value(r, sh["resultPath"])
        out.append(_result(shape, _ox(results.value(r, sh["focusNode"])),
                           None if value is None else _ox(value),
                           None if path is None else _ox(path),
                           str(results.value(r, sh["resultMessage"]) or ""),
                           WARNING if str(severity) != SH + "Violation" else ERROR))
    return out


def _ox(term: Any) -> Any:
    """An rdflib term as a pyoxigraph term."""
    from rdflib import BNode, Literal

    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if not isinstance(term, Literal):
        return ox.NamedNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


# ------------------------------------------------------------------ to issues

def _locate(graph: CompiledGraph, *nodes: Any) -> Location | None:
    for node in nodes:
        if isinstance(node, ox.NamedNode) and node.value in graph.locations:
            return graph.locations[node.value]
    return None


@paused_gc()
def shacl_check(graph: CompiledGraph, voc: Vocabulary, engine: str = "fast") -> list[Issue]:
    """SHACL results as issues at the record file and line they come from."""
    run = Run(data_store(graph, voc))
    release_memory()  # what loading the store freed
    issues = []
    for r in shacl_results(graph, voc, engine, store=run.store):
        focus, value = r["focus"], r["value"]
        # A value that is an untyped IRI is an unknown id, reported by the reference layer.
        if (r["code"] == "value-type" and isinstance(value, ox.NamedNode)
                and not run.has_type(value)):
            continue
        loc = (_locate(graph, value, focus) if isinstance(value, ox.NamedNode)
               and run.has_type(value, _STATEMENT) else _locate(graph, focus))
        if loc is None:
            continue
        detail = r["message"]
        if isinstance(value, ox.Literal):
            detail += f" (got {value.value!r})"
        issues.append(Issue.at(loc.path, loc.line, r["code"], f"{loc.what}: {detail}",
                               severity=r["severity"], layer="shacl"))
    return issues
