""""Did you mean": the known names closest to a misspelt one (difflib), for messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

__all__ = ["closest", "did_you_mean"]


def closest(word: str, known: Iterable[str] | Mapping[str, str], cutoff: float = 0.6) -> str | None:
    """The known name closest to `word`, or None when none is close enough. Case does not
    count. `known` may map other spellings (a label, a synonym) to the name they stand for:
    `{"paper": "ScholarlyArticle"}`."""
    names = dict(known) if isinstance(known, Mapping) else {k: k for k in known}
    folded: dict[str, str] = {}
    for spelling, name in names.items():
        folded.setdefault(str(spelling).casefold(), name)
    found = difflib.get_close_matches(str(word).casefold(), list(folded), n=1, cutoff=cutoff)
    return folded[found[0]] if found else None


def did_you_mean(word: str, known: Iterable[str] | Mapping[str, str],
                 quote: str = "'{}'") -> str:
    """`"; did you mean 'employer'?"` for the closest known name, else `""`. `quote` is how
    the name is written (`"{}/"` for a folder)."""
    name = closest(word, known)
    if name is None or name == word:
        return ""
    return f"; did you mean {quote.format(name)}?"
