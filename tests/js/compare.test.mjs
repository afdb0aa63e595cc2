// The compare page's pure parts (static/js/compare.js) and its chart's (static/js/multichart.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  LETTERS,
  PRESETS,
  RUN_COLORS,
  TEXT,
  withoutLang,
  commonEpochs,
  comparisonRequest,
  differingFields,
  inTurn,
  readingOf,
  runLabels,
  sharedRows,
  splitHash,
  valueText,
} from "../../static/js/compare.js";
import { axisNumber, epochStops, indexAt, lossesAt, topOf } from "../../static/js/multichart.js";
import { loadCatalogs } from "../../static/js/i18n.js";
import { OPTIONS } from "./fixture.mjs";

// The page's words come from the "compare" catalog (English here).
await loadCatalogs("en", ["page", "compare"]);

const config = (change = {}) => ({
  problem: "classification", dataset: "spiral", classes: 3, noise: 0, train_ratio: 50, batch_size: 10,
  features: ["x1", "x2"], hidden_layers: [8, 8], activation: "tanh", learning_rate: 0.03,
  regularization: "none", regularization_rate: 0, optimizer: "sgd", init: "playground",
  learning_rate_decay: 0, dropout: 0, seed: 4, ...change,
}); // prettier-ignore

test("the page's own hash keys are split from the main page's, kept as written", () => {
  const { own, rest } = splitHash("#dataset=spiral&networkShape=8,8&compare=adam&seed=0.5&compareData=xor");
  assert.deepEqual(own, { compare: "adam", compareData: "xor" });
  assert.equal(rest, "dataset=spiral&networkShape=8,8&seed=0.5");
  assert.deepEqual(splitHash(""), { own: {}, rest: "" });
  assert.deepEqual(splitHash("#compare=%E0"), { own: { compare: "" }, rest: "" }, "a bad escape is dropped");
});

test("the epochs every run has a checkpoint at", () => {
  assert.deepEqual(commonEpochs([[0, 1, 2, 4, 8], [0, 2, 4, 6, 8], [8, 4, 0]]), [0, 4, 8]);
  assert.deepEqual(commonEpochs([[0, 1]]), [0, 1]);
  assert.deepEqual(commonEpochs([]), []);
});

test("each run is labelled with what differs, in words", () => {
  const configs = [config(), config({ optimizer: "adam", learning_rate: 0.01 })];
  assert.deepEqual(differingFields(configs, ["dataset", "learning_rate", "optimizer"]), ["learning_rate", "optimizer"]);
  assert.deepEqual(runLabels(configs, OPTIONS), [
    "Learning rate 0.03 · Optimizer SGD",
    "Learning rate 0.01 · Optimizer Adam",
  ]);
  const layers = runLabels([config(), config({ hidden_layers: [8, 8, 8, 8, 8, 8] }), config({ hidden_layers: [] })], OPTIONS);
  assert.deepEqual(layers, ["Hidden layers 8, 8", "Hidden layers 8, 8, 8, 8, 8, 8", `Hidden layers ${TEXT.noHidden}`]);
  assert.deepEqual(runLabels([config(), config()], OPTIONS), [TEXT.sameSettings, TEXT.sameSettings]);
  assert.equal(valueText(OPTIONS.field.features, ["x1", "sin_x2"]), "X₁, sin(X₂)");
  assert.equal(valueText(OPTIONS.field.regularization, "l2"), "L2");
  assert.equal(valueText(undefined, 3), "3");
});

test("the settings every run shares, without those that differ", () => {
  const rows = sharedRows([config(), config({ optimizer: "adam" })], OPTIONS);
  const labels = rows.map(([label]) => label);
  assert.ok(labels.includes("Dataset") && labels.includes("Seed"));
  assert.ok(!labels.includes("Optimizer"));
  assert.deepEqual(rows.find(([label]) => label === "Dataset"), ["Dataset", "Spiral"]);
});

