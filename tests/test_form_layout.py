"""The online reflection form on a phone (390 px) and a desktop (1280 px), and on paper (issue 21,
points 4 and 5), used as a school team and an advisor use it, in headless Chromium on the
session's one build of the site:

- the page starts with the questions: every action (save, open, compare, overview, start over,
  print, the PDF sheets) comes after the first question, in the DOM and on the screen;
- a confirmation appears where the person is looking (in the viewport, below the sticky
  header) after clicking the button, and is a status message;
- every heading that the form or a link scrolls to ends up below the sticky header;
- the comparison reads without sideways scrolling at 390 px;
- on paper: the school's details, the answers and notes, the agreements; no instructions or
  buttons; the comparison and the overview only when ticked "meeprinten";
- an advisor's overview of three saved files: per question each school's answer and notes,
  and the same as a CSV download (read back with Python's csv module);
- messages with counts in correct Dutch singular and plural;
- axe-core finds nothing on the page fresh and with everything open.

Expectations come from the files the tests write and from plain YAML, never from the code."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from conftest import ROOT, choose_files, items_in_reading_order, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EARLIER = ROOT / "tests" / "fixtures" / "reflectie-bo-editie-2024.json"
WIDTHS = [390, 1280]
GUARDED = ("=", "+", "-", "@", "\t", "\r", "'")  # the documented formula guard of the site's CSV export


def bo_items() -> list[tuple[int, dict]]:
    """(number, item) of instrument bo in reading order, from its YAML."""
    data = yaml.safe_load((ROOT / "indicators" / "bo.yaml").read_text(encoding="utf-8"))
    return list(enumerate(items_in_reading_order(data), start=1))


def scale() -> list[tuple[str, str]]:
    config = yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))
    return [(o["id"], o["label"]) for o in next(f for f in config["antwoordvormen"] if f["id"] == "schaal")["opties"]]


def open_form(browser, site_url, width: int, **options):
    context, page = watched_page(browser, width, **options)
    page.goto(urljoin(site_url, "bo/invullen/"))
    return context, page


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def form(request, browser, site_url):
    context, page = open_form(browser, site_url, request.param)
    page.width = request.param
    yield page
    assert page.problems == []
    context.close()


@pytest.fixture
def desktop(browser, site_url):
    """The form at 1280 px only: for what does not depend on the screen (paper, messages)."""
    context, page = open_form(browser, site_url, 1280)
    page.width = 1280
    yield page
    assert page.problems == []
    context.close()


def header_bottom(page) -> float:
    return page.evaluate("() => document.querySelector('.md-header').getBoundingClientRect().bottom")


def in_view(page, selector: str) -> bool:
    """The element's box lies within the viewport, below the sticky header."""
    return page.evaluate("""s => { const b = document.querySelector(s).getBoundingClientRect()
        const top = document.querySelector('.md-header').getBoundingClientRect().bottom
        return b.height > 0 && b.top >= top - 0.5 && b.bottom <= window.innerHeight + 0.5 }""", selector)


def pdf_text(page, tmp_path: Path) -> str:
    pdf = tmp_path / "formulier.pdf"
    page.emulate_media(media="print")
    pdf.write_bytes(page.pdf(format="A4"))
    page.emulate_media(media="screen")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


# --------------------------------------------------------------------------- the questions first


def test_the_form_starts_with_the_questions_and_the_actions_sit_together_after_them(form) -> None:
    first_question = form.locator("fieldset.kcr-vraag").first
    actions = form.locator("button[data-actie]:not([data-actie='afspraak-toevoegen']), .downloads a")
    assert actions.count() >= 8  # save, open, start over, print, compare, overview, two PDF sheets
    # DOM order: the first question precedes every action
    assert form.evaluate("""() => { const q = document.querySelector('fieldset.kcr-vraag')
        return Array.from(document.querySelectorAll("button[data-actie]:not([data-actie='afspraak-toevoegen']), .downloads a"))
          .every(a => q.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING) }""")
    # on the screen: the first question above every action, every action visible, all in one section
    question_top = first_question.bounding_box()["y"]
    for index in range(actions.count()):
        action = actions.nth(index)
        assert action.is_visible(), action.inner_text()
        assert action.bounding_box()["y"] > question_top, action.inner_text()
        assert action.evaluate("a => a.closest('section.kcr-acties') !== null"), action.inner_text()
    # the page tells where the actions are, with a link that lands on them
    form.get_by_role("link", name="Onder de vragen").click()
    assert in_view(form, "#kcr-acties-kop")


