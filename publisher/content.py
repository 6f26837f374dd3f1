"""The Markdown pages in content/: reading, checking and their shortcodes.

Pages are plain Markdown. A line of the form `{{< name argument >}}` is a
shortcode: the build replaces it by Markdown generated from the data in
indicators/ (the impact themes or recommendations of a school type, its
download buttons) or, without argument, from site_config.yaml (an entry per
school type). Shortcodes are the only template syntax editors write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import markdown
from justhtml import JustHTML
from pydantic import BaseModel, ConfigDict, Field

from .load import validate_document
from .problems import Problem, error, warning
from .project import Project
from .sources import list_files, read_text
from .yamlfile import parse_yaml

# Files next to the pages that are published as they are (SVG is refused: it can hold scripts).
ASSET_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"}

SHORTCODES = {
    "impactthemas": "de impactthema's van een schooltype",
    "aanbevelingen": "de genummerde aanbevelingen van een schooltype",
    "downloads": "de downloadknoppen voor de reflectiebladen van een schooltype",
    "schooltypen": "een ingang per schooltype (hoofdstuk, reflectievragen, downloads)",
}
# Shortcodes about the whole publication: written without a school type.
SITE_WIDE_SHORTCODES = frozenset({"schooltypen"})

_SHORTCODE_LINE = re.compile(r"^\{\{<\s*(?P<name>[\w-]+)(?:\s+(?P<arg>[\w-]+))?\s*>\}\}\s*$")
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\(\s*(?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_BLOCK_TAGS = ("figure", "div", "section", "ol", "ul", "table", "details", "aside", "figcaption", "blockquote")
_HEADING = re.compile(r"^(#{1,6})\s+\S")
_FENCE = re.compile(r"^\s*(```|~~~)")


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = Field(default=None, description="Paginatitel in het menu en de browsertab.")
    description: str | None = Field(default=None, description="Korte beschrijving voor zoekmachines.")
    hide: list[Literal["navigation", "toc", "footer", "path"]] = Field(
        default_factory=list, description="Onderdelen om te verbergen: navigation, toc, footer, path.")


@dataclass(frozen=True)
class Shortcode:
    name: str
    argument: str | None  # the school type id; None for a site-wide shortcode
    line: int


@dataclass
class Page:
    """One Markdown file of content/."""

    path: str  # relative to content/, e.g. 'bo/index.md'
    text: str
    body_start: int = 1  # line where the Markdown after the front matter starts
    front_matter: FrontMatter | None = None
    shortcodes: list[Shortcode] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)  # (target, line)
    heading: str = ""  # the text of the page's '# ' heading, as a reader sees it



def read_pages(project: Project) -> tuple[dict[str, Page], list[str], list[Problem]]:
    """Every Markdown page of content/, the other files published as they are (images,
    documents), and the problems found."""
    pages: dict[str, Page] = {}
    assets: list[str] = []
    listing = list_files(project.root, project.content, project.name)
    problems: list[Problem] = list(listing.problems)
    for folder in sorted(project.content.rglob("*.md")) if project.content.is_dir() else []:
        if folder.is_dir() and not folder.is_symlink():  # 'nieuw.md/' would be skipped without a word
            problems.append(error(project.name(folder) + "/", None, "dit is een map, geen pagina",
                                  f"Een pagina is een bestand: hernoem de map (zonder .md), of maak er een "
                                  f"bestand {folder.name} van."))
    for file in listing.files:
        path = file.relative_to(project.content).as_posix()
        suffix = file.suffix.lower()
        if suffix == ".md":
            page, found = read_page(project, file)
            problems += found
            if page is not None:
                pages[page.path] = page
        elif suffix in ASSET_SUFFIXES:
            assets.append(path)
        elif suffix == ".svg":
            problems.append(error(project.name(file), None, "SVG-afbeeldingen kunnen scripts bevatten en worden niet gepubliceerd",
                                  "Zet de afbeelding om naar PNG of JPG en verwijs daarnaar."))
        elif file != project.glossary:
            problems.append(warning(project.name(file), None, "dit bestand wordt niet gepubliceerd (alleen pagina's (.md) "
                                    f"en afbeeldingen of documenten ({', '.join(sorted(ASSET_SUFFIXES))}) horen in content/)",
                                    "Verwijder het bestand, of zet het op de juiste plek."))
    return pages, assets, problems


def read_page(project: Project, file: Path) -> tuple[Page | None, list[Problem]]:
    name = project.name(file)
    text, problems = read_text(file, name, project.root)
    if text is None:
        return None, problems
    page = Page(path=file.relative_to(project.content).as_posix(), text=text)
    problems += _read_front_matter(page, name)
    problems += _scan_body(page, name)
    return page, problems


def _read_front_matter(page: Page, name: str) -> list[Problem]:
    lines = page.text.split("\n")
    if not lines or lines[0].strip() != "---":
        return []
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return [error(name, 1, "het kopblok (front matter) wordt niet afgesloten",
                      "Sluit het blok bovenaan af met een regel '---'.")]
    page.body_start = end + 2
    document, problems = parse_yaml("\n".join(lines[1:end]) or "{}", name, first_line=2)
    if document is None:
        return problems
    front, found = validate_document(document, FrontMatter)
    page.front_matter = front
    return problems + found


def _scan_body(page: Page, name: str) -> list[Problem]:
    problems: list[Problem] = []
    lines = page.text.split("\n")
    open_tags: list[tuple[str, int]] = []
    in_fence = False
    h1_count = 0
    previous_level = 0
    first_content_line = None
    for index in range(page.body_start - 1, len(lines)):
        line_no = index + 1
        line = lines[index]
        fence = _FENCE.match(line)
        if fence and (not in_fence or fence.group(1) == in_fence[0]):
            # A code block ends at a line with the same marker it began with (``` or ~~~).
            in_fence = False if in_fence else (fence.group(1), line_no)
            continue
        if in_fence:
            continue
        if first_content_line is None and line.strip():
            first_content_line = (line_no, line)
        stripped = line.strip()
        if "{{" in line or "}}" in line:
            match = _SHORTCODE_LINE.match(stripped)
            if match is None:
                problems.append(error(name, line_no, "onvolledige of onbekende opdracht tussen {{ }}",
                                      "Schrijf een opdracht als een eigen regel: {{< impactthemas bo >}}."))
            elif match["name"] not in SHORTCODES:
                known = ", ".join(SHORTCODES)
                problems.append(error(name, line_no, f"onbekende opdracht '{match['name']}'", f"Kies uit: {known}."))
            else:
                page.shortcodes.append(Shortcode(match["name"], match["arg"], line_no))
        for match in _LINK.finditer(line):
            page.links.append((match["target"], line_no))
            if not match["text"].strip():
                problems.append(error(name, line_no, f"de link naar '{match['target']}' heeft geen linktekst",
                                      "Zet tussen [ ] een tekst die zegt waar de link heen gaat."))
        heading = _HEADING.match(line)
        if heading:
            level = len(heading[1])
            if level == 1:
                h1_count += 1
                if h1_count == 1:
                    page.heading = heading_text(line)
                if h1_count == 2:
                    problems.append(error(name, line_no, "de pagina heeft meer dan één hoofdkop (# …)",
                                          "Maak van deze kop een tussenkop: '## …'."))
            elif level > previous_level + 1:
                problems.append(warning(name, line_no, f"kopniveau springt van {previous_level} naar {level}",
                                        "Gebruik kopniveaus zonder tussenstap over te slaan (# → ## → ###)."))
            previous_level = level
        for tag in _BLOCK_TAGS:
            opened = len(re.findall(rf"<{tag}[\s>]", line))
            closed = line.count(f"</{tag}>")
            open_tags += [(tag, line_no)] * opened
            for _ in range(closed):
                position = next((i for i in range(len(open_tags) - 1, -1, -1) if open_tags[i][0] == tag), None)
                if position is None:
                    problems.append(error(name, line_no, f"'</{tag}>' sluit iets af dat niet geopend is",
                                          f"Verwijder '</{tag}>' of voeg hierboven '<{tag}>' toe."))
                else:
                    del open_tags[position]
    for tag, line_no in open_tags:
        problems.append(error(name, line_no, f"'<{tag}>' wordt niet afgesloten",
                              f"Voeg na de inhoud een regel '</{tag}>' toe."))
    if in_fence:
        marker, opened = in_fence
        problems.append(error(name, opened, f"een codeblok ({marker}) wordt niet afgesloten",
                              f"Voeg na de code een afsluitende regel {marker} toe."))
    if first_content_line is None:
        problems.append(error(name, None, "de pagina is leeg", "Schrijf een kop '# …' en tekst, of verwijder het bestand."))
    elif not _HEADING.match(first_content_line[1]) or not first_content_line[1].startswith("# "):
        problems.append(error(name, first_content_line[0], "de pagina begint niet met een hoofdkop ('# Titel')",
                              "Zet bovenaan de pagina een regel '# Titel van de pagina'."))
    return problems


def heading_text(line: str) -> str:
    """The visible text of a Markdown heading line ('# Het *onderzoek* { #x }' → 'Het onderzoek')."""
    line = re.sub(r"\s*\{[^}]*\}\s*$", "", line.lstrip("#").strip())  # attr_list at the end
    return JustHTML(markdown.markdown(line), fragment=True).to_text().strip()


def check_pages(pages: dict[str, Page], school_type_ids: set[str],
                generated: set[str], navigation: list[str]) -> list[Problem]:
    """Checks that need the whole site: shortcode arguments, the menu (links: site_check.py)."""
    problems: list[Problem] = []
    for page in pages.values():
        name = f"content/{page.path}"
        for code in page.shortcodes:
            if code.name in SITE_WIDE_SHORTCODES:
                if code.argument is not None:
                    problems.append(error(name, code.line, f"'{{{{< {code.name} >}}}}' heeft geen schooltype nodig",
                                          f"Schrijf alleen {{{{< {code.name} >}}}}: de bouw maakt een ingang voor elk schooltype."))
            elif code.argument is None:
                problems.append(error(name, code.line, f"'{{{{< {code.name} … >}}}}' mist het schooltype",
                                      f"Schrijf bijvoorbeeld {{{{< {code.name} {min(school_type_ids)} >}}}}; "
                                      f"kies uit: {', '.join(sorted(school_type_ids))}."))
            elif code.argument not in school_type_ids:
                problems.append(error(name, code.line, f"onbekend schooltype '{code.argument}' in '{{{{< {code.name} … >}}}}'",
                                      f"Kies uit: {', '.join(sorted(school_type_ids))}."))
        if page.path not in navigation:
            problems.append(error(name, None, "deze pagina staat niet in het menu",
                                  "Voeg de pagina toe aan 'navigatie' in site_config.yaml, of aan 'paginas' van het schooltype."))
    return problems
