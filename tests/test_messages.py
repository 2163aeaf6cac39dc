"""Messages written for people: each bad input below gets a message that says what is
expected in words (never a regular expression), names every missing key at once, suggests
the closest known name, and is not followed by knock-on errors in other files."""

from __future__ import annotations

import re

from conftest import REPO
from personkg.generate import pattern_words, record_schemas

#: Pieces of regular-expression syntax that no message may show.
REGEX = ("^", "$", "\\d", "\\S", "\\s", "\\.", "[a-z", "[A-Z", "[0-9", "(?", "{1,", "{4",
         "+)", ")*", ")?", "|", "does not match")


def no_regex(text: str) -> None:
    leaked = [r for r in REGEX if r in text]
    assert not leaked, f"regular expression syntax {leaked} in: {text}"


# ------------------------------------------------- what is expected, in words

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


def test_shape_messages_have_no_regex():
    text = "".join(p.read_text(encoding="utf-8") for p in (REPO / "shapes").glob("*.ttl"))
    for message in re.findall(r'sh:message "((?:[^"\\]|\\.)*)"', text):
        no_regex(message)
