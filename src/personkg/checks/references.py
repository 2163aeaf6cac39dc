"""Layer 3: references between records: unknown ids and sources, duplicate claims."""

from __future__ import annotations

from ..compile import statement_iri
from ..model import Dataset
from ..vocab import Vocabulary
from .report import Issue, display_path

__all__ = ["reference_check", "resting_on_broken"]


def _item_keys(voc: Vocabulary) -> tuple[set[str], set[str]]:
    """The claim and the qualifier keys whose values are ids."""
    return ({k for k, p in voc.claims.items() if p.kind == "item"},
            {k for k, p in voc.qualifiers.items() if p.kind == "item"})


def reference_check(ds: Dataset, voc: Vocabulary) -> list[Issue]:
    """Unknown ids and sources, duplicate claims. Ids in `ds.broken` belong to records that
    failed an earlier layer: claims pointing at them are not reported again."""
    issues = []
    item_claims, item_quals = _item_keys(voc)
    broken = ds.broken
    for ent in ds.entities.values():
        seen: dict[str, int] = {}
        for c in ent.claims:
            targets = [c.value] if c.property in item_claims else []
            targets += [v for k, v in c.qualifiers.items() if k in item_quals]
            for t in targets:
                if str(t) not in ds.entities and str(t) not in broken:
                    what = ("a source, not an entity" if str(t) in ds.sources else
                            "not an entity in this dataset")
                    issues.append(Issue.at(ent.path, c.line, "unknown-id",
                                           f"claims.{c.property}: {t!r} is {what}",
                                           layer="references"))
            for r in c.references:
                if r.source not in ds.sources and r.source not in broken:
                    what = ("an entity, not a source" if r.source in ds.entities
                            else "not a source record in this dataset")
                    issues.append(Issue.at(ent.path, r.line, "unknown-source",
                                           f"claims.{c.property}: source {r.source!r} is {what}",
                                           layer="references"))
            iri = statement_iri(ds.base, ent.id, c)
            if iri in seen:
                issues.append(Issue.at(ent.path, c.line, "duplicate-claim",
                                       f"claims.{c.property}: same value and qualifiers as the "
                                       f"claim at line {seen[iri]}; merge their sources",
                                       layer="references"))
            seen.setdefault(iri, c.line)
    return issues


def resting_on_broken(ds: Dataset, voc: Vocabulary) -> set[tuple[str, int]]:
    """The places (file, line) of the claims and references that point at a record in
    `ds.broken`. A later layer does not report them: what it would find there (a reference
    without its source, a fact that seems weakly sourced) follows from the record that
    failed, which is reported."""
    places: set[tuple[str, int]] = set()
    if not ds.broken:
        return places
    item_claims, item_quals = _item_keys(voc)
    broken = ds.broken
    for ent in ds.entities.values():
        path = display_path(ent.path)
        for c in ent.claims:
            targets = [c.value] if c.property in item_claims else []
            targets += [v for k, v in c.qualifiers.items() if k in item_quals]
            lines = [r.line for r in c.references if r.source in broken]
            if lines or any(str(t) in broken for t in targets):
                places.update((path, line) for line in [c.line, *lines])
    return places
