"""Search as readers use it (issue 10): typing into the site's own search box in
headless Chromium, on the site served under its production path. The reader queries
and the pages each must return are in tests/fixtures/zoekvragen.yaml (rare words,
slash-joined words, inflections, abbreviations in any case and with either
apostrophe, several words, and searches narrowed to one school type)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from conftest import open_search, open_settled, type_search

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERIES = yaml.safe_load((Path(__file__).parent / "fixtures" / "zoekvragen.yaml").read_text(encoding="utf-8"))
SCHOOL_TYPES = {"bo": "Basisonderwijs (bo)", "go": "Gespecialiseerd onderwijs (go)",
                "vo-mbo": "Voortgezet onderwijs (vo) en mbo"}


@pytest.fixture
def search_page(browser, site_url):
    """A page whose console errors and uncaught script errors fail the test that used it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()
    assert page.errors == []


def site_path(href: str, site_url: str) -> str:
    path = urlparse(urljoin(site_url, href)).path
    prefix = urlparse(site_url).path
    assert path.startswith(prefix), f"resultaat buiten de site: {href}"
    return path[len(prefix):].split("#")[0]


def clear_search(page) -> None:
    """Empty the search field and the school-type filter, as a reader starting a new search does,
    and wait until the previous search's summary is gone (so it cannot pass for the next one's)."""
    page.locator("pagefind-modal input").first.fill("")
    page.locator("#kcr-zoek-schooltype").select_option(value="")
    page.wait_for_function("() => !/resultaat|resultaten/.test("
                           "document.querySelector('pagefind-modal pagefind-summary').textContent)")


def test_query_set_has_enough_reader_queries() -> None:
    assert len(QUERIES) >= 40
    kinds = {entry["soort"] for entry in QUERIES}
    assert {"met schuine streep verbonden", "verbuiging", "afkorting", "meer woorden", "binnen één schooltype"} <= kinds


def test_every_expected_page_is_a_page_of_the_site(site_dir) -> None:
    """An expectation that cannot fail is no test: each query names at least one page, each page is
    a real page of the built site (not '' or a prefix that matches anything), none twice."""
    for entry in QUERIES:
        pages = entry["paginas"]
        assert pages and len(pages) == len(set(pages)), entry
        for page in pages:
            assert isinstance(page, str) and page.endswith("/") and page.strip("/"), entry
            assert (site_dir / page / "index.html").is_file(), (entry["zoek"], page)


def test_every_reader_query_finds_its_pages(search_page, site_url) -> None:
    open_settled(search_page, site_url)
    open_search(search_page)
    missed = []
    for entry in QUERIES:
        results = type_search(search_page, str(entry["zoek"]), SCHOOL_TYPES.get(entry.get("schooltype")))
        found = {site_path(href, site_url) for href, _ in results}
        missing = [page for page in entry["paginas"] if page not in found]
        if missing:
            missed.append((entry["zoek"], entry.get("schooltype"), missing, sorted(found)[:6]))
        if entry.get("schooltype"):  # narrowed: nothing from another school type's chapter
            others = [p for p in found if p.split("/")[0] in SCHOOL_TYPES and p.split("/")[0] != entry["schooltype"]]
            assert not others, (entry["zoek"], others)
        clear_search(search_page)
    assert not missed, missed


def test_result_titles_say_where_the_page_is_and_links_work(search_page, site_url) -> None:
    open_settled(search_page, site_url)
    open_search(search_page)
    results = type_search(search_page, "aanbevelingen")
    titles = [title for _, title in results]
    assert "Aanbevelingen · Basisonderwijs (bo)" in titles
    assert "Aanbevelingen · Gespecialiseerd onderwijs (go)" in titles
    assert len(titles) == len(set(titles)), titles
    href = next(href for href, title in results if title == "Aanbevelingen · Basisonderwijs (bo)")
    search_page.locator(f"pagefind-modal .pf-result-link[href='{href}']").click()
    search_page.wait_for_url(urljoin(site_url, "bo/aanbevelingen/"))
    assert search_page.title().startswith("Aanbevelingen · Basisonderwijs (bo)")


