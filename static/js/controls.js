// @ts-check
/**
 * The controls: selects and sliders built from GET /api/options, dataset buttons, the
 * play/step/reset buttons, the epoch counter, the losses, the banner. Every change goes
 * to `handlers.change` as a partial settings object; `update` shows the current settings
 * and state.
 */

import { sharpContext } from "./canvas.js";
import { cssColor } from "./colors.js";
import { toPixel } from "./grid.js";
import { SPEEDS } from "./state.js";

/** @typedef {import("./state.js").Settings} Settings */
/** @typedef {import("./options.js").Options} Options */
/** @typedef {import("./options.js").Choice} Choice */
/** @typedef {Record<string, any>} Json */

/**
 * @typedef {Object} ControlHandlers
 * @property {(change: Partial<Settings>) => void} change
 * @property {() => void} togglePlay
 * @property {() => void} step
 * @property {() => void} reset
 * @property {() => void} regenerate
 * @property {() => void} exportModel
 * @property {(file: File) => void} importModel
 * @property {() => void} savePicture
 * @property {() => void} dismiss
 */

/**
 * @typedef {Object} ControlsView
 * @property {Settings} settings
 * @property {Json | null} state
 * @property {boolean} playing
 * @property {string | null} error
 * @property {Record<string, Json> | null} datasetPreviews  data per dataset name
 */

/**
 * @param {string} id
 * @returns {any}
 */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

/**
 * Fill a select with choices.
 * @param {HTMLSelectElement} select
 * @param {{value: string, label: string}[]} items
 */
function fill(select, items) {
  select.replaceChildren(
    ...items.map(({ value, label }) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      return option;
    }),
  );
}

/** @param {Choice[]} choices */
const named = (choices) => choices.map((c) => ({ value: c.name, label: c.label }));
/** @param {number[]} values */
const numeric = (values) => values.map((v) => ({ value: String(v), label: String(v) }));

/**
 * The epoch as the reference shows it: zero-padded to six digits, with commas.
 * @param {number} n
 */
