// The mapping between the fillable sheet's fields and the online form's answers
// (templates/site/assets/javascripts/reflectie-pdf-logica.js), run by Node's test runner:
// `node --test tests/js/` (tests/test_form_logic.py runs it in the suite). The page and the
// PDF's fields are written out here by hand, the way the build and pdf-lib give them.

import { test } from "node:test"
import assert from "node:assert/strict"
import { fileURLToPath } from "node:url"
import path from "node:path"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..", "..")
const pdf = await import(path.join(root, "templates", "site", "assets", "javascripts", "reflectie-pdf-logica.js"))
const logic = await import(path.join(root, "templates", "site", "assets", "javascripts", "reflectie-logica.js"))

const scale = [{ id: "ja", was: [] }, { id: "deels", was: ["beetje"] }, { id: "nee", was: [] }]
// An instrument "bo" with a keuze item called "constructor" (an id that breaks a plain object),
// an open item with notes, a rubric item without notes.
const page = {
  instrumentName: "Basisonderwijs (bo)",
  items: [
    { id: "constructor", number: 1, kind: "keuze", notes: true, options: scale, fields: "keuze:bo-constructor toelichting:bo-constructor-toelichting" },
    { id: "doel", number: 2, kind: "open", notes: true, options: [], fields: "antwoord:bo-doel-antwoord toelichting:bo-doel-toelichting" },
    { id: "rol", number: 3, kind: "rubriek", notes: false, options: [{ id: "start", was: [] }, { id: "groei", was: [] }], fields: "keuze:bo-rol" }
  ],
  details: "school:school project:project datum:datum aanwezigen:aanwezigen",
  agreements: "wat:afspraak-1-wat wie:afspraak-1-wie wanneer:afspraak-1-wanneer|wat:afspraak-2-wat wie:afspraak-2-wie wanneer:afspraak-2-wanneer",
  next: "volgend-reflectiemoment"
}
const sheet = pdf.sheetOf(page)
const NOTE = "Eén leerling zei: “we durven nu”, en dat is óók goed & mooi. 'Toen' niet.\nTweede regel. ".repeat(40)

function filled() {
  return [
    { name: "school", kind: "text", value: "OBS De Regenboog" }, { name: "project", kind: "text", value: "" },
    { name: "datum", kind: "text", value: "10 juni 2024" }, { name: "aanwezigen", kind: "text", value: "Anne, Bram" },
    { name: "bo-constructor", kind: "radio", value: "deels" },
    { name: "bo-constructor-toelichting", kind: "text", value: NOTE },
    { name: "bo-doel-antwoord", kind: "text", value: "Meer zelfvertrouwen" },
    { name: "bo-doel-toelichting", kind: "text", value: "" },
    { name: "bo-rol", kind: "radio", value: "groei" },
    { name: "afspraak-1-wat", kind: "text", value: "" }, { name: "afspraak-1-wie", kind: "text", value: "" },
    { name: "afspraak-2-wat", kind: "text", value: "Kunstmenu plannen" }, { name: "afspraak-2-wie", kind: "text", value: "ICC'er" },
    { name: "volgend-reflectiemoment", kind: "text", value: "3-2-2025" }
  ]
}

test("pairs reads role:name lists; editors' ids are Map keys", () => {
  assert.deepEqual([...pdf.pairs(" keuze:bo-x  toelichting:bo-x-toelichting ")], [["keuze", "bo-x"], ["toelichting", "bo-x-toelichting"]])
  assert.equal(sheet.items[0].choice, "bo-constructor")
  assert.equal(sheet.items[1].answer, "bo-doel-antwoord")
  assert.equal(sheet.items[2].note, null)
  assert.equal(sheet.agreements.length, 2)
})

test("a filled sheet becomes the form's state with every answer and note, and a report", () => {
  const { state, report, error } = pdf.fromSheet(sheet, filled())
  assert.equal(error, undefined)
  assert.deepEqual(state.answers.get("constructor"), { antwoord: "deels", tekst: "", toelichting: NOTE })
  assert.deepEqual(state.answers.get("doel"), { antwoord: null, tekst: "Meer zelfvertrouwen", toelichting: "" })
  assert.deepEqual(state.answers.get("rol"), { antwoord: "groei", tekst: "", toelichting: "" })
  assert.deepEqual(state.gegevens, { school: "OBS De Regenboog", project: "", datum: "2024-06-10", aanwezigen: "Anne, Bram" })
  assert.deepEqual(state.afspraken, [{ wat: "Kunstmenu plannen", wie: "ICC'er", wanneer: "" }])
  assert.deepEqual(report, { answers: 3, notes: 1, empty: [], unknown: [], badValues: [], badDates: [] })
  assert.equal(state.volgende_reflectie, "2025-02-03")
  assert.equal(pdf.readMessage("blad.pdf", report), "Geopend: ‘blad.pdf’. Gelezen: 3 antwoorden en 1 toelichting.")
})

test("an earlier option id (was) lands on today's option; an unknown state is reported, not guessed", () => {
  const fields = filled()
  fields[4].value = "beetje"
  fields[8].value = "meester"
  const { state, report } = pdf.fromSheet(sheet, fields)
  assert.equal(state.answers.get("constructor").antwoord, "deels")
  assert.equal(state.answers.get("rol").antwoord, null)
  assert.deepEqual(report.badValues, [{ number: 3, value: "meester" }])
  assert.deepEqual(report.empty, [3])
  assert.match(pdf.readMessage("x.pdf", report), /Zonder antwoord: vraag 3\. Niet herkend \(leeg gelaten\): vraag 3 \(‘meester’\)\./)
})

