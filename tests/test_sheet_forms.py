"""The fillable sheets used as a school team uses them: filled in as a viewer does,
saved, read back, and looked at through poppler (pdftoppm), pixel by pixel. Also the
boxes (12 pt or more, the clickable area is the drawn box), the appearances and
default appearances every viewer needs, and an independent PDF/UA-1 check."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pikepdf.form import Form, RadioButtonGroup, TextField
from PIL import Image

from test_sheets import scale, sheet

pytestmark = pytest.mark.slow

TYPES = ["bo", "go", "vo-mbo"]
DPI = 100
# 600 characters of a meeting note, with the letters a Dutch note needs.
NOTE = ("Geïnspireerd door het museumbezoek hebben de leerlingen in groep 6 hun eigen ‘tentoonstelling’ "
        "gemaakt; één leerling zei: “Ik durf nu te presenteren.” De leerkracht ziet meer overleg en "
        "ideeën van kinderen die eerder stil waren. Café-gesprek met ouders volgt. ")
NOTE = (NOTE * 3)[:600]
SCHOOL = "Christelijke Daltonschool ‘De Regenboog’, locatie Feijenoord"  # 60 characters
# Ten attendees. (Helvetica's WinAnsi encoding, which every viewer has for typed text, has
# no dotless ı: a viewer substitutes a font for such letters when it draws them.)
ATTENDEES = ", ".join(["Fatima El Amrani", "Joost de Vries", "Anouk Jansen", "Mehmet Öztürk", "Sanne Bakker",
                       "Daan Visser", "Priya Ramdin", "Lotte Smit", "Youssef Ait", "Eva de Wit"])


# --------------------------------------------------------------------------- helpers


def groups(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Dictionary]:
    return {str(f.T): f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Btn"}


def on_state(kid: pikepdf.Dictionary) -> str:
    (state,) = [str(k) for k in kid.AP.N.keys() if k != "/Off"]
    return state


def choose(pdf: pikepdf.Pdf, choices: dict[str, int]) -> None:
    """Choose option `index` in each named group, through pikepdf's form API (qpdf's logic:
    /V on the group, /AS on every button), the way a viewer records a click."""
    form = Form(pdf, generate_appearances=None)
    for name, field in form.items():
        if name in choices:
            assert isinstance(field, RadioButtonGroup), name
            field.selected = field.options[choices[name]]


def type_text(pdf: pikepdf.Pdf, values: dict[str, str]) -> None:
    form = Form(pdf, generate_appearances=None)
    for name, field in form.items():
        if name in values:
            assert isinstance(field, TextField), name
            field.value = values[name]


def page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}


def render(path: Path, out_dir: Path, dpi: int = DPI) -> list[Image.Image]:
    """Every page through poppler, as greyscale images; fails on any poppler complaint."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(out_dir / "p")],
                            capture_output=True, text=True, check=True)
    assert not result.stderr.strip(), f"poppler meldt: {result.stderr}"
    return [Image.open(p).convert("L") for p in sorted(out_dir.glob("p-*.png"), key=lambda p: int(p.stem[2:]))]


def darkness(image: Image.Image, page: pikepdf.Page, rect, inset: float) -> float:
    """Share of dark pixels in `rect` (PDF points), shrunk by `inset` (a part of its size) on each side."""
    x1, y1, x2, y2 = (float(v) for v in rect)
    left, right, bottom, top = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    dx, dy = (right - left) * inset, (top - bottom) * inset
    box = page.mediabox
    page_top = float(box[3])
    scale = DPI / 72
    crop = image.crop((round((left + dx - float(box[0])) * scale), round((page_top - top + dy) * scale),
                       round((right - dx - float(box[0])) * scale), round((page_top - bottom - dy) * scale)))
    pixels = crop.tobytes()  # one byte per greyscale pixel
    assert pixels, rect
    return sum(1 for p in pixels if p < 128) / len(pixels)


def assert_marks(pdf: pikepdf.Pdf, images: list[Image.Image], chosen: dict[str, str]) -> int:
    """Every chosen answer has a clearly visible mark in its box; every other box is empty."""
    pages = page_numbers(pdf)
    checked = 0
    for name, group in groups(pdf).items():
        for kid in group.Kids:
            number = pages[kid.P.objgen]
            share = darkness(images[number - 1], pdf.pages[number - 1], kid.Rect, inset=0.25)
            if on_state(kid) == chosen.get(name):
                assert share > 0.3, f"{name}: gekozen antwoord {on_state(kid)} is niet zichtbaar ({share:.2f})"
            else:
                assert share < 0.02, f"{name}: {on_state(kid)} lijkt gekozen maar is het niet ({share:.2f})"
            checked += 1
    return checked


