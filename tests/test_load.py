"""The YAML loader: a text without anchors is built by direct calls (the fast path), a text
with anchors by PyYAML's general constructor; both give the same values with the same
lines. Aliases, merge keys, recursive and duplicate keys behave as YAML says."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_parallel import _shape

from personkg.load import _ANCHOR, LoadProblem, RawRecord, load_file
from personkg.resources import resource_dir

DATA = resource_dir("data")
# (the few with `&name` in a text, like a URL's query, are read by the general one anyway)
RECORDS = [p for p in sorted(DATA.glob("*/*.yaml")) if not _ANCHOR.search(p.read_text("utf-8"))]


def _load(tmp_path: Path, text: str) -> RawRecord | LoadProblem:
    path = tmp_path / "record.yaml"
    path.write_text(text, encoding="utf-8")
    return load_file(path, "people")


@pytest.mark.parametrize("path", RECORDS, ids=[f"{p.parent.name}/{p.stem}" for p in RECORDS])
def test_fast_and_general_paths_give_the_same_record(tmp_path, path):
    text = path.read_text(encoding="utf-8")
    fast = _load(tmp_path, text)
    general = _load(tmp_path, text + "# &anchor in a comment: the general constructor\n")
    assert isinstance(fast, RawRecord) and isinstance(general, RawRecord)
    assert _shape(fast.data) == _shape(general.data)


def test_aliases_and_merge_keys(tmp_path):
    text = ("id: ada\n"              # 1
            "base: &b\n"             # 2
            "  kind: person\n"       # 3
            "  tags: [x, y]\n"       # 4
            "copy: *b\n"             # 5
            "merged:\n"              # 6
            "  <<: *b\n"             # 7
            "  kind: override\n"     # 8
            "inline:\n"              # 9
            "  <<: {a: 1, b: 0}\n"   # 10
            "  b: 2\n")              # 11
    rec = _load(tmp_path, text)
    assert isinstance(rec, RawRecord)
    d = rec.data
    assert d["copy"] is d["base"]  # an alias is the anchored value itself
    assert d["merged"] == {"kind": "override", "tags": ["x", "y"]}
    assert d["merged"].key_lines == {"kind": 8, "tags": 4}
    assert d["inline"] == {"a": 1, "b": 2} and d["inline"].key_lines == {"a": 10, "b": 11}
    # and without the anchored part: an inline merge on the fast path
    rec = _load(tmp_path, "id: ada\ninline:\n  <<: {a: 1, b: 0}\n  b: 2\n")
    assert isinstance(rec, RawRecord)
    assert rec.data["inline"] == {"a": 1, "b": 2} and rec.data["inline"].key_lines["b"] == 4


@pytest.mark.parametrize("text,line,message", [
    ("id: ada\nx: &r\n  - *r\n", 2, "an alias refers to a value that contains it"),
    ("id: ada\nbase: &b {k: 1}\nm:\n  <<: *b\n  j: 2\n  j: 3\n", 6, "duplicate key 'j'"),
    ("id: ada\nroles:\n  - a: 1\n    a: 2\n", 4, "duplicate key 'a'"),
    ("id: ada\nroles:\n  - a: 1\n    a: 2\n# &x\n", 4, "duplicate key 'a'"),
    ("id: ada\nwhen: !custom 2020-01-01\n", 2, "could not determine a constructor"),
])
def test_bad_structure_is_a_problem_at_its_line(tmp_path, text, line, message):
    got = _load(tmp_path, text)
    assert isinstance(got, LoadProblem)
    assert (got.code, got.line) == ("yaml-syntax", line)
    assert message in got.message


def test_plain_scalars_keep_their_types_on_both_paths(tmp_path):
    text = "id: ada\nlist:\n  - 2017\n  - true\n  - yes\n  - 2024-05-16\n  - ~\n  - '1'\n"
    for extra in ("", "# &x\n"):
        rec = _load(tmp_path, text + extra)
        assert isinstance(rec, RawRecord)
        assert rec.data["list"] == [2017, True, "yes", "2024-05-16", None, "1"]
        assert rec.data["list"].item_lines == [3, 4, 5, 6, 7, 8]
