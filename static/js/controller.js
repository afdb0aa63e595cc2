// @ts-check
/**
 * The page's model and its actions: settings, the session's state, the latest frame, the
 * loss history and the data; play/pause/step/reset, changes, edits. It talks to the server
 * only through the Api and tells the page when to redraw (`onChange`), which the page
 * batches into one redraw per animation frame.
 *
 * Playing is a loop of step requests, one in flight at a time: as soon as a step's
 * answer (state + frame) arrives, the next step is sent, so the server trains while the
 * page draws. An answer that arrives before the previous one was drawn waits for that
 * draw (`drawn()`). At the fixed speeds (1, 3, 10 epochs per frame) no step is sent while
 * an answer waits, so every answer is drawn; at the fast speeds the next step is sent at
 * once and a newer answer replaces a waiting one (its history starts where the waiting
 * one's did, so nothing is lost). Nothing is sent while paused or the tab is hidden.
 */

import { ApiError } from "./api.js";
import { configChanges, fromServerConfig, stepRequest, toServerConfig } from "./state.js";

/** @typedef {import("./state.js").Settings} Settings */
/** @typedef {import("./options.js").Options} Options */
/** @typedef {import("./api.js").Api} Api */
/** @typedef {Record<string, any>} Json */

const DATA_FIELDS = ["problem", "dataset", "noise", "train_ratio", "seed"];

export class Controller {
  /**
   * @param {{api: Api, options: Options, settings: Settings,
   *          onChange: () => void, onSettings: (s: Settings) => void}} deps
   */
  constructor({ api, options, settings, onChange, onSettings }) {
    this.api = api;
    this.options = options;
    this.settings = settings;
    this.onChange = onChange;
    this.onSettings = onSettings;
    /** @type {Json | null} */
    this.state = null;
    /** @type {Json | null} */
    this.frame = null;
    /** @type {{train: number[], test: number[]}} */
    this.history = { train: [], test: [] };
    /** @type {Json | null} */
    this.data = null;
    this.playing = false;
    /** @type {string | null} an error to show (not divergence: that is in the state) */
    this.error = null;
    /** @type {[number, number] | null} the neuron whose map is shown large */
    this.neuron = null;
    /** @type {{features: Record<string, string>, datasets: Record<string, Json>} | null} */
    this.previews = null;
    this.thumb = Number(options.limits.thumb?.[2] ?? 25);
    this.stepping = false;
    /** @type {Partial<Settings>} changes not yet sent to the server */
    this.pending = {};
    this.changing = false;
    /** True from taking in a step's answer until the page has drawn it. */
    this.undrawn = false;
    /** @type {Json | null} a step's answer waiting for the previous one to be drawn */
    this.held = null;
    this.refreshing = false;
    this.refreshAgain = false;
    /** Counts actions (changes, edits, reset): a step answer sent before one is stale. */
    this.generation = 0;
    /** True while an action's request is on its way: no step is sent meanwhile. */
    this.acting = false;
    this.needData = false;
    api.onSessionReplaced = () => {
      this.history = { train: [], test: [] };
      this.needData = true;
    };
  }

  /** Create the session for the current settings and fetch what is drawn. */
  async start() {
    const adoptSeed = this.settings.seed === null;
    const state = await this.api.createSession({ config: toServerConfig(this.settings) });
    this.adopt(state, { adoptSeed });
    await Promise.all([this.fetchData(), this.refreshFrame()]);
  }

  /**
   * A state from the server: settings follow its config; divergence pauses.
   * @param {Json} state
   * @param {{adoptSeed?: boolean}} [how]
   */
  adopt(state, how = {}) {
    const before = this.state;
    this.state = state;
    // History points after the current epoch, or of a run that was reset, are stale.
    const keep = before && state.epoch >= before.epoch ? Math.min(this.history.train.length, state.epoch) : 0;
    if (keep < this.history.train.length) {
      this.history.train.length = keep;
      this.history.test.length = keep;
    }
    // The server's config, with the changes the server has not heard of yet on top.
    const settings = { ...fromServerConfig(this.settings, state.config, how), ...this.pending };
    if (JSON.stringify(settings) !== JSON.stringify(this.settings)) {
      this.settings = settings;
      this.onSettings(settings);
    }
    if (state.status === "diverged") this.playing = false;
    this.onChange();
  }

  /** @param {Json} frame */
  adoptFrame(frame) {
    this.frame = frame;
    const h = frame.history;
    if (h && h.start > this.history.train.length) {
      // A gap (the history was cut while this frame was on its way): fetch it whole.
      this.history = { train: [], test: [] };
      if (!this.playing) queueMicrotask(() => this.refreshFrame());
    } else if (h) {
      const { train, test } = this.history;
      train.length = h.start;
      test.length = h.start;
      // A loop, not push(...): a long history would exceed the argument limit.
      for (let i = 0; i < h.train.length; i++) {
        train.push(h.train[i]);
        test.push(h.test[i]);
      }
    }
    this.onChange();
  }

  /** @param {unknown} error */
  fail(error) {
    this.playing = false;
    this.error = error instanceof ApiError ? error.message : String(error);
    console.warn(error);
    this.onChange();
  }

  dismissError() {
    this.error = null;
    this.onChange();
  }

  async fetchData() {
    this.needData = false;
    try {
      this.data = await this.api.data();
      this.onChange();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Fetch a frame for what is on screen now (when paused; coalesces calls). */
  async refreshFrame() {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        const frame = await this.api.frame({
          since: this.history.train.length,
          thumb: this.thumb,
          neuron: this.neuron,
        });
        this.adoptFrame(frame);
      } while (this.refreshAgain);
    } catch (error) {
      this.fail(error);
    } finally {
      this.refreshing = false;
    }
    if (this.needData) await this.fetchData();
  }

