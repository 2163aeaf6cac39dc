"""Layer 2: each record against the JSON Schema of its kind, reported at its lines (the words
are `messages.py`'s); and the model of a record that passed (`prepare`, run by the process
that read the record).

Two validators read the same schema files: jsonschema-rs (compiled, fast) decides
whether a record is valid, and only for an invalid record does the jsonschema
reference implementation list the errors that the messages are made from. A test
holds the two to the same verdict on every record and every bad-input case. The Python
engine reads a pattern's `$` as ECMA-262 (and jsonschema-rs) does, at the very end of the
text, not before a final line break; and a record the fast engine fails is never passed
because the other finds nothing to say (it fails with a generic message).

After the schema, every value that becomes an IRI, a date or a language tag is made into
its term by the compiler's own functions (`value_issues`): what passes layer 2 compiles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from ..compile import content_hash, iri_term, text_term
from ..errors import RunError
from ..generate import URL_PATTERN
from ..load import LineDict, LineList, RawRecord
from ..model import AuthorList, entity_from_raw, parse_date, site_url_of, source_from_raw
from ..namespaces import DEFAULT_BASE
from .messages import Wording, schema_issues
from .report import Issue

__all__ = ["schema_check", "value_issues", "metadata_issues", "prepare", "Wording"]


@cache
def _schema(shapes_dir: str, kind: str) -> dict:
    path = Path(shapes_dir) / f"{kind}.schema.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{path}: cannot read the record schema: {exc}") from None


def _is_date(v: Any) -> bool:
    return not isinstance(v, (str, int)) or isinstance(v, bool) or parse_date(v) is not None


_DOLLAR = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\$", re.S)


@cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """`pattern` for Python's `re` with `$` read as ECMA-262 reads it (the end of the text;
    Python's `$` also matches before a final line break): every `$` outside a character
    class and not escaped becomes `\\Z`."""
    return re.compile(_DOLLAR.sub(lambda m: r"\Z" if m.group() == "$" else m.group(), pattern))


def _pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


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
    cls = jsonschema.validators.extend(cls, {"pattern": _pattern_keyword})
    return cls(schema, format_checker=checker)


def schema_check(rec: RawRecord, shapes_dir: Path, wording: Wording) -> list[Issue]:
    """The record's problems against the JSON Schema of its kind, said with `wording`."""
    if _fast_validator(str(shapes_dir), rec.kind).is_valid(rec.data):
        return []
    validator = _validator(str(shapes_dir), rec.kind)
    issues = [i for e in validator.iter_errors(rec.data) for i in schema_issues(rec, e, wording)]
    # one issue per place: the first is the most specific
    if not issues:  # the engines disagree: the record fails all the same
        issues = [Issue.at(rec.path, rec.data.line, "bad-value",
                           "the record does not match its schema (a value has a form the "
                           "schema does not allow)", layer="schema")]
    seen: set[tuple[str, int]] = set()
    out = []
    for i in sorted(issues, key=lambda i: i.line):
        if (i.code, i.line) not in seen:
            seen.add((i.code, i.line))
            out.append(i)
    return out


def _term_problem(value: Any, kind: str) -> str | None:
    """Why `value` cannot become a term of `kind` (url, lang or date), or None: the
    compiler's own functions make the term."""
    try:
        if kind == "url":
            iri_term(str(value))
        elif kind == "lang":
            text_term("", str(value))
        elif kind == "date" and parse_date(value) is None:
            return ("not a date; write YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date, "
                    "the year from 1000 to 9999)")
    except ValueError as exc:
        return str(exc)
    return None


_WHAT = {"url": "web address", "lang": "language tag", "date": "date"}


def _checked(rec: RawRecord, value: Any, kind: str, line: int | None, at: str) -> list[Issue]:
    problem = _term_problem(value, kind)
    if problem is None:
        return []
    shown = value if isinstance(value, (str, int, float)) else str(value)
    return [Issue.at(rec.path, line or rec.data.line, "bad-value",
                     f"{at}: {shown!r} is not a valid {_WHAT[kind]}: {problem}",
                     layer="schema")]


def _claim_values(rec: RawRecord, key: str, item: LineDict, kinds: dict[str, str]) -> list[Issue]:
    out = []
    for k, value in item.items():
        kind = "lang" if k == "lang" else kinds.get(k)
        if kind in _WHAT:
            out += _checked(rec, value, kind, item.key_lines.get(k), f"claims.{key}.{k}")
    refs = item.get("sources")
    if isinstance(refs, LineList):
        for ref in refs:
            if isinstance(ref, LineDict) and "url" in ref:
                out += _checked(rec, ref["url"], "url", ref.key_lines.get("url"),
                                f"claims.{key}.sources.url")
    return out


def value_issues(rec: RawRecord, shapes_dir: Path, value_kinds: dict[str, str],
                 qualifier_kinds: dict[str, str]) -> list[Issue]:
    """The values of a schema-valid record that would not compile: each URL, date and
    language tag made into its term as the compiler makes it, reported at its line."""
    d = rec.data
    if rec.kind in ("sources", "dataset"):
        return metadata_issues(rec, shapes_dir)
    out: list[Issue] = []
    claims = d.get("claims") or {}
    for key, items in claims.items():
        kinds = {"value": value_kinds.get(key, ""), **qualifier_kinds}
        for item in items:
            out += _claim_values(rec, key, item, kinds)
    return out


def metadata_issues(rec: RawRecord, shapes_dir: Path) -> list[Issue]:
    """The top-level URLs and dates of a source record or dataset.yaml that would not
    compile (see `value_issues`); for dataset.yaml, also its base and site address."""
    props = _schema(str(shapes_dir), rec.kind).get("properties", {})
    out: list[Issue] = []
    for key, value in rec.data.items():
        schema = props.get(key, {})
        if schema.get("format") == "personkg-date":
            kind = "date"
        elif schema.get("pattern") == URL_PATTERN or key in ("base", "site_url"):
            kind = "url"
        else:
            continue
        out += _checked(rec, value, kind, rec.data.key_lines.get(key), key)
    if rec.kind == "dataset" and not out:
        out += _site_address(rec)
    return out


def _site_address(rec: RawRecord) -> list[Issue]:
    """The site address of dataset.yaml (`site_url:`, else derived from `base:`) must have
    a URI: the sitemap and the dataset's metadata are made of it."""
    named, base = rec.data.get("site_url"), rec.data.get("base")
    key = "site_url" if isinstance(named, str) else "base"
    try:
        site_url_of(base if isinstance(base, str) else DEFAULT_BASE, named)
    except ValueError as exc:
        said = (f"site_url: {named!r} is not a valid site address: {exc}" if key == "site_url"
                else f"base: {base!r} gives no site address ({exc}); name one with site_url:")
        return [Issue.at(rec.path, rec.data.key_lines.get(key) or rec.data.line, "bad-value",
                         said, layer="schema")]
    return []


def prepare(shapes_dir: Path, value_kinds: dict[str, str], qualifier_kinds: dict[str, str],
            authors: AuthorList | None, wording: Wording, rec: RawRecord) -> None:
    """Layer 2 and the model of one record, done by the process that read it (see
    `load_dir`): `rec.prepared` is the list of schema problems, or the Source or Entity
    (its claims' content hashes worked out). A valid record then keeps only its id: the
    rest is in the model, and is not copied between processes twice."""
    problems = schema_check(rec, shapes_dir, wording) or value_issues(
        rec, shapes_dir, value_kinds, qualifier_kinds)
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


