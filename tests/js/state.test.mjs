import assert from "node:assert/strict";
import { test } from "node:test";

import { normalizeOptions } from "../../static/js/options.js";
import {
  HASH_KEYS,
  configChanges,
  defaultSettings,
  fromServerConfig,
  parseHash,
  stepRequest,
  toHash,
  toServerConfig,
} from "../../static/js/state.js";

/** What GET /api/options answers (the parts the page reads). */
const RAW_OPTIONS = {
  problems: ["classification", "regression"],
  datasets: {
    classification: [
      { name: "circle", label: "Circle" },
      { name: "xor", label: "Exclusive or" },
      { name: "gauss", label: "Gaussian" },
      { name: "spiral", label: "Spiral" },
    ],
    regression: [
      { name: "plane", label: "Plane" },
      { name: "multigauss", label: "Multi gaussian" },
    ],
  },
  features: [
    { name: "x1", label: "X₁" },
    { name: "x2", label: "X₂" },
    { name: "x1_squared", label: "X₁²" },
    { name: "x2_squared", label: "X₂²" },
    { name: "x1_x2", label: "X₁X₂" },
    { name: "sin_x1", label: "sin(X₁)" },
    { name: "sin_x2", label: "sin(X₂)" },
  ],
  activations: ["relu", "tanh", "sigmoid", "linear"],
  optimizers: ["sgd", "momentum", "nesterov", "rmsprop", "adam"],
  inits: ["playground", "xavier", "he", "zero"],
  regularizations: ["none", "l1", "l2"],
  learning_rates: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  regularization_rates: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  learning_rate_decays: [0, 0.0001, 0.001, 0.01],
  dropout_rates: [0, 0.1, 0.2, 0.5],
  limits: {
    max_hidden_layers: 6,
    max_neurons: 8,
    batch_size: [1, 30],
    noise: [0, 50],
    train_ratio: [10, 90],
    max_epochs_per_step: 10000,
  },
  defaults: {
    problem: "classification",
    dataset: "circle",
    noise: 0,
    train_ratio: 50,
    batch_size: 10,
    features: ["x1", "x2"],
    hidden_layers: [4, 2],
    activation: "tanh",
    learning_rate: 0.03,
    regularization: "none",
    regularization_rate: 0,
    optimizer: "sgd",
    init: "playground",
    learning_rate_decay: 0,
    dropout: 0,
  },
};
const OPTIONS = normalizeOptions(RAW_OPTIONS);

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
  assert.deepEqual(s.hiddenLayers, [4, 2]);
  assert.equal(s.regDataset, "plane");
  assert.equal(toServerConfig(s).seed, undefined);
});

