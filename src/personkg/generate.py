"""Record JSON Schemas and per-property SHACL shapes, generated from the ontology.

The ontology is the single source of truth; `personkg generate` writes
`shapes/<kind>.schema.json` and `shapes/properties.shacl.ttl`, and a test asserts the
committed files equal what this module generates (so they never drift).
The hand-written graph rules that are not per property live in `shapes/core.shacl.ttl`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .namespaces import (
    JSON_SCHEMA,
    PKG,
    PKGP,
    PKGPQ,
    PKGPS,
    PKGSH,
    RDF,
    SCHEMA,
    SCHEMA_BASE,
    SH,
    XSD,
)
from .vocab import DATE_TYPE, Property, Vocabulary

__all__ = ["profile_schema", "ID_PATTERN", "DATE_PATTERN", "record_schemas", "property_shapes",
           "write_generated", "pattern_words"]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
QID_PATTERN = r"^Q[1-9]\d*$"
DAY_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
FINGERPRINT_PATTERN = "^[0-9a-f]{16}$"
URL_PATTERN = r"^https?://[^\s<>\"{}|\\^`]+$"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
BASE_PATTERN = r"^https?://[^\s<>\"{}|\\^`]+[/#]$"
#: A site's address: pages are its address followed by a path, so no user and password, no
#: query and no fragment (`?`, `#`, `@` in the host part), and a folder (ending in `/`).
SITE_URL_PATTERN = r"^https?://[^\s<>\"{}|\\^`?#@/]+(/[^\s<>\"{}|\\^`?#]*)?/$"

#: Each pattern of the generated record schemas as messages say it: (what the value is,
#: its form in words). A pattern of the ontology (`pkg:pattern`) is named by its property's
#: label and said by its `pkg:patternDescription` (see `pattern_words`); a test holds every
#: pattern the schemas use to having words.
PATTERN_WORDS: dict[str, tuple[str, str]] = {
    ID_PATTERN: ("id", "lowercase letters and digits, in words joined by single hyphens, "
                       "such as ada-example"),
    DATE_PATTERN: ("date", "YYYY, YYYY-MM or YYYY-MM-DD"),
    QID_PATTERN: ("Wikidata QID", "Q and a number without leading zeros, such as Q5"),
    DAY_PATTERN: ("day", "YYYY-MM-DD"),
    FINGERPRINT_PATTERN: ("fingerprint", "16 hex digits, as `personkg reconcile` writes it"),
    URL_PATTERN: ("web address", "http:// or https:// and an address without spaces"),
    LANG_PATTERN: ("language tag", "two or three lowercase letters, then any further parts "
                                   "of up to 8 letters or digits joined by hyphens, such as "
                                   "en or pt-BR"),
    BASE_PATTERN: ("base IRI", "http:// or https:// and an address without spaces, ending "
                               "in / or #"),
    SITE_URL_PATTERN: ("site address", "http:// or https:// and an address without spaces, "
                                       "user, query or fragment, ending in /"),
}


def pattern_words(voc: Vocabulary) -> dict[str, tuple[str, str]]:
    """`{pattern: (what the value is, its form in words)}` for every pattern the generated
    record schemas use: the fixed ones and those of the ontology's properties."""
    out = dict(PATTERN_WORDS)
    for p in (*voc.claims.values(), *voc.qualifiers.values(), *voc.references.values()):
        if p.pattern and p.pattern not in out:
            out[p.pattern] = (p.label, p.pattern_description or "")
    return out


def _value_schema(prop: Property) -> dict[str, Any]:
    kind = prop.kind
    if kind == "item":
        return {"type": "string", "pattern": ID_PATTERN,
                "description": f"id of a {prop.value_class} record"}
    if kind == "date":
        return {"type": ["string", "integer"], "format": "personkg-date",
                "pattern": DATE_PATTERN, "minimum": 1000, "maximum": 9999,
                "description": "YYYY, YYYY-MM or YYYY-MM-DD"}
    if kind == "integer":
        return {"type": "integer", "minimum": 1}
    if kind == "url":
        return {"type": "string", "pattern": URL_PATTERN}
    out: dict[str, Any] = {"type": "string", "minLength": 1}
    if prop.pattern:
        out["pattern"] = prop.pattern
    return out


