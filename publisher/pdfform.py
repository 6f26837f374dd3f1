"""Finish the form of a fillable sheet (pikepdf), after WeasyPrint has written it.

WeasyPrint turns the sheet's HTML inputs into AcroForm fields, tagged for PDF/UA-1
(every widget in a /Form structure element). What it leaves for viewers to guess,
this module settles, so that the form shows the same in pdf.js, Chromium (PDFium),
poppler (Evince, Okular, pdftoppm), MuPDF and Adobe viewers and when printed:

- One radio group per keuze or rubriek item (named by the stable item id): its accessible
  name (/TU) is the question, number and text (WeasyPrint takes the first option's
  label); each option (a kid widget) is named by its label and has the answer id
  as its 'on' state. Kids are no longer listed as fields of their own, and the
  chosen answer can be cleared again (no NoToggleToOff).
- Every state has its own appearance: an empty box (/Off) and a clearly visible
  filled disc (on) for each option; a white box with a thin border for each (empty)
  text field, which covers the ruled lines that the print sheet shows in its place.
  NeedAppearances is dropped: nothing needs to be redrawn for the form to show.
  Every widget has appearance streams of its own (none shared between fields), so a tool
  that updates one field's appearance in place changes that field only.
- Default appearances valid everywhere: Helvetica (/Helv in the form's /DR) at
  automatic size (0 Tf) for text, ZapfDingbats for the buttons; /MK border colour
  so that viewers that do redraw buttons draw the mark.

Nothing in the structure tree changes, and the result is byte-identical for the
same input (no dates; the file identifier is derived from the content).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

MARK_COLOUR = (0.067, 0.094, 0.153)  # #111827, the colour of the box outline
FIELD_BORDER = (0.42, 0.447, 0.502)  # #6b7280, the colour of the sheet's lines
FIELD_BORDER_WIDTH = 0.5
MARK_SCALE = 0.31  # radius of the disc of a chosen answer, as a part of the box size
TEXT_DA = "/Helv 0 Tf 0 g"  # automatic size: long notes shrink to fit
BUTTON_DA = "/ZaDb 0 Tf 0 g"
RADIO = 1 << 15
NO_TOGGLE_TO_OFF = 1 << 14
STATE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # an option or rubric level id (a slug of the model)


class FormError(ValueError):
    """The rendered form is not what the sheet template should have produced."""


def finish_form(data: bytes, group_names: dict[str, str], target: Path) -> None:
    """Rewrite the WeasyPrint PDF `data` as a finished form into `target`."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    with pikepdf.open(io.BytesIO(data)) as pdf:
        form = pdf.Root.AcroForm
        helvetica = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                                 Encoding=Name.WinAnsiEncoding))
        dingbats = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.ZapfDingbats))
        form.DR = Dictionary(Font=Dictionary(Helv=helvetica, ZaDb=dingbats))
        form.DA = String(TEXT_DA)
        if "/NeedAppearances" in form:
            del form.NeedAppearances

        def appearance(kind: str, width: float, height: float):
            # A stream of its own for every widget and state, never shared: a tool that
            # rewrites a field's appearance in place (pypdf) would otherwise draw one
            # field's value in every field that shares the stream.
            width, height = round(width, 2), round(height, 2)
            return pdf.make_stream(_appearance_content(kind, width, height), Type=Name.XObject,
                                   Subtype=Name.Form, BBox=Array([0, 0, width, height]), Resources=Dictionary())

        fields = []
        seen_groups: set[str] = set()
        for field in form.Fields:
            if "/Parent" in field:  # a radio button: WeasyPrint also lists each one as a field
                continue
            fields.append(field)
            name = str(field.get("/T", ""))
            if "/Kids" in field:
                if name not in group_names:
                    raise FormError(f"answer group without a name: {name!r}")
                seen_groups.add(name)
                _finish_group(field, group_names[name], appearance)
            elif field.get("/FT") == Name.Tx:
                width, height = _normalise_rect(field)
                field.DA = String(TEXT_DA)
                field.AP = Dictionary(N=appearance("text", width, height))
                # What a viewer draws when it redraws the field (after typing): the same box.
                field.MK = Dictionary(BG=Array([1]), BC=Array(FIELD_BORDER))
                field.BS = Dictionary(W=FIELD_BORDER_WIDTH, S=Name.S)
            else:
                raise FormError(f"unexpected form field {name!r} ({field.get('/FT')})")
        missing = set(group_names) - seen_groups
        if missing:
            raise FormError(f"answer groups missing from the PDF: {sorted(missing)}")
        form.Fields = Array(fields)
        pdf.save(target, deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)


def _finish_group(group, accessible_name: str, appearance) -> None:
    from pikepdf import Array, Dictionary, Name, String

    states = [str(value) for value in group.get("/Opt", [])]
    if len(states) != len(group.Kids) or not all(STATE.match(state) for state in states):
        raise FormError(f"answer group {group.T!s}: options {states} do not match {len(group.Kids)} buttons")
    group.TU = String(accessible_name)
    group.Ff = int(group.get("/Ff", 0)) & ~NO_TOGGLE_TO_OFF | RADIO
    group.V = Name.Off
    group.DA = String(BUTTON_DA)
    del group.Opt  # the states are named by the answer ids themselves
    for kid, state in zip(group.Kids, states):
        width, height = _normalise_rect(kid)
        for key in ("/T", "/FT", "/V", "/DA"):  # a widget of the group, not a field of its own
            if key in kid:
                del kid[key]
        kid.AS = Name.Off
        kid.AP = Dictionary(N=Dictionary({f"/{state}": appearance("on", width, height),
                                          "/Off": appearance("off", width, height)}))
        kid.MK = Dictionary(BC=Array(MARK_COLOUR))
        kid.Border = Array([0, 0, 0])


def _normalise_rect(widget) -> tuple[float, float]:
    """Lower-left, upper-right order (WeasyPrint writes top before bottom); returns the size."""
    from pikepdf import Array

    x1, y1, x2, y2 = (float(v) for v in widget.Rect)
    left, right, bottom, top = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    widget.Rect = Array([round(left, 3), round(bottom, 3), round(right, 3), round(top, 3)])
    return right - left, top - bottom


def _appearance_content(kind: str, width: float, height: float) -> bytes:
    if kind == "text":  # an empty text field: a white box; a viewer draws typed text into it
        inset = FIELD_BORDER_WIDTH / 2
        colour = " ".join(f"{c:.3f}" for c in FIELD_BORDER)
        return (f"q 1 g 0 0 {width:.3f} {height:.3f} re f {colour} RG {FIELD_BORDER_WIDTH} w "
                f"{inset} {inset} {width - 2 * inset:.3f} {height - 2 * inset:.3f} re S Q /Tx BMC EMC").encode("ascii")
    if kind == "off":  # the box itself is on the page; an empty option shows it as it is
        return b"q Q"
    # A filled disc (four Bezier curves) in the middle of the box.
    cx, cy, r = width / 2, height / 2, MARK_SCALE * min(width, height)
    k = 0.5523 * r
    colour = " ".join(f"{c:.3f}" for c in MARK_COLOUR)
    path = (f"{cx + r:.3f} {cy:.3f} m "
            f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
            f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
            f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
            f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c f")
    return f"q {colour} rg {path} Q".encode("ascii")
