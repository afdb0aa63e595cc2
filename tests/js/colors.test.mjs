import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BYTE_COLORS,
  BYTE_COLORS_DISCRETE,
  CLASS_COLORS,
  byteToProbability,
  byteToValue,
  classCss,
  colorOf,
  cssColor,
  hexToRgb,
  paintBytes,
  paintClasses,
  paintProbability,
  probabilityColor,
  winnerColor,
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

// -- several classes (hand-worked: neutral #e8eaeb = (232, 234, 235)) -------------------------

test("the class palette is Okabe–Ito, orange and blue first as the reference's two classes", () => {
  assert.deepEqual(CLASS_COLORS, ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#d55e00"]);
  assert.equal(classCss(0), "rgb(230, 159, 0)");
  assert.equal(classCss(1), "rgb(0, 114, 178)");
  assert.equal(classCss(7), "rgb(232, 234, 235)", "an unknown class is neutral");
});

test("the winner's colour: 1/K near-white, 1 the full class colour, halfway the rounded mean", () => {
  assert.deepEqual(winnerColor(0, 1, 3), [230, 159, 0]);
  assert.deepEqual(winnerColor(1, 1 / 3, 3), [232, 234, 235]);
  // p = 2/3 of 3 classes is halfway from 1/3 to 1: green (0, 158, 115) mixed half with neutral.
  assert.deepEqual(winnerColor(2, 2 / 3, 3), [116, 196, 175]);
  // p = 0.625 of 4 classes: t = (0.625 − 0.25)/0.75 = 0.5; blue (0, 114, 178).
  assert.deepEqual(winnerColor(1, 0.625, 4), [116, 174, 207]);
  assert.deepEqual(winnerColor(1, 0.1, 4), [232, 234, 235], "below 1/K is clamped");
  assert.deepEqual(winnerColor(2, 0.4, 3, true), [0, 158, 115], "discrete: always the full colour");
});

test("one class's probability: 0 near-white, 1 its colour; discrete at one half", () => {
  // Purple (204, 121, 167) at p = 0.5: (218, 177.5 → 178, 201).
  assert.deepEqual(probabilityColor(3, 0.5), [218, 178, 201]);
  assert.deepEqual(probabilityColor(4, 0), [232, 234, 235]);
  assert.deepEqual(probabilityColor(4, 1), [213, 94, 0]);
  assert.deepEqual(probabilityColor(0, 0.49, true), [232, 234, 235]);
  assert.deepEqual(probabilityColor(0, 0.5, true), [230, 159, 0]);
  assert.equal(byteToProbability(255), 1);
  assert.equal(byteToProbability(51), 0.2);
});

test("paintClasses colours each pixel by its most probable class, as pale as it is unsure", () => {
  // Pixel 0: p = (0.2, 0.6, 0.2) → class 1 at t = (0.6 − 1/3)/(2/3) = 0.4:
  //   232 − 0.4·232 = 139.2, 234 − 0.4·120 = 186, 235 − 0.4·57 = 212.2.
  // Pixel 1: p = (1, 0, 0) → class 0, full. Pixel 2: a tie (100, 100, 55) → the first, class 0.
  const grids = [new Uint8Array([51, 255, 100]), new Uint8Array([153, 0, 100]), new Uint8Array([51, 0, 55])];
  const pixels = new Uint8ClampedArray(12);
  paintClasses(grids, pixels);
  assert.deepEqual([...pixels.slice(0, 8)], [139, 186, 212, 255, 230, 159, 0, 255]);
  assert.deepEqual([...pixels.slice(8, 11)], winnerColor(0, 100 / 255, 3));
  const discrete = new Uint8ClampedArray(12);
  paintClasses(grids, discrete, true);
  assert.deepEqual([...discrete.slice(0, 3)], [0, 114, 178]);
});

test("paintProbability paints one class's grid in that class's shades", () => {
  const pixels = new Uint8ClampedArray(8);
  paintProbability(new Uint8Array([0, 255]), 2, pixels);
  assert.deepEqual([...pixels], [232, 234, 235, 255, 0, 158, 115, 255]);
});