@pytest.mark.toegankelijkheid("Het zoekvenster openen (toets /), zoeken en een resultaat kiezen gaan met alleen het toetsenbord", hulpmiddel="Chromium", pakket="playwright", wcag=["2.1.1"])
def test_search_by_keyboard_only(search_page, site_url) -> None:
    """Tab to the search button, type, arrow down to the first result, Enter."""
    open_settled(search_page, urljoin(site_url, "voorwoord/"))
    search_page.keyboard.press("/")  # the shortcut shown on the button
    search_page.locator("pagefind-modal input").first.wait_for(state="visible")
    search_page.keyboard.type("kerstconcert")
    search_page.wait_for_selector("pagefind-modal .pf-result-link")
    search_page.keyboard.press("ArrowDown")
    search_page.keyboard.press("Enter")
    search_page.wait_for_url(lambda url: "/bo/resultaten/" in url)


def test_a_word_that_is_nowhere_says_so_in_dutch(search_page, site_url) -> None:
    open_settled(search_page, site_url)
    open_search(search_page)
    assert type_search(search_page, "xylofoonkwartet") == []
    assert "Geen resultaten voor xylofoonkwartet" in search_page.locator("pagefind-modal pagefind-summary").inner_text()
    # the same search box still finds what is there: "nothing found" is an answer, not a broken search
    search_page.locator("pagefind-modal input").first.fill("")
    found = {site_path(href, site_url) for href, _ in type_search(search_page, "kerstconcert")}
    assert "bo/resultaten/" in found


# Words of a search interface in English (Pagefind's fallbacks and its English texts).
_ENGLISH = re.compile(r"\b(reset|clear|search(ing)?|results?|load more|close|navigate|select(ed)?|loading|error|failed|"
                      r"no results|while you type|this site)\b", re.I)


@pytest.mark.toegankelijkheid("Het zoekvenster is helemaal Nederlands: elke knop, hint en melding, ook wat een schermlezer voorleest", hulpmiddel="Chromium", pakket="playwright", wcag=["3.1.1", "3.1.2"])
def test_search_window_has_no_english(search_page, site_url) -> None:
    """Everything the open search window shows or announces, with results and with none: its
    texts, placeholders, button labels, hints and the names in its accessibility tree. The
    clear button says 'Wissen' (Pagefind's Dutch said 'Reset')."""
    open_settled(search_page, site_url)
    open_search(search_page)
    shown = []

    def collect() -> None:
        shown.extend(search_page.locator("pagefind-modal").evaluate(
            """modal => { const out = [];
                 for (const el of [modal, ...modal.querySelectorAll('*')]) {
                   for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description'])
                     if (el.getAttribute(name)) out.push(el.getAttribute(name));
                 }
                 const walker = document.createTreeWalker(modal, NodeFilter.SHOW_TEXT);
                 for (let node; (node = walker.nextNode());) if (!node.parentElement.closest('.pf-result')) out.push(node.textContent);
                 return out.map(t => t.trim()).filter(Boolean) }"""))
        session = search_page.context.new_cdp_session(search_page)
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
        session.detach()
        results = set(search_page.locator("pagefind-modal .pf-result").all_inner_texts())
        shown.extend(node[key]["value"] for node in nodes for key in ("name", "description")
                     if node.get(key, {}).get("value") and not any(node[key]["value"] in r for r in results))

    collect()  # empty window
    assert type_search(search_page, "ouders")
    collect()  # with results
    clear = search_page.locator("pagefind-modal pagefind-input button")
    assert clear.first.inner_text().strip() == "Wissen"
    search_page.locator("pagefind-modal input").first.fill("")
    assert type_search(search_page, "xylofoonkwartet") == []
    collect()  # no results
    english = sorted({text for text in shown if _ENGLISH.search(text)})
    assert not english, english


def test_a_changed_pagefind_stops_the_build_instead_of_showing_english(tmp_path) -> None:
    """If a new Pagefind no longer has the Dutch texts where the build expects them, the
    build says so (and names the texts to check) rather than publish an English word."""
    from publisher.search import dutch_interface

    script = tmp_path / "pagefind-component-ui.js"
    script.write_text('var a={placeholder:"Search",clear_search:"Clear"};', encoding="utf-8")
    with pytest.raises(ValueError, match="Nederlandse teksten"):
        dutch_interface(script)
    script.write_text('var a={placeholder:"Zoeken",clear_search:"Reset",input_hint:"typ"},b={placeholder:"Search"};',
                      encoding="utf-8")
    dutch_interface(script)
    assert script.read_text(encoding="utf-8") == ('var a={placeholder:"Zoeken",clear_search:"Wissen",'
                                                  'input_hint:"Resultaten verschijnen terwijl je typt"},b={placeholder:"Search"};')
