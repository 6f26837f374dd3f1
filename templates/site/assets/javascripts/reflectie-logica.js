/* The online reflection form's logic as pure functions (an ES module without DOM access).
 *
 * reflectie.js reads the instrument from the page's HTML into a plain `spec` and calls these
 * functions; tests/js/ runs them in Node's test runner. Nothing here touches the page, the
 * storage or the clock.
 *
 *   spec = { instrument, publicatie, editie, sitePath, instrumentName, sectionLabel,
 *            sections: [{ id, label }],                     // top-level sections, in order
 *            items: [{ id, number, text, kind, notes, section, was: [ids],
 *                      options: [{ id, label, was: [ids] }] }] }   // fillable items only
 *
 * kind is "keuze", "open" or "rubriek" (a rubric's options are its levels). A saved file
 * (format: publisher/reflection_form.py) is checked by `validate`, which returns it in the
 * shape of format version 2 whatever its version. Editors' ids are only ever looked up in a
 * Map, never on a plain object: an item may be called "constructor" or "project". */

export const FORMAT = "kcr-reflectie"
export const FORMAT_VERSION = 2
export const MAX_BYTES = 1000000
export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/
const KINDS = ["keuze", "open", "rubriek"]

// ------------------------------------------------------------------ storage keys

/* Answers in the browser: one slot per site (the path of its address) and instrument. */
export function storageKey(sitePath, instrument) {
  return FORMAT + ":" + sitePath + ":" + instrument
}

/* The slot of edition 2025's form (one per school type, shared by every site on the host). */
export function legacyStorageKey(instrument) {
  return FORMAT + ":" + instrument
}

/* What to restore when the page opens: the site's own slot, or else, once, the answers of
 * edition 2025's form when they belong to this publication. Returns null or
 * { data, migrated } (migrated: the answers came from the old slot). */
export function planRestore(spec, storedText, legacyText) {
  const own = parseStored(storedText, spec)
  if (own) return { data: own, migrated: false }
  const legacy = parseStored(legacyText, spec)
  if (legacy && legacy.publicatie === spec.publicatie) return { data: legacy, migrated: true }
  return null
}

function parseStored(text, spec) {
  if (typeof text !== "string" || !text) return null
  let data
  try { data = JSON.parse(text) } catch (error) { return null }
  const checked = validate(data, spec)
  return checked.data || null
}

// ------------------------------------------------------------------ looking up items and options

const indexes = new WeakMap()

/* Today's items by id and by earlier id (was), and per item its options the same way. */
export function indexOf(spec) {
  let index = indexes.get(spec)
  if (index) return index
  const byId = new Map(), byWas = new Map(), options = new Map()
  for (const item of spec.items) byId.set(item.id, item)
  for (const item of spec.items) {
    for (const old of item.was || []) if (!byId.has(old) && !byWas.has(old)) byWas.set(old, item)
    const ids = new Map(), was = new Map()
    for (const option of item.options || []) ids.set(option.id, option)
    for (const option of item.options || []) {
      for (const old of option.was || []) if (!ids.has(old) && !was.has(old)) was.set(old, option)
    }
    options.set(item.id, { ids, was })
  }
  index = { byId, byWas, options }
  indexes.set(spec, index)
  return index
}

/* Today's item for an id from a file (its own id first, then an earlier id), or null. */
export function findItem(spec, id) {
  const index = indexOf(spec)
  return index.byId.get(id) || index.byWas.get(id) || null
}

/* Today's option of `item` for an answer id from a file, or null. */
export function findOption(spec, item, id) {
  if (id === null || id === undefined) return null
  const own = indexOf(spec).options.get(item.id)
  if (!own) return null
  return own.ids.get(id) || own.was.get(id) || null
}

export function hasChoices(item) {
  return item.kind === "keuze" || item.kind === "rubriek"
}

// ------------------------------------------------------------------ checking a file

function isText(value, max) { return typeof value === "string" && value.length <= max }
function isPlainObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value) }
function optional(value) { return value === undefined ? "" : value }
function shown(value, max) { // a value from a file, in a message
  return (value !== null && typeof value === "object" ? "…" : String(value)).slice(0, max)
}

/* A saved reflection checked against this instrument: { data } in the shape of format
 * version 2 (a new object; the input is not changed), or { error } in Dutch. */
