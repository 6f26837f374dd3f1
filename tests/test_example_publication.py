"""The example publication voorbeelden/lindeoord/ (issue 17, point 4): a second, complete
publication by a fictional centre with three instruments (open questions, a conversation
tool with nothing to fill in, a rubric). It is built as another centre would build it:
its own project folder, the tool's templates, one command (`--project`).

Expectations are computed from the example's YAML with plain `yaml.safe_load`, not with
the code under test."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, open_settled, run_cli, serve_directory

EXAMPLE = ROOT / "voorbeelden" / "lindeoord"


# --------------------------------------------------------------------------- expectations from the YAML


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def example_config() -> dict:
    return _yaml(EXAMPLE / "site_config.yaml")


def instruments() -> list[dict]:
    return [_yaml(EXAMPLE / "indicators" / f"{instrument_id}.yaml") for instrument_id in example_config()["instrumenten"]]


def items(instrument: dict) -> list[dict]:
    """Every item of an instrument, in reading order (sections depth first)."""
    def walk(sections: list[dict]) -> list[dict]:
        found = []
        for section in sections:
            found += walk(section.get("secties", []))
            found += section.get("items", [])
        return found
    return list(instrument.get("items", [])) + walk(instrument.get("secties", []))


def sections(instrument: dict) -> list[dict]:
    def walk(found: list[dict]) -> list[dict]:
        return [s for section in found for s in [section, *walk(section.get("secties", []))]]
    return walk(instrument.get("secties", []))


def answer_kind(instrument: dict) -> str:
    forms = {form["id"]: form["soort"] for form in example_config()["antwoordvormen"]}
    return forms[instrument["antwoordvorm"]]


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Text(HTMLParser):
    """The visible text of an HTML page (scripts, styles and hidden search metadata left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return normalised(html.unescape(" ".join(parser.parts)))


# --------------------------------------------------------------------------- the content itself


def test_example_has_the_three_kinds_of_instrument() -> None:
    """An evaluation guide with open questions in one level of sections, a conversation tool with
    nothing to fill in, and a rubric with four levels, each item describing every level."""
    by_kind = {answer_kind(instrument): instrument for instrument in instruments()}
    assert set(by_kind) == {"open", "geen", "rubriek"}
    assert len(by_kind["open"]["sectieniveaus"]) == 1
    assert len(by_kind["geen"]["sectieniveaus"]) >= 1
    rubric = by_kind["rubriek"]
    levels = [level["id"] for level in rubric["rubriekniveaus"]]
    assert len(levels) == 4
    for item in items(rubric):
        assert list(item["niveaus"]) == levels, item["id"]
    for instrument in instruments():
        assert 8 <= len(items(instrument)) <= 15, instrument["id"]


def test_example_config_has_its_own_identity() -> None:
    config = example_config()
    assert config["organisatie"] == "Cultuurhuis Lindeoord"
    assert ".example/" in config["basis_url"]  # a fictional address that can never be someone's site
    assert (EXAMPLE / config["huisstijl"]["logo"]).is_file()
    assert "@" in config["toegankelijkheid"]["contact"]


# --------------------------------------------------------------------------- the command line


def test_project_option_refuses_a_folder_without_site_config(tmp_path: Path) -> None:
    code, output = run_cli(["check", "--project", str(tmp_path / "bestaat-niet")], ROOT)
    assert code == 2
    assert "De map van de publicatie" in output and "bestaat niet" in output
    code, output = run_cli(["check", "--project", str(tmp_path)], ROOT)
    assert code == 2 and "heeft geen site_config.yaml" in output


def test_project_keeps_the_tool_files_apart(tmp_path: Path) -> None:
    """The editors' files and the output are the project's; templates, schema and the files the
    accessibility page reads are the tool's. A project without mkdocs.yml uses the tool's."""
    from publisher.project import Project

    project = Project.at(EXAMPLE, tool=ROOT)
    assert project.site_config == EXAMPLE / "site_config.yaml"
    assert project.content == EXAMPLE / "content" and project.indicators == EXAMPLE / "indicators"
    assert project.output == EXAMPLE / "site" and project.work == EXAMPLE / ".cache"
    assert project.templates == ROOT / "templates" and project.schema_dir == ROOT / "schema"
    assert project.requirements_lock == ROOT / "requirements.lock" and project.tests == ROOT / "tests"
    assert project.mkdocs_config == (EXAMPLE / "mkdocs.yml" if (EXAMPLE / "mkdocs.yml").is_file() else ROOT / "mkdocs.yml")
    assert project.name(EXAMPLE / "indicators" / "gesprek.yaml") == "indicators/gesprek.yaml"
    whole = Project.at(ROOT)
    assert whole.tool_root == whole.root == ROOT and whole.templates == ROOT / "templates"


def copy_example(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("site", ".cache", ".site.*", ".build.lock"))
    return target


def test_low_contrast_house_colour_is_refused_in_dutch(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "lindeoord")
    config = project / "site_config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('kleur: "#2f5d3a"', 'kleur: "#8fbc8f"'), encoding="utf-8")
    line = next(n for n, text in enumerate(config.read_text(encoding="utf-8").splitlines(), 1) if "#8fbc8f" in text)
    code, output = run_cli(["check", "--project", str(project)], ROOT)
    assert code == 1
    assert (f"site_config.yaml:{line}: fout: de kleur #8fbc8f heeft op wit een contrast van 2,15 : 1; "
            "dat moet minstens 4,50 : 1 zijn (WCAG AA)") in output


def test_missing_logo_and_malformed_colour_are_refused_in_dutch(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "lindeoord")
    config = project / "site_config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("logo-lindeoord.png", "weg.png"), encoding="utf-8")
    code, output = run_cli(["check", "--project", str(project)], ROOT)
    assert code == 1 and "fout: het logo content/afbeeldingen/weg.png bestaat niet" in output
    config.write_text(text.replace('accentkleur: "#8a3b12"', "accentkleur: rood"), encoding="utf-8")
    code, output = run_cli(["check", "--project", str(project)], ROOT)
    assert code == 1 and "is geen geldige kleur" in output


def test_house_colour_contrast_is_computed_as_wcag_does() -> None:
    from publisher.validate import contrast_with_white

    assert round(contrast_with_white("#767676"), 2) == 4.54  # the well-known lightest AA grey
    assert round(contrast_with_white("#000000"), 2) == 21.0
    assert contrast_with_white("#777777") < 4.5


# --------------------------------------------------------------------------- check and build


def test_example_check_passes() -> None:
    code, output = run_cli(["check", "--project", str(EXAMPLE)], ROOT)
    assert code == 0, output
    assert " fout:" not in output and "waarschuwing:" not in output, output


@pytest.fixture(scope="module")
def built_example(tmp_path_factory) -> Path:
    """A copy of the example, built once with the documented command's Python equivalent."""
    project = copy_example(tmp_path_factory.mktemp("voorbeeld") / "lindeoord")
    code, output = run_cli(["build", "--project", str(project)], ROOT)
    assert code == 0, output
    return project


@pytest.mark.slow
def test_example_build_writes_site_sheets_and_exports(built_example: Path) -> None:
    site = built_example / "site"
    assert (site / "index.html").is_file() and (site / "404.html").is_file()
    assert (site / "pagefind" / "pagefind-entry.json").is_file()  # search
    downloads = site / "downloads"
    for instrument in instruments():
        assert (site / instrument["id"] / "reflectievragen" / "index.html").is_file(), instrument["id"]
        assert (downloads / f"reflectievragen-{instrument['id']}.pdf").is_file(), instrument["id"]
        if answer_kind(instrument) != "geen":  # something to fill in: a fillable sheet
            assert (downloads / f"reflectievragen-{instrument['id']}-invulbaar.pdf").is_file(), instrument["id"]
        for suffix in ("csv", "json", "xlsx", "docx"):
            assert (downloads / f"reflectievragen-{instrument['id']}.{suffix}").is_file(), (instrument["id"], suffix)
    assert not (ROOT / "site" / "lindeoord").exists()  # nothing written into the tool's own site


@pytest.mark.slow
def test_example_pages_contain_every_item_section_and_level(built_example: Path) -> None:
    site = built_example / "site"
    for instrument in instruments():
        text = page_text(site / instrument["id"] / "reflectievragen" / "index.html")
        for section in sections(instrument):
            assert normalised(section["titel"]) in text, (instrument["id"], section["id"])
        for item in items(instrument):
            assert normalised(item["tekst"]) in text, (instrument["id"], item["id"])
            for level_id, description in item.get("niveaus", {}).items():
                assert normalised(description) in text, (instrument["id"], item["id"], level_id)
        for level in instrument.get("rubriekniveaus", []):
            assert level["label"] in text, (instrument["id"], level["id"])


@pytest.mark.slow
def test_example_item_anchors_are_the_yaml_ids(built_example: Path) -> None:
    """Every item id is an anchor of its instrument's page (a shared link goes to the question)."""
    site = built_example / "site"
    for instrument in instruments():
        source = (site / instrument["id"] / "reflectievragen" / "index.html").read_text(encoding="utf-8")
        for item in items(instrument):
            assert re.search(rf'id="{re.escape(item["id"])}"', source), (instrument["id"], item["id"])


@pytest.mark.slow
def test_example_instrument_with_a_source_credits_it(built_example: Path) -> None:
    site = built_example / "site"
    for instrument in instruments():
        if "bron" not in instrument:
            continue
        text = page_text(site / instrument["id"] / "reflectievragen" / "index.html")
        assert instrument["bron"]["eigenaar"] in text and instrument["bron"]["titel"] in text, instrument["id"]


@pytest.mark.slow
def test_example_exports_hold_every_item(built_example: Path) -> None:
    downloads = built_example / "site" / "downloads"
    for instrument in instruments():
        exported = json.loads((downloads / f"reflectievragen-{instrument['id']}.json").read_text(encoding="utf-8"))
        dumped = json.dumps(exported, ensure_ascii=False)
        csv_text = (downloads / f"reflectievragen-{instrument['id']}.csv").read_text(encoding="utf-8-sig")
        for item in items(instrument):
            assert f'"{item["id"]}"' in dumped and item["tekst"] in dumped, (instrument["id"], item["id"])
            assert item["id"] in csv_text, (instrument["id"], item["id"])


@pytest.mark.slow
def test_example_print_sheets_hold_every_item(built_example: Path) -> None:
    downloads = built_example / "site" / "downloads"
    for instrument in instruments():
        pdf = downloads / f"reflectievragen-{instrument['id']}.pdf"
        text = normalised(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
        for item in items(instrument):
            assert normalised(item["tekst"]) in text, (instrument["id"], item["id"])


@pytest.mark.slow
def test_example_site_has_the_house_style(built_example: Path) -> None:
    """The colour and logo of site_config.yaml reach every page; the KCR site has neither."""
    site = built_example / "site"
    style = example_config()["huisstijl"]
    css = (site / "assets" / "stylesheets" / "huisstijl.css").read_text(encoding="utf-8")
    assert f"--kcr-teal: {style['kleur']};" in css and f"--kcr-magenta: {style['accentkleur']};" in css
    logo = style["logo"].removeprefix("content/")
    assert (site / logo).read_bytes() == (EXAMPLE / style["logo"]).read_bytes()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "assets/stylesheets/huisstijl.css" in home and logo in home
    assert "Cultuurhuis Lindeoord" in home


def test_kcr_site_configuration_has_no_house_style() -> None:
    """Without 'huisstijl' the KCR site is built exactly as before (no extra stylesheet, own logo)."""
    assert "huisstijl" not in _yaml(ROOT / "site_config.yaml")


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def example_url(built_example: Path, tmp_path_factory):
    from urllib.parse import urlparse

    prefix = urlparse(example_config()["basis_url"]).path.strip("/")
    root = tmp_path_factory.mktemp("voorbeeld-web")
    (root / prefix).parent.mkdir(parents=True, exist_ok=True)
    (root / prefix).symlink_to(built_example / "site", target_is_directory=True)
    with serve_directory(root) as url:
        yield url + prefix + "/"


def example_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix()[: -len("index.html")]
                  for p in site.rglob("index.html") if "pagefind" not in p.parts)


@pytest.mark.browser
@pytest.mark.slow
def test_example_pages_have_no_wcag21_aa_violations(browser, built_example, example_url) -> None:
    from test_browser import run_axe

    # axe-core is an inline script, which the site's policy forbids: this context alone bypasses it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    problems = {}
    try:
        for path in example_pages(built_example / "site"):
            page.goto(example_url + path)
            violations = run_axe(page)
            if violations:
                problems[path] = violations
    finally:
        context.close()
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.slow
def test_example_pages_load_under_the_csp_without_errors_or_external_requests(browser, built_example,
                                                                              example_url) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    requested, errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append((page.url, message.text)) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append((page.url, str(error))))
    try:
        for path in example_pages(built_example / "site"):
            open_settled(page, example_url + path)
    finally:
        context.close()
    assert not errors, errors
    external = [u for u in requested if not u.startswith(example_url) and not u.startswith(("data:", "blob:"))]
    assert not external, external


