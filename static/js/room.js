// @ts-check
/**
 * A student in a class (docs/API.md, "Rooms"): the pure rules (codes, the saved entry,
 * goals and progress in words, which controls a locked field disables, what an answer's
 * `room` says has changed) and the room bar at the top of the playground.
 *
 * Everything a teacher or student typed (title, message, name) is set as text, never as
 * HTML.
 */

import { formatLoss } from "./format.js";
import { t } from "./i18n.js";
import { ROOM, metricText } from "./text.js";

/** @typedef {import("./options.js").Options} Options */
/** @typedef {Record<string, any>} Json */

/**
 * The `room` part of a student's session state.
 * @typedef {Object} RoomInfo
 * @property {string} code
 * @property {string} title
 * @property {string} student
 * @property {string} name
 * @property {number} version
 * @property {string[]} locked
 * @property {string} message
 * @property {Goal | null} goal
 * @property {{epoch: number, seconds: number} | null} goal_reached
 * @property {boolean} paused
 * @property {{field: string, value: any} | null} experiment
 * @property {{id: string, step: number, steps: number} | null} [lesson]  a lesson step as the activity
 */

/**
 * @typedef {Object} Goal
 * @property {string} metric     test_loss | train_loss | test_accuracy | train_accuracy
 * @property {number} [below]
 * @property {number} [at_least]
 * @property {string} [rank]     time | neurons
 */

/** What the browser keeps per class: `localStorage["np-room:CODE"]`. */
/** @typedef {{code: string, session: string, student: string, name: string}} Entry */

/** The letters and digits of a code (no look-alikes), and its length. */
export const ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679";
export const CODE_LENGTH = 6;
/** The most characters of a name (code points, as the server counts them). */
export const NAME_MAX = 40;

/**
 * What a person typed → the code ("k7q-r4m" → "K7QR4M"), or null when it cannot be one.
 * @param {string | null | undefined} text
 * @returns {string | null}
 */
export function normaliseCode(text) {
  const code = String(text ?? "").toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== CODE_LENGTH || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return code;
}

/**
 * "K7QR4M" → "K7Q-R4M", as the teacher shows it.
 * @param {string} code
 */
export function displayCode(code) {
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}

/**
 * A name's problem, in words, or null when it can be sent.
 * @param {string} name  already trimmed
 */
export function nameProblem(name) {
  const length = [...name].length;
  if (length === 0) return ROOM.nameEmpty;
  if (length > NAME_MAX) return ROOM.nameLong(NAME_MAX);
  return null;
}

/** @param {string} code */
export function storageKey(code) {
  return `np-room:${code}`;
}

/**
 * The saved entry of a class, or null (none, or not one this page wrote).
 * @param {Pick<Storage, "getItem">} storage
 * @param {string} code
 * @returns {Entry | null}
 */
export function readEntry(storage, code) {
  let entry;
  try {
    entry = JSON.parse(storage.getItem(storageKey(code)) ?? "null");
  } catch {
    return null;
  }
  if (!entry || typeof entry !== "object") return null;
  const texts = ["code", "session", "student", "name"].every((k) => typeof entry[k] === "string" && entry[k] !== "");
  return texts && entry.code === code ? entry : null;
}

/**
 * @param {Pick<Storage, "setItem">} storage
 * @param {Entry} entry
 */
export function writeEntry(storage, entry) {
  storage.setItem(storageKey(entry.code), JSON.stringify(entry));
}

/**
 * @param {Pick<Storage, "removeItem">} storage
 * @param {string} code
 */
export function removeEntry(storage, code) {
  storage.removeItem(storageKey(code));
}

/**
 * The class of the playground's address (`?room=CODE`): undefined without one, null when
 * the parameter is there but is no code.
 * @param {string} search  location.search
 * @returns {string | null | undefined}
 */
export function roomOfUrl(search) {
  const raw = new URLSearchParams(search).get("room");
  return raw === null ? undefined : normaliseCode(raw);
}

/**
 * A goal's threshold as a person reads it: a loss as written, an accuracy in per cent.
 * @param {string} metric
 * @param {number} x
 */
function threshold(metric, x) {
  return metric.endsWith("accuracy") ? `${Number((100 * x).toFixed(1))} %` : String(x);
}

/**
 * "Goal: test loss below 0.1", "Goal: test accuracy at least 95 %"; "" without a goal.
 * @param {Goal | null | undefined} goal
 */
export function goalText(goal) {
  if (!goal) return "";
  const metric = metricText(goal.metric);
  const text =
    goal.below !== undefined && goal.below !== null
      ? ROOM.goalBelow(metric, threshold(goal.metric, goal.below))
      : ROOM.goalAtLeast(metric, threshold(goal.metric, Number(goal.at_least)));
  return goal.rank === "neurons" ? `${text}, ${ROOM.rankNeurons}` : text;
}

