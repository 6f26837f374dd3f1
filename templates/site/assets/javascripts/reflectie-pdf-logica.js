/* Paper and screen as one (issue 21, point 3): the fillable sheet's fields and the online form's
 * answers, mapped both ways, as pure functions (an ES module without DOM access, no PDF library).
 * reflectie-pdf.js reads and writes the PDF (pdf-lib) and the page; tests/js/ runs these in Node.
 *
 * The field names are published promises made by the build (publisher/sheets.py:item_fields,
 * HEADER_FIELDS, action_field) and written into the page as data attributes, 'role:name' pairs
 * (publisher/reflection_form.py): nothing here knows a field name.
 *
 *   page = { instrumentName,
 *            items: [{ id, number, kind, notes, options: [{ id, was: [ids] }], fields: "keuze:bo-x toelichting:bo-x-toelichting" }],
 *            details: "school:school project:project datum:datum aanwezigen:aanwezigen",
 *            agreements: "wat:afspraak-1-wat wie:afspraak-1-wie wanneer:afspraak-1-wanneer|…",
 *            next: "volgend-reflectiemoment" }
 *   fields (read from a PDF) = [{ name, kind: "radio" | "text" | "other", value: string | null }]
 *
 * Editors' ids are only looked up in Maps. */

import { MONTHS, count, dutchDate, fileSlug } from "./reflectie-logica.js"

/* 'keuze:bo-x toelichting:bo-x-toelichting' → Map role → field name. */
export function pairs(text) {
  const result = new Map()
  ;(text || "").split(/\s+/).filter(Boolean).forEach(function (pair) {
    const at = pair.indexOf(":")
    if (at > 0) result.set(pair.slice(0, at), pair.slice(at + 1))
  })
  return result
}

/* The sheet as the page describes it: per item its fields, the details' and agreements' fields. */
export function sheetOf(page) {
  const items = page.items.map(function (item) {
    const fields = pairs(item.fields)
    return { id: item.id, number: item.number, kind: item.kind, notes: item.notes, options: item.options || [],
             choice: fields.get("keuze") || null, answer: fields.get("antwoord") || null, note: fields.get("toelichting") || null }
  })
  const details = pairs(page.details)
  const agreements = (page.agreements || "").split("|").map(pairs).filter(function (row) { return row.size })
  const itemNames = new Set()
  items.forEach(function (item) { [item.choice, item.answer, item.note].forEach(function (n) { if (n) itemNames.add(n) }) })
  const names = new Set(itemNames)
  details.forEach(function (name) { names.add(name) })
  agreements.forEach(function (row) { row.forEach(function (name) { names.add(name) }) })
  const next = page.next || null
  if (next) names.add(next)
  return { instrumentName: page.instrumentName || "", items, details, agreements, next, itemNames, names }
}

// ------------------------------------------------------------------ dates

/* '2024-06-10' from '2024-06-10', '10-6-2024', '10/06/2024', '10 juni 2024'; else null. */
export function isoDate(text) {
  const value = (text || "").trim().toLowerCase()
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value)
  let year, month, day
  if (m) { year = +m[1]; month = +m[2]; day = +m[3] } else {
    m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(value)
    if (m) { day = +m[1]; month = +m[2]; year = +m[3] } else {
      m = /^(\d{1,2})\s+([a-z]+)\s+(\d{4})$/.exec(value)
      if (!m || MONTHS.indexOf(m[2]) < 0) return null
      day = +m[1]; month = MONTHS.indexOf(m[2]) + 1; year = +m[3]
    }
  }
  const check = new Date(Date.UTC(year, month - 1, day))
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null
  return String(year).padStart(4, "0") + "-" + String(month).padStart(2, "0") + "-" + String(day).padStart(2, "0")
}

// ------------------------------------------------------------------ PDF → form

function optionFor(item, value) {
  const exact = item.options.find(function (o) { return o.id === value })
  if (exact) return exact.id
  const earlier = item.options.find(function (o) { return (o.was || []).indexOf(value) >= 0 })
  return earlier ? earlier.id : null
}

/* What a filled sheet says, as the form's state ({ gegevens, answers: Map id → { antwoord, tekst,
 * toelichting }, afspraken, volgende_reflectie }, what reflectie-logica.js buildFile takes), with
 * a report: counts, unknown fields, values that fit no option, items left empty. Or { error }
 * (Dutch, without the file's name) when the PDF is not a fillable sheet of this instrument. */
