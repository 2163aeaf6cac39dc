"""Starting a dataset: `personkg init` writes a dataset repository that validates at once,
`personkg new` a record skeleton that says what goes where.

`init DIR` lays out a repository whose dataset is `DIR/data/` (what `--data` finds by
default when run in `DIR`, and what `--data DIR` resolves to):

    DIR/data/dataset.yaml, DIR/data/<kind>/<id>.yaml   example records (example.org only)
    DIR/data/schemas/<kind>.schema.json                the JSON Schemas the records name
    DIR/.github/workflows/personkg.yml                 CI: validate, build the site
    DIR/.pre-commit-config.yaml, DIR/.gitignore, DIR/README.md

The files are the templates in `init_template/` with `{{name}}` filled in; the schemas and
every list of allowed values come from the ontology.
"""

from __future__ import annotations

import datetime
import difflib
import json
import os
import re
import shutil
import tempfile
import textwrap
import unicodedata
from collections.abc import Callable
from pathlib import Path

from .errors import RunError
from .generate import ID_PATTERN, URL_PATTERN, record_schemas
from .output import write_dir, write_file
from .resources import data_folder
from .vocab import DATE_TYPE, Property, Vocabulary

__all__ = ["DEFAULT_LICENSE", "DEFAULT_PERSON", "init_dataset", "new_record", "record_ids",
           "default_type", "slug"]

TEMPLATES = Path(__file__).resolve().parent / "init_template"
DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
DEFAULT_PERSON = "Ada Example"
MODELINE = "# yaml-language-server: $schema="

#: template file -> where `init` writes it in the new repository
FILES = {
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "workflow.yml": ".github/workflows/personkg.yml",
    "dataset.yaml": "data/dataset.yaml",
    "person.yaml": "data/people/{{person_id}}.yaml",
    "coauthor.yaml": "data/people/example-coauthor.yaml",
    "source.yaml": "data/sources/example-homepage.yaml",
    "paper.yaml": "data/works/example-paper.yaml",
}
#: ids of the example records other than the person's: the person cannot take them
EXAMPLE_IDS = ("example-coauthor", "example-homepage", "example-paper")


def slug(text: str) -> str:
    """An id made from a name: ASCII lowercase words joined by hyphens ("José Ñ" -> jose-n)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _checked(value: str, pattern: str, option: str, expected: str) -> str:
    if not re.search(pattern, value):
        raise RunError(f"{value!r} is not {expected}", option=option)
    return value


def init_dataset(folder: Path | str, *, title: str | None = None, base: str | None = None,
                 person_name: str = DEFAULT_PERSON, person_id: str | None = None,
                 license: str = DEFAULT_LICENSE, voc: Vocabulary | None = None) -> list[str]:
    """Write a new dataset repository into `folder`, which must not exist or be empty; the
    files are written into a temporary folder beside it first, then moved into place.
    Returns the paths written, relative to `folder`."""
    given, folder = Path(folder), Path(folder).resolve()
    if folder.exists() and not folder.is_dir():
        raise RunError(f"{given}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise RunError(f"{given}: not empty (init writes only into a new or empty folder)")
    voc = voc or Vocabulary.load()
    values = _values(folder, voc, title, base, person_name, person_id, license)
    written: list[str] = []

    def fill(tmp: Path) -> None:
        for template, dest in FILES.items():
            text = (TEMPLATES / template).read_text(encoding="utf-8")
            quoted = template.endswith((".yaml", ".yml"))
            path = _fill(dest, values, False)
            (tmp / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp / path).write_text(_fill(text, values, quoted), encoding="utf-8")
            written.append(path)
        (tmp / "data" / "schemas").mkdir()
        for kind, schema in record_schemas(voc).items():
            path = f"data/schemas/{kind}.schema.json"
            text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            (tmp / path).write_text(text, encoding="utf-8")
            written.append(path)

    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        _fill_empty(folder, fill)
    else:
        write_dir(folder, fill, output=False)
    return written


def _values(folder: Path, voc: Vocabulary, title: str | None, base: str | None,
            person_name: str, person_id: str | None, license: str) -> dict[str, str]:
    if not person_name.strip():
        raise RunError("the person's name is empty", option="person-name")
    pid = person_id if person_id is not None else slug(person_name)
    if not pid:
        raise RunError(f"cannot make an id from the name {person_name!r}: give one",
                       option="person-id")
    _checked(pid, ID_PATTERN, "person-id", "an id (lowercase letters and digits, "
                                           "words joined by single hyphens)")
    if pid in EXAMPLE_IDS:
        raise RunError(f"{pid!r} is the id of an example record: choose another",
                       option="person-id")
    meta = record_schemas(voc)["dataset"]["properties"]
    base = base if base is not None else f"https://example.org/{slug(folder.name) or 'kg'}/id/"
    _checked(base, meta["base"]["pattern"], "base", "an http(s) IRI ending in / or #")
    _checked(license, URL_PATTERN, "license", "an http(s) URL")
    return {
        "title": title or f"{person_name.strip()}: a sourced knowledge graph",
        "description": f"What public sources say about {person_name.strip()}, "
                       "with a source behind every fact.",
        "base": base, "license": license, "person_id": pid, "person_name": person_name.strip(),
        "today": datetime.date.today().isoformat(),
        "source_kinds": ", ".join(voc.source_fields["kind"].allowed),
        "trust_levels": ", ".join(voc.trust_order()),
    }


def _fill(text: str, values: dict[str, str], quoted: bool) -> str:
    """`{{name}}` replaced by its value; in YAML templates, escaped for the double-quoted
    scalars the templates put free text in (ids and IRIs are checked and need none)."""
    def value(m: re.Match[str]) -> str:
        v = values[m.group(1)]
        return json.dumps(v, ensure_ascii=False)[1:-1] if quoted else v

    return re.sub(r"\{\{(\w+)\}\}", value, text)


def _fill_empty(folder: Path, fill: Callable[[Path], None]) -> None:
    """Build beside the empty `folder`, then move each entry in (the folder itself stays,
    so a shell whose current folder it is sees the files); on failure nothing is left."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    moved: list[str] = []
    try:
        fill(tmp)
        for entry in sorted(tmp.iterdir()):
            os.replace(entry, folder / entry.name)
            moved.append(entry.name)
    except BaseException as exc:
        for name in moved:
            os.replace(folder / name, tmp / name)
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise RunError(f"{folder}: cannot write: {exc.strerror}") from None
        raise
    tmp.rmdir()