export function validate(input, spec) {
  if (!isPlainObject(input) || input.formaat !== FORMAT) {
    return { error: "Dit is geen opgeslagen reflectie van deze site." }
  }
  const version = input.formaatversie
  if (version !== 1 && version !== 2) {
    const newer = typeof version === "number" && version > FORMAT_VERSION
    return { error: "Dit bestand is gemaakt met een " + (newer ? "nieuwere" : "andere") + " versie van het formulier (versie " +
      shown(version, 20) + "). Open het met de site waarop het is opgeslagen." }
  }
  const instrument = version === 1 ? input.schooltype : input.instrument
  if (instrument !== spec.instrument) {
    return { error: "Dit bestand hoort bij een ander instrument (" + shown(instrument, 60) + "). " +
      "Open het op de pagina ‘Reflectie invullen’ daarvan." }
  }
  const g = input.gegevens
  if (!isPlainObject(g) || !isText(g.school, 200) || !isText(g.project, 200) || !isText(g.datum, 10) ||
      !isText(g.aanwezigen, 2000) || !isText(input.editie, 40) || !isText(input.publicatie, 200) ||
      !isText(optional(input.opgeslagen), 40) || !isText(optional(input.volgende_reflectie), 10)) {
    return { error: "De gegevens in dit bestand zijn beschadigd of te lang." }
  }
  if (!Array.isArray(input.antwoorden) || input.antwoorden.length > 500 ||
      !Array.isArray(input.afspraken) || input.afspraken.length > 100) {
    return { error: "De antwoorden of afspraken in dit bestand zijn beschadigd." }
  }
  const answers = [], seen = new Set()
  for (let i = 0; i < input.antwoorden.length; i++) {
    const a = input.antwoorden[i]
    const damaged = { error: "Antwoord " + (i + 1) + " in dit bestand is beschadigd." }
    if (!isPlainObject(a) || !isText(a.id, 60) || !SLUG.test(a.id) || !isText(a.vraag, 4000) ||
        !isText(optional(a.toelichting), 10000) || !Number.isInteger(a.nummer) || a.nummer < 1 || a.nummer > 999 ||
        !(a.antwoord === null || (isText(a.antwoord, 60) && SLUG.test(a.antwoord)))) {
      return damaged
    }
    if (version === 2 && (!isText(optional(a.tekst), 10000) || KINDS.indexOf(a.soort) < 0)) return damaged
    if (seen.has(a.id)) {
      return { error: "Antwoord " + (i + 1) + " in dit bestand hoort bij een vraag die al eerder in het bestand staat (‘" + a.id + "’)." }
    }
    seen.add(a.id)
    const item = findItem(spec, a.id)
    if (item && hasChoices(item) && a.antwoord !== null && !findOption(spec, item, a.antwoord)) {
      return { error: "Antwoord " + (i + 1) + " in dit bestand (‘" + a.antwoord + "’) staat niet bij de antwoordmogelijkheden van vraag " +
        item.number + " (" + item.options.map(function (o) { return o.label }).join(", ") + ")." }
    }
    answers.push({
      id: a.id, nummer: a.nummer, vraag: a.vraag, soort: version === 2 ? a.soort : null,
      antwoord: a.antwoord, tekst: version === 2 ? optional(a.tekst) : "", toelichting: optional(a.toelichting)
    })
  }
  const agreements = []
  for (let j = 0; j < input.afspraken.length; j++) {
    const b = input.afspraken[j]
    if (!isPlainObject(b) || !isText(b.wat, 2000) || !isText(b.wie, 500) || !isText(b.wanneer, 200)) {
      return { error: "Afspraak " + (j + 1) + " in dit bestand is beschadigd." }
    }
    agreements.push({ wat: b.wat, wie: b.wie, wanneer: b.wanneer })
  }
  return { data: {
    formaat: FORMAT, formaatversie: version, publicatie: input.publicatie, editie: input.editie, instrument: instrument,
    opgeslagen: optional(input.opgeslagen),
    gegevens: { school: g.school, project: g.project, datum: g.datum, aanwezigen: g.aanwezigen },
    antwoorden: answers, afspraken: agreements, volgende_reflectie: optional(input.volgende_reflectie)
  } }
}

/* A file's text (what the browser read) as a saved reflection: { data } or { error }. */
export function parseFile(text, spec) {
  let data
  try { data = JSON.parse(text) } catch (error) { return { error: "geen geldig JSON-bestand", json: false } }
  return validate(data, spec)
}

// ------------------------------------------------------------------ an earlier file against today's items

/* Where each answer of a (validated) file lands today. Returns
 *   answers: Map item id → { saved, option (today's option id or null), reworded, renamed }
 *   removed: the file's answers whose item is gone (in the file's order)
 * An answer under the item's own id wins over one under an earlier id. */
