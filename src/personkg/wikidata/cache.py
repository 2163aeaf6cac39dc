"""The answer cache of `personkg reconcile`: one JSON file per (endpoint, query text), holding
the rows and when they were fetched.

An answer expires: one with rows after `max_age` seconds (`--max-age`, 7 days by default), an
empty one ("not found") sooner, after `not_found_max_age` (1 day by default, never more than
`max_age`), because an item missing today may be created tomorrow. An expired entry is asked
again. A file that cannot be read, is not JSON or does not have the expected shape counts as
missing (it is replaced by the next answer). Writes go through `output.write_file` (a
temporary file renamed over the old one), so concurrent runs never see half an entry.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any, Protocol

from ..errors import RunError
from ..output import write_file

__all__ = ["DEFAULT_MAX_AGE", "NOT_FOUND_MAX_AGE", "AnswerCache", "Row",
           "parse_duration", "rows_of"]

DAY = 86400.0
DEFAULT_MAX_AGE = 7 * DAY
NOT_FOUND_MAX_AGE = 1 * DAY

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY, "w": 7 * DAY}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")



class Row(dict[str, str]):
    """One row of an answer: {variable: value}. A variable the code needs but the row lacks
    (a server that answers with other variable names, a hand-edited cache entry) is a
    RunError naming where the answer came from, never a KeyError."""

    source = ""

    def __missing__(self, key: str) -> str:
        raise RunError(f"{self.source}: malformed answer: a row without the variable ?{key}")


def rows_of(result: Any, source: str) -> list[Row]:
    """The rows of a SELECT answer (pyoxigraph's QuerySolutions) as `Row`s from `source`."""
    out = []
    for sol in result:
        row = Row({v.value: sol[v].value for v in result.variables if sol[v] is not None})
        row.source = source
        out.append(row)
    return out


Rows = list[Row]


class _Stats(Protocol):
    queries: int
    cached: int

    def fetched(self, when: float) -> None: ...


def parse_duration(text: str) -> float:
    """`30d`, `12h`, `90m`, `45s`, `2w` (or a bare number of seconds) in seconds; a
    RunError (exit 2) for anything else."""
    value = text.strip().lower()
    m = _DURATION.fullmatch(value)
    if m:
        return float(m.group(1)) * _UNITS[m.group(2)]
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    raise RunError(f"--max-age {text!r}: expected a duration such as 30d, 12h, 90m or 45s")


def _rows(value: Any, source: str) -> Rows | None:
    """`value` as `Row`s from `source` if it is a list of {str: str} rows, else None."""
    if not isinstance(value, list):
        return None
    out = []
    for row in value:
        if not isinstance(row, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in row.items()):
            return None
        out.append(Row(row))
        out[-1].source = source
    return out


class AnswerCache:
    """Cached answers under `folder` (None: no cache), with their expiry."""

    def __init__(self, folder: Path | None, max_age: float = DEFAULT_MAX_AGE,
                 not_found_max_age: float = NOT_FOUND_MAX_AGE,
                 now: float | None = None) -> None:
        self.folder = folder
        self.max_age = max_age
        self.not_found_max_age = min(not_found_max_age, max_age)
        self.now = time.time() if now is None else now

    def path(self, url: str, query: str) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(f"{url}\n{query}".encode()).hexdigest()
        return self.folder / f"{key}.json"

    def get(self, url: str, query: str) -> tuple[Rows, float] | None:
        """The rows cached for this query and when they were fetched; None when there is no
        usable entry (missing, unreadable, malformed or expired)."""
        path = self.path(url, query)
        if path is None:
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return None
        if not isinstance(entry, dict):
            return None
        rows, when = _rows(entry.get("rows"), f"{url} (cached in {path})"), entry.get("fetched")
        if rows is None or isinstance(when, bool) or not isinstance(when, (int, float)):
            return None
        age = self.now - float(when)
        if not 0 <= age <= (self.max_age if rows else self.not_found_max_age):
            return None  # expired, or fetched "in the future" (a clock or a hand edit)
        return rows, float(when)

    def put(self, url: str, query: str, rows: Rows, when: float) -> None:
        path = self.path(url, query)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, json.dumps({"fetched": when, "rows": rows}, sort_keys=True))


class CachedClient:
    """SELECT queries at one endpoint, through the cache; counts queries and notes when each
    answer used was fetched (a cached one by the time stored in its entry)."""

    def __init__(self, endpoint: Any, cache: AnswerCache, stats: _Stats) -> None:
        self.endpoint, self.cache, self.stats = endpoint, cache, stats

    def select(self, query: str) -> Rows:
        self.stats.queries += 1
        hit = self.cache.get(self.endpoint.url, query)
        if hit is not None:
            rows, when = hit
            self.stats.cached += 1
            self.stats.fetched(when)
            return rows
        when = time.time()
        self.stats.fetched(when)
        rows = rows_of(self.endpoint.query(query), self.endpoint.url)
        self.cache.put(self.endpoint.url, query, rows, when)
        return rows
