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

/* Search (Pagefind, in the header): the school-type filter is a native select (see
 * partials/header.html). Note: changing Pagefind's translations after start-up makes its
 * modal render a second dialog inside the first (Pagefind 1.5.2), so they are left as they are. */
;(function () {
  if (!window.PagefindComponents) return
  var search = window.PagefindComponents.getInstanceManager().getInstance("default")
  // Load the search engine before the first search (otherwise the first results take about
  // a second): when the browser is idle after the page has loaded, as Material's own search
  // did, unless the reader asked to save data; then when they reach for the search button.
  var load = function () { search.triggerLoad() }
  var saveData = navigator.connection && navigator.connection.saveData
  if (!saveData && window.requestIdleCallback) {
    window.addEventListener("load", function () { window.requestIdleCallback(load, { timeout: 3000 }) })
  }
  var trigger = document.querySelector("pagefind-modal-trigger")
  if (trigger) ["pointerenter", "focusin", "touchstart"].forEach(function (type) {
    trigger.addEventListener(type, load, { once: true, passive: true })
  })
  var select = document.getElementById("kcr-zoek-schooltype")
  if (!select) return
  select.addEventListener("change", function () {
    search.triggerFilter(select.dataset.pagefindFilterName, select.value ? [select.value] : [])
  })
})()
