"""The fast SHACL engine and pySHACL (the reference) report identical issues."""

from __future__ import annotations

import pytest
from test_bad_input import CASES

from conftest import REPO
from personkg.checks.report import Report
from personkg.checks.shacl import shacl_check, shacl_results
from personkg.checks.shacl.fast import _minus_for_not_exists
from personkg.compile import compile_dataset
from personkg.reading import load_dataset

SHACL_CASES = [c for c in CASES if c[0] in {
    "end-before-start", "duplicate-series-ordinal", "single-valued-conflict",
    "value-of-wrong-class", "claim-for-another-type-in-the-same-folder"}]


def _issues(root, voc, engine):
    ds = load_dataset(root, voc, Report())
    return sorted(set(shacl_check(compile_dataset(ds, voc), voc, engine)))


def _results(root, voc, engine):
    """The raw SHACL results as a sorted list of (focus, value, path, code, severity,
    message): compared as lists, so a result one engine reports twice counts."""
    ds = load_dataset(root, voc, Report())
    graph = compile_dataset(ds, voc)
    return sorted(tuple(str(getattr(r, k)) for k in ("focus", "value", "path", "code",
                                                     "severity", "message"))
                  for r in shacl_results(graph, voc, engine))


def assert_same(root, voc):
    fast = _results(root, voc, "fast")
    reference = _results(root, voc, "pyshacl")
    assert fast == reference
    assert _issues(root, voc, "fast") == _issues(root, voc, "pyshacl")
    return fast


@pytest.mark.parametrize("case", SHACL_CASES, ids=[c[0] for c in SHACL_CASES])
def test_engines_agree_on_defective_data(mini, voc, case):
    case[1](mini)
    assert assert_same(mini, voc), "the defect must be found"


def test_engines_agree_on_all_defects_at_once(mini, voc):
    for case in SHACL_CASES:
        if case[0] != "value-of-wrong-class":  # it edits the same line as end-before-start
            case[1](mini)
    fast = assert_same(mini, voc)
    assert {r[3] for r in fast} >= {"start-after-end", "duplicate-series-ordinal",
                                    "conflicting-values", "domain"}


# A slice of the embedded dataset, small enough for pySHACL (which takes minutes on all of
# it): these records in full, the records they point to as stubs, and every source.
SLICE = {
    "people": ["jan-leike"],
    "organizations": ["openai-superalignment"],
    "works": ["deep-rl-from-human-preferences", "x-post-2024-05-28-joining-anthropic",
              "measuring-progress-on-scalable-oversight"],
    "quotations": ["lessons-4-01-necessity-of-automated-researchers",
                   "lessons-8-01-entering-the-field", "lessons-1-01-primary-goal-of-alignment",
                   "aiwiki-over-the-past-few-months-my"],
}


def _embedded_slice(dest):
    import shutil

    import yaml

    data = REPO / "data"
    shutil.copytree(data / "sources", dest / "sources")
    shutil.copy(data / "dataset.yaml", dest / "dataset.yaml")
    kept = {rid for ids in SLICE.values() for rid in ids}
    wanted: set[str] = set()
    for kind, ids in SLICE.items():
        (dest / kind).mkdir(exist_ok=True)
        for rid in ids:
            text = (data / kind / f"{rid}.yaml").read_text(encoding="utf-8")
            (dest / kind / f"{rid}.yaml").write_text(text, encoding="utf-8")
            for claims in (yaml.safe_load(text).get("claims") or {}).values():
                for c in claims:
                    wanted.update(str(v) for k, v in c.items()
                                  if k not in ("sources", "note", "reason", "rank"))
    for path in data.glob("*/*.yaml"):
        if path.stem in wanted - kept and path.parent.name != "sources":
            rec = yaml.safe_load(path.read_text(encoding="utf-8"))
            (dest / path.parent.name).mkdir(exist_ok=True)
            stub = {k: rec[k] for k in ("id", "type", "name")}
            (dest / path.parent.name / path.name).write_text(yaml.safe_dump(stub),
                                                            encoding="utf-8")
    return dest


def test_engines_agree_on_a_slice_of_the_embedded_dataset(voc, tmp_path):
    root = _embedded_slice(tmp_path / "data")
    fast = assert_same(root, voc)
    assert {r[3] for r in fast} == {"alternative-values", "weakly-sourced"}


REWRITES = [
    # the pattern of weakly-sourced: both blocks share only ?this with the rest
    ("SELECT ?this WHERE { ?this a <x> . FILTER NOT EXISTS { ?this <p> ?t . "
     "FILTER (?t IN (<a>)) } FILTER NOT EXISTS { ?q ?p ?this ; a <Q> } }",
     "SELECT ?this WHERE { ?this a <x> . MINUS { ?this <p> ?t . FILTER (?t IN (<a>)) } "
     "MINUS { ?q ?p ?this ; a <Q> } }"),
    # ?value is bound outside the block: NOT EXISTS stays
    ("SELECT ?this ?value WHERE { ?this <p> ?value . FILTER (NOT EXISTS { ?this <q> ?value }) }",
     None),
    # braces inside strings do not confuse the block boundaries
    ('SELECT ?this WHERE { ?this <p> "}" . FILTER ( NOT EXISTS { ?this <q> "{" } ) }',
     'SELECT ?this WHERE { ?this <p> "}" . MINUS { ?this <q> "{" } }'),
    # not in the top-level group: a MINUS there would mean something else
    ("SELECT ?this WHERE { ?this <p> ?o . OPTIONAL { ?o <p> ?z "
     "FILTER NOT EXISTS { ?this <q> ?w } } }", None),
    # the block does not mention ?this: MINUS would remove nothing
    ("SELECT ?this WHERE { ?this <p> ?o . FILTER NOT EXISTS { <a> <q> ?w } }", None),
]


@pytest.mark.parametrize("query,expected", REWRITES)
def test_not_exists_becomes_minus_only_where_it_means_the_same(query, expected):
    assert _minus_for_not_exists(query) == (expected or query)


def test_validate_can_run_the_reference_engine(mini, run):
    """`personkg validate --engine pyshacl` prints what the fast engine prints."""
    case = next(c for c in SHACL_CASES if c[0] == "end-before-start")
    case[1](mini)
    fast = run("validate", "--data", str(mini))
    reference = run("validate", "--data", str(mini), "--engine", "pyshacl")
    assert fast.code == reference.code == 1
    assert "start-after-end" in fast.out
    assert reference.out == fast.out
