// @ts-check
/**
 * The page's settings, the URL hash and the server's config, all derived from the table
 * of fields (options.js); pure, no DOM.
 *
 * A setting is named like its field (the server's config name: learning_rate, …). How a
 * value is read from and written to the hash, sent to the server and taken back depends
 * only on the field's kind (KINDS below), never on the field itself. The hash uses the
 * reference's keys and spellings (TensorFlow Playground: activation, batchSize, dataset,
 * regDataset, reg-plane, L1, initZero, …) so its links open here with the same
 * configuration; a value that is unknown or out of bounds falls back to the default.
 *
 * Two kinds hold more than the server's value: a choice whose choices belong to a
 * problem (the datasets) keeps one choice per problem (the server gets the one of the
 * current `problem`, the hash has a key per problem), and the seed keeps its text
 * (a reference seed such as "0.12345" stays as written).
 */

import { choicesOf, problemsOf } from "./options.js";
import { IGNORED } from "./text.js";

/** @typedef {import("./options.js").Options} Options */
/** @typedef {import("./options.js").Field} Field */

/** @typedef {string | number | boolean | null | string[] | number[] | Record<string, string>} Value */

/**
 * The settings the page's code names; every other field's setting is handled generically.
 * @typedef {Object} NamedSettings
 * @property {string} problem
 * @property {Record<string, string>} dataset   the dataset chosen for each problem
 * @property {string[]} features                enabled features, in the table's order
 * @property {number[]} hidden_layers           neurons per hidden layer
 * @property {string | null} seed               as text; null = random
 * @property {boolean} show_test_data
 * @property {boolean} discretize
 * @property {boolean} lines                    show the first layer's decision lines
 * @property {boolean} hide_text
 * @property {string} speed                     a name from SPEEDS
 * @property {string | null} [data_link]        the server's copy of the custom data (hash `data=<id>`)
 */
/** @typedef {NamedSettings & Record<string, any>} Settings */

/** The field whose value chooses among a per-problem field's choices. */
const PROBLEM = "problem";

/**
 * The hash key of a link to custom data: the id of the server's copy (POST /api/datasets).
 * The hash cannot carry up to 2,000 points, so it carries this id instead.
 */
export const DATA_KEY = "data";

/**
 * What a shared dataset's id may look like (the server's rule, app/shared_data.py
 * valid_id), and why another value is refused.
 */
const DATA_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** @typedef {(key: string) => string | undefined} HashLookup */
/** @typedef {(key: string, raw: string, why: string) => void} Refused  a part of the hash not used, and why */

/**
 * How one kind of field is read, written and sent.
 * @typedef {Object} Kind
 * @property {(f: Field) => Value} initial                       the default setting
 * @property {(f: Field, v: any) => [string, string][]} write    hash keys and texts
 * @property {(f: Field, get: HashLookup, v: any, refused: Refused) => Value} read
 *           the setting from the hash (v if absent or invalid; an invalid value is refused)
 * @property {(f: Field, v: any, s: Settings) => unknown} toServer  undefined: not sent
 * @property {(f: Field, config: Record<string, any>, v: any, how: {adoptSeed?: boolean}) => Value} fromServer
 */

/**
 * @param {number} a
 * @param {number} b
 */
