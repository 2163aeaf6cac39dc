"""Layers 1-3: a dataset folder read into a Dataset: every record file parsed (YAML),
checked against its JSON Schema and made into the model, the ids and references between
records checked, and `dataset.yaml` and `reconciliation.yaml` read. With the build cache,
a record file read before is taken from it (see `load.load_dir`)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from . import cache
from .checks.records import Wording, metadata_issues, prepare, schema_check
from .checks.references import reference_check
from .checks.report import WARNING, Issue, Report, display_path
from .errors import RunError
from .load import LineDict, LoadProblem, RawRecord, load_dir, load_file, unknown_folders
from .model import AuthorList, Dataset, Entity, Source, Verdict
from .progress import progress
from .resources import KINDS_HINT, RECONCILIATION
from .runtime import paused_gc
from .vocab import Vocabulary

__all__ = ["RECONCILIATION", "load_dataset", "load_metadata", "author_list"]



@paused_gc()
def load_dataset(root: Path, voc: Vocabulary, report: Report) -> Dataset:
    """Layers 1-3: read every record under `root` into a Dataset, reporting problems.
    A record that fails layer 1 or 2 is reported once: its id (and its file name) go in
    `Dataset.broken`, and what points at it is not reported again."""

    root = Path(root)
    shapes_dir = voc.shapes_dir
    wording = Wording.of(voc)
    value_kinds = {k: p.kind for k, p in voc.claims.items()}
    qualifier_kinds = {k: p.kind for k, p in voc.qualifiers.items()}
    prepare_one = partial(prepare, shapes_dir, value_kinds, qualifier_kinds, author_list(voc),
                          wording)
    memo = cache.current()
    salt = cache.vocabulary_key(voc.shapes_dir, voc.extension) if memo else b""
    items = load_dir(root, voc.kinds(), prepare_one, memo, salt)
    stray = unknown_folders(root, _folder_names(voc, wording))
    if not items:
        also = "".join(f"; {p.message}" for p in stray)
        raise RunError(f"{root}: no records found (expected YAML files in subfolders "
                       f"{KINDS_HINT}){also}")
    ds = Dataset(root=root)
    meta_path = root / "dataset.yaml"
    if meta_path.is_file():
        meta = load_metadata(meta_path, shapes_dir, wording, report)
        if meta:
            ds.metadata = meta
            ds.base = str(meta.get("base", ds.base))
    else:  # its IRIs would be minted in another dataset's namespace
        report.add(Issue.at(meta_path, 0, "no-dataset-file",
                            "dataset.yaml is missing: it names the dataset (title) and the IRI "
                            "namespace of its entities (base); `personkg init` writes one"))
    verdicts_path = root / RECONCILIATION
    if verdicts_path.is_file():
        ds.verdicts = _load_verdicts(verdicts_path, shapes_dir, wording, report)
    elif verdicts_path.exists() or verdicts_path.is_symlink():
        report.add(Issue.at(verdicts_path, 0, "not-a-record",
                            f"{RECONCILIATION} is not a regular file (a folder, a dangling "
                            "link or a pipe?)", layer="yaml"))
    owner: dict[str, Path] = {}
    # Records whose id matches their file name claim their id first, so a copy under
    # another name is the one reported as the duplicate.
    records = [i for i in items if isinstance(i, RawRecord)]
    records.sort(key=lambda r: r.data.get("id") != r.path.stem)
    ds.record_keys = {r.path: r.key for r in records if r.key}
    for problem in [*stray, *(i for i in items if isinstance(i, LoadProblem))]:
        report.add(Issue.at(problem.path, problem.line, problem.code, problem.message,
                            layer="yaml"))
        ds.broken.update(_ids_in(problem.path))
    for item in progress(records, "checking records"):
        report.records += 1
        _admit(item, ds, owner, report)
    ds.broken -= set(ds.entities) | set(ds.sources)
    report.extend(reference_check(ds, voc))
    for ent_id, verdict in sorted(ds.verdicts.items()):
        if ent_id not in ds.entities and ent_id not in ds.broken:
            report.add(Issue.at(verdicts_path, verdict.line, "stale-verdict",
                                f"{ent_id}: no entity with that id (renamed or removed?); "
                                "`personkg reconcile --write` drops it", severity=WARNING,
                                layer="references"))
    named = ds.metadata.get("subject")
    if isinstance(named, str) and named not in ds.entities and named not in ds.broken:
        line = ds.metadata.key_lines.get("subject") if isinstance(ds.metadata, LineDict) else 0
        report.add(Issue.at(meta_path, line, "unknown-id",
                            f"subject: {named!r} is not an entity in this dataset",
                            layer="references"))
    return ds


def author_list(voc: Vocabulary) -> AuthorList | None:
    """How a work's `authors:` list becomes claims: ids as the item property that maps to
    schema.org `author`, other text as the string one, each with the qualifier that maps to
    `position` (and `name` for a name as printed). None when the ontology has no such pair."""

    props = voc.by_schema_org("CreativeWork", "author")
    item = next((p for p in props if p.is_item), None)
    name = next((p for p in props if p.kind == "string"), None)
    ordinal = voc.qualifier_for(item, "position") if item else None
    if item is None or name is None or ordinal is None:
        return None
    return AuthorList(item.key, name.key, ordinal, voc.qualifier_for(item, "name"))


def _folder_names(voc: Vocabulary, wording: Wording) -> dict[str, str]:
    """Each record folder, and the names and labels of its records' types, -> the folder."""
    names = {kind: kind for kind in voc.kinds()}
    for spelling, type_name in wording.type_names.items():
        names.setdefault(spelling, wording.type_kinds[type_name])
    return names


