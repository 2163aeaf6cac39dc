"""schema.org JSON-LD for embedding: a `ProfilePage` whose `mainEntity` is one person.

Built directly as a compact JSON-LD tree from the records (best-rank facts only), so no
JSON-LD processor runs over the whole graph and no remote context is needed: the context is
inline, `{"@vocab": "http://schema.org/"}` (the http form, which the official context also
expands to, and which the rest of the project uses).

- positions, memberships and studies use the schema.org Role pattern: `worksFor` ->
  `EmployeeRole` -> `worksFor`, `memberOf` -> `OrganizationRole` -> `memberOf`, `alumniOf` ->
  `OrganizationRole` -> `alumniOf`, with `roleName`, `startDate`, `endDate`;
- identifiers are `PropertyValue`s, and the matching profile URLs are `sameAs`;
- facts that rest only on low-trust sources are left out (the validator warns about them);
- the person's papers are the page's `hasPart`, each with its authors in order as a JSON-LD
  list (`"author": {"@list": [...]}`), since schema.org's `author` is unordered.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ..compile import best_of
from ..errors import DataError
from ..model import Claim, Dataset, Date, Entity, Text
from ..namespaces import SCHEMA, WIKIDATA_PAGE
from ..resources import resource_dir
from ..vocab import Vocabulary

__all__ = ["CONTEXT", "profile_page", "page_text", "check_page", "has_person", "default_entity",
           "script_json", "schema_type"]

CONTEXT = {"@vocab": str(SCHEMA)}
ROLE_PATTERN = {  # claim key -> (schema.org property, Role class)
    "employer": ("worksFor", "EmployeeRole"),
    "member_of": ("memberOf", "OrganizationRole"),
    "educated_at": ("alumniOf", "OrganizationRole"),
}
IDENTIFIERS = {"x_username": "X username", "github_username": "GitHub username",
               "orcid": "ORCID iD"}
WORK_TYPES = ("ScholarlyArticle", "Thesis")


def _best(ds: Dataset, e: Entity, key: str, low_trust: set[str]) -> list[Claim]:
    """Best-rank claims of `key`, leaving out those that rest only on low-trust sources: a
    page for other sites publishes what the dataset can stand behind."""
    return [c for c in best_of(e.claims, key)
            if any(str(ds.sources[r.source].fields.get("trust")) not in low_trust
                    for r in c.references if r.source in ds.sources)]


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
    """The person with the most statements: the dataset's subject."""
    people = [e for e in ds.entities.values() if e.type == "Person"]
    if not people:
        raise DataError("the dataset has no person")
    return max(people, key=lambda e: (len(e.claims), e.id)).id