def _reference_schema(voc: Vocabulary) -> dict[str, Any]:
    props = {k: ({"type": "string", "pattern": ID_PATTERN} if k == "source"
                 else _value_schema(p) if p.kind != "text" else {"type": "string"})
             for k, p in voc.references.items()}
    props["quote"] = {"type": "string", "minLength": 1}
    return {"anyOf": [
        {"type": "string", "pattern": ID_PATTERN, "description": "id of a source record"},
        {"type": "object", "additionalProperties": False, "required": ["source"],
         "properties": props},
    ]}


def _claim_schema(voc: Vocabulary, prop: Property) -> dict[str, Any]:
    props: dict[str, Any] = {"value": {**_value_schema(prop), "description": prop.comment}}
    for q in prop.qualifiers:
        props[q] = {**_value_schema(voc.qualifiers[q]), "description": voc.qualifiers[q].comment}
    if prop.kind == "text":
        props["lang"] = {"type": "string", "pattern": LANG_PATTERN}
    props.update({
        "rank": {"enum": sorted(voc.ranks)},
        "reason": {"type": "string", "minLength": 1,
                   "description": "why a deprecated claim is wrong (required when deprecated)"},
        "alternative": {"type": "boolean", "description":
                        "sources disagree and none is better: keep all values, warn"},
        "note": {"type": "string", "minLength": 1},
        "sources": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/reference"}},
    })
    return {
        "type": "object", "additionalProperties": False, "required": ["value", "sources"],
        "properties": props,
        "if": {"required": ["rank"], "properties": {"rank": {"const": "deprecated"}}},
        "then": {"required": ["reason"]},
    }


