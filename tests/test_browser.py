"""The built site in a real headless Chromium (Debian's chromium, driven by
Playwright): Dutch search, downloads, accessibility (axe-core), offline."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from conftest import ROOT, open_search, open_settled, refuse_other_hosts, type_search

import pytest
import yaml


pytestmark = [pytest.mark.browser, pytest.mark.slow]

# axe-core as vendored in tests/vendor/axe-core/ (current; the copy in axe-playwright-python lags behind).
AXE_SCRIPT = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def all_pages(site_dir: Path) -> list[str]:
    return sorted(p.relative_to(site_dir).parent.as_posix() + "/" if p.name == "index.html" else p.relative_to(site_dir).as_posix()
                  for p in site_dir.rglob("*.html"))


@pytest.fixture
def page(browser, site_url):
    """A fresh page that refuses every request to another host; the test fails if there was one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.external_requests = []
    refuse_other_hosts(page, page.external_requests.append)
    yield page
    context.close()
    assert page.external_requests == []


def test_every_download_link_returns_a_pdf(page, site_url, site_dir) -> None:
    links = set()
    for path in all_pages(site_dir):
        page.goto(urljoin(site_url, path), wait_until="domcontentloaded")  # the links, not the fonts and search engine
        for href in page.locator("a[href$='.pdf']").evaluate_all("links => links.map(a => a.href)"):
            if href.startswith(site_url):  # the bibliography also links to PDFs elsewhere
                links.add(href)
    assert len(links) == 6
    for link in sorted(links):
        response = page.request.get(link)
        assert response.status == 200, link
        assert response.headers["content-type"] == "application/pdf", link
        assert response.body().startswith(b"%PDF-"), link


AXE_PATH = "__axe-test__.js"  # served by the test itself, from the site's own origin


def serve_axe_from_the_site(context, site_url: str) -> None:
    """axe-core as a script of the site's own origin: the page keeps its Content-Security-Policy
    (no bypass), so one visit checks both the policy and accessibility."""
    context.route(urljoin(site_url, AXE_PATH),
                  lambda route: route.fulfill(body=AXE_SCRIPT, content_type="text/javascript"))


def run_axe(page, site_url: str | None = None) -> list:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now: (rule, first three nodes).
    Transitions are let finish first (colours as they end up, not half-way through a fade). With
    `site_url`, axe is loaded as a script of the site (see serve_axe_from_the_site), so the page's
    CSP stays; without it, inline (the context needs bypass_csp). Only violations are collected
    in full (resultTypes): axe still runs every rule, but skips the details of what passed."""
    page.wait_for_function("() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')")
    if site_url is None:
        page.add_script_tag(content=AXE_SCRIPT)
    else:
        page.add_script_tag(url=urljoin(site_url, AXE_PATH))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                           WCAG_21_AA)
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.toegankelijkheid("Elke pagina, 1280 en 390 pixels breed, en het geopende zoekvenster: geen schendingen van WCAG 2.1 A en AA", hulpmiddel="axe-core", wcag=["A en AA, automatisch toetsbaar deel"])
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_wcag21_aa_violations_on_any_page(browser, site_url, site_dir, width) -> None:
    """Every page, on a phone and a desktop, under the site's own Content-Security-Policy: axe-core
    finds no violation, the console shows no error (a policy violation would log one) and nothing
    is requested from another host. One visit per page does all three."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    serve_axe_from_the_site(context, site_url)
    page = context.new_page()
    requested, errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append((page.url, message.text)) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append((page.url, str(error))))
    problems = {}
    pages = all_pages(site_dir)
    assert len(pages) >= 27  # 26 pages of the menu and the 404 page
    for path in pages:
        open_settled(page, urljoin(site_url, path))
        violations = run_axe(page, site_url)
        if violations:
            problems[path] = violations
    # the search window, open with results and the school-type filter
    open_settled(page, site_url)
    open_search(page)
    type_search(page, "ouders")
    violations = run_axe(page, site_url)
    if violations:
        problems["zoekvenster"] = violations
    context.close()
    assert not problems, problems
    assert not errors, errors
    external = [u for u in requested if not u.startswith(site_url) and not u.startswith(("data:", "blob:"))]
    assert not external, external
    fonts = [u for u in requested if u.endswith(".woff2")]
    assert fonts, "de eigen lettertypen worden geladen"
    assert any("/pagefind/" in u for u in requested), "de zoekmachine wordt (van de site zelf) geladen"


