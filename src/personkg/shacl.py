"""Layer 4: SHACL on the compiled graph, results mapped back to records.

Two engines give the same results (a test holds them to it):

- `pyshacl`: pySHACL runs every shape; the reference, and slow on SPARQL-based
  constraints (it runs each constraint's query once per focus node, in rdflib).
- `fast` (default): pySHACL runs the core constraint components, and each SPARQL-based
  constraint runs once over the whole graph in pyoxigraph, its targets joined into the
  query (`$this` becomes a variable bound by the target pattern).

Shapes are `shapes/core.shacl.ttl` (hand-written) and `shapes/properties.shacl.ttl`
(generated from the ontology). Every shape carries `pkgsh:code`, the stable code of the
issue it raises. A result's focus node (or, when more precise, its value node) is looked
up in the compiled graph's locations to name the file and line.
"""

from __future__ import annotations

from functools import cache

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from .errors import RunError
from .graph import CompiledGraph, Location
from .report import ERROR, WARNING, Issue
from .resources import resource_dir
from .vocab import Vocabulary

__all__ = ["shapes_graph", "shacl_check", "shacl_results"]

SH = Namespace("http://www.w3.org/ns/shacl#")
PKGSH = Namespace("https://w3id.org/personkg/shapes#")


@cache
def shapes_graph() -> Graph:
    g = Graph()
    folder = resource_dir("shapes")
    for path in sorted(folder.glob("*.shacl.ttl")):
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds
            raise RunError(f"{path}: cannot read SHACL shapes: {exc}") from None
    return g


def to_rdflib(graph: CompiledGraph) -> Graph:
    g = Graph()
    g.parse(data=graph.ntriples(), format="nt")
    return g


def _without_sparql(shapes: Graph) -> Graph:
    g = Graph()
    for t in shapes:
        if t[1] != SH.sparql:
            g.add(t)
    return g


def _prefix_block(shapes: Graph, node: object) -> str:
    out = []
    for holder in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(holder, SH.declare):
            out.append(f"PREFIX {shapes.value(decl, SH.prefix)}: "
                       f"<{shapes.value(decl, SH.namespace)}>\n")
    return "".join(out)


def _target_pattern(shapes: Graph, shape: object) -> str | None:
    cls = shapes.value(shape, SH.targetClass)
    if cls is not None:
        return (f"?this <{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                f"<{cls}> .")
    prop = shapes.value(shape, SH.targetSubjectsOf)
    if prop is not None:
        return f"?this <{prop}> ?targetValue__ ."
    return None


def _sparql_results_fast(data: Graph, voc: Vocabulary, shapes: Graph,
                         triples: list | None = None) -> list[dict]:
    import pyoxigraph as ox

    store = ox.Store()
    if triples is not None:  # the compiled graph's own pyoxigraph triples: no conversion
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        store.bulk_extend(ox.Quad(*(_ox(t) for t in triple)) for triple in voc.graph)
    else:
        store.bulk_extend(
            ox.Quad(*(_ox(t) for t in triple)) for g in (data, voc.graph) for triple in g)
    out = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = str(shapes.value(constraint, SH.select))
        target = _target_pattern(shapes, shape)
        if target is None:
            continue
        body_start = select.index("{", select.upper().index("WHERE")) + 1
        query = (_prefix_block(shapes, constraint) + select[:body_start]
                 + f" {target} " + select[body_start:]).replace("$this", "?this")
        head = query[: query.upper().index("WHERE")]
        if "DISTINCT" not in head.upper():
            query = query.replace("SELECT", "SELECT DISTINCT", 1)
        for sol in store.query(query):
            focus = sol["this"]
            value = sol["value"] if "?value" in head else None
            out.append(_result(shapes, shape, _rdflib(focus),
                               _rdflib(value) if value is not None else None, None,
                               shapes.value(shape, SH.severity, default=SH.Violation), None))
    return out


def _ox(term: object):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return ox.BlankNode(str(term))


def _rdflib(term: object):
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return term


def _result(shapes: Graph, shape: object, focus: object, value: object, path: object,
            severity: object, message: object) -> dict:
    code = shapes.value(shape, PKGSH.code) if shape is not None else None
    shape_msg = shapes.value(shape, SH.message) if shape is not None else None
    return {
        "focus": focus, "value": value, "path": path,
        "code": str(code) if code else "shacl",
        "severity": WARNING if severity != SH.Violation else ERROR,
        "message": str(shape_msg or message or "SHACL constraint not met"),
    }


def shacl_results(data: Graph, voc: Vocabulary, engine: str = "fast",
                  triples: list | None = None) -> list[dict]:
    """SHACL results as plain dicts: focus, value, path, code, severity, message.
    `triples`, when given, are `data` as pyoxigraph triples (saves a conversion)."""
    shapes = shapes_graph()
    out = []
    if engine == "fast":
        out = _sparql_results_fast(data, voc, shapes, triples)
        shapes = _without_sparql(shapes)
    elif engine != "pyshacl":
        raise RunError(f"unknown SHACL engine {engine!r} (fast or pyshacl)")
    _conforms, results, _text = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=voc.graph, inference="none",
        advanced=True, allow_warnings=True, meta_shacl=False,
    )
    for r in results.subjects(RDF.type, SH.ValidationResult):
        out.append(_result(shapes, results.value(r, SH.sourceShape),
                           results.value(r, SH.focusNode), results.value(r, SH.value),
                           results.value(r, SH.resultPath), results.value(r, SH.resultSeverity),
                           results.value(r, SH.resultMessage)))
    return out


def _locate(graph: CompiledGraph, *nodes: object) -> Location | None:
    for node in nodes:
        if isinstance(node, URIRef) and str(node) in graph.locations:
            return graph.locations[str(node)]
    return None


def shacl_check(graph: CompiledGraph, voc: Vocabulary, engine: str = "fast") -> list[Issue]:
    data = to_rdflib(graph)
    issues = []
    for r in shacl_results(data, voc, engine, graph.triples):
        focus, value = r["focus"], r["value"]
        # A value that is an untyped IRI is an unknown id, reported by the reference layer.
        if (r["code"] == "value-type" and isinstance(value, URIRef)
                and (value, RDF.type, None) not in data):
            continue
        loc = _locate(graph, value, focus) if _is_statement(data, value) else _locate(
            graph, focus)
        if loc is None:
            continue
        detail = r["message"]
        if isinstance(value, Literal):
            detail += f" (got {str(value)!r})"
        issues.append(Issue.at(loc.path, loc.line, r["code"], f"{loc.what}: {detail}",
                               severity=r["severity"], layer="shacl"))
    return issues


def _is_statement(data: Graph, node: object) -> bool:
    return isinstance(node, URIRef) and (
        node, RDF.type, URIRef("https://w3id.org/personkg/ontology#Statement")) in data
