// @ts-check
/**
 * The controls. FieldControls builds a select, slider or checkbox for every row of the
 * table of fields whose control is one of those (options.js), into the template's slot
 * for it (`data-field="name"`; the slot fixes the order, and a slider's `data-suffix` its
 * unit) or, for a row without a slot, at the end of its container
 * (`data-controls="select"`, …). Controls adds the special ones: dataset buttons, the
 * hidden-layer count, the seed, the play/step/reset buttons, the epoch counter, the losses
 * and the banner. Every change goes to `handlers.change` as a partial settings object;
 * `update` shows the current settings and state.
 */

import { download, sharpContext } from "./canvas.js";
import { classCss, cssColor } from "./colors.js";
import { formatBatch, formatEpoch, formatLoss } from "./format.js";
import { toPixel } from "./grid.js";
import { plural, t } from "./i18n.js";
import { MULTICLASS, choicesOf, fieldWithControl } from "./options.js";
import { lockPlan } from "./room.js";
import { currentChoice, hashKeysOf, parseChoice, parseNumber } from "./state.js";
import { HELP, ROOM } from "./text.js";

/** @typedef {import("./state.js").Settings} Settings */
/** @typedef {import("./options.js").Options} Options */
/** @typedef {import("./options.js").Field} Field */
/** @typedef {Record<string, any>} Json */

/**
 * @typedef {Object} ControlHandlers
 * @property {(change: Partial<Settings>) => void} change
 * @property {() => Settings} current   the settings now (the last drawn ones may be older)
 * @property {() => void} togglePlay
 * @property {() => void} step
 * @property {() => void} stepBatch
 * @property {() => void} reset
 * @property {() => void} regenerate
 * @property {() => Promise<Json | null>} exportModel   the model to save as a file
 * @property {() => Promise<string | null>} exportScript  the session as a Python script
 * @property {(file: File) => void} importModel
 * @property {() => Promise<Blob | null>} savePicture   the map's picture to save as a file
 * @property {() => Promise<Blob | null>} saveView      the whole view's picture
 * @property {() => void} dismiss
 */

/**
 * @typedef {Object} ControlsView
 * @property {Settings} settings
 * @property {Json | null} state
 * @property {boolean} playing
 * @property {string | null} error
 * @property {Record<string, Json> | null} datasetPreviews  data per dataset name
 * @property {Json | null} [data]    the session's data (the thumbnail of a custom dataset)
 * @property {Set<string>} [locked]   fields the teacher locked (in a class)
 * @property {boolean} [inRoom]       a student's page in a class: no model is loaded
 * @property {boolean} [ended]        the class has ended: nothing can be pressed
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
 * @param {string} tag
 * @param {Record<string, string>} [props]
 * @param {(Node | string)[]} [children]
 * @returns {any}
 */
function make(tag, props = {}, children = []) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  el.append(...children);
  return el;
}

/**
 * A field's text in a control → its value, or undefined when the field does not allow it.
 * @param {Field} f
 * @param {string} text
 * @returns {string | number | undefined}
 */
function parseControl(f, text) {
  return f.kind === "choice" ? parseChoice(f, text) : parseNumber(f, text);
}

/**
 * One generic control: the element that holds the value, and how it shows a setting.
 * @typedef {Object} FieldControl
 * @property {Field} field
 * @property {HTMLSelectElement | HTMLInputElement} input
 * @property {(value: any) => void} show
 * @property {HTMLElement} slot
 * @property {boolean} [locked]  shown as locked by the teacher
 */

/**
 * Show a control as locked by the teacher (disabled, a lock mark, the reason as its
 * tooltip), or as free again.
 * @param {FieldControl} c
 * @param {boolean} locked
 */
function showLocked(c, locked) {
  if (Boolean(c.locked) === locked) return;
  c.locked = locked;
  c.input.disabled = locked;
  c.slot.classList.toggle("locked", locked);
  c.slot.title = locked ? ROOM.locked : HELP.of(c.field.name);
  c.slot.querySelector(".lock-mark")?.remove();
  // After the field's name (a checkbox's name is the slot's own text).
  const named = c.field.control === "checkbox" ? c.slot : c.slot.children[0];
  if (locked) named.append(lockMark());
}

