// @ts-check
/**
 * GET /api/options → the lists the controls are built from (pure, no DOM).
 * The server is the single source of truth for every choice and bound; this module only
 * puts the answer into one shape and adds display labels.
 */

/** @typedef {{name: string, label: string}} Choice */

/**
 * @typedef {Object} Options
 * @property {Choice[]} problems
 * @property {{classification: Choice[], regression: Choice[]} & Record<string, Choice[]>} datasets
 * @property {Choice[]} features
 * @property {Choice[]} activations
 * @property {Choice[]} optimizers
 * @property {Choice[]} inits
 * @property {Choice[]} regularizations
 * @property {number[]} learningRates
 * @property {number[]} regularizationRates
 * @property {number[] | null} decays       learning-rate decays to offer, when the server lists them
 * @property {number[] | null} dropouts     dropout rates to offer, when the server lists them
 * @property {Record<string, any>} limits
 * @property {Record<string, any>} defaults a server config without seed
 */

/** Display names for the server's choice names; anything else is shown capitalised. */
const LABELS = {
  classification: "Classification",
  regression: "Regression",
  relu: "ReLU",
  tanh: "Tanh",
  sigmoid: "Sigmoid",
  linear: "Linear",
  none: "None",
  l1: "L1",
  l2: "L2",
  sgd: "SGD",
  momentum: "Momentum",
  nesterov: "Nesterov",
  rmsprop: "RMSprop",
  adam: "Adam",
  playground: "Playground",
  xavier: "Xavier (Glorot)",
  he: "He",
  zero: "Zero",
};

/**
 * @param {string} name
 * @returns {string}
 */
export function labelOf(name) {
  return /** @type {Record<string, string>} */ (LABELS)[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * A list of names or of {name, label} → Choice[].
 * @param {unknown} list
 * @returns {Choice[]}
 */
export function toChoices(list) {
  if (!Array.isArray(list)) return [];
  return list.map((item) =>
    typeof item === "string"
      ? { name: item, label: labelOf(item) }
      : { name: String(item.name), label: String(item.label ?? labelOf(String(item.name))) },
  );
}

/**
 * @param {unknown} list
 * @returns {number[] | null}
 */
function numbers(list) {
  return Array.isArray(list) ? list.map(Number).filter(Number.isFinite) : null;
}

/**
 * @param {Record<string, any>} raw  the JSON of GET /api/options
 * @returns {Options}
 */
export function normalizeOptions(raw) {
  /** @type {Record<string, Choice[]>} */
  const datasets = {};
  for (const [problem, list] of Object.entries(raw.datasets ?? {})) datasets[problem] = toChoices(list);
  return {
    problems: toChoices(raw.problems),
    datasets: /** @type {Options["datasets"]} */ ({ classification: [], regression: [], ...datasets }),
    features: toChoices(raw.features),
    activations: toChoices(raw.activations),
    optimizers: toChoices(raw.optimizers),
    inits: toChoices(raw.inits),
    regularizations: toChoices(raw.regularizations),
    learningRates: numbers(raw.learning_rates) ?? [],
    regularizationRates: numbers(raw.regularization_rates) ?? [],
    decays: numbers(raw.learning_rate_decays ?? raw.decays),
    dropouts: numbers(raw.dropout_rates ?? raw.dropouts),
    limits: raw.limits ?? {},
    defaults: raw.defaults ?? {},
  };
}
