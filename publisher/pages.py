"""The staging docs directory: exactly the Markdown the site engine receives.

`stage_docs` copies every page of content/ with its shortcodes expanded, writes
the pages generated from the data (reflection questions per school type, the
comparison, the downloads and the glossary), appends the abbreviation
definitions to every page, and writes the MkDocs configuration for it. Anyone
can open the staging directory and see what MkDocs gets; nothing depends on
MkDocs plugins.

Everything an editor wrote is escaped on its way in: page bodies by the
Markdown templates (templating.py), front matter and the MkDocs configuration
by a YAML serializer with HTML-escaped values (the theme puts titles, menu
entries and descriptions into its HTML as they are).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import Markup

from . import accessibility, ids, reflection_form
from .content import SITE_WIDE_SHORTCODES, Page
from .dutch import count, dutch_date
from .escaping import html_text
from .exports import Exports, placeholder_exports
from .model import Instrument, Publication
from .project import Project
from .sheets import Download, sheet_file_name
from .templating import render
from .structure import GLOSSARY_PAGE, chapter_label, chapter_labels, chapter_pages, form_page, full_title, reflection_page


@dataclass(frozen=True)
class Staged:
    config_file: Path  # the mkdocs.yml to build with
    docs_dir: Path
    pages: tuple["StagedPage", ...] = ()  # the Markdown pages written into docs_dir


@dataclass(frozen=True)
class StagedPage:
    path: str  # relative to the docs dir, e.g. 'bo/reflectievragen.md'
    text: str  # the whole Markdown file as MkDocs reads it


def format_size(size: int) -> str:
    """Dutch file size: '84 kB', '1,2 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def staged_pages(project: Project, publication: Publication, pages: dict[str, Page],
                 downloads: dict[str, list[Download]], exports: Exports | None = None) -> list[StagedPage]:
    """Every page of the site as MkDocs will read it (content pages and generated pages).
    Without `exports`, the downloads page names the export files without their sizes."""
    exports = exports or placeholder_exports(project, publication)
    templates = project.templates
    abbreviations = render(templates, "pages/afkortingen.md.j2", terms=[t for t in publication.glossary.terms if t.expansion])
    config = publication.config
    context = {"publication": publication, "config": config, "downloads": downloads, "format_size": format_size}
    result: list[StagedPage] = []
    titles: dict[str, str] = {}  # page → its title, for links that name the page they go to

    chapters = chapter_labels(config, publication.instruments)
    instrument_of = {page: instrument.title for instrument in publication.instruments
                     for page in chapter_pages(instrument)}

    def add(path: str, body: str, meta: dict[str, object]) -> None:
        # Every page says where it is: its own title (menu), its full title (tab, search
        # results, mobile header) and, in an instrument's chapter, the instrument (search filter).
        meta = {**meta, "paginatitel": full_title(str(meta["title"]), chapters.get(path))}
        titles[path] = meta["paginatitel"]
        if path in instrument_of:
            meta["schooltype"] = instrument_of[path]
        result.append(StagedPage(path, front_matter(meta) + body.rstrip("\n") + "\n\n" + abbreviations))

    first_pages = {chapter_pages(instrument)[0]: instrument for instrument in publication.instruments}
    for path, page in pages.items():
        meta = page.front_matter.model_dump(exclude_defaults=True) if page.front_matter else {}
        meta.setdefault("title", page.heading)
        body = expand_shortcodes(project, publication, page, downloads)
        if path in first_pages:  # a chapter opens with the way to its tools
            body = after_title(body, tool_links(project, publication, first_pages[path], downloads, path))
        add(path, body, meta)
    for instrument in publication.instruments:
        view = reflection_form.form_view(publication, instrument)
        add(reflection_page(instrument.id),
            render(templates, "pages/reflectievragen.md.j2", instrument=instrument, view=view,
                   groups=reading_groups(view),
                   tools=tool_links(project, publication, instrument, downloads, reflection_page(instrument.id)),
                   **context),
            {"title": instrument.reflection_title,
             "description": f"{instrument.sheet_title}: de vragen uit {config.title}"
                            + (f", per {' en '.join(instrument.section_levels)}." if instrument.section_levels else ".")})
        add(form_page(instrument.id),
            render(templates, "pages/invullen.md.j2", view=view,
                   format_version=reflection_form.FORMAT_VERSION, schema_file=reflection_form.SCHEMA_FILE,
                   download_buttons=_download_buttons(project, instrument, downloads, depth=1), **context),
            {"title": reflection_form.form_title(instrument), "formulier": True,
             "description": f"De vragen van {instrument.name[:1].lower()}{instrument.name[1:]} online invullen, opslaan en "
                            "vergelijken met een eerdere reflectie. Alles blijft op je eigen apparaat."})
    for structure, instruments in publication.comparisons():
        add(structure.comparison.page,
            render(templates, "pages/vergelijking.md.j2", comparison=structure.comparison,
                   rows=_comparison(publication, structure, instruments), **context),
            {"title": structure.comparison.title, "description": structure.comparison.intro})
    add("downloads.md", render(templates, "pages/downloads.md.j2", export_rows=_export_rows(publication, exports),
                               schema=exports.schema, revision=exports.revision,
                               reflection_schema_file=reflection_form.SCHEMA_FILE, form_title=reflection_form.form_title,
                               **context),
        {"title": "Reflectiebladen downloaden",
         "description": f"Alle reflectiebladen van {config.title} om te downloaden: afdrukbaar, invulbaar, "
                        "als Word- en Excel-bestand en als gegevens (CSV, JSON)."})
    add("toegankelijkheid.md", render(templates, "pages/toegankelijkheid.md.j2", statement=accessibility.statement(project, exports.revision),
                                      dutch_date=dutch_date, **context),
        {"title": "Toegankelijkheid", "description": f"Toegankelijkheidsverklaring van {config.title}: wat er "
                                                      "gecontroleerd is, bekende beperkingen en waar je een probleem meldt."})
    add(GLOSSARY_PAGE, render(templates, "pages/begrippenlijst.md.j2", entries=_glossary(publication, titles), **context),
        {"title": "Begrippenlijst", "description": f"Afkortingen en begrippen bij {config.title}, met hun bron."})
    return result


