// The lesson panel's pure parts: the language, the step from the hash, the setup in force,
// measured values and verdicts; and the hash keys it adds (state.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { TEXT, lessonLang, setupStep, shown, stepOf, verdict } from "../../static/js/lesson.js";
import { readHash, toHash } from "../../static/js/state.js";
import { OPTIONS } from "./fixture.mjs";

test("the language: the hash's, else the page's, else the browser's (zh… → zh), else English", () => {
  assert.equal(lessonLang("zh", "en", "en-GB"), "zh");
  assert.equal(lessonLang("en", null, "zh-CN"), "en");
  assert.equal(lessonLang("fr", "zh", "en"), "zh");
  assert.equal(lessonLang(undefined, null, "zh-TW"), "zh");
  assert.equal(lessonLang(undefined, undefined, "ZH"), "zh");
  assert.equal(lessonLang(undefined, undefined, "de-DE"), "en");
  assert.equal(lessonLang(null, null, undefined), "en");
});

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
  assert.equal(shown(0.12345, "en"), "0.123");
  assert.equal(shown(3, "en"), "3");
  assert.equal(shown(true, "zh"), "是");
  assert.equal(shown(null, "en"), "–");
  assert.equal(verdict({ met: true }, "can", "en"), TEXT.en.met);
  assert.equal(verdict(null, "can", "zh"), TEXT.zh.notYet);
  assert.equal(verdict({ met: false }, "cannot", "en"), TEXT.en.cannotHeld);
  assert.equal(verdict({ met: true }, "cannot", "zh"), TEXT.zh.cannotMet);
});

test("both languages have the same words", () => {
  assert.deepEqual(Object.keys(TEXT.zh).sort(), Object.keys(TEXT.en).sort());
  for (const [key, value] of Object.entries(TEXT.zh)) {
    assert.equal(typeof value, typeof TEXT.en[/** @type {keyof typeof TEXT.en} */ (key)], key);
    if (typeof value === "function") assert.match(value(2, 3), /[\u4e00-\u9fff]/, key);
    else assert.match(value, /[\u4e00-\u9fff]/, key);
  }
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
