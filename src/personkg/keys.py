"""Keys for the build cache (`cache.py`): hashes of everything a cached value depends on
(personkg's code and the libraries beside it, the ontology and shapes, a file's path and
bytes, a whole dataset folder), so that no change can meet a stale entry."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from .resources import __version__

__all__ = ["key_of", "code_key", "folder_key", "vocabulary_key", "tree_key", "tree_stamp"]


def key_of(*parts: bytes | str) -> bytes:
    """A 20-byte key for `parts` (each length-prefixed, so no two lists of parts collide)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


_CODE_KEY: bytes | None = None


def code_key() -> bytes:
    """A hash of personkg's version and of its own source files, and of the name and
    version of every package installed beside it (their `*.dist-info` folders: a listing,
    not package metadata, which takes long to import): a new version of personkg or of a
    library it uses (pyoxigraph, PyYAML, jsonschema), or an edited source in a development
    install, gives new keys."""
    global _CODE_KEY
    if _CODE_KEY is None:
        import pyoxigraph

        package = Path(__file__).resolve().parent
        parts: list[bytes | str] = [__version__]
        for path in sorted(package.rglob("*.py")):
            parts += [str(path.relative_to(package)), path.read_bytes()]
        for where in sorted({Path(pyoxigraph.__file__).resolve().parent.parent,
                             package.parent}):
            with contextlib.suppress(OSError):
                parts += sorted(p.name for p in where.iterdir() if p.suffix == ".dist-info")
        _CODE_KEY = key_of(*parts)
    return _CODE_KEY


def folder_key(folder: Path) -> bytes:
    """A hash of the files of `folder` (names and bytes): the shapes, the ontology."""
    parts: list[bytes | str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts += [str(path.relative_to(folder)), path.read_bytes()]
    return key_of(*parts)


def vocabulary_key(shapes_dir: Path, extension: Path | None) -> bytes:
    """What every cached record depends on besides its own bytes: personkg's code, the
    ontology (and a dataset's extension of it), the shapes and record schemas, and the
    working folder (a problem names its file relative to it, when it is below)."""
    from .resources import resource_dir

    return key_of(code_key(), folder_key(resource_dir("ontology")),
                  extension.read_bytes() if extension else b"", folder_key(shapes_dir),
                  os.getcwd())


def tree_stamp(root: Path) -> list[tuple[str, int, int]] | None:
    """The path (below `root`), size and modification time of every file under `root`,
    sorted; None when that cannot be known for sure: a folder cannot be read, or a link
    or special file is there (what it points at could change unseen). Equal stamps before
    and after a run mean no file was written meanwhile. (os.scandir, not pathlib: this runs
    on every `validate`, and Path objects made it take twice as long.)"""
    out: list[tuple[str, int, int]] = []

    def walk(folder: str, prefix: str) -> bool:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_symlink():
                    return False
                if entry.is_dir(follow_symlinks=False):
                    if not walk(entry.path, prefix + entry.name + "/"):
                        return False
                elif entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    out.append((prefix + entry.name, info.st_size, info.st_mtime_ns))
                else:
                    return False
        return True

    try:
        return sorted(out) if walk(str(root), "") else None
    except OSError:
        return None


def tree_key(root: Path, stamp: list[tuple[str, int, int]], *salt: bytes | str) -> bytes | None:
    """A key for `salt` and the files of `stamp` (`tree_stamp(root)`): their names and
    bytes; None when one cannot be read."""
    h = hashlib.blake2b(key_of(*salt, str(root)), digest_size=20)
    try:
        for name, _, _ in stamp:
            with open(os.path.join(root, name), "rb") as f:
                h.update(key_of(name, f.read()))
    except OSError:
        return None
    return h.digest()
