// @ts-check
/**
 * The page's model and its actions: settings, the session's state, the latest frame, the
 * loss history and the data; play/pause/step/reset, changes, edits. It talks to the server
 * only through the Api and tells the page when to redraw (`onChange`), which the page
 * batches into one redraw per animation frame.
 *
 * When requests are sent is decided by the play loop (loop.js): one request in flight;
 * while playing, the next step goes as soon as an answer is in; the newest answer is
 * drawn; a step answer that predates a change is dropped; nothing is sent while paused or
 * hidden. This module says what each request is and takes in the answers.
 */

import { ApiError, CUSTOM_DATASET, ClassEnded } from "./api.js";
import { indexedPoints } from "./draw.js";
import { LossHistory } from "./history.js";
import { t } from "./i18n.js";
import { Loop } from "./loop.js";
import { choicesOf, fieldWithControl, problemsOf, stepInterval, stepRequest } from "./options.js";
import { RoomTracker, withoutLocked } from "./room.js";
import { configChanges, fromServerConfig, serverFields, toServerConfig, withoutCustom } from "./state.js";
import { MESSAGES, ROOM } from "./text.js";

/** @typedef {import("./state.js").Settings} Settings */
/** @typedef {import("./options.js").Options} Options */
/** @typedef {import("./api.js").Api} Api */
/** @typedef {Record<string, any>} Json */
/** @typedef {{now: () => number, later: (fn: () => void, ms: number) => void}} Clock */

/** In a class, while not playing: how often the state is read (to learn of a resume or a new activity). */
export const ROOM_POLL_MS = 2000;

/**
 * How long custom data must stay unchanged before a copy is kept on the server for the
 * link (drawing changes them many times a second; only the last ones are shared).
 */
export const SHARE_AFTER_MS = 1500;

/**
 * While playing, the thumbnails (every feature's and hidden neuron's map) are asked for at
 * most this often; the steps in between ask for the output map only (`thumbs: false`) and
 * the page keeps the thumbnails it has. A thumbnail is 1.3 cm on screen and changes
 * slowly, so ~8 a second look as live while costing the server and the page less than the
 * output map. They are always asked for while paused (a single step, a frame), after any
 * change (an action), and after a pause when the ones shown are older than the network.
 */
export const THUMBS_EVERY_MS = 120;

/** @typedef {{points: number[][], labels: number[]}} PointSet */
/**
 * Which points to remove: their indices, or a function choosing them (possibly none) from
 * the points as they are when the request goes (earlier edits included).
 * @typedef {number[] | ((points: PointSet) => number[])} PointPick
 */

/** @param {PointSet} data */
const copyPoints = (data) => ({ points: [...data.points], labels: [...data.labels] });

/** The real clock: performance.now and setTimeout. */
const CLOCK = { now: () => performance.now(), later: (/** @type {() => void} */ fn, /** @type {number} */ ms) => void setTimeout(fn, ms) };

/**
 * A sentence a person can act on for anything that went wrong.
 * @param {unknown} error
 */
export function plainMessage(error) {
  if (typeof error === "string") return error; // already the page's own words
  if (!(error instanceof ApiError)) return MESSAGES.pageFailed(error instanceof Error ? error.message : String(error));
  if (error.status === 0) return error.message || MESSAGES.noAnswer;
  if (error.status === 413) return MESSAGES.tooLarge;
  if (error.status >= 500) return MESSAGES.serverFailed(error.status);
  return error.message;
}

/**
 * Why a parsed file cannot be a model exported from this page, or null when it may be.
 * @param {unknown} model
 */
export function notAModel(model) {
  if (typeof model !== "object" || model === null || Array.isArray(model)) return t("model.noSettings");
  const m = /** @type {Json} */ (model);
  if (typeof m.config !== "object" || m.config === null) return t("model.noConfig");
  if (!Array.isArray(m.weights) || !Array.isArray(m.biases)) return t("model.noWeights");
  return null;
}

