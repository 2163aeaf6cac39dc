"""schema.org JSON-LD export: fits its JSON Schema, uses only schema.org terms, best-rank and
well-sourced facts only, authors in order, readable as RDF offline, safe inside <script>."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SDO

from conftest import REPO
from personkg.errors import DataError
from personkg.vocab import Vocabulary

S = Namespace("http://schema.org/")
ID = "https://w3id.org/personkg/id/"


@pytest.fixture(scope="module")
def page():
    import contextlib
    import io

    from personkg.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
        main(["export", "--data", str(REPO / "data"), "--format", "schemaorg"])
    return json.loads(buf.getvalue())


def _terms(node, types: set[str], props: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@type":
                types.add(v)
            elif not k.startswith("@"):
                props.add(k)
            if k != "@context":
                _terms(v, types, props)
    elif isinstance(node, list):
        for v in node:
            _terms(v, types, props)


def test_every_class_and_property_is_in_the_schema_org_vocabulary(page):
    types: set[str] = set()
    props: set[str] = set()
    _terms(page, types, props)
    assert {"ProfilePage", "Person", "EmployeeRole", "ScholarlyArticle"} <= types
    assert {"worksFor", "alumniOf", "roleName", "startDate", "author", "sameAs"} <= props
    unknown = sorted(t for t in types | props if t not in SDO)
    assert not unknown, f"not schema.org terms: {unknown}"


def test_person_facts_are_best_rank_and_well_sourced(page):
    person = page["mainEntity"]
    assert person["name"] == "Jan Leike" and person["url"] == "https://jan.leike.name/"
    jobs = {(r["worksFor"]["name"], r.get("startDate"), r.get("endDate"))
            for r in person["worksFor"]}
    assert ("DeepMind", "2016", "2021") in jobs and ("OpenAI", "2021", "2024-05-16") in jobs
    assert not any(start == "2017" for _, start, _ in jobs)  # the deprecated seed claim
    roles = {r.get("roleName") for r in person["worksFor"]}
    assert "postdoctoral fellow" not in roles  # rests only on a low-trust wiki
    # 2024's TIME100 AI is unconfirmed
    assert person["award"] == ["TIME100 AI (2023)", "UAI Best Student Paper Award (2016)"]
    assert "birthDate" not in person  # sources disagree (1986 or 1987)
    assert {r["alumniOf"]["name"] for r in person["alumniOf"]} >= {
        "Australian National University"}


def test_papers_keep_their_author_order_as_a_list(page):
    drlhp = next(w for w in page["hasPart"] if w["@id"].endswith("deep-rl-from-human-preferences"))
    names = [a["name"] for a in drlhp["author"]["@list"]]
    assert names == ["Paul Christiano", "Jan Leike", "Tom B. Brown", "Miljan Martic",
                     "Shane Legg", "Dario Amodei"]
    assert {"@type": "PropertyValue", "propertyID": "arXiv",
            "value": "1706.03741"} in drlhp["identifier"]


def test_the_export_reads_as_rdf_offline_with_ordered_authors(page):
    g = Graph().parse(data=json.dumps(page), format="json-ld")
    person = URIRef(ID + "jan-leike")
    assert (person, RDF.type, S.Person) in g
    paper = URIRef(ID + "deep-rl-from-human-preferences")
    head = g.value(paper, S.author)
    authors = [str(a) for a in Collection(g, head)]
    assert authors[:2] == [ID + "paul-christiano", ID + "jan-leike"]


def test_a_payload_outside_the_json_schema_is_refused(page):
    from personkg.export.schemaorg import check_page as _check_schemaorg

    bad = json.loads(json.dumps(page))
    bad["mainEntity"]["worksFor"][0]["startDate"] = "May 2016"
    with pytest.raises(DataError) as err:
        _check_schemaorg(bad, Vocabulary.load())
    assert "mainEntity/worksFor/0/startDate" in str(err.value)


def test_unknown_entity_exits_2(run):
    result = run("export", "--data", str(REPO / "data"), "--format", "schemaorg",
                 "--entity", "openai")
    assert result.code == 2 and "no person with that id" in result.err


def test_json_for_a_script_element_cannot_break_out():
    from personkg.export.schemaorg import script_json

    data = {"text": "</script><script>alert(1)</script><!-- & \u2028"}
    out = script_json(data)
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == data


@pytest.mark.parametrize("root", [REPO / "data", REPO / "tests" / "fixtures" / "second"])
def test_best_claims_by_property_are_each_propertys_best_well_sourced_claims(root):
    """`_best` finds every property's claims in one pass: for each property, the
    preferred claims (else the normal ones) in record order, without those whose sources
    are all low-trust, as `compile.best_of` per property and a trust filter give them."""
    from personkg.compile import best_of
    from personkg.export.schemaorg import _best
    from personkg.pipeline import compiled

    c = compiled(root)
    ds, low = c.dataset, c.voc.low_trust
    left_out = ranked = 0
    for e in ds.entities.values():
        got = _best(ds, e, low)
        for key in {claim.property for claim in e.claims}:
            expected = [claim for claim in best_of(e.claims, key)
                        if any(ds.sources[r.source].fields.get("trust") not in low
                               for r in claim.references if r.source in ds.sources)]
            assert got.get(key, []) == expected, (e.id, key)
            left_out += len(best_of(e.claims, key)) - len(expected)
            ranked += any(claim.rank == "preferred" for claim in e.claims
                          if claim.property == key)
        assert all(got.values())
    if root.name == "data":
        assert left_out and ranked  # low-trust claims and preferred ranks were there to test


@given(st.lists(st.fixed_dictionaries(
    {"@type": st.sampled_from(["EmployeeRole", "OrganizationRole"]),
     "roleName": st.sampled_from(["a", "b", "c"])},
    optional={"startDate": st.sampled_from(["2019", "2019-05", "2020", ""]),
              "endDate": st.sampled_from(["2021", "2022"])}), max_size=6))
def test_roles_are_ordered_by_start_then_by_their_json(roles):
    """Roles that start together (or have no start) are ordered by their JSON, which is
    made only when two start together: the order is the one sort by both keys gives."""
    from personkg.export.schemaorg import _by_start

    expected = sorted(roles, key=lambda r: (str(r.get("startDate", "")),
                                            json.dumps(r, sort_keys=True)))
    assert _by_start(roles) == expected
    assert [json.dumps(r) for r in _by_start(roles)] == [json.dumps(r) for r in expected]
