"""Layer 2's messages: a JSON Schema error said in words, for people.

A message says what is expected in words, never with a regular expression (each pattern
of the generated schemas has words: `generate.pattern_words`); it names every missing key
of a record at once; and for a misspelt key, type or value it suggests the closest allowed
one. The jsonschema library's own message is never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..generate import pattern_words
from ..load import LineDict, RawRecord, line_of
from ..suggest import did_you_mean
from ..vocab import Vocabulary
from .report import Issue

__all__ = ["Wording", "schema_issues"]

#: Required keys whose absence has its own code (a claim without sources, a deprecated
#: claim without a reason): see `_missing_keys`.
_OWN_CODE = ("sources", "reason")
_JSON_TYPES = {"string": "text", "integer": "a whole number", "number": "a number",
               "array": "a list", "object": "a mapping (key: value)", "boolean": "true or false",
               "null": "an empty value"}


@dataclass(frozen=True)
class Wording:
    """What the messages know of the vocabulary: the words for each pattern, and the other
    names of each type. Plain data, so a worker process can be given it."""

    patterns: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: a type's name, label and other names (lowercase) -> the type
    type_names: Mapping[str, str] = field(default_factory=dict)
    #: a type -> the record folder its records go in
    type_kinds: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, voc: Vocabulary) -> Wording:
        names: dict[str, str] = {}
        for c in voc.classes.values():
            if c.kind:
                for spelling in (c.name, c.label, *c.alt_labels):
                    names.setdefault(spelling.casefold(), c.name)
        kinds = {c.name: c.kind for c in voc.classes.values() if c.kind}
        return cls(pattern_words(voc), names, kinds)


@dataclass
class _Error:
    """One jsonschema error, with its record and where it is."""

    rec: RawRecord
    err: Any
    wording: Wording
    where: list[Any]
    line: int | None
    at: str

    @property
    def inst(self) -> Any:
        return self.err.instance

    def issue(self, code: str, message: str, line: int | None = None) -> Issue:
        return Issue.at(self.rec.path, line or self.line, code, f"{self.at}: {message}",
                        layer="schema")


def schema_issues(rec: RawRecord, err: Any, wording: Wording) -> list[Issue]:
    """One jsonschema ValidationError as issues at their lines."""
    from jsonschema.exceptions import best_match

    if err.context:  # anyOf/oneOf: the most relevant branch says more
        err = best_match(err.context)
    where = list(err.absolute_path)
    e = _Error(rec, err, wording, where, line_of(rec.data, where), _dotted(where))
    if err.schema.get("format") == "personkg-date" and err.validator != "type":
        return [e.issue("bad-date", f"{e.inst!r} is not a date; write YYYY, YYYY-MM or "
                                    "YYYY-MM-DD (a real calendar date, the year from "
                                    "1000 to 9999)")]
    said = _SAY.get(err.validator, _other)(e)
    return said if isinstance(said, list) else [said]


def _unknown_keys(e: _Error) -> list[Issue]:
    if not isinstance(e.inst, LineDict):
        return [_other(e)]
    allowed = sorted(e.err.schema.get("properties", {}))
    extra = sorted((k for k in e.inst if k not in allowed), key=str)
    return [e.issue("unknown-key", f"unknown key {k!r}{did_you_mean(str(k), allowed)} "
                                   f"(allowed here: {', '.join(allowed)})",
                    e.inst.key_lines.get(k)) for k in extra]


def _missing_keys(e: _Error) -> list[Issue]:
    missing = [k for k in e.err.validator_value if k not in e.inst]
    issues = []
    if "sources" in missing:
        issues.append(e.issue("claim-without-source", "the claim has no sources; every claim "
                                                      "needs at least one"))
    if "reason" in missing:
        issues.append(e.issue("deprecated-without-reason", "a deprecated claim must say why "
                                                           "(reason: ...)"))
    plain = [k for k in missing if k not in _OWN_CODE]
    if plain:
        keys = "key" if len(plain) == 1 else "keys"
        issues.append(e.issue("missing-key", f"missing required {keys} {_and(plain)}"))
    return issues


def _too_few(e: _Error) -> Issue:
    if e.where and e.where[-1] == "sources":
        return e.issue("claim-without-source", "empty sources; every claim needs at least one")
    n = e.err.validator_value
    return e.issue("bad-value", f"needs at least {n} item{'s' * (n != 1)}")


def _wrong_type(e: _Error) -> Issue:
    want = e.err.validator_value
    wanted = " or ".join(_JSON_TYPES.get(str(t), str(t))
                         for t in (want if isinstance(want, list) else [want]))
    if e.err.schema.get("format") == "personkg-date":
        wanted = "a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    return e.issue("wrong-type", f"expected {wanted}, got {_JSON_TYPES[_json_type(e.inst)]} "
                                 f"{_plain(e.inst)!r}")


def _not_allowed(e: _Error) -> Issue:
    allowed = [str(v) for v in e.err.validator_value]
    if e.where == ["type"] and isinstance(e.inst, str):
        return e.issue("bad-value", _type_message(e.rec.kind, e.inst, allowed, e.wording))
    hint = did_you_mean(str(e.inst), allowed) if isinstance(e.inst, str) else ""
    return e.issue("bad-value", f"{_plain(e.inst)!r} is not one of {', '.join(allowed)}{hint}")


def _type_message(kind: str, given: str, allowed: list[str], wording: Wording) -> str:
    other = wording.type_kinds.get(given)
    if other and other != kind:
        return (f"{given!r} is not a type of {kind} records: {given} records go in {other}/ "
                f"(types here: {', '.join(allowed)})")
    names = {s: t for s, t in wording.type_names.items() if t in allowed}
    names.update({t: t for t in allowed})
    return (f"{given!r} is not a type of {kind} records (types here: {', '.join(allowed)})"
            f"{did_you_mean(given, names)}")


def _bad_form(e: _Error) -> Issue:
    name, words = e.wording.patterns.get(e.err.validator_value, ("", ""))
    if not name:
        return _other(e)
    said = f" ({words})" if words else ""
    return e.issue("bad-value", f"{_plain(e.inst)!r} is not a valid {name}{said}")


def _empty(e: _Error) -> Issue:
    return e.issue("bad-value", "must not be empty")


def _too_small(e: _Error) -> Issue:
    return e.issue("bad-value", f"{_plain(e.inst)!r} is too small: the least allowed is "
                                f"{e.err.validator_value}")


def _too_large(e: _Error) -> Issue:
    return e.issue("bad-value", f"{_plain(e.inst)!r} is too large: the most allowed is "
                                f"{e.err.validator_value}")


def _other(e: _Error) -> Issue:
    """Anything else, said without the validator's own words (they may show a pattern)."""
    what = e.err.schema.get("description") if isinstance(e.err.schema, dict) else None
    expected = f" (expected: {what})" if what else ""
    return e.issue("bad-value", f"{_plain(e.inst)!r} is not allowed here{expected}")


_SAY: dict[str, Callable[[_Error], Issue | list[Issue]]] = {
    "additionalProperties": _unknown_keys, "required": _missing_keys, "minItems": _too_few,
    "type": _wrong_type, "enum": _not_allowed, "pattern": _bad_form, "minLength": _empty,
    "minimum": _too_small, "maximum": _too_large,
}


def _and(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _dotted(path: Any) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "record"


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string"}.get(type(value), "null")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
