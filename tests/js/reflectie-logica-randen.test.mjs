// The form's logic at its edges (issue 20, found by Stryker: bench/mutate.py js): the exact Dutch
// messages of a refused file, the limits (500 answers, 100 agreements, number 999), what a
// version 1 file becomes, optional fields, what an answer says in words, when a form is empty,
// file names, the names of schools in an overview. Every expectation is written here by hand.

import { test } from "node:test"
import assert from "node:assert/strict"
import path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const logic = await import(path.join(here, "..", "..", "templates", "site", "assets", "javascripts", "reflectie-logica.js"))

const SCALE = [{ id: "ja", label: "ja", was: ["yes"] }, { id: "nee", label: "nee", was: ["yes", "no"] }]
function spec() {
  return {
    instrument: "bo", publicatie: "P", editie: "2026", sitePath: "/", instrumentName: "Basis", sectionLabel: "Sectie",
    sections: [],
    items: [
      { id: "een", number: 1, text: "Een?", kind: "keuze", notes: true, section: null, was: ["oud-een"], options: SCALE },
      { id: "twee", number: 2, text: "Twee?", kind: "open", notes: true, section: null, was: [], options: [] },
      { id: "drie", number: 3, text: "Drie?", kind: "rubriek", notes: false, section: null, was: [],
        options: [{ id: "laag", label: "Laag", was: [] }, { id: "hoog", label: "Hoog", was: [] }] },
    ],
  }
}
function file(extra = {}) {
  return Object.assign({
    formaat: "kcr-reflectie", formaatversie: 2, publicatie: "P", editie: "2026", instrument: "bo",
    opgeslagen: "2026-01-01T00:00:00.000Z", gegevens: { school: "S", project: "", datum: "", aanwezigen: "" },
    antwoorden: [], afspraken: [], volgende_reflectie: "",
  }, extra)
}
const answer = (id, extra = {}) => Object.assign({ id, nummer: 1, vraag: "Een?", soort: "keuze", antwoord: null, tekst: "",
                                                   toelichting: "" }, extra)

test("validate: the version and instrument messages name what the file says", () => {
  const s = spec()
  const message = (v) => "Dit bestand is gemaakt met een " + v
  assert.equal(logic.validate(file({ formaatversie: 3 }), s).error,
    message("nieuwere") + " versie van het formulier (versie 3). Open het met de site waarop het is opgeslagen.")
  assert.equal(logic.validate(file({ formaatversie: 0 }), s).error,
    message("andere") + " versie van het formulier (versie 0). Open het met de site waarop het is opgeslagen.")
  assert.equal(logic.validate(file({ formaatversie: "3" }), s).error,
    message("andere") + " versie van het formulier (versie 3). Open het met de site waarop het is opgeslagen.")
  assert.ok(logic.validate(file({ formaatversie: { a: 1 } }), s).error.includes("(versie …)"))
  assert.ok(logic.validate(file({ formaatversie: null }), s).error.includes("(versie null)"))
  assert.ok(logic.validate(file({ formaatversie: "x".repeat(50) }), s).error.includes("(versie " + "x".repeat(20) + ")"))
  assert.equal(logic.validate(file({ instrument: "go" }), s).error,
    "Dit bestand hoort bij een ander instrument (go). Open het op de pagina ‘Reflectie invullen’ daarvan.")
  for (const input of [null, [], "x", 5]) assert.equal(logic.validate(input, s).error, "Dit is geen opgeslagen reflectie van deze site.")
})

