"""The career timeline of a person's page: positions, teams and education as bars, papers
as dots, on one time axis, as inline SVG."""

from __future__ import annotations

import datetime as _dt
import functools
import html

from ..compile import best_of
from ..model import Dataset, Date, Entity, parse_date
from ..namespaces import SVG
from ..vocab import Property, Vocabulary

__all__ = ["timeline_svg"]

def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _year(d: Date, end: bool = False) -> float:
    return _year_of(d.text, end)


@functools.cache  # a date's text is worked out once (its year, its month, again and again)
def _year_of(text: str, end: bool) -> float:
    parts = [int(x) for x in text.split("-")]
    y = float(parts[0])
    if len(parts) == 1:
        return y + (1.0 if end else 0.0)
    m = parts[1] - 1 + (1 if end and len(parts) == 2 else 0)
    day = (parts[2] - 1) / 30 if len(parts) == 3 else 0
    return y + (m + day) / 12


_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2")
_PAPER = "#b279a2"


def as_of(ds: Dataset) -> Date:
    """The date the dataset describes: `as_of:` in dataset.yaml, else today."""
    named = parse_date(ds.metadata.get("as_of"))
    return named if named is not None else Date(_dt.date.today().isoformat())


def _lanes(voc: Vocabulary) -> list[Property]:
    """The dated affiliations of a person (properties whose values take a schema.org Role,
    as the ontology says), in the ProfilePage's order."""
    return [p for p in voc.profile_properties("Person") if p.schema_org_role]


def _papers(ds: Dataset, voc: Vocabulary, person: Entity) -> list[tuple[Date, Entity]]:
    """The person's dated scholarly works, from an index built once per dataset (one pass
    for all the site's timelines, not one per person)."""
    if "timeline-papers" not in ds.memo:
        index: dict[str, list[tuple[Date, Entity]]] = {}
        scholarly = voc.scholarly_types()
        for w in ds.entities.values():
            if w.type not in scholarly:
                continue
            authors = [str(c.value) for p in voc.by_schema_org(w.type, "author")
                       for c in best_of(w.claims, p.key)]
            dates = [c.value for p in voc.by_schema_org(w.type, "datePublished")
                     for c in best_of(w.claims, p.key) if isinstance(c.value, Date)]
            if dates:
                for author in dict.fromkeys(authors):
                    index.setdefault(author, []).append((dates[0], w))
        ds.memo["timeline-papers"] = index
    found: list[tuple[Date, Entity]] = ds.memo["timeline-papers"].get(person.id, [])
    return found


Bar = tuple[int, str, Date | None, Date | None]  # lane, label, start, end


def _bars(ds: Dataset, voc: Vocabulary, person: Entity) -> tuple[list[Bar], int]:
    """The bars, and how many affiliations have no date to draw them at."""
    bars: list[Bar] = []
    undated = 0
    for lane, prop in enumerate(_lanes(voc)):
        for c in best_of(person.claims, prop.key):
            start, end = c.qualifiers.get("start"), c.qualifiers.get("end")
            if not isinstance(start, Date) and not isinstance(end, Date):
                undated += 1
                continue
            name = ds.entities[str(c.value)].name
            label = f"{name}" + (f" — {c.qualifiers['role']}" if "role" in c.qualifiers else "")
            bars.append((lane, label, start if isinstance(start, Date) else None,
                         end if isinstance(end, Date) else None))
    return bars, undated


def _first_year(bar: Bar) -> float:
    start, end = bar[2], bar[3]
    return _year(start) if start else _year(end) - 1 if end else 0.0


_WIDTH, _LEFT = 900, 20


def _x(lo: int, hi: int, v: float) -> float:
    """Where the year `v` is on an axis from `lo` to `hi`."""
    return round(_LEFT + (v - lo) / max(hi - lo, 1) * (_WIDTH - 2 * _LEFT), 1)


@functools.lru_cache(maxsize=4096)
def _grid(lo: int, hi: int, height: int) -> str:
    """A line and a label for each year from `lo` to `hi`: the same for every person with
    the same years and bar count (most of a timeline's text, on a large site)."""
    out = []
    for year in range(lo, hi + 1):
        at = _x(lo, hi, year)
        out.append(f'<line x1="{at}" y1="20" x2="{at}" y2="{height - 60}" stroke="#eee"/>')
        out.append(f'<text x="{at}" y="14" text-anchor="middle">{year}</text>')
    return "\n".join(out)


