// The online form's logic (templates/site/assets/javascripts/reflectie-logica.js), run by
// Node's test runner: `node --test tests/js/` (tests/test_form_logic.py runs it in the suite).
// Expectations are computed here, independently, from the generated instruments and files;
// the random cases come from a seeded generator, so a failure names a case that repeats.

import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import path from "node:path"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..", "..")
const logic = await import(path.join(root, "templates", "site", "assets", "javascripts", "reflectie-logica.js"))

// ------------------------------------------------------------------ generated instruments and files

function random(seed) { // mulberry32
  let a = seed >>> 0
  return function () {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const pick = (r, list) => list[Math.floor(r() * list.length)]
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1))
// Ids an editor may write, including the ones that break a plain object (issue 18).
const TRICKY = ["constructor", "project", "school", "datum", "aanwezigen", "tostring", "valueof", "prototype", "geen", "hasownproperty"]
const SCALE = [{ id: "ja", label: "ja", was: [] }, { id: "deels", label: "deels", was: [] },
               { id: "nee", label: "nee", was: [] }, { id: "nvt", label: "n.v.t.", was: ["n-v-t"] }]

function makeSpec(seed) {
  const r = random(seed)
  const used = new Set()
  const fresh = (stem) => {
    let id
    do { id = r() < 0.15 ? pick(r, TRICKY) : stem + "-" + int(r, 1, 999) } while (used.has(id))
    used.add(id)
    return id
  }
  const levels = int(r, 0, 2)
  const sections = levels ? Array.from({ length: int(r, 1, 4) }, () => ({ id: fresh("sectie"), label: "Sectie" })) : []
  const rubric = Array.from({ length: int(r, 2, 5) }, (_, i) => ({ id: fresh("niveau"), label: "Niveau " + i,
    was: r() < 0.3 ? [fresh("oud-niveau")] : [] }))
  const items = Array.from({ length: int(r, 1, 25) }, (_, i) => {
    const kind = pick(r, ["keuze", "keuze", "open", "rubriek"])
    return {
      id: fresh("item"), number: i + 1, text: "Vraag " + i + "?", kind, notes: r() < 0.6,
      section: sections.length ? pick(r, sections).id : null, was: r() < 0.3 ? [fresh("oud")] : [],
      options: kind === "keuze" ? SCALE : kind === "rubriek" ? rubric : []
    }
  })
  return { instrument: "instr", publicatie: "Publicatie", editie: "2026", sitePath: "/site/", instrumentName: "Instrument",
           sectionLabel: "Perspectief", sections, items }
}

// A valid file for `spec` (version 2), answering a random part of the items, some under an earlier id.
function makeFile(spec, seed, { version = 2, useWas = true } = {}) {
  const r = random(seed)
  const answers = []
  for (const item of spec.items) {
    if (r() < 0.2) continue // not in that file (a new item since)
    const id = useWas && item.was.length && r() < 0.5 ? item.was[0] : item.id
    let antwoord = null
    if (item.options.length && r() < 0.8) {
      const option = pick(r, item.options)
      antwoord = option.was.length && r() < 0.5 ? option.was[0] : option.id
    }
    const entry = { id, nummer: item.number, vraag: r() < 0.2 ? item.text + " (toen)" : item.text, antwoord,
                    toelichting: r() < 0.3 ? "notitie " + item.id : "" }
    if (version === 2) Object.assign(entry, { soort: item.kind, tekst: item.kind === "open" && r() < 0.7 ? "tekst " + item.id : "" })
    answers.push(entry)
  }
  for (let k = 0; k < int(r, 0, 3); k++) { // answers to items that are gone
    const entry = { id: "weg-" + k, nummer: 90 + k, vraag: "Weg " + k + "?", antwoord: r() < 0.5 ? "ja" : null, toelichting: "" }
    if (version === 2) Object.assign(entry, { soort: "keuze", tekst: "" })
    answers.push(entry)
  }
  const file = { formaat: "kcr-reflectie", formaatversie: version, publicatie: spec.publicatie, editie: "2025",
                 opgeslagen: "2025-06-10T10:00:00.000Z",
                 gegevens: { school: "School " + seed, project: "", datum: "2025-06-10", aanwezigen: "" },
                 antwoorden: answers, afspraken: [{ wat: "a", wie: "b", wanneer: "c" }], volgende_reflectie: "" }
  if (version === 1) file.schooltype = spec.instrument
  else file.instrument = spec.instrument
  return file
}

