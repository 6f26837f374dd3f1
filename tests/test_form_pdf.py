"""Paper and screen as one (issue 21, point 3), used as a school team uses it, in headless
Chromium on the session's one build of the site:

- a fillable sheet filled in a PDF tool (pypdf) opens in the online form: every answer, note
  and detail comes in, read in the browser (no request leaves the site; pdf-lib is loaded only
  when a team uses a PDF button);
- the online answers download as the filled fillable sheet: read back with pypdf, and rendered
  by poppler (pdftotext, pdftoppm) and MuPDF (mutool): every note appears once, in its own box,
  every chosen answer is drawn in its own box; /Lang, the title and the structure tree are kept
  and no two widgets share an appearance stream;
- a round trip PDF → online form → PDF keeps every answer and note;
- a sheet of another school type, a PDF that is no sheet and a file that is no PDF are
  refused with a Dutch message and change nothing;
- the same for the fixture publication's rubric and open-question instruments;
- axe-core finds nothing on the page with the PDF buttons and a message.

Expected values are computed from the YAML (plain yaml.safe_load) and the files written here."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pikepdf
import pypdf
import pytest

from conftest import ROOT, choose_files, items_in_reading_order, load_yaml, watched_page
from test_sheet_fill_tools import assert_choices_in_own_boxes, inside, widgets, words_mupdf, words_poppler

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OPEN_PDF = "Ingevuld reflectieblad (PDF) openen"
DOWNLOAD_PDF = "Downloaden als ingevuld reflectieblad (PDF)"
READ = "Geopend|niet geopend|niets veranderd"  # the message once a chosen PDF is read (not "wordt gelezen …")
PDF_LIB = "vendor/pdf-lib/pdf-lib.esm.min.js"
LONG = ("We zagen dat leerlingen met meer zelfvertrouwen presenteren; de ICC’er noemde “de toonmomenten” het "
        "keerpunt & dat is óók goed. Één leerling bleef liever achter de schermen, ‘voorlopig’. ") * 6
INSTRUMENTS = ROOT / "tests" / "fixtures" / "instrumenten"


# --------------------------------------------------------------------------- expectations from the YAML


def items_of(indicator: Path) -> list[tuple[int, dict, str]]:
    """(number, item, answer form id) in reading order."""
    data = load_yaml(indicator)
    items = items_in_reading_order(data)
    return [(n, item, item.get("antwoordvorm", data["antwoordvorm"])) for n, item in enumerate(items, start=1)]


def expected_answers(config: Path, indicator: Path) -> dict:
    """Per item what a team wrote: a choice (rotating through the options or levels), an open
    answer and a note, each with a marker word of its own (Kiwi<n>, Mango<n>) and Dutch text."""
    forms = {f["id"]: f for f in load_yaml(config)["antwoordvormen"]}
    data = load_yaml(indicator)
    instrument = data["id"]
    levels = [level["id"] for level in data.get("rubriekniveaus", [])]
    answers = {}
    for number, item, form_id in items_of(indicator):
        form = forms[form_id]
        kind, fields = form["soort"], {}
        if kind == "geen":
            continue
        if kind in ("keuze", "rubriek"):
            options = [o["id"] for o in form["opties"]] if kind == "keuze" else levels
            fields[f"{instrument}-{item['id']}"] = options[number % len(options)]
        if kind == "open":
            fields[f"{instrument}-{item['id']}-antwoord"] = f"Mango{number} – ons antwoord, “zo” & ‘zó’ ë"
        if form.get("toelichting"):
            note = f"Kiwi{number} Toelichting bij vraag {number}: “één” & ‘twee’, café ë."
            fields[f"{instrument}-{item['id']}-toelichting"] = note + (" " + LONG if number == 2 else "")
        answers[item["id"]] = {"number": number, "kind": kind, "fields": fields}
    return answers


DETAILS = {"school": "OBS De Regenboog & Zon", "project": "Cultuur “dichtbij”", "datum": "10 juni 2024",
           "aanwezigen": "Anne (ICC’er), Bram, Eefje", "afspraak-1-wat": "Kunstmenu “plannen” & doen",
           "afspraak-1-wie": "Anne", "volgend-reflectiemoment": "3 februari 2025"}
# The same as the form shows them (form_values' keys): dates as the date fields hold them.
DETAILS_IN_FORM = {"school": DETAILS["school"], "project": DETAILS["project"], "datum": "2024-06-10",
                   "aanwezigen": DETAILS["aanwezigen"], "afspraak-1-wat": DETAILS["afspraak-1-wat"],
                   "afspraak-1-wie": DETAILS["afspraak-1-wie"], "volgende": "2025-02-03"}


def fill_with_pypdf(blank: Path, target: Path, answers: dict, details: dict = DETAILS) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(blank))
    values = dict(details)
    for answer in answers.values():
        for name, value in answer["fields"].items():
            values[name] = f"/{value}" if answer["kind"] in ("keuze", "rubriek") and not name.endswith(("-toelichting", "-antwoord")) else value
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.write(target)


def pdf_values(path: Path) -> dict[str, str]:
    """Field name → value as pypdf reads it ('ja' for a radio state), empty fields left out."""
    found = {}
    for name, field in pypdf.PdfReader(path).get_fields().items():
        value = field.get("/V")
        if value is None or str(value) in ("", "/Off"):
            continue
        found[name] = str(value)[1:] if field.get("/FT") == "/Btn" else str(value)
    return found


# --------------------------------------------------------------------------- the page


def open_page(browser, url: str, **options):
    context, page = watched_page(browser, **options)
    page.goto(url)
    page.wait_for_function("() => document.documentElement.classList.contains('kcr-js')")
    return context, page


@pytest.fixture
def bo(browser, site_url):
    context, page = open_page(browser, urljoin(site_url, "bo/invullen/"))
    yield page
    assert page.problems == []
    context.close()


def download_pdf(page, target: Path) -> tuple[Path, str]:
    page.evaluate("() => { document.getElementById('kcr-melding').textContent = '' }")  # not the previous save's message
    with page.expect_download() as download:
        page.get_by_role("button", name=DOWNLOAD_PDF).click()
    path = target / download.value.suggested_filename
    download.value.save_as(path)
    page.wait_for_function("() => /Opgeslagen als/.test(document.getElementById('kcr-melding').textContent)")
    return path, page.locator("#kcr-melding").inner_text()


def form_values(page) -> dict[str, str]:
    """What the form shows, by the sheet's field names (read from the page as a person sees it:
    checked radios and textarea values, keyed by item id and role)."""
    return page.evaluate("""() => {
      const out = {}
      document.querySelectorAll('fieldset.kcr-vraag').forEach(f => {
        const checked = f.querySelector('input[type=radio]:checked')
        if (checked) out[f.dataset.vraag + ':keuze'] = checked.value
        const a = f.querySelector('textarea[data-antwoord]'); if (a && a.value) out[f.dataset.vraag + ':antwoord'] = a.value
        const n = f.querySelector('textarea[data-toelichting]'); if (n && n.value) out[f.dataset.vraag + ':toelichting'] = n.value
      })
      for (const k of ['school', 'project', 'datum', 'aanwezigen', 'afspraak-1-wat', 'afspraak-1-wie', 'afspraak-1-wanneer', 'volgende']) {
        const e = document.getElementById('kcr-' + k); if (e && e.value) out[k] = e.value
      }
      return out }""")


def by_role(instrument: str, answers: dict) -> dict[str, str]:
    """The expected form values of `answers`, keyed as form_values keys them."""
    out = {}
    for item_id, answer in answers.items():
        for name, value in answer["fields"].items():
            role = "toelichting" if name.endswith("-toelichting") else "antwoord" if name.endswith("-antwoord") else "keuze"
            out[f"{item_id}:{role}"] = value
    return out


def fill_online(page, answers: dict) -> None:
    for item_id, answer in answers.items():
        for name, value in answer["fields"].items():
            if name.endswith("-toelichting"):
                page.locator(f"#{item_id}-toelichting").fill(value)
            elif name.endswith("-antwoord"):
                page.locator(f"#{item_id}-antwoord").fill(value)
            else:
                page.locator(f"#{item_id}-{value}").check()
    page.locator("#kcr-school").fill(DETAILS["school"])
    page.locator("#kcr-datum").fill("2024-06-10")


def pdf_lib_requested(page) -> bool:
    return any(url.endswith(PDF_LIB) for url in page.requests)


# --------------------------------------------------------------------------- KCR bo


@pytest.fixture(scope="module")
def bo_expected():
    return expected_answers(ROOT / "site_config.yaml", ROOT / "indicators" / "bo.yaml")


def test_a_sheet_filled_in_a_pdf_tool_opens_in_the_online_form(bo, site_dir, bo_expected, tmp_path) -> None:
    filled = tmp_path / "ingevuld.pdf"
    fill_with_pypdf(site_dir / "downloads" / "reflectievragen-bo-invulbaar.pdf", filled, bo_expected)
    assert not pdf_lib_requested(bo), "pdf-lib hoort pas geladen te worden als iemand een PDF-knop gebruikt"
    message = choose_files(bo, OPEN_PDF, filled, until=READ)
    assert pdf_lib_requested(bo)
    expected = by_role("bo", bo_expected) | DETAILS_IN_FORM
    assert form_values(bo) == expected
    items = len(bo_expected)
    notes = sum(1 for a in bo_expected.values() for n in a["fields"] if n.endswith("-toelichting"))
    assert f"Gelezen: {items} antwoorden en {notes} toelichtingen." in message
    assert "Zonder antwoord" not in message and "Onbekende velden" not in message
    bo.reload()  # kept in the browser like typed answers
    assert form_values(bo) == expected


def default_appearances(path: Path) -> dict[str, str]:
    with pikepdf.open(path) as pdf:
        return {str(f.T): str(f.get("/DA")) for f in pdf.Root.AcroForm.Fields}


def test_the_online_answers_download_as_a_filled_sheet_that_every_reader_shows(bo, site_dir, bo_expected, tmp_path) -> None:
    fill_online(bo, bo_expected)
    path, message = download_pdf(bo, tmp_path)
    assert path.name == "reflectievragen-bo-invulbaar-obs-de-regenboog-zon-2024-06-10.pdf"
    assert "Opgeslagen als" in message
    expected = {name: value for a in bo_expected.values() for name, value in a["fields"].items()}
    assert pdf_values(path) == expected | {"school": DETAILS["school"], "datum": "10 juni 2024"}
    # a reader that redraws a field later uses the sheet's own font and automatic size
    assert default_appearances(path) == default_appearances(site_dir / "downloads" / "reflectievragen-bo-invulbaar.pdf")
    layout = widgets(path)
    # every note's marker word appears once, inside its own box, in poppler and MuPDF
    for reader in (words_poppler, words_mupdf):
        words = reader(path)
        for name, value in expected.items():
            if not name.endswith("-toelichting"):
                continue
            marker = value.split()[0]
            hits = [(page, box) for page, word, box in words if word.startswith(marker) and word[len(marker):len(marker) + 1] in ("", " ")]
            [(page, rect, _)] = layout[name]
            assert len(hits) == 1, f"{reader.__name__}: {marker} ({name}) staat {len(hits)} keer in het blad"
            assert hits[0][0] == page and inside(hits[0][1], rect), f"{reader.__name__}: {marker} niet in het vak van {name}"
    choices = {name: value for name, value in expected.items() if not name.endswith("-toelichting")}
    assert_choices_in_own_boxes(path, choices, layout, tmp_path)
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "nl"
        assert "/StructTreeRoot" in pdf.Root and "/MarkInfo" in pdf.Root
        assert "Reflectievragen basisonderwijs" in str(pdf.docinfo["/Title"])
        assert "/NeedAppearances" not in pdf.Root.AcroForm or not bool(pdf.Root.AcroForm.NeedAppearances)
        streams = [annot.AP.N.objgen for page in pdf.pages for annot in page.obj.get("/Annots", [])
                   if annot.get("/FT") == "/Tx" and "/AP" in annot]
        assert streams and len(streams) == len(set(streams)), "tekstvelden delen een weergave"
    # PDF/UA-1 as a sheet saved by a PDF reader: only the standard font Helvetica is not embedded
    from test_sheet_forms import UA_EXCLUDED_AFTER_VIEWER, pdf_ua_failures
    assert pdf_ua_failures(path, UA_EXCLUDED_AFTER_VIEWER) == []


def test_characters_the_sheet_cannot_draw_are_kept_in_the_field(bo, tmp_path) -> None:
    """Helvetica (WinAnsi) has every Dutch letter but not, say, Polish or emoji: those are drawn
    as '?' on the page, the field keeps the full text, and the message says so."""
    first = bo.locator("fieldset.kcr-vraag").first
    note = "Kiwi Zoë schreef: “Łódź 🎨” & ‘café’"
    first.locator("textarea").fill(note)
    path, message = download_pdf(bo, tmp_path)
    name = f"bo-{first.get_attribute('data-vraag')}-toelichting"
    assert pdf_values(path)[name] == note
    assert "als ‘?’" in message
    text = " ".join(w for _, w, _ in words_poppler(path))
    assert "Zoë" in text and "?ód?" in text


def test_a_round_trip_pdf_form_pdf_keeps_every_answer_and_note(bo, site_dir, bo_expected, tmp_path) -> None:
    filled = tmp_path / "ingevuld.pdf"
    fill_with_pypdf(site_dir / "downloads" / "reflectievragen-bo-invulbaar.pdf", filled, bo_expected)
    before = pdf_values(filled)
    choose_files(bo, OPEN_PDF, filled, until=READ)
    (tmp_path / "terug").mkdir()
    path, _ = download_pdf(bo, tmp_path / "terug")
    assert pdf_values(path) == before


def test_other_files_are_refused_in_dutch_and_change_nothing(bo, site_dir, tmp_path) -> None:
    bo.locator("#kcr-school").fill("Mijn school")
    first = bo.locator("fieldset.kcr-vraag").first
    first.locator("input[type=radio]").first.check()
    first.locator("textarea").fill("Mijn toelichting")
    before = form_values(bo)
    go_expected = expected_answers(ROOT / "site_config.yaml", ROOT / "indicators" / "go.yaml")
    other = tmp_path / "go.pdf"
    fill_with_pypdf(site_dir / "downloads" / "reflectievragen-go-invulbaar.pdf", other, go_expected)
    text = tmp_path / "notities.pdf"
    text.write_text("Dit is geen PDF maar tekst.\n", encoding="utf-8")
    stranger = tmp_path / "ander-formulier.pdf"
    with pikepdf.new() as pdf:  # a PDF with one page and no form
        pdf.add_blank_page()
        pdf.save(stranger)
    cases = {other: "een reflectieblad van een andere reflectie dan Basisonderwijs",
             site_dir / "downloads" / "reflectievragen-bo.pdf": "geen invulvelden",
             stranger: "geen invulvelden", text: "geen PDF-bestand"}
    for path, reason in cases.items():
        message = choose_files(bo, OPEN_PDF, path, until=READ)
        assert message.startswith(f"‘{path.name}’ kan niet geopend worden: ") and reason in message, message
        assert message.endswith("Er is niets veranderd.")
        assert form_values(bo) == before


def test_replacing_answers_asks_first_and_a_no_keeps_them(bo, site_dir, bo_expected, tmp_path) -> None:
    filled = tmp_path / "ingevuld.pdf"
    fill_with_pypdf(site_dir / "downloads" / "reflectievragen-bo-invulbaar.pdf", filled, bo_expected)
    bo.locator("#kcr-school").fill("Mijn school")
    before = form_values(bo)
    asked = []
    bo.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    message = choose_files(bo, OPEN_PDF, filled, until=READ)
    assert asked and "ingevuld.pdf" in asked[0]
    assert message == "Er is niets veranderd."
    assert form_values(bo) == before


@pytest.mark.toegankelijkheid("Het invulformulier met de knoppen om een ingevuld reflectieblad (PDF) te openen en te "
                              "downloaden, vers en na het openen van een blad: geen schendingen van WCAG 2.1 A en AA",
                              hulpmiddel="axe-core", wcag=["A en AA"])
def test_the_form_with_the_pdf_buttons_is_accessible(browser, site_url, site_dir, bo_expected, tmp_path) -> None:
    from test_browser import run_axe

    context, page = open_page(browser, urljoin(site_url, "bo/invullen/"), bypass_csp=True)

    assert page.get_by_role("group", name="Bewaren en verder werken").get_by_role("button", name=OPEN_PDF).is_visible()
    assert run_axe(page) == []
    filled = tmp_path / "ingevuld.pdf"
    fill_with_pypdf(site_dir / "downloads" / "reflectievragen-bo-invulbaar.pdf", filled, bo_expected)
    choose_files(page, OPEN_PDF, filled, until=READ)
    assert run_axe(page) == []
    assert page.problems == []
    context.close()


# --------------------------------------------------------------------------- rubric and open questions


@pytest.fixture(scope="module")
def instruments(tmp_path_factory, worker_id):
    """The fixture publication, built and served under the path of its basis_url."""
    from conftest import built_fixture_project, serve_directory

    root = built_fixture_project("instrumenten", tmp_path_factory, worker_id)
    prefix = urlparse(load_yaml(INSTRUMENTS / "site_config.yaml")["basis_url"]).path.strip("/")
    web = tmp_path_factory.mktemp("instrumenten-web")
    (web / prefix).symlink_to(root / "site", target_is_directory=True)
    with serve_directory(web) as url:
        yield {"site": root / "site", "url": urljoin(url, prefix + "/")}


@pytest.mark.parametrize("instrument", ["rubriek", "leidraad"])
def test_rubric_and_open_questions_go_from_pdf_to_form_to_pdf(browser, instruments, instrument, tmp_path) -> None:
    expected = expected_answers(INSTRUMENTS / "site_config.yaml", INSTRUMENTS / "indicators" / f"{instrument}.yaml")
    kinds = {a["kind"] for a in expected.values()}
    assert kinds == ({"rubriek"} if instrument == "rubriek" else {"open"})
    blank = instruments["site"] / "downloads" / f"reflectievragen-{instrument}-invulbaar.pdf"
    filled = tmp_path / "ingevuld.pdf"
    fill_with_pypdf(blank, filled, expected)
    context, page = open_page(browser, urljoin(instruments["url"], f"{instrument}/invullen/"))
    message = choose_files(page, OPEN_PDF, filled, until=READ)
    assert f"Gelezen: {len(expected)} antwoorden" in message, message
    assert form_values(page) == by_role(instrument, expected) | DETAILS_IN_FORM
    (tmp_path / "terug").mkdir()
    path, _ = download_pdf(page, tmp_path / "terug")
    assert pdf_values(path) == pdf_values(filled)
    assert page.problems == []
    context.close()


def test_on_a_phone_the_message_appears_where_the_person_is_looking(browser, site_url, site_dir, bo_expected, tmp_path) -> None:
    """At 390 px, after opening a sheet and after downloading one, the message is in view below
    the sticky header (the buttons sit under the questions; the message under the buttons)."""
    from test_form_layout import in_view

    context, page = open_page(browser, urljoin(site_url, "bo/invullen/"))
    page.set_viewport_size({"width": 390, "height": 844})
    filled = tmp_path / "ingevuld.pdf"
    fill_with_pypdf(site_dir / "downloads" / "reflectievragen-bo-invulbaar.pdf", filled, bo_expected)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=OPEN_PDF).click()
    page.evaluate("() => window.scrollTo(0, 0)")  # the page moved while the file was chosen
    chooser.value.set_files(str(filled))
    page.wait_for_function("() => /Geopend/.test(document.getElementById('kcr-melding').textContent)")
    assert in_view(page, "#kcr-melding")
    download_pdf(page, tmp_path)
    assert in_view(page, "#kcr-melding")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.problems == []
    context.close()
