"""The one Jinja2 environment for every template in templates/ (pages and sheets).

Templates only format: every decision is made in Python and passed in. A broken
template stops the build with a Dutch message naming the template and line.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .problems import InputError, error


@lru_cache(maxsize=4)
def environment(templates_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(templates_dir: Path, name: str, **context) -> str:
    try:
        return environment(templates_dir).get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError([error(f"templates/{exc.name or name}", exc.lineno,
                                f"het sjabloon klopt niet: {exc.message}",
                                "Controleer de {{ }}- en {% %}-opdrachten op deze regel.")]) from exc
    except jinja2.TemplateError as exc:
        raise InputError([error(f"templates/{name}", None, f"het sjabloon kan niet gemaakt worden: {exc}",
                                "Controleer welke gegevens het sjabloon gebruikt.")]) from exc
