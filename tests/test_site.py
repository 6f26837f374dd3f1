"""The built site, checked from its HTML: complete content, generated pages,
no requests to other hosts, reproducible output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from conftest import ROOT, copy_project, run_cli, seed_pdf_cache, tree_digest

pytestmark = pytest.mark.slow


def page(site_dir: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site_dir / path / "index.html").read_bytes())


def text_of(element) -> str:
    """Visible text, without the '#' permalinks of headings."""
    element = lxml.html.fromstring(lxml.html.tostring(element, with_tail=False))
    for link in element.cssselect("a.headerlink"):
        link.drop_tree()
    return re.sub(r"\s+", " ", element.text_content()).strip()


@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_reflection_page_has_every_question_in_order_with_anchor(site_dir, publication, type_id) -> None:
    school_type = publication.instrument(type_id)
    html = page(site_dir, f"{type_id}/reflectievragen")
    items = html.cssselect("article ol.vragen > li")
    assert [text_of(li) for li in items] == [q.text for _, q in school_type.item_paths()]
    assert [li.get("id") for li in items] == [q.id for _, q in school_type.item_paths()]
    # One numbering: the number a reader sees is the number on both PDF sheets (1 to N straight through).
    shown = [int(ol.get("start", "1")) + i for ol in html.cssselect("article ol.vragen") for i in range(len(ol.cssselect("li")))]
    assert shown == list(range(1, len(items) + 1))
    headings = {h.get("id"): text_of(h) for h in html.cssselect("article h2, article h3")}
    for perspective in school_type.sections:
        assert perspective.title in headings[perspective.id]
        for theme in perspective.sections:
            assert headings[theme.id].startswith(theme.title)
    assert text_of(html.cssselect("article h1")[0]).startswith(school_type.reflection_title)  # "Reflectievragen bo"


def test_quote_attributions_all_present(site_dir) -> None:
    site_text = " ".join(text_of(lxml.html.fromstring(p.read_bytes()))
                         for p in site_dir.rglob("*.html"))
    attributions = []
    for md in (ROOT / "content").rglob("*.md"):
        attributions += re.findall(r"<figcaption>(.*?)</figcaption>", md.read_text(encoding="utf-8"))
    # The five block quotes of the publication that carry an attribution line.
    assert {"Lahmann, 2025", "Leerkracht / ICC’er basisschool 3", "Leerkracht 2, school 1",
            "Muziekdocent, culturele instelling 2, school 2", "ICC’er school 3"} <= set(attributions)
    for attribution in attributions:
        assert attribution in site_text, attribution
    captions = [text_of(c) for p in site_dir.rglob("*.html") for c in lxml.html.fromstring(p.read_bytes()).cssselect("figure.citaat figcaption")]
    assert "Leerkracht 2, school 1" in captions


def test_impact_themes_and_recommendations_rendered_from_yaml(site_dir, publication) -> None:
    from publisher.structure import chapter_pages

    for school_type in publication.instruments:
        chapter = [page(site_dir, path.removesuffix("index.md").removesuffix(".md"))
                   for path in chapter_pages(school_type)]
        impact = [h for html in chapter for h in html.cssselect(".impactthema h3")]
        assert [text_of(h) for h in impact] == [t.title for t in school_type.impact_themes]
        recommendations = page(site_dir, f"{school_type.id}/aanbevelingen").cssselect("ol.aanbevelingen > li")
        assert [text_of(li) for li in recommendations] == [f"{r.title} – {r.text}" for r in school_type.recommendations]


def test_no_page_loads_anything_from_another_host(site_dir) -> None:
    offending = []
    for file in site_dir.rglob("*.html"):
        html = lxml.html.fromstring(file.read_bytes())
        for element in html.cssselect("script[src], img[src], iframe[src], source[src], video[src], audio[src], embed[src]"):
            if re.match(r"^(https?:)?//", element.get("src")):
                offending.append((file.name, element.get("src")))
        for element in html.cssselect("link[href]"):
            if element.get("rel") not in ("canonical",) and re.match(r"^(https?:)?//", element.get("href")):
                offending.append((str(file.relative_to(site_dir)), element.get("href")))
    for file in list(site_dir.rglob("*.css")) + list(site_dir.rglob("*.js")):
        text = file.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"(?:url\(|@import\s+)['\"]?((?:https?:)?//[^'\")\s]+)", text):
            if not url.startswith("//www.w3.org"):
                offending.append((file.name, url))
    assert not offending, offending
    everything = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in site_dir.rglob("*.html"))
    for host in ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr", "unpkg.com", "googletagmanager"):
        assert host not in everything


@pytest.mark.toegankelijkheid("Elke pagina heeft een eigen titel die ook het hoofdstuk noemt", hulpmiddel="pytest", wcag=["2.4.2"])
def test_every_page_title_is_unique_and_names_its_chapter(site_dir) -> None:
    titles = {}
    for file in sorted(site_dir.rglob("index.html")):
        title = lxml.html.fromstring(file.read_bytes()).findtext(".//title")
        titles.setdefault(title, []).append(file.relative_to(site_dir).as_posix())
    doubles = {title: files for title, files in titles.items() if len(files) > 1}
    assert not doubles, doubles
    assert "Aanbevelingen · Basisonderwijs (bo) – Impactonderzoek KunstPakt CmK3" in titles
    assert "Reflectievragen go · Gespecialiseerd onderwijs (go) – Impactonderzoek KunstPakt CmK3" in titles


def test_search_index_covers_the_publication_and_nothing_else(site_dir) -> None:
    """Pagefind indexes the article of every page (not the menu), in Dutch, with the school type
    as a filter on the pages of each chapter."""
    import json

    entry = json.loads((site_dir / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["nl"]
    pages = [p for p in site_dir.rglob("index.html")]
    forms = [p for p in pages if p.parent.name == "invullen"]  # the online forms repeat the reflection pages
    assert len(forms) == 3 and not lxml.html.fromstring(forms[0].read_bytes()).cssselect("[data-pagefind-body]")
    assert entry["languages"]["nl"]["page_count"] == len(pages) - len(forms)
    html = (site_dir / "bo" / "resultaten" / "index.html").read_text(encoding="utf-8")
    body = lxml.html.fromstring(html).cssselect("[data-pagefind-body]")
    assert len(body) == 1 and body[0].cssselect("h1")
    assert not body[0].cssselect("nav"), "het menu hoort niet in de zoekindex"
    assert body[0].cssselect("[data-pagefind-filter='schooltype']")[0].text_content() == "Basisonderwijs (bo)"
    assert not (site_dir / "pagefind" / "pagefind-ui.js").exists(), "ongebruikte zoekinterfaces worden niet gepubliceerd"


def test_downloads_page_lists_every_sheet_with_size_and_edition(site_dir, publication) -> None:
    html = page(site_dir, "downloads")
    links = {a.get("href"): text_of(a.getparent()) for a in html.cssselect("article table a") if a.get("href").endswith(".pdf")}
    assert len(links) == 2 * len(publication.instruments)
    for school_type in publication.instruments:
        for name in (f"reflectievragen-{school_type.id}.pdf", f"reflectievragen-{school_type.id}-invulbaar.pdf"):
            href = next(h for h in links if h.endswith(name))
            size_text = re.search(r"PDF, (\d+) kB", links[href])
            assert size_text, links[href]
            actual = (site_dir / "downloads" / name).stat().st_size
            assert abs(int(size_text[1]) - actual / 1024) <= 1
    intro = text_of(html.cssselect("article p")[0])
    assert intro.endswith(f"opslaan). Editie {publication.config.edition}."), intro


def test_every_page_prints_the_edition_in_its_footer_and_on_paper(site_dir, publication) -> None:
    """The edition where a reader sees it: the footer line and the line that only appears on paper
    (with the page's own address), exactly, on every page."""
    config = publication.config
    footer = f"© {config.year} {config.organisation} · editie {config.edition}"
    pages = sorted(site_dir.rglob("index.html"))
    assert len(pages) >= 30
    for file in pages:
        html = lxml.html.fromstring(file.read_bytes())
        assert [text_of(e) for e in html.cssselect(".md-copyright")] == [footer], file
        path = file.parent.relative_to(site_dir).as_posix()
        address = config.base_url + ("" if path == "." else path + "/")
        assert [text_of(e) for e in html.cssselect(".kcr-afdrukadres")] == [
            f"{address} · {config.title}, editie {config.edition}"], file


def test_reflection_pages_link_the_form_and_both_sheets(site_dir, publication) -> None:
    for school_type in publication.instruments:
        links = page(site_dir, f"{school_type.id}/reflectievragen").cssselect("article .kcr-hulpmiddelen a")
        hrefs = [b.get("href") for b in links]
        assert hrefs == ["../invullen/", f"../../downloads/reflectievragen-{school_type.id}.pdf",
                         f"../../downloads/reflectievragen-{school_type.id}-invulbaar.pdf"]
        for href in hrefs:
            assert resolve(site_dir, f"{school_type.id}/reflectievragen/", href).is_file(), href


def test_comparison_page_shows_every_theme_per_perspective(site_dir, publication) -> None:
    html = page(site_dir, "vergelijking")
    for perspective in publication.config.structure("impactdriehoek").sections:
        for school_type in publication.instruments:
            column = html.get_element_by_id(f"{perspective.id}-{school_type.id}").getparent()
            links = [text_of(a) for a in column.cssselect("li a")]
            themes = next(p for p in school_type.sections if p.id == perspective.id).sections
            assert links == [t.title for t in themes]


def test_glossary_and_abbreviations(site_dir, publication) -> None:
    html = page(site_dir, "begrippenlijst")
    terms = [text_of(dt) for dt in html.cssselect("article dl dt")]
    assert len(terms) == len(publication.glossary.terms)
    for term in ("ICC’er", "TOS", "ZML", "VTS", "SLO", "CKV"):
        assert any(t.startswith(term) for t in terms), term
    abbreviations = {a.text: a.get("title") for a in page(site_dir, "go").cssselect("article abbr")}
    assert abbreviations.get("go") == "gespecialiseerd onderwijs"
    # "(v)so" has its own tooltip, marked as the editors' expansion; "so" does not fire inside it.
    assert abbreviations.get("v)so") == "(voortgezet) speciaal onderwijs (toelichting van de redactie)"
    assert "(v)so" in text_of(page(site_dir, "go").cssselect("article")[0])
    # Every entry says where it comes from: a quotation with a link to its place, or the editors' mark.
    definitions = {text_of(dt): text_of(dd) for dt, dd in zip(html.cssselect("article dl dt"), html.cssselect("article dl dd"))}
    for term in publication.glossary.terms:
        text = definitions[term.term]
        if term.source == "publicatie":
            assert f"“{' '.join(term.explanation.split())}”" in text, term.term
        else:
            assert "Toelichting van de redactie:" in text, term.term
    def links(term: str) -> list[str]:
        return [a.get("href") for a in html.xpath(f"//dt[normalize-space()='{term}']/following-sibling::dd[1]//a")]

    assert links("brede ontwikkeling") == ["../"]  # the definition on the opening page
    assert links("go") == ["../go/#cmk3-in-het-gespecialiseerd-onderwijs"]
    assert abbreviations.get("ZML") == "zeer moeilijk lerend (toelichting van de redactie)"


def resolve(site_dir: Path, page: str, href: str) -> Path:
    """The file a relative link on `page` (a site path like 'bo/impact/') opens."""
    import posixpath

    target = posixpath.normpath(posixpath.join(page, href.split("#")[0]))
    path = site_dir / target
    return path / "index.html" if not target.endswith((".pdf", ".html")) else path


def test_chapters_link_to_their_reflection_questions_and_downloads(site_dir, publication) -> None:
    """From every page of a school type's chapter, the menu entry 'Reflectievragen <type>' opens that
    school type's reflection questions; the page before them in the chapter leads on ('Volgende')
    to them; every download button in the chapter opens one of that school type's two sheets."""
    from publisher.structure import chapter_pages

    for school_type in publication.instruments:
        reflection = site_dir / school_type.id / "reflectievragen" / "index.html"
        title = text_of(lxml.html.fromstring(reflection.read_bytes()).cssselect("article h1")[0])
        assert title == school_type.reflection_title, title
        chapter = [page_path.removesuffix("index.md").removesuffix(".md").rstrip("/") + "/"
                   for page_path in chapter_pages(school_type)]
        pdfs = set()
        for path in chapter:
            html = page(site_dir, path)
            menu = [a.get("href") for a in html.cssselect("nav.md-nav--primary a.md-nav__link")
                    if text_of(a) == school_type.reflection_title]
            assert [resolve(site_dir, path, href) for href in menu] == [reflection], (path, menu)
            pdfs |= {resolve(site_dir, path, a.get("href")).name for a in html.cssselect("article .downloads a")}
        before = chapter[chapter.index(f"{school_type.id}/reflectievragen/") - 1]
        following = page(site_dir, before).cssselect(".md-footer a.md-footer__link--next")
        assert len(following) == 1 and resolve(site_dir, before, following[0].get("href")) == reflection, before
        assert text_of(following[0]).endswith(school_type.reflection_title)
        assert pdfs == {f"reflectievragen-{school_type.id}-invulbaar.pdf", f"reflectievragen-{school_type.id}.pdf"}


ANCHORS = Path(__file__).parent / "fixtures" / "ankers.txt"


def published_anchors() -> list[tuple[str, str, str]]:
    """(page, id, question) of every address in tests/fixtures/ankers.txt."""
    result = []
    for line in ANCHORS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            address, question = (part.strip() for part in line.split(" | ", 1))
            path, anchor = address.split("#")
            result.append((path, anchor, question))
    return result


def test_published_question_addresses_still_point_at_their_question(site_dir) -> None:
    """Links to a question that advisors shared (edition 2025, an independent snapshot) still open
    that question: the id is on the same page, on a question, with the same text."""
    anchors = published_anchors()
    assert len(anchors) >= 100
    pages: dict[str, lxml.html.HtmlElement] = {}
    broken = []
    for path, anchor, question in anchors:
        html = pages.setdefault(path, page(site_dir, path))
        found = html.xpath(f"//*[@id='{anchor}']")
        if len(found) != 1 or found[0].tag != "li" or "vragen" not in found[0].getparent().get("class", "").split():
            broken.append((path, anchor, "niet (precies één keer) als vraag op de pagina"))
        elif text_of(found[0]) != question:
            broken.append((path, anchor, text_of(found[0])))
    assert not broken, broken


def test_two_builds_give_identical_html(built_project, tmp_path) -> None:
    again = copy_project(tmp_path / "again")
    seed_pdf_cache(built_project, again)
    code, output = run_cli(["build"], again)
    assert code == 0, output
    first, second = tree_digest(built_project / "site"), tree_digest(again / "site")
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, different


def sitemap_dates(site: Path) -> set[str]:
    """The <lastmod> dates of the sitemap (and the compressed copy says the same)."""
    import gzip

    xml = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode("utf-8") == xml
    dates = re.findall(r"<lastmod>([^<]*)</lastmod>", xml)
    assert len(dates) == xml.count("<url>") > 20
    return set(dates)


A_DAY_FAR_AWAY = (2031, 7, 15, 23, 30)  # the build's clock in the tests below; no date may come from it


def test_every_date_comes_from_the_edition_whatever_the_clock_says(built_project, publication, tmp_path) -> None:
    """A build on another day (here: the clock set to 15 July 2031, late in the evening) gives the
    same site and sheets, byte for byte, as the session's build; the sitemap says 1 January of the
    edition. Cold cache, so the sheets are rendered under the same clock."""
    from datetime import datetime, timezone

    import time_machine

    project = copy_project(tmp_path / "project")
    with time_machine.travel(datetime(*A_DAY_FAR_AWAY, tzinfo=timezone.utc)):
        assert datetime.now().year == 2031
        code, output = run_cli(["build"], project)
    assert code == 0, output
    assert sitemap_dates(project / "site") == {f"{publication.config.edition}-01-01"}
    first, second = tree_digest(built_project / "site"), tree_digest(project / "site")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_source_date_epoch_sets_the_sitemap_date(built_project, tmp_path, monkeypatch) -> None:
    from datetime import datetime, timezone

    import time_machine

    project = copy_project(tmp_path / "project")
    seed_pdf_cache(built_project, project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc).timestamp())))
    with time_machine.travel(datetime(*A_DAY_FAR_AWAY, tzinfo=timezone.utc)):
        code, output = run_cli(["build"], project)
    assert code == 0, output
    assert sitemap_dates(project / "site") == {"2026-03-04"}