test("the reference's default link opens with the reference's configuration", () => {
  const s = parseHash(REFERENCE_LINK, OPTIONS);
  assert.deepEqual(s, { ...defaultSettings(OPTIONS), seed: "0.12345" });
  const config = toServerConfig(s);
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
  assert.equal(s.regularizationRate, 0.003);
  assert.equal(s.dataset, "spiral");
  assert.equal(s.regDataset, "multigauss");
  assert.equal(s.problem, "regression");
  assert.deepEqual(s.hiddenLayers, [8, 8, 8, 8, 8, 8]);
  assert.equal(s.learningRate, 0.3);
  assert.equal(s.batchSize, 25);
  assert.equal(s.noise, 35);
  assert.equal(s.trainRatio, 80);
  assert.deepEqual(s.features, ["x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]);
  assert.equal(s.showTestData, true);
  assert.equal(s.discretize, true);
  assert.equal(s.init, "zero");
  const config = toServerConfig(s);
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
  assert.deepEqual(parseHash("#networkShape=1,2,3,4,5,6,7", OPTIONS).hiddenLayers, [4, 2]);
  assert.deepEqual(parseHash("#networkShape=2.5", OPTIONS).hiddenLayers, [4, 2]);
  assert.deepEqual(parseHash("#batchSize=abc&noise=", OPTIONS).batchSize, 10);
});

test("no feature at all falls back to the default features", () => {
  assert.deepEqual(parseHash("#x=false&y=false", OPTIONS).features, ["x1", "x2"]);
});

test("an empty network shape means no hidden layer", () => {
  assert.deepEqual(parseHash("#networkShape=", OPTIONS).hiddenLayers, []);
});

test("settings survive a round trip through the hash", () => {
  const s = {
    ...defaultSettings(OPTIONS),
    problem: "regression",
    dataset: "xor",
    regDataset: "multigauss",
    noise: 15,
    trainRatio: 70,
    batchSize: 3,
    features: ["x1", "x1_squared", "sin_x2"],
    hiddenLayers: [8, 1, 3],
    activation: "sigmoid",
    learningRate: 0.00001,
    regularization: "l2",
    regularizationRate: 0.3,
    optimizer: "adam",
    init: "he",
    decay: 0.001,
    dropout: 0.2,
    seed: "0.98765",
    showTestData: true,
    discretize: true,
    hideText: true,
    lines: true,
    speed: "fastest",
  };
  const hash = toHash(s);
  assert.deepEqual(parseHash(hash, OPTIONS), s);
  assert.deepEqual(parseHash(`#${hash}`, OPTIONS), s);
  assert.match(hash, /regularization=L2/, "writes the reference's names");
  assert.match(hash, /regDataset=reg-gauss/);
  assert.match(hash, /learningRate=0\.00001/);
  assert.match(hash, /networkShape=8%2C1%2C3|networkShape=8,1,3/);
});

test("the hash carries every reference key and our own", () => {
  const keys = toHash(defaultSettings(OPTIONS)).split("&").map((kv) => kv.split("=")[0]);
  for (const key of [
    "activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
    "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize",
    "percTrainData", "x", "y", "xTimesY", "xSquared", "ySquared", "sinX", "sinY", "problem",
    "initZero", "hideText", "optimizer", "init", "decay", "dropout", "speed",
  ]) {
    assert.ok(keys.includes(key), `missing key ${key}`);
  }
  assert.deepEqual(keys, HASH_KEYS);
});

test("initZero and init: init wins, initZero alone selects zero", () => {
  assert.equal(parseHash("#initZero=true", OPTIONS).init, "zero");
  assert.equal(parseHash("#initZero=true&init=he", OPTIONS).init, "he");
  const hash = toHash({ ...defaultSettings(OPTIONS), init: "zero" });
  assert.match(hash, /initZero=true/);
});

test("a seed with odd characters survives the round trip", () => {
  const s = { ...defaultSettings(OPTIONS), seed: "a b&c=d#é" };
  assert.equal(parseHash(toHash(s), OPTIONS).seed, "a b&c=d#é");
});

test("configChanges names only what changed and the dataset with a problem", () => {
  const a = defaultSettings(OPTIONS);
  assert.deepEqual(configChanges(a, { ...a, learningRate: 0.1 }), { learning_rate: 0.1 });
  assert.deepEqual(configChanges(a, { ...a, showTestData: true, speed: "1" }), {});
  assert.deepEqual(configChanges(a, { ...a, problem: "regression" }), {
    problem: "regression",
    dataset: "plane",
  });
  assert.deepEqual(configChanges(a, { ...a, hiddenLayers: [4, 3] }), { hidden_layers: [4, 3] });
});

test("the server's config comes back into settings; the seed text is kept", () => {
  const s = { ...defaultSettings(OPTIONS), seed: "0.12345", speed: "1" };
  const config = { ...toServerConfig(s), problem: "regression", dataset: "multigauss", seed: 99 };
  const back = fromServerConfig(s, config);
  assert.equal(back.regDataset, "multigauss");
  assert.equal(back.dataset, "circle");
  assert.equal(back.seed, "0.12345");
  assert.equal(back.speed, "1");
  assert.equal(fromServerConfig(s, config, { adoptSeed: true }).seed, "99");
  assert.equal(fromServerConfig({ ...s, seed: null }, config).seed, "99");
});

test("speeds: slowest one epoch, fastest the server's maximum within 25 ms", () => {
  assert.deepEqual(stepRequest("1", OPTIONS.limits), { epochs: 1 });
  assert.deepEqual(stepRequest("fastest", OPTIONS.limits), { epochs: 10000, max_ms: 16 });
  assert.equal(stepRequest("nonsense", OPTIONS.limits).epochs, 10000);
});

test("without decay or dropout lists, values within the bounds are accepted", () => {
  const o = normalizeOptions({ ...RAW_OPTIONS, learning_rate_decays: undefined, dropout_rates: undefined });
  assert.equal(parseHash("#dropout=0.35&decay=0.002", o).dropout, 0.35);
  assert.equal(parseHash("#dropout=0.35&decay=0.002", o).decay, 0.002);
  assert.equal(parseHash("#dropout=1", o).dropout, 0);
  assert.equal(parseHash("#dropout=0.35", OPTIONS).dropout, 0, "not in the server's list");
});