# ----------------------------------------------------------------------------- new


def record_ids(data: Path, kinds: list[str]) -> dict[str, Path]:
    """`{id: file}` of the records under `data/<kind>/` by file name, without reading them."""
    out: dict[str, Path] = {}
    for kind in kinds:
        folder = data / kind
        if folder.is_dir():
            out.update((p.stem, p) for p in sorted(folder.iterdir())
                       if p.suffix in (".yaml", ".yml"))
    return out


def default_type(voc: Vocabulary, kind: str) -> str:
    """The type a new record of `kind` gets: the one the folder is named after
    (organizations: Organization), else the most general one (works: CreativeWork)."""
    types = voc.types_for_kind(kind)
    named = [t for t in types if f"{t.lower()}s" == kind]
    roots = [t for t in types if voc.classes[t].parent not in types]
    return (named or roots or types)[0]


def _dataset_here(data: Path | None) -> Path:
    folder = data_folder(data if data is not None else Path("."))
    if data is None and not (folder / "sources").is_dir():
        raise RunError("no dataset here (no data/sources/ or sources/ folder): "
                       "give its folder", option="data")
    if not folder.is_dir():
        raise RunError(f"{folder}: no such folder")
    return folder


def new_record(kind: str, rid: str, data: Path | None = None, type_name: str | None = None,
               voc: Vocabulary | None = None) -> Path:
    """Write the skeleton of a new `kind` record `rid` into the dataset at `data` (default:
    `./data` or the current folder), refusing an unknown kind, a malformed or used id."""
    voc = voc or Vocabulary.load()
    kinds = voc.kinds()
    if kind not in kinds:
        by_type = [voc.classes[t].kind for t in voc.classes
                   if t.lower() == kind.lower() and voc.classes[t].kind]
        near = by_type or difflib.get_close_matches(kind, kinds, n=1)
        hint = f"did you mean {near[0]}? " if near else ""
        raise RunError(f"unknown kind {kind!r} ({hint}kinds: {', '.join(kinds)})")
    types = voc.types_for_kind(kind)
    type_name = type_name or default_type(voc, kind)
    if type_name not in types:
        raise RunError(f"{type_name!r} is not a type of {kind} ({', '.join(types)})",
                       option="type")
    if not re.search(ID_PATTERN, rid):
        better = f" (perhaps {slug(rid)!r})" if slug(rid) else ""
        raise RunError(f"{rid!r} is not an id: lowercase letters and digits, words joined by "
                       f"single hyphens{better}")
    folder = _dataset_here(data)
    used = record_ids(folder, kinds)
    if rid in used:
        raise RunError(f"{used[rid]}: exists (the id {rid!r} is taken)")
    path = folder / kind / f"{rid}.yaml"
    path.parent.mkdir(exist_ok=True)
    write_file(path, skeleton(voc, kind, rid, type_name, _modeline(folder, kind)))
    return path


