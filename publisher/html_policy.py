"""Which HTML may appear in the publication's pages: an allowlist.

Pages are Markdown; Markdown may contain HTML. Only the tags and attributes the
publication really uses pass (figures with quotes, tables, abbreviations,
sections, …). Scripts, event handlers, frames, forms, styles, `javascript:` and
`data:` addresses and anything loaded from another website are refused.

The HTML is parsed with justhtml, an HTML5 parser that reads markup the way a
browser does (so tricks like `java&#9;script:` or an unclosed tag are seen as
the browser would see them), never with regular expressions.

`violations` checks one HTML text and returns what is not allowed, with the line
in that text where it starts; `site_check.py` applies it to every page as MkDocs
will render it and maps each violation back to the editor's file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from justhtml import JustHTML

# Tags that Markdown (with our extensions) produces, plus the few the content writes itself.
ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "b", "i", "u", "s", "del", "ins",
    "small", "sub", "sup", "mark", "cite", "q", "abbr", "code", "kbd", "pre", "blockquote", "span", "div",
    "section", "aside", "figure", "figcaption", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead",
    "tbody", "tfoot", "tr", "th", "td", "details", "summary", "img",
})
GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-labelledby",
                               "aria-describedby", "aria-hidden", "tabindex"})
TAG_ATTRIBUTES = {
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed", "type"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "details": {"open"},
}
# Form elements: only on the pages the build generates for the online reflection form
# (templates/pages/invullen.md.j2), never in an editor's page. No action, formaction or
# src: a form cannot send anything anywhere or load anything.
FORM_TAGS = frozenset({"form", "fieldset", "legend", "label", "input", "textarea", "button", "select", "option"})
FORM_ATTRIBUTES = frozenset({"type", "name", "value", "for", "checked", "maxlength", "rows", "accept",
                             "autocomplete", "hidden", "disabled", "min", "max", "required", "aria-live", "multiple"})
FORM_INPUT_TYPES = frozenset({"text", "date", "radio", "checkbox", "file", "button"})
# The tables extension writes column alignment as a style attribute; nothing else may.
ALLOWED_STYLE = re.compile(r"^text-align: (left|right|center);?$")
LINK_SCHEMES = {"http", "https", "mailto"}

# What to write instead, per refused tag (Dutch, for editors).
_INSTEAD = {
    "script": "Scripts kunnen niet in een pagina. Is er iets interactiefs nodig, vraag het een ontwikkelaar.",
    "iframe": "Een ingesloten pagina (iframe) laadt iets van een andere website. Zet er een gewone link naartoe: [tekst](https://…).",
    "style": "Opmaak hoort in het stijlblad van de site (templates/site/), niet in een pagina.",
    "form": "Formulieren kunnen niet in een pagina; link naar het formulier.",
    "object": "Ingesloten objecten laden iets van buiten; zet er een gewone link naartoe.",
    "embed": "Ingesloten objecten laden iets van buiten; zet er een gewone link naartoe.",
    "link": "Stijlbladen en andere bestanden horen in templates/site/, niet in een pagina.",
    "meta": "Paginagegevens horen in het kopblok (front matter) bovenaan de pagina: title en description.",
    "base": "Een <base> verandert alle links van de pagina; laat hem weg.",
    "svg": "Zet een tekening als PNG- of JPG-afbeelding naast de pagina en voeg hem in met ![beschrijving](bestand.png).",
    "video": "Video's van buiten kunnen niet in een pagina; zet er een link naartoe.",
    "audio": "Geluid van buiten kan niet in een pagina; zet er een link naartoe.",
}


@dataclass(frozen=True)
class Violation:
    line: int | None  # line in the checked HTML text where the element starts
    tag: str
    attribute: str | None  # None: the tag itself is refused
    value: str | None
    message: str  # Dutch: what is wrong
    hint: str  # Dutch: what to write instead


def violations(html: str, form: bool = False) -> list[Violation]:
    """Everything in `html` (a fragment) that the allowlist refuses, in document order.
    `form`: the page is a generated reflection form, which may hold form elements."""
    document = JustHTML(html, fragment=True, sanitize=False, track_node_locations=True)
    found: list[Violation] = []
    _walk(document.root, found, form)
    return found


def _walk(node, found: list[Violation], form: bool) -> None:
    for child in node.children or []:
        name = child.name
        if name.startswith("#"):  # text, comments
            continue
        line = child.origin_line
        allowed = ALLOWED_TAGS | FORM_TAGS if form else ALLOWED_TAGS
        if child.namespace not in (None, "html") or name not in allowed:
            found.append(Violation(line, name, None, None, f"de HTML-code <{name}> is niet toegestaan in een pagina",
                                   _INSTEAD.get(name, "Gebruik Markdown of een van de toegestane HTML-codes "
                                                      "(zie docs/redacteuren.md, 'HTML in een pagina').")))
            continue  # its content is not looked at: the tag itself must go
        for attribute, value in (child.attrs or {}).items():
            if form and _form_attribute(name, attribute.lower(), value or ""):
                continue
            problem = _attribute_problem(name, attribute.lower(), value or "")
            if problem:
                found.append(Violation(line, name, attribute, value, *problem))
        _walk(child, found, form)


def _form_attribute(tag: str, attribute: str, value: str) -> bool:
    """An attribute that a generated form page may use (see FORM_ATTRIBUTES)."""
    if attribute == "type" and tag == "input":
        return value in FORM_INPUT_TYPES
    return attribute in FORM_ATTRIBUTES or (attribute.startswith("data-") and attribute[5:].replace("-", "").isalpha())


def _attribute_problem(tag: str, attribute: str, value: str) -> tuple[str, str] | None:
    if attribute.startswith("on"):
        return (f"het attribuut {attribute}=\"…\" op <{tag}> voert code uit en is niet toegestaan",
                "Haal het attribuut weg; een pagina bevat geen scripts.")
    if attribute not in GLOBAL_ATTRIBUTES and attribute not in TAG_ATTRIBUTES.get(tag, ()):
        if attribute == "style":
            return (f"het attribuut style=\"…\" op <{tag}> is niet toegestaan",
                    "Opmaak hoort in het stijlblad van de site; gebruik een class die daar bestaat.")
        return (f"het attribuut {attribute}=\"…\" op <{tag}> is niet toegestaan",
                "Haal het attribuut weg (toegestaan zijn onder meer class, id, title en aria-label).")
    if attribute == "style" and not ALLOWED_STYLE.match(value.strip()):
        return (f"het attribuut style=\"{value}\" op <{tag}> is niet toegestaan",
                "Opmaak hoort in het stijlblad van de site; gebruik een class die daar bestaat.")
    if tag == "a" and attribute == "href":
        return link_problem(value)
    if tag == "img" and attribute == "src":
        return image_problem(value)
    return None


def url_scheme(url: str) -> str | None:
    """The scheme of `url` as a browser reads it (tabs and newlines removed, control
    characters and spaces at both ends stripped), lowercase; None for relative URLs."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11"
                                                    "\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    if match:
        return match.group(1).lower()
    if cleaned.startswith("//") or cleaned.startswith("\\\\") or cleaned.startswith("/\\"):
        return "//"  # protocol-relative: another website
    return None


