"""Build behaviour: atomic swap, incremental PDFs, live preview, set-up messages."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, run_cli, seed_pdf_cache, tree_digest
from publisher.project import Project
from publisher.report import Reporter
from publisher.site import build_site

pytestmark = pytest.mark.slow

GO_QUESTION = "tekst: Nemen escalaties/incidenten af over tijd?"
LONGER = " ".join(f"Noteer bij meting {n} wat er in week {n * 3} anders ging dan in de weken ervoor, en waarom."
                  for n in range(1, 25))


def lengthen_the_go_question(project: Path, addition: str) -> None:
    """Add `addition` to one question of go.yaml (before its question mark): that school type's
    two sheets must be rendered again, and they have earlier renders."""
    yaml_file = project / "indicators" / "go.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    assert GO_QUESTION in text
    yaml_file.write_text(text.replace(GO_QUESTION, GO_QUESTION[:-1] + addition + "?"), encoding="utf-8")


def rebuild(project: Path):
    import io

    return build_site(Project.at(project), Reporter(quiet=True, stream=io.StringIO()))


def test_failed_build_leaves_previous_site_untouched(warm_project) -> None:
    before = tree_digest(warm_project / "site")
    yaml_file = warm_project / "indicators" / "go.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("  - id: hoe\n", "\t- id: hoe\n"), encoding="utf-8")
    code, output = run_cli(["build"], warm_project)
    assert code == 1
    assert "indicators/go.yaml" in output and "tab-teken" in output
    assert "De vorige versie in site/ is niet aangepast." in output
    assert tree_digest(warm_project / "site") == before
    assert not (warm_project / ".site.new").exists()


def test_failed_site_step_leaves_previous_site_untouched(warm_project) -> None:
    """A failure after the check (here: MkDocs refusing a broken theme) must not touch site/ either."""
    before = tree_digest(warm_project / "site")
    mkdocs = warm_project / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace("name: material", "name: bestaat-niet"), encoding="utf-8")
    code, output = run_cli(["build"], warm_project)
    assert code == 1 and "fout" in output and "Traceback" not in output
    assert tree_digest(warm_project / "site") == before


PAGE_EDIT = ("Er is een tweede kostbare pijler", "Er is een tweede, even kostbare pijler")


def edit_a_page(project: Path) -> None:
    """Change a sentence of a content page: the next site differs from site/, no sheet needs rendering."""
    page = project / "content" / "voorwoord.md"
    text = page.read_text(encoding="utf-8")
    assert text.count(PAGE_EDIT[0]) == 1
    page.write_text(text.replace(*PAGE_EDIT), encoding="utf-8")


def _mkdocs_warns_about_a_broken_anchor(project: Path, monkeypatch) -> None:
    """MkDocs checks anchors only after it has written every page; in strict mode a broken
    anchor the input check missed then stops the build. Simulated here (the check catches
    every broken anchor we know of) by a warning from the same place, with MkDocs' wording."""
    import logging

    from mkdocs.structure.pages import Page

    real = Page.validate_anchor_links

    def validate(self, *, files, log_level):
        real(self, files=files, log_level=log_level)
        if self.file.src_uri == "voorwoord.md":
            logging.getLogger("mkdocs.structure.pages").warning(
                "Doc file 'voorwoord.md' contains a link '#bestaat-niet', but there is no such anchor on this page.")

    monkeypatch.setattr(Page, "validate_anchor_links", validate)


def _search_index_fails(project: Path, monkeypatch) -> None:
    """Pagefind fails after MkDocs wrote the site (e.g. a full disk or a broken binary)."""
    import publisher.site
    from publisher.problems import error

    monkeypatch.setattr(publisher.site, "index_site", lambda site: [
        error("site/pagefind/", None, "de zoekindex kon niet gemaakt worden", "Technische melding: proef")])