def _modeline(folder: Path, kind: str) -> str | None:
    """The `$schema` line: the dataset's own schemas/ (as `init` writes them), else the line
    the records of that kind already start with, else none."""
    if (folder / "schemas" / f"{kind}.schema.json").is_file():
        return f"{MODELINE}../schemas/{kind}.schema.json"
    for other in sorted((folder / kind).glob("*.yaml")):
        with open(other, encoding="utf-8", errors="replace") as fh:
            first = fh.readline().rstrip("\n")
        if first.startswith(MODELINE):
            return first
    return None


def _line(text: str, comment: str = "") -> str:
    return f"{text:<35} # {comment}" if comment else text


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'AEIOU' else 'a'} {word}"


EXAMPLE_VALUES = {"item": "an-id", "date": "2020", "integer": "1",
                  "url": "https://example.org/", "text": "text", "string": "text"}
DATE_FORMATS = "YYYY-MM-DD, YYYY-MM or YYYY"
EXAMPLE_NOTES = {"date": "2020, 2020-05 or 2020-05-17: the precision the source gives",
                 "url": "an http(s) URL", "integer": "a positive number"}


def _example_claim(voc: Vocabulary, prop: Property) -> list[str]:
    note = (f"the id of {_a(str(prop.value_class))} record" if prop.kind == "item"
            else EXAMPLE_NOTES.get(prop.kind, ""))
    lines = [f"#   {prop.key}:", _line(f"#     - value: {EXAMPLE_VALUES[prop.kind]}", note)]
    if prop.kind == "text":
        lines.append("#       lang: en")
    if prop.qualifiers:
        q = voc.qualifiers[prop.qualifiers[0]]
        lines.append(_line(f"#       {q.key}: {EXAMPLE_VALUES[q.kind]}",
                           f"qualifiers: {', '.join(prop.qualifiers)}"))
    return lines + ["#       sources:",
                    _line("#         - source: a-source-id", "the id of a record in sources/"),
                    "#           quote: the words in the source that state it"]


def skeleton(voc: Vocabulary, kind: str, rid: str, type_name: str,
             modeline: str | None = None) -> str:
    """The text of a new record: required fields as empty placeholders (validation points at
    each until it is filled in), the optional ones and an example claim as comments."""
    lines = [modeline] if modeline else []
    types = voc.types_for_kind(kind)
    lines += [f"id: {rid}", _line(f"type: {type_name}", f"one of: {', '.join(types)}")]
    if kind == "sources":
        for f in voc.source_fields.values():
            allowed = (voc.trust_order() if f.value_class == "Trust" else list(f.allowed))
            what = f.label + (f"; one of: {', '.join(allowed)}" if allowed
                              else f" ({DATE_FORMATS})" if f.value_type == DATE_TYPE else "")
            lines.append(_line(f'{f.key}: ""', f"required: {what}") if f.required
                         else _line(f"# {f.key}:", f"optional: {what}"))
        lines.append(_line("wikidata: null", "its Wikidata item, if it has one"))
        return "\n".join(lines) + "\n"
    claims = voc.claims_for(type_name)
    lines += [_line('name: ""', "required: the name, as the sources give it"),
              "# description: one line on who or what this is",
              _line("wikidata: null", "filled in by `personkg reconcile --write`")]
    if claims:  # an example: the first link to another record with qualifiers, if any
        example = sorted(claims, key=lambda p: (not p.is_item, not p.qualifiers))[0]
        lines += [*textwrap.wrap(f"Every claim needs at least one source. Claims of "
                                 f"{_a(type_name)}: {', '.join(p.key for p in claims)}.",
                                 width=92, initial_indent="# ", subsequent_indent="# "),
                  "# claims:", *_example_claim(voc, example)]
    return "\n".join(lines) + "\n"
