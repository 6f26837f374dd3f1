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

from . import content
from .load import validate_document
from .model import Glossary, Publication, SchoolType, SiteConfig
from .problems import InputError, Problem, error, sort_key, warning
from .project import Project
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

    anchors: dict[str, dict[str, tuple[str, int]]] = {}  # page → id → (YAML file, line)
    school_types, found = _load_school_types(project, config, config_doc, anchors)
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
    if config is not None and glossary is not None and all(s is not None for s in school_types):
        publication = Publication(config=config, school_types=school_types, glossary=glossary)
        problems += _check_site_pages(project, publication, pages, config_doc)
    # The pages as the site engine will render them: HTML, links, anchors, ids. This needs
    # a consistent model; with errors in the YAML files only the content pages' HTML is checked.
    try:
        if publication is not None and not any(p.is_error and not p.file.endswith(".md") for p in problems):
            problems += check_site(project, publication, pages, assets, anchors, glossary_doc)
        else:
            type_ids = (list(config.school_types) if config is not None
                        else sorted(path.stem for path in project.indicators.glob("*.yaml")))
            problems += check_html_only(project, pages, assets, type_ids)
    except InputError as exc:  # a broken template in templates/pages/
        problems += exc.problems

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
    problems = _duplicates(doc, [(("schooltypen", i), t) for i, t in enumerate(config.school_types)], "het schooltype")
    problems += _duplicates(doc, [(("perspectieven", i, "id"), p.id) for i, p in enumerate(config.perspectives)],
                            "het perspectief")
    ids = [(("antwoordschaal", i), a[0]) for i, a in enumerate(config.answer_options())]
    problems += _duplicates(doc, ids, "het antwoord (na weglaten van leestekens)")
    return problems


def _load_school_types(project: Project, config: SiteConfig | None, config_doc: YamlDocument | None,
                       anchors: dict) -> tuple[list[SchoolType | None], list[Problem]]:
    listing = list_files(project.root, project.indicators, project.name)
    problems: list[Problem] = list(listing.problems)
    files: dict[str, Path] = {}
    for path in listing.files:
        if path.parent != project.indicators:
            problems.append(error(project.name(path), None, "indicators/ mag geen submappen hebben",
                                  "Zet elk schooltype als <id>.yaml direct in indicators/."))
        elif path.suffix != ".yaml":
            hint = (f"Hernoem het bestand naar '{path.stem}.yaml'." if not (project.indicators / f"{path.stem}.yaml").exists()
                    else f"Er is al een bestand {path.stem}.yaml; verwijder dit bestand of zet het buiten indicators/.")
            problems.append(error(project.name(path), None, "bestanden in indicators/ moeten eindigen op .yaml", hint))
        else:
            files[path.stem] = path
    listed = config.school_types if config is not None else sorted(files)
    for stem, path in files.items():
        if config is not None and stem not in config.school_types:
            problems.append(error(project.name(path), 1, f"het schooltype '{stem}' staat niet in site_config.yaml",
                                  f"Voeg '- {stem}' toe onder 'schooltypen' in site_config.yaml, of verwijder dit bestand."))
    school_types: list[SchoolType | None] = []
    for index, type_id in enumerate(listed):
        path = files.get(type_id)
        if (project.indicators / f"{type_id}.yaml").is_dir():
            problems.append(error(f"indicators/{type_id}.yaml", None, "dit is een map, geen bestand",
                                  f"Zet de reflectievragen van '{type_id}' in een bestand indicators/{type_id}.yaml."))
            school_types.append(None)
            continue
        if path is None:
            line = config_doc.line(("schooltypen", index)) if config_doc else None
            known = ", ".join(sorted(files)) or "geen"
            problems.append(error("site_config.yaml", line,
                                  f"onbekend schooltype '{type_id}': er is geen bestand indicators/{type_id}.yaml",
                                  f"Maak het bestand aan, of corrigeer de naam (bestaande bestanden: {known})."))
            school_types.append(None)
            continue
        document, school_type, found = _read_model(project, path, SchoolType)
        problems += found
        if document is not None and document.recovered:
            problems += _duplicate_ids_around_syntax_errors(document)
        if school_type is not None:
            problems += _check_school_type(project, school_type, document, type_id, config)
            anchors[reflection_page(type_id)] = anchors[form_page(type_id)] = _yaml_ids(school_type, document)
        school_types.append(school_type)
    return school_types, problems


