"""YAML files -> raw records that remember the line of every key and list item.

Dates stay text: the timestamp resolver of YAML 1.1 is removed, so `2024-05-16` is the
string it looks like (a bare year like `2017` is still an int and is normalised before
the schema check). `yes`/`no`/`on`/`off` are strings too; only `true`/`false` are booleans.
The C-accelerated loader is used when PyYAML has it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from . import runtime
from .cache import key_of
from .errors import RunError
from .progress import progress
from .suggest import did_you_mean

__all__ = ["LineDict", "LineList", "RawRecord", "LoadProblem", "load_file", "load_dir",
           "unknown_folders", "line_of"]

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    __slots__ = ("line", "key_lines")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.key_lines: dict[Any, int] = {}

    def __reduce__(self) -> tuple:  # pickled as a plain dict and its lines: fast
        return (_line_dict, (dict(self), self.line, self.key_lines))


class LineList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    __slots__ = ("line", "item_lines")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.item_lines: list[int] = []

    def __reduce__(self) -> tuple:
        return (_line_list, (list(self), self.line, self.item_lines))


def _line_dict(items: dict, line: int, key_lines: dict[Any, int]) -> LineDict:
    out = LineDict()
    out.update(items)
    out.line, out.key_lines = line, key_lines
    return out


def _line_list(items: list, line: int, item_lines: list[int]) -> LineList:
    out = LineList()
    out.extend(items)
    out.line, out.item_lines = line, item_lines
    return out


class DuplicateKey(yaml.MarkedYAMLError):
    pass


_STR, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq", "merge"))
_Scalar, _Mapping, _Sequence = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


class _Loader(_Base):  # type: ignore[misc, valid-type]
    # True when the text has no anchor, so no node is reached twice: then the mappings
    # and sequences below the top are built by direct calls, without the general
    # constructor's bookkeeping for shared and recursive nodes
    direct = False
    merges = True  # False when the text has no merge key (`<<`)
    tags = True  # False when the text has no `!`, so no value can carry an explicit tag


_ANCHOR = re.compile(r"&\S")  # an anchor is & and its name; `R & D` is no anchor


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_TIMESTAMP, _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


#: The most values a record may hold once its aliases are expanded: far above any real
#: record (the largest embedded one holds about 2,000), far below what a few nested
#: aliases can make ("billion laughs": 467 bytes expanding to billions of values).
MAX_VALUES = 200_000


class Refused(yaml.MarkedYAMLError):
    """YAML that is valid but not accepted in a record (a tag, a key, an expansion)."""


def _check_expansion(node: yaml.Node) -> None:
    """Refuse a document whose aliases expand to more than MAX_VALUES values, at the
    top-level entry where the count passes the limit, or one that contains itself. The
    count takes time in the number of distinct nodes, whatever they expand to."""
    sizes: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        done = sizes.get(id(n))
        if done is not None:
            if done < 0:  # reached again while being counted: it contains itself
                raise Refused(None, None, "an alias refers to a value that contains it",
                              n.start_mark)
            return done
        sizes[id(n)] = -1
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(c) for c in n.value)
        else:
            total = 1
        sizes[id(n)] = min(total, MAX_VALUES + 1)
        return sizes[id(n)]

    if size(node) <= MAX_VALUES:
        return
    total, where = 0, node.start_mark
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        total += size(key) + size(value)
        if total > MAX_VALUES:
            where = key.start_mark
            break
    raise Refused(None, None, f"its aliases expand to more than {MAX_VALUES:,} values", where)


def _refuse_explicit(loader: _Loader, node: yaml.ScalarNode, construct: Any) -> Any:
    """Numbers, booleans and null only as YAML reads them unmarked: an explicit tag that
    makes a value of another type (`!!int "12"`, `!!binary`, `!!set`) is refused."""
    if loader.tags and (node.style
                        or loader.resolve(_Scalar, node.value, (True, False)) != node.tag):
        raise Refused(None, None, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is "
                      "not allowed: write plain text, numbers, true/false or null",
                      node.start_mark)
    return construct(loader, node)


def _refuse(loader: _Loader, node: yaml.Node) -> Any:
    raise Refused(None, None, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not "
                  "allowed: write plain text, numbers, true/false or null", node.start_mark)


for _tag in ("int", "float", "bool", "null"):
    _Loader.add_constructor(
        f"tag:yaml.org,2002:{_tag}",
        lambda loader, node, c=yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{_tag}"]:
            _refuse_explicit(loader, node, c))
for _tag in ("timestamp", "binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    own = sum(1 for k, _ in node.value if k.tag != _MERGE) if loader.merges else len(node.value)
    loader.flatten_mapping(node)  # the pairs of `<<: *base` come first, then its own
    merged = len(node.value) - own
    out = LineDict()
    out.line = node.start_mark.line + 1
    key_lines = out.key_lines
    construct = loader.construct_object
    from_merge: set[Any] = set()
    for i, (key_node, value_node) in enumerate(node.value):
        # a plain string is its own value: most nodes, so they skip the general
        # constructor (which gives the same string)
        if key_node.tag == _STR and type(key_node) is _Scalar:
            key = key_node.value
        elif type(key_node) is not _Scalar:
            raise Refused(None, None, "a key must be a plain value, not a list or a mapping",
                          key_node.start_mark)
        else:
            key = construct(key_node, deep=True)
            if not isinstance(key, str):  # 2016:, true:, a bare `?`: keys are names
                raise Refused(None, None, f"the key {key_node.value or 'null'!r} is not a "
                              "name: keys are text", key_node.start_mark)
        if key in out:  # a key given twice is an error; a merged one may be given again
            if key not in from_merge:
                raise DuplicateKey(None, None, f"duplicate key {key!r}", key_node.start_mark)
            if i >= merged:
                from_merge.discard(key)
        if i < merged:
            from_merge.add(key)
        if value_node.tag == _STR and type(value_node) is _Scalar:
            out[key] = value_node.value
        else:
            out[key] = _child(loader, value_node)
        key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList()
    out.line = node.start_mark.line + 1
    append, lines = out.append, out.item_lines.append
    for child in node.value:
        if child.tag == _STR and type(child) is _Scalar:
            append(child.value)
        else:
            append(_child(loader, child))
        lines(child.start_mark.line + 1)
    return out


def _child(loader: _Loader, node: yaml.Node) -> Any:
    """The value of a node below the top that is not a plain string."""
    if loader.direct:
        if node.tag == _MAP and type(node) is _Mapping:
            return _construct_mapping(loader, node)
        if node.tag == _SEQ and type(node) is _Sequence:
            return _construct_sequence(loader, node)
    return loader.construct_object(node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


@dataclass
class RawRecord:
    """One parsed YAML file: its folder kind and its top-level mapping."""

    path: Path
    kind: str
    data: LineDict
    # what `load_dir(prepare=...)` made of the record, in the process that read it
    prepared: Any = None
    # with a memo: the record's key (a hash of the memo's salt, its kind, path and bytes)
    key: bytes = b""


@dataclass
class LoadProblem:
    """A file that could not be read as a YAML mapping."""

    path: Path
    line: int | None
    code: str
    message: str


def load_file(path: Path, kind: str, raw: bytes | None = None) -> RawRecord | LoadProblem:
    """Parse one record file (whose bytes are `raw` when already read); problems come
    back as values, not exceptions."""
    if raw is None:
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return LoadProblem(path, line, "not-utf8",
                           f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded")
    try:
        loader = _Loader(text)
        loader.direct = not _ANCHOR.search(text)
        loader.merges = "<<" in text or "merge" in text
        loader.tags = "!" in text
        try:
            node = loader.get_single_node()
            if node is not None and not loader.direct:
                _check_expansion(node)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and mark and exc.context_mark.line != mark.line:
            what += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        kind = "not accepted in a record" if isinstance(exc, Refused) else "YAML syntax error"
        return LoadProblem(path, at, "yaml-syntax", f"{kind}: {what}")
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. NUL
        at = text[:exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[0])
        return LoadProblem(path, at, "yaml-syntax", f"YAML syntax error: the character "
                           f"U+{char:04X} is not allowed in YAML text")
    except yaml.YAMLError as exc:
        return LoadProblem(path, None, "yaml-syntax",
                           "YAML syntax error: " + " ".join(str(exc).split()))
    except RecursionError:
        return LoadProblem(path, None, "yaml-syntax",
                           "YAML syntax error: values nested too deeply to read")
    if not isinstance(data, LineDict):
        return LoadProblem(path, 1, "not-a-record",
                           "a record file must hold one mapping (id: ..., type: ..., ...)")
    return RawRecord(path, kind, data)


Prepare = Callable[[RawRecord], None]
Entry = tuple[Path, str, "bytes | None"]  # a file, its folder kind, its bytes if read


class Memo(Protocol):
    """Where records read before are kept (`cache.Cache`)."""

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, Any]: ...

    def put_many(self, items: dict[bytes, Any]) -> None: ...


def load_dir(root: Path, kinds: list[str], prepare: Prepare | None = None,
             memo: Memo | None = None, salt: bytes = b"") -> list[RawRecord | LoadProblem]:
    """Every `<root>/<kind>/*.yaml` file, sorted by path for stable output. `prepare` is
    called on each record in the process that read it (it may set `record.prepared`).
    With a `memo`, a file whose key (`salt`, kind, path and bytes) is in it is not read
    again, and what was read is put in it; a record from the memo has only its `id` in
    `data` (what prepare made of it is in `prepared`)."""
    if not root.exists():
        raise RunError(f"{root}: data directory does not exist")
    if not root.is_dir():
        raise RunError(f"{root}: not a directory")
    found: list[Entry] = []
    for kind in kinds:
        folder = root / kind
        if folder.is_dir():
            found += [(path, kind, None) for path in sorted(folder.iterdir())
                      if path.suffix in (".yaml", ".yml")]
    if memo is None:
        return [i for i in _load_all(found, prepare) if i is not None]
    return [i for i in _load_memo(found, prepare, memo, salt) if i is not None]


def _load_memo(found: list[Entry], prepare: Prepare | None, memo: Memo,
               salt: bytes) -> list[RawRecord | LoadProblem | None]:
    """`_load_all`, reading only the files whose key is not in `memo`. Each file is parsed
    from the very bytes its key was made of, so an edit while it runs cannot be kept
    under the old key."""
    keys: list[bytes | None] = []
    entries: list[Entry] = []
    for path, kind, _ in found:
        raw = None
        if path.is_file():
            with contextlib.suppress(OSError):  # reported by the usual path below
                raw = path.read_bytes()
        entries.append((path, kind, raw))
        keys.append(None if raw is None else key_of(salt, kind, str(path), raw))
    hits = memo.get_many(k for k in keys if k is not None)
    out: list[RawRecord | LoadProblem | None] = [hits.get(k) if k else None for k in keys]
    todo = [i for i, item in enumerate(out) if item is None]
    made = _load_all([entries[i] for i in todo], prepare)
    new: dict[bytes, RawRecord | LoadProblem] = {}
    for i, item in zip(todo, made, strict=True):
        out[i] = item
        k = keys[i]
        if k is not None and item is not None:
            new[k] = _kept(item)
    for item, k in zip(out, keys, strict=True):
        if isinstance(item, RawRecord) and k is not None:
            item.key = k
    memo.put_many(new)
    return out


def unknown_folders(root: Path, kinds: Mapping[str, str]) -> list[LoadProblem]:
    """A problem for each folder of `root` that holds YAML files but is not a record folder
    (its files would silently not be read). `kinds` maps each record folder, and the other
    names of its records ("person"), to the folder, for the suggestion."""
    folders = sorted(set(kinds.values()))
    out = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.name.startswith(".") or folder.name in folders or not folder.is_dir():
            continue
        files = [p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")]
        if files:
            n = len(files)
            out.append(LoadProblem(
                folder, None, "unknown-folder",
                f"{folder.name}/ is not a record folder, so its {n} YAML file{'s' * (n != 1)} "
                f"{'are' if n != 1 else 'is'} not read (record folders: "
                f"{', '.join(f + '/' for f in folders)})"
                f"{did_you_mean(folder.name, kinds, quote='{}/')}"))
    return out


def _kept(item: RawRecord | LoadProblem) -> RawRecord | LoadProblem:
    """What the memo keeps of a record: what `prepare` made of it, and of its mapping only
    the id and its line (all that is read of it afterwards; the rest is in `prepared`, and
    unpickling it again took a third of a cached run)."""
    if not isinstance(item, RawRecord) or "id" not in item.data:
        return item
    data = _line_dict({"id": item.data["id"]}, item.data.line,
                      {"id": item.data.key_lines.get("id", 1)})
    return RawRecord(item.path, item.kind, data, item.prepared, item.key)


def _load_all(found: list[Entry],
              prepare: Prepare | None = None) -> list[RawRecord | LoadProblem | None]:
    """Each file of `found` read, in order (None for what is neither file nor folder)."""
    if len(found) < runtime.MIN_FILES or not runtime.can_fork():
        return _load_many(found, prepare, "reading records")
    half = len(found) // 2
    with multiprocessing.get_context("fork").Pool(1) as pool:
        later = pool.apply_async(_load_many, (found[half:], prepare))
        first = _load_many(found[:half], prepare, "reading records (1 of 2 processes)")
        return first + later.get()


def _load_many(found: list[Entry], prepare: Prepare | None = None,
               label: str = "") -> list[RawRecord | LoadProblem | None]:
    out: list[RawRecord | LoadProblem | None] = []
    for path, kind, raw in progress(found, label) if label else found:
        item: RawRecord | LoadProblem | None = None
        if path.is_symlink() and not path.exists():
            raise RunError(f"{path}: cannot read: the link points to a missing file")
        if path.is_dir():
            item = LoadProblem(path, None, "not-a-record",
                               "a folder named like a record file: records are files")
        elif path.is_file():
            try:
                item = load_file(path, kind, raw)
            except OSError as exc:
                raise RunError(f"{path}: cannot read: {exc.strerror}") from None
            if prepare is not None and isinstance(item, RawRecord):
                prepare(item)
        out.append(item)
    return out


def line_of(node: Any, path: tuple[Any, ...] | list[Any]) -> int | None:
    """The line of the value at `path` inside a loaded document (best effort: the deepest
    node on the path that knows its line)."""
    line = getattr(node, "line", None)
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line