test("validate: per answer the message names its place; exact limits", () => {
  const s = spec()
  assert.equal(logic.validate(file({ antwoorden: [answer("een"), answer("een")] }), s).error,
    "Antwoord 2 in dit bestand hoort bij een vraag die al eerder in het bestand staat (‘een’).")
  assert.equal(logic.validate(file({ antwoorden: [answer("twee", { soort: "open" }), answer("een", { antwoord: "misschien" })] }), s).error,
    "Antwoord 2 in dit bestand (‘misschien’) staat niet bij de antwoordmogelijkheden van vraag 1 (ja, nee).")
  assert.equal(logic.validate(file({ antwoorden: [answer("een"), answer("abc!")] }), s).error, "Antwoord 2 in dit bestand is beschadigd.")
  assert.equal(logic.validate(file({ antwoorden: [null] }), s).error, "Antwoord 1 in dit bestand is beschadigd.")
  assert.equal(logic.validate(file({ antwoorden: [answer("een", { nummer: 999 })] }), s).error, undefined)
  assert.equal(logic.validate(file({ antwoorden: [answer("een", { nummer: 1000 })] }), s).error, "Antwoord 1 in dit bestand is beschadigd.")
  const many = (n) => Array.from({ length: n }, (_, i) => answer("x-" + i))
  assert.equal(logic.validate(file({ antwoorden: many(500) }), s).data.antwoorden.length, 500)
  assert.equal(logic.validate(file({ antwoorden: many(501) }), s).error, "De antwoorden of afspraken in dit bestand zijn beschadigd.")
  const rows = (n) => Array.from({ length: n }, () => ({ wat: "a", wie: "", wanneer: "" }))
  assert.equal(logic.validate(file({ afspraken: rows(100) }), s).data.afspraken.length, 100)
  assert.equal(logic.validate(file({ afspraken: rows(101) }), s).error, "De antwoorden of afspraken in dit bestand zijn beschadigd.")
  assert.equal(logic.validate(file({ afspraken: [{ wat: "a", wie: "b", wanneer: "" }, { wat: "a", wie: 5, wanneer: "" }] }), s).error,
    "Afspraak 2 in dit bestand is beschadigd.")
  assert.equal(logic.validate(file({ afspraken: [null] }), s).error, "Afspraak 1 in dit bestand is beschadigd.")
})

test("validate: optional fields become '', agreements and answers keep only their own fields", () => {
  const s = spec()
  const input = file({ antwoorden: [{ id: "een", nummer: 1, vraag: "Een?", soort: "keuze", antwoord: "yes" }],
                       afspraken: [{ wat: "a", wie: "b", wanneer: "c", extra: 1 }] })
  delete input.opgeslagen
  delete input.volgende_reflectie
  assert.deepEqual(logic.validate(input, s).data, {
    formaat: "kcr-reflectie", formaatversie: 2, publicatie: "P", editie: "2026", instrument: "bo", opgeslagen: "",
    gegevens: { school: "S", project: "", datum: "", aanwezigen: "" },
    antwoorden: [{ id: "een", nummer: 1, vraag: "Een?", soort: "keuze", antwoord: "yes", tekst: "", toelichting: "" }],
    afspraken: [{ wat: "a", wie: "b", wanneer: "c" }], volgende_reflectie: "",
  })
  const v1 = file({ formaatversie: 1, schooltype: "bo", antwoorden: [{ id: "twee", nummer: 2, vraag: "Twee?", antwoord: null,
                                                                       toelichting: "n", tekst: "weg", soort: "open" }] })
  delete v1.instrument
  assert.deepEqual(logic.validate(v1, s).data.antwoorden,
    [{ id: "twee", nummer: 2, vraag: "Twee?", soort: null, antwoord: null, tekst: "", toelichting: "n" }])
})

test("parseFile and planRestore", () => {
  const s = spec()
  assert.deepEqual(logic.parseFile("{", s), { error: "geen geldig JSON-bestand", json: false })
  assert.deepEqual(logic.parseFile(JSON.stringify(file()), s), logic.validate(file(), s))
  const stored = JSON.stringify(file({ gegevens: { school: "Eigen", project: "", datum: "", aanwezigen: "" } }))
  const legacy = JSON.stringify(file({ gegevens: { school: "Oud", project: "", datum: "", aanwezigen: "" } }))
  assert.equal(logic.planRestore(s, stored, legacy).data.gegevens.school, "Eigen")
  for (const broken of ["", "{", null, undefined, "5"]) {
    const plan = logic.planRestore(s, broken, legacy)
    assert.equal(plan.data.gegevens.school, "Oud")
    assert.equal(plan.migrated, true)
  }
  assert.equal(logic.planRestore(s, null, JSON.stringify(file({ publicatie: "Andere" }))), null)
})

