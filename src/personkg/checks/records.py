"""Layer 2: each record against the JSON Schema of its kind, reported at its lines; and the
model of a record that passed (`prepare`, run by the process that read the record).

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
from ..load import LineDict, RawRecord, line_of
from ..model import AuthorList, entity_from_raw, parse_date, source_from_raw
from .report import Issue

__all__ = ["schema_check", "prepare"]


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


def _dotted(path: Any) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "record"


def _schema_issue(rec: RawRecord, err: Any) -> Issue:
    """One jsonschema ValidationError as an issue at its line."""
    from jsonschema.exceptions import best_match

    if err.context:  # anyOf/oneOf: the most relevant branch says more
        err = best_match(err.context)
    where = list(err.absolute_path)
    inst = err.instance
    v = err.validator
    line = line_of(rec.data, where)
    at = _dotted(where)
    if v == "additionalProperties" and isinstance(inst, LineDict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted((k for k in inst if k not in allowed), key=str)
        key = extra[0] if extra else "?"
        line = inst.key_lines.get(key, line)
        hint = ", ".join(sorted(allowed))
        return Issue.at(rec.path, line, "unknown-key",
                        f"{at}: unknown key {key!r} (allowed here: {hint})", layer="schema")
    if v == "required":
        missing = [k for k in err.validator_value if k not in inst]
        name = missing[0] if missing else "?"
        if name == "sources":
            return Issue.at(rec.path, line, "claim-without-source",
                            f"{at}: the claim has no sources; every claim needs at least one",
                            layer="schema")
        if name == "reason":
            return Issue.at(rec.path, line, "deprecated-without-reason",
                            f"{at}: a deprecated claim must say why (reason: ...)", layer="schema")
        return Issue.at(rec.path, line, "missing-key", f"{at}: missing required key {name!r}",
                        layer="schema")
    if v == "minItems" and where and where[-1] == "sources":
        return Issue.at(rec.path, line, "claim-without-source",
                        f"{at}: empty sources; every claim needs at least one", layer="schema")
    if v in ("format", "pattern", "minimum", "maximum") and err.schema.get(
            "format") == "personkg-date":
        return Issue.at(rec.path, line, "bad-date",
                        f"{at}: {inst!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD "
                        "(a real calendar date)", layer="schema")
    if v == "type":
        want = err.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return Issue.at(rec.path, line, "wrong-type",
                        f"{at}: expected {want}, got {_json_type(inst)} {_plain(inst)!r}",
                        layer="schema")
    if v == "enum":
        return Issue.at(rec.path, line, "bad-value",
                        f"{at}: {inst!r} is not one of {', '.join(map(str, err.validator_value))}",
                        layer="schema")
    return Issue.at(rec.path, line, "bad-value", f"{at}: {err.message}", layer="schema")


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string"}.get(type(value), "null")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def schema_check(rec: RawRecord, shapes_dir: Path) -> list[Issue]:
    if _fast_validator(str(shapes_dir), rec.kind).is_valid(rec.data):
        return []
    validator = _validator(str(shapes_dir), rec.kind)
    issues = [_schema_issue(rec, e) for e in validator.iter_errors(rec.data)]
    # one issue per place: the first is the most specific
    seen: set[tuple[str, int]] = set()
    out = []
    for i in sorted(issues, key=lambda i: i.line):
        if (i.code, i.line) not in seen:
            seen.add((i.code, i.line))
            out.append(i)
    return out


def prepare(shapes_dir: Path, value_kinds: dict[str, str], qualifier_kinds: dict[str, str],
            authors: AuthorList | None, rec: RawRecord) -> None:
    """Layer 2 and the model of one record, done by the process that read it (see
    `load_dir`): `rec.prepared` is the list of schema problems, or the Source or Entity
    (its claims' content hashes worked out). A valid record then keeps only its id: the
    rest is in the model, and is not copied between processes twice."""
    problems = schema_check(rec, shapes_dir)
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