@pytest.fixture(scope="module")
def filled(site_dir, publication, tmp_path_factory) -> dict[str, tuple[Path, dict[str, str]]]:
    """Each fillable sheet with an answer chosen in every group (all four options occur), a
    600-character note and the header filled in, saved; with the states that were chosen."""
    result = {}
    for type_id in TYPES:
        instrument = publication.instrument(type_id)
        target = tmp_path_factory.mktemp("ingevuld") / f"{type_id}.pdf"
        with pikepdf.open(sheet(site_dir, type_id, True)) as pdf:
            names = [f"{type_id}-{q.id}" for _, q in instrument.item_paths()]
            count = len(scale(publication, instrument))
            choices = {name: index % count for index, name in enumerate(names)}
            choose(pdf, choices)
            first_note = f"{names[0]}-toelichting"
            type_text(pdf, {first_note: NOTE, "school": SCHOOL, "aanwezigen": ATTENDEES})
            chosen = {name: on_state(groups(pdf)[name].Kids[index]) for name, index in choices.items()}
            pdf.save(target)
        result[type_id] = (target, chosen)
    return result


# --------------------------------------------------------------------------- filling in


@pytest.mark.parametrize("type_id", TYPES)
def test_filled_sheet_reads_back(filled, publication, type_id) -> None:
    path, chosen = filled[type_id]
    with pikepdf.open(path) as pdf:
        found = groups(pdf)
        assert set(found) == set(chosen)
        for name, group in found.items():
            assert group.V == pikepdf.Name(chosen[name])
            marked = [on_state(kid) for kid in group.Kids if kid.AS != pikepdf.Name.Off]
            assert marked == [chosen[name]], f"{name}: precies één antwoord gekozen"
        values = {str(f.T): str(f.V) for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Tx"}
        first = publication.instrument(type_id).item_paths()[0][1]
        assert values[f"{type_id}-{first.id}-toelichting"] == NOTE and len(NOTE) == 600
        assert values["school"] == SCHOOL and len(SCHOOL) == 60
        assert values["aanwezigen"] == ATTENDEES
    assert sorted(set(chosen.values())) == ["/deels", "/ja", "/nee", "/nvt"]


@pytest.mark.parametrize("type_id", TYPES)
def test_every_chosen_answer_is_visible_in_poppler(filled, type_id, tmp_path) -> None:
    """With the sheet's own appearance streams: what pdftoppm, Evince and printing through
    poppler show of a form saved by a viewer that draws what it fills in. (pikepdf, which
    does not draw typed text, asks viewers to redraw: that case is the next test.)"""
    path, chosen = filled[type_id]
    own = tmp_path / "eigen.pdf"
    with pikepdf.open(path) as pdf:
        del pdf.Root.AcroForm.NeedAppearances
        pdf.save(own)
    with pikepdf.open(own) as pdf:
        checked = assert_marks(pdf, render(own, tmp_path / "png"), chosen)
    assert checked == 4 * len(chosen)


@pytest.mark.parametrize("type_id", TYPES)
def test_fields_redrawn_by_poppler_show_answers_and_the_note(filled, publication, type_id, tmp_path) -> None:
    """A program that fills in values without drawing them asks viewers to redraw the fields
    (NeedAppearances, as pdftk does); poppler then draws every field from /DA, /DR and /MK:
    the marks, and the 600-character note (shrunk to fit, automatic font size)."""
    redrawn, chosen = filled[type_id]
    with pikepdf.open(redrawn) as pdf:
        assert pdf.Root.AcroForm.NeedAppearances  # set by pikepdf's form filler
    images = render(redrawn, tmp_path / "png")
    with pikepdf.open(redrawn) as pdf:
        assert_marks(pdf, images, chosen)
        pages = page_numbers(pdf)
        notes = {str(f.T): f for f in pdf.Root.AcroForm.Fields if str(f.T).endswith("-toelichting")}
        first = publication.instrument(type_id).item_paths()[0][1]
        filled_note, empty_note = notes.pop(f"{type_id}-{first.id}-toelichting"), next(iter(notes.values()))
        ink = [darkness(images[pages[n.P.objgen] - 1], pdf.pages[pages[n.P.objgen] - 1], n.Rect, inset=0.05)
               for n in (filled_note, empty_note)]
    assert ink[0] > 0.04 and ink[1] < 0.001, f"de toelichting is niet (alleen daar) getekend: {ink}"


def test_choosing_a_second_answer_clears_the_first(filled, tmp_path) -> None:
    path, chosen = filled["bo"]
    with pikepdf.open(path) as pdf:
        name, group = next(iter(groups(pdf).items()))
        first, second = on_state(group.Kids[0]), on_state(group.Kids[2])
        choose(pdf, {name: 0})
        choose(pdf, {name: 2})
        del pdf.Root.AcroForm.NeedAppearances  # the sheet's own appearances
        pdf.save(tmp_path / "tweede.pdf")
    chosen = {**chosen, name: second}
    with pikepdf.open(tmp_path / "tweede.pdf") as pdf:
        group = groups(pdf)[name]
        assert group.V == pikepdf.Name(chosen[name]) != pikepdf.Name(first)
        assert [kid.AS for kid in group.Kids].count(pikepdf.Name.Off) == 3
        assert_marks(pdf, render(tmp_path / "tweede.pdf", tmp_path / "png"), chosen)


# --------------------------------------------------------------------------- boxes, appearances


def outlines(page: pikepdf.Page) -> list[tuple[tuple, tuple]]:
    """Borders and outlines drawn on a page, as WeasyPrint draws them: an outer and an inner
    rectangle filled even-odd; (outer, inner) as (left, bottom, right, top) in points."""
    stack, ctm, found, rects = [], (1, 0, 0, 1, 0, 0), [], []

    def apply(m, x, y):
        return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]

    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            m = ctm
            ctm = (a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2], c * m[1] + d * m[3],
                   e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5])
        elif op == "re":
            x, y, w, h = (float(v) for v in operands)
            (x1, y1), (x2, y2) = apply(ctm, x, y), apply(ctm, x + w, y + h)
            rects.append(tuple(round(v, 2) for v in (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))))
        elif op in ("f*", "f", "n", "S", "B", "B*", "W", "W*"):
            if op == "f*" and len(rects) == 2:
                found.append(tuple(sorted(rects, key=lambda r: r[2] - r[0] + r[3] - r[1], reverse=True)))
            if op != "W" and op != "W*":
                rects = []
    return list(dict.fromkeys(found))  # each side of a border is drawn through the same path


