import { test } from "node:test"
import assert from "node:assert/strict"
import { countAnswers, mark } from "./voorbeeld-logica.js"

test("counts per option and unknown ids as no answer", () => {
  assert.deepEqual(countAnswers(["ja", "nee", "ja", "x"], ["ja", "nee", "nvt"]),
    { counts: { ja: 2, nee: 1, nvt: 0 }, none: 1 })
  assert.deepEqual(countAnswers([], ["ja"]), { counts: { ja: 0 }, none: 0 })
})

test("marks", () => {
  assert.equal(mark({ text: "a" }, undefined), "nieuw")
  assert.equal(mark({ text: "a" }, { text: "a" }), null)
  assert.equal(mark({ text: "a" }, { text: "b" }), "anders")
})