def _theme_loads_a_script_from_elsewhere(project: Path, monkeypatch) -> None:
    """A developer adds a statistics script from another host to the theme: MkDocs writes every
    page with it, then the audit of the built pages refuses the site."""
    main = project / "templates" / "site" / "main.html"
    text = main.read_text(encoding="utf-8")
    assert text.count("{% block scripts %}") == 1
    main.write_text(text.replace("{% block scripts %}", "{% block scripts %}\n"
                                 "  <script src=\"https://statistiek.example/teller.js\"></script>"), encoding="utf-8")


LATE_FAILURES = {"mkdocs-anker": _mkdocs_warns_about_a_broken_anchor, "zoekindex": _search_index_fails,
                 "controle-na-bouw": _theme_loads_a_script_from_elsewhere}


@pytest.mark.parametrize("failure, with_sheet", [*((name, False) for name in LATE_FAILURES), ("controle-na-bouw", True)],
                         ids=[*LATE_FAILURES, "controle-na-bouw-met-reflectieblad"])
def test_late_failure_leaves_site_byte_identical_and_says_so(warm_project, monkeypatch, failure, with_sheet) -> None:
    """A build that fails after MkDocs has written the new pages (not in the input check) must
    leave site/ byte for byte as it was, and its message that site/ is unchanged must be true.
    With a changed sheet the site is first made while the sheet renders (with its earlier render),
    fails there, and is made again with the new sheet, which fails the same way: one message."""
    import publisher.site
    import yaml

    before = tree_digest(warm_project / "site")
    theme = (warm_project / "templates" / "site" / "main.html").read_text(encoding="utf-8")
    edit_a_page(warm_project)
    if with_sheet:
        lengthen_the_go_question(warm_project, " (laat)")
    LATE_FAILURES[failure](warm_project, monkeypatch)
    written = []  # what MkDocs had written when it was done: proof that the failure came late
    real_run_mkdocs = publisher.site.run_mkdocs

    def spy(config_file, project):
        problems = real_run_mkdocs(config_file, project)
        site_dir = Path(yaml.safe_load(config_file.read_text(encoding="utf-8"))["site_dir"])
        page = site_dir / "voorwoord" / "index.html"
        written.append(page.is_file() and PAGE_EDIT[1] in page.read_text(encoding="utf-8"))
        return problems

    monkeypatch.setattr(publisher.site, "run_mkdocs", spy)
    code, output = run_cli(["build"], warm_project)

    assert written == [True] * (2 if with_sheet else 1), "MkDocs schreef de gewijzigde pagina niet: de fout kwam niet laat genoeg"
    assert code == 1, output
    assert output.count("✗ Bouw gestopt bij 'site':") == 1 and "Traceback" not in output
    problem_lines = [line for line in output.splitlines() if ": fout: " in line]
    assert problem_lines and len(problem_lines) == len(set(problem_lines)), output
    assert "De vorige versie in site/ is niet aangepast." in output
    assert tree_digest(warm_project / "site") == before, "site/ is veranderd door een mislukte bouw"
    assert not (warm_project / ".site.new").exists()

    # Without the failure the same build publishes the change (so the edit did reach MkDocs).
    monkeypatch.undo()
    (warm_project / "templates" / "site" / "main.html").write_text(theme, encoding="utf-8")
    code, output = run_cli(["build"], warm_project)
    assert code == 0, output
    assert PAGE_EDIT[1] in (warm_project / "site" / "voorwoord" / "index.html").read_text(encoding="utf-8")


