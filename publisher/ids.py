"""Ids that survive editions (issue 17).

Every id a reader, a sheet or a saved file can hold on to is a promise: the instrument
(page addresses, file names), its sections (anchors), its items (anchors, PDF field names,
the ids of saved answers), the answer options (PDF states, saved answers) and the rubric
levels. This module

- makes the edition's **id map** (`IdMap`): every id with its `was` list (earlier ids), the
  retired ids, and where each id is published. The build writes it as
  `downloads/ids.json` with its JSON Schema `downloads/ids.schema.json`;
- writes the **registry** of a published edition, `gepubliceerd/<editie>.json` (the id map of
  that edition, committed), with `python build.py ids`;
- **checks** a model against every registry: a published id must still be there, or be in a
  `was:` of the same kind, or be retired under `vervallen:` (answer options: in a `was:` of an
  option). Otherwise `check` names the id, where it was published and how to keep it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .model import SLUG_PATTERN, Instrument, Publication
from .problems import Problem, error
from .exports import export_file_name
from .project import Project
from .sheets import item_fields, sheet_file_name
from .structure import FORM_PAGE, REFLECTION_PAGE
from .yamlfile import YamlDocument

FORMAT_NAME = "kcr-ids"
FORMAT_VERSION = 1
MAP_FILE = "ids.json"
SCHEMA_FILE = "ids.schema.json"
REGISTRY_DIR = "gepubliceerd"
SCHEMA_TITLE = "Id-kaart van een editie (downloads/ids.json, gepubliceerd/<editie>.json)"

class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _ids(description: str):
    return Field(default_factory=list, description=description)


class OptionIds(_Closed):
    id: str = Field(pattern=SLUG_PATTERN, description="Vaste id van het antwoord: PDF-toestand en opgeslagen antwoord.")
    label: str = Field(description="Wat lezers in deze editie zien.")
    was: list[str] = _ids("Eerdere ids van dit antwoord.")


class FormIds(_Closed):
    id: str = Field(pattern=SLUG_PATTERN, description="Naam van de antwoordvorm in site_config.yaml.")
    soort: Literal["keuze", "open", "geen", "rubriek"]
    toelichting: bool = Field(description="Of er bij elk antwoord een toelichtingsveld is.")
    opties: list[OptionIds] = _ids("Bij 'keuze': de antwoorden, in volgorde.")


class SectionIds(_Closed):
    id: str = Field(pattern=SLUG_PATTERN)
    was: list[str] = _ids("Eerdere ids van deze sectie.")
    niveau: int = Field(ge=1, le=2, description="1 = bovenste niveau.")
    niveaunaam: str = Field(description="Naam van het niveau, bv. 'perspectief' of 'thema'.")
    titel: str
    bovenliggend: str | None = Field(description="Id van de sectie erboven, of null.")
    ankers: list[str] = Field(description="Adressen met anker (relatief aan de site), bv. 'bo/reflectievragen/#hoe'.")


class ItemIds(_Closed):
    id: str = Field(pattern=SLUG_PATTERN)
    was: list[str] = _ids("Eerdere ids van dit item; opgeslagen antwoorden met die ids horen bij dit item.")
    nummer: int = Field(ge=1, description="Nummer van het item in deze editie.")
    tekst: str
    secties: list[str] = Field(description="Ids van de secties erboven, van boven naar beneden.")
    antwoordvorm: str = Field(pattern=SLUG_PATTERN)
    ankers: list[str] = Field(description="Adressen met anker (relatief aan de site): de pagina met de vragen en het formulier.")
    pdf_velden: list[str] = Field(description="Namen van de velden in het invulbare reflectieblad (leeg: niets in te vullen).")
    opgeslagen_id: str | None = Field(description="De id waaronder een opgeslagen reflectie het antwoord bewaart "
                                                  "('antwoorden[].id'), of null als er niets in te vullen is.")


class LevelIds(_Closed):
    id: str = Field(pattern=SLUG_PATTERN, description="Vaste id van het rubriekniveau: PDF-toestand en opgeslagen antwoord.")
    label: str
    was: list[str] = _ids("Eerdere ids van dit niveau.")


class RetiredIds(_Closed):
    id: str = Field(pattern=SLUG_PATTERN)
    reden: str


class InstrumentIds(_Closed):
    id: str = Field(pattern=SLUG_PATTERN, description="Vaste id van het instrument: webadressen en bestandsnamen.")
    naam: str
    paginas: list[str] = Field(description="Adressen van de gegenereerde pagina's (relatief aan de site).")
    bestanden: list[str] = Field(description="Bestandsnamen in downloads/ die de id van het instrument dragen.")
    reflectieblad: str = Field(description="Het invulbare reflectieblad waarin de PDF-velden staan.")
    opgeslagen_bestand: str = Field(description="Hoe een opgeslagen reflectie (reflectie.schema.json) het instrument "
                                                "noemt, bv. 'schooltype: bo'.")
    sectieniveaus: list[str]
    secties: list[SectionIds]
    items: list[ItemIds]
    rubriekniveaus: list[LevelIds] = _ids("Bij een rubriek: de niveaus, van laag naar hoog.")
    vervallen: list[RetiredIds] = _ids("Gepubliceerde ids die bewust niet meer gebruikt worden.")


class IdMap(_Closed):
    formaat: Literal["kcr-ids"]
    formaatversie: Literal[1]
    publicatie: str
    editie: str
    basis_url: str = Field(description="Het webadres van de site; de adressen hieronder zijn daar relatief aan.")
    antwoordvormen: list[FormIds]
    instrumenten: list[InstrumentIds]


# --------------------------------------------------------------------------- the edition's map


def _page(instrument_id: str, page: str) -> str:
    """'bo/reflectievragen/': the address of a generated page, relative to the site."""
    return f"{instrument_id}/{page.removesuffix('.md')}/"


def instrument_files(instrument_id: str) -> list[str]:
    """The downloads named after an instrument: sheets and exports."""
    return ([sheet_file_name(instrument_id, fillable) for fillable in (False, True)]
            + [export_file_name(instrument_id, suffix) for suffix in ("docx", "xlsx", "csv", "json")])


def _instrument_ids(publication: Publication, instrument: Instrument) -> InstrumentIds:
    pages = [_page(instrument.id, REFLECTION_PAGE), _page(instrument.id, FORM_PAGE)]
    levels = instrument.section_levels

    sections = []

    def walk(children, level: int, parent: str | None) -> None:
        for section in children:
            sections.append(SectionIds(id=section.id, was=list(section.was), niveau=level,
                                       niveaunaam=levels[level - 1] if level <= len(levels) else "sectie",
                                       titel=section.title, bovenliggend=parent,
                                       ankers=[f"{page}#{section.id}" for page in pages]))
            walk(section.sections, level + 1, section.id)

    walk(instrument.sections, 1, None)
    items = []
    for numbered in publication.numbered_items(instrument):
        item, form = numbered.item, numbered.form
        fields = list(item_fields(instrument, item, form).values())
        items.append(ItemIds(id=item.id, was=list(item.was), nummer=numbered.number, tekst=item.text,
                             secties=[s.id for s in numbered.sections], antwoordvorm=form.id,
                             ankers=[f"{page}#{item.id}" for page in pages], pdf_velden=fields,
                             opgeslagen_id=item.id if form.fillable else None))
    return InstrumentIds(
        id=instrument.id, naam=instrument.name, paginas=pages, bestanden=instrument_files(instrument.id),
        reflectieblad=sheet_file_name(instrument.id, fillable=True), opgeslagen_bestand=f"schooltype: {instrument.id}",
        sectieniveaus=list(levels), secties=sections, items=items,
        rubriekniveaus=[LevelIds(id=level.id, label=level.label, was=list(level.was)) for level in instrument.rubric_levels],
        vervallen=[RetiredIds(id=r.id, reden=r.reason) for r in instrument.retired])


def id_map(publication: Publication) -> IdMap:
    config = publication.config
    forms = [FormIds(id=f.id, soort=f.kind, toelichting=f.notes,
                     opties=[OptionIds(id=o.id, label=o.label, was=list(o.was)) for o in f.options])
             for f in config.answer_forms]
    return IdMap(formaat=FORMAT_NAME, formaatversie=FORMAT_VERSION, publicatie=config.title, editie=config.edition,
                 basis_url=config.base_url, antwoordvormen=forms,
                 instrumenten=[_instrument_ids(publication, i) for i in publication.instruments])


def id_map_text(publication: Publication) -> str:
    return json.dumps(id_map(publication).model_dump(), ensure_ascii=False, indent=1) + "\n"


def schema() -> dict:
    result = IdMap.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": SCHEMA_TITLE,
            "description": "Alle vaste ids van een editie (instrumenten, secties, items, antwoorden, rubriekniveaus), "
                           "met hun eerdere ids ('was'), vervallen ids en waar elke id gepubliceerd is.",
            **result}


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_downloads(folder: Path, publication: Publication) -> None:
    """downloads/ids.json and downloads/ids.schema.json (called by the build's staging)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MAP_FILE).write_text(id_map_text(publication), encoding="utf-8")
    (folder / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")


# --------------------------------------------------------------------------- the registry


def registry_file(project: Project, edition: str) -> Path:
    return project.root / REGISTRY_DIR / f"{edition}.json"


def write_registry(project: Project, publication: Publication) -> Path:
    """gepubliceerd/<editie>.json: the ids this edition publishes (`python build.py ids`)."""
    path = registry_file(project, publication.config.edition)
    path.parent.mkdir(exist_ok=True)
    path.write_text(id_map_text(publication), encoding="utf-8")
    return path


def read_registries(project: Project) -> tuple[list[tuple[str, IdMap]], list[Problem]]:
    """Every committed registry (file name, id map), oldest edition first."""
    folder = project.root / REGISTRY_DIR
    found, problems = [], []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.json")):
        name = project.name(path)
        try:
            found.append((name, IdMap.model_validate_json(path.read_bytes())))
        except (ValidationError, ValueError):
            problems.append(error(name, None, "dit bestand met gepubliceerde ids kan niet gelezen worden",
                                  "Verander dit bestand niet met de hand: zet de vorige versie terug uit Git, of maak "
                                  "het opnieuw met 'python build.py ids' in de versie van die editie."))
    return found, problems


# --------------------------------------------------------------------------- the check


def _where_item(published: IdMap, instrument: InstrumentIds, item: ItemIds) -> str:
    parts = [f"de pagina's {' en '.join(published.basis_url + a for a in item.ankers)}"]
    if item.pdf_velden:
        parts.append(f"de PDF-velden {' en '.join(item.pdf_velden)} in {instrument.reflectieblad}")
    if item.opgeslagen_id:
        parts.append(f"opgeslagen reflecties (antwoord met id '{item.opgeslagen_id}')")
    return ", ".join(parts[:-1]) + " en " + parts[-1] if len(parts) > 1 else parts[0]


def _keep_hint(kind: str, old: str, instrument_id: str, renamed: str | None = None, same: str = "") -> str:
    """What to do about a published id that is gone; `renamed`: the new id it was probably renamed
    to, found by the same `same` (its question, title or label)."""
    retire = (f"Vervalt {kind} bewust? Zet de id onder 'vervallen:' van het instrument, met een reden: "
              f"'- {{id: {old}, reden: …}}'.")
    if renamed is not None:
        return (f"{_renamed_hint(kind, old, renamed, same)}; oude antwoorden en links komen daar dan terecht. {retire}")
    return (f"Heb je {kind} hernoemd? Zet dan 'was: [{old}]' bij {kind} met de nieuwe id in indicators/{instrument_id}.yaml; "
            f"oude antwoorden en links komen daar dan terecht. {retire}")


def _renamed_hint(kind: str, old: str, renamed: str, same: str) -> str:
    """'Met dezelfde vraag staat er nu het item 'x' (op deze regel): is dat hetzelfde item met een nieuwe id? …'"""
    article, noun = kind.split(" ", 1)
    return (f"Met {'hetzelfde' if same == 'label' else 'dezelfde'} {same} staat er nu {kind} '{renamed}' (op deze regel): "
            f"is dat {'hetzelfde' if article == 'het' else 'dezelfde'} {noun} met een nieuwe id? "
            f"Zet dan 'was: [{old}]' bij '{renamed}'")


def _renamed_to(old_text: str, current: list[tuple[str, str]], published: set[str]) -> str | None:
    """The id of the one current (id, text) pair with the same text as a published id that is
    gone, and an id that was never published: most likely the same item or section, renamed."""
    same = [i for i, text in current if " ".join(text.split()) == " ".join(old_text.split()) and i not in published]
    return same[0] if len(same) == 1 else None


def _id_line(doc: YamlDocument | None, value: str | None) -> int | None:
    """The line of `id: value` in an instrument's YAML document, or None (also for no value)."""
    stack = [((), doc.data)] if doc is not None and value is not None else []
    while stack:
        location, data = stack.pop()
        if isinstance(data, dict):
            if data.get("id") == value:
                return doc.line(location + ("id",))
            stack.extend((location + (key,), child) for key, child in data.items())
        elif isinstance(data, list):
            stack.extend((location + (index,), child) for index, child in enumerate(data))
    return None


def check_published(publication: Publication, registries: list[tuple[str, IdMap]],
                    documents: dict[str, YamlDocument], config_doc: YamlDocument | None) -> list[Problem]:
    """Every id of every registry is still kept by the model: present (same kind), in a `was:`
    of the same kind, or retired under `vervallen:` of its instrument. `documents` holds the
    YAML document of each instrument (for the line of its `id:`)."""
    problems: list[Problem] = []
    current = {i.id: i for i in publication.instruments}
    config = publication.config
    option_ids = {i for f in config.answer_forms for o in f.options for i in (o.id, *o.was)}
    for file_name, published in registries:
        edition = f"editie {published.editie} ({file_name})"
        for instrument in published.instrumenten:
            model = current.get(instrument.id)
            if model is None:
                line = config_doc.line(("instrumenten",)) if config_doc else None
                problems.append(error(
                    "site_config.yaml", line,
                    f"het instrument '{instrument.id}' ({instrument.naam}) is gepubliceerd in {edition}, maar staat niet "
                    f"meer in 'instrumenten': de pagina's {' en '.join(published.basis_url + p for p in instrument.paginas)}, "
                    f"de bestanden {', '.join(instrument.bestanden)} en opgeslagen reflecties ({instrument.opgeslagen_bestand}) "
                    "verwijzen ernaar",
                    f"Zet '- {instrument.id}' terug onder 'instrumenten' en het bestand indicators/{instrument.id}.yaml terug "
                    "(een nieuwe naam of nieuwe vragen kunnen erin; de id blijft). Een gepubliceerd instrument verdwijnt niet "
                    "uit de site."))
                continue
            doc = documents.get(instrument.id)
            name = doc.name if doc else f"indicators/{instrument.id}.yaml"
            line = doc.line(("id",)) if doc else None
            retired = {r.id for r in model.retired}
            sections = {i for s in model.all_sections() for i in (s.id, *s.was)}
            items = {i for _, item in model.item_paths() for i in (item.id, *item.was)}
            levels = {i for level in model.rubric_levels for i in (level.id, *level.was)}
            ever = {i for entry in (*instrument.secties, *instrument.items) for i in (entry.id, *entry.was)}
            for section in instrument.secties:
                for old in (section.id, *section.was):
                    if old not in sections and old not in retired:
                        renamed = _renamed_to(section.titel, [(s.id, s.title) for s in model.all_sections()], ever)
                        problems.append(error(
                            name, _id_line(doc, renamed) or line,
                            f"de sectie '{old}' ({section.niveaunaam}) is gepubliceerd in {edition}, maar bestaat niet meer in "
                            f"'{instrument.id}': links naar {' en '.join(published.basis_url + p + '#' + old for p in instrument.paginas)} "
                            "werken dan niet meer",
                            _keep_hint("de sectie", old, instrument.id, renamed, "titel")))
            for item in instrument.items:
                for old in (item.id, *item.was):
                    if old not in items and old not in retired:
                        renamed = _renamed_to(item.tekst, [(i.id, i.text) for _, i in model.item_paths()], ever)
                        problems.append(error(
                            name, _id_line(doc, renamed) or line,
                            f"het item '{old}' (vraag {item.nummer}: '{item.tekst}') is gepubliceerd in {edition}, maar "
                            f"bestaat niet meer in '{instrument.id}': {_where_item(published, instrument, item)} "
                            "verwijzen ernaar",
                            _keep_hint("het item", old, instrument.id, renamed, "vraag")))
            for gone in instrument.vervallen:
                if gone.id not in sections | items | levels | retired:
                    problems.append(error(
                        name, line,
                        f"de id '{gone.id}' staat in {edition} onder 'vervallen', maar nu niet meer",
                        f"Laat '- {{id: {gone.id}, reden: …}}' onder 'vervallen:' staan: een vervallen id blijft vervallen, "
                        "zodat hij nooit iets anders gaat betekenen."))
            for level in instrument.rubriekniveaus:
                for old in (level.id, *level.was):
                    if old not in levels and old not in retired:
                        renamed = _renamed_to(level.label, [(v.id, v.label) for v in model.rubric_levels],
                                              ever | {i for v in instrument.rubriekniveaus for i in (v.id, *v.was)})
                        problems.append(error(
                            name, _id_line(doc, renamed) or line,
                            f"het rubriekniveau '{old}' ({level.label}) is gepubliceerd in {edition}, maar bestaat niet meer "
                            f"in '{instrument.id}': de PDF-velden in {instrument.reflectieblad} en opgeslagen reflecties "
                            "gebruiken het als antwoord",
                            _keep_hint("het niveau", old, instrument.id, renamed, "label")))
        forms = {f.id: i for i, f in enumerate(config.answer_forms)}
        for form in published.antwoordvormen:
            was_published = {i for o in form.opties for i in (o.id, *o.was)}
            for option in form.opties:
                for old in (option.id, *option.was):
                    if old in option_ids:
                        continue
                    where = ("antwoordvormen", forms[form.id], "id") if form.id in forms else ("antwoordvormen",)
                    options = config.answer_forms[forms[form.id]].options if form.id in forms else []
                    renamed = _renamed_to(option.label, [(o.id, o.label) for o in options], was_published)
                    if renamed is not None:
                        where = ("antwoordvormen", forms[form.id], "opties", [o.id for o in options].index(renamed), "id")
                        hint = f"Het label mag veranderen, de id niet. {_renamed_hint('het antwoord', old, renamed, 'label')}, "
                    else:
                        hint = (f"Het label mag veranderen, de id niet: zet 'id: {old}' terug, of zet 'was: [{old}]' bij het "
                                "antwoord met de nieuwe id, ")
                    problems.append(error(
                        "site_config.yaml", config_doc.line(where) if config_doc else None,
                        f"het antwoord '{old}' ({option.label}) van antwoordvorm '{form.id}' is gepubliceerd in {edition}, "
                        "maar bestaat niet meer: de PDF-velden van de invulbare reflectiebladen (toestand "
                        f"/{old}) en opgeslagen reflecties (antwoord '{old}') gebruiken het",
                        hint + "dan komen oude antwoorden daar terecht."))
    return problems
