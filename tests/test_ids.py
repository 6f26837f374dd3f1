"""Ids that survive editions (issue 17): the edition's id map, the registry of published ids
(gepubliceerd/<editie>.json, written by `build.py ids`) and `check`, which refuses a model that
drops a published id without `was:` or `vervallen:`.

Expectations come from the snapshot of edition 2025 (tests/fixtures/beloften-2025/, taken
before the instrument model) and from the YAML read with plain yaml.safe_load, never from the
code under test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import ROOT, fixture_project, items_in_reading_order, run_cli
from publisher.project import Project

SNAPSHOT_DIR = ROOT / "tests" / "fixtures" / "beloften-2025"
SNAPSHOT = json.loads((SNAPSHOT_DIR / "ids.json").read_text(encoding="utf-8"))
REGISTRY = json.loads((ROOT / "gepubliceerd" / "2025.json").read_text(encoding="utf-8"))
BASE_URL = "https://kc-r.nl/reflectievragen-impactonderzoek-cmk3/"


def yaml_file(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def yaml_items(instrument: dict) -> list[dict]:
    """Every item of an instrument file in reading order (0–2 section levels)."""
    return items_in_reading_order(instrument)


def yaml_sections(instrument: dict) -> list[dict]:
    found = []

    def walk(sections):
        for section in sections:
            found.append(section)
            walk(section.get("secties", []))
    walk(instrument.get("secties", []))
    return found


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if line.startswith(text))


# --------------------------------------------------------------------------- the registry of edition 2025


def test_registry_2025_holds_every_id_that_edition_2025_published() -> None:
    """gepubliceerd/2025.json names exactly the instruments, sections, items and answers of the
    2025 snapshot, and each at the place the snapshot saw it: anchors on the reflection and form
    pages, PDF field names and states, downloads, and the ids in saved reflections."""
    assert REGISTRY["editie"] == SNAPSHOT["editie"] == "2025"
    assert REGISTRY["basis_url"] == BASE_URL
    instruments = {i["id"]: i for i in REGISTRY["instrumenten"]}
    assert list(instruments) == ["bo", "go", "vo-mbo"]
    scale = next(f for f in REGISTRY["antwoordvormen"] if f["id"] == "schaal")
    option_ids = [o["id"] for o in scale["opties"]]
    assert option_ids == ["ja", "deels", "nee", "nvt"]
    for type_id, instrument in instruments.items():
        saved = json.loads((SNAPSHOT_DIR / f"reflectie-{type_id}.json").read_text(encoding="utf-8"))
        assert instrument["opgeslagen_bestand"] == f"schooltype: {saved['schooltype']}"
        assert [item["id"] for item in instrument["items"]] == [a["id"] for a in saved["antwoorden"]]
        assert [item["nummer"] for item in instrument["items"]] == [a["nummer"] for a in saved["antwoorden"]]
        assert [item["opgeslagen_id"] for item in instrument["items"]] == [a["id"] for a in saved["antwoorden"]]
        assert {a["antwoord"] for a in saved["antwoorden"]} - {None} <= set(option_ids)
        for page in instrument["paginas"]:
            assert f"{page}index.html" in SNAPSHOT["paginas"]
        assert set(instrument["bestanden"]) <= set(SNAPSHOT["downloads"])
        fields = SNAPSHOT["pdf_velden"][instrument["reflectieblad"]]
        for entry in instrument["secties"] + instrument["items"]:
            assert entry["was"] == []
            for address in entry["ankers"]:
                page, anchor = address.split("#")
                assert anchor in SNAPSHOT["ankers"][f"{page}index.html"], address
        for item in instrument["items"]:
            assert item["pdf_velden"] == [f"{type_id}-{item['id']}", f"{type_id}-{item['id']}-toelichting"]
            assert sorted(fields[item["pdf_velden"][0]]) == sorted(option_ids)
        # every item field of the 2025 sheet is in the registry (the others are the sheet's own fields)
        item_fields = {f for f in fields if f.startswith(f"{type_id}-")}
        assert item_fields == {f for item in instrument["items"] for f in item["pdf_velden"]}


def test_registry_2025_matches_the_yaml() -> None:
    """The same ids, sections and texts as the YAML files (read with yaml.safe_load)."""
    for instrument in REGISTRY["instrumenten"]:
        data = yaml_file(ROOT / "indicators" / f"{instrument['id']}.yaml")
        assert [(s["id"], s["titel"]) for s in instrument["secties"]] == [(s["id"], s["titel"]) for s in yaml_sections(data)]
        assert [(i["id"], i["tekst"]) for i in instrument["items"]] == [(i["id"], i["tekst"]) for i in yaml_items(data)]
        assert instrument["sectieniveaus"] == data["sectieniveaus"]


def test_registry_and_schema_are_valid_and_committed_schema_is_current() -> None:
    from publisher.ids import schema_text

    committed = (ROOT / "schema" / "ids.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "Run: python build.py schema"
    jsonschema.validate(REGISTRY, json.loads(committed))
    broken = json.loads(json.dumps(REGISTRY))
    broken["instrumenten"][0]["items"][0]["id"] = "Geen Slug"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json.loads(committed))


def test_build_ids_writes_the_registry_of_the_current_edition(project_copy) -> None:
    """`build.py ids` writes every promise of the committed registry of 2025 (checked against the
    snapshot above) again, each where it was published; after adding an item it is listed too;
    with an error in the YAML nothing is written."""
    target = project_copy / "gepubliceerd" / "2025.json"
    target.unlink()
    code, output = run_cli(["ids"], project_copy)
    assert code == 0, output
    assert "gepubliceerd/2025.json" in output
    written = json.loads(target.read_text(encoding="utf-8"))
    # only where each id is published is compared: texts, labels and numbers may change between editions
    options = {(f["id"], o["id"]) for f in written["antwoordvormen"] for o in f["opties"]}
    assert {(f["id"], o["id"]) for f in REGISTRY["antwoordvormen"] for o in f["opties"]} <= options
    now = {i["id"]: i for i in written["instrumenten"]}
    for instrument in REGISTRY["instrumenten"]:
        for key in ("paginas", "bestanden", "reflectieblad", "opgeslagen_bestand"):
            assert now[instrument["id"]][key] == instrument[key]
        items = {item["id"]: item for item in now[instrument["id"]]["items"]}
        sections = {section["id"]: section for section in now[instrument["id"]]["secties"]}
        for item in instrument["items"]:
            for key in ("ankers", "pdf_velden", "opgeslagen_id"):
                assert items[item["id"]][key] == item[key], (item["id"], key)
        for section in instrument["secties"]:
            assert sections[section["id"]]["ankers"] == section["ankers"]

    first = yaml_items(yaml_file(project_copy / "indicators" / "go.yaml"))[0]["id"]
    replace_once(project_copy / "indicators" / "go.yaml", f"          - id: {first}\n", "          - id: nieuwe-vraag\n"
                 f"            tekst: Is er een nieuwe vraag?\n          - id: {first}\n")
    code, output = run_cli(["ids"], project_copy)
    assert code == 0, output
    go = next(i for i in json.loads(target.read_text(encoding="utf-8"))["instrumenten"] if i["id"] == "go")
    assert go["items"][0]["id"] == "nieuwe-vraag"

    before = target.read_bytes()
    replace_once(project_copy / "indicators" / "go.yaml", "id: nieuwe-vraag\n", "id: Nieuwe Vraag\n")
    code, output = run_cli(["ids"], project_copy)
    assert code == 1 and "Ids niet vastgelegd" in output
    assert target.read_bytes() == before


def test_ids_command_has_dutch_help() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "build.py", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert "ids: de vaste ids van deze editie vastleggen in gepubliceerd/<editie>.json" in " ".join(result.stdout.split())


# --------------------------------------------------------------------------- check keeps the promises


def test_renaming_an_item_without_was_fails_and_names_the_id(project_copy) -> None:
    bo = project_copy / "indicators" / "bo.yaml"
    replace_once(bo, "          - id: herkenning\n", "          - id: herkenning-leerlingen\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    line = line_of(bo, "          - id: herkenning-leerlingen")  # the same question under its new id: the line to go to
    expected = (f"indicators/bo.yaml:{line}: fout: het item 'herkenning' (vraag 1: 'Ervaren leerlingen herkenning?') is "
                "gepubliceerd in editie 2025 (gepubliceerd/2025.json), maar bestaat niet meer in 'bo': de pagina's "
                f"{BASE_URL}bo/reflectievragen/#herkenning en {BASE_URL}bo/invullen/#herkenning, de PDF-velden "
                "bo-herkenning en bo-herkenning-toelichting in reflectievragen-bo-invulbaar.pdf en opgeslagen reflecties "
                "(antwoord met id 'herkenning') verwijzen ernaar")
    assert expected in output, output
    assert ("Met dezelfde vraag staat er nu het item 'herkenning-leerlingen' (op deze regel): is dat hetzelfde item met een nieuwe id? "
            "Zet dan 'was: [herkenning]' bij 'herkenning-leerlingen'") in output
    assert "'- {id: herkenning, reden: …}'" in output
    assert output.count(": fout: ") == 1, output


def test_renaming_an_item_with_was_passes_and_the_id_map_keeps_its_history(project_copy) -> None:
    from publisher.ids import id_map
    from publisher.project import Project
    from publisher.validate import load_publication

    replace_once(project_copy / "indicators" / "bo.yaml", "          - id: herkenning\n",
                 "          - id: herkenning-leerlingen\n            was: [herkenning]\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 0, output
    loaded = load_publication(Project.at(project_copy))
    bo = next(i for i in id_map(loaded.publication).instrumenten if i.id == "bo")
    item = next(i for i in bo.items if i.id == "herkenning-leerlingen")
    assert item.was == ["herkenning"] and item.nummer == 1
    assert item.pdf_velden == ["bo-herkenning-leerlingen", "bo-herkenning-leerlingen-toelichting"]

    # and once this edition's ids are recorded, the old id stays promised through the new item's was:
    code, output = run_cli(["ids"], project_copy)
    assert code == 0, output
    replace_once(project_copy / "indicators" / "bo.yaml", "            was: [herkenning]\n", "")
    code, output = run_cli(["check"], project_copy)
    assert code == 1 and "het item 'herkenning' (vraag 1" in output


def test_retiring_an_item_with_a_reason_passes(project_copy) -> None:
    bo = project_copy / "indicators" / "bo.yaml"
    text = bo.read_text(encoding="utf-8")
    start = text.index("          - id: trots-eigen-groei\n")
    end = text.index("\n", text.index("tekst:", start)) + 1
    bo.write_text(text[:start] + text[end:], encoding="utf-8")
    code, output = run_cli(["check"], project_copy)
    assert code == 1 and "het item 'trots-eigen-groei'" in output
    replace_once(bo, "structuur: impactdriehoek\n", "structuur: impactdriehoek\nvervallen:\n"
                 "  - id: trots-eigen-groei\n    reden: Opgegaan in talenten-rollen-zichtbaar.\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 0, output


def test_renaming_a_section_without_was_fails(project_copy) -> None:
    go = project_copy / "indicators" / "go.yaml"
    theme = yaml_sections(yaml_file(go))[1]["id"]  # the first theme
    replace_once(go, f"      - id: {theme}\n", f"      - id: {theme}-nieuw\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert (f"indicators/go.yaml:{line_of(go, f'      - id: {theme}-nieuw')}: fout: de sectie '{theme}' (thema) is gepubliceerd in editie 2025 "
            f"(gepubliceerd/2025.json), maar bestaat niet meer in 'go': links naar {BASE_URL}go/reflectievragen/#{theme} "
            f"en {BASE_URL}go/invullen/#{theme} werken dan niet meer") in output
    replace_once(go, f"      - id: {theme}-nieuw\n", f"      - id: {theme}-nieuw\n        was: [{theme}]\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 0, output


def test_removing_a_published_instrument_fails(project_copy) -> None:
    config = project_copy / "site_config.yaml"
    replace_once(config, "  - vo-mbo\n", "")
    (project_copy / "indicators" / "vo-mbo.yaml").unlink()
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert (f"site_config.yaml:{line_of(config, 'instrumenten:')}: fout: het instrument 'vo-mbo' (Voortgezet onderwijs en mbo) "
            f"is gepubliceerd in editie 2025 (gepubliceerd/2025.json), maar staat niet meer in 'instrumenten': de pagina's "
            f"{BASE_URL}vo-mbo/reflectievragen/ en {BASE_URL}vo-mbo/invullen/, de bestanden reflectievragen-vo-mbo.pdf") in output
    assert "Zet '- vo-mbo' terug onder 'instrumenten'" in output


def test_renaming_an_answer_option_needs_was(project_copy) -> None:
    """The label may change freely; the id is a PDF state and a saved answer."""
    config = project_copy / "site_config.yaml"
    replace_once(config, "        label: n.v.t.\n", "        label: niet van toepassing\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 0, output
    replace_once(config, "      - id: nvt\n", "      - id: niet-van-toepassing\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert (f"site_config.yaml:{line_of(config, '  - id: schaal')}: fout: het antwoord 'nvt' (n.v.t.) van antwoordvorm "
            "'schaal' is gepubliceerd in editie 2025 (gepubliceerd/2025.json), maar bestaat niet meer") in output
    replace_once(config, "      - id: niet-van-toepassing\n", "      - id: niet-van-toepassing\n        was: [nvt]\n")
    code, output = run_cli(["check"], project_copy)
    assert code == 0, output


# --------------------------------------------------------------------------- the fixture publication: rubric, permission


@pytest.fixture
def instruments_project(tmp_path) -> Path:
    return fixture_project("instrumenten", tmp_path / "instrumenten")


def record_ids(project: Path) -> None:
    """What `build.py ids` records, made from the model alone (the fixture's pages are checked too,
    and are not what this tests)."""
    from publisher.ids import write_registry
    from publisher.model import Glossary, Instrument, Publication, SiteConfig

    config = SiteConfig.model_validate(yaml_file(project / "site_config.yaml"))
    instruments = [Instrument.model_validate(yaml_file(project / "indicators" / f"{i}.yaml")) for i in config.instruments]
    glossary = Glossary.model_validate(yaml_file(project / "content" / "begrippen.yaml"))
    write_registry(Project.at(project), Publication(config=config, instruments=instruments, glossary=glossary))


def test_renaming_a_rubric_level_needs_was(instruments_project) -> None:
    record_ids(instruments_project)
    registry = json.loads((instruments_project / "gepubliceerd" / "2026.json").read_text(encoding="utf-8"))
    rubric = next(i for i in registry["instrumenten"] if i["id"] == "rubriek")
    levels = [level["id"] for level in yaml_file(instruments_project / "indicators" / "rubriek.yaml")["rubriekniveaus"]]
    assert [level["id"] for level in rubric["rubriekniveaus"]] == levels
    gesprek = next(i for i in registry["instrumenten"] if i["id"] == "gesprek")
    filled = [item for item in gesprek["items"] if item["pdf_velden"]]
    assert [(item["antwoordvorm"], item["opgeslagen_id"]) for item in filled] == [("open", filled[0]["id"])]
    assert filled[0]["pdf_velden"] == [f"gesprek-{filled[0]['id']}-antwoord"]  # an open item's text field
    assert all(item["opgeslagen_id"] is None for item in gesprek["items"] if item not in filled)

    rubriek = instruments_project / "indicators" / "rubriek.yaml"
    text = rubriek.read_text(encoding="utf-8").replace("  - id: voorbeeld\n", "  - id: voorbeeldig\n")
    rubriek.write_text(text.replace("      voorbeeld: ", "      voorbeeldig: "), encoding="utf-8")
    code, output = run_cli(["check"], instruments_project)
    assert code == 1
    assert (f"indicators/rubriek.yaml:{line_of(rubriek, '  - id: voorbeeldig')}: fout: het rubriekniveau 'voorbeeld' "
            "(Voorbeeldschool) is gepubliceerd in editie 2026 (gepubliceerd/2026.json)") in output  # the same label, renamed
    assert "Met hetzelfde label staat er nu het niveau 'voorbeeldig' (op deze regel)" in output
    replace_once(rubriek, "  - id: voorbeeldig\n", "  - id: voorbeeldig\n    was: [voorbeeld]\n")
    code, output = run_cli(["check"], instruments_project)
    assert "gepubliceerd" not in output, output


def test_permission_requested_is_refused_on_its_line(instruments_project) -> None:
    rubriek = instruments_project / "indicators" / "rubriek.yaml"
    replace_once(rubriek, "  toestemming: verleend\n", "  toestemming: aangevraagd\n")
    code, output = run_cli(["check"], instruments_project)
    assert code == 1
    assert (f"indicators/rubriek.yaml:{line_of(rubriek, '  toestemming:')}: fout: het instrument 'rubriek' is van "
            "Testcentrum Cultuuronderwijs en de toestemming is 'aangevraagd', niet 'verleend'") in output
    assert "Publiceer een instrument van een ander pas met schriftelijke toestemming van de eigenaar" in output
    code, output = run_cli(["build"], instruments_project)
    assert code == 1 and "toestemming" in output and not (instruments_project / "site").exists()


def test_a_damaged_registry_is_reported(project_copy) -> None:
    (project_copy / "gepubliceerd" / "2024.json").write_text("{\"formaat\": \"iets anders\"}", encoding="utf-8")
    code, output = run_cli(["check"], project_copy)
    assert code == 1
    assert "gepubliceerd/2024.json: fout: dit bestand met gepubliceerde ids kan niet gelezen worden" in output


@pytest.mark.slow
def test_the_build_publishes_the_id_map(site_dir) -> None:
    published = json.loads((site_dir / "downloads" / "ids.json").read_text(encoding="utf-8"))
    schema = json.loads((site_dir / "downloads" / "ids.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(published, schema)
    assert published == REGISTRY  # the current model's ids are edition 2025's
    assert re.fullmatch(r"[^<>]*", (site_dir / "downloads" / "ids.json").read_text(encoding="utf-8"))


def test_the_editors_guide_uses_the_keys_of_the_instrument_model() -> None:
    """Every YAML example in docs/redacteuren.md reads as YAML and none uses a key of the old model."""
    guide = (ROOT / "docs" / "redacteuren.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", guide, flags=re.S)
    assert len(blocks) >= 8
    old_keys = re.compile(r"^\s*(- )?(vraag|vragen|themas|perspectieven|schooltypen|antwoordschaal):", re.M)
    for block in blocks:
        assert not old_keys.search(block), block
        yaml.safe_load(block.replace("…", "x"))
    for command in ("python build.py ids", "was: [herkenning]", "vervallen:", "toestemming: aangevraagd",
                    "soort: keuze", "soort: open", "soort: geen", "soort: rubriek", "sectieniveaus"):
        assert command in guide, command