// The oracle: where an answer of a file lands, computed the plain way (loops, no index).
function expectedLanding(spec, file) {
  const landing = new Map()
  const removed = []
  for (const saved of file.antwoorden) {
    const own = spec.items.find((i) => i.id === saved.id)
    const renamed = own ? null : spec.items.find((i) => i.was.includes(saved.id))
    if (!own && !renamed) { removed.push(saved.id); continue }
    const item = own || renamed
    if (renamed && file.antwoorden.some((a) => a.id === item.id)) continue // the item's own id wins
    if (landing.has(item.id)) continue
    let option = null
    if (item.options.length && saved.antwoord !== null) {
      option = (item.options.find((o) => o.id === saved.antwoord) || item.options.find((o) => o.was.includes(saved.antwoord))).id
    }
    landing.set(item.id, { savedId: saved.id, option, reworded: saved.vraag !== item.text })
  }
  return { landing, removed }
}

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1)

// ------------------------------------------------------------------ storage

test("storage: one slot per site and instrument, edition 2025's slot by school type", () => {
  assert.equal(logic.storageKey("/kcr/", "bo"), "kcr-reflectie:/kcr/:bo")
  assert.equal(logic.legacyStorageKey("vo-mbo"), "kcr-reflectie:vo-mbo")
  const keys = new Set()
  for (const site of ["/", "/a/", "/b/", "/a/b/"]) for (const instrument of ["bo", "go", "vo-mbo", "constructor"]) {
    keys.add(logic.storageKey(site, instrument))
  }
  assert.equal(keys.size, 16)
  for (const key of keys) assert.ok(!["bo", "go", "vo-mbo"].map(logic.legacyStorageKey).includes(key))
})

test("storage: the site's own slot first; the old slot once, only for this publication and instrument", () => {
  for (const seed of SEEDS.slice(0, 60)) {
    const spec = makeSpec(seed)
    const own = JSON.stringify(makeFile(spec, seed, { version: 2 }))
    const legacy = makeFile(spec, seed + 1000, { version: 1 })
    assert.equal(logic.planRestore(spec, own, JSON.stringify(legacy)).migrated, false)
    assert.equal(logic.planRestore(spec, own, null).data.gegevens.school, "School " + seed)
    const migrated = logic.planRestore(spec, null, JSON.stringify(legacy))
    assert.equal(migrated.migrated, true)
    assert.equal(migrated.data.gegevens.school, "School " + (seed + 1000))
    assert.equal(logic.planRestore(spec, null, JSON.stringify({ ...legacy, publicatie: "Een andere site" })), null)
    assert.equal(logic.planRestore(spec, null, JSON.stringify({ ...legacy, schooltype: "ander" })), null)
    assert.equal(logic.planRestore(spec, "{kapot", "ook kapot"), null)
    assert.equal(logic.planRestore(spec, null, null), null)
    // a damaged own slot does not hide the old one
    assert.equal(logic.planRestore(spec, "{kapot", JSON.stringify(legacy)).migrated, true)
  }
})

// ------------------------------------------------------------------ checking files

test("validate: every generated file of either version is accepted, as version 2 data, unchanged input", () => {
  for (const seed of SEEDS) {
    const spec = makeSpec(seed)
    for (const version of [1, 2]) {
      const file = makeFile(spec, seed, { version })
      const before = JSON.stringify(file)
      const result = logic.validate(file, spec)
      assert.equal(result.error, undefined, `seed ${seed} v${version}: ${result.error}`)
      assert.equal(JSON.stringify(file), before)
      assert.equal(result.data.instrument, spec.instrument)
      assert.equal(result.data.antwoorden.length, file.antwoorden.length)
      for (const [i, a] of result.data.antwoorden.entries()) {
        assert.equal(a.id, file.antwoorden[i].id)
        assert.equal(a.antwoord, file.antwoorden[i].antwoord)
        assert.equal(a.tekst, version === 2 ? file.antwoorden[i].tekst : "")
        assert.equal(a.toelichting, file.antwoorden[i].toelichting)
      }
    }
  }
})

test("validate: edition 2025's saved files (format version 1) open", () => {
  for (const type of ["bo", "go", "vo-mbo"]) {
    const file = JSON.parse(readFileSync(path.join(root, "tests", "fixtures", "beloften-2025", `reflectie-${type}.json`), "utf8"))
    const spec = { instrument: type, publicatie: file.publicatie, editie: "2025", sections: [], instrumentName: type, sectionLabel: "x",
      items: file.antwoorden.map((a) => ({ id: a.id, number: a.nummer, text: a.vraag, kind: "keuze", notes: true, section: null,
                                           was: [], options: SCALE })) }
    const result = logic.validate(file, spec)
    assert.equal(result.error, undefined)
    const matched = logic.match(spec, result.data)
    assert.equal(matched.removed.length, 0)
    for (const a of file.antwoorden) assert.equal(matched.answers.get(a.id).option, a.antwoord)
  }
})

