/* Search worker wrapper for Dutch stemming (see templates/site/main.html); it lives in workers/
 * because Material's worker loads the lunr language files from "../lunr".
 *
 * Loads Material's own search worker, then makes lunr also look for the stemmed
 * form of every wildcard query term: "prikkels*" additionally searches
 * "prikkel*", which matches the indexed stem of "prikkelbeheer"; "ouders*"
 * additionally searches "ouder*". Terms the user marked required (+term) or
 * excluded (-term) are left as they are. */
importScripts(new URL(self.location.href).searchParams.get("worker"))

;(function () {
  var query = lunr.Index.prototype.query
  lunr.Index.prototype.query = function (build) {
    var index = this
    return query.call(this, function (q) {
      build.call(q, q)
      var extra = []
      q.clauses.forEach(function (clause) {
        if (clause.usePipeline || clause.presence !== lunr.Query.presence.OPTIONAL) return
        var match = /^([^*]+)\*$/.exec(clause.term)
        if (!match) return
        index.pipeline.runString(match[1]).forEach(function (stem) {
          if (stem && stem !== match[1]) {
            extra.push({ term: stem + "*", fields: clause.fields, boost: clause.boost,
                         usePipeline: false, presence: clause.presence })
          }
        })
      })
      extra.forEach(function (clause) { q.clause(clause) })
    })
  }
})()
