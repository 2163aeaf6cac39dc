"""Plain typed records: entities with claims, qualifiers, ranks and references; sources.

Built from raw YAML records that passed the JSON Schema check (`from_raw`), so the
constructors here can trust shapes and types; they only normalise.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import LineDict, LineList, RawRecord
from .namespaces import DEFAULT_BASE

__all__ = ["Date", "Text", "Value", "Reference", "Claim", "Entity", "Source", "Dataset",
           "AuthorList", "Verdict", "parse_date", "entity_from_raw", "source_from_raw"]

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
#: the years a date may have, written as a number or as text (the schemas' minimum and
#: maximum): four digits, so that every export (xsd, QuickStatements) reads it alike
FIRST_YEAR, LAST_YEAR = 1000, 9999


@dataclass(frozen=True, order=True, slots=True)
class Date:
    """A date at the precision a source gives: 2017, 2017-06 or 2017-06-12."""

    text: str

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month", 10: "day"}[len(self.text)]

    @property
    def xsd(self) -> str:
        """The datatype of a source field (`date_retrieved`) with this precision."""
        return {"year": "gYear", "month": "gYearMonth", "day": "date"}[self.precision]

    @property
    def time_precision(self) -> int:
        """The Wikibase time precision: 9 year, 10 month, 11 day."""
        return {4: 9, 7: 10, 10: 11}[len(self.text)]

    @property
    def date_time(self) -> str:
        """The start of the period as Wikibase RDF writes it (an xsd:dateTime):
        2017 -> 2017-01-01T00:00:00Z, 2017-06 -> 2017-06-01T00:00:00Z."""
        return (self.text + "-01-01"[len(self.text) - 4:]) + "T00:00:00Z"

    def __str__(self) -> str:
        return self.text

    # Date, Text, Reference and Claim come back pickled from a second reading process
    # (see load.load_dir): a constructor call unpickles faster than slot state
    def __reduce__(self) -> tuple:
        return (Date, (self.text,))


def parse_date(value: Any) -> Date | None:
    """A `Date` for `2017`, `"2017-06"` or `"2017-06-12"` that exists on the calendar, its
    year from 1000 to 9999 (else None: a float, a year below 1000, a trailing newline)."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text is None:
        return None
    m = _DATE.fullmatch(text)
    if not m:
        return None
    year, month, day = m.groups()
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        return None
    try:
        if day:
            _dt.date(int(year), int(month), int(day))
        elif month and not 1 <= int(month) <= 12:
            return None
    except ValueError:
        return None
    return Date(text)


@dataclass(frozen=True, order=True, slots=True)
class Text:
    """Text in a language (a title, a quotation)."""

    text: str
    lang: str = "en"

    def __str__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple:
        return (Text, (self.text, self.lang))


Value = str | int | Date | Text


@dataclass(frozen=True, slots=True)
class Reference:
    source: str
    quote: str | None = None
    url: str | None = None
    line: int = 0

    def key(self) -> tuple[str, str, str]:
        return (self.source, self.quote or "", self.url or "")

    def __reduce__(self) -> tuple:
        return (Reference, (self.source, self.quote, self.url, self.line))


@dataclass(slots=True)
class Claim:
    property: str  # claim key
    value: Value
    qualifiers: dict[str, Value] = field(default_factory=dict)
    rank: str = "normal"
    reason: str | None = None
    alternative: bool = False
    note: str | None = None
    references: list[Reference] = field(default_factory=list)
    line: int = 0
    #: the hash of value and qualifiers in its statement IRI, worked out once
    content_hash: str | None = field(default=None, compare=False, repr=False)

    def __reduce__(self) -> tuple:
        return (Claim, (self.property, self.value, self.qualifiers, self.rank, self.reason,
                        self.alternative, self.note, self.references, self.line,
                        self.content_hash))


@dataclass
class Entity:
    id: str
    type: str
    name: str
    path: Path
    line: int = 1
    description: str | None = None
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    claims: list[Claim] = field(default_factory=list)