def test_plain_mkdocs_strict_build_of_staged_docs_has_no_warnings(built_project, tmp_path) -> None:
    import subprocess
    import sys

    staged = built_project / ".cache" / "staging" / "mkdocs.yml"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(staged), "-d", str(tmp_path / "site")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr


def test_home_page_has_an_entry_per_school_type(site_dir, publication) -> None:
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    entries = lxml.html.fromstring(html).xpath("//div[contains(@class, 'schooltypen')]//li")
    assert len(entries) == len(publication.instruments)
    for entry, school_type in zip(entries, publication.instruments):
        links = {a.get("href"): a.text_content().strip() for a in entry.xpath(".//a")}
        assert links[f"{school_type.id}/"] == school_type.title
        assert links[f"{school_type.id}/reflectievragen/"] == f"Reflectievragen {school_type.abbreviation}"
        assert f"({len(school_type.item_paths())} vragen)" in entry.text_content()
        assert "downloads/" in links


def test_home_page_entries_follow_site_config_not_a_hand_written_list() -> None:
    """A school type added, removed or moved in site_config.yaml moves on the home page too."""
    from publisher.content import read_pages
    from publisher.pages import staged_pages
    from publisher.project import Project
    from publisher.validate import load_publication

    project = Project.at(ROOT)
    publication = load_publication(project).publication
    pages, _, _ = read_pages(project)
    changed = publication.model_copy(update={"instruments": list(reversed(publication.instruments[1:]))})
    home = next(p.text for p in staged_pages(project, changed, pages, {t.id: [] for t in changed.instruments})
                if p.path == "index.md")
    shown = [line for line in home.splitlines() if line.startswith("-   **[")]
    assert len(shown) == 2
    assert [line.split("](")[0] for line in shown] == [f"-   **[{t.title}".replace("&", "&#38;")
                                                        for t in changed.instruments]
    assert "reflectiebladen" not in home.casefold()  # no sheets, no download link


@pytest.mark.toegankelijkheid("Elke pagina is als Nederlands gemarkeerd (lang=\"nl\")", hulpmiddel="pytest", wcag=["3.1.1"])
def test_every_page_is_marked_as_dutch(site_dir) -> None:
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) >= 30
    for page in pages:
        root = lxml.html.fromstring(page.read_bytes())
        assert root.get("lang") == "nl", page.relative_to(site_dir)
