// @ts-check
/** Small canvas helpers shared by the views. */

import { paintBytes, paintClasses, paintProbability } from "./colors.js";
import { gridBytes } from "./grid.js";

/**
 * Paint a grid (bytes, n × n) into a canvas at grid resolution; CSS scales it.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8Array} bytes
 * @param {number} n
 * @param {boolean} discrete
 */
export function paintGrid(canvas, bytes, n, discrete) {
  paintPixels(canvas, n, (pixels) => paintBytes(bytes, pixels, discrete));
}

/**
 * A map as the server sends it: base64 (JSON answers) or bytes (binary answers).
 * @typedef {string | Uint8Array} GridData
 */

/**
 * What a grid of a multi-class network shows: the most probable class (`index` null) or
 * the probability of class `index`.
 * @typedef {{grids: GridData[], index: number | null}} ClassMap
 */

/**
 * Paint a multi-class map (grids of the class probabilities, n × n each): the most
 * probable class of each cell, or one class's probability.
 * @param {HTMLCanvasElement} canvas
 * @param {ClassMap} map
 * @param {boolean} discrete
 */
export function paintClassMap(canvas, map, discrete) {
  const grids = map.index === null ? map.grids.map(gridBytes) : [gridBytes(map.grids[map.index] ?? "")];
  const n = Math.round(Math.sqrt(grids[0]?.length ?? 0));
  if (n === 0) return;
  if (map.index === null) paintPixels(canvas, n, (pixels) => paintClasses(grids, pixels, discrete));
  else {
    const k = map.index;
    paintPixels(canvas, n, (pixels) => paintProbability(grids[0], k, pixels, discrete));
  }
}

/**
 * Size a canvas to n × n and let `write` fill its RGBA pixels.
 * @param {HTMLCanvasElement} canvas
 * @param {number} n
 * @param {(pixels: Uint8ClampedArray) => void} write
 */
function paintPixels(canvas, n, write) {
  if (canvas.width !== n || canvas.height !== n) {
    canvas.width = n;
    canvas.height = n;
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  let image = images.get(canvas);
  if (!image || image.width !== n) {
    image = ctx.createImageData(n, n);
    images.set(canvas, image);
  }
  write(image.data);
  ctx.putImageData(image, 0, 0);
}

/** @type {WeakMap<HTMLCanvasElement, ImageData>} one reusable ImageData per canvas */
const images = new WeakMap();

/**
 * Paint a map (base64 or bytes); the side is the square root of its length.
 * @param {HTMLCanvasElement} canvas
 * @param {GridData} map
 * @param {boolean} discrete
 */
export function paintMap(canvas, map, discrete) {
  const bytes = gridBytes(map);
  paintGrid(canvas, bytes, Math.round(Math.sqrt(bytes.length)), discrete);
}

/**
 * Size a canvas for sharp drawing: backing store = CSS size × devicePixelRatio; returns
 * a context that draws in CSS pixels.
 * @param {HTMLCanvasElement} canvas
 * @param {number} width   CSS px
 * @param {number} height  CSS px
 */
export function sharpContext(canvas, width, height) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/**
 * Offer a blob as a download.
 * @param {Blob} blob
 * @param {string} filename
 */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
