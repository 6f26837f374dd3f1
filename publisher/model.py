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


RESERVED_ANSWER_IDS = {"toelichting"}  # the notes field of a question on the fillable sheet


def _answer_labels(labels: list[str]) -> list[str]:
    for label in labels:
        if answer_id(label) in RESERVED_ANSWER_IDS:
            raise DutchValueError(f"het antwoord '{label}' heeft dezelfde naam als het toelichtingsveld van een vraag",
                                  "Kies een ander woord voor dit antwoord; 'toelichting' is al het veld voor de notities.")
    return labels

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


# --------------------------------------------------------------------------- school types


class Question(_Strict):
    id: Slug
    text: Text = Field(alias="vraag", description="De reflectievraag, letterlijk zoals in de publicatie.")


class Theme(_Strict):
    id: Slug
    title: ShortText = Field(alias="titel", description="Titel van het thema (de indicator).")
    questions: list[Question] = Field(
        alias="vragen", min_length=1, max_length=5,
        description="De vragen van dit thema (1 tot 5; een thema moet op één pagina van het reflectieblad passen).",
    )


class Perspective(_Strict):
    id: Slug = Field(description="Een van de perspectieven uit site_config.yaml: wat, hoe of wanneer-waar.")
    title: ShortText = Field(alias="titel", description="Bv. 'Veranderingen & effecten'.")
    themes: list[Theme] = Field(alias="themas", min_length=1, description="De thema's van dit perspectief.")


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


class SchoolType(_Strict):
    id: Slug = Field(description="Gelijk aan de bestandsnaam zonder .yaml, bv. 'bo'.")
    name: ShortText = Field(alias="naam", description="Bv. 'Basisonderwijs'.")
    abbreviation: ShortText = Field(alias="afkorting", description="Bv. 'bo'.")
    chapter_title: ShortText | None = Field(
        default=None, alias="titel",
        description="Titel van het hoofdstuk zoals in de publicatie, zonder nummer, bv. 'Voortgezet onderwijs (vo) en mbo'. "
                    "Zonder titel: naam met de afkorting tussen haakjes, bv. 'Basisonderwijs (bo)'.",
    )
    pages: list[PagePath] = Field(
        alias="paginas", min_length=1,
        description="De pagina's van dit hoofdstuk in content/<id>/, in de volgorde van de publicatie. "
                    "De pagina met reflectievragen maakt de bouw zelf: zet 'reflectievragen.md' in de lijst "
                    "op de plek waar hij hoort; zonder die regel komt hij achteraan.",
    )
    intro: Text = Field(alias="inleiding", description="De tekst boven de reflectievragen: gewone tekst (geen Markdown of HTML); "
                                                  "een lege regel begint een nieuwe alinea.")
    perspectives: list[Perspective] = Field(alias="perspectieven", min_length=1)
    impact_themes: list[ImpactTheme] = Field(alias="impactthemas", min_length=1)
    recommendations: list[Recommendation] = Field(alias="aanbevelingen", min_length=1)
    quotes: list[Quote] = Field(
        default_factory=list, alias="citaten",
        description="Citaten die in de publicatie bij de reflectievragen staan; ze komen onder de vragen (optioneel).",
    )

    @property
    def title(self) -> str:
        """The chapter title without its number: 'Basisonderwijs (bo)', 'Voortgezet onderwijs (vo) en mbo'."""
        return self.chapter_title or f"{self.name} ({self.abbreviation})"

    @property
    def reflection_title(self) -> str:
        """'Reflectievragen bo': the title of the reflection page, as in the publication."""
        return f"Reflectievragen {self.abbreviation}"

    @property
    def sheet_title(self) -> str:
        """'Reflectievragen basisonderwijs (bo)'."""
        return f"Reflectievragen {self.name[:1].lower()}{self.name[1:]} ({self.abbreviation})"

    def questions(self) -> list[tuple[Perspective, Theme, Question]]:
        return [(p, t, q) for p in self.perspectives for t in p.themes for q in t.questions]

    def numbered_questions(self) -> list["NumberedQuestion"]:
        """Every question with its number. This is the one numbering of a school type:
        1 to N straight through all perspectives and themes, the same on the website,
        both PDF sheets, the online form and the exports (field names use the ids)."""
        return [NumberedQuestion(number, p, t, q)
                for number, (p, t, q) in enumerate(self.questions(), start=1)]

    def themes(self) -> list[Theme]:
        return [t for p in self.perspectives for t in p.themes]


class NumberedQuestion(NamedTuple):
    number: int
    perspective: Perspective
    theme: Theme
    question: Question


# --------------------------------------------------------------------------- site config


class PerspectiveDefinition(_Strict):
    id: Slug
    label: ShortText = Field(alias="vraagwoord", description="Bv. 'WAT', 'HOE', 'WANNEER & WAAR'.")


class NavSection(_Strict):
    title: ShortText | None = Field(
        default=None, alias="titel",
        description="Kop van de sectie in het menu; zonder titel staan de pagina's los in het menu.",
    )
    pages: list[PagePath] = Field(alias="paginas", min_length=1)


class Navigation(_Strict):
    before: list[NavSection] = Field(alias="voor", description="Menu-onderdelen vóór de hoofdstukken per schooltype.")
    after: list[NavSection] = Field(alias="na", description="Menu-onderdelen ná de hoofdstukken per schooltype.")


class Accessibility(_Strict):
    contact: Annotated[str, StringConstraints(strip_whitespace=True, pattern=CONTACT_PATTERN, max_length=200)] = Field(
        description="Waar lezers een toegankelijkheidsprobleem melden: een e-mailadres of een webadres.")
    known_limits: list[Text] = Field(
        alias="bekende_beperkingen", default_factory=list,
        description="Wat (nog) niet toegankelijk is, in gewone zinnen; staat op de pagina Toegankelijkheid.")

    @property
    def contact_is_email(self) -> bool:
        return "@" in self.contact and not self.contact.startswith("http")


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
    school_types: list[Slug] = Field(
        alias="schooltypen", min_length=1,
        description="Volgorde van de schooltypen; elk heeft een bestand indicators/<id>.yaml.",
    )
    perspectives: list[PerspectiveDefinition] = Field(alias="perspectieven", min_length=1)
    answer_scale: Annotated[list[ShortText], AfterValidator(_answer_labels)] = Field(
        alias="antwoordschaal", min_length=2, max_length=6,
        description="De antwoordmogelijkheden op de reflectiebladen, bv. ja, deels, nee, n.v.t.",
    )
    navigation: Navigation = Field(alias="navigatie")
    accessibility: Accessibility = Field(alias="toegankelijkheid",
                                         description="Voor de toegankelijkheidsverklaring (pagina Toegankelijkheid).")

    @property
    def year(self) -> int:
        return int(self.edition[:4])

    def answer_options(self) -> list[tuple[str, str]]:
        """(id, label) per answer, e.g. ('nvt', 'n.v.t.'); ids are used for form field names."""
        return [(answer_id(label), label) for label in self.answer_scale]

    def perspective_label(self, perspective_id: str) -> str:
        return next(p.label for p in self.perspectives if p.id == perspective_id)

    def perspective_heading(self, perspective: "Perspective") -> str:
        """'WAT – Veranderingen & effecten' (pages and sheets put its number in front)."""
        return f"{self.perspective_label(perspective.id)} – {perspective.title}"


def answer_id(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", label.lower()) or "x"


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
    school_types: list[SchoolType]
    glossary: Glossary

    def school_type(self, type_id: str) -> SchoolType:
        return next(s for s in self.school_types if s.id == type_id)
