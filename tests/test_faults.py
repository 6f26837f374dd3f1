"""Faults during a build (issue 8): two builds at once, a kill at the moment the new
site replaces the old one, Ctrl+C, a site/ that cannot be replaced, a damaged cache
or stamp, a file deleted from site/. Whatever happens, site/ is a complete site (the
old one or the new one), the messages are Dutch and no traceback is shown; the next
build repairs what is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, copy_project, run_cli, tree_digest

pytestmark = pytest.mark.slow


def start_build(project: Path, log: Path, sigint_ignored: bool = False, **env: str) -> subprocess.Popen:
    """`build.py build` in its own process (so it can be killed), output to `log`. With
    `sigint_ignored` the process starts with Ctrl+C ignored, as under `nohup` or some CI wrappers."""
    # CI=true makes the CLI quiet (only problems and the result); these tests wait for
    # its progress lines, so they run it as a person at a terminal would.
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "CI": "", **env}
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-c", "import sys; from publisher.cli import main; "
                                 "sys.exit(main(['build'], root=sys.argv[1]))", str(project)],
                                stdout=out, stderr=subprocess.STDOUT, env=environment,
                                preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None)


def wait_for_text(log: Path, text: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(encoding="utf-8"):
            return
        if process.poll() is not None:
            raise AssertionError(f"de bouw stopte voordat '{text}' verscheen:\n{log.read_text(encoding='utf-8')}")
        time.sleep(0.05)
    raise AssertionError(f"'{text}' verscheen niet:\n{log.read_text(encoding='utf-8')}")


def change_a_question(project: Path) -> None:
    yaml_file = project / "indicators" / "bo.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("Ervaren leerlingen herkenning?", "Ervaren leerlingen herkenning in de klas?"),
                         encoding="utf-8")


def test_two_builds_at_once_give_one_complete_site(built_project, tmp_path) -> None:
    project = copy_project(tmp_path / "project")  # cold: the first build renders all sheets, which takes a while
    first = start_build(project, tmp_path / "first.log")
    wait_for_text(tmp_path / "first.log", "• controle", first)
    second = start_build(project, tmp_path / "second.log")
    assert first.wait(timeout=300) == 0, (tmp_path / "first.log").read_text(encoding="utf-8")
    assert second.wait(timeout=300) == 0, (tmp_path / "second.log").read_text(encoding="utf-8")
    assert "er loopt al een bouw in deze map; wachten tot die klaar is" in (tmp_path / "second.log").read_text(encoding="utf-8")
    assert tree_digest(project / "site") == tree_digest(built_project / "site")
    code, output = run_cli(["build"], project)
    assert code == 0 and "✓ Klaar: site/ was al bijgewerkt." in output, output  # also shown in CI's quiet mode


@pytest.mark.parametrize("moment, expected", [("voor-wissel", "old"), ("na-wissel", "new")])
def test_kill_at_the_swap_leaves_a_complete_site(warm_project, tmp_path, moment, expected) -> None:
    old = tree_digest(warm_project / "site")
    change_a_question(warm_project)
    process = start_build(warm_project, tmp_path / "build.log", PUBLISHER_PAUSE_AT=moment)
    wait_for_text(tmp_path / "build.log", f"PAUZE {moment}", process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    killed = tree_digest(warm_project / "site")
    code, output = run_cli(["build"], warm_project)  # the next build repairs and finishes
    assert code == 0, output
    new = tree_digest(warm_project / "site")
    assert old != new
    assert killed == (old if expected == "old" else new), "site/ is niet precies de oude of de nieuwe versie"
    assert not (warm_project / ".site.new").exists()


def interrupt_a_build(project: Path, log: Path, seconds_after_the_check: float, sigint_ignored: bool = False) -> None:
    """Start `build`, press Ctrl+C `seconds_after_the_check` after its check line, and expect it
    to stop cleanly: exit code 130, the Dutch message, no traceback."""
    process = start_build(project, log, sigint_ignored=sigint_ignored)
    wait_for_text(log, "• controle", process)
    time.sleep(seconds_after_the_check)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=120)
    output = log.read_text(encoding="utf-8")
    assert code == 130, output
    assert "✗ Afgebroken (Ctrl+C). De vorige versie in site/ is niet aangepast." in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["gewoon", "gestart-met-ctrl-c-genegeerd"])
def test_ctrl_c_stops_cleanly_in_dutch(built_project, tmp_path, sigint_ignored) -> None:
    """Also when the parent started the build with Ctrl+C ignored (`nohup ./dev test &`): the
    build restores the default handler itself."""
    project = copy_project(tmp_path / "project")  # cold cache: Ctrl+C arrives while sheets render
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("vorige versie", encoding="utf-8")
    interrupt_a_build(project, tmp_path / "build.log", 0.5, sigint_ignored=sigint_ignored)
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "vorige versie"


def test_ctrl_c_while_the_site_is_made_beside_a_rendering_sheet(warm_project, tmp_path) -> None:
    """A changed question with an earlier render of its sheet: the site is made while the sheet
    renders, and Ctrl+C arrives meanwhile. The build stops in Dutch, site/ stays as it was, and
    the next build publishes the change."""
    before = tree_digest(warm_project / "site")
    change_a_question(warm_project)
    interrupt_a_build(warm_project, tmp_path / "build.log", 0.3)
    assert tree_digest(warm_project / "site") == before
    code, output = run_cli(["build"], warm_project)
    assert code == 0, output
    page = (warm_project / "site" / "bo" / "reflectievragen" / "index.html").read_text(encoding="utf-8")
    assert "Ervaren leerlingen herkenning in de klas?" in page
    assert not (warm_project / ".site.new").exists()


def test_site_that_cannot_be_replaced_gives_dutch_message_and_does_not_poison_later_builds(
        warm_project, monkeypatch) -> None:
    import publisher.site

    before = tree_digest(warm_project / "site")
    change_a_question(warm_project)

    def refuse(first, second):
        raise PermissionError(13, "Permission denied", str(second))

    monkeypatch.setattr(publisher.site, "_exchange", refuse)
    code, output = run_cli(["build"], warm_project)
    assert code == 1
    assert "site/: fout: kon niet bijgewerkt worden: er is geen toestemming om het te vervangen of te verwijderen" in output
    assert "Traceback" not in output and "PermissionError" not in output
    assert tree_digest(warm_project / "site") == before

    monkeypatch.undo()
    code, output = run_cli(["build"], warm_project)
    assert code == 0, output
    assert "herkenning in de klas?" in (warm_project / "site" / "bo" / "reflectievragen" / "index.html").read_text(encoding="utf-8")


def test_damaged_cached_pdf_is_rendered_again_not_published(warm_project) -> None:
    published = warm_project / "site" / "downloads" / "reflectievragen-go.pdf"
    good = published.read_bytes()
    cached = next(p for p in (warm_project / ".cache" / "pdf").glob("reflectievragen-go-*.pdf")
                  if not p.name.startswith("reflectievragen-go-invulbaar"))
    cached.write_bytes(good[: len(good) // 2])  # truncated, e.g. by a full disk or a kill
    code, output = run_cli(["build", "--verbose"], warm_project)
    assert code == 0, output
    # both sheets of a school type come from one layout, so go's pair is rendered again
    assert "reflectiebladen: 2 van 6 opnieuw gemaakt" in output
    assert published.read_bytes() == good
    with pikepdf.open(published) as pdf:
        assert len(pdf.pages) > 1


def test_garbage_stamp_file_rebuilds_without_traceback(warm_project) -> None:
    for stamp in (warm_project / ".cache" / "stamps").glob("*"):
        stamp.write_bytes(b"\xff\xfe\x00 kapot")
    code, output = run_cli(["build"], warm_project)
    assert code == 0, output
    assert "Traceback" not in output
    assert "site/ is bijgewerkt" in output


def test_file_deleted_or_changed_in_site_is_restored(warm_project) -> None:
    page = warm_project / "site" / "bo" / "index.html"
    good = page.read_bytes()
    page.unlink()
    (warm_project / "site" / "downloads" / "reflectievragen-bo.pdf").write_bytes(b"niet meer")
    code, output = run_cli(["build"], warm_project)
    assert code == 0, output
    assert "site/ is bijgewerkt" in output
    assert page.read_bytes() == good
    assert (warm_project / "site" / "downloads" / "reflectievragen-bo.pdf").read_bytes().startswith(b"%PDF-")


# --------------------------------------------------------------------------- issue 18
# No traceback anywhere: files where folders belong, ports in use, a bad SOURCE_DATE_EPOCH,
# links in a loop, command lines argparse refuses. Every message is Dutch.

ENGLISH = ("Traceback", "usage:", "error:", "invalid", "argument", "Errno", "Error", "expected")


def test_files_where_the_cache_folders_belong_are_replaced(warm_project) -> None:
    import shutil

    for name in ("stamps", "exports", "jinja", "staging"):
        path = warm_project / ".cache" / name
        shutil.rmtree(path, ignore_errors=True)
        path.write_text("geen map", encoding="utf-8")
    change_a_question(warm_project)
    code, output = run_cli(["build"], warm_project)
    assert code == 0, output
    assert "Traceback" not in output
    assert all((warm_project / ".cache" / name).is_dir() for name in ("stamps", "exports", "jinja"))


@pytest.mark.parametrize("where", [".cache/pdf", ".cache"])
def test_cache_that_is_a_file_is_repaired_before_the_build_uses_it(tmp_path, where) -> None:
    """`.cache/pdf` (or .cache itself) saved as a file: every build failed until `clean`."""
    from publisher.project import Project
    from publisher.unchanged import repair_work_dir

    project = Project.at(tmp_path)
    (tmp_path / ".cache").mkdir()
    (tmp_path / where).unlink(missing_ok=True) if where != ".cache" else (tmp_path / ".cache").rmdir()
    (tmp_path / where).write_text("geen map", encoding="utf-8")
    repair_work_dir(project)
    (tmp_path / ".cache" / "pdf").mkdir(parents=True, exist_ok=True)
    assert (tmp_path / ".cache" / "pdf").is_dir()


def test_serve_on_a_port_in_use_says_so_before_announcing(project_copy) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        code, output = run_cli(["serve", "--port", str(port)], project_copy)
    assert code == 1
    assert f"✗ Poort {port} is al in gebruik (draait het voorbeeld al, of een ander programma?)." in output
    assert "Voorbeeld op" not in output and "eerste bouw" not in output
    assert not any(word in output for word in ENGLISH), output


@pytest.mark.parametrize("value", ["abc", "-5", "99999999999999", "１２３４５６７８９０", "0", "1.7e9", "1735689600 extra"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_invalid_source_date_epoch_is_refused_in_dutch(project_copy, monkeypatch, value, command) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, output = run_cli([command], project_copy)
    assert code == 1, output
    assert f"SOURCE_DATE_EPOCH: fout: de omgevingsvariabele SOURCE_DATE_EPOCH is '{value}', geen geldig tijdstip" in output
    assert not any(word in output for word in ENGLISH), output


def test_valid_source_date_epoch_passes(project_copy, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    code, output = run_cli(["check"], project_copy)
    assert code == 0, output


@pytest.mark.parametrize("argv, message", [
    (["bogus"], "✗ onbekende opdracht 'bogus'; kies uit: build, serve, check, clean, schema, ids"),
    (["--port", "x", "serve"], "✗ de optie --port klopt niet: 'x' is geen poortnummer (1 tot en met 65535)"),
    (["--port", "99999", "serve"], "✗ de optie --port klopt niet: '99999' is geen poortnummer (1 tot en met 65535)"),
    (["--xyz"], "✗ onbekende optie of opdracht: --xyz"),
    (["check", "--base"], "✗ de optie --base heeft een waarde nodig"),
    (["check", "extra"], "✗ onbekende optie of opdracht: extra"),
    (["--jobs", "0"], "✗ de optie --jobs klopt niet: '0' is geen aantal (1 tot en met 256)"),
    (["--quiet=ja"], "✗ de optie -q/--quiet heeft geen waarde ('ja')"),
])
def test_command_line_mistakes_are_answered_in_dutch(project_copy, argv, message) -> None:
    code, output = run_cli(argv, project_copy)
    assert code == 2
    assert output.startswith(message + "\n    → Gebruik: python build.py [build|serve|check|clean|schema|ids] [opties]"), output
    assert not any(word in output for word in ENGLISH), output


def test_help_is_dutch(project_copy) -> None:
    import contextlib
    import io

    from publisher.cli import main

    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output), pytest.raises(SystemExit) as stopped:
        main(["--help"], root=project_copy)
    assert stopped.value.code == 0
    text = output.getvalue()
    assert text.startswith("gebruik: build.py [-h] [-q] [-v] [--port POORT] [--jobs AANTAL] [--base VERSIE]")
    assert "\nopdracht:\n" in text and "\nopties:\n" in text and "-h, --help            deze uitleg tonen en stoppen" in text
    assert not any(word in text for word in ("usage", "options:", "positional arguments", "show this help"))


def test_symlink_loop_in_content_is_named_not_a_traceback(project_copy) -> None:
    (project_copy / "content" / "lus.md").symlink_to("lus.md")
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert ("content/lus.md: fout: dit is een snelkoppeling (symbolische link) die in een kring naar zichzelf "
            "verwijst; die wordt niet gelezen") in output
    assert "Traceback" not in output


def test_check_base_on_a_folder_with_a_symlink_loop(project_copy, tmp_path) -> None:
    base = copy_project(tmp_path / "basis")
    (base / "content" / "lus.md").symlink_to("lus.md")
    (base / "content" / "map-lus").symlink_to("map-lus")
    code, output = run_cli(["check", "--verbose", "--base", str(base)], project_copy)  # (CI=true would hide the comparison)
    assert code == 0, output
    assert f"Vergelijken met '{base}' lukte niet: de versie '{base}' heeft zelf fouten" in output
    assert "Traceback" not in output


def test_check_base_on_a_branch_with_a_committed_absolute_symlink(project_copy) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(project_copy), *args], check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@t"})

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "basis")
    git("checkout", "-qb", "kapot")
    (project_copy / "content" / "geheim.md").symlink_to("/etc/passwd")
    git("add", "-A")
    git("commit", "-qm", "absolute link")
    git("checkout", "-q", "main")
    code, output = run_cli(["check", "--verbose", "--base", "kapot"], project_copy)  # (CI=true would hide the comparison)
    assert code == 0, output
    assert "vergeleken met kapot" in output
    assert "Traceback" not in output and "root:" not in output


def test_an_unexpected_error_is_dutch_without_traceback(project_copy, monkeypatch) -> None:
    import publisher.check

    def broken(project):
        raise ValueError("intern")

    monkeypatch.setattr(publisher.check, "load_publication", broken)
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert output.startswith("✗ Interne fout in de bouw (ValueError). Dit is geen fout in je tekst.")
    assert "Traceback" not in output


def test_a_file_that_cannot_be_written_is_dutch_without_traceback(project_copy, monkeypatch) -> None:
    import publisher.check

    def refused(project):
        raise PermissionError(13, "Permission denied", str(project_copy / "site"))

    monkeypatch.setattr(publisher.check, "load_publication", refused)
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert output.startswith(f"✗ '{project_copy / 'site'}' kon niet gebruikt worden: er is geen toestemming om het te "
                             "lezen of te schrijven. Niets is gepubliceerd")
    assert "Traceback" not in output and "PermissionError" not in output


@pytest.mark.parametrize("failure, said", [
    (OSError("AF_UNIX path too long"), "kon niet gebruikt worden: het systeem meldt: AF_UNIX path too long."),
    (OSError(121, "Remote I/O error"), "kon niet gebruikt worden: foutcode 121 (Remote I/O error)."),
], ids=["zonder-code", "onbekende-code"])
def test_a_system_error_without_a_known_code_says_what_the_system_said(project_copy, monkeypatch, failure, said) -> None:
    """Not 'foutcode None': an error without a code (a socket address that is too long) or with one
    we have no Dutch text for is shown with the system's own words."""
    import publisher.check

    def refused(project):
        raise failure

    monkeypatch.setattr(publisher.check, "load_publication", refused)
    code, output = run_cli(["check"], project_copy)
    assert code == 1 and said in output and "None" not in output, output
