// @ts-check
/**
 * The network diagram: input features (click to toggle), hidden neurons and the output,
 * each with a thumbnail of its own output; links whose width grows with |w| and whose
 * colour follows the weight; each neuron's bias as a small square.
 *
 * Hovering (or focusing) a link or a bias shows its value, kept up to date while training;
 * clicking (or Enter) opens a small editor that stays open until confirmed or cancelled.
 * The whole diagram is one tab stop: arrow keys move between its items.
 */

import { paintClassMap, paintMap } from "./canvas.js";
import { CLASS_COLORS, cssColor } from "./colors.js";
import { besides } from "./place.js";
import { plural, t } from "./i18n.js";
import { HELP } from "./text.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE = 36;
const ROW = 46;
const HEADER = 44;
const LABEL = 58;
const BIAS = 9;
/** The least distance between two columns: room for "8 neurons" and the +/− buttons. */
const MIN_COLUMN = 60;

/** @typedef {import("./options.js").Choice} Choice */
/** @typedef {Record<string, any>} Json */

/**
 * @typedef {Object} DiagramView
 * @property {Choice[]} features          all features
 * @property {string[]} enabled           enabled features, in order
 * @property {number[]} hidden            neurons per hidden layer
 * @property {{features: string[], hidden: number[]}} chosen  the settings (may be ahead of the drawing)
 * @property {Json | null} frame
 * @property {boolean} discretize
 * @property {Record<string, string> | null} featureThumbs  thumbnails of all features (by name)
 * @property {string[] | null} [lineColors]  the first hidden layer's decision-line colours, when shown
 * @property {number} [outputs]           output neurons: K for a multi-class problem (else 1)
 * @property {Overlay | null} [overlay]   numbers drawn over the diagram (explain a point); absent: the plain diagram
 */

/**
 * Something picked on the diagram while an overlay is shown: a link, a bias square or a
 * node (layer 0 = the enabled inputs … the output).
 * @typedef {{kind: "weight", layer: number, source: number, target: number}
 *          | {kind: "bias", layer: number, neuron: number}
 *          | {kind: "node", layer: number, index: number}} Pick
 */

/**
 * What is drawn over the diagram (static/js/explain-point.js). While it is shown, a click
 * (or Enter) on a link, a bias, a neuron or a feature picks it (nothing is edited or
 * toggled) and hovering a link or a bias shows `describe`'s text.
 * @typedef {Object} Overlay
 * @property {number} gap                 extra px between rows (room for the labels)
 * @property {string[][][] | null} labels  per layer (0 = enabled inputs … output), per node: lines shown under it
 * @property {{color: string, width: number}[][][] | null} links  by weight layer, source, target; null: by weight as usual
 * @property {string | null} selected     the picked item: "w:l,i,j", "b:l,j" or "n:l,j"
 * @property {(pick: Pick) => void} onPick
 * @property {(pick: Pick) => string} describe  the hover text of a link or a bias
 */

/**
 * @typedef {Object} NetworkHandlers
 * @property {(neuron: [number, number] | null) => void} onHoverNeuron
 * @property {() => {features: string[], hidden: number[]}} chosen  the settings now (the drawn ones may be older)
 * @property {(features: string[]) => void} onFeatures       the features to enable (never none)
 * @property {(hidden: number[]) => void} onHidden           neurons per hidden layer, within bounds
 * @property {(layer: number, source: number, target: number, value: number) => void} onEditWeight
 * @property {(layer: number, neuron: number, value: number) => void} onEditBias  layer: 1 … output
 */

/**
 * @typedef {{kind: "weight", layer: number, source: number, target: number}
 *          | {kind: "bias", layer: number, neuron: number}} Target
 */

/** Link width as the reference: 1 px at 0 to 10 px at |w| ≥ 5. */
export function linkWidth(/** @type {number} */ w) {
  return 1 + (9 * Math.min(Math.abs(w), 5)) / 5;
}

/**
 * @param {Json | null} frame
 * @param {Target} t
 * @returns {number | undefined}
 */
function valueOf(frame, t) {
  if (!frame) return undefined;
  if (t.kind === "weight") return frame.weights?.[t.layer]?.[t.source]?.[t.target];
  return frame.biases?.[t.layer - 1]?.[t.neuron];
}

