"""`personkg diff`: golden cases, each a git repository of two commits in a temporary folder,
on a copy of the second dataset (Grace Example) and of the showcase; targeted assertions per
kind of change; the four formats; --fail-on; two folders; a bad revision.

The golden files are in tests/cases/diff/ (its README says what each shows). To rewrite
them after a reviewed change of the output: PERSONKG_WRITE_GOLDEN=1 pytest tests/test_diff.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import CASES, FIXTURES, REPO, run_process

GOLDEN = CASES / "diff"
SECOND = FIXTURES / "second"
SHOWCASE = REPO / "data"
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True,
                          capture_output=True, text=True).stdout


def make_repo(tmp: Path, dataset: Path, before: Callable[[Path], None] | None = None) -> Path:
    """A git repository with `dataset` as data/ in its first commit."""
    repo = tmp / "repo"
    shutil.copytree(dataset, repo / "data", ignore=shutil.ignore_patterns("*.pyc"))
    if before:
        before(repo / "data")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def commit(repo: Path, change: Callable[[Path], None]) -> None:
    change(repo / "data")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def diff(repo: Path, *args: str):
    return run_process("diff", *args, "--data", "data", cwd=repo)


# ------------------------------------------------------------ the changes

GRACE = "people/grace-example.yaml"


def reformat_second(data: Path) -> None:
    """No fact changes: the employer list reversed, keys reordered, flow lists in block
    style and indentation changed, a source list reversed."""
    path = data / GRACE
    rec = yaml.safe_load(path.read_text(encoding="utf-8"))
    rec["claims"]["employer"].reverse()
    rec["claims"] = dict(reversed(list(rec["claims"].items())))
    path.write_text(yaml.safe_dump(dict(reversed(list(rec.items()))), indent=4,
                                   allow_unicode=True, sort_keys=False, width=60), "utf-8")
    lab = data / "organizations/example-lab.yaml"
    edit(lab, "sources: [lab-people]", "sources:\n        - lab-people")


def add_claim(data: Path) -> None:
    edit(data / "people/alan-example.yaml", "claims:\n",
         "claims:\n  nickname:\n    - value: Al\n      sources: [lab-people]\n")


def deprecate(data: Path) -> None:
    edit(data / GRACE, "      end: 2019\n      sources: [grace-homepage]",
         "      end: 2019\n      rank: deprecated\n"
         "      reason: The university's register says she left in 2018.\n"
         "      sources: [grace-homepage]")


def refine_date(data: Path) -> None:
    edit(data / GRACE, "start: 2019-09\n", "start: 2019-09-02\n")


def two_sources(data: Path) -> None:
    edit(data / GRACE, "  citizenship:\n    - value: exampleland\n      sources: [grace-homepage]",
         "  citizenship:\n    - value: exampleland\n      sources: [grace-homepage, forum-thread]")


def drop_good_source(data: Path) -> None:
    edit(data / GRACE, "sources: [grace-homepage, forum-thread]", "sources: [forum-thread]")


def rename_alan(data: Path) -> None:
    old = data / "people/alan-example.yaml"
    new = data / "people/alan-q-example.yaml"
    new.write_text(old.read_text("utf-8").replace("id: alan-example", "id: alan-q-example"),
                   "utf-8")
    old.unlink()
    for work in (data / "works").glob("*.yaml"):
        work.write_text(work.read_text("utf-8").replace("alan-example", "alan-q-example"),
                        "utf-8")


def move_record(data: Path) -> None:
    """exampleland to another file, places/exampleland.yml (a record's folder is its kind,
    and its file name its id: the file is the only thing a record can move to)."""
    (data / "places/exampleland.yaml").rename(data / "places/exampleland.yml")


def set_qid(data: Path) -> None:
    edit(data / "organizations/example-lab.yaml", "name: Example Lab\n",
         "name: Example Lab\nwikidata: Q990000070\n")


SECOND_CASES: dict[str, tuple[Callable[[Path], None] | None, Callable[[Path], None]]] = {
    "reformatted": (None, reformat_second),
    "added-claim": (None, add_claim),
    "deprecated": (None, deprecate),
    "refined-date": (None, refine_date),
    "weakened": (two_sources, drop_good_source),
    "renamed-id": (None, rename_alan),
    "moved-record": (None, move_record),
    "qid-set": (None, set_qid),
}

LEIKE = "people/jan-leike.yaml"


def reformat_showcase(data: Path) -> None:
    for name in (LEIKE, "organizations/openai.yaml"):
        path = data / name
        rec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for items in rec.get("claims", {}).values():
            items.reverse()
        path.write_text(yaml.safe_dump(rec, indent=4, allow_unicode=True, width=70),
                        "utf-8")


def deprecate_showcase(data: Path) -> None:
    path = data / "people/jan-leike.yaml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r"  birth_date:\n    - value: [^\n]+\n", text)
    assert m, "the showcase's birth date"
    path.write_text(text.replace(m.group(0), m.group(0) + "      rank: deprecated\n"
                                 "      reason: A test says so.\n", 1), "utf-8")


SHOWCASE_CASES = {"reformatted": reformat_showcase, "deprecated": deprecate_showcase}


# ------------------------------------------------------------ golden files

def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PERSONKG_WRITE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path}: no golden file (PERSONKG_WRITE_GOLDEN=1 writes it)"
    assert text == path.read_text(encoding="utf-8"), name


@pytest.fixture(scope="module")
def second_runs(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Each case of the second dataset: its diff HEAD~1 HEAD in every format."""
    out = {}
    for name, (before, change) in SECOND_CASES.items():
        repo = make_repo(tmp_path_factory.mktemp(name), SECOND, before)
        commit(repo, change)
        out[name] = {}
        for fmt in ("text", "json", "markdown", "github"):
            r = diff(repo, "HEAD~1", "HEAD", "--format", fmt)
            assert r.code == 0 and not r.err, (name, fmt, r.err)
            out[name][fmt] = r.out
    return out