/**
 * Custom data as a key, to tell whether they changed.
 * @param {string} problem
 * @param {number | undefined} classes
 * @param {PointSet} data
 */
export function dataKey(problem, classes, data) {
  return JSON.stringify([problem, problem === "multiclass" ? classes : null, data.points, data.labels.map(Number)]);
}

/**
 * The shape of a frame's network (its weights'), to tell whether thumbnails fit it.
 * @param {Json} frame
 */
function shapeKey(frame) {
  return JSON.stringify((frame.weights ?? []).map((/** @type {number[][]} */ w) => [w.length, w[0]?.length ?? 0]));
}

export class Controller {
  /**
   * @param {{api: Api, options: Options, settings: Settings,
   *          onChange: () => void, onSettings: (s: Settings) => void,
   *          hidden?: () => boolean, clock?: Clock, room?: {session: string} | null,
   *          onEnded?: () => void}} deps  hidden: the tab is hidden (default:
   *          document.hidden); clock: for the slow speeds and the class's polling (default:
   *          the real one); room: a student's session in a class, taken up instead of a new
   *          one; onEnded: the class ended (or the student was removed)
   */
  constructor({ api, options, settings, onChange, onSettings, hidden = () => document.hidden, clock = CLOCK, room = null, onEnded = () => {} }) {
    this.api = api;
    this.options = options;
    this.settings = settings;
    this.onChange = onChange;
    this.onSettings = onSettings;
    this.clock = clock;
    this.hidden = hidden;
    /** The student's session in a class, or null outside one. */
    this.roomSession = room?.session ?? null;
    /** What the page knows of its class (null outside one). */
    this.tracker = this.roomSession ? new RoomTracker() : null;
    this.onEnded = onEnded;
    /** A poll of the class's state is scheduled. */
    this.pollQueued = false;
    /** @type {Set<string>} the fields a lesson's step locks (lesson.js) */
    this.lessonLocks = new Set();
    api.inRoom = this.tracker !== null;
    /** @type {Json | null} */
    this.state = null;
    /** @type {Json | null} */
    this.frame = null;
    this.history = new LossHistory();
    /** @type {Json | null} */
    this.data = null;
    /** @type {string | null} an error to show (not divergence: that is in the state) */
    this.error = null;
    /** @type {number[] | null} the training points of the last one-batch step */
    this.batchPoints = null;
    /** @type {[number, number] | null} the neuron whose map is shown large */
    this.neuron = null;
    /** @type {{features: Record<string, string>, datasets: Record<string, Json>} | null} */
    this.previews = null;
    /** @type {string | null} why the server refused the person's data (its sentence), shown by the data tools */
    this.dataError = null;
    /** @type {string | null} the link's shared data were no longer on the server: its sentence */
    this.sharedGone = null;
    /** @type {PointSet & {taken: boolean}} points drawn and not sent yet (sent together in one request) */
    this.unsent = { points: [], labels: [], taken: false };
    /**
     * The session's points in the order the point routes index them, as they are after
     * the last edit answered (the data fetched, then the page's own additions and
     * removals); null when unknown (another change, until the next data fetched).
     * @type {PointSet | null}
     */
    this.known = null;
    /** @type {string | null} the custom data last shared (or loaded from the link), as a key */
    this.sharedKey = null;
    /** Counts changes of the custom data: a share waiting for an older one is dropped. */
    this.shareGeneration = 0;
    this.thumb = Number(options.limits.thumb[2]);
    /** When a step last asked for thumbnails (clock ms). */
    this.thumbsAt = -Infinity;
    /** The next step asks for thumbnails (after a change, or when the held ones do not fit). */
    this.thumbsWanted = true;
    /** The frame shown carries thumbnails of an earlier frame (or none). */
    this.thumbsOld = false;
    /** @type {Partial<Settings>} changes not yet sent to the server */
    this.pending = {};
    /** The config fields whose change means new data (the server's reset rule "data"). */
    this.dataFields = serverFields(options).filter((f) => f.reset === "data").map((f) => f.name);
    /** The fields whose change resets the network (rule "network" or "data"): they pause. */
    this.resetFields = new Set(serverFields(options).filter((f) => f.reset === "network" || f.reset === "data").map((f) => f.name));
    this.loop = new Loop({
      stepBody: () => stepRequest(this.settings.speed, this.options.limits),
      interval: () => stepInterval(this.settings.speed),
      now: clock.now,
      later: clock.later,
      sendStep: (body) =>
        this.api.step({ ...body, frame: true, since: this.history.next, thumb: this.thumb, neuron: this.neuron, thumbs: this.askThumbs() }),
      takeStep: (answer) => this.takeStep(answer),
      fetchData: () => this.fetchData(),
      fetchFrame: () => this.fetchFrame(),
      failed: (error) => this.fail(error),
      hidden,
      changed: () => {
        this.onChange();
        this.schedulePoll();
      },
    });
    api.onSessionReplaced = () => {
      this.thumbsWanted = true;
      this.history.clear();
      this.known = null;
      this.loop.wantData();
    };
    // A lost session with custom data: the new one takes these points back.
    api.customData = () => (this.known ? copyPoints(this.known) : null);
  }