/** @param {number | undefined} v */
function format(v) {
  if (v === undefined) return "–";
  return Math.abs(v) >= 1000 ? v.toExponential(3) : v.toFixed(3);
}

export class NetworkDiagram {
  /**
   * @param {HTMLElement} root
   * @param {NetworkHandlers} handlers
   * @param {{minNeurons: number, maxNeurons: number, maxWeight: number}} bounds  the server's
   * @param {{shapeKey?: string, onBuilt?: () => void}} [extra]  shapeKey: the hash key of the
   *        layer sizes (marks the +/− neuron buttons for `<key>_hide`); onBuilt: after each rebuild
   */
  constructor(root, handlers, bounds, extra = {}) {
    this.root = root;
    this.h = handlers;
    this.bounds = bounds;
    this.extra = extra;
    /** @type {HTMLElement[][]} the node elements per layer: enabled inputs, hidden layers, output */
    this.nodes = [];
    this.structureKey = "";
    /** @type {DiagramView | null} */
    this.view = null;
    /** @type {{el: SVGPathElement, target: Target, color: string, width: string}[]} */
    this.links = [];
    /** @type {{el: SVGRectElement, target: Target, color: string}[]} */
    this.biases = [];
    /** @type {{canvas: HTMLCanvasElement, layer: number, index: number, source: string, painted?: import("./canvas.js").GridData, discrete?: boolean}[]} */
    this.thumbs = [];
    /** @type {(HTMLElement | SVGElement)[]} */
    this.items = [];
    /** @type {{target: Target, anchor: Element} | null} */
    this.hover = null;
    /** @type {{target: Target, anchor: Element} | null} */
    this.editing = null;
    this.width = 0;
    this.lineColors = "";
    /** @type {[number, number][][]} (left, top) of every drawn node per layer, for the overlay's labels */
    this.labelPositions = [];
    this.labelKey = "";

    // The diagram keeps a least width; on a narrow screen it scrolls sideways on its own.
    this.scroller = document.createElement("div");
    this.scroller.className = "net-scroll";
    this.stage = document.createElement("div");
    this.stage.className = "net-stage";
    this.scroller.append(this.stage);
    this.scroller.addEventListener("scroll", () => {
      if (this.editing) this.place(this.editor, this.editing.anchor, this.editing.target);
      if (this.hover) this.place(this.tooltip, this.hover.anchor, this.hover.target);
    });
    this.tooltip = document.createElement("div");
    this.tooltip.className = "net-tooltip";
    this.tooltip.hidden = true;
    this.tooltip.setAttribute("role", "status");
    const editor = this.buildEditor();
    this.editor = editor.form;
    this.editorInput = editor.input;
    this.editorLabel = editor.label;
    this.editorLive = editor.live;
    root.append(this.scroller, this.tooltip, this.editor);
    root.addEventListener("keydown", (e) => this.onKey(e));
    new ResizeObserver(() => {
      if (root.clientWidth !== this.width && this.view) {
        this.structureKey = "";
        this.update(this.view);
      }
    }).observe(root);
  }

  // -- the editor ------------------------------------------------------------------------

