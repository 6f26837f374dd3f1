"""Exports of the reflection questions for the tools people already use.

Per instrument and for all instruments together:
- JSON: the whole model (answer forms, instruments with their sections, numbered items with
  their stable ids and earlier ids, rubric levels, sources, impact themes, recommendations,
  glossary), described by a
  published JSON Schema (`reflectievragen-schema.json`, generated from the models below);
- CSV: one row per question, UTF-8 with a byte order mark and ';' between fields, the
  way Dutch Excel opens a file correctly by double-clicking it;
- XLSX (XlsxWriter): one checklist sheet per instrument (columns: number, one per section
  level, item, rubric levels, answer with a drop-down of the item's options or levels, notes,
  id; only the columns the instrument uses), a frozen header and an A4 landscape print setup;
- DOCX (python-docx, per instrument only): an editable reflection sheet an advisor adapts
  for one school, a table per run of items with the same answer form.

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

from .dutch import dutch_date
from .escaping import office_property
from .model import SLUG_PATTERN, Instrument, Item, Publication, Section
from .problems import InputError, error
from .project import Project
from .repository import Revision, source_revision
from .sheets import SHEET_ACTIONS, Download, document_moment, instructions, reflection_page_url

EXPORT_STEM = "reflectievragen"
SCHEMA_FILE = f"{EXPORT_STEM}-schema.json"
SCHEMA_TITLE = "Reflectievragen van de publicatie (JSON-export)"
TEXTS_FILE = "exports/teksten.yaml"

# --------------------------------------------------------------------------- JSON (and its schema)

Id = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OptionData(_Data):
    model_config = ConfigDict(title="Antwoordmogelijkheid")

    id: Id = Field(description="Vaste id, bv. 'nvt'; staat in opgeslagen antwoorden en PDF-velden.")
    label: str = Field(description="Zoals lezers het zien, bv. 'n.v.t.'.")


class AnswerFormData(_Data):
    model_config = ConfigDict(title="Antwoordvorm")

    id: Id
    kind: str = Field(alias="soort", description="keuze, open, geen of rubriek.")
    notes: bool = Field(alias="toelichting", description="true als er bij elk antwoord een toelichting hoort.")
    options: list[OptionData] = Field(alias="opties", description="Bij 'keuze': de antwoordmogelijkheden.")


class ItemData(_Data):
    model_config = ConfigDict(title="Item")

    id: Id = Field(description="Vaste id van het item (de vraag); blijft gelijk als de tekst verandert.")
    number: int = Field(alias="nummer", ge=1, description="Nummer binnen het instrument (1 tot en met N, door alle "
                                                         "secties heen), zoals op de site en de bladen.")
    text: str = Field(alias="tekst", description="De tekst van het item (de vraag).")
    answer_form: Id = Field(alias="antwoordvorm", description="De id van de antwoordvorm (zie 'antwoordvormen').")
    levels: dict[str, str] = Field(alias="niveaus", description="Bij een rubriek: per niveau-id de beschrijving.")
    was: list[Id] = Field(description="Eerdere ids van dit item.")
    url: str = Field(alias="adres", description="Webadres van het item op de site.")


class SectionData(_Data):
    model_config = ConfigDict(title="Sectie")

    id: Id
    title: str = Field(alias="titel")
    label: str | None = Field(alias="vraagwoord", description="Het woord van de structuur, bv. 'WAT' (alleen bovenste "
                                                              "secties van een instrument met een structuur).")
    sections: list["SectionData"] = Field(alias="secties")
    items: list[ItemData]


class LevelData(_Data):
    model_config = ConfigDict(title="Rubriekniveau")

    id: Id
    label: str


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


class CreditData(_Data):
    model_config = ConfigDict(title="Herkomst")

    title: str = Field(alias="titel")
    owner: str = Field(alias="eigenaar")
    licence: str | None = Field(alias="licentie")
    url: str | None = Field(alias="webadres")


class InstrumentData(_Data):
    model_config = ConfigDict(title="Instrument")

    id: Id
    name: str = Field(alias="naam")
    abbreviation: str | None = Field(alias="afkorting")
    intro: str = Field(alias="inleiding", description="Gewone tekst; een lege regel begint een nieuwe alinea.")
    url: str = Field(alias="adres", description="Webadres van de pagina met de vragen.")
    structure: Id | None = Field(alias="structuur")
    section_levels: list[str] = Field(alias="sectieniveaus", description="Namen van de sectieniveaus, bv. perspectief, thema.")
    answer_form: Id = Field(alias="antwoordvorm", description="De antwoordvorm van de items (een item kan afwijken).")
    rubric_levels: list[LevelData] = Field(alias="rubriekniveaus")
    source: CreditData | None = Field(alias="bron", description="Herkomst, als het instrument van een ander is.")
    sections: list[SectionData] = Field(alias="secties")
    items: list[ItemData] = Field(description="Items zonder secties (bij een instrument zonder sectieniveaus).")
    impact_themes: list[ImpactThemeData] = Field(alias="impactthemas")
    recommendations: list[RecommendationData] = Field(alias="aanbevelingen")


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
    model_config = ConfigDict(title="Vragen van de publicatie")

    schema_url: str = Field(alias="$schema")
    format_version: int = Field(alias="formaatversie", description="2: instrumenten met secties en items.")
    title: str = Field(alias="titel")
    organisation: str = Field(alias="organisatie")
    base_url: str = Field(alias="basis_url")
    source: SourceData = Field(alias="bron")
    answer_forms: list[AnswerFormData] = Field(alias="antwoordvormen")
    instruments: list[InstrumentData] = Field(alias="instrumenten")
    glossary: list[TermData] = Field(alias="begrippen")


FORMAT_VERSION = 2


def schema_url(publication: Publication) -> str:
    return f"{publication.config.base_url}downloads/{SCHEMA_FILE}"


def question_url(publication: Publication, instrument: Instrument, item_id: str) -> str:
    return f"{reflection_page_url(publication, instrument)}#{item_id}"


def _instrument_data(publication: Publication, instrument: Instrument) -> InstrumentData:
    numbers = {id(n.item): n.number for n in publication.numbered_items(instrument)}

    def item(i: Item) -> ItemData:
        return ItemData(id=i.id, number=numbers[id(i)], text=i.text, answer_form=i.answer_form or instrument.answer_form,
                        levels=dict(i.levels), was=list(i.was), url=question_url(publication, instrument, i.id))

    def section(s: Section, top: bool) -> SectionData:
        label = (publication.config.structure(instrument.structure).label(s.id)
                 if top and instrument.structure is not None else None)
        return SectionData(id=s.id, title=s.title, label=label, sections=[section(c, False) for c in s.sections],
                           items=[item(i) for i in s.items])

    source = instrument.source
    return InstrumentData(
        id=instrument.id, name=instrument.name, abbreviation=instrument.abbreviation, intro=instrument.intro,
        url=reflection_page_url(publication, instrument), structure=instrument.structure,
        section_levels=list(instrument.section_levels), answer_form=instrument.answer_form,
        rubric_levels=[LevelData(id=level.id, label=level.label) for level in instrument.rubric_levels],
        source=CreditData(title=source.title, owner=source.owner, licence=source.licence, url=source.url) if source else None,
        sections=[section(s, True) for s in instrument.sections], items=[item(i) for i in instrument.items],
        impact_themes=[ImpactThemeData(id=t.id, title=t.title, text=t.text) for t in instrument.impact_themes],
        recommendations=[RecommendationData(id=r.id, number=n, title=r.title, text=r.text)
                         for n, r in enumerate(instrument.recommendations, start=1)])


def export_data(publication: Publication, instruments: list[Instrument], revision: Revision) -> ExportData:
    config = publication.config
    return ExportData(
        schema_url=schema_url(publication),
        format_version=FORMAT_VERSION,
        title=config.title,
        organisation=config.organisation,
        base_url=config.base_url,
        source=SourceData(edition=config.edition, date=document_moment(publication).date().isoformat(),
                          commit=revision.commit, modified=revision.modified),
        answer_forms=[AnswerFormData(id=f.id, kind=f.kind, notes=f.notes,
                                     options=[OptionData(id=o.id, label=o.label) for o in f.options])
                      for f in config.answer_forms],
        instruments=[_instrument_data(publication, instrument) for instrument in instruments],
        glossary=[TermData(term=t.term, expansion=t.expansion, explanation=t.explanation)
                  for t in publication.glossary.terms],
    )


def export_json(publication: Publication, instruments: list[Instrument], revision: Revision) -> bytes:
    data = export_data(publication, instruments, revision).model_dump(by_alias=True, mode="json")
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_schema() -> bytes:
    """The published JSON Schema; the same text as schema/export.schema.json (`build.py schema`)."""
    from .schema import schema_text

    return schema_text(ExportData, SCHEMA_TITLE).encode("utf-8")


# --------------------------------------------------------------------------- the rows of a table export


def level_names(instruments: list[Instrument]) -> list[str]:
    """The names of the section levels of these instruments, each once, in order of appearance
    (top level first): one pair of columns each in a table of several instruments."""
    names: list[str] = []
    for instrument in instruments:
        names += [name for name in instrument.section_levels if name not in names]
    return names


def section_cells(publication: Publication, instrument: Instrument, sections: tuple[Section, ...],
                  names: list[str]) -> list[tuple[str, str]]:
    """(id, title) per level name of the table for one item's sections; empty where the item's
    instrument has no level of that name."""
    cells = [("", "")] * len(names)
    for level, section in zip(instrument.section_levels, sections):
        cells[names.index(level)] = (section.id, publication.section_title(instrument, section))
    return cells


# --------------------------------------------------------------------------- CSV

# A leading apostrophe is guarded too, so that the guard can always be taken off again:
# "'=x" (an editor's text) is written "''=x", "=x" is written "'=x".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_text(text: str) -> str:
    """Text that a spreadsheet opening the CSV shows as text, never runs as a formula
    (OWASP's advice for CSV files: a leading apostrophe)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_columns(publication: Publication, instruments: list[Instrument]) -> list[str]:
    """The instrument (as the publication calls it, e.g. 'schooltype'), nummer, vraag_id, vraag,
    then per section level from the deepest up its id and title (thema_id, thema, perspectief_id,
    perspectief), editie, bronversie."""
    levels = [column for name in reversed(level_names(instruments)) for column in (f"{name}_id", name)]
    return [publication.config.instrument_noun.singular, "nummer", "vraag_id", "vraag", *levels, "editie", "bronversie"]


def export_csv(publication: Publication, instruments: list[Instrument], revision: Revision) -> bytes:
    config = publication.config
    names = level_names(instruments)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([spreadsheet_text(column) for column in csv_columns(publication, instruments)])
    for instrument in instruments:
        for numbered in publication.numbered_items(instrument):
            cells = section_cells(publication, instrument, numbered.sections, names)
            levels = [value for section_id, title in reversed(cells) for value in (section_id, spreadsheet_text(title))]
            writer.writerow([instrument.id, numbered.number, numbered.item.id, spreadsheet_text(numbered.item.text),
                             *levels, spreadsheet_text(config.edition), revision.label])
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


def _answer_lists(publication: Publication, instruments: list[Instrument], book_texts: dict) -> list[tuple[str, list[str]]]:
    """The lists the answer drop-downs point to, as (heading, labels): one per choice form the
    instruments use, one per instrument with rubric items (its levels)."""
    lists: dict[str, tuple[str, list[str]]] = {}
    choice_forms = {n.form.id: n.form for i in instruments for n in publication.numbered_items(i) if n.form.kind == "keuze"}
    for form in choice_forms.values():
        heading = book_texts["answer_scale"] if len(choice_forms) == 1 else f"{book_texts['answer_scale']} ({form.id})"
        lists[f"form:{form.id}"] = (heading, [o.label for o in form.options])
    for instrument in instruments:
        if any(n.form.kind == "rubriek" for n in publication.numbered_items(instrument)):
            lists[f"levels:{instrument.id}"] = (f"{book_texts['levels']} {instrument.short_name}",
                                                [level.label for level in instrument.rubric_levels])
    return list(lists.items())


def _list_key(instrument: Instrument, numbered) -> str | None:
    """Which answer list an item's drop-down shows (None: no drop-down)."""
    if numbered.form.kind == "keuze":
        return f"form:{numbered.form.id}"
    if numbered.form.kind == "rubriek":
        return f"levels:{instrument.id}"
    return None


def _level_text(instrument: Instrument, item: Item) -> str:
    """A rubric item's levels in one cell: 'Beginnend: …' per line."""
    return "\n".join(f"{level.label}: {item.levels.get(level.id, '')}" for level in instrument.rubric_levels)


def export_xlsx(project: Project, publication: Publication, instruments: list[Instrument], revision: Revision) -> bytes:
    import xlsxwriter

    texts = layout_texts(project)
    book_texts = texts["workbook"]
    config = publication.config
    moment = document_moment(publication)
    stamp = f"{config.title} · {config.organisation} · editie {config.edition} · bronversie {revision.label}"
    title = instruments[0].sheet_title if len(instruments) == 1 else f"Reflectievragen {config.title}"

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    book.set_properties({key: office_property(value) if isinstance(value, str) else value for key, value in {
        "title": title, "subject": config.title, "author": config.organisation,
        "company": config.organisation, "manager": config.organisation,
        "keywords": "reflectievragen, checklist", "comments": stamp, "created": moment}.items()})
    book.set_custom_property("Editie", office_property(config.edition))
    book.set_custom_property("Bronversie", office_property(revision.label))
    plain = {"font_name": "Calibri", "font_size": 11, "valign": "top", "text_wrap": True}
    heading = book.add_format({**plain, "bold": True, "font_size": 14, "text_wrap": False})
    small = book.add_format({**plain, "font_size": 9, "font_color": "#444444", "text_wrap": False})
    header = book.add_format({**plain, "bold": True, "bg_color": "#DDE7F0", "border": 1})
    cell = book.add_format({**plain, "border": 1})
    number = book.add_format({**plain, "border": 1, "align": "center"})
    answer = book.add_format({**plain, "border": 1, "bg_color": "#FFF8D6", "align": "center"})
    writing = book.add_format({**plain, "border": 1, "bg_color": "#FFF8D6"})
    identifier = book.add_format({**plain, "border": 1, "font_size": 9, "font_color": "#444444"})
    label = book.add_format({**plain, "bold": True})

    used: set[str] = {"history"}  # a name Excel keeps for itself
    checklists = [(instrument, book.add_worksheet(sheet_name(instrument.short_name, used))) for instrument in instruments]
    about_name = sheet_name(book_texts["about_sheet"], used)
    about = book.add_worksheet(about_name)

    # The sheet about the file, which also holds the lists that the drop-downs show.
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
            (properties["date"], dutch_date(moment)), (properties["online"], config.base_url)]
    rows += [(properties["source"], f"{i.short_name}: {i.source.credit}") for i in instruments if i.source]
    for offset, (key, value) in enumerate(rows, start=3):
        about.write_string(offset, 0, key, label)
        about.write_string(offset, 1, value, wrapped)
    references: dict[str, str] = {}
    list_row = 3 + len(rows) + 1
    for key, (list_heading, labels) in _answer_lists(publication, instruments, book_texts):
        about.write_string(list_row, 0, list_heading, label)
        for offset, answer_label in enumerate(labels, start=list_row + 1):
            about.write_string(offset, 0, answer_label, wrapped)
        references[key] = _sheet_reference(about_name, list_row + 1, list_row + len(labels), "A")
        list_row += len(labels) + 2

    footer = f"&L&8{excel_header_text(stamp)}&R&8{book_texts['page_footer']}"
    if len(footer) > EXCEL_HEADER_LIMIT:  # Excel's limit; a long title or organisation name is left out
        footer = f"&L&8{excel_header_text(f'editie {config.edition} · bronversie {revision.label}')}" \
                 f"&R&8{book_texts['page_footer']}"
    for instrument, sheet in checklists:
        items = publication.numbered_items(instrument)
        rubric = any(n.form.kind == "rubriek" for n in items)
        fillable = any(n.form.fillable for n in items)
        notes = any(n.form.notes for n in items)
        level_columns = [(name[:1].upper() + name[1:], 24 if depth == 0 else 28)
                         for depth, name in enumerate(instrument.section_levels)]
        columns = [(texts["number"], 5), *level_columns, (texts["question"], 60)]
        if rubric:
            columns.append((texts["levels"], 50))
        answer_column = len(columns) if fillable else None
        if fillable:
            columns.append((texts["answer"], 40 if any(n.form.kind == "open" for n in items) else 14))
        notes_column = len(columns) if notes else None
        if notes:
            columns.append((texts["notes"], 48))
        columns.append((texts["id"], 26))
        first, last = 3, 3 + len(items) - 1
        sheet.write_string(0, 0, instrument.sheet_title, heading)
        sheet.write_string(1, 0, stamp if not instrument.source else f"{stamp} · {instrument.source.credit}", small)
        for column, (text, width) in enumerate(columns):
            sheet.set_column(column, column, width)
            sheet.write_string(2, column, text, header)
        runs: list[list] = []  # [list key, first row, last row] of rows that share a drop-down
        for row, numbered in enumerate(items, start=first):
            sections = [publication.section_title(instrument, s) for s in numbered.sections]
            row_texts = [(text, 1 + depth) for depth, text in enumerate(sections)]
            row_texts.append((numbered.item.text, 1 + len(level_columns)))
            values = [*sections, numbered.item.text]
            if rubric:
                levels = _level_text(instrument, numbered.item) if numbered.form.kind == "rubriek" else ""
                values.append(levels)
                row_texts.append((levels, len(values)))
            sheet.set_row(row, _row_height(row_texts, columns))
            sheet.write_number(row, 0, numbered.number, number)
            for column, value in enumerate(values, start=1):
                sheet.write_string(row, column, value, cell)
            if answer_column is not None:
                kind = numbered.form.kind
                sheet.write_blank(row, answer_column, None, writing if kind == "open" else answer if kind != "geen" else cell)
            if notes_column is not None:
                sheet.write_blank(row, notes_column, None, writing if numbered.form.notes else cell)
            sheet.write_string(row, len(columns) - 1, numbered.item.id, identifier)
            key = _list_key(instrument, numbered)
            if key and runs and runs[-1][0] == key and runs[-1][2] == row - 1:
                runs[-1][2] = row
            elif key:
                runs.append([key, row, row])
        for key, start, end in runs:
            sheet.data_validation(start, answer_column, end, answer_column, {
                "validate": "list", "source": references[key], "dropdown": True,
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


def _docx_groups(items: list) -> list[list]:
    """Consecutive numbered items with the same answer form: one table each."""
    groups: list[list] = []
    for numbered in items:
        if groups and groups[-1][0].form.id == numbered.form.id:
            groups[-1].append(numbered)
        else:
            groups.append([numbered])
    return groups


def export_docx(project: Project, publication: Publication, instrument: Instrument, revision: Revision) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    texts = layout_texts(project)
    doc_texts = texts["document"]
    config = publication.config
    moment = document_moment(publication).replace(tzinfo=None)

    document = Document()
    _dutch(document)
    _without_thumbnail(document)
    document.styles["Table Grid"].font.size = Pt(10)
    properties = document.core_properties
    # Every core property through escaping.office_property: one line, at most 255 characters.
    properties.title = office_property(f"{instrument.sheet_title} – {config.title}")
    properties.subject = office_property(config.title)
    properties.author = properties.last_modified_by = office_property(config.organisation)
    properties.keywords = "reflectievragen, reflectieblad"
    properties.comments = office_property(f"Editie {config.edition}, bronversie {revision.label}"
                                          + (f". {instrument.source.credit}" if instrument.source else ""))
    properties.version = office_property(config.edition)
    properties.identifier = office_property(revision.commit or "")
    properties.language = "nl-NL"
    properties.category = ""
    properties.revision = 1
    properties.created = properties.modified = properties.last_printed = moment

    numbered = publication.numbered_items(instrument)
    # A4 portrait, unless a table cannot give each column room for its heading (a rubric of many levels)
    forms = {n.form.id: n.form for n in numbered}.values()
    landscape = any(_minimum_width(instrument, form, texts) > PORTRAIT_TEXT_WIDTH for form in forms)
    section = document.sections[0]
    if landscape:
        from docx.enum.section import WD_ORIENT

        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    else:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    text_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    footer = section.footer.paragraphs[0]
    footer.text = doc_texts["footer"].format(title=instrument.sheet_title, edition=config.edition,
                                             revision=revision.label)
    footer.runs[0].font.size = Pt(8)
    _page_number(footer)

    document.add_heading(instrument.sheet_title, level=0)
    document.add_paragraph(f"{config.title} · {config.organisation} · editie {config.edition}")
    if instrument.source:
        document.add_paragraph(instrument.source.credit + (f" · {instrument.source.url}" if instrument.source.url else ""))
    document.add_paragraph(doc_texts["online"].format(url=reflection_page_url(publication, instrument)))
    for paragraph in re.split(r"\n\s*\n", instrument.intro):
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
    _widths(details, _spread([Cm(4).twips], text_width))
    for sentence in instructions(publication, instrument):
        document.add_paragraph(sentence)

    shown: set[int] = set()
    top_numbers = {id(s): n for n, s in enumerate(instrument.sections, start=1)}
    position = 0
    while position < len(numbered):
        item = numbered[position]
        for depth, owner in enumerate(item.sections):
            if id(owner) not in shown:
                shown.add(id(owner))
                document.add_heading(publication.section_heading(instrument, owner, top_numbers.get(id(owner))),
                                     level=min(depth + 1, 3))
        run = [n for n in numbered[position:] if n.sections == item.sections]
        caption = item.sections[-1].title if item.sections else instrument.name
        for group in _docx_groups(run):
            _docx_table(document, publication, instrument, group, texts, caption, text_width)
        position += len(run)

    document.add_heading(doc_texts["actions"], level=1)
    actions = document.add_table(rows=1, cols=len(doc_texts["action_columns"]), style="Table Grid")
    _header_row(actions, doc_texts["action_columns"])
    _caption(actions, doc_texts["actions"])
    for _ in range(SHEET_ACTIONS):
        row = actions.add_row()
        row.height = Cm(1.1)
    _widths(actions, _spread([Cm(4).twips, Cm(4).twips], text_width, first=True))
    document.add_paragraph()
    document.add_paragraph(doc_texts["next_moment"])
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue(), document_moment(publication))


def _docx_table(document, publication: Publication, instrument: Instrument, group: list, texts: dict, caption: str,
                text_width: int) -> None:
    """One table of items with the same answer form: a question with answer boxes and notes
    (keuze), a question with room to write (open), the question only (geen), or a rubric
    with a box per level and its description (rubriek). `text_width`: in twips."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    doc_texts = texts["document"]
    form = group[0].form
    columns, widths = _question_columns(instrument, form, texts, text_width)
    table = document.add_table(rows=1, cols=len(columns), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _header_row(table, columns)
    _caption(table, caption)
    for numbered in group:
        row = table.add_row()
        row.height = Cm(3.0 if form.kind == "open" else 1.2)  # room to write by hand
        cells = row.cells
        _hyperlink(cells[0].paragraphs[0], question_url(publication, instrument, numbered.item.id),
                   str(numbered.number), doc_texts["question_link"].format(number=numbered.number))
        cells[1].text = numbered.item.text
        if form.kind == "keuze":
            for cell in cells[2:2 + len(form.options)]:
                cell.text = "☐"
                cell.paragraphs[0].alignment = 1  # centred
        elif form.kind == "rubriek":
            for cell, level in zip(cells[2:], instrument.rubric_levels):
                cell.text = f"☐ {numbered.item.levels.get(level.id, '')}"
            if form.notes:
                _keep_with_next(row)  # the item and its notes on one page
                notes = table.add_row()
                notes.height = Cm(1.2)
                merged = notes.cells[1].merge(notes.cells[-1])
                merged.text = f"{texts['notes']}:"
    _widths(table, widths)


# Word tables: A4 with margins of 2 cm leaves 17 cm (in twips) for a table in portrait.
PORTRAIT_TEXT_WIDTH = 9638
_TWIPS_PER_CM = 1440 / 2.54
_CELL_MARGINS = round(0.38 * _TWIPS_PER_CM)  # Table Grid: 0.19 cm left and right of the text


def _word_width(text: str) -> int:
    """Twips the longest word of a bold 10 pt heading needs, measured generously: in the widest
    font a reader's word processor may fall back to (DejaVu Sans Bold), '.', 'i', 'l' and the
    like take at most 0.14 cm, every other character at most 0.25 cm (a heading word must
    never break)."""
    narrow = set(".,:;'’!|ijlIf()/ ")
    return max((round(sum(0.14 if c in narrow else 0.25 for c in word) * _TWIPS_PER_CM)
                for word in text.split()), default=0)


def _heading_column(text: str, minimum_cm: float) -> int:
    """The width of a column that must show its heading's words whole."""
    return max(round(minimum_cm * _TWIPS_PER_CM), _word_width(text) + _CELL_MARGINS + round(0.1 * _TWIPS_PER_CM))


def _question_columns(instrument: Instrument, form, texts: dict, text_width: int) -> tuple[list[str], list[int]]:
    """The headings and widths (twips, summing to `text_width`) of a table of items: the number
    column wide enough for 'Nr.', answer boxes as wide as their label, and the rest shared by
    the question and the room to write. Whatever an editor names the answers or levels, the
    question (and the notes) keep at least _TEXT_COLUMN_MINIMUM: headings too wide together
    for that shrink in proportion (a heading word may then break, the table still fits)."""
    number = _heading_column(texts["number"], 1.3)
    if form.kind == "keuze":
        answers = [o.label for o in form.options]
        number, *boxes = _fit([number, *(_heading_column(label, 1.4) for label in answers)],
                              text_width - _TEXT_COLUMN_MINIMUM * (2 if form.notes else 1))
        rest = text_width - number - sum(boxes)
        if form.notes:  # question and notes share the rest, the question a little more
            question = round(rest * 0.56)
            return ([texts["number"], texts["question"], *answers, texts["notes"]],
                    [number, question, *boxes, rest - question])
        return [texts["number"], texts["question"], *answers], [number, rest, *boxes]
    if form.kind == "rubriek":
        levels = [level.label for level in instrument.rubric_levels]
        share = (text_width - number - text_width // 4) // max(1, len(levels))  # a quarter for the question
        number, *widths = _fit([number, *(max(share, _heading_column(label, 2.0)) for label in levels)],
                               text_width - _TEXT_COLUMN_MINIMUM)
        return [texts["number"], texts["question"], *levels], [number, text_width - number - sum(widths), *widths]
    if form.kind == "open":
        [number] = _fit([number], text_width - 2 * _TEXT_COLUMN_MINIMUM)
        question = round((text_width - number) * 0.4)
        return ([texts["number"], texts["question"], texts["answer"]],
                [number, question, text_width - number - question])
    [number] = _fit([number], text_width - _TEXT_COLUMN_MINIMUM)
    return [texts["number"], texts["question"]], [number, text_width - number]


_TEXT_COLUMN_MINIMUM = round(3 * _TWIPS_PER_CM)  # the question's (and the notes') narrowest column


def _fit(widths: list[int], room: int) -> list[int]:
    """`widths` (twips), shrunk in proportion when together wider than `room`."""
    total = sum(widths)
    if total <= room:
        return widths
    return [max(1, width * room // total) for width in widths]


def _minimum_width(instrument: Instrument, form, texts: dict) -> int:
    """The narrowest a table of items with this answer form can be and still read well (twips)."""
    number = _heading_column(texts["number"], 1.3)
    if form.kind == "keuze":
        return number + round(7 * _TWIPS_PER_CM) + sum(_heading_column(o.label, 1.4) for o in form.options)
    if form.kind == "rubriek":
        return (number + round(3.5 * _TWIPS_PER_CM)
                + sum(_heading_column(level.label, 2.0) for level in instrument.rubric_levels))
    return number + round(8 * _TWIPS_PER_CM)


def _spread(fixed: list[int], text_width: int, first: bool = False) -> list[int]:
    """Column widths (twips) summing to `text_width`: the `fixed` ones and one that takes the
    rest, last (or first, with `first`)."""
    rest = text_width - sum(fixed)
    return [rest, *fixed] if first else [*fixed, rest]


def _keep_with_next(row) -> None:
    """Word keeps a row on the page of the row after it when its paragraphs 'keep with next'."""
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


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


def _widths(table, widths: list[int]) -> None:
    """Fixed column widths in twips (Word reads the cells' widths and the table's, LibreOffice the
    table grid), the table as wide as their sum, and rows that never break across pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Twips

    table.autofit = False  # fixed layout
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    if table_width is None:
        table_width = OxmlElement("w:tblW")
        table._tbl.tblPr.append(table_width)
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(widths)))
    for column, width in zip(table.columns, widths):
        column.width = Twips(width)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        column = 0
        for tc in row._tr.tc_lst:  # a merged cell is as wide as the columns it spans
            span = tc.grid_span
            tc.width = Twips(sum(widths[column:column + span]))
            column += span


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
    instrument_id: str | None  # None: all instruments together
    make: Callable[[], bytes]


@dataclass(frozen=True)
class Exports:
    instruments: dict[str, list[Download]]  # per instrument id: Word, Excel, CSV, JSON
    together: list[Download]  # all school types: Excel, CSV, JSON
    schema: Download  # the JSON Schema of the JSON files
    revision: Revision

    def files(self) -> list[Download]:
        return [d for files in self.instruments.values() for d in files] + self.together + [self.schema]


def export_file_name(instrument_id: str | None, suffix: str) -> str:
    """'reflectievragen-bo.xlsx' for one instrument, 'reflectievragen.xlsx' for all together."""
    return f"{EXPORT_STEM}{'-' + instrument_id if instrument_id else ''}.{suffix}"


def planned_exports(project: Project, publication: Publication, revision: Revision) -> list[PlannedExport]:
    """Every export file, in the order of the downloads page (nothing is made yet)."""
    plan: list[PlannedExport] = []
    for instrument in publication.instruments:
        one = [instrument]
        plan += [
            PlannedExport(export_file_name(instrument.id, "docx"), "Word-reflectieblad", instrument.id,
                          lambda i=instrument: export_docx(project, publication, i, revision)),
            PlannedExport(export_file_name(instrument.id, "xlsx"), "Excel-checklist", instrument.id,
                          lambda one=one: export_xlsx(project, publication, one, revision)),
            PlannedExport(export_file_name(instrument.id, "csv"), "CSV-tabel", instrument.id,
                          lambda one=one: export_csv(publication, one, revision)),
            PlannedExport(export_file_name(instrument.id, "json"), "JSON-gegevens", instrument.id,
                          lambda one=one: export_json(publication, one, revision)),
        ]
    every = publication.instruments
    plan += [
        PlannedExport(export_file_name(None, "xlsx"), "Excel-checklist", None, lambda: export_xlsx(project, publication, every, revision)),
        PlannedExport(export_file_name(None, "csv"), "CSV-tabel", None, lambda: export_csv(publication, every, revision)),
        PlannedExport(export_file_name(None, "json"), "JSON-gegevens", None, lambda: export_json(publication, every, revision)),
        PlannedExport(SCHEMA_FILE, "JSON Schema", None, export_schema),
    ]
    return plan


def _collect(publication: Publication, revision: Revision, downloads: list[tuple[PlannedExport, Download]]) -> Exports:
    per_type: dict[str, list[Download]] = {i.id: [] for i in publication.instruments}
    together: list[Download] = []
    schema = None
    for planned, download in downloads:
        if planned.file_name == SCHEMA_FILE:
            schema = download
        elif planned.instrument_id is None:
            together.append(download)
        else:
            per_type[planned.instrument_id].append(download)
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

    digest = hashlib.sha256(export_json(publication, publication.instruments, revision))
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


def existing_exports(project: Project, publication: Publication, target: Path) -> Exports | None:
    """The export files already in `target` as they are, possibly made from an older input: the
    live preview publishes these at once and remakes them in the background (`build_exports`),
    like its sheets. None when one is missing (a new instrument) or when the last making of them
    did not finish (no stamp; also after a failure, so that a rebuild reports it): then they are made first."""
    if _read(target / STAMP_FILE) is None:
        return None
    revision = source_revision(project)
    found: list[tuple[PlannedExport, Download]] = []
    for planned in planned_exports(project, publication, revision):
        path = target / planned.file_name
        try:
            size = path.stat().st_size
        except OSError:
            return None
        found.append((planned, Download(planned.file_name, planned.label, size, path)))
    return _collect(publication, revision, found)


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
    from: its instrument, the site settings, the source version and date, the fixed texts,
    this module and the library versions. An edit of one instrument remakes only its sheet.
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
        common.update(Path(__file__).with_name("sheets.py").read_bytes())  # the instructions and addresses it borrows
        for package in ("python-docx", "pydantic"):
            common.update(f"{package} {metadata.version(package)}\n".encode())
        self.common = common.digest()
        self.instruments = {i.id: i for i in publication.instruments}

    def get(self, planned: PlannedExport) -> bytes:
        instrument = self.instruments.get(planned.instrument_id)
        if instrument is None:
            return planned.make()
        key = hashlib.sha256(self.common + instrument.model_dump_json().encode()).hexdigest()
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
