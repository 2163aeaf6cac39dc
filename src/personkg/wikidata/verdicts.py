"""Reconcile's verdicts, kept in the dataset, and the new items they allow.

`personkg reconcile --write` records, for every entity it looked up, what it found there
and then (`reconciliation.yaml` beside `dataset.yaml`, one line per entity, reviewable in a
pull request): matched (the QID, also written into the record), absent, candidate(s),
duplicate or conflict, the day and the endpoint, and a fingerprint of what was looked up.

`export --create-missing` creates an item only for an entity recorded *absent* within the
freshness window (`WINDOW_DAYS`, `--checked-within`), whose name, type and identifiers have
not changed since; never a candidate, a likely duplicate, a conflict, or an entity nobody
checked. Wikidata grows every day (someone may have created the item since), so an old
"absent" is not trusted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from pathlib import Path

from ..compile import best_of
from ..model import Dataset, Entity, Verdict
from ..output import write_bytes
from ..resources import RECONCILIATION
from ..vocab import Vocabulary
from .reconcile import Reconciliation

__all__ = ["WINDOW_DAYS", "fingerprint", "verdicts_of", "verdicts_file", "write_verdicts",
           "creatable", "plan"]

#: how many days an "absent" verdict is trusted by `export --create-missing` by default
WINDOW_DAYS = 7

_FROM_CONFIDENCE = {"high": "matched", "none": "absent", "candidate": "candidate",
                    "duplicate": "duplicate", "conflict": "conflict"}

_HEADER = (
    "# What `personkg reconcile --write` found on Wikidata for each entity without a QID: one\n"
    "# line per entity (matched, absent, candidate, duplicate or conflict; the day; the\n"
    "# endpoint; a fingerprint of the name, type and identifiers looked up).\n"
    "# `personkg export --create-missing` creates items only for entities checked absent\n"
    "# recently and unchanged since. Written by personkg; edit by running reconcile again.\n")


def fingerprint(ent: Entity, voc: Vocabulary) -> str:
    """16 hex digits over what reconcile looks an entity up by: type, name, aliases and
    the best values of its strong identifiers."""
    ids = {key: sorted(str(c.value) for c in best_of(ent.claims, key))
           for key in voc.strong_identifiers()}
    what = [ent.type, ent.name, sorted(ent.aliases), ids]
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def verdicts_of(rec: Reconciliation, ds: Dataset, voc: Vocabulary,
                today: dt.date | None = None) -> dict[str, Verdict]:
    """The verdict of each entity reconcile looked up, dated by its oldest answer (an
    answer from the cache is as old as the cache entry)."""
    day = (dt.datetime.fromtimestamp(rec.oldest, dt.timezone.utc).date()
           if rec.oldest is not None else (today or dt.date.today()))
    out = {}
    for m in rec.matches:
        if m.kind != "entity":  # sources get a QID or nothing; they are never created
            continue
        ent = ds.entities.get(m.entity)
        if ent is None:
            continue
        out[m.entity] = Verdict(_FROM_CONFIDENCE[m.confidence], day.isoformat(), m.endpoint,
                                fingerprint(ent, voc), m.qid if m.accepted else None,
                                tuple(m.candidates))
    return out


def _line(ent_id: str, v: Verdict) -> str:
    cells = [f"verdict: {v.verdict}"]
    if v.qid:
        cells.append(f"qid: {v.qid}")
    if v.candidates:
        cells.append(f"candidates: [{', '.join(v.candidates)}]")
    cells += [f'checked: "{v.checked}"', f"endpoint: {json.dumps(v.endpoint)}",
              f'of: "{v.of}"']
    return f"  {ent_id}: {{{', '.join(cells)}}}\n"


def verdicts_file(ds: Dataset, new: dict[str, Verdict]
                  ) -> tuple[tuple[Path, bytes], dict[str, Verdict]]:
    """The dataset's reconciliation.yaml with `new` in it, keeping earlier verdicts of
    entities still in the dataset that this run did not look up: (path, bytes) and the
    table it holds."""
    table = {k: v for k, v in ds.verdicts.items() if k in ds.entities}
    table.update(new)
    text = _HEADER + "verdicts:\n" + "".join(_line(k, table[k]) for k in sorted(table))
    return (ds.root / RECONCILIATION, text.encode("utf-8")), table


def write_verdicts(ds: Dataset, new: dict[str, Verdict]) -> int:
    """Store `new` in the dataset's reconciliation.yaml (atomically). Returns the number of
    entities recorded."""
    (path, data), table = verdicts_file(ds, new)
    write_bytes(path, data)
    ds.verdicts = table
    return len(table)


def _why_not(ent: Entity, v: Verdict | None, voc: Vocabulary, today: dt.date,
             window: int) -> str | None:
    """Why no item is created for `ent` (None: it may be created)."""
    if v is None:
        return "never checked (run `personkg reconcile --write`)"
    if v.of != fingerprint(ent, voc):
        return "name, type or identifiers changed since reconcile checked (run it again)"
    if v.verdict != "absent":
        return {"matched": "matched by reconcile, but the QID is not in the record",
                "candidate": "label matches on Wikidata, for a person to confirm",
                "duplicate": "its identifier is on several Wikidata items (likely duplicates)",
                "conflict": "its identifiers point at different Wikidata items"}[v.verdict]
    try:
        age = (today - dt.date.fromisoformat(v.checked)).days
    except ValueError:
        return "checked on an unreadable date (run `personkg reconcile --write`)"
    if age > window:
        return f"checked absent more than {window} days ago (run `personkg reconcile --write`)"
    if age < 0:
        return "checked absent on a day after today (run `personkg reconcile --write`)"
    return None


def creatable(ds: Dataset, voc: Vocabulary, window: int = WINDOW_DAYS,
              today: dt.date | None = None) -> tuple[set[str], Counter[str], set[str]]:
    """The entities without a QID that may become new items (checked absent within
    `window` days and unchanged since), a count of the others by reason, and the
    endpoints the creations rely on."""
    today = today or dt.date.today()
    create: set[str] = set()
    left_out: Counter[str] = Counter()
    endpoints: set[str] = set()
    for ent in ds.entities.values():
        if ent.wikidata:
            continue
        if not voc.wikidata_class_of(ent.type):
            left_out[f"type {ent.type} is not created on Wikidata"] += 1
            continue
        v = ds.verdicts.get(ent.id)
        why = _why_not(ent, v, voc, today, window)
        if why:
            left_out[why] += 1
        elif v is not None:
            create.add(ent.id)
            endpoints.add(v.endpoint)
    return create, left_out, endpoints


def plan(ds: Dataset, voc: Vocabulary,
         window: int | None = None) -> tuple[set[str], Counter[str], str]:
    """`creatable` with the default window, and a line that says what it allows."""
    window = WINDOW_DAYS if window is None else window
    create, left_out, endpoints = creatable(ds, voc, window)
    if create:
        said = (f"creating at most {len(create)} items for entities checked absent within "
                f"{window} days at {', '.join(sorted(endpoints))}")
    else:
        said = (f"--create-missing: no entity was checked absent on Wikidata within {window} "
                "days; nothing is created (run `personkg reconcile --write`)")
    return create, left_out, said
