"""What the online form's page shows (`reflection_form.form_view`), its storage key and the answer
ids of the published schema, against expectations computed from the plain YAML (yaml.safe_load)
of the fixture publications: every heading (level, id, text with its number and the structure's
question word), every item (number, id, text, kind, notes, earlier ids, top section, choices with
their labels, earlier ids and rubric descriptions). No site is built and no browser is started:
fast, so it is one of the mutation tool's targets (bench/mutate.py); the browser tests
(tests/test_reflection_form.py) show the same page as a team sees it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml

from conftest import PUBLICATION_FOLDERS, load_yaml, publication_from_yaml
from publisher import reflection_form

FOLDERS = PUBLICATION_FOLDERS


CASES = [(name, instrument) for name, folder in FOLDERS.items() if (folder / "site_config.yaml").exists()
         for instrument in load_yaml(folder / "site_config.yaml")["instrumenten"]]


def _expected(folder, instrument_id: str) -> dict:
    config = load_yaml(folder / "site_config.yaml")
    data = load_yaml(folder / "indicators" / f"{instrument_id}.yaml")
    forms = {f["id"]: f for f in config["antwoordvormen"]}
    words = {}
    if data.get("structuur"):
        structure = next(s for s in config["structuren"] if s["id"] == data["structuur"])
        words = {s["id"]: s["vraagwoord"] for s in structure["secties"]}

    def walk(sections, above):
        for section in sections:
            yield from walk(section.get("secties", []), above + [section])
            for item in section.get("items", []):
                yield above + [section], item

    top_number = {s["id"]: n for n, s in enumerate(data.get("secties", []), start=1)}
    blocks, seen = [], set()
    for number, (chain, item) in enumerate([([], i) for i in data.get("items", [])] + list(walk(data.get("secties", []), [])),
                                           start=1):
        for depth, section in enumerate(chain):
            if section["id"] in seen:
                continue
            seen.add(section["id"])
            title = section["titel"].strip()
            if depth == 0:
                title = f"{top_number[section['id']]}. " + (f"{words[section['id']]} – {title}" if words else title)
            blocks.append(("kop", 2 if depth == 0 else 3, section["id"], title, section.get("was", [])))
        form = forms[item.get("antwoordvorm", data["antwoordvorm"])]
        if form["soort"] == "keuze":
            choices = [(o["id"], o["label"], o.get("was", []), None) for o in form["opties"]]
        elif form["soort"] == "rubriek":
            choices = [(level["id"], level["label"], level.get("was", []), item.get("niveaus", {}).get(level["id"], ""))
                       for level in data["rubriekniveaus"]]
        else:
            choices = []
        blocks.append(("item", number, item["id"], " ".join(item["tekst"].split()), form["soort"],
                       bool(form.get("toelichting")) and form["soort"] != "geen", item.get("was", []),
                       chain[0]["id"] if chain else None, choices))
    levels = data.get("sectieniveaus") or ["onderdeel"]
    source = data.get("bron")
    credit = None
    if source:
        credit = f"Naar: {source['titel']}, {source['eigenaar']}" + (f" ({source['licentie']})" if source.get("licentie") else "")
    path = urlsplit(config["basis_url"]).path or "/"
    return {"title": f"Reflectie invullen {data.get('afkorting') or data['naam']}", "credit": credit, "path": path,
            "label": levels[0][:1].upper() + levels[0][1:], "blocks": blocks,
            "key": f"kcr-reflectie:{path}:{instrument_id}"}


@pytest.fixture(scope="module")
def publications() -> dict:
    return {name: publication_from_yaml(folder) for name, folder in FOLDERS.items() if (folder / "site_config.yaml").exists()}


@pytest.mark.parametrize("name, instrument_id", CASES)
def test_the_form_page_shows_every_heading_and_item_as_in_the_yaml(publications, name, instrument_id) -> None:
    publication = publications[name]
    instrument = publication.instrument(instrument_id)
    expected = _expected(FOLDERS[name], instrument_id)
    view = reflection_form.form_view(publication, instrument)
    shown = []
    for block in view.blocks:
        if block.is_heading:
            shown.append(("kop", block.level, block.id, block.text, block.was))
        else:
            shown.append(("item", block.number, block.id, block.text, block.kind, block.notes, block.was,
                          block.top_section, [(c.id, c.label, c.was, c.description) for c in block.choices]))
            assert block.fillable == (block.kind != "geen")
            assert block.has_choices == (block.kind in ("keuze", "rubriek"))
    assert shown == expected["blocks"]
    assert [i.id for i in view.items] == [b[2] for b in expected["blocks"] if b[0] == "item"]
    assert (view.title, view.credit, view.site_path, view.summary_label) == (
        expected["title"], expected["credit"], expected["path"], expected["label"])
    assert view.instrument is instrument
    assert reflection_form.storage_key(publication, instrument) == expected["key"]


@pytest.mark.parametrize("name", sorted(n for n, f in FOLDERS.items() if (f / "site_config.yaml").exists()))
def test_the_schema_names_this_editions_answer_ids(publications, name) -> None:
    folder = FOLDERS[name]
    config = load_yaml(folder / "site_config.yaml")
    options = [i for form in config["antwoordvormen"] for o in form.get("opties", []) for i in (o["id"], *o.get("was", []))]
    levels = [i for instrument in config["instrumenten"]
              for level in load_yaml(folder / "indicators" / f"{instrument}.yaml").get("rubriekniveaus", [])
              for i in (level["id"], *level.get("was", []))]
    schema = reflection_form.schema(publications[name])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{config['basis_url']}downloads/reflectie.schema.json"
    assert schema["title"] == f"Opgeslagen reflectie ({config['titel']})"
    assert "discriminator" not in schema
    assert "Formaatversie 2" in schema["description"]

    def allowed(definition):
        any_of = schema["$defs"][definition]["properties"]["antwoord"]["anyOf"]
        assert any_of[-1] == {"type": "null"}
        return any_of[0]["enum"] if len(any_of) == 2 else []

    assert allowed("AnswerV1") == list(dict.fromkeys(options))
    assert allowed("Answer") == list(dict.fromkeys(options + levels))
    assert schema["$defs"]["Answer"]["properties"]["antwoord"]["description"].startswith("keuze: de id")
    text = reflection_form.schema_text(publications[name])
    assert text.endswith("}\n") and yaml.safe_load(text) == schema


def test_edge_cases_of_an_edited_publication() -> None:
    """The instrumenten fixture edited in memory: a non-ASCII title, a 'geen' form that asks for notes
    (its items still have none), a rubric item without a description for one level, no choice
    options at all (a version 1 file can then hold no answer)."""
    from types import SimpleNamespace

    from publisher.model import Glossary, Instrument, Publication, SiteConfig

    folder = FOLDERS["instrumenten"]
    config = load_yaml(folder / "site_config.yaml")
    config["titel"] = "Léren – ‘samen’"
    for form in config["antwoordvormen"]:
        if form["soort"] == "geen":
            form["toelichting"] = True
    instruments = {i: load_yaml(folder / "indicators" / f"{i}.yaml") for i in config["instrumenten"]}
    rubric = instruments["rubriek"]
    first_level = rubric["rubriekniveaus"][0]["id"]
    rubric["items"][0]["niveaus"].pop(first_level)
    publication = Publication(config=SiteConfig.model_validate(config), glossary=Glossary.model_validate(load_yaml(folder / "content" / "begrippen.yaml")),
                              instruments=[Instrument.model_validate(instruments[i]) for i in config["instrumenten"]])
    for instrument in publication.instruments:
        for item in reflection_form.form_view(publication, instrument).items:
            if item.kind == "geen":
                assert item.notes is False
    view = reflection_form.form_view(publication, publication.instrument("rubriek"))
    assert view.items[0].choices[0].description == ""
    schema = reflection_form.schema(publication)
    assert schema["$defs"]["AnswerV1"]["properties"]["antwoord"]["anyOf"] == [{"type": "null"}]
    assert schema["description"] == (
        "Een reflectie die een schoolteam op de site invulde en met 'Opslaan' bewaarde. Formaatversie 2 (per "
        "instrument); formaatversie 1 is het formaat van editie 2025 (per schooltype). Antwoorden zijn ids van "
        "opties of rubriekniveaus.")
    text = reflection_form.schema_text(publication)
    assert "Léren – ‘samen’" in text  # written as it is, not as \\u escapes
    lines = text.split("\n")
    assert lines[0] == "{" and lines[1].startswith('  "') and not lines[1].startswith('   ')  # two spaces

    def sorted_keys(pairs):
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    import json
    json.loads(text, object_pairs_hook=sorted_keys)
    # A site at the root of its host: the storage namespace is '/'.
    assert reflection_form.site_path(SimpleNamespace(config=SimpleNamespace(base_url="https://example.org"))) == "/"
