"""The compiled record-schema validator (jsonschema-rs) and the reference implementation
(jsonschema) give every record the same verdict, so the fast path never lets through a
record the reference would reject, nor rejects one it accepts."""

from __future__ import annotations

import pytest
from test_bad_input import CASES

from conftest import REPO
from personkg.checks.records import _fast_validator, _validator
from personkg.load import RawRecord, load_dir
from personkg.resources import resource_dir


def _verdicts(root, voc):
    shapes = str(resource_dir("shapes"))
    out = []
    for rec in load_dir(root, voc.kinds()):
        if isinstance(rec, RawRecord):
            fast = _fast_validator(shapes, rec.kind).is_valid(rec.data)
            reference = not any(True for _ in _validator(shapes, rec.kind).iter_errors(rec.data))
            out.append((rec.path.name, fast, reference))
    return out


def test_same_verdict_on_every_embedded_record(voc):
    verdicts = _verdicts(REPO / "data", voc)
    assert len(verdicts) > 300
    assert [v for v in verdicts if v[1] != v[2]] == []


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_same_verdict_on_each_bad_input(mini, voc, case):
    case[1](mini)
    verdicts = _verdicts(mini, voc)
    assert [v for v in verdicts if v[1] != v[2]] == []


def test_the_fast_validator_rejects_what_the_reference_rejects(mini, voc):
    """The cases above include records both reject (so agreement is not vacuous)."""
    rejected = 0
    for case in CASES:
        if case[2] in ("bad-date", "wrong-type", "unknown-key", "claim-without-source"):
            root = mini.parent / f"case-{case[0]}"
            import shutil

            shutil.copytree(mini, root)
            case[1](root)
            rejected += sum(1 for _n, fast, ref in _verdicts(root, voc) if not fast and not ref)
    assert rejected >= 5
