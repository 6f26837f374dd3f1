"""Exports of the reflection questions for the tools people already use.

Per school type and for all school types together:
- JSON: the whole model (school types, perspectives, themes, numbered questions with their
  stable ids, impact themes, recommendations, answer scale, glossary), described by a
  published JSON Schema (`reflectievragen-schema.json`, generated from the models below);
- CSV: one row per question, UTF-8 with a byte order mark and ';' between fields, the
  way Dutch Excel opens a file correctly by double-clicking it;
- XLSX (XlsxWriter): one checklist sheet per school type with a drop-down of the answer
  scale, a notes column, a frozen header and an A4 landscape print setup;
- DOCX (python-docx, per school type only): an editable reflection sheet an advisor adapts
  for one school.

Every file names the edition and the source version (`repository.Revision`) and is
reproducible byte for byte: dates come from `sheets.document_moment` (the edition, or
SOURCE_DATE_EPOCH) and the ZIP containers of XLSX and DOCX get fixed entry dates.
Every string an editor wrote is written as data: JSON and CSV by their serializers, XLSX
cells with `write_string` (never as a formula), DOCX text as XML text, and Excel's
header/footer codes escaped. The fixed Dutch texts of the layouts are in
templates/exports/teksten.yaml.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Callable

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .model import SLUG_PATTERN, Publication, SchoolType
from .problems import InputError, error
from .project import Project
from .repository import Revision, source_revision
from .sheets import SHEET_ACTIONS, Download, document_moment, reflection_page_url

EXPORT_STEM = "reflectievragen"
SCHEMA_FILE = f"{EXPORT_STEM}-schema.json"
SCHEMA_TITLE = "Reflectievragen van de publicatie (JSON-export)"
TEXTS_FILE = "exports/teksten.yaml"

# The columns of the CSV file: a data format, so fixed here (like the JSON keys below).
CSV_COLUMNS = ("schooltype", "nummer", "vraag_id", "vraag", "thema_id", "thema", "perspectief_id", "perspectief",
               "editie", "bronversie")

# --------------------------------------------------------------------------- JSON (and its schema)

Id = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class QuestionData(_Data):
    model_config = ConfigDict(title="Vraag")

    id: Id = Field(description="Vaste id van de vraag; blijft gelijk als de tekst verandert.")
    number: int = Field(alias="nummer", ge=1, description="Nummer van de vraag binnen het schooltype (1 tot en met N, "
                                                         "door alle perspectieven en thema's heen), zoals op de site en de reflectiebladen.")
    text: str = Field(alias="vraag", description="De reflectievraag.")
    url: str = Field(alias="adres", description="Webadres van de vraag op de site.")


class ThemeData(_Data):
    model_config = ConfigDict(title="Thema")

    id: Id
    title: str = Field(alias="titel")
    questions: list[QuestionData] = Field(alias="vragen")


class PerspectiveData(_Data):
    model_config = ConfigDict(title="Perspectief")

    id: Id
    label: str = Field(alias="vraagwoord", description="Bv. 'WAT', 'HOE', 'WANNEER & WAAR'.")
    title: str = Field(alias="titel")
    themes: list[ThemeData] = Field(alias="themas")


class ImpactThemeData(_Data):
    model_config = ConfigDict(title="Impactthema")

    id: Id
    title: str = Field(alias="titel")
    text: str = Field(alias="tekst")


class RecommendationData(_Data):
    model_config = ConfigDict(title="Aanbeveling")

    id: Id
    number: int = Field(alias="nummer", ge=1)
    title: str = Field(alias="titel")
    text: str = Field(alias="tekst")


class SchoolTypeData(_Data):
    model_config = ConfigDict(title="Schooltype")

    id: Id
    name: str = Field(alias="naam")
    abbreviation: str = Field(alias="afkorting")
    intro: str = Field(alias="inleiding", description="Gewone tekst; een lege regel begint een nieuwe alinea.")
    url: str = Field(alias="adres", description="Webadres van de pagina met de reflectievragen.")
    perspectives: list[PerspectiveData] = Field(alias="perspectieven")
    impact_themes: list[ImpactThemeData] = Field(alias="impactthemas")
    recommendations: list[RecommendationData] = Field(alias="aanbevelingen")


class AnswerData(_Data):
    model_config = ConfigDict(title="Antwoord")

    id: str = Field(description="Korte vorm zonder leestekens, bv. 'nvt'.")
    label: str = Field(description="Zoals op de reflectiebladen, bv. 'n.v.t.'.")


class TermData(_Data):
    model_config = ConfigDict(title="Begrip")

    term: str
    expansion: str | None = Field(alias="voluit")
    explanation: str = Field(alias="uitleg")


class SourceData(_Data):
    model_config = ConfigDict(title="Bron")

    edition: str = Field(alias="editie")
    date: str = Field(alias="datum", description="Datum van de editie (JJJJ-MM-DD).")
    commit: str | None = Field(pattern=r"^[0-9a-f]{40}$",
                               description="Git-commit van de bron waaruit dit bestand gemaakt is; null als onbekend.")
    modified: bool = Field(alias="lokale_wijzigingen",
                           description="true als de bron afwich van die commit (een lokale bouw).")


class ExportData(_Data):
    model_config = ConfigDict(title="Reflectievragen")

    schema_url: str = Field(alias="$schema")
    title: str = Field(alias="titel")
    organisation: str = Field(alias="organisatie")
    base_url: str = Field(alias="basis_url")
    source: SourceData = Field(alias="bron")
    answer_scale: list[AnswerData] = Field(alias="antwoordschaal")
    school_types: list[SchoolTypeData] = Field(alias="schooltypen")
    glossary: list[TermData] = Field(alias="begrippen")


def schema_url(publication: Publication) -> str:
    return f"{publication.config.base_url}downloads/{SCHEMA_FILE}"


def question_url(publication: Publication, school_type: SchoolType, question_id: str) -> str:
    return f"{reflection_page_url(publication, school_type)}#{question_id}"


def export_data(publication: Publication, school_types: list[SchoolType], revision: Revision) -> ExportData:
    config = publication.config
    numbers = {(s.id, item.question.id): item.number for s in school_types for item in s.numbered_questions()}
    return ExportData(
        schema_url=schema_url(publication),
        title=config.title,
        organisation=config.organisation,
        base_url=config.base_url,
        source=SourceData(edition=config.edition, date=document_moment(publication).date().isoformat(),
                          commit=revision.commit, modified=revision.modified),
        answer_scale=[AnswerData(id=answer_id, label=label) for answer_id, label in config.answer_options()],
        school_types=[SchoolTypeData(
            id=s.id, name=s.name, abbreviation=s.abbreviation, intro=s.intro, url=reflection_page_url(publication, s),
            perspectives=[PerspectiveData(
                id=p.id, label=config.perspective_label(p.id), title=p.title,
                themes=[ThemeData(id=t.id, title=t.title, questions=[
                    QuestionData(id=q.id, number=numbers[(s.id, q.id)], text=q.text,
                                 url=question_url(publication, s, q.id))
                    for q in t.questions]) for t in p.themes]) for p in s.perspectives],
            impact_themes=[ImpactThemeData(id=t.id, title=t.title, text=t.text) for t in s.impact_themes],
            recommendations=[RecommendationData(id=r.id, number=i, title=r.title, text=r.text)
                             for i, r in enumerate(s.recommendations, start=1)],
        ) for s in school_types],
        glossary=[TermData(term=t.term, expansion=t.expansion, explanation=t.explanation)
                  for t in publication.glossary.terms],
    )


def export_json(publication: Publication, school_types: list[SchoolType], revision: Revision) -> bytes:
    data = export_data(publication, school_types, revision).model_dump(by_alias=True, mode="json")
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_schema() -> bytes:
    """The published JSON Schema; the same text as schema/export.schema.json (`build.py schema`)."""
    from .schema import schema_text

    return schema_text(ExportData, SCHEMA_TITLE).encode("utf-8")


# --------------------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text that a spreadsheet opening the CSV shows as text, never runs as a formula
    (OWASP's advice for CSV files: a leading apostrophe)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(publication: Publication, school_types: list[SchoolType], revision: Revision) -> bytes:
    config = publication.config
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for school_type in school_types:
        for item in school_type.numbered_questions():
            writer.writerow([school_type.id, item.number, item.question.id, spreadsheet_text(item.question.text),
                             item.theme.id, spreadsheet_text(item.theme.title), item.perspective.id,
                             spreadsheet_text(config.perspective_heading(item.perspective)),
                             spreadsheet_text(config.edition), revision.label])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8


# --------------------------------------------------------------------------- fixed texts


@lru_cache(maxsize=4)
def _texts_cached(path: Path, mtime: int) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def layout_texts(project: Project) -> dict:
    path = project.templates / TEXTS_FILE
    return _texts_cached(path, path.stat().st_mtime_ns)


# --------------------------------------------------------------------------- XLSX

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, used: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    name = _SHEET_NAME_FORBIDDEN.sub("-", " ".join(text.split())).strip("'")[:31] or "blad"
    candidate, counter = name, 2
    while candidate.casefold() in used:
        suffix = f" ({counter})"
        candidate, counter = name[:31 - len(suffix)] + suffix, counter + 1
    used.add(candidate.casefold())
    return candidate


EXCEL_HEADER_LIMIT = 255  # characters in a print header or footer, codes included


def excel_header_text(text: str) -> str:
    """Text for a print header/footer, where '&' starts a code (&P is the page number)."""
    return " ".join(text.split()).replace("&", "&&")


def _row_height(texts: list[tuple[str, int]], columns: list[tuple[str, int]]) -> float:
    """A row height (points) that shows wrapped text whole, at least two lines (room to write
    when printed). Spreadsheet programs do not all fit rows to wrapped text themselves."""
    lines = max(-(-len(text) // max(1, columns[column][1] - 2)) for text, column in texts)
    return 15.0 * max(2, lines) + 2


def _sheet_reference(name: str, first_row: int, last_row: int, column: str) -> str:
    return f"='{name.replace(chr(39), chr(39) * 2)}'!${column}${first_row + 1}:${column}${last_row + 1}"


def export_xlsx(project: Project, publication: Publication, school_types: list[SchoolType], revision: Revision) -> bytes:
    import xlsxwriter

    texts = layout_texts(project)
    book_texts = texts["workbook"]
    config = publication.config
    moment = document_moment(publication)
    stamp = f"{config.title} · {config.organisation} · editie {config.edition} · bronversie {revision.label}"
    title = school_types[0].sheet_title if len(school_types) == 1 else f"Reflectievragen {config.title}"

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    book.set_properties({"title": title, "subject": config.title, "author": config.organisation,
                         "company": config.organisation, "manager": config.organisation,
                         "keywords": "reflectievragen, checklist", "comments": stamp, "created": moment})
    book.set_custom_property("Editie", config.edition)
    book.set_custom_property("Bronversie", revision.label)
    plain = {"font_name": "Calibri", "font_size": 11, "valign": "top", "text_wrap": True}
    heading = book.add_format({**plain, "bold": True, "font_size": 14, "text_wrap": False})
    small = book.add_format({**plain, "font_size": 9, "font_color": "#444444", "text_wrap": False})
    header = book.add_format({**plain, "bold": True, "bg_color": "#DDE7F0", "border": 1})
    cell = book.add_format({**plain, "border": 1})
    number = book.add_format({**plain, "border": 1, "align": "center"})
    answer = book.add_format({**plain, "border": 1, "bg_color": "#FFF8D6", "align": "center"})
    notes = book.add_format({**plain, "border": 1, "bg_color": "#FFF8D6"})
    identifier = book.add_format({**plain, "border": 1, "font_size": 9, "font_color": "#444444"})
    label = book.add_format({**plain, "bold": True})

    used: set[str] = {"history"}  # a name Excel keeps for itself
    checklists = [(school_type, book.add_worksheet(sheet_name(school_type.abbreviation, used)))
                  for school_type in school_types]
    about_name = sheet_name(book_texts["about_sheet"], used)
    about = book.add_worksheet(about_name)

    # The sheet about the file, which also holds the answer scale that every drop-down lists.
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 80)
    about.set_paper(9)
    about.fit_to_pages(1, 0)
    about.write_string(0, 0, title, heading)
    wrapped = book.add_format(plain)
    about.set_row(1, 45)
    about.merge_range(1, 0, 1, 1, book_texts["about_intro"], wrapped)
    properties = book_texts["properties"]
    rows = [(properties["publication"], config.title), (properties["organisation"], config.organisation),
            (properties["edition"], config.edition), (properties["revision"], revision.label),
            (properties["date"], moment.date().isoformat()), (properties["online"], config.base_url)]
    for offset, (key, value) in enumerate(rows, start=3):
        about.write_string(offset, 0, key, label)
        about.write_string(offset, 1, value, wrapped)
    scale_row = 3 + len(rows) + 1
    about.write_string(scale_row, 0, book_texts["answer_scale"], label)
    for offset, answer_label in enumerate(config.answer_scale, start=scale_row + 1):
        about.write_string(offset, 0, answer_label, wrapped)
    scale = _sheet_reference(about_name, scale_row + 1, scale_row + len(config.answer_scale), "A")

    columns = [(texts["number"], 5), (texts["perspective"], 24), (texts["theme"], 28), (texts["question"], 60),
               (texts["answer"], 12), (texts["notes"], 48), (texts["id"], 26)]
    footer = f"&L&8{excel_header_text(stamp)}&R&8{book_texts['page_footer']}"
    if len(footer) > EXCEL_HEADER_LIMIT:  # Excel's limit; a long title or organisation name is left out
        footer = f"&L&8{excel_header_text(f'editie {config.edition} · bronversie {revision.label}')}" \
                 f"&R&8{book_texts['page_footer']}"
    for school_type, sheet in checklists:
        items = school_type.numbered_questions()
        first, last = 3, 3 + len(items) - 1
        sheet.write_string(0, 0, school_type.sheet_title, heading)
        sheet.write_string(1, 0, stamp, small)
        for column, (text, width) in enumerate(columns):
            sheet.set_column(column, column, width)
            sheet.write_string(2, column, text, header)
        for row, item in enumerate(items, start=first):
            texts_in_row = [(config.perspective_heading(item.perspective), 1), (item.theme.title, 2),
                            (item.question.text, 3)]
            sheet.set_row(row, _row_height(texts_in_row, columns))
            sheet.write_number(row, 0, item.number, number)
            sheet.write_string(row, 1, config.perspective_heading(item.perspective), cell)
            sheet.write_string(row, 2, item.theme.title, cell)
            sheet.write_string(row, 3, item.question.text, cell)
            sheet.write_blank(row, 4, None, answer)
            sheet.write_blank(row, 5, None, notes)
            sheet.write_string(row, 6, item.question.id, identifier)
        sheet.data_validation(first, 4, last, 4, {
            "validate": "list", "source": scale, "dropdown": True,
            "input_title": book_texts["answer_prompt_title"], "input_message": book_texts["answer_prompt"],
            "error_title": book_texts["answer_error_title"], "error_message": book_texts["answer_error"],
            "error_type": "stop"})
        sheet.freeze_panes(first, 0)
        sheet.autofilter(2, 0, last, len(columns) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)  # all columns on the width of the page
        sheet.repeat_rows(2)
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
        sheet.set_footer(footer)
        sheet.print_area(0, 0, last, len(columns) - 1)
    book.close()
    return reproducible_zip(buffer.getvalue(), moment)


# --------------------------------------------------------------------------- DOCX


def export_docx(project: Project, publication: Publication, school_type: SchoolType, revision: Revision) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    texts = layout_texts(project)
    doc_texts = texts["document"]
    config = publication.config
    moment = document_moment(publication).replace(tzinfo=None)
    answers = [label for _, label in config.answer_options()]

    document = Document()
    _dutch(document)
    _without_thumbnail(document)
    document.styles["Table Grid"].font.size = Pt(10)
    properties = document.core_properties
    properties.title = f"{school_type.sheet_title} – {config.title}"
    properties.subject = config.title
    properties.author = properties.last_modified_by = config.organisation
    properties.keywords = "reflectievragen, reflectieblad"
    properties.comments = f"Editie {config.edition}, bronversie {revision.label}"
    properties.version = config.edition
    properties.identifier = revision.commit or ""
    properties.language = "nl-NL"
    properties.category = ""
    properties.revision = 1
    properties.created = properties.modified = properties.last_printed = moment

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    footer = section.footer.paragraphs[0]
    footer.text = doc_texts["footer"].format(title=school_type.sheet_title, edition=config.edition,
                                             revision=revision.label)
    footer.runs[0].font.size = Pt(8)
    _page_number(footer)

    document.add_heading(school_type.sheet_title, level=0)
    document.add_paragraph(f"{config.title} · {config.organisation} · editie {config.edition}")
    document.add_paragraph(doc_texts["online"].format(url=reflection_page_url(publication, school_type)))
    for paragraph in re.split(r"\n\s*\n", school_type.intro):
        if paragraph.strip():
            document.add_paragraph(" ".join(paragraph.split()))

    document.add_heading(doc_texts["details"], level=1)
    details = document.add_table(rows=0, cols=2, style="Table Grid")
    for field_label in doc_texts["detail_fields"]:
        row = details.add_row()
        row.height = Cm(0.9)
        cells = row.cells
        cells[0].text = field_label
        cells[0].paragraphs[0].runs[0].bold = True
    _caption(details, doc_texts["details"])
    _widths(details, [Cm(4), Cm(13)])
    document.add_paragraph(doc_texts["how_to"].format(answers=" / ".join(answers)))

    columns = [texts["number"], texts["question"], *answers, texts["notes"]]
    # 17 cm between the margins: number, question, one narrow column per answer, notes.
    number_width, answer_width, question_width = Cm(1.0), Cm(1.5), Cm(5.5)
    notes_width = Cm(17) - number_width - question_width - answer_width * len(answers)
    for index, perspective in enumerate(school_type.perspectives, start=1):
        document.add_heading(f"{index}. {config.perspective_heading(perspective)}", level=1)
        for theme in perspective.themes:
            document.add_heading(theme.title, level=2)
            table = document.add_table(rows=1, cols=len(columns), style="Table Grid")
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            _header_row(table, columns)
            _caption(table, theme.title)
            for item in school_type.numbered_questions():
                if item.theme is not theme:
                    continue
                row = table.add_row()
                row.height = Cm(1.2)  # room to write by hand
                cells = row.cells
                _hyperlink(cells[0].paragraphs[0], question_url(publication, school_type, item.question.id),
                           str(item.number), doc_texts["question_link"].format(number=item.number))
                cells[1].text = item.question.text
                for cell in cells[2:2 + len(answers)]:
                    cell.text = "☐"
                    cell.paragraphs[0].alignment = 1  # centred
            _widths(table, [number_width, question_width, *[answer_width] * len(answers), notes_width])

    document.add_heading(doc_texts["actions"], level=1)
    actions = document.add_table(rows=1, cols=len(doc_texts["action_columns"]), style="Table Grid")
    _header_row(actions, doc_texts["action_columns"])
    _caption(actions, doc_texts["actions"])
    for _ in range(SHEET_ACTIONS):
        row = actions.add_row()
        row.height = Cm(1.1)
    _widths(actions, [Cm(9), Cm(4), Cm(4)])
    document.add_paragraph()
    document.add_paragraph(doc_texts["next_moment"])
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue(), document_moment(publication))


def _dutch(document) -> None:
    """Dutch as the language of every style (spelling check, hyphenation, screen readers)."""
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    language = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    language.set(qn("w:val"), "nl-NL")
    language.set(qn("w:eastAsia"), "nl-NL")


def _without_thumbnail(document) -> None:
    """python-docx's template carries a preview picture of another document; leave it out."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    relationships = document.part.package.rels
    for key in [key for key, rel in relationships.items() if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL]:
        del relationships[key]