def front_matter(meta: dict[str, object]) -> str:
    """YAML front matter written by a serializer; text values HTML-escaped, because
    the theme puts the title and description into the page's HTML as they are."""
    if not meta:
        return ""
    escaped = {key: html_text(value) if isinstance(value, str) else value for key, value in meta.items()}
    return "---\n" + yaml.safe_dump(escaped, allow_unicode=True, sort_keys=True) + "---\n"


def stage_docs(project: Project, publication: Publication, pages: dict[str, Page],
               downloads: dict[str, list[Download]], exports: Exports, staging: Path, site_dir: Path,
               preview_url: str | None = None, assets: list[str] = ()) -> Staged:
    docs = staging / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)

    written = staged_pages(project, publication, pages, downloads, exports)
    for page in written:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.text, encoding="utf-8")
    for asset in assets:  # images and documents next to the pages, checked by validate
        target = docs / asset
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.content / asset, target)
    for download in [d for files in downloads.values() for d in files] + exports.files():
        target = docs / "downloads" / download.file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(download.path, target)
    schema = docs / "downloads" / reflection_form.SCHEMA_FILE  # the file format of the online form
    schema.parent.mkdir(parents=True, exist_ok=True)
    schema.write_text(reflection_form.schema_text(publication), encoding="utf-8")
    ids.write_downloads(docs / "downloads", publication)  # the edition's id map (issue 17)

    if publication.config.house_style is not None:  # the publication's own colours (site_config.yaml)
        style_file = docs / HOUSE_STYLE_SHEET
        style_file.parent.mkdir(parents=True, exist_ok=True)
        style_file.write_text(house_style_css(publication.config.house_style), encoding="utf-8")

    config_file = staging / "mkdocs.yml"
    config_file.write_text(_mkdocs_config(project, publication, docs, site_dir, preview_url), encoding="utf-8")
    return Staged(config_file, docs, tuple(written))


HOUSE_STYLE_SHEET = "assets/stylesheets/huisstijl.css"  # after the theme's own stylesheet


