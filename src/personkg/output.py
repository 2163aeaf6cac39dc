"""Atomic outputs: a file or folder is complete or absent, never half-written."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import parallel
from .errors import PersonkgError, RunError
from .progress import progress

__all__ = ["write_file", "write_dir", "write_chunks", "write_files"]


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


Pieces = Callable[[], Iterable[str | bytes]]


def write_files(folder: Path, writers: dict[str, Pieces], aside: tuple[str, ...] = ()) -> None:
    """Write `folder/<name>` from each writer's pieces. The files named in `aside` are
    written meanwhile by a forked second process, when processes can be forked."""
    aside = tuple(n for n in aside if n in writers) if parallel.can_fork() else ()
    child = None
    if aside:
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_write_aside, args=(folder, writers, aside, send))
        child.start()
        send.close()
    try:
        for name in progress([n for n in writers if n not in aside], "writing exports"):
            write_chunks(folder / name, writers[name]())
    except BaseException:
        if child:
            child.terminate()
            child.join()
        raise
    if child:
        try:
            failure = receive.recv()
        except EOFError:
            failure = f"writing {', '.join(aside)}: the second process stopped"
        child.join()
        if failure:
            raise RunError(failure)


def _write_aside(folder: Path, writers: dict[str, Pieces], names: tuple[str, ...],
                 send: Any) -> None:
    os.environ["PERSONKG_PROGRESS"] = "0"
    failure = ""
    try:
        for name in names:
            write_chunks(folder / name, writers[name]())
    except OSError as exc:
        failure = f"{folder / name}: cannot write: {exc.strerror}"
    except PersonkgError as exc:
        failure = str(exc)
    except Exception as exc:  # noqa: BLE001 - told to the parent, which stops with it
        failure = f"writing {name}: {exc!r}"
    send.send(failure)