test("a request from a preset, or from the link's config with the preset's variants", () => {
  const adam = PRESETS.find((p) => p.name === "adam");
  assert.ok(adam);
  const own = comparisonRequest(adam, null, "xor");
  assert.deepEqual(own.config, { ...adam.base, dataset: "xor" });
  assert.deepEqual(own.variants, [{ optimizer: "sgd" }, { optimizer: "adam" }]);
  const linked = comparisonRequest(adam, { dataset: "circle", seed: 3 }, "xor");
  assert.deepEqual(linked.config, { dataset: "circle", seed: 3 });
  own.variants[0].optimizer = "rmsprop";
  assert.equal(adam.variants[0].optimizer, "sgd", "the preset is not changed");
});

test("every preset compares 2 to 4 runs, each with a name in TEXT", () => {
  const required = ["optimizers", "rates", "l2", "depth"];
  assert.ok(required.every((name) => PRESETS.some((p) => p.name === name)));
  for (const p of PRESETS) {
    assert.ok(p.variants.length >= 2 && p.variants.length <= LETTERS.length, p.name);
    assert.equal(typeof TEXT.presets[p.name], "string");
  }
  assert.equal(RUN_COLORS.length, LETTERS.length);
  assert.deepEqual(PRESETS.find((p) => p.name === "rates")?.variants, [{ learning_rate: 0.3 }, { learning_rate: 0.03 }]);
});

const series = [
  { color: "#000", epochs: [0, 1, 2, 4, 8], train: [1, 0.8, 0.6, 0.4, 0.2], test: [1.1, 0.9, 0.7, 0.5, 0.3] },
  { color: "#111", epochs: [0, 1, 2, 3], train: [1, 0.5, 0.25, Infinity], test: [1, 0.6, 0.3, NaN] },
];

test("the chart reads every run's losses at an epoch (the last point at or before it)", () => {
  assert.equal(indexAt([0, 1, 2, 4, 8], 3), 2);
  assert.equal(indexAt([0, 1, 2, 4, 8], 8), 4);
  assert.equal(indexAt([2, 4], 1), -1);
  assert.deepEqual(lossesAt(series[0], 5), { epoch: 4, train: 0.4, test: 0.5 });
  assert.equal(lossesAt({ ...series[0], epochs: [3, 4] }, 1), null);
  assert.deepEqual(epochStops(series), [0, 1, 2, 3, 4, 8]);
  assert.equal(
    readingOf(series, 2),
    "Epoch 2: run A training loss 0.600, test loss 0.700; run B training loss 0.250, test loss 0.300.",
  );
  assert.equal(readingOf(series, 3), "Epoch 3: run A training loss 0.600, test loss 0.700; run B training loss ∞, test loss –.");
});

test("the chart's top is the largest finite loss; its numbers are short", () => {
  assert.equal(topOf(series), 1.1);
  assert.equal(topOf([]), 1e-9);
  assert.equal(axisNumber(0), "0");
  assert.equal(axisNumber(0.5123), "0.51");
  assert.equal(axisNumber(2500), "2.5e+3");
});

test("requests for every run are sent one after another, answers in order", async () => {
  const log = [];
  const answers = await inTurn(["a", "b", "c"], async (item, i) => {
    log.push(`start ${item}`);
    await new Promise((resolve) => setTimeout(resolve, 3 - i));
    log.push(`end ${item}`);
    return `${item}${i}`;
  });
  assert.deepEqual(answers, ["a0", "b1", "c2"]);
  assert.deepEqual(log, ["start a", "end a", "start b", "end b", "start c", "end c"]);
});

test("the language is not part of the comparison: splitHash skips it, withoutLang drops it", () => {
  assert.deepEqual(splitHash("#dataset=xor&lang=zh&compare=adam"), { own: { compare: "adam" }, rest: "dataset=xor" });
  assert.equal(withoutLang("#dataset=xor&compare=adam&lang=zh"), "#dataset=xor&compare=adam");
  assert.equal(withoutLang("#lang=en"), "#");
});
