"""JSON text as `json.dumps(data, indent=2, ensure_ascii=False)` writes it, written by orjson:
the same bytes, about 30 times faster (the standard library writes indented JSON in pure
Python). Where orjson cannot write the data (an integer past 64 bits, a key that is not a
string, a lone surrogate), the standard library does, as before.

One difference is left: a float written with an exponent has no leading zero in it
(`4.1e-6`, where the standard library writes `4.1e-06`; the same number). personkg's data
holds no floats: no claim, qualifier or source field takes one (the records' JSON Schema
refuses them), so its pages and exports are the same bytes either way."""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["indented_json"]


def indented_json(data: Any) -> str:
    """`data` as indented JSON text, without a final newline."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(data, indent=2, ensure_ascii=False)
