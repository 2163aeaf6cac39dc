"""What the site's pages show, as data for the templates, worked out once for the whole site
(so a page costs the size of what it shows, not of the dataset):

- the records that point at this one ("Linked from": the people who worked for an
  organization, the papers of a co-author);
- a person's publications, each with its authors in order, and the co-authors they share;
- a work's author line, the way a reader cites it;
- the facts of a page with their notes (`facts`), and every fact a source supports;
- the index: the subject, the dataset's figures, the entities by kind.

`Context` is where page data comes from; the templates in `templates/` render it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from markupsafe import Markup

from ..compile import best_claims
from ..export.citations import csl_items, to_bibtex, to_csl_json
from ..model import Claim, Dataset, Entity, Source
from ..namespaces import WIKIDATA_PAGE
from ..vocab import Vocabulary
from . import profile
from .facts import best_trust, claim_view, entity_facts, facts_by_source, separated, source_fields

__all__ = ["Context"]

View = dict[str, Any]
Coauthors = list[tuple[str, str | None, int]]  # what `profile.coauthors` gives


def _name(author: dict[str, str]) -> str:
    return author.get("literal") or f"{author.get('given', '')} {author.get('family', '')}"


@dataclass
class Context:
    """What the pages need from the whole dataset, computed in one pass."""

    ds: Dataset
    voc: Vocabulary
    #: target id -> [(property key, source entity id)], best-rank item claims only
    incoming: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: work id -> its CSL-JSON item; person id -> the ids of the works they wrote
    citations: dict[str, dict[str, Any]] = field(default_factory=dict)
    works_of: dict[str, list[str]] = field(default_factory=dict)
    #: work id -> its record authors' ids, in order
    authors_of: dict[str, list[str]] = field(default_factory=dict)
    #: source id -> [(entity, claim, quoted words)]: every fact the source supports, found
    #: when a source's page first asks (`supported`)
    _supports: dict[str, list[tuple[Entity, Claim, list[str]]]] | None = field(
        default=None, init=False, repr=False)
    #: entity id -> the positions of its best-rank claims (`compile.best_claims`)
    best: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, ds: Dataset, voc: Vocabulary) -> Context:
        ctx = cls(ds, voc)
        incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for e in ds.entities.values():
            best = ctx.best[e.id] = best_claims(e.claims)
            for i, c in enumerate(e.claims):
                if i in best and voc.claims[c.property].is_item and str(c.value) in ds.entities:
                    incoming[str(c.value)].append((c.property, e.id))
        ctx.incoming = dict(incoming)
        ctx.citations = {item["id"]: item for item in csl_items(ds, voc)}
        works_of: dict[str, list[str]] = defaultdict(list)
        for work_id in ctx.citations:
            work = ds.entities[work_id]
            best = ctx.best[work_id]
            ids = [str(c.value) for i, c in enumerate(work.claims)
                   if i in best and voc.claims[c.property].is_item
                   and voc.claims[c.property].citation_field == "author"]
            ctx.authors_of[work_id] = ids
            for person in dict.fromkeys(ids):
                works_of[person].append(work_id)
        ctx.works_of = dict(works_of)
        return ctx

    def supported(self, source_id: str) -> list[tuple[Entity, Claim, list[str]]]:
        """Every fact the source supports: `facts.facts_by_source`, worked out for all the
        sources when the first source page is written (a process of a large site that
        writes no source page does not need it)."""
        if self._supports is None:
            self._supports = facts_by_source(self.ds)
        return self._supports.get(source_id, [])

    def kind(self, type_name: str) -> str:
        cls = self.voc.classes.get(type_name)
        return cls.label if cls else type_name

    # ------------------------------------------------------------ sections
    def author_line(self, work_id: str, me: str | None = None) -> View | None:
        """`{"authors": [{"name", "href", "me", "sep"}], "year"}`: the authors in order,
        linked where they have a page (`me`: the person whose page this is, shown in bold),
        separated by commas and a last "and"."""
        item = self.citations.get(work_id)
        if not item or not item.get("author"):
            return None
        by_name = {self.ds.entities[i].name: i for i in self.authors_of.get(work_id, [])}
        authors = []
        for author in item["author"]:
            name = _name(author)
            target = by_name.get(name)
            authors.append({"name": name, "href": f"{target}.html" if target else None,
                            "me": target is not None and target == me})
        year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
        return {"authors": separated(authors, ", ", " and "), "year": year}

    def _year(self, work_id: str) -> int:
        parts = self.citations[work_id].get("issued", {}).get("date-parts", [[0]])
        return int(parts[0][0]) if parts and parts[0] and parts[0][0] else 0

    def _links(self, work_id: str, sep: str) -> list[View]:
        """A work's links out, `{"label", "url", "sep"}`: its arXiv page and DOI."""
        item = self.citations.get(work_id, {})
        return separated([{"label": label, "url": u} for label, u in (
            ("arXiv", f"https://arxiv.org/abs/{item['archive_location']}"
             if item.get("archive") == "arXiv" else ""),
            ("DOI", f"https://doi.org/{item['DOI']}" if item.get("DOI") else "")) if u], sep)

    def cite(self, work_id: str) -> View | None:
        """A work's citation to copy: `{"bibtex", "csl", "links"}` (None: not a work)."""
        item = self.citations.get(work_id)
        if item is None:
            return None
        return {"bibtex": to_bibtex([item]), "csl": to_csl_json([item]),
                "links": self._links(work_id, " · ")}

    def publications(self, person_id: str) -> list[View]:
        """A person's works, newest first: title, author line, venue, arXiv and DOI links."""
        out = []
        for w in sorted(self.works_of.get(person_id, []), key=lambda w: (-self._year(w), w)):
            item = self.citations[w]
            links = self._links(w, " ")
            out.append({"id": w, "href": f"{w}.html", "title": str(item["title"]),
                        "year": self._year(w),
                        "byline": self.author_line(w, me=person_id),
                        "where": item.get("container-title") or item.get("publisher") or "",
                        "links": links})
        return out

    def coauthors(self, people: Coauthors) -> list[View]:
        """The people a person wrote with (`profile.coauthors`), most shared works first:
        `{"name", "href", "n", "sep"}` (`href` None for an author without a record, named
        as printed)."""
        return separated([{"name": name, "href": f"{i}.html" if i else None, "n": n}
                          for name, i, n in people], ", ")

    def profile(self, e: Entity, people: Coauthors) -> View:
        """The profile parts of a page: papers per year and co-authors (`people`, from
        `profile.coauthors`) as pictures, quotations by status, undated affiliations, and
        the people affiliated with it."""
        per_year = profile.papers_per_year(self, e.id)
        return {
            "per_year_svg": Markup(profile.papers_per_year_svg(per_year)),  # escaped parts
            "coauthor_svg": Markup(profile.coauthor_svg(e.name, people)),  # escaped parts
            "quotations": [{"status": status, "items": [
                {"name": q.name, "href": f"{q.id}.html"} for q in items]}
                for status, items in profile.quotations_by_status(self, e.id)],
            "undated": separated([{"label": label, "name": org.name, "href": f"{org.id}.html",
                                   "role": role}
                                  for label, org, role in profile.undated_affiliations(self, e)],
                                 "; "),
            "members": [{"relation": m.relation, "name": m.person.name,
                         "href": f"{m.person.id}.html", "start": m.start, "end": m.end,
                         "role": m.role} for m in profile.members(self, e.id)],
        }

    def linked_from(self, target_id: str) -> list[View]:
        """The records whose best-rank claims point at this one, by property:
        `{"label", "links": [{"name", "href", "sep"}]}`."""
        rows: dict[str, list[str]] = defaultdict(list)
        for key, source in self.incoming.get(target_id, []):
            rows[key].append(source)
        return [{"label": f"{self.voc.claims[key].label} of",
                 "links": separated([{"name": self.ds.entities[s].name, "href": f"{s}.html"}
                                     for s in sorted(dict.fromkeys(rows[key]),
                                                     key=lambda s: self.ds.entities[s].name)],
                                    ", ")}
                for key in sorted(rows, key=lambda k: self.voc.claims[k].label)]

    # ------------------------------------------------------------ pages
    def entity(self, e: Entity) -> View:
        """Everything an entity's page shows except the timeline and the JSON-LD."""
        people = profile.coauthors(self, e.id)  # for the list and the picture
        pubs = self.publications(e.id)  # newest first, so grouped by year at once
        return {"id": e.id, "name": e.name, "kind": self.kind(e.type), "type": e.type,
                "description": e.description,
                "wikidata": WIKIDATA_PAGE.format(e.wikidata) if e.wikidata else None,
                "byline": self.author_line(e.id),
                "publications": pubs,
                "publication_years": [{"year": year, "works": list(works)} for year, works
                                      in groupby(pubs, key=lambda w: w["year"])],
                "coauthors": self.coauthors(people),
                "linked_from": self.linked_from(e.id), "cite": self.cite(e.id),
                **self.profile(e, people),
                **entity_facts(self.ds, self.voc, e, self.best[e.id])}

    def source(self, src: Source) -> View:
        """A source's page: its fields, trust, and every fact it supports, by entity."""
        groups: dict[str, list[View]] = defaultdict(list)
        for e, c, quoted in self.supported(src.id):
            fact = claim_view(self.ds, self.voc, c, None)
            groups[e.id].append({"label": self.voc.claims[c.property].label, "cells": [fact],
                                 "quotes": quoted, "deprecated": fact["deprecated"]})
        entities = [{"id": eid, "name": self.ds.entities[eid].name, "href": f"{eid}.html",
                     "kind": self.kind(self.ds.entities[eid].type), "rows": rows}
                    for eid, rows in sorted(groups.items(),
                                            key=lambda kv: (self.ds.entities[kv[0]].name,
                                                            kv[0]))]
        return {"id": src.id, "name": src.title, "kind": self.kind("Source"),
                "trust": src.trust, "url": src.fields.get("url"),
                "fields": source_fields(self.voc, src),
                "wikidata": WIKIDATA_PAGE.format(src.wikidata) if src.wikidata else None,
                "entities": entities, "count": sum(len(g["rows"]) for g in entities)}

    def index(self) -> View:
        """The subject, the dataset's figures and trust profile, the records by kind."""
        ds = self.ds
        groups: dict[str, list[View]] = defaultdict(list)
        for e in sorted(ds.entities.values(), key=lambda e: (e.name.casefold(), e.id)):
            groups[self.kind(e.type)].append({"name": e.name, "href": f"id/{e.id}.html"})
        source_kind = self.kind("Source")
        groups[source_kind] = [{"name": s.title, "href": f"id/{s.id}.html"}
                               for s in sorted(ds.sources.values(),
                                               key=lambda s: (s.title.casefold(), s.id))]
        kinds = [{"kind": k, "count": len(v), "members": v}
                 for k, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
        subject_id = ds.subject
        subject = None
        if subject_id:
            s = ds.entities[subject_id]
            subject = {"name": s.name, "href": f"id/{s.id}.html",
                       "description": s.description, "kind": self.kind(s.type),
                       "facts": len(s.claims), "works": len(self.works_of.get(s.id, []))}
        return {"subject": subject, "kinds": kinds, "trust": self.trust_profile(),
                "records": len(ds.entities) + len(ds.sources),
                "statements": sum(len(e.claims) for e in ds.entities.values())}

    def trust_profile(self) -> list[View]:
        """Facts (statements not about quotations) by their best source's trust, as shares:
        `{"trust", "count", "percent", "x", "width"}` (x and width out of 100)."""
        counts = dict.fromkeys([*self.voc.trust_order(), "none"], 0)
        for e in self.ds.entities.values():
            if e.type == "Quotation":
                continue
            for c in e.claims:
                counts[best_trust(self.ds, self.voc, c)] += 1
        total = sum(counts.values()) or 1
        out, at = [], 0.0
        for k, n in counts.items():
            if n:
                width = 100 * n / total
                out.append({"trust": k, "count": n, "percent": round(width, 1),
                            "x": round(at, 2), "width": round(width, 2)})
                at += width
        return out