@pytest.mark.parametrize("name", SECOND_CASES)
def test_each_case_of_the_second_dataset_matches_its_golden_file(second_runs, name):
    check_golden(f"second-{name}.txt", second_runs[name]["text"])


@pytest.mark.parametrize("name", SECOND_CASES)
@pytest.mark.parametrize("fmt,ext", [("json", "json"), ("markdown", "md"), ("github", "gh")])
def test_every_case_in_every_format(second_runs, name, fmt, ext):
    check_golden(f"second-{name}.{ext}", second_runs[name][fmt])


@pytest.mark.parametrize("name", SHOWCASE_CASES)
def test_the_showcase_cases(tmp_path, name):
    repo = make_repo(tmp_path, SHOWCASE)
    commit(repo, SHOWCASE_CASES[name])
    r = diff(repo, "HEAD~1", "HEAD")
    assert r.code == 0, r.err
    check_golden(f"showcase-{name}.txt", r.out)


# ------------------------------------------------------------ each kind, targeted

def _json(second_runs, name):
    return json.loads(second_runs[name]["json"])


def test_no_fact_change_is_an_empty_diff(second_runs):
    for name in ("reformatted", "moved-record"):
        doc = _json(second_runs, name)
        assert doc["entities"] == [] and doc["sources"] == [], name
        assert doc["summary"] == "no fact changes"
        assert second_runs[name]["github"] == "no fact changes\n"


def test_an_added_claim(second_runs):
    (ent,) = _json(second_runs, "added-claim")["entities"]
    (st,) = ent["statements"]
    assert (ent["id"], ent["status"], st["status"], st["property"], st["value"]) == (
        "alan-example", "changed", "added", "nickname", "Al")
    assert st["file"] == "data/people/alan-example.yaml" and st["line"] == 7
    assert st["statement"].startswith("https://example.org/kg/id/statement/alan-example-nickname-")
    assert _json(second_runs, "added-claim")["summary"].startswith("+1 facts, -0, 0 deprecated")


def test_a_deprecation_with_its_reason(second_runs):
    doc = _json(second_runs, "deprecated")
    (st,) = doc["entities"][0]["statements"]
    assert st["changes"]["rank"] == ["normal", "deprecated"]
    assert st["reason"] == "The university's register says she left in 2018."
    assert doc["counts"]["deprecated"] == 1
    assert "deprecated (was normal): The university's register" in second_runs["deprecated"]["text"]


def test_a_refined_date_is_a_qualifier_change_of_the_same_statement(second_runs):
    doc = _json(second_runs, "refined-date")
    (st,) = doc["entities"][0]["statements"]
    assert st["status"] == "changed"
    assert st["changes"] == {"qualifier start": ["2019-09", "2019-09-02"]}
    assert doc["counts"]["added"] == doc["counts"]["removed"] == 0


def test_a_removed_reference_that_leaves_low_trust_only_is_weakened(second_runs):
    doc = _json(second_runs, "weakened")
    (st,) = doc["entities"][0]["statements"]
    assert st["references_removed"] == [{"source": "grace-homepage", "quote": None, "url": None}]
    assert st["trust"] == ["high", "low"] and st["weakened"] and st["low_trust_only"]
    assert doc["summary"] == "+0 facts, -0, 0 deprecated, 1 weakened, 1 changed"
    assert "::warning file=data/people/grace-example.yaml,line=" in \
        second_runs["weakened"]["github"]


