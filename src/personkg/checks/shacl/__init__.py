"""Layer 4: SHACL on the compiled graph, results mapped back to records.

Two engines give the same results (tests hold them to it, result for result):

- `fast` (default, `fast.py`): the core constraint components the project's shapes use
  are evaluated over the whole graph in pyoxigraph, each value a query cannot decide
  exactly decided in Python, and each SPARQL-based constraint runs once over the whole
  graph, its target joined into the query (`$this` becomes a variable bound by the target
  pattern). A shape that uses a component this engine does not implement is refused
  with a message, never skipped (`shapes.py` reads the shapes).
- `pyshacl` (`reference.py`): pySHACL runs every shape on an rdflib copy of the graph;
  the reference. It is slow (it runs each SPARQL constraint once per focus node, in
  rdflib).

Shapes are `shapes/core.shacl.ttl` (hand-written) and `shapes/properties.shacl.ttl`
(generated from the ontology). Every shape carries `pkgsh:code`, the stable code of the
issue it raises. A result's focus node (or, when more precise, its value node) is looked
up in the compiled graph's locations to name the file and line.

Results are `ShaclResult`s with pyoxigraph terms: focus, value (or None), path (or
None), code, severity, message.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ...compile import CompiledGraph, Location
from ...errors import RunError
from ...namespaces import PKG
from ...runtime import paused_gc, release_memory
from ...vocab import Vocabulary
from ..report import Issue
from .fast import Run, fast_results
from .reference import pyshacl_results
from .result import ShaclResult
from .shapes import Shape, load_shapes

__all__ = ["Shape", "ShaclResult", "Found", "load_shapes", "data_store", "shacl_check",
           "shacl_found", "shacl_results", "found_of", "issues_of", "ENGINES"]

ENGINES = ("fast", "pyshacl")

_STATEMENT = ox.NamedNode(PKG.Statement)

def data_store(graph: CompiledGraph, voc: Vocabulary) -> ox.Store:
    """The data graph SHACL sees: the compiled graph and the ontology, as pySHACL's
    ont_graph."""
    store = graph.store()
    store.bulk_load(voc.ontology_ntriples().encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def shacl_results(graph: CompiledGraph, voc: Vocabulary, engine: str = "fast",
                  store: ox.Store | None = None) -> list[ShaclResult]:
    """SHACL results of the compiled graph (the ontology is added, as pySHACL's
    ont_graph). `store`, when given, is data_store(graph, voc) already built."""
    if engine == "pyshacl":
        return pyshacl_results(graph, voc)
    if engine != "fast":
        raise RunError(f"unknown SHACL engine {engine!r} ({' or '.join(ENGINES)})")
    shapes = load_shapes(str(voc.shapes_dir))
    run = Run(store or data_store(graph, voc))
    return fast_results(run, shapes, len(graph.lines))


# ------------------------------------------------------------------ to issues

@dataclass(frozen=True, slots=True)
class Found:
    """A SHACL result ready to be placed in a record: its focus node, the nodes whose
    record location it is reported at (the first one the graph knows), and what it says.
    Kept by the build cache, so it holds text, not terms."""

    focus: str
    at: tuple[str, ...]
    code: str
    severity: str
    detail: str


def found_of(results: list[ShaclResult], run: Run) -> list[Found]:
    """`results` as Found, judged on the run's store."""
    out = []
    for r in results:
        focus, value = r.focus, r.value
        # A value that is an untyped IRI is an unknown id, reported by the reference layer.
        if (r.code == "value-type" and isinstance(value, ox.NamedNode)
                and not run.has_type(value)):
            continue
        at = ((value, focus) if isinstance(value, ox.NamedNode)
              and run.has_type(value, _STATEMENT) else (focus,))
        detail = r.message
        if isinstance(value, ox.Literal):
            detail += f" (got {value.value!r})"
        name = focus.value if isinstance(focus, ox.NamedNode) else str(focus)
        out.append(Found(name, tuple(n.value for n in at if isinstance(n, ox.NamedNode)),
                         r.code, r.severity, detail))
    return out


def issues_of(found: list[Found], locations: dict[str, Location]) -> list[Issue]:
    """Each result at the record file and line of its node (none: not reported)."""
    issues = []
    for f in found:
        loc = next((locations[n] for n in f.at if n in locations), None)
        if loc is not None:
            issues.append(Issue.at(loc.path, loc.line, f.code, f"{loc.what}: {f.detail}",
                                   severity=f.severity, layer="shacl"))
    return issues


@paused_gc()
def shacl_found(graph: CompiledGraph, voc: Vocabulary, engine: str = "fast") -> list[Found]:
    """The SHACL results of the whole graph, as Found."""
    run = Run(data_store(graph, voc))
    release_memory()  # what loading the store freed
    return found_of(shacl_results(graph, voc, engine, store=run.store), run)


def shacl_check(graph: CompiledGraph, voc: Vocabulary, engine: str = "fast") -> list[Issue]:
    """SHACL results as issues at the record file and line they come from."""
    return issues_of(shacl_found(graph, voc, engine), graph.locations)
