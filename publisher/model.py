"""The in-memory model of the publication's data: site configuration, school types
with their reflection questions, and the glossary.

Field names are English identifiers; the YAML keys editors write are the Dutch
aliases. Descriptions are Dutch because they end up in the JSON Schema that an
editor's YAML editor shows on hover.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from .escaping import PLACE_PATTERN, TERM_PATTERN


class DutchValueError(ValueError):
    """A validation error with the Dutch message and hint an editor sees (see load.py)."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def _edition_year(value: str) -> str:
    year = int(value[:4])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DutchValueError(f"het jaartal {year} van de editie ligt niet tussen {FIRST_YEAR} en {LAST_YEAR}",
                              "Begin de editie met het jaar van uitgave, bv. '2025' of '2025-2'.")
    return value


RESERVED_ANSWER_IDS = {"toelichting", "antwoord"}  # the notes and answer fields of an item (sheet, form)


SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
PAGE_PATTERN = r"^[a-z0-9][a-z0-9/_-]*\.md$"
# A web address that needs no escaping anywhere: scheme, lower-case host, optional port,
# path segments of unreserved characters and percent escapes; no query or fragment.
URL_PATTERN = r"^https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?(/[A-Za-z0-9._~%-]+)*/$"
EDITION_PATTERN = r"^\d{4}([ ./-][0-9A-Za-z.-]+)*$"
# A contact route: a web address as above (without the trailing-slash rule) or an e-mail address.
CONTACT_PATTERN = (r"^(https?://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(/[A-Za-z0-9._~%-]+)*/?"
                   r"|[A-Za-z0-9._+-]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)$")
FIRST_YEAR, LAST_YEAR = 2000, 2099

Slug = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=SLUG_PATTERN, min_length=1, max_length=60),
    Field(description="Vaste id (slug): kleine letters, cijfers en koppeltekens, bv. 'identiteit-culturele-beleving'. "
          "Wordt gebruikt in webadressen en ankers; verander een id niet als je een titel aanpast."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PagePath = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=PAGE_PATTERN, max_length=200),
    Field(description="Pad van een Markdown-pagina, bv. 'onderzoek/index.md'."),
]


