// @ts-check
/** The live loss chart: test loss (black) and training loss (grey) against the epoch (the
 * server thins old points of a long run, so points are placed by their epoch). */

import { sharpContext } from "./canvas.js";
import { t } from "./i18n.js";

/** @typedef {{train: number[], test: number[], epochs: number[]}} Curve */

const TEST_COLOR = "#000000";
const TRAIN_COLOR = "#777777";

export class LossChart {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("aria-hidden", "true");
    root.append(this.canvas);
    this.key = "";
    /** @type {Curve} */
    this.history = { train: [], test: [], epochs: [] };
    // Sizes come from the observer: reading them while drawing would force a layout.
    this.width = 0;
    this.height = 0;
    new ResizeObserver(([entry]) => {
      this.width = entry.contentRect.width;
      this.height = entry.contentRect.height;
      this.update(this.history, true);
    }).observe(root);
  }

  /**
   * @param {Curve} history
   * @param {boolean} [force]
   */
  update(history, force = false) {
    this.history = history;
    const { train, test, epochs } = history;
    const { width, height } = this;
    if (width === 0 || height === 0) return;
    const key = `${width}x${height}:${train.length}:${train.at(-1)}:${test.at(-1)}`;
    if (key === this.key && !force) return;
    this.key = key;
    const ctx = sharpContext(this.canvas, width, height);
    const max = Math.max(1e-9, ...finite(train), ...finite(test));
    drawLine(ctx, train, epochs, max, width, height, TRAIN_COLOR);
    drawLine(ctx, test, epochs, max, width, height, TEST_COLOR);
    const last = test.at(-1);
    this.root.setAttribute(
      "aria-label",
      train.length ? t("page.lossChartOver", { epochs: epochs.at(-1) ?? 0, loss: last?.toFixed(3) ?? "–" }) : t("page.lossChart"),
    );
  }
}

/**
 * @param {number[]} values
 * @returns {number[]}
 */
function finite(values) {
  // Spread of a long array into Math.max is bounded: sample at most ~4000 values.
  const stride = Math.max(1, Math.ceil(values.length / 4000));
  const out = [];
  for (let i = 0; i < values.length; i += stride) if (Number.isFinite(values[i])) out.push(values[i]);
  return out;
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number[]} values
 * @param {number[]} epochs  the epoch of each value (increasing)
 * @param {number} max
 * @param {number} width
 * @param {number} height
 * @param {string} color
 */
function drawLine(ctx, values, epochs, max, width, height, color) {
  const n = values.length;
  if (n === 0) return;
  const stride = Math.max(1, Math.floor(n / (2 * width)));
  const pad = 2;
  const first = epochs[0] ?? 0;
  const span = (epochs[n - 1] ?? n - 1) - first;
  const x = (/** @type {number} */ i) => (span <= 0 ? 0 : (((epochs[i] ?? i) - first) / span) * width);
  const y = (/** @type {number} */ v) => pad + (1 - Math.min(v, max) / max) * (height - 2 * pad);
  ctx.beginPath();
  ctx.moveTo(x(0), y(values[0]));
  for (let i = stride; i < n; i += stride) ctx.lineTo(x(i), y(values[i]));
  ctx.lineTo(x(n - 1), y(values[n - 1]));
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = color;
  ctx.stroke();
}