function near(a, b) {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Text → a number the field allows (one of its steps, when it has any), else undefined.
 * Also reads what a select or slider holds.
 * @param {Field} f
 * @param {string} raw
 * @returns {number | undefined}
 */
export function parseNumber(f, raw) {
  if (raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || (f.kind === "integer" && !Number.isInteger(n))) return undefined;
  if (f.steps.length > 0) return f.steps.find((v) => near(v, n));
  if (f.min !== null && (n < f.min || (f.min_exclusive && n === f.min))) return undefined;
  if (f.max !== null && (n > f.max || (f.max_exclusive && n === f.max))) return undefined;
  return n;
}

/**
 * Text → one of the field's choices (by name or by the reference's spelling).
 * @param {Field} f
 * @param {string} raw
 * @param {string} [problem]  only the choices of this problem
 * @returns {string | undefined}
 */
export function parseChoice(f, raw, problem) {
  return choicesOf(f, problem).find((c) => c.name === raw || c.url_value === raw)?.name;
}

/**
 * @param {string | undefined} raw
 * @returns {boolean | undefined}
 */
function parseBool(raw) {
  return raw === "true" ? true : raw === "false" ? false : undefined;
}

/**
 * @param {Field} f
 * @param {string} name
 */
function urlValue(f, name) {
  return f.choices.find((c) => c.name === name)?.url_value ?? name;
}

/** @param {Field} f */
const key = (f) => f.url_key ?? f.name;

/**
 * The hash keys a field is written under (each problem's, for the datasets).
 * @param {Field} f
 * @returns {string[]}
 */
export function hashKeysOf(f) {
  return [...new Set([key(f), ...Object.values(f.url_keys)])];
}

/**
 * What a field allows, in words (why a value was refused).
 * @param {Field} f
 * @param {string} [problem]  only the choices of this problem
 */
function allowed(f, problem) {
  if (f.kind === "choice") return IGNORED.oneOf(choicesOf(f, problem).map((c) => c.url_value ?? c.name));
  if (f.kind === "boolean") return IGNORED.flag;
  if (f.kind === "layers") return IGNORED.layers(Number(f.max_length), Number(f.min), Number(f.max));
  if (f.kind === "seed") return IGNORED.text(Number(f.max_length));
  if (f.steps.length > 0) return IGNORED.oneOf(f.steps.map(String));
  return IGNORED.between(f.min, f.max, f.kind === "integer");
}

/**
 * `get(k)` read with `parse`; a value that is there but does not parse is refused.
 * @template T
 * @param {HashLookup} get
 * @param {string} k
 * @param {(raw: string) => T | undefined} parse
 * @param {Refused} refused
 * @param {() => string} why
 * @returns {T | undefined}
 */
function readKey(get, k, parse, refused, why) {
  const raw = get(k);
  if (raw === undefined) return undefined;
  const value = parse(raw);
  if (value === undefined) refused(k, raw, why());
  return value;
}
const same = (/** @type {Field} */ _f, /** @type {any} */ v) => v;
/** @type {Kind["fromServer"]} */
const serverValue = (f, config) => config[f.name];

/** One choice; `url_flag` choices are also selected by a boolean key (read first). */
const choice = /** @type {Kind} */ ({
  initial: (f) => f.default,
  write: (f, v) => [
    [key(f), urlValue(f, v)],
    ...f.choices.filter((c) => c.url_flag).map((c) => /** @type {[string, string]} */ ([c.url_flag, String(v === c.name)])),
  ],
  read: (f, get, v, refused) => {
    let value = v;
    for (const c of f.choices) {
      if (c.url_flag && readKey(get, c.url_flag, parseBool, refused, () => IGNORED.flag)) value = c.name;
    }
    return readKey(get, key(f), (raw) => parseChoice(f, raw), refused, () => allowed(f)) ?? value;
  },
  toServer: same,
  fromServer: serverValue,
});

/** A choice per problem (the datasets): {problem: name}; the hash has a key per problem. */
const perProblem = /** @type {Kind} */ ({
  initial: (f) =>
    Object.fromEntries(
      problemsOf(f).map((p) => {
        const own = choicesOf(f, p);
        return [p, own.some((c) => c.name === f.default) ? f.default : own[0].name];
      }),
    ),
  write: (f, v) => problemsOf(f).map((p) => [f.url_keys[p] ?? key(f), urlValue(f, v[p])]),
  read: (f, get, v, refused) =>
    Object.fromEntries(
      problemsOf(f).map((p) => {
        const parse = (/** @type {string} */ raw) => parseChoice(f, raw, p) ?? everyProblems(f).find((c) => c.name === raw)?.name;
        return [p, readKey(get, f.url_keys[p] ?? key(f), parse, refused, () => allowed(f, p)) ?? v[p]];
      }),
    ),
  toServer: (_f, v, s) => v[s[PROBLEM]],
  fromServer: (f, config, v) => ({ ...v, [config[PROBLEM]]: config[f.name] }),
});

/**
 * The choices of a per-problem field that belong to every problem (the dataset `custom`:
 * the person's own data, which the data routes give the session).
 * @param {Field} f
 */
function everyProblems(f) {
  return f.choices.filter((c) => c.problem === null);
}

/** A number (or integer) within the field's bounds, or one of its steps. */
const number = /** @type {Kind} */ ({
  initial: (f) => f.default,
  write: (f, v) => [[key(f), String(v)]],
  read: (f, get, v, refused) => readKey(get, key(f), (raw) => parseNumber(f, raw), refused, () => allowed(f)) ?? v,
  toServer: same,
  fromServer: serverValue,
});

/** The enabled features; each is a boolean key of its own. None at all: the default. */
const features = /** @type {Kind} */ ({
  initial: (f) => [...f.default],
  write: (f, v) => f.choices.map((c) => [c.url_key ?? c.name, String(v.includes(c.name))]),
  read: (f, get, v, refused) => {
    const on = new Set(v);
    for (const c of f.choices) {
      const flag = readKey(get, c.url_key ?? c.name, parseBool, refused, () => IGNORED.flag);
      if (flag === true) on.add(c.name);
      if (flag === false) on.delete(c.name);
    }
    const list = f.choices.map((c) => c.name).filter((name) => on.has(name));
    if (list.length > 0) return list;
    const off = f.choices.map((c) => c.url_key ?? c.name).filter((k) => get(k) === "false");
    if (off.length > 0) refused(off.join(","), "false", IGNORED.noFeature);
    return [...f.default];
  },
  toServer: (_f, v) => [...v],
  fromServer: (f, config) => [...config[f.name]],
});

/** Neurons per hidden layer, "4,2" in the hash ("" is no hidden layer). */
const layers = /** @type {Kind} */ ({
  initial: (f) => [...f.default],
  write: (f, v) => [[key(f), v.join(",")]],
  read: (f, get, v, refused) => {
    const parse = (/** @type {string} */ raw) => {
      const list = raw.trim() === "" ? [] : raw.split(",").map((n) => parseNumber({ ...f, kind: "integer" }, n));
      const ok = list.length <= (f.max_length ?? Infinity) && list.every((n) => n !== undefined);
      return ok ? /** @type {number[]} */ (list) : undefined;
    };
    return readKey(get, key(f), parse, refused, () => allowed(f)) ?? v;
  },
  toServer: (_f, v) => [...v],
  fromServer: (f, config) => [...config[f.name]],
});

/**
 * The seed as the server takes it: a decimal integer in range as a number, other text as
 * a string (the server maps it to an int stably); undefined when there is none.
 * @param {Field} f
 * @param {string | null} seed
 * @returns {number | string | undefined}
 */
export function seedForServer(f, seed) {
  if (seed === null || seed === "") return undefined;
  if (/^\d+$/.test(seed) && Number(seed) <= (f.max ?? 0)) return Number(seed);
  return seed;
}

/** The seed as text; the server's number is adopted only when there is none (or asked). */
const seed = /** @type {Kind} */ ({
  initial: (f) => f.default,
  write: (f, v) => [[key(f), v ?? ""]],
  read: (f, get, v, refused) => {
    const parse = (/** @type {string} */ raw) => (raw.trim().length <= (f.max_length ?? Infinity) ? raw.trim() : undefined);
    return readKey(get, key(f), parse, refused, () => allowed(f)) || v;
  },
  toServer: seedForServer,
  fromServer: (f, config, v, how) => (v !== null && !how.adoptSeed ? v : String(config[f.name])),
});

/** A page setting that is on or off. */
const boolean = /** @type {Kind} */ ({
  initial: (f) => f.default,
  write: (f, v) => [[key(f), String(v)]],
  read: (f, get, v, refused) => readKey(get, key(f), parseBool, refused, () => allowed(f)) ?? v,
  toServer: same,
  fromServer: serverValue,
});

/** @type {Record<Field["kind"], Kind>} */
const KINDS = { choice, number, integer: number, features, layers, seed, boolean };

/**
 * @param {Field} f
 * @returns {Kind}
 */
function kindOf(f) {
  return f.kind === "choice" && f.choices.some((c) => c.problem) ? perProblem : KINDS[f.kind];
}

/**
 * The rows the server knows.
 * @param {Options} o
 */
export function serverFields(o) {
  return o.fields.filter((f) => f.reset !== "page");
}

/**
 * The default settings: the server's defaults plus the page's own.
 * @param {Options} o
 * @returns {Settings}
 */
export function defaultSettings(o) {
  return /** @type {Settings} */ (Object.fromEntries(o.fields.map((f) => [f.name, kindOf(f).initial(f)])));
}

/** The suffix of the reference's flags that hide a control: `activation_hide=true`. */
export const HIDE_SUFFIX = "_hide";

/**
 * What a URL hash says.
 * @typedef {Object} HashReading
 * @property {Settings} settings  valid values, defaults for the rest
 * @property {string[]} ignored   the parts not used, each with its reason, for a person
 * @property {string[]} hide      the controls hidden by `<key>_hide=true`, by hash key
 * @property {Record<string, string>} extra  the keys of EXTRA_KEYS the hash has, by key
 */

/**
 * Hash keys that are not settings and that other modules read: a lesson and its step
 * (the lesson panel, lesson.js) and the language. Never reported as unknown.
 */
export const EXTRA_KEYS = ["lesson", "step", "lang"];

/**
 * URL hash (with or without "#") → settings, the parts that were ignored and why, and
 * the controls to hide. An unknown key is ignored silently when its value is "false" or
 * empty (a reference link's `cosX=false`: nothing is lost), else named.
 * @param {string} hash
 * @param {Options} o
 * @returns {HashReading}
 */
export function readHash(hash, o) {
  /** @type {Map<string, string>} */
  const values = new Map();
  /** @type {string[]} */
  const ignored = [];
  const refused = (/** @type {string} */ k, /** @type {string} */ raw, /** @type {string} */ why) => {
    ignored.push(IGNORED.part(k, raw, why));
  };
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const raw = eq < 0 ? "" : part.slice(eq + 1);
    try {
      values.set(name, decodeURIComponent(raw.replace(/\+/g, " ")));
    } catch {
      refused(name, raw, IGNORED.badEscape);
    }
  }
  const asked = new Set();
  const get = (/** @type {string} */ k) => {
    asked.add(k);
    return values.get(k);
  };
  const settings = defaultSettings(o);
  for (const f of o.fields) settings[f.name] = kindOf(f).read(f, get, settings[f.name], refused);
  const link = readKey(get, DATA_KEY, (raw) => (DATA_ID.test(raw) ? raw : undefined), refused, () => IGNORED.sharedData);
  if (link) settings.data_link = link;
  /** @type {Record<string, string>} */
  const extra = {};
  for (const k of EXTRA_KEYS) {
    const v = get(k);
    if (v !== undefined) extra[k] = v;
  }
  /** @type {string[]} */
  const hide = [];
  for (const [k, v] of values) {
    if (k.endsWith(HIDE_SUFFIX) && k.length > HIDE_SUFFIX.length) {
      if (v === "true") hide.push(k.slice(0, -HIDE_SUFFIX.length));
    } else if (!asked.has(k) && v !== "false" && v !== "") {
      refused(k, v, IGNORED.unknown);
    }
  }
  return { settings, ignored, hide, extra };
}

