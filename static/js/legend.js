// @ts-check
/**
 * The legend under the map: the −1 … 1 colour bar, or for a multi-class problem a list of
 * its classes, each with its colour and name.
 */

import { CLASS_COLORS, colorName } from "./colors.js";
import { t } from "./i18n.js";

/**
 * The legend's entries for K classes (none for 0): name and colour (pure).
 * @param {number} K
 * @returns {{name: string, color: string, colorName: string}[]}
 */
export function classEntries(K) {
  return Array.from({ length: K }, (_, k) => ({
    name: t("legend.class", { k }),
    color: CLASS_COLORS[k] ?? "#999999",
    colorName: colorName(k),
  }));
}

export class Legend {
  /**
   * @param {HTMLElement} bar   the colour bar's box
   * @param {HTMLElement} list  the list of classes (a <ul>)
   */
  constructor(bar, list) {
    this.bar = bar;
    this.list = list;
    this.shown = -1;
  }

  /** @param {{classes: number | null}} view  K for a multi-class problem */
  update({ classes }) {
    const K = classes ?? 0;
    if (K === this.shown) return;
    this.shown = K;
    this.bar.hidden = K > 0;
    this.list.hidden = K === 0;
    this.list.replaceChildren(
      ...classEntries(K).map(({ name, color, colorName }) => {
        const item = document.createElement("li");
        const chip = document.createElement("span");
        chip.className = "class-chip";
        chip.style.background = color;
        chip.setAttribute("aria-hidden", "true");
        const words = document.createElement("span");
        words.className = "visually-hidden";
        words.textContent = `: ${colorName}`;
        item.append(chip, name, words);
        return item;
      }),
    );
  }
}
