// @ts-check
/**
 * The teacher's dashboard (/teach): a tile per student, sorting, the goal's leaderboard
 * and the class experiment's plot.
 *
 * The first part is pure (no DOM; tested in tests/js/dashboard.test.mjs): codes, names,
 * sorting, the leaderboard's rows, thumbnails, the parsing of the teacher's inputs and the
 * plot's scales. The views below it own their DOM and take the answer of
 * GET /api/rooms/{code}/students (docs/API.md, "Rooms (a class)") in `update`.
 * Names are the students' own text: they are only ever set as textContent.
 */

import { paintGrid } from "./canvas.js";
import { formatLoss } from "./format.js";
import { TEACH, formatSeconds } from "./teach-text.js";

/**
 * One student as GET /students lists it.
 * @typedef {Object} Student
 * @property {string} id
 * @property {number} number       joining order, 1 …: "Student 7" when names are hidden
 * @property {string} name
 * @property {number} epoch
 * @property {number | null} train_loss
 * @property {number | null} test_loss
 * @property {number | null} test_accuracy
 * @property {string} status        ready | diverged | gone
 * @property {number[]} layer_sizes
 * @property {number} [neurons]
 * @property {string | null} thumbnail  base64, thumb × thumb bytes
 * @property {number} thumb
 * @property {{epoch: number, seconds: number} | null} goal_reached_at
 * @property {any} [value]          the experiment value, or null
 * @property {number} [last_seen]
 */

/** @typedef {"join" | "name" | "loss" | "progress"} SortKey */
/** @typedef {Record<string, any>} Json */

export const SORT_KEYS = /** @type {SortKey[]} */ (["join", "name", "loss", "progress"]);

// -- pure ----------------------------------------------------------------------------------

/**
 * A room code as people read it: "K7QR4M" → "K7Q-R4M".
 * @param {string} code
 */
export function formatCode(code) {
  const c = code.replace(/[\s-]/g, "").toUpperCase();
  return c.length === 6 ? `${c.slice(0, 3)}-${c.slice(3)}` : c;
}

/**
 * The name shown for a student: their own, or "Student N" when names are hidden.
 * @param {Pick<Student, "name" | "number">} s
 * @param {boolean} hide
 */
export function displayName(s, hide) {
  return hide ? TEACH.student(s.number) : s.name;
}

/**
 * A number for sorting: finite numbers as they are, anything else after every number.
 * @param {number | null | undefined} v
 */
function orLast(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : Infinity;
}

/**
 * The students in the order asked for (a new array). Loss: lowest test loss first, a
 * diverged or departed student or one without a loss last. Progress: most epochs first.
 * Name: alphabetical (by number when names are hidden, so the order gives nothing away).
 * Ties keep the joining order.
 * @param {Student[]} students
 * @param {SortKey} key
 * @param {boolean} hide
 * @returns {Student[]}
 */
export function sortStudents(students, key, hide) {
  const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });
  /** @type {(a: Student, b: Student) => number} */
  let compare;
  if (key === "name" && !hide) compare = (a, b) => collator.compare(a.name, b.name);
  else if (key === "loss") {
    const loss = (/** @type {Student} */ s) => (s.status === "ready" ? orLast(s.test_loss) : Infinity);
    compare = (a, b) => {
      const [x, y] = [loss(a), loss(b)];
      return x === y ? 0 : x < y ? -1 : 1;
    };
  } else if (key === "progress") compare = (a, b) => (b.epoch ?? 0) - (a.epoch ?? 0);
  else compare = () => 0;
  return [...students].sort((a, b) => compare(a, b) || a.number - b.number);
}

/**
 * The leaderboard's rows: the server's ids, best first, with what to show of each.
 * Ids no longer among the students are skipped.
 * @param {string[]} ids
 * @param {Student[]} students
 * @param {boolean} hide
 * @returns {{rank: number, id: string, name: string, epoch: number | null, seconds: number | null, neurons: number | null}[]}
 */
export function leaderboardRows(ids, students, hide) {
  const byId = new Map(students.map((s) => [s.id, s]));
  return ids
    .map((id) => byId.get(id))
    .filter((s) => s !== undefined)
    .map((s, i) => ({
      rank: i + 1,
      id: s.id,
      name: displayName(s, hide),
      epoch: s.goal_reached_at?.epoch ?? null,
      seconds: s.goal_reached_at?.seconds ?? null,
      neurons: s.neurons ?? hiddenNeurons(s.layer_sizes),
    }));
}