/**
 * URL hash (with or without "#") → settings; unknown keys are ignored, unknown values
 * fall back to the defaults.
 * @param {string} hash
 * @param {Options} o
 * @returns {Settings}
 */
export function parseHash(hash, o) {
  return readHash(hash, o).settings;
}

/**
 * Settings → the hash's keys and texts, in the table's order.
 * @param {Settings} s
 * @param {Options} o
 * @returns {[string, string][]}
 */
export function hashEntries(s, o) {
  const entries = o.fields.flatMap((f) => kindOf(f).write(f, s[f.name]));
  return s.data_link ? [...entries, /** @type {[string, string]} */ ([DATA_KEY, s.data_link])] : entries;
}

/**
 * Settings → URL hash text (without "#"), the flags that hide controls at the end.
 * @param {Settings} s
 * @param {Options} o
 * @param {string[]} [hide]  hash keys of the controls hidden (`<key>_hide=true`)
 * @param {[string, string][]} [extra]  keys of EXTRA_KEYS and their texts, at the very end
 * @returns {string}
 */
export function toHash(s, o, hide = [], extra = []) {
  return [...hashEntries(s, o), ...hide.map((k) => /** @type {[string, string]} */ ([`${k}${HIDE_SUFFIX}`, "true"])), ...extra]
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
}

