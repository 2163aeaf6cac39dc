"""The site's Jinja2 environment (`site.templating`): every `{{ ... }}` goes through
`escaped`, which writes exactly what markupsafe's `escape` writes, without a `Markup` per
value; a value with `__html__` is written as it is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from personkg.site.templating import environment, escaped, replaced


@given(st.text())
def test_escaped_writes_what_markupsafe_writes(text):
    assert escaped(text) == str(escape(text))
    assert type(escaped(text)) is str
    assert replaced(text) == str(escape(text))  # the fallback without markupsafe's C routine


@pytest.mark.parametrize("escape_text", [escaped, replaced])
def test_escaped_each_special_character(escape_text):
    assert escape_text("&") == "&amp;"  # first, so the other entities are not escaped again
    assert escape_text("<a>") == "&lt;a&gt;"
    assert escape_text("'") == "&#39;"
    assert escape_text('"') == "&#34;"
    assert escape_text("&lt;") == "&amp;lt;"
    assert escape_text("plain") == "plain"


def test_escaped_other_values():
    assert escaped(Markup("<b>safe</b>")) == "<b>safe</b>"
    assert escaped(12) == "12"
    assert escaped(None) == "None"  # as escape; StrictUndefined catches what is missing

    class Html:
        def __html__(self):
            return "<i>own</i>"

        def __str__(self):
            return "<never used>"

    assert escaped(Html()) == "<i>own</i>"

    class Text:
        def __str__(self):
            return "a < b"

    assert escaped(Text()) == "a &lt; b"


def test_templates_write_values_through_escaped_and_macros_stay_markup():
    env = environment()
    template = env.from_string(
        "{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}"
        "{{ text }}|{{ b(text) }}|{{ safe }}|{{ n }}|{{ text | e }}")
    out = template.render(text="<x & 'y'>", safe=Markup("<hr>"), n=3)
    assert out == ("&lt;x &amp; &#39;y&#39;&gt;|<b>&lt;x &amp; &#39;y&#39;&gt;</b>|<hr>|3|"
                   "&lt;x &amp; &#39;y&#39;&gt;")
    code = env.compile("{{ text }}", raw=True)
    assert "environment.escaped(" in code and "escape(" not in code.replace(
        "environment.escaped(", "")


def test_a_template_without_autoescape_is_left_to_jinja():
    template = environment().from_string(
        "{% autoescape false %}{{ text }}{% endautoescape %}{{ text }}")
    assert template.render(text="<x>") == "<x>&lt;x&gt;"
