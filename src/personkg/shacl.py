"""Layer 4: SHACL (pySHACL) on the compiled graph, results mapped back to records.

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


def shacl_results(data: Graph, voc: Vocabulary) -> list[dict]:
    """pySHACL's results as plain dicts: focus, value, shape, code, severity, message."""
    shapes = shapes_graph()
    _conforms, results, _text = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=voc.graph, inference="none",
        advanced=True, allow_warnings=True, meta_shacl=False,
    )
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(r, SH.sourceShape)
        code = shapes.value(shape, PKGSH.code) if shape is not None else None
        msg = results.value(r, SH.resultMessage)
        shape_msg = shapes.value(shape, SH.message) if shape is not None else None
        out.append({
            "focus": results.value(r, SH.focusNode),
            "value": results.value(r, SH.value),
            "path": results.value(r, SH.resultPath),
            "code": str(code) if code else "shacl",
            "severity": WARNING if results.value(r, SH.resultSeverity) != SH.Violation else ERROR,
            "message": str(shape_msg or msg or "SHACL constraint not met"),
        })
    return out


def _locate(graph: CompiledGraph, *nodes: object) -> Location | None:
    for node in nodes:
        if isinstance(node, URIRef) and str(node) in graph.locations:
            return graph.locations[str(node)]
    return None


def shacl_check(graph: CompiledGraph, voc: Vocabulary) -> list[Issue]:
    data = to_rdflib(graph)
    issues = []
    for r in shacl_results(data, voc):
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