export function formatEpoch(n) {
  const text = n < 1e6 ? String(n).padStart(6, "0") : String(n);
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export class Controls {
  /**
   * @param {Options} options
   * @param {ControlHandlers} handlers
   */
  constructor(options, handlers) {
    this.options = options;
    this.h = handlers;
    this.play = byId("play-pause-button");
    this.epoch = byId("iter-number");
    this.lossTrain = byId("loss-train");
    this.lossTest = byId("loss-test");
    this.accuracy = byId("accuracy");
    this.banner = byId("banner");
    this.bannerText = byId("banner-text");
    this.bannerReset = byId("banner-reset");
    this.numLayers = byId("num-layers");
    this.layersLabel = byId("layers-label");
    this.addLayer = byId("add-layers");
    this.removeLayer = byId("remove-layers");
    this.datasets = byId("datasets");
    this.seed = byId("seed-value");
    this.intro = byId("intro");
    /** @type {Map<string, {button: HTMLButtonElement, canvas: HTMLCanvasElement, drawn: Json | null}>} */
    this.datasetButtons = new Map();
    this.datasetProblem = "";
    /** @type {Settings | null} */
    this.settings = null;
    /** @type {[HTMLSelectElement | HTMLInputElement, keyof Settings, (v: string) => any][]} */
    this.fields = [];
    /** @type {[HTMLInputElement, HTMLOutputElement, keyof Settings, (v: number) => string][]} */
    this.sliders = [];
    /** @type {[HTMLInputElement, keyof Settings][]} */
    this.checks = [];

    this.buildSelects();
    this.buildSliders();
    this.bindButtons();
  }

  buildSelects() {
    const o = this.options;
    /** @type {[string, keyof Settings, {value: string, label: string}[], (v: string) => any][]} */
    const selects = [
      ["learningRate", "learningRate", numeric(o.learningRates), Number],
      ["activations", "activation", named(o.activations), String],
      ["regularizations", "regularization", named(o.regularizations), String],
      ["regularRate", "regularizationRate", numeric(o.regularizationRates), Number],
      ["problem", "problem", named(o.problems), String],
      ["optimizer", "optimizer", named(o.optimizers), String],
      ["init", "init", named(o.inits), String],
      ["speed", "speed", SPEEDS.map((s) => ({ value: s.name, label: s.label })), String],
    ];
    for (const [id, field, items, parse] of selects) {
      const select = byId(id);
      fill(select, items);
      this.bind(select, field, parse);
    }
    // Decay and dropout: the server's lists when it gives them, else a bounded number field.
    this.numberChoice("decay", "decay", o.decays, { min: 0, max: 1e6, step: "any" });
    const dropoutMax = Number(o.limits.dropout?.[1] ?? 1);
    this.numberChoice("dropout", "dropout", o.dropouts, { min: 0, max: dropoutMax - 0.01, step: 0.05 });
  }

  /**
   * @param {string} id
   * @param {keyof Settings} field
   * @param {number[] | null} values
   * @param {{min: number, max: number, step: number | string}} bounds
   */
  numberChoice(id, field, values, bounds) {
    const select = byId(id);
    if (values) {
      fill(select, numeric(values));
      this.bind(select, field, Number);
      return;
    }
    const input = document.createElement("input");
    input.type = "number";
    input.id = id;
    input.min = String(bounds.min);
    input.max = String(bounds.max);
    input.step = String(bounds.step);
    select.replaceWith(input);
    this.bind(input, field, (v) => {
      const n = Number(v);
      return Number.isFinite(n) && n >= bounds.min && n <= bounds.max ? n : undefined;
    });
  }

  /**
   * @param {HTMLSelectElement | HTMLInputElement} el
   * @param {keyof Settings} field
   * @param {(v: string) => any} parse
   */
  bind(el, field, parse) {
    this.fields.push([el, field, parse]);
    el.addEventListener("change", () => {
      const value = parse(el.value);
      if (value !== undefined) this.h.change({ [field]: value });
    });
  }

  buildSliders() {
    const limits = this.options.limits;
    /** @type {[string, keyof Settings, number[], number, (v: number) => string][]} */
    const sliders = [
      ["percTrainData", "trainRatio", limits.train_ratio ?? [10, 90], 10, (v) => `${v}%`],
      ["noise", "noise", limits.noise ?? [0, 50], 5, String],
      ["batchSize", "batchSize", limits.batch_size ?? [1, 30], 1, String],
    ];
    for (const [id, field, [min, max], step, show] of sliders) {
      const input = byId(id);
      const output = byId(`${id}-value`);
      input.min = String(min);
      input.max = String(max);
      input.step = String(step);
      const send = () => {
        output.textContent = show(Number(input.value));
        this.h.change({ [field]: Number(input.value) });
      };
      input.addEventListener("input", send);
      input.addEventListener("change", send);
      this.sliders.push([input, output, field, show]);
    }
    /** @type {[string, keyof Settings][]} */
    const checks = [
      ["show-test-data", "showTestData"],
      ["discretize", "discretize"],
      ["first-layer-lines", "lines"],
    ];
    this.checks = checks.map(([id, field]) => {
      const box = /** @type {HTMLInputElement} */ (byId(id));
      box.addEventListener("change", () => this.h.change({ [field]: box.checked }));
      return /** @type {[HTMLInputElement, keyof Settings]} */ ([box, field]);
    });
  }

  bindButtons() {
    this.play.addEventListener("click", () => this.h.togglePlay());
    byId("next-step-button").addEventListener("click", () => this.h.step());
    byId("reset-button").addEventListener("click", () => this.h.reset());
    byId("data-regen-button").addEventListener("click", () => this.h.regenerate());
    this.bannerReset.addEventListener("click", () => this.h.reset());
    byId("banner-close").addEventListener("click", () => this.h.dismiss());
    byId("export-model").addEventListener("click", () => this.h.exportModel());
    byId("save-png").addEventListener("click", () => this.h.savePicture());
    const file = byId("model-file");
    byId("import-model").addEventListener("click", () => file.click());
    file.addEventListener("change", () => {
      if (file.files?.[0]) this.h.importModel(file.files[0]);
      file.value = "";
    });
    const maxLayers = Number(this.options.limits.max_hidden_layers ?? 6);
    this.addLayer.addEventListener("click", () => {
      const layers = this.settings?.hiddenLayers ?? [];
      if (layers.length < maxLayers) this.h.change({ hiddenLayers: [...layers, 2] });
    });
    this.removeLayer.addEventListener("click", () => {
      const layers = this.settings?.hiddenLayers ?? [];
      if (layers.length > 0) this.h.change({ hiddenLayers: layers.slice(0, -1) });
    });
  }

  /**
   * The dataset buttons of a problem (rebuilt when the problem changes).
   * @param {string} problem
   */
  buildDatasets(problem) {
    this.datasetProblem = problem;
    this.datasetButtons.clear();
    const buttons = (this.options.datasets[problem] ?? []).map((d) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dataset";
      button.setAttribute("aria-label", `Dataset ${d.label}`);
      button.title = d.label;
      const canvas = document.createElement("canvas");
      canvas.setAttribute("aria-hidden", "true");
      const label = document.createElement("span");
      label.textContent = d.label;
      button.append(canvas, label);
      button.addEventListener("click", () => {
        this.h.change(problem === "regression" ? { regDataset: d.name } : { dataset: d.name });
      });
      this.datasetButtons.set(d.name, { button, canvas, drawn: null });
      return button;
    });
    this.datasets.replaceChildren(...buttons);
  }

  /** @param {ControlsView} view */
  update(view) {
    const s = view.settings;
    this.settings = s;
    for (const [el, field] of this.fields) {
      const value = String(s[field]);
      const typing = el instanceof HTMLInputElement && document.activeElement === el;
      if (el.value !== value && !typing) el.value = value;
    }
    for (const [input, output, field, show] of this.sliders) {
      const value = Number(s[field]);
      if (Number(input.value) !== value) input.value = String(value);
      output.textContent = show(value);
    }
    for (const [box, field] of this.checks) box.checked = Boolean(s[field]);

    this.play.classList.toggle("playing", view.playing);
    this.play.setAttribute("aria-label", view.playing ? "Pause" : "Play");
    this.play.title = view.playing ? "Pause (Space)" : "Play (Space)";

    const n = s.hiddenLayers.length;
    this.numLayers.textContent = String(n);
    this.layersLabel.textContent = n === 1 ? "hidden layer" : "hidden layers";
    this.addLayer.disabled = n >= Number(this.options.limits.max_hidden_layers ?? 6);
    this.removeLayer.disabled = n === 0;
    this.intro.hidden = s.hideText;

    const state = view.state;
    if (state) {
      this.epoch.textContent = formatEpoch(state.epoch);
      this.lossTrain.textContent = state.train_loss.toFixed(3);
      this.lossTest.textContent = state.test_loss.toFixed(3);
      this.accuracy.textContent =
        state.train_accuracy === null || state.train_accuracy === undefined
          ? ""
          : `Accuracy: training ${(100 * state.train_accuracy).toFixed(1)} %, test ${(100 * state.test_accuracy).toFixed(1)} %`;
      this.seed.textContent = s.seed ?? String(state.config.seed);
    }

    this.updateDatasets(view);
    this.updateBanner(view);
  }

  /** @param {ControlsView} view */
  updateDatasets(view) {
    const s = view.settings;
    if (s.problem !== this.datasetProblem) this.buildDatasets(s.problem);
    const current = s.problem === "regression" ? s.regDataset : s.dataset;
    for (const [name, entry] of this.datasetButtons) {
      const selected = name === current;
      entry.button.classList.toggle("selected", selected);
      entry.button.setAttribute("aria-pressed", String(selected));
      const data = view.datasetPreviews?.[name];
      if (data && entry.drawn !== data) {
        drawDataset(entry.canvas, data);
        entry.drawn = data;
      }
    }
  }

  /** @param {ControlsView} view */
  updateBanner(view) {
    const diverged = view.state?.status === "diverged";
    const text = diverged ? view.state?.message ?? "Training diverged. Lower the learning rate and reset." : view.error;
    this.banner.hidden = !text;
    this.banner.classList.toggle("diverged", diverged);
    this.bannerReset.hidden = !diverged;
    if (text && this.bannerText.textContent !== text) this.bannerText.textContent = text;
  }
}

/**
 * A dataset thumbnail: its points, coloured by label, y up.
 * @param {HTMLCanvasElement} canvas
 * @param {Json} data  {train: {points, labels}, test: {points, labels}}
 */
function drawDataset(canvas, data) {
  const size = canvas.clientWidth || 48;
  const ctx = sharpContext(canvas, size, size);
  for (const part of [data.train, data.test]) {
    part.points.forEach((/** @type {number[]} */ [x, y], /** @type {number} */ i) => {
      const [px, py] = toPixel(x, y, size, size);
      ctx.fillStyle = cssColor(part.labels[i]);
      ctx.fillRect(px - 1, py - 1, 2, 2);
    });
  }
}
