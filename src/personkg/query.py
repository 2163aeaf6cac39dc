"""SPARQL on the compiled dataset, in-process on a pyoxigraph store, and the named query
library in `queries/*.rq` (each file starts with `# title:` / `# answers:` comment lines).

The project's prefixes (see `namespaces.prefixes`) are predeclared: a query may use `pkgd:`,
`schema:`, `wd:` ... without PREFIX lines (its own PREFIX lines take precedence).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .binding import SUBJECT, bind_terms, bind_text, has_service, subject_parameters
from .errors import DataError, RunError
from .namespaces import (
    DEFAULT_BASE,
    PKG,
    PKGD,
    PKGP,
    PKGPQ,
    PKGPQV,
    PKGPR,
    PKGPS,
    PKGPSV,
    PREFIXES,
    prefixes,
)
from .resources import resource_dir
from .suggest import did_you_mean
from .vocab import Property, Vocabulary

__all__ = ["NamedQuery", "named_queries", "named_query", "check_params", "unknown_terms",
           "run_query", "render", "bind_params", "with_prefixes", "subject_parameters",
           "SUBJECT", "RESULT_FORMATS", "visible"]

#: table/csv/tsv/json for SELECT and ASK (json = SPARQL 1.1 JSON results); CONSTRUCT and
#: DESCRIBE give Turtle, or JSON-LD with --format jsonld (or json). `table`, the default,
#: is Turtle for those; any other format that does not fit the query is refused.
RESULT_FORMATS = ("table", "csv", "tsv", "json", "turtle", "jsonld")
_SOLUTION_FORMATS = ("table", "csv", "tsv", "json")
_GRAPH_FORMATS = ("table", "turtle", "jsonld", "json")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    answers: str
    path: Path
    parameters: str = ""

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """The variables its `# parameters:` header declares (`?person` -> `person`)."""
        return tuple(dict.fromkeys(re.findall(r"\?(\w+)", self.parameters)))


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
                                    _header(text, "answers"), path,
                                    _header(text, "parameters"))
    return out


def named_query(name: str, library: dict[str, NamedQuery] | None = None) -> NamedQuery:
    """The named query `name`; a RunError naming the closest ones when there is none."""
    library = named_queries() if library is None else library
    if name not in library:
        raise RunError(f"no named query {name!r}{did_you_mean(name, list(library))} "
                       f"(known: {', '.join(library)})", option="name")
    return library[name]


def check_params(query: NamedQuery, names: list[str] | dict[str, str]) -> None:
    """A RunError for a parameter name the named query does not declare."""
    declared = query.parameter_names
    for name in names:
        if name not in declared:
            have = (f"its parameters: {', '.join(declared)}" if declared
                    else "it has no parameters")
            raise RunError(f"the named query {query.name} has no parameter {name!r}"
                           f"{did_you_mean(name, declared)} ({have})", option="param")


# A string, an IRI or a comment (skipped), or a prefixed name of one of the project's
# namespaces (group 1: the prefix, group 2: the local name).
_TERMS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*"
                    r"|(?<![\w?$:])(pkg|pkgd|pkgp|pkgps|pkgpsv|pkgpq|pkgpqv|pkgpr):([A-Za-z0-9_][\w-]*)")
_OWN_PREFIX = re.compile(r"PREFIX\s+(\w*):\s*<([^>]*)>", re.IGNORECASE)


def _terms_of(voc: Vocabulary) -> dict[str, tuple[str, dict[str, str]]]:
    """For each project namespace: what its terms are, and `{spelling: term}` (the names,
    and the YAML keys of properties, for the suggestion)."""
    def by_key(props: list[Property]) -> dict[str, str]:
        return {**{p.key: p.name for p in props}, **{p.name: p.name for p in props}}

    claims = by_key(list(voc.claims.values()))
    ontology = {t.value[len(PKG):] for triple in voc.triples for t in triple
                if t.value.startswith(PKG)}
    return {PKGD: ("a property", claims), PKGP: ("a property", claims),
            PKGPS: ("a property", claims), PKGPSV: ("a property", claims),
            PKGPQ: ("a qualifier", by_key(list(voc.qualifiers.values()))),
            PKGPQV: ("a qualifier", by_key(list(voc.qualifiers.values()))),
            PKGPR: ("a reference property", by_key(list(voc.references.values()))),
            PKG: ("a term of the personkg ontology", {t: t for t in ontology if t})}


def unknown_terms(query: str, voc: Vocabulary | None = None) -> list[str]:
    """A warning for each prefixed name in the project's namespaces (`pkgd:emploer`) that
    the vocabulary does not have, with the closest one that it has: such a query runs, but
    finds nothing there."""
    found = [m for m in _TERMS.finditer(query) if m.group(1)]
    if not found:
        return []
    iris = {**PREFIXES, **dict(_OWN_PREFIX.findall(query))}
    voc = voc or Vocabulary.load()
    terms = voc.memo.get("query-terms")
    if terms is None:
        terms = voc.memo["query-terms"] = _terms_of(voc)
    out: list[str] = []
    for m in found:
        prefix, name = m.group(1), m.group(2)
        what, known = terms.get(iris.get(prefix, ""), ("", {}))
        warning = (f"{prefix}:{name} is not {what}"
                   f"{did_you_mean(name, known, quote=prefix + ':{}')}")
        if what and name not in known.values() and warning not in out:
            out.append(warning)
    return out


def with_prefixes(query: str, base: str = DEFAULT_BASE) -> str:
    """The query with the project's prefixes declared (`id:` is the dataset's `base`)."""
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes(base).items()))
    return head + query


#: `bind_params(query, {name: value}, base)`: the parameters bound in the query's text
#: (for a remote endpoint); see `personkg.binding`.
bind_params = bind_text


def run_query(store: ox.Store, query: str, fmt: str = "table", origin: str = "query",
              base: str = DEFAULT_BASE, params: dict[str, str] | None = None, *,
              allow_service: bool = False, timeout: float | None = None) -> str:
    """Run a SPARQL query on an embedded store and render it as `fmt`.

    `params` ({name: value}) are bound in the query's algebra where pyoxigraph can, else
    in its text as serialized terms (see `personkg.binding`). SERVICE is refused unless
    `allow_service` (it would make this process send requests to any host). With `timeout`
    (seconds), the query runs in a forked process that is stopped when the time is up or
    on Ctrl-C (KeyboardInterrupt); where processes cannot be forked, in a thread that is
    abandoned."""
    if not allow_service and has_service(query):
        raise RunError(f"{origin}: the query uses SERVICE, which makes personkg send "
                       "requests to other hosts; allow it explicitly", option="allow-service")
    if timeout is None:
        return _evaluate(store, query, fmt, origin, base, params or {})
    from .deadline import run_with_deadline

    return run_with_deadline(lambda: _evaluate(store, query, fmt, origin, base, params or {}),
                             timeout, origin)


def _evaluate(store: ox.Store, query: str, fmt: str, origin: str, base: str,
              params: dict[str, str]) -> str:
    try:
        result = _execute(store, query, base, params)
        if isinstance(result, ox.QueryTriples):
            return render(list(result), fmt, base)
        return render(result, fmt, base)
    except SyntaxError as exc:
        raise DataError(f"{origin}: SPARQL syntax error: {_syntax_message(exc)}") from None
    except OSError as exc:
        raise RunError(f"{origin}: the query failed: {exc}") from None


def _execute(store: ox.Store, query: str, base: str, params: dict[str, str]) -> object:
    if not params:
        return store.query(with_prefixes(query, base))
    text, substitutions = bind_terms(query, params, base)
    try:
        return store.query(with_prefixes(text, base), substitutions=substitutions)
    except RuntimeError as exc:
        if "projection" not in str(exc):
            raise RunError(f"the query failed: {exc}", option="param") from None
    # oxigraph substitutes only variables the query returns: bind the others in the text
    return store.query(with_prefixes(bind_text(query, params, base), base))


def render(result: object, fmt: str = "table", base: str = DEFAULT_BASE) -> str:
    """SELECT solutions as a table, CSV, TSV or SPARQL JSON; ASK as true/false (or SPARQL
    JSON); a list of triples (CONSTRUCT/DESCRIBE) as Turtle or JSON-LD.

    Control characters from the data never reach the terminal: each one that the format
    does not need (all but tab, line feed and carriage return; in a table cell, all) is
    shown as its visible symbol (ESC as \u241b)."""
    return visible(_render(result, fmt, base))


def _render(result: object, fmt: str, base: str) -> str:
    triples = isinstance(result, list)
    if fmt not in (_GRAPH_FORMATS if triples else _SOLUTION_FORMATS):
        kind, fits = (("a CONSTRUCT or DESCRIBE query gives triples", "turtle or jsonld")
                      if triples else ("a SELECT or ASK query gives solutions or true or "
                                       "false, not triples",
                                       "table, csv, tsv or json"))
        raise RunError(f"format {fmt}: {kind}; use {fits}", option="format")
    if isinstance(result, list):
        from .compile import CompiledGraph

        graph = CompiledGraph([str(t) for t in result], base=base)
        if fmt in ("jsonld", "json"):
            from .export.jsonld import to_jsonld
            from .vocab import Vocabulary

            return to_jsonld(graph, Vocabulary.load())
        from .export.turtle import to_turtle

        return to_turtle(graph)
    if isinstance(result, (bool, ox.QueryBoolean)):
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result)}) + "\n"
        return ("true" if bool(result) else "false") + "\n"
    if fmt == "table":
        return _table(result, base)  # type: ignore[arg-type]
    fmt_obj = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "json": ox.QueryResultsFormat.JSON}[fmt]
    return result.serialize(format=fmt_obj).decode("utf-8")  # type: ignore[attr-defined]


# C0 controls as their Unicode control pictures, DEL as U+2421, C1 controls as \x80..\x9f
_PICTURES: dict[int, str | int] = {**{c: 0x2400 + c for c in range(0x20)}, 0x7F: 0x2421,
             **{c: f"\\x{c:02x}" for c in range(0x80, 0xA0)}}
_LAYOUT = {c: _PICTURES.pop(c) for c in (0x09, 0x0A, 0x0D)}
_CELL = {**_PICTURES, **_LAYOUT}


def visible(text: str, cell: bool = False) -> str:
    """`text` with its control characters made visible; tab, line feed and carriage return
    are kept unless `cell`."""
    return text.translate(_CELL if cell else _PICTURES)


def _syntax_message(exc: SyntaxError) -> str:
    # pyoxigraph reports positions in the text with our PREFIX lines prepended
    shift = len(PREFIXES)
    msg = str(exc).splitlines()[0]
    return re.sub(r"\bat (\d+):(\d+)",
                  lambda m: f"at line {max(1, int(m.group(1)) - shift)}, column {m.group(2)}", msg)


def _table(solutions: ox.QuerySolutions, base: str = DEFAULT_BASE) -> str:
    from .export.turtle import Compactor

    c = Compactor(prefixes(base))
    iri = c.iri
    names = [v.value for v in solutions.variables]
    rows = []
    for sol in solutions:  # (a solution iterates its values in the order of `names`)
        row = []
        for term in sol:
            if term is None:
                row.append("")
            elif type(term) is ox.Literal:
                row.append(visible(term.value, cell=True))
            elif type(term) is ox.NamedNode:
                row.append(visible(iri(term.value), cell=True))
            else:
                row.append(visible(c.term(term), cell=True))
        rows.append(row)
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join([x.ljust(w) for x, w in zip(cells, widths, strict=True)]).rstrip()

    out = [line(names), line(["-" * w for w in widths]), *map(line, rows)]
    return "\n".join(out) + f"\n({len(rows)} row{'s' * (len(rows) != 1)})\n"
