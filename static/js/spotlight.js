// @ts-check
/**
 * The spotlight: one student's network shown big on the projector, read-only — the
 * decision map (heatmap.js), the network diagram (network.js) and the loss chart
 * (linechart.js), from the answer of GET /api/rooms/{code}/students/{student}
 * ({student, state, frame}). The page refreshes it about once a second while it is open.
 *
 * The diagram is the playground's own, made read-only here: its handlers do nothing, and
 * clicks and Enter inside it are caught before they reach a weight, a bias, a feature or a
 * +/− button (so no editor opens); teach.css hides the +/− buttons.
 */

import { displayName, formatAccuracy, shapeText } from "./dashboard.js";
import { formatLoss } from "./format.js";
import { HeatMap } from "./heatmap.js";
import { LossChart } from "./linechart.js";
import { NetworkDiagram } from "./network.js";
import { TEACH } from "./teach-text.js";

/** @typedef {Record<string, any>} Json */
/** @typedef {import("./options.js").Options} Options */

/**
 * @typedef {Object} SpotlightHandlers
 * @property {(id: string, name: string) => void} onShare
 * @property {(id: string, name: string) => void} onRemove
 * @property {() => void} onClose   the dialog closed (Esc, the button)
 */

export class Spotlight {
  /**
   * @param {HTMLDialogElement} dialog  holds #spot-title, #spot-stats, #spot-note,
   *        #spot-heatmap, #spot-network, #spot-chart and the three buttons
   * @param {Options} options
   * @param {SpotlightHandlers} handlers
   */
  constructor(dialog, options, handlers) {
    this.dialog = dialog;
    this.h = handlers;
    const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (dialog.querySelector(`#${id}`));
    this.title = $("spot-title");
    this.stats = $("spot-stats");
    this.note = $("spot-note");
    this.features = options.field.features?.choices ?? [];
    this.heatmap = new HeatMap($("spot-heatmap"), Number(options.limits.grid_extent ?? 6));
    const layers = options.fields.find((f) => f.control === "layers");
    const networkRoot = $("spot-network");
    const nothing = () => {};
    this.network = new NetworkDiagram(
      networkRoot,
      {
        onHoverNeuron: nothing,
        chosen: () => ({ features: this.enabled, hidden: this.hidden }),
        onFeatures: nothing,
        onHidden: nothing,
        onEditWeight: nothing,
        onEditBias: nothing,
      },
      { minNeurons: Number(layers?.min ?? 1), maxNeurons: Number(layers?.max ?? 8), maxWeight: Number(options.limits.max_weight ?? 1e6) },
    );
    // Read-only: a click (or the Enter the diagram turns into one) stops here, before it
    // reaches an element inside the diagram. Hovering still shows a weight's value.
    networkRoot.addEventListener("click", (e) => {
      if (e.target !== networkRoot) e.stopPropagation();
    }, true);
    this.chart = new LossChart($("spot-chart"));
    /** @type {string[]} */
    this.enabled = [];
    /** @type {number[]} */
    this.hidden = [];
    /** @type {string | null} the student shown */
    this.id = null;
    this.name = "";
    $("spot-share").addEventListener("click", () => this.id && this.h.onShare(this.id, this.name));
    $("spot-remove").addEventListener("click", () => this.id && this.h.onRemove(this.id, this.name));
    $("spot-close").addEventListener("click", () => this.close());
    dialog.addEventListener("close", () => {
      this.id = null;
      this.h.onClose();
    });
  }

  get isOpen() {
    return this.id !== null;
  }

  /**
   * Open for a student (its picture follows with the first `update`).
   * @param {string} id
   * @param {string} name  as the dashboard shows it
   */
  open(id, name) {
    this.id = id;
    this.name = name;
    this.title.textContent = TEACH.spotlightOf(name);
    this.stats.textContent = "";
    this.note.textContent = TEACH.readOnly;
    this.dialog.dataset.student = id;
    if (!this.dialog.open) this.dialog.showModal();
  }

  /**
   * Show another name for the student (names hidden or shown again).
   * @param {string} name
   */
  rename(name) {
    this.name = name;
    this.title.textContent = TEACH.spotlightOf(name);
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  /**
   * Say that the student is gone (removed, or their session ended).
   */
  gone() {
    this.note.textContent = TEACH.studentGone;
  }

  /**
   * @param {{student: Json, state: Json, frame: Json, data?: Json}} answer
   * @param {boolean} hide  names hidden
   */
  update(answer, hide) {
    const { student, state, frame, data } = answer;
    if (!this.id || student.id !== this.id) return;
    this.name = displayName(/** @type {any} */ (student), hide);
    this.title.textContent = TEACH.spotlightOf(this.name);
    const config = state.config ?? {};
    this.enabled = config.features ?? [];
    this.hidden = config.hidden_layers ?? [];
    const parts = [
      TEACH.epochN(state.epoch ?? 0),
      `${TEACH.testLoss} ${formatLoss(state.test_loss)}`,
      state.test_accuracy === null || state.test_accuracy === undefined ? "" : `${TEACH.accuracy} ${formatAccuracy(state.test_accuracy)}`,
      `${TEACH.shape} ${shapeText(state.layer_sizes)}`,
      student.status && student.status !== "ready" ? TEACH.status[student.status] ?? student.status : "",
    ].filter(Boolean);
    this.stats.textContent = parts.join(" · ");
    this.dialog.dataset.epoch = String(state.epoch ?? 0);
    this.dialog.classList.toggle("diverged", state.status === "diverged");
    this.note.textContent = state.status === "diverged" && state.message ? state.message : TEACH.readOnly;
    this.heatmap.update({
      frame,
      hovered: null,
      enabled: this.enabled,
      features: this.features,
      lines: false,
      discretize: false,
      train: data?.train ?? null,
      test: data?.test ?? null,
      showTest: true,
    });
    this.network.update({
      features: this.features,
      enabled: this.enabled,
      hidden: this.hidden,
      chosen: { features: this.enabled, hidden: this.hidden },
      frame,
      discretize: false,
      featureThumbs: null,
    });
    const h = frame?.history ?? {};
    const train = h.train ?? [];
    this.chart.update({ train, test: h.test ?? [], epochs: h.epochs ?? train.map((/** @type {unknown} */ _, /** @type {number} */ i) => (h.start ?? 0) + i) });
  }
}