# --------------------------------------------------------------------------- confirmations where one looks


def test_a_confirmation_appears_next_to_the_button_that_caused_it(form, tmp_path) -> None:
    form.get_by_label("School", exact=True).fill("Basisschool De Regenboog")
    form.evaluate("() => window.scrollTo(0, 0)")
    with form.expect_download() as download:
        form.get_by_role("button", name="Opslaan als bestand").click()
    status = form.get_by_role("status").filter(has_text="Opgeslagen als")
    assert download.value.suggested_filename in status.inner_text() and "Opgeslagen als" in status.inner_text()
    assert in_view(form, "#kcr-melding")
    assert form.locator("#kcr-melding").get_attribute("aria-live") == "polite"
    # an error after opening a file that is no reflection: also in view, also a status message
    bad = tmp_path / "kapot.json"
    bad.write_text("{ kapot", encoding="utf-8")
    form.evaluate("() => window.scrollTo(0, 0)")
    choose_files(form, "Bestand openen", [bad])
    form.wait_for_function("() => document.getElementById('kcr-melding').textContent.includes('kapot.json')")
    assert form.locator("#kcr-melding[role=status]").filter(has_text="Er is niets veranderd.").count() == 1
    assert in_view(form, "#kcr-melding")


# --------------------------------------------------------------------------- headings below the sticky header


def test_every_heading_lands_below_the_sticky_header(form, tmp_path) -> None:
    choose_files(form, "Vergelijken met een eerdere reflectie", [EARLIER])
    form.locator("#kcr-vergelijking").wait_for(state="visible")
    assert form.evaluate("() => document.getElementById('kcr-vergelijking-kop').getBoundingClientRect().top") >= header_bottom(form)
    choose_files(form, "Overzicht van meerdere scholen", [EARLIER])
    form.locator("#kcr-overzicht .kcr-overzichtvraag").first.wait_for(state="visible")
    assert form.evaluate("() => document.getElementById('kcr-overzicht-kop').getBoundingClientRect().top") >= header_bottom(form)
    # each heading of the article, scrolled to as the form's script does and reached by its address
    tops = form.evaluate("""() => Array.from(document.querySelectorAll('article h1, article h2, article h3, article h4'))
        .filter(h => h.getClientRects().length).map(h => {
          window.scrollTo(0, 0); h.scrollIntoView()
          return [h.id || h.textContent.slice(0, 40), h.getBoundingClientRect().top] })""")
    assert len(tops) > 20
    bottom = header_bottom(form)
    assert [(name, top) for name, top in tops if top < bottom] == []
    for heading_id in ("kcr-acties-kop", "kcr-vergelijking-kop", "kcr-overzicht-kop", "afspraken"):
        form.evaluate("() => window.scrollTo(0, 0)")
        form.evaluate("id => { location.hash = id }", heading_id)
        form.wait_for_function("id => document.getElementById(id).getBoundingClientRect().top < window.innerHeight", arg=heading_id)
        assert form.evaluate("id => document.getElementById(id).getBoundingClientRect().top", heading_id) >= header_bottom(form)


# --------------------------------------------------------------------------- the comparison on a phone


