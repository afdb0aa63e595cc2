// @ts-check
/**
 * The lesson panel: a list of lessons (GET /api/lessons), then one lesson a step at a
 * time — its title, progress, text, hints revealed on demand, the check's conditions as
 * the server measures them on this session (green when met), Previous and Next. Entering
 * a step applies its setup (config, view and locks) through the page's controller.
 *
 * Every text is set as text, never as HTML. The panel's own few words come from the
 * catalogs (i18n.js); the lessons come from the server in the page's language (`lang`). The check is asked for when the session's state changes, at most once per
 * CHECK_EVERY_MS, one request at a time.
 */

/** @typedef {Record<string, any>} Json */
/** @typedef {"en" | "zh"} Lang */

import { t } from "./i18n.js";

/** How often the check may be asked for, at most (ms). */
export const CHECK_EVERY_MS = 1000;

/** The panel's own words, in the page's language (the catalog's `lesson.*`). */
export const TEXT = {
  get lessons() {
    return t("lesson.lessons");
  },
  get choose() {
    return t("lesson.choose");
  },
  get check() {
    return t("lesson.check");
  },
  get met() {
    return t("lesson.met");
  },
  get notYet() {
    return t("lesson.notYet");
  },
  get cannotNote() {
    return t("lesson.cannotNote");
  },
  get cannotHeld() {
    return t("lesson.cannotHeld");
  },
  get cannotMet() {
    return t("lesson.cannotMet");
  },
  get noCheck() {
    return t("lesson.noCheck");
  },
  get hint() {
    return t("lesson.hint");
  },
  get noMoreHints() {
    return t("lesson.noMoreHints");
  },
  get hintsTitle() {
    return t("lesson.hintsTitle");
  },
  get previous() {
    return t("lesson.previous");
  },
  get next() {
    return t("lesson.next");
  },
  get close() {
    return t("lesson.close");
  },
  get all() {
    return t("lesson.all");
  },
  get worksheet() {
    return t("lesson.worksheet");
  },
  get questions() {
    return t("lesson.questions");
  },
  get yes() {
    return t("lesson.yes");
  },
  get no() {
    return t("lesson.no");
  },
  steps: (/** @type {number} */ n) => t("lesson.steps", { n }),
  progress: (/** @type {number} */ k, /** @type {number} */ n) => t("lesson.progress", { k, n }),
  measured: (/** @type {string} */ v) => t("lesson.measured", { v }),
  epochs: (/** @type {number} */ n) => t("lesson.epochs", { n }),
  loadFailed: (/** @type {string} */ why) => t("lesson.loadFailed", { why }),
};

/**
 * A step number from the hash (1 … count; anything else: 1).
 * @param {string | undefined} raw
 * @param {number} count
 */
export function stepOf(raw, count) {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= count ? n : 1;
}

/**
 * The step whose setup is in force at step `index` (0-based): the last one at or before
 * it with a config (null when none has).
 * @param {Json[]} steps
 * @param {number} index
 * @returns {Json | null}
 */
export function setupStep(steps, index) {
  for (let i = index; i >= 0; i--) if (steps[i]?.config) return steps[i];
  return null;
}

/**
 * A measured value as a person reads it.
 * @param {unknown} value
 */
export function shown(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "boolean") return value ? TEXT.yes : TEXT.no;
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return String(value);
}

/**
 * What the check's summary line says.
 * @param {Json | null} result  the check route's answer (null: not asked yet)
 * @param {string} claim  "can" | "cannot"
 */
export function verdict(result, claim) {
  if (claim === "cannot") return result?.met ? TEXT.cannotMet : TEXT.cannotHeld;
  return result?.met ? TEXT.met : TEXT.notYet;
}

/**
 * @param {string} tag
 * @param {{className?: string, text?: string, attrs?: Record<string, string>}} [how]
 * @param {(Node | string)[]} [children]
 */
