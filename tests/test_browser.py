"""The built site in a real headless Chromium (Debian's chromium, driven by
Playwright): Dutch search, downloads, accessibility (axe-core), offline."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlparse

import axe_playwright_python
import pytest
import yaml

from conftest import open_search, serve_directory, type_search

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def all_pages(site_dir: Path) -> list[str]:
    return sorted(p.relative_to(site_dir).parent.as_posix() + "/" if p.name == "index.html" else p.relative_to(site_dir).as_posix()
                  for p in site_dir.rglob("*.html"))


@pytest.fixture
def page(browser, site_url):
    """A fresh page that refuses (and records) every request to another host."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.external_requests = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield page
    context.close()


def search(page, base_url: str, query: str) -> list[tuple[str, str]]:
    """Type a query in Material's search box; return (href, text) of the results."""
    page.goto(base_url)
    open_search(page)
    return type_search(page, query)


@pytest.mark.parametrize("query, expected_page, expected_text", [
    ("ouder", "resultaten/", "ouderbetrokkenheid"),
    ("prikkels", "go/reflectievragen/", "prikkelbeheer"),
    ("ICC", "", "icc’er"),
    # Full words must keep working with the stemmer on (see templates/site/main.html).
    ("prikkelbeheer", "go/reflectievragen/", "prikkelbeheer"),
    ("ouderbetrokkenheid", "resultaten/", "ouderbetrokkenheid"),
    ("ouders", "", "ouders"),
])
def test_dutch_search(page, site_url, query, expected_page, expected_text) -> None:
    results = search(page, site_url, query)
    assert results, f"geen resultaten voor {query!r}"
    matching = [href for href, text in results if expected_text in text.lower() and expected_page in href]
    assert matching, f"{query!r}: {results[:8]}"
    assert not page.external_requests


def test_without_stemmer_prikkels_does_not_find_prikkelbeheer(page, built_project, tmp_path) -> None:
    """Control experiment: the same site with Material's default pipeline misses the match,
    so the Dutch stemmer in mkdocs.yml is what makes the search work."""
    from publisher.site import run_mkdocs
    from publisher.project import Project

    staged = built_project / ".cache" / "staging"
    config = yaml.safe_load((staged / "mkdocs.yml").read_text(encoding="utf-8"))
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "search" in plugin:
            plugin["search"].pop("pipeline")
    config["site_dir"] = str(tmp_path / "site")
    control = tmp_path / "mkdocs.yml"
    control.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert run_mkdocs(control, Project.at(built_project)) == []
    with serve_directory(tmp_path / "site") as url:
        page.goto(url)
        open_search(page)
        texts = [text for _, text in type_search(page, "prikkels")]
        assert texts, "de controle-site zoekt wel (andere resultaten), alleen niet op de stam"
    assert not any("prikkelbeheer" in t.lower() for t in texts), texts


def test_every_download_link_returns_a_pdf(page, site_url, site_dir) -> None:
    links = set()
    for path in all_pages(site_dir):
        page.goto(urljoin(site_url, path))
        for href in page.locator("a[href$='.pdf']").evaluate_all("links => links.map(a => a.href)"):
            if href.startswith(site_url):  # the bibliography also links to PDFs elsewhere
                links.add(href)
    assert len(links) == 6
    for link in sorted(links):
        response = page.request.get(link)
        assert response.status == 200, link
        assert response.headers["content-type"] == "application/pdf", link
        assert response.body().startswith(b"%PDF-"), link


def test_axe_finds_no_wcag21_aa_violations_on_any_page(browser, site_url, site_dir) -> None:
    # axe-core is injected as an inline script, which the site's Content-Security-Policy forbids
    # (rightly): this context alone bypasses it. Every other test runs under the policy.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    problems = {}
    pages = all_pages(site_dir)
    assert len(pages) >= 25
    for path in pages:
        page.goto(urljoin(site_url, path))
        page.add_script_tag(content=AXE_SCRIPT)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        if violations:
            problems[path] = violations
    context.close()
    assert not problems, problems


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_load_without_any_external_request(browser, site_url, site_dir, width) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=False)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for path in all_pages(site_dir)[:40]:
        page.goto(urljoin(site_url, path), wait_until="networkidle")
    context.close()
    external = [u for u in requested if not u.startswith(site_url) and not u.startswith(("data:", "blob:"))]
    assert not external, external
    fonts = [u for u in requested if u.endswith(".woff2")]
    assert fonts, "de eigen lettertypen worden geladen"


def test_print_stylesheet_hides_navigation(page, site_url) -> None:
    page.goto(urljoin(site_url, "bo/resultaten/"))
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer"):
        assert page.locator(selector).first.evaluate("e => getComputedStyle(e).display") == "none", selector
    assert page.locator("article h1").is_visible()


def test_reflection_question_anchor_is_stable(page, site_url, publication) -> None:
    question = publication.school_type("go").perspectives[0].themes[0].questions[1]
    page.goto(urljoin(site_url, f"go/reflectievragen/#{question.id}"))
    assert page.locator(f"li#{question.id}").inner_text().strip() == question.text


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