export function match(spec, data) {
  const answers = new Map(), removed = [], viaWas = []
  for (const saved of data.antwoorden) {
    const item = findItem(spec, saved.id)
    if (!item) { removed.push(saved); continue }
    if (item.id !== saved.id) { viaWas.push([item, saved]); continue }
    answers.set(item.id, landed(spec, item, saved))
  }
  for (const [item, saved] of viaWas) {
    if (!answers.has(item.id)) answers.set(item.id, landed(spec, item, saved))
  }
  return { answers, removed }
}

function landed(spec, item, saved) {
  const option = findOption(spec, item, saved.antwoord) // null for an item without options (open)
  return { saved, option: option ? option.id : null, reworded: saved.vraag !== item.text, renamed: saved.id !== item.id }
}

/* The mark of each of today's items against an earlier file: "nieuw" (not in that file),
 * "anders geformuleerd" (worded differently then) or "" (the same); and the earlier file's
 * items that are gone ("vervallen"). */
export function marks(spec, data) {
  const matched = match(spec, data)
  const result = new Map()
  for (const item of spec.items) {
    const then = matched.answers.get(item.id)
    result.set(item.id, !then ? "nieuw" : then.reworded ? "anders geformuleerd" : "")
  }
  return { marks: result, removed: matched.removed }
}

// ------------------------------------------------------------------ counting

/* How many of `chosen` (option ids or null) fall on each of `optionIds`, and how many are null.
 * Returns { counts: [n per option id, in order], none, total }. */
export function countAnswers(chosen, optionIds) {
  const position = new Map()
  optionIds.forEach(function (id, i) { position.set(id, i) })
  const counts = optionIds.map(function () { return 0 })
  let none = 0
  for (const id of chosen) {
    if (id === null || id === undefined || !position.has(id)) none += 1
    else counts[position.get(id)] += 1
  }
  return { counts, none, total: chosen.length }
}

/* The options of several items, each once, in the order they first appear. */
export function unionOptions(items) {
  const seen = new Map()
  for (const item of items) for (const option of item.options || []) if (!seen.has(option.id)) seen.set(option.id, option)
  return Array.from(seen.values())
}

/* The groups of the summary: per top-level section its choice items, or one group for the
 * whole instrument when it has no sections. */
export function groups(spec) {
  const choiceItems = spec.items.filter(hasChoices)
  if (!spec.sections.length) {
    return choiceItems.length ? [{ id: null, label: spec.instrumentName, items: choiceItems }] : []
  }
  return spec.sections.map(function (section) {
    return { id: section.id, label: section.label, items: choiceItems.filter(function (i) { return i.section === section.id }) }
  }).filter(function (group) { return group.items.length })
}

/* The current answers (a file in version 2 shape, e.g. from collect) by item id. */
function currentById(now) {
  const byId = new Map()
  for (const a of now.antwoorden) byId.set(a.id, a)
  return byId
}

/* The comparison of the current answers (`now`, version 2 shape, today's ids) with an earlier
 * file: per item then/now and its mark; per group the counts then and now and how many
 * answers differ from then; and the earlier items that are gone. */
export function compare(spec, now, earlier) {
  const matched = match(spec, earlier)
  const current = currentById(now)
  const rows = spec.items.map(function (item) {
    const then = matched.answers.get(item.id) || null
    const nowSaved = current.get(item.id) || null
    return {
      item, now: nowSaved, then: then ? then.saved : null,
      nowOption: nowSaved && hasChoices(item) ? (findOption(spec, item, nowSaved.antwoord) || { id: null }).id : null,
      thenOption: then ? then.option : null,
      mark: !then ? "nieuw" : then.reworded ? "anders geformuleerd" : "",
      earlierText: then && then.reworded ? then.saved.vraag : null
    }
  })
  const rowById = new Map(rows.map(function (row) { return [row.item.id, row] }))
  const summary = groups(spec).map(function (group) {
    const options = unionOptions(group.items)
    const ids = options.map(function (o) { return o.id })
    const groupRows = group.items.map(function (item) { return rowById.get(item.id) })
    const earlierRows = groupRows.filter(function (row) { return row.then })
    return {
      id: group.id, label: group.label, options,
      then: countAnswers(earlierRows.map(function (row) { return row.thenOption }), ids),
      now: countAnswers(groupRows.map(function (row) { return row.nowOption }), ids),
      changed: earlierRows.filter(function (row) { return row.thenOption !== row.nowOption }).length,
      items: group.items.length
    }
  })
  return { rows, summary, removed: matched.removed }
}

/* An advisor's overview of several (validated) files: per item how many chose each option,
 * how many wrote an open answer, and in how many files it was worded differently. */
