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
from datetime import date, datetime, timezone  # noqa: E402

import jsonschema  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

HOSTILE = ["", "a", "ë", "’", "“", "\"", "\\", "<", "</script>", "&amp;", "\n", "\r\n", "\t", "\u2028", "\u202e", "\u200b",
           "🎭", "=1+1", "{{ x }}", "${x}", "constructor", "__proto__", " "]
LIBRARY = ROOT / "templates" / "site" / "assets" / "javascripts" / "reflectie-logica.js"


HOSTILE += ["<script>alert(1)</script>", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u200f", "👩🏽‍🏫", "🇳🇱",
            "+31 6", "-1", "@SUM(A1)", "'", "\r", "\u0000", "\x1b", "\ufeff", "e\u0301", "\U0001d11e"]


def _utf16(text: str) -> int:
    """A text's length as the form counts it (JavaScript's .length, HTML maxlength: UTF-16 units)."""
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    """The longest start of `text` that fits `limit` UTF-16 units (what a field's maxlength lets through)."""
    units = 0
    for index, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def texts(limit: int):
    """Any text a field with maxlength `limit` can hold: arbitrary Unicode, hostile fragments
    (quotes, <script>, RTL marks, emoji, formula starts, newlines), and texts exactly at the limit."""
    piece = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
    short = st.lists(piece, max_size=10).map("".join)
    full = st.tuples(short, st.sampled_from(["x", "ë", "🎭", "\n", "\""])).map(lambda p: p[0] + p[1] * limit)
    return st.one_of(short, short, short, full).map(lambda t: _clip(t, limit))


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



# A long-lived Node process runs the form's own logic on one case per line (JSON in, JSON out): what
# the form saves (buildFile, then the text it offers: JSON.stringify(file, null, 2) + "\n"), that
# text read back (parseFile) and placed on today's questions (match), as fill() does.
ROUND_TRIP = """import * as logic from %s
import readline from "node:readline"
const lines = readline.createInterface({ input: process.stdin })
lines.on("line", line => {
  const { spec, state, moment } = JSON.parse(line)
  const file = logic.buildFile(spec, { ...state, answers: new Map(Object.entries(state.answers)) }, moment)
  const text = JSON.stringify(file, null, 2) + "\\n"
  const parsed = logic.parseFile(text, spec)
  const out = { text, error: parsed.error || null }
  if (parsed.data) {
    const matched = logic.match(spec, parsed.data)
    out.data = parsed.data
    out.placed = Object.fromEntries([...matched.answers].map(([id, a]) => [id, { option: a.option, saved: a.saved,
      reworded: a.reworded, renamed: a.renamed }]))
    out.removed = matched.removed
    out.marks = Object.fromEntries(logic.marks(spec, parsed.data).marks)
    out.empty = logic.isEmpty(parsed.data)
  }
  process.stdout.write(JSON.stringify(out) + "\\n")
})
"""

INSTRUMENTS = [(ROOT, name) for name in yaml.safe_load((ROOT / "site_config.yaml").read_text(encoding="utf-8"))["instrumenten"]] + \
    [(ROOT / "tests/fixtures/instrumenten", name) for name in
     yaml.safe_load((ROOT / "tests/fixtures/instrumenten/site_config.yaml").read_text(encoding="utf-8"))["instrumenten"]]


