"""Hostile input as an attacker or a hurried editor would write it (issue 8).

Every string an editor writes is data: strings full of HTML, Markdown and template
syntax are put into every kind of YAML field and into a page's front matter; the
site is built; then the built HTML is read independently of the build's own checks
(lxml here, justhtml in the build), the PDF's text is read, and every page is opened
in Chromium under the site's Content-Security-Policy: no script, no event handler,
no javascript: address, no frame, nothing from another host, no dialog, no console
error, and the payloads are shown as the literal text the editor typed.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest
import yaml

from conftest import copy_project, open_search, open_settled, run_cli, seed_pdf_cache, serve_directory, type_search

pytestmark = pytest.mark.slow

# Each payload tries something else: raw HTML, event handlers, breaking out of an
# attribute, Markdown links and images, attr_list, abbreviation definitions,
# shortcodes, closing the surrounding list, entities, headings, front matter.
SCRIPT = '<script>alert("yaml")</script>'
HANDLER = '<img src=x onerror=alert(2)>'
BREAKOUT = '"><svg onload=alert(3)>'
MARKDOWN = "[klik](javascript:alert(4)) ![p](https://evil.example/p.png) {: onclick=\"alert(5)\" }"
STRUCTURE = "</li></ol><iframe src=https://evil.example/></iframe> *[ICC]: x {{< downloads bo >}} &lt;b&gt;"
LINES = "Eerste regel\n# geen kop\n- geen lijst\n<script>alert(6)</script>\n---\ntitle: nee"


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def inject(project: Path) -> dict[str, str]:
    """Put the payloads into every kind of editor string; returns where each went."""
    config = load(project / "site_config.yaml")
    config["titel"] = f"Impact {SCRIPT}"
    config["organisatie"] = f"KCR {BREAKOUT}"
    config["navigatie"]["voor"][1]["titel"] = f"Onderzoek {HANDLER}"
    dump(project / "site_config.yaml", config)

    bo = load(project / "indicators" / "bo.yaml")
    bo["naam"] = f"Basis {BREAKOUT}"
    bo["afkorting"] = 'bo: "x" # y'
    bo["inleiding"] = f"{LINES}\n\n{MARKDOWN}"
    bo["secties"][0]["titel"] = f"Effecten {STRUCTURE}"
    theme = bo["secties"][0]["secties"][0]
    theme["titel"] = f"Thema {MARKDOWN}"
    theme["items"][0]["tekst"] = f"{SCRIPT} {HANDLER}?"
    theme["items"][1]["tekst"] = f"{STRUCTURE}?"
    bo["impactthemas"][0]["titel"] = f"Impact {SCRIPT}"
    bo["impactthemas"][0]["tekst"] = f"{LINES}\n\n{STRUCTURE}"
    bo["aanbevelingen"][0]["titel"] = f"Aanbeveling {HANDLER}"
    bo["aanbevelingen"][0]["tekst"] = f"{MARKDOWN} {STRUCTURE}"
    bo["titel"] = f"Basisonderwijs {SCRIPT}"  # the chapter title in the menu and on the comparison page
    bo["citaten"] = [{"tekst": f"“{STRUCTURE}”", "bron": f"Leerkracht {HANDLER}"}]
    dump(project / "indicators" / "bo.yaml", bo)

    glossary = load(project / "content" / "begrippen.yaml")
    first = glossary["begrippen"][0]
    first["voluit"] = f"interne {HANDLER} coördinator"
    first["uitleg"] = f"{SCRIPT} {MARKDOWN}"
    dump(project / "content" / "begrippen.yaml", glossary)

    page = project / "content" / "voorwoord.md"
    front = yaml.safe_dump({"title": f"Voorwoord {SCRIPT}", "description": f"Over {BREAKOUT}"}, allow_unicode=True)
    page.write_text(f"---\n{front}---\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    return {"question": f"{SCRIPT} {HANDLER}?", "abbr_title": f"interne {HANDLER} coördinator"}


@pytest.fixture(scope="module")
def hostile_site(built_project, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    seed_pdf_cache(built_project, project)
    expected = inject(project)
    code, output = run_cli(["build"], project)
    assert code == 0, output
    assert "Traceback" not in output
    return project, expected


def test_check_accepts_hostile_strings_as_text(hostile_site) -> None:
    project, _ = hostile_site
    code, output = run_cli(["check"], project)
    assert code == 0, output


def test_no_live_or_external_content_in_any_built_page(hostile_site) -> None:
    project, _ = hostile_site
    offending = []
    pages = sorted((project / "site").rglob("*.html"))
    assert len(pages) >= 27  # 26 pages of the menu and the 404 page
    for file in pages:
        name = file.relative_to(project / "site").as_posix()
        html = lxml.html.fromstring(file.read_bytes())
        for element in html.iter():
            if not isinstance(element.tag, str):
                continue
            tag = element.tag.lower()
            if tag in ("iframe", "frame", "object", "embed", "base"):
                offending.append((name, tag))
            if tag == "script" and not element.get("src") and element.get("type") != "application/json":
                offending.append((name, "inline script", (element.text or "")[:60]))
            if tag == "script" and re.match(r"^(https?:)?//", element.get("src", "")):
                offending.append((name, "external script", element.get("src")))
            if tag == "script" and "alert(" in (element.text or "") and element.get("type") != "application/json":
                offending.append((name, "payload in script"))
            for attribute, value in element.attrib.items():
                if attribute.lower().startswith("on"):
                    offending.append((name, tag, attribute))
                if attribute in ("href", "src", "action", "formaction") and \
                        re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "data:text", "vbscript:")):
                    offending.append((name, tag, attribute, value))
            if tag in ("img", "source", "video", "audio") and re.match(r"^(https?:)?//", element.get("src", "")):
                offending.append((name, "external resource", element.get("src")))
            if tag == "link" and element.get("rel") in ("stylesheet", "icon", "preload") and \
                    re.match(r"^(https?:)?//", element.get("href", "")):
                offending.append((name, "external stylesheet", element.get("href")))
    assert not offending, offending


def text_of(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def test_payloads_show_as_the_text_the_editor_typed(hostile_site) -> None:
    project, expected = hostile_site
    site = project / "site"
    page = lxml.html.fromstring((site / "bo" / "reflectievragen" / "index.html").read_bytes())
    questions = [text_of(li) for li in page.cssselect("article ol.vragen > li")]
    assert questions[0] == expected["question"]
    assert questions[1] == f"{STRUCTURE}?"
    assert text_of(page.cssselect("title")[0]).startswith("Reflectievragen bo: \"x\" # y")
    intro = text_of(page.cssselect("article")[0])
    for line in LINES.split("\n"):
        assert line in intro, line
    assert "[klik](javascript:alert(4))" in intro
    voorwoord = lxml.html.fromstring((site / "voorwoord" / "index.html").read_bytes())
    assert text_of(voorwoord.cssselect("title")[0]).startswith(f"Voorwoord {SCRIPT}")
    assert voorwoord.cssselect('meta[name="description"]')[0].get("content") == f"Over {BREAKOUT}"
    menu = " ".join(text_of(a) for a in voorwoord.cssselect("nav.md-nav--primary label, nav.md-nav--primary a"))
    assert f"Onderzoek {HANDLER}" in menu
    assert f"Basisonderwijs {SCRIPT}" in menu  # the chapter's 'titel'
    assert f"“{STRUCTURE}”" in intro and f"Leerkracht {HANDLER}" in intro  # a quote among the questions
    footer = text_of(voorwoord.cssselect("footer")[0])
    assert f"KCR {BREAKOUT}" in footer
    glossary = lxml.html.fromstring((site / "begrippenlijst" / "index.html").read_bytes())
    assert f"{SCRIPT} {MARKDOWN}" in text_of(glossary.cssselect("article dl")[0])
    chapter = lxml.html.fromstring((site / "bo" / "index.html").read_bytes())
    titles = {a.text: a.get("title") for a in chapter.cssselect("article abbr")}
    assert titles["ICC’er"] == expected["abbr_title"]


def test_pdf_sheet_shows_payload_as_text(hostile_site) -> None:
    project, expected = hostile_site
    pdf = project / "site" / "downloads" / "reflectievragen-bo.pdf"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert expected["question"] in re.sub(r"\s+", " ", text)


@pytest.mark.browser
def test_hostile_site_in_chromium_runs_nothing_and_logs_no_error(browser, hostile_site) -> None:
    """Every page under the real Content-Security-Policy: no dialog opens (an injected
    alert would), no console error (a blocked injected script would log one), also
    when the abbreviation whose explanation holds a payload is hovered and focused."""
    project, _ = hostile_site
    site = project / "site"
    pages = sorted(p.relative_to(site).parent.as_posix() + "/" for p in site.rglob("index.html"))
    with serve_directory(site) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        dialogs, errors = [], []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: errors.append((page.url, message.text)) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append((page.url, str(error))))
        for path in pages:
            open_settled(page, urljoin(url, "" if path == "./" else path))
        page.goto(urljoin(url, "bo/"))
        abbreviation = page.locator("article abbr", has_text="ICC’er").first
        assert abbreviation.get_attribute("title") == "interne <img src=x onerror=alert(2)> coördinator"
        abbreviation.hover()
        abbreviation.focus()
        assert page.locator(".kcr-tooltip").inner_text() == "interne <img src=x onerror=alert(2)> coördinator"
        # Search results are another place where indexed text becomes HTML.
        open_search(page)
        assert type_search(page, "alert onerror")
        page.wait_for_timeout(500)
        context.close()
    assert not dialogs, dialogs
    assert not errors, errors


# --------------------------------------------------------------------------- files from outside the project


def test_symbolic_link_out_of_the_project_is_refused_and_never_read(project_copy, tmp_path) -> None:
    secret = tmp_path / "elders" / "geheim.yaml"
    secret.parent.mkdir()
    secret.write_text("GEHEIM-7f3a: wachtwoord\n", encoding="utf-8")
    (project_copy / "indicators" / "bo.yaml").unlink()
    (project_copy / "indicators" / "bo.yaml").symlink_to(secret)
    (project_copy / "content" / "begrippen.yaml").unlink()
    (project_copy / "content" / "begrippen.yaml").symlink_to(secret)
    (project_copy / "content" / "extra").symlink_to(secret.parent, target_is_directory=True)
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert "GEHEIM" not in output and "wachtwoord" not in output
    assert "indicators/bo.yaml: fout: dit is een snelkoppeling (symbolische link) naar een bestand buiten het project" in output
    assert "content/begrippen.yaml: fout: dit is een snelkoppeling (symbolische link) naar een bestand buiten het project" in output
    assert "content/extra: fout: dit is een snelkoppeling (symbolische link) naar een map buiten het project" in output
    assert "Traceback" not in output


def test_symbolic_link_inside_the_project_is_fine(project_copy) -> None:
    target = project_copy / "content" / "over-kcr.md"
    moved = project_copy / "content" / "onderzoek" / "over-kcr-bron.md"
    # the page stays where the menu expects it, as a link to a file elsewhere in the project
    target.rename(moved)
    target.symlink_to(moved)
    code, output = run_cli(["check"], project_copy)
    assert "snelkoppeling" not in output


def test_directory_instead_of_a_file(project_copy) -> None:
    (project_copy / "indicators" / "go.yaml").unlink()
    (project_copy / "indicators" / "go.yaml").mkdir()
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert "indicators/go.yaml: fout: dit is een map, geen bestand" in output
    assert "geen bestand indicators/go.yaml" not in output
