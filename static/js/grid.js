// @ts-check
/**
 * Decoding of the server's grids (pure, no DOM).
 *
 * A grid is density × density bytes, row-major — a base64 string in JSON answers, a
 * Uint8Array in binary ones (frames.js); row 0 is the top (y = +e),
 * column 0 the left (x = −e), where e is the server's `limits.grid_extent` (the plotted
 * square is [−e, e]²); byte q encodes v = q / 127.5 − 1.
 */

/**
 * base64 → bytes.
 * @param {string} b64
 * @returns {Uint8Array}
 */
export function decodeBytes(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * A map as JSON (base64) or binary answers (bytes) give it → its bytes.
 * @param {string | Uint8Array} grid
 * @returns {Uint8Array}
 */
export function gridBytes(grid) {
  return typeof grid === "string" ? decodeBytes(grid) : grid;
}

/**
 * A map (base64 or bytes) → values in [−1, 1].
 * @param {string | Uint8Array} grid
 * @returns {Float32Array}
 */
export function decodeGrid(grid) {
  const bytes = gridBytes(grid);
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = bytes[i] / 127.5 - 1;
  return values;
}

/**
 * The point of grid cell (row, col) of an n × n grid.
 * @param {number} row
 * @param {number} col
 * @param {number} n
 * @param {number} e  the extent
 * @returns {[number, number]} [x, y]
 */
export function gridPoint(row, col, n, e) {
  return [-e + (2 * e * col) / (n - 1), e - (2 * e * row) / (n - 1)];
}

/**
 * A data point → a position in a width × height box showing [−e, e]² (y up).
 * @param {number} x
 * @param {number} y
 * @param {number} width
 * @param {number} height
 * @param {number} e  the extent
 * @returns {[number, number]} [px, py]
 */
export function toPixel(x, y, width, height, e) {
  return [((x + e) / (2 * e)) * width, ((e - y) / (2 * e)) * height];
}

/**
 * Where the line w1·x + w2·y + b = 0 crosses the square [−e, e]²: two points, or null
 * when it misses the square or the weights are both zero.
 * @param {number} w1
 * @param {number} w2
 * @param {number} b
 * @param {number} e  the extent
 * @returns {[[number, number], [number, number]] | null}
 */
export function lineInSquare(w1, w2, b, e) {
  /** @type {[number, number][]} */
  const hits = [];
  const add = (/** @type {number} */ x, /** @type {number} */ y) => {
    if (x < -e - 1e-9 || x > e + 1e-9 || y < -e - 1e-9 || y > e + 1e-9) return;
    if (hits.some(([hx, hy]) => Math.abs(hx - x) < 1e-9 && Math.abs(hy - y) < 1e-9)) return;
    hits.push([x, y]);
  };
  if (w2 !== 0) {
    add(-e, (-b - w1 * -e) / w2);
    add(e, (-b - w1 * e) / w2);
  }
  if (w1 !== 0) {
    add((-b - w2 * -e) / w1, -e);
    add((-b - w2 * e) / w1, e);
  }
  return hits.length >= 2 ? [hits[0], hits[1]] : null;
}

/**
 * The first layer's decision lines: for each neuron j of the layer after the inputs, the
 * segment of w_x1·x + w_x2·y + b = 0 inside the square. Only honest when the inputs are
 * exactly x1 and x2 (with other inputs the boundary is not a line): null otherwise.
 * @param {string[]} features      the enabled features, in order
 * @param {number[][][]} weights   weights[l][i][j]
 * @param {number[][]} biases      biases[l][j]
 * @param {number} e                the extent
 * @returns {([[number, number], [number, number]] | null)[] | null}
 */
export function firstLayerLines(features, weights, biases, e) {
  if (features.length !== 2 || features[0] !== "x1" || features[1] !== "x2") return null;
  const w = weights[0];
  const b = biases[0];
  // Weights of another shape belong to a frame from before a change: no lines yet.
  if (!w || !b || w.length !== 2 || w.some((row) => row.length !== b.length)) return [];
  return b.map((bias, j) => lineInSquare(w[0][j], w[1][j], bias, e));
}