/**
 * The student's progress towards the goal: the metric now, or when the server saw it
 * reached ("Goal reached at epoch 412 (38 s)"); "" without a goal.
 * @param {RoomInfo | null | undefined} room
 * @param {Json | null | undefined} state  the session's state (its losses and accuracies)
 */
export function progressText(room, state) {
  const goal = room?.goal;
  if (!goal) return "";
  const reached = room.goal_reached;
  if (reached) return ROOM.reached(reached.epoch.toLocaleString("en-US"), Math.round(reached.seconds));
  const metric = metricText(goal.metric);
  const value = state?.[goal.metric];
  if (typeof value !== "number") return ROOM.progress(metric, "–");
  return ROOM.progress(metric, goal.metric.endsWith("accuracy") ? `${(100 * value).toFixed(1)} %` : formatLoss(value));
}

/**
 * A lesson step as the class's activity, as the bar says it: "Lesson: <title> · step k of n".
 * @param {Json} lesson  room.lesson: {id, step, steps}
 * @param {Json | undefined} loaded  GET /api/lessons/{id} in the page's language (undefined: not yet read)
 */
export function lessonStepText(lesson, loaded) {
  return ROOM.lessonStep(String(loaded?.title ?? lesson.id), Number(lesson.step), Number(lesson.steps));
}

/**
 * Where the student stands on a lesson step: its check (the server's) met, or not yet.
 * @param {Json} room
 */
export function lessonProgress(room) {
  const reached = room.goal_reached;
  if (reached) return ROOM.reached(reached.epoch.toLocaleString("en-US"), Math.round(reached.seconds));
  return ROOM.lessonNotYet;
}

/**
 * A field's value as a person reads it (a choice's label, a list with commas).
 * @param {Options} options
 * @param {string} name
 * @param {any} value
 */
export function valueText(options, name, value) {
  const field = options.field[name];
  const label = (/** @type {any} */ v) => field?.choices.find((c) => c.name === v)?.label ?? String(v);
  if (Array.isArray(value)) return value.length === 0 ? t("room.none") : value.map(label).join(", ");
  return label(value);
}

/**
 * A field's label in a sentence ("learning rate").
 * @param {Options} options
 * @param {string} name
 */
