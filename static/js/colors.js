// @ts-check
/**
 * The diverging colour scale of the reference: orange (−1) → near-white (0) → blue (+1),
 * interpolated linearly in RGB and clamped. Pure: no DOM.
 */

import { t } from "./i18n.js";

export const NEGATIVE = "#f59322";
export const NEUTRAL = "#e8eaeb";
export const POSITIVE = "#0877bd";

/**
 * The decision regions are painted with the scale's exact colours (so a pixel of the map
 * canvas reads back as colorOf of its value) and shown at this opacity over white, as the
 * reference paints them (alpha 160 of 255): a colour c is seen as 255 − REGION_ALPHA·(255 − c).
 * A point drawn on top at full strength therefore keeps its colour on a region of its own sign.
 */
export const REGION_ALPHA = 160 / 255;

/**
 * What a map colour looks like on screen (over white at REGION_ALPHA).
 * @param {[number, number, number]} rgb
 * @returns {[number, number, number]}
 */
export function seenColor([r, g, b]) {
  const seen = (/** @type {number} */ c) => Math.round(255 - REGION_ALPHA * (255 - c));
  return [seen(r), seen(g), seen(b)];
}

/**
 * One colour per neuron of the first hidden layer (its decision line on the map and its
 * frame in the diagram): dark, distinct, and neither orange nor blue.
 */
export const LINE_COLORS = ["#6a3d9a", "#1b7837", "#b2182b", "#222222", "#c51b7d", "#8c510a", "#01665e", "#5e4fa2"];

/**
 * "#rrggbb" → [r, g, b].
 * @param {string} hex
 * @returns {[number, number, number]}
 */
export function hexToRgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const NEG = hexToRgb(NEGATIVE);
const MID = hexToRgb(NEUTRAL);
const POS = hexToRgb(POSITIVE);

/**
 * The colour of a value; values outside [−1, 1] are clamped, NaN is neutral.
 * @param {number} value
 * @returns {[number, number, number]}
 */
export function colorOf(value) {
  const v = Number.isNaN(value) ? 0 : Math.max(-1, Math.min(1, value));
  const [from, to, t] = v < 0 ? [MID, NEG, -v] : [MID, POS, v];
  const mix = (/** @type {number} */ k) => Math.round(from[k] + (to[k] - from[k]) * t);
  return [mix(0), mix(1), mix(2)];
}

/**
 * The colour of a value as a CSS string.
 * @param {number} value
 */
export function cssColor(value) {
  const [r, g, b] = colorOf(value);
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * The value that a frame byte q encodes: v = q / 127.5 − 1.
 * @param {number} q
 */
export function byteToValue(q) {
  return q / 127.5 - 1;
}

/**
 * A 256-entry RGBA lookup table from a frame byte to its colour.
 * With `discrete`, values are thresholded at 0 (v ≥ 0 → +1, v < 0 → −1), as the
 * reference's "discretize".
 * @param {boolean} [discrete]
 * @returns {Uint8ClampedArray}
 */
export function byteColorTable(discrete = false) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    let v = byteToValue(q);
    if (discrete) v = v >= 0 ? 1 : -1;
    const [r, g, b] = colorOf(v);
    table.set([r, g, b, 255], q * 4);
  }
  return table;
}

/** Lookup tables, built once. */
export const BYTE_COLORS = byteColorTable(false);
export const BYTE_COLORS_DISCRETE = byteColorTable(true);

/**
 * Write grid bytes as colours into RGBA pixels (one pixel per byte).
 * @param {Uint8Array} bytes
 * @param {Uint8ClampedArray} pixels  length ≥ 4 · bytes.length
 * @param {boolean} [discrete]
 */
export function paintBytes(bytes, pixels, discrete = false) {
  const table = discrete ? BYTE_COLORS_DISCRETE : BYTE_COLORS;
  for (let i = 0; i < bytes.length; i++) {
    const q = bytes[i] * 4;
    const p = i * 4;
    pixels[p] = table[q];
    pixels[p + 1] = table[q + 1];
    pixels[p + 2] = table[q + 2];
    pixels[p + 3] = 255;
  }
}

// -- several classes -----------------------------------------------------------------------

/**
 * One colour per class of a multi-class problem (Okabe–Ito, told apart by colour-blind
 * people): class 0 orange and class 1 blue, close to the reference's two classes, then
 * bluish green, reddish purple and vermillion.
 */