  get playing() {
    return this.loop.playing;
  }

  /** Create the session for the current settings (in a class: take up the student's); data and frame follow. */
  start() {
    if (this.roomSession) {
      const id = this.roomSession;
      return this.act(() => this.api.openSession(id), { adoptSeed: true, data: true }).then(() => this.schedulePoll());
    }
    const adoptSeed = this.settings.seed === null;
    // `custom` is only a dataset once the session holds custom data: the new session
    // starts from the problem's default, then the link's shared data (if any) replace it.
    const link = this.settings.data_link ?? null;
    this.showSettings(withoutCustom({ ...this.settings, data_link: null }, this.options));
    if (!link) {
      return this.act(() => this.api.createSession({ config: toServerConfig(this.settings, this.options) }), {
        adoptSeed,
        data: true,
      });
    }
    return this.act(() => this.startWithShared(link), { adoptSeed, data: true });
  }

  /**
   * A new session with the shared data of a link (`#data=<id>`): their problem and
   * number of classes, then the data. When they are gone (404) the session keeps the
   * problem's default dataset and the page says so.
   * @param {string} id
   * @returns {Promise<Json>} the state
   */
  async startWithShared(id) {
    /** @type {Json | null} */
    let shared = null;
    try {
      shared = await this.api.sharedData(id);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      this.sharedGone = plainMessage(error);
    }
    if (shared) {
      /** @type {Settings} */
      const settings = { ...this.settings, problem: shared.problem };
      if (typeof shared.classes === "number" && "classes" in this.options.field) settings.classes = shared.classes;
      this.showSettings(withoutCustom(settings, this.options));
    }
    const state = await this.api.createSession({ config: toServerConfig(this.settings, this.options) });
    if (!shared) return state;
    const data = { points: shared.points, labels: shared.labels };
    this.sharedKey = dataKey(shared.problem, shared.classes, data);
    this.showSettings({ ...this.settings, data_link: id });
    return this.api.putData(data);
  }

  /**
   * A state from the server: settings follow its config; divergence pauses.
   * @param {Json} state
   * @param {{adoptSeed?: boolean}} [how]
   */
  adopt(state, how = {}) {
    const before = this.state;
    this.state = state;
    const event = this.tracker ? this.tracker.take(state.room) : null;
    // In a class the server's config is the truth, seed included.
    const adoptHow = this.tracker ? { ...how, adoptSeed: true } : how;
    if (event === "new activity") {
      // The server has reset the session to the teacher's setup: forget what the page
      // had (changes not sent, history, data, picture) and read it all again.
      this.pending = {};
      this.history.clear();
      this.batchPoints = null;
      this.thumbsWanted = true;
      this.loop.pause();
      this.loop.wantData();
      this.loop.wantFrame();
    } else if (before && state.epoch >= before.epoch) {
      // History points after the current epoch, or of a run that was reset, are stale.
      this.history.dropFrom(state.epoch);
    } else this.history.clear();
    if (event === "paused") this.loop.pause();
    // The server's config, with the changes the server has not heard of yet on top.
    this.showSettings({ ...fromServerConfig(this.settings, state.config, this.options, adoptHow), ...this.pending });
    if (state.status === "diverged") this.loop.pause();
    this.onChange();
    return event;
  }

