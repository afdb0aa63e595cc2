// @ts-check
/**
 * The compare page (/compare): two to four runs of one configuration that differ in one
 * setting, trained side by side in lockstep by the server (POST /api/comparisons), each
 * with its output map and network, one loss chart with every run's curves, and a
 * timeline of checkpoints that moves every run at once.
 *
 * The URL hash takes the main page's keys (static/js/state.js): with any of them, the
 * runs start from that configuration and the chosen comparison only adds its variants.
 * The page's own keys: `compare` (the preset), `compareData` (its dataset) and
 * `compareFrom=preset` (the preset's own settings although a link was given); `lang` is
 * the page's language (i18n.js), not a setting.
 *
 * Requests go through api.js's queue (one in flight). The pure helpers are exported for
 * tests/js/compare.test.mjs; the page wires itself only when it finds its <main>.
 */

import { Announcer } from "./announcer.js";
import { Api, ApiError } from "./api.js";
import { sharpContext } from "./canvas.js";
import { cssColor } from "./colors.js";
import { formatLoss } from "./format.js";
import { HeatMap } from "./heatmap.js";
import { LossHistory } from "./history.js";
import { langOfAddress, plural, startPageLanguage, t } from "./i18n.js";
import { MultiLossChart, lossesAt } from "./multichart.js";
import { linkWidth } from "./network.js";
import { choicesOf, classCount, fieldWithControl, normalizeOptions } from "./options.js";
import { namesCustom, readHash, toServerConfig, withoutCustom } from "./state.js";

/** @typedef {import("./options.js").Options} Options */
/** @typedef {import("./options.js").Field} Field */
/** @typedef {Record<string, any>} Json */

/** @param {Record<string, string>} keys  name → catalog key */
const texts = (keys) => Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, t(key)]));

/**
 * Every sentence the page shows, read from the catalogs (static/i18n/<lang>/compare.json,
 * through i18n.js) whenever it is used, so it is in the language chosen. The fixed words
 * of static/compare.html name their keys themselves (data-i18n).
 */
export const TEXT = {
  get title() {
    return t("compare.title");
  },
  get play() {
    return t("compare.play");
  },
  get pause() {
    return t("compare.pause");
  },
  /** @returns {Record<SpeedName, string>} */
  get speeds() {
    return /** @type {Record<SpeedName, string>} */ (texts({ slow: "compare.speeds.slow", normal: "compare.speeds.normal", fast: "compare.speeds.fast" }));
  },
  get chartLabel() {
    return t("compare.chartLabel");
  },
  get chartHint() {
    return t("compare.chartHint");
  },
  readout: (/** @type {number} */ epoch, /** @type {string[]} */ parts) => t("compare.readout", { epoch, runs: parts.join(t("compare.listSep")) }),
  readoutRun: (/** @type {string} */ letter, /** @type {string} */ train, /** @type {string} */ test) => t("compare.readoutRun", { letter, train, test }),
  readoutNone: (/** @type {string} */ letter) => t("compare.readoutNone", { letter }),
  timelineEpoch: (/** @type {number} */ e) => t("compare.timelineEpoch", { epoch: e }),
  get timelineLive() {
    return t("compare.timelineLive");
  },
  timelineReplay: (/** @type {number} */ e) => t("compare.timelineReplay", { epoch: e }),
  get sameSettings() {
    return t("compare.sameSettings");
  },
  get testLoss() {
    return t("compare.testLoss");
  },
  get trainLoss() {
    return t("compare.trainLoss");
  },
  get testAccuracy() {
    return t("compare.testAccuracy");
  },
  get runEpoch() {
    return t("compare.runEpoch");
  },
  runHeading: (/** @type {string} */ letter) => t("compare.runHeading", { letter }),
  network: (/** @type {number[]} */ sizes) =>
    t("compare.network", {
      inputs: sizes[0],
      hidden: sizes.length > 2 ? t("compare.hiddenOf", { sizes: sizes.slice(1, -1).join(", ") }) : t("compare.noHiddenLayer"),
      outputs: plural("compare.outputs", Number(sizes.at(-1))),
    }),
  get noHidden() {
    return t("compare.noHidden");
  },
  fieldValue: (/** @type {string} */ label, /** @type {string} */ value) => t("compare.fieldValue", { label, value }),
  get fromLink() {
    return t("compare.fromLink");
  },
  get customIgnored() {
    return t("compare.customIgnored");
  },
  linkIgnored: (/** @type {string[]} */ parts) => t("compare.linkIgnored", { parts: parts.join(t("compare.listSep")) }),
  status: {
    get loading() {
      return t("compare.status.loading");
    },
    ready: (/** @type {number} */ n) => t("compare.status.ready", { n }),
    epoch: (/** @type {number} */ e, /** @type {string[]} */ parts) => t("compare.status.epoch", { epoch: e, runs: parts.join(t("compare.sentenceSep")) }),
    run: (/** @type {string} */ letter, /** @type {string} */ test) => t("compare.status.run", { letter, test }),
    replay: (/** @type {number} */ e) => t("compare.status.replay", { epoch: e }),
    resumed: (/** @type {number} */ e) => t("compare.status.resumed", { epoch: e }),
    diverged: (/** @type {string} */ letter) => t("compare.status.diverged", { letter }),
  },
  get noAnswer() {
    return t("compare.noAnswer");
  },
  /** @returns {Record<string, string>} */
  get presets() {
    return texts({
      optimizers: "compare.presets.optimizers",
      adam: "compare.presets.adam",
      rates: "compare.presets.rates",
      l2: "compare.presets.l2",
      depth: "compare.presets.depth",
      activation: "compare.presets.activation",
      batch: "compare.presets.batch",
    });
  },
};

