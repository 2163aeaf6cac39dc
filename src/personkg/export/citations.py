"""Citations of the dataset's scholarly works, to take into a reference manager: CSL-JSON
(what Zotero, Pandoc and citeproc read) and BibTeX made from it.

Which claim gives which field is the ontology's `pkg:citationField` (a CSL-JSON variable);
only best-rank claims that rest on a medium- or high-trust source are cited, authors in
their order (an author without a record by the name printed on the work). Items are sorted
by id, so the output is stable.
"""

from __future__ import annotations

import re
from typing import Any

from ..compile import best_claims
from ..model import Claim, Dataset, Date, Entity, Text
from ..vocab import Vocabulary
from .jsontext import indented_json

__all__ = ["csl_items", "to_csl_json", "to_bibtex"]

#: The CSL item type of a thesis; other works are articles, or conference papers when a
#: venue is known.
_CSL_TYPE = {"Thesis": "thesis"}


def _trusted(ds: Dataset, c: Claim, low: set[str]) -> bool:
    return any(str(ds.sources[r.source].fields.get("trust")) not in low
               for r in c.references if r.source in ds.sources)


def _text(v: object) -> str:
    return v.text if isinstance(v, (Date, Text)) else str(v)


def _person(name: str) -> dict[str, str]:
    """A CSL name: family and given for a plain two-word name, else the name as written
    (a particle, an initial or a single name is not split by guess)."""
    words = name.split()
    if len(words) == 2 and all(w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha()
                               for w in words):
        return {"family": words[1], "given": words[0]}
    return {"literal": name}


def _best(w: Entity) -> dict[str, list[Claim]]:
    """The work's best-rank claims by property, in record order (worked out once)."""
    out: dict[str, list[Claim]] = {}
    best = best_claims(w.claims)
    for i, c in enumerate(w.claims):
        if i in best:
            out.setdefault(c.property, []).append(c)
    return out


def _authors(ds: Dataset, voc: Vocabulary, w: Entity, low: set[str],
             best: dict[str, list[Claim]]) -> list[dict[str, str]]:
    found: list[tuple[int, str]] = []
    for prop in voc.claims_for(w.type):
        if prop.citation_field != "author":
            continue
        position, stated = voc.qualifier_for(prop, "position"), voc.qualifier_for(prop, "name")
        for c in best.get(prop.key, []):
            if not _trusted(ds, c, low):
                continue
            at = int(str(c.qualifiers.get(position, 0))) if position else 0
            if prop.is_item:
                name = str((stated and c.qualifiers.get(stated))
                           or ds.entities[str(c.value)].name)
            else:
                name = str(c.value)
            found.append((at, name))
    return [_person(name) for _, name in sorted(found, key=lambda a: a[0])]


def _item(ds: Dataset, voc: Vocabulary, w: Entity) -> dict[str, Any]:
    low = voc.low_trust
    item: dict[str, Any] = {"id": w.id, "type": _CSL_TYPE.get(w.type, "article"),
                            "title": w.name}
    best = _best(w)
    authors = _authors(ds, voc, w, low, best)
    if authors:
        item["author"] = authors
    for prop in voc.claims_for(w.type):
        field = prop.citation_field
        if field in (None, "author"):
            continue
        claims = [c for c in best.get(prop.key, []) if _trusted(ds, c, low)]
        if not claims:
            continue
        value = claims[0].value
        if field == "issued" and isinstance(value, Date):
            item["issued"] = {"date-parts": [[int(p) for p in value.text.split("-")]]}
        elif field == "publisher" and prop.is_item:
            item["publisher"] = ds.entities[str(value)].name
        elif field == "arXiv":
            item["archive"], item["archive_location"] = "arXiv", _text(value)
        elif field is not None:
            item[field] = _text(value)
    if "container-title" in item and item["type"] == "article":
        item["type"] = "paper-conference"
    return item


def csl_items(ds: Dataset, voc: Vocabulary, entity: str | None = None) -> list[dict[str, Any]]:
    """A CSL-JSON item for each scholarly work of the dataset, by id; with `entity`, only
    that work, or the works whose best-rank authors include that entity. Every work's items
    are worked out once per dataset (`ds.memo`: the site's pages and its citation downloads
    share them), so a caller must not change them."""
    if entity is None:
        if "csl-items" not in ds.memo:
            ds.memo["csl-items"] = _items(ds, voc, None)
        found: list[dict[str, Any]] = ds.memo["csl-items"]
        return found
    return _items(ds, voc, entity)


def _items(ds: Dataset, voc: Vocabulary, entity: str | None) -> list[dict[str, Any]]:
    works = [e for e in ds.entities.values() if e.type in voc.scholarly_types()]
    if entity is not None:
        works = [w for w in works if w.id == entity or entity in _author_ids(voc, w)]
    return [_item(ds, voc, w) for w in sorted(works, key=lambda e: e.id)]


def _author_ids(voc: Vocabulary, w: Entity) -> set[str]:
    best = _best(w)
    return {str(c.value) for prop in voc.claims_for(w.type)
            if prop.citation_field == "author" and prop.is_item
            for c in best.get(prop.key, [])}


def to_csl_json(items: list[dict[str, Any]]) -> str:
    """CSL-JSON text of `csl_items`."""
    return indented_json(items) + "\n"


_BIBTEX_TYPE = {"thesis": "phdthesis", "paper-conference": "inproceedings", "article": "misc"}
_SPECIAL = re.compile(r"([{}\\#$%&_^~])")


def _bib(value: str) -> str:
    """A BibTeX field value: TeX's special characters escaped, braces balanced."""
    return _SPECIAL.sub(lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}",
                                   "~": r"\~{}"}.get(m.group(1), "\\" + m.group(1)), value)


def _bib_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _bib(name["literal"]) + "}"
    return f"{_bib(name['family'])}, {_bib(name['given'])}"


def _bib_fields(item: dict[str, Any]) -> list[tuple[str, str]]:
    fields = [("title", "{" + _bib(item["title"]) + "}")]
    if "author" in item:
        fields.append(("author", " and ".join(_bib_name(n) for n in item["author"])))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) > 1:
        fields.append(("month", str(parts[1])))
    school = "school" if item["type"] == "thesis" else "publisher"
    for csl, bib in (("container-title", "booktitle"), ("publisher", school),
                     ("DOI", "doi"), ("URL", "url")):
        if csl in item:
            fields.append((bib, _bib(str(item[csl]))))
    if item.get("archive") == "arXiv":
        fields += [("eprint", _bib(item["archive_location"])), ("archiveprefix", "arXiv")]
    return fields


def to_bibtex(items: list[dict[str, Any]]) -> str:
    """BibTeX made from the CSL-JSON items: @inproceedings with a venue, @phdthesis for a
    thesis, @misc for the rest (arXiv preprints with eprint and archiveprefix)."""
    out = []
    for item in items:
        fields = _bib_fields(item)
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        out.append(f"@{_BIBTEX_TYPE.get(item['type'], 'misc')}{{{item['id']},\n{body}\n}}\n")
    return "\n".join(out)
