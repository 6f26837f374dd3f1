"""The structure of the site: which pages exist and in which order they stand in the menu."""

from __future__ import annotations

from .model import SchoolType, SiteConfig

# Pages the build writes itself (see pages.py); content/ must not have files with these names.
SITE_PAGES = ("vergelijking.md", "downloads.md", "begrippenlijst.md", "toegankelijkheid.md")
REFLECTION_PAGE = "reflectievragen.md"
FORM_PAGE = "invullen.md"  # the online reflection form of a school type
GENERATED_CHAPTER_PAGES = (REFLECTION_PAGE, FORM_PAGE)


def reflection_page(school_type_id: str) -> str:
    """'bo/reflectievragen.md': the generated page with a school type's reflection questions."""
    return f"{school_type_id}/{REFLECTION_PAGE}"


def form_page(school_type_id: str) -> str:
    """'bo/invullen.md': the generated page with the online reflection form of a school type."""
    return f"{school_type_id}/{FORM_PAGE}"


def chapter_pages(school_type: SchoolType) -> list[str]:
    """The pages of a school type's chapter, in menu order: its content pages, then its
    reflection page and its online form."""
    return ([f"{school_type.id}/{page}" for page in school_type.pages]
            + [reflection_page(school_type.id), form_page(school_type.id)])


def generated_pages(school_type_ids: list[str]) -> list[str]:
    return ([page for type_id in school_type_ids for page in (reflection_page(type_id), form_page(type_id))]
            + list(SITE_PAGES))


def navigation(config: SiteConfig, school_types: list[SchoolType]) -> list[str]:
    """Every page in menu order."""
    order = [page for section in config.navigation.before for page in section.pages]
    for school_type in school_types:
        order += chapter_pages(school_type)
    order += [page for section in config.navigation.after for page in section.pages]
    return order


def chapter_labels(config: SiteConfig, school_types: list[SchoolType]) -> dict[str, str]:
    """Page → the label of the menu section it belongs to ('Basisonderwijs (bo)', 'Bijlagen');
    pages outside a titled section are absent."""
    labels: dict[str, str] = {}
    for section in [*config.navigation.before, *config.navigation.after]:
        if section.title:
            labels.update({page: section.title for page in section.pages})
    for school_type in school_types:
        labels.update({page: school_type.title for page in chapter_pages(school_type)})
    return labels


def full_title(title: str, chapter: str | None) -> str:
    """'Aanbevelingen · Basisonderwijs (bo)': a page title that says where the page is (browser
    tab, search results, mobile header). Left as it is when it already names its chapter."""
    if not chapter or chapter.casefold() in title.casefold():
        return title
    return f"{title} · {chapter}"