def test_the_comparison_reads_without_sideways_scrolling(form) -> None:
    first = bo_items()[0][1]["id"]
    form.locator(f"#{first}-nee").click()
    choose_files(form, "Vergelijken met een eerdere reflectie", [EARLIER])
    section = form.locator("#kcr-vergelijking")
    section.wait_for(state="visible")
    widths = form.evaluate("""() => Array.from(document.querySelectorAll('#kcr-vergelijking, #kcr-vergelijking .kcr-tabelwrap'))
        .map(e => [e.scrollWidth, e.clientWidth])""")
    assert len(widths) > 2 and all(scroll <= client for scroll, client in widths), widths
    assert form.evaluate("() => document.documentElement.scrollWidth") <= form.width
    # "Nu" of the first question is on the screen, named as such
    now = section.locator(f"tr[data-vraag='{first}'] td").nth(3)
    box = now.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= form.width
    assert "nee" in now.inner_text()
    if form.width == 390:
        assert now.evaluate("td => getComputedStyle(td, '::before').content") == '"Nu: "'


# --------------------------------------------------------------------------- on paper


def test_printing_gives_the_details_then_the_answers_then_the_agreements_and_the_rest_only_when_ticked(desktop, tmp_path) -> None:
    form = desktop
    items = bo_items()
    form.get_by_label("School", exact=True).fill("Basisschool Printvoorbeeld")
    form.locator(f"#{items[0][1]['id']}-ja").click()
    form.get_by_label(f"Toelichting bij vraag {items[-1][0]}", exact=True).fill("Laatste notitie op papier")
    form.locator("#kcr-afspraak-1-wat").fill("Afspraak-op-papier")
    choose_files(form, "Vergelijken met een eerdere reflectie", [EARLIER])
    choose_files(form, "Overzicht van meerdere scholen", [EARLIER])
    form.locator("#kcr-overzicht .kcr-overzichtvraag").first.wait_for(state="visible")

    flat = pdf_text(form, tmp_path)
    school = flat.index("Basisschool Printvoorbeeld")
    question = flat.index(" ".join(items[0][1]["tekst"].split()))
    note = flat.index("Laatste notitie op papier")
    agreement = flat.index("Afspraak-op-papier")
    assert school < question < note < agreement
    for screen_only in ("Vul de reflectievragen", "Opslaan als bestand", "Opnieuw beginnen", "Onder de vragen",
                        "Vergelijking met een eerdere reflectie", "Overzicht van meerdere reflecties", "meeprinten",
                        "JSON Schema", "reflectieblad bo (PDF"):
        assert screen_only not in flat, screen_only

    form.get_by_label("Vergelijking meeprinten").check()
    flat = pdf_text(form, tmp_path)
    assert flat.index("Afspraak-op-papier") < flat.index("Vergelijking met een eerdere reflectie")
    assert "Overzicht van meerdere reflecties" not in flat and "meeprinten" not in flat
    form.get_by_label("Vergelijking meeprinten").uncheck()
    form.get_by_label("Overzicht meeprinten").check()
    flat = pdf_text(form, tmp_path)
    assert flat.index("Afspraak-op-papier") < flat.index("Overzicht van meerdere reflecties")
    assert "Vergelijking met een eerdere reflectie" not in flat


# --------------------------------------------------------------------------- the advisor's overview


def three_schools(tmp_path: Path) -> tuple[list[Path], list[str], dict]:
    """Three saved files built from the fixture file: two named schools and one without a
    name (its file name stands in); per question a different answer and a note per school,
    some notes a spreadsheet would take for a formula."""
    earlier = json.loads(EARLIER.read_text(encoding="utf-8"))
    ids = [answer_id for answer_id, _ in scale()]
    schools = ["OBS De Regenboog", "", "Kindcentrum ’t Palet; locatie Noord"]
    files, names, answers = [], [], {}
    for k, school in enumerate(schools):
        data = json.loads(json.dumps(earlier))
        data["gegevens"]["school"] = school
        data["antwoorden"] = []
        for number, item in bo_items():
            choice = None if (number + k) % 5 == 4 else ids[(number + k) % len(ids)]
            note = ["", f"notitie {k}-{number}", f"=SOM({k};{number})", f"-{number} \"min\"", f"@school {k}\nregel 2"][(number * 3 + k) % 5]
            data["antwoorden"].append({"id": item["id"], "nummer": number, "vraag": " ".join(item["tekst"].split()),
                                       "soort": "keuze", "antwoord": choice, "tekst": "", "toelichting": note})
            answers[(k, item["id"])] = (choice, note)
        path = tmp_path / f"school-{k + 1}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        files.append(path)
        names.append(school or path.name)
    return files, names, answers


