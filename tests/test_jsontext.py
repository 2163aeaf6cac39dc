"""`export.jsontext.indented_json`: the text of `json.dumps(data, indent=2,
ensure_ascii=False)`, whoever writes it (orjson, or the standard library where orjson
cannot)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from personkg.export.jsontext import indented_json

_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "e" not in repr(f))
_SCALARS = (st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | _FLOATS
            | st.text())
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


@given(_JSON)
def test_the_text_json_dumps_writes(data):
    assert indented_json(data) == json.dumps(data, indent=2, ensure_ascii=False)


def test_what_orjson_cannot_write_is_written_as_before():
    for data in ({"n": 2**70}, {1: "a", "b": [2**64]}, ["\udc80"], {"x": -(2**63) - 1}):
        assert indented_json(data) == json.dumps(data, indent=2, ensure_ascii=False)


def test_control_characters_quotes_and_non_ascii():
    data = {"s": "\x00\x1f\x7f\b\f\n\r\t\"\\ é 中 😀 \u2028", "e": [], "o": {}}
    assert indented_json(data) == json.dumps(data, indent=2, ensure_ascii=False)


def test_a_float_with_an_exponent_is_the_same_number():
    """The one difference from the standard library (see the module): no leading zero in
    an exponent. personkg's data holds no floats."""
    assert indented_json([4.1e-06, 1e16]) == "[\n  4.1e-6,\n  1e+16\n]"
    assert json.loads(indented_json([4.1e-06, 1e16])) == [4.1e-06, 1e16]
