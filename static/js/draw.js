// @ts-check
/**
 * The person's own data: "Draw data" on the output map (click adds a point of the chosen
 * class or value, a drag paints several, right-click or the Remove tool deletes the
 * nearest point, Clear starts from nothing), the number of points, and the CSV tools
 * (datafile-ui.js). The map is the heat map's box; this module lays a canvas of its own
 * over it, which takes the pointer only while drawing and shows the points not yet
 * answered and the keyboard's cross.
 *
 * The pure parts (pixel → point, the nearest point, batching a drag) are exported for the
 * tests; the rest is a view with a constructor and `update(view)`.
 */

import { sharpContext } from "./canvas.js";
import { classCss, colorName, cssColor } from "./colors.js";
import { DataFileTools, el } from "./datafile-ui.js";
import { toPixel } from "./grid.js";
import { plural, t } from "./i18n.js";

/** Every word these tools show or say (issue 15 moves them into catalogs). */
export const DATA_TEXT = {
  get title() {
    return t("data.title");
  },
  get draw() {
    return t("data.draw");
  },
  get drawTitle() {
    return t("data.drawTitle");
  },
  get help() {
    return t("data.help");
  },
  get tool() {
    return t("data.tool");
  },
  get add() {
    return t("data.add");
  },
  get remove() {
    return t("data.remove");
  },
  get clear() {
    return t("data.clear");
  },
  get done() {
    return t("data.done");
  },
  get doneTitle() {
    return t("data.doneTitle");
  },
  get clearTitle() {
    return t("data.clearTitle");
  },
  get classLegend() {
    return t("data.classLegend");
  },
  get value() {
    return t("data.value");
  },
  get removed() {
    return t("data.removed");
  },
  get nothingNear() {
    return t("data.nothingNear");
  },
  get cleared() {
    return t("data.cleared");
  },
  get area() {
    return t("data.area");
  },
  get dismiss() {
    return t("data.dismiss");
  },
  get loaded() {
    return t("data.loaded");
  },
  get binary() {
    return [
      { label: -1, name: t("data.orange") },
      { label: 1, name: t("data.blue") },
    ];
  },
  classOf: (/** @type {number} */ k, /** @type {string} */ colour) => t("data.classOf", { k, colour }),
  count: (/** @type {number} */ n) => plural("data.count", n, { n: n.toLocaleString("en") }),
  added: (/** @type {number} */ n) => plural("data.added", n),
  gone: (/** @type {string} */ why) => t("data.gone", { why }),
};

/** How near (in CSS pixels) a click must be to a point to remove it. */
export const REMOVE_RADIUS_PX = 8;
/** A drag paints a new point every this many CSS pixels. */
export const PAINT_SPACING_PX = 12;
/** Points painted in a drag are sent together, at most once per this many ms. */
export const BATCH_MS = 100;
/** The keyboard's cross moves by this much (data units); with Shift, four times as far. */
export const KEY_STEP = 0.25;
/** How near (data units) the keyboard's cross must be to a point to remove it. */
export const KEY_REMOVE_RADIUS = 0.5;
/** Coordinates are kept to this many decimals (a clean CSV). */
const DECIMALS = 3;

/** @typedef {{points: number[][], labels: number[]}} PointSet */
/** @typedef {Record<string, any>} Json */

// -- pure parts ----------------------------------------------------------------------------

/**
 * @param {number} v
 * @param {number} lo
 * @param {number} hi
 */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** @param {number} v */
const round = (v) => {
  const r = Math.round(v * 10 ** DECIMALS) / 10 ** DECIMALS;
  return r === 0 ? 0 : r; // no −0
};

/**
 * A position in the map (CSS pixels from its top-left corner, the map `size` px square)
 * → the data point there: the map shows [−e, e]² with y up. Clamped to the square.
 * @param {number} px
 * @param {number} py
 * @param {number} size
 * @param {number} e  the extent
 * @returns {[number, number]}
 */
export function pixelToPoint(px, py, size, e) {
  const x = -e + (2 * e * px) / size;
  const y = e - (2 * e * py) / size;
  return [round(clamp(x, -e, e)), round(clamp(y, -e, e))];
}

