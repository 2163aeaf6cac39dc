"""Exporters: one module per format, one `EXPORTERS` table (format name -> function).

Each exporter takes the compiled graph and the vocabulary and returns text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..graph import CompiledGraph
from ..vocab import Vocabulary
from .jsonld import jsonld_chunks, to_jsonld
from .turtle import ntriples_chunks, to_ntriples, to_turtle, turtle_chunks

__all__ = ["EXPORTERS", "EXTENSIONS", "CHUNKS", "Exporter"]

Exporter = Callable[[CompiledGraph, Vocabulary], str]

EXPORTERS: dict[str, Exporter] = {
    "turtle": to_turtle,
    "ntriples": to_ntriples,
    "jsonld": to_jsonld,
}

#: File name used for each format by `personkg build`.
EXTENSIONS: dict[str, str] = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld"}

#: The same output a piece at a time (text or UTF-8), for writing files without the
#: whole document in memory.
CHUNKS: dict[str, Callable[[CompiledGraph, Vocabulary], Iterable[str | bytes]]] = {
    "turtle": lambda graph, voc: turtle_chunks(graph),
    "ntriples": lambda graph, voc: ntriples_chunks(graph),
    "jsonld": jsonld_chunks,
}