const DAMAGE = [
  ["not an object", () => [], "Dit is geen opgeslagen reflectie van deze site."],
  ["another format", (f) => ({ ...f, formaat: "iets" }), "Dit is geen opgeslagen reflectie van deze site."],
  ["a newer version", (f) => ({ ...f, formaatversie: 3 }), "nieuwere versie van het formulier (versie 3)"],
  ["another instrument", (f) => ({ ...f, instrument: "go" }), "hoort bij een ander instrument (go)"],
  ["details missing", (f) => ({ ...f, gegevens: null }), "De gegevens in dit bestand zijn beschadigd of te lang."],
  ["school too long", (f) => ({ ...f, gegevens: { ...f.gegevens, school: "x".repeat(201) } }), "beschadigd of te lang"],
  ["answers not a list", (f) => ({ ...f, antwoorden: {} }), "De antwoorden of afspraken in dit bestand zijn beschadigd."],
  ["too many agreements", (f) => ({ ...f, afspraken: Array(101).fill({ wat: "", wie: "", wanneer: "" }) }), "zijn beschadigd"],
  ["an id that is no slug", (f) => withAnswer(f, { id: "Niet Goed" }), "Antwoord 1 in dit bestand is beschadigd."],
  ["a number that is text", (f) => withAnswer(f, { nummer: "1" }), "Antwoord 1 in dit bestand is beschadigd."],
  ["number 0", (f) => withAnswer(f, { nummer: 0 }), "Antwoord 1 in dit bestand is beschadigd."],
  ["number 1000", (f) => withAnswer(f, { nummer: 1000 }), "Antwoord 1 in dit bestand is beschadigd."],
  ["a broken number", (f) => withAnswer(f, { nummer: 1.5 }), "Antwoord 1 in dit bestand is beschadigd."],
  ["an unknown kind", (f) => withAnswer(f, { soort: "schaal" }), "Antwoord 1 in dit bestand is beschadigd."],
  ["an answer that is a number", (f) => withAnswer(f, { antwoord: 3 }), "Antwoord 1 in dit bestand is beschadigd."],
  ["notes too long", (f) => withAnswer(f, { toelichting: "x".repeat(10001) }), "Antwoord 1 in dit bestand is beschadigd."],
  ["an answer twice", (f) => ({ ...f, antwoorden: [f.antwoorden[0], f.antwoorden[0]] }), "al eerder in het bestand staat"],
  ["one damaged agreement", (f) => ({ ...f, afspraken: [{ wat: "a", wie: "b", wanneer: "c" }, { wat: 1 }] }), "Afspraak 2 in dit bestand is beschadigd."],
  ["'wanneer' too long", (f) => ({ ...f, afspraken: [{ wat: "a", wie: "b", wanneer: "x".repeat(201) }] }), "Afspraak 1 in dit bestand is beschadigd."],
  ["'wie' missing", (f) => ({ ...f, afspraken: [{ wat: "a", wanneer: "c" }] }), "Afspraak 1 in dit bestand is beschadigd."],
]
function withAnswer(file, change) { return { ...file, antwoorden: [{ ...file.antwoorden[0], ...change }, ...file.antwoorden.slice(1)] } }

test("validate: damaged files are refused with their Dutch message", () => {
  for (const seed of SEEDS.slice(0, 40)) {
    const spec = makeSpec(seed)
    const file = makeFile(spec, seed, { useWas: false })
    if (!file.antwoorden.length) continue
    for (const [name, damage, message] of DAMAGE) {
      const result = logic.validate(damage(file), spec)
      assert.ok(result.error && result.error.includes(message), `seed ${seed}, ${name}: ${result.error}`)
      assert.equal(result.data, undefined)
    }
  }
})

