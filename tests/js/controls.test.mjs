// The generic controls come from the table of fields: a new row of the server's table
// becomes a control and a URL-hash key without any other code change.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { FieldControls, previewKey } from "../../static/js/controls.js";
import { normalizeOptions } from "../../static/js/options.js";
import { configChanges, defaultSettings, parseHash, toHash, toServerConfig } from "../../static/js/state.js";
import { fakeDocument } from "./fake-dom.mjs";
import { OPTIONS, rawOptions } from "./fixture.mjs";

/** The slots of templates/index.html, in its order. */
const TEMPLATE = [
  ["div", { "data-controls": "select" },
    ...["learning_rate", "activation", "regularization", "regularization_rate", "problem",
        "optimizer", "init", "learning_rate_decay", "dropout", "speed"]
      .map((name) => ["label", { "data-field": name }])],
  ["div", { "data-controls": "slider" },
    ["div", { "data-field": "classes", "data-problem": "multiclass" }],
    ["div", { "data-field": "train_ratio", "data-suffix": "%" }],
    ["div", { "data-field": "noise" }],
    ["div", { "data-field": "batch_size" }]],
  ["div", { "data-controls": "checkbox" },
    ...["show_test_data", "discretize", "lines"].map((name) => ["label", { "data-field": name }])],
]; // prettier-ignore

/** Build the controls of `options` in a fake page; return the page and the changes sent. */
function page(options) {
  const doc = fakeDocument(...TEMPLATE);
  globalThis.document = /** @type {any} */ (doc);
  const changes = [];
  const controls = new FieldControls(doc, options.fields, (change) => changes.push(change));
  controls.update(defaultSettings(options));
  return { doc, changes, controls };
}

afterEach(() => {
  delete globalThis.document;
});

const values = (select) => select.children.map((o) => o.value);

test("the reference's ids and labels, in the template's order", () => {
  const { doc } = page(OPTIONS);
  const [selects, sliders, checks] = doc.children;
  const input = (slot) => [...slot.elements()].find((el) => ["SELECT", "INPUT"].includes(el.tagName));
  const ids = (box) => box.children.map((slot) => input(slot).id);
  assert.deepEqual(ids(selects), ["learningRate", "activations", "regularizations", "regularRate", "problem", "optimizer", "init", "decay", "dropout", "speed"]);
  assert.deepEqual(ids(sliders), ["classes", "percTrainData", "noise", "batchSize"]);
  assert.deepEqual(ids(checks), ["show-test-data", "discretize", "first-layer-lines"]);
  assert.deepEqual(selects.children.map((slot) => slot.children[0].textContent), ["Learning rate", "Activation", "Regularization", "Regularization rate", "Problem type", "Optimizer", "Initialization", "Rate decay", "Dropout", "Speed"]);
  assert.deepEqual(sliders.children.map((slot) => slot.text), ["Classes: 3", "Ratio of training to test data: 50%", "Noise: 0", "Batch size: 10"]);
  assert.deepEqual(checks.children.map((slot) => slot.text.trim()), ["Show test data", "Discretize output", "First-layer decision lines"]);
  assert.deepEqual(values(doc.getElementById("learningRate")).map(Number), OPTIONS.field.learning_rate.steps);
  assert.deepEqual(values(doc.getElementById("regularizations")), ["none", "l1", "l2"]);
  const batch = doc.getElementById("batchSize");
  assert.deepEqual([batch.min, batch.max, batch.step], ["1", "30", "1"]);
  const classes = doc.getElementById("classes");
  assert.deepEqual([classes.min, classes.max, classes.step], ["3", "5", "1"]);
});

test("a control sends its field's setting; a value the field refuses is not sent", () => {
  const { doc, changes } = page(OPTIONS);
  const rate = doc.getElementById("learningRate");
  rate.value = "0.3";
  rate.fire("change");
  const noise = doc.getElementById("noise");
  noise.value = "20";
  noise.fire("input");
  const box = doc.getElementById("show-test-data");
  box.checked = true;
  box.fire("change");
  rate.value = "0.05";
  rate.fire("change");
  assert.deepEqual(changes, [{ learning_rate: 0.3 }, { noise: 20 }, { show_test_data: true }]);
  assert.equal(doc.getElementById("noise-value").textContent, "20");
});

test("a number field without steps gets a bounded number input", () => {
  const raw = rawOptions();
  raw.fields.find((f) => f.name === "dropout").steps = [];
  const { doc, changes } = page(normalizeOptions(raw));
  const input = doc.getElementById("dropout");
  assert.equal(input.tagName, "INPUT");
  assert.deepEqual([input.type, input.min, input.max], ["number", "0", "1"]);
  input.value = "1";
  input.fire("change");
  input.value = "0.35";
  input.fire("change");
  assert.deepEqual(changes, [{ dropout: 0.35 }], "1 is excluded");
});

test("a new row in the server's table becomes a select and a hash key, with no other code", () => {
  const raw = rawOptions();
  raw.fields.push({
    name: "momentum_beta", kind: "number", label: "Momentum β", default: 0.9, reset: "live",
    control: "select", control_id: "beta", url_key: "beta", url_keys: {}, choices: [],
    min: 0, max: 1, min_exclusive: false, max_exclusive: true, steps: [0.5, 0.9], step: null,
    max_length: null,
  }); // prettier-ignore
  const options = normalizeOptions(raw);
  const { doc, changes } = page(options);

  // A select with those options, labelled, at the end of the toolbar's selects.
  const select = doc.getElementById("beta");
  assert.equal(select.tagName, "SELECT");
  assert.deepEqual(values(select), ["0.5", "0.9"]);
  const slot = doc.children[0].children.at(-1);
  assert.equal(slot.dataset.field, "momentum_beta");
  assert.equal(slot.children[0].textContent, "Momentum β");
  assert.equal(select.value, "0.9", "shows the default");
  select.value = "0.5";
  select.fire("change");
  assert.deepEqual(changes, [{ momentum_beta: 0.5 }]);

  // A hash key that round-trips; an unknown value falls back to the default.
  const s = { ...defaultSettings(options), momentum_beta: 0.5 };
  const hash = toHash(s, options);
  assert.match(hash, /(^|&)beta=0\.5(&|$)/);
  assert.deepEqual(parseHash(hash, options), s);
  assert.equal(parseHash("#beta=0.7", options).momentum_beta, 0.9);
  // And it goes to the server under its own name.
  assert.equal(toServerConfig(s, options).momentum_beta, 0.5);
  assert.deepEqual(configChanges(defaultSettings(options), s, options), { momentum_beta: 0.5 });
});

test("a multi-class dataset's preview is the one for the chosen number of classes", () => {
  assert.equal(previewKey("spirals", 5), "spirals/5");
  assert.equal(previewKey("circle", undefined), "circle");
});
