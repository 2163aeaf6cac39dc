"""schema.org JSON-LD for embedding: a `ProfilePage` whose `mainEntity` is one person.

Built directly as a compact JSON-LD tree from the records (best-rank facts only), so no
JSON-LD processor runs over the whole graph and no remote context is needed: the context is
inline, with schema.org in its http form as `@vocab` (the form the official context also
expands to, and which the rest of the project uses).

- every claim property with a `pkg:schemaOrg` counterpart in the ontology is shown; the
  ontology also says its place (`pkg:profileOrder`) and its form: values with dates in the
  schema.org Role pattern (`pkg:schemaOrgRole`: `worksFor` -> `EmployeeRole` -> `worksFor`,
  with `roleName`, `startDate`, `endDate` from the qualifiers' own counterparts), text
  (`pkg:schemaOrgText`), or nodes;
- identifiers are `PropertyValue`s, and the matching profile URLs are `sameAs`;
- facts that rest only on low-trust sources are left out (the validator warns about them);
- the person's papers are the page's `hasPart`, each with its authors in order as a JSON-LD
  list (`"author": {"@list": [...]}`), since schema.org's `author` is unordered.
"""

from __future__ import annotations

import json
from typing import Any

from ..compile import best_claims
from ..errors import DataError
from ..generate import profile_schema
from ..model import Claim, Dataset, Date, Entity, Text
from ..namespaces import SCHEMA, WIKIDATA_PAGE
from ..vocab import Property, Vocabulary
from .jsontext import indented_json

__all__ = ["CONTEXT", "profile_page", "page_text", "check_page", "has_person", "default_entity",
           "script_json", "schema_type"]

CONTEXT = {"@vocab": str(SCHEMA)}
_ROLE_NAME = SCHEMA.roleName  # once: `SCHEMA.x` builds a new string at each use
_ROLE = SCHEMA.Role
def _best(ds: Dataset, e: Entity, low_trust: set[str]) -> dict[str, list[Claim]]:
    """The entity's best-rank claims by property, in record order, leaving out those that
    rest only on low-trust sources: a page for other sites publishes what the dataset can
    stand behind. One pass over its claims (a page asks for each property it shows)."""
    best = best_claims(e.claims)
    out: dict[str, list[Claim]] = {}
    for i, c in enumerate(e.claims):
        if i in best and any(str(ds.sources[r.source].fields.get("trust")) not in low_trust
                             for r in c.references if r.source in ds.sources):
            out.setdefault(c.property, []).append(c)
    return out


def _text(value: object) -> str:
    return value.text if isinstance(value, (Date, Text)) else str(value)


def schema_type(voc: Vocabulary, type_name: str) -> str:
    cls = voc.classes.get(type_name)
    iri = cls.schema_org if cls and cls.schema_org else SCHEMA.Thing
    return iri.rsplit("/", 1)[-1]


def _node(ds: Dataset, voc: Vocabulary, entity_id: str) -> dict:
    e = ds.entities[entity_id]
    node: dict[str, object] = {"@type": schema_type(voc, e.type), "@id": ds.base + e.id,
                               "name": e.name}
    if e.wikidata:
        node["sameAs"] = WIKIDATA_PAGE.format(e.wikidata)
    return node


def default_entity(ds: Dataset) -> str:
    """The person a page is about by default: the dataset's subject when it is a person,
    else the person with the most statements."""
    person = ds.main_person()
    if person is None:
        raise DataError("the dataset has no person")
    return person


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _identifiers(voc: Vocabulary, e: Entity, best: dict[str, list[Claim]],
                 same_as: list[str] | None) -> list[dict[str, object]]:
    """The entity's identifiers (`best`: its `_best`) as PropertyValues; their pages go to
    `same_as`."""
    out: list[dict[str, object]] = []
    for prop in voc.identifiers(e.type):
        for c in best.get(prop.key, ()):
            out.append({"@type": "PropertyValue",
                        "propertyID": prop.identifier_name or prop.label,
                        "value": str(c.value)})
            if same_as is not None and prop.same_as:
                same_as.append(prop.same_as.format(c.value))
    return out


