"""The online reflection form: what its page shows and the file format a team saves and opens.

The form itself is a generated page (templates/pages/invullen.md.j2, one per instrument)
and two scripts of the site: `reflectie-logica.js` (the form's logic as pure functions,
an ES module without DOM access) and `reflectie.js` (the page: storage, files, buttons,
comparison and overview), both in templates/site/assets/javascripts/. The scripts read
everything about the instrument from the page's HTML (data attributes), so an instrument
needs no code of its own.

`form_view` is what the page template shows, decided here so that the template only
formats. `schema` describes the saved file as a JSON Schema, published on the downloads
page so that others can read the files. Version 2 is what the form writes; version 1
(edition 2025's form, `schooltype` instead of `instrument`) still opens and compares, and
validates against the same schema (`oneOf`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Literal, Union
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .model import SLUG_PATTERN, Instrument, Publication
from .sheets import (ACTION_COLUMNS, HEADER_FIELDS, NEXT_REFLECTION_FIELD, SHEET_ACTIONS, action_field, item_fields,
                     sheet_file_name)

FORMAT_NAME = "kcr-reflectie"
FORMAT_VERSION = 2
SCHEMA_FILE = "reflectie.schema.json"
MAX_FILE_BYTES = 1_000_000  # the script refuses larger files before reading them
STORAGE_PREFIX = "kcr-reflectie"  # browser storage: <prefix>:<site path>:<instrument>; edition 2025: <prefix>:<school type>


# --------------------------------------------------------------------------- what the page shows


@dataclass(frozen=True)
class Choice:
    """One option of a `keuze` item or one level of a `rubriek` item."""

    id: str
    label: str
    was: list[str]  # earlier ids (data-was)
    description: str | None = None  # rubriek: what this level means for this item


@dataclass(frozen=True)
class FormItem:
    number: int
    id: str
    text: str
    kind: str  # keuze | open | geen | rubriek
    notes: bool
    was: list[str]
    top_section: str | None  # id of the top-level section, for the summary per section
    choices: list[Choice] = field(default_factory=list)
    pdf_fields: str = ""  # its fields on the fillable sheet, 'role:name …' (sheets.item_fields; data-pdf-velden)

    is_heading = False

    @property
    def fillable(self) -> bool:
        return self.kind != "geen"

    @property
    def has_choices(self) -> bool:
        return self.kind in ("keuze", "rubriek")


@dataclass(frozen=True)
class FormHeading:
    level: int  # 2 or 3
    id: str
    text: str
    was: list[str]
    is_heading = True


@dataclass(frozen=True)
class FormView:
    instrument: Instrument
    title: str  # 'Reflectie invullen bo'
    credit: str | None  # where the instrument comes from, when it is someone else's
    site_path: str
    summary_label: str  # the column heading of the summary per top-level section ("Perspectief")
    blocks: list[FormHeading | FormItem]
    pdf_sheet: str = ""  # the fillable sheet's file name in downloads/ (data-pdf-blad)
    pdf_details: str = ""  # the details' fields on that sheet, 'key:name …' (data-pdf-gegevens)
    pdf_agreements: str = ""  # the agreements' fields, row by row, 'wat:name wie:name wanneer:name|…' (data-pdf-afspraken)
    pdf_next: str = ""  # the field of the next reflection's date (data-pdf-volgende)

    @property
    def items(self) -> list[FormItem]:
        return [b for b in self.blocks if isinstance(b, FormItem)]


def site_path(publication: Publication) -> str:
    """The path of the site on its host ('/kcr/'): with the instrument, the browser storage's namespace."""
    return urlsplit(publication.config.base_url).path or "/"


def storage_key(publication: Publication, instrument: Instrument) -> str:
    return f"{STORAGE_PREFIX}:{site_path(publication)}:{instrument.id}"


def form_view(publication: Publication, instrument: Instrument) -> FormView:
    """The headings and items of an instrument's form page, in reading order."""
    blocks: list[FormHeading | FormItem] = []
    top_numbers = {section.id: index for index, section in enumerate(instrument.sections, start=1)}
    shown: set[str] = set()
    for numbered in publication.numbered_items(instrument):
        for depth, section in enumerate(numbered.sections):
            if section.id not in shown:
                shown.add(section.id)
                blocks.append(FormHeading(min(depth + 2, 3), section.id,
                                          publication.section_heading(instrument, section,
                                                                        top_numbers[section.id] if depth == 0 else None),
                                          list(section.was)))
        form = numbered.form
        if form.kind == "keuze":
            choices = [Choice(o.id, o.label, list(o.was)) for o in form.options]
        elif form.kind == "rubriek":
            choices = [Choice(level.id, level.label, list(level.was), numbered.item.levels.get(level.id, ""))
                       for level in instrument.rubric_levels]
        else:
            choices = []
        item = numbered.item
        blocks.append(FormItem(numbered.number, item.id, " ".join(item.text.split()), form.kind,
                               form.notes and form.kind != "geen", list(item.was),
                               numbered.sections[0].id if numbered.sections else None, choices,
                               _pairs(item_fields(instrument, item, form))))
    label = instrument.section_levels[0] if instrument.section_levels else "Onderdeel"
    return FormView(instrument, form_title(instrument), instrument.source.credit if instrument.source else None,
                    site_path(publication), label[:1].upper() + label[1:], blocks,
                    pdf_sheet=sheet_file_name(instrument.id, fillable=True),
                    pdf_details=_pairs({name: name for name, _, _ in HEADER_FIELDS}),
                    pdf_agreements="|".join(_pairs({column: action_field(number, column) for column in ACTION_COLUMNS})
                                            for number in range(1, SHEET_ACTIONS + 1)),
                    pdf_next=NEXT_REFLECTION_FIELD)


