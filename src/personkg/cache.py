"""The build cache: what one run learned about a dataset, kept for the next run.

It is content-addressed: an entry's key is a hash of everything its value depends on (the
package's own code, the ontology and shapes, a record's path and bytes, ...), so any change
to one of them is a miss, never a stale hit, and there is nothing to invalidate by hand.
The callers (`pipeline`) decide what to keep:

- per record: the checked model of a record file, and its compiled lines;
- per dataset: the SHACL issues of a compiled graph, and the graph loaded into a pyoxigraph
  store on disk (`stores/<key>`), which a query opens read-only instead of loading it again.

Safe against concurrent runs and a crash mid-write: entries live in SQLite (WAL, each
batch one transaction), and a store is loaded in a temporary folder that is renamed into
place once complete. An entry whose digest does not match (a damaged file) is a miss.
Entries are pickles, so, like Python's own `__pycache__`, the folder must be the user's
own: a cache folder that another user could write to is refused (exit 2).

The folder: `build-cache/` in `--cache DIR`, else in `$PERSONKG_CACHE`, else in the platform's
cache folder for personkg (platformdirs; `~/.cache/personkg` on Linux); `--no-cache` or
`PERSONKG_CACHE=off` turns it off. (reconcile keeps its answers beside it, in `wikidata/`.)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import shutil
import sqlite3
import stat
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import RunError
from .keys import (
    code_key,
    folder_key,
    key_of,
    tree_key,
    tree_stamp,
    vocabulary_key,
)

__all__ = ["Cache", "key_of", "code_key", "folder_key", "tree_key", "tree_stamp",
           "vocabulary_key", "current", "use", "paused", "build_cache", "root_of", "OFF", "BUILD"]

#: `PERSONKG_CACHE` / `--cache` value that turns the cache off
OFF = "off"
#: the build cache's folder in the cache folder (not `build`: `--cache .` would then take
#: the folder `personkg build` writes)
BUILD = "build-cache"
#: stores kept on disk (the most recently used ones)
KEEP_STORES = 4
#: entries not written for this long are dropped when the database outgrows MAX_BYTES
MAX_AGE_S = 7 * 86400
MAX_BYTES = 2 << 30
_BATCH = 500  # keys per SQL statement (SQLite's limit on parameters is far above)

_current: Cache | None = None


class Cache:
    """One cache folder: `entries.sqlite` (key -> pickled value) and `stores/`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._db: sqlite3.Connection | None = None
        self._checked = False
        self._writer: threading.Thread | None = None
        self._error: BaseException | None = None

    def _own(self) -> None:
        """The folder, and the cache folder it is in, are the user's own (see the module
        docstring); the folder is made when missing; the database files in it are the
        user's own too."""
        if not self._checked:
            _own_folder(self.folder.parent)
            _own_folder(self.folder)
            for suffix in ("", "-wal", "-shm"):
                _own_path(Path(f"{self._path}{suffix}"))
            self._checked = True

    # ------------------------------------------------------------------ entries
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self._own()
            try:
                try:
                    self._db = _open(self._path)
                except sqlite3.DatabaseError as exc:
                    if not _damaged(exc):
                        raise
                    self._db = self._anew()
            except sqlite3.Error as exc:
                raise RunError(f"{self._path}: cannot use the build cache: {exc} "
                               "(--no-cache runs without it)") from None
            self._trim(self._path)
        return self._db

    @property
    def _path(self) -> Path:
        return self.folder / "entries.sqlite"

    def _anew(self) -> sqlite3.Connection:
        """A damaged database (not SQLite, a malformed page) is only a cache: it is
        replaced by an empty one."""
        if self._db is not None:
            self._db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self._path}{suffix}").unlink(missing_ok=True)
        print(f"personkg: warning: {self._path}: the build cache was damaged; it starts "
              "anew", file=sys.stderr)
        self._db = _open(self._path)
        return self._db

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, Any]:
        """The values found for `keys`; a damaged or unreadable entry is left out."""
        wanted = list(dict.fromkeys(keys))
        found: dict[bytes, Any] = {}
        if not wanted:
            return found
        self.flush()
        db = self._conn()
        bad: list[bytes] = []
        rows: list[tuple[bytes, bytes, bytes]] = []
        try:
            for i in range(0, len(wanted), _BATCH):
                batch = wanted[i:i + _BATCH]
                rows += db.execute("SELECT key, digest, value FROM entries WHERE key IN "
                                   f"({','.join('?' * len(batch))})", batch).fetchall()
        except sqlite3.DatabaseError as exc:
            if not _damaged(exc):
                raise RunError(f"{self._path}: cannot read the build cache: {exc} "
                               "(--no-cache runs without it)") from None
            self._anew()
            return found
        for key, digest, value in rows:
            if _check(value) != digest:
                bad.append(key)
                continue
            try:
                found[key] = pickle.loads(value)
            except Exception:  # noqa: BLE001 - any damage is a miss, made again
                bad.append(key)
        if bad:
            self._write("DELETE FROM entries WHERE key = ?", [(k,) for k in bad])
        return found

    def put_many(self, items: dict[bytes, Any]) -> None:
        """Keep `items` (key -> value), all or none. They are written to the database in a
        thread while the caller goes on (SQLite does not hold the GIL while it writes; at
        10,000 people this takes seconds off the run that fills the cache); the next read,
        and `flush`, wait for it."""
        if not items:
            return
        now = time.time()
        rows = []
        for key, value in items.items():
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            rows.append((key, _check(blob), blob, now))
        self.flush()
        self._conn()

        def write() -> None:
            try:
                self._write("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
            except BaseException as exc:  # noqa: BLE001 - raised again by flush()
                self._error = exc

        self._writer = threading.Thread(target=write, daemon=True)
        self._writer.start()

    def flush(self) -> None:
        """Wait until what was put is written; raise what stopped it."""
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _write(self, sql: str, rows: list[tuple], again: bool = True) -> None:
        db = self._conn()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(sql, rows)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            if again and _damaged(exc):
                self._anew()
                self._write(sql, rows, again=False)
                return
            raise RunError(f"{self._path}: cannot write the build cache: {exc} "
                           "(--no-cache runs without it)") from None

    def _trim(self, path: Path) -> None:
        """Bounded size: past MAX_BYTES, entries older than MAX_AGE_S go."""
        with contextlib.suppress(OSError):
            if path.stat().st_size > MAX_BYTES:
                self._write("DELETE FROM entries WHERE made < ?", [(time.time() - MAX_AGE_S,)])
                assert self._db is not None
                self._db.execute("VACUUM")

    # ------------------------------------------------------------------ stores
    def store(self, key: bytes, chunks: Callable[[], Iterable[bytes]]) -> Any:
        """The pyoxigraph store of the graph `key`, opened read-only; loaded from
        `chunks()` (N-Triples) into a new folder first when there is none, or when the one
        there cannot be opened (damaged, half-removed): it is only a cache."""
        self._own()
        stores = self.folder / "stores"
        try:
            stores.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise RunError(f"{stores}: cannot use the build cache: {exc.strerror} "
                           "(--no-cache runs without it)") from None
        _own_path(stores)
        final = stores / key.hex()
        opened, why = _open_store(final) if (final / "done").is_file() else (None, "")
        if opened is None:
            _remove(final)
            self._load(stores, final, chunks)
            opened, why = _open_store(final)
            if opened is None:
                raise RunError(f"{final}: cannot open the cached store: {why} "
                               "(--no-cache runs without it)")
        with contextlib.suppress(OSError):
            os.utime(final)  # most recently used
        return opened

    def _load(self, stores: Path, final: Path, chunks: Callable[[], Iterable[bytes]]) -> None:
        """The graph loaded into a store in a temporary folder, renamed to `final`."""
        import pyoxigraph as ox

        tmp = Path(tempfile.mkdtemp(prefix=".loading-", dir=stores))
        try:
            store = ox.Store(str(tmp / "db"))
            for chunk in chunks():
                store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
            store.flush()
            del store
            (tmp / "done").write_bytes(b"")
            try:
                os.rename(tmp, final)
            except OSError:  # another run put it there first: theirs is the same
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._evict(stores, keep=final)

    @staticmethod
    def _evict(stores: Path, keep: Path) -> None:
        """Only the KEEP_STORES most recently used stores stay (and unfinished folders
        of runs that stopped over an hour ago go)."""
        done = sorted((p for p in stores.iterdir() if (p / "done").is_file() and p != keep),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        for old in done[KEEP_STORES - 1:]:
            shutil.rmtree(old, ignore_errors=True)
        for stale in stores.glob(".loading-*"):
            with contextlib.suppress(OSError):
                if time.time() - stale.stat().st_mtime > 3600:
                    shutil.rmtree(stale, ignore_errors=True)


def _check(blob: bytes) -> bytes:
    """A check of an entry's bytes against damage (CRC-32: a third of the time of a
    cryptographic hash over hundreds of MB; tampering is kept out by the folder's owner
    check, not by this)."""
    return zlib.crc32(blob).to_bytes(4, "little")


def _damaged(exc: sqlite3.Error) -> bool:
    """Whether `exc` says the file is not a sound database (rather than busy or locked)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.OperationalError | sqlite3.IntegrityError) or "malformed" in str(exc)


def _open(path: Path) -> sqlite3.Connection:
    fresh = not path.exists()
    db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    db.text_factory = bytes  # a value that is not a blob is damaged: its digest says so
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, "
                   "digest BLOB NOT NULL, value BLOB NOT NULL, made REAL NOT NULL)")
        db.execute("SELECT count(*) FROM entries WHERE key = x''").fetchone()
        if fresh:  # the user's alone, whatever the umask (its -wal and -shm follow it)
            os.chmod(path, 0o600)
    except BaseException:
        db.close()
        raise
    return db


def _own_folder(folder: Path) -> None:
    """Create `folder` (private), or check that it is a folder only its owner can write."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
    except OSError as exc:
        raise RunError(f"{folder}: cannot use as the build cache: {exc.strerror} "
                       "(--no-cache runs without it)") from None
    if not stat.S_ISDIR(info.st_mode):
        raise RunError(f"{folder}: the build cache is not a folder")
    uid = getattr(os, "getuid", lambda: info.st_uid)()
    if info.st_uid != uid or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise RunError(f"{folder}: refused as the build cache: another user owns it or can "
                       "write to it, and its entries are run as code (chmod go-w, or "
                       "--no-cache)")


def _own_path(path: Path) -> None:
    """Refuse `path` (when it exists) if it is a link, another user's, or writable by
    others: what is in it is run (a pickle) or answered (a store)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RunError(f"{path}: cannot use the build cache: {exc.strerror}") from None
    uid = getattr(os, "getuid", lambda: info.st_uid)()
    if (stat.S_ISLNK(info.st_mode) or info.st_uid != uid
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        raise RunError(f"{path}: refused in the build cache: a link, another user's, or "
                       "writable by others, and it is run as code (chmod go-w, or "
                       "--no-cache)")


def _open_store(final: Path) -> tuple[Any, str]:
    """The store in the folder `final`, opened read-only, or None and why not."""
    import pyoxigraph as ox

    _own_path(final)
    try:
        return ox.Store.read_only(str(final / "db")), ""
    except Exception as exc:  # noqa: BLE001 - pyoxigraph raises OSError or RuntimeError
        return None, str(exc)


def _remove(path: Path) -> None:
    """A damaged store folder (or a file in its place) removed; nothing when missing."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def use(cache: Cache | None) -> None:
    """Make `cache` the one this process uses (None: no cache), once what was put in the
    one it used before is written."""
    global _current
    was, _current = _current, cache
    if was is not None and was is not cache:
        was.flush()


def current() -> Cache | None:
    return _current


@atexit.register
def _at_exit() -> None:  # what was put is written before the process ends (no error then)
    if _current is not None:
        with contextlib.suppress(Exception):
            _current.flush()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cache inside: for a dataset in a temporary folder, whose entries would be keyed
    by a path that is never read again."""
    global _current
    was, _current = _current, None
    try:
        yield
    finally:
        _current = was


def root_of(value: str | Path | None) -> Path | None:
    """The cache folder a `--cache` / `PERSONKG_CACHE` value names: None for "off", else
    the folder, or (None, empty) the platform's cache folder for personkg. The build cache
    is its `build-cache/`, reconcile's answers its `wikidata/`."""
    if value is not None and str(value).strip().lower() == OFF:
        return None
    if value is None or not str(value).strip():
        import platformdirs

        value = platformdirs.user_cache_dir("personkg", appauthor=False)
    return Path(value).expanduser()


def build_cache(root: Path | None) -> Cache | None:
    """The build cache in the cache folder `root` (see `root_of`; None: no cache)."""
    return None if root is None else Cache(root / BUILD)