/**
 * Why an element cannot be used, as its tooltip; "" gives it back its own tooltip.
 * @param {HTMLElement} el
 * @param {string} why
 */
function reason(el, why) {
  const own = el.dataset.ownTitle;
  if (why) {
    if (own === undefined) el.dataset.ownTitle = el.title;
    el.title = why;
  } else if (own !== undefined) {
    el.title = own;
    delete el.dataset.ownTitle;
  }
}

/** A small padlock (drawn by CSS), with the reason for screen readers. */
export function lockMark() {
  const mark = make("span", { className: "lock-mark" });
  mark.append(make("span", { className: "visually-hidden", textContent: ` ${ROOM.locked}` }));
  return mark;
}

/** The selects, sliders and checkboxes of the table of fields. */
export class FieldControls {
  /**
   * @param {ParentNode} root   where the slots and containers are (the document)
   * @param {Field[]} fields
   * @param {(change: Partial<Settings>) => void} change
   */
  constructor(root, fields, change) {
    this.root = root;
    this.change = change;
    /** @type {FieldControl[]} */
    this.controls = [];
    for (const f of fields) {
      if (!f.control_id) continue;
      if (f.control === "select") this.controls.push(this.select(f));
      else if (f.control === "slider") this.controls.push(this.slider(f));
      else if (f.control === "checkbox") this.controls.push(this.checkbox(f));
    }
  }

  /**
   * The template's slot of a field, or a new one at the end of its kind's container.
   * @param {Field} f
   * @param {string} tag
   * @param {string} className
   * @returns {any}
   */
  slot(f, tag, className) {
    /** @type {any} */
    let slot = this.root.querySelector(`[data-field="${f.name}"]`);
    if (!slot) {
      slot = make(tag, { className });
      slot.dataset.field = f.name;
      this.root.querySelector(`[data-controls="${f.control}"]`)?.append(slot);
    }
    // Its tooltip, and the hash keys whose `<key>_hide=true` hides it.
    slot.dataset.hideKey = hashKeysOf(f).join(" ");
    if (HELP.of(f.name)) slot.title = HELP.of(f.name);
    return slot;
  }

  /**
   * A select of the field's choices or steps; a number field without steps gets a
   * bounded number input instead.
   * @param {Field} f
   * @returns {FieldControl}
   */
  select(f) {
    const id = /** @type {string} */ (f.control_id);
    const items =
      f.kind === "choice"
        ? f.choices.map((c) => ({ value: c.name, label: c.label }))
        : f.steps.map((v) => ({ value: String(v), label: String(v) }));
    /** @type {HTMLSelectElement | HTMLInputElement} */
    let input;
    if (f.kind === "choice" || f.steps.length > 0) {
      input = make("select", { id }, items.map(({ value, label }) => make("option", { value, textContent: label })));
    } else {
      const bounds = { min: String(f.min ?? ""), max: String(f.max ?? "") };
      input = make("input", { id, type: "number", step: String(f.step ?? "any"), ...bounds });
    }
    const slot = this.slot(f, "label", "field");
    slot.replaceChildren(make("span", { textContent: f.label }), input);
    input.addEventListener("change", () => {
      const value = parseControl(f, input.value);
      if (value !== undefined) this.change({ [f.name]: value });
    });
    return {
      field: f,
      input,
      slot,
      show: (value) => {
        const text = String(value);
        const typing = input.tagName === "INPUT" && document.activeElement === input;
        if (input.value !== text && !typing) input.value = text;
      },
    };
  }

