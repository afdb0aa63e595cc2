// @ts-check
/**
 * The page's settings and the URL hash (pure, no DOM).
 *
 * The hash uses the reference's keys (TensorFlow Playground: activation, batchSize,
 * dataset, regDataset, …) so its links open here with the same configuration, plus keys
 * of our own (optimizer, init, decay, dropout, speed, lines). One declarative table says,
 * per key, which setting it holds and how its text is read and written; a value that is
 * unknown or out of bounds falls back to the default.
 */

/** @typedef {import("./options.js").Options} Options */

/**
 * @typedef {Object} Settings
 * @property {string} problem
 * @property {string} dataset        the classification dataset (our name)
 * @property {string} regDataset     the regression dataset (our name)
 * @property {number} noise          percent, 0–50
 * @property {number} trainRatio     percent, 10–90
 * @property {number} batchSize
 * @property {string[]} features     enabled features, server names, in the fixed order
 * @property {number[]} hiddenLayers neurons per hidden layer
 * @property {string} activation
 * @property {number} learningRate
 * @property {string} regularization
 * @property {number} regularizationRate
 * @property {string} optimizer
 * @property {string} init
 * @property {number} decay          learning-rate decay
 * @property {number} dropout
 * @property {string | null} seed    as text (a reference seed such as "0.12345" stays text); null = random
 * @property {boolean} showTestData
 * @property {boolean} discretize
 * @property {boolean} hideText
 * @property {boolean} lines         show the first layer's decision lines
 * @property {string} speed          a name from SPEEDS
 */

/**
 * Training speeds: epochs per step request, one request per drawn frame.
 * "max" means the server's `limits.max_epochs_per_step`, bounded by `maxMs`.
 */
export const SPEEDS = [
  { name: "1", label: "1 epoch / frame", epochs: 1, maxMs: null },
  { name: "3", label: "3 epochs / frame", epochs: 3, maxMs: null },
  { name: "10", label: "10 epochs / frame", epochs: 10, maxMs: null },
  { name: "fast", label: "Fast", epochs: "max", maxMs: 12 },
  { name: "fastest", label: "Fastest", epochs: "max", maxMs: 16 },
];
export const DEFAULT_SPEED = "fast";

/**
 * The body of a step request at a speed.
 * @param {string} speed
 * @param {{max_epochs_per_step?: number}} limits
 * @returns {{epochs: number, max_ms?: number}}
 */
export function stepRequest(speed, limits) {
  const s = SPEEDS.find((x) => x.name === speed) ?? SPEEDS.find((x) => x.name === DEFAULT_SPEED);
  if (!s) throw new Error("no default speed");
  if (s.epochs === "max") {
    const body = { epochs: Number(limits.max_epochs_per_step ?? 1000) };
    return s.maxMs === null ? body : { ...body, max_ms: s.maxMs };
  }
  return { epochs: Number(s.epochs) };
}

/** Reference feature keys → our feature names, in the reference's order. */
export const FEATURE_KEYS = /** @type {const} */ ([
  ["x", "x1"],
  ["y", "x2"],
  ["xTimesY", "x1_x2"],
  ["xSquared", "x1_squared"],
  ["ySquared", "x2_squared"],
  ["sinX", "sin_x1"],
  ["sinY", "sin_x2"],
]);

/** The reference's names that differ from ours (reference → ours). */
const REG_DATASET_ALIASES = { "reg-plane": "plane", "reg-gauss": "multigauss" };
const REGULARIZATION_ALIASES = { L1: "l1", L2: "l2" };

const MAX_SEED_LENGTH = 200;

/**
 * @param {Record<string, string>} aliases
 * @returns {Record<string, string>}
 */
function invert(aliases) {
  return Object.fromEntries(Object.entries(aliases).map(([a, b]) => [b, a]));
}

/**
 * @param {string} raw
 * @returns {number | undefined}
 */
