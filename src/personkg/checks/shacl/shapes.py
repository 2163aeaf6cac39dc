"""The shapes: `shapes/*.shacl.ttl` read with pyoxigraph into what the fast engine needs.

Each shape becomes a `Shape`: its target, path, counts, value tests (`Test`, one per
constraint component) and SPARQL constraints. A shape that uses a component the fast
engine does not implement is refused with a message, never skipped.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ...errors import RunError
from ...namespaces import PKGSH, RDF, SH, XSD
from ...resources import resource_dir
from ..report import ERROR, WARNING

if TYPE_CHECKING:
    from .fast import Run

__all__ = ["Shape", "Test", "load_shapes", "shape_files"]

# Shape keys the fast engine reads; anything else on a shape (another constraint
# component) makes it refuse the shapes rather than silently skip a rule.
_SHAPE_KEYS = {RDF + "type", PKGSH + "code"} | {SH + k for k in (
    "message", "severity", "targetClass", "targetSubjectsOf", "path", "minCount", "maxCount",
    "class", "datatype", "nodeKind", "in", "or", "pattern", "minInclusive", "sparql")}
_NESTED_KEYS = {SH + k for k in ("class", "datatype")}


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


def shape_files(shapes_dir: Path | str | None = None) -> list[Path]:
    """The SHACL files of a vocabulary's shapes folder (default: the built-in one)."""
    return sorted(Path(shapes_dir or resource_dir("shapes")).glob("*.shacl.ttl"))


@cache
def _shapes_store(shapes_dir: str | None) -> ox.Store:
    store = ox.Store()
    for path in shape_files(shapes_dir):
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
def load_shapes(shapes_dir: str | None = None) -> tuple[Shape, ...]:
    """Every shape of the shapes files of `shapes_dir` (default: the built-in ones), read
    with pyoxigraph (cached)."""
    store = _shapes_store(shapes_dir)
    shapes = []
    subjects = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(PKGSH + "code"),
                                                           None)}
    for node in sorted(subjects, key=str):
        if isinstance(node, ox.Triple):
            raise RunError(f"shape {node}: a quoted triple cannot be a shape")
        keys = {q.predicate.value for q in store.quads_for_pattern(node, None, None)}
        unknown = keys - _SHAPE_KEYS
        if unknown:
            raise RunError(f"shape {node.value}: the fast SHACL engine does not implement "
                           f"{', '.join(sorted(unknown))}", "the pySHACL engine runs every shape",
                           option="engine")
        shapes.append(_read_shape(store, node))
    return tuple(shapes)


def _read_shape(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> Shape:
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
                               "the pySHACL engine runs every shape", option="engine")
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
        out.append(_class_test(cls))
    dt = _one(store, node, SH + "datatype")
    if dt is not None:
        out.append(_datatype_test(dt.value))
    kind = _one(store, node, SH + "nodeKind")
    if kind is not None:
        if kind.value != SH + "IRI":
            raise RunError(f"shape {node.value}: the fast SHACL engine supports sh:nodeKind "
                           "sh:IRI only", "the pySHACL engine runs every shape", option="engine")
        out.append(Test("nodeKind", suspect=_not_iri))
    members = _one(store, node, SH + "in")
    if members is not None:
        out.append(_in_test(_rdf_list(store, members)))
    pattern = _one(store, node, SH + "pattern")
    if pattern is not None:
        out.append(_pattern_test(re.compile(pattern.value)))
    low = _one(store, node, SH + "minInclusive")
    if low is not None:
        out.append(_min_inclusive_test(int(low.value)))
    return out


def _class_test(cls: Any) -> Test:
    def member(var: str, run: Run) -> str:
        return run.typed(var, cls)
    return Test("class", member=member)


def _datatype_test(datatype: str) -> Test:
    def suspect(var: str, run: Run) -> str:
        return _datatype_candidates(var, datatype)

    def check(v: Any, run: Run) -> bool:
        return _has_datatype(v, datatype)
    return Test("datatype", suspect=suspect, check=check)


def _not_iri(var: str, run: Run) -> str:
    return f"!isIRI({var})"


def _in_test(allowed: list) -> Test:
    def suspect(var: str, run: Run) -> str:
        return "!(" + " || ".join(f"sameTerm({var}, {m})" for m in allowed) + ")"
    return Test("in", suspect=suspect)


def _pattern_test(rx: re.Pattern[str]) -> Test:
    def check(v: Any, run: Run) -> bool:
        return not isinstance(v, ox.BlankNode) and rx.search(v.value) is not None
    return Test("pattern", check=check)


def _min_inclusive_test(bound: int) -> Test:
    def check(v: Any, run: Run) -> bool:
        n = _number(v)
        return n is not None and n >= bound
    return Test("minInclusive", check=check)


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
    XSD + "dateTime": "([0-9]{4})-([0-9][0-9])-([0-9][0-9])"
                      "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?" + _TZ,
    XSD + "boolean": "(true|false|1|0)",
}
_LEXICAL = {k: re.compile(v) for k, v in _LEXICAL_TEXT.items()}
_DAYS = {XSD + "date", XSD + "dateTime"}  # lexical forms with a day, checked on the calendar


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
    if datatype in _DAYS:
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
    if datatype in _DAYS:  # a day that may not exist in its month
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
