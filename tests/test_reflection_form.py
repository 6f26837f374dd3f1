"""The online reflection form (issue 12), used as a school team uses it, in headless
Chromium: fill it in by keyboard and mouse, reload, save a file, start over, open the
file, print to PDF, compare with a file from an earlier edition, and have bad files
refused. The saved file is checked against the published JSON Schema."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlparse

import jsonschema
import pytest

from conftest import ROOT, choose_files, items_in_reading_order, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EARLIER = ROOT / "tests" / "fixtures" / "reflectie-bo-editie-2024.json"
LONG_NOTE = ("We zagen dat leerlingen met meer zelfvertrouwen presenteren; de ICC’er noemde “de "
             "toonmomenten” het keerpunt. Niet ieder kind durft al: één leerling bleef liever achter de schermen, "
             "en dat is óók goed. Volgend jaar willen we ouders vaker uitnodigen en de reflectie na elk blok "
             "doen. ") * 3


@pytest.fixture
def form(browser, site_url):
    """The bo form on a fresh profile (empty storage); console errors and requests to other
    hosts are collected and must stay empty."""
    context, page = watched_page(browser)
    page.goto(urljoin(site_url, "bo/invullen/"))
    yield page
    assert page.problems == []
    context.close()


class Numbered:
    """An item of the KCR scale with its number (what the tests need of the model)."""

    def __init__(self, numbered):
        self.number, self.question = numbered.number, numbered.item


def numbered(publication, type_id="bo"):
    return [Numbered(n) for n in publication.numbered_items(publication.instrument(type_id))]


def scale(publication) -> list[tuple[str, str]]:
    """(id, label) of the KCR answer form 'schaal', read from site_config.yaml."""
    import yaml

    config = yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))
    form = next(f for f in config["antwoordvormen"] if f["id"] == "schaal")
    return [(o["id"], o["label"]) for o in form["opties"]]


def storage_key(publication, type_id="bo") -> str:
    return f"kcr-reflectie:{urlparse(publication.config.base_url).path}:{type_id}"


def save(page, tmp_path: Path) -> dict:
    with page.expect_download() as download:
        page.get_by_role("button", name="Opslaan als bestand").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    return json.loads(target.read_text(encoding="utf-8"))


def test_form_has_every_question_once_with_the_one_numbering(site_dir, publication) -> None:
    """Static HTML: per school type every question as a fieldset with its number, the answer
    scale of site_config.yaml as one radio group, a labelled notes field."""
    import lxml.html

    labels = [label for _, label in scale(publication)]
    for school_type in publication.instruments:
        root = lxml.html.fromstring((site_dir / school_type.id / "invullen" / "index.html").read_bytes())
        fieldsets = root.xpath("//form[@id='kcr-reflectie']//fieldset[contains(@class, 'kcr-vraag')]")
        expected = numbered(publication, school_type.id)
        assert [f.get("data-vraag") for f in fieldsets] == [item.question.id for item in expected]
        for fieldset, item in zip(fieldsets, expected):
            legend = " ".join(fieldset.xpath("./legend")[0].text_content().split())
            assert legend == f"{item.number}. {' '.join(item.question.text.split())}"
            radios = fieldset.xpath(".//input[@type='radio']")
            assert {r.get("name") for r in radios} == {item.question.id}
            assert [root.xpath(f"//label[@for='{r.get('id')}']")[0].text_content() for r in radios] == labels
            note = fieldset.xpath(".//textarea")[0]
            assert root.xpath(f"//label[@for='{note.get('id')}']")[0].text_content() == f"Toelichting bij vraag {item.number}"


def test_fill_by_keyboard_and_mouse_and_the_answers_survive_a_reload(form, publication) -> None:
    questions = numbered(publication)
    first, second = questions[0].question.id, questions[1].question.id
    form.get_by_label("School").click()
    form.keyboard.type("Basisschool De Regenboog")
    form.locator(f"#{first}-deels").click()  # the mouse, on the answer's box
    form.locator(f"#{first}-deels").press("Tab")  # keyboard: from the group to "Keuze wissen", then to the notes
    form.keyboard.press("Tab")
    form.keyboard.type("Notitie: ë, é, ï en “aanhalingstekens”")
    form.locator(f"#{second}-ja").focus()  # keyboard: arrows move the choice within a group
    form.keyboard.press("ArrowRight")
    form.keyboard.press("ArrowRight")
    form.get_by_role("button", name="Afspraak toevoegen").click()
    form.keyboard.type("Kunstmenu in de jaarplanning")
    form.reload()
    assert form.get_by_label("School").input_value() == "Basisschool De Regenboog"
    assert form.locator(f"#{first}-deels").is_checked()
    assert form.get_by_label(f"Toelichting bij vraag 1", exact=True).input_value() == "Notitie: ë, é, ï en “aanhalingstekens”"
    chosen = [form.locator(f"#{second}-{answer}").is_checked() for answer, _ in scale(publication)]
    assert chosen == [False, False, True, False]  # two steps right from "ja": "nee"
    assert form.locator("#kcr-afspraak-2-wat").input_value() == "Kunstmenu in de jaarplanning"
    # one answer per question: choosing another clears the first; "Keuze wissen" clears all
    form.locator(f"#{first}-nee").click()
    assert not form.locator(f"#{first}-deels").is_checked()
    form.get_by_role("button", name="Keuze wissen bij vraag 1").click()
    assert form.locator(f"#{first} input:checked").count() == 0


def test_save_start_over_and_open_again(form, publication, site_dir, tmp_path) -> None:
    questions = numbered(publication)
    form.get_by_label("School").fill("Kindcentrum ’t Palet")
    form.get_by_label("Datum", exact=True).fill("2026-11-29")
    for item in questions[::3]:
        form.locator(f"#{item.question.id}-ja").click()
    form.get_by_label("Toelichting bij vraag 2", exact=True).fill(LONG_NOTE)
    form.locator("#kcr-afspraak-1-wie").fill("ICC’er")
    saved = save(form, tmp_path)

    schema = json.loads((site_dir / "downloads" / "reflectie.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(saved, schema)
    assert (saved["formaatversie"], saved["editie"], saved["instrument"]) == (2, publication.config.edition, "bo")
    assert [(a["id"], a["nummer"], a["vraag"], a["soort"], a["tekst"]) for a in saved["antwoorden"]] == [
        (item.question.id, item.number, " ".join(item.question.text.split()), "keuze", "") for item in questions]
    assert [a["antwoord"] for a in saved["antwoorden"]] == ["ja" if i % 3 == 0 else None for i in range(len(questions))]
    assert saved["antwoorden"][1]["toelichting"] == LONG_NOTE
    assert saved["afspraken"] == [{"wat": "", "wie": "ICC’er", "wanneer": ""}]

    form.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Opnieuw beginnen").click()
    assert form.get_by_label("School").input_value() == ""
    assert form.locator("form#kcr-reflectie input:checked").count() == 0
    form.reload()
    assert form.get_by_label("School").input_value() == ""  # also gone from the browser's storage

    file = tmp_path / "terug.json"
    file.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    assert "Geopend: Kindcentrum ’t Palet, 29 november 2026" in choose_files(form, "Bestand openen", file)
    assert form.get_by_label("Toelichting bij vraag 2", exact=True).input_value() == LONG_NOTE
    assert form.locator("form#kcr-reflectie input[type=radio]:checked").count() == len(questions[::3])
    assert form.locator("#kcr-afspraak-1-wie").input_value() == "ICC’er"


def test_printed_form_shows_every_answer_and_the_full_notes(form, publication, tmp_path) -> None:
    questions = numbered(publication)
    labels = dict(scale(publication))
    for index, item in enumerate(questions):
        answer = list(labels)[index % len(labels)]
        form.locator(f"#{item.question.id}-{answer}").click()
        form.get_by_label(f"Toelichting bij vraag {item.number}", exact=True).fill(f"notitie-{item.number} ëé")
    form.get_by_label("Toelichting bij vraag 5", exact=True).fill(LONG_NOTE)
    pdf = tmp_path / "reflectie.pdf"
    form.emulate_media(media="print")
    pdf.write_bytes(form.pdf(format="A4", print_background=False))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for item in questions:
        if item.number != 5:
            assert f"notitie-{item.number} ëé" in flat, item.number
    assert " ".join(LONG_NOTE.split()) in flat  # the whole note, not the three lines a text box shows
    assert flat.count("✓") == len(questions)  # every chosen answer is marked on paper
    for index, item in enumerate(questions[:6]):
        label = list(labels.values())[index % len(labels)]
        assert f"{label} ✓" in flat
    assert "Opslaan als bestand" not in flat and "Zoeken" not in flat


def test_compare_with_a_file_from_an_earlier_edition(form, publication) -> None:
    earlier = json.loads(EARLIER.read_text(encoding="utf-8"))
    current = {item.question.id: item for item in numbered(publication)}
    reworded = {a["id"] for a in earlier["antwoorden"] if a["id"] in current
                and " ".join(current[a["id"]].question.text.split()) != a["vraag"]}
    removed = {a["id"] for a in earlier["antwoorden"] if a["id"] not in current}
    new = set(current) - {a["id"] for a in earlier["antwoorden"]}
    assert reworded and removed, "the fixture must hold a reworded and a removed question"

    first = numbered(publication)[0].question.id
    form.locator(f"#{first}-nee").click()
    choose_files(form, "Vergelijken met een eerdere reflectie", EARLIER)
    section = form.locator("#kcr-vergelijking")
    assert section.is_visible()
    marked = {row.get_attribute("data-vraag"): row.inner_text() for row in section.locator("tr.kcr-gemarkeerd").all()}
    assert {key for key, text in marked.items() if "anders geformuleerd" in text} == reworded
    assert {key for key, text in marked.items() if "vervallen" in text} == removed
    assert {key for key, text in marked.items() if "nieuw sinds" in text} == new
    for key in reworded:
        before = next(a["vraag"] for a in earlier["antwoorden"] if a["id"] == key)
        assert f"Toen: “{before}”" in marked[key]
    row = section.locator(f"tr[data-vraag='{first}']").inner_text()
    then = next(a for a in earlier["antwoorden"] if a["id"] == first)
    assert "nee" in row.split("\t")[-1] and dict(scale(publication)).get(then["antwoord"], "geen antwoord") in row
    # the chart has a text equivalent: the counts per perspective, then and now
    perspectives = len(publication.instrument("bo").sections)
    summary = section.locator("table.kcr-samenvatting")
    assert summary.locator("tbody tr").count() == 2 * perspectives
    assert section.locator("svg.kcr-balk").count() == 2 * perspectives
    # the comparison follows the form: changing an answer updates it
    form.locator(f"#{first}-ja").click()
    assert "ja" in section.locator(f"tr[data-vraag='{first}'] td").nth(3).inner_text()


@pytest.mark.parametrize("name, content, message", [
    ("kapot.json", b"{ dit is geen json", "geen geldig JSON-bestand"),
    ("ander.json", json.dumps({"naam": "iets anders"}).encode(), "Dit is geen opgeslagen reflectie van deze site."),
    ("groot.json", b" " * 1_100_000, "‘groot.json’ is te groot (1,1 MB)"),
])
def test_malformed_foreign_or_oversized_files_are_refused_and_change_nothing(form, publication, tmp_path, name, content,
                                                                            message) -> None:
    form.get_by_label("School").fill("Mijn school")
    form.locator("form#kcr-reflectie input[type=radio]").first.click()
    key = storage_key(publication)
    before = form.evaluate("key => localStorage.getItem(key)", key)
    assert before is not None
    file = tmp_path / name
    file.write_bytes(content)
    shown = choose_files(form, "Bestand openen", file)
    assert message in shown and "Er is niets veranderd." in shown
    assert form.get_by_label("School").input_value() == "Mijn school"
    assert form.evaluate("key => localStorage.getItem(key)", key) == before


def test_a_file_of_another_school_type_or_with_an_unknown_answer_is_refused(form, tmp_path) -> None:
    earlier = json.loads(EARLIER.read_text(encoding="utf-8"))
    other = dict(earlier, schooltype="go")
    file = tmp_path / "go.json"
    file.write_text(json.dumps(other), encoding="utf-8")
    assert "hoort bij een ander instrument (go)" in choose_files(form, "Bestand openen", file)
    odd = json.loads(json.dumps(earlier))
    odd["antwoorden"][0]["antwoord"] = "misschien"
    file.write_text(json.dumps(odd), encoding="utf-8")
    assert "(‘misschien’) staat niet bij de antwoordmogelijkheden van vraag 1 (ja, deels, nee, n.v.t.)" in choose_files(form, "Bestand openen", file)
    assert form.locator("form#kcr-reflectie input:checked").count() == 0


def test_without_javascript_the_questions_and_the_sheets_are_there(browser, site_url, publication) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(urljoin(site_url, "bo/invullen/"))
    assert page.locator(".kcr-zonder-js").is_visible()
    assert page.locator("fieldset.kcr-vraag legend").count() == len(numbered(publication))
    assert page.locator("a[href$='reflectievragen-bo.pdf']").is_visible()
    assert not page.get_by_role("button", name="Opslaan als bestand").is_visible()
    context.close()


@pytest.mark.toegankelijkheid("Het invulformulier, ingevuld en met een vergelijking en een overzicht open, op 390 en 1280 pixels: "
                              "geen schendingen van WCAG 2.1 A en AA en niets breder dan het scherm",
                              hulpmiddel="axe-core", wcag=["A en AA", "1.4.10"])
@pytest.mark.parametrize("width", [390, 1280])
def test_filled_form_with_comparison_is_accessible_on_phone_and_desktop(browser, site_url, width) -> None:
    from test_browser import run_axe

    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(urljoin(site_url, "bo/invullen/"))
    page.get_by_label("School").fill("Basisschool De Regenboog")
    page.locator("form#kcr-reflectie input[type=radio]").first.click()
    choose_files(page, "Vergelijken met een eerdere reflectie", EARLIER)
    choose_files(page, "Overzicht van meerdere scholen", EARLIER)
    page.locator("#kcr-overzicht").wait_for(state="visible")
    assert run_axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    context.close()


def test_advisors_overview_counts_the_answers_of_several_schools(form, publication, tmp_path) -> None:
    """An advisor opens several saved reflections at once: per question, how many schools chose
    each answer; a file that cannot be read is named and not counted."""
    earlier = json.loads(EARLIER.read_text(encoding="utf-8"))
    second = json.loads(json.dumps(earlier))
    second["gegevens"]["school"] = "Kindcentrum De Horizon"
    for answer in second["antwoorden"]:
        answer["antwoord"] = "ja"
    files = [tmp_path / "regenboog.json", tmp_path / "horizon.json", tmp_path / "kapot.json"]
    files[0].write_text(json.dumps(earlier), encoding="utf-8")
    files[1].write_text(json.dumps(second), encoding="utf-8")
    files[2].write_text("{ kapot", encoding="utf-8")
    choose_files(form, "Overzicht van meerdere scholen", files)
    section = form.locator("#kcr-overzicht")
    assert "2 reflecties" in section.inner_text() and "‘kapot.json’" in section.inner_text()
    labels = [label for _, label in scale(publication)] + ["geen antwoord"]
    ids = [answer_id for answer_id, _ in scale(publication)] + [None]
    for item in numbered(publication)[:6]:
        cells = section.locator(f"tr[data-vraag='{item.question.id}'] td").all_inner_texts()
        saved = [a["antwoord"] for data in (earlier, second) for a in data["antwoorden"] if a["id"] == item.question.id]
        saved += [None] * (2 - len(saved))
        assert cells[0] == str(item.number)
        assert [int(c) for c in cells[2:2 + len(labels)]] == [saved.count(i) for i in ids], (item.number, cells)


# --------------------------------------------------------------------------- other answer forms
# The fixture publication tests/fixtures/instrumenten: `leidraad` (open questions, one level),
# `gesprek` (example questions with nothing to fill in and one open item, two levels) and
# `rubriek` (four levels per item, no sections, with a source). Expectations from its YAML.

INSTRUMENTS = ROOT / "tests" / "fixtures" / "instrumenten"


def fixture_yaml(name: str) -> dict:
    import yaml

    return yaml.safe_load((INSTRUMENTS / name).read_text(encoding="utf-8"))


def fixture_items(instrument: str) -> list[tuple[int, dict, str]]:
    """(number, item, answer form id) in reading order, from the YAML."""
    data = fixture_yaml(f"indicators/{instrument}.yaml")
    items = items_in_reading_order(data)
    return [(n, item, item.get("antwoordvorm", data["antwoordvorm"])) for n, item in enumerate(items, start=1)]


def fixture_form(form_id: str) -> dict:
    return next(f for f in fixture_yaml("site_config.yaml")["antwoordvormen"] if f["id"] == form_id)


@pytest.fixture(scope="module")
def instruments(tmp_path_factory, worker_id):
    """The fixture publication, built and served under the path of its basis_url."""
    from conftest import built_fixture_project, serve_directory

    root = built_fixture_project("instrumenten", tmp_path_factory, worker_id)
    prefix = urlparse(fixture_yaml("site_config.yaml")["basis_url"]).path.strip("/")
    web = tmp_path_factory.mktemp("instrumenten-web")
    (web / prefix).symlink_to(root / "site", target_is_directory=True)
    with serve_directory(web) as url:
        yield {"site": root / "site", "url": urljoin(url, prefix + "/"),
               "schema": json.loads((root / "site" / "downloads" / "reflectie.schema.json").read_text(encoding="utf-8"))}


@pytest.fixture
def fixture_page(browser, instruments):
    context, page = watched_page(browser)
    page.base = instruments["url"]
    yield page
    assert page.problems == []
    context.close()


def test_open_questions_are_written_kept_saved_opened_and_compared(fixture_page, instruments, tmp_path) -> None:
    page = fixture_page
    page.goto(urljoin(page.base, "leidraad/invullen/"))
    items = fixture_items("leidraad")
    assert not fixture_form("open").get("toelichting")
    for number, item, _ in items:
        fieldset = page.locator(f"fieldset#{item['id']}")
        assert " ".join(fieldset.locator("legend").inner_text().split()) == f"{number}. {item['tekst']}"
        assert fieldset.locator("input").count() == 0 and fieldset.locator("textarea").count() == 1  # no notes on this form
        page.get_by_label(f"Antwoord bij vraag {number}", exact=True).fill(f"Ons antwoord op {number}:\nregel twee ë")
    page.reload()
    for number, item, _ in items:
        assert page.get_by_label(f"Antwoord bij vraag {number}", exact=True).input_value() == f"Ons antwoord op {number}:\nregel twee ë"
    saved = save(page, tmp_path)
    jsonschema.validate(saved, instruments["schema"])
    assert (saved["formaatversie"], saved["instrument"]) == (2, "leidraad")
    assert [(a["id"], a["nummer"], a["vraag"], a["soort"], a["antwoord"], a["tekst"]) for a in saved["antwoorden"]] == [
        (item["id"], number, item["tekst"], "open", None, f"Ons antwoord op {number}:\nregel twee ë") for number, item, _ in items]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Opnieuw beginnen").click()
    assert page.get_by_label("Antwoord bij vraag 1", exact=True).input_value() == ""
    file = tmp_path / "terug.json"
    file.write_text(json.dumps(saved), encoding="utf-8")
    choose_files(page, "Bestand openen", file)
    assert page.get_by_label("Antwoord bij vraag 2", exact=True).input_value() == "Ons antwoord op 2:\nregel twee ë"

    # An earlier file: one question worded differently then, one not asked then, one gone since.
    earlier = json.loads(json.dumps(saved))
    first, second, third = (item["id"] for _, item, _ in items[:3])
    earlier["antwoorden"][0]["vraag"] = "Is het doel bereikt?"
    earlier["antwoorden"][0]["tekst"] = "Toen: half"
    earlier["antwoorden"] = [a for a in earlier["antwoorden"] if a["id"] != second]
    earlier["antwoorden"].append({"id": "oude-vraag", "nummer": 9, "vraag": "Een oude vraag?", "soort": "open",
                                  "antwoord": None, "tekst": "oud antwoord", "toelichting": ""})
    file.write_text(json.dumps(earlier), encoding="utf-8")
    choose_files(page, "Vergelijken met een eerdere reflectie", file)
    section = page.locator("#kcr-vergelijking")
    marked = {row.get_attribute("data-vraag"): row.inner_text() for row in section.locator("tr.kcr-gemarkeerd").all()}
    assert set(marked) == {first, second, "oude-vraag"}
    assert "anders geformuleerd" in marked[first] and "Toen: “Is het doel bereikt?”" in marked[first]
    assert "nieuw sinds" in marked[second] and "vervallen" in marked["oude-vraag"] and "oud antwoord" in marked["oude-vraag"]
    cells = section.locator(f"tr[data-vraag='{first}'] td").all_inner_texts()
    assert cells[2] == "Toen: half" and cells[3] == "Ons antwoord op 1:\nregel twee ë"
    assert section.locator(f"tr[data-vraag='{third}']").get_attribute("class") == ""
    assert section.locator("table.kcr-samenvatting").count() == 0  # nothing to count in open answers


def test_example_questions_have_nothing_to_fill_in(fixture_page, instruments, tmp_path) -> None:
    page = fixture_page
    page.goto(urljoin(page.base, "gesprek/invullen/"))
    data = fixture_yaml("indicators/gesprek.yaml")
    for section in data["secties"]:  # two levels: h2 for the first, h3 for the second
        assert page.locator(f"h2#{section['id']}").count() == 1
        for sub in section["secties"]:
            assert page.locator(f"h3#{sub['id']}").inner_text() == sub["titel"]
    fillable = []
    for number, item, form_id in fixture_items("gesprek"):
        block = page.locator(f"#{item['id']}")
        assert " ".join(block.inner_text().split()).startswith(f"{number}. {item['tekst']}")
        if fixture_form(form_id)["soort"] == "geen":
            assert block.locator("input, textarea, select, button").count() == 0
            assert block.evaluate("e => e.tagName") != "FIELDSET"
        else:
            fillable.append((number, item))
            assert block.locator("textarea").count() == 1
    assert len(fillable) == 1
    page.get_by_label(f"Antwoord bij vraag {fillable[0][0]}", exact=True).fill("Samen een toonmoment plannen")
    saved = save(page, tmp_path)
    jsonschema.validate(saved, instruments["schema"])
    assert [(a["id"], a["soort"], a["tekst"]) for a in saved["antwoorden"]] == [
        (fillable[0][1]["id"], "open", "Samen een toonmoment plannen")]


def test_a_rubric_is_chosen_per_item_from_its_levels_with_their_descriptions(fixture_page, instruments, tmp_path) -> None:
    page = fixture_page
    page.goto(urljoin(page.base, "rubriek/invullen/"))
    data = fixture_yaml("indicators/rubriek.yaml")
    levels = data["rubriekniveaus"]
    source = data["bron"]
    credit = page.locator(".kcr-bron").inner_text()
    assert source["titel"] in credit and source["eigenaar"] in credit and source["licentie"] in credit
    items = fixture_items("rubriek")
    for number, item, _ in items:
        group = page.get_by_role("group", name=f"{number}. {item['tekst']}")
        for level in levels:  # each level by its name, its description readable and tied to it
            radio = group.get_by_role("radio", name=level["label"], exact=True)
            description = page.locator(f"#{radio.get_attribute('aria-describedby')}").inner_text()
            assert description == item["niveaus"][level["id"]]
            assert group.get_by_text(item["niveaus"][level["id"]], exact=True).is_visible()
        assert group.get_by_label(f"Toelichting bij vraag {number}", exact=True).count() == 1
    # wide screen: an item's levels side by side in one row, in the order of the YAML
    first = items[0][1]["id"]
    boxes = [page.locator(f"#{first}-{level['id']}").locator("xpath=..").bounding_box() for level in levels]
    assert len({round(b["y"]) for b in boxes}) == 1 and [b["x"] for b in boxes] == sorted(b["x"] for b in boxes)
    # choose by clicking a level's description (the whole cell is the target) and by keyboard
    chosen = {items[0][1]["id"]: levels[2]["id"], items[1][1]["id"]: levels[1]["id"]}
    description = page.get_by_text(items[0][1]["niveaus"][levels[2]["id"]], exact=True)
    description.scroll_into_view_if_needed()
    box = description.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(f"#{items[1][1]['id']}-{levels[0]['id']}").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_label("Toelichting bij vraag 1", exact=True).fill("Besproken in de teamvergadering")
    page.reload()
    for item_id, level_id in chosen.items():
        assert page.locator(f"#{item_id}-{level_id}").is_checked()
    saved = save(page, tmp_path)
    jsonschema.validate(saved, instruments["schema"])
    assert [(a["id"], a["soort"], a["antwoord"]) for a in saved["antwoorden"]] == [
        (item["id"], "rubriek", chosen[item["id"]]) for _, item, _ in items]
    assert saved["antwoorden"][0]["toelichting"] == "Besproken in de teamvergadering"

    # Compared with an earlier file: one item was one level lower then.
    earlier = json.loads(json.dumps(saved))
    earlier["antwoorden"][0]["antwoord"] = levels[1]["id"]
    file = tmp_path / "eerder.json"
    file.write_text(json.dumps(earlier), encoding="utf-8")
    choose_files(page, "Vergelijken met een eerdere reflectie", file)
    section = page.locator("#kcr-vergelijking")
    then, now = (row.locator("td").all_inner_texts() for row in section.locator("table.kcr-samenvatting tbody tr").all())
    ids = [level["id"] for level in levels]
    expected_then = [str([a["antwoord"] for a in earlier["antwoorden"]].count(i)) for i in ids] + ["0"]
    expected_now = [str(list(chosen.values()).count(i)) for i in ids] + ["0"]
    assert then[1:1 + len(ids) + 1] == expected_then and now[1:1 + len(ids) + 1] == expected_now
    assert then[-1] == "1"  # anders dan toen
    row = section.locator(f"tr[data-vraag='{items[0][1]['id']}'] td").all_inner_texts()
    assert row[2].startswith(levels[1]["label"]) and row[3].startswith(levels[2]["label"])


def test_a_rubric_reflows_on_a_phone(browser, instruments) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(urljoin(instruments["url"], "rubriek/invullen/"))
    first = fixture_items("rubriek")[0][1]["id"]
    levels = fixture_yaml("indicators/rubriek.yaml")["rubriekniveaus"]
    boxes = [page.locator(f"#{first}-{level['id']}").locator("xpath=..").bounding_box() for level in levels]
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes) and len({round(b["y"]) for b in boxes}) == len(levels)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.close()


@pytest.mark.toegankelijkheid("Invulformulieren met open vragen, voorbeeldvragen en een rubriek, ingevuld en met een "
                              "vergelijking en een overzicht open, op 390 en 1280 pixels: geen schendingen van WCAG 2.1 A en AA "
                              "en niets breder dan het scherm",
                              hulpmiddel="axe-core", wcag=["A en AA", "1.4.10"])
@pytest.mark.parametrize("width", [390, 1280])
def test_open_and_rubric_forms_with_comparison_are_accessible(browser, instruments, tmp_path, width) -> None:
    """axe-core on the forms of the other answer forms, filled in, with a comparison and an
    overview open: 0 violations of WCAG 2.1 A/AA, nothing wider than the screen."""
    from test_browser import run_axe

    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    for instrument in ("rubriek", "leidraad", "gesprek"):
        page.goto(urljoin(instruments["url"], f"{instrument}/invullen/"))
        page.get_by_label("School", exact=True).fill("Basisschool De Regenboog")
        radios = page.locator("form#kcr-reflectie input[type=radio]")
        if radios.count():
            radios.nth(1).check()
        answers = page.locator("textarea[data-antwoord]")
        if answers.count():
            answers.first.fill("Een antwoord")
        saved = save(page, tmp_path)
        file = tmp_path / f"{instrument}.json"
        file.write_text(json.dumps(saved), encoding="utf-8")
        choose_files(page, "Vergelijken met een eerdere reflectie", file)
        choose_files(page, "Overzicht van meerdere scholen", file)
        page.locator("#kcr-overzicht").wait_for(state="visible")
        assert run_axe(page) == [], instrument
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, instrument
    context.close()


def test_printed_open_answers_and_rubric_levels(fixture_page, tmp_path) -> None:
    """On paper: the whole written answer (not the lines a text box shows) and the chosen level marked."""
    page = fixture_page
    page.goto(urljoin(page.base, "leidraad/invullen/"))
    page.get_by_label("Antwoord bij vraag 1", exact=True).fill(LONG_NOTE)
    page.emulate_media(media="print")
    pdf = tmp_path / "leidraad.pdf"
    pdf.write_bytes(page.pdf(format="A4"))
    flat = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert " ".join(LONG_NOTE.split()) in flat and "Opslaan als bestand" not in flat

    page.emulate_media(media="screen")
    page.goto(urljoin(page.base, "rubriek/invullen/"))
    levels = fixture_yaml("indicators/rubriek.yaml")["rubriekniveaus"]
    first = fixture_items("rubriek")[0][1]["id"]
    page.locator(f"#{first}-{levels[1]['id']}").check()
    page.emulate_media(media="print")
    pdf.write_bytes(page.pdf(format="A4"))
    flat = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert flat.count("✓") == 1 and f"✓ {levels[1]['label']}" in flat