test("validate: an answer that is no option of today's item is refused, naming the item's options", () => {
  const spec = makeSpec(7)
  const item = spec.items.find((i) => i.kind === "keuze") || spec.items[0]
  spec.items = [{ ...item, kind: "keuze", options: SCALE }]
  const file = makeFile(spec, 7, { useWas: false })
  file.antwoorden = [{ id: item.id, nummer: 1, vraag: item.text, soort: "keuze", antwoord: "misschien", tekst: "", toelichting: "" }]
  assert.match(logic.validate(file, spec).error, /‘misschien’\) staat niet bij de antwoordmogelijkheden van vraag 1 \(ja, deels, nee, n\.v\.t\.\)/)
  file.antwoorden[0].antwoord = "n-v-t" // an earlier id of an option is fine
  assert.equal(logic.validate(file, spec).error, undefined)
})

test("validate: never throws, whatever the JSON", () => {
  const r = random(99)
  const values = [null, true, 0, -1, 1.5, "", "x", [], {}, { length: 3 }, "constructor", { __proto__: null }]
  const spec = makeSpec(3)
  const base = makeFile(spec, 3)
  const paths = [[], ["gegevens"], ["antwoorden"], ["afspraken"], ["antwoorden", 0], ["antwoorden", 0, "id"],
                 ["antwoorden", 0, "antwoord"], ["afspraken", 0, "wat"], ["formaatversie"], ["instrument"], ["editie"]]
  for (let n = 0; n < 2000; n++) {
    const file = JSON.parse(JSON.stringify(base))
    const where = pick(r, paths)
    const value = pick(r, values)
    let target = file
    for (const key of where.slice(0, -1)) target = target && target[key]
    if (!where.length) { assert.doesNotThrow(() => logic.validate(value, spec)); continue }
    if (target && typeof target === "object") target[where[where.length - 1]] = value
    const result = logic.validate(file, spec)
    assert.ok((result.error === undefined) !== (result.data === undefined))
  }
})

// ------------------------------------------------------------------ where earlier answers land

test("match: every answer lands on today's item (by id, else by an earlier id), with today's option", () => {
  for (const seed of SEEDS) {
    const spec = makeSpec(seed)
    const file = logic.validate(makeFile(spec, seed), spec).data
    const oracle = expectedLanding(spec, file)
    const matched = logic.match(spec, file)
    assert.deepEqual([...matched.answers.keys()].sort(), [...oracle.landing.keys()].sort(), `seed ${seed}`)
    for (const [id, expected] of oracle.landing) {
      const got = matched.answers.get(id)
      assert.equal(got.saved.id, expected.savedId, `seed ${seed} ${id}`)
      assert.equal(got.option, expected.option, `seed ${seed} ${id}`)
      assert.equal(got.reworded, expected.reworded)
      assert.equal(got.renamed, expected.savedId !== id)
    }
    assert.deepEqual(matched.removed.map((a) => a.id), oracle.removed)
  }
})

test("match: an answer under the item's own id wins over one under its earlier id", () => {
  const spec = { ...makeSpec(1), items: [{ id: "nieuw", number: 1, text: "V?", kind: "keuze", notes: false, section: null,
                                           was: ["oud"], options: SCALE }], sections: [] }
  const file = { ...makeFile(spec, 1), antwoorden: [
    { id: "oud", nummer: 1, vraag: "V?", soort: "keuze", antwoord: "nee", tekst: "", toelichting: "" },
    { id: "nieuw", nummer: 1, vraag: "V?", soort: "keuze", antwoord: "ja", tekst: "", toelichting: "" }] }
  const matched = logic.match(spec, logic.validate(file, spec).data)
  assert.equal(matched.answers.get("nieuw").option, "ja")
  assert.deepEqual(matched.removed, [])
})

test("match: an earlier id that is another item's id today belongs to that item", () => {
  const base = { ...makeSpec(2), sections: [] }
  const spec = { ...base, items: [
    { id: "a", number: 1, text: "A?", kind: "keuze", notes: false, section: null, was: ["b", "c"], options: SCALE },
    { id: "b", number: 2, text: "B?", kind: "keuze", notes: false, section: null, was: [], options: SCALE },
    { id: "d", number: 3, text: "D?", kind: "keuze", notes: false, section: null, was: ["c"], options: SCALE }] }
  assert.equal(logic.findItem(spec, "b").id, "b")
  assert.equal(logic.findItem(spec, "c").id, "a") // the first item that claims an earlier id keeps it
  const file = logic.validate({ ...makeFile(spec, 2), antwoorden: [
    { id: "b", nummer: 2, vraag: "B?", soort: "keuze", antwoord: "nee", tekst: "", toelichting: "" }] }, spec).data
  const matched = logic.match(spec, file)
  assert.deepEqual([...matched.answers.keys()], ["b"])
})

