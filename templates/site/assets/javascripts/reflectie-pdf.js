/* Paper and screen as one (issue 21, point 3): the online form opens a filled fillable sheet
 * (reflectievragen-<instrument>-invulbaar.pdf, filled in any PDF reader) and downloads the
 * online answers as that sheet, filled. Everything happens in the browser; nothing is sent.
 *
 * An ES module imported by reflectie.js. It handles the buttons data-actie="pdf-openen" and
 * "pdf-downloaden" through the form's "kcr-actie" event (detail: say, collect, fill, store).
 * The mapping between PDF fields and answers is pure logic in reflectie-pdf-logica.js; the
 * field names come from the page (data-pdf-* attributes written by the build). pdf-lib
 * (vendor/pdf-lib/, MIT) is a file of this site, loaded with import() only when a team uses
 * one of these buttons; it needs no eval, so the Content-Security-Policy is unchanged. */
import * as sheetLogic from "./reflectie-pdf-logica.js"
import * as logic from "./reflectie-logica.js"

const PDF_LIB = "./vendor/pdf-lib/pdf-lib.esm.min.js"
let library = null
function pdfLib() {
  if (!library) library = import(PDF_LIB).catch(function (error) { library = null; throw error })
  return library
}

const form = document.getElementById("kcr-reflectie")
if (form) setUp(form)

function words(text) { return (text || "").split(/\s+/).filter(Boolean) }

function readSheet(form) {
  const items = Array.from(form.querySelectorAll("fieldset.kcr-vraag")).map(function (fieldset) {
    return {
      id: fieldset.dataset.vraag, number: Number(fieldset.dataset.nummer), kind: fieldset.dataset.soort,
      notes: Boolean(fieldset.querySelector("textarea[data-toelichting]")), fields: fieldset.dataset.pdfVelden || "",
      options: Array.from(fieldset.querySelectorAll("input[type=radio]")).map(function (input) {
        return { id: input.value, was: words(input.dataset.was) }
      })
    }
  })
  return sheetLogic.sheetOf({ instrumentName: form.dataset.instrumentNaam, items, details: form.dataset.pdfGegevens,
                              agreements: form.dataset.pdfAfspraken, next: form.dataset.pdfVolgende })
}