  /**
   * A range input with the field's bounds and increment, and its value in the label.
   * @param {Field} f
   * @returns {FieldControl}
   */
  slider(f) {
    const id = /** @type {string} */ (f.control_id);
    const slot = this.slot(f, "div", "slider");
    const suffix = slot.dataset.suffix ?? "";
    const output = make("output", { id: `${id}-value`, htmlFor: id });
    const input = make("input", { id, type: "range", min: String(f.min), max: String(f.max), step: String(f.step ?? "any") });
    slot.replaceChildren(make("label", { htmlFor: id }, [`${f.label}: `, output]), input);
    const send = () => {
      const value = parseControl(f, input.value);
      output.textContent = `${input.value}${suffix}`;
      if (value !== undefined) this.change({ [f.name]: value });
    };
    input.addEventListener("input", send);
    input.addEventListener("change", send);
    return {
      field: f,
      input,
      slot,
      show: (value) => {
        if (Number(input.value) !== value) input.value = String(value);
        output.textContent = `${value}${suffix}`;
      },
    };
  }

  /**
   * A checkbox for a setting that is on or off.
   * @param {Field} f
   * @returns {FieldControl}
   */
  checkbox(f) {
    const input = make("input", { id: String(f.control_id), type: "checkbox" });
    const slot = this.slot(f, "label", "");
    slot.replaceChildren(input, ` ${f.label}`);
    input.addEventListener("change", () => this.change({ [f.name]: input.checked }));
    return { field: f, input, slot, show: (value) => (input.checked = Boolean(value)) };
  }

