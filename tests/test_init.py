"""Starting a dataset: `personkg init` gives a repository that validates, builds and serves at
once, with the schemas its records name and CI files whose commands work on it; `personkg new`
gives skeletons that say what goes where; `-V`; shell completion; the wheel installs and runs
outside the source tree."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.shell_completion import ShellComplete

from conftest import FIXTURES, REPO, run_process
from personkg.cli import cli
from personkg.generate import record_schemas
from personkg.load import RawRecord, load_file
from personkg.scaffold import TEMPLATES

MODELINE = "# yaml-language-server: $schema="


@pytest.fixture(scope="module")
def voc_schemas():
    from personkg.vocab import Vocabulary

    return record_schemas(Vocabulary.load())


@pytest.fixture
def repo(tmp_path, run) -> Path:
    """A fresh `personkg init` repository."""
    folder = tmp_path / "my-kg"
    result = run("init", str(folder))
    assert result.code == 0, result.err
    return folder


def _records(data: Path) -> list[Path]:
    return sorted(p for p in data.glob("*/*.yaml"))


def _one_line_error(result, *fragments: str) -> None:
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("personkg: "), result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# ------------------------------------------------------------------------ init


def test_init_then_validate_the_folder_exits_0(repo, run):
    result = run("validate", "--data", str(repo))
    assert result.code == 0, result.out + result.err
    summary = result.out.strip()
    assert summary.startswith("conforms: 4 records, ") and summary.endswith(" 0 errors, 0 warnings")
    strict = run("validate", "--data", str(repo), "--format", "github", "--strict")
    assert strict.code == 0 and "::" not in strict.out, strict.out


def test_init_output_builds_and_serves(repo, run, tmp_path):
    built = run("build", "--data", str(repo), "--out", str(tmp_path / "build"))
    assert built.code == 0, built.err
    turtle = (tmp_path / "build" / "dataset.ttl").read_text(encoding="utf-8")
    assert "@prefix id: <https://example.org/my-kg/id/> ." in turtle
    assert "\nid:ada-example\n" in turtle
    page = json.loads((tmp_path / "build" / "person.schemaorg.jsonld").read_text("utf-8"))
    assert page["mainEntity"]["name"] == "Ada Example"
    site = run("site", "--data", str(repo), "--out", str(tmp_path / "site"))
    assert site.code == 0, site.err
    assert (tmp_path / "site" / "id" / "example-paper.html").is_file()


def test_validate_inside_the_repository_finds_its_data(repo):
    result = run_process("validate", cwd=repo)
    assert result.code == 0, result.err
    assert result.out.strip().startswith("conforms: 4 records")


def test_init_lays_out_a_repository(repo):
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file())
    schemas = [f"data/schemas/{k}.schema.json" for k in
               ("awards", "dataset", "events", "organizations", "people", "places",
                "quotations", "reconciliation", "sources", "topics", "works")]
    assert files == sorted([
        ".github/workflows/personkg.yml", ".gitignore", ".pre-commit-config.yaml", "README.md",
        "data/dataset.yaml", "data/people/ada-example.yaml", "data/people/example-coauthor.yaml",
        "data/sources/example-homepage.yaml", "data/works/example-paper.yaml", *schemas])
    assert [p.name for p in repo.parent.iterdir()] == ["my-kg"], "a temporary folder was left"


def test_records_name_the_schemas_beside_them_which_are_the_generated_ones(repo, voc_schemas):
    data = repo / "data"
    for kind, schema in voc_schemas.items():
        text = (data / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert text == json.dumps(schema, indent=2, ensure_ascii=False) + "\n", kind
    first = (data / "dataset.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"{MODELINE}schemas/dataset.schema.json"
    for path in [data / "dataset.yaml", *_records(data)]:
        kind = "dataset" if path.name == "dataset.yaml" else path.parent.name
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(MODELINE), path
        target = (path.parent / first[len(MODELINE):]).resolve()
        assert target == (data / "schemas" / f"{kind}.schema.json").resolve(), path
        record = load_file(path, kind)
        assert isinstance(record, RawRecord)
        jsonschema.validate(dict(record.data), json.loads(target.read_text(encoding="utf-8")))


def test_init_records_are_an_honest_example(repo):
    data = repo / "data"
    meta = yaml.safe_load((data / "dataset.yaml").read_text(encoding="utf-8"))
    assert meta["subject"] == "ada-example" and meta["base"] == "https://example.org/my-kg/id/"
    assert set(meta) == {"title", "description", "base", "license", "subject", "version"}
    source = yaml.safe_load((data / "sources" / "example-homepage.yaml").read_text("utf-8"))
    assert (source["trust"], source["kind"]) == ("high", "personal-site")
    paper_text = (data / "works" / "example-paper.yaml").read_text(encoding="utf-8")
    assert "MADE-UP PAPER" in paper_text
    authors = yaml.safe_load(paper_text)["claims"]["author"]
    assert [(a["value"], a["series_ordinal"]) for a in authors] == [
        ("ada-example", 1), ("example-coauthor", 2)]
    for path in _records(data):
        text = path.read_text(encoding="utf-8")
        record = yaml.safe_load(text)
        assert record.get("wikidata") is None, path  # no invented QIDs
        assert not {"arxiv_id", "doi", "orcid", "x_username"} & set(record.get("claims", {}))
        for url in re.findall(r"https?://[^\s\"]+", text):
            assert url.startswith("https://example.org/"), (path, url)


def test_init_options_reach_the_records_quoted_as_yaml(tmp_path, run):
    folder = tmp_path / "kg"
    name = 'José Núñez-O\'Brien: "Pepe" # 1'
    result = run("init", str(folder), "--person-name", name, "--title", "A: b # c",
                 "--base", "https://kg.example/id#", "--license", "https://example.org/l")
    assert result.code == 0, result.err
    person = yaml.safe_load((folder / "data/people/jose-nunez-o-brien-pepe-1.yaml").read_text(
        encoding="utf-8"))
    assert person["name"] == name
    meta = yaml.safe_load((folder / "data/dataset.yaml").read_text(encoding="utf-8"))
    assert (meta["title"], meta["base"], meta["license"], meta["subject"]) == (
        "A: b # c", "https://kg.example/id#", "https://example.org/l", "jose-nunez-o-brien-pepe-1")
    assert run("validate", "--data", str(folder), "--strict").code == 0


def test_init_into_an_empty_folder_keeps_the_folder(tmp_path, run):
    folder = tmp_path / "empty"
    folder.mkdir()
    inode = folder.stat().st_ino
    assert run("init", str(folder)).code == 0
    assert folder.stat().st_ino == inode
    assert (folder / "data" / "dataset.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_init_refuses_a_folder_that_is_not_empty_and_leaves_it_untouched(tmp_path, run):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("init", str(folder))
    _one_line_error(result, f"personkg: {folder}: not empty")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]


def test_init_refuses_a_file_and_bad_options(tmp_path, run):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    _one_line_error(run("init", str(tmp_path / "a-file")), f"{tmp_path / 'a-file'}: exists")
    _one_line_error(run("init", str(tmp_path / "x"), "--base", "https://e.org/id"), "[--base]")
    _one_line_error(run("init", str(tmp_path / "x"), "--license", "CC0"), "[--license]")
    _one_line_error(run("init", str(tmp_path / "x"), "--person-name", "李"), "[--person-id]")
    _one_line_error(run("init", str(tmp_path / "x"), "--person-id", "example-paper"),
                    "[--person-id]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


# ------------------------------------------------------------------------- new


@pytest.mark.parametrize("kind", ["awards", "events", "organizations", "people", "places",
                                  "quotations", "sources", "topics", "works"])
def test_new_writes_a_skeleton_that_loads_and_names_its_types(repo, run, voc, kind):
    result = run("new", kind, "new-one", "--data", str(repo))
    assert result.code == 0, result.err
    path = repo / "data" / kind / "new-one.yaml"
    assert result.out.strip() == f"wrote {path}"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"{MODELINE}../schemas/{kind}.schema.json"
    record = yaml.safe_load(text)
    assert record["id"] == "new-one" and record["type"] in voc.types_for_kind(kind)
    type_line = next(line for line in text.splitlines() if line.startswith("type:"))
    assert type_line.endswith("one of: " + ", ".join(voc.types_for_kind(kind)))


def test_a_filled_in_skeleton_validates(repo, run):
    data = repo / "data"
    assert run("new", "organizations", "example-lab", "--data", str(repo)).code == 0
    assert run("new", "people", "grace-example", "--data", str(repo)).code == 0
    assert run("new", "sources", "grace-page", "--data", str(repo)).code == 0
    before = run("validate", "--data", str(repo))
    assert before.code == 1  # the empty placeholders, each at its line
    assert "grace-example.yaml:4: error bad-value: name" in before.out
    org = data / "organizations" / "example-lab.yaml"
    org.write_text(org.read_text("utf-8").replace('name: ""', "name: Example Lab"), "utf-8")
    src = data / "sources" / "grace-page.yaml"
    text = src.read_text(encoding="utf-8")
    for field, value in (("title", "Grace"), ("publisher", "Example Lab"),
                         ("date_retrieved", "2024-06-01"), ("kind", "personal-site"),
                         ("trust", "high")):
        text = text.replace(f'{field}: ""', f"{field}: {value}")
    src.write_text(text, encoding="utf-8")
    person = data / "people" / "grace-example.yaml"
    text = person.read_text(encoding="utf-8").replace('name: ""', "name: Grace Example")
    # the example claim, uncommented, with ids of real records
    text = re.sub(r"^# (claims:|  )", r"\1", text, flags=re.M)
    text = text.replace("an-id", "example-lab").replace("a-source-id", "grace-page")
    person.write_text(text, encoding="utf-8")
    after = run("validate", "--data", str(repo), "--strict")
    assert after.code == 0, after.out
    claim = yaml.safe_load(text)["claims"]["employer"][0]
    assert claim["value"] == "example-lab" and claim["sources"][0]["source"] == "grace-page"


def test_new_finds_the_dataset_of_the_current_folder(repo):
    result = run_process("new", "people", "someone", cwd=repo)
    assert result.code == 0, result.err
    assert (repo / "data" / "people" / "someone.yaml").is_file()


def test_new_reuses_the_modeline_of_a_dataset_without_schemas(mini, run):
    ada = mini / "people" / "ada-example.yaml"
    ada.write_text(f"{MODELINE}../../shapes/people.schema.json\n" + ada.read_text("utf-8"),
                   encoding="utf-8")
    assert run("new", "people", "carol-example", "--data", str(mini)).code == 0
    first = (mini / "people" / "carol-example.yaml").read_text("utf-8").splitlines()[0]
    assert first == f"{MODELINE}../../shapes/people.schema.json"


@pytest.mark.parametrize("args, fragments", [
    (["people", "ada-example"], ["people/ada-example.yaml: exists"]),
    (["works", "ada-example"], ["people/ada-example.yaml: exists"]),  # ids are dataset-wide
    (["people", "Ada_Example"], ["not an id", "perhaps 'ada-example'"]),
    (["peple", "x"], ["unknown kind 'peple'", "did you mean people?", "works"]),
    (["person", "x"], ["did you mean people?"]),
    (["works", "x", "--type", "Person"], ["not a type of works", "[--type]"]),
])
def test_new_refuses_with_one_line(repo, run, args, fragments):
    before = sorted(p.read_bytes() for p in _records(repo / "data"))
    _one_line_error(run("new", *args, "--data", str(repo)), *fragments)
    assert sorted(p.read_bytes() for p in _records(repo / "data")) == before


def test_new_without_a_dataset_says_how(tmp_path):
    result = run_process("new", "people", "x", cwd=tmp_path)
    assert result.code == 2 and "[--data]" in result.err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------- version, completion


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(run, flag):
    result = run(flag)
    assert (result.code, result.out) == (0, f"personkg {version('personkg')}\n")


def _complete(args: list[str], incomplete: str) -> list[str]:
    completer = ShellComplete(cli, {}, "personkg", "_PERSONKG_COMPLETE")
    return [c.value for c in completer.get_completions(args, incomplete)]


def test_query_names_complete():
    assert _complete(["query", "--name"], "car") == ["career"]
    assert "coauthors" in _complete(["query", "--name"], "")


def test_query_parameters_complete_for_the_named_query():
    assert _complete(["query", "--name", "coauthors", "--param"], "") == ["person="]
    assert _complete(["query", "--name", "affiliations-on-date", "--param"], "") == [
        "person=", "date="]
    assert _complete(["query", "--name", "affiliations-on-date", "--param"], "d") == ["date="]
    assert _complete(["query", "--param"], "") == []  # no --name yet


def test_entities_complete_from_the_dataset_given():
    mini = str(FIXTURES / "mini")
    assert _complete(["export", "--data", mini, "--entity"], "") == [
        "acme", "ada-example", "bob-example", "example-paper"]
    assert _complete(["export", "--data", mini, "--entity"], "ad") == ["ada-example"]
    assert "jan-leike" in _complete(["export", "--entity"], "jan")  # the default dataset
    assert _complete(["export", "--data", "/nonexistent", "--entity"], "") == []


def test_kinds_complete():
    assert _complete(["new"], "pe") == ["people"]


def test_completion_through_the_environment_variable(tmp_path):
    env = {**os.environ, "_PERSONKG_COMPLETE": "bash_complete",
           "COMP_WORDS": "personkg query --name car", "COMP_CWORD": "3"}
    proc = subprocess.run([sys.executable, "-m", "personkg"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.split()) == (0, ["plain,career"])


# ----------------------------------------------------------------- CI files


def _personkg_commands(lines: list[str]) -> list[list[str]]:
    return [shlex.split(line) for line in lines if line.startswith("personkg ")]


def _run_command(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert argv[0] == "personkg"
    return subprocess.run([sys.executable, "-m", "personkg", *argv[1:]], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_the_workflow_validates_strictly_and_its_commands_work(repo):
    workflow = yaml.safe_load((repo / ".github/workflows/personkg.yml").read_text("utf-8"))
    steps = workflow["jobs"]["validate"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/upload-artifact"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0] == 'pip install "personkg @ git+https://github.com/OWNER/personkg"'
    commands = _personkg_commands(runs)
    assert [c[:2] for c in commands] == [["personkg", "validate"], ["personkg", "site"]]
    assert "--format github --strict" in shlex.join(commands[0])
    for argv in commands:
        proc = _run_command(argv, repo)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (repo / "site" / "index.html").is_file()


def test_the_pre_commit_configuration_runs_the_validation(repo):
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = config["repos"][0]["hooks"]
    assert hook["id"] == "personkg-validate" and hook["pass_filenames"] is False
    assert "--format github --strict" in hook["entry"]
    assert re.search(hook["files"], "data/people/x.yaml") and re.search(hook["files"], "a.yml")
    proc = _run_command(shlex.split(hook["entry"]), repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_project_offers_a_pre_commit_hook_that_works_on_an_init_repository(repo):
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == (
        "personkg-validate", "python", False)
    assert hook["entry"] == "personkg validate --format github --strict"
    assert re.search(hook["files"], "x.yaml") and not re.search(hook["files"], "x.json")
    proc = _run_command(shlex.split(hook["entry"]), repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # a broken record fails it, with an annotation
    person = repo / "data" / "people" / "ada-example.yaml"
    person.write_text(person.read_text("utf-8").replace("type: Person", "type: Persn"), "utf-8")
    proc = _run_command(shlex.split(hook["entry"]), repo)
    assert proc.returncode == 1 and "::error file=data/people/ada-example.yaml" in proc.stdout


def test_the_readme_shows_the_workflow_init_writes():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    workflow = (TEMPLATES / "workflow.yml").read_text(encoding="utf-8")
    assert f"```yaml\n{workflow}```" in readme
    for needed in ("## Start your own dataset", "## Use it in CI", "pipx install dist/",
                   "pipx install git+", "_PERSONKG_COMPLETE=bash_source",
                   "_PERSONKG_COMPLETE=zsh_source", "_PERSONKG_COMPLETE=fish_source",
                   "personkg-validate"):
        assert needed in readme, needed


# ------------------------------------------------------------------- the wheel


def test_the_wheel_installs_and_runs_outside_the_source_tree(tmp_path):
    """What `pipx install dist/personkg-*.whl` does, offline: the wheel into a fresh venv
    (its dependencies come from the project's venv through a .pth file)."""
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=120)
    (wheel,) = dist.glob("personkg-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True,
                   timeout=120)
    # only now, so that pip does not see the project's own installed copy
    deps = sysconfig.get_paths()["purelib"]
    Path(purelib, "project-deps.pth").write_text(deps + "\n", encoding="utf-8")
    work.mkdir()
    exe = str(venv / "bin" / "personkg")

    def personkg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], cwd=work, capture_output=True, text=True,
                              timeout=300, env={**os.environ, "PYTHONPATH": ""})

    where = subprocess.run([str(python), "-c", "import personkg; print(personkg.__file__)"],
                           cwd=work, capture_output=True, text=True, check=True).stdout
    assert where.startswith(purelib), where
    assert personkg("-V").stdout == f"personkg {version('personkg')}\n"
    assert personkg("init", "kg").returncode == 0
    result = personkg("validate", "--data", "kg", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    embedded = personkg("validate")  # the dataset inside the wheel
    assert embedded.returncode == 0
    assert embedded.stdout.splitlines()[-1].startswith("conforms: ")
    assert Path(purelib, "personkg", "_resources", "data", "dataset.yaml").is_file()
