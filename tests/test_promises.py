"""Published ids are promises (issue 17). `tests/fixtures/beloften-2025/` is a snapshot of
what edition 2025 published, taken from the build of commit 6f6f76e before the instrument
model changed (see maak.py there): every page address, every id on the reflection and form
pages, every download, every PDF form field with its states, and where each sheet's QR code
leads. Every later build must still have all of it; additions are fine.

The expectation is the snapshot, never the current YAML or code."""

from __future__ import annotations

import json
import subprocess

import pikepdf
import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

SNAPSHOT = json.loads((ROOT / "tests" / "fixtures" / "beloften-2025" / "ids.json").read_text(encoding="utf-8"))


def test_every_page_address_of_2025_still_exists(site_dir) -> None:
    missing = [page for page in SNAPSHOT["paginas"] if not (site_dir / page).is_file()]
    assert missing == [], f"adressen van editie 2025 verdwenen: {missing}"


def test_every_download_of_2025_still_exists(site_dir) -> None:
    missing = [name for name in SNAPSHOT["downloads"] if not (site_dir / "downloads" / name).is_file()]
    assert missing == [], f"downloads van editie 2025 verdwenen: {missing}"


@pytest.mark.parametrize("page", sorted(p for p in SNAPSHOT["ankers"] if p.endswith(("reflectievragen/index.html",
                                                                                        "invullen/index.html"))))
def test_every_anchor_of_the_reflection_and_form_pages_still_exists(site_dir, page) -> None:
    import re

    html = (site_dir / page).read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    missing = [anchor for anchor in SNAPSHOT["ankers"][page] if anchor not in ids]
    assert missing == [], f"{page}: ankers van editie 2025 verdwenen: {missing}"


def test_every_heading_anchor_of_the_publication_still_exists(site_dir) -> None:
    """Shared links to a heading of any page (#impactthemas, …) keep landing on it."""
    import re

    lost = {}
    for page, anchors in SNAPSHOT["ankers"].items():
        if not (site_dir / page).is_file():
            continue  # reported by the page test
        ids = set(re.findall(r'\sid="([^"]+)"', (site_dir / page).read_text(encoding="utf-8")))
        gone = [a for a in anchors if a not in ids]
        if gone:
            lost[page] = gone
    assert lost == {}, f"ankers van editie 2025 verdwenen: {lost}"


@pytest.mark.parametrize("sheet", sorted(SNAPSHOT["pdf_velden"]))
def test_every_pdf_field_and_state_of_2025_still_exists(site_dir, sheet) -> None:
    with pikepdf.open(site_dir / "downloads" / sheet) as pdf:
        fields = {}
        for field in pdf.Root.AcroForm.Fields:
            states = set()
            for kid in field.get("/Kids", [field]):
                ap = kid.get("/AP")
                if ap is not None and "/N" in ap and isinstance(ap.N, pikepdf.Dictionary):
                    states |= {str(k)[1:] for k in ap.N.keys() if str(k) != "/Off"}
            fields[str(field.T)] = states
    for name, states in SNAPSHOT["pdf_velden"][sheet].items():
        assert name in fields, f"{sheet}: veld '{name}' van editie 2025 verdwenen"
        assert set(states) <= fields[name], f"{sheet}: veld '{name}' mist toestanden {set(states) - fields[name]}"


@pytest.mark.parametrize("sheet", sorted(SNAPSHOT["qr"]))
def test_every_qr_code_still_leads_where_it_led(site_dir, sheet) -> None:
    png = subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(site_dir / "downloads" / sheet)],
                         capture_output=True, check=True).stdout
    decoded = subprocess.run(["zbarimg", "--raw", "-q", "-"], input=png, capture_output=True).stdout.decode().strip()
    assert decoded == SNAPSHOT["qr"][sheet]