def _role(ds: Dataset, voc: Vocabulary, prop: Property, c: Claim) -> dict[str, object]:
    """A value wrapped in its schema.org Role: the role's name first, then its dates."""
    term = _local(str(prop.schema_org))
    role: dict[str, object] = {"@type": _local(prop.schema_org_role or _ROLE),
                               term: _node(ds, voc, str(c.value))}
    named = [k for k in prop.qualifiers if k in c.qualifiers
             and voc.qualifiers[k].schema_org == _ROLE_NAME
             and (voc.qualifiers[k].kind != "item" or str(c.qualifiers[k]) in ds.entities)]
    if named:
        v = c.qualifiers[named[0]]
        role["roleName"] = (ds.entities[str(v)].name if voc.qualifiers[named[0]].kind == "item"
                            else str(v))
    for k in prop.qualifiers:
        q = voc.qualifiers[k]
        if k in c.qualifiers and q.schema_org and q.kind == "date":
            role[_local(q.schema_org)] = _text(c.qualifiers[k])
    return role


def _start(role: dict[str, object]) -> str:
    return str(role.get("startDate", ""))


def _by_start(roles: list[dict[str, object]]) -> list[dict[str, object]]:
    """Roles by start date, and roles that start together by their JSON (a deterministic
    order). The JSON is made only when two start together: it was a sixth of a profile
    page (`benchmarks/pages.py`)."""
    if len({_start(r) for r in roles}) == len(roles):
        return sorted(roles, key=_start)
    return sorted(roles, key=lambda r: (_start(r), json.dumps(r, sort_keys=True)))


def _as_text(ds: Dataset, voc: Vocabulary, prop: Property, c: Claim) -> str:
    """A value as schema.org text: its name, and the date of its qualifiers."""
    name = ds.entities[str(c.value)].name if prop.is_item else _text(c.value)
    dates = [_text(c.qualifiers[k]) for k in prop.qualifiers
             if k in c.qualifiers and voc.qualifiers[k].kind == "date"]
    return f"{name} ({dates[0]})" if dates else name


def _field(ds: Dataset, voc: Vocabulary, prop: Property, claims: list[Claim]) -> object:
    """The schema.org value of one property's best claims, by the kind of its values: a
    Role when its values have start or end dates, text when schema.org wants text, a node
    for an item, else the value itself (one, for a single-valued property)."""
    if prop.is_item and not prop.schema_org_text:
        if prop.schema_org_role:
            return _by_start([_role(ds, voc, prop, c) for c in claims])
        return [_node(ds, voc, str(c.value)) for c in claims]
    if prop.schema_org_text:
        return sorted(_as_text(ds, voc, prop, c) for c in claims)
    if prop.single_valued:
        return _text(claims[0].value) if len(claims) == 1 and not claims[0].alternative else None
    return [_text(c.value) for c in claims]


def profile_page(ds: Dataset, voc: Vocabulary, entity_id: str) -> dict:
    """The ProfilePage of one person. Every mapping comes from the ontology: each claim
    property with a `pkg:schemaOrg` counterpart is shown (links first: `url`, `identifier`,
    `sameAs`; then the rest by `pkg:profileOrder`), its form given by its values' kind."""
    e = ds.entities[entity_id]
    low = voc.low_trust
    person: dict[str, object] = {"@type": "Person", "@id": ds.base + e.id, "name": e.name}
    if e.description:
        person["description"] = e.description
    same_as = [WIKIDATA_PAGE.format(e.wikidata)] if e.wikidata else []
    shown = voc.profile_properties(e.type)
    best = _best(ds, e, low)
    for prop in shown:
        if prop.kind == "url":  # the first one is the url; all are the person's pages
            links = [str(c.value) for c in best.get(prop.key, ())]
            if links:
                person.setdefault(_local(str(prop.schema_org)), links[0])
                same_as += links
    identifiers = _identifiers(voc, e, best, same_as)
    if identifiers:
        person["identifier"] = identifiers
    if same_as:
        person["sameAs"] = sorted(dict.fromkeys(same_as))
    for prop in shown:
        claims = best.get(prop.key)
        if prop.kind == "url" or not claims:
            continue
        value = _field(ds, voc, prop, claims)
        if value:
            person[_local(str(prop.schema_org))] = value
    page: dict[str, object] = {"@context": CONTEXT, "@type": "ProfilePage",
                               "@id": ds.base + e.id + "#profile", "name": e.name,
                               "mainEntity": person}
    works = [_work(ds, voc, w, e.id) for w in _works_by_author(ds, voc).get(e.id, [])]
    parts = [w for w in works if w is not None]
    if parts:
        page["hasPart"] = sorted(parts, key=lambda a: (str(a.get("datePublished", "")),
                                                       str(a["@id"])))
    return page


