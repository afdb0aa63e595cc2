// @ts-check
/**
 * One loss chart for several runs: each run's test loss (solid) and training loss
 * (dashed) in the run's colour, against the epoch (points placed by their epoch: the
 * server thins old points of a long run). A vertical marker shows an epoch picked
 * elsewhere (the timeline).
 *
 * Reading it: hovering the chart, or focusing it and pressing the arrow keys (Home, End,
 * Page Up/Down), puts a cursor on an epoch; `describe(epoch)` — the page's words — becomes
 * the chart's aria-valuetext (it is a slider over the epochs) and goes to `onRead`.
 */

import { sharpContext } from "./canvas.js";

/**
 * @typedef {Object} Series
 * @property {string} color
 * @property {number[]} train
 * @property {number[]} test
 * @property {number[]} epochs  the epoch of each point, increasing
 */

const PAD = { left: 40, right: 10, top: 8, bottom: 18 };
const AXIS_COLOR = "#666666";
const GRID_COLOR = "#e3e5e7";

/**
 * Where `epoch` sits in increasing `epochs`: the index of the last point at or before it
 * (-1 when every point is later).
 * @param {number[]} epochs
 * @param {number} epoch
 */
export function indexAt(epochs, epoch) {
  let lo = 0;
  let hi = epochs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (epochs[mid] <= epoch) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * A series' losses at an epoch: the point at that epoch, or the last one before it (a
 * thinned history has gaps); null before its first point.
 * @param {Series} s
 * @param {number} epoch
 * @returns {{epoch: number, train: number, test: number} | null}
 */
export function lossesAt(s, epoch) {
  const i = indexAt(s.epochs, epoch);
  if (i < 0) return null;
  return { epoch: s.epochs[i], train: s.train[i], test: s.test[i] };
}

/**
 * Every epoch some series has a point at, in order (the cursor's stops).
 * @param {Series[]} series
 * @returns {number[]}
 */
export function epochStops(series) {
  const all = new Set();
  for (const s of series) for (const e of s.epochs) all.add(e);
  return [...all].sort((a, b) => a - b);
}

/**
 * The largest finite loss of all series (the top of the chart), at least `floor`.
 * @param {Series[]} series
 * @param {number} [floor]
 */
export function topOf(series, floor = 1e-9) {
  let max = floor;
  for (const s of series) {
    for (const values of [s.train, s.test]) {
      // Long histories: sample at most ~4000 values.
      const stride = Math.max(1, Math.ceil(values.length / 4000));
      for (let i = 0; i < values.length; i += stride) if (Number.isFinite(values[i]) && values[i] > max) max = values[i];
      const last = values.at(-1);
      if (last !== undefined && Number.isFinite(last) && last > max) max = last;
    }
  }
  return max;
}

/**
 * A short number for an axis: 0.5, 0.25, 1.2e+3.
 * @param {number} v
 */
export function axisNumber(v) {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000 || Math.abs(v) < 0.001) return v.toExponential(1);
  return String(Number(v.toPrecision(2)));
}

export class MultiLossChart {
  /**
   * @param {HTMLElement} root  an empty element, sized by CSS
   * @param {{label: string, describe: (epoch: number) => string, onRead?: (epoch: number | null) => void}} how
   */
  constructor(root, how) {
    this.root = root;
    this.how = how;
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("aria-hidden", "true");
    root.append(this.canvas);
    root.tabIndex = 0;
    root.setAttribute("role", "slider");
    root.setAttribute("aria-label", how.label);
    root.setAttribute("aria-valuemin", "0");
    /** @type {Series[]} */
    this.series = [];
    /** @type {number | null} the epoch marked by the timeline */
    this.marker = null;
    /** @type {number | null} the epoch read (hover or keys) */
    this.cursor = null;
    this.width = 0;
    this.height = 0;
    this.frame = 0;
    new ResizeObserver(([entry]) => {
      this.width = entry.contentRect.width;
      this.height = entry.contentRect.height;
      this.redraw();
    }).observe(root);
    root.addEventListener("pointermove", (e) => this.read(this.epochAtX(e.offsetX)));
    root.addEventListener("pointerleave", () => {
      if (document.activeElement !== root) this.read(null);
    });
    root.addEventListener("blur", () => this.read(null));
    root.addEventListener("keydown", (e) => this.onKey(e));
  }

  /**
   * @param {Series[]} series
   * @param {number | null} marker
   */
  update(series, marker) {
    this.series = series;
    this.marker = marker;
    const last = Math.max(0, ...series.map((s) => s.epochs.at(-1) ?? 0));
    this.root.setAttribute("aria-valuemax", String(last));
    this.root.dataset.series = String(series.length);
    this.root.dataset.points = String(series.reduce((n, s) => n + s.epochs.length, 0));
    this.describe(this.cursor ?? last);
    this.redraw();
  }

  /** Draw at the next animation frame (once, however many updates came before). */
  redraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** The x range: the first and last epoch of all series. */
  span() {
    const first = Math.min(...this.series.map((s) => s.epochs[0] ?? 0), Infinity);
    const last = Math.max(...this.series.map((s) => s.epochs.at(-1) ?? 0), 0);
    const lo = Number.isFinite(first) ? first : 0;
    return { lo, hi: Math.max(last, lo + 1) };
  }