/**
 * Hidden neurons of a network of these layer sizes (inputs and output not counted).
 * @param {number[] | undefined} sizes
 */
export function hiddenNeurons(sizes) {
  return (sizes ?? []).slice(1, -1).reduce((a, b) => a + b, 0);
}

/**
 * A network's shape in a few characters: [2, 8, 8, 1] → "2·8·8·1".
 * @param {number[] | undefined} sizes
 */
export function shapeText(sizes) {
  return sizes && sizes.length ? sizes.join("·") : "–";
}

/**
 * An accuracy as a percentage ("97 %"), "–" when there is none.
 * @param {number | null | undefined} a
 */
export function formatAccuracy(a) {
  return typeof a === "number" && Number.isFinite(a) ? `${Math.round(a * 100)} %` : "–";
}

/**
 * base64 → bytes (no DOM; atob exists in browsers and Node).
 * @param {string} b64
 */
function bytesOf(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * A student's thumbnail: `thumb` × `thumb` bytes → values v = byte / 127.5 − 1, row-major,
 * row 0 at the top. Null when it is missing, not base64 or not of that size.
 * @param {string | null | undefined} b64
 * @param {number} thumb
 * @returns {Float32Array | null}
 */
export function decodeThumbnail(b64, thumb) {
  const bytes = thumbnailBytes(b64, thumb);
  if (!bytes) return null;
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = bytes[i] / 127.5 - 1;
  return values;
}

/**
 * The thumbnail's bytes, or null (see decodeThumbnail).
 * @param {string | null | undefined} b64
 * @param {number} thumb
 * @returns {Uint8Array | null}
 */
export function thumbnailBytes(b64, thumb) {
  if (!b64 || !(thumb > 0)) return null;
  let bytes;
  try {
    bytes = bytesOf(b64);
  } catch {
    return null;
  }
  return bytes.length === thumb * thumb ? bytes : null;
}

/**
 * "8,8,8" → [8, 8, 8]; "" → [] (no hidden layer). Null when it is not at most `most`
 * whole numbers from `min` to `max`.
 * @param {string} text
 * @param {{min: number, max: number, most: number}} bounds
 * @returns {number[] | null}
 */
export function parseLayers(text, bounds) {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== "");
  if (parts.length > bounds.most) return null;
  const sizes = parts.map(Number);
  return sizes.every((n) => Number.isInteger(n) && n >= bounds.min && n <= bounds.max) ? sizes : null;
}

/**
 * The body's goal from the form: null without a metric. Losses are `below`, accuracies
 * `at_least`; `threshold` must be a finite number (else an Error with a sentence).
 * @param {string} metric   "" | test_loss | train_loss | test_accuracy | train_accuracy
 * @param {string} threshold
 * @param {string} rank     time | neurons
 * @returns {{metric: string, below?: number, at_least?: number, rank: string} | null}
 */
export function goalOf(metric, threshold, rank) {
  if (!metric) return null;
  const x = Number(threshold);
  if (threshold.trim() === "" || !Number.isFinite(x)) throw new Error(TEACH.thresholdBad);
  const bound = metric.endsWith("accuracy") ? { at_least: x } : { below: x };
  return { metric, ...bound, rank: rank || "time" };
}

/**
 * The experiment's values from the teacher's text, in the field's type: numbers for
 * number and integer fields, choice names, lists for layers and features (values then
 * separated by ";"), seeds as numbers when they are whole numbers. The server checks each
 * value; this only reads them. Throws an Error with a sentence.
 * @param {{kind: string, choices?: {name: string, label: string}[]}} field
 * @param {string} text
 * @returns {any[]}
 */