def _check_school_type(project: Project, school_type: SchoolType, doc: YamlDocument, type_id: str,
                       config: SiteConfig | None) -> list[Problem]:
    name = doc.name
    problems: list[Problem] = []
    if school_type.id != type_id:
        problems.append(error(name, doc.line(("id",)), f"de id '{school_type.id}' hoort gelijk te zijn aan de bestandsnaam '{type_id}'",
                              f"Schrijf 'id: {type_id}', of hernoem het bestand (en pas site_config.yaml aan)."))
    if config is not None:
        expected = [p.id for p in config.perspectives]
        found = [p.id for p in school_type.perspectives]
        for index, perspective_id in enumerate(found):
            if perspective_id not in expected:
                problems.append(error(name, doc.line(("perspectieven", index, "id")),
                                      f"onbekend perspectief '{perspective_id}'",
                                      f"Kies uit: {', '.join(expected)} (zie 'perspectieven' in site_config.yaml)."))
        if set(found) <= set(expected) and found != expected:
            problems.append(error(name, doc.line(("perspectieven",)),
                                  f"de perspectieven moeten precies deze zijn, in deze volgorde: {', '.join(expected)} "
                                  f"(nu: {', '.join(found)})",
                                  "Zet elk perspectief één keer in het bestand, in de volgorde van site_config.yaml."))

    # One namespace per school type for the anchors of the reflection page.
    anchors = [(("perspectieven", i, "id"), p.id) for i, p in enumerate(school_type.perspectives)]
    for i, perspective in enumerate(school_type.perspectives):
        for j, theme in enumerate(perspective.themes):
            anchors.append((("perspectieven", i, "themas", j, "id"), theme.id))
            for k, question in enumerate(theme.questions):
                location = ("perspectieven", i, "themas", j, "vragen", k)
                anchors.append((location + ("id",), question.id))
                if question.id.endswith("-toelichting"):
                    problems.append(error(name, doc.line(location + ("id",)),
                                          f"de id '{question.id}' eindigt op '-toelichting', de naam van het notitieveld van een vraag",
                                          "Kies een id die niet op '-toelichting' eindigt."))
                if not question.text.endswith("?"):
                    problems.append(warning(name, doc.line(location + ("vraag",)),
                                            f"de vraag '{question.text}' eindigt niet op een vraagteken",
                                            "Controleer of de vraag volledig is; voeg een '?' toe als hij dat mist."))
    problems += _duplicates(doc, anchors, "de id")
    problems += _duplicates(doc, [(("impactthemas", i, "id"), t.id) for i, t in enumerate(school_type.impact_themes)], "de id")
    problems += _duplicates(doc, [(("aanbevelingen", i, "id"), r.id) for i, r in enumerate(school_type.recommendations)], "de id")
    problems += _duplicates(doc, [(("paginas", i), p) for i, p in enumerate(school_type.pages)], "de pagina")
    for index, page in enumerate(school_type.pages):
        if page == REFLECTION_PAGE:
            continue  # the generated reflection page: its place in the chapter
        if page == FORM_PAGE:
            problems.append(error(name, doc.line(("paginas", index)), f"'{page}' maakt de bouw zelf",
                                  "Haal deze regel weg; het formulier om de vragen online in te vullen komt "
                                  "vanzelf direct na de reflectievragen."))
        elif not (project.content / school_type.id / page).is_file():
            problems.append(error(name, doc.line(("paginas", index)),
                                  f"de pagina content/{school_type.id}/{page} bestaat niet",
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


def _yaml_ids(school_type: SchoolType, doc: YamlDocument) -> dict[str, tuple[str, int]]:
    """Where each id of the reflection page stands in the YAML file."""
    ids = {}
    for i, perspective in enumerate(school_type.perspectives):
        ids[perspective.id] = (doc.name, doc.line(("perspectieven", i, "id")))
        for j, theme in enumerate(perspective.themes):
            ids[theme.id] = (doc.name, doc.line(("perspectieven", i, "themas", j, "id")))
            for k, question in enumerate(theme.questions):
                ids[question.id] = (doc.name, doc.line(("perspectieven", i, "themas", j, "vragen", k, "id")))
    return ids


def _duplicate_ids_around_syntax_errors(doc: YamlDocument) -> list[Problem]:
    """A school type file with syntax errors has no model, but its duplicate ids are still
    reported in the same run: every 'id' below 'perspectieven' (one namespace, the anchors
    of the reflection page), read from what could be read around the errors."""
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
        walk(doc.data.get("perspectieven"), ("perspectieven",))
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
    ids = [s.id for s in publication.school_types]
    generated = set(generated_pages(ids))
    order = navigation(publication.config, publication.school_types)
    problems = content.check_pages(pages, set(ids), generated, order)
    for path in sorted(generated & set(pages)):
        problems.append(error(f"content/{path}", None, "deze pagina maakt de bouw zelf uit de gegevens",
                              "Hernoem of verwijder dit bestand; de inhoud komt uit indicators/ of content/begrippen.yaml."))
    sections = [("voor", publication.config.navigation.before), ("na", publication.config.navigation.after)]
    for key, nav_sections in sections:
        for i, section in enumerate(nav_sections):
            for j, page in enumerate(section.pages):
                if page not in pages and page not in generated:
                    problems.append(error("site_config.yaml", config_doc.line(("navigatie", key, i, "paginas", j)),
                                          f"de pagina '{page}' in het menu bestaat niet",
                                          f"Maak content/{page} aan of corrigeer de naam."))
    counts = Counter(order)
    for page, count in counts.items():
        if count > 1:
            problems.append(error("site_config.yaml", None, f"de pagina '{page}' staat {count} keer in het menu",
                                  "Laat elke pagina één keer in het menu staan."))
    return problems