export function fromSheet(sheet, fields) {
  const byName = new Map()
  fields.forEach(function (f) { if (!byName.has(f.name)) byName.set(f.name, f) })
  if (!fields.length) return { error: "dit PDF-bestand heeft geen invulvelden; het is geen invulbaar reflectieblad van deze site." }
  const matched = fields.filter(function (f) { return sheet.itemNames.has(f.name) }).length
  if (!matched) {
    const shared = fields.some(function (f) { return sheet.names.has(f.name) })
    return { error: shared
      ? "dit is een reflectieblad van een andere reflectie dan " + sheet.instrumentName + " (een ander schooltype of instrument): geen van de vragen hoort bij dit formulier. Open het op de pagina van die reflectie."
      : "dit is geen invulbaar reflectieblad van deze site: geen van de velden hoort bij dit formulier." }
  }
  const text = function (name) {
    const f = name ? byName.get(name) : null
    return f && f.kind === "text" && typeof f.value === "string" ? f.value : ""
  }
  const report = { answers: 0, notes: 0, empty: [], unknown: [], badValues: [], badDates: [] }
  const answers = new Map()
  sheet.items.forEach(function (item) {
    let antwoord = null
    if (item.choice) {
      const f = byName.get(item.choice)
      const value = f && typeof f.value === "string" && f.value !== "Off" ? f.value : null
      if (value !== null) {
        antwoord = optionFor(item, value)
        if (antwoord === null) report.badValues.push({ number: item.number, value })
      }
    }
    const tekst = item.answer ? text(item.answer) : ""
    const toelichting = item.note ? text(item.note) : ""
    if (antwoord !== null || tekst) report.answers += 1
    else report.empty.push(item.number)
    if (toelichting) report.notes += 1
    answers.set(item.id, { antwoord, tekst, toelichting })
  })
  const gegevens = { school: "", project: "", datum: "", aanwezigen: "" }
  sheet.details.forEach(function (name, key) {
    if (!(key in gegevens) || key === "datum") return
    gegevens[key] = text(name)
  })
  const dateOf = function (name) { // '' when empty; the text itself when it is no date (reported)
    const written = text(name).trim()
    if (!written) return ""
    const iso = isoDate(written)
    if (!iso) report.badDates.push(written)
    return iso || ""
  }
  if (sheet.details.has("datum")) gegevens.datum = dateOf(sheet.details.get("datum"))
  const volgende = sheet.next ? dateOf(sheet.next) : ""
  gegevens.school = gegevens.school.slice(0, 200)
  gegevens.project = gegevens.project.slice(0, 200)
  gegevens.aanwezigen = gegevens.aanwezigen.slice(0, 2000)
  const afspraken = []
  sheet.agreements.forEach(function (row) {
    const values = { wat: text(row.get("wat")), wie: text(row.get("wie")), wanneer: text(row.get("wanneer")) }
    if (values.wat || values.wie || values.wanneer) afspraken.push(values)
  })
  fields.forEach(function (f) {
    if (!sheet.names.has(f.name) && f.value && report.unknown.indexOf(f.name) < 0) report.unknown.push(f.name)
  })
  return { state: { gegevens, answers, afspraken, volgende_reflectie: volgende }, report }
}

function list(numbers) {
  if (numbers.length === 1) return "vraag " + numbers[0]
  return "vragen " + numbers.slice(0, -1).join(", ") + " en " + numbers[numbers.length - 1]
}

/* The Dutch message after opening a sheet: what was read, what was left empty or not understood. */
export function readMessage(fileName, report) {
  let text = "Geopend: ‘" + fileName + "’. Gelezen: " + count(report.answers, "antwoord", "antwoorden") + " en " +
    count(report.notes, "toelichting", "toelichtingen") + "."
  if (report.empty.length) text += " Zonder antwoord: " + list(report.empty) + "."
  if (report.badValues.length) {
    text += " Niet herkend (leeg gelaten): " + report.badValues.map(function (b) { return "vraag " + b.number + " (‘" + b.value + "’)" }).join(", ") + "."
  }
  report.badDates.forEach(function (written) { text += " De datum ‘" + written + "’ is niet herkend en leeg gelaten." })
  if (report.unknown.length) text += " Onbekende velden (niet gelezen): " + report.unknown.join(", ") + "."
  return text
}

// ------------------------------------------------------------------ form → PDF

/* The values to write into the sheet for a saved file's data (format version 2, what the form's
 * collect() returns): [{ name, kind: "radio" | "text", value }] (a radio's value is an option id or
 * null), and how many agreements did not fit on the sheet. */
export function toSheet(sheet, data) {
  const values = []
  const saved = new Map()
  data.antwoorden.forEach(function (a) { saved.set(a.id, a) })
  sheet.items.forEach(function (item) {
    const a = saved.get(item.id) || { antwoord: null, tekst: "", toelichting: "" }
    if (item.choice) values.push({ name: item.choice, kind: "radio", value: a.antwoord || null })
    if (item.answer) values.push({ name: item.answer, kind: "text", value: a.tekst || "" })
    if (item.note) values.push({ name: item.note, kind: "text", value: a.toelichting || "" })
  })
  sheet.details.forEach(function (name, key) {
    const value = data.gegevens[key] || ""
    values.push({ name, kind: "text", value: key === "datum" ? dutchDate(value) : value })
  })
  const rows = data.afspraken.filter(function (a) { return a.wat || a.wie || a.wanneer })
  sheet.agreements.forEach(function (row, index) {
    const a = rows[index] || {}
    row.forEach(function (name, column) { values.push({ name, kind: "text", value: a[column] || "" }) })
  })
  if (sheet.next) values.push({ name: sheet.next, kind: "text", value: dutchDate(data.volgende_reflectie || "") })
  return { values, leftOver: Math.max(0, rows.length - sheet.agreements.length) }
}

/* 'reflectievragen-bo-invulbaar-obs-de-regenboog-2025-06-10.pdf' */
export function sheetFileName(sheetFile, school, day) {
  return [sheetFile.replace(/\.pdf$/, ""), fileSlug(school), day].filter(Boolean).join("-") + ".pdf"
}