def record_schemas(voc: Vocabulary) -> dict[str, dict[str, Any]]:
    """`{kind: JSON Schema}` for every record folder."""
    out: dict[str, dict[str, Any]] = {}
    for kind in voc.kinds():
        types = voc.types_for_kind(kind)
        head = {"$schema": JSON_SCHEMA,
                "$id": f"{SCHEMA_BASE}{kind}.schema.json",
                "title": f"personkg {kind} record", "type": "object",
                "additionalProperties": False}
        if kind == "sources":
            props: dict[str, Any] = {"id": {"type": "string", "pattern": ID_PATTERN},
                                     "type": {"enum": types}}
            for f in voc.source_fields.values():
                if f.value_class == "Trust":
                    schema: dict[str, Any] = {"enum": sorted(voc.trust_levels)}
                elif f.allowed:
                    schema = {"enum": list(f.allowed)}
                elif f.value_type == DATE_TYPE:
                    schema = _value_schema(Property("", "", "", "", "", frozenset(),
                                                    value_type=DATE_TYPE))
                elif f.value_type == XSD.anyURI:
                    schema = {"type": "string", "pattern": URL_PATTERN}
                else:
                    schema = {"type": "string", "minLength": 1}
                props[f.key] = {**schema, "description": f.label}
            props["wikidata"] = {"type": ["string", "null"], "pattern": QID_PATTERN}
            required = ["id", "type"] + [f.key for f in voc.source_fields.values() if f.required]
            out[kind] = {**head, "required": required, "properties": props}
            continue
        claim_props: dict[str, Property] = {}
        for t in types:
            for p in voc.claims_for(t):
                claim_props[p.key] = p
        ordered = [p for p in voc.claims.values() if p.key in claim_props]
        out[kind] = {
            **head,
            "required": ["id", "type", "name"],
            "properties": {
                "id": {"type": "string", "pattern": ID_PATTERN,
                       "description": "the record's id; equals the file name"},
                "type": {"enum": types},
                "name": {"type": "string", "minLength": 1},
                "description": {"type": "string", "minLength": 1},
                "aliases": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "wikidata": {"type": ["string", "null"], "pattern": QID_PATTERN,
                             "description": "Wikidata QID, filled in by `personkg reconcile`"},
                "claims": {
                    "type": "object", "additionalProperties": False,
                    "properties": {p.key: {"type": "array", "minItems": 1,
                                           "description": p.comment,
                                           "items": _claim_schema(voc, p)}
                                   for p in ordered},
                },
            },
            "$defs": {"reference": _reference_schema(voc)},
        }
        if any(voc.by_schema_org(t, "author") for t in types):
            out[kind]["properties"]["authors"] = _authors_schema()
    out["dataset"] = {
        "$schema": JSON_SCHEMA,
        "$id": f"{SCHEMA_BASE}dataset.schema.json", "title": "personkg dataset metadata",
        "type": "object", "additionalProperties": False, "required": ["title", "base"],
        "properties": {
            "title": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "base": {"type": "string", "pattern": BASE_PATTERN,
                     "description": "base IRI of the dataset's entities"},
            "license": {"type": "string", "pattern": URL_PATTERN},
            "publisher": {"type": "string"},
            "version": {"type": "string"},
            "subject": {"type": "string", "pattern": ID_PATTERN,
                        "description": "id of the dataset's main entity (default: the person "
                                       "with the most statements)"},
            "site_url": {"type": "string", "pattern": SITE_URL_PATTERN,
                         "description": "where `personkg site` output is served (default: "
                                        "derived from base)"},
            "as_of": {"type": ["string", "integer"], "format": "personkg-date",
                      "pattern": DATE_PATTERN, "minimum": 1000, "maximum": 9999,
                      "description": "the date the dataset describes (default: today); "
                                     "ongoing positions end there on timelines"},
        },
    }
    out["reconciliation"] = _reconciliation_schema()
    return out


#: what `personkg reconcile` found for an entity without a QID (see wikidata/verdicts.py)
VERDICTS = ["matched", "absent", "candidate", "duplicate", "conflict"]


def _reconciliation_schema() -> dict[str, Any]:
    """`reconciliation.yaml`: reconcile's verdict per entity id, which `export
    --create-missing` reads (only entities checked absent are created)."""
    qid = {"type": "string", "pattern": QID_PATTERN}
    entry = {
        "type": "object", "additionalProperties": False,
        "required": ["verdict", "checked", "endpoint", "of"],
        "properties": {
            "verdict": {"enum": VERDICTS},
            "qid": qid,
            "candidates": {"type": "array", "items": qid},
            "checked": {"type": "string", "format": "personkg-date",
                        "pattern": DAY_PATTERN,
                        "description": "the day the endpoint was asked"},
            "endpoint": {"type": "string", "pattern": URL_PATTERN},
            "of": {"type": "string", "pattern": FINGERPRINT_PATTERN,
                   "description": "fingerprint of the name, type and identifiers looked up; "
                                  "a record changed since is unchecked again"},
        },
    }
    return {
        "$schema": JSON_SCHEMA,
        "$id": f"{SCHEMA_BASE}reconciliation.schema.json",
        "title": "personkg reconciliation verdicts (written by `personkg reconcile --write`)",
        "type": "object", "additionalProperties": False,
        "properties": {"verdicts": {"type": "object", "additionalProperties": entry,
                                    "propertyNames": {"pattern": ID_PATTERN}}},
    }