@pytest.mark.toegankelijkheid("Een adres dat niet bestaat geeft een Nederlandse pagina met links terug", hulpmiddel="Chromium", pakket="playwright", wcag=["2.4.5"])
def test_dutch_404_page_with_a_way_back(page, site_url) -> None:
    response = page.goto(urljoin(site_url, "bestaat/niet/"))
    assert response.status == 404
    assert page.locator("article h1").inner_text() == "Deze pagina bestaat niet"
    assert "Not found" not in page.content()
    page.locator("article a", has_text="Naar de beginpagina").click()
    page.wait_for_url(site_url)
    assert page.locator("article h1").count() == 1


@pytest.mark.toegankelijkheid("De oriëntatiepunten van de pagina (paginakop, voettekst) hebben Nederlandse namen", hulpmiddel="Chromium", pakket="playwright", wcag=["1.3.1", "3.1.1"])
def test_landmarks_are_labelled_in_dutch(page, site_url) -> None:
    page.goto(urljoin(site_url, "voorwoord/"))
    labels = page.evaluate("() => [...document.querySelectorAll('nav[aria-label], [role=navigation][aria-label]')]"
                           ".map(n => n.getAttribute('aria-label'))")
    assert "Paginakop" in labels and "Vorige en volgende pagina" in labels
    assert not {"Header", "Footer"} & set(labels), labels


_ENTITY = re.compile(r"&(?:#x?[0-9a-f]+|[a-z][a-z0-9]*);", re.I)


