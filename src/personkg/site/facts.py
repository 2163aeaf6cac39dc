"""The facts of a page as data for the templates: values (linked where they name an entity
or a URL), qualifiers, numbered notes to the sources (one per source, with every passage
quoted from it), the trust of each fact's best source; and, for a source's page, every fact
that source supports. Nothing here writes HTML: the templates do, with autoescape."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..model import Claim, Dataset, Date, Entity, Source, Text, Value
from ..vocab import Vocabulary

__all__ = ["Notes", "value_view", "claim_view", "entity_facts", "facts_by_source",
           "source_fields", "best_trust", "separated"]

View = dict[str, Any]


def separated(items: list[View], sep: str, last: str | None = None) -> list[View]:
    """`items`, each given the `"sep"` a list writes before it: nothing before the first,
    `last` (when given) before the last, else `sep`. A template loop that wrote its
    separator with `loop.last` made Jinja track every enclosing loop too (`LoopContext`,
    about a microsecond an item): a fact's qualifiers did so for every row of every fact
    table, 2.1 million items on a site of 10,000 people (`benchmarks/pages.py`)."""
    end = len(items) - 1
    for i, item in enumerate(items):
        item["sep"] = "" if i == 0 else last if last is not None and i == end else sep
    return items


def _text(v: object) -> str:
    return v.text if isinstance(v, (Date, Text)) else str(v)


def _is_url(v: object) -> bool:
    return isinstance(v, str) and v.startswith(("http://", "https://"))


def value_view(ds: Dataset, v: Value, is_item: bool) -> View:
    """`{"text", "href", "external"}`: an entity's name and page, a URL, or plain text; `href`
    is relative to a page in `id/`."""
    target = ds.entities.get(str(v)) if is_item else None
    if target is not None:
        return {"text": target.name, "href": f"{target.id}.html", "external": False}
    if _is_url(v):
        return {"text": str(v), "href": str(v), "external": True}
    return {"text": _text(v), "href": None, "external": False}


def best_trust(ds: Dataset, voc: Vocabulary, c: Claim) -> str:
    """The trust of the most trusted source among the claim's references ("none": none)."""
    if len(c.references) == 1:  # most facts: no list, no order
        src = ds.sources.get(c.references[0].source)
        return src.trust if src is not None else "none"
    levels = [ds.sources[r.source].trust for r in c.references if r.source in ds.sources]
    if len(levels) < 2:
        return levels[0] if levels else "none"
    order = voc.trust_rank()
    return min(levels, key=lambda k: order.get(k, 99))


class Notes:
    """The numbered notes of one page: one per source, in order of first citation, each with
    every passage (quote, url) quoted from that source on the page."""

    def __init__(self) -> None:
        self.passages: dict[str, list[tuple[str, str]]] = {}
        self.numbers: dict[str, int] = {}

    def cite(self, source: str, quote: str | None, url: str | None) -> int:
        passages = self.passages.get(source)
        if passages is None:
            passages = self.passages[source] = []
            self.numbers[source] = len(self.numbers) + 1
        if (quote or url) and (quote or "", url or "") not in passages:
            passages.append((quote or "", url or ""))
        return self.numbers[source]

    def view(self, ds: Dataset) -> list[View]:
        out = []
        for n, (source_id, passages) in enumerate(self.passages.items(), 1):
            src = ds.sources.get(source_id)
            f = src.fields if src else {}
            out.append({
                "n": n, "id": source_id, "title": str(f.get("title", source_id)),
                "page": f"{source_id}.html" if src else None, "url": f.get("url"),
                "meta": ", ".join([_text(f[k]) for k in ("publisher", "date_published")
                                   if f.get(k)]),
                "trust": str(f.get("trust", "?")),
                "quotes": [q for q, _ in passages if q],
                "urls": [u for _, u in passages if u]})
        return out


def claim_view(ds: Dataset, voc: Vocabulary, c: Claim, notes: Notes | None) -> View:
    """One fact: its value, qualifiers, note, disagreement and deprecation, the numbers of its
    notes (when `notes` is given), its best source's trust and whether that is low."""
    quals = []
    for k, q in c.qualifiers.items():
        prop = voc.qualifiers[k]
        quals.append({"label": prop.label, "value": value_view(ds, q, prop.is_item)})
    numbers: list[int] = []
    if notes is not None:
        for r in c.references:
            n = notes.cite(r.source, r.quote, r.url)
            if n not in numbers:
                numbers.append(n)
    trust = best_trust(ds, voc, c)
    return {"value": value_view(ds, c.value, voc.claims[c.property].is_item),
            "qualifiers": separated(quals, "; "), "notes": numbers, "note": c.note,
            "alternative": c.alternative, "deprecated": c.rank == "deprecated",
            "reason": c.reason or "", "trust": trust,
            "low_trust": c.rank != "deprecated" and (trust == "none" or trust in voc.low_trust)}


def entity_facts(ds: Dataset, voc: Vocabulary, e: Entity, best: set[int]) -> View:
    """`{"facts": rows, "deprecated": rows, "notes": [...]}` for a page, each row
    `{"label", "cells", "quotes", "deprecated"}` (the facts of a property; each deprecated
    claim has a row of its own), as the template's `fact_tables` takes them. `best`: the
    positions of the entity's best-rank claims (`compile.best_claims`)."""
    notes = Notes()
    rows: dict[str, list[View]] = defaultdict(list)
    deprecated = []
    for i, c in enumerate(e.claims):
        if c.rank == "deprecated":
            deprecated.append(c)
        elif i in best or c.rank == "normal":
            rows[c.property].append(claim_view(ds, voc, c, notes))
    facts = [{"label": voc.claims[k].label, "cells": v, "quotes": (), "deprecated": False}
             for k, v in rows.items()]
    old = [{"label": voc.claims[c.property].label, "cells": [claim_view(ds, voc, c, notes)],
            "quotes": (), "deprecated": True} for c in deprecated]
    return {"facts": facts, "deprecated": old, "notes": notes.view(ds)}


def facts_by_source(ds: Dataset) -> dict[str, list[tuple[Entity, Claim, list[str]]]]:
    """source id -> [(entity, claim, the words quoted from the source for it)], in one pass
    over the dataset (a source's page costs the size of what it shows)."""
    out: dict[str, list[tuple[Entity, Claim, list[str]]]] = defaultdict(list)
    for e in ds.entities.values():
        for c in e.claims:
            quotes: dict[str, list[str]] = {}
            for r in c.references:
                quoted = quotes.setdefault(r.source, [])
                if r.quote and r.quote not in quoted:
                    quoted.append(r.quote)
            for source_id, quoted in quotes.items():
                out[source_id].append((e, c, quoted))
    return dict(out)


def source_fields(voc: Vocabulary, src: Source) -> list[View]:
    """A source's fields in the ontology's order, labelled: `{"label", "text", "href"}`."""
    out = []
    for key, f in voc.source_fields.items():
        if key in src.fields and key not in ("title", "trust"):
            v = src.fields[key]
            out.append({"label": f.label, "text": _text(v),
                        "href": str(v) if _is_url(v) else None})
    return out