def _authors_schema() -> dict[str, Any]:
    """An ordered author list: ids of records, or names as printed for authors without a
    record; the place in the list is the series ordinal."""
    by_id = {"type": "object", "required": ["id"], "additionalProperties": False,
             "properties": {"id": {"type": "string", "pattern": ID_PATTERN},
                            "stated_as": {"type": "string", "minLength": 1}}}
    return {
        "type": "object", "required": ["list", "sources"], "additionalProperties": False,
        "description": "the authors in order: a record's id, {id, stated_as}, or the name "
                       "as printed for an author without a record",
        "properties": {
            "list": {"type": "array", "minItems": 1,
                     "items": {"anyOf": [{"type": "string", "minLength": 1}, by_id]}},
            "sources": {"type": "array", "minItems": 1,
                        "items": {"$ref": "#/$defs/reference"}},
        },
    }


# ------------------------------------------------------ schema.org ProfilePage

def _term(iri: str | None) -> str:
    return str(iri).rsplit("/", 1)[-1]


def profile_schema(voc: Vocabulary) -> dict[str, Any]:
    """The JSON Schema of the schema.org ProfilePage (`export/schemaorg.py`): the person's
    fields are the ontology's properties with a schema.org counterpart, each in the form the
    exporter gives it (a Role, text, a node or a value)."""
    iri, date, thing = ({"$ref": f"#/$defs/{d}"} for d in ("iri", "date", "thing"))
    many: Any = lambda item: {"type": "array", "items": item}  # noqa: E731
    shown = voc.profile_properties("Person")
    person: dict[str, Any] = {"@type": {"const": "Person"}, "@id": iri,
                              "name": {"type": "string", "minLength": 1},
                              "description": {"type": "string"}}
    person.update({_term(p.schema_org): iri for p in shown if p.kind == "url"})
    person["sameAs"] = {**many(iri), "uniqueItems": True}
    person["identifier"] = many({"$ref": "#/$defs/propertyValue"})
    roles = [p for p in shown if p.is_item and p.schema_org_role and not p.schema_org_text]
    for p in shown:
        if p.kind == "url":
            continue
        if p in roles:
            schema = many({"$ref": "#/$defs/role"})
        elif p.schema_org_text:
            schema = many({"type": "string"})
        elif p.is_item:
            schema = many(thing)
        else:
            value = date if p.kind == "date" else {"type": "string"}
            schema = value if p.single_valued else many(value)
        person[_term(p.schema_org)] = schema
    role: dict[str, Any] = {"@type": {"enum": sorted({_term(p.schema_org_role) for p in roles})}}
    role.update({_term(p.schema_org): thing for p in roles})
    role["roleName"] = {"type": "string"}
    dated = [voc.qualifiers[k] for p in roles for k in p.qualifiers
             if voc.qualifiers[k].kind == "date" and voc.qualifiers[k].schema_org]
    role.update({_term(q.schema_org): date for q in dated})
    work_types = [_term(voc.classes[t].schema_org) for t in voc.scholarly_types()]
    strict = {"additionalProperties": False}
    name_only = {"type": "object", "required": ["@type", "name"], **strict,
                 "properties": {"@type": {"const": "Person"},
                                "name": {"type": "string", "minLength": 1}}}
    return {
        "$schema": JSON_SCHEMA, "$id": f"{SCHEMA_BASE}schemaorg-profile.schema.json",
        "title": "personkg schema.org ProfilePage",
        "description": "The JSON-LD that `personkg export --format schemaorg` writes and "
                       "`personkg site` embeds: a ProfilePage whose mainEntity is a Person. "
                       "Generated from the ontology; the export is checked against it before "
                       "it is written.",
        "type": "object", "required": ["@context", "@type", "@id", "mainEntity"], **strict,
        "properties": {
            "@context": {"const": {"@vocab": str(SCHEMA)}}, "@type": {"const": "ProfilePage"},
            "@id": iri, "name": {"type": "string", "minLength": 1},
            "mainEntity": {"$ref": "#/$defs/person"},
            "hasPart": many({"$ref": "#/$defs/work"}),
        },
        "$defs": {
            "iri": {"type": "string", "pattern": r"^https?://\S+$"},
            "date": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
            "thing": {"type": "object", "required": ["@type", "@id", "name"], **strict,
                      "properties": {"@type": {"type": "string", "pattern": "^[A-Z][A-Za-z]+$"},
                                     "@id": iri, "name": {"type": "string", "minLength": 1},
                                     "sameAs": iri}},
            "propertyValue": {"type": "object", "required": ["@type", "propertyID", "value"],
                              **strict, "properties": {
                                  "@type": {"const": "PropertyValue"},
                                  "propertyID": {"type": "string"},
                                  "value": {"type": "string", "minLength": 1}}},
            "role": {"type": "object", "required": ["@type"], "properties": role,
                     "minProperties": 2, **strict},
            "person": {"type": "object", "required": ["@type", "@id", "name"],
                       "properties": person, **strict},
            "work": {"type": "object", "required": ["@type", "@id", "name", "author"],
                     "properties": {
                         "@type": {"enum": work_types}, "@id": iri,
                         "name": {"type": "string", "minLength": 1}, "datePublished": date,
                         "identifier": many({"$ref": "#/$defs/propertyValue"}), "url": iri,
                         "author": {"type": "object", "required": ["@list"], **strict,
                                    "properties": {"@list": {"type": "array", "minItems": 1,
                                                             "items": {"anyOf": [
                                                                 thing, name_only]}}}}},
                     **strict},
        },
    }