export function overview(spec, files) {
  const matches = files.map(function (data) { return match(spec, data) })
  return spec.items.map(function (item) {
    const landedAnswers = matches.map(function (m) { return m.answers.get(item.id) || null })
    const ids = (item.options || []).map(function (o) { return o.id })
    return {
      item,
      choices: hasChoices(item) ? countAnswers(landedAnswers.map(function (l) { return l ? l.option : null }), ids) : null,
      written: landedAnswers.filter(function (l) { return l && l.saved.tekst.trim() }).length,
      reworded: landedAnswers.filter(function (l) { return l && l.reworded }).length,
      files: files.length
    }
  })
}

// ------------------------------------------------------------------ making a file

/* The file the form saves (format version 2). `state`: { gegevens, answers: Map item id →
 * { antwoord, tekst, toelichting }, afspraken, volgende_reflectie }; `moment`: ISO time. */
export function buildFile(spec, state, moment) {
  return {
    formaat: FORMAT, formaatversie: FORMAT_VERSION, publicatie: spec.publicatie, editie: spec.editie,
    instrument: spec.instrument, opgeslagen: moment,
    gegevens: { school: state.gegevens.school, project: state.gegevens.project, datum: state.gegevens.datum,
                aanwezigen: state.gegevens.aanwezigen },
    antwoorden: spec.items.map(function (item) {
      const answer = state.answers.get(item.id) || {}
      return {
        id: item.id, nummer: item.number, vraag: item.text, soort: item.kind,
        antwoord: hasChoices(item) && answer.antwoord ? answer.antwoord : null,
        tekst: item.kind === "open" ? answer.tekst || "" : "", toelichting: item.notes ? answer.toelichting || "" : ""
      }
    }),
    afspraken: agreementsOrNone(state.afspraken),
    volgende_reflectie: state.volgende_reflectie || ""
  }
}

/* Every agreement row as it stands (empty rows too, so rows keep their numbers), or none at
 * all when nothing is filled in. */
export function agreementsOrNone(rows) {
  return rows.some(function (a) { return a.wat || a.wie || a.wanneer }) ? rows.map(function (a) {
    return { wat: a.wat, wie: a.wie, wanneer: a.wanneer }
  }) : []
}

export function isEmpty(data) {
  const g = data.gegevens
  return !(g.school || g.project || g.datum || g.aanwezigen || data.afspraken.length || data.volgende_reflectie ||
           data.antwoorden.some(function (a) { return a.antwoord || a.tekst || a.toelichting }))
}

/* A school's name as part of a file name: 'École De Regenboog' → 'ecole-de-regenboog' (accents dropped,
   at most 40 characters). The one slug of every file the form offers (also reflectie-pdf-logica.js). */
export function fileSlug(school) {
  return (school || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "")
}

/* 'reflectie-bo-obs-de-regenboog-2025-06-10.json' */
export function fileName(instrument, school, day) {
  return ["reflectie", instrument, fileSlug(school), day].filter(Boolean).join("-") + ".json"
}

export const MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
  "oktober", "november", "december"]  // as publisher/dutch.py writes them (also read back from a sheet: reflectie-pdf-logica.js)

/* '2025-06-10' → '10 juni 2025' (as the site writes dates); anything else is returned as it is. */
export function dutchDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "")
  const month = match ? Number(match[2]) : 0
  const day = match ? Number(match[3]) : 0
  if (!match || month < 1 || month > 12 || day < 1 || day > 31) return iso
  return day + " " + MONTHS[month - 1] + " " + match[1]
}

/* 'OBS De Regenboog, 10 juni 2025, editie 2025' */
export function describe(data) {
  const parts = [data.gegevens.school || "zonder schoolnaam"]
  if (data.gegevens.datum) parts.push(dutchDate(data.gegevens.datum))
  parts.push("editie " + data.editie)
  return parts.join(", ")
}

/* What an answer says, in words: the option's label (or 'geen antwoord'), the written
 * answer, the notes. `optionId` is today's option id (or null). */
export function answerText(item, optionId, saved) {
  const parts = []
  if (hasChoices(item)) {
    const option = (item.options || []).find(function (o) { return o.id === optionId })
    parts.push(option ? option.label : "geen antwoord")
  } else {
    parts.push(saved && saved.tekst ? saved.tekst : "geen antwoord")
  }
  const notes = saved && saved.toelichting
  return parts.join("") + (notes ? ": " + notes : "")
}

// ------------------------------------------------------------------ words for counts