test("lookups: an option's earlier id belongs to the first option that names it; an unknown item has no options", () => {
  const s = spec()
  assert.equal(logic.findOption(s, s.items[0], "yes").id, "ja")
  assert.equal(logic.findOption(s, s.items[0], "no").id, "nee")
  assert.equal(logic.findOption(s, s.items[0], "ja").id, "ja")
  assert.equal(logic.findOption(s, s.items[0], null), null)
  assert.equal(logic.findOption(s, { id: "onbekend" }, "ja"), null)
  const bare = { items: [{ id: "kaal", number: 1, text: "K", kind: "open" }] } // no was, no options
  assert.equal(logic.findItem(bare, "kaal").id, "kaal")
  assert.equal(logic.findItem(bare, "Stryker was here"), null)
  assert.equal(logic.findOption(bare, bare.items[0], "Stryker was here"), null)
  const plain = { items: [{ id: "k", number: 1, text: "K", kind: "keuze", was: [], options: [{ id: "a", label: "A" }] }] }
  assert.equal(logic.findOption(plain, plain.items[0], "a").id, "a")
  assert.equal(logic.findOption(plain, plain.items[0], "Stryker was here"), null)
  assert.deepEqual(logic.unionOptions([{ options: undefined }, { options: [{ id: "a", label: "eerst" }] },
                                       { options: [{ id: "a", label: "later" }, { id: "b", label: "B" }] }]),
    [{ id: "a", label: "eerst" }, { id: "b", label: "B" }])
})

test("match: an answer under the item's own id wins in either order", () => {
  const s = spec()
  for (const order of [[0, 1], [1, 0]]) {
    const answers = [answer("een", { antwoord: "ja" }), answer("oud-een", { antwoord: "nee" })]
    const data = logic.validate(file({ antwoorden: order.map((k) => answers[k]) }), s).data
    const landed = logic.match(s, data).answers.get("een")
    assert.equal(landed.option, "ja")
    assert.equal(landed.renamed, false)
  }
})

test("overview: a written answer of only spaces is not counted as written", () => {
  const s = spec()
  const data = (tekst) => logic.validate(file({ antwoorden: [answer("twee", { soort: "open", tekst })] }), s).data
  const rows = logic.overview(s, [data("   "), data(" x "), data("")])
  assert.equal(rows[1].written, 1)
})

test("buildFile: nothing filled in is null or '', an open item never carries an option", () => {
  const s = spec()
  const state = { gegevens: { school: "", project: "", datum: "", aanwezigen: "" }, afspraken: [],
                  answers: new Map([["twee", { antwoord: "ja", tekst: "t" }], ["een", { toelichting: "n" }]]) }
  const built = logic.buildFile(s, state, "2026-01-01T00:00:00.000Z")
  assert.deepEqual(built.antwoorden, [
    { id: "een", nummer: 1, vraag: "Een?", soort: "keuze", antwoord: null, tekst: "", toelichting: "n" },
    { id: "twee", nummer: 2, vraag: "Twee?", soort: "open", antwoord: null, tekst: "t", toelichting: "" },
    { id: "drie", nummer: 3, vraag: "Drie?", soort: "rubriek", antwoord: null, tekst: "", toelichting: "" },
  ])
  assert.equal(built.volgende_reflectie, "")
  const chosen = logic.buildFile(s, Object.assign({}, state, { answers: new Map([["een", { antwoord: "nee" }], ["drie", { antwoord: "hoog" }]]) }), "x")
  assert.deepEqual(chosen.antwoorden.map((a) => [a.antwoord, a.tekst, a.toelichting]), [["nee", "", ""], [null, "", ""], ["hoog", "", ""]])
  assert.equal(logic.buildFile(s, Object.assign({}, state, { volgende_reflectie: "2027-01-01" }), "x").volgende_reflectie, "2027-01-01")
})