test("empty items, unknown fields and an unreadable date are named", () => {
  const fields = filled().concat([{ name: "extra-veld", kind: "text", value: "iets" }, { name: "leeg-extra", kind: "text", value: "" }])
  fields[2].value = "volgende week"
  fields[13].value = "na de zomer"
  fields[4].value = "Off"
  fields[6].value = ""
  const { state, report } = pdf.fromSheet(sheet, fields)
  assert.equal(state.gegevens.datum, "")
  assert.deepEqual(report.empty, [1, 2])
  assert.deepEqual(report.unknown, ["extra-veld"])
  assert.deepEqual(report.badDates, ["volgende week", "na de zomer"])
  assert.equal(state.volgende_reflectie, "")
  const text = pdf.readMessage("x.pdf", report)
  assert.match(text, /Gelezen: 1 antwoord en 1 toelichting\. Zonder antwoord: vragen 1 en 2\./)
  assert.match(text, /De datum ‘volgende week’ is niet herkend/)
  assert.match(text, /Onbekende velden \(niet gelezen\): extra-veld\./)
})

test("another instrument's sheet, a PDF without fields and a stranger's form are refused in Dutch", () => {
  const other = [{ name: "school", kind: "text", value: "X" }, { name: "go-herkenning", kind: "radio", value: "ja" }]
  assert.match(pdf.fromSheet(sheet, other).error, /andere reflectie dan Basisonderwijs \(bo\)/)
  assert.match(pdf.fromSheet(sheet, []).error, /geen invulvelden/)
  assert.match(pdf.fromSheet(sheet, [{ name: "Name", kind: "text", value: "x" }]).error, /geen invulbaar reflectieblad van deze site/)
})

test("dates: written out in Dutch on the sheet, read back in the usual Dutch ways", () => {
  assert.equal(logic.dutchDate("2024-06-10"), "10 juni 2024")  // what toSheet writes
  assert.equal(logic.dutchDate(""), "")
  for (const written of ["2024-06-10", "10-6-2024", "10/06/2024", "10.6.2024", "10 juni 2024", " 10 Juni 2024 "]) {
    assert.equal(pdf.isoDate(written), "2024-06-10", written)
  }
  for (const wrong of ["31 juni 2024", "2024-13-01", "juni", "10 jun 2024", ""]) assert.equal(pdf.isoDate(wrong), null, wrong)
})

test("the form's answers become the sheet's values, and back again unchanged", () => {
  const data = {
    gegevens: { school: "OBS De Regenboog", project: "Cultuurkaart", datum: "2024-06-10", aanwezigen: "Anne" },
    antwoorden: [
      { id: "constructor", antwoord: "nee", tekst: "", toelichting: NOTE },
      { id: "doel", antwoord: null, tekst: "Open & eerlijk", toelichting: "ë" },
      { id: "rol", antwoord: null, tekst: "", toelichting: "" }
    ],
    volgende_reflectie: "2025-02-03",
    afspraken: [{ wat: "", wie: "", wanneer: "" }, { wat: "A", wie: "B", wanneer: "C" }, { wat: "D", wie: "", wanneer: "" }, { wat: "E", wie: "", wanneer: "" }]
  }
  const { values, leftOver } = pdf.toSheet(sheet, data)
  const byName = new Map(values.map((v) => [v.name, v]))
  assert.deepEqual(byName.get("bo-constructor"), { name: "bo-constructor", kind: "radio", value: "nee" })
  assert.equal(byName.get("bo-rol").value, null)
  assert.equal(byName.get("bo-constructor-toelichting").value, NOTE)
  assert.equal(byName.get("datum").value, "10 juni 2024")
  assert.equal(byName.get("afspraak-1-wat").value, "A")
  assert.equal(byName.get("afspraak-2-wat").value, "D")
  assert.equal(leftOver, 1) // the sheet has two rows here; three agreements were written
  assert.equal(values.filter((v) => v.name === "bo-constructor-toelichting").length, 1)
  const back = pdf.fromSheet(sheet, values).state
  for (const a of data.antwoorden) {
    const got = back.answers.get(a.id)
    assert.deepEqual([got.antwoord, got.tekst, got.toelichting], [a.antwoord, a.tekst, a.toelichting], a.id)
  }
  assert.deepEqual(back.gegevens, data.gegevens)
  assert.equal(byName.get("volgend-reflectiemoment").value, "3 februari 2025")
  assert.equal(back.volgende_reflectie, "2025-02-03")
})

test("the downloaded sheet's file name", () => {
  assert.equal(pdf.sheetFileName("reflectievragen-bo-invulbaar.pdf", "OBS Één & Twee", "2024-06-10"),
    "reflectievragen-bo-invulbaar-obs-een-twee-2024-06-10.pdf")
  assert.equal(pdf.sheetFileName("reflectievragen-bo-invulbaar.pdf", "", "2024-06-10"), "reflectievragen-bo-invulbaar-2024-06-10.pdf")
})

test("a school's answers saved as a file and as a PDF carry the same name, accents dropped", () => {
  const names = { "École Sint-Jozef": "ecole-sint-jozef", "OBS Één & Twee": "obs-een-twee", "Kindcentrum ’t Palet": "kindcentrum-t-palet",
    "Ñandú Çağlar": "nandu-caglar", "  --Ä  B--  ": "a-b", "ﬁjn": "fijn" }
  for (const [school, slug] of Object.entries(names)) {
    assert.equal(logic.fileName("bo", school, "2024-06-10"), "reflectie-bo-" + slug + "-2024-06-10.json", school)
    assert.equal(pdf.sheetFileName("reflectievragen-bo-invulbaar.pdf", school, "2024-06-10"),
      "reflectievragen-bo-invulbaar-" + slug + "-2024-06-10.pdf", school)
  }
})
