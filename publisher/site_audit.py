"""The last check before a built site is published: nothing live, nothing from elsewhere.

Behind the input checks (site_check.py) and the escaping of every editor's
string, this reads every built HTML page the way a browser does (justhtml) and
refuses the build when a page contains:
- a script that is not a file of the site itself (inline code, another host);
  JSON data blocks (`<script type="application/json">`) are data, not code;
- an event-handler attribute (`onclick=`, `onerror=`, …);
- a `javascript:`, `vbscript:`, `data:` or `file:` address in any attribute;
- a frame, object, embed, applet, base element, or a meta refresh;
- a resource loaded from another host (stylesheet, icon, image in any of its attributes:
  src, every candidate of a srcset, a video's poster, an SVG <use>/<image>, a url() in a
  style attribute; media, font preload), or a form that sends to another host.
Links (`<a href>`) to other websites are fine: they are not loaded by the page.

If this ever fires, an input check has a gap: the message says so.

The findings of each page are kept in `.cache/audit/`, named by a hash of the page and
of this module, so a rebuild only reads the pages that changed (the preview).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from justhtml import JustHTML

from .html_policy import url_scheme
from .problems import Problem, error

FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "background", "cite",
                  "xlink:href", "ping", "manifest", "codebase", "longdesc", "usemap", "archive", "profile"}
LIVE_SCHEMES = {"javascript", "vbscript", "data", "file", "blob", "filesystem"}
# <link rel="…"> values that make the browser fetch the address.
FETCHING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "prefetch",
                 "preconnect", "dns-prefetch", "manifest", "prerender", "mask-icon"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def audit_site(site: Path, shown_as: str, cache: Path | None = None) -> list[Problem]:
    """Problems for every built page of `site` (shown to people as `shown_as`, e.g. 'site').
    `cache`: a folder for the findings per page content (None: read every page)."""
    problems: list[Problem] = []
    code = hashlib.sha256(Path(__file__).read_bytes()).digest()
    used: set[Path] = set()
    for page in sorted(site.rglob("*.html")):
        name = f"{shown_as}/{page.relative_to(site).as_posix()}"
        html = page.read_text(encoding="utf-8")
        if cache is None:
            findings = audit_page(html)
        else:
            entry = cache / (hashlib.sha256(code + html.encode("utf-8")).hexdigest() + ".json")
            used.add(entry)
            findings = _cached_findings(entry)
            if findings is None:
                findings = audit_page(html)
                cache.mkdir(parents=True, exist_ok=True)
                partial = entry.with_suffix(".tmp")
                partial.write_text(json.dumps(findings), encoding="utf-8")
                partial.replace(entry)  # complete or absent, never half written
        for finding in findings:
            problems.append(error(name, None, f"de gebouwde pagina bevat {finding}; de controle had dit moeten tegenhouden",
                                  "Er is niets gepubliceerd. Meld dit aan een ontwikkelaar, met de laatst gewijzigde "
                                  "pagina, het YAML-bestand of het sjabloon in templates/."))
    if cache is not None and cache.is_dir():
        entries = list(cache.glob("*.json"))
        if len(entries) > _CACHE_ENTRIES:  # keep the newest; a removed entry only costs a re-read
            entries.sort(key=lambda entry: entry.stat().st_mtime)
            for entry in entries[:len(entries) - _CACHE_ENTRIES]:
                if entry not in used:
                    entry.unlink(missing_ok=True)
    return problems


_CACHE_ENTRIES = 2000


def _cached_findings(entry: Path) -> list[str] | None:
    try:
        findings = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return findings if isinstance(findings, list) and all(isinstance(f, str) for f in findings) else None


def audit_page(html: str) -> list[str]:
    """What is live or external in one built page (Dutch descriptions), in document order."""
    findings: list[str] = []
    document = JustHTML(html, sanitize=False)
    _walk(document.root, findings)
    return findings


def _walk(node, findings: list[str]) -> None:
    for child in node.children or []:
        name = child.name
        if name.startswith("#"):
            continue
        attrs = {key.lower(): value or "" for key, value in (child.attrs or {}).items()}
        if name == "template" and getattr(child, "template_content", None) is not None:
            _walk(child.template_content, findings)
        if name in FORBIDDEN_TAGS:
            findings.append(f"een <{name}>-element")
        if name == "script":
            if "src" not in attrs and attrs.get("type", "").lower() not in DATA_SCRIPT_TYPES:
                findings.append("een script met code in de pagina zelf")
            elif "src" in attrs and url_scheme(attrs["src"]) is not None:
                findings.append(f"een script van een ander adres ({attrs['src']})")
        if name == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            findings.append("een automatische doorverwijzing (meta refresh)")
        for attribute, value in attrs.items():
            live = _live_scheme(attribute, value)
            if attribute.startswith("on"):
                findings.append(f"een {attribute}-attribuut op <{name}> (code)")
            elif live:
                findings.append(f"een {live}:-adres in {attribute} op <{name}>")
        for fetched in _fetched_addresses(name, attrs):
            if url_scheme(fetched) in ELSEWHERE:
                findings.append(f"iets dat van een andere website geladen wordt ({fetched})")
        target = attrs.get("formaction", attrs.get("action")) if name in SUBMITTING_TAGS else None
        if target and url_scheme(target) in ELSEWHERE:
            findings.append(f"een formulier dat naar een andere website verstuurt ({target})")
        _walk(child, findings)


ELSEWHERE = {"http", "https", "//"}
# The attributes, per element, whose address the browser loads as the page is shown.
FETCHED_ATTRIBUTES = {
    "img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",),
    "track": ("src",), "script": ("src",), "embed": ("src",), "iframe": ("src",),
    "use": ("href", "xlink:href"), "image": ("href", "xlink:href"), "feimage": ("href", "xlink:href"),  # SVG
}
SUBMITTING_TAGS = {"form", "button", "input"}  # where action/formaction say where a form is sent
_CSS_URL = re.compile(r"url\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)]*?))\s*\)", re.I)


def _addresses(attribute: str, value: str) -> list[str]:
    """The addresses in one attribute value: every candidate of a srcset, every url() of a
    style, else the value itself."""
    if attribute in ("srcset", "imagesrcset"):
        # Split at spaces only: a tab inside "java\tscript:" counts as the browser's URL parser reads it.
        return [candidate.strip().split(" ")[0] for candidate in value.split(",") if candidate.strip()]
    if attribute == "style":
        return ["".join(match.groups(default="")) for match in _CSS_URL.finditer(value)]
    return [value]


def _live_scheme(attribute: str, value: str) -> str | None:
    """The scheme of the first live address (javascript:, data:, …) in an attribute that holds addresses."""
    if attribute not in URL_ATTRIBUTES | {"imagesrcset", "style"}:
        return None
    schemes = [url_scheme(address) for address in _addresses(attribute, value)]
    return next((scheme for scheme in schemes if scheme in LIVE_SCHEMES), None)


def _fetched_addresses(name: str, attrs: dict[str, str]) -> list[str]:
    """The addresses the browser loads for this element (url() in a style attribute included)."""
    attributes = list(FETCHED_ATTRIBUTES.get(name.lower(), ()))  # SVG names keep their case: feImage
    if name == "link" and set(attrs.get("rel", "").lower().split()) & FETCHING_RELS:
        attributes += ["href", "imagesrcset"]
    if name == "input" and attrs.get("type", "").lower() == "image":
        attributes.append("src")
    attributes.append("style")
    return [address for attribute in attributes if attribute in attrs
            for address in _addresses(attribute, attrs[attribute]) if address]