def _ids_in(path: Path) -> set[str]:
    """The ids a file that could not be read would have had (its name), or those of the
    YAML files of a folder that is not read."""
    if path.is_dir():
        return {p.stem for p in path.iterdir() if p.suffix in (".yaml", ".yml")}
    return {path.stem}


def _admit(item: RawRecord, ds: Dataset, owner: dict[str, Path], report: Report) -> None:
    """One record that was read: its schema problems, its id, and the record into `ds`."""

    rid = item.data.get("id")
    done = item.prepared
    if isinstance(done, list):  # the schema check's problems
        report.extend(done)
        ds.broken.add(item.path.stem)
        if isinstance(rid, str):
            ds.broken.add(rid)
    if not isinstance(rid, str):  # no id at all: the schema check said so
        return
    id_line = item.data.key_lines.get("id", 1)
    if rid != item.path.stem:
        ds.broken.add(item.path.stem)
        # a malformed id was reported by the schema check: once is enough
        if not (isinstance(done, list) and any(i.line == id_line for i in done)):
            report.add(Issue.at(item.path, id_line, "id-mismatch",
                                f"id {rid!r} differs from the file name {item.path.name!r}",
                                layer="references"))
    if rid in owner:
        report.add(Issue.at(item.path, id_line, "duplicate-id",
                            f"id {rid!r} is already used by {display_path(owner[rid])}",
                            layer="references"))
        return
    owner[rid] = item.path
    if isinstance(done, Source):
        ds.sources[done.id] = done
    elif isinstance(done, Entity):
        ds.entities[done.id] = done


def load_metadata(path: Path, shapes_dir: Path, wording: Wording,
                   report: Report) -> LineDict | None:

    item = load_file(path, "dataset")
    if isinstance(item, LoadProblem):
        report.add(Issue.at(item.path, item.line, item.code, item.message, layer="yaml"))
        return None
    problems = schema_check(item, shapes_dir, wording) or metadata_issues(item, shapes_dir)
    report.extend(problems)
    return None if problems else item.data


def _load_verdicts(path: Path, shapes_dir: Path, wording: Wording,
                   report: Report) -> dict[str, Verdict]:
    """reconcile's verdicts per entity id (`reconciliation.yaml`), schema-checked."""

    item = load_file(path, "reconciliation")
    if isinstance(item, LoadProblem):
        report.add(Issue.at(item.path, item.line, item.code, item.message, layer="yaml"))
        return {}
    problems = schema_check(item, shapes_dir, wording)
    report.extend(problems)
    table = item.data.get("verdicts") or {}
    if problems or not isinstance(table, LineDict):
        return {}
    return {str(ent): Verdict(str(v["verdict"]), str(v["checked"]), str(v["endpoint"]),
                              str(v["of"]), v.get("qid"), tuple(v.get("candidates") or ()),
                              table.key_lines.get(ent, 0))
            for ent, v in table.items()}


