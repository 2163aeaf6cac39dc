"""Parameters bound into SPARQL, never pasted: a tokenizer for SPARQL text, and the two
ways a value reaches a query.

- **In the algebra** (embedded store): the value is an RDF term handed to pyoxigraph's
  `substitutions` (SPARQL SEP-0007); the text only loses the `VALUES ?name { default }`
  block of each bound variable, so that the default does not join with the value. Oxigraph
  accepts a substitution only for a variable the query returns (`SELECT *`, a projected
  variable, ASK, CONSTRUCT, DESCRIBE); for the others (a named query's `?person` is not
  among its columns) the text binding below is used instead.
- **In the text** (remote endpoints, and the case above): the query is tokenized once;
  `VALUES ?name { ... }` blocks and the `WHERE {` are found only among tokens that are not
  in a string, an IRI or a comment; each value is built as an RDF term and serialized by
  pyoxigraph (one term, whatever its characters); all edits are computed on the original
  tokens and applied together, so a value is never searched, tokenized or edited again and
  two values cannot combine into structure.

A bound variable that has a single-variable `VALUES` block gets that block's value replaced
(typed like its default: an id or IRI, a date, an integer or a string); one without gets
`VALUES ?name { value }` as the first element of its WHERE block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from .errors import RunError
from .namespaces import DEFAULT_BASE, XSD

__all__ = ["Token", "tokenize", "values_blocks", "bind_text", "bind_terms", "term_for",
           "has_service", "subject_parameters", "SUBJECT"]

#: A VALUES default that stands for the dataset's subject (`subject:` in dataset.yaml, or the
#: person with the most statements): named queries about "the person" use it.
SUBJECT = "pkg:subject"

_PN = r"[A-Za-z\u00C0-\U000EFFFF_]"
_TOKEN_PATTERN = "|".join([
    r"(?P<ws>\s+)",
    r"(?P<comment>#[^\n\r]*)",
    r"(?P<string>\"\"\"(?:[^\"\\]|\\[\s\S]|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r"|\"(?:[^\"\\\n\r]|\\.)*\"|'(?:[^'\\\n\r]|\\.)*')",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    r"(?P<var>[?$][\w\u00B7\u00C0-\U000EFFFF]+)",
    # a keyword, a prefixed name (`pkg:subject`, `id:`, `:x`) or a blank node label
    rf"(?P<name>(?:_:|{_PN}[\w\-.\u00B7\u00C0-\U000EFFFF]*)?:(?:[\w\-.:%\\\u00B7\u00C0-\U000EFFFF]*"
    rf"[\w\-:%\u00B7\u00C0-\U000EFFFF])?|{_PN}[\w\-\u00B7\u00C0-\U000EFFFF]*)",
    r"(?P<punct>\^\^|[\s\S])",
])


@cache
def _token() -> re.Pattern[str]:
    """The tokenizer, compiled when first used (its character classes take longer to
    compile than the rest of `personkg --help`)."""
    return re.compile(_TOKEN_PATTERN)


@dataclass(frozen=True)
class Token:
    kind: str  # ws, comment, string, iri, var, name, punct
    text: str
    start: int
    end: int

    def keyword(self, word: str) -> bool:
        return self.kind == "name" and self.text.upper() == word


def tokenize(query: str) -> list[Token]:
    """The tokens of `query` (every character belongs to one); an unterminated string or
    IRI becomes punctuation, and the query parser reports it."""
    return [Token(m.lastgroup or "punct", m.group(), m.start(), m.end())
            for m in _token().finditer(query)]


def _code(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind not in ("ws", "comment")]


@dataclass(frozen=True)
class _Block:
    name: str
    default: str  # the text of its values
    start: int
    end: int


def values_blocks(query: str) -> list[_Block]:
    """The single-variable `VALUES ?name { ... }` blocks of `query`."""
    code = _code(tokenize(query))
    out = []
    for i, t in enumerate(code):
        if not (t.keyword("VALUES") and i + 2 < len(code) and code[i + 1].kind == "var"
                and code[i + 2].text == "{"):
            continue
        for j in range(i + 3, len(code)):
            if code[j].text in ("{", "}"):
                break
        else:
            continue
        if code[j].text == "}":
            default = query[code[i + 2].end:code[j].start].strip()
            out.append(_Block(code[i + 1].text[1:], default, t.start, code[j].end))
    return out


def subject_parameters(query: str) -> list[str]:
    """The variables whose VALUES default in `query` is the dataset's subject."""
    return list(dict.fromkeys(b.name for b in values_blocks(query) if b.default == SUBJECT))


def has_service(query: str) -> bool:
    """Whether `query` uses SERVICE (the keyword, not the word in a string, IRI or comment)."""
    return any(t.keyword("SERVICE") for t in tokenize(query))