def _pairs(fields: dict[str, str]) -> str:
    """'keuze:bo-herkenning toelichting:bo-herkenning-toelichting': a data attribute the page's
    PDF module (reflectie-pdf.js) reads; names are slugs, so a space and a colon separate safely."""
    return " ".join(f"{role}:{name}" for role, name in fields.items())


def form_title(instrument: Instrument) -> str:
    """'Reflectie invullen bo' (its anchor #reflectie-invullen-bo is published)."""
    return f"Reflectie invullen {instrument.abbreviation or instrument.name}"


# --------------------------------------------------------------------------- the saved file


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Details(_Closed):
    school: str = Field("", max_length=200)
    project: str = Field("", max_length=200)
    datum: str = Field("", max_length=10, description="Datum van de reflectie, JJJJ-MM-DD, of leeg.")
    aanwezigen: str = Field("", max_length=2000)


class AnswerV1(_Closed):
    id: str = Field(pattern=SLUG_PATTERN, max_length=60, description="De vaste id van de vraag.")
    nummer: int = Field(ge=1, le=999, description="Het nummer van de vraag in de editie van dit bestand.")
    vraag: str = Field(max_length=4000, description="De vraag zoals die toen gesteld werd.")
    antwoord: str | None = Field(description="De id van het gekozen antwoord, of null.")
    toelichting: str = Field("", max_length=10000)


class Answer(_Closed):
    id: str = Field(pattern=SLUG_PATTERN, max_length=60, description="De vaste id van het item.")
    nummer: int = Field(ge=1, le=999, description="Het nummer van het item in de editie van dit bestand.")
    vraag: str = Field(max_length=4000, description="De tekst van het item zoals die toen gesteld werd.")
    soort: Literal["keuze", "open", "rubriek"] = Field(description="De soort antwoordvorm van het item.")
    antwoord: str | None = Field(description="keuze: de id van de gekozen optie; rubriek: de id van het gekozen niveau; "
                                             "anders, of als er niets gekozen is: null.")
    tekst: str = Field("", max_length=10000, description="open: het geschreven antwoord; anders leeg.")
    toelichting: str = Field("", max_length=10000)


class Agreement(_Closed):
    wat: str = Field("", max_length=2000)
    wie: str = Field("", max_length=500)
    wanneer: str = Field("", max_length=200)


class ReflectionFileV1(_Closed):
    """A reflection saved with edition 2025's form (one scale, school types)."""

    formaat: Literal["kcr-reflectie"]
    formaatversie: Literal[1]
    publicatie: str = Field(max_length=200)
    editie: str = Field(max_length=40)
    schooltype: str = Field(pattern=SLUG_PATTERN, max_length=60)
    opgeslagen: str = Field(max_length=40, description="Moment van opslaan (ISO 8601).")
    gegevens: Details
    antwoorden: list[AnswerV1] = Field(max_length=500)
    afspraken: list[Agreement] = Field(max_length=100)
    volgende_reflectie: str = Field("", max_length=10)


class ReflectionFile(_Closed):
    """A reflection saved with the form of any instrument."""

    formaat: Literal["kcr-reflectie"]
    formaatversie: Literal[2]
    publicatie: str = Field(max_length=200)
    editie: str = Field(max_length=40)
    instrument: str = Field(pattern=SLUG_PATTERN, max_length=60, description="De id van het instrument, bv. 'bo'.")
    opgeslagen: str = Field(max_length=40, description="Moment van opslaan (ISO 8601).")
    gegevens: Details
    antwoorden: list[Answer] = Field(max_length=500)
    afspraken: list[Agreement] = Field(max_length=100)
    volgende_reflectie: str = Field("", max_length=10)


AnyReflectionFile = Annotated[Union[ReflectionFileV1, ReflectionFile], Field(discriminator="formaatversie")]


def _answer_ids(publication: Publication) -> tuple[list[str], list[str]]:
    """(ids a version 1 file can hold: the options of choice forms; ids a version 2 file can hold:
    also the rubric levels), each with the earlier ids (`was`)."""
    options: list[str] = []
    for form in publication.config.answer_forms:
        for option in form.options:
            options += [option.id, *option.was]
    levels = [i for instrument in publication.instruments for level in instrument.rubric_levels
              for i in (level.id, *level.was)]
    unique = lambda ids: list(dict.fromkeys(ids))  # noqa: E731
    return unique(options), unique(options + levels)


def schema(publication: Publication) -> dict:
    """The JSON Schema of a saved reflection (both format versions), with this edition's answer ids."""
    result = TypeAdapter(AnyReflectionFile).json_schema()
    result.pop("discriminator", None)  # OpenAPI, not JSON Schema: `formaatversie` (a const in each) decides
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["$id"] = f"{publication.config.base_url}downloads/{SCHEMA_FILE}"
    result["title"] = f"Opgeslagen reflectie ({publication.config.title})"
    result["description"] = ("Een reflectie die een schoolteam op de site invulde en met 'Opslaan' bewaarde. "
                             "Formaatversie 2 (per instrument); formaatversie 1 is het formaat van editie 2025 "
                             "(per schooltype). Antwoorden zijn ids van opties of rubriekniveaus.")
    v1_ids, v2_ids = _answer_ids(publication)
    for name, ids in (("AnswerV1", v1_ids), ("Answer", v2_ids)):
        result["$defs"][name]["properties"]["antwoord"] = {
            "description": result["$defs"][name]["properties"]["antwoord"].get("description", ""),
            "anyOf": [{"enum": ids}, {"type": "null"}] if ids else [{"type": "null"}]}
    return result


def schema_text(publication: Publication) -> str:
    return json.dumps(schema(publication), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
