"""Atomic outputs: a file or folder is complete or absent, never half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import RunError

__all__ = ["write_file", "write_dir", "write_chunks"]


def write_file(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RunError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RunError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dir(path: Path, fill: Callable[[Path], None]) -> None:
    """Build a folder with `fill(tmpdir)`, then swap it into place as `path`.

    An existing folder at `path` is replaced only once the new one is complete."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise RunError(f"{path}: folder {parent} does not exist")
    if path.exists() and not path.is_dir():
        raise RunError(f"{path}: exists and is not a folder")
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=parent))
    try:
        fill(tmp)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=parent))
            os.replace(path, old / "previous")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_chunks(path: Path, chunks: Iterable[str | bytes], batch: int = 4096) -> None:
    """Write text or UTF-8 pieces to a new file, a batch of pieces at a time."""
    with open(path, "wb") as fh:
        pending: list[str | bytes] = []
        for chunk in chunks:
            pending.append(chunk)
            if len(pending) == batch:
                fh.write(_joined(pending))
                pending.clear()
        fh.write(_joined(pending))


def _joined(pieces: list) -> bytes:
    """Pieces of one kind (an exporter gives text or bytes, not both) as bytes."""
    if pieces and isinstance(pieces[0], bytes):
        return b"".join(pieces)
    return "".join(pieces).encode("utf-8")
