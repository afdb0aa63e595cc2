// @ts-check
/**
 * Projector mode (full screen, a large map and network, larger type, high-contrast lines;
 * the look is in app.css under `.projector`) and the picture of the whole view.
 */

import { LABELS } from "./text.js";

export class Projector {
  /**
   * @param {HTMLButtonElement} button
   * @param {() => void} changed  the layout changed (views re-measure themselves)
   */
  constructor(button, changed) {
    this.button = button;
    this.changed = changed;
    this.on = false;
    button.textContent = LABELS.projector;
    button.addEventListener("click", () => this.toggle());
    // Leaving full screen (Esc) leaves projector mode too.
    document.addEventListener("fullscreenchange", () => {
      if (!document.fullscreenElement && this.on && this.wentFullscreen) this.set(false);
    });
    this.wentFullscreen = false;
  }

  toggle() {
    this.set(!this.on);
  }

  /** @param {boolean} on */
  set(on) {
    this.on = on;
    document.body.classList.toggle("projector", on);
    this.button.setAttribute("aria-pressed", String(on));
    this.button.textContent = on ? LABELS.projectorExit : LABELS.projector;
    if (on && !document.fullscreenElement) {
      // Full screen needs a user gesture and may be refused (e.g. in a frame): the
      // large layout works without it.
      document.documentElement
        .requestFullscreen?.()
        .then(() => (this.wentFullscreen = true))
        .catch(() => (this.wentFullscreen = false));
    } else if (!on && document.fullscreenElement) {
      this.wentFullscreen = false;
      document.exitFullscreen().catch(() => {});
    }
    this.changed();
  }
}

/**
 * @typedef {Object} ViewParts
 * @property {{size: {width: number, height: number}, drawTo: (ctx: CanvasRenderingContext2D, x: number, y: number) => void}} network
 * @property {{drawTo: (ctx: CanvasRenderingContext2D, x: number, y: number, size: number) => void}} map
 * @property {HTMLCanvasElement} chart
 * @property {string} caption   e.g. "Epoch 000,120 · training loss 0.012 · test loss 0.015"
 */

/**
 * The whole view as one PNG: the caption, the network, and beside it the loss chart and
 * the map.
 * @param {ViewParts} parts
 * @returns {Promise<Blob | null>}
 */
export function wholeView({ network, map, chart, caption }) {
  const pad = 20;
  const head = 32;
  const net = network.size;
  const side = Math.max(300, Math.min(600, net.height - 80));
  const chartHeight = 70;
  const width = pad + net.width + pad + side + pad;
  const height = head + Math.max(net.height, chartHeight + 10 + side) + pad;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#222222";
  ctx.font = "16px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.fillText(caption, pad, head / 2 + 4);
  network.drawTo(ctx, pad, head);
  const right = pad + net.width + pad;
  ctx.drawImage(chart, right, head, side, chartHeight);
  map.drawTo(ctx, right, head + chartHeight + 10, side);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}
