"""Loading and checking everything editors write, in one pass.

`load_publication` reads site_config.yaml, indicators/*.yaml, the glossary and
the Markdown pages, and returns the validated model together with every
problem found, so an editor sees all mistakes of a pull request at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from . import content, ids
from .environment import environment_problems
from .load import validate_document
from .model import RESERVED_ANSWER_IDS, Glossary, Instrument, Item, Publication, Section, SiteConfig
from .problems import InputError, Problem, error, sort_key, warning
from .project import Project
from .sheets import OPTION_CHAR_MM, long_option, options_row_overflow, page_height_mm, question_height_mm
from .site_check import check_html_only, check_site
from .sources import list_files
from .structure import FORM_PAGE, REFLECTION_PAGE, form_page, generated_pages, navigation, reflection_page
from .yamlfile import YamlDocument, read_yaml

M = TypeVar("M")

@dataclass
class Loaded:
    publication: Publication | None
    pages: dict[str, content.Page]
    problems: list[Problem]
    assets: list[str] = field(default_factory=list)  # images and documents in content/, published as they are

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_publication(project: Project) -> Loaded:
    problems: list[Problem] = []

    config_doc, config, found = _read_model(project, project.site_config, SiteConfig)
    problems += found
    if config is not None:
        problems += _check_config(config, config_doc)
        problems += _check_house_style(project, config, config_doc)

    anchors: dict[str, dict[str, tuple[str, int]]] = {}  # page → id → (YAML file, line)
    documents: dict[str, YamlDocument] = {}  # instrument id → its YAML file
    instruments, found = _load_instruments(project, config, config_doc, anchors, documents)
    problems += found

    glossary_doc, glossary, found = _read_model(project, project.glossary, Glossary)
    problems += found
    if glossary is not None:
        problems += _duplicates(glossary_doc, [(("begrippen", i, "term"), t.term) for i, t in enumerate(glossary.terms)],
                                "het begrip")
        problems += _check_glossary(glossary, glossary_doc)

    pages, assets, found = content.read_pages(project)
    problems += found
    publication = None
    promises: list[Problem] = []
    if config is not None and glossary is not None and all(s is not None for s in instruments):
        publication = Publication(config=config, instruments=instruments, glossary=glossary)
        problems += _check_site_pages(project, publication, pages, config_doc)
        registries, found = ids.read_registries(project)  # published ids are promises
        promises = found + ids.check_published(publication, registries, documents, config_doc)
    # The pages as the site engine will render them: HTML, links, anchors, ids. This needs
    # a consistent model; with errors in the YAML files only the content pages' HTML is checked.
    # A broken promise (a published id that is gone) leaves the model consistent: the pages are
    # still checked in full, so that the editor sees those mistakes in the same run.
    consistent = publication is not None and not any(p.is_error and not p.file.endswith(".md") for p in problems)
    problems += promises
    try:
        if consistent:
            problems += check_site(project, publication, pages, assets, anchors, glossary_doc)
        else:
            type_ids = (list(config.instruments) if config is not None
                        else sorted(path.stem for path in project.indicators.glob("*.yaml")))
            comparisons = [s.comparison.page for s in config.structures if s.comparison] if config is not None else []
            problems += check_html_only(project, pages, assets, type_ids, comparisons)
    except InputError as exc:  # a broken template in templates/pages/
        problems += exc.problems

    problems += environment_problems()  # SOURCE_DATE_EPOCH (issue 18)
    problems = list(dict.fromkeys(problems))
    problems.sort(key=sort_key)
    if any(p.is_error for p in problems):
        publication = None
    return Loaded(publication, pages, problems, assets)


def _read_model(project: Project, path: Path, model: type[M]) -> tuple[YamlDocument | None, M | None, list[Problem]]:
    """Read one YAML file and validate it against `model`. A file with syntax errors gives
    no model; its document is then what could be read around the errors (`recovered`)."""
    document, problems = read_yaml(path, project.name(path), project.root, partial=True)
    if document is None or document.recovered:
        return document, None, problems
    value, found = validate_document(document, model)
    return document, value, problems + found


def _check_config(config: SiteConfig, doc: YamlDocument) -> list[Problem]:
    problems = _duplicates(doc, [(("instrumenten", i), t) for i, t in enumerate(config.instruments)], "het instrument")
    problems += _duplicates(doc, [(("antwoordvormen", i, "id"), f.id) for i, f in enumerate(config.answer_forms)],
                            "de antwoordvorm")
    problems += _duplicates(doc, [(("structuren", i, "id"), s.id) for i, s in enumerate(config.structures)], "de structuur")
    for i, structure in enumerate(config.structures):
        problems += _duplicates(doc, [(("structuren", i, "secties", j, "id"), s.id) for j, s in enumerate(structure.sections)],
                                "de sectie")
    for i, form in enumerate(config.answer_forms):
        where = ("antwoordvormen", i)
        if form.kind == "keuze" and len(form.options) < 2:
            problems.append(error(doc.name, doc.line(where + ("soort",)),
                                  f"de antwoordvorm '{form.id}' is een keuze, maar heeft minder dan twee opties",
                                  "Zet onder 'opties' minstens twee antwoorden, elk met een 'id' en een 'label'."))
        if form.kind != "keuze" and form.options:
            problems.append(error(doc.name, doc.line(where + ("opties",)),
                                  f"de antwoordvorm '{form.id}' is van soort '{form.kind}' en heeft dus geen opties",
                                  "Haal 'opties' weg, of maak er 'soort: keuze' van."))
        if form.kind == "geen" and form.notes:
            problems.append(error(doc.name, doc.line(where + ("toelichting",)),
                                  f"de antwoordvorm '{form.id}' is van soort 'geen' (niets in te vullen) en kan geen toelichting hebben",
                                  "Haal 'toelichting' weg, of kies 'soort: open' als het team iets schrijft."))
        options = [(where + ("opties", j, "id"), o.id) for j, o in enumerate(form.options)]
        options += [(where + ("opties", j, "was", k), old) for j, o in enumerate(form.options) for k, old in enumerate(o.was)]
        problems += _duplicates(doc, options, "het antwoord")
        long = long_option(form) if form.kind == "keuze" else None
        row = options_row_overflow(form) if form.kind == "keuze" else None
        if long is not None:
            j, width, room = long
            problems.append(warning(doc.name, doc.line(where + ("opties", j, "label")),
                                    f"het antwoord '{form.options[j].label}' is te lang voor het reflectieblad "
                                    f"(ongeveer {width:.0f} mm, er is {room:.0f} mm): het loopt over het volgende antwoord heen",
                                    f"Kies een korter label, van hoogstens ongeveer {int(room // OPTION_CHAR_MM)} tekens."))
        elif row is not None:
            width, room = row
            problems.append(warning(doc.name, doc.line(where + ("opties",)),
                                    f"de antwoorden van '{form.id}' passen niet op één regel van het reflectieblad "
                                    f"(ongeveer {width:.0f} mm, een regel heeft {room:.0f} mm)",
                                    "Gebruik minder antwoorden, of zet de toelichting uit ('toelichting: false')."))
        for j, option in enumerate(form.options):
            if option.id in RESERVED_ANSWER_IDS:
                problems.append(error(doc.name, doc.line(where + ("opties", j, "id")),
                                      f"het antwoord '{option.id}' heeft dezelfde naam als een veld van elk item",
                                      f"Kies een andere id; {', '.join(sorted(RESERVED_ANSWER_IDS))} zijn al in gebruik."))
    return problems


MINIMUM_CONTRAST = 4.5  # WCAG 2.1 AA (1.4.3) for normal text


def contrast_with_white(colour: str) -> float:
    """The contrast ratio of '#rrggbb' against white (WCAG 2.1 relative luminance)."""
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def _dutch_ratio(ratio: float) -> str:
    return f"{ratio:.2f}".replace(".", ",") + " : 1"


def _check_house_style(project: Project, config: SiteConfig, doc: YamlDocument) -> list[Problem]:
    """The site's own colours stay readable (white text on the colour, the colour as text on
    white: WCAG AA), and the logo is there."""
    style = config.house_style
    if style is None:
        return []
    problems = []
    for key, colour in (("kleur", style.colour), ("accentkleur", style.accent)):
        if colour is None:
            continue
        ratio = contrast_with_white(colour)
        if ratio < MINIMUM_CONTRAST:
            problems.append(error(doc.name, doc.line(("huisstijl", key)),
                                  f"de {key} {colour} heeft op wit een contrast van {_dutch_ratio(ratio)}; "
                                  f"dat moet minstens {_dutch_ratio(MINIMUM_CONTRAST)} zijn (WCAG AA)",
                                  "Kies een donkerdere kleur: tekst in deze kleur op wit, en witte tekst op deze kleur, "
                                  "moet voor iedereen goed leesbaar zijn."))
    if style.logo is not None and not (project.root / style.logo).is_file():
        problems.append(error(doc.name, doc.line(("huisstijl", "logo")), f"het logo {style.logo} bestaat niet",
                              "Zet het bestand op die plek in content/, of corrigeer het pad."))
    return problems


RESERVED_SUFFIXES = ("-toelichting", "-antwoord")  # fields of an item on the sheet and in the form
RESERVED_PREFIX = "kcr-"  # the online form's own fields


def _load_instruments(project: Project, config: SiteConfig | None, config_doc: YamlDocument | None,
                      anchors: dict, documents: dict) -> tuple[list[Instrument | None], list[Problem]]:
    listing = list_files(project.root, project.indicators, project.name)
    problems: list[Problem] = list(listing.problems)
    files: dict[str, Path] = {}
    for path in listing.files:
        if path.parent != project.indicators:
            problems.append(error(project.name(path), None, "indicators/ mag geen submappen hebben",
                                  "Zet elk instrument als <id>.yaml direct in indicators/."))
        elif path.suffix != ".yaml":
            hint = (f"Hernoem het bestand naar '{path.stem}.yaml'." if not (project.indicators / f"{path.stem}.yaml").exists()
                    else f"Er is al een bestand {path.stem}.yaml; verwijder dit bestand of zet het buiten indicators/.")
            problems.append(error(project.name(path), None, "bestanden in indicators/ moeten eindigen op .yaml", hint))
        else:
            files[path.stem] = path
    listed = config.instruments if config is not None else sorted(files)
    for stem, path in files.items():
        if config is not None and stem not in config.instruments:
            problems.append(error(project.name(path), 1, f"het instrument '{stem}' staat niet in site_config.yaml",
                                  f"Voeg '- {stem}' toe onder 'instrumenten' in site_config.yaml, of verwijder dit bestand."))
    instruments: list[Instrument | None] = []
    for index, instrument_id in enumerate(listed):
        path = files.get(instrument_id)
        if (project.indicators / f"{instrument_id}.yaml").is_dir():
            problems.append(error(f"indicators/{instrument_id}.yaml", None, "dit is een map, geen bestand",
                                  f"Zet de vragen van '{instrument_id}' in een bestand indicators/{instrument_id}.yaml."))
            instruments.append(None)
            continue
        if path is None and listing.outside:  # said once, of the folder
            instruments.append(None)
            continue
        if path is None:
            line = config_doc.line(("instrumenten", index)) if config_doc else None
            known = ", ".join(sorted(files)) or "geen"
            problems.append(error("site_config.yaml", line,
                                  f"onbekend instrument '{instrument_id}': er is geen bestand indicators/{instrument_id}.yaml",
                                  f"Maak het bestand aan, of corrigeer de naam (bestaande bestanden: {known})."))
            instruments.append(None)
            continue
        document, instrument, found = _read_model(project, path, Instrument)
        problems += found
        if document is not None and document.recovered:
            problems += _duplicate_ids_around_syntax_errors(document)
        if instrument is not None:
            found = _check_instrument(project, instrument, document, instrument_id, config)
            problems += found
            if any(p.is_error for p in found):
                instrument = None  # the outputs may rely on every rule of the model
            else:
                anchors[reflection_page(instrument_id)] = anchors[form_page(instrument_id)] = _yaml_ids(instrument, document)
                documents[instrument_id] = document
        instruments.append(instrument)
    return instruments, problems


def _section_locations(instrument: Instrument) -> list[tuple[tuple, Section, int]]:
    """(YAML location, section, level) of every section, top level first in reading order."""
    found = []

    def walk(sections: list[Section], location: tuple, level: int) -> None:
        for i, section in enumerate(sections):
            found.append((location + (i,), section, level))
            walk(section.sections, location + (i, "secties"), level + 1)

    walk(instrument.sections, ("secties",), 1)
    return found


def _item_locations(instrument: Instrument) -> list[tuple[tuple, Item]]:
    """(YAML location, item) of every item."""
    found = [(("items", i), item) for i, item in enumerate(instrument.items)]
    for location, section, _ in _section_locations(instrument):
        found += [(location + ("items", i), item) for i, item in enumerate(section.items)]
    return found


def _check_instrument(project: Project, instrument: Instrument, doc: YamlDocument, instrument_id: str,
                      config: SiteConfig | None) -> list[Problem]:
    name = doc.name
    problems: list[Problem] = []
    if instrument.id != instrument_id:
        problems.append(error(name, doc.line(("id",)), f"de id '{instrument.id}' hoort gelijk te zijn aan de bestandsnaam '{instrument_id}'",
                              f"Schrijf 'id: {instrument_id}', of hernoem het bestand (en pas site_config.yaml aan)."))
    if instrument.source is not None and instrument.source.permission != "verleend":
        problems.append(error(name, doc.line(("bron", "toestemming")),
                              f"het instrument '{instrument.id}' is van {instrument.source.owner} en de toestemming is "
                              f"'{instrument.source.permission}', niet 'verleend'",
                              "Publiceer een instrument van een ander pas met schriftelijke toestemming van de eigenaar; "
                              "zet dan 'toestemming: verleend'. Tot die tijd: haal het uit 'instrumenten' in site_config.yaml."))

    # The structure of the sections: as many levels as the instrument names.
    levels = len(instrument.section_levels)
    sections = _section_locations(instrument)
    if levels == 0 and instrument.sections:
        problems.append(error(name, doc.line(("secties",)), "dit instrument heeft secties, maar 'sectieniveaus' is leeg",
                              "Noem de niveaus, bv. 'sectieniveaus: [thema]', of zet de items direct onder 'items'."))
    if levels > 0 and instrument.items:
        problems.append(error(name, doc.line(("items",)),
                              f"dit instrument heeft sectieniveaus ({', '.join(instrument.section_levels)}), dus horen de "
                              "items in de secties, niet direct onder het instrument",
                              "Zet de items onder 'items' van een sectie, of maak 'sectieniveaus' leeg."))
    if levels > 0 and not instrument.sections:
        problems.append(error(name, doc.line(("sectieniveaus",)), "dit instrument noemt sectieniveaus, maar heeft geen 'secties'",
                              "Voeg 'secties' toe, of maak 'sectieniveaus' leeg en zet de items onder 'items'."))
    if levels == 0 and not instrument.items:
        problems.append(error(name, doc.line(("id",)), "dit instrument heeft geen items",
                              "Zet de vragen onder 'items' (of onder 'secties' met 'sectieniveaus')."))
    for location, section, level in sections:
        label = instrument.section_levels[level - 1] if level <= levels else "sectie"
        if level > levels:
            problems.append(error(name, doc.line(location + ("id",)),
                                  f"de sectie '{section.id}' staat op niveau {level}, maar 'sectieniveaus' noemt er "
                                  f"{levels} ({', '.join(instrument.section_levels) or 'geen'})",
                                  "Voeg het niveau toe aan 'sectieniveaus', of haal de sectie een niveau omhoog."))
        elif level < levels and (section.items or not section.sections):
            below = instrument.section_levels[level]
            problems.append(error(name, doc.line(location + ("id",)),
                                  f"de sectie '{section.id}' ({label}) hoort 'secties' te hebben (niveau {below}), geen items",
                                  f"Zet de items in secties van niveau {below} onder 'secties' van deze sectie."))
        elif level == levels and (section.sections or not section.items):
            problems.append(error(name, doc.line(location + ("id",)),
                                  f"de sectie '{section.id}' ({label}) hoort 'items' te hebben (het laagste niveau)",
                                  "Zet de vragen onder 'items' van deze sectie."))

    # Answer forms, structure, rubric levels: they must exist in site_config.yaml.
    forms = config.forms if config is not None else {}
    if config is not None and instrument.answer_form not in forms:
        problems.append(error(name, doc.line(("antwoordvorm",)), f"onbekende antwoordvorm '{instrument.answer_form}'",
                              f"Kies uit: {', '.join(forms)} (zie 'antwoordvormen' in site_config.yaml)."))
    if config is not None and instrument.structure is not None:
        known = [s.id for s in config.structures]
        if instrument.structure not in known:
            problems.append(error(name, doc.line(("structuur",)), f"onbekende structuur '{instrument.structure}'",
                                  f"Kies uit: {', '.join(known) or 'geen (er staan geen structuren in site_config.yaml)'}, "
                                  "of haal de regel weg."))
        else:
            expected = [s.id for s in config.structure(instrument.structure).sections]
            found = [s.id for s in instrument.sections]
            for index, section_id in enumerate(found):
                if section_id not in expected:
                    problems.append(error(name, doc.line(("secties", index, "id")),
                                          f"'{section_id}' is geen {instrument.section_levels[0] if levels else 'sectie'} "
                                          f"van de structuur '{instrument.structure}'",
                                          f"Kies uit: {', '.join(expected)} (zie structuur '{instrument.structure}' in site_config.yaml)."))
            if set(found) <= set(expected) and found != expected:
                problems.append(error(name, doc.line(("secties",)),
                                      f"de bovenste secties moeten precies deze zijn, in deze volgorde: {', '.join(expected)} "
                                      f"(nu: {', '.join(found)})",
                                      f"Zet elke sectie één keer in het bestand, in de volgorde van structuur "
                                      f"'{instrument.structure}' in site_config.yaml."))
    rubric_ids = [level.id for level in instrument.rubric_levels]
    levels_and_was = [(("rubriekniveaus", i, "id"), level.id) for i, level in enumerate(instrument.rubric_levels)]
    levels_and_was += [(("rubriekniveaus", i, "was", k), old) for i, level in enumerate(instrument.rubric_levels)
                       for k, old in enumerate(level.was)]
    problems += _duplicates(doc, levels_and_was, "het niveau")
    for i, level in enumerate(instrument.rubric_levels):
        if level.id in RESERVED_ANSWER_IDS:
            problems.append(error(name, doc.line(("rubriekniveaus", i, "id")),
                                  f"het niveau '{level.id}' heeft dezelfde naam als een veld van elk item",
                                  f"Kies een andere id; {', '.join(sorted(RESERVED_ANSWER_IDS))} zijn al in gebruik."))
    # Section and item ids are anchors on the form page, next to the form's own fields.
    for location, entry in [(loc, s) for loc, s, _ in sections] + _item_locations(instrument):
        if entry.id.endswith(RESERVED_SUFFIXES) or entry.id.startswith(RESERVED_PREFIX):
            problems.append(error(name, doc.line(location + ("id",)),
                                  f"de id '{entry.id}' botst met de velden van het formulier "
                                  f"(ids mogen niet beginnen met '{RESERVED_PREFIX}' of eindigen op "
                                  f"{' of '.join(repr(s) for s in RESERVED_SUFFIXES)})",
                                  "Kies een andere id."))

    # One namespace per instrument for the anchors of its pages and the fields of its sheet.
    anchors = [(location + ("id",), section.id) for location, section, _ in sections]
    anchors += [(location + ("was", k), old) for location, section, _ in sections for k, old in enumerate(section.was)]
    for location, item in _item_locations(instrument):
        anchors.append((location + ("id",), item.id))
        anchors += [(location + ("was", k), old) for k, old in enumerate(item.was)]
        form = forms.get(item.answer_form or instrument.answer_form)
        if item.answer_form is not None and config is not None and form is None:
            problems.append(error(name, doc.line(location + ("antwoordvorm",)), f"onbekende antwoordvorm '{item.answer_form}'",
                                  f"Kies uit: {', '.join(forms)} (zie 'antwoordvormen' in site_config.yaml)."))
        if form is None:
            continue
        if form.kind == "rubriek":
            if not rubric_ids:
                problems.append(error(name, doc.line(location + ("id",)),
                                      f"het item '{item.id}' is een rubriek, maar het instrument heeft geen 'rubriekniveaus'",
                                      "Zet onder 'rubriekniveaus' de niveaus (id en label), van laag naar hoog."))
            elif list(item.levels) != rubric_ids:
                missing = [i for i in rubric_ids if i not in item.levels]
                extra = [i for i in item.levels if i not in rubric_ids]
                detail = "; ".join(filter(None, [f"ontbreekt: {', '.join(missing)}" if missing else "",
                                                 f"onbekend: {', '.join(extra)}" if extra else "",
                                                 "andere volgorde" if not missing and not extra else ""]))
                problems.append(error(name, doc.line(location + (("niveaus",) if item.levels else ("id",))),
                                      f"het item '{item.id}' moet een beschrijving hebben voor elk niveau, in de volgorde "
                                      f"{', '.join(rubric_ids)} ({detail})",
                                      "Schrijf onder 'niveaus' per niveau-id wat dat niveau bij dit item inhoudt."))
        elif item.levels:
            problems.append(error(name, doc.line(location + ("niveaus",)),
                                  f"het item '{item.id}' heeft 'niveaus', maar zijn antwoordvorm is geen rubriek",
                                  "Haal 'niveaus' weg, of kies een antwoordvorm van soort 'rubriek'."))
        height = question_height_mm(item, form, len(instrument.rubric_levels))
        if height > page_height_mm():
            problems.append(warning(name, doc.line(location + ("tekst",)),
                                    f"de vraag '{item.id}' past niet op één pagina van het reflectieblad "
                                    f"(ongeveer {height:.0f} mm, "
                                    f"een pagina heeft {page_height_mm():.0f} mm)",
                                    "Maak de vraag (of de beschrijvingen van de niveaus) korter; op het blad wordt "
                                    "hij anders over twee pagina's verdeeld."))
        if form.kind == "keuze" and not item.text.endswith("?"):
            problems.append(warning(name, doc.line(location + ("tekst",)),
                                    f"de vraag '{item.text}' eindigt niet op een vraagteken",
                                    "Controleer of de vraag volledig is; voeg een '?' toe als hij dat mist."))
    problems += _duplicates(doc, anchors, "de id")
    current = {value for _, value in anchors} | {value for _, value in levels_and_was}
    for i, retired in enumerate(instrument.retired):
        if retired.id in current:
            problems.append(error(name, doc.line(("vervallen", i, "id")),
                                  f"de id '{retired.id}' staat onder 'vervallen', maar wordt nog gebruikt",
                                  "Haal hem weg onder 'vervallen', of geef het item of de sectie een andere id."))
    problems += _duplicates(doc, [(("impactthemas", i, "id"), t.id) for i, t in enumerate(instrument.impact_themes)], "de id")
    problems += _duplicates(doc, [(("aanbevelingen", i, "id"), r.id) for i, r in enumerate(instrument.recommendations)], "de id")
    problems += _duplicates(doc, [(("paginas", i), p) for i, p in enumerate(instrument.pages)], "de pagina")
    for index, page in enumerate(instrument.pages):
        if page == REFLECTION_PAGE:
            continue  # the generated reflection page: its place in the chapter
        if page == FORM_PAGE:
            problems.append(error(name, doc.line(("paginas", index)), f"'{page}' maakt de bouw zelf",
                                  "Haal deze regel weg; het formulier om de vragen online in te vullen komt "
                                  "vanzelf direct na de reflectievragen."))
        elif not (project.content / instrument.id / page).is_file():
            problems.append(error(name, doc.line(("paginas", index)),
                                  f"de pagina content/{instrument.id}/{page} bestaat niet",
                                  "Maak het bestand aan of corrigeer de naam."))
    return problems


def _check_glossary(glossary: Glossary, doc: YamlDocument) -> list[Problem]:
    """Every explanation says where it comes from: the publication (with the place it is
    defined) or the editors; an expansion says the same."""
    problems = []
    for i, term in enumerate(glossary.terms):
        where = ("begrippen", i)
        if term.source == "publicatie" and term.place is None:
            problems.append(error(doc.name, doc.line(where + ("bron",)),
                                  f"bij het begrip '{term.term}' staat 'bron: publicatie', maar geen 'plek'",
                                  "Voeg 'plek: …' toe met de pagina waar de publicatie het begrip uitlegt, "
                                  "bv. 'plek: go/index.md#cmk3-in-het-gespecialiseerd-onderwijs'; "
                                  "of zet 'bron: redactie' als de uitleg van de redactie is."))
        if term.source == "redactie" and term.place is not None:
            problems.append(error(doc.name, doc.line(where + ("plek",)),
                                  f"bij het begrip '{term.term}' staat een 'plek', maar de uitleg is van de redactie",
                                  "Een plek hoort alleen bij 'bron: publicatie' (een letterlijk citaat). "
                                  "Haal de regel 'plek' weg, of citeer de publicatie en zet 'bron: publicatie'."))
        if term.expansion is not None and term.expansion_source is None:
            problems.append(error(doc.name, doc.line(where + ("voluit",)),
                                  f"bij het begrip '{term.term}' staat 'voluit', maar niet waar het vandaan komt",
                                  "Voeg 'voluit_bron: publicatie' toe als het zo in de publicatie staat, anders "
                                  "'voluit_bron: redactie' (de uitleg bij de afkorting zegt dan dat het van de redactie is)."))
        if term.expansion is None and term.expansion_source is not None:
            problems.append(error(doc.name, doc.line(where + ("voluit_bron",)),
                                  f"bij het begrip '{term.term}' staat 'voluit_bron', maar geen 'voluit'",
                                  "Voeg 'voluit: …' toe, of haal de regel 'voluit_bron' weg."))
    return problems


def _yaml_ids(instrument: Instrument, doc: YamlDocument) -> dict[str, tuple[str, int]]:
    """Where each id of the reflection page stands in the YAML file."""
    ids = {section.id: (doc.name, doc.line(location + ("id",))) for location, section, _ in _section_locations(instrument)}
    ids.update({item.id: (doc.name, doc.line(location + ("id",))) for location, item in _item_locations(instrument)})
    return ids


def _duplicate_ids_around_syntax_errors(doc: YamlDocument) -> list[Problem]:
    """An instrument file with syntax errors has no model, but its duplicate ids are still
    reported in the same run: every 'id' below 'secties' and 'items' (one namespace, the
    anchors of its pages), read from what could be read around the errors."""
    found: list[tuple[tuple, str]] = []

    def walk(value, location: tuple) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("id"), str):
                found.append((location + ("id",), value["id"]))
            for key, child in value.items():
                walk(child, location + (key,))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, location + (index,))

    if isinstance(doc.data, dict):
        for key in ("secties", "items"):
            walk(doc.data.get(key), (key,))
    return _duplicates(doc, found, "de id")


def _duplicates(doc: YamlDocument, values: list[tuple[tuple, str]], what: str) -> list[Problem]:
    counts = Counter(value for _, value in values)
    first_line: dict[str, int] = {}
    problems = []
    for location, value in values:
        if counts[value] < 2:
            continue
        line = doc.line(location)
        if value not in first_line:
            first_line[value] = line
            continue
        problems.append(error(doc.name, line, f"{what} '{value}' komt twee keer voor (eerder op regel {first_line[value]})",
                              "Elke id moet uniek zijn; kies een andere, beschrijvende id."))
    return problems


def _check_site_pages(project: Project, publication: Publication, pages: dict[str, content.Page],
                      config_doc: YamlDocument) -> list[Problem]:
    ids = [s.id for s in publication.instruments]
    generated = set(generated_pages(publication))
    order = navigation(publication.config, publication.instruments)
    problems = content.check_pages(pages, set(ids), generated, order)
    for path in sorted(generated & set(pages)):
        problems.append(error(f"content/{path}", None, "deze pagina maakt de bouw zelf uit de gegevens",
                              "Hernoem of verwijder dit bestand; de inhoud komt uit indicators/ of content/begrippen.yaml."))
    sections = [("voor", publication.config.navigation.before), ("na", publication.config.navigation.after)]
    for key, nav_sections in sections:
        for i, section in enumerate(nav_sections):
            for j, page in enumerate(section.pages):
                # A page that exists but was refused (too large, not UTF-8 …) has its own message.
                if page not in pages and page not in generated and not (project.content / page).is_file():
                    problems.append(error("site_config.yaml", config_doc.line(("navigatie", key, i, "paginas", j)),
                                          f"de pagina '{page}' in het menu bestaat niet",
                                          f"Maak content/{page} aan of corrigeer de naam."))
    counts = Counter(order)
    for page, count in counts.items():
        if count > 1:
            problems.append(error("site_config.yaml", None, f"de pagina '{page}' staat {count} keer in het menu",
                                  "Laat elke pagina één keer in het menu staan."))
    return problems