  /** @param {Settings} settings */
  showSettings(settings) {
    if (JSON.stringify(settings) === JSON.stringify(this.settings)) return;
    this.settings = settings;
    this.onSettings(settings);
  }

  /**
   * Whether the step about to be sent asks for thumbnails (THUMBS_EVERY_MS).
   * @returns {boolean}
   */
  askThumbs() {
    const now = this.clock.now();
    const ask = !this.loop.playing || this.thumbsWanted || now - this.thumbsAt >= THUMBS_EVERY_MS;
    if (ask) {
      this.thumbsAt = now;
      this.thumbsWanted = false;
    }
    return ask;
  }

  /**
   * A frame asked for without thumbnails (features and neurons null) gets those of the
   * frame shown when they are of a network of the same shape; else the next step asks.
   * @param {Json} frame
   * @returns {Json}
   */
  withThumbs(frame) {
    if (frame.features !== null && frame.neurons !== null) {
      this.thumbsOld = false;
      return frame;
    }
    this.thumbsOld = true;
    const held = this.frame;
    if (held && held.features && held.neurons && shapeKey(held) === shapeKey(frame)) {
      return { ...frame, features: held.features, neurons: held.neurons };
    }
    this.thumbsWanted = true;
    return frame;
  }

  /** @param {Json} frame */
  adoptFrame(frame) {
    frame = this.withThumbs(frame);
    this.frame = frame;
    // Paused with thumbnails of an earlier network: the frame of this one, whole.
    if (this.thumbsOld && !this.loop.playing) this.loop.wantFrame();
    // A gap (the history was cut while this frame was on its way): fetch it whole.
    if (frame.history && !this.history.take(frame.history) && !this.loop.playing) this.loop.wantFrame();
    this.onChange();
  }

  /** @param {unknown} error */
  fail(error) {
    this.loop.pause();
    if (this.tracker && error instanceof ClassEnded) {
      // The class is over for this page: the room bar says so, nothing more is sent.
      if (!this.tracker.ended) {
        this.tracker.end();
        this.onEnded();
      }
      this.error = null;
    } else if (this.tracker && error instanceof ApiError && error.status === 409) {
      // A step while the teacher has paused the class: the room bar says so.
      this.tracker.refusedPaused();
      this.error = null;
      this.schedulePoll();
    } else {
      this.error = plainMessage(error);
      console.warn(error);
    }
    this.onChange();
  }

  /** The class has ended for this page (or it is outside a class: false). */
  get ended() {
    return this.tracker?.ended ?? false;
  }

  /** The fields the teacher locked (empty outside a class), and those a lesson's step locks. */
  get locked() {
    return new Set([...(this.tracker?.room?.locked ?? []), ...this.lessonLocks]);
  }

  /**
   * A lesson step's setup: its config (the server's names, a whole config) and the page's
   * own view settings, then a fresh network, paused. The step's locks come after.
   * @param {Json} config
   * @param {Record<string, boolean>} [view]
   */
  async applySetup(config, view = {}) {
    this.lessonLocks = new Set();
    this.pause();
    const next = { ...fromServerConfig(this.settings, config, this.options), ...view };
    /** @type {Partial<Settings>} */
    const change = {};
    for (const [name, value] of Object.entries(next)) {
      if (JSON.stringify(value) !== JSON.stringify(this.settings[name])) change[name] = value;
    }
    await this.change(change);
    await this.reset();
  }