def squares(page: pikepdf.Page) -> list[tuple[float, float, float, float]]:
    """The answer boxes: square outlines (the inner edge, 8 to 30 pt)."""
    boxes = []
    for outer, inner in outlines(page):
        size = inner[2] - inner[0]
        if abs(size - (inner[3] - inner[1])) < 0.05 and outer[0] < inner[0] and 8 < size < 30:
            boxes.append(inner)
    return boxes


def ruled_lines(page: pikepdf.Page) -> list[tuple[float, float]]:
    """Full-width writing lines (a bottom border of 0.5 pt or so): (y of the line, space above it)."""
    lines = []
    for outer, inner in outlines(page):
        if inner[2] - inner[0] > 400 and outer[0] == inner[0] and outer[1] < inner[1] and 0.2 < inner[1] - outer[1] < 1:
            lines.append((inner[1], inner[3] - inner[1]))
    return sorted(set(lines))


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
@pytest.mark.parametrize("type_id", TYPES)
def test_answer_boxes_are_at_least_12_points_and_clickable_everywhere(site_dir, publication, type_id, fillable) -> None:
    instrument = publication.instrument(type_id)
    with pikepdf.open(sheet(site_dir, type_id, fillable)) as pdf:
        drawn = [(number, box) for number, page in enumerate(pdf.pages, start=1) for box in squares(page)]
        assert len(drawn) == len(instrument.item_paths()) * len(scale(publication, instrument))
        for _, (left, bottom, right, top) in drawn:
            assert right - left >= 12 and top - bottom >= 12, "vakje kleiner dan 12 pt"
        if fillable:
            pages = page_numbers(pdf)
            rects = sorted((pages[kid.P.objgen], tuple(float(v) for v in kid.Rect))
                           for group in groups(pdf).values() for kid in group.Kids)
            assert len(rects) == len(drawn)
            for (page_a, rect), (page_b, box) in zip(rects, sorted(drawn)):
                assert page_a == page_b and all(abs(a - b) < 0.1 for a, b in zip(rect, box)), \
                    f"klikgebied {rect} is niet het getekende vakje {box}"


@pytest.mark.parametrize("type_id", TYPES)
def test_every_field_state_has_an_appearance_and_valid_default_appearance(site_dir, type_id) -> None:
    with pikepdf.open(sheet(site_dir, type_id, True)) as pdf:
        form = pdf.Root.AcroForm
        assert "/NeedAppearances" not in form, "het formulier toont zich zonder dat velden opnieuw getekend worden"
        fonts = form.DR.Font
        da = re.compile(r"^/(\w+) (\d+(?:\.\d+)?) Tf (?:[\d.]+ g|[\d.]+ [\d.]+ [\d.]+ rg)$")
        for field in form.Fields:
            match = da.match(str(field.DA))
            assert match and f"/{match[1]}" in fonts, f"{field.T}: /DA {field.DA}"
            if field.FT == "/Tx":
                assert match[2] == "0", "automatische lettergrootte"
                assert isinstance(field.AP.N, pikepdf.Stream)
                continue
            for kid in field.Kids:
                assert kid.AS == "/Off" and set(kid.AP.N.keys()) == {on_state(kid), "/Off"}
                on = kid.AP.N[on_state(kid)]
                assert re.search(rb" rg .* c f", on.read_bytes()), "een gekozen antwoord krijgt een gevulde stip"
                assert [float(v) for v in on.BBox][2:] == pytest.approx(
                    [float(kid.Rect[2] - kid.Rect[0]), float(kid.Rect[3] - kid.Rect[1])], abs=0.01)
                assert "/BC" in kid.MK, "viewers die zelf tekenen, tekenen de stip in deze kleur"
        assert str(form.DA) == "/Helv 0 Tf 0 g"
        assert fonts.Helv.BaseFont == "/Helvetica" and fonts.Helv.Encoding == "/WinAnsiEncoding"


