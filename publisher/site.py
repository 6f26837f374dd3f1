"""The build recipe: check → sheets → staged Markdown → MkDocs → swap into site/.

Everything is gathered and checked first; output is written to a new
directory and swapped into site/ only when every step succeeded, so a failed
build leaves the previous site untouched.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .dutch import count
from .exports import build_exports, existing_exports
from .pages import Staged, stage_docs, staged_pages
from .problems import InputError, Problem, error, summary
from .project import Project
from .report import Reporter
from .sheets import Download, build_sheets, document_moment
from .search import index_site
from .site_audit import audit_site
from .structure import generated_pages
from .unchanged import build_lock, record
from .validate import load_publication


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    rendered_sheets: list[str] = field(default_factory=list)
    pending_sheets: list[str] = field(default_factory=list)
    pending_exports: bool = False  # the live preview used the export files as they were (remade in the background)
    timings: dict[str, float] = field(default_factory=dict)
    publication: object | None = None  # the checked model, when the check passed


def build(project: Project, reporter: Reporter, jobs: int | None, inputs: str | None) -> bool:
    """`build.py build`: site/ from the project. `inputs` is the input digest the command line took
    before importing this module, and found changed (`unchanged.replay`); it is recorded after a
    successful build (None: it could not be taken, nothing is recorded). An older digest than the
    one this build reads is safe: at worst one more build."""
    with build_lock(project, reporter):
        result = _build_site(project, reporter, jobs, project.output, True, None, None)
        if result.ok:
            record(project, inputs, result.problems)
        return result.ok


def build_site(project: Project, reporter: Reporter, jobs: int | None = None, output: Path | None = None,
               render_sheets: bool = True, preview_url: str | None = None, staging: Path | None = None) -> BuildResult:
    """The whole build. `output` defaults to site/; the live preview builds elsewhere, with
    `render_sheets=False` (outdated sheets and the export files are used as they are and reported in
    `result.pending_sheets` and `result.pending_exports`) and its own address, `preview_url`. One build at a time per project:
    a second one waits for the first (see `build_lock`)."""
    with build_lock(project, reporter):
        return _build_site(project, reporter, jobs, output or project.output, render_sheets, preview_url, staging)


def _build_site(project: Project, reporter: Reporter, jobs: int | None, output: Path, render_sheets: bool,
                preview_url: str | None, staging: Path | None) -> BuildResult:
    result = BuildResult(ok=False)
    reporter.restart()
    new_site = output.parent / f".{output.name}.new"

    def failed(problems: list[Problem], step: str) -> BuildResult:
        try:
            remove_tree(new_site, ignore_errors=True)  # a site made while the sheets rendered
        except OSError:
            pass  # reported already, when it is the problem itself
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
    publication = result.publication = loaded.publication
    noun = publication.config.instrument_noun
    questions = count(sum(len(i.item_paths()) for i in publication.instruments), "vraag", "vragen")
    pages = count(len(loaded.pages), "pagina", "pagina's")
    reporter.step(f"controle: {count(len(publication.instruments), noun.singular, noun.plural)}, {questions}, {pages} "
                  f"({result.timings['check']:.1f} s)")

    # 2. Reflection sheets (cached by content hash, rendered in parallel). Meanwhile this
    # process loads the site engine, makes the exports, which do not need the sheets, and,
    # when every sheet being rendered has an earlier render, builds the site with those
    # (step 3 checks that this gave exactly the site the new sheets give).
    staging = staging or project.work / "staging"
    prepared: dict[str, object] = {}

    def meanwhile(provisional: dict[str, list[Download]] | None = None) -> None:
        load_site_engine()
        begun = time.perf_counter()
        try:
            # The live preview shows a change without waiting for the exports (like its sheets).
            existing = None if render_sheets else existing_exports(project, publication, project.work / "exports")
            result.pending_exports = existing is not None
            prepared["exports"] = existing or build_exports(project, publication, project.work / "exports")
        except InputError as exc:
            prepared["failure"] = exc
        result.timings["exports"] = time.perf_counter() - begun
        if provisional is not None and "failure" not in prepared:
            prepared["draft"] = _make_site(project, loaded, provisional, prepared["exports"], staging, new_site,
                                           output, preview_url, result.timings)

    started = time.perf_counter()
    try:
        sheets = build_sheets(project, publication, project.work / "pdf", jobs=jobs, render=render_sheets,
                              while_rendering=meanwhile)
    except InputError as exc:
        return failed(exc.problems, "reflectiebladen")
    result.timings["sheets"] = time.perf_counter() - started
    result.rendered_sheets = sheets.rendered
    result.pending_sheets = sheets.pending
    if sheets.problems:
        return failed(sheets.problems, "reflectiebladen")
    total = sum(len(files) for files in sheets.downloads.values())
    later = (f"; {len(sheets.pending)} {'wordt' if len(sheets.pending) == 1 else 'worden'} op de achtergrond bijgewerkt"
             if sheets.pending else "")
    reporter.step(f"reflectiebladen: {len(sheets.rendered)} van {total} opnieuw gemaakt{later} "
                  f"({result.timings['sheets']:.1f} s)")
    for name in sheets.rendered:
        reporter.detail(name)

    # 2b. Exports (JSON, CSV, XLSX, DOCX): made while the sheets rendered, or now when no
    # sheet needed rendering.
    if not prepared:
        meanwhile()
    if "failure" in prepared:
        return failed(prepared["failure"].problems, "exports")
    exports = prepared["exports"]
    reporter.step(f"exports: {count(len(exports.files()), 'bestand', 'bestanden')}, bronversie {exports.revision.label} "
                  f"({result.timings['exports']:.1f} s)")

    # 3. Staged Markdown and 4. the site, into a fresh directory next to site/. The site made
    # while the sheets rendered stands when the pages are the same with the new sheets (their
    # sizes are shown in kB); then only the PDF files are put in. Otherwise it is made now.
    stamp = project.work / "stamps" / (hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16] + ".sha256")

    def unchanged(digest: str) -> bool:
        """Nothing the site engine sees (`digest`, staged_digest) has changed since the build that
        made `output`, and `output` is still exactly what that build wrote: keep it."""
        return output.is_dir() and _read_stamp(stamp) == f"{digest}\n{tree_digest(output)}"

    draft = prepared.get("draft")
    if draft is not None and draft.stands_with(project, publication, loaded.pages, sheets.downloads, exports, new_site):
        draft.digest = staged_digest(project, draft.staged)  # with the new sheets' PDFs
        draft.unchanged = not draft.problems and unchanged(draft.digest)
    else:
        draft = _make_site(project, loaded, sheets.downloads, exports, staging, new_site, output, preview_url,
                           result.timings, unchanged)
    if draft.problems:
        return failed(draft.problems, draft.step)
    if draft.unchanged:
        remove_tree(new_site)
        result.ok = True
        reporter.step("site: niets veranderd")
        reporter.done(f"Klaar: {project.name(output)}/ was al bijgewerkt.")
        return result
    site_pages = count(len(loaded.pages) + len(generated_pages(publication)), "pagina", "pagina's")
    reporter.step(f"site: {site_pages} "
                  f"({result.timings['staging'] + result.timings['mkdocs']:.1f} s)")

    # 5. Only now replace the published output, in one step.
    digest = draft.digest
    try:
        stamp.unlink(missing_ok=True)
        swap_into_place(new_site, output)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(f"{digest}\n{tree_digest(output)}", encoding="utf-8")
    except OSError as exc:
        remove_tree(new_site, ignore_errors=True)
        return failed([_file_system_problem(project, output, exc)], "publiceren")
    result.ok = True
    reporter.done(f"Klaar: {project.name(output)}/ is bijgewerkt.")
    return result


@dataclass
class _Site:
    """The site made into `new_site` from `staged`, or the problems that stopped it at `step`."""
    staged: Staged | None
    problems: list[Problem]
    step: str = "site"
    unchanged: bool = False  # nothing changed since the last build: no site was made
    digest: str | None = None  # staged_digest of `staged`, when it is final

    def stands_with(self, project: Project, publication, pages: dict, downloads: dict[str, list[Download]],
                    exports, new_site: Path) -> bool:
        """Whether this site, made with other sheets, is the site `downloads` give once their PDF
        files are put in: the same staged pages, word for word, and the PDFs where MkDocs put
        their staged copies. When it is, the files are put in (staged and built)."""
        if self.staged is None or self.staged.pages != tuple(staged_pages(project, publication, pages, downloads, exports)):
            return False
        for download in (d for files in downloads.values() for d in files):
            staged, built = (folder / "downloads" / download.file_name for folder in (self.staged.docs_dir, new_site))
            if not (built.is_file() and filecmp.cmp(staged, built, shallow=False)):
                return False
            for copy in (staged, built):
                shutil.copyfile(download.path, copy)
        return True


def _make_site(project: Project, loaded, downloads: dict[str, list[Download]], exports, staging: Path, new_site: Path,
               output: Path, preview_url: str | None, timings: dict[str, float],
               unchanged: Callable[[str], bool] | None = None) -> _Site:
    """Stage the Markdown and build the site into `new_site` (removed first: left over from a
    build that was stopped, or made with other sheets). With `unchanged` the staging is final:
    its digest is taken, and `unchanged(digest)` True stops after staging (nothing the site
    engine sees changed)."""
    started = time.perf_counter()
    try:
        remove_tree(new_site)
    except OSError as exc:
        return _Site(None, [_file_system_problem(project, new_site, exc)])
    try:
        staged = stage_docs(project, loaded.publication, loaded.pages, downloads, exports, staging, new_site,
                            preview_url=preview_url, assets=loaded.assets)
    except InputError as exc:
        return _Site(None, exc.problems, "pagina's")
    timings["staging"] = time.perf_counter() - started
    digest = staged_digest(project, staged) if unchanged is not None else None
    if digest is not None and unchanged(digest):
        return _Site(staged, [], unchanged=True, digest=digest)
    started = time.perf_counter()
    with _reproducible_dates(loaded.publication):
        problems = run_mkdocs(staged.config_file, project)
    if not problems:
        problems = index_site(new_site)
    if not problems:  # a second wall behind the checks: nothing live or external in any built page
        problems = audit_site(new_site, project.name(output), cache=project.work / "audit")
    timings["mkdocs"] = time.perf_counter() - started
    if problems:
        remove_tree(new_site, ignore_errors=True)
    return _Site(staged, problems, digest=digest)


def _read_stamp(stamp: Path) -> str | None:
    """The stamp of the last build, or None when it is missing or damaged (then the site is rebuilt)."""
    try:
        return stamp.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def tree_digest(directory: Path) -> str:
    """Every file below `directory` (names and contents): a file changed or deleted in
    site/ by hand makes the next build write the site again."""
    digest = hashlib.sha256()
    for file in sorted(directory.rglob("*")):
        if file.is_file():
            digest.update(file.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _file_system_problem(project: Project, path: Path, exc: OSError) -> Problem:
    """A Dutch message for a file-system failure (no traceback)."""
    if isinstance(exc, PermissionError):
        what = "er is geen toestemming om het te vervangen of te verwijderen"
        hint = (f"Controleer wie eigenaar is van {project.name(path)}/ en of het niet in gebruik is "
                "(bijvoorbeeld geopend in een ander programma), en bouw opnieuw.")
    else:
        what = f"het bestandssysteem meldt: {exc.strerror or type(exc).__name__}"
        hint = "Controleer of er genoeg schijfruimte is en of de map bestaat, en bouw opnieuw."
    return error(project.name(path) + "/", None, f"kon niet bijgewerkt worden: {what}", hint)


def staged_digest(project: Project, staged: Staged) -> str:
    """Everything the site step depends on: staged pages and config, the theme overrides, the
    versions of the engine and of the search indexer, and our own code that processes the built
    site (search index, audit), so that a change there is not answered by "niets veranderd"."""
    from importlib import metadata

    from . import search, site_audit

    digest = hashlib.sha256()
    for package in ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "pagefind"):
        digest.update(f"{package} {metadata.version(package)}\n".encode())
    for module in (search, site_audit):
        digest.update(Path(module.__file__).read_bytes())
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
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config  # noqa: F401
    from markdown.extensions import abbr, admonition, attr_list, def_list, footnotes, md_in_html, tables, toc  # noqa: F401


def run_mkdocs(config_file: Path, project: Project) -> list[Problem]:
    """Build the staged docs with MkDocs in strict mode; its warnings become Dutch problems."""
    import jinja2
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        with _compiled_theme_templates(project.work / "jinja"), _remembered_pages(config_file.parent.parent / "pages", config_file):
            config = load_config(config_file=str(config_file), strict=True)
            mkdocs_build(config)
        failure = None
    except (Abort, MkDocsException) as exc:
        failure = str(exc)
    except jinja2.TemplateError as exc:  # a broken theme override in templates/site/
        where = f"templates/site/{exc.name}" if getattr(exc, "name", None) else "templates/site/"
        return [error(where, getattr(exc, "lineno", None), "een sjabloon van de site klopt niet",
                      f"Technische melding (voor een ontwikkelaar): {type(exc).__name__}: {exc}")]
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous_level)
    problems = [_mkdocs_problem(record.getMessage(), project) for record in collector.records]
    if failure and not problems:
        problems.append(_mkdocs_problem(failure, project))
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


PAGE_CACHE_VERSION = b"2"  # raise when what _remembered_pages stores changes


@contextmanager
def _remembered_pages(cache_dir: Path, config_file: Path):
    """Render each page's Markdown only when something it depends on changed (`cache_dir` sits
    next to the staging folder, so `build` (.cache/pages/) and the live preview
    (.cache/serve/pages/), whose site addresses differ, do not evict each other's renders): MkDocs' own
    render of a page (its HTML body, table of contents, title and anchors) is kept in
    `cache_dir`, keyed by the page's Markdown, its place, the staged mkdocs.yml, the list of
    every file of the site (links are resolved against it) and the versions of the engine. A
    one-question edit then renders only that school type's pages; an edited Markdown page
    only itself (the pages that link to it are re-checked by MkDocs' anchor validation, which
    runs on every page, cached or not). A render that logged a warning is not kept, so a
    mistake is reported by every build until it is fixed. Within one build only: the cache is
    a folder, never an object shared between threads."""
    from importlib import metadata

    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import get_toc

    base = hashlib.sha256(PAGE_CACHE_VERSION)
    for package in ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown"):
        base.update(f"{package} {metadata.version(package)}\n".encode())
    base.update(config_file.read_bytes())
    listings: dict[int, tuple[object, bytes]] = {}  # id(files) → (files, digest), this build only
    used: set[str] = set()  # the entries of this build; the others are removed after it succeeded
    original = Page.render

    def listing(files) -> bytes:
        known = listings.get(id(files))
        if known is None or known[0] is not files:
            digest = hashlib.sha256()
            for file in sorted(files, key=lambda f: f.src_uri):
                digest.update(f"{file.src_uri}\0{file.dest_uri}\0{file.url}\0{file.inclusion.name}\n".encode())
            known = listings[id(files)] = (files, digest.digest())
        return known[1]

    def render(page, config, files) -> None:
        digest = base.copy()
        digest.update(listing(files))
        digest.update(f"\0{page.file.src_uri}\0{page.file.dest_uri}\0{page.file.url}\0".encode())
        digest.update((page.markdown or "").encode("utf-8"))
        entry = cache_dir / f"{digest.hexdigest()}.json"
        used.add(entry.name)
        try:
            stored = json.loads(entry.read_bytes().decode("utf-8"))  # data only: a cache file never runs code
            links = None if stored["links"] is None else {
                files.get_file_from_path(uri): anchors for uri, anchors in stored["links"].items()}
        except Exception:  # absent, or damaged: render
            stored = None
        if stored is not None and (links is None or None not in links):
            page.content, page.toc, page._title_from_render = stored["content"], get_toc(stored["toc"]), stored["title"]
            page.present_anchor_ids = set(stored["anchors"])
            if links is not None:
                page.links_to_anchors = links
            return
        warnings = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(warnings)
        try:
            original(page, config, files)
        finally:
            logger.removeHandler(warnings)
        if warnings.records:
            return
        links = getattr(page, "links_to_anchors", None)
        value = {"content": page.content, "toc": [_toc_token(item) for item in page.toc], "title": page._title_from_render,
                 "anchors": sorted(page.present_anchor_ids or ()),
                 "links": None if links is None else {file.src_uri: anchors for file, anchors in links.items()}}
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = entry.with_name(f"{entry.stem}.{os.getpid()}.part")
            partial.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
            partial.replace(entry)  # complete or absent
        except OSError:
            pass  # a read-only cache: render every time

    Page.render = render
    try:
        yield
    finally:
        Page.render = original
    for entry in cache_dir.glob("*.json") if cache_dir.is_dir() else ():
        if entry.name not in used:
            entry.unlink(missing_ok=True)


def _toc_token(item) -> dict:
    """An entry of MkDocs' table of contents as the token mkdocs.structure.toc.get_toc reads."""
    return {"name": item.title, "id": item.id, "level": item.level,
            "children": [_toc_token(child) for child in item.children]}