class _Strict(BaseModel):
    """Unknown keys are errors (a typo must never be silently ignored)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)


# --------------------------------------------------------------------------- answer forms and structures


class AnswerOption(_Strict):
    id: Slug = Field(description="Vaste id van het antwoord, bv. 'nvt'. Staat in PDF-velden en opgeslagen antwoorden: "
                                 "verander hem niet; het label mag wel veranderen.")
    label: ShortText = Field(description="Wat lezers zien, bv. 'n.v.t.'.")
    was: list[Slug] = Field(default_factory=list, description="Eerdere ids van dit antwoord (na een hernoeming).")


AnswerKind = Literal["keuze", "open", "geen", "rubriek"]


class AnswerForm(_Strict):
    """A named way of answering an item, defined once in site_config.yaml."""

    id: Slug = Field(description="Naam van de antwoordvorm, bv. 'schaal'; instrumenten en items verwijzen ernaar.")
    kind: AnswerKind = Field(
        alias="soort",
        description="keuze: een van de opties; open: een geschreven antwoord; geen: alleen tekst, niets in te vullen; "
                    "rubriek: een van de niveaus van het instrument.")
    notes: bool = Field(default=False, alias="toelichting", description="Een toelichtingsveld bij elk antwoord (true/false).")
    options: list[AnswerOption] = Field(default_factory=list, alias="opties",
                                        description="Bij 'keuze': de antwoordmogelijkheden, in deze volgorde.")

    @property
    def fillable(self) -> bool:
        """Whether a team writes or chooses anything for an item of this form."""
        return self.kind != "geen"


class StructureSection(_Strict):
    id: Slug
    label: ShortText = Field(alias="vraagwoord", description="Bv. 'WAT', 'HOE', 'WANNEER & WAAR'.")


class Comparison(_Strict):
    """A page that sets the instruments of one structure side by side, per top-level section."""

    page: PagePath = Field(alias="pagina", description="Bestandsnaam van de pagina, bv. 'vergelijking.md'; zet hem ook in het menu.")
    title: ShortText = Field(alias="titel", description="Titel van de pagina, bv. 'Thema's per schooltype vergeleken'.")
    intro: Text = Field(alias="inleiding", description="De tekst boven de vergelijking (gewone tekst).")


class Structure(_Strict):
    """Rules only some instruments have: fixed top-level sections, in this order (e.g. the impact triangle)."""

    id: Slug = Field(description="Naam van de structuur, bv. 'impactdriehoek'.")
    title: ShortText = Field(alias="titel")
    sections: list[StructureSection] = Field(alias="secties", min_length=1,
                                             description="De vaste bovenste secties van elk instrument met deze structuur.")
    comparison: Comparison | None = Field(
        default=None, alias="vergelijking",
        description="Een pagina die de instrumenten met deze structuur naast elkaar zet (optioneel).")

    def label(self, section_id: str) -> str:
        return next(s.label for s in self.sections if s.id == section_id)


# --------------------------------------------------------------------------- instruments


class Item(_Strict):
    id: Slug
    text: Text = Field(alias="tekst", description="De tekst van het item (de vraag), letterlijk zoals in de bron.")
    was: list[Slug] = Field(default_factory=list, description="Eerdere ids van dit item: opgeslagen antwoorden met die id "
                                                                "komen bij dit item terecht.")
    answer_form: Slug | None = Field(default=None, alias="antwoordvorm",
                                     description="Een andere antwoordvorm dan die van het instrument (optioneel).")
    levels: dict[Slug, Text] = Field(default_factory=dict, alias="niveaus",
                                     description="Bij een rubriek: per niveau (id uit 'rubriekniveaus') de beschrijving.")


class Section(_Strict):
    id: Slug
    title: ShortText = Field(alias="titel")
    was: list[Slug] = Field(default_factory=list, description="Eerdere ids van deze sectie.")
    sections: list["Section"] = Field(default_factory=list, alias="secties", description="Subsecties (het tweede niveau).")
    items: list[Item] = Field(default_factory=list, description="De items (vragen) van deze sectie.")

    def all_items(self) -> list[Item]:
        return [item for section in self.sections for item in section.all_items()] + list(self.items)


class RubricLevel(_Strict):
    id: Slug
    label: ShortText = Field(description="Naam van het niveau, bv. 'Verkennen'.")
    was: list[Slug] = Field(default_factory=list)


Permission = Literal["verleend", "aangevraagd", "geweigerd"]


class InstrumentSource(_Strict):
    """Where an instrument comes from when it is someone else's."""

    title: ShortText = Field(alias="titel", description="Titel van het oorspronkelijke instrument.")
    owner: ShortText = Field(alias="eigenaar", description="Van wie het instrument is.")
    licence: ShortText | None = Field(default=None, alias="licentie", description="Licentie of voorwaarden (optioneel).")
    url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=CONTACT_PATTERN, max_length=200)] | None = Field(
        default=None, alias="webadres")
    permission: Permission = Field(alias="toestemming",
                                   description="verleend, aangevraagd of geweigerd; alleen 'verleend' wordt gepubliceerd.")

    @property
    def credit(self) -> str:
        """'Naar: Ruimte, Hanzehogeschool Groningen (CC BY 4.0)'."""
        text = f"Naar: {self.title}, {self.owner}"
        return f"{text} ({self.licence})" if self.licence else text


class Retired(_Strict):
    id: Slug = Field(description="Een gepubliceerde id die bewust niet meer gebruikt wordt.")
    reason: Text = Field(alias="reden", description="Waarom (voor de redactie en de vergelijking).")


class ImpactTheme(_Strict):
    id: Slug
    title: ShortText = Field(alias="titel")
    text: Text = Field(alias="tekst")


class Quote(_Strict):
    text: Text = Field(alias="tekst", description="Het citaat letterlijk zoals in de publicatie, met de aanhalingstekens.")
    attribution: ShortText | None = Field(default=None, alias="bron",
                                          description="Wie het zei, zoals onder het citaat in de publicatie (optioneel).")


class Recommendation(_Strict):
    id: Slug
    title: ShortText = Field(alias="titel")
    text: Text = Field(alias="tekst")


class NumberedItem(NamedTuple):
    number: int
    sections: tuple[Section, ...]  # from the top level down; empty for an instrument without sections
    item: Item
    form: "AnswerForm"


