"""A diff as text, Markdown (a pull-request comment), GitHub workflow annotations or JSON.

The JSON shape (keys sorted, lists in a stable order):

    {"base": LABEL, "head": LABEL, "summary": "+1 facts, -0, ...", "counts": {NAME: N},
     "notes": [...],
     "entities": [{"id", "type", "name", "status": added|removed|changed, "renamed_from",
                   "file", "line", "fields": {"label"|"type"|"wikidata"|"description":
                   [BEFORE, AFTER], "aliases": [[REMOVED...], [ADDED...]]},
                   "statements": [{"status": added|removed|changed, "property", "value",
                                   "qualifiers": {KEY: VALUE}, "rank", "reason", "statement",
                                   "file", "line", "changes": {WHAT: [BEFORE, AFTER]},
                                   "references_added": [REF], "references_removed": [REF],
                                   "trust": [BEFORE, AFTER], "weakened", "low_trust_only"}]}],
     "sources": [{"id", "status", "renamed_from", "file", "line",
                  "fields": {KEY: [BEFORE, AFTER]}}]}

A value is a string (an id, a date as written, a text), or an integer; REF is
{"source", "quote", "url"}. `file` and `line` are where the entity or statement is in HEAD
(null for what was removed); `file` is relative to the repository for a revision."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..model import Reference, Text
from .compare import Diff, EntityChange, StatementChange

__all__ = ["RENDERERS", "Where"]

#: a record path -> the path shown (relative to the repository or working directory)
Where = Callable[[Path], str]


def _v(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, Text):
        return json.dumps(value.text, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _ref(r: Reference) -> str:
    return r.source + (f' ("{_short(r.quote, 50)}")' if r.quote else "") + \
        (f" <{r.url}>" if r.url else "")


def _fact(s: StatementChange) -> str:
    quals = ", ".join(f"{k} {_v(v)}" for k, v in sorted(s.qualifiers.items()))
    return f"{s.property} = {_v(s.value)}" + (f" ({quals})" if quals else "")


def statement_lines(s: StatementChange) -> tuple[str, list[str]]:
    """A statement change as a headline and its details."""
    details = []
    for what, (a, b) in s.changes.items():
        if what == "rank" and b == "deprecated":
            details.append(f"deprecated (was {a})" + (f": {s.reason}" if s.reason else ""))
        elif what == "reason" and "rank" in s.changes:
            continue
        elif what in ("note", "reason"):
            details.append(f"{what}: {_short(_v(a), 60)} -> {_short(_v(b), 60)}")
        else:
            details.append(f"{what}: {_v(a)} -> {_v(b)}")
    details += [f"reference added: {_ref(r)}" for r in s.references_added]
    details += [f"reference removed: {_ref(r)}" for r in s.references_removed]
    if s.weakened:
        details.append(f"WEAKENED: best source's trust {_v(s.trust[0])} -> {_v(s.trust[1])}"
                       + (" (now on low-trust sources only)" if s.low_only else ""))
    elif s.status == "added" and s.low_only:
        details.append(f"on low-trust sources only (best: {_v(s.trust[1])})")
    if s.status == "added" and s.rank != "normal":
        details.append(f"rank {s.rank}" + (f": {s.reason}" if s.reason else ""))
    return f"{s.status} {_fact(s)}", details


def entity_lines(e: EntityChange) -> list[str]:
    out = []
    if e.status != "changed":
        out.append(f"entity {e.status}")
    if e.renamed_from:
        out.append(f"id renamed: {e.renamed_from} -> {e.id} (the IRI of {e.renamed_from} "
                   "no longer resolves)")
    for what, (a, b) in e.fields.items():
        if what == "aliases":
            out.append(f"aliases: -{_v(a)} +{_v(b)}")
        elif what == "wikidata":
            out.append(f"wikidata: {'set to ' + str(b) if a is None else _v(a) + ' -> ' + _v(b)}")
        else:
            out.append(f"{what}: {_v(a)} -> {_v(b)}")
    return out


def _title(e: EntityChange) -> str:
    return f"{e.id} ({e.type}, {e.name})"


def render_text(diff: Diff, where: Where) -> str:
    out = [f"personkg diff {diff.base} -> {diff.head}", *(f"note: {n}" for n in diff.notes)]
    for e in diff.entities:
        out.append(_title(e))
        out += [f"  {line}" for line in entity_lines(e)]
        for s in e.statements:
            head, details = statement_lines(s)
            sign = "+-~"[("added", "removed", "changed").index(s.status)]
            out.append(f"  {sign} {head.split(' ', 1)[1]}")
            out += [f"      {d}" for d in details]
    for src in diff.sources:
        out.append(_source_line(src))
    out.append(diff.summary())
    return "\n".join(out) + "\n"


def _source_line(src: object) -> str:
    from .compare import SourceChange

    assert isinstance(src, SourceChange)
    text = f"source {src.id}: {src.status}"
    if src.renamed_from:
        text += f" (renamed from {src.renamed_from})"
    for k, (a, b) in src.fields.items():
        text += f"; {k}: {_short(_v(a), 40)} -> {_short(_v(b), 40)}"
    return text


def _md(text: str) -> str:
    for c in "\\`*_[]<|":
        text = text.replace(c, "\\" + c)
    return text


def _md_url(url: str) -> str:
    """A link destination: its parentheses escaped, so one that is not balanced does not
    end the link (CommonMark reads backslash escapes there)."""
    return url.replace("(", "\\(").replace(")", "\\)")


def render_markdown(diff: Diff, where: Where) -> str:
    out = [f"### personkg diff: `{diff.base}` → `{diff.head}`", "", f"**{diff.summary()}**"]
    out += [f"\n> {_md(n)}" for n in diff.notes]
    for e in diff.entities:
        name = f"[{_md(e.name)}]({_md_url(f'{diff.site_url}id/{e.id}.html')})" \
            if diff.site_url and e.status != "removed" else _md(e.name)
        out += ["", f"#### {name} (`{e.id}`, {e.type})", ""]
        out += [f"- {_md(line)}" for line in entity_lines(e)]
        for s in e.statements:
            head, details = statement_lines(s)
            flag = "⚠️ " if s.weakened or s.deprecated else ""
            status, rest = head.split(" ", 1)
            out.append(f"- {flag}**{status}** {_md(rest)}")
            out += [f"  - {_md(d)}" for d in details]
    if diff.sources:
        out += ["", "#### Sources", ""] + [f"- {_md(_source_line(s))}" for s in diff.sources]
    return "\n".join(out) + "\n"


def _gh(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(diff: Diff, where: Where) -> str:
    """A notice (a warning for a weakened or newly deprecated fact) at each changed line of
    HEAD; what was removed is noted at its entity, or without a file when that is gone."""
    out = []

    def note(level: str, path: Path | None, line: int, title: str, message: str) -> None:
        props = f"file={_gh(where(path), True)},line={line or 1}," if path else ""
        out.append(f"::{level} {props}title={_gh(title, True)}::{_gh(message)}")

    for e in diff.entities:
        here = e.path if e.status != "removed" else None
        for line in entity_lines(e):
            note("notice", here, e.line, f"personkg diff: {e.id}", line)
        for s in e.statements:
            head, details = statement_lines(s)
            level = "warning" if s.weakened or s.deprecated else "notice"
            path, at = (s.path, s.line) if s.path else (here, e.line)
            note(level, path, at, f"personkg diff: {s.status}",
                 f"{e.id}: {head}" + "".join(f"; {d}" for d in details))
    for src in diff.sources:
        note("notice", src.path if src.status != "removed" else None, src.line,
             f"personkg diff: source {src.status}", _source_line(src))
    out.append(diff.summary())
    return "\n".join(out) + "\n"


def _j(value: object) -> object:
    if isinstance(value, Text):
        return value.text
    if isinstance(value, (list, tuple)):
        return [_j(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _jref(r: Reference) -> dict[str, str | None]:
    return {"source": r.source, "quote": r.quote, "url": r.url}


def render_json(diff: Diff, where: Where) -> str:
    def stmt(s: StatementChange) -> dict[str, object]:
        return {"status": s.status, "property": s.property, "value": _j(s.value),
                "qualifiers": {k: _j(v) for k, v in s.qualifiers.items()}, "rank": s.rank,
                "reason": s.reason, "statement": s.statement,
                "file": where(s.path) if s.path else None, "line": s.line or None,
                "changes": {k: [_j(a), _j(b)] for k, (a, b) in s.changes.items()},
                "references_added": [_jref(r) for r in s.references_added],
                "references_removed": [_jref(r) for r in s.references_removed],
                "trust": list(s.trust), "weakened": s.weakened, "low_trust_only": s.low_only}

    doc = {"base": diff.base, "head": diff.head, "summary": diff.summary(),
           "counts": diff.counts(), "notes": diff.notes,
           "entities": [{"id": e.id, "type": e.type, "name": e.name, "status": e.status,
                         "renamed_from": e.renamed_from,
                         "file": where(e.path) if e.status != "removed" else None,
                         "line": e.line if e.status != "removed" else None,
                         "fields": {k: [_j(a), _j(b)] for k, (a, b) in e.fields.items()},
                         "statements": [stmt(s) for s in e.statements]}
                        for e in diff.entities],
           "sources": [{"id": s.id, "status": s.status, "renamed_from": s.renamed_from,
                        "file": where(s.path) if s.status != "removed" else None,
                        "line": s.line if s.status != "removed" else None,
                        "fields": {k: [_j(a), _j(b)] for k, (a, b) in s.fields.items()}}
                       for s in diff.sources]}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Diff, Where], str]] = {
    "text": render_text, "markdown": render_markdown, "json": render_json,
    "github": render_github}
