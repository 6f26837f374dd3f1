/* The online reflection form (pages <schooltype>/invullen/, templates/pages/invullen.md.j2).
 *
 * Everything stays on the device: answers are kept in this browser's localStorage as
 * the team types, "Opslaan" writes a JSON file (format: publisher/reflection_form.py,
 * published as downloads/reflectie.schema.json), "Openen" reads one back, "Vergelijken"
 * shows an earlier file next to the current answers. Nothing is sent anywhere.
 *
 * The questions, numbers and answer scale are read from the page's own HTML (generated
 * from the YAML), so a new question or school type needs no change here. Text from a
 * file is only ever set as text (textContent, value), never as HTML. */
;(function () {
  "use strict"
  var form = document.getElementById("kcr-reflectie")
  if (!form) return

  var FORMAT = "kcr-reflectie"
  var MAX_BYTES = 1000000
  var info = form.dataset
  var storageKey = "kcr-reflectie:" + info.schooltype
  var message = document.getElementById("kcr-melding")
  var agreements = document.getElementById("kcr-afspraken")
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.kcr-vraag"))
  var scale = Array.prototype.map.call(questions[0].querySelectorAll("input[type=radio]"), function (input) {
    return { id: input.value, label: form.querySelector("label[for='" + input.id + "']").textContent }
  })
  var comparedWith = null // the earlier file shown in the comparison, if any

  document.documentElement.classList.add("kcr-js")
  document.querySelectorAll(".kcr-formulierknoppen, [data-actie='afspraak-toevoegen']").forEach(function (element) {
    element.hidden = false
  })

  // ------------------------------------------------------------------ helpers

  function el(tag, attributes, children) {
    var element = document.createElement(tag)
    Object.keys(attributes || {}).forEach(function (name) { element.setAttribute(name, attributes[name]) })
    ;(children || []).forEach(function (child) {
      element.appendChild(typeof child === "string" ? document.createTextNode(child) : child)
    })
    return element
  }

  function say(text, kind) {
    message.textContent = text
    message.className = "kcr-melding" + (kind ? " kcr-melding--" + kind : "")
  }

  function field(name) { return form.elements.namedItem(name) }

  function questionText(fieldset) { return fieldset.querySelector(".kcr-vraagtekst").textContent }

  function answerLabel(id) {
    if (id === null || id === undefined) return "geen antwoord"
    var answer = scale.filter(function (a) { return a.id === id })[0]
    return answer ? answer.label : id
  }

  function mirror(textarea) { // the full text of a notes field on paper (a textarea prints cut off)
    var copy = textarea.nextElementSibling
    if (copy && copy.classList.contains("kcr-afdruktekst")) copy.textContent = textarea.value
  }

  // ------------------------------------------------------------------ reading and filling the form

  function collect() {
    return {
      formaat: FORMAT,
      formaatversie: Number(info.formaatversie),
      publicatie: info.publicatie,
      editie: info.editie,
      schooltype: info.schooltype,
      opgeslagen: new Date().toISOString(),
      gegevens: {
        school: field("school").value, project: field("project").value,
        datum: field("datum").value, aanwezigen: field("aanwezigen").value
      },
      antwoorden: questions.map(function (fieldset) {
        var id = fieldset.dataset.vraag
        var chosen = fieldset.querySelector("input[type=radio]:checked")
        return {
          id: id, nummer: Number(fieldset.dataset.nummer), vraag: questionText(fieldset),
          antwoord: chosen ? chosen.value : null, toelichting: field(id + "-toelichting").value
        }
      }),
      afspraken: agreementsOrNone(),
      volgende_reflectie: field("volgende_reflectie").value
    }
  }

  // Every agreement row as it stands (empty rows too, so rows keep their numbers), or
  // none at all when nothing is filled in.
  function agreementsOrNone() {
    var rows = collectAgreementValues()
    return rows.some(function (a) { return a.wat || a.wie || a.wanneer }) ? rows : []
  }

  function isEmpty(data) {
    var g = data.gegevens
    return !(g.school || g.project || g.datum || g.aanwezigen || data.afspraken.length || data.volgende_reflectie ||
             data.antwoorden.some(function (a) { return a.antwoord || a.toelichting }))
  }

  /* Fill the form from saved data (already validated). Returns what could not be placed:
   * answers to questions that no longer exist, and questions that are worded differently now. */
  function fill(data) {
    form.reset()
    field("school").value = data.gegevens.school
    field("project").value = data.gegevens.project
    field("datum").value = data.gegevens.datum
    field("aanwezigen").value = data.gegevens.aanwezigen
    field("volgende_reflectie").value = data.volgende_reflectie || ""
    var removed = [], reworded = []
    questions.forEach(function (fieldset) { setReworded(fieldset, null) })
    data.antwoorden.forEach(function (saved) {
      var fieldset = document.getElementById(saved.id)
      if (!fieldset || !fieldset.classList.contains("kcr-vraag")) {
        if (saved.antwoord || saved.toelichting) removed.push(saved)
        return
      }
      if (saved.antwoord) {
        var input = fieldset.querySelector("input[type=radio][value='" + saved.antwoord + "']")
        if (input) input.checked = true
      }
      field(saved.id + "-toelichting").value = saved.toelichting || ""
      if (saved.vraag !== questionText(fieldset)) {
        reworded.push(saved)
        setReworded(fieldset, saved.vraag)
      }
    })
    setAgreements(data.afspraken)
    refresh()
    return { removed: removed, reworded: reworded }
  }

  function setReworded(fieldset, earlierText) {
    var note = fieldset.querySelector(".kcr-anders")
    if (note) note.remove()
    if (earlierText === null) return
    fieldset.querySelector("legend").insertAdjacentElement("afterend", el("p", { "class": "kcr-anders" }, [
      "Let op: deze vraag is anders geformuleerd dan in het geopende bestand. Daar stond: “" + earlierText + "”"]))
  }

  // ------------------------------------------------------------------ agreements (rows can be added)

  function agreementRow(number) {
    var prefix = "kcr-afspraak-" + number + "-"
    function part(name, label, wide, control) {
      control.id = prefix + name
      control.name = "afspraak-" + name
      var parts = [el("label", { "for": control.id }, [label]), control]
      if (control.tagName === "TEXTAREA") parts.push(el("div", { "class": "kcr-afdruktekst", "aria-hidden": "true" }))
      return el("div", { "class": "kcr-veld" + (wide ? " kcr-veld--breed" : "") }, parts)
    }
    var row = el("fieldset", { "class": "kcr-afspraak" }, [
      el("legend", {}, ["Afspraak " + number]),
      part("wat", "Wat", true, el("textarea", { rows: "2", maxlength: "2000" })),
      part("wie", "Wie", false, el("input", { type: "text", maxlength: "500" })),
      part("wanneer", "Wanneer", false, el("input", { type: "text", maxlength: "200" }))
    ])
    if (number > 1) {
      var remove = el("button", { type: "button", "class": "kcr-wis" }, ["Afspraak " + number + " verwijderen"])
      remove.addEventListener("click", function () {
        row.remove()
        renumberAgreements()
        store()
        agreements.querySelector("textarea").focus()
      })
      row.appendChild(remove)
    }
    return row
  }

  function renumberAgreements() {
    setAgreements(collectAgreementValues())
  }

  function collectAgreementValues() {
    return Array.prototype.map.call(agreements.querySelectorAll("fieldset.kcr-afspraak"), function (row) {
      var values = row.querySelectorAll("input, textarea")
      return { wat: values[0].value, wie: values[1].value, wanneer: values[2].value }
    })
  }

  function setAgreements(list) {
    agreements.textContent = ""
    var rows = list.length ? list : [{ wat: "", wie: "", wanneer: "" }]
    rows.forEach(function (values) {
      var row = agreementRow(agreements.children.length + 1)
      var controls = row.querySelectorAll("input, textarea")
      controls[0].value = values.wat || ""
      controls[1].value = values.wie || ""
      controls[2].value = values.wanneer || ""
      agreements.appendChild(row)
    })
  }

  // ------------------------------------------------------------------ keeping answers in the browser

  var storageWarned = false
  function store() {
    refresh()
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(collect()))
    } catch (error) {
      if (!storageWarned) say("Deze browser kan de antwoorden niet bewaren. Gebruik ‘Opslaan als bestand’ voordat je de pagina sluit.", "fout")
      storageWarned = true
    }
  }

  function restore() {
    var text = null
    try { text = window.localStorage.getItem(storageKey) } catch (error) { return }
    if (!text) return
    var data
    try { data = JSON.parse(text) } catch (error) { return }
    if (problem(data) === null) fill(data)
  }

  // Everything that follows the form's state: clear buttons, printed notes, the comparison.
  function refresh() {
    questions.forEach(function (fieldset) {
      fieldset.querySelector(".kcr-wis").hidden = !fieldset.querySelector("input[type=radio]:checked")
    })
    form.querySelectorAll("textarea").forEach(mirror)
    if (comparedWith) showComparison(comparedWith)
  }

  // ------------------------------------------------------------------ checking a file

  function isText(value, max) { return typeof value === "string" && value.length <= max }

  /* null when `data` is a saved reflection of this school type, otherwise what is wrong (Dutch). */
  function problem(data) {
    if (!data || typeof data !== "object" || Array.isArray(data) || data.formaat !== FORMAT) {
      return "Dit is geen opgeslagen reflectie van deze site."
    }
    if (data.formaatversie !== Number(info.formaatversie)) {
      return "Dit bestand is gemaakt met een andere versie van het formulier (versie " + String(data.formaatversie) +
        "). Open het met de site waarop het is opgeslagen."
    }
    if (data.schooltype !== info.schooltype) {
      return "Dit bestand hoort bij een ander schooltype (" + String(data.schooltype).slice(0, 60) + "). " +
        "Open het op de pagina ‘Reflectie invullen’ van dat schooltype."
    }
    var g = data.gegevens
    if (!g || typeof g !== "object" || !isText(g.school, 200) || !isText(g.project, 200) || !isText(g.datum, 10) ||
        !isText(g.aanwezigen, 2000) || !isText(data.editie, 40) || !isText(data.volgende_reflectie || "", 10)) {
      return "De gegevens in dit bestand zijn beschadigd of te lang."
    }
    if (!Array.isArray(data.antwoorden) || data.antwoorden.length > 500 ||
        !Array.isArray(data.afspraken) || data.afspraken.length > 100) {
      return "De antwoorden of afspraken in dit bestand zijn beschadigd."
    }
    var ids = scale.map(function (a) { return a.id })
    for (var i = 0; i < data.antwoorden.length; i++) {
      var a = data.antwoorden[i]
      if (!a || !isText(a.id, 60) || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(a.id) || !isText(a.vraag, 4000) ||
          !isText(a.toelichting || "", 10000) || typeof a.nummer !== "number") {
        return "Antwoord " + (i + 1) + " in dit bestand is beschadigd."
      }
      if (a.antwoord !== null && ids.indexOf(a.antwoord) < 0) {
        return "Antwoord " + (i + 1) + " in dit bestand (‘" + String(a.antwoord).slice(0, 40) +
          "’) staat niet in de antwoordschaal (" + scale.map(function (s) { return s.label }).join(", ") + ")."
      }
    }
    for (var j = 0; j < data.afspraken.length; j++) {
      var b = data.afspraken[j]
      if (!b || !isText(b.wat, 2000) || !isText(b.wie, 500) || !isText(b.wanneer, 200)) {
        return "Afspraak " + (j + 1) + " in dit bestand is beschadigd."
      }
    }
    return null
  }

  /* A chosen file as a saved reflection: resolves to {data} or to {error} (Dutch, with the name). */
  function loadFile(file) {
    if (file.size > MAX_BYTES) {
      return Promise.resolve({ error: "‘" + file.name + "’ is te groot (" + (file.size / 1000000).toFixed(1).replace(".", ",") +
        " MB). Een opgeslagen reflectie is kleiner dan 1 MB." })
    }
    return file.text().then(function (text) {
      var data
      try { data = JSON.parse(text) } catch (error) {
        return { error: "‘" + file.name + "’ is geen opgeslagen reflectie (geen geldig JSON-bestand)." }
      }
      var wrong = problem(data)
      return wrong ? { error: "‘" + file.name + "’ kan niet geopend worden: " + wrong } : { data: data }
    }, function () { return { error: "‘" + file.name + "’ kon niet gelezen worden." } })
  }

  function readFile(input, use) {
    var file = input.files && input.files[0]
    input.value = ""
    if (!file) return
    loadFile(file).then(function (loaded) {
      if (loaded.error) { say(loaded.error + " Er is niets veranderd.", "fout"); return }
      use(loaded.data, file.name)
    })
  }

  function describe(data) {
    var parts = [data.gegevens.school || "zonder schoolnaam"]
    if (data.gegevens.datum) parts.push(data.gegevens.datum)
    parts.push("editie " + data.editie)
    return parts.join(", ")
  }

  // ------------------------------------------------------------------ the comparison

  function countAnswers(list) {
    var counts = {}
    scale.forEach(function (a) { counts[a.id] = 0 })
    counts.geen = 0
    list.forEach(function (id) { counts[id === null || id === undefined ? "geen" : id] += 1 })
    return counts
  }

  function bar(counts, total, label) { // one stacked bar in SVG; widths are attributes, not styles (CSP)
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg")
    svg.setAttribute("viewBox", "0 0 100 6")
    svg.setAttribute("preserveAspectRatio", "none")
    svg.setAttribute("class", "kcr-balk")
    svg.setAttribute("aria-hidden", "true")
    var x = 0
    scale.concat([{ id: "geen" }]).forEach(function (answer, index) {
      var width = total ? 100 * counts[answer.id] / total : 0
      if (!width) return
      var rect = document.createElementNS("http://www.w3.org/2000/svg", "rect")
      rect.setAttribute("x", String(x)); rect.setAttribute("y", "0")
      rect.setAttribute("width", String(width)); rect.setAttribute("height", "6")
      rect.setAttribute("class", "kcr-kleur-" + (answer.id === "geen" ? "geen" : index))
      svg.appendChild(rect)
      x += width
    })
    return el("div", { "class": "kcr-balkregel" }, [el("span", { "class": "kcr-balklabel" }, [label]), svg])
  }

  // A wide table on a narrow screen scrolls sideways inside a region that the keyboard can reach.
  function scrollable(table, name) {
    return el("div", { "class": "kcr-tabelwrap", tabindex: "0", role: "region", "aria-label": name }, [table])
  }

  function showComparison(earlier) {
    var now = collect()
    var earlierById = {}
    earlier.antwoorden.forEach(function (a) { earlierById[a.id] = a })
    var content = document.getElementById("kcr-vergelijking-inhoud")
    content.textContent = ""
    content.appendChild(el("p", {}, ["Eerdere reflectie: " + describe(earlier) + ". Nu: " + describe(now) + "."]))

    // Per perspective: how the answers are spread, then and now (chart + the same numbers as a table).
    var legend = el("p", { "class": "kcr-legenda" }, scale.concat([{ id: "geen", label: "geen antwoord" }]).map(function (a, i) {
      return el("span", {}, [el("span", { "class": "kcr-kleur kcr-kleur-" + (a.id === "geen" ? "geen" : i), "aria-hidden": "true" }), a.label])
    }))
    content.appendChild(el("h3", {}, ["Samenvatting per perspectief"]))
    content.appendChild(legend)
    var headings = Array.prototype.slice.call(form.querySelectorAll("h2[id]"))
    var table = el("table", { "class": "kcr-samenvatting" }, [
      el("caption", {}, ["Aantal vragen per antwoord, toen en nu"]),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col" }, ["Perspectief"]), el("th", { scope: "col" }, ["Moment"])]
        .concat(scale.map(function (a) { return el("th", { scope: "col" }, [a.label]) }))
        .concat([el("th", { scope: "col" }, ["geen antwoord"]), el("th", { scope: "col" }, ["anders dan toen"])]))])
    ])
    var body = el("tbody")
    headings.forEach(function (heading) {
      var fieldsets = questions.filter(function (f) { return f.dataset.perspectief === heading.id })
      if (!fieldsets.length) return
      var ids = fieldsets.map(function (f) { return f.dataset.vraag })
      var nowAnswers = now.antwoorden.filter(function (a) { return ids.indexOf(a.id) >= 0 })
      var thenAnswers = ids.filter(function (id) { return earlierById[id] }).map(function (id) { return earlierById[id].antwoord })
      var moved = nowAnswers.filter(function (a) { return earlierById[a.id] && earlierById[a.id].antwoord !== a.antwoord }).length
      var then = countAnswers(thenAnswers), current = countAnswers(nowAnswers.map(function (a) { return a.antwoord }))
      content.appendChild(el("div", { "class": "kcr-perspectiefgrafiek" }, [
        el("p", { "class": "kcr-perspectiefnaam" }, [heading.textContent + " (" + moved + " van " + ids.length + " antwoorden anders dan toen)"]),
        bar(then, thenAnswers.length, "Toen"), bar(current, nowAnswers.length, "Nu")]))
      ;[["toen", then], ["nu", current]].forEach(function (pair, index) {
        var cells = index === 0 ? [el("th", { scope: "row", rowspan: "2" }, [heading.textContent])] : []
        cells.push(el("td", {}, [pair[0]]))
        scale.forEach(function (a) { cells.push(el("td", {}, [String(pair[1][a.id])])) })
        cells.push(el("td", {}, [String(pair[1].geen)]))
        if (index === 0) cells.push(el("td", { rowspan: "2" }, [String(moved)]))
        body.appendChild(el("tr", {}, cells))
      })
    })
    table.appendChild(body)
    content.appendChild(scrollable(table, "Aantal vragen per antwoord, toen en nu"))

    // Per question: then and now side by side; new, reworded and removed questions marked.
    content.appendChild(el("h3", {}, ["Per vraag"]))
    var rows = el("tbody")
    now.antwoorden.forEach(function (a) {
      var before = earlierById[a.id]
      var mark = !before ? "nieuw sinds het eerdere bestand" : before.vraag !== a.vraag ? "anders geformuleerd" : ""
      var questionCell = [a.vraag]
      if (mark) questionCell.push(el("strong", { "class": "kcr-markering" }, [" (" + mark + ")"]))
      if (before && before.vraag !== a.vraag) questionCell.push(el("span", { "class": "kcr-toen" }, ["Toen: “" + before.vraag + "”"]))
      rows.appendChild(el("tr", { "data-vraag": a.id, "class": mark ? "kcr-gemarkeerd" : "" }, [
        el("td", {}, [String(a.nummer)]), el("td", {}, questionCell),
        el("td", {}, [before ? answerLabel(before.antwoord) + (before.toelichting ? ": " + before.toelichting : "") : "–"]),
        el("td", {}, [answerLabel(a.antwoord) + (a.toelichting ? ": " + a.toelichting : "")])]))
    })
    earlier.antwoorden.forEach(function (before) {
      if (now.antwoorden.some(function (a) { return a.id === before.id })) return
      rows.appendChild(el("tr", { "data-vraag": before.id, "class": "kcr-gemarkeerd" }, [
        el("td", {}, ["(" + before.nummer + ")"]),
        el("td", {}, [before.vraag, el("strong", { "class": "kcr-markering" }, [" (vervallen: deze vraag staat niet meer in de reflectie)"])]),
        el("td", {}, [answerLabel(before.antwoord) + (before.toelichting ? ": " + before.toelichting : "")]),
        el("td", {}, ["–"])]))
    })
    content.appendChild(scrollable(el("table", { "class": "kcr-pervraag" }, [
      el("caption", {}, ["Antwoorden per vraag, toen en nu"]),
      el("thead", {}, [el("tr", {}, ["Nr.", "Vraag", "Toen", "Nu"].map(function (t) { return el("th", { scope: "col" }, [t]) }))]),
      rows]), "Antwoorden per vraag, toen en nu"))
    var closeButton = el("button", { type: "button", "class": "md-button" }, ["Vergelijking sluiten"])
    closeButton.addEventListener("click", function () {
      comparedWith = null
      document.getElementById("kcr-vergelijking").hidden = true
      document.querySelector("[data-actie='vergelijken']").focus()
    })
    content.appendChild(closeButton)
    document.getElementById("kcr-vergelijking").hidden = false
  }

  // ------------------------------------------------------------------ an advisor's overview

  /* Several saved reflections (schools) at once: per question how many chose each answer.
   * Questions are matched by id; a file in which a question was worded differently is
   * counted and said per question. Files that cannot be read are listed, not counted. */
  function showOverview(files) {
    Promise.all(files.map(loadFile)).then(function (loaded) {
      var good = loaded.filter(function (l) { return l.data }).map(function (l) { return l.data })
      var bad = loaded.filter(function (l) { return l.error }).map(function (l) { return l.error })
      var content = document.getElementById("kcr-overzicht-inhoud")
      content.textContent = ""
      if (!good.length) {
        say("Geen overzicht: " + bad.join(" ") + " Er is niets veranderd.", "fout")
        return
      }
      var counted = good.length + (good.length === 1 ? " reflectie" : " reflecties")
      content.appendChild(el("p", {}, [counted + ": " + good.map(describe).join("; ") + "."]))
      if (bad.length) content.appendChild(el("p", { "class": "kcr-anders" }, ["Niet meegeteld: " + bad.join(" ")]))
      var legend = scale.concat([{ id: "geen", label: "geen antwoord" }])
      var rows = el("tbody")
      questions.forEach(function (fieldset) {
        var id = fieldset.dataset.vraag
        var answers = [], reworded = 0
        good.forEach(function (data) {
          var saved = data.antwoorden.filter(function (a) { return a.id === id })[0]
          answers.push(saved ? saved.antwoord : null)
          if (saved && saved.vraag !== questionText(fieldset)) reworded += 1
        })
        var counts = countAnswers(answers)
        var question = [questionText(fieldset)]
        if (reworded) question.push(el("span", { "class": "kcr-toen" }, ["In " + reworded + " bestand(en) anders geformuleerd."]))
        rows.appendChild(el("tr", { "data-vraag": id }, [el("td", {}, [fieldset.dataset.nummer]), el("td", {}, question)]
          .concat(legend.map(function (a) { return el("td", {}, [String(counts[a.id])]) }))
          .concat([el("td", {}, [bar(counts, answers.length, "")])])))
      })
      content.appendChild(scrollable(el("table", { "class": "kcr-pervraag kcr-verdeling" }, [
        el("caption", {}, ["Aantal reflecties per antwoord, per vraag"]),
        el("thead", {}, [el("tr", {}, [el("th", { scope: "col" }, ["Nr."]), el("th", { scope: "col" }, ["Vraag"])]
          .concat(legend.map(function (a) { return el("th", { scope: "col" }, [a.label]) }))
          .concat([el("th", { scope: "col" }, [el("span", { "class": "kcr-alleen-schermlezer" }, ["Verdeling"])])]))]),
        rows]), "Aantal reflecties per antwoord, per vraag"))
      var section = document.getElementById("kcr-overzicht")
      section.hidden = false
      say("Overzicht van " + counted + " staat bovenaan de vragen." + (bad.length ? " " + bad.length + " bestand(en) niet meegeteld." : ""), "ok")
      document.getElementById("kcr-overzicht-kop").scrollIntoView()
    })
  }

  // ------------------------------------------------------------------ the buttons

  function saveFile() {
    var data = collect()
    var name = ["reflectie", info.schooltype, (data.gegevens.school || "").toLowerCase().normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40), data.gegevens.datum || data.opgeslagen.slice(0, 10)]
      .filter(Boolean).join("-") + ".json"
    var url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" }))
    var link = el("a", { href: url, download: name })
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(function () { URL.revokeObjectURL(url) }, 1000)
    say("Opgeslagen als ‘" + name + "’ (in de map met downloads van deze browser).", "ok")
  }

  var actions = {
    opslaan: saveFile,
    openen: function () { document.getElementById("kcr-bestand-openen").click() },
    vergelijken: function () { document.getElementById("kcr-bestand-vergelijken").click() },
    overzicht: function () { document.getElementById("kcr-bestanden-overzicht").click() },
    afdrukken: function () { refresh(); window.print() },
    opnieuw: function () {
      if (!window.confirm("Alle antwoorden op deze pagina wissen? Sla ze eerst op als bestand als je ze wilt bewaren.")) return
      form.reset()
      questions.forEach(function (fieldset) { setReworded(fieldset, null) })
      setAgreements([])
      comparedWith = null
      document.getElementById("kcr-vergelijking").hidden = true
      try { window.localStorage.removeItem(storageKey) } catch (error) { /* nothing kept */ }
      refresh()
      say("Alles is gewist. Je kunt opnieuw beginnen.", "ok")
      field("school").focus()
    },
    "afspraak-toevoegen": function () {
      var row = agreementRow(agreements.children.length + 1)
      agreements.appendChild(row)
      row.querySelector("textarea").focus()
      store()
    }
  }

  document.querySelectorAll("[data-actie]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.actie]() })
  })

  document.getElementById("kcr-bestand-openen").addEventListener("change", function (event) {
    readFile(event.target, function (data, name) {
      if (!isEmpty(collect()) &&
          !window.confirm("Wat nu is ingevuld, wordt vervangen door ‘" + name + "’. Doorgaan?")) return
      var result = fill(data)
      store()
      var text = "Geopend: " + describe(data) + "."
      if (result.reworded.length) text += " " + result.reworded.length + " vraag/vragen zijn sindsdien anders geformuleerd (gemarkeerd)."
      if (result.removed.length) text += " " + result.removed.length + " vraag/vragen uit het bestand bestaan niet meer: " +
        result.removed.map(function (a) { return "“" + a.vraag + "” (" + answerLabel(a.antwoord) + ")" }).join("; ") + "."
      say(text, "ok")
    })
  })

  document.getElementById("kcr-bestand-vergelijken").addEventListener("change", function (event) {
    readFile(event.target, function (data) {
      comparedWith = data
      showComparison(data)
      say("Vergelijking met " + describe(data) + " staat bovenaan de vragen.", "ok")
      document.getElementById("kcr-vergelijking-kop").scrollIntoView()
    })
  })

  document.getElementById("kcr-bestanden-overzicht").addEventListener("change", function (event) {
    var files = Array.prototype.slice.call(event.target.files || [])
    event.target.value = ""
    if (files.length) showOverview(files)
  })

  form.addEventListener("click", function (event) {
    var target = event.target.closest("button[data-wis]")
    if (!target) return
    var fieldset = document.getElementById(target.dataset.wis)
    fieldset.querySelectorAll("input[type=radio]").forEach(function (input) { input.checked = false })
    fieldset.querySelector("input[type=radio]").focus()
    store()
  })
  form.addEventListener("input", store)
  form.addEventListener("change", store)
  form.addEventListener("submit", function (event) { event.preventDefault() }) // Enter in a field sends nothing
  window.addEventListener("beforeprint", refresh)

  restore()
  refresh()
})()