def _mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0–1) of the way towards `other` ('#rrggbb')."""
    channels = [round(int(colour[i:i + 2], 16) * (1 - amount) + int(other[i:i + 2], 16) * amount) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)


def house_style_css(style) -> str:
    """The stylesheet that gives the site the publication's colours: the theme's colour
    variables (templates/site/assets/stylesheets/kcr.css) set from `huisstijl`. Darker shades
    only add contrast; the light shade is a background behind dark text. Validated colours only
    ('#rrggbb'), so nothing here needs escaping."""
    colour = style.colour.lower()
    accent = (style.accent or style.colour).lower()
    return (
        "/* Made by the build from 'huisstijl' in site_config.yaml. */\n"
        ":root {\n"
        f"  --kcr-teal: {colour};\n"
        f"  --kcr-teal-donker: {_mix(colour, '#000000', 0.3)};\n"
        f"  --kcr-teal-zacht: {_mix(colour, '#ffffff', 0.9)};\n"
        f"  --kcr-magenta: {accent};\n"
        "}\n"
        '[data-md-color-primary="custom"] {\n'
        f"  --md-primary-fg-color--light: {colour};\n"
        "}\n"
        '[data-md-color-accent="custom"] {\n'
        f"  --md-accent-fg-color--transparent: {accent}1a;\n"
        "}\n"
    )


def expand_shortcodes(project: Project, publication: Publication, page: Page,
                      downloads: dict[str, list[Download]]) -> str:
    """The page body (without its front matter) with every shortcode line replaced."""
    lines = page.text.split("\n")
    depth = page.path.count("/")
    known = {instrument.id for instrument in publication.instruments}
    for code in page.shortcodes:
        if code.name in SITE_WIDE_SHORTCODES:
            text = render(project.templates, f"pages/{code.name}.md.j2", publication=publication,
                          entries=_instrument_entries(publication, downloads), prefix="../" * depth)
            lines[code.line - 1] = "" if code.argument else text.rstrip("\n")  # an argument: reported by check_pages
            continue
        if code.argument not in known:  # reported by content.check_pages
            lines[code.line - 1] = ""
            continue
        instrument = publication.instrument(code.argument)
        if code.name == "downloads":
            text = _download_buttons(project, instrument, downloads, depth)
        else:
            text = render(project.templates, f"pages/{code.name}.md.j2", instrument=instrument)
        lines[code.line - 1] = text.rstrip("\n")
    return "\n".join(lines[page.body_start - 1:])


def in_sentence(name: str) -> str:
    """'basisonderwijs' for 'Basisonderwijs': a name in the middle of a sentence (an acronym
    such as 'KCR-rubriek' keeps its capitals)."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def tool_links(project: Project, publication: Publication, instrument: Instrument,
               downloads: dict[str, list[Download]], page: str) -> Markup:
    """The block that leads from `page` (a chapter's first page or the reflection page) to
    the instrument's tools: its reflection questions (when `page` is not that page), the
    online form and both sheets, each link naming the instrument."""
    numbered = publication.numbered_items(instrument)
    fillable = any(n.form.fillable for n in numbered)
    name = in_sentence(instrument.name)
    links = []
    if page != reflection_page(instrument.id):
        links.append({"text": instrument.reflection_title, "page": reflection_page(instrument.id), "file": None,
                      "detail": count(len(numbered), "vraag", "vragen")})
    links.append({"text": f"{instrument.sheet_title} online {'invullen' if fillable else 'bekijken'}",
                  "page": form_page(instrument.id), "file": None,
                  "detail": "antwoorden blijven op je eigen apparaat" if fillable else None})
    for file in downloads.get(instrument.id, []):
        use = "invulbaar" if file.file_name == sheet_file_name(instrument.id, True) else "afdrukken"
        links.append({"text": f"Reflectieblad {name} ({file.format.lower()}, {use}, {format_size(file.size)})",
                      "page": None, "file": file.file_name, "detail": None})
    return Markup(render(project.templates, "pages/hulpmiddelen.md.j2", links=links,
                         lead="Met je team aan de slag:", label=f"Hulpmiddelen bij {instrument.title}",
                         prefix="../" * page.count("/")))


def after_title(body: str, block: str) -> str:
    """`body` with `block` (Markdown) right after its level-1 heading (at the top without one)."""
    lines = body.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if re.match(r"#\s", line)), 0)
    return "\n".join(lines[:at] + ["", block.rstrip("\n"), ""] + lines[at:])


def _download_buttons(project: Project, instrument: Instrument, downloads: dict[str, list[Download]],
                      depth: int) -> Markup:
    return Markup(render(project.templates, "pages/downloadknoppen.md.j2", instrument=instrument,
                         files=downloads[instrument.id], prefix="../" * depth, format_size=format_size))


def reading_groups(view: reflection_form.FormView) -> list[dict]:
    """The reflection page in reading order: each heading, then the items under it grouped into
    runs a page shows together: a numbered list of questions, or one table of rubric items
    (rows the items, columns the instrument's levels)."""
    groups: list[dict] = []
    for block in view.blocks:
        if block.is_heading:
            groups.append({"kind": "kop", "heading": block, "items": []})
            continue
        kind = "rubriek" if block.kind == "rubriek" else "lijst"
        if groups and groups[-1].get("kind") == kind:
            groups[-1]["items"].append(block)
        else:
            groups.append({"kind": kind, "heading": None, "items": [block]})
    return groups


EXPORT_COLUMNS = ("DOCX", "XLSX", "CSV", "JSON")  # the columns of the downloads page's second table


