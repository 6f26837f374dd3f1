"""Exports (issue 13), read back with the libraries a user's tool would use: json and
jsonschema, csv, openpyxl (Excel's format, including the answer drop-down) and
python-docx (Word's). Each must hold every item of an instrument, in order, with
its stable id and its one number (expectations read from the YAML files themselves); two builds must give
the same bytes; every file names the edition and the source version."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import docx
import jsonschema
import lxml.html
import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from conftest import ROOT, built_fixture_project, copy_project
from publisher.exports import SCHEMA_FILE, build_exports, export_csv, export_docx, export_file_name, export_xlsx, \
    placeholder_exports
from publisher.project import Project
from publisher.repository import source_revision
from publisher.sheets import SHEET_ACTIONS, document_moment
from publisher.validate import load_publication

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- expectations, from the YAML itself


def read_yaml(path: Path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def yaml_items(project: Path, instrument_id: str) -> list[dict]:
    """Every item of an instrument as the YAML says it, numbered 1..N in reading order, with
    its sections (id, title) from the top level down and its answer form's id."""
    data = read_yaml(project / "indicators" / f"{instrument_id}.yaml")
    found: list[dict] = []

    def walk(sections, above):
        for section in sections:
            walk(section.get("secties", []), above + [(section["id"], section["titel"])])
            for item in section.get("items", []):
                found.append({"id": item["id"], "text": " ".join(item["tekst"].split()), "sections": above + [(section["id"], section["titel"])],
                              "form": item.get("antwoordvorm", data["antwoordvorm"]), "levels": item.get("niveaus", {})})

    for item in data.get("items", []):
        found.append({"id": item["id"], "text": " ".join(item["tekst"].split()), "sections": [],
                      "form": item.get("antwoordvorm", data["antwoordvorm"]), "levels": item.get("niveaus", {})})
    walk(data.get("secties", []), [])
    for number, item in enumerate(found, start=1):
        item["number"] = number
    return found


def yaml_config(project: Path) -> dict:
    return read_yaml(project / "site_config.yaml")


def yaml_forms(project: Path) -> dict[str, dict]:
    return {form["id"]: form for form in yaml_config(project)["antwoordvormen"]}


def expected(project: Path, instrument_id: str) -> list[tuple[int, str, str]]:
    return [(i["number"], i["id"], i["text"]) for i in yaml_items(project, instrument_id)]


def targets(project: Path):
    """Every export file per tool: one per instrument, and one of all instruments together (None)."""
    ids = yaml_config(project)["instrumenten"]
    return [([i], i) for i in ids] + [(ids, None)]


def section_title(project: Path, instrument_id: str, depth: int, section: tuple[str, str]) -> str:
    """A top-level section of an instrument with a structure carries the structure's word ('WAT – …')."""
    data = read_yaml(project / "indicators" / f"{instrument_id}.yaml")
    if depth == 0 and data.get("structuur"):
        structure = next(s for s in yaml_config(project)["structuren"] if s["id"] == data["structuur"])
        word = next(s["vraagwoord"] for s in structure["secties"] if s["id"] == section[0])
        return f"{word} – {section[1]}"
    return section[1]


@pytest.fixture(scope="module")
def downloads(built_project) -> Path:
    return built_project / "site" / "downloads"


@pytest.fixture(scope="module")
def revision(built_project):
    return source_revision(Project.at(built_project))


@pytest.fixture(scope="module")
def fixture_built(tmp_path_factory, worker_id) -> Path:
    """The fixture publication with the answer forms open, geen and rubriek, built."""
    return built_fixture_project("instrumenten", tmp_path_factory, worker_id)


# --------------------------------------------------------------------------- JSON


def json_items(exported: dict) -> list[tuple[int, str, str]]:
    found = []

    def walk(sections):
        for section in sections:
            walk(section["secties"])
            found.extend((q["nummer"], q["id"], q["tekst"]) for q in section["items"])

    found += [(q["nummer"], q["id"], q["tekst"]) for q in exported["items"]]
    walk(exported["secties"])
    return found


