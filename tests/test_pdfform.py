"""The fillable sheet's form finishing (`publisher.pdfform.finish_form`) on a small PDF shaped like
WeasyPrint's output (a radio group whose buttons are also listed as fields, each widget's
rectangle top before bottom, /Opt with the answer ids, NeedAppearances, one text field), read
back with pypdf, a reader independent of the pikepdf that wrote it. Every expectation is written
here by hand from the module's documented promises. Fast (no WeasyPrint, no rendering), so it is
one of the mutation tool's targets (bench/mutate.py); tests/test_sheet_forms.py fills and renders
the real sheets in several viewers.
"""

from __future__ import annotations

import io
import re

import pikepdf
import pypdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from publisher.pdfform import FormError, finish_form

STATES = ["ja", "deels", "n-v-t"]


def weasyprint_like(states=STATES, group_name="vraag-een", extra_field=None, need_appearances=True, options=None,
                    flags=(1 << 25) | (1 << 15) | (1 << 14), width=12.0) -> bytes:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    group = pdf.make_indirect(Dictionary(FT=Name.Btn, V=Name.Off,
                                         Opt=Array([String(s) for s in (states if options in (None, "none") else options)]), Kids=Array()))
    if options == "none":
        del group.Opt
    if group_name is not None:
        group.T = String(group_name)
    if flags is not None:
        group.Ff = flags
    kids = []
    for index, _ in enumerate(states):
        x = 100 + 30 * index
        kid = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, Parent=group, T=String(f"k{index}"),
                                           FT=Name.Btn, V=Name.Off, DA=String("/Helv 9 Tf"),
                                           Rect=Array([x, 712.5, x + width, 700.25]), P=page.obj))
        kids.append(kid)
    group.Kids = Array(kids)
    text = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("toelichting-vraag-een"),
                                        Rect=Array([300, 650, 100, 600]), P=page.obj))
    fields = [group, *kids, text]
    if extra_field is not None:
        fields.append(pdf.make_indirect(extra_field))
    page.obj.Annots = Array([*kids, text])
    form = Dictionary(Fields=Array(fields), DA=String("/Helv 12 Tf 0 g"))
    if need_appearances:
        form.NeedAppearances = True
    pdf.Root.AcroForm = pdf.make_indirect(form)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def finished(tmp_path):
    """Made again for every test (a few milliseconds): so that the mutation tool sees every test
    that reaches finish_form."""
    target = tmp_path / "blad.pdf"
    finish_form(weasyprint_like(), {"vraag-een": "Vraag 1: Hoe gaat het?"}, target)
    return target


def numbers(content: bytes) -> list[float]:
    return [float(n) for n in re.findall(rb"-?\d+(?:\.\d+)?", content)]


def test_the_radio_group_is_one_field_named_by_its_question(finished) -> None:
    reader = pypdf.PdfReader(finished)
    form = reader.trailer["/Root"]["/AcroForm"]
    assert "/NeedAppearances" not in form
    assert form["/DA"] == "/Helv 0 Tf 0 g"
    fonts = form["/DR"]["/Font"]
    assert (fonts["/Helv"]["/BaseFont"], fonts["/Helv"]["/Subtype"], fonts["/Helv"]["/Encoding"]) == (
        "/Helvetica", "/Type1", "/WinAnsiEncoding")
    assert (fonts["/ZaDb"]["/BaseFont"], fonts["/ZaDb"]["/Subtype"]) == ("/ZapfDingbats", "/Type1")
    assert fonts["/Helv"]["/Type"] == fonts["/ZaDb"]["/Type"] == "/Font"
    fields = [f.get_object() for f in form["/Fields"]]
    assert [str(f["/T"]) for f in fields] == ["vraag-een", "toelichting-vraag-een"]
    group = fields[0]
    assert group["/TU"] == "Vraag 1: Hoe gaat het?"
    assert group["/Ff"] == (1 << 25) | (1 << 15)  # a radio group; NoToggleToOff taken off: the answer can be cleared
    assert group["/V"] == "/Off"
    assert group["/DA"] == "/ZaDb 0 Tf 0 g"
    assert "/Opt" not in group
    for index, (kid, state) in enumerate(zip(group["/Kids"], STATES)):
        kid = kid.get_object()
        for key in ("/T", "/FT", "/V", "/DA"):
            assert key not in kid
        assert kid["/AS"] == "/Off"
        assert sorted(kid["/AP"]["/N"].keys()) == sorted([f"/{state}", "/Off"])
        x = 100 + 30 * index
        assert [float(v) for v in kid["/Rect"]] == [x, 700.25, x + 12, 712.5]
        assert [float(v) for v in kid["/MK"]["/BC"]] == [0.067, 0.094, 0.153]
        assert [float(v) for v in kid["/Border"]] == [0, 0, 0]
        on, off = kid["/AP"]["/N"][f"/{state}"], kid["/AP"]["/N"]["/Off"]
        assert off.get_data() == b"q Q"
        assert [float(v) for v in on["/BBox"]] == [0, 0, 12, 12.25]
        assert (on["/Type"], on["/Subtype"]) == ("/XObject", "/Form")
        assert "/Resources" in on and "/Resources" in off
        content = on.get_data()
        assert content.startswith(b"q 0.067 0.094 0.153 rg ") and content.endswith(b" c f Q")
        # A disc around the middle of the 12 x 12.25 box, radius 0.31 of the smaller side.
        cx, cy, r = 6, 12.25 / 2, 0.31 * 12
        points = numbers(content)[3:]
        xs, ys = points[0::2], points[1::2]
        assert max(xs) == pytest.approx(cx + r, abs=0.002) and min(xs) == pytest.approx(cx - r, abs=0.002)
        assert max(ys) == pytest.approx(cy + r, abs=0.002) and min(ys) == pytest.approx(cy - r, abs=0.002)
        assert content.count(b" c ") == 4 and content.count(b" m ") == 1
        # The disc: four quarter circles (Bezier, kappa 0.5523) from the right, counter-clockwise.
        k = 0.5523 * r
        expected = [cx + r, cy,
                    cx + r, cy + k, cx + k, cy + r, cx, cy + r,
                    cx - k, cy + r, cx - r, cy + k, cx - r, cy,
                    cx - r, cy - k, cx - k, cy - r, cx, cy - r,
                    cx + k, cy - r, cx + r, cy - k, cx + r, cy]
        assert points == pytest.approx(expected, abs=0.0006)


