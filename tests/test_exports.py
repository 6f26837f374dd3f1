"""Exports (issue 13), read back with the libraries a user's tool would use: json and
jsonschema, csv, openpyxl (Excel's format, including the answer drop-down) and
python-docx (Word's). Each must hold every question of a school type, in order, with
its stable id and its one number (`SchoolType.numbered_questions`); two builds must give
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

from conftest import ROOT, copy_project
from publisher.exports import (CSV_COLUMNS, SCHEMA_FILE, build_exports, export_csv, export_docx, export_file_name,
                               export_xlsx, placeholder_exports)
from publisher.project import Project
from publisher.repository import source_revision
from publisher.sheets import SHEET_ACTIONS, document_moment
from publisher.validate import load_publication

pytestmark = pytest.mark.slow


def expected(school_type) -> list[tuple[int, str, str]]:
    """(number, id, text) of every question, in the model's one numbering."""
    return [(item.number, item.question.id, item.question.text) for item in school_type.numbered_questions()]


def targets(publication):
    """Every export file per tool: one per school type, and one of all school types together (None)."""
    return [([s], s.id) for s in publication.school_types] + [(publication.school_types, None)]


@pytest.fixture(scope="module")
def downloads(built_project) -> Path:
    return built_project / "site" / "downloads"


@pytest.fixture(scope="module")
def revision(built_project):
    return source_revision(Project.at(built_project))


# --------------------------------------------------------------------------- JSON


