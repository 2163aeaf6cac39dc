"""`personkg diff`: what a change does to the facts of a dataset, statement by statement,
between two git revisions of the repository holding it, or two dataset folders."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .compare import Diff, EntityChange, SourceChange, StatementChange, compare
from .render import RENDERERS
from .sides import WORKING_TREE, Side, open_side

__all__ = ["Diff", "EntityChange", "SourceChange", "StatementChange", "Reviewed", "RENDERERS",
           "FAIL_ON", "WORKING_TREE", "review", "compare"]

#: what `--fail-on` can name: does the diff have such a change?
FAIL_ON: dict[str, Callable[[Diff], bool]] = {
    "weakened": lambda d: any(s.weakened for s in d.statements()),
    "removed": lambda d: any(s.status == "removed" for s in d.statements()),
    "deprecated": lambda d: any(s.deprecated for s in d.statements()),
}


@dataclass
class Reviewed:
    """A diff, and how to show a path of HEAD's records (relative to the repository for a
    revision exported to a temporary folder)."""

    diff: Diff
    head: Side

    def render(self, fmt: str) -> str:
        return RENDERERS[fmt](self.diff, self.head.shown)


def review(base: str, head: str | None, data: Callable[[], Path]) -> Reviewed:
    """Compare the dataset at `base` with the one at `head` (None: the dataset folder
    `data()` as it is on disk). Each is a folder, or a revision of the git repository of
    `data()`, exported to a temporary folder that is removed before this returns."""
    tmp = Path(tempfile.mkdtemp(prefix="personkg-diff-"))
    try:
        old = open_side(base, data, tmp / "base")
        new = open_side(head, data, tmp / "head")
        diff = compare(old.dataset, old.voc, new.dataset, new.voc, old.label, new.label)
        diff.notes += old.notes + new.notes
        return Reviewed(diff, new)  # rendering needs HEAD's paths, not its files
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
