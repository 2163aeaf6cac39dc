"""The four validation layers, each reporting against the YAML file and line:

1. YAML syntax (and UTF-8);          2. JSON Schema per record kind;
3. references between records;        4. SHACL on the compiled graph.

`check()` runs them in order and returns a `Checked` result: the report, and the dataset
and graph built from the records that passed layers 1-2. A problem found by an earlier
layer is not reported again by a later one at the same place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import jsonschema_rs

from .errors import RunError
from .graph import CompiledGraph, compile_dataset, content_hash, statement_iri
from .load import LineDict, LoadProblem, RawRecord, line_of, load_dir, paused_gc, release_memory
from .model import Dataset, Source, entity_from_raw, parse_date, source_from_raw
from .progress import progress
from .report import Issue, Report
from .resources import KINDS_HINT, resource_dir
from .schemas import value_kind
from .vocab import Vocabulary

__all__ = ["Checked", "check", "check_records", "add_shacl", "load_dataset"]


@dataclass
class Checked:
    report: Report
    dataset: Dataset
    graph: CompiledGraph | None


# ------------------------------------------------------------- layer 2: schema
#
# Two validators read the same schema files: jsonschema-rs (compiled, fast) decides
# whether a record is valid, and only for an invalid record does the jsonschema
# reference implementation list the errors that the messages are made from. A test
# holds the two to the same verdict on every record and every bad-input case.

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


def _schema_check(rec: RawRecord, shapes_dir: Path) -> list[Issue]:
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


def _prepare(shapes_dir: Path, value_kinds: dict[str, str], qualifier_kinds: dict[str, str],
             rec: RawRecord) -> None:
    """Layer 2 and the model of one record, done by the process that read it (see
    `load_dir`): `rec.prepared` is the list of schema problems, or the Source or Entity
    (its claims' content hashes worked out). A valid record then keeps only its id: the
    rest is in the model, and is not copied between processes twice."""
    problems = _schema_check(rec, shapes_dir)
    if problems:
        rec.prepared = problems
        return
    if rec.kind == "sources":
        rec.prepared = source_from_raw(rec)
    else:
        ent = rec.prepared = entity_from_raw(rec, value_kinds, qualifier_kinds)
        for claim in ent.claims:
            content_hash(claim)
    rid, slim = rec.data["id"], LineDict()
    slim["id"], slim.line, slim.key_lines["id"] = rid, rec.data.line, rec.data.key_lines["id"]
    rec.data = slim


# --------------------------------------------------------- layer 3: references

def _reference_check(ds: Dataset, broken: set[str], voc: Vocabulary) -> list[Issue]:
    """Unknown ids and sources, duplicate claims. Ids in `broken` belong to records that
    failed an earlier layer: claims pointing at them are not reported again."""
    issues = []
    item_claims = {k for k, p in voc.claims.items() if value_kind(p) == "item"}
    item_quals = {k for k, p in voc.qualifiers.items() if value_kind(p) == "item"}
    for ent in ds.entities.values():
        seen: dict[str, int] = {}
        for c in ent.claims:
            targets = [c.value] if c.property in item_claims else []
            targets += [v for k, v in c.qualifiers.items() if k in item_quals]
            for t in targets:
                if str(t) not in ds.entities and str(t) not in broken:
                    what = ("a source, not an entity" if str(t) in ds.sources else
                            "not an entity in this dataset")
                    issues.append(Issue.at(ent.path, c.line, "unknown-id",
                                           f"claims.{c.property}: {t!r} is {what}",
                                           layer="references"))
            for r in c.references:
                if r.source not in ds.sources and r.source not in broken:
                    what = ("an entity, not a source" if r.source in ds.entities
                            else "not a source record in this dataset")
                    issues.append(Issue.at(ent.path, r.line, "unknown-source",
                                           f"claims.{c.property}: source {r.source!r} is {what}",
                                           layer="references"))
            iri = statement_iri(ds.base, ent.id, c)
            if iri in seen:
                issues.append(Issue.at(ent.path, c.line, "duplicate-claim",
                                       f"claims.{c.property}: same value and qualifiers as the "
                                       f"claim at line {seen[iri]}; merge their sources",
                                       layer="references"))
            seen.setdefault(iri, c.line)
    return issues


# ------------------------------------------------------------- the pipeline

@paused_gc()
def load_dataset(root: Path, voc: Vocabulary, report: Report) -> Dataset:
    """Layers 1-3: read every record under `root` into a Dataset, reporting problems."""
    root = Path(root)
    shapes_dir = resource_dir("shapes")
    value_kinds = {k: value_kind(p) for k, p in voc.claims.items()}
    qualifier_kinds = {k: value_kind(p) for k, p in voc.qualifiers.items()}
    prepare = partial(_prepare, shapes_dir, value_kinds, qualifier_kinds)
    items = load_dir(root, voc.kinds(), prepare)
    if not items:
        raise RunError(f"{root}: no records found (expected YAML files in subfolders "
                       f"{KINDS_HINT})")
    ds = Dataset(root=root)
    meta_path = root / "dataset.yaml"
    if meta_path.is_file():
        meta = _load_metadata(meta_path, shapes_dir, report)
        if meta:
            ds.metadata = dict(meta)
            ds.base = str(meta.get("base", ds.base))
    owner: dict[str, Path] = {}
    broken: set[str] = set()
    # Records whose id matches their file name claim their id first, so a copy under
    # another name is the one reported as the duplicate.
    records = [i for i in items if isinstance(i, RawRecord)]
    records.sort(key=lambda r: r.data.get("id") != r.path.stem)
    for item in items:
        if isinstance(item, LoadProblem):
            report.add(Issue.at(item.path, item.line, item.code, item.message, layer="yaml"))
            broken.add(item.path.stem)
    for item in progress(records, "checking records"):
        report.records += 1
        rid = item.data.get("id")
        id_line = item.data.key_lines.get("id", 1)
        if isinstance(rid, str):
            if rid != item.path.stem:
                broken.add(item.path.stem)
                report.add(Issue.at(item.path, id_line, "id-mismatch",
                                    f"id {rid!r} differs from the file name {item.path.name!r}",
                                    layer="references"))
            if rid in owner:
                report.add(Issue.at(item.path, id_line, "duplicate-id",
                                    f"id {rid!r} is already used by {_shown(owner[rid])}",
                                    layer="references"))
                continue
            owner[rid] = item.path
        done = item.prepared
        if isinstance(done, list):  # the schema check's problems
            report.extend(done)
            if isinstance(rid, str):
                broken.add(rid)
        elif isinstance(done, Source):
            ds.sources[done.id] = done
        else:
            ds.entities[done.id] = done
    report.extend(_reference_check(ds, broken - set(ds.entities) - set(ds.sources), voc))
    return ds


def _shown(path: Path) -> str:
    return Issue.at(path, 0, "", "").path


def _load_metadata(path: Path, shapes_dir: Path, report: Report) -> LineDict | None:
    from .load import load_file

    item = load_file(path, "dataset")
    if isinstance(item, LoadProblem):
        report.add(Issue.at(item.path, item.line, item.code, item.message, layer="yaml"))
        return None
    problems = _schema_check(item, shapes_dir)
    report.extend(problems)
    return None if problems else item.data


def check(root: Path, voc: Vocabulary | None = None, shacl: bool = True,
          engine: str = "fast") -> Checked:
    """Run every layer on the data folder `root` (SHACL with `engine`: fast or pyshacl)."""
    voc = voc or Vocabulary.load()
    checked = check_records(root, voc)
    if shacl:
        add_shacl(checked, voc, engine)
    return checked


def check_records(root: Path, voc: Vocabulary) -> Checked:
    """Layers 1-3, and the graph compiled from the records that passed them."""
    report = Report()
    ds = load_dataset(root, voc, report)
    graph = compile_dataset(ds, voc)
    report.triples = len(graph.lines)
    return Checked(report, ds, graph)


def add_shacl(checked: Checked, voc: Vocabulary, engine: str = "fast") -> None:
    """Layer 4 into `checked.report` (a place an earlier layer reported is not reported
    again)."""
    from .shacl import shacl_check

    assert checked.graph is not None
    report = checked.report
    already = {(i.path, i.line) for i in report.issues}
    for issue in shacl_check(checked.graph, voc, engine):
        if (issue.path, issue.line) not in already:
            report.add(issue)
    release_memory()
