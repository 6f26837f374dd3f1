// A small DOM-free module for checking bench/mutate.py's Stryker set-up on its own:
//   FORM_LOGIC=bench/js/sample/voorbeeld-logica.js FORM_LOGIC_TESTS=bench/js/sample python3 bench/mutate.py js
// (the form's real logic lives on the form branch: templates/site/assets/javascripts/reflectie-logica.js)

/** Count the answers per option id; unknown ids count as no answer. */
export function countAnswers(answers, optionIds) {
  const counts = Object.fromEntries(optionIds.map((id) => [id, 0]))
  let none = 0
  for (const answer of answers) {
    if (answer in counts) counts[answer] += 1
    else none += 1
  }
  return { counts, none }
}

/** 'nieuw' when an item was not there before, 'anders' when its text changed, else null. */
export function mark(item, earlier) {
  if (!earlier) return "nieuw"
  return earlier.text === item.text ? null : "anders"
}