/**
 * A comparison offered on the page: the settings it starts from (when no link gives
 * them) and the changes each run makes.
 * @typedef {{name: keyof typeof TEXT.presets, base: Json, variants: Json[]}} Preset
 */
/** @type {Preset[]} */
export const PRESETS = [
  {
    name: "optimizers",
    base: { dataset: "spiral", hidden_layers: [8, 8], learning_rate: 0.03 },
    variants: [{ optimizer: "sgd" }, { optimizer: "momentum" }, { optimizer: "adam" }],
  },
  {
    name: "adam",
    base: { dataset: "spiral", hidden_layers: [8, 8], learning_rate: 0.03 },
    variants: [{ optimizer: "sgd" }, { optimizer: "adam" }],
  },
  {
    name: "rates",
    base: { dataset: "spiral", hidden_layers: [8, 8] },
    variants: [{ learning_rate: 0.3 }, { learning_rate: 0.03 }],
  },
  {
    name: "l2",
    base: { dataset: "spiral", hidden_layers: [8, 8, 8], noise: 20, train_ratio: 30 },
    variants: [{ regularization: "l2", regularization_rate: 0.01 }, { regularization: "none", regularization_rate: 0 }],
  },
  {
    name: "depth",
    base: { dataset: "spiral", learning_rate: 0.03 },
    variants: [{ hidden_layers: [8, 8] }, { hidden_layers: [8, 8, 8, 8, 8, 8] }],
  },
  {
    name: "activation",
    base: { dataset: "spiral", hidden_layers: [8, 8] },
    variants: [{ activation: "tanh" }, { activation: "relu" }],
  },
  {
    name: "batch",
    base: { dataset: "spiral", hidden_layers: [8, 8] },
    variants: [{ batch_size: 1 }, { batch_size: 30 }],
  },
];

/** Each run's colour (chart curves, its chip) and letter: told apart without colour too. */
export const RUN_COLORS = ["#6a3d9a", "#01665e", "#d55e00", "#222222"];
export const LETTERS = ["A", "B", "C", "D"];

/** The page's own hash keys (the rest are the main page's). */
export const OWN_KEYS = { preset: "compare", dataset: "compareData", from: "compareFrom" };

/** Training speeds: epochs per request, a pause between requests, the server time asked. */
const SPEEDS = /** @type {const} */ ({
  slow: { epochs: 1, pauseMs: 200, maxMs: null },
  normal: { epochs: 5, pauseMs: 0, maxMs: null },
  fast: { epochs: "max", pauseMs: 0, maxMs: 60 },
});
/** @typedef {keyof typeof SPEEDS} SpeedName */

const THUMB = 5; // the smallest thumbnails: the page draws none, the frame always has them
const STORAGE_KEY = "neural-playground-compare";

// -- pure helpers ------------------------------------------------------------------------

/**
 * Split a URL hash into the page's own keys and the main page's part (as written).
 * @param {string} hash
 * @returns {{own: Record<string, string>, rest: string}}
 */
export function splitHash(hash) {
  /** @type {Record<string, string>} */
  const own = {};
  const rest = [];
  const names = new Set(Object.values(OWN_KEYS));
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    if (key === "lang") continue; // the language, read by i18n.js
    if (names.has(key)) {
      try {
        own[key] = decodeURIComponent(part.slice(eq + 1));
      } catch {
        own[key] = "";
      }
    } else {
      rest.push(part);
    }
  }
  return { own, rest: rest.join("&") };
}

/**
 * A hash without its `lang` (the same comparison in another language).
 * @param {string} hash
 */
export function withoutLang(hash) {
  return `#${hash
    .replace(/^#/, "")
    .split("&")
    .filter((p) => p && p.split("=")[0] !== "lang")
    .join("&")}`;
}

/**
 * The epochs every list has (the checkpoints all runs share), in order.
 * @param {number[][]} lists
 * @returns {number[]}
 */
