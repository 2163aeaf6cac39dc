"""The ontology, the JSON Schemas and the SHACL shapes agree; generated files are current."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Namespace

from conftest import REPO
from personkg.generate import generated_files, record_schemas

SH = Namespace("http://www.w3.org/ns/shacl#")
PKGSH = Namespace("https://w3id.org/personkg/shapes#")


def test_committed_generated_files_equal_the_generator_output(voc):
    for name, text in generated_files(voc).items():
        committed = (REPO / "shapes" / name).read_text(encoding="utf-8")
        assert committed == text, f"shapes/{name} is stale: run `make generate`"


def test_schema_claim_keys_are_exactly_the_ontology_properties_of_each_kind(voc):
    schemas = record_schemas(voc)
    for kind in voc.kinds():
        if kind == "sources":
            keys = set(schemas[kind]["properties"]) - {"id", "type", "wikidata"}
            assert keys == set(voc.source_fields)
            continue
        keys = set(schemas[kind]["properties"]["claims"]["properties"])
        expected = {p.key for t in voc.types_for_kind(kind) for p in voc.claims_for(t)}
        assert keys == expected, kind
        for key in keys:
            item = schemas[kind]["properties"]["claims"]["properties"][key]["items"]
            quals = set(item["properties"]) - {"value", "rank", "reason", "alternative", "note",
                                               "sources", "lang"}
            assert quals == set(voc.claims[key].qualifiers), key


def test_every_claim_and_qualifier_property_has_shacl_shapes(voc):
    shapes = Graph()
    for path in (REPO / "shapes").glob("*.shacl.ttl"):
        shapes.parse(path)
    for p in voc.claims.values():
        assert (PKGSH[f"{p.name}-value"], SH.path, None) in shapes, p.key
        assert (PKGSH[f"{p.name}-domain"], SH.targetSubjectsOf, None) in shapes, p.key
        if p.single_valued:
            assert (PKGSH[f"{p.name}-conflicting-values"], SH.sparql, None) in shapes, p.key
    for q in voc.qualifiers.values():
        assert (PKGSH[f"qualifier-{q.name}"], SH.path, None) in shapes, q.key


def test_every_shape_has_a_code_and_a_message():
    shapes = Graph()
    for path in (REPO / "shapes").glob("*.shacl.ttl"):
        shapes.parse(path)
    for shape in set(shapes.subjects(SH.message, None)) | set(shapes.subjects(PKGSH.code, None)):
        assert shapes.value(shape, PKGSH.code) is not None, shape
        assert shapes.value(shape, SH.message) is not None, shape


def test_every_ontology_property_is_fully_described(voc):
    for p in [*voc.claims.values(), *voc.qualifiers.values(), *voc.references.values()]:
        assert p.label and p.comment, p.key
        assert (p.value_class is None) != (p.value_type is None), p.key
        if p.value_class:
            assert p.value_class in voc.classes, p.key
        if p.wikidata:
            assert p.wikidata_datatype, p.key
    for p in voc.claims.values():
        assert p.domain and all(d in voc.classes for d in p.domain), p.key
        assert all(q in voc.qualifiers for q in p.qualifiers), p.key


@pytest.mark.parametrize("kind", ["people", "works", "sources", "dataset"])
def test_schemas_are_valid_json_schema(kind):
    import jsonschema

    schema = json.loads((REPO / "shapes" / f"{kind}.schema.json").read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)
