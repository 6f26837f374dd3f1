"""Escaping editors' text for the places it lands: Markdown, HTML, YAML front matter.

Every string from YAML is data. Templates for Markdown pages (`*.md.j2`) escape
every `{{ value }}` with `markdown_text` automatically (see templating.py), the
way Jinja's autoescape does for HTML: a question text can contain `<script>`,
`*`, `[` or `{: #x }` and still shows exactly as typed. Only values wrapped in
`Markup` (already-safe Markdown made by our own templates, validated ids) pass
unchanged.

Characters are written as numeric character references (`&#42;` for `*`).
Python-Markdown passes character references through untouched, browsers show
the character, and the same escaped text is valid inside HTML attributes.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

# Characters that can start Markdown or HTML syntax anywhere in a line (with our
# extensions: abbr `*[`, attr_list `{ }`, tables `|`, footnotes `[^`), plus quotes
# so the result is also safe inside an HTML attribute value.
_INLINE = {c: f"&#{ord(c)};" for c in "&<>\"`*_[]{}|\\#"}
_INLINE_TABLE = str.maketrans(_INLINE)
# Characters that only matter at the start of a line (lists, quotes, headings,
# definition lists, setext underlines) or as an ordered-list marker ("1. ").
_LINE_START = re.compile(r"^(?:[-+:=>]|\d+(?=[.)]))")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def markdown_text(value: object) -> Markup:
    """Text that Markdown shows literally, on one line (newlines become spaces)."""
    if isinstance(value, Markup):
        return value
    text = " ".join(str(value).split())
    text = text.translate(_INLINE_TABLE)
    match = _LINE_START.match(text)
    if match:
        first = match.group(0)
        text = "".join(f"&#{ord(c)};" for c in first) + text[len(first):]
    return Markup(text)


def markdown_paragraphs(value: object) -> Markup:
    """Text with paragraphs (separated by an empty line) as literal Markdown paragraphs."""
    paragraphs = [p for p in re.split(r"\n\s*\n", str(value)) if p.strip()]
    return Markup("\n\n".join(markdown_text(p) for p in paragraphs))


def anchor_id(value: str) -> Markup:
    """A stable id used in `{ #id }` and `id="…"`: only slugs, never escaped text."""
    if not _ID.match(value):
        raise ValueError(f"geen geldige id: {value!r}")
    return Markup(value)


_FILE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)+$")


def file_name(value: str) -> Markup:
    """A file name the build made itself (`reflectievragen-bo.pdf`), used in a link."""
    if not _FILE.match(value):
        raise ValueError(f"geen geldige bestandsnaam: {value!r}")
    return Markup(value)


_PAGE = re.compile(r"^([a-z0-9][a-z0-9_-]*/)*[a-z0-9][a-z0-9_-]*\.md$")


def page_link(value: str) -> Markup:
    """A page path from the model ('bo/index.md'), used as a Markdown link target."""
    if not _PAGE.match(value):
        raise ValueError(f"geen geldig paginapad: {value!r}")
    return Markup(value)


def html_text(value: str) -> str:
    """Plain text for places the site engine puts into HTML as it is (titles,
    menu entries, meta descriptions, the footer)."""
    return html.escape(" ".join(value.split()), quote=True)


TERM_PATTERN = r"^[^\[\]\\*<>&\"`{}|#\n]+$"  # what a glossary term may contain (checked by the model)
_TERM = re.compile(TERM_PATTERN)


def abbreviation_term(value: str) -> Markup:
    """An abbreviation as it is matched in the text (`*[ICC’er]: …`): validated, not escaped."""
    if not _TERM.match(value):
        raise ValueError(f"geen geldige term: {value!r}")
    return Markup(value)


def abbreviation_title(value: str) -> Markup:
    """The explanation of an abbreviation (`*[TOS]: …`): one line; the abbr
    extension puts it in a title attribute, which Python-Markdown escapes."""
    return Markup(" ".join(value.split()))
