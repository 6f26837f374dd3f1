/* The online reflection form (pages <instrument>/invullen/, templates/pages/invullen.md.j2),
 * an ES module. The decisions (checking a file, where an earlier answer lands, counts, marks,
 * storage keys) are pure functions in reflectie-logica.js; this script reads the page, keeps
 * it in step with the browser's storage, and shows what those functions return.
 *
 * Everything stays on the device: answers are kept in this browser's localStorage as the
 * team types (one slot per site and instrument), "Opslaan" writes a JSON file (format:
 * publisher/reflection_form.py, published as downloads/reflectie.schema.json), "Openen" reads
 * one back, "Vergelijken" shows an earlier file next to the current answers, "Overzicht"
 * shows several files (schools) per question and downloads that as CSV. Nothing is sent anywhere.
 *
 * The actions sit in one place under the questions (section#kcr-acties): every button with a
 * data-actie attribute runs the function of that name in `actions` below, so an action is one
 * line of markup and one entry there; a data-actie that is not in `actions` is handed to other
 * modules as a "kcr-actie" event on the form (detail: actie, button, say, collect, fill, store, offer).
 * A message (#kcr-melding, role=status) appears under the buttons and is scrolled into view, so
 * that it shows where the person clicked.
 *
 * The items, their answer forms, options and earlier ids are read from the page's HTML
 * (generated from the YAML), so an instrument needs no code here. Editors' ids are looked up
 * in Maps only. Text from a file is only ever set as text (textContent, value), never as HTML. */
import * as logic from "./reflectie-logica.js"
import "./reflectie-pdf.js" // the PDF actions (pdf-openen, pdf-downloaden): a kcr-actie listener

const form = document.getElementById("kcr-reflectie")
if (form) start(form)

function words(text) { return (text || "").split(/\s+/).filter(Boolean) }

function readSpec(form) {
  const info = form.dataset
  const items = Array.from(form.querySelectorAll("fieldset.kcr-vraag")).map(function (fieldset) {
    return {
      id: fieldset.dataset.vraag, number: Number(fieldset.dataset.nummer),
      text: fieldset.querySelector(".kcr-vraagtekst").textContent, kind: fieldset.dataset.soort,
      notes: Boolean(fieldset.querySelector("textarea[data-toelichting]")), section: fieldset.dataset.sectie || null,
      was: words(fieldset.dataset.was),
      options: Array.from(fieldset.querySelectorAll("input[type=radio]")).map(function (input) {
        return { id: input.value, label: input.dataset.label, was: words(input.dataset.was) }
      })
    }
  })
  return {
    instrument: info.instrument, publicatie: info.publicatie, editie: info.editie, sitePath: info.site,
    instrumentName: info.instrumentNaam, sectionLabel: info.sectieniveau,
    sections: Array.from(form.querySelectorAll("h2[data-sectie]")).map(function (h) {
      return { id: h.dataset.sectie, label: h.textContent }
    }),
    items
  }
}

