import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BYTE_COLORS,
  BYTE_COLORS_DISCRETE,
  byteToValue,
  colorOf,
  cssColor,
  hexToRgb,
  paintBytes,
} from "../../static/js/colors.js";

test("the ends and the middle of the scale are the reference's colours", () => {
  assert.deepEqual(colorOf(-1), hexToRgb("#f59322"));
  assert.deepEqual(colorOf(0), hexToRgb("#e8eaeb"));
  assert.deepEqual(colorOf(1), hexToRgb("#0877bd"));
  assert.equal(cssColor(1), "rgb(8, 119, 189)");
});

test("values outside [-1, 1] are clamped and NaN is neutral", () => {
  assert.deepEqual(colorOf(-7), colorOf(-1));
  assert.deepEqual(colorOf(3.5), colorOf(1));
  assert.deepEqual(colorOf(Number.NaN), colorOf(0));
});

test("halfway is the rounded mean of the neighbouring colours", () => {
  const [r, g, b] = colorOf(0.5);
  assert.deepEqual([r, g, b], [Math.round((232 + 8) / 2), Math.round((234 + 119) / 2), Math.round((235 + 189) / 2)]);
  const [r2] = colorOf(-0.5);
  assert.equal(r2, Math.round((232 + 245) / 2));
});

test("red falls monotonically from -1 to 1 (orange 245, neutral 232, blue 8)", () => {
  let last = 256;
  for (let v = -1; v <= 1.0001; v += 0.05) {
    const red = colorOf(v)[0];
    assert.ok(red <= last, `red not monotone at ${v}`);
    last = red;
  }
});

test("byte q encodes q/127.5 - 1 and the lookup table follows the scale", () => {
  assert.equal(byteToValue(0), -1);
  assert.equal(byteToValue(255), 1);
  assert.ok(Math.abs(byteToValue(128) - 0.00392) < 1e-4);
  for (const q of [0, 40, 127, 128, 200, 255]) {
    assert.deepEqual([...BYTE_COLORS.slice(q * 4, q * 4 + 4)], [...colorOf(byteToValue(q)), 255]);
  }
});

test("discrete colours threshold at zero", () => {
  assert.deepEqual([...BYTE_COLORS_DISCRETE.slice(127 * 4, 127 * 4 + 3)], colorOf(-1));
  assert.deepEqual([...BYTE_COLORS_DISCRETE.slice(128 * 4, 128 * 4 + 3)], colorOf(1));
});

test("paintBytes writes one opaque pixel per byte", () => {
  const pixels = new Uint8ClampedArray(8);
  paintBytes(new Uint8Array([0, 255]), pixels);
  assert.deepEqual([...pixels], [...colorOf(-1), 255, ...colorOf(1), 255]);
});