  /**
   * In a class, while not playing: read the state every ROOM_POLL_MS, to learn of a
   * resume or a new activity (while playing, the step answers carry the room).
   */
  schedulePoll() {
    if (!this.tracker || this.tracker.ended || this.pollQueued || this.playing) return;
    this.pollQueued = true;
    this.clock.later(() => {
      this.pollQueued = false;
      this.poll();
    }, ROOM_POLL_MS);
  }

  /** One poll: taken only when nothing else is on its way (else the next one asks). */
  async poll() {
    if (!this.tracker || this.tracker.ended || this.playing) return;
    if (this.loop.wire === "idle" && this.state && !this.hidden()) {
      try {
        const state = await this.api.state();
        if (this.loop.wire === "idle" && !this.playing) this.takePolled(state);
      } catch (error) {
        if (error instanceof ClassEnded) this.fail(error);
        else console.warn("poll", error);
      }
    }
    this.schedulePoll();
  }

  /**
   * A polled state: taken when the class or the session changed.
   * @param {Json} state
   */
  takePolled(state) {
    const known = this.state;
    const same = known && JSON.stringify(known.room) === JSON.stringify(state.room) && known.epoch === state.epoch;
    if (same) return;
    const event = this.adopt(state);
    if (event === "new activity") return; // data and frame are on their way
    if (known && known.epoch !== state.epoch) this.loop.wantFrame();
  }

  dismissError() {
    this.error = null;
    this.onChange();
  }

  async fetchData() {
    this.data = await this.api.data();
    this.known = copyPoints(indexedPoints(this.data));
    this.customChanged();
    this.onChange();
  }

  /** A frame for what is on screen now (when paused). */
  async fetchFrame() {
    this.adoptFrame(await this.api.frame({ since: this.history.next, thumb: this.thumb, neuron: this.neuron }));
  }

  // -- playing -------------------------------------------------------------------------

  play() {
    if (this.ended) return;
    this.error = null;
    if (this.tracker) this.tracker.notice = "";
    this.loop.play();
  }