  buildEditor() {
    const form = document.createElement("form");
    form.className = "net-editor";
    form.hidden = true;
    form.setAttribute("role", "dialog");
    form.setAttribute("aria-label", t("net.editValue"));
    form.noValidate = true;
    form.innerHTML = `
      <label class="net-editor-label" for="net-editor-input"></label>
      <input id="net-editor-input" type="number" step="any" inputmode="decimal" required>
      <div class="net-editor-buttons">
        <button type="submit" class="net-editor-ok"></button>
        <button type="button" class="net-editor-cancel"></button>
      </div>
      <p class="net-editor-live"></p>`;
    const input = /** @type {HTMLInputElement} */ (form.querySelector("input"));
    const label = /** @type {HTMLLabelElement} */ (form.querySelector("label"));
    /** @type {HTMLElement} */ (form.querySelector(".net-editor-ok")).textContent = t("net.set");
    /** @type {HTMLElement} */ (form.querySelector(".net-editor-cancel")).textContent = t("net.cancel");
    const live = /** @type {HTMLElement} */ (form.querySelector(".net-editor-live"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.confirmEdit();
    });
    form.querySelector(".net-editor-cancel")?.addEventListener("click", () => this.closeEditor());
    form.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Escape") this.closeEditor();
    });
    return { form, input, label, live };
  }

  /**
   * @param {Target} target
   * @param {Element} anchor
   */
  openEditor(target, anchor) {
    this.editing = { target, anchor };
    this.editorLabel.textContent = describe(target, this.view) + ":";
    const v = valueOf(this.view?.frame ?? null, target);
    this.editorInput.value = v === undefined ? "" : String(Number(v.toFixed(6)));
    this.editorInput.setCustomValidity("");
    this.editor.hidden = false;
    this.place(this.editor, anchor, target);
    this.updateLive();
    this.editorInput.focus();
    this.editorInput.select();
  }

  confirmEdit() {
    if (!this.editing) return;
    const text = this.editorInput.value.trim();
    const value = Number(text);
    const max = this.bounds.maxWeight;
    if (text === "" || !Number.isFinite(value) || Math.abs(value) > max) {
      this.editorInput.setCustomValidity(t("net.range", { max }));
      this.editorInput.reportValidity();
      return;
    }
    const target = this.editing.target;
    if (target.kind === "weight") this.h.onEditWeight(target.layer, target.source, target.target, value);
    else this.h.onEditBias(target.layer, target.neuron, value);
    this.closeEditor();
  }

  closeEditor() {
    const anchor = this.editing?.anchor;
    this.editing = null;
    this.editor.hidden = true;
    if (anchor instanceof HTMLElement || anchor instanceof SVGElement) {
      if (anchor.isConnected) anchor.focus();
    }
  }

  updateLive() {
    if (!this.editing) return;
    const v = valueOf(this.view?.frame ?? null, this.editing.target);
    this.editorLive.textContent = t("net.now", { v: format(v) });
  }

  /**
   * Put a floating box beside an element (a link, a bias), covering neither it nor the
   * neurons it belongs to; within the diagram's width (it may reach below it).
   * @param {HTMLElement} box
   * @param {Element} anchor
   * @param {Target} target
   */
  place(box, anchor, target) {
    const home = this.root.getBoundingClientRect();
    // Rects are on screen (zoomed, e.g. in projector mode); left/top are in CSS px.
    const zoom = home.width / (this.root.offsetWidth || home.width) || 1;
    const local = (/** @type {Element} */ el) => {
      const r = el.getBoundingClientRect();
      return { left: (r.left - home.left) / zoom, top: (r.top - home.top) / zoom, width: r.width / zoom, height: r.height / zoom };
    };
    const ends =
      target.kind === "weight"
        ? [this.nodes[target.layer]?.[target.source], this.nodes[target.layer + 1]?.[target.target]]
        : [this.nodes[target.layer]?.[target.neuron]];
    const avoid = ends.filter((el) => el !== undefined).map(local);
    const size = { width: box.offsetWidth || 160, height: box.offsetHeight || 40 };
    const bounds = { left: 0, top: 0, width: this.root.offsetWidth || home.width, height: Math.max(home.height / zoom, 2000) };
    const { left, top } = besides(local(anchor), size, bounds, avoid);
    box.style.left = `${left}px`;
    box.style.top = `${top}px`;
  }

  // -- hovering values -----------------------------------------------------------------

  /**
   * @param {Target} target
   * @param {Element} anchor
   */
  showValue(target, anchor) {
    this.hover = { target, anchor };
    this.tooltip.hidden = false;
    this.updateTooltip();
    this.place(this.tooltip, anchor, target);
  }

  hideValue() {
    this.hover = null;
    this.tooltip.hidden = true;
  }

  updateTooltip() {
    if (!this.hover) return;
    const overlay = this.view?.overlay;
    const text = overlay ? overlay.describe(this.hover.target) : "";
    if (text) {
      this.tooltip.textContent = text;
      return;
    }
    const v = valueOf(this.view?.frame ?? null, this.hover.target);
    this.tooltip.textContent = t(this.hover.target.kind === "weight" ? "net.weightValue" : "net.biasValue", { v: format(v) });
  }

  // -- keyboard ------------------------------------------------------------------------

  /** @param {KeyboardEvent} e */
  onKey(e) {
    const items = this.items;
    const i = items.indexOf(/** @type {any} */ (document.activeElement));
    if (i < 0) return;
    const last = items.length - 1;
    /** @type {Record<string, number>} */
    const targets = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: last };
    if (e.key in targets) {
      e.preventDefault();
      this.focusItem(Math.max(0, Math.min(last, targets[e.key])));
    } else if ((e.key === "Enter" || e.key === " ") && (items[i] instanceof SVGElement || (this.view?.overlay && items[i].classList.contains("node")))) {
      e.preventDefault();
      items[i].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    }
  }

  /** @param {number} index */
  focusItem(index) {
    this.items.forEach((el, k) => el.setAttribute("tabindex", k === index ? "0" : "-1"));
    /** @type {HTMLElement | SVGElement} */ (this.items[index])?.focus();
  }

  // -- drawing -------------------------------------------------------------------------

  /** @param {DiagramView} view */
  update(view) {
    this.view = view;
    const sizes = view.frame ? view.frame.weights.map((/** @type {any[]} */ w) => w.length) : [];
    const key = JSON.stringify([view.enabled, view.hidden, sizes, view.features.length, this.outputs(view), view.overlay?.gap ?? 0]);
    if (key !== this.structureKey) {
      this.structureKey = key;
      this.build(view);
    }
    this.paint(view);
  }

  /**
   * The hidden layer sizes to draw: those of the frame's weights when they match the
   * view, so links always match their weights.
   * @param {DiagramView} view
   * @returns {number[]}
   */
  shape(view) {
    const w = view.frame?.weights;
    if (w && w.length === view.hidden.length + 1 && w[0].length === view.enabled.length) {
      return w.slice(1).map((/** @type {any[]} */ layer) => layer.length);
    }
    return view.hidden;
  }

  /**
   * The output neurons to draw: the frame's when its weights match the view (so links
   * match their weights), else the view's.
   * @param {DiagramView} view
   * @returns {number}
   */
  outputs(view) {
    const w = view.frame?.weights;
    if (w && w.length === view.hidden.length + 1 && w[0].length === view.enabled.length) {
      const last = w[w.length - 1];
      if (last.length > 0) return last[0].length;
    }
    return view.outputs ?? 1;
  }

  /** @param {DiagramView} view */
  build(view) {
    const hidden = this.shape(view);
    const outputs = this.outputs(view);
    /** Several outputs: a multi-class network, each output the probability of its class. */
    const multi = outputs > 1;
    const cols = hidden.length + 2;
    const width = Math.max(LABEL + (cols - 1) * MIN_COLUMN + NODE + 12, this.root.clientWidth);
    this.width = this.root.clientWidth;
    const colX = (/** @type {number} */ k) => LABEL + (k * (width - LABEL - NODE - 12)) / (cols - 1);
    const row = ROW + (view.overlay?.gap ?? 0);
    const rowY = (/** @type {number} */ i) => HEADER + i * row;
    const rows = Math.max(view.features.length, ...hidden, outputs);
    const height = HEADER + rows * row;
    this.stage.replaceChildren();
    this.stage.style.height = `${height}px`;
    this.stage.style.width = `${width}px`;
    /** @type {HTMLElement[][]} */
    const nodes = [[]];
    this.nodes = nodes;
    this.links = [];
    this.biases = [];
    this.thumbs = [];
    /** @type {(HTMLElement | SVGElement)[]} */
    const items = [];

    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("class", "net-links");
    // Not an image: a group of the weight and bias buttons inside it.
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", t("net.links"));
    const linkGroup = document.createElementNS(SVG, "g");
    const hitGroup = document.createElementNS(SVG, "g");
    const biasGroup = document.createElementNS(SVG, "g");
    svg.append(linkGroup, hitGroup, biasGroup);
    this.stage.append(svg);

    /** @type {[number, number][][]} (left, top) of every node per layer: enabled inputs, hidden, output */
    const pos = [];
    const inputRows = view.features.map((f, i) => ({ f, i })).filter(({ f }) => view.enabled.includes(f.name));
    pos.push(inputRows.map(({ i }) => [colX(0), rowY(i)]));
    hidden.forEach((n, l) => pos.push(Array.from({ length: n }, (_, j) => [colX(l + 1), rowY(j)])));
    pos.push(Array.from({ length: outputs }, (_, j) => [colX(cols - 1), rowY(j)]));
    this.labelPositions = pos;
    this.labelKey = "";

    // Input features: every feature, enabled ones linked.
    view.features.forEach((f, i) => {
      const on = view.enabled.includes(f.name);
      const button = document.createElement("button");
      button.type = "button";
      button.className = `node feature${on ? "" : " off"}`;
      button.setAttribute("aria-pressed", String(on));
      button.setAttribute("aria-label", t("net.feature", { name: f.label }));
      button.title = t(on ? "net.featureOff" : "net.featureOn", { name: f.label, help: HELP.of("feature_thumbnail") });
      button.tabIndex = -1;
      place(button, colX(0), rowY(i));
      const canvas = document.createElement("canvas");
      button.append(canvas);
      const label = document.createElement("span");
      label.className = "node-label";
      label.textContent = f.label;
      button.append(label);
      const index = view.enabled.indexOf(f.name);
      button.addEventListener("click", () => {
        const overlay = this.view?.overlay;
        if (overlay) {
          if (index >= 0) overlay.onPick({ kind: "node", layer: 0, index });
        } else this.toggleFeature(f.name);
      });
      if (on) button.dataset.node = `0,${index}`;
      if (on) {
        this.hoverable(button, [0, index]);
        nodes[0].push(button);
      }
      this.thumbs.push({ canvas, layer: 0, index, source: f.name });
      this.stage.append(button);
      items.push(button);
    });

    // Hidden neurons and the output.
    const layers = [...hidden, outputs];
    layers.forEach((n, l) => {
      const isOutput = l === hidden.length;
      if (!isOutput) this.stage.append(this.layerHeader(l, n, colX(l + 1)));
      nodes.push([]);
      for (let j = 0; j < n; j++) {
        const [x, y] = pos[l + 1][j];
        const div = document.createElement("div");
        div.className = `node ${isOutput ? "output" : "neuron"}`;
        div.tabIndex = -1;
        div.setAttribute("role", "img");
        let name = t("net.neuron", { j: j + 1, l: l + 1 });
        if (isOutput) name = multi ? t("net.outputNeuronOf", { j: j + 1, k: j }) : t("net.outputNeuron");
        div.setAttribute("aria-label", name);
        div.dataset.node = `${l + 1},${j}`;
        div.addEventListener("click", () => this.view?.overlay?.onPick({ kind: "node", layer: l + 1, index: j }));
        place(div, x, y);
        div.title = HELP.of(isOutput && multi ? "class_output" : "thumbnail");
        nodes[l + 1].push(div);
        const canvas = document.createElement("canvas");
        div.append(canvas);
        if (isOutput && multi) {
          // Framed in its class's colour, as the class in the legend.
          div.classList.add("class-output");
          div.style.borderColor = CLASS_COLORS[j] ?? "";
          div.dataset.class = String(j);
        }
        // A multi-class output k is shown as "probability of class k" (layer = output layer).
        this.hoverable(div, isOutput ? (multi ? [l + 1, j] : null) : [l + 1, j]);
        this.thumbs.push({ canvas, layer: isOutput ? -1 : l + 1, index: j, source: "" });
        this.stage.append(div);
        items.push(div);

        // The bias: a small square at the node's lower left.
        const rect = document.createElementNS(SVG, "rect");
        rect.setAttribute("x", String(x - BIAS - 2));
        rect.setAttribute("y", String(y + NODE - BIAS));
        rect.setAttribute("width", String(BIAS));
        rect.setAttribute("height", String(BIAS));
        rect.setAttribute("class", "bias");
        rect.setAttribute("tabindex", "-1");
        rect.setAttribute("role", "button");
        /** @type {Target} */
        const bias = { kind: "bias", layer: l + 1, neuron: j };
        rect.setAttribute("aria-label", t("net.pressEnter", { what: describe(bias, view) }));
        rect.dataset.layer = String(l + 1);
        rect.dataset.neuron = String(j);
        this.editable(rect, bias);
        biasGroup.append(rect);
        this.biases.push({ el: rect, target: bias, color: "", });
        items.push(rect);

        // Links into this node.
        pos[l].forEach(([sx, sy], i) => {
          const x1 = sx + NODE;
          const y1 = sy + NODE / 2;
          const x2 = x;
          const y2 = y + NODE / 2;
          const mx = (x1 + x2) / 2;
          const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
          const path = document.createElementNS(SVG, "path");
          const hit = document.createElementNS(SVG, "path");
          path.setAttribute("d", d);
          path.setAttribute("class", "link");
          for (const el of [path, hit]) {
            el.dataset.layer = String(l);
            el.dataset.source = String(i);
            el.dataset.target = String(j);
          }
          linkGroup.append(path);
          hit.setAttribute("d", d);
          hit.setAttribute("class", "link-hit");
          hit.setAttribute("tabindex", "-1");
          hit.setAttribute("role", "button");
          /** @type {Target} */
          const weight = { kind: "weight", layer: l, source: i, target: j };
          hit.setAttribute("aria-label", t("net.pressEnter", { what: describe(weight, view) }));
          this.editable(hit, weight);
          hitGroup.append(hit);
          this.links.push({ el: path, target: weight, color: "", width: "" });
          items.push(hit);
        });
      }
    });
    this.items = items;
    items.forEach((el, k) => el.setAttribute("tabindex", k === 0 ? "0" : "-1"));

    // Keep an open editor if its target still exists.
    if (this.editing && valueOf(view.frame, this.editing.target) === undefined) this.closeEditor();
    if (this.hover) this.hideValue();
    this.lineColors = "";
    this.extra.onBuilt?.();
  }

  /**
   * @param {number} l      hidden layer index (0-based)
   * @param {number} n      neurons in it
   * @param {number} x
   */
  layerHeader(l, n, x) {
    const head = document.createElement("div");
    head.className = "layer-head";
    if (this.extra.shapeKey) head.dataset.hideKey = this.extra.shapeKey;
    place(head, x + NODE / 2, 0);
    const plus = document.createElement("button");
    plus.type = "button";
    plus.textContent = "+";
    plus.className = "small-button";
    plus.disabled = n >= this.bounds.maxNeurons;
    plus.setAttribute("aria-label", t("net.addNeuron", { l: l + 1 }));
    plus.addEventListener("click", () => this.changeNeurons(l, +1));
    const minus = document.createElement("button");
    minus.type = "button";
    minus.textContent = "−";
    minus.className = "small-button";
    minus.disabled = n <= this.bounds.minNeurons;
    minus.setAttribute("aria-label", t("net.removeNeuron", { l: l + 1 }));
    minus.addEventListener("click", () => this.changeNeurons(l, -1));
    const label = document.createElement("span");
    label.className = "layer-count";
    label.textContent = plural("net.neurons", n);
    const buttons = document.createElement("div");
    buttons.append(plus, minus);
    head.append(buttons, label);
    return head;
  }

  /**
   * Turn a feature on or off (the last one stays on).
   * @param {string} name
   */
  toggleFeature(name) {
    if (!this.view) return;
    const on = new Set(this.h.chosen().features);
    if (on.has(name)) on.delete(name);
    else on.add(name);
    if (on.size > 0) this.h.onFeatures(this.view.features.map((f) => f.name).filter((f) => on.has(f)));
  }

  /**
   * Add or remove a neuron of a hidden layer, within the server's bounds.
   * @param {number} l  hidden layer index (0-based)
   * @param {number} delta
   */
  changeNeurons(l, delta) {
    const hidden = [...this.h.chosen().hidden];
    const n = hidden[l] + delta;
    if (l >= hidden.length || n < this.bounds.minNeurons || n > this.bounds.maxNeurons) return;
    hidden[l] = n;
    this.h.onHidden(hidden);
  }

  /**
   * Hover or focus shows the neuron's map large.
   * @param {HTMLElement} el
   * @param {[number, number] | null} neuron
   */
  hoverable(el, neuron) {
    const on = () => this.h.onHoverNeuron(neuron);
    const off = () => this.h.onHoverNeuron(null);
    el.addEventListener("mouseenter", on);
    el.addEventListener("mouseleave", off);
    el.addEventListener("focus", on);
    el.addEventListener("blur", off);
  }

  /**
   * Hover or focus shows the value; click or Enter edits it.
   * @param {SVGElement} el
   * @param {Target} target
   */
  editable(el, target) {
    el.addEventListener("mouseenter", () => this.showValue(target, el));
    el.addEventListener("mouseleave", () => this.hideValue());
    el.addEventListener("focus", () => this.showValue(target, el));
    el.addEventListener("blur", () => this.hideValue());
    el.addEventListener("click", () => {
      this.focusItem(this.items.indexOf(/** @type {any} */ (el)));
      const overlay = this.view?.overlay;
      if (overlay) {
        overlay.onPick(target.kind === "weight" ? { ...target } : { kind: "bias", layer: target.layer, neuron: target.neuron });
        return;
      }
      this.hideValue();
      this.openEditor(target, el);
    });
  }

  /** @param {DiagramView} view */
  paint(view) {
    const frame = view.frame;
    const styles = view.overlay?.links ?? null;
    for (const link of this.links) {
      const w = valueOf(frame, link.target) ?? 0;
      const t = link.target;
      const style = styles && t.kind === "weight" ? styles[t.layer]?.[t.source]?.[t.target] : undefined;
      const color = style ? style.color : cssColor(w);
      const width = style ? style.width.toFixed(2) : linkWidth(w).toFixed(2);
      if (color !== link.color) link.el.setAttribute("stroke", (link.color = color));
      if (width !== link.width) link.el.setAttribute("stroke-width", (link.width = width));
    }
    for (const bias of this.biases) {
      const color = cssColor(valueOf(frame, bias.target) ?? 0);
      if (color !== bias.color) bias.el.setAttribute("fill", (bias.color = color));
    }
    for (const t of this.thumbs) {
      /** @type {import("./canvas.js").GridData | undefined} base64 (JSON) or bytes (binary answers) */
      let map;
      if (t.layer === 0) map = (t.index >= 0 && frame?.features?.[t.index]) || view.featureThumbs?.[t.source];
      else if (t.layer === -1) map = frame?.classes ? frame.classes[t.index] : frame?.output;
      else map = frame?.neurons?.[t.layer - 1]?.[t.index];
      const discrete = view.discretize && t.layer !== 0;
      if (map && (map !== t.painted || discrete !== t.discrete)) {
        // A multi-class output: the probability of its class, in the class's colour.
        if (t.layer === -1 && frame?.classes) paintClassMap(t.canvas, { grids: frame.classes, index: t.index }, discrete);
        else paintMap(t.canvas, map, discrete);
        t.painted = map;
        t.discrete = discrete;
      }
    }
    this.paintLineColors(view.lineColors ?? null);
    this.paintOverlay(view.overlay ?? null);
    this.updateTooltip();
    this.updateLive();
  }

  /**
   * The overlay's labels under the nodes and its picked item (or none of them).
   * @param {Overlay | null} overlay
   */
  paintOverlay(overlay) {
    const key = JSON.stringify([overlay?.labels ?? null, overlay?.selected ?? null]);
    if (key === this.labelKey) return;
    this.labelKey = key;
    for (const old of this.stage.querySelectorAll(".net-label")) old.remove();
    this.root.classList.toggle("net-overlay", overlay !== null);
    for (const el of this.stage.querySelectorAll(".picked")) el.classList.remove("picked");
    if (!overlay) return;
    (overlay.labels ?? []).forEach((layer, l) =>
      layer.forEach((lines, j) => {
        const at = this.labelPositions[l]?.[j];
        if (!at || lines.length === 0) return;
        const label = document.createElement("div");
        label.className = "net-label";
        label.dataset.node = `${l},${j}`;
        // Centred under its node; the output's end at the node's right (the diagram's edge).
        const end = l === this.labelPositions.length - 1;
        label.classList.toggle("end", end);
        label.style.left = `${at[0] + (end ? NODE : NODE / 2)}px`;
        label.style.top = `${at[1] + NODE + 1}px`;
        label.append(...lines.map((text) => Object.assign(document.createElement("span"), { textContent: text })));
        this.stage.append(label);
      }),
    );
    const picked = overlay.selected;
    if (!picked) return;
    const [kind, rest] = picked.split(":");
    const n = rest.split(",").map(Number);
    /** @type {Element | undefined} */
    let el;
    if (kind === "n") el = this.nodes[n[0]]?.[n[1]];
    else if (kind === "b") el = this.biases.find((b) => b.target.kind === "bias" && b.target.layer === n[0] && b.target.neuron === n[1])?.el;
    else {
      el = this.links.find((k) => k.target.kind === "weight" && k.target.layer === n[0] && k.target.source === n[1] && k.target.target === n[2])?.el;
    }
    el?.classList.add("picked");
  }

  /**
   * The first hidden layer's neurons framed in the colour of their decision line.
   * @param {string[] | null} colors
   */
  paintLineColors(colors) {
    const key = JSON.stringify(colors);
    if (key === this.lineColors) return;
    this.lineColors = key;
    (this.nodes[1] ?? []).forEach((el, j) => {
      const color = this.nodes.length > 2 && colors ? colors[j] : "";
      el.classList.toggle("line-colored", Boolean(color));
      el.style.borderColor = color ?? "";
    });
  }

  /**
   * The diagram as drawn, onto a canvas (for the whole-view picture).
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} x  where its top left goes
   * @param {number} y
   */
  drawTo(ctx, x, y) {
    ctx.save();
    ctx.translate(x, y);
    for (const link of this.links) {
      ctx.strokeStyle = link.color;
      ctx.lineWidth = Number(link.width);
      ctx.stroke(new Path2D(link.el.getAttribute("d") ?? ""));
    }
    for (const bias of this.biases) {
      const r = bias.el;
      const [bx, by, bw, bh] = ["x", "y", "width", "height"].map((a) => Number(r.getAttribute(a)));
      ctx.fillStyle = bias.color;
      ctx.fillRect(bx, by, bw, bh);
    }
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of this.thumbs) {
      const node = /** @type {HTMLElement} */ (t.canvas.parentElement);
      const left = parseFloat(node.style.left);
      const top = parseFloat(node.style.top);
      ctx.globalAlpha = node.classList.contains("off") ? 0.3 : 1;
      ctx.drawImage(t.canvas, left, top, NODE, NODE);
      ctx.strokeStyle = "#999";
      ctx.lineWidth = 1;
      ctx.strokeRect(left + 0.5, top + 0.5, NODE - 1, NODE - 1);
      const label = node.querySelector(".node-label")?.textContent;
      if (label) {
        ctx.fillStyle = "#222";
        ctx.fillText(label, left - 6, top + NODE / 2);
      }
    }
    ctx.restore();
  }

  /** The diagram's drawn size in CSS px. */
  get size() {
    return { width: this.stage.offsetWidth, height: this.stage.offsetHeight };
  }
}

/**
 * @param {HTMLElement} el
 * @param {number} x
 * @param {number} y
 */
function place(el, x, y) {
  el.style.left = `${x}px`;
  el.style.top = `${y}px`;
}

/**
 * A name a person can read: "Weight from X₁ to neuron 2 of hidden layer 1".
 * @param {Target} target
 * @param {DiagramView | null} view
 */
function describe(target, view) {
  const hiddenCount = view ? view.hidden.length : 0;
  const node = (/** @type {number} */ layer, /** @type {number} */ j) => {
    if (layer === 0) {
      const name = view?.enabled[j];
      return view?.features.find((f) => f.name === name)?.label ?? t("net.input", { j: j + 1 });
    }
    if (layer === hiddenCount + 1) {
      const many = view?.frame?.weights?.at(-1)?.[0]?.length > 1 || (view?.outputs ?? 1) > 1;
      return many ? t("xp.names.outputOf", { n: j + 1, k: j }) : t("xp.names.output");
    }
    return t("xp.names.hidden", { j: j + 1, l: layer });
  };
  if (target.kind === "weight") return t("xp.names.weight", { from: node(target.layer, target.source), to: node(target.layer + 1, target.target) });
  return t("xp.names.bias", { of: node(target.layer, target.neuron) });
}
