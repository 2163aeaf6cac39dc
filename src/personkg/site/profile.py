"""The parts of a person's page that make it a profile, and an organization's members: worked
out from the dataset once per page (with the site's `Context`), drawn as inline SVG that
reads without JavaScript.

- papers per year, as a bar chart;
- the co-authors as a picture: the person in the middle, each co-author on a ring (nearer the
  more papers they share), the dot sized by shared papers, the name beside it; a fixed,
  deterministic layout (sorted, evenly spaced angles), so two builds draw the same picture;
- quotations attributed to the person, grouped by how far they were checked;
- affiliations without dates (the timeline cannot draw them);
- for an organization (or any entity), the people whose dated affiliations point at it.

Every text in the SVG is escaped; links are relative to the page (`<id>.html`).
"""

from __future__ import annotations

import functools
import html
import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..compile import best_of
from ..model import Date, Entity
from ..namespaces import SCHEMA, SVG
from ..stats import STATUS_ORDER

if TYPE_CHECKING:  # sections.Context uses this module to fill a page
    from .sections import Context

__all__ = ["papers_per_year", "papers_per_year_svg", "coauthors", "coauthor_svg",
           "quotations_by_status", "undated_affiliations", "members", "Member"]

#: the claim that says how far a quotation was checked (its values: stats.STATUS_ORDER)
STATUS_KEY = "quotation_status"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _year(item: dict) -> int | None:
    parts = item.get("issued", {}).get("date-parts", [[None]])
    return int(parts[0][0]) if parts and parts[0] and parts[0][0] else None


def papers_per_year(ctx: Context, person_id: str) -> dict[int, int]:
    """Year -> the person's works dated in it (undated works are not counted)."""
    years = Counter(y for w in ctx.works_of.get(person_id, [])
                    if (y := _year(ctx.citations[w])) is not None)
    return dict(sorted(years.items()))


def papers_per_year_svg(per_year: dict[int, int]) -> str:
    """A bar per year from the first to the last (empty years as gaps), the count above."""
    if not per_year:
        return ""
    first, last = min(per_year), max(per_year)
    step, bar, top, base = 26, 18, max(per_year.values()), 110
    width = 40 + step * (last - first + 1)
    scale = 80 / top
    label = "Papers per year: " + ", ".join(f"{y}: {n}" for y, n in per_year.items())
    out = [f'<svg xmlns="{SVG}" viewBox="0 0 {width} 140" width="{width}" height="140" '
           f'role="img" aria-label="{_e(label)}" class="chart">',
           f"<title>{_e(label)}</title>",
           f'<line x1="20" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>']
    for i, year in enumerate(range(first, last + 1)):
        x = 24 + i * step
        n = per_year.get(year, 0)
        if n:
            h = n * scale
            out.append(f'<rect x="{x}" y="{base - h:.1f}" width="{bar}" height="{h:.1f}" '
                       f'fill="#4c78a8"/>')
            out.append(f'<text x="{x + bar / 2}" y="{base - h - 4:.1f}" '
                       f'text-anchor="middle">{n}</text>')
        if n or year in (first, last) or year % 5 == 0:
            out.append(f'<text x="{x + bar / 2}" y="{base + 14}" text-anchor="end" '
                       f'transform="rotate(-45 {x + bar / 2} {base + 14})">{year}</text>')
    out.append("</svg>")
    return "\n".join(out)


def coauthors(ctx: Context, person_id: str) -> list[tuple[str, str | None, int]]:
    """(name, record id or None, papers shared with the person), most shared first: every
    author of the person's works but the person (the work's claims that map to schema.org
    `author`: records by id, authors without a record by the name printed)."""
    shared: Counter[tuple[str, str | None]] = Counter()
    for w in ctx.works_of.get(person_id, []):
        work = ctx.ds.entities[w]
        seen: set[tuple[str, str | None]] = set()
        for prop in ctx.voc.by_schema_org(work.type, "author"):
            for c in best_of(work.claims, prop.key):
                target = ctx.ds.entities.get(str(c.value)) if prop.is_item else None
                if prop.is_item and target is None:
                    continue
                key = (target.name, target.id) if target else (str(c.value), None)
                if key[1] != person_id and key not in seen:
                    seen.add(key)
                    shared[key] += 1
    return [(n, i, k) for (n, i), k in sorted(shared.items(),
                                              key=lambda x: (-x[1], x[0][0], x[0][1] or ""))]


#: the co-author picture's size (room for the names left and right of the rings), and the
#: person's place in it
_WIDTH, _HEIGHT = 820, 600
_CX, _CY = _WIDTH / 2, 290


