"""The reflection sheets, checked from the PDFs themselves."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest

from conftest import copy_project, run_cli
from publisher.project import Project
from publisher.sheets import build_sheets

pytestmark = pytest.mark.slow

PRINT_LIMIT = 150 * 1024
FILLABLE_LIMIT = 300 * 1024


def sheet(site_dir: Path, type_id: str, fillable: bool) -> Path:
    return site_dir / "downloads" / f"reflectievragen-{type_id}{'-invulbaar' if fillable else ''}.pdf"


def scale(publication, instrument) -> list[tuple[str, str]]:
    """(id, label) of the options of the instrument's answer form (the KCR scale)."""
    return [(o.id, o.label) for o in publication.config.forms[instrument.answer_form].options]


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", text)


def fields(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Dictionary]:
    result = {}

    def walk(field, prefix=""):
        name = prefix + str(field.get("/T", ""))
        if "/Kids" in field and "/FT" not in field:
            for kid in field.Kids:
                walk(kid, name + ".")
        else:
            result[name] = field

    for field in pdf.Root.AcroForm.Fields:
        walk(field)
    return result


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_every_question_in_order(site_dir, publication, type_id, fillable) -> None:
    instrument = publication.instrument(type_id)
    text = pdf_text(sheet(site_dir, type_id, fillable))
    position = 0
    for number, (_, question) in enumerate(instrument.item_paths(), start=1):
        found = text.find(f"{number} {question.text}", position)
        assert found >= 0, f"vraag {number} ontbreekt of staat niet op volgorde: {question.text}"
        position = found
    assert instrument.sheet_title in text
    assert "Afspraken en vervolgstappen" in text and "Volgend reflectiemoment" in text
    for label in ("School", "Project", "Datum", "Aanwezigen"):
        assert label in text
    assert f"Online: {publication.config.base_url}{type_id}/reflectievragen/" in text
    assert re.search(r"pagina 1 van \d+", text)
    assert f"Editie {publication.config.edition}" in text


@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_fillable_sheet_has_named_accessible_fields(site_dir, publication, type_id) -> None:
    instrument = publication.instrument(type_id)
    options = scale(publication, instrument)
    with pikepdf.open(sheet(site_dir, type_id, True)) as pdf:
        found = fields(pdf)
        for number, _, question, _ in publication.numbered_items(instrument):
            # One radio group per question, named by the stable id; its accessible name is the
            # question (the number of the site and both sheets); each option is named by its label.
            group = found.pop(f"{type_id}-{question.id}")
            assert group.FT == "/Btn" and int(group.Ff) & (1 << 15), "antwoorden vormen één keuzerondje-groep"
            assert not int(group.Ff) & (1 << 14), "een gekozen antwoord kan weer gewist worden"
            assert str(group.TU) == f"Vraag {number}: {question.text}"
            assert [str(kid.TU) for kid in group.Kids] == [label for _, label in options]
            for kid, (answer_id, _) in zip(group.Kids, options):
                assert "/T" not in kid, "een keuzerondje is geen eigen veld"
                assert set(kid.AP.N.keys()) == {f"/{answer_id}", "/Off"}
            note = found.pop(f"{type_id}-{question.id}-toelichting")
            assert note.FT == "/Tx" and int(note.Ff) & (1 << 12), "toelichting moet een tekstveld met meerdere regels zijn"
            assert str(note.TU) == f"Vraag {number}, toelichting of voorbeeld: {question.text}"
        for name, label in [("school", "School"), ("project", "Project"), ("datum", "Datum"),
                            ("aanwezigen", "Aanwezigen"), ("volgend-reflectiemoment", "Volgend reflectiemoment")]:
            field = found.pop(name)
            assert field.FT == "/Tx" and str(field.TU) == label
        assert int(fields(pdf)["aanwezigen"].Ff) & (1 << 12), "ruimte voor tien aanwezigen: meerdere regels"
        actions = {name: found.pop(name) for name in list(found) if name.startswith("afspraak-")}
        assert len(actions) == 6 * 3 and all(str(f.TU).startswith("Afspraak ") for f in actions.values())
        assert not found, f"onverwachte velden: {sorted(found)}"
        assert len(pdf.Root.AcroForm.Fields) == len(instrument.item_paths()) * 2 + 5 + 6 * 3


def test_print_sheet_has_no_form(site_dir) -> None:
    with pikepdf.open(sheet(site_dir, "bo", False)) as pdf:
        assert "/AcroForm" not in pdf.Root


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_tagged_pdf_ua_with_language_title_and_embedded_fonts(site_dir, publication, type_id, fillable) -> None:
    instrument = publication.instrument(type_id)
    with pikepdf.open(sheet(site_dir, type_id, fillable)) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "nl"
        assert bool(root.MarkInfo.Marked) is True
        assert "/StructTreeRoot" in root
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title).startswith(instrument.sheet_title)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        fonts = {}
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                fonts[str(font.BaseFont)] = font
        assert fonts
        for name, font in fonts.items():
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} niet ingebed"
            assert "AtkinsonHyperlegible" in re.sub(r"[ -]", "", name), name
            if not fillable:
                assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is geen subset"


@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_size_limits(site_dir, type_id) -> None:
    assert sheet(site_dir, type_id, False).stat().st_size < PRINT_LIMIT
    assert sheet(site_dir, type_id, True).stat().st_size < FILLABLE_LIMIT


