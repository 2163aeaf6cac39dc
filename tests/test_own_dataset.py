"""A maintainer's own dataset: `./data` is never silently replaced by the showcase; a dataset's
own ontology may add properties but not redefine built-in ones; authors without records reach
Wikidata as author name strings with their place."""

from __future__ import annotations

import shutil

from qs_grammar import parse_v1

from conftest import FIXTURES, REPO, run_process

SECOND = FIXTURES / "second"
EMBEDDED_NOTE = "using the embedded example dataset"


def test_a_data_folder_is_used_as_given_even_when_it_is_incomplete(tmp_path):
    data = tmp_path / "data" / "people"
    data.mkdir(parents=True)
    (data / "someone.yaml").write_text("id: someone\ntype: Persn\nname: Someone\n",
                                       encoding="utf-8")
    result = run_process("validate", cwd=tmp_path)
    assert result.code == 1, result.out
    assert "data/people/someone.yaml:2:" in result.out
    assert EMBEDDED_NOTE not in result.err


def test_an_empty_data_folder_is_an_error_not_the_showcase(tmp_path):
    (tmp_path / "data").mkdir()
    result = run_process("validate", cwd=tmp_path)
    assert result.code == 2
    assert "no records found" in result.err and EMBEDDED_NOTE not in result.err


def test_without_a_data_folder_the_example_is_used_and_named(tmp_path):
    result = run_process("validate", cwd=tmp_path)
    assert result.code == 0
    assert result.err.count(EMBEDDED_NOTE) == 1
    records = len(list((REPO / "data").glob("*/*.yaml")))
    assert result.out.splitlines()[-1].startswith(f"conforms: {records} records")


def test_a_data_folder_here_is_not_named_as_the_example_even_when_it_is_that_one(monkeypatch):
    """From the root of a source checkout, `./data` is the embedded dataset's own folder:
    it is used as `./data`, and nothing says the example was used instead."""
    import personkg.cli.options as options
    import personkg.resources as resources

    monkeypatch.chdir(REPO)
    # as in a checkout, whatever the installation: the embedded dataset is ./data here
    monkeypatch.setattr(resources, "resource_dir", lambda name: REPO / name)
    monkeypatch.setattr(options, "use_cache", lambda: None)
    notes = []
    monkeypatch.setattr(options.click, "echo", lambda *a, **k: notes.append(a))
    assert options.data(None) == REPO / "data"
    assert notes == []
    monkeypatch.chdir(REPO / "tests")  # no ./data there: the fallback, and it is named
    options.data(None)
    assert len(notes) == 1 and EMBEDDED_NOTE in notes[0][0]


def test_an_own_property_that_redefines_a_built_in_one_is_an_error_at_its_line(tmp_path):
    data = tmp_path / "second"
    shutil.copytree(SECOND, data)
    ontology = data / "ontology.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + """
ex:employer2 a pkg:ClaimProperty ; pkg:key "employer" ;
    rdfs:label "employer again"@en ; rdfs:domain pkg:Person ; pkg:valueType xsd:string .
""", encoding="utf-8")
    result = run_process("validate", "--data", str(data))
    assert result.code == 1
    line = ontology.read_text(encoding="utf-8").splitlines().index(
        'ex:employer2 a pkg:ClaimProperty ; pkg:key "employer" ;') + 1
    assert result.err.startswith(f"personkg: {ontology}:{line}: property employer2")
    assert "clashes with the built-in property employer" in result.err
    assert "Traceback" not in result.err


def test_an_own_ontology_that_does_not_parse_is_an_error_at_its_line(tmp_path):
    data = tmp_path / "second"
    shutil.copytree(SECOND, data)
    (data / "ontology.ttl").write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n",
                                       encoding="utf-8")
    result = run_process("validate", "--data", str(data))
    assert result.code == 1
    assert result.err.startswith(f"personkg: {data / 'ontology.ttl'}")
    assert "not a Turtle ontology" in result.err and "Traceback" not in result.err


def test_authors_without_records_reach_quickstatements_with_their_place(tmp_path):
    data = tmp_path / "second"
    shutil.copytree(SECOND, data)
    paper = data / "works" / "ordered-paper.yaml"
    # Q4115189 is Wikidata's sandbox item, there to be edited in tests
    paper.write_text(paper.read_text(encoding="utf-8").replace(
        "name: An Ordered Example Paper", "name: An Ordered Example Paper\nwikidata: Q4115189"),
        encoding="utf-8")
    result = run_process("export", "--data", str(data), "--format", "quickstatements")
    assert result.code == 0, result.err
    lines = [ln for ln in result.out.splitlines() if "\tP2093\t" in ln]
    ref = '\tS854\t"https://workshop.example.org/2023/papers"\tS813\t+2025-06-01T00:00:00Z/11'
    # the name without a record, and the record authors without a QID yet (by the name as
    # printed when the list says it), each at its place
    assert lines == ['Q4115189\tP2093\t"A. Example"\tP1545\t"3"' + ref,
                     'Q4115189\tP2093\t"Grace Example"\tP1545\t"1"' + ref,
                     'Q4115189\tP2093\t"Mary Printed-Name"\tP1545\t"2"' + ref]
    parse_v1(result.out)
    assert "author: the value has no QID yet" not in result.err


def test_statements_references_and_values_have_namespaces_no_record_can_take(tmp_path):
    from personkg.pipeline import compiled

    data = tmp_path / "second"
    shutil.copytree(SECOND, data)
    # a record whose id looks like the old reference and statement names
    (data / "places" / "ref-740621a9e9b4.yaml").write_text(
        "id: ref-740621a9e9b4\ntype: Place\nname: Refville\n", encoding="utf-8")
    c = compiled(data)
    base = "https://example.org/kg/id/"
    subjects = {line.split(" ", 1)[0][1:-1] for line in c.graph.lines}
    statements = {s for s in subjects if "/statement/" in s}
    references = {s for s in subjects if "/reference/" in s}
    assert statements and all(s.startswith(base + "statement/") for s in statements)
    assert references and all(s.startswith(base + "reference/") for s in references)
    values = {s for s in subjects if "/value/" in s}  # dates' full value nodes
    assert values and all(s.startswith(base + "value/") for s in values)
    entities = subjects - statements - references - values
    assert base + "ref-740621a9e9b4" in entities
    assert not any("/" in s[len(base):] for s in entities if s.startswith(base))
    turtle = (REPO / "tests" / "cases" / "second" / "export.turtle").read_text(encoding="utf-8")
    assert "@prefix st: <https://example.org/kg/id/statement/> ." in turtle
    assert "@prefix ref: <https://example.org/kg/id/reference/> ." in turtle
    assert "@prefix val: <https://example.org/kg/id/value/> ." in turtle