def accessible_names(page) -> list[str]:
    """Every name and description in the page's accessibility tree, as Chromium hands them to
    a screen reader (CDP Accessibility.getFullAXTree)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [str(node[key]["value"]) for node in nodes for key in ("name", "description")
            if node.get(key, {}).get("value")]


@pytest.mark.toegankelijkheid("Wat een schermlezer voorleest (de namen van links, knoppen, koppen en oriëntatiepunten) bevat op geen enkele pagina HTML-codes, ook niet bij titels met een & of een apostrof", hulpmiddel="Chromium", pakket="playwright", wcag=["2.5.3", "4.1.2"])
def test_screen_readers_get_names_escaped_once(page, site_url, site_dir) -> None:
    """Titles with '&' and an apostrophe (from the YAML: an instrument's abbreviation, a
    comparison page's title) reach the accessibility tree as written, also in the footer's
    previous/next links, the menu and the header; no name anywhere holds an entity."""
    indicators = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in (ROOT / "indicators").glob("*.yaml")}
    config = yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))
    special = [f"Reflectievragen {data['afkorting']}" for data in indicators.values()
               if "&" in data.get("afkorting", "")]
    special += [structure["vergelijking"]["titel"] for structure in config.get("structuren", [])
                if "'" in structure.get("vergelijking", {}).get("titel", "")]
    assert any("&" in title for title in special) and any("'" in title for title in special)
    footer_links = {title: 0 for title in special}  # 'Volgende: Reflectievragen vo & mbo' in a footer
    problems = {}
    for path in all_pages(site_dir):
        page.goto(urljoin(site_url, path))
        names = accessible_names(page)
        bad = sorted({name for name in names if _ENTITY.search(name)})
        if bad:
            problems[path] = bad
        for title in special:
            footer_links[title] += sum(name in (f"Vorige: {title}", f"Volgende: {title}") for name in names)
    assert not problems, problems
    assert all(footer_links.values()), footer_links  # the footer links to these pages were read as written


@pytest.mark.toegankelijkheid("Op een telefoon noemt de paginakop de pagina en het hoofdstuk", hulpmiddel="Chromium", pakket="playwright", wcag=["2.4.2", "2.4.6"])
def test_phone_header_names_the_page_and_its_chapter(browser, site_url) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(urljoin(site_url, "go/aanbevelingen/"))
    page.mouse.wheel(0, 600)  # the header switches from the site title to the page title on scroll
    topic = page.locator(".md-header__topic[data-md-component='header-topic']")
    topic.wait_for(state="visible")
    assert topic.inner_text().strip() == "Aanbevelingen · Gespecialiseerd onderwijs (go)"
    context.close()


def test_print_stylesheet_hides_navigation(page, site_url) -> None:
    page.goto(urljoin(site_url, "bo/resultaten/"))
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer"):
        assert page.locator(selector).first.evaluate("e => getComputedStyle(e).display") == "none", selector
    assert page.locator("article h1").is_visible()


def test_printed_page_carries_its_web_address_and_the_edition(page, site_url, publication, tmp_path) -> None:
    """Print to PDF as the browser's own print dialog does, then read the paper's text."""
    import subprocess

    page.goto(urljoin(site_url, "bo/aanbevelingen/"))
    assert not page.locator(".kcr-afdrukadres").is_visible(), "alleen op papier"
    pdf = tmp_path / "afdruk.pdf"
    pdf.write_bytes(page.pdf(format="A4"))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    address = publication.config.base_url + "bo/aanbevelingen/"
    assert address in text.replace(" ", "") or address in text, text[-400:]
    assert f"editie {publication.config.edition}" in text
    assert "Zoeken" not in text  # the header is not printed


@pytest.mark.toegankelijkheid("De downloadtabel past op een telefoon (390 pixels) zonder zijwaarts scrollen", hulpmiddel="Chromium", pakket="playwright", wcag=["1.4.10"])
def test_downloads_table_fits_a_phone(browser, site_url, publication) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(urljoin(site_url, "downloads/"))
    rows = page.locator("article table tbody tr")
    assert rows.count() == len(publication.instruments)
    overflow = page.evaluate("() => [...document.querySelectorAll('article table, article .md-typeset__scrollwrap')]"
                             ".map(e => e.scrollWidth - e.clientWidth)")
    assert overflow and max(overflow) <= 0, f"de tabel is {max(overflow)} px te breed"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for link in page.locator("article table a[href$='.pdf']").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, link.inner_text()
    context.close()


@pytest.mark.toegankelijkheid("De vergelijking van thema's staat op een telefoon onder elkaar en op een groot scherm naast elkaar", hulpmiddel="Chromium", pakket="playwright", wcag=["1.4.10"])
@pytest.mark.parametrize("width, across", [(1280, 3), (390, 1)])
def test_comparison_puts_the_school_types_side_by_side_where_they_fit(browser, site_url, publication,
                                                                       width, across) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(urljoin(site_url, "vergelijking/"))
    for row in page.locator("article .vergelijking").all():
        tops = [round(section.bounding_box()["y"]) for section in row.locator(":scope > section").all()]
        assert len(tops) == len(publication.instruments)
        assert len(set(tops[:across])) == 1 and (across == len(tops) or tops[across] > tops[0]), tops
    context.close()


def test_reflection_question_anchor_is_stable(page, site_url) -> None:
    """A shared link to a question (from the independent snapshot tests/fixtures/ankers.txt, not
    from the current YAML) opens the page scrolled to that question."""
    from test_site import published_anchors

    path, anchor, question = [entry for entry in published_anchors() if entry[0] == "go/reflectievragen/"][1]
    page.goto(urljoin(site_url, f"{path}#{anchor}"))
    item = page.locator(f"li#{anchor}")
    assert item.inner_text().strip() == question
    assert item.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight }"), \
        "de pagina opent niet bij de vraag"


@pytest.mark.toegankelijkheid("Een afkorting toont haar uitleg bij de muis en bij toetsenbordfocus, en Escape sluit die", hulpmiddel="Chromium", pakket="playwright", wcag=["1.4.13", "2.1.1", "3.1.4"])
def test_abbreviation_explained_on_hover_and_on_keyboard_focus(page, site_url) -> None:
    page.goto(urljoin(site_url, "go/"))
    abbreviation = page.locator("article abbr[title='gespecialiseerd onderwijs']").first
    abbreviation.focus()
    tooltip = page.locator(".kcr-tooltip[role='tooltip']")
    tooltip.wait_for(timeout=5000)
    assert tooltip.inner_text().strip() == "gespecialiseerd onderwijs"
    assert abbreviation.get_attribute("aria-describedby") == tooltip.get_attribute("id")
    page.keyboard.press("Escape")
    assert tooltip.count() == 0
    focusable = page.locator("article abbr[tabindex='0']").all_inner_texts()
    assert len(focusable) == len(set(focusable)), "één tabstop per afkorting per pagina"


def test_the_guard_of_the_browser_tests_catches_a_request_to_another_host(browser, site_url) -> None:
    """The browser tests count on refuse_other_hosts: a page's request to another host (a script,
    an image, a fetch) is refused and recorded, a request to the site itself is not."""
    from conftest import watched_page

    context, page = watched_page(browser, bypass_csp=True)  # the site's own policy would stop them first
    page.goto(urljoin(site_url, "bo/resultaten/"))
    page.evaluate("""() => {
        fetch('https://voorbeeld.invalid/data.json').catch(() => {});
        const img = document.createElement('img'); img.src = 'http://127.0.0.1.voorbeeld.invalid/beeld.png'; document.body.append(img);
        fetch(location.href);
    }""")
    page.wait_for_load_state("networkidle")  # the fetch of the page itself has come back
    for _ in range(200):  # and the two refusals are recorded (at most 10 s)
        external = [p for p in page.problems if p.startswith("extern: ")]
        if len(external) >= 2:
            break
        page.wait_for_timeout(50)
    context.close()
    assert sorted(external) == ["extern: http://127.0.0.1.voorbeeld.invalid/beeld.png", "extern: https://voorbeeld.invalid/data.json"]