def test_editing_the_site_theme_rebuilds_the_site(warm_project) -> None:
    """templates/site/ is read by MkDocs too: a new stylesheet rule or a changed theme override
    must be published by the next build, not skipped as 'niets veranderd'."""
    css = warm_project / "templates" / "site" / "assets" / "stylesheets" / "kcr.css"
    rule = "\n.kcr-afdrukadres { letter-spacing: 0.02em; }\n"
    css.write_text(css.read_text(encoding="utf-8") + rule, encoding="utf-8")
    main = warm_project / "templates" / "site" / "main.html"
    text = main.read_text(encoding="utf-8")
    assert text.count(", editie {{ config.extra.editie }}</p>") == 1
    main.write_text(text.replace(", editie {{ config.extra.editie }}</p>", ", uitgave {{ config.extra.editie }}</p>"),
                    encoding="utf-8")

    code, output = run_cli(["build"], warm_project)

    assert code == 0, output
    assert "✓ Klaar: site/ is bijgewerkt." in output, output  # not "site/ was al bijgewerkt"
    published = (warm_project / "site" / "assets" / "stylesheets" / "kcr.css").read_text(encoding="utf-8")
    assert published.endswith(rule)
    page = (warm_project / "site" / "bo" / "resultaten" / "index.html").read_text(encoding="utf-8")
    assert "Impactonderzoek KunstPakt CmK3, uitgave 2025</p>" in page
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and "✓ Klaar: site/ was al bijgewerkt." in output, "daarna is er niets meer te doen"


def test_no_change_rebuild_renders_no_pdf(warm_project) -> None:
    result = rebuild(warm_project)
    assert result.ok
    assert result.rendered_sheets == []


def test_editing_one_school_type_rerenders_only_its_sheets(warm_project) -> None:
    yaml_file = warm_project / "indicators" / "go.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("tekst: Nemen escalaties/incidenten af over tijd?",
                                      "tekst: Nemen escalaties/incidenten merkbaar af over tijd?"), encoding="utf-8")
    result = rebuild(warm_project)
    assert result.ok
    assert sorted(result.rendered_sheets) == ["reflectievragen-go-invulbaar.pdf", "reflectievragen-go.pdf"]
    page = (warm_project / "site" / "go" / "reflectievragen" / "index.html").read_text(encoding="utf-8")
    assert "Nemen escalaties/incidenten merkbaar af over tijd?" in page
    assert len(list((warm_project / ".cache" / "pdf").glob("*.pdf"))) == 6, "oude versies worden opgeruimd"


@pytest.mark.parametrize("addition, sizes_kept", [(" (meting 2026)", True), (" " + LONGER, False)],
                         ids=["zelfde-grootte", "andere-grootte"])
def test_a_site_made_while_the_sheets_render_is_what_a_build_after_the_sheets_makes(
        warm_project, tmp_path, monkeypatch, addition, sizes_kept) -> None:
    """While a changed sheet renders, the build makes the site with the sheet's earlier render (only
    the sizes shown on a few pages and the PDF files depend on the sheet) and keeps that site when
    its pages come out the same with the new sheet. Either way site/ is byte for byte what a build
    that waits for the sheets makes, and the next build finds nothing changed."""
    import shutil

    from publisher import sheets, site

    reference = tmp_path / "referentie"
    shutil.copytree(warm_project, reference, symlinks=True)
    downloads_before = (warm_project / "site" / "downloads" / "index.html").read_text(encoding="utf-8")
    for project in (warm_project, reference):
        lengthen_the_go_question(project, addition)
    with monkeypatch.context() as patch:  # the reference waits for the sheets: no earlier renders offered
        patch.setattr(sheets, "_provisional", lambda *args: None)
        assert rebuild(reference).ok
    # Whether the sizes on the pages changed, read from the published pages themselves.
    assert ((reference / "site" / "downloads" / "index.html").read_text(encoding="utf-8") == downloads_before) is sizes_kept

    judged = []
    stands_with = site._Site.stands_with
    monkeypatch.setattr(site._Site, "stands_with", lambda draft, *args: judged.append(stands_with(draft, *args)) or judged[-1])
    result = rebuild(warm_project)
    assert result.ok and sorted(result.rendered_sheets) == ["reflectievragen-go-invulbaar.pdf", "reflectievragen-go.pdf"]
    assert judged == [sizes_kept], "de site van tijdens het maken van de bladen is (niet) gebruikt"
    assert tree_digest(warm_project / "site") == tree_digest(reference / "site")
    for pdf in ("reflectievragen-go.pdf", "reflectievragen-go-invulbaar.pdf"):
        assert b"meting" in pdf_bytes_text(warm_project / "site" / "downloads" / pdf)
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and "✓ Klaar: site/ was al bijgewerkt." in output, output


