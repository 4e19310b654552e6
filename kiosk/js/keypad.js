// The 12 keys are written once, in index.html's <template id="keypad-template">; each .keypad gets its own copy.
// It must run before the page is first translated (the copies carry data-i18n) and before the handlers are bound.

export function buildKeypads(root = document) {
  const keys = root.getElementById('keypad-template').content;
  for (const pad of root.querySelectorAll('.keypad')) pad.replaceChildren(keys.cloneNode(true));
}