@functools.lru_cache(maxsize=4096)
def _spot(i: int, n: int, ring: int, rings: int, k: int, top: int) -> tuple[str, str]:
    """The line to the `i`-th of `n` co-authors on ring `ring` of `rings`, who shares `k`
    papers (`top`: the most anyone shares), and their dot and the start of their name.
    Remembered: the same places recur from picture to picture, and writing the numbers was
    most of a picture's cost."""
    radius = 80 + (180 * ring / (rings - 1) if rings > 1 else 110)
    angle = 2 * math.pi * i / n - math.pi / 2
    cos = math.cos(angle)
    x, y = _CX + radius * cos, _CY + radius * math.sin(angle)
    r = 4 + 10 * k / top
    line = (f'<line x1="{_CX}" y1="{_CY}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ccc" '
            f'stroke-width="{0.5 + 2.5 * k / top:.1f}"/>')
    anchor = "start" if cos >= 0 else "end"
    dx = r + 3 if anchor == "start" else -(r + 3)
    return line, (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#f58518"/>'
                  f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">')


def coauthor_svg(person_name: str, people: list[tuple[str, str | None, int]],
                 limit: int = 40) -> str:
    """The person in the middle and up to `limit` co-authors around, the most shared first;
    the rest are counted in the caption."""
    if not people:
        return ""
    shown, rest = people[:limit], len(people) - min(len(people), limit)
    top = shown[0][2]
    rings = {k: i for i, k in enumerate(sorted({k for _, _, k in shown}, reverse=True))}
    width, height, cx, cy = _WIDTH, _HEIGHT, _CX, _CY
    label = (f"Co-authors of {person_name}: " + ", ".join(
        f"{n} ({k} paper{'s' * (k != 1)})" for n, _, k in shown)
        + (f", and {rest} more" if rest else ""))
    # role "group", not "img": the co-authors with a page are links inside (an image may
    # hold no interactive element)
    label = _e(label)
    out = [f'<svg xmlns="{SVG}" viewBox="0 0 {width} {height}" width="100%" '
           f'role="group" aria-label="{label}" class="coauthors" '
           f'style="max-width:{width}px">',
           f"<title>{label}</title>"]
    dots = []
    for i, (name, ent_id, k) in enumerate(shown):
        line, dot = _spot(i, len(shown), rings[k], len(rings), k, top)
        out.append(line)
        text = f"{dot}{_e(name)}</text>"
        dots.append(f'<a href="{_e(ent_id)}.html">{text}</a>' if ent_id else text)
    out += dots
    out.append(f'<circle cx="{cx}" cy="{cy}" r="16" fill="#4c78a8"/>'
               f'<text x="{cx}" y="{cy + 34}" text-anchor="middle" font-weight="bold">'
               f"{_e(person_name)}</text>")
    if rest:
        out.append(f'<text x="{cx}" y="{height - 8}" text-anchor="middle">and {rest} more '
                   f"co-author{'s' * (rest != 1)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def quotations_by_status(ctx: Context, person_id: str) -> list[tuple[str, list[Entity]]]:
    """The quotations attributed to the person (a quotation type's claim that maps to
    schema.org `creator`), grouped by status, best-checked first; without a status last."""
    groups: dict[str, list[Entity]] = {}
    for key, src in ctx.incoming.get(person_id, []):
        q = ctx.ds.entities[src]
        if ctx.voc.claims[key].schema_org != SCHEMA.creator:
            continue
        status = next((str(c.value) for c in best_of(q.claims, STATUS_KEY)), "no status")
        groups.setdefault(status, []).append(q)
    order = [*STATUS_ORDER, "no status"]
    return [(s, sorted({e.id: e for e in groups[s]}.values(), key=lambda e: e.name))
            for s in sorted(groups, key=lambda s: (order.index(s) if s in order else 99, s))]


def undated_affiliations(ctx: Context, person: Entity) -> list[tuple[str, Entity, str]]:
    """(property label, the organization, role) of each affiliation the timeline cannot
    draw: a value of a Role-wrapped property with neither start nor end."""
    out = []
    for prop in ctx.voc.profile_properties("Person"):
        if not prop.schema_org_role:
            continue
        for c in best_of(person.claims, prop.key):
            start, end = c.qualifiers.get("start"), c.qualifiers.get("end")
            target = ctx.ds.entities.get(str(c.value))
            if target and not isinstance(start, Date) and not isinstance(end, Date):
                out.append((prop.label, target, str(c.qualifiers.get("role", ""))))
    return out


@dataclass(frozen=True)
class Member:
    """Someone whose dated affiliation points at an organization."""

    relation: str  # the property's label: "employer"
    person: Entity
    start: str
    end: str
    role: str


def members(ctx: Context, target_id: str) -> list[Member]:
    """The people whose Role-wrapped claims (employer, member of, educated at) point at
    `target_id`, with their dates and roles, earliest first."""
    out: dict[tuple[str, str, str, str, str], Member] = {}
    for key, src in ctx.incoming.get(target_id, []):
        prop = ctx.voc.claims[key]
        if not prop.schema_org_role:
            continue
        person = ctx.ds.entities[src]
        for c in best_of(person.claims, key):
            if str(c.value) != target_id:
                continue
            start, end = c.qualifiers.get("start"), c.qualifiers.get("end")
            m = Member(prop.label, person, start.text if isinstance(start, Date) else "",
                       end.text if isinstance(end, Date) else "",
                       str(c.qualifiers.get("role", "")))
            out.setdefault((m.relation, person.id, m.start, m.end, m.role), m)
    return sorted(out.values(), key=lambda m: (m.start or "9999", m.person.name, m.relation))
