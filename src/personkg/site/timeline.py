"""The career timeline of a person's page: positions, teams and education as bars, papers
as dots, on one time axis, as inline SVG."""

from __future__ import annotations

import html

from ..compile import best_of
from ..model import Dataset, Date, Entity
from ..namespaces import SVG
from ..vocab import Vocabulary

__all__ = ["timeline_svg"]

LANES = (("employer", "position"), ("member_of", "team"), ("educated_at", "education"))


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _year(d: Date, end: bool = False) -> float:
    parts = [int(x) for x in d.text.split("-")]
    y = float(parts[0])
    if len(parts) == 1:
        return y + (1.0 if end else 0.0)
    m = parts[1] - 1 + (1 if end and len(parts) == 2 else 0)
    day = (parts[2] - 1) / 30 if len(parts) == 3 else 0
    return y + (m + day) / 12


def timeline_svg(ds: Dataset, voc: Vocabulary, person: Entity) -> str:
    """Positions, teams and education as bars, papers as dots, on one time axis."""
    bars = []
    for key, lane in LANES:
        for c in best_of(person.claims, key):
            start, end = c.qualifiers.get("start"), c.qualifiers.get("end")
            if not isinstance(start, Date) and not isinstance(end, Date):
                continue
            name = ds.entities[str(c.value)].name
            label = f"{name}" + (f" — {c.qualifiers['role']}" if "role" in c.qualifiers else "")
            bars.append((lane, label, start if isinstance(start, Date) else None,
                         end if isinstance(end, Date) else None))
    papers = []
    scholarly = voc.scholarly_types()
    for w in ds.entities.values():
        if w.type not in scholarly:
            continue
        authors = [str(c.value) for c in best_of(w.claims, "author")]
        dates = [c.value for c in best_of(w.claims, "publication_date")
                 if isinstance(c.value, Date)]
        if person.id in authors and dates:
            papers.append((dates[0], w))
    if not bars and not papers:
        return ""
    years = [_year(s) for _, _, s, _ in bars if s] + [_year(e, True) for _, _, _, e in bars if e]
    years += [_year(d) for d, _ in papers]
    lo, hi = int(min(years)), int(max(years)) + 1
    now_open = hi
    width, left, row_h = 900, 20, 22
    span = max(hi - lo, 1)

    def x(v: float) -> float:
        return round(left + (v - lo) / span * (width - 2 * left), 1)

    def first_year(bar: tuple[str, str, Date | None, Date | None]) -> float:
        start, end = bar[2], bar[3]
        return _year(start) if start else _year(end) - 1 if end else 0.0

    bars.sort(key=lambda b: (first_year(b), b[1]))
    height = 40 + row_h * (len(bars) + 1) + 30
    out = [f'<svg xmlns="{SVG}" role="img" id="timeline" '
           f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="timeline-title">',
           f'<title id="timeline-title">Career timeline of {_e(person.name)}</title>']
    for year in range(lo, hi + 1):
        out.append(f'<line x1="{x(year)}" y1="20" x2="{x(year)}" y2="{height - 20}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{x(year)}" y="14" text-anchor="middle">{year}</text>')
    colors = {"position": "#4c78a8", "team": "#f58518", "education": "#54a24b"}
    for n, (lane, label, start, end) in enumerate(bars):
        y = 30 + n * row_h
        x0 = x(_year(start)) if start else x(_year(end) - 1)  # type: ignore[arg-type]
        x1 = x(_year(end, True)) if end else x(now_open)
        when = f"{start.text if start else 'start unknown'}–{end.text if end else 'ongoing'}"
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
                   f'rx="3" fill="{colors[lane]}"{style}/>{text}</g>')
    y = 30 + len(bars) * row_h + 8
    out.append(f'<text x="{left}" y="{y + 24}">papers</text>')
    for d, w in sorted(papers, key=lambda p: p[0].text):
        out.append(f'<a href="{_e(w.id)}.html"><circle cx="{x(_year(d))}" cy="{y + 6}" r="5" '
                   f'fill="#b279a2"><title>{_e(w.name)} ({_e(d.text)})</title></circle></a>')
    out.append("</svg>")
    return "\n".join(out)
