"""The live preview (`build.py serve`, issue 19): correct while two threads work at once,
and a mistake shows up in the browser, in Dutch, and goes away by itself when fixed."""

from __future__ import annotations

import threading
from pathlib import Path

from playwright.sync_api import expect

from conftest import ROOT, copy_project, run_cli, seed_pdf_cache
from test_browser import run_axe
from test_build import fetch, free_port, start_serve, stop_serve, wait_for

from publisher.pages import staged_pages
from publisher.project import Project
from publisher.sheets import sheet_source
from publisher.site_check import planned_downloads, render_page
from publisher.validate import load_publication


def test_rebuilds_and_sheet_renders_at_the_same_time_find_no_false_problem(monkeypatch) -> None:
    """What the preview does in two threads at once (a rebuild checks and renders every page;
    the sheet renderer makes the sheets' HTML), many times over: every check passes and every
    page and sheet is exactly what one thread alone makes. Remembered renderings are switched
    off, so that every page is really rendered each time."""
    from publisher import site_check

    monkeypatch.setattr(site_check, "_remembered", lambda project, key: None)
    monkeypatch.setattr(site_check, "_remember", lambda project, key, value: None)
    project = Project.at(ROOT)
    loaded = load_publication(project)
    assert not loaded.problems, loaded.problems
    publication = loaded.publication
    downloads, exports = planned_downloads(project, publication)
    staged = staged_pages(project, publication, loaded.pages, downloads, exports)
    expected_pages = {page.path: render_page(project, page).html for page in staged}
    expected_sheets = {s.id: sheet_source(project, publication, s).html for s in publication.instruments}
    failures: list[str] = []

    def rebuilds() -> None:
        for _ in range(4):
            found = load_publication(project)
            failures.extend(str(p) for p in found.problems)
            for page in staged:
                if render_page(project, page).html != expected_pages[page.path]:
                    failures.append(f"pagina {page.path} anders dan zonder tweede draad")

    def sheets() -> None:
        for _ in range(4):
            for school_type in publication.instruments:
                if sheet_source(project, publication, school_type).html != expected_sheets[school_type.id]:
                    failures.append(f"blad {school_type.id} anders dan zonder tweede draad")
            for page in staged:  # the old background thread also rendered Markdown
                if render_page(project, page).html != expected_pages[page.path]:
                    failures.append(f"pagina {page.path} anders dan zonder tweede draad")

    crashes: list[BaseException] = []

    def guarded(work) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - a crash in a thread must fail the test
            crashes.append(exc)

    threads = [threading.Thread(target=guarded, args=(work,)) for work in (rebuilds, sheets, rebuilds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not crashes, crashes
    assert not failures, failures[:10]


def test_preview_shows_the_change_then_the_mistake_then_the_fix(browser, built_project, tmp_path) -> None:
    project = copy_project(tmp_path / "project")
    seed_pdf_cache(built_project, project)
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_serve(project, port, log)
    page_url = f"http://127.0.0.1:{port}/bo/reflectievragen/"
    yaml_file = project / "indicators" / "bo.yaml"
    original = yaml_file.read_text(encoding="utf-8")
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    try:
        wait_for(lambda: "Ervaren leerlingen herkenning?" in fetch(page_url), timeout=90)
        page.goto(page_url)

        changed = original.replace("Ervaren leerlingen herkenning?", "Ervaren leerlingen herkenning in de klas?")
        yaml_file.write_text(changed, encoding="utf-8")
        expect(page.get_by_text("Ervaren leerlingen herkenning in de klas?").first).to_be_visible(timeout=60_000)

        # the changed sheets are rendered in the background, then the pages reload once more
        wait_for(lambda: "reflectiebladen bijgewerkt" in log.read_text(encoding="utf-8"), timeout=120)

        broken = changed + "\tkapot: ja\n"
        yaml_file.write_text(broken, encoding="utf-8")
        tab_line = broken.split("\n").index("\tkapot: ja") + 1
        banner = page.locator(".kcr-voorbeeldfout")
        # the page reloads by itself (live reload; once more when the background sheets are done)
        expect(banner).to_contain_text(f"indicators/bo.yaml:{tab_line}: fout: er staat een tab-teken", timeout=60_000)
        expect(banner).to_contain_text("Je ziet nog de vorige versie")
        expect(banner).to_have_attribute("role", "alert")
        expect(page.get_by_text("Ervaren leerlingen herkenning in de klas?").first).to_be_visible()  # last good version
        # the same page with the banner passes axe (injected in a context that may run it)
        checker = browser.new_context(locale="nl-NL", bypass_csp=True)
        try:
            axe_page = checker.new_page()
            axe_page.route("**/livereload/**", lambda route: route.abort())  # no reload while axe runs
            axe_page.goto(page_url)
            expect(axe_page.locator(".kcr-voorbeeldfout")).to_have_count(1)
            assert run_axe(axe_page) == []
        finally:
            checker.close()

        yaml_file.write_text(changed, encoding="utf-8")
        expect(banner).to_have_count(0, timeout=60_000)
        expect(page.get_by_text("Ervaren leerlingen herkenning in de klas?").first).to_be_visible()
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        context.close()
        stop_serve(process)
    assert "Traceback" not in log.read_text(encoding="utf-8")


def _site_files(site: Path) -> dict[str, bytes]:
    return {file.relative_to(site).as_posix(): file.read_bytes() for file in sorted(site.rglob("*")) if file.is_file()}


def _edit(project: Path) -> None:
    """A question of one school type, a Markdown page (a new heading) and a page that links to it."""
    bo = project / "indicators" / "bo.yaml"
    text = bo.read_text(encoding="utf-8")
    assert text.count("Ervaren leerlingen herkenning?") == 1
    bo.write_text(text.replace("Ervaren leerlingen herkenning?", "Ervaren leerlingen herkenning in de klas?"),
                  encoding="utf-8")
    with open(project / "content" / "verantwoording.md", "a", encoding="utf-8") as page:
        page.write("\n## Nieuw in deze editie\n\nEen alinea die er eerst niet was.\n")
    with open(project / "content" / "over-kcr.md", "a", encoding="utf-8") as page:
        page.write("\nZie ook [wat nieuw is](verantwoording.md#nieuw-in-deze-editie).\n")


def preview_build(project: Project, render_sheets: bool):
    """What `serve` does on a rebuild (publisher/serve.py): a checked build into its own folder,
    staged for the preview's address."""
    from publisher.report import Reporter
    from publisher.site import build_site

    result = build_site(project, Reporter(quiet=True), output=project.work / "serve" / "site",
                        render_sheets=render_sheets, preview_url="http://127.0.0.1:8123/",
                        staging=project.work / "serve" / "staging")
    assert result.ok, result.problems
    return result


def test_preview_after_an_edit_serves_exactly_what_a_fresh_build_gives(built_project, tmp_path) -> None:
    """The preview re-renders only what an edit affects (remembered page renders, sheets in the
    background); once the background work is done, what it serves is byte for byte what a fresh
    build of the edited input gives at the same address, with nothing remembered but the
    (content-keyed) PDFs. The preview's own code does the work: its rebuild and its sheet renderer."""
    from publisher.report import Reporter
    from publisher.serve import _SheetRenderer

    reporter = Reporter(quiet=True)
    preview = Project.at(copy_project(tmp_path / "preview"))
    seed_pdf_cache(built_project, preview.root)
    preview_build(preview, True)  # the preview's first build; every page render is remembered now
    before = _site_files(preview.work / "serve" / "site")
    _edit(preview.root)
    result = preview_build(preview, False)
    assert sorted(result.pending_sheets) == ["reflectievragen-bo-invulbaar.pdf", "reflectievragen-bo.pdf"]

    class Server:  # what _SheetRenderer asks of MkDocs' live-reload server
        _rebuild_cond = threading.Condition()
        _want_rebuild = False

    renderer = _SheetRenderer(preview, reporter, None)
    renderer.latest = result.publication
    renderer._run(Server)
    assert Server._want_rebuild, "the background renderer asks for a rebuild once the sheets are there"
    preview_build(preview, False)
    served = _site_files(preview.work / "serve" / "site")

    # The fresh build in the same folder (sheets are keyed by their inputs, which name the folder).
    previewed = preview.root.rename(tmp_path / "previewed")
    fresh = Project.at(copy_project(tmp_path / "preview"))
    _edit(fresh.root)
    (fresh.work / "pdf").mkdir(parents=True)
    for pdf in (previewed / ".cache" / "pdf").iterdir():  # only the sheets (and seals): every page is rendered anew
        (fresh.work / "pdf" / pdf.name).write_bytes(pdf.read_bytes())
    assert preview_build(fresh, True).rendered_sheets == []
    expected = _site_files(fresh.work / "serve" / "site")

    assert served.keys() == expected.keys()
    assert [name for name in expected if served[name] != expected[name]] == []
    changed = {name for name in expected if before.get(name) != expected[name]}
    # the edits did change what is served (so the comparison above is not of two old versions)
    assert {"bo/reflectievragen/index.html", "verantwoording/index.html", "over-kcr/index.html",
            "downloads/reflectievragen-bo.pdf"} <= changed


def test_a_build_keeps_the_previews_remembered_page_renders(built_project, tmp_path) -> None:
    """`build` and the live preview stage the site for different addresses, so their page
    renders differ; each keeps its own (.cache/pages/, .cache/serve/pages/) and a build between
    two preview rebuilds does not make the preview render every page again."""
    project = Project.at(copy_project(tmp_path / "project"))
    seed_pdf_cache(built_project, project.root)
    preview_build(project, True)
    previewed = sorted(path.name for path in (project.work / "serve" / "pages").glob("*.json"))
    assert len(previewed) >= 27  # every page of the site (26 in the menu), remembered
    code, output = run_cli(["build"], project.root)
    assert code == 0, output
    built = sorted(path.name for path in (project.work / "pages").glob("*.json"))
    assert len(built) == len(previewed) and not set(built) & set(previewed)  # other address, other renders
    assert sorted(path.name for path in (project.work / "serve" / "pages").glob("*.json")) == previewed