def test_a_sheet_that_fails_after_the_site_was_made_meanwhile_leaves_nothing_behind(warm_project) -> None:
    """Every sheet has an earlier render, so the site is made while they render; then WeasyPrint
    refuses the stylesheet. The build stops at the sheets, site/ stays as it was, and the site
    made meanwhile is removed (no .site.new next to site/)."""
    before = tree_digest(warm_project / "site")
    css = warm_project / "templates" / "sheets" / "reflectieblad.css"
    css.write_text("@import url('http://example.com/huisstijl.css');\n" + css.read_text(encoding="utf-8"), encoding="utf-8")
    made = []
    import publisher.site

    real = publisher.site._make_site
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publisher.site, "_make_site", lambda *args, **kwargs: made.append(real(*args, **kwargs)) or made[-1])
        code, output = run_cli(["build"], warm_project)
    assert code == 1, output
    assert "✗ Bouw gestopt bij 'reflectiebladen'" in output and "buiten deze computer: http://example.com/huisstijl.css" in output
    assert len(made) == 1 and not made[0].problems, "de site werd niet gemaakt terwijl de bladen werden gemaakt"
    assert tree_digest(warm_project / "site") == before
    assert not (warm_project / ".site.new").exists()


def pdf_bytes_text(pdf: Path) -> bytes:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout


def test_changing_a_sheet_template_rerenders_every_sheet(warm_project) -> None:
    css = warm_project / "templates" / "sheets" / "reflectieblad.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh3 { letter-spacing: 0.01em; }\n", encoding="utf-8")
    result = rebuild(warm_project)
    assert result.ok and len(result.rendered_sheets) == 6


def test_clean_removes_outputs(warm_project) -> None:
    code, _ = run_cli(["clean"], warm_project)
    assert code == 0
    assert not (warm_project / "site").exists() and not (warm_project / ".cache").exists()
    assert (warm_project / "content").is_dir()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def fetch_bytes(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def wait_for(condition, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            if condition():
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"niet binnen {timeout} s")


def start_serve(project: Path, port: int, log: Path) -> subprocess.Popen:
    """`build.py serve` of `project` on `port` in its own process, its output in `log`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-c", "import sys; from publisher.cli import main; "
                                 f"sys.exit(main(['serve', '--port', '{port}'], root=sys.argv[1]))", str(project)],
                                stdout=out, stderr=subprocess.STDOUT, env=env)


def stop_serve(process: subprocess.Popen) -> None:
    """Stop the preview as a person does (Ctrl+C); kill it if it does not stop."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_serve_picks_up_yaml_change_and_survives_bad_input(built_project, tmp_path) -> None:
    project = copy_project(tmp_path / "project")
    seed_pdf_cache(built_project, project)
    (project / "build.py").write_text((ROOT / "build.py").read_text(encoding="utf-8"), encoding="utf-8")
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_serve(project, port, log)
    page_url = f"http://127.0.0.1:{port}/bo/reflectievragen/"
    pdf_url = f"http://127.0.0.1:{port}/downloads/reflectievragen-bo.pdf"
    yaml_file = project / "indicators" / "bo.yaml"
    try:
        wait_for(lambda: "Ervaren leerlingen herkenning?" in fetch(page_url), timeout=60)

        text = yaml_file.read_text(encoding="utf-8")
        yaml_file.write_text(text.replace("Ervaren leerlingen herkenning?", "Ervaren leerlingen herkenning in de klas?"),
                             encoding="utf-8")
        wait_for(lambda: "Ervaren leerlingen herkenning in de klas?" in fetch(page_url), timeout=60)
        # The page came back without waiting for the sheets: the rebuild rendered none and left the
        # two changed ones to the background (how long it takes is measured by bench/preview.py).
        assert "• reflectiebladen: 0 van 6 opnieuw gemaakt; 2 worden op de achtergrond bijgewerkt" in \
            log.read_text(encoding="utf-8")
        # the changed sheets are rendered in the background and land in the preview
        wait_for(lambda: re.search(r"reflectiebladen bijgewerkt: reflectievragen-bo(-invulbaar)?\.pdf, reflectievragen-bo",
                                   log.read_text(encoding="utf-8")), timeout=60)
        wait_for(lambda: "herkenning in de klas?" in pdf_text(fetch_bytes(pdf_url)), timeout=60)
        # the export files, too, are remade in the background (the rebuild used them as they were)
        csv_url = f"http://127.0.0.1:{port}/downloads/reflectievragen-bo.csv"
        wait_for(lambda: "herkenning in de klas?" in fetch_bytes(csv_url).decode("utf-8-sig"), timeout=60)
        assert "exports bijgewerkt" in log.read_text(encoding="utf-8")

        yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "\tkapot: ja\n", encoding="utf-8")
        wait_for(lambda: "tab-teken" in log.read_text(encoding="utf-8"), timeout=15)
        assert "Ervaren leerlingen herkenning in de klas?" in fetch(page_url), "laatste goede versie blijft zichtbaar"
        assert "indicators/bo.yaml" in log.read_text(encoding="utf-8")
    finally:
        stop_serve(process)
    assert "Traceback" not in log.read_text(encoding="utf-8")