function parseNumber(raw) {
  if (raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * @param {number} a
 * @param {number} b
 */
function near(a, b) {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * @typedef {Object} Property
 * @property {string} key                                   the hash key
 * @property {(s: Settings) => string} write                the hash text of the setting
 * @property {(raw: string, o: Options, s: Settings) => void} read  set the setting when raw is valid
 */

/**
 * A choice by name; `aliases` maps a reference name to ours (both are accepted).
 * @param {string} key
 * @param {keyof Settings} field
 * @param {(o: Options) => {name: string}[]} list
 * @param {Record<string, string>} [aliases]
 * @returns {Property}
 */
function choice(key, field, list, aliases = {}) {
  const back = invert(aliases);
  return {
    key,
    write: (s) => back[/** @type {string} */ (s[field])] ?? String(s[field]),
    read: (raw, o, s) => {
      const name = aliases[raw] ?? raw;
      if (list(o).some((c) => c.name === name)) Object.assign(s, { [field]: name });
    },
  };
}

/**
 * A number that must be one of a list (e.g. the learning rates).
 * @param {string} key
 * @param {keyof Settings} field
 * @param {(o: Options) => number[] | null} list
 * @param {[number, number]} [bounds]  used when the server gives no list: min ≤ v < max
 * @returns {Property}
 */
function numberChoice(key, field, list, bounds) {
  return {
    key,
    write: (s) => String(s[field]),
    read: (raw, o, s) => {
      const n = parseNumber(raw);
      if (n === undefined) return;
      const values = list(o);
      if (values) {
        const hit = values.find((v) => near(v, n));
        if (hit !== undefined) Object.assign(s, { [field]: hit });
      } else if (bounds && n >= bounds[0] && n < bounds[1]) {
        Object.assign(s, { [field]: n });
      }
    },
  };
}

/**
 * An integer within the server's bounds [min, max].
 * @param {string} key
 * @param {keyof Settings} field
 * @param {(o: Options) => [number, number] | undefined} bounds
 * @returns {Property}
 */
function integer(key, field, bounds) {
  return {
    key,
    write: (s) => String(s[field]),
    read: (raw, o, s) => {
      const n = parseNumber(raw);
      const b = bounds(o);
      if (n !== undefined && Number.isInteger(n) && b && n >= b[0] && n <= b[1]) {
        Object.assign(s, { [field]: n });
      }
    },
  };
}

/**
 * @param {string} key
 * @param {keyof Settings} field
 * @returns {Property}
 */
function bool(key, field) {
  return {
    key,
    write: (s) => String(s[field]),
    read: (raw, _o, s) => {
      if (raw === "true" || raw === "false") Object.assign(s, { [field]: raw === "true" });
    },
  };
}

/**
 * One input feature as a boolean key.
 * @param {string} key
 * @param {string} feature
 * @returns {Property}
 */
function feature(key, feature) {
  return {
    key,
    write: (s) => String(s.features.includes(feature)),
    read: (raw, o, s) => {
      if (raw !== "true" && raw !== "false") return;
      if (!o.features.some((f) => f.name === feature)) return;
      const on = new Set(s.features);
      if (raw === "true") on.add(feature);
      else on.delete(feature);
      s.features = o.features.map((f) => f.name).filter((name) => on.has(name));
    },
  };
}

/** @type {Property} */
const networkShape = {
  key: "networkShape",
  write: (s) => s.hiddenLayers.join(","),
  read: (raw, o, s) => {
    const maxLayers = Number(o.limits.max_hidden_layers ?? 6);
    const maxNeurons = Number(o.limits.max_neurons ?? 8);
    const layers = raw.trim() === "" ? [] : raw.split(",").map(parseNumber);
    const ok =
      layers.length <= maxLayers &&
      layers.every((n) => n !== undefined && Number.isInteger(n) && n >= 1 && n <= maxNeurons);
    if (ok) s.hiddenLayers = /** @type {number[]} */ (layers);
  },
};

/** @type {Property} */
const seed = {
  key: "seed",
  write: (s) => s.seed ?? "",
  read: (raw, _o, s) => {
    const text = raw.trim();
    if (text !== "" && text.length <= MAX_SEED_LENGTH) s.seed = text;
  },
};

/** @type {Property} */
const initZero = {
  key: "initZero",
  write: (s) => String(s.init === "zero"),
  read: (raw, o, s) => {
    if (raw === "true" && o.inits.some((c) => c.name === "zero")) s.init = "zero";
  },
};

/** The hash, key by key, in the reference's order and then ours. */
const PROPERTIES = /** @type {Property[]} */ ([
  choice("activation", "activation", (o) => o.activations),
  choice("regularization", "regularization", (o) => o.regularizations, REGULARIZATION_ALIASES),
  integer("batchSize", "batchSize", (o) => o.limits.batch_size),
  choice("dataset", "dataset", (o) => o.datasets.classification),
  choice("regDataset", "regDataset", (o) => o.datasets.regression, REG_DATASET_ALIASES),
  numberChoice("learningRate", "learningRate", (o) => o.learningRates),
  numberChoice("regularizationRate", "regularizationRate", (o) => o.regularizationRates),
  integer("noise", "noise", (o) => o.limits.noise),
  networkShape,
  seed,
  bool("showTestData", "showTestData"),
  bool("discretize", "discretize"),
  integer("percTrainData", "trainRatio", (o) => o.limits.train_ratio),
  ...FEATURE_KEYS.map(([key, name]) => feature(key, name)),
  choice("problem", "problem", (o) => o.problems),
  initZero,
  bool("hideText", "hideText"),
  // Ours. `init` is read after initZero, so it wins when both are given.
  choice("optimizer", "optimizer", (o) => o.optimizers),
  choice("init", "init", (o) => o.inits),
  numberChoice("decay", "decay", (o) => o.decays, [0, 1e6 + 1]),
  numberChoice("dropout", "dropout", (o) => o.dropouts, [0, 1]),
  choice("speed", "speed", () => SPEEDS),
  bool("lines", "lines"),
]);

/** Every key the hash is written with. */
export const HASH_KEYS = PROPERTIES.map((p) => p.key);

/**
 * The default settings: the server's defaults plus the page's own.
 * @param {Options} o
 * @returns {Settings}
 */
export function defaultSettings(o) {
  const d = o.defaults;
  const first = (/** @type {{name: string}[]} */ list) => list[0]?.name ?? "";
  return {
    problem: d.problem ?? first(o.problems),
    dataset: d.problem === "regression" ? first(o.datasets.classification) : d.dataset,
    regDataset: d.problem === "regression" ? d.dataset : first(o.datasets.regression),
    noise: d.noise,
    trainRatio: d.train_ratio,
    batchSize: d.batch_size,
    features: [...d.features],
    hiddenLayers: [...d.hidden_layers],
    activation: d.activation,
    learningRate: d.learning_rate,
    regularization: d.regularization,
    regularizationRate: d.regularization_rate,
    optimizer: d.optimizer,
    init: d.init,
    decay: d.learning_rate_decay,
    dropout: d.dropout,
    seed: null,
    showTestData: false,
    discretize: false,
    hideText: false,
    lines: false,
    speed: DEFAULT_SPEED,
  };
}

/**
 * URL hash (with or without "#") → settings; unknown keys are ignored, unknown values
 * fall back to the defaults.
 * @param {string} hash
 * @param {Options} o
 * @returns {Settings}
 */
export function parseHash(hash, o) {
  const s = defaultSettings(o);
  /** @type {Map<string, string>} */
  const values = new Map();
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const raw = eq < 0 ? "" : part.slice(eq + 1);
    try {
      values.set(key, decodeURIComponent(raw.replace(/\+/g, " ")));
    } catch {
      // A malformed escape: ignore this key.
    }
  }
  for (const p of PROPERTIES) {
    const raw = values.get(p.key);
    if (raw !== undefined) p.read(raw, o, s);
  }
  if (s.features.length === 0) s.features = [...o.defaults.features];
  return s;
}

/**
 * Settings → URL hash text (without "#").
 * @param {Settings} s
 * @returns {string}
 */
export function toHash(s) {
  return PROPERTIES.map((p) => `${p.key}=${encodeURIComponent(p.write(s))}`).join("&");
}

/**
 * The seed as the server takes it: a decimal integer in range as a number, other text
 * as a string (the server maps it to an int stably); undefined when there is none.
 * @param {string | null} seed
 * @returns {number | string | undefined}
 */
export function seedForServer(seed) {
  if (seed === null || seed === "") return undefined;
  if (/^\d+$/.test(seed) && Number(seed) <= 2 ** 32 - 1) return Number(seed);
  return seed;
}

/**
 * Settings → the server's config (a full config, seed included when known).
 * @param {Settings} s
 * @returns {Record<string, any>}
 */
export function toServerConfig(s) {
  /** @type {Record<string, any>} */
  const config = {
    problem: s.problem,
    dataset: s.problem === "regression" ? s.regDataset : s.dataset,
    noise: s.noise,
    train_ratio: s.trainRatio,
    batch_size: s.batchSize,
    features: [...s.features],
    hidden_layers: [...s.hiddenLayers],
    activation: s.activation,
    learning_rate: s.learningRate,
    regularization: s.regularization,
    regularization_rate: s.regularizationRate,
    optimizer: s.optimizer,
    init: s.init,
    learning_rate_decay: s.decay,
    dropout: s.dropout,
  };
  const sd = seedForServer(s.seed);
  if (sd !== undefined) config.seed = sd;
  return config;
}

/**
 * The fields of the server config that differ between two settings (a PATCH body).
 * @param {Settings} before
 * @param {Settings} after
 * @returns {Record<string, any>}
 */
export function configChanges(before, after) {
  const a = toServerConfig(before);
  const b = toServerConfig(after);
  /** @type {Record<string, any>} */
  const changes = {};
  for (const [key, value] of Object.entries(b)) {
    if (JSON.stringify(a[key]) !== JSON.stringify(value)) changes[key] = value;
  }
  // Changing the problem must name the dataset we remember for it.
  if ("problem" in changes) changes.dataset = b.dataset;
  return changes;
}

/**
 * The server's config (from a state) → settings, keeping the page's own settings.
 * The seed text is kept when it names the same seed (a reference seed such as "0.12345"
 * stays as written) unless `adoptSeed` says the server chose a new one.
 * @param {Settings} s
 * @param {Record<string, any>} config
 * @param {{adoptSeed?: boolean}} [how]
 * @returns {Settings}
 */
export function fromServerConfig(s, config, how = {}) {
  const keepSeed = !how.adoptSeed && s.seed !== null;
  return {
    ...s,
    problem: config.problem,
    dataset: config.problem === "classification" ? config.dataset : s.dataset,
    regDataset: config.problem === "regression" ? config.dataset : s.regDataset,
    noise: config.noise,
    trainRatio: config.train_ratio,
    batchSize: config.batch_size,
    features: [...config.features],
    hiddenLayers: [...config.hidden_layers],
    activation: config.activation,
    learningRate: config.learning_rate,
    regularization: config.regularization,
    regularizationRate: config.regularization_rate,
    optimizer: config.optimizer,
    init: config.init,
    decay: config.learning_rate_decay,
    dropout: config.dropout,
    seed: keepSeed ? s.seed : String(config.seed),
  };
}
