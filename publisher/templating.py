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

from functools import lru_cache
from pathlib import Path

import jinja2

from . import escaping
from .problems import InputError, error


@lru_cache(maxsize=8)
def environment(templates_dir: Path, markdown: bool) -> jinja2.Environment:
    options = dict(loader=jinja2.FileSystemLoader(str(templates_dir)), undefined=jinja2.StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
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