function setUp(form) {
  const sheet = readSheet(form)
  const sheetFile = form.dataset.pdfBlad
  let chooser = null

  /* The fillable sheet's address: the page's own download link to it (resolved by MkDocs), else
   * the downloads folder next to the form's folder. Always this site. */
  function sheetUrl() {
    const link = Array.from(document.querySelectorAll("a[href]")).find(function (a) {
      const url = new URL(a.href, window.location.href)
      return url.origin === window.location.origin && url.pathname.endsWith("/" + sheetFile)
    })
    return link ? link.href : new URL("../../downloads/" + sheetFile, window.location.href).href
  }

  function fieldsOf(lib, doc) {
    return doc.getForm().getFields().map(function (field) {
      const name = field.getName()
      if (field instanceof lib.PDFRadioGroup) return { name, kind: "radio", value: radioValue(lib, field) }
      if (field instanceof lib.PDFTextField) return { name, kind: "text", value: field.getText() || "" }
      return { name, kind: "other", value: null }
    })
  }

  /* The chosen state of a radio group as a reader shows it: the widget that is switched on
   * (/AS), else the group's value (/V; some tools write it as a string, '/ja'). */
  function radioValue(lib, field) {
    const on = field.acroField.getWidgets().map(function (widget) {
      const state = widget.getAppearanceState()
      return state ? state.decodeText() : "Off"
    }).filter(function (state) { return state !== "Off" })
    if (on.length === 1) return on[0]
    let value = null
    try { value = field.getSelected() || null } catch (error) { value = null }
    return value ? value.replace(/^\//, "") : null
  }

  function openSheet(detail) {
    if (!chooser) {
      chooser = document.createElement("input")
      chooser.type = "file"
      chooser.accept = ".pdf,application/pdf"
      chooser.hidden = true
      chooser.id = "kcr-bestand-pdf"
      document.querySelector(".kcr-bestandskiezers").appendChild(chooser)
      chooser.addEventListener("change", function () {
        const file = chooser.files && chooser.files[0]
        chooser.value = ""
        if (file) readPdf(file, chooser.detail)
      })
    }
    chooser.detail = detail
    chooser.click()
  }

  function refuse(detail, name, reason) {
    detail.say("‘" + name + "’ kan niet geopend worden: " + reason + " Er is niets veranderd.", "fout")
  }

  function readPdf(file, detail) {
    if (file.size > 20 * logic.MAX_BYTES) {
      refuse(detail, file.name, "het bestand is te groot (meer dan 20 MB) voor een reflectieblad.")
      return
    }
    detail.say("‘" + file.name + "’ wordt gelezen …", "", true)
    Promise.all([pdfLib(), file.arrayBuffer()]).then(function (loaded) {
      const lib = loaded[0], bytes = new Uint8Array(loaded[1])
      const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024))
      if (head.indexOf("%PDF-") < 0) { refuse(detail, file.name, "dit is geen PDF-bestand."); return }
      return lib.PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true }).then(function (doc) {
        const result = sheetLogic.fromSheet(sheet, fieldsOf(lib, doc))
        if (result.error) { refuse(detail, file.name, result.error); return }
        const data = logic.buildFile(readSpecForFile(), result.state, new Date().toISOString())
        if (!logic.isEmpty(detail.collect()) &&
            !window.confirm("Wat nu is ingevuld, wordt vervangen door de antwoorden uit ‘" + file.name + "’. Doorgaan?")) {
          detail.say("Er is niets veranderd.", "", false)
          return
        }
        detail.fill(data)
        detail.store()
        detail.say(sheetLogic.readMessage(file.name, result.report), "ok")
      })
    }).catch(function () {
      refuse(detail, file.name, "het is geen leesbaar PDF-bestand (of het reflectieblad kon niet geladen worden).")
    })
  }

  /* What logic.buildFile needs of the page (the same that reflectie.js reads). */
  function readSpecForFile() {
    const info = form.dataset
    return {
      instrument: info.instrument, publicatie: info.publicatie, editie: info.editie,
      items: Array.from(form.querySelectorAll("fieldset.kcr-vraag")).map(function (fieldset) {
        return { id: fieldset.dataset.vraag, number: Number(fieldset.dataset.nummer), kind: fieldset.dataset.soort,
                 text: fieldset.querySelector(".kcr-vraagtekst").textContent,
                 notes: Boolean(fieldset.querySelector("textarea[data-toelichting]")) }
      })
    }
  }

  /* Text in the sheet's font (Helvetica, WinAnsi): characters it cannot draw are shown as '?'
   * on the page; the field keeps the full value. */
  function drawable(font, text) {
    let out = ""
    for (const ch of text) {
      if (ch === "\n" || ch === "\r") { out += ch; continue }
      try { font.encodeText(ch); out += ch } catch (error) { out += "?" }
    }
    return out
  }

  /* The sheet's text fields have an automatic font size (/DA … 0 Tf), which pdf-lib fills to the
   * box: a short note would be drawn in 40 pt. A text that fits at MAX_SIZE is drawn at MAX_SIZE
   * (the sheet's own text size); a longer one keeps the automatic size, so it shrinks to fit.
   * Every text field's /DA is restored afterwards: pdf-lib writes its own font name and size into
   * it, and a reader that redraws the field later should keep the sheet's choice (/Helv, auto). */
  const MAX_SIZE = 10
  function capFontSize(lib, font, field, text) {
    if (!text) return
    const widget = field.acroField.getWidgets()[0]
    if (!widget) return
    const rect = widget.getRectangle()
    const bounds = { x: 0, y: 0, width: Math.max(1, rect.width - 6), height: Math.max(1, rect.height - 6) }
    let size
    try {
      size = field.isMultiline()
        ? lib.layoutMultilineText(text, { alignment: lib.TextAlignment.Left, font, bounds }).fontSize
        : lib.layoutSinglelineText(text, { alignment: lib.TextAlignment.Left, font, bounds }).fontSize
    } catch (error) { return }
    if (size >= MAX_SIZE) field.setFontSize(MAX_SIZE)
  }

  function downloadSheet(detail) {
    const data = detail.collect()
    const planned = sheetLogic.toSheet(sheet, data)
    detail.say("Het reflectieblad wordt ingevuld …", "", true)
    Promise.all([pdfLib(), window.fetch(sheetUrl(), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status)
      return response.arrayBuffer()
    })]).then(function (loaded) {
      const lib = loaded[0]
      return lib.PDFDocument.load(loaded[1], { updateMetadata: false }).then(function (doc) {
        return doc.embedFont(lib.StandardFonts.Helvetica).then(function (font) {
          const pdfForm = doc.getForm()
          const missing = [], substituted = []
          const fullValues = [], restore = []
          planned.values.forEach(function (v) {
            let field
            try { field = pdfForm.getField(v.name) } catch (error) { missing.push(v.name); return }
            if (v.kind === "radio" && field instanceof lib.PDFRadioGroup) {
              if (v.value && field.getOptions().indexOf(v.value) >= 0) field.select(v.value)
              else field.clear()
            } else if (v.kind === "text" && field instanceof lib.PDFTextField) {
              const shown = drawable(font, v.value)
              restore.push([field, field.acroField.getDefaultAppearance()])
              field.setText(shown) // every text field gets its own new appearance stream
              capFontSize(lib, font, field, shown)
              if (shown !== v.value) { fullValues.push([field, v.value]); substituted.push(v.name) }
            } else missing.push(v.name)
          })
          pdfForm.updateFieldAppearances(font)
          restore.forEach(function (pair) { if (pair[1]) pair[0].acroField.setDefaultAppearance(pair[1]) })
          fullValues.forEach(function (pair) { pair[0].acroField.setValue(lib.PDFHexString.fromText(pair[1])) })
          return doc.save({ updateFieldAppearances: false }).then(function (bytes) {
            const name = sheetLogic.sheetFileName(sheetFile, data.gegevens.school, data.gegevens.datum || data.opgeslagen.slice(0, 10))
            detail.offer(new Blob([bytes], { type: "application/pdf" }), name)
            let text = "Opgeslagen als ‘" + name + "’ (in de map met downloads van deze browser): het reflectieblad met de antwoorden van dit formulier."
            if (planned.leftOver) text += " Let op: het blad heeft plaats voor " + sheet.agreements.length + " afspraken; " +
              (planned.leftOver === 1 ? "1 afspraak staat" : planned.leftOver + " afspraken staan") + " er niet op."
            if (substituted.length) text += " Sommige tekens kan het blad niet tonen; ze staan er als ‘?’ (het veld bewaart de volledige tekst)."
            if (missing.length) text += " Niet gevonden in het blad: " + missing.join(", ") + "."
            detail.say(text, "ok")
          })
        })
      })
    }).catch(function () {
      detail.say("Het reflectieblad kon niet gemaakt worden (het invulbare blad kon niet geladen worden). Probeer het opnieuw, of sla je antwoorden op als bestand.", "fout")
    })
  }

  form.addEventListener("kcr-actie", function (event) {
    if (event.detail.actie === "pdf-openen") openSheet(event.detail)
    else if (event.detail.actie === "pdf-downloaden") downloadSheet(event.detail)
  })
}