def test_missing_system_library_gives_one_line_install_command(monkeypatch, project_copy) -> None:
    import ctypes.util

    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name == "harfbuzz-subset" else real(name))
    code, output = run_cli(["build"], project_copy)
    assert code == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines == ["✗ Ontbrekende systeembibliotheken. Installeer ze met: sudo apt-get install -y libharfbuzz-subset0"]


def test_dev_script_names_the_apt_command_for_missing_libraries(tmp_path) -> None:
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "ldconfig").write_text("#!/bin/sh\nexit 0\n")  # pretends no library is installed
    (stub / "ldconfig").chmod(0o755)
    env = {**os.environ, "PATH": f"{stub}:{os.environ['PATH']}", "DEV_NO_INSTALL": "1"}
    result = subprocess.run(["bash", str(ROOT / "dev"), "check"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "✗ Ontbrekende systeempakketten. Installeer ze met: sudo apt-get install -y "
        "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"]


def test_site_skip_notices_a_new_search_indexer_or_changed_site_processing(warm_project, monkeypatch,
                                                                          tmp_path) -> None:
    """The "niets veranderd" shortcut must not keep an old search index after Pagefind or our
    post-processing of the built site (search.py, site_audit.py) changed."""
    from importlib import metadata

    from publisher import search, site as site_module
    from publisher.pages import Staged
    from publisher.project import Project

    project = Project.at(warm_project)
    staging = warm_project / ".cache" / "staging"
    staged = Staged(staging / "mkdocs.yml", staging / "docs")
    before = site_module.staged_digest(project, staged)
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "9.9.9" if name == "pagefind" else real(name))
    assert site_module.staged_digest(project, staged) != before
    monkeypatch.setattr(metadata, "version", real)
    assert site_module.staged_digest(project, staged) == before
    edited = tmp_path / "search.py"  # search.py with one more comment line
    edited.write_bytes(Path(search.__file__).read_bytes() + b"# changed\n")
    monkeypatch.setattr(search, "__file__", str(edited))
    assert site_module.staged_digest(project, staged) != before