def timeline_svg(ds: Dataset, voc: Vocabulary, person: Entity) -> str:
    """Positions, teams and education as bars, papers as dots, on one time axis; a bar
    still open ends at the dataset's `as_of` date (today when it names none); a legend
    says what each colour and mark means, and how many affiliations have no dates."""
    bars, undated = _bars(ds, voc, person)
    papers = _papers(ds, voc, person)
    if not bars and not papers:
        return ""
    now = as_of(ds)
    years = [_year(s) for _, _, s, _ in bars if s] + [_year(e, True) for _, _, _, e in bars if e]
    years += [_year(d) for d, _ in papers]
    if any(end is None for _, _, _, end in bars):
        years.append(_year(now, True))
    lo, hi = int(min(years)), int(max(years)) + 1
    width, left, row_h = _WIDTH, _LEFT, 22
    x = functools.partial(_x, lo, hi)

    bars.sort(key=lambda b: (_first_year(b), b[1]))
    height = 40 + row_h * (len(bars) + 1) + 30 + 40
    out = [f'<svg xmlns="{SVG}" role="group" id="timeline" '
           f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="timeline-title">',
           f'<title id="timeline-title">Career timeline of {_e(person.name)}</title>',
           _grid(lo, hi, height)]
    for n, (lane, label, start, end) in enumerate(bars):
        y = 30 + n * row_h
        x0 = x(_year(start)) if start else x(_year(end) - 1) if end else x(lo)
        x1 = x(_year(end, True)) if end else x(_year(now))
        when = (f"{start.text if start else 'start unknown'}–"
                f"{end.text if end else f'ongoing (as of {now.text})'}")
        bar_w = max(x1 - x0, 3)
        style = "" if start else ' stroke-dasharray="4 3" stroke="#333" fill-opacity=".35"'
        text_w = 7 * len(label)  # about 7 px a character at 12 px
        if text_w + 8 <= bar_w:  # inside the bar
            text = f'<text x="{x0 + 4}" y="{y + row_h - 10}" fill="#fff">{_e(label)}</text>'
        elif x1 + 4 + text_w <= width:  # after it
            text = f'<text x="{x1 + 4}" y="{y + row_h - 10}">{_e(label)}</text>'
        else:  # before it
            text = (f'<text x="{x0 - 4}" y="{y + row_h - 10}" text-anchor="end">'
                    f"{_e(label)}</text>")
        out.append(f'<g><title>{_e(label)}: {_e(when)}</title>'
                   f'<rect x="{x0}" y="{y}" width="{bar_w}" height="{row_h - 6}" '
                   f'rx="3" fill="{_COLORS[lane % len(_COLORS)]}"{style}/>{text}</g>')
    y = 30 + len(bars) * row_h + 8
    out.append(f'<text x="{left}" y="{y + 24}">papers</text>')
    for d, w in sorted(papers, key=lambda p: p[0].text):
        out.append(f'<a href="{_e(w.id)}.html"><circle cx="{x(_year(d))}" cy="{y + 6}" r="5" '
                   f'fill="{_PAPER}"><title>{_e(w.name)} ({_e(d.text)})</title></circle></a>')
    legends = ds.memo.setdefault("timeline-legends", {})
    key = (height - 28, now.text, undated)
    if key not in legends:
        legends[key] = _legend(voc, left, height - 28, now, undated)
    out.append(legends[key])
    out.append("</svg>")
    return "\n".join(out)


def _legend(voc: Vocabulary, left: int, y: int, now: Date, undated: int) -> str:
    """One line: a swatch per lane, the paper dot, the dashed bar, and what ongoing means."""
    parts, at = ['<g id="timeline-legend">'], left
    items = [(f'<rect x="{{x}}" y="{y - 9}" width="12" height="10" rx="2" '
              f'fill="{_COLORS[i % len(_COLORS)]}"/>', p.label)
             for i, p in enumerate(_lanes(voc))]
    items.append((f'<circle cx="{{x6}}" cy="{y - 4}" r="5" fill="{_PAPER}"/>', "paper"))
    items.append((f'<rect x="{{x}}" y="{y - 9}" width="12" height="10" rx="2" fill="#888" '
                  'fill-opacity=".35" stroke="#333" stroke-dasharray="4 3"/>', "start unknown"))
    for mark, label in items:
        parts.append(mark.format(x=at, x6=at + 6))
        parts.append(f'<text x="{at + 16}" y="{y}">{_e(label)}</text>')
        at += 16 + 7 * len(label) + 14
    note = f"open bars run to {now.text}"
    if undated:
        note += f"; {undated} affiliation{'s' * (undated != 1)} without dates not shown"
    parts.append(f'<text x="{left}" y="{y + 20}">{_e(note)}</text>')
    parts.append("</g>")
    return "".join(parts)