def test_a_text_field_gets_a_white_box_with_a_thin_border(finished) -> None:
    reader = pypdf.PdfReader(finished)
    text = [f.get_object() for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"]][1]
    assert [float(v) for v in text["/Rect"]] == [100, 600, 300, 650]
    assert text["/DA"] == "/Helv 0 Tf 0 g"
    assert [float(v) for v in text["/MK"]["/BG"]] == [1]
    assert [float(v) for v in text["/MK"]["/BC"]] == [0.42, 0.447, 0.502]
    assert (float(text["/BS"]["/W"]), text["/BS"]["/S"]) == (0.5, "/S")
    box = text["/AP"]["/N"]
    assert [float(v) for v in box["/BBox"]] == [0, 0, 200, 50]
    assert box.get_data() == (b"q 1 g 0 0 200.000 50.000 re f 0.420 0.447 0.502 RG 0.5 w "
                              b"0.25 0.25 199.500 49.500 re S Q /Tx BMC EMC")


def test_every_widget_has_appearance_streams_of_its_own(finished) -> None:
    with pikepdf.open(finished) as pdf:
        streams = []
        for field in pdf.Root.AcroForm.Fields:
            for widget in (field.Kids if "/Kids" in field else [field]):
                for value in widget.AP.N.values() if "/Kids" in field else [widget.AP.N]:
                    streams.append(value.objgen)
        assert len(streams) == len(set(streams)) == 2 * len(STATES) + 1


def test_sizes_and_rectangles_are_rounded_as_documented(tmp_path) -> None:
    """Rectangles to 3 decimals (lower-left first), appearance boxes to 2; a group without flags is a radio group."""
    finish_form(weasyprint_like(width=12.34567, flags=None), {"vraag-een": "V"}, tmp_path / "r.pdf")
    group = pypdf.PdfReader(tmp_path / "r.pdf").trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()
    assert group["/Ff"] == 1 << 15
    kid = group["/Kids"][0].get_object()
    assert [float(v) for v in kid["/Rect"]] == [100, 700.25, 112.346, 712.5]
    assert [float(v) for v in kid["/AP"]["/N"]["/Off"]["/BBox"]] == [0, 0, 12.35, 12.25]
    finish_form(weasyprint_like(width=12.34567), {"vraag-een": "V"}, tmp_path / "s.pdf")
    on = pypdf.PdfReader(tmp_path / "s.pdf").trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()["/Kids"][0]
    assert [float(v) for v in on.get_object()["/AP"]["/N"]["/ja"]["/BBox"]] == [0, 0, 12.35, 12.25]


def test_the_same_input_gives_the_same_bytes(tmp_path) -> None:
    data = weasyprint_like()
    finish_form(data, {"vraag-een": "V"}, tmp_path / "a.pdf")
    finish_form(data, {"vraag-een": "V"}, tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    finish_form(weasyprint_like(need_appearances=False), {"vraag-een": "V"}, tmp_path / "c.pdf")
    assert "/NeedAppearances" not in pypdf.PdfReader(tmp_path / "c.pdf").trailer["/Root"]["/AcroForm"]


@pytest.mark.parametrize("data, names, message", [
    (lambda: weasyprint_like(), {}, "answer group without a name: 'vraag-een'"),
    (lambda: weasyprint_like(group_name=None), {"vraag-een": "V"}, "answer group without a name: ''"),
    (lambda: weasyprint_like(), {"vraag-een": "V", "vraag-twee": "W"}, "answer groups missing from the PDF: ['vraag-twee']"),
    (lambda: weasyprint_like(options=["ja", "nee"]), {"vraag-een": "V"}, "options ['ja', 'nee'] do not match 3 buttons"),
    (lambda: weasyprint_like(states=["ja", "Nee!", "x"]), {"vraag-een": "V"}, "do not match 3 buttons"),
    (lambda: weasyprint_like(options="none"), {"vraag-een": "V"}, "options [] do not match 3 buttons"),
    (lambda: weasyprint_like(extra_field=Dictionary(FT=Name.Ch, T=String("lijst"), Rect=Array([0, 0, 1, 1]))),
     {"vraag-een": "V"}, "unexpected form field 'lijst' (/Ch)"),
])
def test_a_form_that_is_not_what_the_template_makes_is_refused(tmp_path, data, names, message) -> None:
    with pytest.raises(FormError) as raised:
        finish_form(data(), names, tmp_path / "x.pdf")
    assert message in str(raised.value)
    assert not (tmp_path / "x.pdf").exists()