class Instrument(_Strict):
    id: Slug = Field(description="Gelijk aan de bestandsnaam zonder .yaml, bv. 'bo'.")
    name: ShortText = Field(alias="naam", description="Bv. 'Basisonderwijs'.")
    abbreviation: ShortText | None = Field(default=None, alias="afkorting", description="Bv. 'bo' (optioneel).")
    chapter_title: ShortText | None = Field(
        default=None, alias="titel",
        description="Titel van het hoofdstuk zoals in de publicatie, zonder nummer, bv. 'Voortgezet onderwijs (vo) en mbo'. "
                    "Zonder titel: naam met de afkorting tussen haakjes, bv. 'Basisonderwijs (bo)'.",
    )
    pages: list[PagePath] = Field(
        default_factory=list, alias="paginas",
        description="De pagina's van dit hoofdstuk in content/<id>/, in de volgorde van de publicatie. "
                    "De pagina met de vragen maakt de bouw zelf: zet 'reflectievragen.md' in de lijst "
                    "op de plek waar hij hoort; zonder die regel komt hij achteraan.",
    )
    intro: Text = Field(alias="inleiding", description="De tekst boven de vragen: gewone tekst (geen Markdown of HTML); "
                                                  "een lege regel begint een nieuwe alinea.")
    structure: Slug | None = Field(default=None, alias="structuur",
                                   description="Een structuur uit site_config.yaml, bv. 'impactdriehoek' (optioneel).")
    section_levels: list[ShortText] = Field(
        default_factory=list, alias="sectieniveaus", max_length=2,
        description="Namen van de sectieniveaus, bv. [perspectief, thema]; leeg als het instrument geen secties heeft.")
    answer_form: Slug = Field(alias="antwoordvorm", description="De antwoordvorm van de items, uit site_config.yaml.")
    rubric_levels: list[RubricLevel] = Field(default_factory=list, alias="rubriekniveaus",
                                             description="Bij een rubriek: de niveaus, van laag naar hoog.")
    source: InstrumentSource | None = Field(default=None, alias="bron",
                                            description="Als het instrument van een ander is: titel, eigenaar, toestemming.")
    retired: list[Retired] = Field(default_factory=list, alias="vervallen",
                                   description="Gepubliceerde ids die bewust vervallen zijn.")
    sections: list[Section] = Field(default_factory=list, alias="secties")
    items: list[Item] = Field(default_factory=list, description="Items zonder secties (alleen bij 'sectieniveaus: []').")
    impact_themes: list[ImpactTheme] = Field(default_factory=list, alias="impactthemas")
    recommendations: list[Recommendation] = Field(default_factory=list, alias="aanbevelingen")
    quotes: list[Quote] = Field(
        default_factory=list, alias="citaten",
        description="Citaten die in de publicatie bij de vragen staan; ze komen onder de vragen (optioneel).",
    )

    @property
    def title(self) -> str:
        """The chapter title without its number: 'Basisonderwijs (bo)', 'Voortgezet onderwijs (vo) en mbo'."""
        if self.chapter_title:
            return self.chapter_title
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    @property
    def short_name(self) -> str:
        """'bo': how buttons and lists name the instrument (its abbreviation, else its name)."""
        return self.abbreviation or self.name

    @property
    def reflection_title(self) -> str:
        """'Reflectievragen bo': the title of the reflection page, as in the publication."""
        return f"Reflectievragen {self.abbreviation}" if self.abbreviation else self.name

    @property
    def sheet_title(self) -> str:
        """'Reflectievragen basisonderwijs (bo)'."""
        if not self.abbreviation:
            return self.name
        return f"Reflectievragen {self.name[:1].lower()}{self.name[1:]} ({self.abbreviation})"

    def item_paths(self) -> list[tuple[tuple[Section, ...], Item]]:
        """Every item with the sections above it, in reading order."""
        def walk(sections: list[Section], above: tuple[Section, ...]):
            for section in sections:
                yield from walk(section.sections, above + (section,))
                for item in section.items:
                    yield above + (section,), item
        return [((), item) for item in self.items] + list(walk(self.sections, ()))

    def numbered_items(self, forms: dict[str, AnswerForm]) -> list[NumberedItem]:
        """Every item with its number and answer form. This is the one numbering of an
        instrument: 1 to N straight through all sections, the same on the website, both PDF
        sheets, the online form and the exports (field names use the ids)."""
        return [NumberedItem(number, path, item, forms[item.answer_form or self.answer_form])
                for number, (path, item) in enumerate(self.item_paths(), start=1)]

    def all_sections(self) -> list[Section]:
        def walk(sections: list[Section]):
            for section in sections:
                yield section
                yield from walk(section.sections)
        return list(walk(self.sections))


