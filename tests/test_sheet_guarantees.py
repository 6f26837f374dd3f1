"""Guarantees of the reflection sheets that a bug could break without any other test
noticing (issue 14): the QR code leads to the school type's own reflection page, the
answer scale prints in the configured order, every page has ink on it, and every input
of a render is part of the cache key."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, copy_project

pytestmark = pytest.mark.slow


def sheet(site_dir: Path, type_id: str, fillable: bool) -> Path:
    return site_dir / "downloads" / f"reflectievragen-{type_id}{'-invulbaar' if fillable else ''}.pdf"


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_qr_code_decodes_to_the_instruments_reflection_page(site_dir, publication, tmp_path, type_id,
                                                             fillable) -> None:
    """Scan the printed QR code as a phone would (zbarimg on the rendered first page)."""
    assert shutil.which("zbarimg"), "zbarimg ontbreekt: sudo apt-get install -y zbar-tools"
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(sheet(site_dir, type_id, fillable)),
                    str(tmp_path / "pagina")], check=True)
    page = next(tmp_path.glob("pagina*.png"))
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True)
    assert scanned.stdout.split() == [f"{publication.config.base_url}{type_id}/reflectievragen/"], scanned.stderr


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_answer_scale_is_printed_in_the_configured_order_at_every_question(site_dir, publication, type_id,
                                                                          fillable) -> None:
    instrument = publication.instrument(type_id)
    labels = [o.label for o in publication.config.forms[instrument.answer_form].options]
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(sheet(site_dir, type_id, fillable)), "-"],
                          check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in text.splitlines() if line.split()[:1] == [labels[0]]]
    questions = len(publication.numbered_items(instrument))
    assert len(rows) == questions
    assert all(row[:len(labels)] == labels for row in rows), rows[:3]


def test_every_sheet_page_renders_with_ink_on_a4(site_dir, tmp_path) -> None:
    """Every page converts with pdftoppm to an A4 image that is not blank (what we look at when
    checking the layout)."""
    for pdf in sorted((site_dir / "downloads").glob("*.pdf")):
        subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / pdf.stem)], check=True)
        pages = sorted(tmp_path.glob(f"{pdf.stem}-*.png"))
        assert len(pages) >= 5, pdf.name
        for png in pages:
            with Image.open(png) as image:
                width, height = image.size
                assert abs(height / width - 297 / 210) < 0.01, png.name
                dark = sum(count for value, count in enumerate(image.histogram()) if value < 128)
                assert dark / (width * height) > 0.002, f"{png.name} is (bijna) leeg"


def test_render_cache_key_covers_weasyprint_stylesheet_templates_and_fonts(tmp_path, monkeypatch) -> None:
    """A new WeasyPrint, an edited stylesheet or template, or another font must re-render the
    sheets; nothing else in templates/ matters to them."""
    import publisher.sheets as sheets
    from publisher.project import Project

    project = Project.at(copy_project(tmp_path / "project"))
    before = sheets._inputs_digest(project)
    assert sheets._inputs_digest(project) == before

    real_version = sheets.metadata.version
    monkeypatch.setattr(sheets.metadata, "version",
                        lambda name: "999.0" if name == "weasyprint" else real_version(name))
    assert sheets._inputs_digest(project) != before, "WeasyPrint-versie hoort in de cachesleutel"
    monkeypatch.setattr(sheets.metadata, "version", real_version)

    sheet_files = sorted(p for p in (project.templates / "sheets").rglob("*") if p.is_file())
    kinds = {re.sub(r".*\.", "", p.name) for p in sheet_files}
    assert {"css", "ttf"} <= kinds or {"css", "woff2"} <= kinds, kinds
    for file in [next(p for p in sheet_files if p.suffix == suffix)
                 for suffix in sorted({p.suffix for p in sheet_files})]:
        original = file.read_bytes()
        file.write_bytes(original + b"\n")
        assert sheets._inputs_digest(project) != before, f"{file.name} hoort in de cachesleutel"
        file.write_bytes(original)
    assert sheets._inputs_digest(project) == before
    (project.templates / "site" / "assets" / "stylesheets" / "kcr.css").write_text("/* site */", encoding="utf-8")
    assert sheets._inputs_digest(project) == before, "de site-stylesheet raakt de bladen niet"


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
def test_pdf_dates_and_xmp_metadata_are_the_editions_date(site_dir, publication, fillable) -> None:
    """Document info and XMP say 1 January of the edition year (what the sheets are dated by),
    not the day they were rendered."""
    import pikepdf

    year = publication.config.year
    for type_id in ("bo", "go", "vo-mbo"):
        with pikepdf.open(sheet(site_dir, type_id, fillable)) as pdf:
            info = {key: str(pdf.docinfo[key]) for key in ("/CreationDate", "/ModDate") if key in pdf.docinfo}
            assert info and all(value.startswith(f"D:{year}0101000000") for value in info.values()), info
            with pdf.open_metadata() as xmp:
                dates = {key: xmp[key] for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate")
                         if key in xmp}
            assert all(value.startswith(f"{year}-01-01T00:00:00") for value in dates.values()), dates
