"""Parts of an entity's page that come from the rest of the dataset, worked out once for the
whole site (so a page costs the size of what it shows, not of the dataset):

- the records that point at this one ("Linked from": the people who worked for an
  organization, the papers of a co-author);
- a person's publications, each as a citation line with its authors in order, and the
  co-authors they share;
- a work's author line, the way a reader cites it.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..compile import best_claims
from ..export.citations import csl_items
from ..model import Dataset
from ..vocab import Vocabulary

__all__ = ["Context"]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


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

    @classmethod
    def of(cls, ds: Dataset, voc: Vocabulary) -> Context:
        ctx = cls(ds, voc)
        incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for e in ds.entities.values():
            best = best_claims(e.claims)
            for i, c in enumerate(e.claims):
                if i in best and voc.claims[c.property].is_item and str(c.value) in ds.entities:
                    incoming[str(c.value)].append((c.property, e.id))
        ctx.incoming = dict(incoming)
        ctx.citations = {item["id"]: item for item in csl_items(ds, voc)}
        works_of: dict[str, list[str]] = defaultdict(list)
        for work_id in ctx.citations:
            work = ds.entities[work_id]
            best = best_claims(work.claims)
            ids = [str(c.value) for i, c in enumerate(work.claims)
                   if i in best and voc.claims[c.property].is_item
                   and voc.claims[c.property].citation_field == "author"]
            ctx.authors_of[work_id] = ids
            for person in dict.fromkeys(ids):
                works_of[person].append(work_id)
        ctx.works_of = dict(works_of)
        return ctx

    # ------------------------------------------------------------ sections
    def author_line(self, work_id: str) -> str:
        """`A, B and C (2017)`: the authors in order, linked where they have a page."""
        item = self.citations.get(work_id)
        if not item or not item.get("author"):
            return ""
        by_name = {self.ds.entities[i].name: i for i in self.authors_of.get(work_id, [])}
        names = []
        for author in item["author"]:
            name = _name(author)
            target = by_name.get(name)
            names.append(f'<a href="{_e(target)}.html">{_e(name)}</a>' if target else _e(name))
        joined = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
        year = item.get("issued", {}).get("date-parts", [[None]])[0][0]
        return joined + (f" ({year})" if year else "")

    def publications(self, person_id: str) -> str:
        """A person's works, newest first, as citation lines; and their co-authors."""
        works = self.works_of.get(person_id, [])
        if not works:
            return ""
        def year(w: str) -> int:
            parts = self.citations[w].get("issued", {}).get("date-parts", [[0]])
            return int(parts[0][0]) if parts and parts[0] else 0
        lines = []
        for w in sorted(works, key=lambda w: (-year(w), w)):
            item = self.citations[w]
            where = item.get("container-title") or item.get("publisher") or ""
            ids = " ".join(f'<a href="{_e(u)}">{_e(label)}</a>' for label, u in (
                ("arXiv", f"https://arxiv.org/abs/{item['archive_location']}"
                 if item.get("archive") == "arXiv" else ""),
                ("DOI", f"https://doi.org/{item['DOI']}" if item.get("DOI") else "")) if u)
            lines.append(f'<li>{self.author_line(w)}. <a href="{_e(w)}.html"><cite>'
                         f'{_e(item["title"])}</cite></a>'
                         + (f". {_e(where)}" if where else "") + (f". {ids}" if ids else "")
                         + "</li>")
        shared = Counter(a for w in works for a in dict.fromkeys(self.authors_of[w])
                         if a != person_id)
        out = [f"<h2>Publications ({len(works)})</h2>", '<ol class="pubs">', *lines, "</ol>"]
        if shared:
            people = ", ".join(f'<a href="{_e(a)}.html">{_e(self.ds.entities[a].name)}</a>'
                               f" ({n})" for a, n in sorted(shared.items(),
                                                            key=lambda kv: (-kv[1], kv[0])))
            out.append(f"<h2>Co-authors</h2>\n<p>{people}</p>")
        return "\n".join(out)

    def linked_from(self, target_id: str) -> str:
        """The records whose best-rank claims point at this one, by property."""
        rows: dict[str, list[str]] = defaultdict(list)
        for key, source in self.incoming.get(target_id, []):
            rows[key].append(source)
        if not rows:
            return ""
        out = ['<h2>Linked from</h2>\n<table class="inverse">']
        for key in sorted(rows, key=lambda k: self.voc.claims[k].label):
            links = ", ".join(f'<a href="{_e(s)}.html">{_e(self.ds.entities[s].name)}</a>'
                              for s in sorted(dict.fromkeys(rows[key]),
                                              key=lambda s: self.ds.entities[s].name))
            out.append(f"<tr><th>{_e(self.voc.claims[key].label)} of</th><td>{links}</td></tr>")
        out.append("</table>")
        return "\n".join(out)
