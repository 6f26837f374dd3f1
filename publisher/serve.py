"""Live preview: `python build.py serve`.

Builds into .cache/serve/ (never touching site/), serves it with MkDocs' live
reload server and rebuilds when anything under content/, indicators/,
templates/, site_config.yaml or mkdocs.yml changes. Pages come back within
about a second; sheets whose input changed are rendered in the background and
the pages are rebuilt once more when they are ready. An invalid edit prints the
Dutch problems and keeps serving the last good version.
"""

from __future__ import annotations

import logging
import threading

from .project import Project
from .report import Reporter
from .sheets import build_sheets
from .site import build_lock, build_site
from .validate import load_publication


def serve(project: Project, reporter: Reporter, port: int = 8000, jobs: int | None = None, host: str = "127.0.0.1") -> int:
    from mkdocs.livereload import LiveReloadServer

    root = project.work / "serve"
    output = root / "site"
    url = f"http://{host}:{port}/"
    background = _SheetRenderer(project, reporter, jobs)

    def rebuild() -> None:
        result = build_site(project, reporter, jobs=jobs, output=output, render_sheets=False,
                            preview_url=url, staging=root / "staging")
        if not result.ok:
            reporter.fail("De vorige versie blijft zichtbaar tot de fout is opgelost.")
        elif result.pending_sheets:
            background.start(server)

    problem = port_problem(host, port)
    if problem:  # before anything is built or announced
        reporter.fail(problem)
        return 1
    reporter.step("eerste bouw voor het voorbeeld")
    first = build_site(project, reporter, jobs=jobs, output=output, preview_url=url, staging=root / "staging")
    if not first.ok and not output.exists():
        reporter.fail("Het voorbeeld kan pas starten als de fouten hierboven zijn opgelost.")
        return 1

    logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(output))
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


class _SheetRenderer:
    """Renders outdated sheets in a background thread, then asks the server for a rebuild."""

    def __init__(self, project: Project, reporter: Reporter, jobs: int | None):
        self.project, self.reporter, self.jobs = project, reporter, jobs
        self.thread: threading.Thread | None = None
        self.again = False
        self.lock = threading.Lock()

    def start(self, server) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                self.again = True  # input changed while rendering: render once more afterwards
                return
            self.thread = threading.Thread(target=self._run, args=(server,), daemon=True)
            self.thread.start()

    def _run(self, server) -> None:
        while True:
            loaded = load_publication(self.project)
            if loaded.publication is not None:
                with build_lock(self.project, self.reporter):  # a `build` elsewhere prunes the same cache
                    result = build_sheets(self.project, loaded.publication, self.project.work / "pdf", jobs=self.jobs)
                if result.rendered:
                    self.reporter.step(f"reflectiebladen bijgewerkt: {', '.join(result.rendered)}")
                    _request_rebuild(server)
            with self.lock:
                if not self.again:
                    return
                self.again = False


def _request_rebuild(server) -> None:
    # LiveReloadServer has no public API for this; it is what its file watcher does.
    with server._rebuild_cond:
        server._want_rebuild = True
        server._rebuild_cond.notify_all()
