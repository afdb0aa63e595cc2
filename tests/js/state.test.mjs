import assert from "node:assert/strict";
import { test } from "node:test";

import { normalizeOptions, stepRequest } from "../../static/js/options.js";
import {
  configChanges,
  defaultSettings,
  fromServerConfig,
  hashEntries,
  parseHash,
  toHash,
  toServerConfig,
} from "../../static/js/state.js";
import { OPTIONS, rawOptions } from "./fixture.mjs";

/** The server's config of settings, and the changes between two (with the options). */
const server = (s) => toServerConfig(s, OPTIONS);
const changes = (a, b) => configChanges(a, b, OPTIONS);
const back = (s, config, how) => fromServerConfig(s, config, OPTIONS, how);

const REFERENCE_LINK =
  "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03" +
  "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false" +
  "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false" +
  "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false" +
  "&problem=classification&initZero=false&hideText=false";

test("an empty hash gives the server's defaults and no seed", () => {
  const s = parseHash("", OPTIONS);
  assert.deepEqual(s, defaultSettings(OPTIONS));
  assert.equal(s.seed, null);
  assert.deepEqual(s.hidden_layers, [4, 2]);
  assert.deepEqual(s.dataset, { classification: "circle", regression: "plane", multiclass: "blobs" });
  assert.equal(s.speed, "fast");
  assert.equal(server(s).seed, undefined);
});

test("the reference's default link opens with the reference's configuration", () => {
  const s = parseHash(REFERENCE_LINK, OPTIONS);
  assert.deepEqual(s, { ...defaultSettings(OPTIONS), seed: "0.12345" });
  const config = server(s);
  assert.equal(config.seed, "0.12345", "a reference seed is sent as a string");
  assert.equal(config.dataset, "circle");
});

