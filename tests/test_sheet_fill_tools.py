"""The fillable sheets filled as users' tools fill them: pypdf, pikepdf (its form API, which
regenerates appearances) and pdf.js (the vendored viewer in Chromium, then 'save'). Each
filled PDF is then read by poppler (pdftotext -bbox, pdftoppm) and MuPDF (mutool draw):
every note appears once, inside its own field's box, and nowhere else; a chosen answer is
drawn only in its own box. A tool that rewrites an appearance stream in place shows one
note in every box when fields share a stream (issue 21): this is what these tests catch.

One module-scoped render of the sheets (KCR bo and the fixture's open-question instrument)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from conftest import built_fixture_project, serve_directory

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parent
# Distinct one-word notes (so that each is found as one word), per sheet: field -> note.
NOTES = {
    "bo": {"bo-herkenning-toelichting": "Aardbei", "bo-eigenaarschap-presentatiedurf-toelichting": "Bosbes",
           "school": "Citroen", "afspraak-1-wat": "Dadel", "afspraak-2-wie": "Eikel"},
    "leidraad": {"leidraad-doel-bereikt-antwoord": "Framboos", "leidraad-verrassingen-antwoord": "Granaat",
                 "leidraad-rolverdeling-antwoord": "Hazelnoot"},
}
CHOICES = {"bo": {"bo-herkenning": "ja", "bo-eigenaarschap-presentatiedurf": "nee"}, "leidraad": {}}


@pytest.fixture(scope="module")
def blank(built_project, tmp_path_factory, worker_id) -> dict[str, Path]:
    """The fillable sheets as the builds publish them: bo, and the fixture's open questions."""
    fixture = built_fixture_project("instrumenten", tmp_path_factory, worker_id)
    return {name: root / "site" / "downloads" / f"reflectievragen-{name}-invulbaar.pdf"
            for root, name in ((built_project, "bo"), (fixture, "leidraad"))}


# --------------------------------------------------------------------------- what the PDF says


def widgets(path: Path) -> dict[str, list[tuple[int, tuple[float, float, float, float], str | None]]]:
    """Field name -> [(page, (left, top, right, bottom) from the top-left like the text tools, state)]."""
    found: dict[str, list] = {}
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            height = float(page.mediabox[3])
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != pikepdf.Name.Widget:
                    continue
                field = annot if "/T" in annot else annot.Parent
                x1, y1, x2, y2 = (float(v) for v in annot.Rect)
                state = next((str(k)[1:] for k in annot.AP.N.keys() if k != "/Off"), None) if "/T" not in annot else None
                found.setdefault(str(field.T), []).append(
                    (number, (min(x1, x2), height - max(y1, y2), max(x1, x2), height - min(y1, y2)), state))
    return found


def words_poppler(path: Path) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    found = []
    for number, page in enumerate(xml.split("<page ")[1:], start=1):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page):
            found.append((number, m.group(5), tuple(float(m.group(i)) for i in range(1, 5))))
    return found


def words_mupdf(path: Path) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    xml = subprocess.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", str(path)], check=True,
                         capture_output=True, text=True).stdout
    found = []
    for number, page in enumerate(xml.split("<page ")[1:], start=1):
        for line in re.finditer(r'<line bbox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"(.*?)</line>', page, re.S):
            text = "".join(re.findall(r' c="([^"]*)"', line.group(5)))
            for word in text.split():
                found.append((number, word, tuple(float(line.group(i)) for i in range(1, 5))))
    return found


def inside(box, rect, slack: float = 1.5) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return rect[0] - slack <= cx <= rect[2] + slack and rect[1] - slack <= cy <= rect[3] + slack


def assert_notes_in_own_boxes(path: Path, notes: dict[str, str], layout) -> None:
    for reader in (words_poppler, words_mupdf):
        words = reader(path)
        for field, note in notes.items():
            hits = [(page, box) for page, word, box in words if note in word]
            [(page, rect, _)] = layout[field]
            assert len(hits) == 1, f"{reader.__name__}: '{note}' ({field}) staat {len(hits)} keer in het blad"
            assert hits[0][0] == page and inside(hits[0][1], rect), (
                f"{reader.__name__}: '{note}' staat niet in het eigen vak van {field}: {hits[0]} / {page} {rect}")


def dark(image: Image.Image, rect, scale: float) -> float:
    left, top, right, bottom = (v * scale for v in rect)
    inset = (right - left) * 0.25
    crop = image.crop((int(left + inset), int(top + inset), int(right - inset), int(bottom - inset))).convert("L")
    pixels = crop.tobytes()
    return sum(1 for p in pixels if p < 128) / max(1, len(pixels))


def render(path: Path, page: int, tool: str, out: Path) -> Image.Image:
    target = out / f"{tool}-{page}.png"
    if tool == "poppler":
        subprocess.run(["pdftoppm", "-r", "144", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                        str(target)[:-4]], check=True)
    else:
        subprocess.run(["mutool", "draw", "-q", "-r", "144", "-o", str(target), str(path), str(page)], check=True)
    return Image.open(target)


def assert_choices_in_own_boxes(path: Path, choices: dict[str, str], layout, out: Path) -> None:
    """Every radio box on the pages of the chosen answers: dark where chosen, light elsewhere."""
    pages = sorted({page for name in choices for page, _, _ in layout[name]})
    radios = [(name, page, rect, state) for name, entries in layout.items() for page, rect, state in entries if state]
    for tool in ("poppler", "mupdf"):
        for page in pages:
            image = render(path, page, tool, out)
            for name, on_page, rect, state in radios:
                if on_page != page:
                    continue
                share = dark(image, rect, 2)
                if choices.get(name) == state:
                    assert share > 0.3, f"{tool}: gekozen '{state}' van {name} niet zichtbaar ({share:.2f})"
                else:
                    assert share < 0.05, f"{tool}: '{state}' van {name} lijkt gekozen ({share:.2f})"


