import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeBytes, decodeGrid, firstLayerLines, gridBytes, gridPoint, lineInSquare, toPixel } from "../../static/js/grid.js";
import { OPTIONS } from "./fixture.mjs";

/** The plotted square is [−E, E]² (the server's limit). */
const E = OPTIONS.limits.grid_extent;

test("base64 decodes to the original bytes", () => {
  const bytes = Uint8Array.from([0, 1, 127, 128, 254, 255]);
  const b64 = Buffer.from(bytes).toString("base64");
  assert.deepEqual([...decodeBytes(b64)], [...bytes]);
});

test("a grid decodes to values q/127.5 - 1", () => {
  const b64 = Buffer.from([0, 255, 51, 204]).toString("base64");
  const values = decodeGrid(b64);
  assert.ok(values instanceof Float32Array);
  assert.equal(values.length, 4);
  const expected = [-1, 1, 51 / 127.5 - 1, 204 / 127.5 - 1];
  values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `value ${i}`));
});

test("row 0 is the top (y = +6) and column 0 the left (x = -6)", () => {
  assert.deepEqual(gridPoint(0, 0, 100, E), [-6, 6]);
  assert.deepEqual(gridPoint(99, 99, 100, E), [6, -6]);
  assert.deepEqual(gridPoint(0, 99, 100, E), [6, 6]);
  const [x, y] = gridPoint(10, 20, 5, E);
  assert.deepEqual([x, y], [-6 + 12 * 20 / 4, 6 - 12 * 10 / 4]);
});

test("data points map to pixels with y pointing up", () => {
  assert.deepEqual(toPixel(-6, 6, 300, 300, E), [0, 0]);
  assert.deepEqual(toPixel(6, -6, 300, 300, E), [300, 300]);
  assert.deepEqual(toPixel(0, 3, 300, 300, E), [150, 75]);
});

test("a decision line is clipped to the square", () => {
  // x = 0 (w1 = 1, w2 = 0): the vertical line through the middle.
  const vertical = lineInSquare(1, 0, 0, E);
  assert.ok(vertical);
  assert.deepEqual(vertical.map(([x]) => Math.abs(x)), [0, 0]);
  assert.deepEqual(vertical.map(([, y]) => y).sort((a, b) => a - b), [-6, 6]);
  // y = x: corner to corner.
  const diagonal = lineInSquare(1, -1, 0, E);
  assert.ok(diagonal);
  for (const [x, y] of diagonal) assert.ok(Math.abs(x - y) < 1e-9 && Math.abs(Math.abs(x) - 6) < 1e-9);
  // x + 100 = 0 misses the square; zero weights have no line.
  assert.equal(lineInSquare(1, 0, 100, E), null);
  assert.equal(lineInSquare(0, 0, 1, E), null);
});

test("first-layer lines only when the inputs are exactly x1 and x2", () => {
  const weights = [[[1, 0], [0, 1]], [[1], [1]]];
  const biases = [[-3, 0], [0]];
  const lines = firstLayerLines(["x1", "x2"], weights, biases, E);
  assert.ok(lines);
  assert.equal(lines.length, 2);
  // Neuron 0: x - 3 = 0, a vertical line at x = 3.
  assert.ok(lines[0].every(([x]) => Math.abs(x - 3) < 1e-9));
  // Neuron 1: y = 0, a horizontal line.
  assert.ok(lines[1].every(([, y]) => Math.abs(y) < 1e-9));
  assert.equal(firstLayerLines(["x1", "x2", "x1_x2"], weights, biases, E), null);
  assert.equal(firstLayerLines(["x1"], weights, biases, E), null);
  assert.equal(firstLayerLines(["x2", "x1"], weights, biases, E), null);
  // Weights from a frame of before a change (one input): no lines, no error.
  assert.deepEqual(firstLayerLines(["x1", "x2"], [[[1, 0]], [[1], [1]]], biases, E), []);
});

test("a map is base64 (JSON answers) or bytes (binary answers): both give the same bytes and values", () => {
  const bytes = Uint8Array.from([0, 255, 51, 204]);
  const b64 = Buffer.from(bytes).toString("base64");
  assert.equal(gridBytes(bytes), bytes, "bytes are used as they are");
  assert.deepEqual([...gridBytes(b64)], [...bytes]);
  assert.deepEqual([...decodeGrid(bytes)], [...decodeGrid(b64)]);
});
