"""The Jinja2 environment of the site's templates (`templates/`): autoescape on for every
file, undefined names an error, and two measured changes to how a template runs, both
within Jinja's own extension points (`Environment.getattr`, `code_generator_class`).

On a large site the pages are most of the time, and two steps of Jinja's that run for
every `{{ ... }}` and every `x.y` were a third of a page (`benchmarks/pages.py` counts
them): markupsafe's `escape`, which makes a `Markup` object for each value written, and
attribute lookup on the dicts the views hand over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.compiler import CodeGenerator, Frame

__all__ = ["environment", "escaped", "replaced"]

_HERE = Path(__file__).parent


def replaced(text: str) -> str:
    """markupsafe's escaping of a `str`: `&`, `<`, `>`, `'` and `"` as `&amp;`, `&lt;`,
    `&gt;`, `&#39;`, `&#34;` (`&` first)."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


try:  # markupsafe's C routine behind its `escape`, where it is built: one pass, not five
    # (a tenth of the pages' time, `benchmarks/pages.py`). It is not part of markupsafe's
    # API, so a release without it falls back to `replaced` (tests hold the two equal).
    from markupsafe._speedups import _escape_inner as _replace
except ImportError:
    _replace = replaced


def escaped(value: Any) -> str:
    """`value` as markupsafe's `escape` writes it, as a plain `str`, and a value with
    `__html__` (`Markup`, a macro's result) as that, unescaped. A written value is only
    joined into the page, or into a macro's result that Jinja itself makes `Markup`, so it
    needs no `Markup` of its own; making one was most of `escape`'s cost."""
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return value.__html__()  # type: ignore[no-any-return]
        value = str(value)
    return _replace(value)


class _CodeGenerator(CodeGenerator):
    """Writes a template's `{{ x }}` as `environment.escaped(x)` where Jinja writes
    `escape(x)` (templates with autoescape on; any other output is Jinja's own). The same
    hook as Jinja's `nativetypes`."""

    def _output_child_pre(self, node: Any, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escaped(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Environment(Environment):
    """The views the templates read are dicts (`sections`, `facts`): `{{ f.value }}` looks
    the key up first. Jinja tries an attribute first, and on a dict each of those fails by
    raising and catching an exception: a fifth of the rendering time of a large site
    (`benchmarks/site.py`). A key that is not there falls back to Jinja's own lookup."""

    code_generator_class = _CodeGenerator
    escaped = staticmethod(escaped)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:  # one lookup, not `in` and then `[]`
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment() -> Environment:
    """The templates of `templates/`, with autoescape on for every file."""
    return _Environment(loader=FileSystemLoader(_HERE / "templates"), autoescape=True,
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                        keep_trailing_newline=True, auto_reload=False)