/* A count with its noun in correct Dutch singular or plural: count(1, "vraag", "vragen") is
 * '1 vraag', count(2, …) '2 vragen', count(0, …) '0 vragen'. The forms may carry the verb
 * ("vraag is", "vragen zijn"), so that the whole message agrees with the number. */
export function count(n, one, many) {
  return n + " " + (n === 1 ? one : many)
}

// ------------------------------------------------------------------ an advisor's overview per school

/* The name of each file in an overview: the school from its details, else the file's name;
 * a name that two files share gets the file's name added, so that every column is told apart. */
export function schoolNames(files, fileNames) {
  const base = files.map(function (data, k) { return data.gegevens.school.trim() || fileNames[k] })
  return base.map(function (name, k) {
    const shared = base.filter(function (other) { return other === name }).length > 1
    return shared && name !== fileNames[k] ? name + " (" + fileNames[k] + ")" : name
  })
}

/* The whole overview of several (validated) files, per item: the counts of `overview` and per
 * school what it answered (an option's label or the written text; "" for no answer) and its
 * notes. `options`: the options of every item with choices, each once (the count columns).
 * Returns { schools: [name], options, rows: [{ item, choices, written, reworded, files,
 * answered, unanswered, answers: [{ school, answer, notes }] }] }. */
export function overviewTable(spec, files, fileNames) {
  const schools = schoolNames(files, fileNames)
  const matches = files.map(function (data) { return match(spec, data) })
  const rows = overview(spec, files).map(function (row) {
    const answers = matches.map(function (m, k) {
      const landed = m.answers.get(row.item.id) || null
      let answer = ""
      if (landed && hasChoices(row.item)) {
        const option = (row.item.options || []).find(function (o) { return o.id === landed.option })
        answer = option ? option.label : ""
      } else if (landed) {
        answer = landed.saved.tekst
      }
      return { school: schools[k], answer, notes: landed ? landed.saved.toelichting : "" }
    })
    const answered = row.choices ? row.choices.total - row.choices.none : row.written
    return Object.assign({}, row, { answers, answered, unanswered: files.length - answered })
  })
  return { schools, options: unionOptions(spec.items.filter(hasChoices)), rows }
}

/* The overview as rows of cells for a CSV file: a header, then one row per item with its
 * number, id and text, the count per option (empty where the item has no such option), how
 * many files answered it and how many did not, and per school its answer and notes. */
export function overviewRows(table) {
  const header = ["nummer", "vraag_id", "vraag"].concat(table.options.map(function (o) { return o.label }))
    .concat(["beantwoord", "geen antwoord"])
  table.schools.forEach(function (school) { header.push(school + ": antwoord", school + ": toelichting") })
  const rows = table.rows.map(function (row) {
    const ids = (row.item.options || []).map(function (o) { return o.id })
    const cells = [String(row.item.number), row.item.id, row.item.text]
    table.options.forEach(function (option) {
      const at = row.choices ? ids.indexOf(option.id) : -1
      cells.push(at < 0 ? "" : String(row.choices.counts[at]))
    })
    cells.push(String(row.answered), String(row.unanswered))
    row.answers.forEach(function (a) { cells.push(a.answer, a.notes) })
    return cells
  })
  return [header].concat(rows)
}

// ------------------------------------------------------------------ CSV as the site's exports write it

/* The same rule as publisher/exports.py `spreadsheet_text`: a text that a spreadsheet would
 * read as a formula (or that starts with the guard itself) gets a leading apostrophe. */
export const FORMULA_START = ["=", "+", "-", "@", "\t", "\r", "'"]

export function spreadsheetText(text) {
  const value = String(text)
  return FORMULA_START.some(function (start) { return value.startsWith(start) }) ? "'" + value : value
}

/* One cell as Python's csv writer writes it with QUOTE_MINIMAL and ';': quoted when it holds
 * the separator, a double quote or a line break; a double quote doubled. */
export function csvCell(text) {
  const value = spreadsheetText(text)
  return /[;"\r\n]/.test(value) ? "\"" + value.replace(/"/g, "\"\"") + "\"" : value
}

/* A whole CSV file as publisher/exports.py writes one: UTF-8 with a byte order mark (so that
 * Excel reads it as UTF-8), ';' between cells, CRLF after every row. */
export function csvText(rows) {
  return "\ufeff" + rows.map(function (cells) { return cells.map(csvCell).join(";") + "\r\n" }).join("")
}

/* 'overzicht-bo-2026-11-29.csv' */
export function overviewFileName(instrument, day) {
  return ["overzicht", instrument, day].filter(Boolean).join("-") + ".csv"
}