# --------------------------------------------------------------------------- site config


class NavSection(_Strict):
    title: ShortText | None = Field(
        default=None, alias="titel",
        description="Kop van de sectie in het menu; zonder titel staan de pagina's los in het menu.",
    )
    pages: list[PagePath] = Field(alias="paginas", min_length=1)


class Navigation(_Strict):
    before: list[NavSection] = Field(alias="voor", description="Menu-onderdelen vóór de hoofdstukken per instrument.")
    after: list[NavSection] = Field(alias="na", description="Menu-onderdelen ná de hoofdstukken per instrument.")


class Accessibility(_Strict):
    contact: Annotated[str, StringConstraints(strip_whitespace=True, pattern=CONTACT_PATTERN, max_length=200)] = Field(
        description="Waar lezers een toegankelijkheidsprobleem melden: een e-mailadres of een webadres.")
    known_limits: list[Text] = Field(
        alias="bekende_beperkingen", default_factory=list,
        description="Wat (nog) niet toegankelijk is, in gewone zinnen; staat op de pagina Toegankelijkheid.")

    @property
    def contact_is_email(self) -> bool:
        return "@" in self.contact and not self.contact.startswith("http")


COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
LOGO_PATTERN = r"^content/[a-z0-9][a-z0-9/_-]*\.(png|jpg|jpeg)$"
Colour = Annotated[str, StringConstraints(strip_whitespace=True, pattern=COLOUR_PATTERN),
                   Field(description="Een kleur als '#' met zes hexadecimale cijfers, bv. '#2f5d3a'.")]


class HouseStyle(_Strict):
    """The site's colours and logo (optional; without it the site keeps the tool's own)."""

    colour: Colour = Field(alias="kleur", description="Hoofdkleur van de site: de balk bovenaan, koppen en links. "
                                                      "Moet op wit een contrast van minstens 4,5 : 1 hebben.")
    accent: Colour | None = Field(default=None, alias="accentkleur",
                                  description="Kleur van links onder de muis en van de focusrand (optioneel; "
                                              "ook minstens 4,5 : 1 op wit).")
    logo: Annotated[str, StringConstraints(strip_whitespace=True, pattern=LOGO_PATTERN, max_length=200)] | None = Field(
        default=None, description="Logo linksboven: een PNG- of JPG-bestand in content/, bv. "
                                  "'content/afbeeldingen/logo.png' (optioneel). Het staat op de hoofdkleur.")

    @property
    def logo_page_path(self) -> str | None:
        """The logo as the site sees it (relative to content/): 'afbeeldingen/logo.png'."""
        return self.logo.removeprefix("content/") if self.logo else None


class InstrumentNoun(_Strict):
    singular: ShortText = Field(alias="enkelvoud", description="Bv. 'schooltype'.")
    plural: ShortText = Field(alias="meervoud", description="Bv. 'schooltypen'.")


class SiteConfig(_Strict):
    title: ShortText = Field(alias="titel")
    organisation: ShortText = Field(alias="organisatie")
    edition: Annotated[str, StringConstraints(strip_whitespace=True, pattern=EDITION_PATTERN, max_length=40),
                       AfterValidator(_edition_year)] = Field(
        alias="editie", description="Editie; begint met een jaartal, bv. '2025'."
    )
    base_url: Annotated[str, StringConstraints(strip_whitespace=True, pattern=URL_PATTERN, max_length=200)] = Field(
        alias="basis_url", description="Webadres van de gepubliceerde site, eindigt op '/'."
    )
    instruments: list[Slug] = Field(
        alias="instrumenten", min_length=1,
        description="Volgorde van de instrumenten; elk heeft een bestand indicators/<id>.yaml.",
    )
    instrument_noun: InstrumentNoun = Field(
        default=InstrumentNoun(enkelvoud="instrument", meervoud="instrumenten"), alias="instrumentnaam",
        description="Hoe de site een instrument noemt (downloads, zoeken), bv. schooltype/schooltypen. "
                    "Standaard: instrument/instrumenten.")
    answer_forms: list[AnswerForm] = Field(
        alias="antwoordvormen", min_length=1,
        description="De manieren van antwoorden (keuze, open, geen, rubriek), elk met een naam.")
    structures: list[Structure] = Field(
        default_factory=list, alias="structuren",
        description="Structuren met vaste bovenste secties, bv. de impactdriehoek (optioneel).")
    navigation: Navigation = Field(alias="navigatie")
    accessibility: Accessibility = Field(alias="toegankelijkheid",
                                         description="Voor de toegankelijkheidsverklaring (pagina Toegankelijkheid).")
    house_style: HouseStyle | None = Field(default=None, alias="huisstijl",
                                           description="Kleuren en logo van de site (optioneel).")

    @property
    def year(self) -> int:
        return int(self.edition[:4])

    def answer_form(self, form_id: str) -> AnswerForm:
        return next(f for f in self.answer_forms if f.id == form_id)

    @property
    def forms(self) -> dict[str, AnswerForm]:
        return {f.id: f for f in self.answer_forms}

    def structure(self, structure_id: str) -> Structure:
        return next(s for s in self.structures if s.id == structure_id)