test("ids that are names of Object's properties are items like any other (issue 18)", () => {
  const items = ["constructor", "tostring", "valueof", "hasownproperty", "project", "school"].map((id, i) => ({
    id, number: i + 1, text: id + "?", kind: "keuze", notes: true, section: null, was: [], options: SCALE }))
  const spec = { ...makeSpec(1), sections: [], items }
  // An earlier file without these items: nothing may land on Object.prototype's members.
  const empty = logic.validate({ ...makeFile(spec, 1), antwoorden: [] }, spec).data
  const compared = logic.compare(spec, empty, empty)
  assert.deepEqual(compared.rows.map((r) => r.mark), items.map(() => "nieuw"))
  assert.deepEqual(compared.rows.map((r) => r.then), items.map(() => null))
  // A file that answers "constructor" for a spec without it: removed, not a crash.
  const other = { ...spec, items: items.slice(4) }
  const file = logic.validate({ ...makeFile(spec, 1), antwoorden: [
    { id: "constructor", nummer: 1, vraag: "constructor?", soort: "keuze", antwoord: "ja", tekst: "", toelichting: "" }] }, other).data
  assert.deepEqual(logic.match(other, file).removed.map((a) => a.id), ["constructor"])
  assert.equal(logic.findItem(other, "constructor"), null)
  assert.equal(logic.findItem(other, "__proto__"), null)
  assert.equal(logic.findOption(other, other.items[0], "constructor"), null)
})

// ------------------------------------------------------------------ marks, counts, comparison, overview

test("marks: nieuw, anders geformuleerd, vervallen", () => {
  for (const seed of SEEDS) {
    const spec = makeSpec(seed)
    const file = logic.validate(makeFile(spec, seed), spec).data
    const oracle = expectedLanding(spec, file)
    const { marks, removed } = logic.marks(spec, file)
    for (const item of spec.items) {
      const landed = oracle.landing.get(item.id)
      assert.equal(marks.get(item.id), !landed ? "nieuw" : landed.reworded ? "anders geformuleerd" : "", `seed ${seed} ${item.id}`)
    }
    assert.deepEqual(removed.map((a) => a.id), oracle.removed)
  }
})

test("countAnswers: per option in order, unanswered apart, totals add up", () => {
  const r = random(5)
  for (let n = 0; n < 500; n++) {
    const ids = ["a", "b", "c", "constructor"].slice(0, int(r, 1, 4))
    const chosen = Array.from({ length: int(r, 0, 30) }, () => (r() < 0.25 ? null : pick(r, ids)))
    const result = logic.countAnswers(chosen, ids)
    assert.deepEqual(result.counts, ids.map((id) => chosen.filter((c) => c === id).length))
    assert.equal(result.none, chosen.filter((c) => c === null).length)
    assert.equal(result.total, chosen.length)
  }
  // anything that is not one of the options counts as no answer
  assert.deepEqual(logic.countAnswers([undefined, "zzz", "a", null], ["a"]), { counts: [1], none: 3, total: 4 })
})

// Today's answers: a random choice per item, in version 2 shape with today's ids.
function currentAnswers(spec, seed) {
  const r = random(seed * 7 + 3)
  const answers = new Map()
  for (const item of spec.items) {
    answers.set(item.id, { antwoord: item.options.length && r() < 0.7 ? pick(r, item.options).id : null,
                           tekst: "nu", toelichting: "notitie nu" })
  }
  return logic.buildFile(spec, { gegevens: { school: "", project: "", datum: "", aanwezigen: "" }, answers, afspraken: [],
                                 volgende_reflectie: "" }, "2026-01-01T00:00:00.000Z")
}