@pytest.mark.parametrize("which", ["kcr", "instrumenten"])
def test_json_exports_follow_the_published_schema_and_hold_every_item(which, built_project, fixture_built, publication) -> None:
    project = built_project if which == "kcr" else fixture_built
    downloads = project / "site" / "downloads"
    schema = json.loads((downloads / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema == json.loads((ROOT / "schema" / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    config = yaml_config(project)
    revision = source_revision(Project.at(project))
    for ids, type_id in targets(project):
        data = json.loads((downloads / export_file_name(type_id, "json")).read_text(encoding="utf-8"))
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, errors
        assert data["$schema"] == f"{config['basis_url']}downloads/{SCHEMA_FILE}"
        assert data["bron"]["editie"] == config["editie"]
        assert (data["bron"]["commit"], data["bron"]["lokale_wijzigingen"]) == (revision.commit, revision.modified)
        assert [(f["id"], f["soort"], [(o["id"], o["label"]) for o in f["opties"]]) for f in data["antwoordvormen"]] == \
            [(f["id"], f["soort"], [(o["id"], o["label"]) for o in f.get("opties", [])]) for f in config["antwoordvormen"]]
        assert [i["id"] for i in data["instrumenten"]] == ids
        for instrument_id, exported in zip(ids, data["instrumenten"]):
            yaml_data = read_yaml(project / "indicators" / f"{instrument_id}.yaml")
            assert json_items(exported) == expected(project, instrument_id)
            assert exported["sectieniveaus"] == yaml_data.get("sectieniveaus", [])
            assert [(level["id"], level["label"]) for level in exported["rubriekniveaus"]] == \
                [(level["id"], level["label"]) for level in yaml_data.get("rubriekniveaus", [])]
            assert [t["titel"] for t in exported["impactthemas"]] == [t["titel"] for t in yaml_data.get("impactthemas", [])]
            assert [(r["nummer"], r["id"]) for r in exported["aanbevelingen"]] == \
                [(i, r["id"]) for i, r in enumerate(yaml_data.get("aanbevelingen", []), start=1)]
            assert (exported["bron"] or {}).get("eigenaar") == yaml_data.get("bron", {}).get("eigenaar")
            first = (exported["items"] or exported["secties"][0]["items"] or exported["secties"][0]["secties"][0]["items"])[0]
            assert first["adres"] == f"{config['basis_url']}{instrument_id}/reflectievragen/#{first['id']}"
            levels = {i["id"]: i["levels"] for i in yaml_items(project, instrument_id)}
            assert all(q["niveaus"] == levels[q["id"]] for q in _all_items(exported))


def _all_items(exported: dict) -> list[dict]:
    found = list(exported["items"])
    stack = list(exported["secties"])
    while stack:
        section = stack.pop()
        found += section["items"]
        stack += section["secties"]
    return found


def test_the_schema_rejects_a_broken_export(downloads) -> None:
    """The validation above can fail: a question without its number is refused."""
    schema = json.loads((downloads / SCHEMA_FILE).read_text(encoding="utf-8"))
    data = json.loads((downloads / export_file_name(None, "json")).read_text(encoding="utf-8"))
    del data["instrumenten"][0]["secties"][0]["secties"][0]["items"][0]["nummer"]
    with pytest.raises(jsonschema.ValidationError, match="nummer"):
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("which", ["kcr", "instrumenten"])
def test_csv_opens_in_dutch_excel_and_holds_every_item(which, built_project, fixture_built) -> None:
    project = built_project if which == "kcr" else fixture_built
    downloads = project / "site" / "downloads"
    config = yaml_config(project)
    revision = source_revision(Project.at(project))
    noun = config.get("instrumentnaam", {}).get("enkelvoud", "instrument")
    for ids, type_id in targets(project):
        raw = (downloads / export_file_name(type_id, "csv")).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 met BOM, anders toont Excel de letters verkeerd"
        text = raw.decode("utf-8-sig")
        assert text.count("\r\n") == text.count("\n"), "regeleinden zoals Excel ze schrijft"
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
        levels = []
        for instrument_id in ids:
            levels += [name for name in read_yaml(project / "indicators" / f"{instrument_id}.yaml").get("sectieniveaus", [])
                       if name not in levels]
        columns = [noun, "nummer", "vraag_id", "vraag"] + [c for name in reversed(levels) for c in (f"{name}_id", name)]
        assert tuple(rows[0].keys()) == tuple(columns + ["editie", "bronversie"])
        for instrument_id in ids:
            mine = [r for r in rows if r[noun] == instrument_id]
            items = yaml_items(project, instrument_id)
            assert [(int(r["nummer"]), r["vraag_id"], r["vraag"]) for r in mine] == expected(project, instrument_id)
            names = read_yaml(project / "indicators" / f"{instrument_id}.yaml").get("sectieniveaus", [])
            for row, item in zip(mine, items):
                for depth, (name, section) in enumerate(zip(names, item["sections"])):
                    assert (row[f"{name}_id"], row[name]) == (section[0], section_title(project, instrument_id, depth, section))
        assert [r[noun] for r in rows] == [i for i in ids for _ in yaml_items(project, i)]
        assert {(r["editie"], r["bronversie"]) for r in rows} == {(config["editie"], revision.label)}


# --------------------------------------------------------------------------- XLSX


def answer_list(book, validation) -> list[str]:
    """The values a drop-down offers: its formula is a range on another sheet."""
    sheet_name, cells = validation.formula1.rsplit("!", 1)
    sheet = book[sheet_name.strip("'").replace("''", "'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [sheet.cell(row, min_col).value for row in range(min_row, max_row + 1)]


def test_xlsx_is_a_checklist_per_school_type_with_an_answer_drop_down(downloads, built_project, revision) -> None:
    project = built_project
    config = yaml_config(project)
    scale = [o["label"] for o in yaml_forms(project)["schaal"]["opties"]]
    for ids, type_id in targets(project):
        book = openpyxl.load_workbook(downloads / export_file_name(type_id, "xlsx"))
        abbreviations = [read_yaml(project / "indicators" / f"{i}.yaml")["afkorting"] for i in ids]
        assert book.sheetnames == abbreviations + ["Over dit bestand"]
        for instrument_id, abbreviation in zip(ids, abbreviations):
            sheet = book[abbreviation]
            assert f"editie {config['editie']}" in sheet["A2"].value and revision.label in sheet["A2"].value
            assert [c.value for c in sheet[3]] == ["Nr.", "Perspectief", "Thema", "Vraag", "Antwoord",
                                                   "Toelichting / voorbeeld", "Id"]
            rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
            items = yaml_items(project, instrument_id)
            assert [(r[0], r[6], r[3]) for r in rows] == expected(project, instrument_id)
            assert [r[2] for r in rows] == [i["sections"][1][1] for i in items]
            assert all(r[4] is None and r[5] is None for r in rows), "antwoord en toelichting zijn leeg"
            last = 3 + len(rows)
            # the answer column offers exactly the options of site_config.yaml, and nothing else
            validations = sheet.data_validations.dataValidation
            assert len(validations) == 1
            validation = validations[0]
            assert validation.type == "list" and validation.showDropDown is not True  # (True would hide the arrow)
            assert str(validation.sqref) == f"E4:E{last}"
            assert validation.showErrorMessage and validation.errorStyle in (None, "stop")
            assert answer_list(book, validation) == scale
            # frozen header, filter, A4 landscape on one page wide, header row on every page, stamped footer
            assert sheet.freeze_panes == "A4"
            assert sheet.auto_filter.ref == f"A3:G{last}"
            assert sheet.print_area == f"'{sheet.title}'!$A$1:$G${last}"
            assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"
            assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default
            assert sheet.page_setup.fitToHeight == 0  # as many pages long as needed
            assert sheet.print_title_rows == "$3:$3"
            assert f"editie {config['editie']}" in sheet.oddFooter.left.text
        assert revision.label in book.properties.description


def test_xlsx_dates_are_written_out_in_dutch(downloads, built_project) -> None:
    """'Over dit bestand' names the date as a Dutch reader writes it (1 January of the edition,
    the build's SOURCE_DATE_EPOCH unset): '1 januari 2025'; no cell anywhere holds 2025-01-01."""
    import os

    assert not os.environ.get("SOURCE_DATE_EPOCH")
    edition = str(yaml_config(built_project)["editie"])
    for path in sorted(downloads.glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        about = {row[0]: row[1] for row in book["Over dit bestand"].iter_rows(values_only=True) if row[0]}
        assert about["Datum"] == f"1 januari {edition[:4]}", path.name
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                assert not any(re.search(r"\b\d{4}-\d\d-\d\d\b", str(value)) for value in row if value), (path.name, row)


def test_xlsx_of_open_example_and_rubric_items_has_the_columns_they_need(fixture_built) -> None:
    """An evaluation guide (open): an answer column without a drop-down; a conversation tool
    (geen, one item open): no notes; a rubric: its levels in a column, a drop-down of the
    instrument's levels, a notes column (the form has toelichting)."""
    project = fixture_built
    forms = yaml_forms(project)
    for instrument_id in yaml_config(project)["instrumenten"]:
        data = read_yaml(project / "indicators" / f"{instrument_id}.yaml")
        items = yaml_items(project, instrument_id)
        kinds = {forms[i["form"]]["soort"] for i in items}
        book = openpyxl.load_workbook(project / "site" / "downloads" / export_file_name(instrument_id, "xlsx"))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[3]]
        levels = [name[:1].upper() + name[1:] for name in data.get("sectieniveaus", [])]
        expected_header = ["Nr.", *levels, "Vraag"]
        if "rubriek" in kinds:
            expected_header.append("Niveaus")
        if kinds - {"geen"}:
            expected_header.append("Antwoord")
        if any(forms[i["form"]].get("toelichting") for i in items):
            expected_header.append("Toelichting / voorbeeld")
        assert header == expected_header + ["Id"], instrument_id
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
        assert [(r[0], r[-1], r[header.index("Vraag")]) for r in rows] == expected(project, instrument_id)
        validations = sheet.data_validations.dataValidation
        if "rubriek" in kinds:
            labels = [level["label"] for level in data["rubriekniveaus"]]
            assert [answer_list(book, v) for v in validations] == [labels]
            column = header.index("Niveaus")
            for row, item in zip(rows, items):
                assert row[column] == "\n".join(f"{level['label']}: {item['levels'][level['id']]}"
                                                for level in data["rubriekniveaus"])
        else:
            assert validations == [], "open en voorbeeldvragen hebben geen keuzelijst"


# --------------------------------------------------------------------------- DOCX


def question_tables(document):
    return [t for t in document.tables if t.rows[0].cells[0].text == "Nr."]


@pytest.mark.toegankelijkheid("Het Word-reflectieblad: Nederlands als documenttaal, koppen met kopstijlen, tabellen met een titel en een kopregel die op elke pagina terugkomt", hulpmiddel="python-docx", pakket="python-docx", wcag=["1.3.1", "3.1.1"])
def test_docx_is_an_editable_reflection_sheet(downloads, built_project, publication, revision) -> None:
    project = built_project
    config = yaml_config(project)
    answers = [o["label"] for o in yaml_forms(project)["schaal"]["opties"]]
    for instrument_id in config["instrumenten"]:
        data = read_yaml(project / "indicators" / f"{instrument_id}.yaml")
        document = docx.Document(downloads / export_file_name(instrument_id, "docx"))
        paragraphs = document.paragraphs
        assert paragraphs[0].style.name == "Title" and paragraphs[0].text == publication.instrument(instrument_id).sheet_title
        headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
        themes = [t for p in data["secties"] for t in p["secties"]]
        for index, perspective in enumerate(data["secties"], start=1):
            assert ("Heading 1", f"{index}. {section_title(project, instrument_id, 0, (perspective['id'], perspective['titel']))}") in headings
        assert [text for style, text in headings if style == "Heading 2"] == [t["titel"] for t in themes]
        found = []
        tables = question_tables(document)
        assert len(tables) == len(themes)
        for table, theme in zip(tables, themes):
            assert [c.text for c in table.rows[0].cells] == ["Nr.", "Vraag", *answers, "Toelichting / voorbeeld"]
            assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader"), "de kopregel komt op elke pagina terug"
            assert table._tbl.xpath("./w:tblPr/w:tblCaption/@w:val") == [theme["titel"]]
            for row in table.rows[1:]:
                number_cell = row.cells[0].paragraphs[0]
                link = number_cell.hyperlinks[0]
                address = urlparse(link.address)
                assert link.address.startswith(f"{config['basis_url']}{instrument_id}/reflectievragen/")
                assert [c.text for c in row.cells[2:2 + len(answers)]] == ["☐"] * len(answers)
                found.append((int(link.text), address.fragment, row.cells[1].text))
        assert found == expected(project, instrument_id)
        actions = document.tables[-1]
        assert [c.text for c in actions.rows[0].cells] == ["Wat", "Wie", "Wanneer"]
        assert len(actions.rows) == 1 + SHEET_ACTIONS
        assert "Afspraken en vervolgstappen" in [text for _, text in headings]
        properties = document.core_properties
        assert properties.language == "nl-NL" and properties.author == config["organisatie"]
        assert document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == ["nl-NL"]
        assert properties.created == properties.modified == document_moment(publication)
        assert revision.label in properties.comments
        footer = document.sections[0].footer.paragraphs[0].text
        assert f"editie {config['editie']}" in footer and revision.label in footer
        assert document.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)


def test_docx_of_open_example_and_rubric_items(fixture_built) -> None:
    """Per run of items with one answer form a table: open questions with an answer column, example
    questions without boxes, a rubric with a box and the description per level; the source credited."""
    project = fixture_built
    forms = yaml_forms(project)
    for instrument_id in yaml_config(project)["instrumenten"]:
        data = read_yaml(project / "indicators" / f"{instrument_id}.yaml")
        items = yaml_items(project, instrument_id)
        document = docx.Document(project / "site" / "downloads" / export_file_name(instrument_id, "docx"))
        rows = [(table, row) for table in question_tables(document) for row in table.rows[1:]
                if row.cells[0].paragraphs[0].hyperlinks]
        assert [(int(r.cells[0].paragraphs[0].hyperlinks[0].text), r.cells[1].text) for _, r in rows] == \
            [(i["number"], i["text"]) for i in items]
        for (table, row), item in zip(rows, items):
            header = [c.text for c in table.rows[0].cells]
            kind = forms[item["form"]]["soort"]
            if kind == "open":
                assert header == ["Nr.", "Vraag", "Antwoord"]
            elif kind == "geen":
                assert header == ["Nr.", "Vraag"]
            elif kind == "rubriek":
                assert header == ["Nr.", "Vraag", *[level["label"] for level in data["rubriekniveaus"]]]
                assert [c.text for c in row.cells[2:]] == [f"☐ {item['levels'][level['id']]}" for level in data["rubriekniveaus"]]
        text = "\n".join(p.text for p in document.paragraphs)
        if "bron" in data:
            assert data["bron"]["titel"] in text and data["bron"]["eigenaar"] in text


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def bold_word_twips(word: str, points: float) -> float:
    """How wide a bold word is in DejaVu Sans Bold, the widest font Word or LibreOffice falls
    back to when Calibri is missing (so: it fits in any of them)."""
    from fontTools.ttLib import TTFont

    font = bold_word_twips.font = getattr(bold_word_twips, "font", None) or TTFont(DEJAVU_BOLD)
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    return sum(metrics[cmap[ord(c)]][0] for c in word) / font["head"].unitsPerEm * points * 20


@pytest.mark.parametrize("which", ["kcr", "instrumenten"])
def test_docx_tables_read_well(which, built_project, fixture_built) -> None:
    """Every table of every Word sheet, read back with python-docx: a fixed layout whose columns
    add up to the text width, the header row repeated on every page, no row split across pages,
    and every word of a header (Nr., the answers, the rubric levels) whole in its column."""
    project = built_project if which == "kcr" else fixture_built
    for instrument_id in yaml_config(project)["instrumenten"]:
        document = docx.Document(project / "site" / "downloads" / export_file_name(instrument_id, "docx"))
        section = document.sections[0]
        text_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
        style = document.styles["Table Grid"]
        points = style.font.size.pt
        margins = sum(int(m.get(f"{W}w")) for side in ("left", "right")
                      for m in style.element.iter(f"{W}{side}") if m.getparent().tag == f"{W}tblCellMar") or 2 * 108
        for table in document.tables:
            grid = [int(col.get(f"{W}w")) for col in table._tbl.tblGrid.iter(f"{W}gridCol")]
            assert sum(grid) == text_width, (instrument_id, grid, text_width)
            assert table._tbl.tblPr.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
            assert table._tbl.tblPr.find(f"{W}tblW").get(f"{W}w") == str(text_width)
            for row in table.rows:
                assert row._tr.trPr is not None and row._tr.trPr.find(f"{W}cantSplit") is not None, instrument_id
                column = 0
                for tc in row._tr.tc_lst:
                    span = tc.grid_span
                    assert tc.tcPr.find(f"{W}tcW").get(f"{W}w") == str(sum(grid[column:column + span]))
                    column += span
            header = [c.text for c in table.rows[0].cells]
            if header[0] != "Nr.":
                continue  # the details table has no header row
            assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None, "de kopregel komt op elke pagina terug"
            for text, width in zip(header, grid):
                for word in text.split():
                    # whole, with 1 mm to spare (word processors differ a little in spacing)
                    assert bold_word_twips(word, points) + 57 <= width - margins, (instrument_id, word, width)
            assert grid[1] >= text_width * 0.2, (instrument_id, "de vraag heeft ruimte", grid)


# --------------------------------------------------------------------------- the downloads page, reproducibility


def test_downloads_page_lists_every_export_with_format_and_size(built_project, publication, revision) -> None:
    site = built_project / "site"
    html = lxml.html.fromstring((site / "downloads" / "index.html").read_bytes())
    article = html.cssselect("article")[0]
    exported = [d.file_name for d in placeholder_exports(Project.at(built_project), publication).files()]
    assert len(exported) == 4 * len(yaml_config(built_project)["instrumenten"]) + 3 + 1
    for name in exported:
        links = [a for a in article.cssselect("a") if a.get("href") == f"../downloads/{name}"
                 or a.get("href", "").endswith(f"/{name}") or a.get("href") == name]
        assert len(links) == 1, name
        after = links[0].tail or ""
        match = re.match(r"\s*\((DOCX|XLSX|CSV|JSON), (\d+) kB\)", after)
        assert match, (name, after)
        assert match[1] == name.rsplit(".", 1)[1].upper()
        assert abs(int(match[2]) - (site / "downloads" / name).stat().st_size / 1024) <= 1
    assert f"editie {publication.config.edition}, bronversie {revision.label}" in " ".join(article.text_content().split())


def test_two_builds_give_byte_identical_exports(built_project, publication, tmp_path) -> None:
    """A second build (other folder, other moment) gives the same bytes; every date inside
    comes from the edition, so nothing depends on when or where the build ran."""
    again = build_exports(Project.at(built_project), publication, tmp_path / "again")
    assert again.files()
    moment = document_moment(publication)
    for file in again.files():
        assert file.path.read_bytes() == (built_project / "site" / "downloads" / file.file_name).read_bytes(), file.file_name
        if file.format in ("XLSX", "DOCX"):
            with zipfile.ZipFile(file.path) as archive:
                stamps = {info.date_time for info in archive.infolist()}
                assert stamps == {(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)}
                core = archive.read("docProps/core.xml").decode("utf-8")
                assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core) \
                    in ([moment.strftime("%Y-%m-%dT%H:%M:%SZ")] * 2, [moment.strftime("%Y-%m-%dT%H:%M:%SZ")])


# --------------------------------------------------------------------------- stamping and escaping (no site build)


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           *args], check=True, capture_output=True, text=True).stdout.strip()


def test_exports_name_the_commit_they_were_made_from(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    project = copy_project(tmp_path / "project")
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-qm", "start")
    head = git(project, "rev-parse", "HEAD")
    publication = load_publication(Project.at(project)).publication
    exports = build_exports(Project.at(project), publication, tmp_path / "out")
    assert (exports.revision.commit, exports.revision.modified) == (head, False)
    data = json.loads((tmp_path / "out" / export_file_name(None, "json")).read_text(encoding="utf-8"))
    assert data["bron"]["commit"] == head and data["bron"]["lokale_wijzigingen"] is False

    yaml_file = project / "indicators" / "bo.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("herkenning?", "herkenning in de klas?"),
                         encoding="utf-8")
    exports = build_exports(Project.at(project), publication, tmp_path / "out")
    assert exports.revision.label == f"{head[:12]} met lokale wijzigingen"
    assert f"{head[:12]} met lokale wijzigingen".encode() in (tmp_path / "out" / export_file_name("bo", "csv")).read_bytes()


def test_editor_text_stays_text_in_every_export(project_copy) -> None:
    """A question that looks like a spreadsheet formula, XML or an Excel header code, and a
    school type abbreviation with characters a sheet name may not have."""
    formula = "=HYPERLINK(\"https://evil.example\";\"klik\")"
    xml = "Zien leerlingen <w:t>&amp; 'x' \"y\" &P &N ]]> ?"
    yaml_file = project_copy / "indicators" / "bo.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    text = text.replace("tekst: Ervaren leerlingen herkenning?", f"tekst: '{formula.replace(chr(39), chr(39) * 2)}'")
    text = text.replace("tekst: Zijn eigenaarschap en presentatiedurf zichtbaar?", f"tekst: '{xml.replace(chr(39), chr(39) * 2)}'")
    text = text.replace("afkorting: bo", "afkorting: 'b/o: [x]*?'")
    yaml_file.write_text(text, encoding="utf-8")
    project = Project.at(project_copy)
    loaded = load_publication(project)
    assert loaded.publication is not None, [str(p) for p in loaded.errors]
    publication = loaded.publication
    bo = publication.instrument("bo")
    revision = source_revision(project)

    rows = list(csv.reader(io.StringIO(export_csv(publication, [bo], revision).decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert rows[1][3] == "'" + formula, "een formule wordt tekst (OWASP: apostrof ervoor)"
    assert rows[2][3] == xml

    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(project, publication, [bo], revision)))
    sheet = book.worksheets[0]
    assert sheet.title == "b-o- -x---"
    assert (sheet["D4"].value, sheet["D4"].data_type) == (formula, "s")
    assert sheet["D5"].value == xml

    document = docx.Document(io.BytesIO(export_docx(project, publication, bo, revision)))
    texts = [row.cells[1].text for table in question_tables(document) for row in table.rows[1:]]
    assert texts[:2] == [formula, xml]


def test_a_damaged_export_in_the_cache_is_made_again(built_project, publication, tmp_path) -> None:
    project = Project.at(built_project)
    first = {d.file_name: d.path.read_bytes() for d in build_exports(project, publication, tmp_path / "cache").files()}
    damaged = tmp_path / "cache" / export_file_name("bo", "xlsx")
    damaged.write_bytes(b"kapot")
    again = build_exports(project, publication, tmp_path / "cache")
    assert {d.file_name: d.path.read_bytes() for d in again.files()} == first
    assert {d.file_name: d.size for d in again.files()} == {name: len(data) for name, data in first.items()}


def test_word_sheets_are_remade_exactly_when_their_input_changed(tmp_path) -> None:
    """The Word sheets are kept between builds by a hash of their input: after an edit of one
    question, that school type's sheet has the new text and equals a sheet made from scratch;
    the other school types' sheets are the same bytes as before."""
    from publisher.validate import load_publication

    root = copy_project(tmp_path / "project")
    project = Project.at(root)
    first = build_exports(project, load_publication(project).publication, tmp_path / "out")
    before = {d.file_name: d.path.read_bytes() for d in first.files() if d.file_name.endswith(".docx")}
    bo = root / "indicators" / "bo.yaml"
    bo.write_text(bo.read_text(encoding="utf-8").replace("Ervaren leerlingen herkenning?",
                                                        "Ervaren leerlingen herkenning in de klas?"), encoding="utf-8")
    publication = load_publication(project).publication
    second = build_exports(project, publication, tmp_path / "out")
    after = {d.file_name: d.path.read_bytes() for d in second.files() if d.file_name.endswith(".docx")}
    bo_name = export_file_name("bo", "docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(after[bo_name])).paragraphs)
    tables = "\n".join(cell.text for table in docx.Document(io.BytesIO(after[bo_name])).tables
                       for row in table.rows for cell in row.cells)
    assert "Ervaren leerlingen herkenning in de klas?" in text + tables
    school_type = next(s for s in publication.instruments if s.id == "bo")
    assert after[bo_name] == export_docx(project, publication, school_type, second.revision)
    assert after[bo_name] != before[bo_name]
    assert {n: b for n, b in after.items() if n != bo_name} == {n: b for n, b in before.items() if n != bo_name}
