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
import unicodedata
from urllib.parse import quote

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


# A page of the site with an optional part of it: 'go/index.md#cmk3-in-het-gespecialiseerd-onderwijs'
# (what a glossary 'plek' may be; checked by the model).
PLACE_PATTERN = r"^[a-z0-9][a-z0-9/_-]*\.md(#[a-z0-9][a-z0-9_-]*)?$"
_PLACE = re.compile(PLACE_PATTERN)


def place_link(value: str) -> Markup:
    """A link target to a page of the site, validated by the model ('go/index.md#cmk3-…')."""
    if not _PLACE.match(value):
        raise ValueError(f"geen geldige plek: {value!r}")
    return Markup(value)


def html_text(value: str) -> str:
    """Plain text for places the site engine puts into HTML as it is (titles,
    menu entries, meta descriptions, the footer)."""
    return html.escape(" ".join(value.split()), quote=True)


TERM_PATTERN = r"^[^\[\]\\*<>&\"`{}|#\n]+$"  # what a glossary term may contain (checked by the model)
_TERM = re.compile(TERM_PATTERN)


def abbreviation_term(value: str) -> Markup:
    """An abbreviation as it is matched in the text (`*[ICC’er]: …`): validated, not escaped.

    The abbr extension matches a definition as a whole word (`\bTERM\b`), so a term that
    starts or ends with punctuation would never match: '(v)so' after a space has no word
    boundary before '('. Such a term is matched from its first to its last letter or digit
    ('v)so'), which also keeps a shorter term ('so') from matching inside it."""
    if not _TERM.match(value):
        raise ValueError(f"geen geldige term: {value!r}")
    core = re.sub(r"^\W+|\W+$", "", value)
    if not core:
        raise ValueError(f"geen geldige term: {value!r}")
    return Markup(core)


def abbreviation_title(value: str) -> Markup:
    """The explanation of an abbreviation (`*[TOS]: …`): one line; the abbr
    extension puts it in a title attribute, which Python-Markdown escapes."""
    return Markup(" ".join(value.split()))


# --------------------------------------------------------------------------- outside HTML
# One function per place an editor's text lands outside a Markdown/HTML page. Each is the
# only way editor text reaches that place (issue 18).

def _shown_as_escape(character: str) -> bool:
    """Characters a terminal or log would act on instead of showing: control characters
    (line breaks, escape sequences), line/paragraph separators and invisible format
    characters (bidi overrides)."""
    if character == "\t":
        return False
    return unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def terminal_text(value: object) -> str:
    """Editor text in a terminal line or a CI log: one line, every control or invisible
    character written as its escape (a line break as \\n, ESC as \\x1b, U+202E as \\u202e),
    so a value can neither start a new line (a forged workflow command) nor steer the terminal."""
    text = str(value)
    if not any(_shown_as_escape(c) for c in text):
        return text
    return "".join(c.encode("unicode_escape", "backslashreplace").decode("ascii") if _shown_as_escape(c) else c
                   for c in text)


def single_line(value: object) -> str:
    """Plain text on one line for document metadata (PDF, Word, Excel): whitespace runs,
    line breaks included, become one space; control and invisible characters are dropped."""
    text = "".join(" " if c.isspace() else c for c in str(value) if c.isspace() or not _shown_as_escape(c))
    return " ".join(text.split())


OFFICE_PROPERTY_LIMIT = 255  # Word and Excel refuse longer core properties (title, subject, author …)


def office_property(value: object) -> str:
    """A Word or Excel document property: one line, at most 255 characters (shortened with '…')."""
    text = single_line(value)
    if len(text) > OFFICE_PROPERTY_LIMIT:
        text = text[: OFFICE_PROPERTY_LIMIT - 1].rstrip() + "…"
    return text


def mailto_url(address: str) -> str:
    """A 'mailto:' link target for an e-mail address: percent-encoded (RFC 6068), never
    HTML/Markdown character references, which a mail program would read literally."""
    return "mailto:" + quote(address, safe="@.+-_~")


def link_destination(url: str) -> Markup:
    """A URL as the destination of a Markdown link `[text](<url>)`: percent-encoded where the
    URL syntax needs it, in angle brackets, so Markdown neither escapes nor ends it early."""
    return Markup("<" + quote(url, safe="/:@.+-_~%?=&#;,!$'*").replace("<", "%3C").replace(">", "%3E") + ">")
