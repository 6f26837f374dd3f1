/* Material for MkDocs' small set of helpers (partials/javascripts/base.html of
 * mkdocs-material 9.8, MIT licence), as a file instead of an inline script so
 * that the site's Content-Security-Policy can forbid inline scripts.
 * The scope (the site's base URL, relative to this page) comes from data-scope. */
var __md_scope = new URL(document.currentScript.dataset.scope, location)
var __md_hash = function (value) {
  return [].reduce.call(value, function (hash, character) { return (hash << 5) - hash + character.charCodeAt(0) }, 0)
}
var __md_get = function (key, storage, scope) {
  storage = storage || localStorage
  scope = scope || __md_scope
  return JSON.parse(storage.getItem(scope.pathname + "." + key))
}
var __md_set = function (key, value, storage, scope) {
  storage = storage || localStorage
  scope = scope || __md_scope
  try { storage.setItem(scope.pathname + "." + key, JSON.stringify(value)) } catch (error) { /* storage full or off */ }
}
