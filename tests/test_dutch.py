"""Dutch throughout (issue 21, point 7): dates written out in Dutch wherever a reader or
advisor sees one (site, sheets, exports; machine formats keep ISO), and counts in the
singular or plural in what the tool writes ('1 vraag', '2 vragen'; never 'vraag/vragen' or
'(s)'). Expectations are written out here or come from the YAML, not from publisher/dutch.py."""

from __future__ import annotations

import re
import subprocess
from html import unescape as html_unescape
from pathlib import Path

import lxml.html
import pytest
import yaml

from conftest import fixture_project, open_settled, run_cli

ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
# 'vraag/vragen', 'vragen/vraag', 'item(s)', 'pagina('s)', 'bestand(en)'
SLASHED_PLURAL = re.compile(r"\b(vraag/vragen|vragen/vraag|pagina/pagina's|bestand/bestanden)\b|\w\((s|en|'s)\)")
ONE_PLURAL = re.compile(r"(?<![\d,.])\b1 (vragen|pagina's|bestanden|instrumenten|items|namen|antwoorden|scholen)\b")


def _visible_text(html_file: Path) -> str:
    root = lxml.html.fromstring(html_file.read_bytes())
    for hidden in root.xpath("//script | //style | //*[@hidden]"):
        hidden.drop_tree()
    return " ".join(root.text_content().split())


def test_no_iso_date_on_any_page_or_sheet(site_dir: Path) -> None:
    """What a reader sees on the pages and in the sheets has no 2024-06-10 dates; the page
    Toegankelijkheid writes its date out ('5 december 2026')."""
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) >= 25
    found = {page.relative_to(site_dir).as_posix(): ISO_DATE.findall(_visible_text(page)) for page in pages}
    assert not {page: dates for page, dates in found.items() if dates}
    sheets = sorted((site_dir / "downloads").glob("*.pdf"))
    assert len(sheets) == 6
    for sheet in sheets:
        text = subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True, text=True, check=True).stdout
        assert not ISO_DATE.search(text), sheet.name


def test_one_question_is_one_vraag_in_what_the_build_says(tmp_path: Path) -> None:
    """A publication of one instrument with one question and one page: the build says '1
    instrument, 1 vraag, 1 pagina', the chapter's tools say '(1 vraag)'; with two questions
    '2 vragen'."""
    root = fixture_project("instrumenten", tmp_path / "project")
    config = yaml.safe_load((root / "site_config.yaml").read_text(encoding="utf-8"))
    config["instrumenten"] = ["leidraad"]
    for other in ("gesprek", "rubriek"):
        (root / "indicators" / f"{other}.yaml").unlink()
    (root / "site_config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    leidraad = yaml.safe_load((root / "indicators" / "leidraad.yaml").read_text(encoding="utf-8"))
    leidraad["secties"] = leidraad["secties"][:1]
    leidraad["secties"][0]["items"] = leidraad["secties"][0]["items"][:1]
    leidraad["paginas"] = ["index.md", "reflectievragen.md"]
    (root / "indicators" / "leidraad.yaml").write_text(yaml.safe_dump(leidraad, allow_unicode=True), encoding="utf-8")
    (root / "content" / "leidraad").mkdir()
    (root / "content" / "leidraad" / "index.md").write_text("# Over de leidraad\n\nEen korte inleiding.\n", encoding="utf-8")
    (root / "gepubliceerd").mkdir(exist_ok=True)

    code, output = run_cli(["build"], root)
    assert code == 0, output
    assert "1 instrument, 1 vraag, 2 pagina's" in output, output
    assert not ONE_PLURAL.search(output) and not SLASHED_PLURAL.search(output), output
    chapter = _visible_text(root / "site" / "leidraad" / "index.html")
    assert "(1 vraag)" in chapter, chapter
    assert not ONE_PLURAL.search(chapter) and not SLASHED_PLURAL.search(chapter)

    leidraad["secties"][0]["items"] = yaml.safe_load(
        (Path(__file__).parent / "fixtures" / "instrumenten" / "indicators" / "leidraad.yaml").read_text(encoding="utf-8")
    )["secties"][0]["items"][:2]
    (root / "indicators" / "leidraad.yaml").write_text(yaml.safe_dump(leidraad, allow_unicode=True), encoding="utf-8")
    code, output = run_cli(["build"], root)
    assert code == 0, output
    assert "1 instrument, 2 vragen, 2 pagina's" in output, output
    assert "(2 vragen)" in _visible_text(root / "site" / "leidraad" / "index.html")


@pytest.mark.parametrize("items, expected", [(1, "(nieuw, 1 vraag)"), (3, "(nieuw, 3 vragen)")])
def test_the_changes_of_a_pull_request_count_in_dutch(items: int, expected: str) -> None:
    from publisher.changes import ADDED, Changes, InstrumentChange, ItemChange, describe

    changes = Changes("main", [ItemChange("nieuw", ADDED, "vraag-1", None, "Wat ging goed?", 1)], [],
                      [InstrumentChange("nieuw", "nieuw", ADDED, items)])
    lines = describe(changes)
    assert lines[0] == "vergeleken met main: 1 instrument, 1 vraag en 0 pagina's veranderd", lines
    assert expected in lines[1], lines


def test_the_accessibility_statement_writes_its_date_out(publication) -> None:
    """The statement names the day of the source version it was built from: '10 juni 2024'."""
    import dataclasses
    from datetime import date

    from conftest import ROOT
    from publisher.exports import placeholder_exports
    from publisher.pages import staged_pages
    from publisher.project import Project
    from publisher.repository import Revision
    from publisher.site_check import planned_downloads
    from publisher.validate import load_publication

    project = Project.at(ROOT)
    loaded = load_publication(project)
    downloads, _ = planned_downloads(project, loaded.publication)
    exports = dataclasses.replace(placeholder_exports(project, loaded.publication),
                                  revision=Revision("0123456789abcdef", day=date(2024, 6, 10)))
    text = next(page.text for page in staged_pages(project, loaded.publication, loaded.pages, downloads, exports)
                if page.path == "toegankelijkheid.md")
    assert "van 10 juni 2024." in text
    assert not ISO_DATE.search(text)


# --------------------------------------------------------------------------- years without a slashed zero


def zero_shape(image) -> tuple[bool, bool]:
    """For a picture of one '0' (dark on light or light on dark): (the middle of its counter is
    empty, there is ink left of it). A slashed zero has ink in the middle, '2Ø25'."""
    gray = image.convert("L")
    width, height = gray.size
    pixels = gray.load()
    border = sorted(pixels[x, y] for x in range(width) for y in (0, height - 1))
    background = border[len(border) // 2]
    ink = [(x, y) for x in range(width) for y in range(height) if abs(pixels[x, y] - background) > 90]
    assert ink, "geen teken gevonden"
    left, top = min(x for x, _ in ink), min(y for _, y in ink)
    right, bottom = max(x for x, _ in ink), max(y for _, y in ink)
    cx, cy = (left + right) // 2, (top + bottom) // 2
    reach = max(1, round(0.08 * min(right - left, bottom - top)))
    middle_empty = all(abs(pixels[x, y] - background) < 60
                       for x in range(cx - reach, cx + reach + 1) for y in range(cy - reach, cy + reach + 1))
    stroke_left = any(abs(pixels[x, cy] - background) > 90 for x in range(left, cx))
    return middle_empty, stroke_left


def _edition_year() -> str:
    from conftest import ROOT

    year = str(yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))["editie"])
    assert "0" in year
    return year