function make(tag, how = {}, children = []) {
  const node = document.createElement(tag);
  if (how.className) node.className = how.className;
  if (how.text !== undefined) node.textContent = how.text;
  for (const [k, v] of Object.entries(how.attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/**
 * Text with blank lines → paragraphs (as text).
 * @param {string} text
 */
function paragraphs(text) {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => make("p", { text: p }));
}

/**
 * @typedef {Object} LessonDeps
 * @property {(path: string) => Promise<any>} get        a GET of the API (through the page's queue)
 * @property {(lesson: string, step: number, lang: Lang) => Promise<Json>} check  the step's check on this session
 * @property {(config: Json, view: Record<string, boolean>) => Promise<void>} apply  a step's setup (fresh network)
 * @property {(fields: string[]) => void} lock            the fields locked by the step ([]: none)
 * @property {(link: {lesson: string, step: number, lang: Lang} | null) => void} linked  the hash should say this
 * @property {() => void} changed                         redraw
 * @property {() => number} now
 * @property {(fn: () => void, ms: number) => void} later
 */

export class LessonPanel {
  /**
   * @param {{root: HTMLElement, button: HTMLButtonElement}} elements
   * @param {Lang} lang
   * @param {LessonDeps} deps
   */
  constructor({ root, button }, lang, deps) {
    this.root = root;
    this.button = button;
    this.lang = lang;
    this.deps = deps;
    /** @type {Json | null} the lesson shown (its language's texts) */
    this.lesson = null;
    /** 0-based */
    this.index = 0;
    /** @type {Json | null} the last check answer of the current step */
    this.result = null;
    this.hintsShown = 0;
    /** What the last check was asked for (state key); a new one is needed when it differs. */
    this.checkedKey = "";
    this.stateKey = "";
    this.lastCheck = -Infinity;
    this.checking = false;
    this.timerSet = false;
    /** Counts step changes: an answer for an older step is dropped. */
    this.generation = 0;
    /** The setups being applied, one after another (a quick Next then Previous ends on Previous's). */
    /** @type {Promise<unknown>} */
    this.applying = Promise.resolve();
    root.lang = lang === "zh" ? "zh-Hans" : "en";
    button.textContent = TEXT.lessons;
    button.setAttribute("aria-controls", root.id);
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => (this.root.hidden || this.lesson ? this.showList() : this.hide()));
  }

  get t() {
    return TEXT;
  }

  /** The list of lessons to choose from. */
  async showList() {
    this.root.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    let list = /** @type {Json[]} */ ([]);
    try {
      list = await this.deps.get(`/api/lessons?lang=${this.lang}`);
    } catch (error) {
      this.root.replaceChildren(make("p", { className: "lesson-error", text: this.t.loadFailed(String(error instanceof Error ? error.message : error)) }));
      return;
    }
    const items = list.map((l) => {
      const open = make("button", { className: "lesson-choice", attrs: { type: "button", "data-lesson": l.id } }, [
        make("strong", { text: l.title }),
        make("span", { className: "lesson-choice-summary", text: l.summary }),
        make("span", { className: "lesson-choice-steps", text: this.t.steps(l.steps) }),
      ]);
      open.addEventListener("click", () => this.open(l.id, 1));
      return make("li", {}, [open]);
    });
    const close = this.closeButton();
    this.root.replaceChildren(
      make("div", { className: "lesson-head" }, [make("h2", { text: this.t.choose, attrs: { id: "lesson-title" } }), close]),
      make("ul", { className: "lesson-list" }, items),
    );
    this.leaveLesson();
    this.root.querySelector("button.lesson-choice")?.scrollIntoView?.({ block: "nearest" });
  }

  closeButton() {
    const close = make("button", { className: "lesson-close", text: "×", attrs: { type: "button", "aria-label": this.t.close, title: this.t.close } });
    close.addEventListener("click", () => this.hide());
    return close;
  }

  /** Close the panel: no lesson, no locks. */
  hide() {
    this.root.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    this.leaveLesson();
    this.deps.changed();
  }

  leaveLesson() {
    if (!this.lesson) return;
    this.lesson = null;
    this.generation++;
    this.deps.lock([]);
    this.deps.linked(null);
  }

  /**
   * Open a lesson at a step (1-based); its setup is applied.
   * @param {string} id
   * @param {number} step
   */
  async open(id, step) {
    this.root.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    try {
      this.lesson = await this.deps.get(`/api/lessons/${encodeURIComponent(id)}?lang=${this.lang}`);
    } catch (error) {
      this.lesson = null;
      this.root.replaceChildren(
        make("div", { className: "lesson-head" }, [make("h2", { text: this.t.lessons, attrs: { id: "lesson-title" } }), this.closeButton()]),
        make("p", { className: "lesson-error", attrs: { role: "alert" }, text: this.t.loadFailed(String(error instanceof Error ? error.message : error)) }),
      );
      return;
    }
    const steps = /** @type {Json[]} */ (this.lesson?.steps ?? []);
    await this.enter(stepOf(String(step), steps.length) - 1, true);
  }

  /**
   * Enter the step at `index` (0-based): its setup (when it has one, or when the lesson
   * is opened there: the setup in force), its locks, a fresh check.
   * @param {number} index
   * @param {boolean} [opening]
   */
  async enter(index, opening = false) {
    if (!this.lesson) return;
    const steps = /** @type {Json[]} */ (this.lesson.steps);
    const lessonId = this.lesson.id;
    this.index = index;
    const generation = ++this.generation;
    this.result = null;
    this.hintsShown = 0;
    this.checkedKey = "";
    const step = steps[index];
    this.render();
    const setup = step.config ? step : opening ? setupStep(steps, index) : null;
    this.deps.lock([]);
    if (setup) {
      const run = this.applying.then(() => this.deps.apply(setup.config, setup.view ?? {}));
      this.applying = run.catch(() => {});
      try {
        await run;
      } catch {
        return; // refused: the page's banner says why; the step stays without its locks
      }
    }
    // Closed, or moved to another step, while this one was being set up: that one decides.
    if (generation !== this.generation || !this.lesson) return;
    this.deps.lock(step.lock ?? []);
    this.deps.linked({ lesson: lessonId, step: index + 1, lang: this.lang });
    this.deps.changed();
    this.askSoon();
  }

  /** The lesson's current step, drawn again. */
  render() {
    const lesson = this.lesson;
    if (!lesson) return;
    const t = this.t;
    const steps = /** @type {Json[]} */ (lesson.steps);
    const step = steps[this.index];
    const head = make("div", { className: "lesson-head" }, [
      make("div", { className: "lesson-titles" }, [
        make("h2", { text: lesson.title, attrs: { id: "lesson-title" } }),
        make("p", { className: "lesson-progress", text: t.progress(this.index + 1, steps.length) }),
      ]),
      make("a", { className: "lesson-link", text: t.worksheet, attrs: { href: `/lessons/${encodeURIComponent(lesson.id)}/print?lang=${this.lang}`, target: "_blank", rel: "noopener" } }),
      this.closeButton(),
    ]);
    const bar = make("div", { className: "lesson-bar", attrs: { "aria-hidden": "true" } }, [make("span")]);
    /** @type {HTMLElement} */ (bar.firstChild).style.width = `${((this.index + 1) / steps.length) * 100}%`;
    const text = make("div", { className: "lesson-text" }, paragraphs(step.text));
    if (step.epochs) text.append(make("p", { className: "lesson-epochs", text: t.epochs(step.epochs) }));
    const check = this.checkView(step);
    const hints = this.hintsView(step);
    const previous = make("button", { className: "lesson-previous", text: t.previous, attrs: { type: "button" } });
    const next = make("button", { className: "lesson-next", text: t.next, attrs: { type: "button" } });
    /** @type {HTMLButtonElement} */ (previous).disabled = this.index === 0;
    /** @type {HTMLButtonElement} */ (next).disabled = this.index === steps.length - 1;
    previous.addEventListener("click", () => this.enter(this.index - 1));
    next.addEventListener("click", () => this.enter(this.index + 1));
    const all = make("button", { className: "lesson-all", text: t.all, attrs: { type: "button" } });
    all.addEventListener("click", () => this.showList());
    const nav = make("div", { className: "lesson-nav" }, [previous, next, all]);
    this.root.replaceChildren(head, bar, make("div", { className: "lesson-body" }, [text, make("div", { className: "lesson-side" }, [check, hints])]), nav);
  }

  /**
   * The check: its conditions with what was measured, and the summary line.
   * @param {Json} step
   */
  checkView(step) {
    const t = this.t;
    const box = make("section", { className: "lesson-check", attrs: { "aria-label": t.check } });
    box.dataset.claim = step.claim;
    if (!step.check?.length) {
      box.append(make("p", { className: "lesson-none", text: t.noCheck }));
      return box;
    }
    box.append(make("h3", { text: t.check }));
    if (step.claim === "cannot") box.append(make("p", { className: "lesson-claim", text: t.cannotNote }));
    const measured = /** @type {Json[]} */ (this.result?.conditions ?? []);
    const rows = measured.length > 0 ? measured : step.check.map((/** @type {Json} */ c) => ({ ...c, met: false, actual: undefined }));
    const list = make("ul", { className: "lesson-conditions" });
    for (const c of rows) {
      const li = make("li", { className: c.met ? "met" : "" }, [
        make("span", { className: "lesson-mark", text: c.met ? "✓" : "○", attrs: { "aria-hidden": "true" } }),
        make("span", { className: "lesson-condition", text: c.text }),
      ]);
      li.dataset.kind = c.kind;
      li.dataset.met = String(Boolean(c.met));
      if (c.actual !== undefined && c.kind !== "setup") li.append(make("span", { className: "lesson-actual", text: t.measured(shown(c.actual)) }));
      list.append(li);
    }
    box.append(list);
    const summary = make("p", { className: `lesson-verdict${this.result?.met ? " met" : ""}`, attrs: { role: "status" }, text: this.result ? verdict(this.result, step.claim) : t.notYet });
    box.append(summary);
    box.dataset.met = String(Boolean(this.result?.met));
    return box;
  }

  /**
   * The hints shown so far and a button for the next.
   * @param {Json} step
   */
  hintsView(step) {
    const t = this.t;
    const hints = /** @type {string[]} */ (step.hints ?? []);
    const box = make("section", { className: "lesson-hints", attrs: { "aria-label": t.hintsTitle } });
    if (hints.length === 0) return box;
    const list = make("ol", { className: "lesson-hint-list" }, hints.slice(0, this.hintsShown).map((h) => make("li", { text: h })));
    const more = make("button", { className: "lesson-hint-button", text: this.hintsShown < hints.length ? t.hint : t.noMoreHints, attrs: { type: "button" } });
    /** @type {HTMLButtonElement} */ (more).disabled = this.hintsShown >= hints.length;
    more.addEventListener("click", () => {
      this.hintsShown = Math.min(hints.length, this.hintsShown + 1);
      this.render();
      /** @type {HTMLElement | null} */ (this.root.querySelector(".lesson-hint-button"))?.focus();
    });
    box.append(list, more);
    return box;
  }

  /**
   * The page's state, after every redraw: a changed state asks for the check again (at
   * most once per CHECK_EVERY_MS).
   * @param {{state: Json | null}} view
   */
  update({ state }) {
    if (!state || !this.lesson) return;
    this.stateKey = JSON.stringify([state.id, state.epoch, state.status, state.config, state.batch]);
    this.askSoon();
  }

  /** Ask for the check when the state changed since the last answer, not too often. */
  askSoon() {
    const step = this.lesson?.steps[this.index];
    if (!step?.check?.length || this.checking || this.timerSet || !this.stateKey) return;
    if (this.stateKey === this.checkedKey) return;
    const wait = this.lastCheck + CHECK_EVERY_MS - this.deps.now();
    if (wait > 0) {
      this.timerSet = true;
      this.deps.later(() => {
        this.timerSet = false;
        this.askSoon();
      }, wait);
      return;
    }
    this.ask();
  }

  async ask() {
    if (!this.lesson) return;
    const generation = this.generation;
    const key = this.stateKey;
    this.checking = true;
    this.lastCheck = this.deps.now();
    try {
      const result = await this.deps.check(this.lesson.id, this.index + 1, this.lang);
      if (generation === this.generation && this.lesson) {
        this.result = result;
        this.checkedKey = key;
        // Only the check is drawn again (the focus stays where it is).
        this.root.querySelector(".lesson-check")?.replaceWith(this.checkView(this.lesson.steps[this.index]));
      }
    } catch (error) {
      console.warn("lesson check", error);
      this.checkedKey = key; // not again until the state changes
    } finally {
      this.checking = false;
    }
    this.askSoon();
  }
}