_MKDOCS_PAGE = re.compile(r"Doc file '(?P<page>[^']+)'")


def _mkdocs_problem(message: str, project: Project) -> Problem:
    """MkDocs' (English) warnings as Dutch problems. `check` already finds what editors can
    cause (links, anchors, HTML), so what remains here is mostly for a developer; the
    original text is kept in the hint, marked as technical."""
    technical = f"Technische melding van MkDocs (voor een ontwikkelaar): {message}"
    page = _MKDOCS_PAGE.search(message)
    if page:
        path = page["page"]
        name = f"content/{path}" if (project.content / path).is_file() else f"{path} (gemaakt door de bouw)"
        if "anchor" in message:
            return error(name, None, "een link op deze pagina wijst naar een onderdeel dat niet bestaat", technical)
        if "link" in message:
            return error(name, None, "een link op deze pagina wijst naar iets dat niet bestaat", technical)
        return error(name, None, "de site-bouwer kon deze pagina niet goed verwerken", technical)
    return error("templates/site/", None, "de site-bouwer (MkDocs) kon de site niet maken", technical)


def swap_into_place(new_site: Path, output: Path) -> None:
    """Replace `output` by `new_site` so that there is no moment without a complete
    `output`: the two directories are exchanged in one step (Linux renameat2 with
    RENAME_EXCHANGE), then the old version is removed. A build that is killed at any
    point leaves either the old or the new site, never a half one or none."""
    pause_point("voor-wissel")
    if not output.exists():
        new_site.rename(output)  # atomic on one file system
        return
    if _exchange(new_site, output):
        pause_point("na-wissel")
        remove_tree(new_site, ignore_errors=True)  # now holds the old version
        return
    # File systems without an exchange (rare): two renames, a moment apart.
    old = output.parent / f".{output.name}.old"
    remove_tree(old)
    output.rename(old)
    try:
        new_site.rename(output)
    except OSError:
        old.rename(output)
        raise
    remove_tree(old, ignore_errors=True)


def pause_point(name: str) -> None:
    """Fault-injection hook for tests/test_faults.py: with PUBLISHER_PAUSE_AT=<name> the
    build announces the point and waits there, so a test can kill it at that exact moment."""
    if os.environ.get("PUBLISHER_PAUSE_AT") == name:
        print(f"PAUZE {name}", file=sys.stderr, flush=True)
        time.sleep(120)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically exchange two paths; False where the system cannot (then nothing happened)."""
    import ctypes
    import ctypes.util
    import errno

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def remove_tree(path: Path, ignore_errors: bool = False) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=ignore_errors)


def clean(project: Project, reporter: Reporter) -> None:
    with build_lock(project, reporter):
        for path in (project.output, project.work, project.root / ".site.new", project.root / ".site.old"):
            remove_tree(path)