export function commonEpochs(lists) {
  if (lists.length === 0) return [];
  const [first, ...others] = lists;
  const sets = others.map((l) => new Set(l));
  return [...new Set(first)].filter((e) => sets.every((s) => s.has(e))).sort((a, b) => a - b);
}

/**
 * The config fields whose values differ between runs, in the table's order.
 * @param {Json[]} configs
 * @param {string[]} names  the fields, in order
 * @returns {string[]}
 */
export function differingFields(configs, names) {
  return names.filter((name) => new Set(configs.map((c) => JSON.stringify(c[name]))).size > 1);
}

/**
 * A config value as a person reads it: a choice's label, layer sizes, feature labels.
 * @param {Field | undefined} field
 * @param {unknown} value
 */
export function valueText(field, value) {
  if (!field) return String(value);
  if (field.kind === "layers" && Array.isArray(value)) return value.length ? value.join(", ") : TEXT.noHidden;
  if (field.kind === "features" && Array.isArray(value)) {
    return value.map((v) => field.choices.find((c) => c.name === v)?.label ?? String(v)).join(", ");
  }
  if (field.kind === "choice") return field.choices.find((c) => c.name === value)?.label ?? String(value);
  return String(value);
}

/**
 * Each run's label: what differs from the other runs ("Optimizer Adam").
 * @param {Json[]} configs
 * @param {Options} o
 * @returns {string[]}
 */
export function runLabels(configs, o) {
  const names = o.fields.filter((f) => f.reset !== "page").map((f) => f.name);
  const differ = differingFields(configs, names);
  return configs.map((c) =>
    differ.length ? differ.map((n) => TEXT.fieldValue(o.field[n]?.label ?? n, valueText(o.field[n], c[n]))).join(" · ") : TEXT.sameSettings,
  );
}

/**
 * The settings all runs share, as [label, value] rows.
 * @param {Json[]} configs
 * @param {Options} o
 * @returns {[string, string][]}
 */
export function sharedRows(configs, o) {
  const names = o.fields.filter((f) => f.reset !== "page").map((f) => f.name);
  const differ = new Set(differingFields(configs, names));
  return names.filter((n) => !differ.has(n) && configs[0] && n in configs[0]).map((n) => [o.field[n]?.label ?? n, valueText(o.field[n], configs[0][n])]);
}

/**
 * The request that starts a comparison.
 * @param {Preset} preset
 * @param {Json | null} linkConfig  the main page's config from the link, if used
 * @param {string | null} dataset   the dataset chosen for the preset's own settings
 * @returns {{config: Json, variants: Json[]}}
 */
export function comparisonRequest(preset, linkConfig, dataset) {
  const config = linkConfig ? { ...linkConfig } : { ...preset.base, ...(dataset ? { dataset } : {}) };
  return { config, variants: preset.variants.map((v) => ({ ...v })) };
}

/**
 * What one chart reading says: every run's losses at an epoch.
 * @param {import("./multichart.js").Series[]} series
 * @param {number} epoch
 */
export function readingOf(series, epoch) {
  const parts = series.map((s, i) => {
    const at = lossesAt(s, epoch);
    const letter = LETTERS[i] ?? String(i + 1);
    return at ? TEXT.readoutRun(letter, formatLoss(at.train), formatLoss(at.test)) : TEXT.readoutNone(letter);
  });
  return TEXT.readout(epoch, parts);
}

/**
 * A small picture of a network: a column of nodes per layer, links whose colour follows
 * the weight (orange negative, blue positive) and whose width grows with |w|.
 * @param {HTMLCanvasElement} canvas
 * @param {number[]} sizes      nodes per layer, inputs first
 * @param {number[][][] | null} weights  weights[l][i][j]: from node i of layer l to node j of l+1
 * @param {number} width   CSS px
 * @param {number} height  CSS px
 */
