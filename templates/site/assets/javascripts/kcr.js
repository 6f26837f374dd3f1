/* Abbreviations (<abbr title="…">, from content/begrippen.yaml).
 *
 * Mouse users get the browser's own tooltip from the title attribute. Keyboard
 * users: the first occurrence of each abbreviation on a page is focusable and
 * shows the explanation in a tooltip while it has focus (Escape closes it).
 * The explanation is set as text (textContent), never as HTML: it comes from an
 * editor's YAML file. (Material's own tooltips insert the title as HTML, so the
 * site does not use them.) */
;(function () {
  var seen = {}
  var tooltip = null

  function hide() {
    if (tooltip) {
      tooltip.remove()
      tooltip = null
    }
  }

  function show(abbr) {
    hide()
    tooltip = document.createElement("span")
    tooltip.className = "kcr-tooltip"
    tooltip.id = "kcr-tooltip"
    tooltip.setAttribute("role", "tooltip")
    tooltip.textContent = abbr.getAttribute("title")
    abbr.setAttribute("aria-describedby", tooltip.id)
    abbr.insertAdjacentElement("afterend", tooltip)
  }

  document.querySelectorAll("article abbr[title]").forEach(function (abbr) {
    if (seen[abbr.textContent]) return
    seen[abbr.textContent] = true
    abbr.tabIndex = 0
    abbr.addEventListener("focus", function () { show(abbr) })
    abbr.addEventListener("blur", hide)
    abbr.addEventListener("keydown", function (event) {
      if (event.key === "Escape") hide()
    })
  })
})()