/**
 * Settings → the server's config (a full config, seed included when known).
 * @param {Settings} s
 * @param {Options} o
 * @returns {Record<string, any>}
 */
export function toServerConfig(s, o) {
  /** @type {Record<string, any>} */
  const config = {};
  for (const f of serverFields(o)) {
    const value = kindOf(f).toServer(f, s[f.name], s);
    if (value !== undefined) config[f.name] = value;
  }
  return config;
}

/**
 * The fields of the server config that differ between two settings (a PATCH body).
 * Changing the problem also names the per-problem choices remembered for it.
 * @param {Settings} before
 * @param {Settings} after
 * @param {Options} o
 * @returns {Record<string, any>}
 */
export function configChanges(before, after, o) {
  const a = toServerConfig(before, o);
  const b = toServerConfig(after, o);
  /** @type {Record<string, any>} */
  const changes = {};
  const problemChanged = a[PROBLEM] !== b[PROBLEM];
  for (const f of serverFields(o)) {
    const follows = problemChanged && kindOf(f) === perProblem;
    if (f.name in b && (follows || JSON.stringify(a[f.name]) !== JSON.stringify(b[f.name]))) {
      changes[f.name] = b[f.name];
    }
  }
  return changes;
}

/**
 * The server's config (from a state) → settings, keeping the page's own settings.
 * The seed text is kept when there is one, unless `adoptSeed` says the server chose a
 * new one.
 * @param {Settings} s
 * @param {Record<string, any>} config
 * @param {Options} o
 * @param {{adoptSeed?: boolean}} [how]
 * @returns {Settings}
 */