# ------------------------------------------------------------------- SHACL

def _ttl_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _value_constraint(prop: Property) -> list[str]:
    kind = prop.kind
    if kind == "item":
        return ["sh:nodeKind sh:IRI", f"sh:class pkg:{prop.value_class}"]
    if kind == "date":  # the start of its period, as in Wikibase RDF (the precision is on
        return ["sh:datatype xsd:dateTime"]  # the value node)
    if kind == "text":
        return ["sh:datatype rdf:langString"]
    if kind == "integer":
        return ["sh:datatype xsd:integer", "sh:minInclusive 1"]
    if kind == "url":
        return ["sh:nodeKind sh:IRI", f"sh:pattern {_ttl_str('^https?://')}"]
    out = ["sh:datatype xsd:string"]
    if prop.pattern:
        out.append(f"sh:pattern {_ttl_str(prop.pattern)}")
    return out


def _shape(iri: str, lines: list[str]) -> str:
    return f"pkgsh:{iri}\n    " + " ;\n    ".join(lines) + " .\n"


# The rank is tested with FILTER EXISTS, after the statements are bound: as a triple
# pattern, `?s a pkg:BestRank` would be joined against every best-rank statement. Dates are
# compared by their full value nodes (pkgpsv:), so 1986 and 1986-01 still differ.
_CONFLICT = """SELECT $this ?value WHERE {{
        $this pkgp:{n} ?s1, ?s2 .
        ?s1 {ps}:{n} ?v1 .
        ?s2 {ps}:{n} ?v2 .
        FILTER (STR(?s1) < STR(?s2) && !sameTerm(?v1, ?v2))
        FILTER (EXISTS {{ ?s1 a pkg:BestRank }} && EXISTS {{ ?s2 a pkg:BestRank }})
        FILTER ({neg}EXISTS {{ ?s1 pkg:alternative true . ?s2 pkg:alternative true }})
        BIND (?s2 AS ?value)
    }}"""


