"""Live preview: `python build.py serve`.

Builds into .cache/serve/ (never touching site/), serves it with MkDocs' live
reload server and rebuilds when anything under content/, indicators/,
templates/, site_config.yaml or mkdocs.yml changes. Pages come back within
about a second: a rebuild renders only the pages whose Markdown changed (MkDocs'
render of every other page is kept in .cache/serve/pages/, see site._remembered_pages); sheets whose input changed are rendered in the background and
the pages are rebuilt once more when they are ready; the export files likewise. An invalid edit prints the
Dutch problems and keeps serving the last good version; every page then carries a
banner with the same problems (file, line, message, as `check` prints them), which
goes away with the rebuild after the fix. The banner is plain HTML and CSS (no
script), so it passes the site's Content-Security-Policy.

Nothing mutable is shared between the two threads: the background thread renders
the sheets from the model the rebuild already checked (it renders no Markdown), and
the Markdown engines of `site_check` are per thread.
"""

from __future__ import annotations

import html
import logging
import re
import threading

from .exports import STAMP_FILE, build_exports
from .problems import InputError, Problem, summary
from .project import Project
from .report import Reporter
from .sheets import build_sheets
from .site import build_site
from .unchanged import build_lock


def serve(project: Project, reporter: Reporter, port: int = 8000, jobs: int | None = None, host: str = "127.0.0.1") -> int:
    from mkdocs.livereload import LiveReloadServer

    root = project.work / "serve"
    output = root / "site"
    url = f"http://{host}:{port}/"
    background = _SheetRenderer(project, reporter, jobs)
    banner = _Banner()

    def rebuild() -> None:
        result = build_site(project, reporter, jobs=jobs, output=output, render_sheets=False,
                            preview_url=url, staging=root / "staging")
        banner.show(result.problems if not result.ok else [])
        if not result.ok:
            reporter.fail("De vorige versie blijft zichtbaar tot de fout is opgelost.")
        elif result.pending_sheets or result.pending_exports:
            background.start(server, result.publication)

    problem = port_problem(host, port)
    if problem:  # before anything is built or announced
        reporter.fail(problem)
        return 1
    reporter.step("eerste bouw voor het voorbeeld")
    first = build_site(project, reporter, jobs=jobs, output=output, preview_url=url, staging=root / "staging")
    if not first.ok and not output.exists():
        reporter.fail("Het voorbeeld kan pas starten als de fouten hierboven zijn opgelost.")
        return 1
    banner.show(first.problems if not first.ok else [])

    class Server(LiveReloadServer):
        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            return super()._inject_js_into_html(banner.insert(content), epoch)

    logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)
    # Polled every 0.1 s (MkDocs: 0.5 s), so an edit is seen sooner; a poll is a stat() per watched file
    # (about 2 % of one core while idle, measured on the KCR publication).
    server = Server(builder=rebuild, host=host, port=port, root=str(output), polling_interval=0.1)
    for path in (project.content, project.indicators, project.templates, project.site_config, project.mkdocs_config):
        server.watch(str(path))
    reporter.done(f"Voorbeeld op {url} (stoppen: Ctrl+C). Wijzigingen worden vanzelf zichtbaar.")
    try:
        server.serve()
    except KeyboardInterrupt:
        reporter.step("voorbeeld gestopt")
    finally:
        server.shutdown()
    return 0


def port_problem(host: str, port: int) -> str | None:
    """Why the preview cannot listen on `port` (in Dutch), or None when it can."""
    import errno
    import socket

    try:
        with socket.create_server((host, port)):
            return None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (f"Poort {port} is al in gebruik (draait het voorbeeld al, of een ander programma?). "
                    f"Stop dat programma, of kies een andere poort: python build.py serve --port {port + 1 if port < 65535 else 8001}")
        return f"Het voorbeeld kan niet luisteren op {host}:{port} (foutcode {exc.errno}). Kies een andere poort met --port."


_BODY = re.compile(rb"<body[^>]*>")