def _works_by_author(ds: Dataset, voc: Vocabulary) -> dict[str, list[Entity]]:
    """Author id -> the scholarly works whose published authors (`_best`) include them, by
    work id: one pass over the dataset for all of a site's profile pages, instead of one
    per page (which made the site quadratic in the number of people)."""
    if "schemaorg-works-by-author" not in ds.memo:
        index: dict[str, list[Entity]] = {}
        kinds = voc.scholarly_types()
        for w in sorted(ds.entities.values(), key=lambda x: x.id):
            if w.type not in kinds:
                continue
            best = _best(ds, w, voc.low_trust)
            ids = {str(c.value) for prop in voc.by_schema_org(w.type, "author") if prop.is_item
                   for c in best.get(prop.key, ())}
            for author in sorted(ids):
                index.setdefault(author, []).append(w)
        ds.memo["schemaorg-works-by-author"] = index
    found: dict[str, list[Entity]] = ds.memo["schemaorg-works-by-author"]
    return found


def _first(voc: Vocabulary, w: Entity, best: dict[str, list[Claim]], term: str) -> str | None:
    """The first best value (`best`: the work's `_best`) of the work's properties that map
    to schema.org `term`."""
    for prop in voc.by_schema_org(w.type, term):
        claims = best.get(prop.key)
        if claims:
            return _text(claims[0].value)
    return None


def _work(ds: Dataset, voc: Vocabulary, w: Entity, author_id: str) -> dict[str, object] | None:
    """A scholarly work that `author_id` wrote, with its authors in order (a JSON-LD list:
    schema.org's `author` is unordered), or None. Worked out once per work: each of its
    authors' pages shows the same node."""
    nodes: dict[str, tuple[set[str], dict[str, object]]] = ds.memo.setdefault(
        "schemaorg-work-nodes", {})
    if w.id not in nodes:
        nodes[w.id] = _work_node(ds, voc, w)
    ids, art = nodes[w.id]
    return art if author_id in ids else None


def _work_node(ds: Dataset, voc: Vocabulary, w: Entity) -> tuple[set[str], dict[str, object]]:
    """The work's author records, and its node for `_work`."""
    best = _best(ds, w, voc.low_trust)
    authors: list[tuple[int, dict[str, object]]] = []
    ids = set()
    for prop in voc.by_schema_org(w.type, "author"):
        position, name = voc.qualifier_for(prop, "position"), voc.qualifier_for(prop, "name")
        for c in best.get(prop.key, ()):
            at = int(str(c.qualifiers.get(position, 0))) if position else 0
            if not prop.is_item:  # an author without a record: the name as printed
                authors.append((at, {"@type": "Person", "name": str(c.value)}))
                continue
            ids.add(str(c.value))
            shown = c.qualifiers.get(name) if name else None
            authors.append((at, {"@type": "Person", "@id": ds.base + str(c.value),
                                 "name": str(shown or ds.entities[str(c.value)].name)}))
    authors.sort(key=lambda a: a[0])
    art: dict[str, object] = {"@type": schema_type(voc, w.type), "@id": ds.base + w.id}
    art["name"] = _first(voc, w, best, "headline") or w.name
    published = _first(voc, w, best, "datePublished")
    if published:
        art["datePublished"] = published
    identifiers = _identifiers(voc, w, best, None)
    if identifiers:
        art["identifier"] = identifiers
    url = _first(voc, w, best, "url")
    if url:
        art["url"] = url
    art["author"] = {"@list": [node for _, node in authors]}
    return ids, art


def has_person(ds: Dataset) -> bool:
    return any(e.type == "Person" for e in ds.entities.values())


def page_text(ds: Dataset, voc: Vocabulary, entity_id: str | None = None) -> str:
    """The ProfilePage of `entity_id` (default: the dataset's main person) as JSON text,
    checked against its JSON Schema first."""
    page = profile_page(ds, voc, entity_id or default_entity(ds))
    check_page(page, voc)
    return indented_json(page) + "\n"


def check_page(page: dict[str, Any], voc: Vocabulary) -> None:
    """The payload must fit the ProfilePage's JSON Schema, generated from the same ontology
    (shapes/schemaorg-profile.schema.json for the built-in one): a page that does not is a
    defect of this exporter or of the data, and is never written."""
    import jsonschema

    validator = voc.memo.get("profile-validator")
    if validator is None:
        validator = voc.memo["profile-validator"] = jsonschema.Draft202012Validator(
            profile_schema(voc))
    errors = sorted(validator.iter_errors(page), key=str)
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise DataError(f"schema.org export does not fit its JSON Schema at {where or '/'}: "
                        f"{errors[0].message}")


def script_json(data: dict) -> str:
    """JSON for a `<script type="application/ld+json">` element: raw JSON (not
    entity-encoded), with `<`, `>` and `&` as \\u escapes so that `</script>` or `<!--` in
    any value cannot end the element or open a comment."""
    text = indented_json(data)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
