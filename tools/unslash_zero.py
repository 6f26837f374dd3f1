#!/usr/bin/env python3
"""Give Atkinson Hyperlegible a zero without a slash (issue 21: years read "2Ø25").

Atkinson Hyperlegible 1.006 draws its zero with a slash and has no alternate (no 'zero'
or stylistic-set feature switches it off; `font-feature-settings` cannot help). This script
rebuilds the glyph 'zero' of each font file given: the zero's own outer oval is kept, and
its counter (split in two by the slash) becomes one counter of the same size, shaped like
the counter of the font's 'O' (fitted to the zero's counter, italics unslanted first). The
advance width and every other glyph stay as they were, so text lays out exactly as before;
the tabular zero ('zero.tf') is a reference to 'zero' and follows. The glyph's hinting
instructions are dropped (they were written for the old points).

The font is licensed under the SIL Open Font License 1.1 without a Reserved Font Name, which
allows modified versions under the same licence (OFL.txt stays next to the files).

    .venv/bin/python tools/unslash_zero.py templates/site/assets/fonts/*.woff2 templates/sheets/fonts/*.ttf

Running it on a file that has no slash any more changes nothing.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import RecordingPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import ttProgram


def _contours(glyph_set, name: str) -> list[list[tuple[str, tuple]]]:
    pen = RecordingPen()
    glyph_set[name].draw(pen)
    contours, current = [], []
    for operation, points in pen.value:
        current.append((operation, points))
        if operation in ("closePath", "endPath"):
            contours.append(current)
            current = []
    return contours


def _bounds(contours, slant: float) -> tuple[float, float, float, float]:
    """The bounds of contours in upright space (an italic's slant taken out)."""
    pen = BoundsPen(None)
    upright = TransformPen(pen, (1, 0, -slant, 1, 0, 0))
    for contour in contours:
        for operation, points in contour:
            getattr(upright, operation)(*points)
    return pen.bounds


def _area(bounds) -> float:
    return (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])


def unslash(path: Path) -> bool:
    """Rebuild 'zero' in the font file at `path`; False when it has no slash (nothing to do)."""
    font = TTFont(path)
    glyph_set = font.getGlyphSet()
    slant = -math.tan(math.radians(font["post"].italicAngle))
    zero = _contours(glyph_set, "zero")
    if len(zero) != 3:  # an oval, the counter in two pieces: the slashed zero
        return False
    zero.sort(key=lambda contour: _area(_bounds([contour], slant)), reverse=True)
    outer, counter = zero[0], zero[1:]
    letter = _contours(glyph_set, "O")
    letter.sort(key=lambda contour: _area(_bounds([contour], slant)), reverse=True)
    template = letter[1]  # the counter of 'O'
    x0, y0, x1, y1 = _bounds([template], slant)
    X0, Y0, X1, Y1 = _bounds(counter, slant)
    sx, sy = (X1 - X0) / (x1 - x0), (Y1 - Y0) / (y1 - y0)

    def fit(point):
        x, y = point
        ux = x - slant * y  # upright
        nx, ny = X0 + (ux - x0) * sx, Y0 + (y - y0) * sy
        return (nx + slant * ny, ny)  # slanted again

    pen = TTGlyphPen(glyph_set)
    for operation, points in outer:
        getattr(pen, operation)(*points)
    for operation, points in template:
        getattr(pen, operation)(*[fit(p) for p in points])
    glyph = pen.glyph()
    glyph.program = ttProgram.Program()
    glyph.program.fromBytecode(b"")
    glyph.recalcBounds(font["glyf"])
    font["glyf"]["zero"] = glyph
    width, _ = font["hmtx"]["zero"]
    font["hmtx"]["zero"] = (width, glyph.xMin)
    font.save(path)
    return True


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {'nul zonder streep' if unslash(Path(name)) else 'al zonder streep'}")