def guarded(text: str) -> str:
    return "'" + text if text.startswith(GUARDED) else text


def test_the_overview_shows_per_question_what_each_school_answered_and_downloads_as_csv(form, tmp_path) -> None:
    files, names, answers = three_schools(tmp_path)
    labels = dict(scale())
    choose_files(form, "Overzicht van meerdere scholen", files)
    section = form.locator("#kcr-overzicht")
    section.locator(".kcr-overzichtvraag").first.wait_for(state="visible")
    assert "3 reflecties" in section.inner_text()
    for number, item in bo_items():
        block = section.locator(f".kcr-overzichtvraag[data-overzicht-vraag='{item['id']}']")
        assert block.get_by_role("heading").inner_text() == f"{number}. {' '.join(item['tekst'].split())}"
        rows = block.locator("tbody tr")
        assert rows.count() == 3
        for k, name in enumerate(names):
            choice, note = answers[(k, item["id"])]
            school = rows.nth(k).locator("th").inner_text()
            cells = rows.nth(k).locator("td").all_inner_texts()
            assert school.replace("School: ", "") == name
            assert cells[0].replace("Antwoord: ", "") == (labels[choice] if choice else "geen antwoord")
            assert cells[1].replace("Toelichting: ", "") == (note or "–")
        # the counts stay: per answer how many schools chose it
        chosen = [answers[(k, item["id"])][0] for k in range(3)]
        expected = " · ".join([f"{label}: {chosen.count(i)}" for i, label in scale()] + [f"geen antwoord: {chosen.count(None)}"])
        assert block.locator(".kcr-telling").inner_text() == expected
    if form.width == 390:
        assert form.evaluate("() => document.documentElement.scrollWidth") <= 390

    with form.expect_download() as download:
        form.get_by_role("button", name="Overzicht downloaden (CSV, voor Excel)").click()
    assert download.value.suggested_filename.startswith("overzicht-bo-") and download.value.suggested_filename.endswith(".csv")
    confirmation = section.get_by_role("status")
    assert download.value.suggested_filename in confirmation.inner_text()
    box = confirmation.bounding_box()
    assert box["y"] >= header_bottom(form) and box["y"] + box["height"] <= form.viewport_size["height"]  # next to the button
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8")) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    option_labels = [label for _, label in scale()]
    assert rows[0] == (["nummer", "vraag_id", "vraag", *option_labels, "beantwoord", "geen antwoord"]
                       + [guarded(f"{name}: {part}") for name in names for part in ("antwoord", "toelichting")])
    assert len(rows) == 1 + len(bo_items())
    for (number, item), row in zip(bo_items(), rows[1:]):
        chosen = [answers[(k, item["id"])][0] for k in range(3)]
        expected = [str(number), item["id"], guarded(" ".join(item["tekst"].split()))]
        expected += [str(chosen.count(i)) for i, _ in scale()]
        expected += [str(3 - chosen.count(None)), str(chosen.count(None))]
        for k in range(3):
            choice, note = answers[(k, item["id"])]
            expected += [labels[choice] if choice else "", guarded(note)]
        assert row == expected, number
    assert any(cell.startswith("'=SOM(") for row in rows for cell in row)  # a formula arrived, guarded


# --------------------------------------------------------------------------- Dutch counts


