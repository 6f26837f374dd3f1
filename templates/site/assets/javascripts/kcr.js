/* Abbreviations: Material shows the explanation on hover. Make the first
 * occurrence of each abbreviation on a page focusable, so keyboard users get the
 * same tooltip on focus, without a tab stop for every repetition. */
;(function () {
  var seen = {}
  document.querySelectorAll("article abbr[title]").forEach(function (abbr) {
    if (!seen[abbr.textContent]) {
      seen[abbr.textContent] = true
      abbr.tabIndex = 0
    }
  })
})()