def check_filled(path: Path, sheet: str, out: Path) -> None:
    layout = widgets(path)
    assert_notes_in_own_boxes(path, NOTES[sheet], layout)
    if CHOICES[sheet]:
        assert_choices_in_own_boxes(path, CHOICES[sheet], layout, out)


# --------------------------------------------------------------------------- the tools


@pytest.mark.parametrize("regenerate", [True, False], ids=["auto_regenerate", "eigen-weergave"])
@pytest.mark.parametrize("sheet", ["bo", "leidraad"])
def test_pypdf_fill_shows_each_note_in_its_own_box(blank, sheet, regenerate, tmp_path) -> None:
    """pypdf writes each field's appearance; with auto_regenerate it also asks viewers to redraw
    (NeedAppearances). pypdf stores a radio group's value as a string, not a name, so a viewer
    that redraws draws no mark (poppler): the choices are checked without the redraw request."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(blank[sheet]))
    values = dict(NOTES[sheet]) | {name: f"/{state}" for name, state in CHOICES[sheet].items()}
    writer.update_page_form_field_values(None, values, auto_regenerate=regenerate)
    writer.write(tmp_path / "pypdf.pdf")
    if regenerate:
        assert_notes_in_own_boxes(tmp_path / "pypdf.pdf", NOTES[sheet], widgets(tmp_path / "pypdf.pdf"))
    else:
        check_filled(tmp_path / "pypdf.pdf", sheet, tmp_path)


@pytest.mark.parametrize("sheet", ["bo", "leidraad"])
def test_pikepdf_form_fill_shows_each_note_in_its_own_box(blank, sheet, tmp_path) -> None:
    from pikepdf.form import DefaultAppearanceStreamGenerator, Form

    with pikepdf.open(blank[sheet]) as pdf:
        form = Form(pdf, DefaultAppearanceStreamGenerator)
        for name, note in NOTES[sheet].items():
            form[name].value = note
        for name, state in CHOICES[sheet].items():
            form[name].value = pikepdf.Name(f"/{state}")
        pdf.save(tmp_path / "pikepdf.pdf")
    check_filled(tmp_path / "pikepdf.pdf", sheet, tmp_path)


def test_pikepdf_regenerated_appearances_show_each_note_in_its_own_box(blank, tmp_path) -> None:
    """qpdf's own regeneration (set /V, NeedAppearances, generate_appearance_streams)."""
    with pikepdf.open(blank["bo"]) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.get("/T")) in NOTES["bo"]:
                field.V = pikepdf.String(NOTES["bo"][str(field.T)])
        pdf.Root.AcroForm.NeedAppearances = True
        pdf.generate_appearance_streams()
        pdf.save(tmp_path / "qpdf.pdf")
    assert_notes_in_own_boxes(tmp_path / "qpdf.pdf", NOTES["bo"], widgets(tmp_path / "qpdf.pdf"))


@pytest.mark.browser
def test_pdfjs_fill_and_save_shows_each_note_in_its_own_box(blank, browser, tmp_path) -> None:
    root = tmp_path / "viewer"
    root.mkdir()
    (root / "pdfjs").symlink_to(TESTS / "vendor" / "pdfjs", target_is_directory=True)
    shutil.copy(TESTS / "fixtures" / "pdfjs-viewer.html", root / "viewer.html")
    shutil.copy(blank["bo"], root / "bo.pdf")
    layout = widgets(blank["bo"])
    # The fields of page 1 (the viewer shows one page of one document): two notes of the same
    # size, which shared one stream before, the school field and two answer groups.
    notes = {name: note for name, note in NOTES["bo"].items() if layout[name][0][0] == 1}
    assert len(notes) >= 3 and all(layout[name][0][0] == 1 for name in CHOICES["bo"])
    saved = b""
    with serve_directory(root) as url:
        context = browser.new_context(viewport={"width": 1000, "height": 1450}, locale="nl-NL")
        page = context.new_page()
        try:
            page.goto(url + "viewer.html")
            page.wait_for_function("typeof window.showPage === 'function'")
            page.evaluate("([u, n]) => showPage(u, n, 1.5)", [url + "bo.pdf", 1])
            for name, note in notes.items():
                page.locator(f"[name='{name}']").press_sequentially(note)
            for name, state in CHOICES["bo"].items():
                index = [s for _, _, s in layout[name]].index(state)
                page.locator(f"input[type=radio][name='{name}']").nth(index).click()
            page.mouse.click(2, 2)  # leave the field, as a user does before saving
            saved = bytes(page.evaluate("() => savedDocument()"))
        finally:
            context.close()
    (tmp_path / "pdfjs.pdf").write_bytes(saved)
    filled = widgets(tmp_path / "pdfjs.pdf")
    assert_notes_in_own_boxes(tmp_path / "pdfjs.pdf", notes, filled)
    assert_choices_in_own_boxes(tmp_path / "pdfjs.pdf", CHOICES["bo"], filled, tmp_path)


def test_no_appearance_stream_is_shared_between_widgets(blank) -> None:
    """The cause itself: each widget's appearance streams belong to it alone."""
    for path in blank.values():
        owners: dict[tuple[int, int], str] = {}
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                for annot in page.obj.get("/Annots", []):
                    if annot.get("/Subtype") != pikepdf.Name.Widget:
                        continue
                    normal = annot.AP.N
                    streams = [normal] if isinstance(normal, pikepdf.Stream) else list(normal.values())
                    for stream in streams:
                        assert stream.objgen not in owners, f"{path.name}: stream {stream.objgen} gedeeld"
                        owners[stream.objgen] = str(annot.objgen)