@pytest.mark.browser
@pytest.mark.slow
def test_example_header_shows_the_house_colour_and_logo(browser, example_url) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(example_url)
        colour = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
        red, green, blue = (int(example_config()["huisstijl"]["kleur"][i:i + 2], 16) for i in (1, 3, 5))
        assert colour == f"rgb({red}, {green}, {blue})"
        assert page.evaluate("document.querySelector('.md-header__button.md-logo img').naturalWidth") > 0
    finally:
        page.close()


def test_sheets_take_the_house_colour_and_the_kcr_sheets_stay_as_they_were() -> None:
    from publisher.project import Project
    from publisher.sheets import sheet_source
    from publisher.validate import load_publication

    example = load_publication(Project.at(EXAMPLE, tool=ROOT))
    assert not example.errors, "\n".join(map(str, example.errors))
    colour = example_config()["huisstijl"]["kleur"]
    for instrument in example.publication.instruments:
        assert f"--kleur: {colour};" in sheet_source(Project.at(EXAMPLE, tool=ROOT), example.publication, instrument).html
    kcr = load_publication(Project.at(ROOT)).publication
    assert "--kleur:" not in sheet_source(Project.at(ROOT), kcr, kcr.instruments[0]).html


def test_a_project_in_a_subfolder_has_its_source_version_and_base(tmp_path: Path) -> None:
    """`--project voorbeelden/lindeoord` in a Git checkout: outputs are stamped with the commit,
    and `check --base` reads the example's own files of that version (not the whole repository)."""
    from publisher.project import Project
    from publisher.repository import RevisionError, _git, extract_revision, source_revision

    if _git(ROOT, "rev-parse", "--verify", "--quiet", "HEAD:voorbeelden/lindeoord") is None:
        pytest.skip("geen Git-checkout met het voorbeeld erin")
    project = Project.at(EXAMPLE, tool=ROOT)
    head = _git(ROOT, "rev-parse", "HEAD").strip()
    assert source_revision(project).commit == head
    extract_revision(project, "HEAD", tmp_path / "basis")
    assert (tmp_path / "basis" / "site_config.yaml").read_bytes() == _git_bytes(f"HEAD:voorbeelden/lindeoord/site_config.yaml")
    assert not (tmp_path / "basis" / "voorbeelden").exists() and not (tmp_path / "basis" / "publisher").exists()
    first = _git(ROOT, "rev-list", "--max-parents=0", "HEAD").split()[0]
    with pytest.raises(RevisionError, match="bestaat niet in de versie"):
        extract_revision(project, first, tmp_path / "oud")