@pytest.fixture(scope="module")
def form_logic():
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "Node.js ontbreekt: sudo apt-get install -y nodejs"
    process = subprocess.Popen([node, "--input-type=module", "-e", ROUND_TRIP % json.dumps(LIBRARY.as_uri())], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def run(case: dict) -> dict:
        process.stdin.write(json.dumps(case) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        assert line, f"Node stopte (exit {process.poll()})"
        return json.loads(line)
    yield run
    process.stdin.close()
    process.wait(timeout=10)


def _state(spec: dict):
    """Everything a user can put in the form for this instrument, drawn by Hypothesis."""
    def answer(item):
        return st.fixed_dictionaries({
            "antwoord": st.sampled_from([None] + [o["id"] for o in item["options"]]) if item["options"] else st.none(),
            "tekst": texts(10000) if item["kind"] == "open" else st.just(""),
            "toelichting": texts(10000) if item["notes"] else st.just("")})
    day = st.one_of(st.just(""), st.dates(date(1900, 1, 1), date(9999, 12, 31)).map(date.isoformat))
    agreement = st.fixed_dictionaries({"wat": texts(2000), "wie": texts(500), "wanneer": texts(200)})
    return st.fixed_dictionaries({
        "gegevens": st.fixed_dictionaries({"school": texts(200), "project": texts(200), "datum": day, "aanwezigen": texts(2000)}),
        # any subset of the items answered (an item the user never touched is missing from the map)
        "answers": st.fixed_dictionaries({}, optional={item["id"]: answer(item) for item in spec["items"]}),
        "afspraken": st.lists(agreement, max_size=4),
        "volgende_reflectie": day})


@pytest.mark.parametrize("folder, instrument", INSTRUMENTS, ids=[f"{'kcr' if f == ROOT else f.name}-{i}" for f, i in INSTRUMENTS])
def test_what_the_form_writes_the_schema_accepts_and_the_form_opens_again(form_logic, folder, instrument) -> None:
    """Property (Hypothesis): whatever is filled in (any Unicode in every field, up to each field's
    maxlength), the file the form's own logic writes validates against the published JSON schema,
    opens again with the form's logic, and every answer, note, agreement, school detail and date
    comes back unchanged on the same question, with no question marked new, reworded or gone."""
    from publisher import reflection_form

    validator = jsonschema.Draft202012Validator(reflection_form.schema(publication_from_yaml(folder)),
                                                format_checker=jsonschema.FormatChecker())
    spec = _spec(folder, instrument)
    items = {item["id"]: item for item in spec["items"]}
    config = yaml.safe_load((folder / "site_config.yaml").read_text(encoding="utf-8"))

    # the KCR instruments have ~30 items each (more drawing per case): fewer cases, still every field
    @settings(max_examples=40 if len(items) < 15 else 20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(state=_state(spec), moment=st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=st.just(timezone.utc)))
    def round_trip(state, moment):
        moment = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        out = form_logic({"spec": spec, "state": state, "moment": moment})
        assert out["text"].endswith("}\n")
        file = json.loads(out["text"])
        errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(file)]
        assert not errors, errors
        assert out["error"] is None
        assert out["data"] == file  # the form reads back exactly what it wrote
        # what a user filled in, computed from the drawn state and the plain YAML, not from the code
        assert (file["formaat"], file["formaatversie"], file["instrument"]) == ("kcr-reflectie", 2, instrument)
        assert (file["publicatie"], file["editie"], file["opgeslagen"]) == (config["titel"], str(config["editie"]), moment)
        assert file["gegevens"] == state["gegevens"]
        assert file["volgende_reflectie"] == state["volgende_reflectie"]
        filled = any(a["wat"] or a["wie"] or a["wanneer"] for a in state["afspraken"])
        assert file["afspraken"] == (state["afspraken"] if filled else [])
        assert [a["id"] for a in file["antwoorden"]] == list(items)
        assert out["removed"] == [] and set(out["placed"]) == set(items)
        assert out["marks"] == {item_id: "" for item_id in items}  # nothing new, reworded or gone
        for item in spec["items"]:
            given_ = state["answers"].get(item["id"], {})
            placed = out["placed"][item["id"]]
            assert (placed["reworded"], placed["renamed"]) == (False, False)
            assert placed["option"] == (given_.get("antwoord") if item["options"] else None)
            saved = placed["saved"]
            assert (saved["nummer"], saved["vraag"], saved["soort"]) == (item["number"], item["text"], item["kind"])
            assert saved["tekst"] == (given_.get("tekst", "") if item["kind"] == "open" else "")
            assert saved["toelichting"] == (given_.get("toelichting", "") if item["notes"] else "")
        nothing = not (any(state["gegevens"].values()) or filled or state["volgende_reflectie"]
                       or any(v.get("antwoord") or v.get("tekst") or v.get("toelichting") for v in state["answers"].values()))
        assert out["empty"] == nothing

    round_trip()
