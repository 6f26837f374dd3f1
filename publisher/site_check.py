"""Checks on the pages as the site engine will render them.

`check_site` renders every page (content pages with their shortcodes expanded
and the generated pages) with the same Markdown extensions as MkDocs, then
checks the HTML:
- only allowed HTML (html_policy.py): no scripts, event handlers, frames,
  `javascript:` links or resources from other websites;
- every link to a page, file or anchor of the site exists;
- no id is used twice on a page (a question id equal to a heading's anchor);
- a glossary explanation quoted from the publication stands, word for word, on
  the page its 'plek' links to.
Each problem names the editor's file and line: the line of the link or HTML in
the Markdown file, or the line of the id or glossary entry in the YAML file. Both
`check` and the build run this, so the build never fails on something `check` passed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html as html_module
import json
import os
import posixpath
import re
import threading
from urllib.parse import unquote
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import yaml
from justhtml import JustHTML

from . import html_policy, ids, reflection_form
from .content import Page
from .exports import Exports, placeholder_exports
from .model import Publication
from .pages import StagedPage, staged_pages
from .problems import Problem, error
from .project import Project
from .sheets import Download, sheet_specs
from .structure import FORM_PAGE, GLOSSARY_PAGE, generated_pages, pages_written_for
from .yamlfile import YamlDocument

Anchors = dict[str, dict[str, tuple[str, int]]]  # page path → id → (YAML file, line) for ids from YAML


@dataclass
class RenderedPage:
    path: str
    html: str
    ids: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (tag, URL) of every <a href> and <img src>


def planned_downloads(project: Project, publication: Publication) -> tuple[dict[str, list[Download]], Exports]:
    """The files of the downloads page by name, without making them (their size is 0)."""
    downloads: dict[str, list[Download]] = {spec.instrument.id: [] for spec in sheet_specs(publication)}
    for spec in sheet_specs(publication):
        downloads[spec.instrument.id].append(Download(spec.file_name, spec.label, 0, Path(spec.file_name)))
    return downloads, placeholder_exports(project, publication)


def check_site(project: Project, publication: Publication, pages: dict[str, Page], assets: list[str],
               anchors: Anchors, glossary_doc: YamlDocument | None = None) -> list[Problem]:
    downloads, exports = planned_downloads(project, publication)
    staged = staged_pages(project, publication, pages, downloads, exports)
    rendered = {page.path: render_page(project, page) for page in staged}
    files = (set(rendered) | set(assets) | {f"downloads/{d.file_name}" for files in downloads.values() for d in files}
             | {f"downloads/{d.file_name}" for d in exports.files()} | {f"downloads/{reflection_form.SCHEMA_FILE}"}
             | {f"downloads/{ids.MAP_FILE}", f"downloads/{ids.SCHEMA_FILE}"})
    # A page that is there but was refused (too large, not UTF-8 …) has its own message; a link to it is no new mistake.
    files |= {page.relative_to(project.content).as_posix() for page in project.content.rglob("*.md") if page.is_file()}

    # Links on the glossary page come from the 'plek' of an entry: report them at that line.
    origins = {GLOSSARY_PAGE: _glossary_places(publication, glossary_doc)} if glossary_doc else {}
    problems: list[Problem] = []
    for path, page in rendered.items():
        source = pages.get(path)
        problems += _html_problems(project, page, source)
        problems += _link_problems(project, page, source, rendered, files, origins.get(path, {}))
        problems += _duplicate_ids(project, page, source, anchors.get(path, {}))
    problems += _quotes_not_on_their_page(publication, rendered, glossary_doc)
    return problems


def _glossary_places(publication: Publication, doc: YamlDocument) -> dict[str, tuple[str, int]]:
    """The 'plek' of each glossary entry → (file, line) where the editor wrote it."""
    return {term.place: (doc.name, doc.line(("begrippen", i, "plek")))
            for i, term in enumerate(publication.glossary.terms) if term.place}


def _visible_text(page_html: str) -> str:
    text = re.sub(r"<[^>]+>", "", page_html)  # inline tags (abbr, a, em) sit inside words and sentences
    return " ".join(html_module.unescape(text).split())


def _quotes_not_on_their_page(publication: Publication, rendered: dict[str, RenderedPage],
                              doc: YamlDocument | None) -> list[Problem]:
    """A glossary explanation with 'bron: publicatie' is a quotation: it must stand word for
    word on the page its 'plek' links to (the fidelity test checks that page against the source)."""
    problems = []
    name = doc.name if doc else "content/begrippen.yaml"
    for i, term in enumerate(publication.glossary.terms):
        if term.source != "publicatie" or not term.place:
            continue
        target = term.place.split("#", 1)[0]
        if target not in rendered:
            continue  # reported as a broken link
        if " ".join(term.explanation.split()) not in _visible_text(rendered[target].html):
            line = doc.line(("begrippen", i, "uitleg")) if doc else None
            problems.append(error(name, line,
                                  f"de uitleg van '{term.term}' staat niet letterlijk op de pagina {target} "
                                  "(bij 'bron: publicatie' is de uitleg een citaat)",
                                  "Neem de tekst letterlijk over van die pagina (zelfde woorden, leestekens en "
                                  "aanhalingstekens), verwijs met 'plek' naar de goede pagina, of zet 'bron: redactie'."))
    return problems


def check_html_only(project: Project, pages: dict[str, Page], assets: list[str] = (),
                    instrument_ids: list[str] | None = None, comparison_pages: list[str] = ()) -> list[Problem]:
    """Without a valid model (errors in the YAML): the HTML of the content pages and, when
    the instruments are known, their links to pages and files, so that an editor sees these
    mistakes in the same run as the YAML errors. Links into the downloads and anchors are
    left to the full check (they need the model)."""
    problems: list[Problem] = []
    files = set(pages) | set(assets) | set(pages_written_for(instrument_ids or [], comparison_pages))
    for path, page in pages.items():
        lines = page.text.split("\n")
        for code in page.shortcodes:
            lines[code.line - 1] = ""
        body = "\n".join(lines[page.body_start - 1:])
        rendered = render_page(project, StagedPage(path, body))
        problems += _html_problems(project, rendered, page)
        if instrument_ids is None:
            continue
        directory = posixpath.dirname(path)
        rendered.links = [(tag, url) for tag, url in rendered.links
                          if not posixpath.normpath(posixpath.join(directory, html_policy.split_target(url)[0] or "."))
                          .startswith("downloads/")]
        problems += _link_problems(project, rendered, page, {}, files, {})
    return problems


# --------------------------------------------------------------------------- rendering


def markdown_engine(project: Project) -> markdown.Markdown:
    """Python-Markdown with the extensions and settings of mkdocs.yml, as MkDocs uses it."""
    config = yaml.safe_load(project.mkdocs_config.read_text(encoding="utf-8"))
    extensions, settings = [], {}
    for entry in config.get("markdown_extensions", []):
        if isinstance(entry, dict):
            (name, options), = entry.items()
            extensions.append(name)
            settings[name] = options or {}
        else:
            extensions.append(entry)
    return markdown.Markdown(extensions=extensions, extension_configs=settings)


def render_page(project: Project, page: StagedPage) -> RenderedPage:
    """The page as HTML with its ids and links. A page whose text did not change since an
    earlier build is not rendered again: the result is remembered in this process (the live
    preview) and in .cache/check/ (the next build), by a hash of the text, mkdocs.yml and the
    versions of the code that renders it."""
    text = page.text
    if text.startswith("---\n"):  # our own front matter (pages.front_matter)
        text = text.split("\n---\n", 1)[1]
    config = project.mkdocs_config.read_text(encoding="utf-8")
    key = _cache_key("render", config, text)
    known = _remembered(project, key)
    if known is None:
        engine = _engine(project, config)
        engine.reset()
        html = engine.convert(text)
        collected = RenderedPage(page.path, html)
        _collect(JustHTML(html, fragment=True, sanitize=False).root, collected)
        known = {"html": html, "ids": collected.ids, "links": [list(link) for link in collected.links]}
        _remember(project, key, known)
    return RenderedPage(page.path, known["html"], list(known["ids"]),  # fresh lists: callers may change them
                        [(tag, url) for tag, url in known["links"]])


def _code_version() -> bytes:
    """What a remembered result depends on besides its input: our code and the libraries'."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        from importlib import metadata

        digest = hashlib.sha256(Path(__file__).read_bytes() + Path(html_policy.__file__).read_bytes())
        for package in ("markdown", "pymdown-extensions", "justhtml"):
            digest.update(f"{package} {metadata.version(package)}\n".encode())
        _CODE_VERSION = digest.digest()
    return _CODE_VERSION


