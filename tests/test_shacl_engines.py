"""The fast SHACL engine and pySHACL (the reference) report identical issues."""

from __future__ import annotations

import pytest
from test_bad_input import CASES

from conftest import REPO
from personkg.graph import compile_dataset
from personkg.report import Report
from personkg.shacl import shacl_check
from personkg.validate import load_dataset

SHACL_CASES = [c for c in CASES if c[0] in {
    "end-before-start", "duplicate-series-ordinal", "single-valued-conflict",
    "value-of-wrong-class", "claim-for-another-type-in-the-same-folder"}]


def _issues(root, voc, engine):
    ds = load_dataset(root, voc, Report())
    return sorted(set(shacl_check(compile_dataset(ds, voc), voc, engine)))


@pytest.mark.parametrize("case", SHACL_CASES, ids=[c[0] for c in SHACL_CASES])
def test_engines_agree_on_defective_data(mini, voc, case):
    case[1](mini)
    fast = _issues(mini, voc, "fast")
    assert fast, "the defect must be found"
    assert fast == _issues(mini, voc, "pyshacl")


def test_engines_agree_on_all_defects_at_once(mini, voc):
    for case in SHACL_CASES:
        if case[0] != "value-of-wrong-class":  # it edits the same line as end-before-start
            case[1](mini)
    fast = _issues(mini, voc, "fast")
    assert {i.code for i in fast} >= {"start-after-end", "duplicate-series-ordinal",
                                      "conflicting-values", "domain"}
    assert fast == _issues(mini, voc, "pyshacl")


def test_engines_agree_on_the_embedded_dataset(voc):
    fast = _issues(REPO / "data", voc, "fast")
    assert {i.code for i in fast} == {"alternative-values", "weakly-sourced"}
    assert fast == _issues(REPO / "data", voc, "pyshacl")