def property_shapes(voc: Vocabulary) -> str:
    """Turtle text of the generated per-property shapes."""
    parts = [
        "# GENERATED by `personkg generate` from ontology/personkg.ttl: do not edit.\n"
        "# Per-property rules: value class or datatype, domain, single values, qualifiers.\n"
        "# Each shape's pkgsh:code is the stable code reported by `personkg validate`.\n\n"
        f"@prefix sh:    <{SH}> .\n"
        f"@prefix rdf:   <{RDF}> .\n"
        f"@prefix xsd:   <{XSD}> .\n"
        f"@prefix pkg:   <{PKG}> .\n"
        f"@prefix pkgp:  <{PKGP}> .\n"
        f"@prefix pkgps: <{PKGPS}> .\n"
        f"@prefix pkgpq: <{PKGPQ}> .\n"
        f"@prefix pkgsh: <{PKGSH}> .\n"
    ]
    for p in voc.claims.values():
        n = p.name
        parts.append(f"\n# {p.key}: {p.label}\n")
        parts.append(_shape(f"{n}-value", [
            "a sh:PropertyShape", f"sh:targetSubjectsOf pkgps:{n}", f"sh:path pkgps:{n}",
            "sh:minCount 1", "sh:maxCount 1", *_value_constraint(p),
            'pkgsh:code "value-type"',
            f"sh:message {_ttl_str(f'{p.key}: the value is not {_expected(p)}')}",
        ]))
        classes = [f"[ sh:class pkg:{d} ]" for d in p.domain]
        domain = (f"sh:class pkg:{p.domain[0]}" if len(classes) == 1
                  else "sh:or ( " + " ".join(classes) + " )")
        domain_msg = f"{p.key} is a claim for {' or '.join(p.domain)} records"
        parts.append(_shape(f"{n}-domain", [
            "a sh:NodeShape", f"sh:targetSubjectsOf pkgp:{n}", domain, 'pkgsh:code "domain"',
            f"sh:message {_ttl_str(domain_msg)}",
        ]))
        if p.single_valued:
            for code, neg, severity, msg in (
                ("conflicting-values", "NOT ", "sh:Violation",
                 f"{p.key} is single-valued but has two different best-rank values; deprecate "
                 "the wrong one or mark both `alternative: true`"),
                ("alternative-values", "", "sh:Warning",
                 f"{p.key} has alternative values from sources that disagree"),
            ):
                query = _CONFLICT.format(n=n, neg=neg,
                                         ps="pkgpsv" if p.kind == "date" else "pkgps")
                parts.append(_shape(f"{n}-{code}", [
                    "a sh:NodeShape", f"sh:targetSubjectsOf pkgp:{n}", f"sh:severity {severity}",
                    f'pkgsh:code "{code}"', f"sh:message {_ttl_str(msg)}",
                    f'sh:sparql [ sh:prefixes pkgsh: ; sh:select """{query}""" ]',
                ]))
    parts.append("\n# qualifiers\n")
    for q in voc.qualifiers.values():
        parts.append(_shape(f"qualifier-{q.name}", [
            "a sh:PropertyShape", f"sh:targetSubjectsOf pkgpq:{q.name}", f"sh:path pkgpq:{q.name}",
            "sh:maxCount 1", *_value_constraint(q), 'pkgsh:code "qualifier-type"',
            f"sh:message {_ttl_str(f'qualifier {q.key}: the value is not {_expected(q)}')}",
        ]))
    return "".join(parts)


def _expected(p: Property) -> str:
    kind = p.kind
    return {"item": f"one {p.value_class}", "date": "one date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "text": "one text with a language", "integer": "one positive integer",
            "url": "one http(s) IRI"}.get(kind, "one string" if not p.pattern else (
                f"one {p.label}" + (f" ({p.pattern_description})" if p.pattern_description
                                    else "")))


def generated_files(voc: Vocabulary) -> dict[str, str]:
    """`{file name under shapes/: text}` for everything generated."""
    files = {f"{kind}.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
             for kind, schema in record_schemas(voc).items()}
    files["schemaorg-profile.schema.json"] = (
        json.dumps(profile_schema(voc), indent=2, ensure_ascii=False) + "\n")
    files["properties.shacl.ttl"] = property_shapes(voc)
    return files


def write_generated(voc: Vocabulary, shapes_dir: Path) -> list[Path]:
    written = []
    for name, text in generated_files(voc).items():
        path = shapes_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