test("reference names map to ours", () => {
  const s = parseHash(
    "#activation=relu&regularization=L1&regularizationRate=0.003&dataset=spiral" +
      "&regDataset=reg-gauss&problem=regression&networkShape=8,8,8,8,8,8&learningRate=0.3" +
      "&batchSize=25&noise=35&percTrainData=80&x=false&y=false&xTimesY=true&sinX=true" +
      "&xSquared=true&ySquared=true&sinY=true&showTestData=true&discretize=true&initZero=true&seed=7",
    OPTIONS,
  );
  assert.equal(s.activation, "relu");
  assert.equal(s.regularization, "l1");
  assert.equal(s.regularization_rate, 0.003);
  assert.deepEqual(s.dataset, { classification: "spiral", regression: "multigauss", multiclass: "blobs" });
  assert.equal(s.problem, "regression");
  assert.deepEqual(s.hidden_layers, [8, 8, 8, 8, 8, 8]);
  assert.equal(s.learning_rate, 0.3);
  assert.equal(s.batch_size, 25);
  assert.equal(s.noise, 35);
  assert.equal(s.train_ratio, 80);
  assert.deepEqual(s.features, ["x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]);
  assert.equal(s.show_test_data, true);
  assert.equal(s.discretize, true);
  assert.equal(s.init, "zero");
  const config = server(s);
  assert.equal(config.dataset, "multigauss");
  assert.equal(config.regularization, "l1");
  assert.equal(config.seed, 7, "a decimal seed is sent as a number");
});

test("unknown or out-of-range values fall back to the defaults", () => {
  const d = defaultSettings(OPTIONS);
  const s = parseHash(
    "#activation=swish&regularization=L3&batchSize=31&dataset=moons&regDataset=reg-wave" +
      "&learningRate=0.05&regularizationRate=-1&noise=55&networkShape=4,9&percTrainData=5" +
      "&x=maybe&problem=ranking&optimizer=lbfgs&init=orthogonal&decay=-1&dropout=1" +
      "&speed=warp&showTestData=yes&seed=&unknownKey=1&learningRate2=3",
    OPTIONS,
  );
  assert.deepEqual(s, d);
  assert.deepEqual(parseHash("#networkShape=1,2,3,4,5,6,7", OPTIONS).hidden_layers, [4, 2]);
  assert.deepEqual(parseHash("#networkShape=2.5", OPTIONS).hidden_layers, [4, 2]);
  assert.deepEqual(parseHash("#batchSize=abc&noise=", OPTIONS).batch_size, 10);
  assert.deepEqual(parseHash("#batchSize=2.5", OPTIONS).batch_size, 10);
  assert.deepEqual(parseHash("#dataset=plane&regDataset=circle", OPTIONS).dataset, d.dataset);
  assert.equal(parseHash(`#seed=${"9".repeat(201)}`, OPTIONS).seed, null);
});

test("no feature at all falls back to the default features", () => {
  assert.deepEqual(parseHash("#x=false&y=false", OPTIONS).features, ["x1", "x2"]);
});

test("an empty network shape means no hidden layer", () => {
  assert.deepEqual(parseHash("#networkShape=", OPTIONS).hidden_layers, []);
});

test("settings survive a round trip through the hash", () => {
  const s = {
    ...defaultSettings(OPTIONS),
    problem: "regression",
    dataset: { classification: "xor", regression: "multigauss", multiclass: "sectors" },
    classes: 4,
    noise: 15,
    train_ratio: 70,
    batch_size: 3,
    features: ["x1", "x1_squared", "sin_x2"],
    hidden_layers: [8, 1, 3],
    activation: "sigmoid",
    learning_rate: 0.00001,
    regularization: "l2",
    regularization_rate: 0.3,
    optimizer: "adam",
    init: "he",
    learning_rate_decay: 0.001,
    dropout: 0.2,
    seed: "0.98765",
    show_test_data: true,
    discretize: true,
    hide_text: true,
    lines: true,
    speed: "fastest",
  };
  const hash = toHash(s, OPTIONS);
  assert.deepEqual(parseHash(hash, OPTIONS), s);
  assert.deepEqual(parseHash(`#${hash}`, OPTIONS), s);
  assert.match(hash, /regularization=L2/, "writes the reference's names");
  assert.match(hash, /regDataset=reg-gauss/);
  assert.match(hash, /learningRate=0\.00001/);
  assert.match(hash, /networkShape=8%2C1%2C3|networkShape=8,1,3/);
});

test("the hash carries every reference key and our own", () => {
  const keys = toHash(defaultSettings(OPTIONS), OPTIONS).split("&").map((kv) => kv.split("=")[0]);
  for (const key of [
    "activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
    "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize",
    "percTrainData", "x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY", "problem",
    "initZero", "hideText", "optimizer", "init", "decay", "dropout", "speed", "lines",
  ]) {
    assert.ok(keys.includes(key), `missing key ${key}`);
  }
  assert.deepEqual(keys, hashEntries(defaultSettings(OPTIONS), OPTIONS).map(([k]) => k));
  assert.equal(new Set(keys).size, keys.length, "no key twice");
});

test("initZero and init: init wins, initZero alone selects zero", () => {
  assert.equal(parseHash("#initZero=true", OPTIONS).init, "zero");
  assert.equal(parseHash("#initZero=true&init=he", OPTIONS).init, "he");
  const hash = toHash({ ...defaultSettings(OPTIONS), init: "zero" }, OPTIONS);
  assert.match(hash, /initZero=true/);
});

test("a seed with odd characters survives the round trip", () => {
  const s = { ...defaultSettings(OPTIONS), seed: "a b&c=d#é" };
  assert.equal(parseHash(toHash(s, OPTIONS), OPTIONS).seed, "a b&c=d#é");
});

test("configChanges names only what changed and the dataset with a problem", () => {
  const a = defaultSettings(OPTIONS);
  assert.deepEqual(changes(a, { ...a, learning_rate: 0.1 }), { learning_rate: 0.1 });
  assert.deepEqual(changes(a, { ...a, show_test_data: true, speed: "1" }), {});
  assert.deepEqual(changes(a, { ...a, problem: "regression" }), {
    problem: "regression",
    dataset: "plane",
  });
  assert.deepEqual(changes(a, { ...a, hidden_layers: [4, 3] }), { hidden_layers: [4, 3] });
  assert.deepEqual(changes(a, { ...a, dataset: { ...a.dataset, regression: "multigauss" } }), {});
});

test("the server's config comes back into settings; the seed text is kept", () => {
  const s = { ...defaultSettings(OPTIONS), seed: "0.12345", speed: "1" };
  const config = { ...server(s), problem: "regression", dataset: "multigauss", seed: 99 };
  const got = back(s, config);
  assert.deepEqual(got.dataset, { classification: "circle", regression: "multigauss", multiclass: "blobs" });
  assert.equal(got.seed, "0.12345");
  assert.equal(got.speed, "1");
  assert.equal(back(s, config, { adoptSeed: true }).seed, "99");
  assert.equal(back({ ...s, seed: null }, config).seed, "99");
});

test("speeds: slowest one epoch, fastest the server's maximum within 25 ms", () => {
  assert.deepEqual(stepRequest("1", OPTIONS.limits), { epochs: 1 });
  assert.deepEqual(stepRequest("fastest", OPTIONS.limits), { epochs: 10000, max_ms: 16 });
  assert.equal(stepRequest("nonsense", OPTIONS.limits).epochs, 10000);
});

test("without decay or dropout steps, values within the bounds are accepted", () => {
  const raw = rawOptions();
  for (const f of raw.fields) if (["learning_rate_decay", "dropout"].includes(f.name)) f.steps = [];
  const o = normalizeOptions(raw);
  assert.equal(parseHash("#dropout=0.35&decay=0.002", o).dropout, 0.35);
  assert.equal(parseHash("#dropout=0.35&decay=0.002", o).learning_rate_decay, 0.002);
  assert.equal(parseHash("#dropout=1", o).dropout, 0, "1 is excluded");
  assert.equal(parseHash("#decay=1000001", o).learning_rate_decay, 0);
  assert.equal(parseHash("#dropout=0.35", OPTIONS).dropout, 0, "not one of the server's steps");
});

test("the learning rate's exclusive minimum: 0 is refused when no steps are given", () => {
  const raw = rawOptions();
  raw.fields.find((f) => f.name === "learning_rate").steps = [];
  const o = normalizeOptions(raw);
  assert.equal(parseHash("#learningRate=0", o).learning_rate, 0.03);
  assert.equal(parseHash("#learningRate=0.05", o).learning_rate, 0.05);
});