function start(form) {
  const spec = readSpec(form)
  const storageKey = logic.storageKey(spec.sitePath, spec.instrument)
  const legacyKey = logic.legacyStorageKey(spec.instrument)
  const message = document.getElementById("kcr-melding")
  const agreements = document.getElementById("kcr-afspraken")
  const own = function (id) { return document.getElementById(id) } // the form's own fields (kcr-…), never an editor's id
  // Per item its controls, by id (a Map: an item may be called "constructor" or "project").
  const controls = new Map()
  form.querySelectorAll("fieldset.kcr-vraag").forEach(function (fieldset) {
    const radios = new Map()
    fieldset.querySelectorAll("input[type=radio]").forEach(function (input) { radios.set(input.value, input) })
    controls.set(fieldset.dataset.vraag, {
      fieldset, radios, clear: fieldset.querySelector("button[data-wis]"),
      text: fieldset.querySelector("textarea[data-antwoord]"), notes: fieldset.querySelector("textarea[data-toelichting]")
    })
  })
  // Labels of every option on the page, also under earlier ids, for answers to items that are gone.
  const anyLabel = new Map()
  spec.items.forEach(function (item) {
    item.options.forEach(function (o) {
      if (!anyLabel.has(o.id)) anyLabel.set(o.id, o.label)
      o.was.forEach(function (old) { if (!anyLabel.has(old)) anyLabel.set(old, o.label) })
    })
  })
  let comparedWith = null // the earlier file shown in the comparison, if any

  document.documentElement.classList.add("kcr-js")
  document.querySelectorAll(".kcr-alleen-met-js").forEach(function (element) {
    element.hidden = false
  })

  // ---------------------------------------------------------------- helpers

  function el(tag, attributes, children) {
    const element = document.createElement(tag)
    Object.keys(attributes || {}).forEach(function (name) { element.setAttribute(name, attributes[name]) })
    ;(children || []).forEach(function (child) {
      element.appendChild(typeof child === "string" ? document.createTextNode(child) : child)
    })
    return element
  }

  /* A message under the action buttons; scrolled into view (when not already in view) so that
   * it appears where the person is looking, unless `quiet` (while typing in the form). */
  function say(text, kind, quiet) {
    message.textContent = text
    message.className = "kcr-melding" + (kind ? " kcr-melding--" + kind : "")
    if (quiet) return
    const box = message.getBoundingClientRect()
    const header = document.querySelector(".md-header")
    const top = header ? header.getBoundingClientRect().bottom : 0
    if (box.top < top || box.bottom > window.innerHeight) message.scrollIntoView({ block: "nearest" })
  }

  function mirror(textarea) { // the full text of a notes field on paper (a textarea prints cut off)
    const copy = textarea.nextElementSibling
    if (copy && copy.classList.contains("kcr-afdruktekst")) copy.textContent = textarea.value
  }

  function removedLabel(saved) {
    if (saved.antwoord === null) return saved.tekst || "geen antwoord"
    return anyLabel.get(saved.antwoord) || saved.antwoord
  }

  // ---------------------------------------------------------------- reading and filling the form

  function collect() {
    const answers = new Map()
    spec.items.forEach(function (item) {
      const c = controls.get(item.id)
      let chosen = null
      c.radios.forEach(function (input) { if (input.checked) chosen = input.value })
      answers.set(item.id, { antwoord: chosen, tekst: c.text ? c.text.value : "", toelichting: c.notes ? c.notes.value : "" })
    })
    return logic.buildFile(spec, {
      gegevens: { school: own("kcr-school").value, project: own("kcr-project").value, datum: own("kcr-datum").value,
                  aanwezigen: own("kcr-aanwezigen").value },
      answers, afspraken: collectAgreementValues(), volgende_reflectie: own("kcr-volgende").value
    }, new Date().toISOString())
  }

  /* Fill the form from a validated file. Returns what could not be placed (answers to items
   * that are gone) and the items that are worded differently now. */
  function fill(data) {
    form.reset()
    own("kcr-school").value = data.gegevens.school
    own("kcr-project").value = data.gegevens.project
    own("kcr-datum").value = data.gegevens.datum
    own("kcr-aanwezigen").value = data.gegevens.aanwezigen
    own("kcr-volgende").value = data.volgende_reflectie || ""
    const matched = logic.match(spec, data)
    const reworded = []
    spec.items.forEach(function (item) {
      const c = controls.get(item.id)
      const landed = matched.answers.get(item.id)
      setReworded(c.fieldset, landed && landed.reworded ? landed.saved.vraag : null)
      if (!landed) return
      if (landed.reworded) reworded.push(landed.saved)
      if (landed.option !== null && c.radios.has(landed.option)) c.radios.get(landed.option).checked = true
      if (c.text) c.text.value = landed.saved.tekst
      if (c.notes) c.notes.value = landed.saved.toelichting
    })
    setAgreements(data.afspraken)
    refresh()
    const removed = matched.removed.filter(function (a) { return a.antwoord || a.tekst || a.toelichting })
    return { removed, reworded }
  }

  function setReworded(fieldset, earlierText) {
    const note = fieldset.querySelector(".kcr-anders")
    if (note) note.remove()
    if (earlierText === null) return
    fieldset.querySelector("legend").insertAdjacentElement("afterend", el("p", { "class": "kcr-anders" }, [
      "Let op: deze vraag is anders geformuleerd dan in het geopende bestand. Daar stond: “" + earlierText + "”"]))
  }

  // ---------------------------------------------------------------- agreements (rows can be added)

  function agreementRow(number) {
    const prefix = "kcr-afspraak-" + number + "-"
    function part(name, label, wide, control) {
      control.id = prefix + name
      control.name = "kcr-afspraak-" + name
      const parts = [el("label", { "for": control.id }, [label]), control]
      if (control.tagName === "TEXTAREA") parts.push(el("div", { "class": "kcr-afdruktekst", "aria-hidden": "true" }))
      return el("div", { "class": "kcr-veld" + (wide ? " kcr-veld--breed" : "") }, parts)
    }
    const row = el("fieldset", { "class": "kcr-afspraak" }, [
      el("legend", {}, ["Afspraak " + number]),
      part("wat", "Wat", true, el("textarea", { rows: "2", maxlength: "2000" })),
      part("wie", "Wie", false, el("input", { type: "text", maxlength: "500" })),
      part("wanneer", "Wanneer", false, el("input", { type: "text", maxlength: "200" }))
    ])
    if (number > 1) {
      const remove = el("button", { type: "button", "class": "kcr-wis" }, ["Afspraak " + number + " verwijderen"])
      remove.addEventListener("click", function () {
        row.remove()
        setAgreements(collectAgreementValues())
        store()
        agreements.querySelector("textarea").focus()
      })
      row.appendChild(remove)
    }
    return row
  }

  function collectAgreementValues() {
    return Array.from(agreements.querySelectorAll("fieldset.kcr-afspraak")).map(function (row) {
      const values = row.querySelectorAll("input, textarea")
      return { wat: values[0].value, wie: values[1].value, wanneer: values[2].value }
    })
  }

  function setAgreements(list) {
    agreements.textContent = ""
    const rows = list.length ? list : [{ wat: "", wie: "", wanneer: "" }]
    rows.forEach(function (values) {
      const row = agreementRow(agreements.children.length + 1)
      const fields = row.querySelectorAll("input, textarea")
      fields[0].value = values.wat || ""
      fields[1].value = values.wie || ""
      fields[2].value = values.wanneer || ""
      agreements.appendChild(row)
    })
  }

  // ---------------------------------------------------------------- keeping answers in the browser

  let storageWarned = false
  function store() {
    refresh()
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(collect()))
    } catch (error) {
      if (!storageWarned) say("Deze browser kan de antwoorden niet bewaren. Gebruik ‘Opslaan als bestand’ voordat je de pagina sluit.", "fout", true)
      storageWarned = true
    }
  }

  function read(key) {
    try { return window.localStorage.getItem(key) } catch (error) { return null }
  }

  function restore() {
    const plan = logic.planRestore(spec, read(storageKey), read(legacyKey))
    if (!plan) return
    fill(plan.data)
    if (plan.migrated) { // once: from now on the answers live in this site's own slot
      store()
      try { window.localStorage.removeItem(legacyKey) } catch (error) { /* kept where it was */ }
    }
  }

  // Everything that follows the form's state: clear buttons, printed notes, the comparison.
  function refresh() {
    controls.forEach(function (c) {
      if (!c.clear) return
      let chosen = false
      c.radios.forEach(function (input) { if (input.checked) chosen = true })
      c.clear.hidden = !chosen
    })
    form.querySelectorAll("textarea").forEach(mirror)
    if (comparedWith) showComparison(comparedWith)
  }

  // ---------------------------------------------------------------- files

  /* A chosen file as a saved reflection: resolves to {data} or to {error} (Dutch, with the name). */
  function loadFile(file) {
    if (file.size > logic.MAX_BYTES) {
      return Promise.resolve({ error: "‘" + file.name + "’ is te groot (" + (file.size / 1000000).toFixed(1).replace(".", ",") +
        " MB). Een opgeslagen reflectie is kleiner dan 1 MB." })
    }
    return file.text().then(function (text) {
      const parsed = logic.parseFile(text, spec)
      if (parsed.json === false) return { error: "‘" + file.name + "’ is geen opgeslagen reflectie (geen geldig JSON-bestand)." }
      return parsed.error ? { error: "‘" + file.name + "’ kan niet geopend worden: " + parsed.error } : { data: parsed.data }
    }, function () { return { error: "‘" + file.name + "’ kon niet gelezen worden." } })
  }

  function readFile(input, use) {
    const file = input.files && input.files[0]
    input.value = ""
    if (!file) return
    loadFile(file).then(function (loaded) {
      if (loaded.error) { say(loaded.error + " Er is niets veranderd.", "fout"); return }
      use(loaded.data, file.name)
    })
  }

  // ---------------------------------------------------------------- the comparison

  function bar(counts, options, label) { // one stacked bar in SVG; widths are attributes, not styles (CSP)
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg")
    svg.setAttribute("viewBox", "0 0 100 6")
    svg.setAttribute("preserveAspectRatio", "none")
    svg.setAttribute("class", "kcr-balk")
    svg.setAttribute("aria-hidden", "true")
    let x = 0
    const parts = counts.counts.map(function (n, i) { return [n, "kcr-kleur-" + (i % 6)] }).concat([[counts.none, "kcr-kleur-geen"]])
    parts.forEach(function (part) {
      const width = counts.total ? 100 * part[0] / counts.total : 0
      if (!width) return
      const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect")
      rect.setAttribute("x", String(x)); rect.setAttribute("y", "0")
      rect.setAttribute("width", String(width)); rect.setAttribute("height", "6")
      rect.setAttribute("class", part[1])
      svg.appendChild(rect)
      x += width
    })
    return el("div", { "class": "kcr-balkregel" }, [el("span", { "class": "kcr-balklabel" }, [label]), svg])
  }

  function legend(options) {
    return el("p", { "class": "kcr-legenda" }, options.map(function (o, i) {
      return el("span", {}, [el("span", { "class": "kcr-kleur kcr-kleur-" + (i % 6), "aria-hidden": "true" }), o.label])
    }).concat([el("span", {}, [el("span", { "class": "kcr-kleur kcr-kleur-geen", "aria-hidden": "true" }), "geen antwoord"])]))
  }

  // A wide table on a narrow screen scrolls sideways inside a region that the keyboard can reach.
  function scrollable(table, name) {
    return el("div", { "class": "kcr-tabelwrap", tabindex: "0", role: "region", "aria-label": name }, [table])
  }

  function th(text) { return el("th", { scope: "col" }, [text]) }
  /* A cell; `column` names it on a narrow screen, where each row is a block (see kcr.css). */
  function td(text, column) { return el("td", column ? { "data-kop": column } : {}, [text]) }

  function showComparison(earlier) {
    const now = collect()
    const result = logic.compare(spec, now, earlier)
    const content = document.getElementById("kcr-vergelijking-inhoud")
    content.textContent = ""
    content.appendChild(el("p", {}, ["Eerdere reflectie: " + logic.describe(earlier) + ". Nu: " + logic.describe(now) + "."]))

    // Per top-level section: how the chosen answers are spread, then and now (chart + the same numbers as a table).
    result.summary.forEach(function (group, index) {
      if (index === 0) content.appendChild(el("h3", {}, ["Samenvatting per " + spec.sectionLabel.toLowerCase()]))
      content.appendChild(legend(group.options))
      content.appendChild(el("div", { "class": "kcr-perspectiefgrafiek" }, [
        el("p", { "class": "kcr-perspectiefnaam" }, [group.label + " (" + group.changed + " van " + group.items + " antwoorden anders dan toen)"]),
        bar(group.then, group.options, "Toen"), bar(group.now, group.options, "Nu")]))
      const body = el("tbody")
      ;[["toen", group.then], ["nu", group.now]].forEach(function (pair, row) {
        const cells = row === 0 ? [el("th", { scope: "row", rowspan: "2" }, [group.label])] : []
        cells.push(td(pair[0], "Moment"))
        pair[1].counts.forEach(function (n, i) { cells.push(td(String(n), group.options[i].label)) })
        cells.push(td(String(pair[1].none), "geen antwoord"))
        if (row === 0) cells.push(el("td", { rowspan: "2", "data-kop": "anders dan toen" }, [String(group.changed)]))
        body.appendChild(el("tr", { "data-sectie": group.id || "" }, cells))
      })
      const caption = "Aantal vragen per antwoord, toen en nu: " + group.label
      content.appendChild(scrollable(el("table", { "class": "kcr-samenvatting" }, [
        el("caption", {}, [caption]),
        el("thead", {}, [el("tr", {}, [th(spec.sectionLabel), th("Moment")]
          .concat(group.options.map(function (o) { return th(o.label) }))
          .concat([th("geen antwoord"), th("anders dan toen")]))]),
        body]), caption))
    })

    // Per item: then and now side by side; new, reworded and removed items marked.
    content.appendChild(el("h3", {}, ["Per vraag"]))
    const rows = el("tbody")
    result.rows.forEach(function (row) {
      const mark = row.mark === "nieuw" ? "nieuw sinds het eerdere bestand" : row.mark
      const question = [row.item.text]
      if (mark) question.push(el("strong", { "class": "kcr-markering" }, [" (" + mark + ")"]))
      if (row.earlierText !== null) question.push(el("span", { "class": "kcr-toen" }, ["Toen: “" + row.earlierText + "”"]))
      rows.appendChild(el("tr", { "data-vraag": row.item.id, "class": mark ? "kcr-gemarkeerd" : "" }, [
        td(String(row.item.number), "Nr."), el("td", {}, question),
        td(row.then ? logic.answerText(row.item, row.thenOption, row.then) : "–", "Toen"),
        td(logic.answerText(row.item, row.nowOption, row.now), "Nu")]))
    })
    result.removed.forEach(function (before) {
      rows.appendChild(el("tr", { "data-vraag": before.id, "class": "kcr-gemarkeerd" }, [
        td("(" + before.nummer + ")", "Nr."),
        el("td", {}, [before.vraag, el("strong", { "class": "kcr-markering" }, [" (vervallen: deze vraag staat niet meer in de reflectie)"])]),
        td(removedLabel(before) + (before.toelichting ? ": " + before.toelichting : ""), "Toen"),
        td("–", "Nu")]))
    })
    content.appendChild(scrollable(el("table", { "class": "kcr-pervraag" }, [
      el("caption", {}, ["Antwoorden per vraag, toen en nu"]),
      el("thead", {}, [el("tr", {}, ["Nr.", "Vraag", "Toen", "Nu"].map(th))]),
      rows]), "Antwoorden per vraag, toen en nu"))
    const closeButton = el("button", { type: "button", "class": "md-button" }, ["Vergelijking sluiten"])
    closeButton.addEventListener("click", function () {
      comparedWith = null
      document.getElementById("kcr-vergelijking").hidden = true
      document.querySelector("[data-actie='vergelijken']").focus()
    })
    content.appendChild(closeButton)
    document.getElementById("kcr-vergelijking").hidden = false
  }

  // ---------------------------------------------------------------- an advisor's overview

  /* Several saved reflections (schools) at once: per item how many chose each option (or, for
   * open items, wrote an answer). Files that cannot be read are listed, not counted. */
  function showOverview(files) {
    Promise.all(files.map(loadFile)).then(function (loaded) {
      const good = loaded.filter(function (l) { return l.data }).map(function (l) { return l.data })
      const goodNames = files.filter(function (f, k) { return loaded[k].data }).map(function (f) { return f.name })
      const bad = loaded.filter(function (l) { return l.error }).map(function (l) { return l.error })
      const content = document.getElementById("kcr-overzicht-inhoud")
      content.textContent = ""
      if (!good.length) {
        say("Geen overzicht: " + bad.join(" ") + " Er is niets veranderd.", "fout")
        return
      }
      const counted = logic.count(good.length, "reflectie", "reflecties")
      content.appendChild(el("p", {}, [counted + ": " + good.map(logic.describe).join("; ") + "."]))
      if (bad.length) content.appendChild(el("p", { "class": "kcr-anders" }, ["Niet meegeteld: " + bad.join(" ")]))
      const rows = logic.overview(spec, good)
      // One table per set of options (a scale, a rubric's levels), one for open items.
      const tables = new Map()
      rows.forEach(function (row) {
        const key = row.choices ? row.item.options.map(function (o) { return o.id }).join(" ") : ""
        if (!tables.has(key)) tables.set(key, { options: row.item.options, rows: [] })
        tables.get(key).rows.push(row)
      })
      tables.forEach(function (table, key) {
        const body = el("tbody")
        table.rows.forEach(function (row) {
          const question = [row.item.text]
          if (row.reworded) question.push(el("span", { "class": "kcr-toen" }, ["In " + logic.count(row.reworded, "bestand", "bestanden") + " anders geformuleerd."]))
          const cells = [td(String(row.item.number), "Nr."), el("td", {}, question)]
          if (key) {
            row.choices.counts.forEach(function (n, i) { cells.push(td(String(n), table.options[i].label)) })
            cells.push(td(String(row.choices.none), "geen antwoord"))
            cells.push(el("td", { "class": "kcr-balkcel" }, [bar(row.choices, table.options, "")]))
          } else {
            cells.push(td(String(row.written), "beantwoord"), td(String(row.files - row.written), "niet beantwoord"))
          }
          body.appendChild(el("tr", { "data-vraag": row.item.id }, cells))
        })
        const head = [th("Nr."), th("Vraag")].concat(key
          ? table.options.map(function (o) { return th(o.label) }).concat([th("geen antwoord"),
            el("th", { scope: "col" }, [el("span", { "class": "kcr-alleen-schermlezer" }, ["Verdeling"])])])
          : [th("beantwoord"), th("niet beantwoord")])
        const caption = key ? "Aantal reflecties per antwoord, per vraag" : "Aantal reflecties met een antwoord, per open vraag"
        content.appendChild(scrollable(el("table", { "class": "kcr-pervraag kcr-verdeling" }, [
          el("caption", {}, [caption]), el("thead", {}, [el("tr", {}, head)]), body]), caption))
      })
      showPerSchool(content, logic.overviewTable(spec, good, goodNames))
      const closeButton = el("button", { type: "button", "class": "md-button" }, ["Overzicht sluiten"])
      closeButton.addEventListener("click", function () {
        document.getElementById("kcr-overzicht").hidden = true
        document.querySelector("[data-actie='overzicht']").focus()
      })
      content.appendChild(closeButton)
      document.getElementById("kcr-overzicht").hidden = false
      say("Het overzicht van " + counted + " staat hieronder." +
        (bad.length ? " " + logic.count(bad.length, "bestand is", "bestanden zijn") + " niet meegeteld." : ""), "ok", true)
      document.getElementById("kcr-overzicht-kop").scrollIntoView()
    })
  }

  /* Per question what each school answered, with its notes (logic.overviewTable), and the
   * whole overview as a CSV file for a spreadsheet (logic.overviewRows, logic.csvText). */
  function showPerSchool(content, table) {
    const download = el("button", { type: "button", "class": "md-button md-button--primary" }, ["Overzicht downloaden (CSV, voor Excel)"])
    const done = el("span", { "class": "kcr-melding-hier", role: "status" }) // the confirmation, next to the button
    download.addEventListener("click", function () {
      const name = logic.overviewFileName(spec.instrument, new Date().toISOString().slice(0, 10))
      offer(new Blob([logic.csvText(logic.overviewRows(table))], { type: "text/csv;charset=utf-8" }), name)
      done.textContent = "Opgeslagen als ‘" + name + "’ (in de map met downloads van deze browser)."
    })
    content.insertBefore(el("div", { "class": "kcr-knoppen" }, [download, done]), content.firstChild.nextSibling) // under the intro
    content.appendChild(el("h3", {}, ["Per vraag: wat elke school antwoordde"]))
    table.rows.forEach(function (row, index) {
      const id = "kcr-overzicht-vraag-" + (index + 1) // the form's own ids, never an editor's
      const counts = row.choices
        ? row.item.options.map(function (o, i) { return o.label + ": " + row.choices.counts[i] }).concat(["geen antwoord: " + row.choices.none])
        : ["beantwoord: " + row.answered, "niet beantwoord: " + row.unanswered]
      const body = el("tbody", {}, row.answers.map(function (a) {
        return el("tr", {}, [el("th", { scope: "row", "data-kop": "School" }, [a.school]),
          td(a.answer || "geen antwoord", "Antwoord"), td(a.notes || "–", "Toelichting")])
      }))
      content.appendChild(el("div", { "class": "kcr-overzichtvraag", "data-overzicht-vraag": row.item.id }, [
        el("h4", { id }, [row.item.number + ". " + row.item.text]),
        el("p", { "class": "kcr-telling" }, [counts.join(" · ")]),
        scrollable(el("table", { "class": "kcr-pervraag kcr-perschool", "aria-labelledby": id }, [
          el("thead", {}, [el("tr", {}, ["School", "Antwoord", "Toelichting"].map(th))]), body]), "Antwoorden bij vraag " + row.item.number)
      ]))
    })
  }

  /* A file made in the browser, offered as a download. */
  function offer(blob, name) {
    const url = URL.createObjectURL(blob)
    const link = el("a", { href: url, download: name })
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(function () { URL.revokeObjectURL(url) }, 1000)
  }

  // ---------------------------------------------------------------- the buttons

  function saveFile() {
    const data = collect()
    const name = logic.fileName(spec.instrument, data.gegevens.school, data.gegevens.datum || data.opgeslagen.slice(0, 10))
    offer(new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" }), name)
    say("Opgeslagen als ‘" + name + "’ (in de map met downloads van deze browser).", "ok")
  }

  const actions = new Map([
    ["opslaan", saveFile],
    ["openen", function () { own("kcr-bestand-openen").click() }],
    ["vergelijken", function () { own("kcr-bestand-vergelijken").click() }],
    ["overzicht", function () { own("kcr-bestanden-overzicht").click() }],
    ["afdrukken", function () { refresh(); window.print() }],
    ["opnieuw", function () {
      if (!window.confirm("Alle antwoorden op deze pagina wissen? Sla ze eerst op als bestand als je ze wilt bewaren.")) return
      form.reset()
      controls.forEach(function (c) { setReworded(c.fieldset, null) })
      setAgreements([])
      comparedWith = null
      document.getElementById("kcr-vergelijking").hidden = true
      try { window.localStorage.removeItem(storageKey) } catch (error) { /* nothing kept */ }
      refresh()
      say("Alles is gewist. Je kunt opnieuw beginnen bij de eerste vraag.", "ok")
    }],
    ["afspraak-toevoegen", function () {
      const row = agreementRow(agreements.children.length + 1)
      agreements.appendChild(row)
      row.querySelector("textarea").focus()
      store()
    }]
  ])

  document.querySelectorAll("[data-actie]").forEach(function (button) {
    button.addEventListener("click", function () {
      const action = actions.get(button.dataset.actie)
      if (action) { action(); return }
      // An action of another module (e.g. a PDF one): it listens for this event on the form.
      form.dispatchEvent(new CustomEvent("kcr-actie", { detail: { actie: button.dataset.actie, button, say, collect, fill, store, offer } }))
    })
  })

  own("kcr-bestand-openen").addEventListener("change", function (event) {
    readFile(event.target, function (data, name) {
      if (!logic.isEmpty(collect()) &&
          !window.confirm("Wat nu is ingevuld, wordt vervangen door ‘" + name + "’. Doorgaan?")) return
      const result = fill(data)
      store()
      let text = "Geopend: " + logic.describe(data) + "."
      if (result.reworded.length) text += " " + logic.count(result.reworded.length, "vraag is", "vragen zijn") + " sindsdien anders geformuleerd (gemarkeerd)."
      if (result.removed.length) text += " " + logic.count(result.removed.length, "vraag", "vragen") + " uit het bestand " +
        (result.removed.length === 1 ? "bestaat" : "bestaan") + " niet meer: " +
        result.removed.map(function (a) { return "“" + a.vraag + "” (" + removedLabel(a) + ")" }).join("; ") + "."
      say(text, "ok")
    })
  })

  own("kcr-bestand-vergelijken").addEventListener("change", function (event) {
    readFile(event.target, function (data) {
      comparedWith = data
      showComparison(data)
      say("De vergelijking met " + logic.describe(data) + " staat hieronder.", "ok", true)
      document.getElementById("kcr-vergelijking-kop").scrollIntoView()
    })
  })

  own("kcr-bestanden-overzicht").addEventListener("change", function (event) {
    const files = Array.from(event.target.files || [])
    event.target.value = ""
    if (files.length) showOverview(files)
  })

  form.addEventListener("click", function (event) {
    const target = event.target.closest("button[data-wis]")
    if (!target) return
    const c = controls.get(target.dataset.wis)
    if (!c) return
    c.radios.forEach(function (input) { input.checked = false })
    c.radios.values().next().value.focus()
    store()
  })
  form.addEventListener("input", store)
  form.addEventListener("change", store)
  form.addEventListener("submit", function (event) { event.preventDefault() }) // Enter in a field sends nothing
  window.addEventListener("beforeprint", refresh)

  restore()
  refresh()
}
