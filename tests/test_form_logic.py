"""The online form's logic (templates/site/assets/javascripts/reflectie-logica.js, an ES module
without DOM access) is unit-tested in Node's test runner over many generated cases:
tests/js/*.test.mjs. This runs them as part of `./dev test`; `node --test tests/js/` runs them
alone (well under a second)."""

from __future__ import annotations

import shutil
import subprocess

from conftest import ROOT, publication_from_yaml


def test_form_logic_in_nodes_test_runner() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "Node.js ontbreekt: sudo apt-get install -y nodejs"
    result = subprocess.run([node, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    summary = [line for line in result.stdout.splitlines() if line.startswith(("# tests", "# pass", "# fail"))]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in summary and any(line.startswith("# pass") and int(line.split()[-1]) > 0 for line in summary), summary


# --------------------------------------------------------------------------- the form's writer against the published schema

import json  # noqa: E402
import random  # noqa: E402

import jsonschema  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

HOSTILE = ["", "a", "ë", "’", "“", "\"", "\\", "<", "</script>", "&amp;", "\n", "\r\n", "\t", "\u2028", "\u202e", "\u200b",
           "🎭", "=1+1", "{{ x }}", "${x}", "constructor", "__proto__", " "]
LIBRARY = ROOT / "templates" / "site" / "assets" / "javascripts" / "reflectie-logica.js"


def _text(rng: random.Random, limit: int) -> str:
    text = "".join(rng.choice(HOSTILE) for _ in range(rng.randint(0, 12)))
    return text if rng.random() > 0.02 else "x" * limit  # sometimes exactly at the limit


def _spec(folder, instrument: str) -> dict:
    """What the page tells the script about an instrument, computed from plain YAML."""
    config = yaml.safe_load((folder / "site_config.yaml").read_text(encoding="utf-8"))
    data = yaml.safe_load((folder / "indicators" / f"{instrument}.yaml").read_text(encoding="utf-8"))
    forms = {f["id"]: f for f in config["antwoordvormen"]}
    items = []

    def walk(sections, top):
        for section in sections:
            yield from walk(section.get("secties", []), top or section["id"])
            for item in section.get("items", []):
                yield item, top or section["id"]
    for number, (item, top) in enumerate([(i, None) for i in data.get("items", [])] + list(walk(data.get("secties", []), None)),
                                         start=1):
        form = forms[item.get("antwoordvorm", data["antwoordvorm"])]
        if form["soort"] == "geen":
            continue
        options = (form.get("opties", []) if form["soort"] == "keuze" else data.get("rubriekniveaus", []))
        items.append({"id": item["id"], "number": number, "text": " ".join(item["tekst"].split()), "kind": form["soort"],
                      "notes": bool(form.get("toelichting")), "section": top, "was": item.get("was", []),
                      "options": [{"id": o["id"], "label": o["label"], "was": o.get("was", [])}
                                  for o in (options if form["soort"] != "open" else [])]})
    return {"instrument": instrument, "publicatie": config["titel"], "editie": str(config["editie"]), "sitePath": "/",
            "instrumentName": data["naam"], "sectionLabel": "Sectie",
            "sections": [{"id": s["id"], "label": s["titel"]} for s in data.get("secties", [])], "items": items}


@pytest.mark.parametrize("folder, instrument", [("", "bo"), ("tests/fixtures/instrumenten", "leidraad"),
                                                ("tests/fixtures/instrumenten", "gesprek"),
                                                ("tests/fixtures/instrumenten", "rubriek")])
def test_what_the_form_writes_the_schema_accepts_and_the_form_opens_again(folder, instrument) -> None:
    """Generated answers with hostile text in every field: the file the form's code writes
    validates against the published schema, opens again, and holds exactly what was filled in."""
    from publisher import reflection_form

    node = shutil.which("node") or shutil.which("nodejs")
    root = ROOT / folder
    schema = reflection_form.schema(publication_from_yaml(root))
    spec = _spec(root, instrument)
    rng = random.Random(f"{folder}:{instrument}")
    states = []
    for _ in range(60):
        answers = {item["id"]: {"antwoord": rng.choice([None] + [o["id"] for o in item["options"]]) if item["options"] else None,
                                "tekst": _text(rng, 10000), "toelichting": _text(rng, 10000)} for item in spec["items"]}
        states.append({"gegevens": {"school": _text(rng, 200), "project": _text(rng, 200), "datum": rng.choice(["", "2026-05-01"]),
                                    "aanwezigen": _text(rng, 2000)},
                       "answers": answers,
                       "afspraken": [{"wat": _text(rng, 2000), "wie": _text(rng, 500), "wanneer": _text(rng, 200)}
                                     for _ in range(rng.randint(0, 3))],
                       "volgende_reflectie": rng.choice(["", "2027-01-31"])})
    script = ("import * as logic from " + json.dumps(LIBRARY.as_uri()) + "\n"
              "let input = ''\nprocess.stdin.on('data', d => input += d)\nprocess.stdin.on('end', () => {\n"
              "  const {spec, states} = JSON.parse(input)\n"
              "  const out = states.map(s => { const file = logic.buildFile(spec, {...s, answers: new Map(Object.entries(s.answers))},"
              " '2026-05-01T10:00:00.000Z'); const again = logic.validate(JSON.parse(JSON.stringify(file)), spec);"
              " return {file, error: again.error || null} })\n"
              "  process.stdout.write(JSON.stringify(out)) })\n")
    result = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps({"spec": spec, "states": states}),
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    for state, written in zip(states, json.loads(result.stdout)):
        file = written["file"]
        jsonschema.validate(file, schema)
        assert written["error"] is None
        assert (file["formaatversie"], file["instrument"], file["gegevens"]) == (2, instrument, state["gegevens"])
        for item, answer in zip(spec["items"], file["antwoorden"]):
            given = state["answers"][item["id"]]
            assert (answer["id"], answer["nummer"], answer["vraag"], answer["soort"]) == (item["id"], item["number"], item["text"], item["kind"])
            assert answer["antwoord"] == (given["antwoord"] if item["options"] else None)
            assert answer["tekst"] == (given["tekst"] if item["kind"] == "open" else "")
            assert answer["toelichting"] == (given["toelichting"] if item["notes"] else "")
        filled = any(a["wat"] or a["wie"] or a["wanneer"] for a in state["afspraken"])
        assert file["afspraken"] == (state["afspraken"] if filled else [])
