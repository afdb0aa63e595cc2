// Numbers as the page shows them, and the training speeds.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatBatch, formatEpoch, formatLoss } from "../../static/js/format.js";
import { SPEEDS, stepInterval, stepRequest } from "../../static/js/options.js";
import { OPTIONS } from "./fixture.mjs";

test("losses: three decimals, large ones short in exponent form, never longer than 8", () => {
  assert.equal(formatLoss(0.0123456), "0.012");
  assert.equal(formatLoss(999.9994), "999.999");
  assert.equal(formatLoss(4.212707143520684e227), "4.2e+227");
  assert.equal(formatLoss(1234.5), "1.2e+3");
  assert.equal(formatLoss(-1.5e300), "-1.5e+300");
  assert.equal(formatLoss(null), "–");
  assert.equal(formatLoss(Number.NaN), "–");
  assert.equal(formatLoss(Infinity), "∞");
  for (const v of [0, 0.5, 12.25, 999, 1e3, 1e6, 3.3e99, 1.7e308]) assert.ok(formatLoss(v).length <= 8, String(v));
});

test("the epoch as the reference: six digits with commas; the batch within the epoch", () => {
  assert.equal(formatEpoch(0), "000,000");
  assert.equal(formatEpoch(1234), "001,234");
  assert.equal(formatEpoch(1234567), "1,234,567");
  assert.equal(formatBatch(3, 25), "batch 3 of 25");
  assert.equal(formatBatch(0, 25), "");
  assert.equal(formatBatch(undefined, undefined), "");
});

test("slow speeds: one epoch per step, at most 1, 5 or 10 steps a second", () => {
  const slow = SPEEDS.filter((s) => s.perSecond);
  assert.deepEqual(slow.map((s) => s.perSecond), [1, 5, 10]);
  for (const s of slow) {
    assert.deepEqual(stepRequest(s.name, OPTIONS.limits), { epochs: 1 });
    assert.equal(stepInterval(s.name), 1000 / Number(s.perSecond));
  }
  assert.equal(stepInterval("1"), 0, "per frame: no wait");
  assert.equal(stepInterval("fastest"), 0);
  assert.ok(OPTIONS.field.speed.choices.some((c) => c.name === "5ps" && c.label === "5 epochs / second"));
});