export const CLASS_COLORS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#d55e00"];

/** The colours' names, for words that describe a map ("orange is class 0"). */
export const CLASS_COLOR_NAMES = ["orange", "blue", "green", "purple", "red"];

/**
 * The name of class k's colour in the page's language ("orange"; "grey" past the list).
 * @param {number} k
 */
export function colorName(k) {
  return t(`legend.colors.${CLASS_COLOR_NAMES[k] ?? "grey"}`);
}

const CLASS_RGB = CLASS_COLORS.map(hexToRgb);

/**
 * A class's colour at strength t: near-white (the scale's neutral) at 0, the full class
 * colour at 1; t is clamped, NaN is neutral; an unknown class is neutral.
 * @param {number} k
 * @param {number} t
 * @returns {[number, number, number]}
 */
export function classShade(k, t) {
  const to = CLASS_RGB[k];
  if (!to) return [MID[0], MID[1], MID[2]];
  const s = Number.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
  const mix = (/** @type {number} */ i) => Math.round(MID[i] + (to[i] - MID[i]) * s);
  return [mix(0), mix(1), mix(2)];
}

/**
 * The colour of a point of a data set of classes (a label 0 … K−1), as a CSS string.
 * @param {number} label
 */
export function classCss(label) {
  const [r, g, b] = classShade(label, 1);
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * The colour of the most probable class k, at probability p among K classes: 1/K (no
 * better than a guess) is near-white, 1 the full class colour. `discrete`: always full.
 * @param {number} k
 * @param {number} p
 * @param {number} K
 * @param {boolean} [discrete]
 * @returns {[number, number, number]}
 */
export function winnerColor(k, p, K, discrete = false) {
  return classShade(k, discrete ? 1 : (p - 1 / K) / (1 - 1 / K));
}

/**
 * The colour of "probability of class k" = p: near-white at 0, the class colour at 1.
 * `discrete`: full colour where p ≥ 1/2, near-white below.
 * @param {number} k
 * @param {number} p
 * @param {boolean} [discrete]
 * @returns {[number, number, number]}
 */
export function probabilityColor(k, p, discrete = false) {
  return classShade(k, discrete ? (p >= 0.5 ? 1 : 0) : p);
}

/**
 * The probability a frame byte q encodes: p = q / 255.
 * @param {number} q
 */
export function byteToProbability(q) {
  return q / 255;
}

/**
 * Write K class-probability grids (bytes, one per class, the same length) as colours
 * into RGBA pixels: each pixel the colour of its most probable class (the first on a
 * tie), as pale as that probability is close to 1/K.
 * @param {Uint8Array[]} grids
 * @param {Uint8ClampedArray} pixels  length ≥ 4 · grids[0].length
 * @param {boolean} [discrete]
 */
export function paintClasses(grids, pixels, discrete = false) {
  const K = grids.length;
  const tables = grids.map((_, k) => byteTable((q) => winnerColor(k, byteToProbability(q), K, discrete)));
  const n = K > 0 ? grids[0].length : 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let top = grids[0][i];
    for (let k = 1; k < K; k++) {
      if (grids[k][i] > top) {
        top = grids[k][i];
        best = k;
      }
    }
    copyPixel(tables[best], top, pixels, i);
  }
}

/**
 * Write one class's probability grid (bytes) as that class's shades into RGBA pixels.
 * @param {Uint8Array} bytes
 * @param {number} k
 * @param {Uint8ClampedArray} pixels
 * @param {boolean} [discrete]
 */
export function paintProbability(bytes, k, pixels, discrete = false) {
  const table = byteTable((q) => probabilityColor(k, byteToProbability(q), discrete));
  for (let i = 0; i < bytes.length; i++) copyPixel(table, bytes[i], pixels, i);
}

/**
 * A 256-entry RGBA table of a byte's colour.
 * @param {(q: number) => [number, number, number]} color
 */
function byteTable(color) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) table.set([...color(q), 255], q * 4);
  return table;
}

/**
 * @param {Uint8ClampedArray} table
 * @param {number} q
 * @param {Uint8ClampedArray} pixels
 * @param {number} i
 */
function copyPixel(table, q, pixels, i) {
  const t = q * 4;
  const p = i * 4;
  pixels[p] = table[t];
  pixels[p + 1] = table[t + 1];
  pixels[p + 2] = table[t + 2];
  pixels[p + 3] = 255;
}
