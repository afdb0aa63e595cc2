// @ts-check
/**
 * The page's explanations (text.js, from the catalogs): a tooltip on every element that names a help entry
 * (`data-help="loss"`), the "What am I looking at?" panel, and the reference's
 * `<control>_hide=true` flags applied to every element that names its hash key
 * (`data-hide-key="learningRate"`; several keys separated by spaces).
 */

import { EXPLAIN, HELP } from "./text.js";

/**
 * Tooltips from HELP for `[data-help]` elements below `root`.
 * @param {ParentNode} root
 */
export function applyHelp(root) {
  for (const el of root.querySelectorAll("[data-help]")) {
    const text = HELP.of(/** @type {HTMLElement} */ (el).dataset.help ?? "");
    if (text) /** @type {HTMLElement} */ (el).title = text;
  }
}

/**
 * Fill the collapsible panel: its summary and paragraphs.
 * @param {HTMLDetailsElement} details
 */
export function fillExplain(details) {
  const summary = details.querySelector("summary");
  const body = details.querySelector("div");
  if (summary) summary.textContent = EXPLAIN.title;
  body?.replaceChildren(
    ...EXPLAIN.paragraphs.map((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      return p;
    }),
  );
}

/**
 * Hide the elements below `root` whose hash keys are hidden by the link.
 * @param {ParentNode} root
 * @param {Set<string>} hidden  hash keys (`activation`, `numHiddenLayers`, …)
 */
export function applyHidden(root, hidden) {
  if (hidden.size === 0) return;
  for (const el of root.querySelectorAll("[data-hide-key]")) {
    const keys = (/** @type {HTMLElement} */ (el).dataset.hideKey ?? "").split(" ");
    el.classList.toggle("link-hidden", keys.some((k) => hidden.has(k)));
  }
}
