// The lesson panel's pure parts: the step from the hash, the setup in force,
// measured values and verdicts; and the hash keys it adds (state.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { useCatalog } from "../../static/js/i18n.js";
import { TEXT, setupStep, shown, stepOf, verdict } from "../../static/js/lesson.js";
import { readHash, toHash } from "../../static/js/state.js";
import { OPTIONS, catalog } from "./fixture.mjs";

test("a step from the hash: 1 … count, else the first", () => {
  assert.equal(stepOf("3", 4), 3);
  assert.equal(stepOf("4", 4), 4);
  for (const raw of ["0", "5", "2.5", "x", "", undefined, "-1"]) assert.equal(stepOf(raw, 4), 1);
});

test("the setup in force: the last step at or before with a config", () => {
  const steps = [{ config: { a: 1 } }, { config: null }, { config: { a: 2 } }, {}];
  assert.equal(setupStep(steps, 1), steps[0]);
  assert.equal(setupStep(steps, 2), steps[2]);
  assert.equal(setupStep(steps, 3), steps[2]);
  assert.equal(setupStep([{}, {}], 1), null);
});

test("measured values and verdicts in both languages", () => {
  useCatalog("en");
  assert.equal(shown(0.12345), "0.123");
  assert.equal(shown(3), "3");
  assert.equal(shown(null), "–");
  assert.equal(verdict({ met: true }, "can"), "Done: every condition holds.");
  assert.equal(verdict({ met: false }, "cannot"), TEXT.cannotHeld);
  useCatalog("zh", catalog("zh"));
  assert.equal(shown(true), "是");
  assert.equal(verdict(null, "can"), "还没有：先训练，再看下面的条件。");
  assert.equal(verdict({ met: true }, "cannot"), TEXT.cannotMet);
  assert.equal(TEXT.progress(2, 5), "第 2 步（共 5 步）");
  useCatalog("en");
  assert.equal(TEXT.progress(2, 5), "Step 2 of 5");
});

test("lesson, step and lang are read from the hash, not reported as unknown, and written last", () => {
  const reading = readHash("#dataset=xor&lesson=going-deep&step=2&lang=zh&colour=red", OPTIONS);
  assert.deepEqual(reading.extra, { lesson: "going-deep", step: "2", lang: "zh" });
  assert.equal(reading.ignored.length, 1); // colour only
  assert.match(reading.ignored[0], /colour/);
  assert.equal(reading.settings.dataset.classification, "xor");
  const hash = toHash(reading.settings, OPTIONS, [], [["lesson", "going-deep"], ["step", "2"]]);
  assert.match(hash, /&lesson=going-deep&step=2$/);
  assert.deepEqual(readHash(hash, OPTIONS).settings, reading.settings);
  assert.deepEqual(readHash("#dataset=xor", OPTIONS).extra, {});
});