export function parseExperimentValues(field, text) {
  const list = field.kind === "layers" || field.kind === "features";
  const parts = text
    .split(list ? ";" : /[,;]/)
    .map((p) => p.trim())
    .filter((p) => p !== "" || field.kind === "layers");
  const trimmed = list && parts.at(-1) === "" ? parts.slice(0, -1) : parts;
  if (trimmed.length < 2 || trimmed.length > 40) throw new Error(TEACH.valuesCount);
  return trimmed.map((p) => {
    if (field.kind === "number" || field.kind === "integer") {
      const v = Number(p);
      if (!Number.isFinite(v) || p === "") throw new Error(TEACH.notNumber(p));
      return v;
    }
    if (field.kind === "layers") return p.split(/[\s,]+/).filter(Boolean).map(Number);
    if (field.kind === "features") return p.split(/[\s,]+/).filter(Boolean).map((f) => nameOf(field, f));
    if (field.kind === "choice") return nameOf(field, p);
    if (field.kind === "seed") return /^\d+$/.test(p) ? Number(p) : p;
    return p;
  });
}

/**
 * A choice's name from its name or its label (any case), or the text itself.
 * @param {{choices?: {name: string, label: string}[]}} field
 * @param {string} text
 */
function nameOf(field, text) {
  const t = text.toLowerCase();
  return field.choices?.find((c) => c.name.toLowerCase() === t || c.label.toLowerCase() === t)?.name ?? text;
}

/**
 * A value as the plot and tiles show it: numbers short, lists joined.
 * @param {any} v
 */
export function valueText(v) {
  if (v === null || v === undefined) return "–";
  if (Array.isArray(v)) return v.length ? v.join(",") : "none";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
  return String(v);
}

/** Fields whose values are rates spread over decades: their axis is logarithmic. */
const LOG_FIELDS = new Set(["learning_rate", "regularization_rate", "learning_rate_decay"]);

/**
 * How the experiment's values spread along the x axis (0 … 1):
 * "log" for positive rates (learning rate, or values over two decades), "linear" for
 * other numbers, "category" (evenly, in the teacher's order) for anything else.
 * @param {string} field
 * @param {any[]} values   the experiment's values
 * @returns {{kind: "log" | "linear" | "category", x: (v: any) => number | null}}
 */
export function experimentScale(field, values) {
  const numeric = values.length > 0 && values.every((v) => typeof v === "number" && Number.isFinite(v));
  if (!numeric) {
    const keys = [...new Set(values.map((v) => JSON.stringify(v)))];
    return {
      kind: "category",
      x: (v) => {
        const i = keys.indexOf(JSON.stringify(v));
        return i < 0 ? null : (i + 0.5) / keys.length;
      },
    };
  }
  const min = Math.min(...values);
  const max = Math.max(...values);
  const log = min > 0 && (LOG_FIELDS.has(field) || max / min >= 100);
  const f = log ? Math.log10 : (/** @type {number} */ v) => v;
  const [lo, hi] = [f(min), f(max)];
  return {
    kind: log ? "log" : "linear",
    x: (v) => {
      if (typeof v !== "number" || !Number.isFinite(v) || (log && v <= 0)) return null;
      return hi === lo ? 0.5 : (f(v) - lo) / (hi - lo);
    },
  };
}

/**
 * Where each student of the experiment sits on the plot, in the unit square (x right,
 * y up: 0 is a loss of 0, 1 the top of the axis, `top`, a rounded-up largest loss), and the
 * ticks along x (each distinct value the teacher gave). Students without a value or a
 * finite test loss are left out.
 * @param {Student[]} students
 * @param {{field: string, values: any[]}} experiment
 * @returns {{points: {id: string, number: number, x: number, y: number, value: any, loss: number}[],
 *            means: {x: number, y: number, value: any}[], ticks: {x: number, label: string}[], top: number, kind: string}}
 */
