"""SHACL with the build cache: the results of a graph checked before, and after an edit,
the shapes run again on what the edit changed only.

For each graph it checks, the cache keeps the results (`Found`) and the part of the graph
each record file made. When records were edited since the last check of the same dataset,
the shapes run on a small store: the lines of the edited records, the rdf:type lines of
every record, every source record and the ontology. Its results are kept for the nodes the
edited records mint, and the last check's results for every other node still in the graph.

That equals a full run because of what the project's shapes read from a focus node: its
own triples and those of the nodes its record mints (statements, references, date values),
the rdf:type of the nodes it points at, and the sources it cites (their trust), never any
other triple of another entity record: no sh:node, sh:inversePath or qualified shape, and
each SPARQL constraint starts from $this through nodes of the same record.
`tests/test_cache.py` holds the shapes to that and compares the results with full runs.
So the whole graph is checked instead whenever this could be wrong: with no earlier check,
with the pySHACL engine, or when a source record, or a record's rdf:type lines, were
added, removed or changed (the code, shapes and ontology are in every key).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ... import cache
from ...compile import CompiledGraph
from ...vocab import Vocabulary
from . import Found, data_store, found_of, shacl_found
from .fast import Run, fast_results
from .shapes import load_shapes

__all__ = ["cached_found"]


@dataclass
class _Checked:
    """What the cache keeps of one graph's check."""

    found: list[Found]
    parts: dict[Path, bytes]  # record file -> its part of the graph
    types: bytes  # key of every record's rdf:type lines
    sources: bytes  # key of the source records' parts


def cached_found(graph: CompiledGraph, sources: list[Path], voc: Vocabulary, engine: str,
                 root: Path, memo: cache.Cache) -> list[Found]:
    """The SHACL results of `graph` (whose source records are the files `sources`), from
    the cache, or by checking what changed since the last check of the dataset at `root`,
    or the whole graph."""
    key = cache.key_of(b"shacl", engine, graph.fingerprint)
    last = cache.key_of(b"shacl-last", engine, str(root))
    got = memo.get_many([key, last])
    done = got.get(key)
    if isinstance(done, _Checked):
        return done.found
    types = cache.key_of(*graph.type_lines)
    in_sources = set(sources)
    source_parts = [k for p, k in graph.parts.items() if p in in_sources]
    sources_key = cache.key_of(*source_parts)
    before = memo.get_many([got[last]]).get(got[last]) if last in got else None
    found = None
    if (engine == "fast" and isinstance(before, _Checked) and before.types == types
            and before.sources == sources_key):
        found = _again(graph, voc, before, source_parts, memo)
    if found is None:
        found = shacl_found(graph, voc, engine)
    memo.put_many({key: _Checked(found, graph.parts, types, sources_key), last: key})
    return found


def _again(graph: CompiledGraph, voc: Vocabulary, before: _Checked, source_parts: list[bytes],
           memo: cache.Cache) -> list[Found] | None:
    """The results after an edit of entity records (None: the parts are not all in the
    cache any more)."""
    changed = [k for p, k in graph.parts.items() if before.parts.get(p) != k]
    parts = memo.get_many([*changed, *source_parts])
    if len(parts) < len(set(changed) | set(source_parts)):
        return None
    minted = {node for k in changed for node, _, _ in parts[k][1]}
    lines = [line for k in changed for line in parts[k][0]]
    lines += graph.type_lines
    lines += [line for k in source_parts for line in parts[k][0]]
    small = CompiledGraph(lines=lines, base=graph.base)
    run = Run(data_store(small, voc))
    fresh = found_of(fast_results(run, load_shapes(str(voc.shapes_dir)), len(lines)), run)
    return ([f for f in before.found if f.focus not in minted and f.focus in graph.locations]
            + [f for f in fresh if f.focus in minted])