def profile_page(ds: Dataset, voc: Vocabulary, entity_id: str) -> dict:
    e = ds.entities[entity_id]
    person: dict[str, object] = {"@type": "Person", "@id": ds.base + e.id, "name": e.name}
    if e.description:
        person["description"] = e.description
    same_as = [WIKIDATA_PAGE.format(e.wikidata)] if e.wikidata else []
    websites = [str(c.value) for c in _best(ds, e, "website", voc.low_trust)]
    if websites:
        person["url"] = websites[0]
        same_as += websites
    identifiers = []
    for key, label in IDENTIFIERS.items():
        prop = voc.claims[key]
        for c in _best(ds, e, key, voc.low_trust):
            identifiers.append({"@type": "PropertyValue", "propertyID": label,
                                "value": str(c.value)})
            if prop.same_as:
                same_as.append(prop.same_as.format(c.value))
    if identifiers:
        person["identifier"] = identifiers
    if same_as:
        person["sameAs"] = sorted(dict.fromkeys(same_as))
    births = _best(ds, e, "birth_date", voc.low_trust)
    if len(births) == 1 and not births[0].alternative:
        person["birthDate"] = _text(births[0].value)
    nationality = [_node(ds, voc, str(c.value))
                   for c in _best(ds, e, "citizenship", voc.low_trust)]
    if nationality:
        person["nationality"] = nationality
    for key, (prop, role_class) in ROLE_PATTERN.items():
        roles = []
        for c in _best(ds, e, key, voc.low_trust):
            role: dict[str, object] = {"@type": role_class, prop: _node(ds, voc, str(c.value))}
            role_name = c.qualifiers.get("role")
            degree = c.qualifiers.get("academic_degree")
            if role_name:
                role["roleName"] = str(role_name)
            elif degree and str(degree) in ds.entities:
                role["roleName"] = ds.entities[str(degree)].name
            for q, sprop in (("start", "startDate"), ("end", "endDate")):
                if q in c.qualifiers:
                    role[sprop] = _text(c.qualifiers[q])
            roles.append(role)
        if roles:
            person[prop] = sorted(roles, key=lambda r: (str(r.get("startDate", "")),
                                                        json.dumps(r, sort_keys=True)))
    awards = []
    for c in _best(ds, e, "award_received", voc.low_trust):
        name = ds.entities[str(c.value)].name
        when = c.qualifiers.get("point_in_time")
        awards.append(f"{name} ({_text(when)})" if when else name)
    if awards:
        person["award"] = sorted(awards)
    topics = [{"@type": "DefinedTerm", "@id": ds.base + str(c.value),
               "name": ds.entities[str(c.value)].name}
              for c in _best(ds, e, "field_of_work", voc.low_trust)]
    if topics:
        person["knowsAbout"] = topics
    page: dict[str, object] = {"@context": CONTEXT, "@type": "ProfilePage",
                               "@id": ds.base + e.id + "#profile", "name": e.name,
                               "mainEntity": person}
    works = []
    for w in sorted(ds.entities.values(), key=lambda x: x.id):
        if w.type not in WORK_TYPES:
            continue
        authors = sorted(_best(ds, w, "author", voc.low_trust), key=lambda c: int(str(
            c.qualifiers.get("series_ordinal", 0))))
        if e.id not in [str(c.value) for c in authors]:
            continue
        art: dict[str, object] = {"@type": schema_type(voc, w.type), "@id": ds.base + w.id}
        titles = _best(ds, w, "title", voc.low_trust)
        art["name"] = _text(titles[0].value) if titles else w.name
        dates = _best(ds, w, "publication_date", voc.low_trust)
        if dates:
            art["datePublished"] = _text(dates[0].value)
        ids = [{"@type": "PropertyValue", "propertyID": "arXiv", "value": str(c.value)}
               for c in _best(ds, w, "arxiv_id", voc.low_trust)]
        ids += [{"@type": "PropertyValue", "propertyID": "DOI", "value": str(c.value)}
                for c in _best(ds, w, "doi", voc.low_trust)]
        if ids:
            art["identifier"] = ids
        urls = [str(c.value) for c in _best(ds, w, "url", voc.low_trust)]
        if urls:
            art["url"] = urls[0]
        art["author"] = {"@list": [
            {"@type": "Person", "@id": ds.base + str(c.value),
             "name": str(c.qualifiers.get("stated_as") or ds.entities[str(c.value)].name)}
            for c in authors]}
        works.append(art)
    if works:
        page["hasPart"] = sorted(works, key=lambda a: (str(a.get("datePublished", "")),
                                                       str(a["@id"])))
    return page


def has_person(ds: Dataset) -> bool:
    return any(e.type == "Person" for e in ds.entities.values())


def page_text(ds: Dataset, voc: Vocabulary, entity_id: str | None = None) -> str:
    """The ProfilePage of `entity_id` (default: the dataset's main person) as JSON text,
    checked against its JSON Schema first."""
    page = profile_page(ds, voc, entity_id or default_entity(ds))
    check_page(page)
    return json.dumps(page, indent=2, ensure_ascii=False) + "\n"


@cache
def _page_schema() -> dict[str, Any]:
    path = resource_dir("shapes") / "schemaorg-profile.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def check_page(page: dict[str, Any]) -> None:
    """The payload must fit shapes/schemaorg-profile.schema.json: a page that does not is a
    defect of this exporter or of the data, and is never written."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_page_schema())
    errors = sorted(validator.iter_errors(page), key=str)
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise DataError(f"schema.org export does not fit its JSON Schema at {where or '/'}: "
                        f"{errors[0].message}")


def script_json(data: dict) -> str:
    """JSON for a `<script type="application/ld+json">` element: raw JSON (not
    entity-encoded), with `<`, `>` and `&` as \\u escapes so that `</script>` or `<!--` in
    any value cannot end the element or open a comment."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
