"""`export --create-missing` creates only what `reconcile --write` recorded absent: on the
showcase and on a second dataset (another person, its own base), against the two local
Wikidata-shaped servers (main and scholarly graphs)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from qs_grammar import parse_v1
from servers import Wikidata

from conftest import FIXTURES, REPO


@pytest.fixture(params=["showcase", "second"])
def data(request, tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(REPO / "data" if request.param == "showcase" else FIXTURES / "second", dest)
    return dest


def _reconcile(run, data, wikidata: Wikidata, tmp_path):
    result = run("reconcile", "--data", str(data), "--endpoint", wikidata.main,
                 "--scholarly-endpoint", wikidata.scholarly, "--cache",
                 str(tmp_path / "cache"), "--write")
    assert result.code == 0, result.err
    return result


def _create(run, data, *extra):
    return run("export", "--data", str(data), "--format", "quickstatements",
               "--create-missing", *extra)


def _verdicts(data) -> dict[str, dict[str, str]]:
    """reconciliation.yaml read back as {entity: {field: value}} (one flow mapping a line)."""
    out = {}
    for line in (data / "reconciliation.yaml").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"  ([a-z0-9-]+): \{(.*)\}", line)
        if m:
            out[m.group(1)] = dict(re.findall(r'(\w+): ("[^"]*"|\[[^]]*\]|[^,]+)', m.group(2)))
    return out


def _created_labels(text: str) -> list[str]:
    return [ln.split("\t")[2].strip('"') for ln in text.splitlines()
            if ln.startswith("LAST\tLen\t")]


def test_a_never_reconciled_dataset_creates_nothing_and_says_why(run, data):
    result = _create(run, data)
    assert result.code == 0, result.err
    assert "CREATE" not in result.out
    assert "nothing is created (run `personkg reconcile --write`)" in result.err
    assert re.search(r"\d+  never checked \(run `personkg reconcile --write`\)", result.err)


def test_after_reconcile_only_entities_checked_absent_are_created(run, data, wikidata,
                                                                  tmp_path):
    _reconcile(run, data, wikidata, tmp_path)
    verdicts = _verdicts(data)
    kinds = {v["verdict"] for v in verdicts.values()}
    assert "absent" in kinds
    for v in verdicts.values():
        assert v["checked"] == f'"{dt.date.today().isoformat()}"'
        assert v["endpoint"].strip('"') in (wikidata.main, wikidata.scholarly)
    result = _create(run, data)
    assert result.code == 0, result.err
    parse_v1(result.out)
    names = {p.stem: p for p in data.glob("*/*.yaml")}
    created = _created_labels(result.out)
    absent = {e for e, v in verdicts.items() if v["verdict"] == "absent"}
    never = {e for e, v in verdicts.items() if v["verdict"] != "absent"}
    assert created, result.err
    texts = {e: names[e].read_text(encoding="utf-8") for e in absent | never}
    for label in created:  # every new item is an entity recorded absent
        owners = [e for e in absent if f"name: {label}\n" in texts[e]
                  or f'name: "{label}"\n' in texts[e]]
        assert owners, label
    for e in never:  # matched, candidates, duplicates and conflicts never are
        name = re.search(r"^name: \"?(.*?)\"?$", texts[e], re.M)
        assert name and name.group(1) not in created, e
    assert len(created) <= len(absent)
    assert f"creating at most {len(absent)} items" in result.err


def test_showcase_candidates_and_duplicates_are_left_out(run, wikidata, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    _reconcile(run, data, wikidata, tmp_path)
    verdicts = _verdicts(data)
    assert verdicts["jan-leike"]["verdict"] == "matched"
    assert verdicts["jan-leike"]["qid"] == "Q990000001"
    assert verdicts["training-language-models-to-follow-instructions"]["verdict"] == "duplicate"
    # the fixture's OpenAI, DeepMind and Anthropic are typed "organization", not a subclass of
    # "business" (the dataset's Company): same name, another class is a candidate, not absence
    for org in ("openai", "deepmind", "anthropic"):
        assert verdicts[org]["verdict"] == "candidate", org
    result = _create(run, data)
    created = _created_labels(result.out)
    assert not {"Jan Leike", "OpenAI", "DeepMind", "Anthropic"} & set(created)
    assert not any(label.startswith("Training language models") for label in created)
    assert "3  label matches on Wikidata, for a person to confirm" in result.err
    assert "1  its identifier is on several Wikidata items (likely duplicates)" in result.err
    # each new item carries referenced statements besides its label and class
    blocks = result.out.split("CREATE\n")[1:]
    assert blocks
    for block in blocks:
        statements = [ln.split("\t") for ln in block.splitlines()
                      if ln.startswith("LAST\tP") and not ln.startswith("LAST\tP31\t")]
        assert statements and all(any(c.startswith("S") for c in ln[3:]) for ln in statements)


def _set_checked(data, day: dt.date) -> None:
    path = data / "reconciliation.yaml"
    text = re.sub(r'checked: "[0-9-]+"', f'checked: "{day.isoformat()}"',
                  path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def test_an_old_absent_verdict_is_not_trusted(run, data, wikidata, tmp_path):
    _reconcile(run, data, wikidata, tmp_path)
    _set_checked(data, dt.date.today() - dt.timedelta(days=8))
    stale = _create(run, data)
    assert "CREATE" not in stale.out
    assert "checked absent more than 7 days ago" in stale.err
    wider = _create(run, data, "--checked-within", "30")
    assert "CREATE" in wider.out
    _set_checked(data, dt.date.today() + dt.timedelta(days=3))
    future = _create(run, data)
    assert "CREATE" not in future.out and "on a day after today" in future.err


def test_a_record_changed_since_reconcile_is_unchecked_again(run, data, wikidata, tmp_path):
    _reconcile(run, data, wikidata, tmp_path)
    before = _created_labels(_create(run, data).out)
    assert before
    label = before[0]
    [path] = [p for p in data.glob("*/*.yaml")
              if re.search(rf"^name: \"?{re.escape(label)}\"?$", p.read_text(encoding="utf-8"),
                           re.M)]
    path.write_text(re.sub(r"^name: .*$", "name: Renamed Since", path.read_text(encoding="utf-8"),
                           count=1, flags=re.M), encoding="utf-8")
    after = _create(run, data)
    assert "Renamed Since" not in _created_labels(after.out) and label not in after.out
    assert "1  name, type or identifiers changed since reconcile checked" in after.err


@pytest.mark.parametrize("text, why", [
    ("verdicts:\n  x: {verdict: gone, checked: \"2026-01-01\", endpoint: \"https://a.example/\","
     " of: \"0123456789abcdef\"}\n", "reconciliation.yaml:2"),
    ("verdicts:\n  x: {verdict: absent}\n", "reconciliation.yaml:2"),
    ("verdicts: [\n", "reconciliation.yaml:"),
    ("verdicts:\n  Bad_Id: {verdict: absent, checked: \"2026-01-01\", endpoint: "
     "\"https://a.example/\", of: \"0123456789abcdef\"}\n", "reconciliation.yaml:"),
    ("verdicts:\n  x: {verdict: absent, checked: \"2026-13-45\", endpoint: "
     "\"https://a.example/\", of: \"0123456789abcdef\"}\n", "reconciliation.yaml:2"),
    ("verdicts: !!python/object:os.system {}\n", "reconciliation.yaml:1"),
])
def test_a_broken_reconciliation_file_fails_validation_with_its_line(run, tmp_path, text, why):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "second", data)
    (data / "reconciliation.yaml").write_text(text, encoding="utf-8")
    for args in (("validate",), ("export", "--format", "quickstatements", "--create-missing")):
        result = run(*args, "--data", str(data))
        assert result.code == 1, (args, result.err)
        said = result.out + result.err
        assert why in said and "Traceback" not in said


def test_a_verdict_for_an_unknown_id_is_a_warning_with_its_line(run, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "second", data)
    (data / "reconciliation.yaml").write_text(
        "verdicts:\n  grace-example: {verdict: absent, checked: \"2026-01-01\", endpoint: "
        "\"https://a.example/\", of: \"0123456789abcdef\"}\n  nobody-here: {verdict: absent, "
        "checked: \"2026-01-01\", endpoint: \"https://a.example/\", of: \"0123456789abcdef\"}\n",
        encoding="utf-8")
    result = run("validate", "--data", str(data))
    assert result.code == 0  # a warning
    assert ("reconciliation.yaml:3: warning stale-verdict: nobody-here: no entity with that id"
            in result.out)
    assert "grace-example: no entity" not in result.out
    assert run("validate", "--data", str(data), "--strict").code == 1


@pytest.mark.parametrize("kind", ["folder", "dangling link"])
def test_a_reconciliation_file_that_is_not_a_file_is_reported(run, tmp_path, kind):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "second", data)
    target = data / "reconciliation.yaml"
    if kind == "folder":
        target.mkdir()
    else:
        target.symlink_to(tmp_path / "missing.yaml")
    result = run("validate", "--data", str(data))
    assert result.code == 1 and "Traceback" not in result.out + result.err
    assert "reconciliation.yaml is not a regular file" in result.out
