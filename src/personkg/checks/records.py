"""Layer 2: each record against the JSON Schema of its kind, reported at its lines (the words
are `messages.py`'s); and the model of a record that passed (`prepare`, run by the process
that read the record).

Two validators read the same schema files: jsonschema-rs (compiled, fast) decides
whether a record is valid, and only for an invalid record does the jsonschema
reference implementation list the errors that the messages are made from. A test
holds the two to the same verdict on every record and every bad-input case.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from ..compile import content_hash
from ..errors import RunError
from ..load import LineDict, RawRecord
from ..model import AuthorList, entity_from_raw, parse_date, source_from_raw
from .messages import Wording, schema_issues
from .report import Issue

__all__ = ["schema_check", "prepare", "Wording"]


@cache
def _schema(shapes_dir: str, kind: str) -> dict:
    path = Path(shapes_dir) / f"{kind}.schema.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{path}: cannot read the record schema: {exc}") from None


def _is_date(v: Any) -> bool:
    return not isinstance(v, (str, int)) or isinstance(v, bool) or parse_date(v) is not None


@cache
def _fast_validator(shapes_dir: str, kind: str) -> Any:
    return jsonschema_rs.validator_for(_schema(shapes_dir, kind), validate_formats=True,
                                       formats={"personkg-date": _is_date})


@cache
def _validator(shapes_dir: str, kind: str) -> Any:
    import jsonschema

    schema = _schema(shapes_dir, kind)
    checker = jsonschema.FormatChecker()
    checker.checks("personkg-date")(_is_date)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=checker)


def schema_check(rec: RawRecord, shapes_dir: Path, wording: Wording) -> list[Issue]:
    """The record's problems against the JSON Schema of its kind, said with `wording`."""
    if _fast_validator(str(shapes_dir), rec.kind).is_valid(rec.data):
        return []
    validator = _validator(str(shapes_dir), rec.kind)
    issues = [i for e in validator.iter_errors(rec.data) for i in schema_issues(rec, e, wording)]
    # one issue per place: the first is the most specific
    seen: set[tuple[str, int]] = set()
    out = []
    for i in sorted(issues, key=lambda i: i.line):
        if (i.code, i.line) not in seen:
            seen.add((i.code, i.line))
            out.append(i)
    return out


def prepare(shapes_dir: Path, value_kinds: dict[str, str], qualifier_kinds: dict[str, str],
            authors: AuthorList | None, wording: Wording, rec: RawRecord) -> None:
    """Layer 2 and the model of one record, done by the process that read it (see
    `load_dir`): `rec.prepared` is the list of schema problems, or the Source or Entity
    (its claims' content hashes worked out). A valid record then keeps only its id: the
    rest is in the model, and is not copied between processes twice."""
    problems = schema_check(rec, shapes_dir, wording)
    if problems:
        rec.prepared = problems
        return
    if rec.kind == "sources":
        rec.prepared = source_from_raw(rec)
    else:
        ent = rec.prepared = entity_from_raw(rec, value_kinds, qualifier_kinds, authors)
        for claim in ent.claims:
            content_hash(claim)
    rid, slim = rec.data["id"], LineDict()
    slim["id"], slim.line, slim.key_lines["id"] = rid, rec.data.line, rec.data.key_lines["id"]
    rec.data = slim


