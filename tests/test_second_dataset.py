"""Every command on a dataset that is not the showcase: another person (Grace Example), its own
base IRI (https://example.org/kg/id/), its own vocabulary extension (`nickname`, in its
ontology.ttl) and authors without records (`authors:` lists with names as printed).

Each output is compared with a golden file in tests/cases/second/, reviewed by hand (see its
README.md); regenerate them for review with `.venv/bin/python tests/test_second_dataset.py`.
Besides the golden files, targeted assertions name each behaviour, and no output may mention
the showcase: its namespace, its host or its subject.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import CASES, FIXTURES, REPO
from personkg.export import FORMATS
from personkg.query import named_queries

DATA = FIXTURES / "second"
GOLDEN = CASES / "second"
SHOWCASE = ("w3id.org/personkg/id", "w3id.org/personkg/\"", "jan-leike", "Jan Leike")

COMMANDS: dict[str, list[str]] = {
    "validate.json": ["validate", "--format", "json"],
    "report.md": ["report", "--format", "markdown"],
    **{f"query-{name}.tsv": ["query", "--name", name, "--format", "tsv"]
       for name in named_queries()},
    **{f"export.{name}": ["export", "--format", name] for name in FORMATS},
}


def _run(args: list[str]) -> tuple[int, str, str]:
    """The command in-process, from the repository's root (so paths are relative)."""
    import contextlib
    import io

    from personkg.cli import main

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([*args, "--data", str(DATA.relative_to(REPO))])
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_matches_its_reviewed_golden_file(name):
    code, out, err = _run(COMMANDS[name])
    assert code == 0, err
    assert out == (GOLDEN / name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_output_speaks_of_the_showcase(name):
    _, out, err = _run(COMMANDS[name])
    for text in SHOWCASE:
        assert text not in out + err, (name, text)


def test_every_named_query_answers_about_this_dataset_without_parameters():
    empty = []
    for name in named_queries():
        _, out, _ = _run(["query", "--name", name, "--format", "tsv"])
        if len(out.splitlines()) < 2:
            empty.append(name)
    # every named query finds rows here, except those about things this dataset lacks
    assert empty == ["conflicts", "quotations"]


def test_the_base_is_the_datasets_own():
    _, turtle, _ = _run(["export", "--format", "turtle"])
    assert "@prefix id: <https://example.org/kg/id/> ." in turtle
    _, jsonld, _ = _run(["export", "--format", "jsonld"])
    doc = json.loads(jsonld)
    assert doc["@context"]["id"] == "https://example.org/kg/id/"
    assert any(n["@id"] == "id:grace-example" for n in doc["@graph"])
    # `id:` in a query and an id as --param are the dataset's
    _, out, _ = _run(["query", "ASK { id:grace-example pkgd:employer id:example-lab }"])
    assert out == "true\n"
    _, out, _ = _run(["query", "--name", "career", "--param", "person=alan-example",
                      "--format", "tsv"])
    assert '"Example University"' in out and '"Example Lab"' not in out


def test_named_queries_default_to_the_subject():
    _, out, _ = _run(["query", "--name", "career", "--format", "tsv"])
    assert '"Example Lab"@en' in out and '"Research Scientist"' in out
    _, out, _ = _run(["query", "--name", "entity-statements", "--format", "tsv"])
    assert '"nickname"\t"Gex"' in out


def test_an_id_that_names_nothing_gets_a_warning():
    code, out, err = _run(["query", "--name", "career", "--param", "person=nobody-here"])
    assert code == 0
    assert "warning: person=nobody-here: no entity or source with that id" in err


def test_the_vocabulary_extension_reaches_every_output(tmp_path):
    _, turtle, _ = _run(["export", "--format", "turtle"])
    assert 'pkgd:nickname "Gex"' in turtle
    _, page, _ = _run(["export", "--format", "schemaorg"])
    assert json.loads(page)["mainEntity"]["alternateName"] == ["Gex"]
    site = tmp_path / "site"
    code, _, err = _run(["site", "--out", str(site)])
    assert code == 0, err
    html = (site / "id" / "grace-example.html").read_text(encoding="utf-8")
    assert "nickname" in html and "Gex" in html


def test_authors_without_records_keep_their_place():
    _, page, _ = _run(["export", "--format", "schemaorg"])
    parts = {p["@id"]: p for p in json.loads(page)["hasPart"]}
    authors = parts["https://example.org/kg/id/ordered-paper"]["author"]["@list"]
    assert authors == [
        {"@type": "Person", "@id": "https://example.org/kg/id/grace-example",
         "name": "Grace Example"},
        {"@type": "Person", "name": "Mary Printed-Name"},
        {"@type": "Person", "@id": "https://example.org/kg/id/alan-example",
         "name": "A. Example"},
    ]
    _, turtle, _ = _run(["export", "--format", "turtle"])
    assert 'pkgd:authorNameString "Mary Printed-Name"' in turtle


def test_a_work_whose_authors_lack_ordinals_is_warned_about():
    _, out, _ = _run(["validate", "--format", "json"])
    issues = json.loads(out)["issues"]
    assert {(i["code"], Path(i["path"]).name, i["line"]) for i in issues} == {
        ("author-order", "unordered-note.yaml", 7), ("author-order", "unordered-note.yaml", 9),
        ("weakly-sourced", "example-lab.yaml", 13)}


def test_the_site_speaks_of_this_dataset_only(tmp_path):
    site = tmp_path / "site"
    code, _, err = _run(["site", "--out", str(site)])
    assert code == 0, err
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/kg/id/grace-example.html</loc>" in sitemap
    meta = json.loads((site / "dataset-metadata.jsonld").read_text(encoding="utf-8"))
    assert meta["@id"] == "https://example.org/kg/#dataset"
    assert meta["name"] == "Grace Example — a test dataset"
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for showcase in SHOWCASE:
                assert showcase not in text, (path.name, showcase)
    timeline = (site / "id" / "grace-example.html").read_text(encoding="utf-8")
    assert "open bars run to 2025-06-30" in timeline  # the dataset's as_of


def test_build_writes_what_export_writes(tmp_path):
    out = tmp_path / "build"
    code, _, err = _run(["build", "--out", str(out)])
    assert code == 0, err
    for name, f in FORMATS.items():
        assert (out / f.file_name).read_text(encoding="utf-8") == \
            (GOLDEN / f"export.{name}").read_text(encoding="utf-8"), name


def _regenerate() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, args in COMMANDS.items():
        code, out, err = _run(args)
        if code != 0:
            sys.exit(f"{name}: exit {code}: {err}")
        (GOLDEN / name).write_text(out, encoding="utf-8")
        print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    _regenerate()