  // -- playing -------------------------------------------------------------------------

  play() {
    if (this.playing) return;
    this.playing = true;
    this.error = null;
    this.onChange();
    this.pump();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.onChange();
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Send the next step if playing, visible, and no request is on its way. */
  pump() {
    if (!this.playing || this.stepping || this.acting || document.hidden) return;
    if (this.held && !("max_ms" in this.stepBody())) return; // a fixed pace: draw each answer
    this.runStep(this.stepBody());
  }

  /** @returns {{epochs: number, max_ms?: number}} */
  stepBody() {
    return stepRequest(this.settings.speed, this.options.limits);
  }

  /** One epoch, with its frame (the step button). */
  async step() {
    this.pause();
    await this.runStep({ epochs: 1 });
  }

  /** @param {{epochs: number, max_ms?: number}} body */
  async runStep(body) {
    if (this.stepping) return;
    this.stepping = true;
    const generation = this.generation;
    try {
      const answer = await this.api.step({
        ...body,
        frame: true,
        since: this.history.train.length,
        thumb: this.thumb,
        neuron: this.neuron,
      });
      // An action was taken while this step was on its way: its state may predate the
      // action (e.g. the old features), so it is dropped; the next step catches up.
      if (generation === this.generation) {
        if (this.undrawn) this.held = answer;
        else this.takeStep(answer);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.stepping = false;
    }
    if (this.needData) await this.fetchData();
    this.pump();
  }

  /** @param {Json} answer  a step's answer: state + epochs_run + frame */
  takeStep(answer) {
    const { frame, epochs_run: _run, ...state } = answer;
    this.adopt(state);
    if (frame) this.adoptFrame(frame);
    this.undrawn = true;
  }

  /** The page has drawn: take in a waiting answer and send the next step. */
  drawn() {
    this.undrawn = false;
    if (this.held) {
      const answer = this.held;
      this.held = null;
      this.takeStep(answer);
      this.pump();
    }
  }

  /** The tab was hidden or shown again: polling stops while hidden. */
  visibilityChanged() {
    this.pump();
  }

  // -- actions -------------------------------------------------------------------------

  /**
   * @param {() => Promise<Json>} request  answers a state
   * @param {{adoptSeed?: boolean, data?: boolean}} [how]
   */
  async act(request, how = {}) {
    this.error = null;
    this.generation += 1;
    this.acting = true;
    try {
      const before = this.state?.config;
      const state = await request();
      this.held = null; // older than this answer; the next step fetches its history again
      this.adopt(state, how);
      const dataChanged = how.data || !before || DATA_FIELDS.some((k) => before[k] !== state.config[k]);
      await Promise.all([dataChanged ? this.fetchData() : null, this.playing ? null : this.refreshFrame()]);
    } catch (error) {
      this.fail(error);
      // Show what the server really has (a refused change is undone on the page).
      if (this.state) {
        this.settings = { ...fromServerConfig(this.settings, this.state.config), ...this.pending };
        this.onSettings(this.settings);
      }
    } finally {
      this.acting = false;
    }
    this.pump();
  }

  reset() {
    return this.act(() => this.api.reset());
  }

  regenerate() {
    return this.act(() => this.api.regenerate(), { adoptSeed: true, data: true });
  }

  /**
   * Change settings at once on the page; the server hears about the config fields that
   * changed. Changes made while a PATCH is on its way are merged into the next one (a
   * dragged slider sends a few requests, not one per pixel).
   * @param {Partial<Settings>} change
   */
  async change(change) {
    this.pending = { ...this.pending, ...change };
    this.settings = { ...this.settings, ...change };
    this.onSettings(this.settings);
    this.onChange();
    if (this.changing) return;
    this.changing = true;
    try {
      while (Object.keys(this.pending).length > 0) {
        const sending = this.pending;
        this.pending = {};
        const known = this.state ? fromServerConfig(this.settings, this.state.config) : this.settings;
        const patch = configChanges(known, { ...known, ...sending });
        if (Object.keys(patch).length > 0) await this.act(() => this.api.patch(patch));
      }
    } finally {
      this.changing = false;
    }
  }

  /**
   * @param {number} layer   source layer (0 = the inputs)
   * @param {number} source
   * @param {number} target
   * @param {number} value
   */
  setWeight(layer, source, target, value) {
    return this.act(() => this.api.setWeight({ layer, source, target, value }));
  }

  /**
   * @param {number} layer  the neuron's own layer (1 … output)
   * @param {number} neuron
   * @param {number} value
   */
  setBias(layer, neuron, value) {
    return this.act(() => this.api.setBias({ layer, neuron, value }));
  }

  /**
   * Show a neuron's map large (null: the output again).
   * @param {[number, number] | null} neuron
   */
  hoverNeuron(neuron) {
    const same = JSON.stringify(neuron) === JSON.stringify(this.neuron);
    if (same) return;
    this.neuron = neuron;
    this.onChange();
    if (neuron && !this.playing) this.refreshFrame();
  }

  /** @param {Json} model  an exported model */
  async loadModel(model) {
    this.pause();
    this.history = { train: [], test: [] };
    this.state = null;
    await this.act(() => this.api.createSession({ model }), { adoptSeed: true, data: true });
  }

  /** @returns {Promise<Json | null>} the model as exported by the server */
  async exportModel() {
    try {
      return await this.api.model();
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  async loadPreviews() {
    try {
      this.previews = await this.api.previews(this.options.features, this.options.datasets);
      this.onChange();
    } catch (error) {
      console.warn("previews", error);
    }
  }
}
