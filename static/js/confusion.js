// @ts-check
/**
 * The confusion matrices of a multi-class problem (the state's `confusion`): one table for
 * the training points and one for the test points, rows the true class, columns the
 * predicted class, each cell a count; the caption gives the accuracy. Hidden for the other
 * problems.
 */

import { CLASS_COLORS } from "./colors.js";
import { t } from "./i18n.js";

/** @typedef {number[][]} Matrix  K × K counts: [true class][predicted class] */

/**
 * The figures of one matrix (pure): its total, the points on the diagonal and the accuracy
 * (null without points).
 * @param {Matrix} m
 * @returns {{total: number, right: number, accuracy: number | null}}
 */
export function summarize(m) {
  let total = 0;
  let right = 0;
  m.forEach((row, i) =>
    row.forEach((n, j) => {
      total += n;
      if (i === j) right += n;
    }),
  );
  return { total, right, accuracy: total > 0 ? right / total : null };
}

/**
 * The caption of a matrix, in two lines: ["Training 93.5 %", "187 of 200 right"].
 * @param {string} name
 * @param {Matrix} m
 * @returns {[string, string]}
 */
export function captionOf(name, m) {
  const { total, right, accuracy } = summarize(m);
  if (accuracy === null) return [name, t("confusion.noPoints")];
  return [t("confusion.title", { name, pct: (100 * accuracy).toFixed(1) }), t("confusion.right", { right, total })];
}

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {(Node | string)[]} [children]
 */
function make(tag, className = "", children = []) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.append(...children);
  return el;
}

/**
 * A class's name in a header: its colour chip and number, with words for screen readers.
 * @param {"trueClass" | "predictedClass"} role
 * @param {number} k
 */
function classHeader(role, k) {
  const chip = make("span", "class-chip");
  chip.style.background = CLASS_COLORS[k] ?? "#999999";
  chip.setAttribute("aria-hidden", "true");
  return [chip, make("span", "visually-hidden", [t(`confusion.${role}`)]), String(k)];
}

export class ConfusionMatrix {
  /** @param {HTMLElement} root  its box (hidden unless multi-class) */
  constructor(root) {
    this.root = root;
    this.key = "";
    root.hidden = true;
  }

  /** @param {{confusion: {train: Matrix, test: Matrix} | null | undefined}} view */
  update({ confusion }) {
    const key = JSON.stringify(confusion ?? null);
    if (key === this.key) return;
    this.key = key;
    this.root.hidden = !confusion;
    if (!confusion) {
      this.root.replaceChildren();
      return;
    }
    const hint = make("p", "confusion-hint", [t("confusion.hint")]);
    this.root.replaceChildren(
      hint,
      make("div", "confusion-tables", [this.table(t("confusion.train"), "train", confusion.train), this.table(t("confusion.test"), "test", confusion.test)]),
    );
  }

  /**
   * @param {string} name
   * @param {string} part  "train" or "test"
   * @param {Matrix} m
   */
  table(name, part, m) {
    const table = make("table", "confusion-table");
    table.dataset.part = part;
    const [title, counts] = captionOf(name, m);
    const caption = make("caption", "", [
      make("strong", "", [title]),
      make("span", "visually-hidden", [", "]),
      make("span", "confusion-count", [counts]),
    ]);
    const corner = make("td", "confusion-corner");
    const headRow = make("tr", "", [
      corner,
      ...m.map((_, j) => {
        const th = make("th", "", classHeader("predictedClass", j));
        th.setAttribute("scope", "col");
        return th;
      }),
    ]);
    const rows = m.map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0);
      const th = make("th", "", classHeader("trueClass", i));
      th.setAttribute("scope", "row");
      return make("tr", "", [
        th,
        ...row.map((n, j) => {
          const td = make("td", i === j ? "hit" : n > 0 ? "miss" : "", [String(n)]);
          // The share of the row's points, as the cell's shade (0 … 1).
          td.style.setProperty("--share", total > 0 ? (n / total).toFixed(3) : "0");
          return td;
        }),
      ]);
    });
    table.append(caption, make("thead", "", [headRow]), make("tbody", "", rows));
    return table;
  }
}