export function fieldLabel(options, name) {
  const label = options.field[name]?.label ?? name.replace(/_/g, " ");
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/**
 * "Your value in the class experiment: learning rate 0.3"; "" outside an experiment.
 * @param {Options} options
 * @param {RoomInfo | null | undefined} room
 */
export function experimentText(options, room) {
  const ex = room?.experiment;
  if (!ex) return "";
  return ROOM.experiment(fieldLabel(options, ex.field), valueText(options, ex.field, ex.value));
}

/**
 * What the locked fields disable: the generic controls by field name, and the special
 * controls by their kind (datasets: the dataset buttons; features: the diagram's inputs;
 * layers: the layer and neuron buttons; seed: Regenerate, which draws a new seed).
 * @param {Iterable<string>} locked  field names
 * @param {Options} options
 * @returns {{fields: Set<string>, kinds: Set<string>, labels: string[]}}
 */
export function lockPlan(locked, options) {
  const fields = new Set(locked);
  /** @type {Set<string>} */
  const kinds = new Set();
  for (const name of fields) {
    const control = options.field[name]?.control;
    if (control) kinds.add(control);
  }
  const labels = options.fields.filter((f) => fields.has(f.name)).map((f) => fieldLabel(options, f.name));
  return { fields, kinds, labels };
}

/**
 * A change without the fields the teacher locked; `dropped` names those it had.
 * @param {Record<string, any>} change
 * @param {Set<string>} locked
 */
export function withoutLocked(change, locked) {
  /** @type {Record<string, any>} */
  const kept = {};
  /** @type {string[]} */
  const dropped = [];
  for (const [name, value] of Object.entries(change)) {
    if (locked.has(name)) dropped.push(name);
    else kept[name] = value;
  }
  return { kept, dropped };
}

/**
 * What an answer's `room` says happened since the last one.
 * @typedef {"first" | "new activity" | "paused" | "resumed" | null} RoomEvent
 */

/**
 * The page's knowledge of its class: the last `room` seen, its activity version, whether
 * the class is paused or has ended, and the last thing to announce. Pure.
 */
export class RoomTracker {
  constructor() {
    /** @type {RoomInfo | null} */
    this.room = null;
    /** @type {number | null} the activity version the page shows */
    this.version = null;
    this.paused = false;
    this.ended = false;
    /** A sentence about the last change (a new activity, a resume); "" for none. */
    this.notice = "";
  }

  /**
   * Take the `room` of an answer.
   * @param {RoomInfo | null | undefined} room
   * @returns {RoomEvent}
   */
  take(room) {
    if (!room || this.ended) return null;
    const first = this.version === null;
    const newActivity = !first && room.version !== this.version;
    const wasPaused = this.paused;
    this.room = room;
    this.version = room.version;
    this.paused = room.paused;
    if (first) return "first";
    if (newActivity) {
      this.notice = ROOM.newActivity;
      return "new activity";
    }
    if (room.paused && !wasPaused) return "paused";
    if (!room.paused && wasPaused) {
      this.notice = ROOM.resumed;
      return "resumed";
    }
    return null;
  }

  /** A step was refused because the teacher paused the class (409). */
  refusedPaused() {
    if (this.ended) return;
    this.paused = true;
    if (this.room) this.room = { ...this.room, paused: true };
  }

  /** The class ended, or the teacher removed this student (404). */
  end() {
    this.ended = true;
    this.paused = false;
    this.notice = "";
  }

  /** The room-bar line that says where the class stands, and its kind (for styling). */
  status() {
    if (this.ended) return { text: ROOM.ended, kind: "ended" };
    if (this.paused) return { text: ROOM.paused, kind: "paused" };
    if (this.notice) return { text: this.notice, kind: "notice" };
    return { text: "", kind: "" };
  }
}

/**
 * @typedef {Object} RoomBarView
 * @property {RoomTracker} tracker
 * @property {Json | null} state
 * @property {Options} options
 */

/** The bar at the top of the playground in a class. */
export class RoomBar {
  /**
   * @param {HTMLElement} root  the template's #room-bar
   * @param {(id: string) => Promise<Json>} [readLesson]  GET /api/lessons/{id} in the page's language
   * @param {() => void} [redraw]  after a lesson was read
   */
  constructor(root, readLesson, redraw = () => {}) {
    this.root = root;
    this.readLesson = readLesson;
    this.redraw = redraw;
    /** @type {Map<string, Json>} lessons read, by id */
    this.lessons = new Map();
    /** @type {Set<string>} lessons asked for */
    this.asked = new Set();
    /** @param {string} name */
    const part = (name) => /** @type {HTMLElement} */ (root.querySelector(`[data-room="${name}"]`));
    this.title = part("title");
    this.code = part("code");
    this.name = part("name");
    this.message = part("message");
    this.goal = part("goal");
    this.progress = part("progress");
    this.experiment = part("experiment");
    this.locked = part("locked");
    this.status = part("status");
    this.statusText = part("status-text");
    this.join = /** @type {HTMLAnchorElement} */ (part("join"));
    this.join.textContent = ROOM.joinLink;
    root.setAttribute("aria-label", ROOM.barLabel);
    root.hidden = false;
  }

  /** @param {RoomBarView} view */
  update({ tracker, state, options }) {
    const room = tracker.room;
    const ended = tracker.ended;
    set(this.title, room ? room.title || ROOM.classNamed(displayCode(room.code)) : "");
    set(this.code, room && room.title ? displayCode(room.code) : "");
    set(this.name, room ? ROOM.you(room.name) : "");
    const activity = room !== null && room.version > 0;
    const lesson = ended ? null : room?.lesson ?? null;
    const loaded = lesson ? this.lessonOf(String(lesson.id)) : undefined;
    const stepText = lesson ? String(loaded?.steps?.[Number(lesson.step) - 1]?.text ?? "") : "";
    const message = ended ? "" : room && !activity ? ROOM.noActivity : room?.message ?? "";
    set(this.message, [message, stepText].filter(Boolean).join("\n\n"));
    set(this.goal, ended ? "" : lesson ? lessonStepText(lesson, loaded) : goalText(room?.goal));
    set(this.progress, ended ? "" : lesson ? lessonProgress(/** @type {Json} */ (room)) : progressText(room, state));
    this.progress.classList.toggle("reached", Boolean(room?.goal_reached));
    set(this.experiment, ended ? "" : experimentText(options, room));
    const plan = lockPlan(room?.locked ?? [], options);
    set(this.locked, ended || plan.labels.length === 0 ? "" : ROOM.lockedList(plan.labels));
    const status = tracker.status();
    set(this.statusText, status.text);
    this.status.dataset.kind = status.kind;
    this.join.hidden = !ended;
    this.root.classList.toggle("ended", ended);
  }

  /**
   * The lesson of a lesson activity, once read (read once per page: its language's texts).
   * @param {string} id
   * @returns {Json | undefined}
   */
  lessonOf(id) {
    if (!this.asked.has(id) && this.readLesson) {
      this.asked.add(id);
      this.readLesson(id)
        .then((lesson) => {
          this.lessons.set(id, lesson);
          this.redraw();
        })
        .catch(() => this.asked.delete(id)); // asked again at the next update
    }
    return this.lessons.get(id);
  }
}

/**
 * Set an element's text (never HTML); an empty one is hidden.
 * @param {HTMLElement} el
 * @param {string} text
 */
function set(el, text) {
  if (el.textContent !== text) el.textContent = text;
  el.hidden = text === "";
}