def _git_bytes(spec: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), "show", spec], capture_output=True, check=True).stdout


def test_annotations_of_a_project_in_a_subfolder_name_the_repository_path(tmp_path: Path) -> None:
    """In a pull request GitHub puts an annotation on `voorbeelden/lindeoord/site_config.yaml`,
    not on the KCR publication's `site_config.yaml`."""
    from publisher.check import repository_paths
    from publisher.problems import error
    from publisher.project import Project
    from publisher.repository import _git

    if _git(ROOT, "rev-parse", "--show-toplevel") is None:
        pytest.skip("geen Git-checkout")
    found = [error("site_config.yaml", 3, "x"), error("templates/pages/downloads.md.j2", None, "y"),
             error("gesprek/reflectievragen.md (gemaakt door de bouw)", None, "z")]
    named = [p.file for p in repository_paths(Project.at(EXAMPLE, tool=ROOT), found)]
    assert named == ["voorbeelden/lindeoord/site_config.yaml", "templates/pages/downloads.md.j2",
                     "gesprek/reflectievragen.md (gemaakt door de bouw)"]
    assert repository_paths(Project.at(ROOT), found) == found


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.toegankelijkheid("Een rubriek op de pagina met vragen: een tabel met kopcellen voor niveaus en onderdelen op een groot scherm, "
                              "op een telefoon (390 pixels) per onderdeel elk niveau met zijn naam, zonder zijwaarts scrollen",
                              hulpmiddel="Chromium", pakket="playwright", wcag=["1.3.1", "1.4.10"])
