"""The structure of the site: which pages exist and in which order they stand in the menu."""

from __future__ import annotations

from .model import Instrument, Publication, SiteConfig

# Pages the build writes itself (see pages.py); content/ must not have files with these names.
GLOSSARY_PAGE = "begrippenlijst.md"
ACCESSIBILITY_PAGE = "toegankelijkheid.md"
SITE_PAGES = ("downloads.md", GLOSSARY_PAGE, ACCESSIBILITY_PAGE)
REFLECTION_PAGE = "reflectievragen.md"
FORM_PAGE = "invullen.md"  # the online reflection form of a school type


def reflection_page(school_type_id: str) -> str:
    """'bo/reflectievragen.md': the generated page with a school type's reflection questions."""
    return f"{school_type_id}/{REFLECTION_PAGE}"


def form_page(school_type_id: str) -> str:
    """'bo/invullen.md': the generated page with the online reflection form of a school type."""
    return f"{school_type_id}/{FORM_PAGE}"


def chapter_pages(school_type: Instrument) -> list[str]:
    """The pages of a school type's chapter, in menu order: its pages as listed in `paginas`,
    with the generated reflection page where `paginas` names it (or else at the end) and
    the online form right after it."""
    pages = [f"{school_type.id}/{page}" for page in school_type.pages]
    if REFLECTION_PAGE not in school_type.pages:
        pages.append(reflection_page(school_type.id))
    at = pages.index(reflection_page(school_type.id)) + 1
    return pages[:at] + [form_page(school_type.id)] + pages[at:]


def tool_pages(school_type_ids: list[str]) -> list[str]:
    """Generated pages that are tools of the site, not part of the publication: the online
    forms and the accessibility statement (the fidelity tests leave them out)."""
    return [form_page(type_id) for type_id in school_type_ids] + [ACCESSIBILITY_PAGE]


def generated_pages(publication: "Publication") -> list[str]:
    """Every page the build writes itself: per instrument its questions and form, the
    comparison pages of structures, and the site's own pages."""
    return pages_written_for([i.id for i in publication.instruments],
                             [structure.comparison.page for structure, _ in publication.comparisons()])


def pages_written_for(instrument_ids: list[str], comparison_pages: list[str]) -> list[str]:
    """The pages the build writes for these instruments and comparison pages (also when the
    model is not complete, as in a check of a publication with broken YAML)."""
    return ([page for instrument_id in instrument_ids
             for page in (reflection_page(instrument_id), form_page(instrument_id))]
            + list(comparison_pages) + list(SITE_PAGES))


def navigation(config: SiteConfig, instruments: list[Instrument]) -> list[str]:
    """Every page in menu order."""
    order = [page for section in config.navigation.before for page in section.pages]
    for instrument in instruments:
        order += chapter_pages(instrument)
    order += [page for section in config.navigation.after for page in section.pages]
    return order


def chapter_labels(config: SiteConfig, instruments: list[Instrument]) -> dict[str, str]:
    """Page → the label of the menu section it belongs to ('Basisonderwijs (bo)', 'Bijlagen');
    pages outside a titled section are absent."""
    labels: dict[str, str] = {}
    for section in [*config.navigation.before, *config.navigation.after]:
        if section.title:
            labels.update({page: section.title for page in section.pages})
    for instrument in instruments:
        labels.update({page: instrument.title for page in chapter_pages(instrument)})
    return labels


def full_title(title: str, chapter: str | None) -> str:
    """'Aanbevelingen · Basisonderwijs (bo)': a page title that says where the page is (browser
    tab, search results, mobile header). Left as it is when it already names its chapter."""
    if not chapter or chapter.casefold() in title.casefold():
        return title
    return f"{title} · {chapter}"


def chapter_label(number: int, school_type: Instrument) -> str:
    """'3 Voortgezet onderwijs (vo) en mbo': a chapter in the menu, numbered as in the publication."""
    return f"{number} {school_type.title}"