test("compare: the counts then and now and 'anders dan toen' per section, and each row's mark", () => {
  for (const seed of SEEDS) {
    const spec = makeSpec(seed)
    const earlier = logic.validate(makeFile(spec, seed), spec).data
    const now = currentAnswers(spec, seed)
    const oracle = expectedLanding(spec, earlier)
    const result = logic.compare(spec, now, earlier)
    const nowOption = new Map(now.antwoorden.map((a) => [a.id, a.antwoord]))
    // groups: per top-level section with choice items, in section order; or the whole instrument
    const choice = spec.items.filter((i) => i.options.length)
    const expectedGroups = spec.sections.length
      ? spec.sections.map((s) => ({ id: s.id, items: choice.filter((i) => i.section === s.id) })).filter((g) => g.items.length)
      : choice.length ? [{ id: null, items: choice }] : []
    assert.deepEqual(result.summary.map((g) => g.id), expectedGroups.map((g) => g.id), `seed ${seed}`)
    for (const [k, group] of expectedGroups.entries()) {
      const got = result.summary[k]
      const optionIds = []
      for (const item of group.items) for (const o of item.options) if (!optionIds.includes(o.id)) optionIds.push(o.id)
      assert.deepEqual(got.options.map((o) => o.id), optionIds)
      const earlierItems = group.items.filter((i) => oracle.landing.has(i.id))
      const thenIds = earlierItems.map((i) => oracle.landing.get(i.id).option)
      const nowIds = group.items.map((i) => nowOption.get(i.id))
      assert.deepEqual(got.then.counts, optionIds.map((id) => thenIds.filter((x) => x === id).length), `seed ${seed} then`)
      assert.equal(got.then.none, thenIds.filter((x) => x === null).length)
      assert.equal(got.then.total, earlierItems.length)
      assert.deepEqual(got.now.counts, optionIds.map((id) => nowIds.filter((x) => x === id).length), `seed ${seed} now`)
      assert.equal(got.now.none, nowIds.filter((x) => x === null).length)
      assert.equal(got.changed, earlierItems.filter((i) => oracle.landing.get(i.id).option !== nowOption.get(i.id)).length)
      assert.equal(got.items, group.items.length)
    }
    for (const row of result.rows) {
      const landed = oracle.landing.get(row.item.id)
      assert.equal(row.mark, !landed ? "nieuw" : landed.reworded ? "anders geformuleerd" : "")
      assert.equal(row.thenOption, landed ? landed.option : null)
      assert.equal(row.earlierText, landed && landed.reworded ? earlier.antwoorden.find((a) => a.id === landed.savedId).vraag : null)
    }
    assert.deepEqual(result.removed.map((a) => a.id), oracle.removed)
  }
})

test("overview: per item how many files chose each option, wrote an answer, were worded differently", () => {
  for (const seed of SEEDS.slice(0, 100)) {
    const spec = makeSpec(seed)
    const files = [0, 1, 2, 3].slice(0, 1 + (seed % 4)).map((k) => logic.validate(makeFile(spec, seed * 10 + k), spec).data)
    const oracles = files.map((f) => expectedLanding(spec, f))
    const rows = logic.overview(spec, files)
    assert.deepEqual(rows.map((r) => r.item.id), spec.items.map((i) => i.id))
    for (const row of rows) {
      const landed = oracles.map((o) => o.landing.get(row.item.id) || null)
      if (row.item.options.length) {
        const chosen = landed.map((l) => (l ? l.option : null))
        assert.deepEqual(row.choices.counts, row.item.options.map((o) => chosen.filter((c) => c === o.id).length))
        assert.equal(row.choices.none, chosen.filter((c) => c === null).length)
      } else {
        assert.equal(row.choices, null)
      }
      const written = landed.filter((l, k) => l && files[k].antwoorden.find((a) => a.id === l.savedId).tekst.trim()).length
      assert.equal(row.written, written)
      assert.equal(row.reworded, landed.filter((l) => l && l.reworded).length)
    }
  }
})

// ------------------------------------------------------------------ making a file

test("buildFile: what the form saves opens again unchanged (round trip), answers only where the form has them", () => {
  for (const seed of SEEDS) {
    const spec = makeSpec(seed)
    const saved = currentAnswers(spec, seed)
    assert.equal(saved.formaatversie, 2)
    assert.deepEqual(saved.antwoorden.map((a) => [a.id, a.nummer, a.soort]), spec.items.map((i) => [i.id, i.number, i.kind]))
    for (const [k, a] of saved.antwoorden.entries()) {
      const item = spec.items[k]
      if (!item.options.length) assert.equal(a.antwoord, null)
      assert.equal(a.tekst, item.kind === "open" ? "nu" : "")
      assert.equal(a.toelichting, item.notes ? "notitie nu" : "")
    }
    const again = logic.validate(JSON.parse(JSON.stringify(saved)), spec)
    assert.equal(again.error, undefined)
    const matched = logic.match(spec, again.data)
    for (const a of saved.antwoorden) assert.equal(matched.answers.get(a.id).option, a.antwoord)
    assert.deepEqual(matched.removed, [])
  }
})

test("agreements: empty rows are kept only when one row has something", () => {
  assert.deepEqual(logic.agreementsOrNone([{ wat: "", wie: "", wanneer: "" }]), [])
  assert.deepEqual(logic.agreementsOrNone([{ wat: "", wie: "", wanneer: "" }, { wat: "", wie: "x", wanneer: "" }]).length, 2)
  for (const field of ["wat", "wie", "wanneer"]) {
    const row = { wat: "", wie: "", wanneer: "", [field]: "iets" }
    assert.deepEqual(logic.agreementsOrNone([row]), [row])
  }
})

