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

from conftest import ROOT, copy_project, run_cli, seed_pdf_cache, tree_digest

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


@pytest.fixture
def warm_project(built_project, tmp_path) -> Path:
    project = copy_project(tmp_path / "project")
    seed_pdf_cache(built_project, project)
    code, output = run_cli(["build"], project)
    assert code == 0, output
    return project


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


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["gewoon", "gestart-met-ctrl-c-genegeerd"])
def test_ctrl_c_stops_cleanly_in_dutch(built_project, tmp_path, sigint_ignored) -> None:
    """Also when the parent started the build with Ctrl+C ignored (`nohup ./dev test &`): the
    build restores the default handler itself."""
    project = copy_project(tmp_path / "project")  # cold cache: Ctrl+C arrives while sheets render
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("vorige versie", encoding="utf-8")
    process = start_build(project, tmp_path / "build.log", sigint_ignored=sigint_ignored)
    wait_for_text(tmp_path / "build.log", "• controle", process)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=120)
    output = (tmp_path / "build.log").read_text(encoding="utf-8")
    assert code == 130, output
    assert "✗ Afgebroken (Ctrl+C). De vorige versie in site/ is niet aangepast." in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "vorige versie"


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