def test_a_renamed_id_is_one_change(second_runs):
    doc = _json(second_runs, "renamed-id")
    (ent,) = doc["entities"]
    assert (ent["id"], ent["renamed_from"], ent["statements"]) == (
        "alan-q-example", "alan-example", [])
    assert doc["counts"]["added"] == doc["counts"]["removed"] == 0


def test_a_qid_set(second_runs):
    (ent,) = _json(second_runs, "qid-set")["entities"]
    assert ent["fields"] == {"wikidata": [None, "Q990000070"]}
    assert "wikidata: set to Q990000070" in second_runs["qid-set"]["text"]


def test_json_is_stable(second_runs):
    text = second_runs["weakened"]["json"]
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True,
                              ensure_ascii=False) + "\n"


# ------------------------------------------------------------ the command

def test_fail_on_exit_codes(tmp_path):
    repo = make_repo(tmp_path, SECOND, two_sources)
    commit(repo, drop_good_source)
    assert diff(repo, "HEAD~1", "HEAD", "--fail-on", "weakened").code == 1
    assert diff(repo, "HEAD~1", "HEAD", "--fail-on", "removed").code == 0
    assert diff(repo, "HEAD~1", "HEAD", "--fail-on", "deprecated").code == 0
    commit(repo, deprecate)
    assert diff(repo, "HEAD~1", "--fail-on", "deprecated").code == 1
    edit(repo / "data" / GRACE, "  nickname:\n    - value: Gex\n",
         "  nickname:\n    - value: Gexx\n")
    r = diff(repo, "HEAD", "--fail-on", "removed")  # HEAD: the working tree
    assert r.code == 1 and "working tree" in r.out and "- nickname = Gex" in r.out
    assert git(repo, "status", "--porcelain") == " M data/people/grace-example.yaml\n"


def test_two_folders(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(SECOND, old)
    shutil.copytree(SECOND, new)
    refine_date(new)
    r = run_process("diff", str(old), str(new), "--format", "json", cwd=tmp_path)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["entities"][0]["statements"][0]["changes"] == {
        "qualifier start": ["2019-09", "2019-09-02"]}
    assert doc["entities"][0]["file"] == "new/people/grace-example.yaml"


def test_a_bad_revision_is_one_line_and_exit_2(tmp_path):
    repo = make_repo(tmp_path, SECOND)
    r = diff(repo, "no-such-branch")
    assert r.code == 2 and r.out == ""
    assert r.err.count("\n") == 1 and "'no-such-branch' is neither a folder nor a revision" in r.err


def test_a_side_that_does_not_validate_stops_the_diff(tmp_path):
    repo = make_repo(tmp_path, SECOND)
    edit(repo / "data" / GRACE, "type: Person", "type: Persn")
    r = diff(repo, "HEAD")
    assert r.code == 2 and r.out == ""
    assert "working tree: the dataset does not validate (1 error; first: " \
           "data/people/grace-example.yaml:2:" in r.err


def test_a_folder_outside_git_needs_two_folders(tmp_path):
    shutil.copytree(SECOND, tmp_path / "data")
    r = run_process("diff", "HEAD", "--data", "data", cwd=tmp_path)
    assert r.code == 2 and "is not in a git repository" in r.err


@pytest.mark.parametrize("site_url,link", [
    ("https://kg.example.org/", "https://kg.example.org/id/example-lab.html"),
    # not ASCII: a URI (the host in IDNA, the path percent-encoded)
    ("https://kg.exämple.org/wö/", "https://kg.xn--exmple-cua.org/w%C3%B6/id/example-lab.html"),
    # a parenthesis that would end the link is escaped
    ("https://kg.example.org/a)b/", "https://kg.example.org/a\\)b/id/example-lab.html"),
])
def test_markdown_links_entity_pages_when_the_site_url_is_known(tmp_path, site_url, link):
    repo = make_repo(tmp_path, SECOND, lambda d: edit(
        d / "dataset.yaml", "version: 1.0.0\n", f"version: 1.0.0\nsite_url: {site_url}\n"))
    commit(repo, set_qid)
    r = diff(repo, "HEAD~1", "--format", "markdown")
    assert f"#### [Example Lab]({link}) (`example-lab`" in r.out


def test_the_init_workflow_posts_the_diff_on_pull_requests():
    workflow = yaml.safe_load((REPO / "src/personkg/init_template/workflow.yml").read_text("utf-8"))
    job = workflow["jobs"]["review"]
    assert job["if"] == "github.event_name == 'pull_request'"
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert "personkg diff origin/${{ github.base_ref }} --data data --format markdown" in runs
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