def test_no_change_build_is_replayed_with_its_warnings_and_every_input_counts(warm_project, monkeypatch) -> None:
    """`build` with nothing changed stops before loading anything (unchanged.replay) and shows the
    last build's warnings again; a change to any input (editors' files, templates, the tool's code,
    installed packages, the environment), to site/ or to the sheet cache means a real build."""
    from publisher import unchanged

    (warm_project / "content" / "notities.txt").write_text("kladje\n", encoding="utf-8")
    warning = "content/notities.txt: waarschuwing: dit bestand wordt niet gepubliceerd"
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and warning in output and "niets veranderd sinds de vorige bouw" not in output, output
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and "niets veranderd sinds de vorige bouw" in output, output
    assert warning in output and "✓ Klaar: site/ was al bijgewerkt." in output, output

    # Every kind of input is in the digest.
    project = Project.at(warm_project)
    before = unchanged.input_digest(project)
    assert before is not None and unchanged.input_digest(project) == before
    changes = []
    with monkeypatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        changes.append(("SOURCE_DATE_EPOCH", unchanged.input_digest(project)))
    with monkeypatch.context() as patch:
        real = unchanged._installed_packages
        patch.setattr(unchanged, "_installed_packages", lambda: [*real(), "mkdocs_material-99.0.dist-info"])
        changes.append(("een ander pakket", unchanged.input_digest(project)))
    code_copy = warm_project / "publisher-kopie"
    import shutil
    shutil.copytree(unchanged.PACKAGE_DIR, code_copy, ignore=shutil.ignore_patterns("__pycache__"))
    with monkeypatch.context() as patch:
        patch.setattr(unchanged, "PACKAGE_DIR", code_copy)
        same = unchanged.input_digest(project)
        (code_copy / "pages.py").write_text((code_copy / "pages.py").read_text(encoding="utf-8") + "# anders\n",
                                            encoding="utf-8")
        changes.append(("de code van het programma", unchanged.input_digest(project)))
    assert same == before
    shutil.rmtree(code_copy)
    for relative in ("templates/sheets/reflectieblad.css", "tests/vendor/axe-core/README.md", "gepubliceerd/2025.json", "mkdocs.yml"):
        file = warm_project / relative
        original = file.read_bytes()
        file.write_bytes(original + b"\n")
        changes.append((relative, unchanged.input_digest(project)))
        file.write_bytes(original)
    assert unchanged.input_digest(project) == before
    assert [name for name, digest in changes if digest == before] == []

    # A template edit is published (not replayed) ...
    main = warm_project / "templates" / "site" / "main.html"
    main.write_text(main.read_text(encoding="utf-8").replace(", editie {{ config.extra.editie }}</p>",
                                                             ", uitgave {{ config.extra.editie }}</p>"), encoding="utf-8")
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and "✓ Klaar: site/ is bijgewerkt." in output, output
    page = warm_project / "site" / "bo" / "resultaten" / "index.html"
    assert ", uitgave 2025</p>" in page.read_text(encoding="utf-8")
    # ... a page changed by hand in site/ is written again ...
    good = page.read_bytes()
    page.write_bytes(good.replace(b"uitgave", b"met de hand"))
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and "niets veranderd sinds de vorige bouw" not in output and page.read_bytes() == good, output
    # ... and so is a sheet cache damaged by hand.
    cached = sorted((warm_project / ".cache" / "pdf").glob("reflectievragen-bo-*.pdf"))[0]
    cached.write_bytes(cached.read_bytes()[:100])
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and "niets veranderd sinds de vorige bouw" not in output, output
    code, output = run_cli(["build"], warm_project)
    assert code == 0 and "niets veranderd sinds de vorige bouw" in output, output


