"""What the online form promised with edition 2025, kept through the instrument model (issue 17),
and its namespaces (issue 18), used in Chromium as a team and an advisor use the form:

- a reflection saved with edition 2025's form (format version 1, `tests/fixtures/beloften-2025/
  reflectie-*.json`) opens and compares without any message, and validates against the schema;
- the answers a team has in its browser from edition 2025's form (`opslag-*.json`) are there after
  the upgrade: moved once to the slot of this site and instrument, only when they belong to this
  publication; two sites on one host never share answers;
- an item renamed with `was:` keeps its earlier answers in open, compare and the overview;
- items called `project`, `school`, `datum`, `aanwezigen` or `constructor` are items like any
  other: the form's own fields keep their values, the comparison shows what was answered.

Expectations come from the fixture files and plain `yaml.safe_load` of the YAML, never from the
form's code."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlparse

import jsonschema
import pytest
import yaml

from conftest import ROOT, choose_files, copy_project, items_in_reading_order, run_cli, seed_pdf_cache, serve_directory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROMISES = ROOT / "tests" / "fixtures" / "beloften-2025"
TYPES = ("bo", "go", "vo-mbo")
RENAMED_BO = 2  # the index of the bo item the edited copy renames (with `was:`)
COLLIDING = ["project", "school", "datum", "aanwezigen", "constructor"]  # go's first items get these ids
OTHER_SITE = "https://example.org/andere-publicatie/"
OTHER_TITLE = "Een andere publicatie op hetzelfde domein"


def saved_file(type_id: str) -> dict:
    return json.loads((PROMISES / f"reflectie-{type_id}.json").read_text(encoding="utf-8"))


def storage_of(type_id: str) -> dict[str, str]:
    return json.loads((PROMISES / f"opslag-{type_id}.json").read_text(encoding="utf-8"))


def yaml_items(root: Path, type_id: str) -> list[dict]:
    """The items of an instrument in reading order, read with plain yaml.safe_load."""
    return items_in_reading_order(yaml.safe_load((root / "indicators" / f"{type_id}.yaml").read_text(encoding="utf-8")))


def rename(path: Path, renames: dict[str, str]) -> None:
    """Give items new ids in a YAML file, keeping the old ones under `was:` (text edit: comments stay)."""
    text = path.read_text(encoding="utf-8")
    for old, new in renames.items():
        text, count = re.subn(rf"^(\s*)- id: {re.escape(old)}\n", lambda m: f"{m[1]}- id: {new}\n{m[1]}  was: [{old}]\n",
                              text, flags=re.M)
        assert count == 1, old
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def edited(tmp_path_factory, built_project) -> dict:
    """A second publication on another path of the same host: the KCR project with one bo item
    renamed and go's first items called like the form's own fields, each with `was:` (built with
    the first build's caches, as on an editor's machine)."""
    root = copy_project(tmp_path_factory.mktemp("bewerkt") / "project")
    seed_pdf_cache(built_project, root)
    bo = yaml_items(root, "bo")
    go = yaml_items(root, "go")
    renamed = {bo[RENAMED_BO]["id"]: "hernoemde-vraag"}
    rename(root / "indicators" / "bo.yaml", renamed)
    colliding = {item["id"]: new for item, new in zip(go, COLLIDING)}
    rename(root / "indicators" / "go.yaml", colliding)
    config = root / "site_config.yaml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"^basis_url: .*$", f"basis_url: {OTHER_SITE}", text, count=1, flags=re.M)
    text = re.sub(r"^titel: .*$", f"titel: {OTHER_TITLE}", text, count=1, flags=re.M)
    config.write_text(text, encoding="utf-8")
    code, output = run_cli(["build"], root)
    assert code == 0, output
    return {"root": root, "site": root / "site", "renamed": renamed, "colliding": colliding}


@pytest.fixture(scope="module")
def host(site_dir, publication, edited, tmp_path_factory):
    """Both publications on one host, each under the path of its basis_url, as on a shared domain."""
    web = tmp_path_factory.mktemp("host")
    paths = {}
    for name, site, url in (("kcr", site_dir, publication.config.base_url), ("ander", edited["site"], OTHER_SITE)):
        prefix = urlparse(url).path.strip("/")
        (web / prefix).parent.mkdir(parents=True, exist_ok=True)
        (web / prefix).symlink_to(site, target_is_directory=True)
        paths[name] = prefix + "/"
    with serve_directory(web) as url:
        yield {name: urljoin(url, prefix) for name, prefix in paths.items()}


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL", accept_downloads=True)
    problems: list[str] = []
    context.on("page", lambda page: (page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None),
                                     page.on("pageerror", lambda e: problems.append(str(e)))))
    yield context
    assert problems == []
    context.close()


def form_state(page) -> dict:
    """Everything the page shows as filled in, read from the controls by their published ids."""
    return page.evaluate("""() => {
        const form = document.getElementById('kcr-reflectie')
        const result = {gegevens: {}, antwoorden: {}, afspraken: [], volgende: document.getElementById('kcr-volgende').value}
        for (const name of ['school', 'project', 'datum', 'aanwezigen'])
            result.gegevens[name] = document.getElementById('kcr-' + name).value
        for (const f of form.querySelectorAll('fieldset.kcr-vraag')) {
            const chosen = f.querySelector('input[type=radio]:checked')
            const notes = document.getElementById(f.id + '-toelichting')
            result.antwoorden[f.id] = [chosen ? chosen.value : null, notes ? notes.value : '']
        }
        for (const row of document.querySelectorAll('#kcr-afspraken fieldset'))
            result.afspraken.push([...row.querySelectorAll('input, textarea')].map(c => c.value))
        return result }""")


def expected_state(saved: dict, ids: dict[str, str] | None = None) -> dict:
    ids = ids or {}
    return {"gegevens": saved["gegevens"],
            "antwoorden": {ids.get(a["id"], a["id"]): [a["antwoord"], a["toelichting"]] for a in saved["antwoorden"]},
            "afspraken": [[a["wat"], a["wie"], a["wanneer"]] for a in saved["afspraken"]] or [["", "", ""]],
            "volgende": saved["volgende_reflectie"]}


# --------------------------------------------------------------------------- files of edition 2025


@pytest.mark.parametrize("type_id", TYPES)
def test_a_file_of_edition_2025_opens_and_compares_without_a_message(context, host, site_dir, type_id) -> None:
    saved = saved_file(type_id)
    jsonschema.validate(saved, json.loads((site_dir / "downloads" / "reflectie.schema.json").read_text(encoding="utf-8")))
    page = context.new_page()
    page.goto(urljoin(host["kcr"], f"{type_id}/invullen/"))
    shown = choose_files(page, "Bestand openen", PROMISES / f"reflectie-{type_id}.json")
    g = saved["gegevens"]
    assert g["datum"] == "2025-06-10"  # the snapshot's day, written out as the site writes dates:
    assert shown == f"Geopend: {g['school']}, 10 juni 2025, editie {saved['editie']}."  # nothing else to say
    assert form_state(page) == expected_state(saved)
    assert page.locator(".kcr-anders").count() == 0

    choose_files(page, "Vergelijken met een eerdere reflectie", PROMISES / f"reflectie-{type_id}.json")
    section = page.locator("#kcr-vergelijking")
    assert section.locator("tr.kcr-gemarkeerd").count() == 0  # nothing new, reworded or gone
    assert "undefined" not in section.inner_text()
    # per perspective: the same answers then and now, so nothing differs and the counts match the file
    yaml_data = yaml.safe_load((ROOT / "indicators" / f"{type_id}.yaml").read_text(encoding="utf-8"))
    answers = {a["id"]: a["antwoord"] for a in saved["antwoorden"]}
    options = [o["id"] for o in next(f for f in yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))
                                      ["antwoordvormen"] if f["id"] == "schaal")["opties"]]
    for perspective in yaml_data["secties"]:
        ids = [item["id"] for theme in perspective["secties"] for item in theme["items"]]
        chosen = [answers.get(i) for i in ids]
        expected = [str(chosen.count(o)) for o in options] + [str(chosen.count(None))]
        rows = section.locator(f"table.kcr-samenvatting tr[data-sectie='{perspective['id']}']")
        then, now = rows.nth(0).locator("td").all_inner_texts(), rows.nth(1).locator("td").all_inner_texts()
        assert then[0] == "toen" and then[1:1 + len(expected)] == expected
        assert now[0] == "nu" and now[1:1 + len(expected)] == expected
        assert then[-1] == "0"  # anders dan toen
    page.close()


# --------------------------------------------------------------------------- answers in the browser


def seed_storage(context, url: str, values: dict[str, str]) -> None:
    """Put values into the host's localStorage as edition 2025's form left them."""
    page = context.new_page()
    page.goto(url)
    page.evaluate("values => { for (const [k, v] of Object.entries(values)) localStorage.setItem(k, v) }", values)
    page.close()


def test_answers_in_the_browser_from_edition_2025_are_there_after_the_upgrade(context, host, publication) -> None:
    storage = {k: v for type_id in TYPES for k, v in storage_of(type_id).items()}
    assert set(storage) == {f"kcr-reflectie:{t}" for t in TYPES}
    seed_storage(context, host["kcr"], storage)
    site_path = urlparse(publication.config.base_url).path
    page = context.new_page()
    for type_id in TYPES:
        saved = json.loads(storage[f"kcr-reflectie:{type_id}"])
        page.goto(urljoin(host["kcr"], f"{type_id}/invullen/"))
        assert form_state(page) == expected_state(saved), type_id  # every answer, note, detail and agreement
        keys = page.evaluate("() => Object.keys(localStorage)")
        assert f"kcr-reflectie:{site_path}:{type_id}" in keys and f"kcr-reflectie:{type_id}" not in keys  # moved, once
        page.reload()
        assert form_state(page) == expected_state(saved), type_id
    # The other publication on this host found nothing of it: the old slots were not its answers.
    other = context.new_page()
    other.goto(urljoin(host["ander"], "bo/invullen/"))
    assert form_state(other)["gegevens"] == {"school": "", "project": "", "datum": "", "aanwezigen": ""}
    assert other.locator("form#kcr-reflectie input:checked").count() == 0


def test_old_answers_of_another_publication_stay_where_they_are(context, host) -> None:
    storage = storage_of("bo")
    seed_storage(context, host["ander"], storage)
    page = context.new_page()
    page.goto(urljoin(host["ander"], "bo/invullen/"))  # titled OTHER_TITLE: the old slot is not its own
    assert page.get_by_label("School").input_value() == ""
    assert page.evaluate("() => localStorage.getItem('kcr-reflectie:bo')") == storage["kcr-reflectie:bo"]


def test_two_sites_on_one_host_never_share_answers(context, host) -> None:
    first, second = context.new_page(), context.new_page()
    first.goto(urljoin(host["kcr"], "bo/invullen/"))
    first.get_by_label("School").fill("School van de eerste site")
    first.locator("form#kcr-reflectie input[type=radio]").first.click()
    second.goto(urljoin(host["ander"], "bo/invullen/"))
    assert second.get_by_label("School").input_value() == ""
    assert second.locator("form#kcr-reflectie input:checked").count() == 0
    second.get_by_label("School").fill("School van de tweede site")
    first.reload()
    second.reload()
    assert first.get_by_label("School").input_value() == "School van de eerste site"
    assert second.get_by_label("School").input_value() == "School van de tweede site"


# --------------------------------------------------------------------------- renamed items


def test_a_renamed_item_keeps_its_answers_in_open_compare_and_overview(context, host, edited, tmp_path) -> None:
    saved = saved_file("bo")
    (old, new), = edited["renamed"].items()
    before = next(a for a in saved["antwoorden"] if a["id"] == old)
    assert before["antwoord"], "the fixture answers the renamed item"
    page = context.new_page()
    page.goto(urljoin(host["ander"], "bo/invullen/"))
    assert page.locator(f"fieldset#{new}").get_attribute("data-was") == old
    assert page.locator(f"#{old}").count() == 1  # a link to the old anchor still lands on the page

    shown = choose_files(page, "Bestand openen", PROMISES / "reflectie-bo.json")
    assert "bestaan niet meer" not in shown and "anders geformuleerd" not in shown
    assert form_state(page) == expected_state(saved, edited["renamed"])

    choose_files(page, "Vergelijken met een eerdere reflectie", PROMISES / "reflectie-bo.json")
    section = page.locator("#kcr-vergelijking")
    assert section.locator("tr.kcr-gemarkeerd").count() == 0  # not new, not gone
    cells = section.locator(f"table.kcr-pervraag tr[data-vraag='{new}'] td").all_inner_texts()
    labels = {"ja": "ja", "deels": "deels", "nee": "nee", "nvt": "n.v.t."}
    assert cells[2].startswith(labels[before["antwoord"]]) and cells[3].startswith(labels[before["antwoord"]])

    second = json.loads(json.dumps(saved))
    for answer in second["antwoorden"]:
        answer["antwoord"] = "nee"
    other = tmp_path / "tweede.json"
    other.write_text(json.dumps(second), encoding="utf-8")
    choose_files(page, "Overzicht van meerdere scholen", [PROMISES / "reflectie-bo.json", other])
    row = page.locator(f"#kcr-overzicht tr[data-vraag='{new}'] td").all_inner_texts()
    counts = dict(zip(["ja", "deels", "nee", "nvt", None], map(int, row[2:7])))
    expected = {k: 0 for k in counts}
    expected[before["antwoord"]] += 1
    expected["nee"] += 1
    assert counts == expected


# --------------------------------------------------------------------------- items named like the form's fields


def test_items_named_like_the_forms_own_fields_are_items_like_any_other(context, host, edited, tmp_path) -> None:
    colliding = edited["colliding"]
    page = context.new_page()
    page.goto(urljoin(host["ander"], "go/invullen/"))
    for new in COLLIDING:
        assert page.locator(f"fieldset#{new}.kcr-vraag").count() == 1
    page.get_by_label("School", exact=True).fill("Mijn school")
    page.get_by_label("Project of traject").fill("Mijn project")
    page.get_by_label("Datum", exact=True).fill("2026-03-01")
    page.get_by_label("Aanwezigen").fill("Team")
    page.locator("#project-deels").click()
    page.locator("#school-ja").click()
    page.locator("#constructor-nee").click()
    page.locator("#datum-toelichting").fill("Notitie bij de vraag 'datum'")
    page.locator("#aanwezigen-toelichting").fill("Notitie bij de vraag 'aanwezigen'")
    page.reload()
    state = form_state(page)
    assert state["gegevens"] == {"school": "Mijn school", "project": "Mijn project", "datum": "2026-03-01", "aanwezigen": "Team"}
    assert state["antwoorden"]["project"] == ["deels", ""]
    assert state["antwoorden"]["school"] == ["ja", ""]
    assert state["antwoorden"]["constructor"] == ["nee", ""]
    assert state["antwoorden"]["datum"] == [None, "Notitie bij de vraag 'datum'"]
    assert state["antwoorden"]["aanwezigen"] == [None, "Notitie bij de vraag 'aanwezigen'"]

    with page.expect_download() as download:
        page.get_by_role("button", name="Opslaan als bestand").click()
    file = tmp_path / "go.json"
    download.value.save_as(file)
    data = json.loads(file.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((edited["site"] / "downloads" / "reflectie.schema.json").read_text(encoding="utf-8")))
    assert data["gegevens"] == {"school": "Mijn school", "project": "Mijn project", "datum": "2026-03-01", "aanwezigen": "Team"}
    answers = {a["id"]: a for a in data["antwoorden"]}
    assert (answers["project"]["antwoord"], answers["constructor"]["antwoord"]) == ("deels", "nee")

    # An earlier file with the old ids: its answers land on the renamed items, with their labels.
    saved = saved_file("go")
    choose_files(page, "Vergelijken met een eerdere reflectie", PROMISES / "reflectie-go.json")
    section = page.locator("#kcr-vergelijking")
    assert "undefined" not in section.inner_text()
    assert section.locator("tr.kcr-gemarkeerd").count() == 0
    labels = {"ja": "ja", "deels": "deels", "nee": "nee", "nvt": "n.v.t.", None: "geen antwoord"}
    for old, new in colliding.items():
        then = next(a for a in saved["antwoorden"] if a["id"] == old)
        cell = section.locator(f"table.kcr-pervraag tr[data-vraag='{new}'] td").nth(2).inner_text()
        assert cell == labels[then["antwoord"]] + (f": {then['toelichting']}" if then["toelichting"] else ""), new