test("fileName and describe", () => {
  assert.equal(logic.fileName("bo", "Kindcentrum ’t Palet", "2026-11-29"), "reflectie-bo-kindcentrum-t-palet-2026-11-29.json")
  assert.equal(logic.fileName("rubriek", "", "2026-01-01"), "reflectie-rubriek-2026-01-01.json")
  assert.equal(logic.describe({ gegevens: { school: "", datum: "" }, editie: "2025" }), "zonder schoolnaam, editie 2025")
  assert.equal(logic.describe({ gegevens: { school: "OBS De Regenboog", datum: "2025-06-10" }, editie: "2025" }),
    "OBS De Regenboog, 10 juni 2025, editie 2025")
})

test("dutchDate: every day of two years written out as Intl's Dutch does (an independent oracle)", () => {
  const dutch = new Intl.DateTimeFormat("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
  for (let time = Date.UTC(2024, 0, 1); time < Date.UTC(2026, 0, 1); time += 86400000) {
    const iso = new Date(time).toISOString().slice(0, 10)
    assert.equal(logic.dutchDate(iso), dutch.format(new Date(time)), iso)
  }
  for (const notADate of ["", "2025-13-01", "2025-00-10", "10-06-2025", "2025-6-1", "morgen"]) {
    assert.equal(logic.dutchDate(notADate), notADate)
  }
})

// ------------------------------------------------------------------ words for counts (issue 21)

test("count: Dutch singular for exactly one, plural otherwise (also 0)", () => {
  const cases = [[0, "0 vragen zijn"], [1, "1 vraag is"], [2, "2 vragen zijn"], [11, "11 vragen zijn"], [21, "21 vragen zijn"]]
  for (const [n, expected] of cases) assert.equal(logic.count(n, "vraag is", "vragen zijn"), expected)
  assert.equal(logic.count(1, "bestand", "bestanden"), "1 bestand")
  assert.equal(logic.count(3, "reflectie", "reflecties"), "3 reflecties")
})

// ------------------------------------------------------------------ the overview per school (issue 21)

// The oracle of one school's answer to an item: the label of the option the file's answer
// lands on (found by id, else by an earlier id), or the written text; "" when none.
function expectedAnswer(spec, file, item) {
  const landed = expectedLanding(spec, file).landing.get(item.id)
  if (!landed) return { answer: "", notes: "" }
  const saved = file.antwoorden.find((a) => a.id === landed.savedId)
  const answer = item.options.length ? (landed.option ? item.options.find((o) => o.id === landed.option).label : "") : saved.tekst
  return { answer, notes: saved.toelichting }
}

test("overviewTable: per item each school's answer and notes, by the school's name, and the counts", () => {
  for (const seed of SEEDS.slice(0, 120)) {
    const spec = makeSpec(seed)
    const n = 1 + (seed % 4)
    const files = Array.from({ length: n }, (_, k) => {
      const file = logic.validate(makeFile(spec, seed * 10 + k), spec).data
      if (k === 1) file.gegevens.school = "" // no school: the file's name stands in
      if (k === 2) file.gegevens.school = files0(seed) // the same school as file 0
      return file
    })
    function files0(s) { return "School " + (s * 10) }
    const names = files.map((_, k) => "bestand-" + k + ".json")
    const table = logic.overviewTable(spec, files, names)
    const expectedSchools = files.map((f, k) => {
      if (k === 1) return names[1]
      if (n > 2 && (k === 0 || k === 2)) return "School " + (seed * 10) + " (" + names[k] + ")"
      return f.gegevens.school
    })
    assert.deepEqual(table.schools, expectedSchools)
    assert.equal(new Set(table.schools).size, n)
    assert.deepEqual(table.rows.map((r) => r.item.id), spec.items.map((i) => i.id))
    for (const row of table.rows) {
      const expected = files.map((f) => expectedAnswer(spec, f, row.item))
      assert.deepEqual(row.answers, expected.map((e, k) => ({ school: expectedSchools[k], answer: e.answer, notes: e.notes })))
      assert.equal(row.answered, expected.filter((e) => e.answer.trim() !== "").length, seed)
      assert.equal(row.answered + row.unanswered, n)
    }
    // the count columns: every option of an item with choices, each once, in order of first appearance
    const seen = []
    for (const item of spec.items) if (item.options.length) for (const o of item.options) if (!seen.includes(o.id)) seen.push(o.id)
    assert.deepEqual(table.options.map((o) => o.id), seen)
  }
})

test("overviewRows: a header, then per item its counts and every school's answer and notes", () => {
  for (const seed of SEEDS.slice(0, 60)) {
    const spec = makeSpec(seed)
    const files = [0, 1, 2].map((k) => logic.validate(makeFile(spec, seed * 7 + k), spec).data)
    const names = ["a.json", "b.json", "c.json"]
    const table = logic.overviewTable(spec, files, names)
    const rows = logic.overviewRows(table)
    const options = table.options
    assert.deepEqual(rows[0], ["nummer", "vraag_id", "vraag", ...options.map((o) => o.label), "beantwoord", "geen antwoord",
      ...table.schools.flatMap((s) => [s + ": antwoord", s + ": toelichting"])])
    assert.equal(rows.length, spec.items.length + 1)
    spec.items.forEach((item, i) => {
      const row = rows[i + 1]
      assert.ok(row.every((cell) => typeof cell === "string"))
      assert.equal(row.length, rows[0].length)
      assert.deepEqual(row.slice(0, 3), [String(item.number), item.id, item.text])
      const answers = files.map((f) => expectedAnswer(spec, f, item))
      options.forEach((option, j) => {
        const chosen = files.map((f) => expectedLanding(spec, f).landing.get(item.id)).map((l) => (l ? l.option : null))
        const expected = item.options.some((o) => o.id === option.id) ? String(chosen.filter((c) => c === option.id).length) : ""
        assert.equal(row[3 + j], expected)
      })
      const answered = answers.filter((a) => a.answer.trim() !== "").length
      assert.deepEqual(row.slice(3 + options.length, 5 + options.length), [String(answered), String(files.length - answered)])
      assert.deepEqual(row.slice(5 + options.length), answers.flatMap((a) => [a.answer, a.notes]))
    })
  }
})

// The same cases as tests/test_export_properties.py (the Python rule in publisher/exports.py).
const FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "'"]