@pytest.mark.parametrize("width", [1280, 390])
def test_rubric_is_a_table_of_levels_on_its_page(browser, example_url, width) -> None:
    """Rows are the items (a row header 'N. text'), columns the levels (column headers), each
    cell the item's description of that level: all from the YAML."""
    rubric = next(i for i in instruments() if answer_kind(i) == "rubriek")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.goto(example_url + f"{rubric['id']}/reflectievragen/")
    table = page.locator("article .kcr-rubriektabel table")
    assert table.count() == 1
    levels = rubric["rubriekniveaus"]
    headers = [t.strip() for t in table.locator("thead th[scope=col]").all_text_contents()]
    assert headers[1:] == [level["label"] for level in levels]
    rows = table.locator("tbody tr")
    numbered = list(enumerate(items(rubric), start=1))
    assert rows.count() == len(numbered)
    for index, (number, item) in enumerate(numbered):
        row = rows.nth(index)
        assert row.get_attribute("id") == item["id"]
        assert normalised(row.locator("th[scope=row]").inner_text()) == normalised(f"{number}. {item['tekst']}")
        cells = [normalised(c) for c in row.locator("td").all_inner_texts()]
        shown = [f"{level['label']}: {item['niveaus'][level['id']]}" if width == 390 else item["niveaus"][level["id"]]
                 for level in levels]
        assert cells == [normalised(text) for text in shown]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    context.close()
