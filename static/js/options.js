// @ts-check
/**
 * GET /api/options → the table of settings the page is built from (pure, no DOM).
 *
 * The server sends one row per config field (`fields`: kind, label, default, bounds,
 * choices, control, URL key) and its `limits`. The page adds one small table of its own
 * settings of the same shape (PAGE_FIELDS, `reset: "page"`: the server never hears of
 * them). Settings, the URL hash, the config sent to the server and the generic controls
 * are all derived from these rows (state.js, controls.js).
 */

import { tOr } from "./i18n.js";

/**
 * @typedef {Object} Choice
 * @property {string} name
 * @property {string} label
 * @property {string | null} url_value  the reference's spelling in the hash, when it differs
 * @property {string | null} problem    datasets: the problem they belong to
 * @property {string | null} url_key    features: each is a boolean hash key of its own
 * @property {string | null} url_flag   the reference's boolean key that selects this choice
 */

/**
 * @typedef {Object} Field
 * @property {string} name          the server's config name (or the page's own)
 * @property {"choice" | "number" | "integer" | "features" | "layers" | "seed" | "boolean"} kind
 * @property {string} label
 * @property {any} default          seed: null (random)
 * @property {"live" | "network" | "data" | "page"} reset  "page": the server never hears of it
 * @property {string | null} control   select | slider | checkbox | datasets | features | layers | seed
 * @property {string | null} control_id
 * @property {string | null} url_key
 * @property {Record<string, string>} url_keys  per problem, where the hash key differs
 * @property {Choice[]} choices
 * @property {number | null} min
 * @property {number | null} max
 * @property {boolean} min_exclusive
 * @property {boolean} max_exclusive
 * @property {number[]} steps        the values a select offers ([]: any value in bounds)
 * @property {number | null} step    a slider's increment
 * @property {number | null} max_length  layers: most hidden layers; seed: most characters
 */

/**
 * @typedef {Object} Options
 * @property {Field[]} fields            the server's rows, then the page's
 * @property {Record<string, Field>} field  the same rows by name
 * @property {Record<string, any>} limits
 */

/**
 * Training speeds. The slow ones train one epoch per step and send a step at most
 * `perSecond` times a second; the others one step request per drawn frame, of `epochs`
 * epochs ("max" means the server's `limits.max_epochs_per_step`, bounded by `maxMs`).
 * @typedef {{name: string, label: string, epochs: number | "max", maxMs: number | null, perSecond: number | null}} Speed
 */
/** @type {Speed[]} */
export const SPEEDS = [
  { name: "1ps", label: "1 epoch / second", epochs: 1, maxMs: null, perSecond: 1 },
  { name: "5ps", label: "5 epochs / second", epochs: 1, maxMs: null, perSecond: 5 },
  { name: "10ps", label: "10 epochs / second", epochs: 1, maxMs: null, perSecond: 10 },
  { name: "1", label: "1 epoch / frame", epochs: 1, maxMs: null, perSecond: null },
  { name: "3", label: "3 epochs / frame", epochs: 3, maxMs: null, perSecond: null },
  { name: "10", label: "10 epochs / frame", epochs: 10, maxMs: null, perSecond: null },
  { name: "fast", label: "Fast", epochs: "max", maxMs: 12, perSecond: null },
  { name: "fastest", label: "Fastest", epochs: "max", maxMs: 16, perSecond: null },
];

/**
 * A row with every key of the shape; `row` gives the ones that matter.
 * @param {Partial<Field> & Pick<Field, "name" | "kind" | "label" | "default">} row
 * @returns {Field}
 */
function fullRow(row) {
  return {
    reset: "page",
    control: null,
    control_id: null,
    url_key: null,
    url_keys: {},
    choices: [],
    min: null,
    max: null,
    min_exclusive: false,
    max_exclusive: false,
    steps: [],
    step: null,
    max_length: null,
    ...row,
  };
}

/**
 * @param {string} name
 * @param {string} label
 * @returns {Choice}
 */
function choice(name, label) {
  return { name, label, url_value: null, problem: null, url_key: null, url_flag: null };
}

