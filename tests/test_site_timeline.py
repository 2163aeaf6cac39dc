"""The career timeline (`site.timeline`): a year line and label for each year its bars and
papers span, and the same SVG whether its year grid and legend are remembered across people
or worked out for each (on generated data, where people share year ranges)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from conftest import REPO, generate
from personkg import pipeline
from personkg.namespaces import SVG
from personkg.site import timeline
from personkg.site.timeline import timeline_svg


def _people(root):
    checked, voc = pipeline.loaded_for_writing(root)
    ds = checked.dataset
    return ds, voc, [e for e in ds.entities.values() if e.type == "Person"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return _people(generate(tmp_path_factory.mktemp("tl") / "data", 40, 0))


def test_remembered_grid_and_legend_give_the_same_svg(generated):
    ds, voc, people = generated
    remembered = [timeline_svg(ds, voc, e) for e in people]
    fresh = []
    for e in people:
        timeline._grid.cache_clear()
        ds.memo.pop("timeline-legends", None)
        fresh.append(timeline_svg(ds, voc, e))
    assert remembered == fresh
    assert len({svg for svg in remembered if svg}) > 1
    assert len({timeline._x(0, 0, 0), timeline._x(0, 1, 1)}) == 2


def test_a_label_for_each_year_the_timeline_spans(generated):
    ds, voc, people = generated
    spans = set()
    for e in people:
        svg = timeline_svg(ds, voc, e)
        if not svg:
            continue
        root = ET.fromstring(svg)
        labels = [t.text for t in root.findall(f"{{{SVG}}}text")
                  if t.get("text-anchor") == "middle"]
        years = [int(x) for x in labels]
        assert years == list(range(years[0], years[-1] + 1))
        lines = root.findall(f"{{{SVG}}}line")
        assert len(lines) == len(years)
        height = int(root.get("viewBox").split()[3])
        assert {line.get("y2") for line in lines} == {str(height - 60)}
        spans.add((years[0], years[-1], height))
    assert len(spans) > 1  # people with other years or other bar counts


def test_the_legend_counts_each_persons_undated_affiliations():
    """The showcase's people have 0 to 5 affiliations without dates: each legend says its
    own count, though legends are remembered by count and height across people."""
    ds, voc, people = _people(REPO / "data")
    lanes = {p.key for p in timeline._lanes(voc)}
    remembered = {e.id: timeline_svg(ds, voc, e) for e in people}
    counts = set()
    for e in people:
        ds.memo.pop("timeline-legends", None)
        timeline._grid.cache_clear()
        assert timeline_svg(ds, voc, e) == remembered[e.id], e.id
        found = re.search(r"(\d+) affiliations? without dates not shown", remembered[e.id])
        undated = sum(1 for c in e.claims
                      if c.property in lanes and not {"start", "end"} & set(c.qualifiers))
        assert (int(found.group(1)) if found else 0) <= undated, e.id
        counts.add(int(found.group(1)) if found else 0)
    assert len(counts) > 2