/**
 * The index of the point nearest to `at` within `radius` (data units), or -1.
 * @param {number[][]} points
 * @param {number[]} at
 * @param {number} radius
 */
export function nearestPoint(points, at, radius) {
  let best = -1;
  let bestD = radius * radius;
  points.forEach(([x, y], i) => {
    const d = (x - at[0]) ** 2 + (y - at[1]) ** 2;
    if (d <= bestD && (best < 0 || d < bestD)) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/**
 * The points in the order the point routes index them: the custom set, or (before the
 * data are custom) the training points then the test points.
 * @param {Json | null} data  GET /data's answer
 * @returns {PointSet}
 */
export function indexedPoints(data) {
  if (!data) return { points: [], labels: [] };
  if (data.custom) return data.custom;
  return {
    points: [...(data.train?.points ?? []), ...(data.test?.points ?? [])],
    labels: [...(data.train?.labels ?? []), ...(data.test?.labels ?? [])],
  };
}

/**
 * Points gathered and sent together: the first point starts a timer of `every` ms, when
 * it fires everything gathered goes in one `send`; `flush` sends at once (a drag ended).
 */
export class DragBatcher {
  /**
   * @param {{send: (points: number[][], labels: number[]) => void,
   *          later: (fn: () => void, ms: number) => void, every?: number}} deps
   */
  constructor({ send, later, every = BATCH_MS }) {
    this.send = send;
    this.later = later;
    this.every = every;
    /** @type {PointSet} */
    this.gathered = { points: [], labels: [] };
    this.timer = false;
  }

  /**
   * @param {number[]} point
   * @param {number} label
   */
  push(point, label) {
    this.gathered.points.push(point);
    this.gathered.labels.push(label);
    if (this.timer) return;
    this.timer = true;
    this.later(() => {
      this.timer = false;
      this.flush();
    }, this.every);
  }

  flush() {
    const { points, labels } = this.gathered;
    if (points.length === 0) return;
    this.gathered = { points: [], labels: [] };
    this.send(points, labels);
  }
}

/**
 * The labels a new point may have: the two classes (−1, +1), or K classes (0 … K−1),
 * each with its name and colour; regression has a value instead (an empty list).
 * @param {string} problem
 * @param {number} classes  K
 * @returns {{label: number, name: string, color: string}[]}
 */
export function labelChoices(problem, classes) {
  if (problem === "multiclass") {
    return Array.from({ length: classes }, (_, k) => ({
      label: k,
      name: DATA_TEXT.classOf(k, colorName(k)),
      color: classCss(k),
    }));
  }
  if (problem === "regression") return [];
  return DATA_TEXT.binary.map((c) => ({ ...c, color: cssColor(c.label) }));
}

/**
 * A label's colour on the map.
 * @param {string} problem
 * @param {number} label
 */
export function labelColor(problem, label) {
  return problem === "multiclass" ? classCss(label) : cssColor(label);
}

/**
 * How many points the data hold.
 * @param {Json | null} data
 */
export function countPoints(data) {
  if (!data) return null;
  if (data.custom) return data.custom.points.length;
  return (data.train?.points.length ?? 0) + (data.test?.points.length ?? 0);
}

// -- the view ------------------------------------------------------------------------------

/**
 * What the page gives the data tools.
 * @typedef {Object} DataToolsView
 * @property {string} problem
 * @property {number} classes       K (multiclass)
 * @property {Json | null} data     GET /data's answer
 * @property {string | null} error  the server's sentence refusing data
 * @property {string | null} sharedGone  a link's shared data were no longer on the server: why
 * @property {boolean} disabled     a class locked the dataset, or it ended
 */

/**
 * What the tools ask of the page (the controller).
 * @typedef {Object} DataHooks
 * @property {(points: number[][], labels: number[]) => Promise<boolean>} add  true: taken
 *   (false: refused or failed, the points are forgotten)
 * @property {(pick: number[] | ((points: PointSet) => number[])) => Promise<boolean>} remove
 *   indices, or a function choosing them from the points as they are when the request
 *   goes (after every edit sent before it); true: taken (or nothing to remove)
 * @property {() => Promise<unknown>} clear
 * @property {(text: string) => Promise<boolean>} uploadCsv  true: taken
 * @property {() => Promise<string | null>} downloadCsv
 * @property {() => void} dismiss   the error and the notice are read
 * @property {() => void} changed   draw mode went on or off (the map shows test points too)
 * @property {(fn: () => void, ms: number) => void} [later]
 */

/**
 * Radio buttons in a fieldset (arrow keys move between them).
 * @param {string} legend
 * @param {string} name
 * @param {{value: string, text: string, color?: string}[]} items
 * @param {string} checked
 * @param {(value: string) => void} onPick
 */
function radioGroup(legend, name, items, checked, onPick) {
  const set = el("fieldset", { className: `draw-radios ${name}` }, [el("legend", {}, [legend])]);
  for (const item of items) {
    const input = el("input", { type: "radio", name, value: item.value, checked: item.value === checked });
    input.addEventListener("change", () => input.checked && onPick(item.value));
    const swatch = item.color ? [el("span", { className: "draw-swatch", "aria-hidden": "true", style: `background:${item.color}` })] : [];
    set.append(el("label", { className: "draw-radio" }, [input, ...swatch, item.text]));
  }
  return set;
}

export class DataTools {
  /**
   * @param {HTMLElement} root      the empty #data-tools section
   * @param {HTMLElement} mapBox    the heat map's box (its canvases fill it)
   * @param {number} extent         the square shown is [−extent, extent]²
   * @param {DataHooks} hooks
   */
  constructor(root, mapBox, extent, hooks) {
    this.root = root;
    this.mapBox = mapBox;
    this.extent = extent;
    this.hooks = hooks;
    this.drawing = false;
    /** @type {"add" | "remove"} */
    this.tool = "add";
    this.label = -1;
    this.value = 0.5;
    /** @type {DataToolsView | null} */
    this.view = null;
    this.pickerKey = "";
    /** @type {{point: number[], label: number, sent: boolean}[]} points drawn, not yet in the data */
    this.pending = [];
    /** @type {Json | null} */
    this.seenData = null;
    /** @type {number[] | null} the keyboard's cross (data units), while the map has the focus */
    this.cross = null;
    /** @type {{x: number, y: number, painted: number} | null} a drag in progress (pixels) */
    this.drag = null;
    this.batcher = new DragBatcher({
      send: (points, labels) => this.send(points, labels),
      later: hooks.later ?? ((fn, ms) => void setTimeout(fn, ms)),
    });

    const T = DATA_TEXT;
    this.toggle = el("button", { type: "button", className: "text-button draw-toggle", title: T.drawTitle, "aria-pressed": "false" }, [T.draw]);
    this.toggle.addEventListener("click", () => this.setDrawing(!this.drawing));
    this.count = el("output", { className: "data-count", "aria-live": "off" });
    this.clearButton = el("button", { type: "button", className: "text-button", title: T.clearTitle }, [T.clear]);
    this.clearButton.addEventListener("click", () => this.clear());

    // The tool and the class (or value), shown while drawing.
    const toolGroup = radioGroup(T.tool, "draw-tool", [
      { value: "add", text: T.add },
      { value: "remove", text: T.remove },
    ], "add", (v) => (this.tool = /** @type {"add" | "remove"} */ (v)));
    this.picker = el("fieldset", { className: "draw-classes" });
    const done = el("button", { type: "button", className: "text-button", title: T.doneTitle }, [T.done]);
    done.addEventListener("click", () => {
      this.setDrawing(false);
      this.toggle.focus();
    });
    this.panel = el("div", { className: "draw-panel", hidden: true }, [
      el("p", { className: "hint draw-help" }, [T.help]),
      toolGroup,
      this.picker,
      el("div", { className: "draw-actions" }, [this.clearButton, done]),
    ]);

    this.files = new DataFileTools({
      upload: (text) => this.upload(text),
      download: () => this.hooks.downloadCsv(),
      refuse: (sentence) => this.refuse(sentence),
    });
    /** @type {string | null} the page's own sentence refusing a file (shown until the next edit) */
    this.ownError = null;
    /** @type {string | null} the server's sentence last seen */
    this.seenError = null;

    this.alert = el("p", { className: "data-error", role: "alert" });
    this.noticeText = el("p");
    const dismiss = el("button", { type: "button", className: "text-button" }, [T.dismiss]);
    dismiss.addEventListener("click", () => this.hooks.dismiss());
    this.notice = el("div", { className: "data-notice", role: "status", hidden: true }, [this.noticeText, dismiss]);
    this.say = el("p", { className: "visually-hidden", role: "status", "aria-live": "polite" });

    this.root.append(
      el("h3", { className: "data-tools-title" }, [T.title]),
      this.notice,
      el("div", { className: "draw-row" }, [this.toggle, this.count]),
      this.panel,
      this.files.root,
      this.alert,
      this.say,
    );

    this.layer = el("canvas", { className: "draw-layer" });
    this.mapBox.append(this.layer);
    this.listen();
    new ResizeObserver(() => this.paint()).observe(this.mapBox);
  }

  /** The class picker (or the value slider) of the current problem. */
  buildPicker() {
    const v = this.view;
    if (!v) return;
    const choices = labelChoices(v.problem, v.classes);
    const T = DATA_TEXT;
    if (choices.length === 0) {
      const id = "draw-value";
      const slider = el("input", { type: "range", id, min: -1, max: 1, step: 0.1, value: String(this.value), "aria-label": T.value });
      const shown = el("output", { className: "draw-value", "for": id }, [this.value.toFixed(1)]);
      const swatch = el("span", { className: "draw-swatch", "aria-hidden": "true" });
      const paint = () => {
        this.value = Number(slider.value);
        shown.textContent = this.value.toFixed(1);
        swatch.style.background = cssColor(this.value);
      };
      slider.addEventListener("input", paint);
      paint();
      this.picker.replaceChildren(el("legend", {}, [T.value]), el("div", { className: "draw-value-row" }, [swatch, slider, shown]));
      return;
    }
    if (!choices.some((c) => c.label === this.label)) this.label = choices[0].label;
    const group = radioGroup(
      T.classLegend,
      "draw-class",
      choices.map((c) => ({ value: String(c.label), text: c.name, color: c.color })),
      String(this.label),
      (value) => (this.label = Number(value)),
    );
    this.picker.replaceChildren(...group.childNodes);
  }

  /** The label of a new point: the chosen class, or the chosen value (regression). */
  get newLabel() {
    return this.view?.problem === "regression" ? this.value : this.label;
  }

  /** @param {boolean} on */
  setDrawing(on) {
    this.drawing = on;
    this.toggle.setAttribute("aria-pressed", String(on));
    this.panel.hidden = !on;
    this.mapBox.classList.toggle("drawing", on);
    // Only while drawing is the map a place to type in (a tab stop with its keys named).
    if (on) {
      this.layer.tabIndex = 0;
      this.layer.setAttribute("role", "application");
      this.layer.setAttribute("aria-label", DATA_TEXT.area);
    } else {
      for (const name of ["tabindex", "role", "aria-label"]) this.layer.removeAttribute(name);
    }
    if (on) {
      // The map may be far from these tools (on a phone it is at the top of the page).
      const r = this.mapBox.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) this.mapBox.scrollIntoView({ block: "start", behavior: "smooth" });
    } else {
      this.drag = null;
      this.batcher.flush();
      this.cross = null;
    }
    this.paint();
    this.hooks.changed();
  }

  /** @param {DataToolsView} view */
  update(view) {
    this.view = view;
    const key = `${view.problem} ${view.classes}`;
    if (key !== this.pickerKey) {
      this.pickerKey = key;
      this.buildPicker();
    }
    if (view.data !== this.seenData) {
      this.seenData = view.data;
      // Points the server has taken are in these data now (fetched after their answer).
      const before = this.pending.length;
      this.pending = this.pending.filter((p) => !p.sent);
      if (this.pending.length !== before) this.paint();
    }
    const n = countPoints(view.data);
    const text = n === null ? "" : DATA_TEXT.count(n);
    if (this.count.textContent !== text) this.count.textContent = text;
    if (view.error !== this.seenError) {
      this.seenError = view.error;
      if (view.error) this.ownError = null; // the newest sentence is shown
    }
    this.showAlert();
    this.notice.hidden = !view.sharedGone;
    const gone = view.sharedGone ? DATA_TEXT.gone(view.sharedGone) : "";
    if (this.noticeText.textContent !== gone) this.noticeText.textContent = gone;
    for (const control of [this.toggle, this.clearButton, ...this.files.controls]) control.disabled = view.disabled;
    if (view.disabled && this.drawing) this.setDrawing(false);
  }

  /** The tools' alert: the page's own sentence, else the server's. */
  showAlert() {
    const text = this.ownError ?? this.view?.error ?? "";
    if (this.alert.textContent !== text) this.alert.textContent = text;
  }

  /**
   * The page refuses a file itself (too large to send): its sentence in the alert.
   * @param {string} sentence
   */
  refuse(sentence) {
    this.ownError = sentence;
    this.showAlert();
  }

  /** A new edit: the page's own refusal is old news. */
  forgetRefusal() {
    if (this.ownError === null) return;
    this.ownError = null;
    this.showAlert();
  }

  /** @param {string} text */
  announce(text) {
    // The same words twice are said twice: clear first.
    this.say.textContent = "";
    requestAnimationFrame(() => (this.say.textContent = text));
  }

  // -- the map -----------------------------------------------------------------------------

  listen() {
    const layer = this.layer;
    layer.addEventListener("pointerdown", (e) => {
      if (!this.drawing || e.button !== 0) return;
      e.preventDefault();
      const [px, py] = this.pixelOf(e);
      if (this.tool === "remove") {
        this.removeAt(px, py);
        return;
      }
      layer.setPointerCapture?.(e.pointerId);
      this.drag = { x: px, y: py, painted: 1 };
      this.addAt(px, py);
    });
    layer.addEventListener("pointermove", (e) => {
      if (!this.drag) return;
      const [px, py] = this.pixelOf(e);
      if (Math.hypot(px - this.drag.x, py - this.drag.y) < PAINT_SPACING_PX) return;
      this.drag = { x: px, y: py, painted: this.drag.painted + 1 };
      this.addAt(px, py);
    });
    const end = () => {
      if (!this.drag) return;
      const painted = this.drag.painted;
      this.drag = null;
      this.batcher.flush();
      this.announce(DATA_TEXT.added(painted));
    };
    layer.addEventListener("pointerup", end);
    layer.addEventListener("pointercancel", end);
    layer.addEventListener("contextmenu", (e) => {
      if (!this.drawing) return;
      e.preventDefault();
      const [px, py] = this.pixelOf(e);
      this.removeAt(px, py);
    });
    layer.addEventListener("focus", () => {
      this.cross = this.cross ?? [0, 0];
      this.paint();
    });
    layer.addEventListener("blur", () => {
      this.cross = null;
      this.paint();
    });
    layer.addEventListener("keydown", (e) => this.key(e));
  }

  /**
   * The keyboard on the map: arrows move the cross, Enter or Space adds a point there,
   * Delete or Backspace removes the nearest point.
   * @param {KeyboardEvent} e
   */
  key(e) {
    if (!this.drawing || e.ctrlKey || e.metaKey || e.altKey) return;
    const e_ = this.extent;
    const [x, y] = this.cross ?? [0, 0];
    const step = e.shiftKey ? 4 * KEY_STEP : KEY_STEP;
    const moves = /** @type {Record<string, [number, number]>} */ ({
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    });
    if (e.key in moves) {
      const [dx, dy] = moves[e.key];
      this.cross = [round(clamp(x + dx, -e_, e_)), round(clamp(y + dy, -e_, e_))];
      this.paint();
    } else if (e.key === "Enter" || e.key === " ") {
      this.addPoint([x, y]);
      this.batcher.flush();
      this.announce(DATA_TEXT.added(1));
    } else if (e.key === "Delete" || e.key === "Backspace") {
      this.removePoint([x, y], KEY_REMOVE_RADIUS);
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  /**
   * The pointer's position in the map, in CSS pixels from its top-left corner.
   * @param {MouseEvent} e
   * @returns {[number, number]}
   */
  pixelOf(e) {
    const r = this.layer.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  /** The map's side in CSS pixels. */
  get size() {
    return this.layer.getBoundingClientRect().width || this.mapBox.clientWidth || 1;
  }

  /**
   * @param {number} px
   * @param {number} py
   */
  addAt(px, py) {
    this.addPoint(pixelToPoint(px, py, this.size, this.extent));
    if (this.drag && this.drag.painted === 1) {
      // A click: its point goes at once (a drag's follow it in batches).
      this.batcher.flush();
    }
  }

  /** @param {number[]} point */
  addPoint(point) {
    const label = this.newLabel;
    this.pending.push({ point, label, sent: false });
    this.batcher.push(point, label);
    this.paint();
  }

  /**
   * Send points; once the server has taken them, the next data fetched hold them. Points
   * it refused (or that failed) are forgotten at once: the alert says why.
   * @param {number[][]} points
   * @param {number[]} labels
   */
  send(points, labels) {
    this.forgetRefusal();
    const mine = this.pending.filter((p) => !p.sent && points.includes(p.point));
    this.hooks
      .add(points, labels)
      .catch(() => false)
      .then((taken) => {
        if (taken) {
          for (const p of mine) p.sent = true;
          return;
        }
        this.pending = this.pending.filter((p) => !mine.includes(p));
        this.paint();
      });
  }

  /**
   * @param {number} px
   * @param {number} py
   */
  removeAt(px, py) {
    const at = pixelToPoint(px, py, this.size, this.extent);
    this.removePoint(at, (REMOVE_RADIUS_PX * 2 * this.extent) / this.size);
  }

  /**
   * Remove the point nearest to `at` within `radius` (data units).
   * @param {number[]} at
   * @param {number} radius
   */
  removePoint(at, radius) {
    this.forgetRefusal();
    // Chosen when the request goes: removals queued before the data are fetched again
    // must not use indices into the list they have already changed.
    let found = false;
    const pick = (/** @type {PointSet} */ known) => {
      const i = nearestPoint(known.points, at, radius);
      found = i >= 0;
      return found ? [i] : [];
    };
    this.hooks
      .remove(pick)
      .catch(() => false)
      .then((taken) => {
        if (!found) this.announce(DATA_TEXT.nothingNear);
        else if (taken) this.announce(DATA_TEXT.removed);
      });
  }

  clear() {
    this.forgetRefusal();
    this.pending = [];
    this.batcher.gathered = { points: [], labels: [] };
    this.hooks.clear();
    this.announce(DATA_TEXT.cleared);
    this.paint();
  }

  /** @param {string} text */
  async upload(text) {
    this.forgetRefusal();
    if (await this.hooks.uploadCsv(text)) this.announce(DATA_TEXT.loaded);
  }

  /** The layer: points not yet in the data, and the keyboard's cross. */
  paint() {
    const size = this.mapBox.clientWidth;
    const ctx = sharpContext(this.layer, size, size);
    const e = this.extent;
    const problem = this.view?.problem ?? "classification";
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#ffffff";
    for (const { point, label } of this.pending) {
      const [px, py] = toPixel(point[0], point[1], size, size, e);
      ctx.beginPath();
      ctx.arc(px, py, 3, 0, 2 * Math.PI);
      ctx.fillStyle = labelColor(problem, label);
      ctx.fill();
      ctx.stroke();
    }
    if (this.cross && this.drawing) {
      const [cx, cy] = toPixel(this.cross[0], this.cross[1], size, size, e);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#222222";
      ctx.beginPath();
      ctx.moveTo(cx - 9, cy);
      ctx.lineTo(cx + 9, cy);
      ctx.moveTo(cx, cy - 9);
      ctx.lineTo(cx, cy + 9);
      ctx.stroke();
      ctx.fillStyle = labelColor(problem, this.newLabel);
      ctx.beginPath();
      ctx.arc(cx, cy, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}
