"""A fillable sheet in a real viewer engine: pdf.js (Mozilla's, as in Firefox and many web
viewers; vendored in tests/vendor/pdfjs/) in headless Chromium. An advisor clicks an answer
near the edge of its box, then another answer of the same question, and types a long note;
exactly one answer is chosen, it is visibly marked, and what pdf.js saves reads back and
shows in poppler.

Set SHEET_SCREENSHOTS=<folder> to keep the screenshots (pdf.js and poppler) for a look."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from conftest import serve_directory
from test_sheet_forms import NOTE, UA_EXCLUDED_AFTER_VIEWER, groups, on_state, pdf_ua_failures
from test_sheets import sheet

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TESTS = Path(__file__).resolve().parent
SCALE = 1.5  # pdf.js zoom: a 13 pt box is 26 CSS pixels


@pytest.fixture(scope="module")
def viewer_url(site_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("pdfjs")
    (root / "pdfjs").symlink_to(TESTS / "vendor" / "pdfjs", target_is_directory=True)
    shutil.copy(TESTS / "fixtures" / "pdfjs-viewer.html", root / "viewer.html")
    shutil.copy(sheet(site_dir, "bo", True), root / "bo.pdf")
    with serve_directory(root) as url:
        yield url


def dark_share(png: bytes) -> float:
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    centre = image.crop((width // 4, height // 4, width - width // 4, height - height // 4)).tobytes()
    return sum(1 for p in centre if p < 128) / len(centre)


def test_pdfjs_one_answer_per_question_clicked_near_the_edge(browser, viewer_url, site_dir, publication, tmp_path) -> None:
    question = publication.instrument("bo").item_paths()[0][1]
    name = f"bo-{question.id}"
    with pikepdf.open(sheet(site_dir, "bo", True)) as pdf:
        kids = list(groups(pdf)[name].Kids)
        ids = [f"{kid.objgen[0]}R" for kid in kids]  # pdf.js names a widget after its object
        states = [on_state(kid) for kid in kids]
        page_number = next(n for n, page in enumerate(pdf.pages, start=1) if page.obj.objgen == kids[0].P.objgen)

    context = browser.new_context(viewport={"width": 1000, "height": 1450}, locale="nl-NL")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    try:
        page.goto(viewer_url + "viewer.html")
        page.wait_for_function("typeof window.showPage === 'function'")
        assert page.evaluate("([url, n, scale]) => showPage(url, n, scale)", [viewer_url + "bo.pdf", page_number, SCALE]) > 0
        radios = [page.locator(f"section[data-annotation-id='{i}'] input[type=radio]") for i in ids]
        assert [r.get_attribute("name") for r in radios] == [name] * len(ids)

        def click_near_edge(index: int, corner: tuple[float, float]) -> None:
            box = page.locator(f"section[data-annotation-id='{ids[index]}']").bounding_box()
            assert box["width"] >= 12 * SCALE * 96 / 72 - 1, "klikgebied kleiner dan 12 pt"
            # 10% inside the box: the old sheets' clickable area was only the inner half.
            page.mouse.click(box["x"] + box["width"] * corner[0], box["y"] + box["height"] * corner[1])

        def chosen() -> list[bool]:
            return [r.is_checked() for r in radios]

        click_near_edge(0, (0.9, 0.1))  # 'ja', near its top-right corner
        assert chosen() == [True, False, False, False]
        click_near_edge(2, (0.1, 0.9))  # then 'nee', near its bottom-left corner
        assert chosen() == [False, False, True, False], "precies één antwoord gekozen"
        marks = [dark_share(page.locator(f"section[data-annotation-id='{i}']").screenshot()) for i in ids]
        assert marks[2] > 0.3 and max(marks[:2] + marks[3:]) < 0.02, f"zichtbare stip alleen bij 'nee': {marks}"

        note = page.locator(f"textarea[name='{name}-toelichting']")
        note.fill(NOTE)
        page.locator("input[name='school']").press_sequentially("De Regenboog")
        page.mouse.click(2, 2)  # leave the field, as a user does before saving
        screenshot = page.screenshot(full_page=True)
        saved = bytes(page.evaluate("() => savedDocument()"))
    finally:
        context.close()
    assert not problems, problems

    (tmp_path / "pdfjs.png").write_bytes(screenshot)
    (tmp_path / "opgeslagen.pdf").write_bytes(saved)
    with pikepdf.open(tmp_path / "opgeslagen.pdf") as pdf:
        group = groups(pdf)[name]
        assert group.V == pikepdf.Name(states[2])
        assert [str(kid.AS) for kid in group.Kids] == ["/Off", "/Off", states[2], "/Off"]
        values = {str(f.T): str(f.V) for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Tx"}
        assert values[f"{name}-toelichting"] == NOTE and values["school"] == "De Regenboog"
    assert not pdf_ua_failures(tmp_path / "opgeslagen.pdf", UA_EXCLUDED_AFTER_VIEWER)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", str(page_number), "-l", str(page_number), "-singlefile",
                    str(tmp_path / "opgeslagen.pdf"), str(tmp_path / "poppler")], check=True)
    keep = os.environ.get("SHEET_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for file in ("pdfjs.png", "poppler.png", "opgeslagen.pdf"):
            shutil.copy(tmp_path / file, Path(keep) / f"bo-{file}")
