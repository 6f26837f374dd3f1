"""The sheets of instruments that are not today's school types (issue 17): the fixture
publication `instrumenten` (tests/fixtures/instrumenten/) with an evaluation guide of open
questions (leidraad, one section level), a conversation tool of example questions with one
open question (gesprek, two levels, answer form `geen`) and a rubric (rubriek, no sections,
four levels, with a source).

Every expectation comes from the fixture's YAML files (plain yaml.safe_load), never from
the code that makes the sheets. The fillable sheets are filled in as a viewer does
(pikepdf's form API), saved, rendered by poppler and read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from pikepdf.form import Form, RadioButtonGroup, TextField

from conftest import FIXTURE_PROJECTS, built_fixture_project, fixture_project, run_cli
from test_sheet_forms import UA_EXCLUDED, darkness, groups, on_state, page_numbers, pdf_ua_failures, render
from test_sheets import fields, page_texts, pdf_text

pytestmark = pytest.mark.slow

FIXTURE = FIXTURE_PROJECTS / "instrumenten"
INSTRUMENTS = ["leidraad", "gesprek", "rubriek"]
COMMON_FIELDS = {"school", "project", "datum", "aanwezigen", "volgend-reflectiemoment"} | {
    f"afspraak-{i}-{column}" for i in range(1, 7) for column in ("wat", "wie", "wanneer")}
MULTILINE = 1 << 12
RADIO = 1 << 15


# --------------------------------------------------------------------------- expectations from the YAML


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_items(root: Path, instrument_id: str) -> list[dict]:
    """Every item in reading order, numbered 1..N straight through: items directly under the
    instrument, then each section depth-first (its subsections, then its own items); with
    the answer form it uses (its own, or the instrument's) as written in site_config.yaml."""
    config = read_yaml(root / "site_config.yaml")
    forms = {form["id"]: form for form in config["antwoordvormen"]}
    data = read_yaml(root / "indicators" / f"{instrument_id}.yaml")
    found: list[dict] = []

    def add(items: list[dict], sections: tuple[str, ...]) -> None:
        for item in items:
            found.append({"id": item["id"], "text": item["tekst"], "sections": sections,
                          "form": forms[item.get("antwoordvorm", data["antwoordvorm"])],
                          "levels": item.get("niveaus", {})})

    def walk(sections: list[dict], above: tuple[str, ...]) -> None:
        for section in sections:
            walk(section.get("secties", []), above + (section["titel"],))
            add(section.get("items", []), above + (section["titel"],))

    add(data.get("items", []), ())
    walk(data.get("secties", []), ())
    for number, item in enumerate(found, start=1):
        item["number"] = number
    return found


def expected_fields(root: Path, instrument_id: str) -> dict[str, dict]:
    """Field name -> what the fillable sheet must have: type, states, accessible name."""
    data = read_yaml(root / "indicators" / f"{instrument_id}.yaml")
    levels = [level["id"] for level in data.get("rubriekniveaus", [])]
    result: dict[str, dict] = {}
    for item in expected_items(root, instrument_id):
        name, kind = f"{instrument_id}-{item['id']}", item["form"]["soort"]
        question = f"Vraag {item['number']}: {item['text']}"
        if kind == "keuze":
            result[name] = {"type": "/Btn", "states": [o["id"] for o in item["form"]["opties"]], "name": question}
        elif kind == "rubriek":
            result[name] = {"type": "/Btn", "states": levels, "name": question}
        elif kind == "open":
            result[f"{name}-antwoord"] = {"type": "/Tx", "name": question}
        if item["form"].get("toelichting"):
            result[f"{name}-toelichting"] = {"type": "/Tx", "name": None}
    return result


# --------------------------------------------------------------------------- building


def load_model(root: Path):
    """The publication as the build validates it (every rule of the model and the site)."""
    from publisher.project import Project
    from publisher.validate import load_publication

    project = Project.at(root)
    loaded = load_publication(project)
    assert loaded.publication is not None, "\n".join(map(str, loaded.errors))
    return project, loaded.publication


def build(root: Path, cache: Path, jobs: int = 1):
    from publisher.sheets import build_sheets

    project, publication = load_model(root)
    result = build_sheets(project, publication, cache, jobs=jobs)
    assert not result.problems, result.problems
    return result


@pytest.fixture(scope="module")
def project_root(tmp_path_factory, worker_id) -> Path:
    """The fixture publication, built (its own copy: a test edits and restores a file)."""
    return built_fixture_project("instrumenten", tmp_path_factory, worker_id)


@pytest.fixture(scope="module")
def built(project_root) -> dict[str, tuple[Path, Path]]:
    """Instrument id -> (print sheet, fillable sheet), as the build publishes them."""
    downloads = project_root / "site" / "downloads"
    return {instrument: (downloads / f"reflectievragen-{instrument}.pdf",
                         downloads / f"reflectievragen-{instrument}-invulbaar.pdf")
            for instrument in read_yaml(FIXTURE / "site_config.yaml")["instrumenten"]}


def sheet_fields(path: Path) -> dict[str, dict]:
    with pikepdf.open(path) as pdf:
        found = {}
        for name, field in fields(pdf).items():
            entry = {"type": str(field.FT), "name": str(field.TU) if "/TU" in field else None,
                     "flags": int(field.get("/Ff", 0))}
            if field.FT == "/Btn":
                entry["states"] = [on_state(kid)[1:] for kid in field.Kids]
                entry["kid_names"] = [str(kid.TU) for kid in field.Kids]
            found[name] = entry
        return found


# --------------------------------------------------------------------------- fields


def test_the_fixture_has_every_answer_kind() -> None:
    kinds = {item["form"]["soort"] for instrument in INSTRUMENTS for item in expected_items(FIXTURE, instrument)}
    assert kinds == {"open", "geen", "rubriek"}
    assert read_yaml(FIXTURE / "site_config.yaml")["instrumenten"] == INSTRUMENTS


@pytest.mark.parametrize("instrument_id", INSTRUMENTS)
def test_fillable_sheet_has_the_fields_and_states_the_yaml_says(built, instrument_id) -> None:
    found = sheet_fields(built[instrument_id][1])
    assert set(found) - COMMON_FIELDS == set(expected := expected_fields(FIXTURE, instrument_id)), \
        f"velden: {sorted(set(found) - COMMON_FIELDS)}"
    assert COMMON_FIELDS <= set(found)
    data = read_yaml(FIXTURE / "indicators" / f"{instrument_id}.yaml")
    labels = {level["id"]: level["label"] for level in data.get("rubriekniveaus", [])}
    items = {f"{instrument_id}-{item['id']}": item for item in expected_items(FIXTURE, instrument_id)}
    for name, want in expected.items():
        field = found[name]
        assert field["type"] == want["type"], name
        if want["name"]:
            assert field["name"] == want["name"], name
        if want["type"] == "/Btn":
            assert field["states"] == want["states"], name
            assert field["flags"] & RADIO, f"{name}: één keuzerondje-groep"
            if items[name]["form"]["soort"] == "rubriek":  # each level named by its label and description
                assert field["kid_names"] == [f"{labels[level]}: {items[name]['levels'][level]}"
                                              for level in want["states"]], name
        else:
            assert field["flags"] & MULTILINE, f"{name}: meerdere regels"
            assert field["name"], f"{name}: geen toegankelijke naam"


def test_example_questions_have_no_field_but_keep_their_number(built) -> None:
    """`geen` items: text only, numbered like every item, nothing to fill in on either sheet."""
    items = expected_items(FIXTURE, "gesprek")
    examples = [item for item in items if item["form"]["soort"] == "geen"]
    assert examples and len(examples) < len(items)
    found = sheet_fields(built["gesprek"][1])
    for item in examples:
        assert not [name for name in found if item["id"] in name], item["id"]
    for path in built["gesprek"]:
        text = pdf_text(path)
        for item in items:
            assert f"{item['number']} {item['text']}" in text, item["text"]
    with pikepdf.open(built["gesprek"][0]) as pdf:
        assert "/AcroForm" not in pdf.Root


@pytest.mark.parametrize("instrument_id", INSTRUMENTS)
def test_print_sheet_has_no_form_and_the_same_pages(built, instrument_id) -> None:
    print_sheet, fillable = built[instrument_id]
    with pikepdf.open(print_sheet) as pdf:
        assert "/AcroForm" not in pdf.Root
    assert page_texts(print_sheet) == page_texts(fillable)


# --------------------------------------------------------------------------- what the sheet shows


@pytest.mark.parametrize("instrument_id", INSTRUMENTS)
def test_headings_items_in_order_title_and_credit(built, instrument_id) -> None:
    data = read_yaml(FIXTURE / "indicators" / f"{instrument_id}.yaml")
    for path in built[instrument_id]:
        text = pdf_text(path)
        position = 0
        for item in expected_items(FIXTURE, instrument_id):
            found = text.find(f"{item['number']} {item['text']}", position)
            assert found >= 0, f"vraag {item['number']} ontbreekt of staat niet op volgorde"
            position = found
        # Top sections numbered, subsections by their title; no impact-triangle words
        # (this instrument declares no structure).
        for index, section in enumerate(data.get("secties", []), start=1):
            assert f"{index}. {section['titel']}" in text
            for sub in section.get("secties", []):
                assert sub["titel"] in text
        assert "WAT –" not in text and "HOE –" not in text
        source = data.get("bron")
        if source:
            for value in (source["titel"], source["eigenaar"], source["licentie"]):
                assert value in text, f"de bron wordt niet vermeld: {value}"
        with pikepdf.open(path) as pdf:
            assert str(pdf.docinfo.Title).startswith(data["naam"])  # no afkorting: the name
            with pdf.open_metadata() as xmp:
                assert str(xmp.get("dc:title")).startswith(data["naam"])
            assert str(pdf.Root.Lang) == "nl"
            if source:  # the document's description credits the source too
                assert source["titel"] in str(pdf.docinfo.Subject) and source["eigenaar"] in str(pdf.docinfo.Subject)


def test_rubric_is_a_table_of_levels_with_their_descriptions(built) -> None:
    data = read_yaml(FIXTURE / "indicators" / "rubriek.yaml")
    text = pdf_text(built["rubriek"][0])
    for level in data["rubriekniveaus"]:
        assert level["label"] in text
    for item in data["items"]:
        for description in item["niveaus"].values():
            assert description in text
    with pikepdf.open(built["rubriek"][0]) as pdf:
        tables = [element for element in _structure(pdf.Root.StructTreeRoot) if element == "/Table"]
        headers = [element for element in _structure(pdf.Root.StructTreeRoot) if element == "/TH"]
    assert len(tables) == 2, "de rubriek en de afspraken zijn tabellen"
    assert len(headers) >= len(data["rubriekniveaus"]) + 1 + len(data["items"])  # columns and a row header per item


def _structure(element) -> list[str]:
    found = []
    if isinstance(element, pikepdf.Dictionary) and "/S" in element:
        found.append(str(element.S))
    kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            found += _structure(kid)
    elif isinstance(kids, pikepdf.Dictionary):
        found += _structure(kids)
    return found


# --------------------------------------------------------------------------- filled in and rendered


def answer_text(number: int) -> str:
    return f"Antwoord op vraag {number}: het team noemt drie voorbeelden uit de praktijk."


@pytest.fixture(scope="module")
def filled(built, tmp_path_factory) -> dict[str, tuple[Path, dict[str, str], dict[str, str]]]:
    """Each fillable sheet with every open field written, a rubric level chosen per item
    (a different one each time) and every notes field written, through pikepdf's form API;
    saved. Returns (path, chosen states, written texts)."""
    result = {}
    for instrument_id in INSTRUMENTS:
        data = read_yaml(FIXTURE / "indicators" / f"{instrument_id}.yaml")
        levels = [level["id"] for level in data.get("rubriekniveaus", [])]
        chosen, written = {}, {}
        for item in expected_items(FIXTURE, instrument_id):
            name = f"{instrument_id}-{item['id']}"
            if item["form"]["soort"] == "rubriek":
                chosen[name] = levels[item["number"] % len(levels)]
            if item["form"]["soort"] == "open":
                written[f"{name}-antwoord"] = answer_text(item["number"])
            if item["form"].get("toelichting"):
                written[f"{name}-toelichting"] = f"Toelichting {item['number']}: besproken met de cultuurcoördinator."
        target = tmp_path_factory.mktemp("ingevuld") / f"{instrument_id}.pdf"
        with pikepdf.open(built[instrument_id][1]) as pdf:
            form = Form(pdf, generate_appearances=None)
            for name, field in form.items():
                if name in chosen:
                    assert isinstance(field, RadioButtonGroup), name
                    (option,) = [o for o in field.options if o.on_value == pikepdf.Name(f"/{chosen[name]}")]
                    field.selected = option
                elif name in written:
                    assert isinstance(field, TextField), name
                    field.value = written[name]
            pdf.save(target)
        result[instrument_id] = (target, chosen, written)
    return result


@pytest.mark.parametrize("instrument_id", INSTRUMENTS)
def test_filled_sheet_shows_the_chosen_level_and_the_written_text(filled, instrument_id, tmp_path) -> None:
    path, chosen, written = filled[instrument_id]
    assert written or chosen
    # The sheet's own appearances (a viewer that draws what it fills in): the chosen level
    # is marked, every other box is empty.
    own = tmp_path / "eigen.pdf"
    with pikepdf.open(path) as pdf:
        del pdf.Root.AcroForm.NeedAppearances
        pdf.save(own)
    for version in (own, path):  # and redrawn by poppler (NeedAppearances, as pikepdf asks)
        with pikepdf.open(version) as pdf:
            images = render(version, tmp_path / version.stem)
            pages = page_numbers(pdf)
            found = groups(pdf)
            assert set(found) == set(chosen)
            for name, group in found.items():
                assert group.V == pikepdf.Name(f"/{chosen[name]}")
                for kid in group.Kids:
                    number = pages[kid.P.objgen]
                    share = darkness(images[number - 1], pdf.pages[number - 1], kid.Rect, inset=0.25)
                    if on_state(kid) == f"/{chosen[name]}":
                        assert share > 0.3, f"{version.name} {name}: gekozen niveau niet zichtbaar ({share:.2f})"
                    else:
                        assert share < 0.02, f"{version.name} {name}: {on_state(kid)} lijkt gekozen ({share:.2f})"
            values = {str(f.T): str(f.V) for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Tx" and "/V" in f}
            assert {name: values.get(name) for name in written} == written
    text = pdf_text(path)  # what poppler draws of the fields
    for value in written.values():
        assert value in text, f"niet zichtbaar in poppler: {value}"


@pytest.mark.parametrize("instrument_id", INSTRUMENTS)
def test_page_validation_finds_the_sheets_pdf_ua_1_compliant(built, filled, instrument_id) -> None:
    for path in [*built[instrument_id], filled[instrument_id][0]]:
        failures = pdf_ua_failures(path, UA_EXCLUDED)
        assert not failures, f"{path.name}: {failures[:5]}"


# --------------------------------------------------------------------------- any number of items


@pytest.fixture(scope="module")
def long_sheets(tmp_path_factory) -> tuple[Path, dict[str, tuple[Path, Path]]]:
    """The fixture with twelve open questions of different lengths in one section (the old
    limit was five) and nine rubric rows: longer than a page each. One rubric level id has a
    hyphen (ids are slugs), which becomes a PDF state as it is."""
    root = fixture_project("instrumenten", tmp_path_factory.mktemp("lang") / "project")
    guide = read_yaml(root / "indicators" / "leidraad.yaml")
    guide["secties"][0]["items"] = [
        {"id": f"vraag-{i}", "tekst": f"Vraag {i} van de lange leidraad: " + "wat ging er goed en wat doen jullie "
         "een volgende keer anders? " * (1 + i % 4)} for i in range(1, 13)]
    (root / "indicators" / "leidraad.yaml").write_text(yaml.safe_dump(guide, allow_unicode=True, sort_keys=False),
                                                       encoding="utf-8")
    rubric = read_yaml(root / "indicators" / "rubriek.yaml")
    rubric["rubriekniveaus"][-1]["id"] = "voorbeeld-school"
    rubric["items"] = [{"id": f"aspect-{i}", "tekst": f"Aspect {i}: {item['tekst']}",
                        "niveaus": {("voorbeeld-school" if level == "voorbeeld" else level): text
                                    for level, text in item["niveaus"].items()}}
                       for i, item in enumerate(rubric["items"] * 5, start=1)][:9]
    (root / "indicators" / "rubriek.yaml").write_text(yaml.safe_dump(rubric, allow_unicode=True, sort_keys=False),
                                                      encoding="utf-8")
    result = build(root, root / ".cache" / "pdf")
    return root, {i: (files[0].path, files[1].path) for i, files in result.downloads.items()}


@pytest.mark.parametrize("instrument_id", ["leidraad", "rubriek"])
def test_long_sections_flow_and_a_question_never_leaves_its_field(long_sheets, instrument_id) -> None:
    """Each question's text is on the page of its answer field (and boxes); the section
    flows across pages instead of leaving them half empty."""
    root, sheets = long_sheets
    items = expected_items(root, instrument_id)
    assert len(items) >= 9
    fillable = sheets[instrument_id][1]
    texts = page_texts(fillable)
    with pikepdf.open(fillable) as pdf:
        pages = page_numbers(pdf)
        widgets = {}
        for name, field in fields(pdf).items():
            for widget in field.get("/Kids", [field]):
                widgets.setdefault(name.removesuffix("-antwoord"), set()).add(pages[widget.P.objgen])
        page_count = len(pdf.pages)
    for item in items:
        on = [number for number, text in enumerate(texts, start=1) if f"{item['number']} {item['text'][:40]}" in text]
        assert len(on) == 1, f"vraag {item['number']} staat op {on}"
        field_pages = widgets[f"{instrument_id}-{item['id']}"]
        assert field_pages == set(on), f"vraag {item['number']} op pagina {on}, het antwoord op {sorted(field_pages)}"
        if item["form"].get("toelichting"):
            assert widgets[f"{instrument_id}-{item['id']}-toelichting"] == set(on), f"toelichting {item['number']}"
    # Flowing: fewer pages than one per question would need, and no page without a question
    # except the last (the agreements).
    assert page_count < len(items)
    for number, text in enumerate(texts[:-1], start=1):
        assert any(f"{item['number']} {item['text'][:40]}" in text for item in items), f"pagina {number} zonder vraag"
    assert page_texts(sheets[instrument_id][0]) == texts
    found = sheet_fields(fillable)
    for name, want in expected_fields(root, instrument_id).items():
        assert found[name]["type"] == want["type"] and found[name].get("states") == want.get("states"), name


# --------------------------------------------------------------------------- reproducible, cached


def test_sheets_are_reproducible_and_cached(built, project_root, tmp_path) -> None:
    again = build(project_root, tmp_path / "cache")
    assert len(again.rendered) == 2 * len(INSTRUMENTS)
    for instrument_id, files in again.downloads.items():
        for download, earlier in zip(files, built[instrument_id]):
            assert download.path.read_bytes() == earlier.read_bytes(), download.file_name
    assert build(project_root, tmp_path / "cache").rendered == [], "niets veranderd: niets opnieuw gemaakt"
    data = read_yaml(project_root / "indicators" / "leidraad.yaml")
    data["secties"][0]["items"][0]["tekst"] += " En waarom?"
    (project_root / "indicators" / "leidraad.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                               encoding="utf-8")
    try:
        changed = build(project_root, tmp_path / "cache")
    finally:
        shutil.copy2(FIXTURE / "indicators" / "leidraad.yaml", project_root / "indicators" / "leidraad.yaml")
    assert changed.rendered == ["reflectievragen-leidraad.pdf", "reflectievragen-leidraad-invulbaar.pdf"]


# --------------------------------------------------------------------------- the whole build


def test_the_whole_build_publishes_these_sheets(built, tmp_path) -> None:
    root = fixture_project("instrumenten", tmp_path / "project")
    code, output = run_cli(["build", "--verbose"], root)  # progress lines also when CI=true
    assert code == 0, output
    for instrument_id, paths in built.items():
        for path, fillable in zip(paths, (False, True)):
            published = root / "site" / "downloads" / f"reflectievragen-{instrument_id}{'-invulbaar' if fillable else ''}.pdf"
            assert published.read_bytes() == path.read_bytes()
    assert re.search(r"reflectiebladen: 6 van 6", output)


def test_the_line_under_the_title_says_what_the_sheet_asks(built) -> None:
    """'kruis aan' only where there is something to tick (a choice or a rubric); open questions
    are written on the lines; a sheet of example questions asks only for the details and agreements."""
    for instrument_id, (print_sheet, _) in built.items():
        kinds = {item["form"]["soort"] for item in expected_items(FIXTURE, instrument_id)}
        first = subprocess.run(["pdftotext", "-l", "1", str(print_sheet), "-"], capture_output=True, text=True,
                               check=True).stdout
        usage = " ".join(first.split()).split("Op papier: ", 1)[1].split(".", 1)[0]
        if kinds & {"keuze", "rubriek"}:
            assert usage == "kruis aan en schrijf op de lijnen", instrument_id
        elif "open" in kinds:
            assert usage == "schrijf op de lijnen", instrument_id
        else:
            assert usage == "schrijf de gegevens en afspraken op de lijnen", instrument_id