export function drawSketch(canvas, sizes, weights, width, height) {
  if (width <= 0 || height <= 0 || sizes.length < 2) return;
  const ctx = sharpContext(canvas, width, height);
  const pad = 8;
  const x = (/** @type {number} */ l) => pad + (l * (width - 2 * pad)) / (sizes.length - 1);
  const gap = Math.min(10, (height - 2 * pad) / Math.max(1, Math.max(...sizes) - 1));
  const y = (/** @type {number} */ l, /** @type {number} */ i) => height / 2 + (i - (sizes[l] - 1) / 2) * gap;
  for (let l = 0; l + 1 < sizes.length; l++) {
    for (let i = 0; i < sizes[l]; i++) {
      for (let j = 0; j < sizes[l + 1]; j++) {
        const w = weights?.[l]?.[i]?.[j] ?? 0;
        ctx.strokeStyle = cssColor(Math.max(-1, Math.min(1, w)));
        ctx.lineWidth = Math.max(0.5, linkWidth(w) / 3);
        ctx.beginPath();
        ctx.moveTo(x(l), y(l, i));
        ctx.lineTo(x(l + 1), y(l + 1, j));
        ctx.stroke();
      }
    }
  }
  ctx.fillStyle = "#ffffff";
  ctx.strokeStyle = "#555555";
  ctx.lineWidth = 1;
  sizes.forEach((n, l) => {
    for (let i = 0; i < n; i++) {
      ctx.beginPath();
      ctx.arc(x(l), y(l, i), 3, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  });
}

// -- the page ------------------------------------------------------------------------------

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`compare.html has no #${id}`);
  return el;
}

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
function make(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** One run's card: its heading, output map, network sketch and numbers. */
class RunCard {
  /**
   * @param {HTMLElement} parent
   * @param {number} index
   * @param {number} extent
   */
  constructor(parent, index, extent) {
    this.index = index;
    this.letter = LETTERS[index];
    this.root = make("section", "run");
    this.root.dataset.run = String(index);
    const title = make("h3", "run-title");
    title.id = `run-${index}-title`;
    this.root.setAttribute("aria-labelledby", title.id);
    const chip = make("span", "run-chip");
    chip.style.background = RUN_COLORS[index];
    chip.setAttribute("aria-hidden", "true");
    const letter = make("span", "run-letter", TEXT.runHeading(this.letter));
    this.label = make("span", "run-label");
    title.append(chip, letter, this.label);
    const mapRoot = make("div", "heatmap run-map");
    this.heatmap = new HeatMap(mapRoot, extent);
    this.sketch = /** @type {HTMLCanvasElement} */ (make("canvas", "run-net"));
    this.sketch.setAttribute("role", "img");
    this.sketchWidth = 0;
    new ResizeObserver(([entry]) => {
      this.sketchWidth = entry.contentRect.width;
      this.drawSketch();
    }).observe(this.sketch);
    const numbers = make("dl", "run-numbers");
    /** @type {Record<string, HTMLElement>} */
    this.values = {};
    for (const [key, label] of [
      ["epoch", TEXT.runEpoch],
      ["test", TEXT.testLoss],
      ["train", TEXT.trainLoss],
      ["accuracy", TEXT.testAccuracy],
    ]) {
      const row = make("div");
      row.dataset.value = key;
      const value = make("dd", "", "–");
      row.append(make("dt", "", label), value);
      numbers.append(row);
      this.values[key] = value;
    }
    this.message = make("p", "run-message"); // empty unless the run diverged
    this.root.append(title, mapRoot, this.sketch, numbers, this.message);
    parent.append(this.root);
    /** @type {number[]} */
    this.sizes = [];
    /** @type {number[][][] | null} */
    this.weights = null;
  }

  drawSketch() {
    drawSketch(this.sketch, this.sizes, this.weights, this.sketchWidth, 56);
  }

  /**
   * @param {{label: string, state: Json, frame: Json | null, data: Json | null, showTest: boolean,
   *   features: {name: string, label: string}[], losses: {train: number, test: number} | null, epoch: number}} v
   *   losses/epoch: what to show (a checkpoint's while looking back)
   */
  update(v) {
    if (this.label.textContent !== v.label) this.label.textContent = v.label;
    const config = v.state.config;
    this.heatmap.update({
      frame: v.frame,
      hovered: null,
      enabled: config.features,
      features: v.features,
      lines: false,
      discretize: false,
      train: v.data?.train ?? null,
      test: v.data?.test ?? null,
      showTest: v.showTest,
      classes: classCount(config),
    });
    this.values.epoch.textContent = String(v.epoch);
    this.values.test.textContent = formatLoss(v.losses?.test);
    this.values.train.textContent = formatLoss(v.losses?.train);
    const accuracy = v.state.test_accuracy;
    const accuracyRow = /** @type {HTMLElement} */ (this.values.accuracy.parentElement);
    accuracyRow.hidden = accuracy === null || accuracy === undefined;
    this.values.accuracy.textContent = typeof accuracy === "number" ? `${(100 * accuracy).toFixed(1)} %` : "–";
    const message = v.state.message ?? "";
    if (this.message.textContent !== message) this.message.textContent = message;
    this.root.classList.toggle("diverged", v.state.status === "diverged");
    const sizes = v.state.layer_sizes;
    const weights = v.frame?.weights ?? null;
    if (JSON.stringify(sizes) !== JSON.stringify(this.sizes) || weights !== this.weights) {
      this.sizes = sizes;
      this.weights = weights;
      this.sketch.setAttribute("aria-label", TEXT.network(sizes));
      this.drawSketch();
    }
  }
}

/**
 * `send(item, i)` for each item in turn (one request in flight, as api.js's queue keeps
 * it); the answers in order.
 * @template T, U
 * @param {T[]} items
 * @param {(item: T, index: number) => Promise<U>} send
 * @returns {Promise<U[]>}
 */
export async function inTurn(items, send) {
  const out = [];
  for (let i = 0; i < items.length; i++) out.push(await send(items[i], i));
  return out;
}

/** Resolve at the next animation frame. */
function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class ComparePage {
  /** @param {Options} options @param {Api} api */
  constructor(options, api) {
    this.options = options;
    this.api = api;
    this.main = byId("compare");
    this.datasetField = fieldWithControl(options, "datasets");
    this.features = fieldWithControl(options, "features").choices;
    /** @type {Json | null} {id, config, variants, runs} */
    this.comparison = null;
    /** @type {RunCard[]} */
    this.cards = [];
    /** @type {LossHistory[]} */
    this.histories = [];
    /** @type {(Json | null)[]} the latest frame of each run */
    this.frames = [];
    /** @type {(Json | null)[]} each run's points */
    this.data = [];
    /** @type {string[]} */
    this.labels = [];
    /** @type {number[]} the checkpoint epochs every run has */
    this.checkpoints = [];
    /** @type {Map<number, {train: number, test: number}>[]} each run's checkpoint losses */
    this.checkpointLosses = [];
    /** @type {{epoch: number, frames: Json[]} | null} every run at a checkpoint (looking back) */
    this.replay = null;
    /** @type {number | null} the checkpoint epoch asked for last */
    this.wanted = null;
    this.fetchingReplay = false;
    this.playing = false;
    /** @type {Promise<void> | null} */
    this.loop = null;
    this.renderQueued = false;
    this.announcer = new Announcer((text) => (byId("status").textContent = text), () => performance.now());
    this.chart = new MultiLossChart(byId("multichart"), {
      label: TEXT.chartLabel,
      describe: (epoch) => readingOf(this.series(), epoch),
      onRead: (epoch) => {
        byId("chart-readout").textContent = epoch === null ? TEXT.chartHint : readingOf(this.series(), epoch);
      },
    });
    /** @type {Record<string, string>} the page's own hash keys */
    this.own = {};
    this.link = this.readLink();
  }

  /** The main page's settings in the hash, if there are any, and what was not used. */
  readLink() {
    const { own, rest } = splitHash(location.hash);
    this.own = own;
    if (!rest) return null;
    const reading = readHash(rest, this.options);
    const notes = [];
    let settings = reading.settings;
    if (namesCustom(settings, this.options) || settings.data_link) {
      notes.push(TEXT.customIgnored);
      settings = withoutCustom(settings, this.options);
      delete settings.data_link;
    }
    if (reading.ignored.length) notes.push(TEXT.linkIgnored(reading.ignored.slice(0, 5)));
    return { rest, config: toServerConfig(settings, this.options), notes };
  }

  /** The static text, the setup controls and their handlers. */
  build() {
    /** @type {HTMLAnchorElement} */ (byId("back-link")).href = this.link ? `/#${this.link.rest}` : "/";

    const preset = /** @type {HTMLSelectElement} */ (byId("preset"));
    for (const p of PRESETS) preset.append(new Option(TEXT.presets[p.name], p.name));
    preset.value = PRESETS.some((p) => p.name === this.own[OWN_KEYS.preset]) ? this.own[OWN_KEYS.preset] : PRESETS[0].name;
    const dataset = /** @type {HTMLSelectElement} */ (byId("compare-dataset"));
    for (const c of choicesOf(this.datasetField, "classification").filter((c) => c.name !== "custom")) {
      dataset.append(new Option(c.label, c.name));
    }
    const wantedData = this.own[OWN_KEYS.dataset];
    dataset.value = [...dataset.options].some((o) => o.value === wantedData) ? wantedData : "spiral";
    byId("start-from").hidden = !this.link;
    if (this.link && this.own[OWN_KEYS.from] === "preset") {
      /** @type {HTMLInputElement} */ (document.querySelector("input[name=start-from][value=preset]")).checked = true;
    }
    const syncSetup = () => {
      byId("dataset-field").hidden = this.usesLink();
      byId("setup-note").textContent = this.usesLink() && this.link ? [TEXT.fromLink, ...this.link.notes].join(" ") : "";
    };
    for (const input of document.querySelectorAll("input[name=start-from]")) input.addEventListener("change", syncSetup);
    syncSetup();
    byId("compare-setup").addEventListener("submit", (e) => {
      e.preventDefault();
      this.start();
    });
    byId("compare-error-restart").addEventListener("click", () => this.start());

    const speed = /** @type {HTMLSelectElement} */ (byId("speed"));
    for (const name of /** @type {SpeedName[]} */ (Object.keys(SPEEDS))) speed.append(new Option(TEXT.speeds[name], name));
    speed.value = "normal";
    byId("play-pause").addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    byId("step-button").addEventListener("click", () => this.stepOnce());
    byId("show-test").addEventListener("change", () => this.render());
    const slider = /** @type {HTMLInputElement} */ (byId("timeline-slider"));
    slider.addEventListener("input", () => this.scrub(Number(slider.value)));
    byId("resume-button").addEventListener("click", () => this.resume());
    byId("latest-button").addEventListener("click", () => this.toLatest());
  }

  usesLink() {
    const preset = /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=start-from][value=preset]"));
    return Boolean(this.link) && !preset?.checked;
  }

  /** @returns {Preset} */
  preset() {
    const name = /** @type {HTMLSelectElement} */ (byId("preset")).value;
    return PRESETS.find((p) => p.name === name) ?? PRESETS[0];
  }

  /** The hash that says what this page compares (the link's part kept as written). */
  hashNow() {
    const parts = this.link ? [this.link.rest] : [];
    parts.push(`${OWN_KEYS.preset}=${this.preset().name}`);
    if (!this.usesLink()) parts.push(`${OWN_KEYS.dataset}=${/** @type {HTMLSelectElement} */ (byId("compare-dataset")).value}`);
    if (this.link && !this.usesLink()) parts.push(`${OWN_KEYS.from}=preset`);
    const lang = langOfAddress(location.hash, "");
    if (lang) parts.push(`lang=${encodeURIComponent(lang)}`); // kept at the end: the page's language
    return `#${parts.join("&")}`;
  }

  /** Open the comparison this tab had for this hash, or start one. */
  async open() {
    this.build();
    const stored = this.stored();
    if (stored && withoutLang(stored.hash) === withoutLang(location.hash)) {
      try {
        await this.load(await this.api.enqueue(() => this.api.send("GET", `/api/comparisons/${encodeURIComponent(stored.id)}`)));
        return;
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 404) return this.fail(error);
      }
    }
    await this.start();
  }

  /** @returns {{id: string, hash: string} | null} */
  stored() {
    try {
      const entry = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
      return entry && typeof entry.id === "string" && typeof entry.hash === "string" ? entry : null;
    } catch {
      return null;
    }
  }

  /** A new comparison from the setup form; the previous one is deleted. */
  async start() {
    await this.pause();
    this.hideError();
    this.setState("loading");
    byId("status").textContent = TEXT.status.loading;
    const hash = this.hashNow();
    if (location.hash !== hash) history.replaceState(null, "", hash);
    const old = this.comparison?.id;
    const body = comparisonRequest(this.preset(), this.usesLink() ? this.link?.config ?? null : null, /** @type {HTMLSelectElement} */ (byId("compare-dataset")).value);
    try {
      const created = await this.api.enqueue(async () => {
        if (old) await this.api.send("DELETE", `/api/comparisons/${encodeURIComponent(old)}`).catch(() => {});
        return this.api.send("POST", "/api/comparisons", body);
      });
      await this.load(created);
      byId("status").textContent = TEXT.status.ready(created.runs.length);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Take up a comparison: cards, frames, data, checkpoints.
   * @param {Json} comparison
   */
  async load(comparison) {
    this.comparison = comparison;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ id: comparison.id, hash: location.hash }));
    this.main.dataset.comparison = comparison.id;
    const runs = /** @type {Json[]} */ (comparison.runs);
    const parent = byId("runs");
    for (const card of this.cards) card.root.remove();
    this.cards = runs.map((_, i) => new RunCard(parent, i, this.options.limits.grid_extent));
    parent.dataset.count = String(runs.length);
    this.labels = runLabels(runs.map((r) => r.config), this.options);
    this.histories = runs.map(() => new LossHistory());
    this.replay = null;
    this.frames = runs.map(() => null);
    this.data = await this.api.enqueue(() => inTurn(runs, (r) => this.api.send("GET", `/api/sessions/${r.id}/data`)));
    await this.fetchFrames();
    await this.refreshCheckpoints();
    this.buildLegend();
    this.buildShared();
    this.setState("idle");
    this.render();
  }

  /** Every run's whole frame (its history again from the start). */
  async fetchFrames() {
    const runs = /** @type {Json[]} */ (this.comparison?.runs ?? []);
    const frames = await this.api.enqueue(() =>
      inTurn(runs, (r) => this.api.send("GET", `/api/sessions/${r.id}/frame?since=0&thumb=${THUMB}`)),
    );
    frames.forEach((f, i) => {
      this.frames[i] = f;
      this.histories[i].clear();
      this.histories[i].take(f.history);
    });
  }

  async refreshCheckpoints() {
    const runs = /** @type {Json[]} */ (this.comparison?.runs ?? []);
    const lists = await this.api.enqueue(() =>
      inTurn(runs, (r) => this.api.send("GET", `/api/sessions/${r.id}/checkpoints`)),
    );
    this.checkpointLosses = lists.map(
      (l) => new Map(l.checkpoints.map((/** @type {Json} */ c) => [c.epoch, { train: c.train_loss, test: c.test_loss }])),
    );
    this.checkpoints = commonEpochs(lists.map((l) => l.checkpoints.map((/** @type {Json} */ c) => c.epoch)));
    this.render();
  }

  buildLegend() {
    const legend = byId("chart-legend");
    legend.replaceChildren();
    this.labels.forEach((label, i) => {
      const item = make("li");
      const chip = make("span", "run-chip");
      chip.style.background = RUN_COLORS[i];
      chip.setAttribute("aria-hidden", "true");
      item.append(chip, make("strong", "", LETTERS[i]), document.createTextNode(` ${label}`));
      legend.append(item);
    });
  }

  buildShared() {
    const list = byId("shared-list");
    list.replaceChildren();
    const configs = (this.comparison?.runs ?? []).map((/** @type {Json} */ r) => r.config);
    for (const [label, value] of sharedRows(configs, this.options)) {
      const row = make("div");
      row.append(make("dt", "", label), make("dd", "", value));
      list.append(row);
    }
  }

  /** @param {"loading" | "idle" | "playing"} state */
  setState(state) {
    this.main.dataset.state = state;
    const play = byId("play-pause");
    play.textContent = state === "playing" ? TEXT.pause : TEXT.play;
    play.setAttribute("aria-pressed", String(state === "playing"));
  }

  /** @returns {import("./multichart.js").Series[]} */
  series() {
    return this.histories.map((h, i) => ({ color: RUN_COLORS[i], train: h.train, test: h.test, epochs: h.epochs }));
  }

  /**
   * One step request for every run; the answer's states, frames and histories taken.
   * @param {number} epochs
   * @param {number | null} maxMs
   */
  async step(epochs, maxMs) {
    const c = this.comparison;
    if (!c) return;
    const since = Math.min(...this.histories.map((h) => h.next));
    /** @type {Json} */
    const body = { epochs, frame: true, since, thumb: THUMB };
    if (maxMs !== null) body.max_ms = maxMs;
    const answer = await this.api.enqueue(() => this.api.send("POST", `/api/comparisons/${encodeURIComponent(c.id)}/step`, body));
    c.runs = answer.runs;
    let whole = false;
    answer.runs.forEach((/** @type {Json} */ run, /** @type {number} */ i) => {
      this.frames[i] = run.frame;
      if (!this.histories[i].take(run.frame.history)) whole = true;
    });
    if (whole) await this.fetchFrames();
    this.render();
  }

  async stepOnce() {
    if (!this.comparison || this.main.dataset.state === "loading") return;
    await this.pause();
    this.replay = null;
    try {
      await this.step(1, null);
      await this.refreshCheckpoints();
      this.announce(false);
    } catch (error) {
      this.fail(error);
    }
  }

  async play() {
    if (!this.comparison || this.playing || this.main.dataset.state === "loading") return;
    this.replay = null;
    this.playing = true;
    this.setState("playing");
    this.loop = this.run();
  }

  async run() {
    while (this.playing) {
      const name = /** @type {SpeedName} */ (/** @type {HTMLSelectElement} */ (byId("speed")).value);
      const speed = SPEEDS[name] ?? SPEEDS.normal;
      const epochs = speed.epochs === "max" ? this.options.limits.max_epochs_per_step : speed.epochs;
      try {
        await this.step(epochs, speed.maxMs);
      } catch (error) {
        this.playing = false;
        this.fail(error);
        break;
      }
      this.announce(true);
      const runs = /** @type {Json[]} */ (this.comparison?.runs ?? []);
      if (runs.every((r) => r.status === "diverged")) this.playing = false;
      if (speed.pauseMs) await sleep(speed.pauseMs);
      await nextFrame();
    }
  }

  /** Stop playing; resolves once the last request has been answered. */
  async pause() {
    const wasPlaying = this.playing || this.loop !== null;
    this.playing = false;
    if (this.loop) await this.loop;
    this.loop = null;
    if (!wasPlaying) return;
    this.setState("idle");
    try {
      await this.refreshCheckpoints();
    } catch (error) {
      this.fail(error);
    }
    this.announce(false);
  }

  /** @param {boolean} playing */
  announce(playing) {
    const runs = /** @type {Json[]} */ (this.comparison?.runs ?? []);
    if (!runs.length) return;
    const parts = runs.map((r, i) =>
      r.status === "diverged" ? TEXT.status.diverged(LETTERS[i]) : TEXT.status.run(LETTERS[i], formatLoss(r.test_loss)),
    );
    this.announcer.update(TEXT.status.epoch(runs[0].epoch, parts), playing);
  }

  /**
   * The timeline moved: every run at that checkpoint (the latest: now).
   * @param {number} index
   */
  async scrub(index) {
    await this.pause();
    const epoch = this.checkpoints[index];
    if (epoch === undefined) return;
    const runs = /** @type {Json[]} */ (this.comparison?.runs ?? []);
    if (runs.every((r) => r.epoch === epoch)) {
      this.toLatest();
      return;
    }
    this.wanted = epoch;
    if (this.fetchingReplay) return;
    this.fetchingReplay = true;
    try {
      while (this.wanted !== null && this.wanted !== this.replay?.epoch) {
        const e = this.wanted;
        const frames = await this.api.enqueue(() =>
          inTurn(runs, (r, i) =>
            this.api.send("GET", `/api/sessions/${r.id}/frame?epoch=${e}&thumb=${THUMB}&since=${this.histories[i].next}`),
          ),
        );
        this.replay = { epoch: e, frames };
        this.render();
      }
      if (this.replay) this.announcer.update(TEXT.status.replay(this.replay.epoch), false);
    } catch (error) {
      this.fail(error);
    } finally {
      this.fetchingReplay = false;
    }
  }

  toLatest() {
    this.wanted = null;
    this.replay = null;
    this.render();
  }

  /** Every run back to the checkpoint shown, training on from there. */
  async resume() {
    const replay = this.replay;
    const c = this.comparison;
    if (!replay || !c) return;
    await this.pause();
    try {
      const states = await this.api.enqueue(() =>
        inTurn(/** @type {Json[]} */ (c.runs), (r) => this.api.send("POST", `/api/sessions/${r.id}/restore`, { epoch: replay.epoch })),
      );
      c.runs = states;
      this.replay = null;
      this.wanted = null;
      await this.fetchFrames();
      await this.refreshCheckpoints();
      this.announcer.update(TEXT.status.resumed(replay.epoch), false);
    } catch (error) {
      this.fail(error);
    }
  }

  /** @param {unknown} error */
  fail(error) {
    this.playing = false;
    this.setState("idle");
    const detail = error instanceof ApiError ? (error.status === 0 ? TEXT.noAnswer : error.message) : String(error);
    byId("compare-error-text").textContent = detail;
    byId("compare-error").hidden = false;
    if (!(error instanceof ApiError)) console.error(error);
  }

  hideError() {
    byId("compare-error").hidden = true;
  }

  /** Draw at the next animation frame (once however many changes came before). */
  render() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.draw();
    });
  }

  draw() {
    const runs = /** @type {Json[]} */ (this.comparison?.runs ?? []);
    const replay = this.replay;
    const showTest = /** @type {HTMLInputElement} */ (byId("show-test")).checked;
    runs.forEach((state, i) => {
      const card = this.cards[i];
      if (!card) return;
      const checkpoint = replay ? this.checkpointLosses[i]?.get(replay.epoch) ?? null : null;
      card.update({
        label: this.labels[i] ?? "",
        state,
        frame: replay ? replay.frames[i] : this.frames[i],
        data: this.data[i],
        showTest,
        features: this.features,
        losses: replay ? checkpoint : { train: state.train_loss, test: state.test_loss },
        epoch: replay ? replay.epoch : state.epoch,
      });
    });
    const epoch = replay ? replay.epoch : runs[0]?.epoch ?? 0;
    byId("epoch").textContent = String(epoch);
    this.main.dataset.epoch = String(runs[0]?.epoch ?? 0);
    this.chart.update(this.series(), replay ? replay.epoch : null);

    const slider = /** @type {HTMLInputElement} */ (byId("timeline-slider"));
    const n = this.checkpoints.length;
    slider.max = String(Math.max(0, n - 1));
    slider.disabled = n < 2;
    const at = replay ? this.checkpoints.indexOf(replay.epoch) : n - 1;
    if (at >= 0 && document.activeElement !== slider) slider.value = String(at);
    const shown = this.checkpoints[Number(slider.value)] ?? epoch;
    slider.setAttribute("aria-valuetext", TEXT.timelineEpoch(shown));
    byId("timeline-epoch").textContent = TEXT.timelineEpoch(replay ? replay.epoch : shown);
    /** @type {HTMLButtonElement} */ (byId("resume-button")).disabled = !replay;
    /** @type {HTMLButtonElement} */ (byId("latest-button")).disabled = !replay;
    byId("timeline-note").textContent = replay ? TEXT.timelineReplay(replay.epoch) : TEXT.timelineLive;
    this.main.dataset.replay = replay ? String(replay.epoch) : "";
  }
}

async function main() {
  // The language first: the catalogs hold every word, the server's labels included.
  await startPageLanguage(["page", "compare"], "compare.pageTitle");
  const root = byId("compare");
  const api = new Api({ onBusy: (busy) => root.setAttribute("aria-busy", String(busy)) });
  let options;
  try {
    options = normalizeOptions(await api.options());
  } catch (error) {
    byId("compare-error-text").textContent = error instanceof ApiError && error.status !== 0 ? error.message : TEXT.noAnswer;
    byId("compare-error").hidden = false;
    return;
  }
  const page = new ComparePage(options, api);
  await page.open();
}

if (typeof document !== "undefined" && document.getElementById("compare")) main();