test("isEmpty: any one filled field makes a form not empty", () => {
  const empty = () => ({ gegevens: { school: "", project: "", datum: "", aanwezigen: "" }, afspraken: [], volgende_reflectie: "",
                         antwoorden: [{ antwoord: null, tekst: "", toelichting: "" }, { antwoord: null, tekst: "", toelichting: "" }] })
  assert.equal(logic.isEmpty(empty()), true)
  for (const key of ["school", "project", "datum", "aanwezigen"]) {
    const data = empty()
    data.gegevens[key] = "x"
    assert.equal(logic.isEmpty(data), false, key)
  }
  const agreements = empty(); agreements.afspraken = [{ wat: "", wie: "", wanneer: "" }]
  assert.equal(logic.isEmpty(agreements), false)
  const next = empty(); next.volgende_reflectie = "2027-01-01"
  assert.equal(logic.isEmpty(next), false)
  for (const key of ["antwoord", "tekst", "toelichting"]) {
    const data = empty()
    data.antwoorden[1][key] = "x"
    assert.equal(logic.isEmpty(data), false, key)
  }
})

test("fileName, overviewFileName and describe", () => {
  assert.equal(logic.fileName("bo", "OBS De Regenboog", "2025-06-10"), "reflectie-bo-obs-de-regenboog-2025-06-10.json")
  assert.equal(logic.fileName("bo", "  --A  B--  ", "2025-06-10"), "reflectie-bo-a-b-2025-06-10.json")
  assert.equal(logic.fileName("bo", "", "2025-06-10"), "reflectie-bo-2025-06-10.json")
  assert.equal(logic.fileName("bo", "x", ""), "reflectie-bo-x.json")
  assert.equal(logic.fileName("bo", "a".repeat(39) + " bcd", "d"), "reflectie-bo-" + "a".repeat(39) + "-d.json")
  assert.equal(logic.fileName("bo", "a".repeat(50), "d"), "reflectie-bo-" + "a".repeat(40) + "-d.json")
  assert.equal(logic.overviewFileName("bo", "2026-11-29"), "overzicht-bo-2026-11-29.csv")
  assert.equal(logic.overviewFileName("bo", ""), "overzicht-bo.csv")
  const data = (school, datum) => ({ gegevens: { school, datum }, editie: "2025" })
  assert.equal(logic.describe(data("OBS", "2025-06-10")), "OBS, 10 juni 2025, editie 2025")
  assert.equal(logic.describe(data("", "")), "zonder schoolnaam, editie 2025")
})

test("answerText: the option's label or the written text, else 'geen antwoord'; notes after a colon", () => {
  const [choice, open, rubric] = spec().items
  assert.equal(logic.answerText(choice, "nee", { toelichting: "omdat" }), "nee: omdat")
  assert.equal(logic.answerText(choice, "ja", null), "ja")
  assert.equal(logic.answerText(choice, null, { tekst: "genegeerd", toelichting: "" }), "geen antwoord")
  assert.equal(logic.answerText(choice, "onbekend", undefined), "geen antwoord")
  assert.equal(logic.answerText(rubric, "hoog", { toelichting: "" }), "Hoog")
  assert.equal(logic.answerText({ id: "r", kind: "rubriek" }, "hoog", null), "geen antwoord")
  assert.equal(logic.answerText({ id: "r", kind: "rubriek" }, undefined, null), "geen antwoord")
  assert.equal(logic.answerText(open, "ja", { tekst: "Ons antwoord", toelichting: "n" }), "Ons antwoord: n")
  assert.equal(logic.answerText(open, null, { tekst: "", toelichting: "" }), "geen antwoord")
  assert.equal(logic.answerText(open, null, null), "geen antwoord")
})

test("schoolNames: the school, else the file's name; only shared names get the file's name", () => {
  const data = (school) => ({ gegevens: { school } })
  assert.deepEqual(logic.schoolNames([data("A"), data("  "), data("B")], ["a.json", "b.json", "c.json"]), ["A", "b.json", "B"])
  assert.deepEqual(logic.schoolNames([data("A"), data(" A ")], ["1.json", "2.json"]), ["A (1.json)", "A (2.json)"])
  assert.deepEqual(logic.schoolNames([data(""), data("")], ["x.json", "x.json"]), ["x.json", "x.json"])
})