def _export_rows(publication: Publication, exports: Exports) -> list[dict]:
    """One row per instrument and one for all together; each with a file (or None) per column."""
    def row(title: str, type_id: str | None, name: str, files: list[Download]) -> dict:
        by_format = {file.format: file for file in files}
        return {"title": title, "id": type_id, "name": name, "files": [by_format.get(kind) for kind in EXPORT_COLUMNS]}

    noun = publication.config.instrument_noun.plural
    rows = [row(i.title, i.id, i.short_name, exports.instruments[i.id]) for i in publication.instruments]
    return rows + [row(f"Alle {noun} samen", None, f"alle {noun}", exports.together)]


def _instrument_entries(publication: Publication, downloads: dict[str, list[Download]]) -> list[dict]:
    """Per instrument, in the order of site_config.yaml: what the home page's entry shows."""
    entries = []
    for instrument in publication.instruments:
        numbered = publication.numbered_items(instrument)
        entries.append({"instrument": instrument,
                        "first_page": chapter_pages(instrument)[0],
                        "reflection_page": reflection_page(instrument.id),
                        "form_page": form_page(instrument.id),
                        "questions": len(numbered),
                        "fillable": any(n.form.fillable for n in numbered),
                        "files": downloads.get(instrument.id, [])})
    return entries


def _glossary(publication: Publication, titles: dict[str, str]) -> list[dict]:
    """The glossary in alphabetical order (leading punctuation ignored: '(v)so' under v), each
    entry with the title of the page its quotation comes from."""
    terms = sorted(publication.glossary.terms, key=lambda t: (re.sub(r"^\W+", "", t.term).casefold(), t.term))
    return [{"term": term, "place_title": titles.get(term.place.split("#", 1)[0], "") if term.place else ""}
            for term in terms]


def _comparison(publication: Publication, structure, instruments: list) -> list[dict]:
    """Per top-level section of the structure: that section of every instrument, side by side,
    with its subsections (or, in an instrument of one level, the section itself) and their
    number of items."""
    rows = []
    for number, definition in enumerate(structure.sections, start=1):
        columns = []
        for instrument in instruments:
            section = next(s for s in instrument.sections if s.id == definition.id)
            parts = [{"section": part, "items": len(part.all_items())} for part in (section.sections or [section])]
            columns.append({"instrument": instrument, "section": section, "parts": parts})
        rows.append({"heading": f"{number}. {definition.label}", "id": definition.id, "columns": columns})
    return rows


def _mkdocs_config(project: Project, publication: Publication, docs: Path, site_dir: Path,
                   preview_url: str | None) -> str:
    """The repository's mkdocs.yml, completed with what comes from site_config.yaml.
    Text values are HTML-escaped: the theme writes them into every page as they are.
    `preview_url`: the address of the local preview (`serve`), None for the real site."""
    config = yaml.safe_load(project.mkdocs_config.read_text(encoding="utf-8"))
    site = publication.config
    config.update({
        "site_name": html_text(site.title),
        "site_url": preview_url or site.base_url,  # validated: no characters that need escaping
        "site_author": html_text(site.organisation),
        "copyright": html_text(f"© {site.year} {site.organisation} · editie {site.edition}"),
        "docs_dir": str(docs),
        "site_dir": str(site_dir),
        "nav": menu(publication),
    })
    config["theme"]["custom_dir"] = str(project.templates / "site")
    if site.house_style is not None:
        config["extra_css"] = list(config.get("extra_css", [])) + [HOUSE_STYLE_SHEET]
        if site.house_style.logo:  # a checked image of content/, published next to the pages
            config["theme"]["logo"] = config["theme"]["favicon"] = site.house_style.logo_page_path
    if preview_url:  # the local preview's live reload is an inline script that changes per request
        config["extra"]["csp"] = config["extra"]["csp"].replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    config.setdefault("extra", {})["editie"] = html_text(site.edition)
    config["extra"]["schooltypen"] = [html_text(instrument.title) for instrument in publication.instruments]
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def menu(publication: Publication) -> list:
    """The site's menu as MkDocs' `nav`: section labels (HTML-escaped) and page paths."""
    nav: list = []

    def add(sections) -> None:
        for section in sections:
            if section.title:
                nav.append({html_text(section.title): list(section.pages)})
            else:
                nav.extend(section.pages)

    add(publication.config.navigation.before)
    for number, instrument in enumerate(publication.instruments, start=1):
        nav.append({html_text(chapter_label(number, instrument)): chapter_pages(instrument)})
    add(publication.config.navigation.after)
    return nav
