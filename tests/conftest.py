"""Shared test fixtures. Tests run against the real project files; tests that
change files work on a copy in a temporary directory."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import http.server
import io
import shutil
import socketserver
import threading
from pathlib import Path

import pytest

from publisher.accessibility import statement_inputs

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ["content", "indicators", "templates", "site_config.yaml", "mkdocs.yml", "gepubliceerd"]


# Whether the suite itself runs in CI (.ci/run sets CI=true): read once, before the fixture
# below hides it from the code under test.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true")


@pytest.fixture(autouse=True, scope="session")
def outside_github_actions():
    """Tests run as on a developer's machine. In GitHub Actions, GITHUB_ACTIONS would make every
    `check` a test runs write annotations onto the pull request and into the real job summary,
    and CI=true makes every build quiet (no steps, no summary line); the tests of those
    (tests/test_pull_request.py, test_bad_input.py) set the variables themselves."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF"):
            patch.delenv(name, raising=False)
        yield


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)
    # What the page Toegankelijkheid is generated from (publisher/accessibility.py).
    shutil.copy2(ROOT / "requirements.lock", target / "requirements.lock")
    (target / "tests").mkdir(exist_ok=True)
    for test_file in statement_inputs(ROOT / "tests"):  # test markers, vendored tools' versions
        copy = target / "tests" / test_file.relative_to(ROOT / "tests")
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(test_file, copy)
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run_cli(args: list[str], root: Path) -> tuple[int, str]:
    """Run build.py's main in-process; returns (exit code, everything printed)."""
    from publisher.cli import main

    output = io.StringIO()
    with contextlib.redirect_stderr(output), contextlib.redirect_stdout(output):
        code = main(args, root=root)
    return code, output.getvalue()


def run_limited(code: str, stdin: str = "", memory: int = 1 << 30, seconds: int = 60) -> str:
    """Run Python `code` (reading `stdin`) in a child process with at most `memory` bytes of address space and
    `seconds` of CPU and wall-clock time; returns what it printed. For tests of refusals that
    would eat the machine if they regressed (billion laughs, deep nesting): a regression then
    fails this test with MemoryError or a time-out instead of taking the runner down."""
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))

    try:
        result = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True, timeout=seconds,
                                preexec_fn=limit, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail(f"niet klaar binnen {seconds} s (de weigering werkt niet meer?)")
    assert result.returncode == 0, (f"stopte met code {result.returncode} binnen {memory >> 20} MB / {seconds} s "
                                    f"(de weigering werkt niet meer?):\n{result.stderr[-2000:]}")
    return result.stdout


WARM_CACHES = ("pdf", "check", "audit", "exports", "exports-word", "jinja")  # content-keyed; not stamps/staging


def seed_pdf_cache(source: Path, target: Path) -> None:
    """Give a project copy the content-keyed caches of another build (rendered PDFs, checked
    pages, audits, exports), as an editor's warm machine has them."""
    for name in WARM_CACHES:
        cache = source / ".cache" / name
        if cache.is_dir():
            shutil.copytree(cache, target / ".cache" / name, dirs_exist_ok=True)


