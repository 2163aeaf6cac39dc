"""Hostile YAML: every file gets a one-line cause at its line, in bounded time and memory, and
never a traceback; a fuzz test feeds generated records to the loader and the schema layer."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_process
from personkg.load import MAX_VALUES, LoadProblem, RawRecord, load_file

LAUGHS = """id: lol
type: Person
name: Lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

CASES = {
    "billion-laughs": (LAUGHS, 9, "aliases expand to more than"),
    "recursive-alias": ("id: x\ntype: Person\nname: X\nloop: &l [1, *l]\n", 4,
                        "refers to a value that contains it"),
    "timestamp-tag": ("id: x\ntype: Person\nname: X\nborn: !!timestamp 2001-01-01\n", 4,
                      "the tag !!timestamp is not allowed"),
    "binary-tag": ("id: x\ntype: Person\nname: !!binary aGVsbG8=\n", 3,
                   "the tag !!binary is not allowed"),
    "set-tag": ("id: x\ntype: Person\nname: X\nthings: !!set {a, b}\n", 4,
                "the tag !!set is not allowed"),
    "int-tag-on-text": ('id: x\ntype: Person\nname: !!int "12"\n', 3,
                        "the tag !!int is not allowed"),
    "python-tag": ("id: x\ntype: Person\nname: !!python/object:os.system x\n", 3,
                   "could not determine a constructor"),
    "complex-key": ("id: x\ntype: Person\nname: X\n? [a, b]\n: c\n", 4,
                    "a key must be a plain value"),
    "null-key": ("id: x\ntype: Person\nname: X\n? \n: c\n", 4, "is not a name: keys are text"),
    "number-key": ("id: x\ntype: Person\nname: X\n2016: c\n", 4, "'2016' is not a name"),
    "nul-byte": ("id: x\ntype: Person\nname: X\x00Y\n", 3, "U+0000 is not allowed"),
    "control-character": ("id: x\ntype: Person\nname: X\x1fY\n", 3, "U+001F is not allowed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_yaml_is_refused_at_its_line(tmp_path, case):
    text, line, words = CASES[case]
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    item = load_file(path, "people")
    assert time.monotonic() - started < 2
    assert isinstance(item, LoadProblem), item
    assert (item.line, item.code) == (line, "yaml-syntax")
    assert words in item.message and "\n" not in item.message


def test_billion_laughs_through_the_command_in_bounded_memory(tmp_path, mini):
    (mini / "people" / "lol.yaml").write_text(LAUGHS.replace("id: lol", "id: lol"),
                                              encoding="utf-8")
    limit = 1 << 30  # 1 GiB of address space is plenty for the mini dataset
    code = ("import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
            "from personkg.cli import main\n"
            f"main(['validate', '--data', {str(mini)!r}])\n")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert time.monotonic() - started < 60
    assert proc.returncode == 1, proc.stderr
    assert f"lol.yaml:9: error yaml-syntax: not accepted in a record: its aliases expand " \
           f"to more than {MAX_VALUES:,} values" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_folder_named_like_a_record_is_reported(mini):
    (mini / "people" / "ghost.yaml").mkdir()
    result = run_process("validate", "--data", str(mini))
    assert result.code == 1
    assert "ghost.yaml: error not-a-record: a folder named like a record file" in result.out


def test_deep_nesting_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("id: x\ntype: Person\nname: X\nd: " + "[" * 5000 + "]" * 5000 + "\n",
                    encoding="utf-8")
    item = load_file(path, "people")
    assert isinstance(item, LoadProblem) and item.code == "yaml-syntax"


# ------------------------------------------------------------------ fuzz

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=False), st.text(max_size=20),
                    st.sampled_from(["2016", "2016-13", "2016-02-30", "jan-leike", "Q5",
                                     "https://example.org/x", "high", "deprecated"]))
keys = st.one_of(st.sampled_from(["id", "type", "name", "claims", "employer", "value",
                                  "sources", "start", "end", "rank", "reason", "source",
                                  "quote", "authors", "list", "wikidata"]),
                 st.text(min_size=1, max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)
records = st.fixed_dictionaries(
    {"id": st.sampled_from(["x", "bad id", "x-1"]),
     "type": st.sampled_from(["Person", "Paper", "ScholarlyArticle", "Source"])},
    optional={"name": scalars, "claims": st.dictionaries(keys, values, max_size=4),
              "authors": values, "extra": values})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(record=records, mutate=st.integers(0, 400), junk=st.text(max_size=6))
def test_fuzz_generated_records_never_crash_the_loader_or_the_schema_layer(
        tmp_path, record, mutate, junk):
    from personkg.checks.records import Wording, prepare
    from personkg.reading import author_list
    from personkg.resources import resource_dir
    from personkg.vocab import Vocabulary

    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    text = text[:mutate] + junk + text[mutate:]  # and a little damage
    path = tmp_path / "people" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    kind = "sources" if record["type"] == "Source" else "people"
    item = load_file(path, kind)
    if isinstance(item, RawRecord):
        voc = Vocabulary.load()
        prepare(resource_dir("shapes"), {k: p.kind for k, p in voc.claims.items()},
                {k: p.kind for k, p in voc.qualifiers.items()}, author_list(voc),
                Wording.of(voc), item)
    else:
        assert item.code in ("yaml-syntax", "not-a-record", "not-utf8")
        assert "\n" not in item.message


def test_memory_limit_helper_is_available():
    # the bounded-memory test above relies on RLIMIT_AS
    assert resource.RLIMIT_AS is not None