test("spreadsheetText: every formula start is guarded with an apostrophe, nothing else changes", () => {
  for (const start of FORMULA_STARTS) {
    for (const text of [start, start + "1+1", start + "HYPERLINK(\"https://x\")"]) assert.equal(logic.spreadsheetText(text), "'" + text)
    assert.equal(logic.spreadsheetText("a" + start + "b"), "a" + start + "b")
  }
  assert.notEqual(logic.spreadsheetText("'=1"), logic.spreadsheetText("=1"))
  for (const text of ["", "ja", "n.v.t.", "12", " =1", "“=1”", "ë"]) assert.equal(logic.spreadsheetText(text), text)
})

// A plain CSV reader (RFC 4180 with ';'), to read back what csvText writes.
function readCsv(text) {
  const rows = []
  let row = [], cell = "", quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") { cell += "\""; i++ } else if (c === "\"") quoted = false; else cell += c
    } else if (c === "\"") quoted = true
    else if (c === ";") { row.push(cell); cell = "" } else if (c === "\r" && text[i + 1] === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; i++ } else cell += c
  }
  assert.equal(row.length + cell.length, 0, "the file ends with a row break")
  return rows
}

test("csvText: BOM, ';', CRLF; every cell reads back as the guarded text and never starts a formula", () => {
  const r = random(21)
  const pieces = ["", "a", "ë", ";", "\"", "\n", "\r\n", "\r", "\t", "=", "+", "-", "@", "'", " ", "1", "’", "🎭", ",", "=1+1"]
  for (let k = 0; k < 300; k++) {
    const rows = Array.from({ length: int(r, 1, 4) }, () =>
      Array.from({ length: int(r, 2, 5) }, () => Array.from({ length: int(r, 0, 6) }, () => pick(r, pieces)).join("")))
    const text = logic.csvText(rows)
    assert.ok(text.startsWith("\ufeff") && !text.startsWith("\ufeff\ufeff"))
    const back = readCsv(text.slice(1))
    assert.deepEqual(back, rows.map((cells) => cells.map((c) => (FORMULA_STARTS.some((s) => c.startsWith(s)) ? "'" + c : c))))
    for (const cells of back) for (const cell of cells) assert.ok(!/^[=+\-@\t\r]/.test(cell), JSON.stringify(cell))
  }
  assert.equal(logic.overviewFileName("bo", "2026-11-29"), "overzicht-bo-2026-11-29.csv")
})