export function plotPoints(students, experiment) {
  const scale = experimentScale(experiment.field, experiment.values);
  const placed = students
    .filter((s) => s.status !== "gone" && s.value !== null && s.value !== undefined)
    .map((s) => ({ s, x: scale.x(s.value), loss: s.test_loss }))
    .filter((p) => p.x !== null && typeof p.loss === "number" && Number.isFinite(p.loss));
  const top = niceCeiling(Math.max(0, ...placed.map((p) => /** @type {number} */ (p.loss))));
  const points = placed.map(({ s, x, loss }) => ({
    id: s.id,
    number: s.number,
    x: /** @type {number} */ (x),
    y: /** @type {number} */ (loss) / top,
    value: s.value,
    loss: /** @type {number} */ (loss),
  }));
  /** @type {Map<string, {x: number, sum: number, n: number, value: any}>} */
  const groups = new Map();
  for (const p of points) {
    const key = JSON.stringify(p.value);
    const g = groups.get(key) ?? { x: p.x, sum: 0, n: 0, value: p.value };
    g.sum += p.y;
    g.n += 1;
    groups.set(key, g);
  }
  const means = [...groups.values()].map((g) => ({ x: g.x, y: g.sum / g.n, value: g.value }));
  const seen = new Set();
  const ticks = [];
  for (const v of experiment.values) {
    const key = JSON.stringify(v);
    const x = scale.x(v);
    if (seen.has(key) || x === null) continue;
    seen.add(key);
    ticks.push({ x, label: valueText(v) });
  }
  return { points, means, ticks, top, kind: scale.kind };
}

/**
 * A round number at or above v for the top of an axis: 1, 2 or 5 times a power of ten.
 * @param {number} v
 */