def test_build_py_ends_with_the_commands_exit_code_and_all_its_output(warm_project) -> None:
    """build.py skips the interpreter's teardown (cli.exit_at_once): the exit code and every
    line, also the last one through a pipe, must still arrive, and exit handlers still run."""
    environment = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "CI": ""}
    result = subprocess.run([sys.executable, "build.py", "build", "--project", str(warm_project)], cwd=ROOT, capture_output=True, text=True,
                            env=environment, timeout=300)
    assert result.returncode == 0 and result.stderr.rstrip().splitlines()[-1].startswith("✓ Klaar: site/"), result.stderr
    yaml_file = warm_project / "indicators" / "go.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "\n\tkapot: [\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py", "check", "--project", str(warm_project)], cwd=ROOT, capture_output=True, text=True,
                            env=environment, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "indicators/go.yaml:" in result.stdout + result.stderr
    assert (result.stdout + result.stderr).rstrip().splitlines()[-1].startswith("✗ Controle mislukt:"), result.stderr
    summary = warm_project / "samenvatting.md"  # in GitHub Actions: annotations on stdout, a job summary
    result = subprocess.run([sys.executable, "build.py", "check", "--project", str(warm_project)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={**environment, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 1 and "::error file=indicators/go.yaml,line=" in result.stdout, result.stdout
    assert "indicators/go.yaml" in summary.read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py", "build", "--project", str(warm_project)], cwd=ROOT, capture_output=True, text=True,
                            env=environment, timeout=300)
    assert result.returncode == 1, result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("✗ Bouw gestopt bij 'controle'"), result.stderr
    leftovers = subprocess.run(["pgrep", "-f", "multiprocessing.forkserver"], capture_output=True, text=True).stdout
    assert all(str(warm_project) not in line for line in leftovers.splitlines())


def test_exit_at_once_flushes_waits_for_threads_and_runs_exit_handlers(tmp_path) -> None:
    marker = tmp_path / "afgesloten"
    script = (
        "import atexit, sys, threading, time\n"
        "from publisher.cli import exit_at_once\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ja'))\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), sys.stdout.write(' en de draad'))).start()\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "pool = ProcessPoolExecutor(1)\n"  # never shut down: the interpreter's own exit hook ends it
        "pool.submit(abs, -1).result()\n"
        "sys.stdout.write('zonder regeleinde')\n"
        "exit_at_once(3)\n")
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # buffered, as usual
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**environment, "PYTHONPATH": str(ROOT)})
    assert (result.returncode, result.stdout) == (3, "zonder regeleinde en de draad"), result.stderr
    assert marker.read_text() == "ja"


def test_a_build_from_a_script_piped_into_python_renders_its_sheets(warm_project) -> None:
    """Sheet workers started by multiprocessing's fork server load the main program again by its
    file name; a script read from standard input has none ('<stdin>'), so its workers are forked
    directly (sheet_render.worker_context). Before, every sheet failed with BrokenProcessPool."""
    lengthen_the_go_question(warm_project, " (via stdin)")
    script = f"import sys\nfrom publisher.cli import main\nsys.exit(main(['build'], root={str(warm_project)!r}))\n"
    result = subprocess.run([sys.executable, "-"], input=script, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CI": "", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "reflectiebladen: 2 van 6 opnieuw gemaakt" in result.stderr
    assert b"(via stdin)" in pdf_bytes_text(warm_project / "site" / "downloads" / "reflectievragen-go.pdf")


def test_a_build_with_a_very_long_tmpdir_renders_its_sheets(warm_project, tmp_path) -> None:
    """The fork server's socket lives in TMPDIR and a Unix socket address has at most 107
    characters: with a longer TMPDIR the fork server cannot start and the workers are forked
    from the build itself (sheet_render.start_sheet_workers). Before, the build stopped with
    'foutcode None'."""
    long_tmp = tmp_path / ("map-met-een-lange-naam-" * 4) / ("nog-een-lange-map-" * 3)
    long_tmp.mkdir(parents=True)
    assert len(str(long_tmp)) > 110
    lengthen_the_go_question(warm_project, " (lange map)")
    result = subprocess.run([sys.executable, "build.py", "build", "--project", str(warm_project)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CI": "", "TMPDIR": str(long_tmp)})
    assert result.returncode == 0, result.stderr
    assert "reflectiebladen: 2 van 6 opnieuw gemaakt" in result.stderr
    assert b"(lange map)" in pdf_bytes_text(warm_project / "site" / "downloads" / "reflectievragen-go.pdf")
