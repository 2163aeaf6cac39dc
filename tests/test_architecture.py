"""The house rules, held by tests: one table of formats that `build`, `export` and the site
all read; one table of issue codes that equals the codes raised in the code, in the shapes
and in the README; the Python API builds what the command builds; a property annotated in
the ontology reaches the schema.org page without a code change; the project's namespace is
spelled out in one module."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from qs_grammar import parse_csv, parse_v1
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

import personkg
from conftest import CASES, REPO
from personkg.checks.report import CODES
from personkg.export import FORMATS
from personkg.export.schemaorg import check_page, profile_page
from personkg.model import Claim, Dataset, Entity, Reference, Source
from personkg.output import MARKER
from personkg.vocab import Vocabulary

SRC = Path(personkg.__file__).resolve().parent
# a dataset whose entities have QIDs, so every format has content
QS_DATA = CASES / "quickstatements" / "data"


def _graph(text: str, fmt: str) -> Graph:
    return Graph().parse(data=text, format=fmt)


#: How each format is read back; a format without a reader here fails the test below.
READERS = {
    "turtle": lambda text: _graph(text, "turtle"),
    "ntriples": lambda text: _graph(text, "nt"),
    "jsonld": lambda text: _graph(text, "json-ld"),
    "quickstatements": parse_v1,
    "qs-csv": parse_csv,
    "schemaorg": lambda text: check_page(json.loads(text), Vocabulary.load()) or json.loads(text),
    "csl-json": lambda text: [i for i in json.loads(text) if i["id"] and i["title"]],
    "bibtex": lambda text: _bibtex(text).entries,
}


def _bibtex(text: str):
    import bibtexparser
    from bibtexparser.bparser import BibTexParser

    return bibtexparser.loads(text, parser=BibTexParser(common_strings=True))


def test_every_format_has_a_reader_here():
    assert set(READERS) == set(FORMATS)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("api") / "build"
    return personkg.build(QS_DATA, out=out), out


def test_the_python_api_builds_every_format_as_the_command_does(built, tmp_path, run):
    result, out = built
    assert result.files == [f.file_name for f in FORMATS.values()] + ["validation.json"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*result.files, MARKER])
    cli_out = tmp_path / "cli"
    assert run("build", "--data", str(QS_DATA), "--out", str(cli_out)).code == 0
    for name in result.files:
        assert (out / name).read_bytes() == (cli_out / name).read_bytes(), name


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_is_built_and_reads_back(built, fmt):
    _, out = built
    text = (out / FORMATS[fmt].file_name).read_text(encoding="utf-8")
    assert text.strip(), f"{fmt} is empty on a dataset with QIDs"
    assert READERS[fmt](text)


def test_graph_formats_read_back_to_the_same_graph(built):
    _, out = built
    reference = _graph((out / "dataset.nt").read_text(encoding="utf-8"), "nt")
    for fmt, rdflib_fmt in (("turtle", "turtle"), ("jsonld", "json-ld")):
        parsed = _graph((out / FORMATS[fmt].file_name).read_text(encoding="utf-8"), rdflib_fmt)
        assert isomorphic(parsed, reference), fmt


def test_the_site_offers_every_format_as_a_download(tmp_path, run):
    site = tmp_path / "site"
    assert run("site", "--data", str(QS_DATA), "--out", str(site)).code == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    meta = json.loads((site / "dataset-metadata.jsonld").read_text(encoding="utf-8"))
    offered = {d["contentUrl"].rsplit("/", 1)[-1]: d["encodingFormat"]
               for d in meta["distribution"]}
    for f in FORMATS.values():
        assert index.count(f'href="{f.file_name}"') == 1, f.name
        assert offered[f.file_name] == f.media_type
        assert READERS[f.name]((site / f.file_name).read_text(encoding="utf-8"))


def test_check_returns_the_report(mini):
    report = personkg.check(mini)
    assert report.conforms() and report.records > 0
    person = mini / "people" / "ada-example.yaml"
    person.write_text(person.read_text(encoding="utf-8").replace("type: Person", "type: Persn"),
                      encoding="utf-8")
    report = personkg.check(mini)
    assert not report.conforms()
    assert ("bad-value", "ada-example.yaml") in {(i.code, Path(i.path).name)
                                                  for i in report.issues}


def test_build_raises_invalid_and_writes_nothing(mini, tmp_path):
    (mini / "people" / "ada-example.yaml").write_text("id: [", encoding="utf-8")
    with pytest.raises(personkg.Invalid) as exc:
        personkg.build(mini, out=tmp_path / "out")
    assert exc.value.exit_code == 1
    assert {i.code for i in exc.value.report.issues} == {"yaml-syntax"}
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the codes

def _codes_in_python() -> set[str]:
    """String codes given to `Issue.at(path, line, CODE, ...)`, `LoadProblem(path, line,
    CODE, ...)` and the schema messages' `issue(CODE, ...)` anywhere in the package."""
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = (node.func.attr if isinstance(node.func, ast.Attribute)
                    else getattr(node.func, "id", ""))
            if name in ("at", "LoadProblem") and len(node.args) >= 3:
                code = node.args[2]
            elif name == "issue" and node.args:
                code = node.args[0]
            else:
                continue
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                found.add(code.value)
    return found


def _codes_in_shapes() -> set[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in (REPO / "shapes").glob("*.ttl"))
    return set(re.findall(r'pkgsh:code "([a-z0-9-]+)"', text))