export function niceCeiling(v) {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

// -- views ---------------------------------------------------------------------------------

/**
 * @param {string} tag
 * @param {string} className
 * @param {string} [text]
 */
function el(tag, className, text) {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Set an element's text only when it changed (no layout work for the same text).
 * @param {Element} e
 * @param {string} text
 */
function setText(e, text) {
  if (e.textContent !== text) e.textContent = text;
}

/**
 * @typedef {Object} Tile
 * @property {HTMLButtonElement} root
 * @property {HTMLElement} name
 * @property {HTMLElement} rank
 * @property {HTMLCanvasElement} map
 * @property {HTMLElement} epoch
 * @property {HTMLElement} loss
 * @property {HTMLElement} accuracy
 * @property {HTMLElement} shape
 * @property {HTMLElement} value
 * @property {HTMLElement} status
 * @property {HTMLElement} goal
 * @property {string | null} painted
 */

/**
 * The tiles: one button per student; clicking one opens the spotlight.
 */
export class Dashboard {
  /**
   * @param {HTMLElement} root         the grid of tiles
   * @param {HTMLElement} empty        shown while nobody has joined
   * @param {(id: string) => void} onOpen
   */
  constructor(root, empty, onOpen) {
    this.root = root;
    this.empty = empty;
    this.onOpen = onOpen;
    /** @type {Map<string, Tile>} */
    this.tiles = new Map();
    this.order = "";
  }

  /**
   * @param {{students: Student[], sort: SortKey, hide: boolean, ranks: Map<string, number>}} view
   */
  update({ students, sort, hide, ranks }) {
    const sorted = sortStudents(students, sort, hide);
    const alive = new Set(sorted.map((s) => s.id));
    for (const [id, tile] of this.tiles) {
      if (!alive.has(id)) {
        tile.root.remove();
        this.tiles.delete(id);
      }
    }
    for (const s of sorted) this.fill(this.tiles.get(s.id) ?? this.create(s.id), s, hide, ranks.get(s.id));
    const order = sorted.map((s) => s.id).join(" ");
    if (order !== this.order) {
      this.order = order;
      // append moves a tile that is already there: the DOM follows the sorted order.
      for (const s of sorted) this.root.append(/** @type {Tile} */ (this.tiles.get(s.id)).root);
    }
    this.empty.hidden = students.length > 0;
    this.root.dataset.count = String(students.length);
  }

  /** @param {string} id */
  create(id) {
    const root = /** @type {HTMLButtonElement} */ (el("button", "tile"));
    root.type = "button";
    root.dataset.student = id;
    root.addEventListener("click", () => this.onOpen(id));
    const head = el("span", "tile-head");
    const name = el("span", "tile-name");
    const rank = el("span", "tile-rank");
    head.append(name, rank);
    const map = /** @type {HTMLCanvasElement} */ (el("canvas", "tile-map"));
    map.setAttribute("aria-hidden", "true");
    const stats = el("span", "tile-stats");
    const stat = (/** @type {string} */ label, /** @type {string} */ cls) => {
      const row = el("span", `tile-stat ${cls}`);
      const value = el("span", "tile-v");
      row.append(el("span", "tile-k", label), value);
      stats.append(row);
      return value;
    };
    const epoch = stat(TEACH.epoch, "t-epoch");
    const loss = stat(TEACH.testLoss, "t-loss");
    const accuracy = stat(TEACH.accuracy, "t-accuracy");
    const shape = stat(TEACH.shape, "t-shape");
    const value = stat(TEACH.value, "t-value");
    const status = el("span", "tile-status");
    const goal = el("span", "tile-goal");
    root.append(head, map, stats, status, goal);
    /** @type {Tile} */
    const tile = { root, name, rank, map, epoch, loss, accuracy, shape, value, status, goal, painted: null };
    this.tiles.set(id, tile);
    this.root.append(root);
    return tile;
  }

  /**
   * @param {Tile} t
   * @param {Student} s
   * @param {boolean} hide
   * @param {number | undefined} rank
   */
  fill(t, s, hide, rank) {
    const name = displayName(s, hide);
    setText(t.name, name);
    t.root.setAttribute("aria-label", TEACH.tileLabel(name));
    setText(t.rank, rank ? `#${rank}` : "");
    setText(t.epoch, String(s.epoch ?? 0));
    setText(t.loss, formatLoss(s.test_loss));
    setText(t.accuracy, formatAccuracy(s.test_accuracy));
    setText(t.shape, shapeText(s.layer_sizes));
    const hasValue = s.value !== null && s.value !== undefined;
    setText(t.value, hasValue ? valueText(s.value) : "");
    /** @type {HTMLElement} */ (t.value.parentElement).hidden = !hasValue;
    t.accuracy.parentElement?.toggleAttribute("hidden", s.test_accuracy === null || s.test_accuracy === undefined);
    setText(t.status, TEACH.status[s.status] ?? s.status);
    t.status.hidden = !t.status.textContent;
    const reached = s.goal_reached_at;
    setText(t.goal, reached ? `✓ ${TEACH.reached(reached.epoch, reached.seconds)}` : "");
    t.goal.hidden = !reached;
    t.root.classList.toggle("diverged", s.status === "diverged");
    t.root.classList.toggle("gone", s.status === "gone");
    t.root.classList.toggle("reached", Boolean(reached));
    t.root.dataset.epoch = String(s.epoch ?? 0);
    if (s.thumbnail && s.thumbnail !== t.painted) {
      const bytes = thumbnailBytes(s.thumbnail, s.thumb);
      if (bytes) paintGrid(t.map, bytes, s.thumb, false);
      t.painted = s.thumbnail;
    }
  }
}

/**
 * The leaderboard: the students who reached the goal, best first (the server's order).
 */
export class Leaderboard {
  /**
   * @param {HTMLOListElement} list
   * @param {HTMLElement} note   "nobody yet" / "no goal"
   */
  constructor(list, note) {
    this.list = list;
    this.note = note;
    this.key = "";
  }

  /**
   * @param {{rows: ReturnType<typeof leaderboardRows>, goal: Json | null}} view
   */
  update({ rows, goal }) {
    const byNeurons = goal?.rank === "neurons";
    const key = JSON.stringify([rows, byNeurons, Boolean(goal)]);
    if (key === this.key) return;
    this.key = key;
    this.list.replaceChildren(
      ...rows.map((r) => {
        const li = el("li", "lb-row");
        li.dataset.student = r.id;
        const detail = [
          byNeurons && r.neurons !== null ? TEACH.neurons(r.neurons) : "",
          r.epoch !== null ? TEACH.epochN(r.epoch) : "",
          r.seconds !== null ? formatSeconds(r.seconds) : "",
        ].filter(Boolean);
        li.append(el("span", "lb-rank", String(r.rank)), el("span", "lb-name", r.name), el("span", "lb-detail", detail.join(" · ")));
        return li;
      }),
    );
    this.note.textContent = goal ? (rows.length ? "" : TEACH.leaderboardEmpty) : TEACH.noGoalSet;
    this.note.hidden = !this.note.textContent;
  }
}

const SVG = "http://www.w3.org/2000/svg";
const W = 640;
const H = 280;
const PAD = { left: 56, right: 16, top: 14, bottom: 44 };
/** The part of the x axis left free at each end (a fraction of its length). */
const X_INSET = 0.05;

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The class experiment: each student's final test loss against their value (an SVG that
 * scales with its box; a log axis for rates).
 */
export class ExperimentPlot {
  /**
   * @param {HTMLElement} root
   * @param {HTMLElement} caption
   */
  constructor(root, caption) {
    this.root = root;
    this.caption = caption;
    this.svg = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "exp-svg", role: "img" });
    root.append(this.svg);
    this.key = "";
  }

  /**
   * @param {{students: Student[], experiment: {field: string, values: any[]} | null, label: string, hide: boolean}} view
   */
  update({ students, experiment, label, hide }) {
    this.root.hidden = !experiment;
    if (!experiment) {
      setText(this.caption, TEACH.experimentNone);
      this.key = "";
      return;
    }
    setText(this.caption, TEACH.experimentOn(label, experiment.values.map(valueText).join(", ")));
    const plot = plotPoints(students, experiment);
    const key = JSON.stringify([plot, hide, label]);
    if (key === this.key) return;
    this.key = key;
    const iw = W - PAD.left - PAD.right;
    const ih = H - PAD.top - PAD.bottom;
    // The first and last values sit a little inside the frame, so their marks (and the
    // mean's bar) cover neither the y axis nor the frame's right edge.
    const px = (/** @type {number} */ x) => PAD.left + (X_INSET + x * (1 - 2 * X_INSET)) * iw;
    const py = (/** @type {number} */ y) => PAD.top + (1 - y) * ih;
    /** @type {SVGElement[]} */
    const parts = [];
    parts.push(svg("rect", { x: PAD.left, y: PAD.top, width: iw, height: ih, class: "exp-frame" }));
    for (const f of [0, 0.5, 1]) {
      parts.push(svg("line", { x1: PAD.left, x2: PAD.left + iw, y1: py(f), y2: py(f), class: "exp-grid" }));
      parts.push(svg("text", { x: PAD.left - 6, y: py(f) + 4, class: "exp-tick", "text-anchor": "end" }, formatLoss(f * plot.top)));
    }
    const every = Math.max(1, Math.ceil(plot.ticks.length / 10));
    plot.ticks.forEach((t, i) => {
      parts.push(svg("line", { x1: px(t.x), x2: px(t.x), y1: PAD.top + ih, y2: PAD.top + ih + 5, class: "exp-axis" }));
      if (i % every === 0) parts.push(svg("text", { x: px(t.x), y: PAD.top + ih + 19, class: "exp-tick", "text-anchor": "middle" }, t.label));
    });
    const axis = plot.kind === "log" ? TEACH.logScale(label) : label;
    parts.push(svg("text", { x: PAD.left + iw / 2, y: H - 6, class: "exp-label", "text-anchor": "middle" }, axis));
    parts.push(svg("text", { x: 12, y: PAD.top + ih / 2, class: "exp-label", "text-anchor": "middle", transform: `rotate(-90 12 ${PAD.top + ih / 2})` }, TEACH.experimentAxis));
    for (const m of plot.means) {
      parts.push(svg("line", { x1: px(m.x) - 14, x2: px(m.x) + 14, y1: py(m.y), y2: py(m.y), class: "exp-mean" }));
    }
    // Students with the same value sit side by side, a little apart, so none hides another.
    /** @type {Map<number, number>} */
    const stacked = new Map();
    for (const p of plot.points) {
      const k = Math.round(p.x * 1000);
      const n = stacked.get(k) ?? 0;
      stacked.set(k, n + 1);
      const dx = (n % 2 ? 1 : -1) * Math.ceil(n / 2) * 5;
      const dot = svg("circle", { cx: px(p.x) + dx, cy: py(p.y), r: 6, class: "exp-dot" });
      dot.dataset.student = p.id;
      const name = students.find((s) => s.id === p.id);
      dot.append(svg("title", {}, `${name ? displayName(name, hide) : ""}: ${valueText(p.value)} → ${formatLoss(p.loss)}`));
      parts.push(dot);
    }
    if (plot.points.length === 0) {
      parts.push(svg("text", { x: PAD.left + iw / 2, y: PAD.top + ih / 2, class: "exp-label", "text-anchor": "middle" }, TEACH.experimentEmpty));
    }
    this.svg.replaceChildren(...parts);
    this.svg.setAttribute("aria-label", `${TEACH.experimentAxis} / ${axis}: ${plot.points.length}`);
    this.root.dataset.points = String(plot.points.length);
  }
}
