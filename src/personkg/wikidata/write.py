"""`personkg reconcile --write`: store accepted QIDs in the records (entities and sources),
changing only their top-level `wikidata:` value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..checks.report import display_path
from ..model import Dataset
from ..output import write_many

if TYPE_CHECKING:
    from .reconcile import Reconciliation

__all__ = ["Refused", "write_qids"]

_WIKIDATA_LINE = re.compile(r"wikidata:([ \t]*)(?:null|~)?([ \t]*(?:#.*)?)")
_LINES = re.compile(r"(?<=\n)")


@dataclass(frozen=True)
class Refused:
    """A record `write_qids` could not edit safely: left as it was."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: error: QID not written: {self.reason}"


def _plain(node: object) -> object:
    """A ruamel.yaml document as plain data, to compare two readings."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _edited(raw: bytes, qid: str) -> bytes | tuple[int, str]:
    """`raw` with `wikidata: <qid>` in its top-level mapping, every other byte (line endings,
    comments, encoding) as it was; or (line, why) when that cannot be done safely."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="rt")
    try:
        text = raw.decode("utf-8")
        doc = yaml.load(text)
    except (UnicodeDecodeError, YAMLError) as exc:
        return 1, f"the file cannot be read again ({type(exc).__name__})"
    if not isinstance(doc, CommentedMap) or doc.fa.flow_style():
        return 1, "the record is not a block mapping"
    lines = _LINES.split(text)
    ending = "\r\n" if lines[0].endswith("\r\n") else "\n"
    if "wikidata" in doc:
        n = doc.lc.key("wikidata")[0]
        body = lines[n].rstrip("\r\n")
        m = _WIKIDATA_LINE.fullmatch(body)
        if m is None:
            return n + 1, "the wikidata: line is not a plain empty value"
        lines[n] = f"wikidata:{m.group(1) or ' '}{qid}{m.group(2)}{lines[n][len(body):]}"
    else:
        keys = list(doc)
        named = [k for k in ("name", "title") if k in doc]  # an entity's name, a source's title
        after = keys.index(named[0]) + 1 if named else 1
        if after < len(keys):  # before the next top-level key: never inside a value
            n = doc.lc.key(keys[after])[0]
            lines.insert(n, f"wikidata: {qid}{ending}")
        else:
            if lines[-1] and not lines[-1].endswith("\n"):
                lines[-1] += ending
            lines.append(f"wikidata: {qid}{ending}")
    new = "".join(lines)
    try:
        check = yaml.load(new)
    except YAMLError:
        check = None
    before = _plain(doc)
    assert isinstance(before, dict)
    if not isinstance(check, dict) or _plain(check) != {**before, "wikidata": qid}:
        return 1, "the edit would change more than the wikidata: value"
    return new.encode("utf-8")


def write_qids(ds: Dataset, rec: Reconciliation, also: tuple[tuple[Path, bytes], ...] = ()
               ) -> tuple[list[Path], list[Refused]]:
    """Store accepted QIDs in the records (entities, and sources for `stated in`): only the
    top-level `wikidata:` value of each file changes, every other byte (line endings
    included) is kept. Every file is read and its
    edit checked first (with ruamel.yaml, reading the result back); a record that cannot be
    edited safely is refused and left as it is; only then is each edited file replaced
    atomically, together with the files `also` (the verdicts file): all are written, or,
    when one cannot be, none. Returns the records written and the records refused."""
    planned: list[tuple[Path, bytes]] = []
    refused: list[Refused] = []
    for m in rec.matches:
        if not m.accepted or m.qid is None:
            continue
        record = ds.sources.get(m.entity) if m.kind == "source" else ds.entities.get(m.entity)
        if record is None:
            continue
        path = record.path
        try:
            raw = path.read_bytes()
        except OSError as exc:
            refused.append(Refused(path, 0, f"cannot read: {exc.strerror}"))
            continue
        done = _edited(raw, m.qid)
        if isinstance(done, bytes):
            planned.append((path, done))
        else:
            refused.append(Refused(path, *done))
    write_many([*planned, *also])
    return [p for p, _ in planned], refused