@dataclass
class Source:
    id: str
    path: Path
    line: int = 1
    fields: dict[str, Any] = field(default_factory=dict)
    wikidata: str | None = None

    @property
    def title(self) -> str:
        return str(self.fields.get("title", self.id))

    @property
    def trust(self) -> str:
        return str(self.fields.get("trust", "low"))


@dataclass(frozen=True)
class Verdict:
    """What `personkg reconcile` found for one entity without a QID, on the day `checked`,
    at `endpoint`: matched (`qid`), absent, candidate(s), duplicate or conflict. `of` is
    the fingerprint of what was looked up (name, type, identifiers)."""

    verdict: str
    checked: str
    endpoint: str
    of: str
    qid: str | None = None
    candidates: tuple[str, ...] = ()
    line: int = 0


def uri_of(iri: str) -> str:
    """An http(s) IRI as a URI, for what needs one (a sitemap's `<loc>`, a download's
    address): a host with non-ASCII letters in IDNA (UTS 46, as browsers read it:
    `straße.de` is `xn--strae-oqa.de`), every other character outside ASCII
    percent-encoded as UTF-8 (RFC 3987, 3.1). What is ASCII already, `%XX` escapes
    included, is kept: an ASCII IRI comes back unchanged. `ValueError` (its reason) for an
    address that has no URI: a host IDNA refuses or longer than a domain name can be, a
    port out of range or 0 (no server listens on it), or characters that normalise into a
    separator."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(iri)  # ValueError for characters NFKC makes into "/", "?", "#", "@", ":"
    if parts.port == 0:  # (and ValueError from `port` when out of range)
        raise ValueError("its port is 0, which no server listens on")
    if iri.isascii():
        return iri
    found = re.fullmatch(r"(.*?)(:[0-9]*)?", parts.netloc)
    host, port = found.groups(default="") if found else (parts.netloc, "")
    if not host.isascii():
        if len(host) > 253:  # checked first: IDNA's time grows with the square of a name
            raise ValueError("its host is longer than a domain name can be (253 characters)")
        import idna

        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise ValueError(f"its host is not a domain name IDNA takes ({exc})") from None
    keep = "/:@!$&'()*+,;=-._~%"
    return urlunsplit((parts.scheme, host + port,
                       quote(parts.path, safe=keep), quote(parts.query, safe=keep + "?"),
                       quote(parts.fragment, safe=keep + "?")))


def site_url_of(base: str, named: object = None) -> str:
    """Where a dataset's site is served, as a URI (`uri_of`, so `ValueError` too):
    `named` (`site_url:` in dataset.yaml) when given, else derived from the base
    (`https://example.org/kg/id/` -> `https://example.org/kg/`)."""
    if isinstance(named, str):
        return uri_of(named)
    base = base.rstrip("#")
    base = base if base.endswith("/") else base.rsplit("/", 1)[0] + "/"
    return uri_of(base[:-3] if base.endswith("/id/") else base)


@dataclass
class Dataset:
    """All records of one data folder, by id."""

    root: Path
    entities: dict[str, Entity] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    base: str = DEFAULT_BASE
    metadata: dict[str, Any] = field(default_factory=dict)
    #: ids of records that failed to load (layers 1-2, or in no record folder): what points
    #: at them is not reported again
    broken: set[str] = field(default_factory=set)
    #: reconcile's verdicts (`reconciliation.yaml`), by entity id
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    #: indexes worked out once over the whole dataset (e.g. an author's works), for
    #: outputs that would otherwise scan every record per page; valid while the dataset is
    #: not changed
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: with the build cache: each record file's key (a hash of the code, vocabulary, path
    #: and bytes it was made from), by file
    record_keys: dict[Path, bytes] = field(default_factory=dict, repr=False, compare=False)

    @property
    def subject(self) -> str | None:
        """The dataset's main entity: `subject:` in dataset.yaml, else the person with the
        most statements (None when there is no person)."""
        named = self.metadata.get("subject")
        if isinstance(named, str) and named in self.entities:
            return named
        return self.main_person()

    @property
    def site_url(self) -> str:
        """Where the dataset's site is served (`site_url_of`; dataset.yaml's check has made
        sure that it can be worked out)."""
        return site_url_of(self.base, self.metadata.get("site_url"))

    def main_person(self) -> str | None:
        """The subject when it is a person, else the person with the most statements."""
        named = self.metadata.get("subject")
        if isinstance(named, str) and named in self.entities \
                and self.entities[named].type == "Person":
            return named
        people = [e for e in self.entities.values() if e.type == "Person"]
        return max(people, key=lambda e: (len(e.claims), e.id)).id if people else None


# ------------------------------------------------------------------ from raw

def _value(raw: Any, kind: str, lang: str = "en") -> Value:
    """Normalise a validated claim or qualifier value by its ontology value kind."""
    if kind == "date":
        date = parse_date(raw)
        assert date is not None, raw  # the schema layer guarantees it
        return date
    if kind == "text":
        return Text(str(raw), lang)
    if kind == "integer":
        return int(raw)
    return str(raw)


def _references(raw: LineList) -> list[Reference]:
    out = []
    for item, line in zip(raw, raw.item_lines, strict=True):
        if isinstance(item, str):
            out.append(Reference(source=item, line=line))
        else:
            out.append(Reference(source=item["source"], quote=item.get("quote"),
                                 url=item.get("url"), line=line))
    return out


@dataclass(frozen=True)
class AuthorList:
    """How an ordered `authors:` list of a record is written as claims (the keys come from
    the ontology): an id as an `item` claim, any other text as a `name` claim (an author
    without a record), each with its place in the list as `ordinal` and, for an id given
    with `stated_as`, the printed name as `stated`."""

    item: str
    name: str
    ordinal: str
    stated: str | None = None


_AN_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _author_claims(raw: LineDict, how: AuthorList) -> list[Claim]:
    """The claims of an `authors: {list: [...], sources: [...]}` block, ordinals implied."""
    refs = _references(raw["sources"])
    out = []
    for n, (item, line) in enumerate(zip(raw["list"], raw["list"].item_lines, strict=True), 1):
        qualifiers: dict[str, Value] = {how.ordinal: n}
        if isinstance(item, dict):
            key, value = how.item, str(item["id"])
            if item.get("stated_as") and how.stated:
                qualifiers[how.stated] = str(item["stated_as"])
        else:
            key, value = (how.item, item) if _AN_ID.match(item) else (how.name, item)
        out.append(Claim(property=key, value=value, qualifiers=qualifiers,
                         references=list(refs), line=line))
    return out


def entity_from_raw(rec: RawRecord, value_kinds: dict[str, str],
                    qualifier_kinds: dict[str, str],
                    authors: AuthorList | None = None) -> Entity:
    """An `Entity` from a schema-valid raw record. `value_kinds` maps claim keys (and
    `qualifier_kinds` qualifier keys) to item|string|url|date|text|integer; `authors` says
    how an `authors:` list becomes claims."""
    d = rec.data
    ent = Entity(id=d["id"], type=d["type"], name=d["name"], path=rec.path,
                 line=d.key_lines.get("id", 1), description=d.get("description"),
                 aliases=list(d.get("aliases") or []), wikidata=d.get("wikidata"))
    claims: LineDict = d.get("claims") or LineDict()
    for key, items in claims.items():
        for item, line in zip(items, items.item_lines, strict=True):
            lang = item.get("lang", "en")
            ent.claims.append(Claim(
                property=key,
                value=_value(item["value"], value_kinds[key], lang),
                qualifiers={q: _value(item[q], qualifier_kinds[q], lang)
                            for q in qualifier_kinds if q in item},
                rank=item.get("rank", "normal"), reason=item.get("reason"),
                alternative=bool(item.get("alternative", False)), note=item.get("note"),
                references=_references(item["sources"]), line=line,
            ))
    if authors is not None and "authors" in d:
        ent.claims += _author_claims(d["authors"], authors)
    return ent


def source_from_raw(rec: RawRecord) -> Source:
    d = rec.data
    fields = {k: v for k, v in d.items() if k not in ("id", "type", "wikidata")}
    for k in ("date_published", "date_retrieved"):
        if k in fields:
            fields[k] = parse_date(fields[k])
    return Source(id=d["id"], path=rec.path, line=d.key_lines.get("id", 1), fields=fields,
                  wikidata=d.get("wikidata"))