export function fromServerConfig(s, config, o, how = {}) {
  const next = { ...s };
  for (const f of serverFields(o)) {
    if (f.name in config) next[f.name] = kindOf(f).fromServer(f, config, s[f.name], how);
  }
  return next;
}

/**
 * The settings with the problem's default dataset where they name one that belongs to
 * every problem (`custom`): the server takes `custom` only once the session holds custom
 * data, so a new session, or a change of problem, starts from the default.
 * @param {Settings} s
 * @param {Options} o
 * @returns {Settings}
 */
export function withoutCustom(s, o) {
  const next = { ...s };
  for (const f of serverFields(o)) {
    if (kindOf(f) !== perProblem) continue;
    const problem = s[PROBLEM];
    if (everyProblems(f).some((c) => c.name === s[f.name][problem])) {
      next[f.name] = { ...s[f.name], [problem]: /** @type {Record<string, string>} */ (perProblem.initial(f))[problem] };
    }
  }
  return next;
}

/**
 * Whether the settings name, for their problem, a choice of every problem (`custom`).
 * @param {Settings} s
 * @param {Options} o
 */
export function namesCustom(s, o) {
  return JSON.stringify(withoutCustom(s, o)) !== JSON.stringify(s);
}

/**
 * The choice a per-problem setting holds for the current problem (the dataset shown).
 * @param {Settings} s
 * @param {string} name  the field, e.g. "dataset"
 */
export function currentChoice(s, name) {
  return s[name][s[PROBLEM]];
}
