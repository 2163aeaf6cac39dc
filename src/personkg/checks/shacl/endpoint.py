"""SHACL where the graph lives: the fast engine's queries sent to a SPARQL 1.1 server
(`personkg validate --endpoint URL [--graph IRI]`), for a graph too big for one process.

Every check of the fast engine is a SPARQL query; here each goes to the server, with the
named graphs given as `default-graph-uri` (as `personkg query --graph` does). Only the
class hierarchy (rdfs:subClassOf*) is read from a local store holding the ontology: the
published graph (`personkg publish`) holds the compiled data, not the ontology. The
record-level layers (YAML, JSON Schema, references) read record files, so they do not run,
and a result is reported at its focus node (with its value and path), not at a file line.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ...errors import RunError
from ...namespaces import RDF
from ...remote import Endpoint
from ...vocab import Vocabulary
from ..report import Issue, Report
from .fast import Run, fast_results
from .result import ShaclResult
from .shapes import load_shapes

__all__ = ["RemoteStore", "RemoteRun", "endpoint_results", "endpoint_report", "SKIPPED"]

SKIPPED = ("SHACL only: the YAML, JSON Schema and reference checks read record files, "
           "so they did not run")


class RemoteStore:
    """What the fast engine asks of a store, answered by a SPARQL endpoint: `query(text)`
    gives QuerySolutions for a SELECT and a QueryBoolean for an ASK, as pyoxigraph does."""

    def __init__(self, endpoint: Endpoint, graphs: tuple[str, ...] = ()):
        self.endpoint, self.graphs = endpoint, graphs

    def query(self, text: str) -> Any:
        return self.endpoint.query(text, self.graphs, origin="SHACL check")


class RemoteRun(Run):
    """A run whose data is on a server, and whose class hierarchy comes from the local
    ontology."""

    def __init__(self, store: RemoteStore, voc: Vocabulary):
        super().__init__(store)  # type: ignore[arg-type]  # a store-like object
        self.ontology = ox.Store()
        self.ontology.bulk_load(voc.ontology_ntriples().encode("utf-8"),
                                format=ox.RdfFormat.N_TRIPLES)

    def classes(self, cls: Any) -> list:
        if cls not in self._classes:
            local = Run(self.ontology)
            self._classes[cls] = local.classes(cls)
        return self._classes[cls]

    def has_type(self, node: Any, cls: Any = None) -> bool:
        target = "?c__" if cls is None else str(cls)
        return bool(self.store.query(f"ASK {{ {node} <{RDF}type> {target} }}"))


def endpoint_results(endpoint: Endpoint, voc: Vocabulary,
                     graphs: tuple[str, ...] = ()) -> tuple[list[ShaclResult], int]:
    """The fast engine's results on the graph at `endpoint`, and how many triples the
    server holds there."""
    store = RemoteStore(endpoint, graphs)
    triples = _count(store)
    shapes = load_shapes(str(voc.shapes_dir))
    run = RemoteRun(store, voc)
    return fast_results(run, shapes, 0), triples  # 0: one thread, one request at a time


def _count(store: RemoteStore) -> int:
    """The number of triples, which also tells that the server answers SPARQL."""
    rows = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    try:
        return int(rows[0]["n"].value)
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        raise RunError(f"{store.endpoint.url}: not a SPARQL endpoint answer to a triple "
                       "count") from None


def _term(term: Any) -> str:
    """An IRI as itself; other terms as N-Triples."""
    if term is None:
        return ""
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def endpoint_report(endpoint: Endpoint, voc: Vocabulary,
                    graphs: tuple[str, ...] = ()) -> Report:
    """The results as a report: each at its focus node, with its value and path."""
    results, triples = endpoint_results(endpoint, voc, graphs)
    where = endpoint.url + "".join(f" <{g}>" for g in graphs)
    report = Report(triples=triples, source=where, note=SKIPPED)
    for r in results:
        detail = r.message
        if r.value is not None and r.value != r.focus:
            detail += f" (value {r.value})"
        report.add(Issue.on_node(_term(r.focus), r.code, detail, severity=r.severity,
                                 value=str(r.value) if r.value is not None else "",
                                 path=_term(r.path)))
    return report