def test_notes_and_tables_have_room(site_dir, publication) -> None:
    """A notes field fits 600 characters at a readable size (6 lines of ~100 characters at
    automatic size), the header and Afspraken fields fit real content, and the print sheet has
    five handwriting lines per question."""
    with pikepdf.open(sheet(site_dir, "go", True)) as pdf:
        fields = {str(f.T): f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Tx"}

        def size(name):
            x1, y1, x2, y2 = (float(v) for v in fields[name].Rect)
            return x2 - x1, y2 - y1

        note = next(n for n in fields if n.endswith("-toelichting"))
        width, height = size(note)
        assert width > 450 and height >= 60, (width, height)  # 600 characters at about 8.5 pt
        assert size("school")[0] > 380  # 60 characters at 10 pt Helvetica (~5.3 pt each)
        assert size("aanwezigen")[1] >= 30 and int(fields["aanwezigen"].Ff) & (1 << 12)
        assert size("afspraak-1-wie")[0] > 150 and int(fields["afspraak-1-wie"].Ff) & (1 << 12)
        assert size("afspraak-1-wat")[0] > 210
    options = len(scale(publication, publication.instrument("go")))
    with pikepdf.open(sheet(site_dir, "go", False)) as pdf:
        total = 0
        for number, page in enumerate(pdf.pages, start=1):
            questions = len(squares(page)) // options
            writing = [space for _, space in ruled_lines(page) if space >= 22.6]  # 8 mm or more apart
            assert len(writing) >= 5 * questions, f"pagina {number}: {len(writing)} lijnen voor {questions} vragen"
            total += questions
        assert total == len(publication.instrument("go").item_paths())


# --------------------------------------------------------------------------- PDF/UA-1, independently


# Rules of page-validation left out, and why (see README: 'Reflection sheets'). None for the
# sheets as published and as filled in by pikepdf.
UA_EXCLUDED: dict[str, str] = {}
# A sheet saved by a viewer: the viewer draws typed text with the form's default font,
# Helvetica, one of the 14 standard fonts that every PDF reader has and that is therefore
# not embedded; PDF/UA-1 wants every font used on a page embedded. (An embedded font in
# /DA would be a subset without the letters a user may type.)
UA_EXCLUDED_AFTER_VIEWER = {"PDFUA1-FONT-EMBEDDING-001": "Helvetica in the viewer's appearance of typed text"}


def pdf_ua_failures(path: Path, excluded: dict[str, str]) -> list[tuple[str, str]]:
    import page

    report = page.validate_pdf(path, profile="ua1")
    assert report.rules.total > 50
    return [(f.rule_id, f.message) for f in report.failures if f.rule_id not in excluded]


@pytest.mark.parametrize("fillable", [False, True], ids=["afdrukbaar", "invulbaar"])
@pytest.mark.parametrize("type_id", TYPES)
def test_page_validation_finds_the_sheets_pdf_ua_1_compliant(site_dir, filled, type_id, fillable) -> None:
    paths = [sheet(site_dir, type_id, fillable)] + ([filled[type_id][0]] if fillable else [])
    for path in paths:
        failures = pdf_ua_failures(path, UA_EXCLUDED)
        assert not failures, f"{path.name}: {failures[:5]}"


def test_page_validation_can_fail(site_dir, tmp_path) -> None:
    """The checker is not a rubber stamp: a form field without a name and a document without
    a language are reported."""
    import page

    damaged = tmp_path / "beschadigd.pdf"
    with pikepdf.open(sheet(site_dir, "bo", True)) as pdf:
        del pdf.Root.Lang
        for field in pdf.Root.AcroForm.Fields:
            if "/TU" in field:
                del field.TU
        pdf.save(damaged)
    report = page.validate_pdf(damaged, profile="ua1")
    assert not report.is_compliant
    assert len({f.rule_id for f in report.failures}) >= 2, [(f.rule_id, f.message) for f in report.failures][:5]
