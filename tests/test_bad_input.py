"""Each kind of bad input: the right exit code, one line naming file and line, no traceback,
and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_process
from personkg import runtime


def _write(root: Path, rel: str, text: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ADA = "people/ada-example.yaml"
PAPER = "works/example-paper.yaml"

# (name, edit, code, file, line): `edit(root)` injects one defect into the mini dataset;
# the report must name that code at that file and line. Lines were read off the fixture.
CASES = [
    ("malformed-yaml", lambda r: _replace(r, ADA, "name: Ada Example", "name: [Ada"),
     "yaml-syntax", "ada-example.yaml", 4),
    ("unknown-top-level-key", lambda r: _replace(r, ADA, "name: Ada Example",
                                                 "name: Ada Example\nnickname: Ada"),
     "unknown-key", "ada-example.yaml", 4),
    ("wrong-type", lambda r: _replace(r, ADA, "name: Ada Example", "name: [Ada, Example]"),
     "wrong-type", "ada-example.yaml", 3),
    ("month-13", lambda r: _replace(r, ADA, "end: 2021-03", "end: 2024-13-01"),
     "bad-date", "ada-example.yaml", 9),
    ("month-name", lambda r: _replace(r, ADA, "end: 2021-03", "end: May 2024"),
     "bad-date", "ada-example.yaml", 9),
    ("day-31-february", lambda r: _replace(r, PAPER, "value: 2019-06-12", "value: 2019-02-30"),
     "bad-date", "example-paper.yaml", 17),
    ("unknown-id", lambda r: _replace(r, ADA, "- value: acme\n      start: 2016",
                                      "- value: acme-corp\n      start: 2016"),
     "unknown-id", "ada-example.yaml", 7),
    ("duplicate-id", lambda r: _write(r, "people/acme.yaml",
                                      "id: acme\ntype: Person\nname: Acme the person\n"),
     "duplicate-id", "acme.yaml", 1),
    ("duplicate-id-in-a-copy", lambda r: _write(r, "organizations/acme-copy.yaml",
                                                "id: acme\ntype: Company\nname: Acme again\n"),
     "duplicate-id", "acme-copy.yaml", 1),
    ("claim-without-sources", lambda r: _replace(r, PAPER, "      sources: [acme-site]\n  author",
                                                 "  author"),
     "claim-without-source", "example-paper.yaml", 6),
    ("empty-sources", lambda r: _replace(r, PAPER, "      sources: [acme-site]\n  author",
                                         "      sources: []\n  author"),
     "claim-without-source", "example-paper.yaml", 7),
    ("unknown-source", lambda r: _replace(r, ADA, "sources: [gossip-wiki]",
                                          "sources: [gossip-blog]"),
     "unknown-source", "ada-example.yaml", 18),
    ("end-before-start", lambda r: _replace(r, ADA, "end: 2021-03", "end: 2015-03"),
     "start-after-end", "ada-example.yaml", 7),
    ("deprecated-without-reason",
     lambda r: _replace(r, ADA, "      reason: The Acme site says 2016.\n", ""),
     "deprecated-without-reason", "ada-example.yaml", 14),
    ("non-utf8", lambda r: _write(r, ADA, b"id: ada-example\ntype: Person\nname: Ad"
                                  + b"\xe9\n"),
     "not-utf8", "ada-example.yaml", 3),
    ("duplicate-series-ordinal", lambda r: _replace(r, PAPER, "series_ordinal: 2",
                                                    "series_ordinal: 1"),
     "duplicate-series-ordinal", "example-paper.yaml", 9),
    ("series-ordinal-zero", lambda r: _replace(r, PAPER, "series_ordinal: 2", "series_ordinal: 0"),
     "bad-value", "example-paper.yaml", 13),
    ("single-valued-conflict", lambda r: _replace(
        r, PAPER, "  publication_date:\n",
        "  publication_date:\n    - value: 2019-07\n      sources: [acme-site]\n"),
     "conflicting-values", "example-paper.yaml", 19),
    ("value-of-wrong-class", lambda r: _replace(r, ADA, "- value: acme\n      start: 2016",
                                                "- value: bob-example\n      start: 2016"),
     "value-type", "ada-example.yaml", 7),
    ("claim-outside-domain", lambda r: _replace(r, "organizations/acme.yaml", "  inception:",
                                                "  employer:\n    - value: acme\n"
                                                "      sources: [acme-site]\n  inception:"),
     "unknown-key", "acme.yaml", 5),
    ("claim-for-another-type-in-the-same-folder", lambda r: _replace(
        r, PAPER, "  publication_date:\n",
        "  guest:\n    - value: bob-example\n      sources: [acme-site]\n  publication_date:\n"),
     "domain", "example-paper.yaml", 1),
    ("id-differs-from-file-name", lambda r: _replace(r, "people/bob-example.yaml",
                                                     "id: bob-example", "id: robert-example"),
     "id-mismatch", "bob-example.yaml", 1),
    ("duplicate-key", lambda r: _replace(r, ADA, "name: Ada Example",
                                         "name: Ada Example\nname: Ada"),
     "yaml-syntax", "ada-example.yaml", 4),
]


@pytest.mark.parametrize("name,edit,code,file,line", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_at_its_line(mini, run, name, edit, code, file, line):
    edit(mini)
    result = run("validate", "--data", str(mini))
    assert result.code == 1, result.out + result.err
    lines = [ln for ln in result.out.splitlines() if f" {code}: " in ln]
    assert lines, f"no {code} issue in:\n{result.out}"
    assert any(f"{file}:{line}: error {code}:" in ln for ln in lines), result.out
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize("fixture", ["mini", "second"])
@pytest.mark.parametrize("command", ["validate", "build", "site"])
def test_a_dataset_without_dataset_yaml_is_refused(tmp_path, fixture, command):
    """Without dataset.yaml a dataset names no base: its entities would get IRIs in another
    dataset's namespace (the default base is the showcase's). An error, and nothing written."""
    import shutil

    from conftest import FIXTURES

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / fixture, data)
    (data / "dataset.yaml").unlink()
    out = tmp_path / "out"
    args = ["--out", str(out)] if command != "validate" else []
    result = run_process(command, "--no-cache", "--data", str(data), *args)
    assert result.code == 1, result.out + result.err
    said = result.out + result.err
    assert f"{data / 'dataset.yaml'}: error no-dataset-file: dataset.yaml is missing" in said
    assert "Traceback" not in said
    assert not out.exists()


@pytest.mark.parametrize("name,edit,code,file,line", CASES[:4], ids=[c[0] for c in CASES[:4]])
def test_export_refuses_bad_data_and_writes_nothing(mini, run, tmp_path, name, edit, code, file,
                                                    line):
    edit(mini)
    out = tmp_path / "out.ttl"
    result = run("export", "--data", str(mini), "--format", "turtle", "-o", str(out))
    assert result.code == 1
    assert f"{file}:{line}:" in result.err
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []


@pytest.mark.parametrize("min_triples", [200_000, 0], ids=["shacl-first", "shacl-in-a-thread"])
def test_build_with_bad_data_keeps_the_previous_output(mini, run, tmp_path, monkeypatch,
                                                       min_triples):
    # on a large graph SHACL runs in a thread while the exports are being written
    monkeypatch.setattr(runtime, "MIN_TRIPLES", min_triples)
    out = tmp_path / "build"
    assert run("build", "--data", str(mini), "--out", str(out)).code == 0
    before = (out / "dataset.ttl").read_bytes()
    _replace(mini, ADA, "end: 2021-03", "end: 2015-03")  # only SHACL finds this
    result = run("build", "--data", str(mini), "--out", str(out))
    assert result.code == 1
    assert "ada-example.yaml:7: error start-after-end" in result.err
    assert result.err.strip().endswith("nothing was written")
    assert (out / "dataset.ttl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "data"]


def test_missing_data_dir_exits_2(run, tmp_path):
    result = run("validate", "--data", str(tmp_path / "nope"))
    assert result.code == 2
    assert result.err.strip() == f"personkg: {tmp_path / 'nope'}: data directory does not exist"


def test_empty_data_dir_exits_2(run, tmp_path):
    result = run("validate", "--data", str(tmp_path))
    assert result.code == 2
    assert "no records found" in result.err


def test_unreadable_record_exits_2_without_traceback(mini):
    (mini / "people" / "ghost.yaml").symlink_to(mini / "nowhere.yaml")
    result = run_process("validate", "--data", str(mini))
    assert result.code == 2
    assert result.err.strip() == (f"personkg: {mini / 'people' / 'ghost.yaml'}: cannot read: "
                                  "the link points to a missing file")


def test_unreadable_data_dir_exits_2_without_traceback(tmp_path):
    not_a_dir = tmp_path / "file.yaml"
    not_a_dir.write_text("x: 1\n")
    result = run_process("validate", "--data", str(not_a_dir))
    assert result.code == 2
    assert result.err.strip().endswith("not a directory")
    assert "Traceback" not in result.err


def test_every_problem_is_reported_once(mini, run):
    _replace(mini, ADA, "end: 2021-03", "end: 2015-03")
    result = run("validate", "--data", str(mini), "--format", "json")
    import json

    report = json.loads(result.out)
    keys = [(i["code"], i["path"], i["line"]) for i in report["issues"]]
    assert len(keys) == len(set(keys)) == 1