def link_problem(url: str) -> tuple[str, str] | None:
    """A link (`[tekst](adres)` or `<a href>`) may go to a page of this site, a
    place on a page, or a web or mail address."""
    scheme = url_scheme(url)
    if scheme is None or scheme in LINK_SCHEMES:
        return None
    if scheme == "//":
        return (f"de link '{url}' begint met // (zonder https:)", "Schrijf het volledige adres: https://….")
    return (f"de link '{url}' gebruikt '{scheme}:', dat is niet toegestaan",
            "Gebruik een webadres (https://…), een e-mailadres (mailto:…) of een link naar een pagina van de site.")


def image_problem(src: str) -> tuple[str, str] | None:
    """An image must be a file next to the pages: nothing is loaded from elsewhere."""
    scheme = url_scheme(src)
    if scheme is None and not src.startswith("/"):
        return None
    if scheme in ("http", "https", "//"):
        return (f"de afbeelding '{src}' wordt van een andere website geladen",
                "Download de afbeelding, zet hem naast de pagina in content/ en verwijs ernaar met ![beschrijving](bestand.png).")
    return (f"de afbeelding '{src}' is geen bestand van de site",
            "Zet de afbeelding als bestand naast de pagina in content/ en verwijs ernaar met ![beschrijving](bestand.png).")


def is_external(url: str) -> bool:
    return url_scheme(url) is not None


def split_target(url: str) -> tuple[str, str | None]:
    """'../bo/index.md#kop' → ('../bo/index.md', 'kop')."""
    parts = urlsplit(url)
    path = url.split("#", 1)[0].split("?", 1)[0]
    return path, (parts.fragment or None) if "#" in url else None