/** The page's own settings (not the server's): what is shown and how fast it plays. */
export const PAGE_FIELDS = [
  fullRow({ name: "show_test_data", kind: "boolean", label: "Show test data", default: false,
              control: "checkbox", control_id: "show-test-data", url_key: "showTestData" }),
  fullRow({ name: "discretize", kind: "boolean", label: "Discretize output", default: false,
              control: "checkbox", control_id: "discretize", url_key: "discretize" }),
  fullRow({ name: "lines", kind: "boolean", label: "First-layer decision lines", default: false,
              control: "checkbox", control_id: "first-layer-lines", url_key: "lines" }),
  fullRow({ name: "hide_text", kind: "boolean", label: "Hide the introduction", default: false,
              url_key: "hideText" }),
  fullRow({ name: "speed", kind: "choice", label: "Speed", default: "fast", control: "select",
              control_id: "speed", url_key: "speed",
              choices: SPEEDS.map((s) => choice(s.name, s.label)) }),
];

/**
 * A speed by name (an unknown name: the default speed).
 * @param {string} speed
 * @returns {Speed}
 */
export function speedOf(speed) {
  const fallback = PAGE_FIELDS.find((f) => f.name === "speed")?.default;
  const s = SPEEDS.find((x) => x.name === speed) ?? SPEEDS.find((x) => x.name === fallback);
  if (!s) throw new Error("no default speed");
  return s;
}

/**
 * The body of a step request at a speed (an unknown speed plays at the default one).
 * @param {string} speed
 * @param {Record<string, any>} limits  the server's (max_epochs_per_step)
 * @returns {{epochs: number, max_ms?: number}}
 */
export function stepRequest(speed, limits) {
  const s = speedOf(speed);
  if (s.epochs === "max") {
    const body = { epochs: Number(limits.max_epochs_per_step) };
    return s.maxMs === null ? body : { ...body, max_ms: s.maxMs };
  }
  return { epochs: Number(s.epochs) };
}

/**
 * The least time between two step requests at a speed, in ms (0: one per drawn frame).
 * @param {string} speed
 */
export function stepInterval(speed) {
  const s = speedOf(speed);
  return s.perSecond ? 1000 / s.perSecond : 0;
}

/**
 * A field with its label and its choices' names in the page's language: the catalog's
 * `field.<name>.label` and `choice.<field>.<choice>`, or the server's (English) text for
 * one the catalog does not have.
 * @param {Field} f
 * @returns {Field}
 */
export function localized(f) {
  return {
    ...f,
    label: tOr(`field.${f.name}.label`, f.label),
    choices: f.choices.map((c) => ({ ...c, label: tOr(`choice.${f.name}.${c.name}`, c.label) })),
  };
}

/**
 * The server's table of fields and the page's own, labels in the page's language.
 * @param {Record<string, any>} raw  the JSON of GET /api/options
 * @returns {Options}
 */
export function normalizeOptions(raw) {
  /** @type {Field[]} */
  const server = (raw.fields ?? []).map((/** @type {Field} */ f) =>
    fullRow({
      ...f,
      url_keys: f.url_keys ?? {},
      choices: (f.choices ?? []).map((/** @type {Record<string, any>} */ c) => ({ ...choice(c.name, c.label), ...c })),
      steps: f.steps ?? [],
    }),
  );
  const fields = [...server, ...PAGE_FIELDS].map(localized);
  return { fields, field: Object.fromEntries(fields.map((f) => [f.name, f])), limits: raw.limits ?? {} };
}

/** The problem whose labels are classes 0 … K−1 (K: the config's `classes`). */
export const MULTICLASS = "multiclass";

/**
 * K when a config (or settings) is of a multi-class problem, else null.
 * @param {Record<string, any> | null | undefined} config
 * @returns {number | null}
 */
export function classCount(config) {
  return config?.problem === MULTICLASS ? Number(config.classes) || null : null;
}

/**
 * The choices of a field that belong to a problem (datasets), or all of them.
 * @param {Field} field
 * @param {string} [problem]
 */
export function choicesOf(field, problem) {
  return problem === undefined ? field.choices : field.choices.filter((c) => c.problem === problem);
}

/**
 * The problems a per-problem field's choices belong to, in their order.
 * @param {Field} field
 * @returns {string[]}
 */
export function problemsOf(field) {
  return [...new Set(field.choices.map((c) => c.problem).filter((p) => p !== null))];
}

/**
 * The row shown by one of the special controls ("datasets", "features", "layers", "seed").
 * @param {Options} o
 * @param {string} control
 * @returns {Field}
 */
export function fieldWithControl(o, control) {
  const f = o.fields.find((x) => x.control === control);
  if (!f) throw new Error(`The server's options have no field with a ${control} control.`);
  return f;
}
