"""Messages written for people: each bad input below gets a message that says what is
expected in words (never a regular expression), names every missing key at once, suggests
the closest known name, and is not followed by knock-on errors in other files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO
from personkg.checks.records import Wording, schema_check
from personkg.checks.report import Issue, Report
from personkg.generate import pattern_words, record_schemas
from personkg.load import load_file
from personkg.query import named_queries
from personkg.resources import resource_dir

ADA = "people/ada-example.yaml"
BOB = "people/bob-example.yaml"
ACME = "organizations/acme.yaml"
PAPER = "works/example-paper.yaml"
GOSSIP = "sources/gossip-wiki.yaml"
ACME_SITE = "sources/acme-site.yaml"

#: Pieces of regular-expression syntax that no message may show.
REGEX = ("^", "$", "\\d", "\\S", "\\s", "\\.", "[a-z", "[A-Z", "[0-9", "(?", "{1,", "{4",
         "+)", ")*", ")?", "|", "does not match")


def no_regex(text: str) -> None:
    leaked = [r for r in REGEX if r in text]
    assert not leaked, f"regular expression syntax {leaked} in: {text}"


def _replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _issues(out: str) -> list[str]:
    """The issue lines of a text report (`file:line: severity code: message`)."""
    return [ln for ln in out.splitlines() if re.search(r": (error|warning) [a-z-]+: ", ln)]


def _validate(run, mini: Path, *extra: str):
    result = run("validate", "--data", str(mini), *extra)
    assert "Traceback" not in result.out + result.err
    return result


def _only(run, mini: Path, where: str, code: str) -> str:
    """Validate; the report must hold exactly one issue, `code` at `where` (file:line), with
    no regular expression in it. Returns its message."""
    result = _validate(run, mini)
    assert result.code == 1, result.out + result.err
    issues = _issues(result.out)
    assert len(issues) == 1, "\n".join(issues)
    [issue] = issues
    assert f"{where}: error {code}: " in issue, issue
    message = issue.split(f" {code}: ", 1)[1]
    no_regex(message)
    return message


# ------------------------------------------------- what is expected, in words

def test_a_malformed_id_says_what_an_id_is(run, mini):
    _replace(mini, BOB, "id: bob-example", "id: Bob Example")
    message = _only(run, mini, "bob-example.yaml:1", "bad-value")
    assert message == ("id: 'Bob Example' is not a valid id (lowercase letters and digits, in "
                       "words joined by single hyphens, such as ada-example)")


def test_an_id_value_in_a_claim_says_what_an_id_is(run, mini):
    _replace(mini, ADA, "- value: acme\n      start: 2016", "- value: Acme Corp\n      start: 2016")
    message = _only(run, mini, "ada-example.yaml:7", "bad-value")
    assert message.startswith("claims.employer[0].value: 'Acme Corp' is not a valid id (")


def test_an_ontology_pattern_is_said_by_its_label_and_description(run, mini):
    _append(mini, BOB, "claims:\n  orcid:\n    - value: 0000-0002-1825\n"
                       "      sources: [acme-site]\n")
    message = _only(run, mini, "bob-example.yaml:6", "bad-value")
    assert message == ("claims.orcid[0].value: '0000-0002-1825' is not a valid ORCID iD (four "
                       "groups of four digits joined by hyphens; the last character may be an X)")


def test_an_x_username_with_an_at_sign(run, mini):
    _append(mini, BOB, "claims:\n  x_username:\n    - value: '@bob'\n"
                       "      sources: [acme-site]\n")
    message = _only(run, mini, "bob-example.yaml:6", "bad-value")
    assert "is not a valid X username (1 to 15 letters, digits or underscores" in message


def test_a_source_url_says_what_a_web_address_is(run, mini):
    _replace(mini, GOSSIP, "url: https://wiki.example/ada", "url: wiki.example/ada")
    message = _only(run, mini, "gossip-wiki.yaml:5", "bad-value")
    assert message == ("url: 'wiki.example/ada' is not a valid web address (http:// or "
                       "https:// and an address without spaces)")


@pytest.mark.parametrize("key,value,words", [
    ("base", "https://example.org/id", "ending in / or #"),
    ("site_url", "https://example.org/site", "ending in /"),
    ("site_url", "https://example.org/?page=1/", "user, query or fragment"),
    ("site_url", "https://me:secret@example.org/", "user, query or fragment"),
    ("subject", "Ada Example", "lowercase letters and digits"),
])
def test_dataset_metadata_patterns_in_words(run, mini, key, value, words):
    meta = "title: Mini\nbase: https://example.org/id/\n"
    meta = meta.replace("base: https://example.org/id/\n", "") if key == "base" else meta
    (mini / "dataset.yaml").write_text(f"{meta}{key}: {value}\n", encoding="utf-8")
    line = meta.count("\n") + 1
    message = _only(run, mini, f"dataset.yaml:{line}", "bad-value")
    assert message.startswith(f"{key}: {value!r} is not a valid ") and words in message


@pytest.mark.parametrize("value,words", [
    ("https://exa\uff03mple.org/", "invalid characters under NFKC normalization"),
    ("https://exa\u200dmple.org/", "not a domain name IDNA takes"),
    ("https://\u05e9\u05dc\u05d5\u05dd1a.com/", "not a domain name IDNA takes"),
    ("https://ex\u00e4mple..org/", "not a domain name IDNA takes"),
    ("https://ex\u00e4%41mple.org/", "not a domain name IDNA takes"),
    ("https://" + "\u6f22" * 300 + ".org/", "longer than a domain name can be"),
    ("https://example.org:99999/", "Port out of range"),
    ("https://example.org:0/kg/", "its port is 0"),
])
def test_a_site_address_without_a_uri_is_refused_at_its_line(run, mini, value, words):
    # the sitemap needs a URI (`model.uri_of`): refused when read, not when the site is made
    (mini / "dataset.yaml").write_text(
        f'title: Mini\nbase: https://example.org/id/\nsite_url: "{value}"\n', encoding="utf-8")
    message = _only(run, mini, "dataset.yaml:3", "bad-value")
    assert message.startswith(f"site_url: {value!r} is not a valid site address: ")
    assert words in message


def test_a_base_that_gives_no_site_address_asks_for_a_site_url(run, mini):
    (mini / "dataset.yaml").write_text("title: Mini\nbase: https://exa\uff03mple.org/id/\n",
                                       encoding="utf-8")
    message = _only(run, mini, "dataset.yaml:2", "bad-value")
    assert "gives no site address" in message and "name one with site_url:" in message
    with (mini / "dataset.yaml").open("a", encoding="utf-8") as f:
        f.write("site_url: https://example.org/kg/\n")  # named: the base needs none
    assert "dataset.yaml" not in _validate(run, mini).out


def test_every_pattern_of_the_schemas_has_words_without_regex(voc):
    def patterns(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "pattern":
                    yield v
                else:
                    yield from patterns(v)
        elif isinstance(node, list):
            for v in node:
                yield from patterns(v)

    words = pattern_words(voc)
    used = set(patterns(record_schemas(voc)))
    assert used and used <= set(words), used - set(words)
    for pattern in used:
        name, said = words[pattern]
        assert name and said, pattern
        no_regex(f"{name} {said}")


def test_without_words_a_pattern_gets_a_generic_message_not_the_validators(mini):
    _replace(mini, BOB, "id: bob-example", "id: Bob Example")
    record = load_file(mini / BOB, "people")
    [issue] = schema_check(record, resource_dir("shapes"), Wording())
    no_regex(issue.message)
    assert issue.message.startswith("id: 'Bob Example' is not allowed here")


def test_shape_messages_have_no_regex():
    text = "".join(p.read_text(encoding="utf-8") for p in (REPO / "shapes").glob("*.ttl"))
    for message in re.findall(r'sh:message "((?:[^"\\]|\\.)*)"', text):
        no_regex(message)


def test_a_value_too_small(run, mini):
    _replace(mini, PAPER, "series_ordinal: 2", "series_ordinal: 0")
    message = _only(run, mini, "example-paper.yaml:13", "bad-value")
    assert message == "claims.author[1].series_ordinal: 0 is too small: the least allowed is 1"


def test_an_empty_text(run, mini):
    _replace(mini, ADA, "name: Ada Example", "name: ''")
    message = _only(run, mini, "ada-example.yaml:3", "bad-value")
    assert message == "name: must not be empty"


def test_a_wrong_type_is_said_in_words(run, mini):
    _replace(mini, ADA, "name: Ada Example", "name: [Ada, Example]")
    message = _only(run, mini, "ada-example.yaml:3", "wrong-type")
    assert message == "name: expected text, got a list ['Ada', 'Example']"


# ------------------------------------------------------ every missing key at once

def test_all_missing_keys_of_a_record_in_one_run(run, mini):
    _replace(mini, ACME, "type: Company\nname: Acme Research\n", "")
    message = _only(run, mini, "acme.yaml:1", "missing-key")
    assert message == "record: missing required keys 'type' and 'name'"


def test_a_claim_without_value_and_sources_reports_both(run, mini):
    _replace(mini, ACME, "    - value: 2015\n      sources: [acme-site]\n",
             "    - note: founded early\n")
    result = _validate(run, mini)
    assert result.code == 1
    issues = _issues(result.out)
    assert len(issues) == 2, issues
    assert any("acme.yaml:6: error claim-without-source: claims.inception[0]: the claim has no "
               "sources" in i for i in issues), issues
    assert any("acme.yaml:6: error missing-key: claims.inception[0]: missing required key "
               "'value'" in i for i in issues), issues


# --------------------------------------------------------------- no knock-on errors

def test_a_broken_source_record_causes_no_errors_elsewhere(run, mini):
    _replace(mini, GOSSIP, "date_retrieved:", "retrieved:")
    result = _validate(run, mini)
    assert result.code == 1
    issues = _issues(result.out)
    assert all("gossip-wiki.yaml:" in i for i in issues), "\n".join(issues)
    assert len(issues) == 2


def test_a_source_with_a_bad_trust_level_causes_no_warnings_elsewhere(run, mini):
    # every claim rests on acme-site: were it read as untrusted, each would be "weakly sourced"
    _replace(mini, ACME_SITE, "trust: high", "trust: hi")
    message = _only(run, mini, "acme-site.yaml:9", "bad-value")
    assert message == "trust: 'hi' is not one of high, low, medium, very-low; did you mean 'high'?"


def test_a_source_that_is_not_yaml_causes_no_errors_elsewhere(run, mini):
    _append(mini, ACME_SITE, "note: [\n")
    _only(run, mini, "acme-site.yaml:11", "yaml-syntax")


def test_a_record_without_an_id_causes_no_unknown_id(run, mini):
    _replace(mini, ACME, "id: acme\n", "")
    message = _only(run, mini, "acme.yaml:1", "missing-key")
    assert message == "record: missing required key 'id'"


def test_an_entity_of_a_misspelt_type_causes_no_errors_elsewhere(run, mini):
    _replace(mini, ACME, "type: Company", "type: Compnay")
    message = _only(run, mini, "acme.yaml:2", "bad-value")
    assert message.endswith("; did you mean 'Company'?")


# ---------------------------------------------------------------- did you mean

def test_a_misspelt_source_key(run, mini):
    _replace(mini, GOSSIP, "date_retrieved:", "retrieved:")
    result = _validate(run, mini)
    unknown = [i for i in _issues(result.out) if " unknown-key: " in i]
    assert len(unknown) == 1 and "gossip-wiki.yaml:6: error unknown-key: " in unknown[0]
    assert "record: unknown key 'retrieved'; did you mean 'date_retrieved'? (allowed here: " \
        in unknown[0]
    missing = [i for i in _issues(result.out) if " missing-key: " in i]
    assert missing == [f"{mini / GOSSIP}:1: error missing-key: record: missing required key "
                       "'date_retrieved'"]


def test_a_misspelt_claim_key(run, mini):
    _replace(mini, ADA, "  employer:", "  emploer:")
    message = _only(run, mini, "ada-example.yaml:6", "unknown-key")
    assert message.startswith("claims: unknown key 'emploer'; did you mean 'employer'? ")


def test_every_unknown_key_of_a_record_in_one_run(run, mini):
    _replace(mini, ADA, "name: Ada Example", "name: Ada Example\nnickname: Ada\nbirthday: 1990")
    result = _validate(run, mini)
    issues = _issues(result.out)
    assert [i.split(": error ")[0].rsplit(":", 1)[1] for i in issues] == ["4", "5"], issues


def test_a_type_by_another_name(run, mini):
    _replace(mini, PAPER, "type: ScholarlyArticle", "type: Paper")
    message = _only(run, mini, "example-paper.yaml:2", "bad-value")
    assert message.startswith("type: 'Paper' is not a type of works records (types here: ")
    assert message.endswith("; did you mean 'ScholarlyArticle'?")


def test_a_type_of_another_folder(run, mini):
    _replace(mini, ACME, "type: Company", "type: Person")
    message = _only(run, mini, "acme.yaml:2", "bad-value")
    assert message.startswith("type: 'Person' is not a type of organizations records: Person "
                              "records go in people/ (types here: Company, ")


def test_a_folder_that_is_not_a_record_folder(run, mini):
    (mini / "people").rename(mini / "person")
    result = _validate(run, mini)
    assert result.code == 1
    issues = _issues(result.out)
    # the folder's records are not read, and what points at them is not reported again
    assert len(issues) == 1, "\n".join(issues)
    assert issues[0].startswith(f"{mini / 'person'}: error unknown-folder: person/ is not a "
                                "record folder, so its 2 YAML files are not read (record folders: ")
    assert issues[0].endswith("; did you mean people/?")


def test_a_dataset_only_in_folders_that_are_not_record_folders(run, tmp_path):
    (tmp_path / "person").mkdir()
    (tmp_path / "person" / "ada.yaml").write_text("id: ada\ntype: Person\nname: Ada\n")
    result = run("validate", "--data", str(tmp_path))
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.startswith(f"personkg: {tmp_path}: no records found (expected YAML files "
                                 "in subfolders ")
    assert "; person/ is not a record folder, so its 1 YAML file is not read" in result.err
    assert result.err.rstrip().endswith("did you mean people/?")
    no_regex(result.err)


def test_a_misspelt_property_in_a_query_warns_and_still_runs(run, mini):
    result = run("query", "--data", str(mini), "--format", "csv",
                 "SELECT ?o WHERE { id:ada-example pkgd:emploer ?o }")
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["o"]
    assert result.err == ("personkg: warning: pkgd:emploer is not a property; did you mean "
                          "pkgd:employer?\n")


def test_a_property_named_by_its_yaml_key_in_a_query(run, mini):
    result = run("query", "--data", str(mini),
                 "SELECT ?d WHERE { ?w pkgd:publication_date ?d }  # pkgd:in_a_comment")
    assert result.code == 0
    assert result.err == ("personkg: warning: pkgd:publication_date is not a property; did you "
                          "mean pkgd:publicationDate?\n")


def test_known_terms_and_the_named_queries_give_no_warning(run, mini):
    assert run("query", "--data", str(mini), "ASK { ?s pkgd:employer ?o ; a pkg:Person . "
                                             "?st pkgpq:start ?x ; pkgpr:statedIn ?src }").err == ""
    for name in ("career", "coauthors", "low-trust", "sourcing"):
        assert run("query", "--data", str(mini), "--name", name).err == "", name


def test_a_misspelt_named_query(run):
    result = run("query", "--name", "carrer")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("personkg: no named query 'carrer'; did you mean 'career'? "
                                 "(known: affiliations-on-date, career, ")
    assert result.err.rstrip().endswith("[--name]")


def test_a_misspelt_param_name(run):
    result = run("query", "--name", "career", "--param", "persn=jan-leike")
    assert result.code == 2 and result.out == ""
    assert result.err == ("personkg: the named query career has no parameter 'persn'; did you "
                          "mean 'person'? (its parameters: person) [--param]\n")


def test_the_declared_parameters_are_those_the_named_queries_bind():
    for q in named_queries().values():
        bound = set(re.findall(r"VALUES\s+\?(\w+)\s*\{", q.text))
        assert set(q.parameter_names) <= bound, q.name
    assert named_queries()["affiliations-on-date"].parameter_names == ("person", "date")


def test_a_param_for_a_named_query_without_parameters(run):
    result = run("query", "--name", "papers-by-year", "--param", "person=jan-leike")
    assert result.code == 2
    assert "has no parameter 'person' (it has no parameters) [--param]" in result.err


# ------------------------------------------------------------------------ --strict

def test_strict_says_the_warnings_are_why_it_does_not_conform(run, mini):
    _replace(mini, ACME_SITE, "trust: high", "trust: low")  # every claim: weakly sourced
    plain = _validate(run, mini)
    assert plain.code == 0
    assert plain.out.splitlines()[-1].startswith("conforms: 6 records, ")
    strict = _validate(run, mini, "--strict")
    assert strict.code == 1
    last = strict.out.splitlines()[-1]
    assert last.startswith("does not conform because of warnings (strict): 6 records, ")
    assert last.endswith(", 0 errors, 6 warnings")
    github = _validate(run, mini, "--strict", "--format", "github")
    assert github.code == 1 and github.out.splitlines()[-1] == last
    assert github.out.startswith("::error file=")
    report = json.loads(_validate(run, mini, "--strict", "--format", "json").out)
    assert (report["conforms"], report["strict"], report["errors"]) == (False, True, 0)


def test_summary_wording():
    warn = Issue("a.yaml", 1, "warning", "weakly-sourced", "...")
    report = Report([warn], records=1, triples=2)
    assert report.summary() == "conforms: 1 records, 2 triples, 0 errors, 1 warning"
    assert report.summary(strict=True) == ("does not conform because of warnings (strict): "
                                           "1 records, 2 triples, 0 errors, 1 warning")
    report.add(Issue("a.yaml", 2, "error", "unknown-id", "..."))
    assert report.summary(strict=True).startswith("does not conform: ")
