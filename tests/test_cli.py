"""The command line: help for every command, report formats, exit codes, embedded data."""

from __future__ import annotations

import json

import pytest

import personkg
from conftest import REPO, run_process
from personkg.cli import cli


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(run, name):
    result = run(name, "--help")
    assert result.code == 0
    assert cli.commands[name].help
    assert f"personkg {name}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_validate_from_any_directory_uses_the_embedded_dataset(tmp_path):
    result = run_process("validate", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    records = len([p for p in (REPO / "data").glob("*/*.yaml")])
    assert result.out.strip().splitlines()[-1].startswith(f"conforms: {records} records, ")


def test_validate_prefers_a_local_data_folder(tmp_path, mini):
    result = run_process("validate", cwd=mini.parent)
    assert result.code == 0
    # (107: 92 and the dates' 5 value links and 5 value nodes of 2 triples each)
    assert result.out.strip() == "conforms: 6 records, 107 triples, 0 errors, 0 warnings"


def test_data_may_name_a_folder_that_keeps_the_dataset_in_data(run, mini):
    (mini / "people" / "ada-example.yaml").write_text("id: [", encoding="utf-8")
    result = run("validate", "--data", str(mini.parent))
    assert result.code == 1
    assert result.out.startswith(f"{mini / 'people' / 'ada-example.yaml'}:2: error yaml-syntax")
    assert personkg.check(mini.parent).records == personkg.check(mini).records == 5


def test_json_report_is_machine_readable(run, mini):
    (mini / "people" / "ada-example.yaml").write_text(
        (mini / "people" / "ada-example.yaml").read_text().replace("end: 2021-03", "end: 2015"))
    result = run("validate", "--data", str(mini), "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["conforms"] is False and report["errors"] == 1
    [issue] = report["issues"]
    assert (issue["code"], issue["line"], issue["severity"]) == ("start-after-end", 7, "error")
    assert issue["path"].endswith("people/ada-example.yaml")


def test_github_annotations(run, mini):
    (mini / "people" / "ada-example.yaml").write_text(
        (mini / "people" / "ada-example.yaml").read_text().replace("end: 2021-03", "end: 2015"))
    result = run("validate", "--data", str(mini), "--format", "github")
    first = result.out.splitlines()[0]
    assert first.startswith("::error file=") and ",line=7,title=start-after-end::" in first


def test_strict_fails_on_warnings(run):
    data = REPO / "data"
    plain = run("validate", "--data", str(data), "--format", "json")
    report = json.loads(plain.out)
    assert plain.code == 0 and report["errors"] == 0
    if report["warnings"]:
        assert run("validate", "--data", str(data), "--strict").code == 1


def test_unknown_option_exits_2(run):
    result = run("validate", "--bogus")
    assert result.code == 2 and "No such option" in result.err


def test_export_to_a_missing_folder_exits_2(run, tmp_path):
    result = run("export", "--data", str(REPO / "data"), "--format", "turtle", "-o",
                 str(tmp_path / "no" / "x.ttl"))
    assert result.code == 2 and "does not exist" in result.err


def test_generate_check_reports_up_to_date(run):
    result = run("generate", "--check", "--root", str(REPO))
    assert result.code == 0, result.err


def test_generate_outside_a_source_tree_exits_2(run, tmp_path):
    result = run("generate", "--root", str(tmp_path))
    assert result.code == 2 and "ontology/personkg.ttl: not found" in result.err
    assert list(tmp_path.iterdir()) == []


def test_embedded_dataset_copy_with_one_injected_error(run, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    person = data / "people" / "jan-leike.yaml"
    lines = person.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == "claims:")
    lines[line - 1] = "claims:\n  shoe_size:\n    - {value: 44, sources: [jan-leike-name]}\n"
    person.write_text("".join(lines), encoding="utf-8")
    result = run("validate", "--data", str(data))
    assert result.code == 1
    [issue] = [ln for ln in result.out.splitlines() if " error " in ln]
    assert issue.startswith(f"{person}:{line + 1}: error unknown-key: claims: unknown key "
                            "'shoe_size'")
