"""SPARQL on the compiled dataset, in-process on a pyoxigraph store, and the named query
library in `queries/*.rq` (each file starts with `# title:` / `# answers:` comment lines).

The project's prefixes (see `vocab.PREFIXES`) are predeclared: a query may use `pkgd:`,
`schema:`, `wd:` ... without PREFIX lines (its own PREFIX lines take precedence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import DataError, RunError
from .export.turtle import Compactor
from .resources import resource_dir
from .vocab import PREFIXES

__all__ = ["NamedQuery", "named_queries", "run_query", "RESULT_FORMATS"]

RESULT_FORMATS = ("table", "csv", "tsv", "json")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    answers: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _header(text: str, field: str) -> str:
    lines = []
    capture = False
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        m = re.match(r"^(\w+):\s*(.*)$", body)
        if m:
            capture = m.group(1) == field
            if capture:
                lines.append(m.group(2))
        elif capture:
            lines.append(body)
    return " ".join(lines)


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    folder = folder or resource_dir("queries")
    out = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        out[path.stem] = NamedQuery(path.stem, _header(text, "title") or path.stem,
                                    _header(text, "answers"), path)
    return out


def with_prefixes(query: str) -> str:
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items()))
    return head + query


def run_query(store: ox.Store, query: str, fmt: str = "table", origin: str = "query") -> str:
    """Run a SPARQL query; SELECT/ASK rendered as `fmt`, CONSTRUCT/DESCRIBE as Turtle."""
    try:
        result = store.query(with_prefixes(query))
    except SyntaxError as exc:
        raise DataError(f"{origin}: SPARQL syntax error: {_syntax_message(exc)}") from None
    except OSError as exc:
        raise RunError(f"{origin}: the query failed: {exc}") from None
    if isinstance(result, (bool, ox.QueryBoolean)):
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        from .export.turtle import to_turtle
        from .graph import CompiledGraph

        return to_turtle(CompiledGraph(list(result)))
    if fmt == "table":
        return _table(result)
    fmt_obj = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "json": ox.QueryResultsFormat.JSON}[fmt]
    return result.serialize(format=fmt_obj).decode("utf-8")


def _syntax_message(exc: SyntaxError) -> str:
    # pyoxigraph reports positions in the text with our PREFIX lines prepended
    shift = len(PREFIXES)
    msg = str(exc).splitlines()[0]
    return re.sub(r"\bat (\d+):(\d+)",
                  lambda m: f"at line {max(1, int(m.group(1)) - shift)}, column {m.group(2)}", msg)


def _table(solutions: ox.QuerySolutions) -> str:
    c = Compactor(PREFIXES)
    names = [v.value for v in solutions.variables]
    rows = []
    for sol in solutions:
        row = []
        for name in names:
            term = sol[name]
            if term is None:
                row.append("")
            elif isinstance(term, ox.Literal):
                row.append(term.value)
            else:
                row.append(c.term(term))
        rows.append(row)
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(x.ljust(w) for x, w in zip(cells, widths, strict=True))  # noqa: E731
    out = [line(names), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    return "\n".join(x.rstrip() for x in out) + f"\n({len(rows)} row{'s' * (len(rows) != 1)})\n"