  /** @param {number} epoch */
  xOf(epoch) {
    const { lo, hi } = this.span();
    return PAD.left + ((epoch - lo) / (hi - lo)) * Math.max(1, this.width - PAD.left - PAD.right);
  }

  /** @param {number} x  CSS px from the chart's left */
  epochAtX(x) {
    const { lo, hi } = this.span();
    const t = (x - PAD.left) / Math.max(1, this.width - PAD.left - PAD.right);
    const stops = epochStops(this.series);
    if (stops.length === 0) return null;
    const epoch = lo + Math.min(1, Math.max(0, t)) * (hi - lo);
    const i = Math.max(0, indexAt(stops, epoch));
    const next = stops[Math.min(stops.length - 1, i + 1)];
    return Math.abs(next - epoch) < Math.abs(stops[i] - epoch) ? next : stops[i];
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    const stops = epochStops(this.series);
    if (stops.length === 0) return;
    const at = this.cursor === null ? stops.length - 1 : Math.max(0, indexAt(stops, this.cursor));
    const page = Math.max(1, Math.round(stops.length / 10));
    /** @type {Record<string, number>} */
    const moves = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -page, PageUp: page };
    let i;
    if (e.key === "Home") i = 0;
    else if (e.key === "End") i = stops.length - 1;
    else if (e.key in moves) i = Math.min(stops.length - 1, Math.max(0, at + (this.cursor === null ? 0 : moves[e.key])));
    else return;
    e.preventDefault();
    this.read(stops[i]);
  }

  /** @param {number | null} epoch */
  read(epoch) {
    if (epoch === this.cursor) return;
    this.cursor = epoch;
    if (epoch !== null) this.describe(epoch);
    this.how.onRead?.(epoch);
    this.redraw();
  }

  /** @param {number} epoch */
  describe(epoch) {
    this.root.setAttribute("aria-valuenow", String(epoch));
    this.root.setAttribute("aria-valuetext", this.how.describe(epoch));
  }

  draw() {
    const { width, height } = this;
    if (width === 0 || height === 0) return;
    const ctx = sharpContext(this.canvas, width, height);
    const top = topOf(this.series);
    const plotH = height - PAD.top - PAD.bottom;
    const y = (/** @type {number} */ v) => PAD.top + (1 - Math.min(Math.max(v, 0), top) / top) * plotH;
    const { lo, hi } = this.span();

    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.fillStyle = AXIS_COLOR;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    for (const f of [0, 0.5, 1]) {
      const yy = Math.round(y(top * f)) + 0.5;
      ctx.strokeStyle = GRID_COLOR;
      ctx.beginPath();
      ctx.moveTo(PAD.left, yy);
      ctx.lineTo(width - PAD.right, yy);
      ctx.stroke();
      ctx.fillText(axisNumber(top * f), PAD.left - 4, yy);
    }
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    ctx.fillText(String(lo), PAD.left, height - 4);
    ctx.textAlign = "right";
    ctx.fillText(String(hi), width - PAD.right, height - 4);

    for (const s of this.series) {
      this.line(ctx, s, s.train, y, s.color, 1.25, [5, 4]);
      this.line(ctx, s, s.test, y, s.color, 2, []);
    }
    for (const [epoch, color, dash] of /** @type {[number | null, string, number[]][]} */ ([
      [this.marker, "#183d4e", [3, 3]],
      [this.cursor, "#222222", []],
    ])) {
      if (epoch === null || epoch < lo || epoch > hi) continue;
      const x = Math.round(this.xOf(epoch)) + 0.5;
      ctx.strokeStyle = color;
      ctx.lineWidth = 1;
      ctx.setLineDash(dash);
      ctx.beginPath();
      ctx.moveTo(x, PAD.top);
      ctx.lineTo(x, height - PAD.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (this.cursor !== null) {
      for (const s of this.series) {
        const at = lossesAt(s, this.cursor);
        if (!at) continue;
        for (const v of [at.train, at.test]) {
          if (!Number.isFinite(v)) continue;
          ctx.fillStyle = s.color;
          ctx.beginPath();
          ctx.arc(this.xOf(at.epoch), y(v), 3, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {Series} s
   * @param {number[]} values
   * @param {(v: number) => number} y
   * @param {string} color
   * @param {number} width
   * @param {number[]} dash
   */
  line(ctx, s, values, y, color, width, dash) {
    const n = values.length;
    if (n === 0) return;
    const stride = Math.max(1, Math.floor(n / (2 * Math.max(1, this.width))));
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let started = false;
    const point = (/** @type {number} */ i) => {
      const v = values[i];
      if (!Number.isFinite(v)) {
        started = false; // a gap where the loss was not finite
        return;
      }
      const [px, py] = [this.xOf(s.epochs[i]), y(v)];
      if (started) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      started = true;
    };
    for (let i = 0; i < n; i += stride) point(i);
    if ((n - 1) % stride !== 0) point(n - 1);
    if (n === 1 && Number.isFinite(values[0])) {
      ctx.arc(this.xOf(s.epochs[0]), y(values[0]), width, 0, 2 * Math.PI);
    }
    ctx.stroke();
    ctx.restore();
  }
}
