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

from .errors import DataError, RunError
from .export.turtle import Compactor
from .namespaces import (
    DEFAULT_BASE,
    PKG,
    PKGD,
    PKGP,
    PKGPQ,
    PKGPR,
    PKGPS,
    PREFIXES,
    XSD,
    prefixes,
)
from .resources import resource_dir
from .suggest import did_you_mean
from .vocab import Property, Vocabulary

__all__ = ["NamedQuery", "named_queries", "named_query", "check_params", "unknown_terms",
           "run_query", "render", "bind_params", "with_prefixes", "subject_parameters",
           "SUBJECT", "RESULT_FORMATS"]

#: table/csv/tsv/json for SELECT and ASK (json = SPARQL 1.1 JSON results); CONSTRUCT and
#: DESCRIBE give Turtle, or JSON-LD with --format jsonld (or json).
RESULT_FORMATS = ("table", "csv", "tsv", "json", "turtle", "jsonld")


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
                    r"|(?<![\w?$:])(pkg|pkgd|pkgp|pkgps|pkgpq|pkgpr):([A-Za-z0-9_][\w-]*)")
_OWN_PREFIX = re.compile(r"PREFIX\s+(\w*):\s*<([^>]*)>", re.IGNORECASE)


def _terms_of(voc: Vocabulary) -> dict[str, tuple[str, dict[str, str]]]:
    """For each project namespace: what its terms are, and `{spelling: term}` (the names,
    and the YAML keys of properties, for the suggestion)."""
    def by_key(props: list[Property]) -> dict[str, str]:
        return {**{p.key: p.name for p in props}, **{p.name: p.name for p in props}}

    claims = by_key(list(voc.claims.values()))
    ontology = {str(t)[len(PKG):] for triple in voc.graph for t in triple
                if str(t).startswith(PKG)}
    return {PKGD: ("a property", claims), PKGP: ("a property", claims),
            PKGPS: ("a property", claims),
            PKGPQ: ("a qualifier", by_key(list(voc.qualifiers.values()))),
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


#: A VALUES default that stands for the dataset's subject (`subject:` in dataset.yaml, or the
#: person with the most statements): named queries about "the person" use it.
SUBJECT = "pkg:subject"


def subject_parameters(query: str) -> list[str]:
    """The variables whose VALUES default in `query` is the dataset's subject."""
    return re.findall(r"VALUES\s+\?(\w+)\s*\{\s*" + re.escape(SUBJECT) + r"\s*\}", query)


def with_prefixes(query: str, base: str = DEFAULT_BASE) -> str:
    """The query with the project's prefixes declared (`id:` is the dataset's `base`)."""
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes(base).items()))
    return head + query


def run_query(store: ox.Store, query: str, fmt: str = "table", origin: str = "query",
              base: str = DEFAULT_BASE) -> str:
    """Run a SPARQL query on an embedded store and render it as `fmt`."""
    try:
        result = store.query(with_prefixes(query, base))
    except SyntaxError as exc:
        raise DataError(f"{origin}: SPARQL syntax error: {_syntax_message(exc)}") from None
    except OSError as exc:
        raise RunError(f"{origin}: the query failed: {exc}") from None
    if isinstance(result, ox.QueryTriples):
        return render(list(result), fmt, base)
    return render(result, fmt, base)


def render(result: object, fmt: str = "table", base: str = DEFAULT_BASE) -> str:
    """SELECT solutions as a table, CSV, TSV or SPARQL JSON; ASK as true/false (or SPARQL
    JSON); a list of triples (CONSTRUCT/DESCRIBE) as Turtle or JSON-LD."""
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
    if fmt in ("table", "turtle", "jsonld"):
        return _table(result, base)  # type: ignore[arg-type]
    fmt_obj = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "json": ox.QueryResultsFormat.JSON}[fmt]
    return result.serialize(format=fmt_obj).decode("utf-8")  # type: ignore[attr-defined]


# ------------------------------------------------------------------ parameters