@pytest.mark.browser
def test_years_on_the_site_have_a_zero_without_a_slash(browser, site_url) -> None:
    """The edition year on the downloads page, in the site's own font, zoomed 4×: the zero's
    counter is open in the middle (no slash) and its stroke is there."""
    import io
    from urllib.parse import urljoin

    from PIL import Image

    year = _edition_year()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=4)
    page = context.new_page()
    open_settled(page, urljoin(site_url, "downloads/"))
    box = page.evaluate(
        """year => { const article = document.querySelector('article');
             const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
             for (let node; (node = walker.nextNode());) {
               const at = node.textContent.indexOf('Editie ' + year);
               if (at < 0) continue;
               const zero = at + 'Editie '.length + year.indexOf('0');
               const range = document.createRange(); range.setStart(node, zero); range.setEnd(node, zero + 1);
               const r = range.getBoundingClientRect();
               return {x: r.x, y: r.y, width: r.width, height: r.height,
                       font: getComputedStyle(node.parentElement).fontFamily,
                       loaded: document.fonts.check('16px "Atkinson Hyperlegible"')};
             } return null }""", year)
    assert box and box["loaded"] and "Atkinson Hyperlegible" in box["font"], box
    picture = Image.open(io.BytesIO(page.screenshot(clip={k: box[k] for k in ("x", "y", "width", "height")})))
    context.close()
    middle_empty, stroke = zero_shape(picture)
    assert stroke and middle_empty, "de nul heeft een schuine streep (2Ø25)"


def test_years_on_the_sheets_have_a_zero_without_a_slash(site_dir: Path, tmp_path: Path) -> None:
    """The sheets share the font: 'Editie 2025' at the top of each print and fillable sheet,
    found with MuPDF's character positions and rendered by poppler at 1200 dpi."""
    from PIL import Image

    year = _edition_year()
    sheets = sorted((site_dir / "downloads").glob("*.pdf"))
    assert len(sheets) == 6
    for sheet in sheets:
        stext = subprocess.run(["mutool", "draw", "-F", "stext", "-o", "-", str(sheet), "1"],
                               capture_output=True, text=True, check=True).stdout
        quad = None
        for line in re.findall(r"<line .*?</line>", stext, re.S):
            chars = re.findall(r'<char quad="([^"]+)"[^>]* c="([^"]*)"', line)
            text = "".join(html_unescape(c) for _, c in chars)
            if f"Editie {year}" in text:
                quad = [float(v) for v in chars[text.index(f"Editie {year}") + len("Editie ") + year.index("0")][0].split()]
                break
        assert quad, (sheet.name, "geen 'Editie' met het jaar")
        left, top, right, bottom = quad[0], quad[1], quad[2], quad[5]
        scale = 1200 / 72
        out = tmp_path / sheet.stem
        subprocess.run(["pdftoppm", "-r", "1200", "-f", "1", "-l", "1", "-png", "-singlefile",
                        "-x", str(int(left * scale)), "-y", str(int(top * scale)),
                        "-W", str(int((right - left) * scale)), "-H", str(int((bottom - top) * scale)),
                        str(sheet), str(out)], check=True)
        middle_empty, stroke = zero_shape(Image.open(f"{out}.png"))
        assert stroke and middle_empty, (sheet.name, "de nul heeft een schuine streep (2Ø25)")