  /**
   * @param {Settings} settings
   * @param {Set<string>} [locked]  fields the teacher locked: their controls are disabled
   */
  update(settings, locked = new Set()) {
    for (const c of this.controls) {
      c.show(settings[c.field.name]);
      showLocked(c, locked.has(c.field.name));
    }
  }
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
    this.batch = byId("iter-batch");
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
    this.regenerate = byId("data-regen-button");
    this.importButton = byId("import-model");
    this.intro = byId("intro");
    /** The lock plan last shown (its kinds), to touch the special controls only on a change. */
    this.lockKey = "";
    this.datasetField = fieldWithControl(options, "datasets");
    this.layersField = fieldWithControl(options, "layers");
    this.datasets.dataset.hideKey = hashKeysOf(this.datasetField).join(" ");
    this.seed.parentElement.dataset.hideKey = hashKeysOf(fieldWithControl(options, "seed")).join(" ");
    /** @type {Map<string, {button: HTMLButtonElement, canvas: HTMLCanvasElement, drawn: Json | null}>} */
    this.datasetButtons = new Map();
    this.datasetProblem = "";
    /** The choice for every problem (custom data) whose button is shown, or "". */
    this.sharedShown = "";
    /** Elements shown for one problem only (`data-problem="multiclass"`: the classes slider). */
    this.problemOnly = /** @type {HTMLElement[]} */ ([...document.querySelectorAll("[data-problem]")]);
    /** @type {Settings | null} */
    this.settings = null;
    this.epochShown = 0;
    this.fields = new FieldControls(document, options.fields, (change) => this.h.change(change));
    this.bindButtons();
  }

  /** The most hidden layers the server allows. */
  get maxLayers() {
    return Number(this.layersField.max_length);
  }

  bindButtons() {
    this.play.addEventListener("click", () => this.h.togglePlay());
    byId("next-step-button").addEventListener("click", () => this.h.step());
    byId("batch-step-button").addEventListener("click", () => this.h.stepBatch());
    byId("reset-button").addEventListener("click", () => this.h.reset());
    this.regenerate.addEventListener("click", () => this.h.regenerate());
    this.bannerReset.addEventListener("click", () => this.h.reset());
    byId("banner-close").addEventListener("click", () => this.h.dismiss());
    byId("export-model").addEventListener("click", async () => {
      const model = await this.h.exportModel();
      const name = `neural-playground-epoch-${this.epochShown}.json`;
      if (model) download(new Blob([JSON.stringify(model)], { type: "application/json" }), name);
    });
    byId("export-script").addEventListener("click", async () => {
      const text = await this.h.exportScript();
      if (text) download(new Blob([text], { type: "text/x-python" }), "neural-playground.py");
    });
    // The compare page starts from this page's settings: its link carries this hash.
    byId("compare-link").addEventListener("click", (/** @type {Event} */ event) => {
      /** @type {HTMLAnchorElement} */ (event.currentTarget).href = `/compare${location.hash}`;
    });
    byId("save-png").addEventListener("click", async () => {
      const blob = await this.h.savePicture();
      if (blob) download(blob, `neural-playground-map-epoch-${this.epochShown}.png`);
    });
    byId("save-view").addEventListener("click", async () => {
      const blob = await this.h.saveView();
      if (blob) download(blob, `neural-playground-epoch-${this.epochShown}.png`);
    });
    const file = byId("model-file");
    this.importButton.addEventListener("click", () => file.click());
    file.addEventListener("change", () => {
      if (file.files?.[0]) this.h.importModel(file.files[0]);
      file.value = "";
    });
    const name = this.layersField.name;
    this.addLayer.addEventListener("click", () => {
      const layers = this.h.current()[name] ?? [];
      if (layers.length < this.maxLayers) this.h.change({ [name]: [...layers, 2] });
    });
    this.removeLayer.addEventListener("click", () => {
      const layers = this.h.current()[name] ?? [];
      if (layers.length > 0) this.h.change({ [name]: layers.slice(0, -1) });
    });
  }

  /**
   * The dataset buttons of a problem (rebuilt when the problem changes), and the button
   * of a choice for every problem (custom data) while it is the current one.
   * @param {string} problem
   * @param {string} shared  that choice, or ""
   */
  buildDatasets(problem, shared) {
    this.datasetProblem = problem;
    this.sharedShown = shared;
    this.datasetButtons.clear();
    const field = this.datasetField;
    const own = choicesOf(field, problem);
    const extra = field.choices.filter((c) => c.problem === null && c.name === shared);
    const buttons = [...own, ...extra].map((d) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dataset";
      button.setAttribute("aria-label", t("page.dataset", { name: d.label }));
      button.title = d.label;
      const canvas = document.createElement("canvas");
      canvas.setAttribute("aria-hidden", "true");
      const label = document.createElement("span");
      label.textContent = d.label;
      button.append(canvas, label);
      button.addEventListener("click", () => {
        this.h.change({ [field.name]: { ...this.h.current()[field.name], [problem]: d.name } });
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
    const plan = lockPlan(view.locked ?? [], this.options);
    this.fields.update(s, plan.fields);

    this.play.classList.toggle("playing", view.playing);
    this.play.setAttribute("aria-label", t(view.playing ? "page.pause" : "page.play"));
    this.play.title = t(view.playing ? "page.pauseKey" : "page.playKey");

    const n = s.hidden_layers.length;
    this.numLayers.textContent = String(n);
    this.layersLabel.textContent = plural("page.hiddenLayers", n);
    const layersLocked = plan.kinds.has("layers");
    this.addLayer.disabled = n >= this.maxLayers || layersLocked;
    this.removeLayer.disabled = n === 0 || layersLocked;
    this.intro.hidden = s.hide_text;

    const state = view.state;
    if (state) {
      this.epochShown = state.epoch;
      this.epoch.textContent = formatEpoch(state.epoch);
      this.batch.textContent = formatBatch(state.batch, state.batches_per_epoch);
      this.lossTrain.textContent = formatLoss(state.train_loss);
      this.lossTest.textContent = formatLoss(state.test_loss);
      this.accuracy.textContent =
        state.train_accuracy === null || state.train_accuracy === undefined
          ? ""
          : t("page.accuracy", { train: (100 * state.train_accuracy).toFixed(1), test: (100 * state.test_accuracy).toFixed(1) });
      this.seed.textContent = s.seed ?? String(state.config.seed);
    }

    for (const el of this.problemOnly) el.hidden = el.dataset.problem !== s.problem;
    this.updateLocks(plan.kinds, view);
    this.updateDatasets(view, plan.kinds.has("datasets"));
    this.updateBanner(view);
  }

  /**
   * The special controls of locked fields (layers, seed) and the model import in a class.
   * @param {Set<string>} kinds  the control kinds of the locked fields
   * @param {ControlsView} view
   */
  updateLocks(kinds, view) {
    const key = JSON.stringify([[...kinds].sort(), Boolean(view.inRoom), Boolean(view.ended)]);
    if (key === this.lockKey) return;
    this.lockKey = key;
    const layers = /** @type {HTMLElement} */ (this.numLayers.closest(".layers-control"));
    layers.classList.toggle("locked", kinds.has("layers"));
    reason(layers, kinds.has("layers") ? ROOM.locked : "");
    layers.querySelector(".lock-mark")?.remove();
    if (kinds.has("layers")) layers.append(lockMark());
    this.regenerate.disabled = kinds.has("seed") || Boolean(view.ended);
    reason(this.regenerate, kinds.has("seed") ? ROOM.locked : "");
    this.regenerate.classList.toggle("locked", kinds.has("seed"));
    this.datasets.classList.toggle("locked", kinds.has("datasets"));
    reason(this.datasets, kinds.has("datasets") ? ROOM.locked : "");
    this.importButton.disabled = Boolean(view.inRoom);
    reason(this.importButton, view.inRoom ? ROOM.noNewSession : "");
    for (const id of ["play-pause-button", "next-step-button", "batch-step-button", "reset-button"]) {
      byId(id).disabled = Boolean(view.ended);
    }
  }

  /**
   * @param {ControlsView} view
   * @param {boolean} locked  the teacher locked the dataset
   */
  updateDatasets(view, locked) {
    const s = view.settings;
    const current = currentChoice(s, this.datasetField.name);
    const shared = this.datasetField.choices.some((c) => c.problem === null && c.name === current) ? current : "";
    if (s.problem !== this.datasetProblem || shared !== this.sharedShown) this.buildDatasets(s.problem, shared);
    const classes = s.problem === MULTICLASS;
    for (const [name, entry] of this.datasetButtons) {
      const selected = name === current;
      entry.button.classList.toggle("selected", selected);
      entry.button.setAttribute("aria-pressed", String(selected));
      entry.button.disabled = locked;
      // Custom data: its thumbnail is the session's data.
      // A multi-class dataset's picture depends on the number of classes (previewKey).
      const previews = view.datasetPreviews;
      const data = name === shared ? view.data : (previews?.[previewKey(name, s.classes)] ?? previews?.[name]);
      if (data && entry.drawn !== data) {
        drawDataset(entry.canvas, data, this.options.limits.grid_extent, classes);
        entry.drawn = data;
      }
    }
  }

  /** @param {ControlsView} view */
  updateBanner(view) {
    const diverged = view.state?.status === "diverged";
    const text = diverged ? view.state?.message ?? t("page.diverged") : view.error;
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
 * @param {number} extent  the square shown is [−extent, extent]²
 * @param {boolean} classes  the labels are classes 0 … K−1
 */
function drawDataset(canvas, data, extent, classes) {
  const color = classes ? classCss : cssColor;
  const size = canvas.clientWidth || 48;
  const ctx = sharpContext(canvas, size, size);
  for (const part of [data.train, data.test]) {
    part.points.forEach((/** @type {number[]} */ [x, y], /** @type {number} */ i) => {
      const [px, py] = toPixel(x, y, size, size, extent);
      ctx.fillStyle = color(part.labels[i]);
      ctx.fillRect(px - 1, py - 1, 2, 2);
    });
  }
}

/**
 * The key of a dataset's preview: its name, and for a multi-class dataset with other than
 * the default number of classes, "name/K" (api.js previews() fetches those too).
 * @param {string} name
 * @param {unknown} classes
 */
export function previewKey(name, classes) {
  return typeof classes === "number" ? `${name}/${classes}` : name;
}
