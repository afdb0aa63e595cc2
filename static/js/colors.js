// @ts-check
/**
 * The diverging colour scale of the reference: orange (−1) → near-white (0) → blue (+1),
 * interpolated linearly in RGB and clamped. Pure: no DOM.
 */

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