_CODE_VERSION: bytes | None = None


def _cache_key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256(_code_version() + kind.encode())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8"))
    return f"{kind}-{digest.hexdigest()}"


def _remembered(project: Project, key: str):
    with _RENDERED_LOCK:
        known = _RENDERED.get(key)
    if known is not None:
        return known
    try:
        known = json.loads((project.work / "check" / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    with _RENDERED_LOCK:
        _RENDERED[key] = known
    return known


def _remember(project: Project, key: str, value) -> None:
    with _RENDERED_LOCK:
        _RENDERED[key] = value
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.pop(next(iter(_RENDERED)))
    folder = project.work / "check"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{key}.{os.getpid()}-{threading.get_ident()}.part"
        partial.write_text(json.dumps(value), encoding="utf-8")
        partial.replace(folder / f"{key}.json")  # complete or absent
    except OSError:
        pass  # a read-only checkout: only this process remembers


_RENDERED: dict[str, object] = {}  # never changed once stored; shared by threads
_RENDERED_LOCK = threading.Lock()
_RENDERED_MAX = 2000


_ENGINES = threading.local()  # a Python-Markdown engine keeps state while it converts: never share one between threads


def _engine(project: Project, config: str) -> markdown.Markdown:
    """One Markdown engine per thread, project and mkdocs.yml version (setting it up costs more
    than a page). The live preview builds in one thread while another renders sheets; one
    engine used by both at once garbles pages (issue 19)."""
    engines: dict[tuple[Path, str], markdown.Markdown] = getattr(_ENGINES, "engines", None)
    if engines is None:
        engines = _ENGINES.engines = {}
    key = (project.root, config)
    if key not in engines:
        engines[key] = markdown_engine(project)
    return engines[key]


def _collect(node, page: RenderedPage) -> None:
    for child in node.children or []:
        if child.name.startswith("#"):
            continue
        attrs = child.attrs or {}
        if attrs.get("id"):
            page.ids.append(attrs["id"])
        if child.name == "a" and "href" in attrs:
            page.links.append(("a", attrs["href"]))
        if child.name == "img" and "src" in attrs:
            page.links.append(("img", attrs["src"]))
        _collect(child, page)


# --------------------------------------------------------------------------- checks


def _file_name(page: RenderedPage, source: Page | None) -> str:
    if source is not None:
        return f"content/{source.path}"
    return f"{page.path} (gemaakt door de bouw)"


def _html_problems(project: Project, page: RenderedPage, source: Page | None) -> list[Problem]:
    problems = []
    form = source is None and posixpath.basename(page.path) == FORM_PAGE  # generated, never an editor's page
    for violation in _violations(project, page.html, form):
        line = _source_line(source, violation) if source else None
        problems.append(error(_file_name(page, source), line, violation.message, violation.hint))
    return problems


def _violations(project: Project, page_html: str, form: bool) -> list[html_policy.Violation]:
    """html_policy.violations, remembered per HTML like the rendering (see render_page)."""
    key = _cache_key("policy", page_html, str(form))
    known = _remembered(project, key)
    if known is None:
        known = [dataclasses.asdict(v) for v in html_policy.violations(page_html, form=form)]
        _remember(project, key, known)
    return [html_policy.Violation(**v) for v in known]


def _link_problems(project: Project, page: RenderedPage, source: Page | None,
                   rendered: dict[str, RenderedPage], files: set[str],
                   origins: dict[str, tuple[str, int]]) -> list[Problem]:
    problems = []
    directory = posixpath.dirname(page.path)
    for tag, url in page.links:
        if html_policy.is_external(url):
            continue  # checked by the HTML policy
        line = _line_of_text(source, url) if source else None
        name = _file_name(page, source)
        if url in origins:  # a link the build made from a YAML value
            name, line = origins[url]
        path, anchor = html_policy.split_target(url)
        if url.startswith("/"):
            problems.append(error(name, line, f"de link '{url}' begint met /",
                                  "Schrijf links relatief vanaf deze pagina, bv. '../bo/index.md'."))
            continue
        # MkDocs reads a link target percent-decoded ('mijn%20foto.png' is 'mijn foto.png').
        target = posixpath.normpath(posixpath.join(directory, unquote(path))) if path else page.path
        if target.startswith("../") or target == "..":
            problems.append(error(name, line, f"de link '{url}' wijst naar iets buiten de site",
                                  "Links zijn relatief vanaf deze pagina; controleer het aantal '../'."))
            continue
        if target not in files:
            if path.endswith("/") or "." not in posixpath.basename(path):
                hint = "Link naar het Markdown-bestand, bv. '../bo/index.md' in plaats van '../bo/'."
            else:
                hint = "Controleer de bestandsnaam; links zijn relatief vanaf deze pagina, bv. '../bo/index.md'."
            what = "de afbeelding" if tag == "img" else "de link"
            missing = "een pagina die" if path.endswith(".md") else "een bestand dat"
            problems.append(error(name, line, f"{what} '{url}' wijst naar {missing} niet bestaat", hint))
            continue
        if anchor is not None and target in rendered and anchor not in rendered[target].ids:
            problems.append(error(name, line, f"de link '{url}' wijst naar een onderdeel (#{anchor}) dat niet bestaat "
                                              f"op de pagina {target}",
                                  "Controleer het deel na #: de id van een kop, vraag of thema op die pagina."))
    return problems


def _duplicate_ids(project: Project, page: RenderedPage, source: Page | None,
                   yaml_ids: dict[str, tuple[str, int]]) -> list[Problem]:
    problems = []
    for value, count in Counter(page.ids).items():
        if count < 2:
            continue
        if value in yaml_ids:
            file, line = yaml_ids[value]
            problems.append(error(file, line, f"de id '{value}' komt op de pagina {page.path} ook als id van een kop "
                                              "of ander onderdeel voor",
                                  "Kies een andere id: twee onderdelen van één pagina kunnen niet hetzelfde adres hebben."))
        else:
            line = _line_of_text(source, value) if source else None
            problems.append(error(_file_name(page, source), line, f"de id '{value}' komt {count} keer voor op deze pagina",
                                  "Geef elk onderdeel een eigen id (bij koppen: '{ #andere-id }' achter de kop)."))
    return problems


# --------------------------------------------------------------------------- back to the editor's line

_CODE = re.compile(r"(^\s*(```|~~~).*?^\s*\2[^\n]*$)|(`+)(?:(?!\3).)+?\3", re.S | re.M)


def _masked(text: str) -> str:
    """The Markdown with code blocks and code spans blanked out (same line structure)."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _source_line(source: Page, violation: html_policy.Violation) -> int | None:
    """The line of a refused tag or attribute in the editor's Markdown file."""
    document = JustHTML(_masked(source.text), fragment=True, sanitize=False, track_node_locations=True)
    for element in document.root.query(violation.tag) if _is_css_name(violation.tag) else []:
        attrs = element.attrs or {}
        if violation.attribute is None or attrs.get(violation.attribute) == violation.value:
            return element.origin_line
    return _line_of_text(source, violation.value or f"<{violation.tag}")


def _is_css_name(name: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9-]*$", name))


def _line_of_text(source: Page | None, needle: str) -> int | None:
    if source is None or not needle:
        return None
    for number, line in enumerate(source.text.split("\n"), start=1):
        if needle in line or needle.lower() in line.lower():
            return number
    return None
