"""The Jinja2 environments for every template in templates/ (pages and sheets).

Templates only format: every decision is made in Python and passed in. Output
is escaped by construction:
- `*.html.j2` (the sheets): Jinja's HTML autoescape;
- `*.md.j2` (pages): every `{{ value }}` is escaped for Markdown and HTML by
  `escaping.markdown_text`, unless the value is `Markup` (Markdown we made
  ourselves). Filters for the few other contexts: `id` (a validated slug),
  `paragraphs` (text with empty lines between paragraphs), `abbr_term` and
  `abbr_title` (abbreviation definitions), `place` (a validated link to a page),
  `url` and `mailto` (a link destination, percent-encoded, never character references).
A broken template stops the build with a Dutch message naming the template and line.
"""

from __future__ import annotations

import pickle
from functools import lru_cache
from pathlib import Path

import jinja2

from . import escaping
from .problems import InputError, error


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates kept between builds (compiling ours is about 0.5 s of every
    build process). Jinja keys each entry by the template's name and file and checks its
    source's checksum and Jinja's version; the two environments (pages, sheets) compile
    differently, so each has its own folder. A folder that cannot be used means no cache."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):  # unreadable or damaged: compile again
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def bytecode_folder(templates_dir: Path, markdown: bool) -> Path:
    """.cache/jinja-pages or .cache/jinja-sheets next to the tool's templates/ (throw-away)."""
    return templates_dir.parent / ".cache" / ("jinja-pages" if markdown else "jinja-sheets")


def _bytecode_cache(templates_dir: Path, markdown: bool) -> jinja2.BytecodeCache | None:
    folder = bytecode_folder(templates_dir, markdown)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(folder)) if folder.is_dir() else None


@lru_cache(maxsize=8)
def environment(templates_dir: Path, markdown: bool) -> jinja2.Environment:
    options = dict(loader=jinja2.FileSystemLoader(str(templates_dir)), undefined=jinja2.StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                   bytecode_cache=_bytecode_cache(templates_dir, markdown))
    if not markdown:
        return jinja2.Environment(autoescape=True, **options)
    env = jinja2.Environment(autoescape=False, finalize=escaping.markdown_text, **options)
    env.filters.update({
        "id": escaping.anchor_id,
        "id_file": escaping.file_name,
        "paragraphs": escaping.markdown_paragraphs,
        "abbr_term": escaping.abbreviation_term,
        "abbr_title": escaping.abbreviation_title,
        "place": escaping.place_link,
        "url": escaping.link_destination,
        "mailto": lambda address: escaping.link_destination(escaping.mailto_url(address)),
    })
    return env


def render(templates_dir: Path, name: str, **context) -> str:
    try:
        template = environment(templates_dir, name.endswith(".md.j2")).get_template(name)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError([error(f"templates/{exc.name or name}", exc.lineno,
                                f"het sjabloon klopt niet: {exc.message}",
                                "Controleer de {{ }}- en {% %}-opdrachten op deze regel.")]) from exc
    except jinja2.TemplateError as exc:
        raise InputError([error(f"templates/{name}", None, f"het sjabloon kan niet gemaakt worden: {exc}",
                                "Controleer welke gegevens het sjabloon gebruikt.")]) from exc
