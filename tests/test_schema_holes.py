"""Values the two JSON Schema engines once read differently, or that passed the schema and
then crashed the compiler or reached an export: each is now refused by layer 2 at its
file and line, with one line and no traceback (issue 16, class 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_process
from personkg.checks.records import ecma_pattern
from personkg.model import parse_date


def _replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ADA = "people/ada-example.yaml"
PAPER = "works/example-paper.yaml"
SITE = "sources/acme-site.yaml"
URL = "url: https://acme.example/about"

# (name, edit, code, file, line)
CASES = [
    ("date-trailing-newline", lambda r: _replace(r, ADA, "start: 2016", 'start: "2016\\n"'),
     "bad-date", "ada-example.yaml", 8),
    ("float-date", lambda r: _replace(r, ADA, "start: 2016", "start: 2016.0"),
     "bad-value", "ada-example.yaml", 8),
    ("year-below-1000-as-text", lambda r: _replace(r, ADA, "start: 2016", 'start: "0999"'),
     "bad-date", "ada-example.yaml", 8),
    ("year-below-1000-as-number", lambda r: _replace(r, ADA, "start: 2016", "start: 999"),
     "bad-date", "ada-example.yaml", 8),
    ("month-of-year-below-1000", lambda r: _replace(r, ADA, "end: 2021-03", 'end: "0021-03"'),
     "bad-date", "ada-example.yaml", 9),
    ("id-trailing-newline", lambda r: _replace(r, ADA, "id: ada-example", 'id: "ada-example\\n"'),
     "bad-value", "ada-example.yaml", 1),
    ("qid-trailing-newline", lambda r: _replace(r, ADA, "name: Ada Example",
                                                'name: Ada Example\nwikidata: "Q5\\n"'),
     "bad-value", "ada-example.yaml", 4),
    ("url-trailing-newline", lambda r: _replace(r, SITE, URL, f'{URL[:5]}"{URL[5:]}\\n"'),
     "bad-value", "acme-site.yaml", 5),
    ("url-bad-percent-escape", lambda r: _replace(r, SITE, URL, f"{URL}/%zz"),
     "bad-value", "acme-site.yaml", 5),
    ("url-bad-port", lambda r: _replace(r, SITE, URL, "url: https://acme.example:x/"),
     "bad-value", "acme-site.yaml", 5),
    ("reference-url-bad", lambda r: _replace(
        r, ADA, "quote: Ada joined Acme in 2016.",
        "quote: Ada joined Acme in 2016.\n          url: http://[x]/"),
     "bad-value", "ada-example.yaml", 14),
    ("lang-trailing-newline", lambda r: _replace(r, PAPER, "- value: An Example Paper",
                                                 '- value: An Example Paper\n      lang: "en\\n"'),
     "bad-value", "example-paper.yaml", 7),
    ("lang-subtag-too-long", lambda r: _replace(r, PAPER, "- value: An Example Paper",
                                                "- value: An Example Paper\n"
                                                "      lang: en-abcdefghi"),
     "bad-value", "example-paper.yaml", 7),
    ("base-with-angle-bracket", lambda r: (r / "dataset.yaml").write_text(
        'title: T\nbase: "https://kg.example/<id>/"\n', encoding="utf-8"),
     "bad-value", "dataset.yaml", 2),
    ("base-with-quote", lambda r: (r / "dataset.yaml").write_text(
        "title: T\nbase: 'https://kg.example/\"id/'\n", encoding="utf-8"),
     "bad-value", "dataset.yaml", 2),
    ("base-trailing-newline", lambda r: (r / "dataset.yaml").write_text(
        'title: T\nbase: "https://kg.example/id/\\n"\n', encoding="utf-8"),
     "bad-value", "dataset.yaml", 2),
    ("base-bad-percent-escape", lambda r: (r / "dataset.yaml").write_text(
        "title: T\nbase: https://kg.example/%zz/\n", encoding="utf-8"),
     "bad-value", "dataset.yaml", 2),
    ("as-of-float", lambda r: (r / "dataset.yaml").write_text(
        "title: T\nbase: https://kg.example/id/\nas_of: 2020.0\n", encoding="utf-8"),
     "bad-value", "dataset.yaml", 3),
]


def _one_line_at(result, code: str, file: str, line: int) -> None:
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.out + result.err
    hits = [ln for ln in (result.out + result.err).splitlines() if f" {code}: " in ln]
    assert any(f"{file}:{line}: error {code}:" in ln for ln in hits), result.out + result.err


@pytest.mark.parametrize("name,edit,code,file,line", CASES, ids=[c[0] for c in CASES])
def test_value_is_refused_at_its_line(mini, name, edit, code, file, line):
    edit(mini)
    _one_line_at(run_process("validate", "--data", str(mini)), code, file, line)


@pytest.mark.parametrize("name,edit,code,file,line", CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_quickstatements_export_refuses_it(mini, tmp_path, name, edit, code, file, line):
    edit(mini)
    out = tmp_path / "qs.txt"
    result = run_process("export", "--data", str(mini), "--format", "quickstatements",
                         "--output", str(out))
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.out + result.err
    assert not out.exists()


def test_dates_have_one_rule_for_numbers_and_text():
    for good in (1000, "1000", 2017, "2017-06", "2017-06-12", 9999):
        assert parse_date(good) is not None, good
    for bad in (999, "0999", "0001", 10000, "2017\n", 2017.0, True, "٢٠١٧", "2017-02-30"):
        assert parse_date(bad) is None, bad


def test_python_engine_reads_dollar_as_ecma():
    assert ecma_pattern(r"^a$").search("a")
    assert not ecma_pattern(r"^a$").search("a\n")
    assert ecma_pattern(r"^[$]\$$").search("$$")


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "javascript:alert(1)",
                                 "https://", "https://exa mple.org/", "https://example.org/<x>",
                                 "https://example.org:port/", "/kg/",
                                 "https://example.org/?q=1#f", "https://example.org/kg#top",
                                 "https://user:pw@example.org/", "https://[::1]:99999/",
                                 "https://example.org:0/kg/", "https://example.org:00/"])
def test_site_url_must_be_an_http_url(mini, tmp_path, url):
    out = tmp_path / "site"
    result = run_process("site", "--data", str(mini), "--out", str(out), "--site-url", url)
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "--site-url" in lines[0], result.err
    assert not out.exists()
