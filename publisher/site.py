"""The build recipe: check → sheets → staged Markdown → MkDocs → swap into site/.

Everything is gathered and checked first; output is written to a new
directory and swapped into site/ only when every step succeeded, so a failed
build leaves the previous site untouched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .pages import Staged, stage_docs
from .problems import InputError, Problem, error, summary
from .project import Project
from .report import Reporter
from .sheets import build_sheets, document_moment
from .structure import generated_pages
from .validate import load_publication


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    rendered_sheets: list[str] = field(default_factory=list)
    pending_sheets: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def build(project: Project, reporter: Reporter, jobs: int | None = None) -> bool:
    return build_site(project, reporter, jobs).ok


def build_site(project: Project, reporter: Reporter, jobs: int | None = None, output: Path | None = None,
               render_sheets: bool = True, site_url: str | None = None, staging: Path | None = None) -> BuildResult:
    """The whole build. `output` defaults to site/; the live preview builds elsewhere, with
    `render_sheets=False` (outdated sheets are used as they are and reported in
    `result.pending_sheets`) and its own `site_url`."""
    output = output or project.output
    result = BuildResult(ok=False)
    reporter.restart()

    def failed(problems: list[Problem], step: str) -> BuildResult:
        reporter.problems(problems)
        result.problems += problems
        reporter.fail(f"Bouw gestopt bij '{step}': {summary(problems)}. "
                      f"{f'De vorige versie in {project.name(output)}/ is niet aangepast.' if output.exists() else 'Er is niets gepubliceerd.'}")
        return result

    # 1. Gather and check everything editors wrote.
    started = time.perf_counter()
    loaded = load_publication(project)
    result.timings["check"] = time.perf_counter() - started
    if loaded.errors:
        return failed(loaded.problems, "controle")
    reporter.problems(loaded.problems)  # warnings only
    result.problems += loaded.problems
    publication = loaded.publication
    reporter.step(f"controle: {len(publication.school_types)} schooltypen, "
                  f"{sum(len(s.questions()) for s in publication.school_types)} vragen, "
                  f"{len(loaded.pages)} pagina's ({result.timings['check']:.1f} s)")

    # 2. Reflection sheets (cached by content hash, rendered in parallel).
    started = time.perf_counter()
    try:
        sheets = build_sheets(project, publication, project.work / "pdf", jobs=jobs, render=render_sheets,
                              while_rendering=load_site_engine)
    except InputError as exc:
        return failed(exc.problems, "reflectiebladen")
    result.timings["sheets"] = time.perf_counter() - started
    result.rendered_sheets = sheets.rendered
    result.pending_sheets = sheets.pending
    if sheets.problems:
        return failed(sheets.problems, "reflectiebladen")
    total = sum(len(files) for files in sheets.downloads.values())
    later = f"; {len(sheets.pending)} worden op de achtergrond bijgewerkt" if sheets.pending else ""
    reporter.step(f"reflectiebladen: {len(sheets.rendered)} van {total} opnieuw gemaakt{later} "
                  f"({result.timings['sheets']:.1f} s)")
    for name in sheets.rendered:
        reporter.detail(name)

    # 3. Staged Markdown and 4. the site, into a fresh directory next to site/.
    started = time.perf_counter()
    new_site = output.parent / f".{output.name}.new"
    if new_site.exists():
        shutil.rmtree(new_site)
    try:
        staged = stage_docs(project, publication, loaded.pages, sheets.downloads, staging or project.work / "staging",
                            new_site, site_url=site_url, assets=loaded.assets)
    except InputError as exc:
        return failed(exc.problems, "pagina's")
    result.timings["staging"] = time.perf_counter() - started
    # Nothing the site engine sees has changed since the build that made `output`: keep it.
    stamp = project.work / "stamps" / (hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16] + ".sha256")
    digest = staged_digest(project, staged)
    if output.is_dir() and stamp.is_file() and stamp.read_text(encoding="utf-8") == digest:
        result.ok = True
        reporter.step("site: niets veranderd")
        reporter.done(f"Klaar: {project.name(output)}/ was al bijgewerkt.")
        return result
    started = time.perf_counter()
    with _reproducible_dates(publication):
        problems = run_mkdocs(staged.config_file, project)
    result.timings["mkdocs"] = time.perf_counter() - started
    if problems:
        shutil.rmtree(new_site, ignore_errors=True)
        return failed(problems, "site")
    site_pages = len(loaded.pages) + len(generated_pages([s.id for s in publication.school_types]))
    reporter.step(f"site: {site_pages} pagina's "
                  f"({result.timings['staging'] + result.timings['mkdocs']:.1f} s)")

    # 5. Only now replace the published output.
    stamp.unlink(missing_ok=True)
    swap_into_place(new_site, output)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest, encoding="utf-8")
    result.ok = True
    reporter.done(f"Klaar: {project.name(output)}/ is bijgewerkt.")
    return result


def staged_digest(project: Project, staged: Staged) -> str:
    """Everything MkDocs reads: staged pages and config, the theme overrides, the engine's versions."""
    from importlib import metadata

    digest = hashlib.sha256()
    for package in ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown"):
        digest.update(f"{package} {metadata.version(package)}\n".encode())
    digest.update(staged.config_file.read_bytes())
    for directory in (staged.docs_dir, project.templates / "site"):
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                digest.update(file.relative_to(directory).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


@contextmanager
def _reproducible_dates(publication):
    """MkDocs stamps the sitemap with the build date; use the edition's date instead."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if previous is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(document_moment(publication).timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def load_site_engine() -> None:
    """Import MkDocs and its extensions ahead of time (done while the sheets render)."""
    import material.plugins.search.plugin  # noqa: F401
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config  # noqa: F401
    from markdown.extensions import abbr, admonition, attr_list, def_list, footnotes, md_in_html, tables, toc  # noqa: F401


def run_mkdocs(config_file: Path, project: Project) -> list[Problem]:
    """Build the staged docs with MkDocs in strict mode; its warnings become Dutch problems."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        with _compiled_theme_templates(project.work / "jinja"):
            config = load_config(config_file=str(config_file), strict=True)
            mkdocs_build(config)
        failure = None
    except (Abort, MkDocsException) as exc:
        failure = str(exc)
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous_level)
    problems = [_mkdocs_problem(record.getMessage(), project) for record in collector.records]
    if failure and not problems:
        problems.append(error("mkdocs.yml", None, f"de site kon niet gebouwd worden ({failure})",
                              "Controleer mkdocs.yml en de laatst gewijzigde pagina."))
    return problems


