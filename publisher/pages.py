"""The staging docs directory: exactly the Markdown the site engine receives.

`stage_docs` copies every page of content/ with its shortcodes expanded, writes
the pages generated from the data (reflection questions per school type, the
comparison, the downloads and the glossary), appends the abbreviation
definitions to every page, and writes the MkDocs configuration for it. Anyone
can open the staging directory and see what MkDocs gets; nothing depends on
MkDocs plugins.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from .content import Page
from .model import Publication, SchoolType
from .project import Project
from .sheets import Download
from .templating import render
from .validate import chapter_pages, reflection_page


@dataclass(frozen=True)
class Staged:
    config_file: Path  # the mkdocs.yml to build with
    docs_dir: Path


def format_size(size: int) -> str:
    """Dutch file size: '84 kB', '1,2 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def stage_docs(project: Project, publication: Publication, pages: dict[str, Page],
               downloads: dict[str, list[Download]], staging: Path, site_dir: Path,
               site_url: str | None = None) -> Staged:
    docs = staging / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    templates = project.templates
    abbreviations = render(templates, "pages/afkortingen.md.j2", terms=[t for t in publication.glossary.terms if t.expansion])
    context = {"publication": publication, "config": publication.config, "downloads": downloads,
               "format_size": format_size}

    def write(path: str, text: str) -> None:
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.rstrip("\n") + "\n\n" + abbreviations, encoding="utf-8")

    for path, page in pages.items():
        write(path, expand_shortcodes(project, publication, page, downloads))
    for school_type in publication.school_types:
        write(reflection_page(school_type.id),
              render(templates, "pages/reflectievragen.md.j2", school_type=school_type,
                     numbers={item.question.id: item.number for item in school_type.numbered_questions()},
                     download_buttons=_download_buttons(project, school_type, downloads, depth=1), **context))
    write("vergelijking.md", render(templates, "pages/vergelijking.md.j2", columns=_comparison(publication), **context))
    write("downloads.md", render(templates, "pages/downloads.md.j2", **context))
    terms = sorted(publication.glossary.terms, key=lambda t: t.term.casefold())
    write("begrippenlijst.md", render(templates, "pages/begrippenlijst.md.j2", terms=terms, **context))

    for files in downloads.values():
        for download in files:
            target = docs / "downloads" / download.file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(download.path, target)

    config_file = staging / "mkdocs.yml"
    config_file.write_text(_mkdocs_config(project, publication, docs, site_dir, site_url), encoding="utf-8")
    return Staged(config_file, docs)


def expand_shortcodes(project: Project, publication: Publication, page: Page,
                      downloads: dict[str, list[Download]]) -> str:
    lines = page.text.split("\n")
    depth = page.path.count("/")
    for code in page.shortcodes:
        school_type = publication.school_type(code.argument)
        if code.name == "downloads":
            text = _download_buttons(project, school_type, downloads, depth)
        else:
            text = render(project.templates, f"pages/{code.name}.md.j2", school_type=school_type)
        lines[code.line - 1] = text.rstrip("\n")
    return "\n".join(lines)


def _download_buttons(project: Project, school_type: SchoolType, downloads: dict[str, list[Download]], depth: int) -> str:
    return render(project.templates, "pages/downloadknoppen.md.j2", school_type=school_type,
                  files=downloads[school_type.id], prefix="../" * depth, format_size=format_size)


def _comparison(publication: Publication) -> list[dict]:
    """Per perspective: the themes of every school type, side by side."""
    rows = []
    for index, definition in enumerate(publication.config.perspectives):
        columns = []
        for school_type in publication.school_types:
            perspective = next(p for p in school_type.perspectives if p.id == definition.id)
            columns.append({"school_type": school_type, "perspective": perspective})
        rows.append({"number": index + 1, "definition": definition, "columns": columns})
    return rows


def _mkdocs_config(project: Project, publication: Publication, docs: Path, site_dir: Path,
                   site_url: str | None) -> str:
    """The repository's mkdocs.yml, completed with what comes from site_config.yaml."""
    config = yaml.safe_load(project.mkdocs_config.read_text(encoding="utf-8"))
    site = publication.config
    config.update({
        "site_name": site.title,
        "site_url": site_url or site.base_url,
        "site_author": site.organisation,
        "copyright": f"© {site.year} {site.organisation} · editie {site.edition}",
        "docs_dir": str(docs),
        "site_dir": str(site_dir),
        "nav": _nav(publication),
    })
    config["theme"]["custom_dir"] = str(project.templates / "site")
    config.setdefault("extra", {})["editie"] = site.edition
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _nav(publication: Publication) -> list:
    nav: list = []

    def add(sections) -> None:
        for section in sections:
            if section.title:
                nav.append({section.title: list(section.pages)})
            else:
                nav.extend(section.pages)

    add(publication.config.navigation.before)
    for number, school_type in enumerate(publication.school_types, start=1):
        nav.append({f"{number}. {school_type.title}": chapter_pages(school_type)})
    add(publication.config.navigation.after)
    return nav
