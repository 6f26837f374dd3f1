"""The worker side of the reflection sheets: WeasyPrint lays out a sheet's HTML and writes
the print and the fillable PDF (sheets.py makes the HTML and decides what to render).

This module runs in the sheet workers and in the process they are forked from, so it
imports nothing heavy of its own: that process (multiprocessing's fork server, started by
`start_sheet_workers` at the beginning of a build) imports WeasyPrint and pikepdf while the
build checks the input, and a worker then costs a fork, not an import (and is never the
fork of a process with threads, such as the live preview).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

WORKER_MODULES = ["publisher.sheet_render", "publisher.github", "weasyprint", "weasyprint.text.fonts", "pikepdf",
                  "publisher.pdfform"]


def start_sheet_workers() -> bool:
    """Start, in the background, the process the sheet workers are forked from, with WeasyPrint
    imported (about 0.5 s, which then overlaps whatever this process does first, such as the
    check). Cheap to call again; `worker_context` calls it itself when nobody did. False when
    there is none: a system without a fork server (not Linux), or one that cannot start, e.g.
    because its socket would be in a very long TMPDIR (a Unix socket address has at most 107
    characters); the workers are then forked from this process, as before."""
    import multiprocessing
    from multiprocessing import forkserver

    try:
        multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(WORKER_MODULES)
        forkserver.ensure_running()
    except (ValueError, OSError):
        return False
    return True


def worker_context():
    """The fork server when it runs (see start_sheet_workers), else the platform's default. Also
    the default when the main program cannot be loaded again by file name, as a worker started
    by the fork server does (a script piped into Python: its file name is '<stdin>')."""
    import multiprocessing
    import sys

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(main, "__spec__", None) is None and path is not None and not os.path.isfile(path):
        return multiprocessing.get_context()
    return multiprocessing.get_context("forkserver") if start_sheet_workers() else multiprocessing.get_context()


def worker_start() -> None:
    """Worker start-up. Ctrl+C is handled by the main process alone (workers would each print
    a traceback). In GitHub Actions the worker's output passes the build's guard against
    workflow commands (github.guard_worker_output). WeasyPrint is imported already in the fork
    server; a worker of a system without one imports it here, in parallel with the main process."""
    import signal

    from .github import guard_worker_output

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    guard_worker_output()
    import weasyprint  # noqa: F401


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectOnlyFetcher(URLFetcher):
        """Only files inside the allowed directories and data: URLs; never the network."""

        def __init__(self, allowed: list[Path]):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.allowed = [p.resolve() for p in allowed]

        def fetch(self, url, headers=None):
            scheme = urlparse(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise FatalURLFetchingError("extern", url)
            path = Path(unquote(urlparse(url).path)).resolve()
            if not any(path == root or root in path.parents for root in self.allowed):
                raise FatalURLFetchingError("buiten", url)
            return super().fetch(url, headers)

    return ProjectOnlyFetcher, FatalURLFetchingError


def render_sheets(html: str, base_dir: str, allowed: list[str], targets: tuple[str, str],
                  titles: tuple[str, str], group_names: dict[str, str]) -> tuple[str, str] | None:
    """Render the two sheets of an instrument: lay out `html` once, write it as the print
    sheet (without form fields) to targets[0] and as the fillable sheet to targets[1],
    which pdfform.finish_form finishes (one radio group per question, appearances for every
    state). Runs in a worker process; returns None, or ('extern' | 'buiten', url) when the
    template asked for a resource it may not use.

    The order matters and is fixed: the first write subsets the fonts in place, so the
    fillable sheet, written second, gets subset fonts too (its fields draw typed text in
    Helvetica, not in these fonts); written alone it would embed a font whole."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher_class, fatal = _fetcher_class()
    fetcher = fetcher_class([Path(p) for p in allowed])

    def finisher(document, pdf):
        import pydyf

        # PDF/UA-1: viewers must show the document title, not the file name.
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})

    # WeasyPrint copies the @font-face fonts into a temporary folder that only the font
    # configuration's __del__ removes, which never runs in a pool worker: one ~124 KB
    # /tmp/weasyprint-* folder per render was left behind. Make it here, remove it below.
    font_config = FontConfiguration()
    options = dict(pdf_variant="pdf/ua-1", finisher=finisher, pdf_identifier=False, uncompressed_pdf=False)
    partials = [Path(target + ".part") for target in targets]
    try:
        document = HTML(string=html, base_url=Path(base_dir).as_uri() + "/", url_fetcher=fetcher).render(
            pdf_variant="pdf/ua-1", pdf_forms=True, font_config=font_config)
        # Print sheet: the same pages without their form fields (Page.forms: the inputs that
        # become fields when the page is written).
        forms = [page.forms for page in document.pages]
        for page in document.pages:
            page.forms = {None: []}
        document.metadata.title = titles[0]
        document.write_pdf(partials[0], **options)
        for page, page_forms in zip(document.pages, forms):
            page.forms = page_forms
        # Fillable sheet.
        from .pdfform import finish_form

        document.metadata.title = titles[1]
        finish_form(document.write_pdf(**options), group_names, partials[1])
        for partial, target in zip(partials, targets):
            partial.replace(target)
            seal_cache_entry(Path(target))
    except fatal as exc:
        kind, url = exc.args
        return kind, url
    finally:
        _remove_font_folder(font_config)
    return None


def _remove_font_folder(font_config) -> None:
    import shutil

    folder = getattr(font_config, "_folder", None)  # WeasyPrint's name for it (tested)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        font_config._folder = None


def seal_cache_entry(cached: Path) -> None:
    """Record the hash of a finished render next to it (written last: a render that was
    interrupted has no seal and is made again)."""
    seal = cached.with_name(cached.name + ".sha256")
    partial = seal.with_name(seal.name + ".part")
    partial.write_text(hashlib.sha256(cached.read_bytes()).hexdigest(), encoding="ascii")
    partial.replace(seal)


def intact(cached: Path) -> bool:
    """Whether a cached render is complete and unchanged since it was made."""
    seal = cached.with_name(cached.name + ".sha256")
    try:
        return hashlib.sha256(cached.read_bytes()).hexdigest() == seal.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