_VALUES_BLOCK = r"VALUES\s+\?{name}\s*\{{([^{{}}]*)\}}"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _kind_of(default: str) -> str:
    """What a VALUES default looks like: iri, date, integer or string."""
    d = default.strip()
    if d.startswith('"') or d.startswith("'"):
        if re.search(r"\^\^(xsd:date\b|<" + re.escape(XSD) + r"date>)", d):
            return "date"
        if re.search(r"\^\^(xsd:integer\b|<" + re.escape(XSD) + r"integer>)", d):
            return "integer"
        return "string"
    if re.fullmatch(r"-?\d+", d):
        return "integer"
    return "iri"


def _guess_kind(raw: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return "date"
    if re.fullmatch(r"-?\d+", raw):
        return "integer"
    if raw.startswith(("http://", "https://", "id:", "<")):
        return "iri"
    return "string"


def _term_for(name: str, raw: str, kind: str, base: str = DEFAULT_BASE) -> str:
    """`raw` as a SPARQL term of `kind`. The term is built as an RDF term and serialized
    (never pasted), so a value cannot change the query around it."""
    if kind == "iri":
        value = raw.strip()
        if _ID.match(value):
            value = base + value
        elif value.startswith("id:"):
            value = base + value[3:]
        value = value.removeprefix("<").removesuffix(">")
        if not re.match(r"^[a-z][a-z0-9+.-]*:", value):
            raise RunError(f"parameter {name}: {raw!r} is not an id or an IRI", option="param")
        try:
            return str(ox.NamedNode(value))
        except ValueError:
            raise RunError(f"parameter {name}: {raw!r} is not an id or an IRI",
                           option="param") from None
    if kind == "date":
        import datetime as _dt

        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError(raw)
            _dt.date.fromisoformat(raw)
        except ValueError:
            raise RunError(f"parameter {name}: {raw!r} is not a date (YYYY-MM-DD)",
                           option="param") from None
        return str(ox.Literal(raw, datatype=ox.NamedNode(XSD.date)))
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise RunError(f"parameter {name}: {raw!r} is not an integer", option="param")
        return str(ox.Literal(raw, datatype=ox.NamedNode(XSD.integer)))
    return str(ox.Literal(raw))


def bind_params(query: str, params: dict[str, str], base: str = DEFAULT_BASE) -> str:
    """Bind `?name` to a value for each parameter `{name: value}`.

    A query that has its own `VALUES ?name { default }` block gets that block's value replaced
    (and the value is typed like the default: an id or IRI, a date, a number or a string); a
    query without one gets `VALUES ?name { value }` as the first element of its WHERE block."""
    for name, raw in params.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise RunError(f"parameter {name}={raw}: not a variable name", option="param")
        block = re.compile(_VALUES_BLOCK.format(name=re.escape(name)), re.IGNORECASE)
        m = block.search(query)
        if m:
            term = _term_for(name, raw, _kind_of(m.group(1)), base)
            query = query[:m.start()] + f"VALUES ?{name} {{ {term} }}" + query[m.end():]
            continue
        where = re.search(r"\bWHERE\s*\{", query, re.IGNORECASE)
        if not where:
            raise RunError(f"parameter {name}: the query has no WHERE {{ ... }} to bind "
                           f"?{name} in", option="param")
        term = _term_for(name, raw, _guess_kind(raw), base)
        query = (query[:where.end()] + f" VALUES ?{name} {{ {term} }} "
                 + query[where.end():])
    return query


def _syntax_message(exc: SyntaxError) -> str:
    # pyoxigraph reports positions in the text with our PREFIX lines prepended
    shift = len(PREFIXES)
    msg = str(exc).splitlines()[0]
    return re.sub(r"\bat (\d+):(\d+)",
                  lambda m: f"at line {max(1, int(m.group(1)) - shift)}, column {m.group(2)}", msg)


def _table(solutions: ox.QuerySolutions, base: str = DEFAULT_BASE) -> str:
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
                row.append(term.value)
            elif type(term) is ox.NamedNode:
                row.append(iri(term.value))
            else:
                row.append(c.term(term))
        rows.append(row)
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join([x.ljust(w) for x, w in zip(cells, widths, strict=True)]).rstrip()

    out = [line(names), line(["-" * w for w in widths]), *map(line, rows)]
    return "\n".join(out) + f"\n({len(rows)} row{'s' * (len(rows) != 1)})\n"
