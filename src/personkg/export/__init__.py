"""Exporters: one module per format, one `EXPORTERS` table (format name -> function).

Each exporter takes the compiled graph and the vocabulary and returns text.
"""

from __future__ import annotations

from collections.abc import Callable

from ..graph import CompiledGraph
from ..vocab import Vocabulary
from .jsonld import to_jsonld
from .turtle import to_ntriples, to_turtle

__all__ = ["EXPORTERS", "EXTENSIONS", "Exporter"]

Exporter = Callable[[CompiledGraph, Vocabulary], str]

EXPORTERS: dict[str, Exporter] = {
    "turtle": to_turtle,
    "ntriples": to_ntriples,
    "jsonld": to_jsonld,
}

#: File name used for each format by `personkg build`.
EXTENSIONS: dict[str, str] = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld"}
