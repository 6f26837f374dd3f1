"""Every tool reachable from the text (issue 21, point 6): the first page of each chapter and
each reflection page link the instrument's reflection questions, its online form and its
sheets (print and, when there is something to fill in, fillable), with link texts that name
the instrument. Checked in Chromium on the KCR site, the fixture publication with open,
geen and rubric instruments, and the example publication of another centre; expectations
from the YAML (`yaml.safe_load`), not from the code that makes the links."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from conftest import FIXTURE_PROJECTS, ROOT, built_fixture_project, copy_project, run_cli, serve_directory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PUBLICATIONS = {"kcr": ROOT, "instrumenten": FIXTURE_PROJECTS / "instrumenten", "lindeoord": ROOT / "voorbeelden" / "lindeoord"}


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_tools(source: Path) -> list[dict]:
    """Per instrument of a publication's YAML: its pages and the links they must carry."""
    config = _yaml(source / "site_config.yaml")
    kinds = {form["id"]: form["soort"] for form in config["antwoordvormen"]}
    result = []
    for instrument_id in config["instrumenten"]:
        data = _yaml(source / "indicators" / f"{instrument_id}.yaml")

        def forms(sections, data=data):
            for section in sections:
                yield from forms(section.get("secties", []))
                for item in section.get("items", []):
                    yield item.get("antwoordvorm", data["antwoordvorm"])
        item_forms = [item.get("antwoordvorm", data["antwoordvorm"]) for item in data.get("items", [])]
        item_forms += list(forms(data.get("secties", [])))
        pages = data.get("paginas", [])
        first = pages[0] if pages and pages[0] != "reflectievragen.md" else None
        result.append({
            "id": instrument_id, "name": data["naam"],
            "fillable": any(kinds[form] != "geen" for form in item_forms),
            "pages": ([f"{instrument_id}/{'' if first == 'index.md' else first.removesuffix('.md') + '/'}"] if first else [])
                     + [f"{instrument_id}/reflectievragen/"]})
    return result


def _build(source: Path, target: Path) -> Path:
    """A project with the tool's files of this repository and `source`'s publication."""
    copy_project(target)
    for folder in ("content", "indicators", "gepubliceerd"):
        shutil.rmtree(target / folder, ignore_errors=True)
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder)
    shutil.copy2(source / "site_config.yaml", target / "site_config.yaml")
    return target


@pytest.fixture(scope="module", params=list(PUBLICATIONS))
def publication_site(request, tmp_path_factory):
    """(YAML folder, URL of the built site served under its basis_url path)."""
    name = request.param
    source = PUBLICATIONS[name]
    if name == "kcr":
        yield source, request.getfixturevalue("site_url")
        return
    if name == "instrumenten":
        root = built_fixture_project(name, tmp_path_factory, request.getfixturevalue("worker_id"))
    else:
        root = _build(source, tmp_path_factory.mktemp(name) / "project")
        code, output = run_cli(["build"], root)
        assert code == 0, output
    prefix = urlparse(_yaml(source / "site_config.yaml")["basis_url"]).path.strip("/")
    web = tmp_path_factory.mktemp(f"{name}-web")
    (web / prefix).parent.mkdir(parents=True, exist_ok=True)
    (web / prefix).symlink_to(root / "site", target_is_directory=True)
    with serve_directory(web) as url:
        yield source, urljoin(url, prefix + "/")


@pytest.mark.parametrize("width", [390, 1280])
def test_chapter_and_reflection_pages_link_form_and_both_sheets(browser, publication_site, width) -> None:
    source, site_url = publication_site
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    page = context.new_page()
    checked = 0
    for instrument in expected_tools(source):
        name = instrument["name"].casefold()
        targets = {"form": urljoin(site_url, f"{instrument['id']}/invullen/"),
                   "print": urljoin(site_url, f"downloads/reflectievragen-{instrument['id']}.pdf"),
                   "fillable": urljoin(site_url, f"downloads/reflectievragen-{instrument['id']}-invulbaar.pdf"),
                   "questions": urljoin(site_url, f"{instrument['id']}/reflectievragen/")}
        for path in instrument["pages"]:
            url = urljoin(site_url, path)
            assert page.goto(url).status == 200, url
            links = page.locator("article a[href]").evaluate_all(
                "links => links.map(a => ({href: a.href, text: a.innerText.replace(/\\s+/g, ' ').trim(),"
                " visible: a.getClientRects().length > 0, right: a.getBoundingClientRect().right}))")
            by_target = {}
            for link in links:
                by_target.setdefault(link["href"].split("#")[0], []).append(link)
            wanted = {"form": "invullen" if instrument["fillable"] else "", "print": "afdrukken", "fillable": "invulbaar"}
            if url != targets["questions"]:
                wanted["questions"] = ""
            for kind, word in wanted.items():
                found = [link for link in by_target.get(targets[kind], [])
                         if link["visible"] and word in link["text"] and link["right"] <= width
                         and (kind == "questions" or name in link["text"].casefold())]
                assert found, (path, kind, by_target.get(targets[kind]))
            for kind in wanted:  # the link opens what it promises
                response = page.request.get(targets[kind])
                assert response.status == 200, targets[kind]
                if kind in ("print", "fillable"):
                    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF-")
            checked += 1
    context.close()
    assert checked >= len(expected_tools(source))


def test_the_sites_own_link_check_checks_the_tool_links(monkeypatch) -> None:
    """The links of the tool block go through `check` like an editor's links: a wrong target
    is refused with the page it stands on."""
    from markupsafe import Markup

    from publisher import pages

    made = pages.tool_links
    monkeypatch.setattr(pages, "tool_links",
                        lambda *args: Markup(str(made(*args)).replace("invullen.md", "invullen-weg.md")))
    code, output = run_cli(["check"], ROOT)
    assert code == 1
    assert "bo/index.md" in output and "invullen-weg.md" in output, output
