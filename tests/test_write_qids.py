"""`reconcile --write` edits only the `wikidata:` value of each record, keeps every other
byte (CRLF line endings, comments, a multi-line name), prepares every file before it
writes any, and reports a record it cannot edit safely instead of half-writing it
(issue 16, class 6)."""

from __future__ import annotations

from pathlib import Path

from personkg.model import Dataset, Entity
from personkg.wikidata.reconcile import Match, Reconciliation, write_qids


def _setup(tmp_path: Path, files: dict[str, bytes]) -> tuple[Dataset, Reconciliation]:
    ds = Dataset(root=tmp_path)
    rec = Reconciliation()
    for n, (name, raw) in enumerate(files.items(), 1):
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(raw)
        ds.entities[name] = Entity(id=name, type="Person", name=name, path=path)
        rec.matches.append(Match(name, f"Q99{n}", "high", ["test"]))
    return ds, rec


def test_crlf_file_keeps_every_line_ending(tmp_path):
    raw = b"id: a\r\ntype: Person\r\nname: A  # a comment\r\nwikidata: null\r\ndescription: d\r\n"
    ds, rec = _setup(tmp_path, {"a": raw})
    written, refused = write_qids(ds, rec)
    assert not refused and written == [tmp_path / "a.yaml"]
    assert (tmp_path / "a.yaml").read_bytes() == raw.replace(b"wikidata: null",
                                                             b"wikidata: Q991")


def test_missing_wikidata_line_is_inserted_with_the_file_line_ending(tmp_path):
    raw = b"id: a\r\ntype: Person\r\nname: A\r\nclaims: {}\r\n"
    ds, rec = _setup(tmp_path, {"a": raw})
    write_qids(ds, rec)
    assert (tmp_path / "a.yaml").read_bytes() == (
        b"id: a\r\ntype: Person\r\nname: A\r\nwikidata: Q991\r\nclaims: {}\r\n")


def test_multi_line_name_is_edited_without_breaking_it(tmp_path):
    folded = b"id: a\ntype: Person\nname: Ada\n  Example\ndescription: d\n"
    block = b"id: b\ntype: Person\nname: |\n  Bob\n  Example\n"
    ds, rec = _setup(tmp_path, {"a": folded, "b": block})
    written, refused = write_qids(ds, rec)
    assert not refused and len(written) == 2
    assert (tmp_path / "a.yaml").read_bytes() == (
        b"id: a\ntype: Person\nname: Ada\n  Example\nwikidata: Q991\ndescription: d\n")
    assert (tmp_path / "b.yaml").read_bytes() == block + b"wikidata: Q992\n"


def test_a_record_it_cannot_edit_is_reported_and_no_file_is_half_written(tmp_path):
    good = b"id: a\ntype: Person\nname: A\nwikidata: ~\n"
    odd = b"id: b\ntype: Person\nname: B\nwikidata:\n  null\n"
    flow = b"{id: c, type: Person, name: C}\n"
    ds, rec = _setup(tmp_path, {"a": good, "b": odd, "c": flow})
    written, refused = write_qids(ds, rec)
    assert written == [tmp_path / "a.yaml"]
    assert (tmp_path / "a.yaml").read_bytes() == b"id: a\ntype: Person\nname: A\nwikidata: Q991\n"
    assert {r.path.name for r in refused} == {"b.yaml", "c.yaml"}
    assert (tmp_path / "b.yaml").read_bytes() == odd
    assert (tmp_path / "c.yaml").read_bytes() == flow
    for r in refused:
        assert "\n" not in str(r) and f"{r.path.name}:{r.line}: error: " in str(r)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_file_mode_is_kept(tmp_path):
    raw = b"id: a\ntype: Person\nname: A\n"
    ds, rec = _setup(tmp_path, {"a": raw})
    (tmp_path / "a.yaml").chmod(0o640)
    write_qids(ds, rec)
    assert (tmp_path / "a.yaml").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "a.yaml").read_bytes() == raw + b"wikidata: Q991\n"