  pause() {
    this.loop.pause();
    if (this.thumbsOld) this.loop.wantFrame(); // the thumbnails of the network shown
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** One epoch, with its frame (the step button). */
  step() {
    this.loop.stepOnce();
  }

  /** One mini-batch, with its frame and the points it trained on (the batch button). */
  stepBatch() {
    this.loop.stepOnce("batch");
  }

  /** @param {Json} answer  a step's answer: state + epochs_run (+ batches_run, batch_points) + frame */
  takeStep(answer) {
    const { frame, epochs_run: _epochs, batches_run: _batches, batch_points: points, ...state } = answer;
    this.batchPoints = points ?? null;
    const event = this.adopt(state);
    // A new activity: the frame's history was asked from the old run's cursor.
    if (frame && event !== "new activity") this.adoptFrame(frame);
  }

  /** The page has drawn: a waiting answer is taken in and the next step may go. */
  drawn() {
    this.loop.drawn();
  }

  /** The tab was hidden or shown again: polling stops while hidden. */
  visibilityChanged() {
    this.loop.visibilityChanged();
    if (!this.hidden()) this.schedulePoll();
  }

  // -- actions -------------------------------------------------------------------------

  /**
   * An action on the session, sent when the wire is free (a step on its way is dropped).
   * @param {() => Promise<Json | null>} request  answers a state (null: nothing was sent)
   * @param {{adoptSeed?: boolean, data?: boolean, ownPoints?: boolean}} [how]  ownPoints:
   *        the request keeps `known` up to date itself
   * @param {string} [key]  see Loop.act
   */
  act(request, how = {}, key) {
    if (this.ended) return Promise.resolve();
    this.error = null;
    this.batchPoints = null;
    return this.loop.act(async () => {
      const before = this.state?.config;
      let state;
      try {
        state = await request();
      } catch (error) {
        // Show what the server really has (a refused change is undone on the page).
        if (this.state) this.showSettings({ ...fromServerConfig(this.settings, this.state.config, this.options), ...this.pending });
        throw error;
      }
      if (!state) return {};
      this.adopt(state, how);
      this.thumbsWanted = true;
      const data = how.data || !before || this.dataFields.some((k) => JSON.stringify(before[k]) !== JSON.stringify(state.config[k]));
      if (data && !how.ownPoints) this.known = null; // the points may have changed: fetched again
      return { data };
    }, key);
  }

  /** Reset the network; training pauses, so the fresh network can be looked at. */
  reset() {
    this.pause();
    return this.act(() => this.api.reset());
  }

  regenerate() {
    if (this.locked.has("seed")) return Promise.resolve();
    return this.act(() => this.api.regenerate(), { adoptSeed: true, data: true });
  }

  /**
   * Change settings at once on the page; the server hears about the config fields that
   * changed. Changes made while a PATCH is on its way are merged into the next one (a
   * dragged slider sends a few requests, not one per pixel).
   * @param {Partial<Settings>} change
   */
  change(change) {
    if (this.ended) return Promise.resolve();
    if (this.tracker || this.lessonLocks.size > 0) {
      // A locked field stays as the teacher (or the lesson) set it (its control is disabled anyway).
      const { kept, dropped } = withoutLocked(change, this.locked);
      if (dropped.length > 0) {
        this.error = ROOM.locked;
        this.onChange();
        if (Object.keys(kept).length === 0) return Promise.resolve();
      }
      change = kept;
    }
    // Another problem drops custom data: its remembered `custom` becomes the default.
    if ("problem" in change && change.problem !== this.settings.problem) {
      const next = withoutCustom({ ...this.settings, ...change }, this.options);
      change = { ...change, dataset: next.dataset };
    }
    // As the reference: a change that resets the network pauses training.
    if (Object.keys(change).some((name) => this.resetFields.has(name))) this.pause();
    this.pending = { ...this.pending, ...change };
    this.showSettings({ ...this.settings, ...change });
    this.onChange();
    if (Object.keys(this.patch()).length === 0) {
      this.pending = {}; // only the page's own settings (or nothing) changed
      return Promise.resolve();
    }
    return this.act(
      async () => {
        const patch = this.patch();
        this.pending = {};
        return Object.keys(patch).length > 0 ? this.api.patch(patch) : null;
      },
      {},
      "patch",
    );
  }

  /** The PATCH body for the changes not yet sent. */
  patch() {
    const known = this.state ? fromServerConfig(this.settings, this.state.config, this.options) : this.settings;
    return configChanges(known, { ...known, ...this.pending }, this.options);
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
    if (neuron && !this.playing) this.loop.wantFrame();
  }

  /** @param {Json} model  an exported model */
  loadModel(model) {
    if (this.tracker) {
      this.fail(ROOM.noNewSession);
      return Promise.resolve();
    }
    this.pause();
    this.history.clear();
    this.state = null;
    return this.act(() => this.api.createSession({ model }), { adoptSeed: true, data: true });
  }

  /**
   * A model file chosen by the person.
   * @param {Blob} file
   */
  async loadModelFile(file) {
    let model;
    try {
      model = JSON.parse(await file.text());
    } catch {
      this.fail(MESSAGES.notJson);
      return;
    }
    const why = notAModel(model);
    if (why) {
      this.fail(MESSAGES.notModel(why));
      return;
    }
    await this.loadModel(model);
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

  // -- explain a point; replay and resume (issue 14) -----------------------------------
  // Reads go straight to the Api (its queue keeps one request in flight, after any step on
  // its way); changes of the network go through act, so the state, frame and history follow.

  /**
   * One SGD step on a training point, explained (nothing changes).
   * @param {number} index  into GET data's `train`
   * @returns {Promise<Json>}
   */
  explainPoint(index) {
    return this.api.session("POST", "/explain", { index });
  }

  /**
   * Make the explained step on a training point.
   * @param {number} index
   * @returns {Promise<Json | null>} the explanation applied (null: refused, the banner says why)
   */
  async applyExplained(index) {
    /** @type {Json | null} */
    let out = null;
    await this.act(async () => {
      const answer = await this.api.session("POST", "/explain", { index, apply: true });
      out = answer;
      return answer.state ?? null;
    });
    return out;
  }

  /** @returns {Promise<Json>} {checkpoints: [{epoch, train_loss, test_loss}, …]} */
  checkpoints() {
    return this.api.session("GET", "/checkpoints");
  }

  /**
   * The frame of the network at a checkpoint (the session is not changed; its history is
   * not taken).
   * @param {number} epoch
   * @returns {Promise<Json>}
   */
  replayFrame(epoch) {
    const query = new URLSearchParams({ epoch: String(epoch), since: String(this.history.next), thumb: String(this.thumb) });
    if (this.neuron) query.set("neuron", this.neuron.join(","));
    return this.api.session("GET", `/frame?${query}`);
  }

  /**
   * Go back to the checkpoint at `epoch`: the epoch, history and network follow (the
   * history is fetched again, as after a reset).
   * @param {number} epoch
   */
  restore(epoch) {
    this.pause();
    return this.act(() => this.api.session("POST", "/restore", { epoch }));
  }

  // -- the person's own data ------------------------------------------------------------

  /**
   * Add points (drawn on the map). The network keeps training. Points added while a
   * request is waiting go with it: a drag sends a few requests, not one per point.
   * @param {number[][]} points
   * @param {number[]} labels
   * @returns {Promise<boolean>} the server took these points (false: refused or failed;
   *   the tools then forget them)
   */
  async addPoints(points, labels) {
    if (this.dataLocked()) return false;
    const batch = this.unsent;
    batch.points.push(...points);
    batch.labels.push(...labels);
    await this.dataAction(
      async () => {
        const body = this.unsent;
        this.unsent = { points: [], labels: [], taken: false };
        if (body.points.length === 0) return null;
        const state = await this.api.addPoints({ points: body.points, labels: body.labels });
        body.taken = true;
        // The server appends them (to the custom set, or to train then test).
        this.known?.points.push(...body.points);
        this.known?.labels.push(...body.labels);
        return state;
      },
      "points",
      { ownPoints: true },
    );
    return batch.taken;
  }

  /**
   * Remove points by their index in the custom order (or, before the data are custom,
   * in the order train then test). The network keeps training. A function choosing
   * them is asked when the request goes, with the points as every earlier edit left
   * them (a second removal queued before the data are fetched again still removes the
   * point it meant).
   * @param {PointPick} pick
   * @returns {Promise<boolean>} the server took it, or there was nothing to remove
   */
  removePoints(pick) {
    return this.dataAction(
      async () => {
        let known = this.known;
        if (!known) {
          known = copyPoints(indexedPoints(await this.api.data()));
          this.known = known;
        }
        const indices = typeof pick === "function" ? pick(copyPoints(known)) : pick;
        if (indices.length === 0) return null;
        const state = await this.api.removePoints(indices);
        if (this.known === known) {
          for (const i of [...new Set(indices)].sort((a, b) => b - a)) {
            known.points.splice(i, 1);
            known.labels.splice(i, 1);
          }
        }
        return state;
      },
      undefined,
      { ownPoints: true },
    );
  }

  /**
   * Replace the data (Clear: no points at all); the network is reset, so training pauses.
   * @param {PointSet} data
   */
  replaceData(data) {
    this.pause();
    return this.dataAction(
      async () => {
        const state = await this.api.putData(data);
        this.known = copyPoints(data);
        return state;
      },
      undefined,
      { ownPoints: true },
    );
  }

  /**
   * Replace the data with a CSV table (a file or a spreadsheet paste); a table the server
   * refuses leaves the data as they were and its sentence in `dataError`.
   * @param {string} text
   */
  uploadCsv(text) {
    this.pause();
    return this.dataAction(() => this.api.putCsv(text));
  }

  /** @returns {Promise<string | null>} the session as a Python script (null: failed, the banner says why) */
  async exportScript() {
    try {
      return await this.api.script();
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  /** @returns {Promise<string | null>} the data as CSV (null: failed, the banner says why) */
  async downloadCsv() {
    try {
      return await this.api.dataCsv();
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  dismissDataMessages() {
    this.dataError = null;
    this.sharedGone = null;
    this.onChange();
  }

  /**
   * An action on the data: the data are fetched afterwards; a refusal (422, 413) is the
   * data tools' to show (`dataError`), and training goes on.
   * @param {() => Promise<Json | null>} request  answers a state (null: nothing to send)
   * @param {string} [key]  see Loop.act
   * @param {{ownPoints?: boolean}} [how]  see act
   * @returns {Promise<boolean>} the server took it (false: refused, failed, or sent with
   *   an action of the same key queued earlier)
   */
  async dataAction(request, key, how = {}) {
    if (this.dataLocked()) return false;
    let taken = false;
    await this.act(
      async () => {
        try {
          const state = await request();
          this.dataError = null;
          taken = true;
          return state;
        } catch (error) {
          if (!(error instanceof ApiError) || (error.status !== 422 && error.status !== 413)) {
            this.known = null; // whether the server made the change is not known
            throw error;
          }
          this.dataError = plainMessage(error);
          this.onChange();
          return null;
        }
      },
      { data: true, ...how },
      key,
    );
    return taken;
  }

  /** The data cannot be changed here (the class ended, or its teacher locked them). */
  dataLocked() {
    if (this.ended) return true;
    if (!this.tracker || !this.locked.has("dataset")) return false;
    this.error = ROOM.locked;
    this.onChange();
    return true;
  }

  /**
   * New data from the server: when they are custom and differ from those last shared,
   * the link loses its `data=` (it would name older data) and, once they have stayed
   * unchanged for SHARE_AFTER_MS, a copy is kept on the server and the link names it.
   */
  customChanged() {
    const custom = this.data?.custom ?? null;
    const config = this.state?.config;
    if (!custom || !config || config.dataset !== CUSTOM_DATASET) {
      this.sharedKey = null;
      this.shareGeneration++;
      if (this.settings.data_link) this.showSettings({ ...this.settings, data_link: null });
      return;
    }
    const key = dataKey(config.problem, config.classes, custom);
    if (key === this.sharedKey) return; // the same data (a new split, a repeated fetch)
    this.sharedKey = key;
    const generation = ++this.shareGeneration;
    if (this.settings.data_link) this.showSettings({ ...this.settings, data_link: null });
    if (this.tracker) return; // in a class the page writes no link
    this.clock.later(() => {
      if (generation === this.shareGeneration) this.share(generation, config, custom);
    }, SHARE_AFTER_MS);
  }

  /**
   * Keep a copy of the custom data on the server; the link names it (unless the data
   * changed meanwhile).
   * @param {number} generation
   * @param {Json} config
   * @param {PointSet} custom
   */
  async share(generation, config, custom) {
    if (this.ended) return;
    try {
      const body = { problem: config.problem, points: custom.points, labels: custom.labels };
      const answer = await this.api.shareData(typeof config.classes === "number" ? { ...body, classes: config.classes } : body);
      if (generation === this.shareGeneration) this.showSettings({ ...this.settings, data_link: answer.id });
    } catch (error) {
      console.warn("share data", error);
    }
  }

  async loadPreviews() {
    try {
      const features = fieldWithControl(this.options, "features");
      const datasets = fieldWithControl(this.options, "datasets");
      const perProblem = Object.fromEntries(problemsOf(datasets).map((p) => [p, choicesOf(datasets, p)]));
      const classes = serverFields(this.options).find((f) => f.name === "classes");
      const [low, high] = [classes?.min ?? 0, classes?.max ?? -1];
      const counts = Array.from({ length: high - low + 1 }, (_, i) => low + i);
      this.previews = await this.api.previews(features.choices, perProblem, counts);
      this.onChange();
    } catch (error) {
      console.warn("previews", error);
    }
  }
}