@contextmanager
def _compiled_theme_templates(cache_dir: Path):
    """Keep Material's compiled Jinja templates between builds (Jinja's own bytecode cache,
    keyed by template source): compiling them is about a third of a MkDocs build."""
    import jinja2
    from mkdocs.theme import Theme

    cache_dir.mkdir(parents=True, exist_ok=True)
    original = Theme.get_env

    def get_env(theme):
        env = original(theme)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache_dir))
        return env

    Theme.get_env = get_env
    try:
        yield
    finally:
        Theme.get_env = original


_MKDOCS_LINK = re.compile(r"Doc file '(?P<page>[^']+)' contains a link '(?P<target>[^']+)', but (?P<rest>.*)")


def _mkdocs_problem(message: str, project: Project) -> Problem:
    match = _MKDOCS_LINK.search(message)
    if match:
        name = f"content/{match['page']}"
        if "anchor" in match["rest"]:
            return error(name, None, f"de link '{match['target']}' wijst naar een onderdeel van een pagina dat niet bestaat",
                         "Controleer het deel na # (de id van de kop, vraag of het thema).")
        return error(name, None, f"de link '{match['target']}' wijst naar iets dat niet bestaat",
                     "Controleer de bestandsnaam; links zijn relatief vanaf deze pagina.")
    return error("mkdocs.yml", None, f"de site-bouwer (MkDocs) meldt: {message}",
                 "Controleer de laatst gewijzigde pagina of mkdocs.yml.")


def swap_into_place(new_site: Path, output: Path) -> None:
    """Replace `output` by `new_site` with two renames on the same file system."""
    old = output.parent / f".{output.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    try:
        new_site.rename(output)
    except OSError:
        if old.exists():
            old.rename(output)
        raise
    shutil.rmtree(old, ignore_errors=True)


def clean(project: Project) -> None:
    for path in (project.output, project.work, project.root / ".site.new", project.root / ".site.old"):
        if path.exists():
            shutil.rmtree(path)