# ------------------------------------------------------------------ values as terms

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _kind_of(default: str) -> str:
    """What a VALUES default looks like: iri, dateTime, date, integer or string."""
    d = default.strip()
    if d.startswith('"') or d.startswith("'"):
        if re.search(r"\^\^(xsd:dateTime\b|<" + re.escape(XSD) + r"dateTime>)", d):
            return "dateTime"
        if re.search(r"\^\^(xsd:date\b|<" + re.escape(XSD) + r"date>)", d):
            return "date"
        if re.search(r"\^\^(xsd:integer\b|<" + re.escape(XSD) + r"integer>)", d):
            return "integer"
        return "string"
    if re.fullmatch(r"-?\d+", d.split()[0] if d else ""):  # the first of the defaults
        return "integer"
    return "iri"


def _guess_kind(raw: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return "dateTime"  # as the graph's dates (the start of their period)
    if re.fullmatch(r"-?\d+", raw):
        return "integer"
    if raw.startswith(("http://", "https://", "id:", "<")):
        return "iri"
    return "string"


def _iri(name: str, raw: str, base: str) -> ox.NamedNode:
    value = raw.strip()
    if _ID.match(value):
        value = base + value
    elif value.startswith("id:"):
        value = base + value[3:]
    value = value.removeprefix("<").removesuffix(">")
    try:
        if not re.match(r"^[a-z][a-z0-9+.-]*:", value):
            raise ValueError(value)
        return ox.NamedNode(value)
    except ValueError:
        raise RunError(f"parameter {name}: {raw!r} is not an id or an IRI",
                       option="param") from None


def term_for(name: str, raw: str, kind: str, base: str = DEFAULT_BASE) -> ox.NamedNode | ox.Literal:
    """`raw` as an RDF term of `kind` (iri, dateTime, date, integer, string). A day
    YYYY-MM-DD is an xsd:dateTime at its start (as the graph's dates) or an xsd:date."""
    if kind == "iri":
        return _iri(name, raw, base)
    if kind in ("date", "dateTime"):
        import datetime as _dt

        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError(raw)
            _dt.date.fromisoformat(raw)
        except ValueError:
            raise RunError(f"parameter {name}: {raw!r} is not a date (YYYY-MM-DD)",
                           option="param") from None
        if kind == "dateTime":
            return ox.Literal(raw + "T00:00:00Z", datatype=ox.NamedNode(XSD.dateTime))
        return ox.Literal(raw, datatype=ox.NamedNode(XSD.date))
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise RunError(f"parameter {name}: {raw!r} is not an integer", option="param")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD.integer))
    return ox.Literal(raw)


# ------------------------------------------------------------------ binding

_Edit = tuple[int, int, str]


def _where(code: list[Token]) -> int | None:
    """Where the query's WHERE group opens (`WHERE` is optional): after its first `{` that
    is not a CONSTRUCT template's."""
    depth, template = 0, False
    for i, t in enumerate(code):
        if t.keyword("CONSTRUCT") and i + 1 < len(code) and code[i + 1].text == "{":
            template = True
        elif t.text == "{":
            if not template and depth == 0:
                return t.end
            depth += 1
        elif t.text == "}" and depth:
            depth -= 1
            template = template and depth > 0
    return None


def _plan(query: str, params: dict[str, str], base: str,
          keep_in_text: bool) -> tuple[list[_Edit], dict[str, ox.NamedNode | ox.Literal]]:
    """The edits to the original text and the term of each parameter. With `keep_in_text`
    the terms go into the text; without, the default blocks are only removed."""
    blocks = values_blocks(query)
    code = _code(tokenize(query))
    where = _where(code)
    edits: list[_Edit] = []
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, raw in params.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise RunError(f"parameter {name}={raw}: not a variable name", option="param")
        own = [b for b in blocks if b.name == name]
        if own:
            term = terms[name] = term_for(name, raw, _kind_of(own[0].default), base)
            text = f"VALUES ?{name} {{ {term} }}" if keep_in_text else ""
            edits += [(b.start, b.end, text) for b in own]
            continue
        term = terms[name] = term_for(name, raw, _guess_kind(raw), base)
        if not keep_in_text:
            continue
        if where is None:
            raise RunError(f"parameter {name}: the query has no WHERE {{ ... }} to bind "
                           f"?{name} in", option="param")
        edits.append((where, where, f" VALUES ?{name} {{ {term} }} "))
    return edits, terms


def _apply(query: str, edits: list[_Edit]) -> str:
    # right to left (inserts at one place keep the parameters' order)
    order = sorted(range(len(edits)), key=lambda i: (edits[i][0], edits[i][1], i), reverse=True)
    for start, end, text in (edits[i] for i in order):
        query = query[:start] + text + query[end:]
    return query


def bind_text(query: str, params: dict[str, str], base: str = DEFAULT_BASE) -> str:
    """`query` with each parameter `{name: value}` bound in its text, as serialized terms."""
    if not params:
        return query
    edits, _ = _plan(query, params, base, keep_in_text=True)
    return _apply(query, edits)


def bind_terms(query: str, params: dict[str, str], base: str = DEFAULT_BASE
               ) -> tuple[str, dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal
                                    | ox.Triple]]:
    """`query` without the VALUES defaults of the parameters, and the substitutions that
    bind them (for `Store.query(..., substitutions=...)`)."""
    edits, terms = _plan(query, params, base, keep_in_text=False)
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(n): t for n, t in terms.items()}
    return _apply(query, edits), subs
