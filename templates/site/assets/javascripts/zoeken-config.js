/* Dutch search: Material adds a trailing wildcard to every query term, and lunr
 * skips stemming for wildcard terms, so with the Dutch stemmer in the index a
 * full word like "prikkelbeheer" or "ouders" found nothing. Run Material's own
 * search worker through a small wrapper that also searches the stemmed form of
 * each term: workers/zoeken-nl.js (it must sit next to Material's worker, which
 * loads the language files from "../lunr"). This file runs after the page's
 * #__config JSON and before Material's bundle reads it. */
;(function () {
  var element = document.getElementById("__config")
  var config = JSON.parse(element.textContent)
  var worker = new URL(config.search, location.href).href
  config.search = new URL(document.currentScript.dataset.wrapper, location.href).href
    + "?worker=" + encodeURIComponent(worker)
  element.textContent = JSON.stringify(config)
})()