def test_json_exports_follow_the_published_schema_and_hold_every_question(downloads, publication, revision) -> None:
    schema = json.loads((downloads / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema == json.loads((ROOT / "schema" / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    config = publication.config
    for school_types, type_id in targets(publication):
        data = json.loads((downloads / export_file_name(type_id, "json")).read_text(encoding="utf-8"))
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, errors
        assert data["$schema"] == f"{config.base_url}downloads/{SCHEMA_FILE}"
        assert data["bron"] == {"editie": config.edition, "datum": document_moment(publication).date().isoformat(),
                                "commit": revision.commit, "lokale_wijzigingen": revision.modified}
        assert [(a["id"], a["label"]) for a in data["antwoordschaal"]] == config.answer_options()
        assert [s["id"] for s in data["schooltypen"]] == [s.id for s in school_types]
        for school_type, exported in zip(school_types, data["schooltypen"]):
            found = [(q["nummer"], q["id"], q["vraag"]) for p in exported["perspectieven"]
                     for t in p["themas"] for q in t["vragen"]]
            assert found == expected(school_type)
            assert [p["vraagwoord"] for p in exported["perspectieven"]] == [p.label for p in config.perspectives]
            assert [t["titel"] for t in exported["impactthemas"]] == [t.title for t in school_type.impact_themes]
            assert [(r["nummer"], r["id"]) for r in exported["aanbevelingen"]] == \
                [(i, r.id) for i, r in enumerate(school_type.recommendations, start=1)]
            first = exported["perspectieven"][0]["themas"][0]["vragen"][0]
            assert first["adres"] == f"{config.base_url}{school_type.id}/reflectievragen/#{first['id']}"


def test_the_schema_rejects_a_broken_export(downloads) -> None:
    """The validation above can fail: a question without its number is refused."""
    schema = json.loads((downloads / SCHEMA_FILE).read_text(encoding="utf-8"))
    data = json.loads((downloads / export_file_name(None, "json")).read_text(encoding="utf-8"))
    del data["schooltypen"][0]["perspectieven"][0]["themas"][0]["vragen"][0]["nummer"]
    with pytest.raises(jsonschema.ValidationError, match="nummer"):
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


# --------------------------------------------------------------------------- CSV


def test_csv_opens_in_dutch_excel_and_holds_every_question(downloads, publication, revision) -> None:
    for school_types, type_id in targets(publication):
        raw = (downloads / export_file_name(type_id, "csv")).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 met BOM, anders toont Excel de letters verkeerd"
        text = raw.decode("utf-8-sig")
        assert text.count("\r\n") == text.count("\n"), "regeleinden zoals Excel ze schrijft"
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
        assert tuple(rows[0].keys()) == CSV_COLUMNS
        for school_type in school_types:
            mine = [r for r in rows if r["schooltype"] == school_type.id]
            assert [(int(r["nummer"]), r["vraag_id"], r["vraag"]) for r in mine] == expected(school_type)
        assert [r["schooltype"] for r in rows] == [s.id for s in school_types for _ in s.questions()]
        assert {(r["editie"], r["bronversie"]) for r in rows} == {(publication.config.edition, revision.label)}


# --------------------------------------------------------------------------- XLSX


def answer_list(book, validation) -> list[str]:
    """The values a drop-down offers: its formula is a range on another sheet."""
    sheet_name, cells = validation.formula1.rsplit("!", 1)
    sheet = book[sheet_name.strip("'").replace("''", "'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [sheet.cell(row, min_col).value for row in range(min_row, max_row + 1)]


def test_xlsx_is_a_checklist_per_school_type_with_an_answer_drop_down(downloads, publication, revision) -> None:
    config = publication.config
    for school_types, type_id in targets(publication):
        book = openpyxl.load_workbook(downloads / export_file_name(type_id, "xlsx"))
        assert book.sheetnames == [s.abbreviation for s in school_types] + ["Over dit bestand"]
        for school_type in school_types:
            sheet = book[school_type.abbreviation]
            assert sheet["A1"].value == school_type.sheet_title
            assert f"editie {config.edition}" in sheet["A2"].value and revision.label in sheet["A2"].value
            assert [c.value for c in sheet[3]] == ["Nr.", "Perspectief", "Thema", "Vraag", "Antwoord",
                                                   "Toelichting / voorbeeld", "Id"]
            rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
            assert [(r[0], r[6], r[3]) for r in rows] == expected(school_type)
            assert [r[2] for r in rows] == [i.theme.title for i in school_type.numbered_questions()]
            assert all(r[4] is None and r[5] is None for r in rows), "antwoord en toelichting zijn leeg"
            last = 3 + len(rows)
            # the answer column offers exactly the answer scale of site_config.yaml, and nothing else
            validations = sheet.data_validations.dataValidation
            assert len(validations) == 1
            validation = validations[0]
            assert validation.type == "list" and validation.showDropDown is not True  # (True would hide the arrow)
            assert str(validation.sqref) == f"E4:E{last}"
            assert validation.showErrorMessage and validation.errorStyle in (None, "stop")
            assert answer_list(book, validation) == config.answer_scale
            # frozen header, filter, A4 landscape on one page wide, header row on every page, stamped footer
            assert sheet.freeze_panes == "A4"
            assert sheet.auto_filter.ref == f"A3:G{last}"
            assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"
            assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default
            assert sheet.page_setup.fitToHeight == 0  # as many pages long as needed
            assert sheet.print_title_rows == "$3:$3"
            assert f"editie {config.edition}" in sheet.oddFooter.left.text
        assert book.properties.created == document_moment(publication).replace(tzinfo=None)
        assert revision.label in book.properties.description


# --------------------------------------------------------------------------- DOCX


def question_tables(document):
    return [t for t in document.tables if t.rows[0].cells[0].text == "Nr."]


@pytest.mark.toegankelijkheid("Het Word-reflectieblad: Nederlands als documenttaal, koppen met kopstijlen, tabellen met een titel en een kopregel die op elke pagina terugkomt", hulpmiddel="python-docx", pakket="python-docx", wcag=["1.3.1", "3.1.1"])
def test_docx_is_an_editable_reflection_sheet(downloads, publication, revision) -> None:
    config = publication.config
    answers = config.answer_scale
    for school_type in publication.school_types:
        document = docx.Document(downloads / export_file_name(school_type.id, "docx"))
        paragraphs = document.paragraphs
        assert paragraphs[0].style.name == "Title" and paragraphs[0].text == school_type.sheet_title
        headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
        themes = [t for p in school_type.perspectives for t in p.themes]
        for index, perspective in enumerate(school_type.perspectives, start=1):
            assert ("Heading 1", f"{index}. {config.perspective_heading(perspective)}") in headings
        assert [text for style, text in headings if style == "Heading 2"] == [t.title for t in themes]
        found = []
        tables = question_tables(document)
        assert len(tables) == len(themes)
        for table, theme in zip(tables, themes):
            assert [c.text for c in table.rows[0].cells] == ["Nr.", "Vraag", *answers, "Toelichting / voorbeeld"]
            assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader"), "de kopregel komt op elke pagina terug"
            assert table._tbl.xpath("./w:tblPr/w:tblCaption/@w:val") == [theme.title]
            for row in table.rows[1:]:
                number_cell = row.cells[0].paragraphs[0]
                link = number_cell.hyperlinks[0]
                address = urlparse(link.address)
                assert link.address.startswith(f"{config.base_url}{school_type.id}/reflectievragen/")
                assert [c.text for c in row.cells[2:2 + len(answers)]] == ["☐"] * len(answers)
                found.append((int(link.text), address.fragment, row.cells[1].text))
        assert found == expected(school_type)
        actions = document.tables[-1]
        assert [c.text for c in actions.rows[0].cells] == ["Wat", "Wie", "Wanneer"]
        assert len(actions.rows) == 1 + SHEET_ACTIONS
        assert "Afspraken en vervolgstappen" in [text for _, text in headings]
        properties = document.core_properties
        assert properties.language == "nl-NL" and properties.author == config.organisation
        assert document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == ["nl-NL"]
        assert properties.created == properties.modified == document_moment(publication)
        assert revision.label in properties.comments
        footer = document.sections[0].footer.paragraphs[0].text
        assert f"editie {config.edition}" in footer and revision.label in footer
        assert document.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)


# --------------------------------------------------------------------------- the downloads page, reproducibility


def test_downloads_page_lists_every_export_with_format_and_size(built_project, publication, revision) -> None:
    site = built_project / "site"
    html = lxml.html.fromstring((site / "downloads" / "index.html").read_bytes())
    article = html.cssselect("article")[0]
    exported = [d.file_name for d in placeholder_exports(Project.at(built_project), publication).files()]
    assert len(exported) == 4 * len(publication.school_types) + 3 + 1
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
    text = text.replace("vraag: Ervaren leerlingen herkenning?", f"vraag: '{formula.replace(chr(39), chr(39) * 2)}'")
    text = text.replace("vraag: Zijn eigenaarschap en presentatiedurf zichtbaar?", f"vraag: '{xml.replace(chr(39), chr(39) * 2)}'")
    text = text.replace("afkorting: bo", "afkorting: 'b/o: [x]*?'")
    yaml_file.write_text(text, encoding="utf-8")
    project = Project.at(project_copy)
    loaded = load_publication(project)
    assert loaded.publication is not None, [str(p) for p in loaded.errors]
    publication = loaded.publication
    bo = publication.school_type("bo")
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
    school_type = next(s for s in publication.school_types if s.id == "bo")
    assert after[bo_name] == export_docx(project, publication, school_type, second.revision)
    assert after[bo_name] != before[bo_name]
    assert {n: b for n, b in after.items() if n != bo_name} == {n: b for n, b in before.items() if n != bo_name}