PARALLEL_RENDER = """
import json, os, sys
from multiprocessing import forkserver
from pathlib import Path
from publisher.project import Project
from publisher.sheets import build_sheets
from publisher.validate import load_publication
project = Project.at(sys.argv[1])
result = build_sheets(project, load_publication(project).publication, Path(sys.argv[2]), jobs=2)
workers_parent = forkserver._forkserver._forkserver_pid
print(json.dumps({"rendered": result.rendered, "fork_server": workers_parent is not None and workers_parent != os.getpid(),
                  "files": {d.file_name: str(d.path) for files in result.downloads.values() for d in files}}))
"""


def test_two_renders_are_byte_identical_and_leave_no_temporary_files(publication, tmp_path, monkeypatch, request) -> None:
    """In parallel workers (forked from the fork server, in a build of their own with TMPDIR set,
    which the workers inherit) and in this process, one after the other: the same bytes, and
    WeasyPrint's font folder (/tmp/weasyprint-*, ~124 KB) removed after every render."""
    import json
    import os
    import sys

    from conftest import ROOT

    project = Project.at(ROOT)
    # Short: the fork server's socket lives in TMPDIR, and a Unix socket address has at most 107
    # characters (with a longer TMPDIR the workers are forked directly; see worker_context).
    temporary = Path(tempfile.mkdtemp(prefix="bladen-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(temporary, ignore_errors=True))
    result = subprocess.run([sys.executable, "-c", PARALLEL_RENDER, str(ROOT), str(tmp_path / "a")], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "TMPDIR": str(temporary), "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout)
    assert first["fork_server"], "de bladen werden niet in werkprocessen van de fork-server gemaakt"
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    second = build_sheets(project, publication, tmp_path / "b", jobs=1)
    assert len(first["rendered"]) == len(second.rendered) == 6
    assert not list(temporary.iterdir()), sorted(p.name for p in temporary.iterdir())
    for downloads in second.downloads.values():
        for download in downloads:
            assert Path(first["files"][download.file_name]).read_bytes() == download.path.read_bytes(), download.file_name


@pytest.mark.parametrize("reference, message", [
    ("@import url('file:///etc/passwd');", "buiten het project: file:///etc/passwd"),
    ("@import url('http://example.com/kcr.css');", "buiten deze computer: http://example.com/kcr.css"),
    ("body { background: url('../../../../../../../../../../etc/passwd'); }", "buiten het project: file:///etc/passwd"),
])
def test_template_may_not_read_outside_project_or_network(tmp_path, reference, message) -> None:
    project = copy_project(tmp_path / "project")
    css = project / "templates" / "sheets" / "reflectieblad.css"
    css.write_text(reference + "\n" + css.read_text(encoding="utf-8"), encoding="utf-8")
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("vorige versie", encoding="utf-8")
    code, output = run_cli(["build"], project)
    assert code == 1
    assert message in output, output
    assert "fout:" in output and "Traceback" not in output
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "vorige versie"


def page_texts(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    return [pdf_text_page(path, number) for number in range(1, count + 1)]


def pdf_text_page(path: Path, number: int) -> str:
    text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-enc", "UTF-8", str(path), "-"],
                          check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_headings_stay_with_their_first_question(site_dir, publication, type_id, fillable) -> None:
    """Themes flow across pages (issue 21: less paper), but a theme title is on the page of its
    first question and a perspective heading on the page of its first theme; the closing table
    sits with its heading. (That no question splits: test_sheet_layout.py.)"""
    instrument = publication.instrument(type_id)
    structure = publication.config.structure(instrument.structure)
    pages = page_texts(sheet(site_dir, type_id, fillable))

    def page_of(text: str) -> int:
        found = [i for i, page in enumerate(pages) if text in page]
        assert found, text
        return found[0]

    number = 0
    for index, perspective in enumerate(instrument.sections, start=1):
        heading = f"{index}. {structure.label(perspective.id)} – {perspective.title}"
        first_theme_page = None
        for theme in perspective.sections:
            theme_page = page_of(theme.title)
            first_theme_page = theme_page if first_theme_page is None else first_theme_page
            number += 1
            assert page_of(f"{number} {theme.items[0].text}") == theme_page, f"thema '{theme.title}' staat los van zijn eerste vraag"
            number += len(theme.items) - 1
        assert page_of(heading) == first_theme_page, f"kop '{heading}' staat los van het eerste thema"
    assert page_of("Afspraken en vervolgstappen") == page_of("Volgend reflectiemoment")


@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_print_and_fillable_sheet_have_the_same_pages(site_dir, type_id) -> None:
    """One layout for both: 'vraag 5 on page 3' holds on paper and on screen alike."""
    assert page_texts(sheet(site_dir, type_id, False)) == page_texts(sheet(site_dir, type_id, True))


@pytest.mark.parametrize("template, line", [("sheets/reflectieblad.html.j2", 3), ("pages/reflectievragen.md.j2", 3)])
def test_broken_template_gives_message_with_template_and_line(tmp_path, template, line) -> None:
    project = copy_project(tmp_path / "project")
    target = project / "templates" / template
    lines = target.read_text(encoding="utf-8").split("\n")
    lines.insert(line - 1, "{% if %}")
    target.write_text("\n".join(lines), encoding="utf-8")
    code, output = run_cli(["build"], project)
    assert code == 1 and "Traceback" not in output
    assert f"templates/{template}:{line}: fout: het sjabloon klopt niet" in output, output
