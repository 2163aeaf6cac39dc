"""Every output format in one table, `FORMATS` (name -> `Format`), one module per format.

A format writes a compiled dataset (`Compiled`: the records, the graph, the vocabulary and
the caller's options) a piece at a time, as text or UTF-8 bytes, so a large file is written
without the whole document in memory. `personkg export`, `personkg build` and the site's
downloads all read this table: a new format is one module and one row.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..compile import CompiledGraph
    from ..model import Dataset
    from ..vocab import Vocabulary
    from .quickstatements import QSExport

__all__ = ["Compiled", "Format", "FORMATS", "GRAPH_FORMATS"]

Chunks = Iterable[str | bytes]


@dataclass
class Compiled:
    """What a format writes: the dataset, its graph and vocabulary, and the options of the
    command (`entity`: the person of a schema.org page, or the work or author whose works the
    citation formats give; `create`: the entities without a QID
    that QuickStatements creates items for). `memo` keeps what two formats share (the
    QuickStatements of `quickstatements` and `qs-csv`) for one build."""

    dataset: Dataset
    graph: CompiledGraph
    voc: Vocabulary
    entity: str | None = None
    create: frozenset[str] = frozenset()
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Format:
    name: str
    label: str  # for people: "N-Triples"
    file_name: str  # its file in `personkg build`'s folder and among the site's downloads
    media_type: str
    chunks: Callable[[Compiled], Chunks]
    description: str
    #: whether `personkg build` writes it for this dataset
    in_build: Callable[[Compiled], bool] = lambda c: True

    def text(self, c: Compiled) -> str:
        """The whole output as text."""
        return "".join(p if isinstance(p, str) else p.decode("utf-8") for p in self.chunks(c))


def _module(name: str) -> Any:
    """A format's module, imported when the format is first written: the table itself is
    read by every command's options, and `personkg --help` needs none of the writers."""
    return importlib.import_module(f".{name}", __name__)


def _quickstatements(c: Compiled) -> QSExport:
    """The QuickStatements of `c`, worked out once for both of its formats (or as a
    caller left them in `memo`, e.g. reduced to what Wikidata lacks)."""
    if "quickstatements" not in c.memo:
        c.memo["quickstatements"] = _module("quickstatements").quickstatements(
            c.dataset, c.voc, create=c.create)
    qs: QSExport = c.memo["quickstatements"]
    return qs


def _csl_items(c: Compiled) -> list[dict[str, Any]]:
    """The citations of the dataset's works, worked out once for both citation formats."""
    if "csl-items" not in c.memo:
        c.memo["csl-items"] = _module("citations").csl_items(c.dataset, c.voc, c.entity)
    items: list[dict[str, Any]] = c.memo["csl-items"]
    return items


def _has_works(c: Compiled) -> bool:
    return any(e.type in c.voc.scholarly_types() for e in c.dataset.entities.values())


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("turtle", "Turtle", "dataset.ttl", "text/turtle",
           lambda c: _module("turtle").turtle_chunks(c.graph), "the whole graph as Turtle"),
    Format("ntriples", "N-Triples", "dataset.nt", "application/n-triples",
           lambda c: _module("turtle").ntriples_chunks(c.graph), "the whole graph as N-Triples"),
    Format("jsonld", "JSON-LD", "dataset.jsonld", "application/ld+json",
           lambda c: _module("jsonld").jsonld_chunks(c.graph, c.voc), "the whole graph as JSON-LD"),
    Format("quickstatements", "QuickStatements",
           "quickstatements.txt", "text/plain",
           lambda c: [_module("quickstatements").to_v1(_quickstatements(c))],
           "Wikidata edits, QuickStatements V1"),
    Format("qs-csv", "QuickStatements CSV", "quickstatements.csv", "text/csv",
           lambda c: [_module("quickstatements").to_csv(_quickstatements(c))],
           "Wikidata edits, QuickStatements CSV"),
    Format("schemaorg", "schema.org profile",
           "person.schemaorg.jsonld", "application/ld+json",
           lambda c: [_module("schemaorg").page_text(c.dataset, c.voc, c.entity)],
           "a schema.org ProfilePage of one person",
           in_build=lambda c: _module("schemaorg").has_person(c.dataset)),
    Format("csl-json", "CSL-JSON citations", "works.csl.json",
           "application/vnd.citationstyles.csl+json",
           lambda c: [_module("citations").to_csl_json(_csl_items(c))],
           "the scholarly works as CSL-JSON, for reference managers",
           in_build=lambda c: _has_works(c)),
    Format("bibtex", "BibTeX", "works.bib", "application/x-bibtex",
           lambda c: [_module("citations").to_bibtex(_csl_items(c))],
           "the scholarly works as BibTeX", in_build=lambda c: _has_works(c)),
)}

#: The formats that serialise the whole graph (the site writes one per entity too).
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