def test_messages_count_in_dutch_singular_and_plural(desktop, tmp_path) -> None:
    """Opening a file with questions worded differently then and questions that are gone since:
    '1 vraag is …', '2 vragen zijn …', as many as the file holds."""
    form = desktop
    earlier = json.loads(EARLIER.read_text(encoding="utf-8"))
    current = {item["id"]: " ".join(item["tekst"].split()) for _, item in bo_items()}
    form.on("dialog", lambda dialog: dialog.accept())  # "replace what is filled in?" from the second file on
    for n in (1, 2, 3):
        data = json.loads(json.dumps(earlier))
        data["antwoorden"] = [a for a in data["antwoorden"] if a["id"] in current]
        for index, answer in enumerate(data["antwoorden"]):
            answer["vraag"] = current[answer["id"]] + (" (toen)" if index < n else "")
        data["antwoorden"] += [{"id": f"weg-{k}", "nummer": 90 + k, "vraag": f"Weg {k}?", "soort": "keuze", "antwoord": "ja",
                                "tekst": "", "toelichting": ""} for k in range(n)]
        path = tmp_path / f"eerder-{n}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        choose_files(form, "Bestand openen", [path])
        form.wait_for_function("n => document.getElementById('kcr-melding').textContent.includes('Weg ' + (n - 1) + '?')", arg=n)
        text = form.locator("#kcr-melding").inner_text()
        expected = (["1 vraag is sindsdien anders geformuleerd", "1 vraag uit het bestand bestaat niet meer"] if n == 1 else
                    [f"{n} vragen zijn sindsdien anders geformuleerd", f"{n} vragen uit het bestand bestaan niet meer"])
        assert all(part in text for part in expected), text
        assert "vraag/vragen" not in text


def test_the_js_formula_guard_is_the_python_exports_rule() -> None:
    """reflectie-logica.js `spreadsheetText` against publisher/exports.py `spreadsheet_text` on
    the same texts (every formula start, alone and followed by text, inside a text, hostile text)."""
    from publisher import exports

    node = shutil.which("node") or shutil.which("nodejs")
    library = ROOT / "templates" / "site" / "assets" / "javascripts" / "reflectie-logica.js"
    texts = ["", "a", "ja", "1", " =1", "“=1”", "ë", "’t Palet", "\n=1", "a=b", "🎭"]
    for start in GUARDED:
        texts += [start, f"{start}1+1", f"{start}HYPERLINK(\"https://x\")", f"a{start}b", f"{start}{start}"]
    script = ("import * as logic from " + json.dumps(library.as_uri()) + "\n"
              "let input = ''\nprocess.stdin.on('data', d => input += d)\n"
              "process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map(logic.spreadsheetText))))\n")
    result = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(texts), capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == [exports.spreadsheet_text(text) for text in texts]


# --------------------------------------------------------------------------- axe-core


@pytest.mark.toegankelijkheid("Het invulformulier met de knoppen onder de vragen, vers geopend en met een bevestiging, een "
                              "vergelijking en een overzicht van drie scholen open, op 390 en 1280 pixels: geen schendingen "
                              "van WCAG 2.1 A en AA en niets breder dan het scherm",
                              hulpmiddel="axe-core", wcag=["A en AA", "1.4.10"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_form_is_accessible_fresh_and_with_everything_open(browser, site_url, tmp_path, width) -> None:
    from test_browser import run_axe

    context, page = open_form(browser, site_url, width, bypass_csp=True)

    assert run_axe(page) == []
    page.get_by_label("School", exact=True).fill("Basisschool De Regenboog")
    with page.expect_download():
        page.get_by_role("button", name="Opslaan als bestand").click()
    choose_files(page, "Vergelijken met een eerdere reflectie", [EARLIER])
    files, _, _ = three_schools(tmp_path)
    choose_files(page, "Overzicht van meerdere scholen", files)
    page.locator("#kcr-overzicht .kcr-overzichtvraag").first.wait_for(state="visible")
    page.get_by_label("Vergelijking meeprinten").check()
    assert run_axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert page.problems == []
    context.close()