class _Banner:
    """The problems of the last rebuild, shown at the top of every preview page while the
    input is broken. Set by the build thread, read by the server's request threads."""

    def __init__(self):
        self.html = b""
        self.lock = threading.Lock()

    def show(self, problems: list[Problem]) -> None:
        with self.lock:
            self.html = banner_html(problems).encode("utf-8") if any(p.is_error for p in problems) else b""

    def insert(self, content: bytes) -> bytes:
        with self.lock:
            banner = self.html
        body = _BODY.search(content) if banner else None
        if body is None:
            return content
        return content[:body.end()] + banner + content[body.end():]


def banner_html(problems: list[Problem]) -> str:
    """The Dutch banner: every problem as `check` prints it (file:line: fout: message, → hint)."""
    items = []
    for problem in problems:
        where = f"{problem.file}:{problem.line}" if problem.line else problem.file
        hint = f'<br><span class="kcr-voorbeeldfout-hint">→ {html.escape(problem.hint)}</span>' if problem.hint else ""
        items.append(f"<li><code>{html.escape(where)}</code>: {problem.severity.value}: "
                     f"{html.escape(problem.message)}{hint}</li>")
    return ('<div class="kcr-voorbeeldfout" role="alert" aria-labelledby="kcr-voorbeeldfout-titel">'
            f'<p id="kcr-voorbeeldfout-titel"><strong>De laatste wijziging bevat een fout ({html.escape(summary(problems))}).'
            "</strong> Je ziet nog de vorige versie van de site. Los de fout op en sla het bestand op: "
            "dit bericht verdwijnt dan vanzelf.</p>"
            f'<ul>{"".join(items)}</ul></div>')


class _SheetRenderer:
    """Renders outdated sheets and remakes the export files in a background thread, then asks
    the server for a rebuild.
    It works from the model the rebuild checked; it never reads or renders the input itself."""

    def __init__(self, project: Project, reporter: Reporter, jobs: int | None):
        self.project, self.reporter, self.jobs = project, reporter, jobs
        self.thread: threading.Thread | None = None
        self.latest = None  # the newest checked model to render from
        self.again = False
        self.lock = threading.Lock()

    def start(self, server, publication) -> None:
        with self.lock:
            self.latest = publication
            if self.thread is not None and self.thread.is_alive():
                self.again = True  # input changed while rendering: render once more afterwards
                return
            self.thread = threading.Thread(target=self._run, args=(server,), daemon=True)
            self.thread.start()

    def _run(self, server) -> None:
        while True:
            with self.lock:
                publication = self.latest
            if publication is not None:
                with build_lock(self.project, self.reporter):  # a `build` elsewhere prunes the same caches
                    result = build_sheets(self.project, publication, self.project.work / "pdf", jobs=self.jobs)
                    exports_changed = _remake_exports(self.project, publication)
                if result.rendered:
                    self.reporter.step(f"reflectiebladen bijgewerkt: {', '.join(result.rendered)}")
                if exports_changed:
                    self.reporter.step("exports bijgewerkt")
                if result.rendered or exports_changed:
                    _request_rebuild(server)
            with self.lock:
                if not self.again:
                    return
                self.again = False


def _remake_exports(project: Project, publication) -> bool:
    """The export files from the checked model; True when one of them changed. After a failure (a
    broken templates/exports/teksten.yaml) there is no stamp, so the next rebuild makes them itself
    and shows the problem."""
    target = project.work / "exports"
    stamp = target / STAMP_FILE
    before = stamp.read_bytes() if stamp.is_file() else None
    try:
        build_exports(project, publication, target)
    except InputError:
        stamp.unlink(missing_ok=True)
        return True
    return not stamp.is_file() or stamp.read_bytes() != before


def _request_rebuild(server) -> None:
    # LiveReloadServer has no public API for this; it is what its file watcher does.
    with server._rebuild_cond:
        server._want_rebuild = True
        server._rebuild_cond.notify_all()