# --------------------------------------------------------------------------- glossary


def _term_has_a_letter(value: str) -> str:
    if not re.search(r"\w", value):
        raise DutchValueError(f"het begrip '{value}' bevat geen letter of cijfer",
                              "Schrijf het begrip zoals het in de tekst staat, bv. 'ICC’er' of '(v)so'.")
    return value


Source = Literal["publicatie", "redactie"]


class Term(_Strict):
    term: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=TERM_PATTERN),
                    AfterValidator(_term_has_a_letter)] = Field(
        description="Het begrip of de afkorting zoals het in de tekst staat (hoofdlettergevoelig).")
    expansion: ShortText | None = Field(default=None, alias="voluit", description="Voluit geschreven (bij een afkorting).")
    expansion_source: Source | None = Field(
        default=None, alias="voluit_bron",
        description="Waar 'voluit' vandaan komt: 'publicatie' (staat zo in de publicatie) of 'redactie' "
                    "(door de redactie toegevoegd; de uitleg bij de afkorting zegt dat dan). Verplicht bij 'voluit'.")
    explanation: Text = Field(alias="uitleg", description="Bij 'bron: publicatie' letterlijk de tekst van de publicatie.")
    source: Source = Field(
        alias="bron",
        description="Waar de uitleg vandaan komt: 'publicatie' (letterlijk geciteerd, met 'plek') of 'redactie' "
                    "(toelichting van de redactie; zo gemarkeerd op de site).")
    place: Annotated[str, StringConstraints(strip_whitespace=True, pattern=PLACE_PATTERN, max_length=200)] | None = Field(
        default=None, alias="plek",
        description="Bij 'bron: publicatie': de pagina (en eventueel het onderdeel) waar de publicatie het begrip "
                    "uitlegt, bv. 'go/index.md#cmk3-in-het-gespecialiseerd-onderwijs'.")


class Glossary(_Strict):
    terms: list[Term] = Field(alias="begrippen", min_length=1)


# --------------------------------------------------------------------------- the whole


class Publication(BaseModel):
    """Everything the outputs are made from, validated."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: SiteConfig
    instruments: list[Instrument]
    glossary: Glossary

    def instrument(self, instrument_id: str) -> Instrument:
        return next(s for s in self.instruments if s.id == instrument_id)

    def numbered_items(self, instrument: Instrument) -> list[NumberedItem]:
        return instrument.numbered_items(self.config.forms)

    def section_title(self, instrument: Instrument, section: Section) -> str:
        """'WAT – Veranderingen & effecten': a top-level section of an instrument with a structure
        carries the structure's label; every other section its own title."""
        if instrument.structure is not None and any(s is section for s in instrument.sections):
            return f"{self.config.structure(instrument.structure).label(section.id)} – {section.title}"
        return section.title

    def section_heading(self, instrument: Instrument, section: Section, number: int | None) -> str:
        """The one heading of a section on every output: '1. WAT – Veranderingen & effecten',
        '1. Doelen' (a numbered top-level section), 'Identiteit' (a subsection: `number` None)."""
        if number is None:
            return section.title
        return f"{number}. {self.section_title(instrument, section)}"

    def structured(self, structure_id: str) -> list[Instrument]:
        """The instruments that declare this structure, in publication order."""
        return [i for i in self.instruments if i.structure == structure_id]

    def comparisons(self) -> list[tuple[Structure, list[Instrument]]]:
        """The comparison pages to make: a structure with a `vergelijking` and at least two instruments."""
        found = [(s, self.structured(s.id)) for s in self.config.structures if s.comparison is not None]
        return [(structure, instruments) for structure, instruments in found if len(instruments) >= 2]