def _header_row(table, labels: list[str]) -> None:
    """The first row as the table's header: bold, and repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    row = table.rows[0]
    for cell, text in zip(row.cells, labels):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(repeat)


def _caption(table, text: str) -> None:
    """The table's title for screen readers (Word: Table Properties, Alt Text)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), " ".join(text.split()))
    table._tbl.tblPr.append(caption)


def _widths(table, widths) -> None:
    """Fixed column widths (Word reads the cells' widths, LibreOffice the table grid), and
    rows that never break across pages."""
    from docx.oxml import OxmlElement

    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _hyperlink(paragraph, url: str, text: str, tooltip: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    link.set(qn("w:tooltip"), tooltip)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F4E79")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.extend([color, underline])
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def _page_number(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# --------------------------------------------------------------------------- reproducible containers


def reproducible_zip(data: bytes, moment: datetime) -> bytes:
    """The same ZIP container (XLSX, DOCX) with every entry dated `moment` and fixed
    attributes, in the original order ([Content_Types].xml first)."""
    date_time = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=date_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3  # Unix, whatever machine builds it
            target.writestr(fixed, source.read(entry.filename), compresslevel=9)
    return output.getvalue()


# --------------------------------------------------------------------------- the set of files


@dataclass(frozen=True)
class PlannedExport:
    file_name: str
    label: str  # what the downloads page calls it, e.g. 'Excel-checklist'
    school_type_id: str | None  # None: all school types together
    make: Callable[[], bytes]


@dataclass(frozen=True)
class Exports:
    school_types: dict[str, list[Download]]  # per school type id: Word, Excel, CSV, JSON
    together: list[Download]  # all school types: Excel, CSV, JSON
    schema: Download  # the JSON Schema of the JSON files
    revision: Revision

    def files(self) -> list[Download]:
        return [d for files in self.school_types.values() for d in files] + self.together + [self.schema]


def export_file_name(school_type_id: str | None, suffix: str) -> str:
    """'reflectievragen-bo.xlsx' for one school type, 'reflectievragen.xlsx' for all together."""
    return f"{EXPORT_STEM}{'-' + school_type_id if school_type_id else ''}.{suffix}"


def planned_exports(project: Project, publication: Publication, revision: Revision) -> list[PlannedExport]:
    """Every export file, in the order of the downloads page (nothing is made yet)."""
    plan: list[PlannedExport] = []
    for school_type in publication.school_types:
        one = [school_type]
        plan += [
            PlannedExport(export_file_name(school_type.id, "docx"), "Word-reflectieblad", school_type.id,
                          lambda s=school_type: export_docx(project, publication, s, revision)),
            PlannedExport(export_file_name(school_type.id, "xlsx"), "Excel-checklist", school_type.id,
                          lambda one=one: export_xlsx(project, publication, one, revision)),
            PlannedExport(export_file_name(school_type.id, "csv"), "CSV-tabel", school_type.id,
                          lambda one=one: export_csv(publication, one, revision)),
            PlannedExport(export_file_name(school_type.id, "json"), "JSON-gegevens", school_type.id,
                          lambda one=one: export_json(publication, one, revision)),
        ]
    every = publication.school_types
    plan += [
        PlannedExport(export_file_name(None, "xlsx"), "Excel-checklist", None, lambda: export_xlsx(project, publication, every, revision)),
        PlannedExport(export_file_name(None, "csv"), "CSV-tabel", None, lambda: export_csv(publication, every, revision)),
        PlannedExport(export_file_name(None, "json"), "JSON-gegevens", None, lambda: export_json(publication, every, revision)),
        PlannedExport(SCHEMA_FILE, "JSON Schema", None, export_schema),
    ]
    return plan


def _collect(publication: Publication, revision: Revision, downloads: list[tuple[PlannedExport, Download]]) -> Exports:
    per_type: dict[str, list[Download]] = {s.id: [] for s in publication.school_types}
    together: list[Download] = []
    schema = None
    for planned, download in downloads:
        if planned.file_name == SCHEMA_FILE:
            schema = download
        elif planned.school_type_id is None:
            together.append(download)
        else:
            per_type[planned.school_type_id].append(download)
    return Exports(per_type, together, schema, revision)


def placeholder_exports(project: Project, publication: Publication) -> Exports:
    """The export files as `check` sees them: names and labels, no contents (size 0)."""
    revision = Revision(None)
    return _collect(publication, revision, [(p, Download(p.file_name, p.label, 0, Path(p.file_name)))
                                            for p in planned_exports(project, publication, revision)])


def _fingerprint(project: Project, publication: Publication, revision: Revision) -> str:
    """Everything the export files are made from: the data (with the source version and the
    date), the fixed texts, this module and the versions of the libraries that write them."""
    from importlib import metadata

    digest = hashlib.sha256(export_json(publication, publication.school_types, revision))
    digest.update(document_moment(publication).isoformat().encode())
    digest.update((project.templates / TEXTS_FILE).read_bytes())
    digest.update(Path(__file__).read_bytes())
    for package in ("xlsxwriter", "python-docx", "pydantic"):
        digest.update(f"{package} {metadata.version(package)}\n".encode())
    return digest.hexdigest()


STAMP_FILE = ".vingerafdruk"  # in the target directory: the fingerprint and the hash of each file next to it


def _stamp_text(fingerprint: str, target: Path, plan: list[PlannedExport]) -> str | None:
    lines = [fingerprint]
    for planned in plan:
        try:
            lines.append(f"{hashlib.sha256((target / planned.file_name).read_bytes()).hexdigest()} {planned.file_name}")
        except OSError:
            return None
    return "\n".join(lines) + "\n"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def build_exports(project: Project, publication: Publication, target: Path) -> Exports:
    """Make every export file in `target`. When nothing they are made from changed since the
    last build (the live preview rebuilds often), the files there are used as they are."""
    revision = source_revision(project)
    plan = planned_exports(project, publication, revision)
    target.mkdir(parents=True, exist_ok=True)
    fingerprint = _fingerprint(project, publication, revision)
    stamp = target / STAMP_FILE
    expected = _read(stamp)
    if expected is not None and _stamp_text(fingerprint, target, plan) == expected:  # also: no file was damaged
        return _collect(publication, revision, [(p, Download(p.file_name, p.label, (target / p.file_name).stat().st_size,
                                                             target / p.file_name)) for p in plan])
    stamp.unlink(missing_ok=True)
    made: list[tuple[PlannedExport, Download]] = []
    documents = _DocumentCache(project, publication, revision)
    for planned in plan:
        try:
            data = documents.get(planned) if planned.file_name.endswith(".docx") else planned.make()
        except (KeyError, TypeError, yaml.YAMLError) as exc:  # a broken templates/exports/teksten.yaml
            raise InputError([error(f"templates/{TEXTS_FILE}", None,
                                    f"{planned.file_name} kon niet gemaakt worden: de vaste teksten kloppen niet "
                                    f"({type(exc).__name__}: {exc})",
                                    "Vergelijk het bestand met de vorige versie; meld het aan een ontwikkelaar.")]) from exc
        path = target / planned.file_name
        if not path.is_file() or path.read_bytes() != data:
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            partial.replace(path)
        made.append((planned, Download(planned.file_name, planned.label, len(data), path)))
    keep = {d.path.name for _, d in made}
    for file in target.iterdir():
        if file.name not in keep:
            file.unlink()
    stamp.write_text(_stamp_text(fingerprint, target, plan), encoding="ascii")  # last: an interrupted build has none
    documents.prune()
    return _collect(publication, revision, made)


class _DocumentCache:
    """The Word sheets (most of the time of the exports) by a hash of everything one is made
    from: its school type, the site settings, the source version and date, the fixed texts,
    this module and the library versions. An edit of one school type remakes only its sheet.
    Kept in .cache/exports-word/ (throw-away)."""

    def __init__(self, project: Project, publication: Publication, revision: Revision):
        from importlib import metadata

        self.folder = project.work / "exports-word"
        self.used: set[Path] = set()
        common = hashlib.sha256()
        common.update(publication.config.model_dump_json().encode())
        common.update(repr(revision).encode())
        common.update(document_moment(publication).isoformat().encode())
        common.update((project.templates / TEXTS_FILE).read_bytes())
        common.update(Path(__file__).read_bytes())
        for package in ("python-docx", "pydantic"):
            common.update(f"{package} {metadata.version(package)}\n".encode())
        self.common = common.digest()
        self.school_types = {s.id: s for s in publication.school_types}

    def get(self, planned: PlannedExport) -> bytes:
        school_type = self.school_types.get(planned.school_type_id)
        if school_type is None:
            return planned.make()
        key = hashlib.sha256(self.common + school_type.model_dump_json().encode()).hexdigest()
        entry = self.folder / f"{key}.docx"
        self.used.add(entry)
        try:
            return entry.read_bytes()
        except OSError:
            pass
        data = planned.make()
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = entry.with_name(entry.name + ".part")
        partial.write_bytes(data)
        partial.replace(entry)  # complete or absent
        return data

    def prune(self) -> None:
        if self.folder.is_dir():
            for entry in self.folder.iterdir():
                if entry not in self.used:
                    entry.unlink(missing_ok=True)