def built_once(tmp_path_factory, worker_id: str, key: str, make) -> Path:
    """A project made by `make(target)` and built (site/ and all PDFs) once per test run for
    `key`: under pytest-xdist the first worker to ask builds it, under a lock in the run's
    shared temporary folder; every caller gets its own copy of the result, so nothing a test
    changes is shared between modules or workers."""
    import fcntl

    mine = tmp_path_factory.mktemp(key) / "project"
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / f"gebouwd-{key}" / "project"
    shared.parent.mkdir(parents=True, exist_ok=True)
    with open(shared.parent.with_name(f"{shared.parent.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when the build fails
        if not (shared.parent / "klaar").exists():
            shutil.rmtree(shared, ignore_errors=True)  # an earlier failed attempt
            make(shared)
            code, output = run_cli(["build"], shared)
            assert code == 0, output
            (shared.parent / "klaar").write_text("")
    shutil.rmtree(mine, ignore_errors=True)
    shutil.copytree(shared, mine, symlinks=True)
    return mine


@pytest.fixture(scope="session")
def built_project(tmp_path_factory, worker_id) -> Path:
    """A copy of the project, built (built_once)."""
    return built_once(tmp_path_factory, worker_id, "kcr", copy_project)


def built_fixture_project(name: str, tmp_path_factory, worker_id) -> Path:
    """A copy of fixture publication `name` (fixture_project), built (built_once)."""
    return built_once(tmp_path_factory, worker_id, name, functools.partial(fixture_project, name))


@pytest.fixture
def warm_project(built_project: Path, tmp_path: Path) -> Path:
    """A copy of the project, built here, whose caches are warm (no PDF needs rendering)."""
    project = copy_project(tmp_path / "project")
    seed_pdf_cache(built_project, project)
    code, output = run_cli(["build"], project)
    assert code == 0, output
    return project


@pytest.fixture(scope="session")
def site_dir(built_project: Path) -> Path:
    return built_project / "site"


@pytest.fixture(scope="session")
def publication():
    from publisher.project import Project
    from publisher.validate import load_publication

    loaded = load_publication(Project.at(ROOT))
    assert not loaded.errors, "\n".join(map(str, loaded.errors))
    return loaded.publication


def tree_digest(directory: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves like GitHub Pages: a missing address gets the site's own 404.html (with status 404)."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = None
        if code == 404:  # os.walk, unlike Path.rglob before 3.13, follows the symlinked mount
            page = next((Path(folder) / "404.html" for folder, _, files in os.walk(self.directory, followlinks=True)
                         if "404.html" in files), None)
        if page is None:
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A browser that stopped reading (it went on to the next page, or a test aborted the
        request) is no error of the site: not a traceback in the test log. Anything else is."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_directory(directory: Path):
    """Serve a directory over HTTP on a free localhost port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium ontbreekt: sudo apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_settled(page, url: str, quiet: float = 0.15):
    """`page.goto(url)` and wait until everything the page loads by itself (fonts, the search
    engine's scripts, index and WebAssembly) has arrived and the network has been quiet for
    `quiet` seconds; returns the response. The same state as Playwright's
    wait_until="networkidle" (the same requests, all seen by the page's listeners), without its
    fixed half second of silence per page (21 of the 30 seconds of the axe run over 31 pages)."""
    if getattr(page, "kcr_in_flight", None) is None:
        in_flight = page.kcr_in_flight = set()
        page.on("request", lambda request: in_flight.add(request))
        page.on("requestfinished", lambda request: in_flight.discard(request))
        page.on("requestfailed", lambda request: in_flight.discard(request))
    page.kcr_in_flight.clear()  # requests of the page before (a navigation cancels them)
    response = page.goto(url, wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    idle, waited, step = 0.0, 0.0, 0.025
    while idle < quiet:
        assert waited < 30, f"{url}: na 30 s nog niet binnen: {sorted(r.url for r in page.kcr_in_flight)}"
        page.wait_for_timeout(step * 1000)
        waited += step
        idle = idle + step if not page.kcr_in_flight else 0.0
    return response


def watched_page(browser, width: int = 1280, height: int | None = None, **options):
    """A new context and page (Dutch, downloads allowed) that collects in `page.problems` every
    console error, uncaught script error and request to another host (refused), and in
    `page.requests` every URL it asked for. Returns (context, page); the caller closes the context."""
    context = browser.new_context(viewport={"width": width, "height": height or (844 if width < 500 else 900)},
                                  locale="nl-NL", accept_downloads=True, **options)
    page = context.new_page()
    page.problems, page.requests = [], []
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))

    refuse_other_hosts(page, lambda url: page.problems.append("extern: " + url))
    return context, page


# A URL with a host other than the test server's (127.0.0.1). Not data:, blob: or file: URLs.
# A regular expression, not a function: Playwright matches it in the browser's driver, so the
# page's own requests are never held up by a round trip to Python.
OTHER_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?!127\.0\.0\.1(?:[:/?#]|$))[^/?#]", re.IGNORECASE)


def refuse_other_hosts(page, record) -> None:
    """Abort every request `page` makes to another host, after `record(url)`."""
    def refuse(route):
        record(route.request.url)
        route.abort()

    page.route(OTHER_HOST, refuse)


def choose_files(page, button: str, paths, until: str = ".") -> str:
    """Choose files through a form button as a reader does, and return the message (#kcr-melding)
    the form shows once it is done: the first text matching the regular expression `until`.
    The message is emptied first, so that the previous action's message (such as "Alles is
    gewist") never passes for this one's."""
    page.evaluate("() => { document.getElementById('kcr-melding').textContent = '' }")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=button, exact=True).click()
    chooser.value.set_files([str(p) for p in paths] if isinstance(paths, (list, tuple)) else str(paths))
    page.wait_for_function("until => new RegExp(until).test(document.getElementById('kcr-melding').textContent)", arg=until)
    return page.locator("#kcr-melding").inner_text()


@pytest.fixture(scope="session")
def site_url(site_dir: Path, publication, tmp_path_factory):
    """The built site served under the same path as in production (site_config's basis_url),
    so that pages with absolute links, like 404.html, work as they will online."""
    from urllib.parse import urlparse

    prefix = urlparse(publication.config.base_url).path.strip("/")
    root = tmp_path_factory.mktemp("webroot")
    mount = root / prefix if prefix else root
    mount.parent.mkdir(parents=True, exist_ok=True)
    if prefix:
        mount.symlink_to(site_dir, target_is_directory=True)
    with serve_directory(root if prefix else site_dir) as url:
        yield url + (prefix + "/" if prefix else "")


def open_search(page) -> None:
    """Open the site's search window (Pagefind, the button in the header) as a reader does."""
    page.locator("pagefind-modal-trigger button").first.click()
    page.locator("pagefind-modal input").first.wait_for(state="visible")


def type_search(page, query: str, school_type: str | None = None) -> list[tuple[str, str]]:
    """Type `query` key by key into the open search window (optionally after choosing a school
    type in its filter), wait for the summary of this search, scroll through every result (they
    load as they come into view) and return (href, title) of each, in rank order."""
    if school_type:
        page.locator("#kcr-zoek-schooltype").select_option(label=school_type)
    page.locator("pagefind-modal input").first.press_sequentially(query)
    page.wait_for_function(
        "q => { const s = document.querySelector('pagefind-modal pagefind-summary').textContent;"
        " return s.includes(q) && !s.includes('Zoeken naar') }", arg=query, timeout=60_000)
    # The summary says how many pages match ("12 resultaten voor …"); results load in pages as
    # they scroll into view, so scroll until that many are there, each with its link.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_for_every_result(page)
    except PlaywrightTimeout:
        state = page.evaluate("() => { const items = [...document.querySelectorAll('pagefind-modal pagefind-results .pf-result')];"
                              " const pending = items.filter(i => !i.querySelector('.pf-result-link'));"
                              " return [document.querySelector('pagefind-modal pagefind-summary').textContent, items.length,"
                              " pending.map(i => i.outerHTML.slice(0, 300))] }")
        raise AssertionError(f"zoeken naar {query!r}: niet alle resultaten geladen (samenvatting, aantal): {state}")
    return [tuple(item) for item in page.evaluate(
        "() => [...document.querySelectorAll('pagefind-modal pagefind-results .pf-result .pf-result-link')]"
        ".map(a => [a.getAttribute('href'), a.textContent.trim()])")]


def _wait_for_every_result(page) -> None:
    page.wait_for_function("""() => {
        const summary = document.querySelector('pagefind-modal pagefind-summary').textContent;
        const expected = Number((summary.match(/(\\d+) resulta/) || [0, 0])[1]);
        const items = [...document.querySelectorAll('pagefind-modal pagefind-results .pf-result')];
        const pending = items.find(item => !item.querySelector('.pf-result-link'));
        // Results load when they come into view: bring the first one still loading into view,
        // every other poll from the top again, so it enters the view anew if it was already there.
        window.kcrScrollTurn = !window.kcrScrollTurn;
        if (pending) (window.kcrScrollTurn || !items[0] ? pending : items[0]).scrollIntoView();
        return items.length === expected && !pending }""",
        timeout=60_000, polling=100)


FIXTURE_PROJECTS = ROOT / "tests" / "fixtures"


def fixture_project(name: str, target: Path) -> Path:
    """A project made of a fixture publication (tests/fixtures/<name>/: site_config.yaml,
    content/, indicators/) and this repository's own tool files (templates, mkdocs.yml, the
    files the accessibility page reads). `instrumenten` has the answer forms open, geen and
    rubriek, which the KCR publication does not use."""
    copy_project(target)
    for folder in ("content", "indicators", "gepubliceerd"):  # gepubliceerd: KCR's published ids; a fixture may have its own
        shutil.rmtree(target / folder, ignore_errors=True)
        if (FIXTURE_PROJECTS / name / folder).is_dir():
            shutil.copytree(FIXTURE_PROJECTS / name / folder, target / folder)
    shutil.copy2(FIXTURE_PROJECTS / name / "site_config.yaml", target / "site_config.yaml")
    return target


# The publications whose YAML the fast model tests read directly (no build, no check).
PUBLICATION_FOLDERS = {"kcr": ROOT, "instrumenten": ROOT / "tests" / "fixtures" / "instrumenten",
                       "lindeoord": ROOT / "voorbeelden" / "lindeoord"}


def load_yaml(path: Path):
    """An editor's YAML file as plain data (yaml.safe_load), independent of the publisher's reader."""
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def publication_from_data(config: dict, glossary, instruments: dict):
    """The model from plain data (site_config, the glossary or None, {id: instrument}); no page checks."""
    from publisher.model import Glossary, Instrument, Publication, SiteConfig

    return Publication(config=SiteConfig.model_validate(config),
                       glossary=Glossary.model_validate(glossary if glossary is not None else []),
                       instruments=[Instrument.model_validate(instruments[i]) for i in config["instrumenten"]])


def publication_from_yaml(folder: Path):
    """The model built straight from a publication's YAML files (no page checks)."""
    config = load_yaml(folder / "site_config.yaml")
    glossary = folder / "content" / "begrippen.yaml"
    return publication_from_data(config, load_yaml(glossary) if glossary.exists() else None,
                                 {i: load_yaml(folder / "indicators" / f"{i}.yaml") for i in config["instrumenten"]})


def items_in_reading_order(instrument: dict) -> list[dict]:
    """Every item of an instrument's plain YAML in reading order (the oracle of numbering): its own
    items, then per section (0–2 levels) its subsections before its own items."""
    def walk(sections):
        for section in sections:
            yield from walk(section.get("secties", []))
            yield from section.get("items", [])
    return list(instrument.get("items", [])) + list(walk(instrument.get("secties", [])))
