"""Outputs that are complete or absent, never half-written, and never written over what is
not theirs.

- A file is written to a temporary file beside it, then renamed over it; a file it replaces
  keeps its mode, a new one gets the umask's. A character device or a pipe (`-o /dev/null`,
  `-o /dev/stdout`) is written into, never replaced; a block device is refused.
- A folder (`build`, `site`) is filled in a temporary folder beside it, then swapped into
  place in one step (`renameat2(RENAME_EXCHANGE)` where Linux has it, else two renames). It
  replaces only an empty folder or an earlier personkg output (which carries the marker file
  `.personkg-output`), and never the folder of the data being read or one that holds it.
  Temporary folders that a killed run left behind are removed by the next run.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import RunError

__all__ = ["write_file", "write_bytes", "write_many", "write_dir", "write_chunks", "write_new",
           "MARKER", "check_folder_target"]

#: The file every folder written by `write_dir` carries: it may be replaced by the next run.
MARKER = ".personkg-output"
_PARTIAL = ".personkg-partial-"  # prefix of the temporary folders: `.<name>.personkg-partial-`


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder, then rename."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename."""
    write_many([(path, data)])


def _stage(path: Path, data: bytes) -> str:
    """`data` in a temporary file beside `path`, with the mode `path` has (or will get)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RunError(f"{path}: folder {folder} does not exist")
    if path.is_dir():
        raise RunError(f"{path}: is a folder, not a file")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise RunError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RunError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_many(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write several files that belong together (records and the verdicts about them):
    every one is first written in full to a temporary file beside it, and only when all
    are written are they renamed into place, so a failure (a folder that cannot be
    written, a full disk) leaves every file as it was."""
    staged: list[tuple[str, Path]] = []
    streams: list[tuple[Path, bytes]] = []
    try:
        for path, data in files:
            if _is_stream(Path(path)):
                streams.append((Path(path), data))
            else:
                staged.append((_stage(Path(path), data), Path(path)))
        for i, (tmp, path) in enumerate(staged):
            try:
                os.replace(tmp, path)
            except OSError as exc:
                staged = staged[i:]
                raise RunError(f"{path}: cannot write: {exc.strerror}") from None
        staged = []
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
    for path, data in streams:
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise RunError(f"{path}: cannot write: {exc.strerror}") from None


def _is_stream(path: Path) -> bool:
    """Whether `path` is a character device or a pipe, to be written into: renaming a file
    over it would replace the device itself (as root, `/dev/null` with a file). A block
    device is refused."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    if stat.S_ISBLK(mode):
        raise RunError(f"{path}: is a block device; give a file")
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def check_folder_target(path: Path, protect: Iterable[Path] = ()) -> Path:
    """What `write_dir` checks before it writes anything (`RunError` when `path` cannot be
    the folder): its parent folder exists, and `_check_target`. Returns the parent."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise RunError(f"{path}: folder {parent} does not exist")
    _check_target(path, protect)
    return parent


def _check_target(path: Path, protect: Iterable[Path]) -> None:
    """`path` may be written only where it loses nothing: not the data, not a folder that
    holds the data, not a folder with files of its own."""
    here = path.resolve()
    for data in protect:
        data = Path(data).resolve()
        if here == data or here in data.parents:
            raise RunError(f"{path}: is or holds the dataset being read ({data}); "
                           "choose another output folder")
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise RunError(f"{path}: exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not (path / MARKER).is_file():
        raise RunError(f"{path}: is neither empty nor an earlier personkg output; "
                       "choose another output folder (nothing was written)")


def _remove_stale(parent: Path, name: str) -> None:
    """Remove the temporary folders of earlier runs for `name` whose process is gone."""
    for old in parent.glob(f".{name}{_PARTIAL}*"):
        pid = old.name.rsplit("-", 2)[-2] if old.name.count("-") >= 2 else ""
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the
    system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


def write_dir(path: Path, fill: Callable[[Path], None], protect: Iterable[Path] = (),
              output: bool = True) -> None:
    """Build a folder with `fill(tmpdir)`, then swap it into place as `path`.

    An existing folder at `path` is replaced only once the new one is complete, and only
    when it is empty or an earlier personkg output; never when it is, or holds, one of the
    `protect` folders (the data being read). An `output` folder carries the marker that
    lets the next run replace it; a folder that is the user's own from then on (a new
    dataset) does not."""
    path = Path(path)
    parent = check_folder_target(path, protect)
    _remove_stale(parent, path.name)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}{_PARTIAL}{os.getpid()}-", dir=parent))
        os.chmod(tmp, 0o777 & ~_umask())
    except OSError as exc:
        raise RunError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        fill(tmp)
        if output:
            (tmp / MARKER).write_text(
                "written by personkg; the next run may replace this folder\n", encoding="utf-8")
        if not path.exists():
            os.replace(tmp, path)
        elif _exchange(tmp, path):
            shutil.rmtree(tmp, ignore_errors=True)  # the old folder, now at tmp
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}{_PARTIAL}{os.getpid()}-",
                                        dir=parent))
            os.replace(path, old / "previous")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_new(path: Path, data: str | bytes) -> None:
    """Write one file into a folder being filled (`write_dir`'s temporary folder, which a
    failure removes whole): an `open`, `write` and `close` of the system, without the text
    layer of `Path.write_text` (half the time per file; a large site writes three files per
    record, `benchmarks/site.py`)."""
    view = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


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
