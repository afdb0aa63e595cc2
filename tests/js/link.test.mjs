// A link (the URL hash) with invalid parts loads what is valid and names the rest with a
// reason; the reference's `<control>_hide=true` flags are read and written back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { defaultSettings, readHash, toHash } from "../../static/js/state.js";
import { OPTIONS } from "./fixture.mjs";

test("a valid link, the reference's own unknown keys set to false: nothing ignored", () => {
  const { settings, ignored, hide } = readHash(
    "#activation=relu&networkShape=3&cosX=false&collectStats=false&tutorial=&dataset=xor",
    OPTIONS,
  );
  assert.deepEqual(ignored, []);
  assert.deepEqual(hide, []);
  assert.equal(settings.activation, "relu");
  assert.deepEqual(settings.hidden_layers, [3]);
});

test("invalid parts are named with their reason; the valid parts are loaded", () => {
  const { settings, ignored } = readHash(
    "#networkShape=9,9,9,9,9,9,9,9&dataset=moon&learningRate=0.05&batchSize=2.5&noise=80" +
      "&showTestData=maybe&activation=relu&cosX=true&regDataset=circle",
    OPTIONS,
  );
  assert.equal(settings.activation, "relu");
  assert.deepEqual(settings.hidden_layers, [4, 2]);
  assert.equal(settings.dataset.classification, "circle");
  assert.equal(settings.learning_rate, 0.03);
  // In the table's order; compared sorted, so that the test does not depend on it.
  assert.deepEqual([...ignored].sort(), [
    "noise=80 ignored: a number from 0 to 50",
    "batchSize=2.5 ignored: a whole number from 1 to 30",
    "dataset=moon ignored: one of circle, xor, gauss, spiral",
    "regDataset=circle ignored: one of reg-plane, reg-gauss",
    "networkShape=9,9,9,9,9,9… ignored: at most 6 hidden layers of 1–8 neurons",
    "learningRate=0.05 ignored: one of 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10",
    "showTestData=maybe ignored: true or false",
    "cosX=true ignored: this page has no such setting",
  ].sort());
});

test("every feature switched off: the default features, and why", () => {
  const off = OPTIONS.field.features.choices.map((c) => `${c.url_key}=false`).join("&");
  const { settings, ignored } = readHash(`#${off}`, OPTIONS);
  assert.deepEqual(settings.features, OPTIONS.field.features.default);
  assert.equal(ignored.length, 1);
  assert.match(ignored[0], /ignored: at least one input feature must stay on$/);
});

test("a malformed escape and an overlong seed are named", () => {
  const { ignored, settings } = readHash(`#seed=${"7".repeat(201)}&noise=%E0%A4%A`, OPTIONS);
  assert.equal(settings.seed, null);
  assert.deepEqual(ignored, [
    "noise=%E0%A4%A ignored: it is not written correctly",
    `seed=${"7".repeat(11)}… ignored: at most 200 characters`,
  ]);
});

test("_hide flags: the true ones are read (any key) and written back after the settings", () => {
  const { hide, ignored } = readHash(
    "#activation_hide=true&learningRate_hide=true&networkShape_hide=true&numHiddenLayers_hide=true" +
      "&problem_hide=true&playButton_hide=false&x_hide=true&_hide=true",
    OPTIONS,
  );
  assert.deepEqual(hide, ["activation", "learningRate", "networkShape", "numHiddenLayers", "problem", "x"]);
  assert.deepEqual(ignored, ["_hide=true ignored: this page has no such setting"]);
  const hash = toHash(defaultSettings(OPTIONS), OPTIONS, hide);
  assert.ok(hash.endsWith("&activation_hide=true&learningRate_hide=true&networkShape_hide=true&numHiddenLayers_hide=true&problem_hide=true&x_hide=true"));
  assert.deepEqual(readHash(hash, OPTIONS).hide, hide, "a rewritten link keeps them");
  assert.deepEqual(readHash(hash, OPTIONS).ignored, []);
  assert.equal(toHash(defaultSettings(OPTIONS), OPTIONS), toHash(defaultSettings(OPTIONS), OPTIONS, []));
});