def _codes_in_readme() -> dict[str, tuple[str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| ([0-9, ]+) \| (error|warning) \|", text, re.M)
    return {code: (layers, severity) for code, layers, severity in rows}


def test_the_codes_table_is_every_code_raised_and_no_other():
    raised = _codes_in_python() | _codes_in_shapes()
    assert raised == set(CODES)


def test_the_readme_lists_every_code_with_its_layer_and_severity():
    readme = _codes_in_readme()
    assert set(readme) == set(CODES)
    for code, c in CODES.items():
        layers = ", ".join(map(str, c.layers))
        assert readme[code] == (layers, c.severity), code


def test_shapes_give_each_code_the_severity_of_the_table():
    shapes = Graph()
    for path in (REPO / "shapes").glob("*.shacl.ttl"):
        shapes.parse(path, format="turtle")
    sh, pkgsh = "http://www.w3.org/ns/shacl#", "https://w3id.org/personkg/shapes#"
    severity = {}
    for shape, code in shapes.subject_objects(URIRef(pkgsh + "code")):
        given = shapes.value(shape, URIRef(sh + "severity"))
        severity.setdefault(str(code), set()).add(
            "warning" if given == URIRef(sh + "Warning") else "error")
    for code, found in severity.items():
        assert found == {CODES[code].severity}, code


# ------------------------------------------------------------- the ontology

def test_a_new_annotated_property_reaches_the_profile_page(tmp_path):
    ontology = (REPO / "ontology" / "personkg.ttl").read_text(encoding="utf-8")
    extra = """
pkg:knowsLanguage a pkg:ClaimProperty ; pkg:key "knows_language" ;
    rdfs:label "knows language"@en ; rdfs:comment "A language the person speaks."@en ;
    rdfs:domain pkg:Person ; pkg:valueType xsd:string ; pkg:singleValued false ;
    pkg:schemaOrg schema:knowsLanguage .
pkg:alumnaOf a pkg:ClaimProperty ; pkg:key "studied_at" ;
    rdfs:label "studied at"@en ; rdfs:comment "Where the person studied."@en ;
    rdfs:domain pkg:Person ; pkg:valueClass pkg:Organization ; pkg:singleValued false ;
    pkg:schemaOrg schema:affiliation ; pkg:schemaOrgRole schema:OrganizationRole ;
    pkg:qualifier pkg:start, pkg:end, pkg:role .
"""
    path = tmp_path / "ontology.ttl"
    path.write_text(ontology + extra, encoding="utf-8")
    voc = Vocabulary.load(path)
    src = Source("s", tmp_path / "s.yaml", fields={"trust": "high", "title": "S"})
    ref = [Reference("s")]
    org = Entity("uni", "University", "A University", tmp_path / "uni.yaml")
    from personkg.model import Date

    person = Entity("p", "Person", "P", tmp_path / "p.yaml", claims=[
        Claim("knows_language", "Welsh", references=ref),
        Claim("knows_language", "English", references=ref),
        Claim("studied_at", "uni", {"start": Date("2001"), "role": "student"}, references=ref),
    ])
    ds = Dataset(tmp_path, entities={"p": person, "uni": org}, sources={"s": src},
                 base="https://example.org/kg/")
    page = profile_page(ds, voc, "p")
    main = page["mainEntity"]
    assert main["knowsLanguage"] == ["Welsh", "English"]
    assert main["affiliation"] == [{
        "@type": "OrganizationRole",
        "affiliation": {"@type": "CollegeOrUniversity", "@id": "https://example.org/kg/uni",
                        "name": "A University"},
        "roleName": "student", "startDate": "2001"}]
    check_page(page, voc)
    # without the annotations the same records give neither field
    plain = profile_page(ds, _without(voc, "knows_language", "studied_at"), "p")["mainEntity"]
    assert "knowsLanguage" not in plain and "affiliation" not in plain


def _without(voc: Vocabulary, *keys: str) -> Vocabulary:
    from dataclasses import replace

    claims = {k: (replace(p, schema_org=None) if k in keys else p)
              for k, p in voc.claims.items()}
    return replace(voc, claims=claims, memo={})


def test_the_schemaorg_writer_names_no_property_key(voc):
    """The writer's string constants (docstrings aside) name schema.org terms, never a
    property or qualifier key of the records (where a key is also a schema.org term, such
    as `author`, it is the term)."""
    import personkg.export.schemaorg as schemaorg

    tree = ast.parse(Path(schemaorg.__file__).read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr)}
    constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                 and isinstance(n.value, str) and id(n) not in docstrings}
    keys = set(voc.claims) | set(voc.qualifiers)
    terms = {str(p.schema_org).rsplit("/", 1)[-1]
             for p in [*voc.claims.values(), *voc.qualifiers.values()] if p.schema_org}
    assert constants & keys <= terms


# ------------------------------------------------------------- namespaces

def test_the_project_namespace_is_spelled_out_in_one_module():
    spelled = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                     if "w3id.org/personkg" in p.read_text(encoding="utf-8"))
    assert spelled == ["namespaces.py"]


def test_iri_namespaces_are_spelled_out_in_one_module():
    pattern = re.compile(r"https?://(www\.w3\.org|schema\.org|www\.wikidata\.org|wikiba\.se)/")
    spelled = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                     if pattern.search(p.read_text(encoding="utf-8")))
    assert spelled == ["namespaces.py"]

