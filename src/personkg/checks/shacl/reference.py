"""The reference engine: pySHACL runs every shape on an rdflib copy of the graph. It is
slow (it runs each SPARQL constraint once per focus node, in rdflib); the fast engine is
held to its results. Also the conversion of rdflib terms to pyoxigraph terms.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ...compile import CompiledGraph
from ...namespaces import RDF, SH
from ...vocab import Vocabulary
from ..report import ERROR, WARNING
from .result import ShaclResult
from .shapes import load_shapes, shape_files

__all__ = ["pyshacl_results", "ox_term"]


def pyshacl_results(graph: CompiledGraph, voc: Vocabulary) -> list[ShaclResult]:
    """pySHACL's results on the compiled graph, the ontology as its ont_graph."""
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph, URIRef

    data = Graph()
    data.parse(data=graph.text(), format="nt")
    shapes_graph = Graph()
    for path in shape_files(voc.shapes_dir):
        shapes_graph.parse(path, format="turtle")
    _conforms, results, _text = pyshacl_validate(
        data, shacl_graph=shapes_graph, ont_graph=voc.rdflib_graph(), inference="none",
        advanced=True, allow_warnings=True, meta_shacl=False,
    )
    by_iri = {s.iri: s for s in load_shapes(str(voc.shapes_dir))}
    sh = {k: URIRef(SH + k) for k in ("sourceShape", "focusNode", "value", "resultPath",
                                       "resultSeverity", "resultMessage")}
    out = []
    for r in results.subjects(URIRef(RDF + "type"), URIRef(SH + "ValidationResult")):
        shape = by_iri.get(str(results.value(r, sh["sourceShape"])))
        severity = results.value(r, sh["resultSeverity"])
        value, path = results.value(r, sh["value"]), results.value(r, sh["resultPath"])
        out.append(ShaclResult.of(shape, ox_term(results.value(r, sh["focusNode"])),
                                  None if value is None else ox_term(value),
                                  None if path is None else ox_term(path),
                                  str(results.value(r, sh["resultMessage"]) or ""),
                                  WARNING if str(severity) != SH + "Violation" else ERROR))
    return out


def ox_term(term: Any) -> Any:
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
