// @ts-check
/**
 * The teacher's page (/teach): wiring only. Start or resume a class, the join panel,
 * pushing activities, pause and resume, the dashboard (polled about once a second),
 * the spotlight, the class experiment and ending the class (docs/API.md, "Rooms (a class)").
 *
 * The room's code and teacher token live in localStorage (`np-teach`), so a reload resumes
 * the class. The views are dashboard.js and spotlight.js; the words are teach-text.js
 * and the catalogs static/i18n/<lang>/teach.json.
 */

import { Api, ApiError } from "./api.js";
import {
  Dashboard,
  ExperimentPlot,
  Leaderboard,
  SORT_KEYS,
  displayName,
  formatCode,
  goalOf,
  leaderboardRows,
  parseExperimentValues,
  parseLayers,
} from "./dashboard.js";
import { currentLang, startPageLanguage } from "./i18n.js";
import { normalizeOptions } from "./options.js";
import { Spotlight } from "./spotlight.js";
import { TEACH } from "./teach-text.js";

/** @typedef {Record<string, any>} Json */
/** @typedef {import("./options.js").Field} Field */
/** @typedef {import("./options.js").Options} Options */
/** @typedef {import("./dashboard.js").SortKey} SortKey */

const STORAGE_KEY = "np-teach";
const POLL_MS = 1000;
/** The settings the activity form offers, in this order (those the server has). */
const FORM_FIELDS = [
  "dataset", "features", "hidden_layers", "activation", "learning_rate", "regularization",
  "regularization_rate", "noise", "train_ratio", "batch_size",
]; // prettier-ignore

// -- the server ------------------------------------------------------------------------------

/** The rooms API: the session API's requests (api.js), with the teacher's token. */
class RoomApi extends Api {
  /** @param {string} code */
  roomPath(code) {
    return `/api/rooms/${encodeURIComponent(code)}`;
  }
}

/** @returns {{code: string, teacher_token: string} | null} */
function savedRoom() {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    return v && typeof v.code === "string" && typeof v.teacher_token === "string" ? v : null;
  } catch {
    return null;
  }
}

// -- the page's elements ---------------------------------------------------------------------

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
function $(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from teach.html`);
  return /** @type {T} */ (e);
}

/**
 * @param {HTMLSelectElement} select
 * @param {{value: string, label: string, group?: string}[]} items
 */
function fillSelect(select, items) {
  /** @type {Map<string, HTMLOptGroupElement>} */
  const groups = new Map();
  select.replaceChildren();
  for (const item of items) {
    const option = new Option(item.label, item.value);
    if (item.group) {
      let g = groups.get(item.group);
      if (!g) {
        g = document.createElement("optgroup");
        g.label = item.group;
        groups.set(item.group, g);
        select.append(g);
      }
      g.append(option);
    } else select.append(option);
  }
}

/**
 * Select a value, adding it when the list does not offer it (a shared model's rate).
 * @param {HTMLSelectElement} select
 * @param {string} value
 */
function selectValue(select, value) {
  if (![...select.options].some((o) => o.value === value)) select.append(new Option(value, value));
  select.value = value;
}

// -- the activity form -----------------------------------------------------------------------

/**
 * One setting of the form: its control, its lock, and how to read and set it.
 * @typedef {{field: Field, lock: HTMLInputElement, read: () => any, write: (v: any) => void}} FormField
 */

/**
 * The values a select offers for a number field: its steps, or min … max by its step.
 * @param {Field} f
 * @returns {number[] | null}
 */
function numberChoices(f) {
  if (f.steps.length) return f.steps;
  const { min, max, step } = f;
  if (min === null || max === null || !step) return null;
  const n = Math.round((max - min) / step);
  if (n > 200) return null;
  return Array.from({ length: n + 1 }, (_, i) => Number((min + i * step).toPrecision(12)));
}

/**
 * Build the form's settings from the server's table.
 * @param {HTMLElement} root
 * @param {Options} options
 * @returns {FormField[]}
 */
function buildActivityFields(root, options) {
  const problems = new Map((options.field.problem?.choices ?? []).map((c) => [c.name, c.label]));
  /** @type {FormField[]} */
  const out = [];
  for (const name of FORM_FIELDS) {
    const f = options.field[name];
    if (!f) continue;
    const box = document.createElement("div");
    box.className = `af af-${f.kind}`;
    box.dataset.field = f.name;
    const label = document.createElement("label");
    label.className = "af-main";
    const caption = document.createElement("span");
    caption.className = "af-label";
    caption.textContent = f.label;
    /** @type {() => any} */
    let read;
    /** @type {(v: any) => void} */
    let write;
    if (f.kind === "features") {
      const group = document.createElement("div");
      group.className = "af-feature-list";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", f.label);
      const boxes = f.choices.map((c) => {
        const l = document.createElement("label");
        const input = document.createElement("input");
        input.type = "checkbox";
        input.value = c.name;
        l.append(input, ` ${c.label}`);
        group.append(l);
        return input;
      });
      read = () => boxes.filter((b) => b.checked).map((b) => b.value);
      write = (v) => boxes.forEach((b) => (b.checked = Array.isArray(v) && v.includes(b.value)));
      box.append(caption, group);
    } else if (f.kind === "layers") {
      const input = document.createElement("input");
      input.id = `af-${f.name}`;
      input.autocomplete = "off";
      input.placeholder = TEACH.layersHint;
      input.inputMode = "numeric";
      read = () => input.value;
      write = (v) => (input.value = Array.isArray(v) ? v.join(",") : "");
      label.append(caption, input);
      box.append(label);
    } else {
      const select = document.createElement("select");
      select.id = `af-${f.name}`;
      const numbers = f.kind === "number" || f.kind === "integer" ? numberChoices(f) : null;
      if (f.kind === "choice") {
        fillSelect(select, f.choices.map((c) => ({ value: c.name, label: c.label, group: c.problem ? problems.get(c.problem) ?? c.problem : undefined })));
        read = () => select.value;
      } else {
        fillSelect(select, (numbers ?? []).map((n) => ({ value: String(n), label: String(n) })));
        read = () => Number(select.value);
      }
      write = (v) => selectValue(select, String(v));
      label.append(caption, select);
      box.append(label);
    }
    const lockLabel = document.createElement("label");
    lockLabel.className = "af-lock";
    lockLabel.title = TEACH.lockTitle(f.label);
    const lock = document.createElement("input");
    lock.type = "checkbox";
    lock.dataset.lock = f.name;
    lock.setAttribute("aria-label", TEACH.lockTitle(f.label));
    lockLabel.append(lock, lockIcon());
    box.append(lockLabel);
    root.append(box);
    write(f.default);
    out.push({ field: f, lock, read, write });
  }
  return out;
}

/** A small padlock (SVG: the page has no emoji font to rely on). */
function lockIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "lock-icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5zm-3 8V7a3 3 0 0 1 6 0v3z");
  svg.append(path);
  return svg;
}

// -- the page --------------------------------------------------------------------------------

async function main() {
  // The language first: the catalogs hold every word, the server's labels included.
  await startPageLanguage(["page", "teach"], "teach.pageTitle");
  const api = new RoomApi();
  const options = normalizeOptions(await api.send("GET", "/api/options"));

  const el = {
    classBar: $("class-bar"),
    classTitle: $("class-title"),
    joinToggle: /** @type {HTMLButtonElement} */ ($("join-toggle")),
    classCode: $("class-code"),
    classCount: $("class-count"),
    classState: $("class-state"),
    pause: /** @type {HTMLButtonElement} */ ($("pause-all")),
    resume: /** @type {HTMLButtonElement} */ ($("resume-all")),
    end: /** @type {HTMLButtonElement} */ ($("end-class")),
    connection: $("connection"),
    message: $("teach-message"),
    start: $("start"),
    startForm: /** @type {HTMLFormElement} */ ($("start-form")),
    startTitle: /** @type {HTMLInputElement} */ ($("start-title")),
    startButton: /** @type {HTMLButtonElement} */ ($("start-class")),
    startError: $("start-error"),
    join: $("join-panel"),
    joinCode: $("join-code"),
    joinLink: $("join-link"),
    joinQr: /** @type {HTMLImageElement} */ ($("join-qr")),
    main: $("class"),
    activityForm: /** @type {HTMLFormElement} */ ($("activity-form")),
    activityMessage: /** @type {HTMLTextAreaElement} */ ($("activity-message")),
    goalMetric: /** @type {HTMLSelectElement} */ ($("goal-metric")),
    goalThreshold: /** @type {HTMLInputElement} */ ($("goal-threshold")),
    goalRank: /** @type {HTMLSelectElement} */ ($("goal-rank")),
    activityError: $("activity-error"),
    pushButton: /** @type {HTMLButtonElement} */ ($("push-activity")),
    experimentForm: /** @type {HTMLFormElement} */ ($("experiment-form")),
    experimentField: /** @type {HTMLSelectElement} */ ($("experiment-field")),
    experimentValues: /** @type {HTMLInputElement} */ ($("experiment-values")),
    experimentError: $("experiment-error"),
    activityNow: $("activity-now"),
    lessonPanel: /** @type {HTMLDetailsElement} */ ($("lesson-panel")),
    lessonForm: /** @type {HTMLFormElement} */ ($("lesson-form")),
    lessonChoice: /** @type {HTMLSelectElement} */ ($("lesson-choice")),
    lessonStep: /** @type {HTMLInputElement} */ ($("lesson-step")),
    lessonNow: $("lesson-now"),
    lessonStepTitle: $("lesson-step-title"),
    lessonPrev: /** @type {HTMLButtonElement} */ ($("lesson-prev")),
    lessonNext: /** @type {HTMLButtonElement} */ ($("lesson-next")),
    lessonError: $("lesson-error"),
    sort: /** @type {HTMLSelectElement} */ ($("sort")),
    hideNames: /** @type {HTMLInputElement} */ ($("hide-names")),
  };

  const formFields = buildActivityFields($("activity-fields"), options);
  fillSelect(el.goalMetric, [{ value: "", label: TEACH.noGoal }, ...Object.entries(TEACH.goalMetrics).map(([value, label]) => ({ value, label }))]);
  fillSelect(el.goalRank, Object.entries(TEACH.rankBy).map(([value, label]) => ({ value, label })));
  el.goalThreshold.placeholder = "0.1";
  const experimentFields = options.fields.filter((f) => f.reset !== "page" && f.name !== "problem");
  fillSelect(el.experimentField, experimentFields.map((f) => ({ value: f.name, label: f.label })));
  el.experimentField.value = options.field.learning_rate ? "learning_rate" : el.experimentField.value;
  fillSelect(el.sort, SORT_KEYS.map((k) => ({ value: k, label: TEACH.sorts[k] })));
  /** @type {Json[]} the lessons in the page's language: id, title, summary, steps */
  const lessonList = await api.send("GET", `/api/lessons?lang=${encodeURIComponent(currentLang())}`).catch(() => []);
  fillSelect(el.lessonChoice, lessonList.map((l) => ({ value: l.id, label: l.title })));
  el.lessonStep.value = "1";
  if (!lessonList.length) el.lessonError.textContent = TEACH.noLessons;

  /** The class on this page: null before one is started or after it ended. */
  let room = /** @type {Json | null} */ (null);
  let code = "";
  /** @type {Json | null} the last answer of GET /students */
  let board = null;
  /** Bumped when the class changes: a poll of an older class drops its answer. */
  let generation = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let pollTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let spotTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let messageTimer;

  const dashboard = new Dashboard($("tiles"), $("nobody"), (id) => openSpotlight(id));
  const leaderboard = new Leaderboard(/** @type {HTMLOListElement} */ ($("leaderboard")), $("leaderboard-note"));
  const plot = new ExperimentPlot($("experiment-plot"), $("experiment-caption"));
  const spotlight = new Spotlight(/** @type {HTMLDialogElement} */ ($("spotlight")), options, {
    onShare: (id, name) => share(id, name),
    onRemove: (id, name) => remove(id, name),
    onClose: () => clearTimeout(spotTimer),
  });

  /** @param {string} text */
  function say(text) {
    el.message.textContent = text;
    el.message.hidden = !text;
    clearTimeout(messageTimer);
    if (text) messageTimer = setTimeout(() => (el.message.hidden = true), 8000);
  }

  /** @param {boolean} lost */
  function connection(lost) {
    el.connection.textContent = lost ? TEACH.connectionLost : "";
    el.connection.hidden = !lost;
  }

  /** @param {boolean} shown */
  function showJoin(shown) {
    el.join.hidden = !shown;
    el.joinToggle.textContent = shown ? TEACH.hideJoin : TEACH.showJoin;
    el.joinToggle.setAttribute("aria-expanded", String(shown));
  }

  /**
   * The start panel (no class), with a sentence why.
   * @param {string} why
   */
  function showStart(why) {
    generation++;
    clearTimeout(pollTimer);
    spotlight.close();
    room = null;
    code = "";
    board = null;
    api.token = null;
    el.classBar.hidden = true;
    el.main.hidden = true;
    showJoin(false);
    connection(false);
    el.start.hidden = false;
    el.startError.textContent = why;
    el.startButton.disabled = false;
  }

  function forget() {
    localStorage.removeItem(STORAGE_KEY);
  }

  /**
   * What the page shows of the room (title, code, state, activity, experiment).
   * @param {Json} r  a Room
   */
  function showRoom(r) {
    room = r;
    el.classTitle.textContent = r.title || TEACH.noTitle;
    el.classCode.textContent = formatCode(r.code);
    el.classCount.textContent = TEACH.students(r.students ?? 0);
    el.classState.textContent = r.paused ? TEACH.paused : TEACH.running;
    el.classState.classList.toggle("paused", Boolean(r.paused));
    document.body.classList.toggle("class-paused", Boolean(r.paused));
    el.pause.hidden = Boolean(r.paused);
    el.resume.hidden = !r.paused;
    const a = r.activity;
    const step = stepText(a?.lesson ?? null);
    const now = a ? [TEACH.activityVersion(a.version), step, a.message ?? ""].filter(Boolean).join(": ") : TEACH.noActivity;
    if (el.activityNow.textContent !== now) el.activityNow.textContent = now;
    showLesson(a?.lesson ?? null);
  }

  /**
   * "Step k of n: <the lesson's title>", or "" outside a lesson.
   * @param {Json | null} lesson  the activity's {id, step, steps}
   */
  function stepText(lesson) {
    if (!lesson) return "";
    const title = lessonList.find((l) => l.id === lesson.id)?.title ?? lesson.id;
    return TEACH.stepOf(lesson.step, lesson.steps, title);
  }

  /**
   * The lesson panel: the step running, Previous / Next (none beyond the ends).
   * @param {Json | null} lesson
   */
  function showLesson(lesson) {
    el.lessonNow.hidden = !lesson;
    if (!lesson) return;
    el.lessonStepTitle.textContent = stepText(lesson);
    el.lessonPrev.disabled = lesson.step <= 1;
    el.lessonNext.disabled = lesson.step >= lesson.steps;
  }

  /**
   * Fill the activity form from an activity (or leave the defaults).
   * @param {Json | null} a
   */
  function fillForm(a) {
    if (!a) return;
    if (a.lesson) {
      el.lessonChoice.value = a.lesson.id;
      el.lessonStep.value = String(a.lesson.step);
      el.lessonPanel.open = true;
    }
    const locked = new Set(a.locked ?? []);
    for (const f of formFields) {
      if (a.config && f.field.name in a.config) f.write(a.config[f.field.name]);
      f.lock.checked = locked.has(f.field.name);
    }
    el.activityMessage.value = a.message ?? "";
    const g = a.goal;
    el.goalMetric.value = g?.metric ?? "";
    el.goalThreshold.value = g ? String(g.below ?? g.at_least ?? "") : "";
    el.goalRank.value = g?.rank ?? "time";
  }

  /**
   * Enter a class: the bar, the join panel, the dashboard; polling starts.
   * @param {Json} r  a Room
   * @param {string} token
   * @param {boolean} fresh  just started (the join panel opens)
   */
  function enter(r, token, fresh) {
    generation++;
    code = r.code;
    api.token = token;
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ code: r.code, teacher_token: token }));
    el.start.hidden = true;
    el.classBar.hidden = false;
    el.main.hidden = false;
    const link = `${location.origin}${r.join_url}`;
    el.joinCode.textContent = formatCode(r.code);
    el.joinLink.textContent = link;
    el.joinQr.src = `${api.roomPath(r.code)}/qr.svg`;
    el.joinQr.alt = TEACH.qrAlt(link);
    showJoin(fresh || !r.students);
    showRoom(r);
    fillForm(r.activity);
    board = null;
    render();
    poll(generation);
  }

  /** Redraw the dashboard from the last answer (also when sorting or hiding names). */
  function render() {
    const students = board?.students ?? [];
    const hide = el.hideNames.checked;
    const ids = board?.leaderboard ?? [];
    const rows = leaderboardRows(ids, students, hide);
    dashboard.update({ students, sort: /** @type {SortKey} */ (el.sort.value), hide, ranks: new Map(rows.map((r) => [r.id, r.rank])) });
    const activity = room?.activity ?? null;
    // A lesson step's check is its goal, ranked by time.
    leaderboard.update({ rows, goal: activity?.goal ?? (activity?.lesson ? { rank: "time" } : null) });
    const experiment = room?.experiment ?? null;
    const label = experiment ? options.field[experiment.field]?.label ?? experiment.field : "";
    plot.update({ students, experiment, label, hide });
  }

  /**
   * A refusal that means the class is over for this page (404: ended or expired;
   * 401/403: the token is not this class's).
   * @param {unknown} error
   */
  function lostClass(error) {
    if (!(error instanceof ApiError)) return false;
    if (error.status === 404) showStart(TEACH.roomGone);
    else if (error.status === 401 || error.status === 403) showStart(TEACH.notYours);
    else return false;
    forget();
    return true;
  }

  /** @param {number} gen */
  async function poll(gen) {
    if (gen !== generation) return;
    const started = performance.now();
    try {
      const answer = await api.send("GET", `${api.roomPath(code)}/students`);
      if (gen !== generation) return;
      connection(false);
      board = answer;
      if (answer.room) showRoom(answer.room);
      render();
    } catch (error) {
      if (gen !== generation) return;
      if (lostClass(error)) return;
      connection(true);
    }
    pollTimer = setTimeout(() => poll(gen), Math.max(200, POLL_MS - (performance.now() - started)));
  }

  // -- the spotlight ---------------------------------------------------------------------------

  /** @param {string} id */
  function openSpotlight(id) {
    const s = board?.students?.find((/** @type {Json} */ x) => x.id === id);
    spotlight.open(id, s ? displayName(s, el.hideNames.checked) : "");
    clearTimeout(spotTimer);
    refreshSpotlight(id, generation);
  }

  /**
   * @param {string} id
   * @param {number} gen
   */
  async function refreshSpotlight(id, gen) {
    if (spotlight.id !== id || gen !== generation) return;
    const started = performance.now();
    try {
      const answer = await api.send("GET", `${api.roomPath(code)}/students/${encodeURIComponent(id)}`);
      if (spotlight.id !== id || gen !== generation) return;
      connection(false);
      spotlight.update(answer, el.hideNames.checked);
    } catch (error) {
      if (spotlight.id !== id || gen !== generation) return;
      if (error instanceof ApiError && error.status === 404) {
        // The student is gone, or the class: the dashboard's poll tells which.
        spotlight.gone();
        return;
      }
      connection(error instanceof ApiError && error.status === 0);
    }
    clearTimeout(spotTimer);
    spotTimer = setTimeout(() => refreshSpotlight(id, gen), Math.max(200, POLL_MS - (performance.now() - started)));
  }

  /**
   * @param {string} id
   * @param {string} name
   */
  async function share(id, name) {
    try {
      const r = await api.send("POST", `${api.roomPath(code)}/students/${encodeURIComponent(id)}/share`);
      showRoom(r);
      fillForm(r.activity);
      say(TEACH.shared(name, r.activity?.version ?? 0));
    } catch (error) {
      if (!lostClass(error)) say(error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * @param {string} id
   * @param {string} name
   */
  async function remove(id, name) {
    if (!confirm(TEACH.confirmRemove(name))) return;
    try {
      await api.send("DELETE", `${api.roomPath(code)}/students/${encodeURIComponent(id)}`);
      spotlight.close();
    } catch (error) {
      if (!lostClass(error)) say(error instanceof Error ? error.message : String(error));
    }
  }

  // -- the teacher's controls ------------------------------------------------------------------

  el.startForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    el.startButton.disabled = true;
    el.startError.textContent = TEACH.starting;
    const title = el.startTitle.value.trim();
    try {
      api.token = null;
      const r = await api.send("POST", "/api/rooms", title ? { title } : {});
      el.startError.textContent = "";
      enter(r, r.teacher_token, true);
    } catch (error) {
      el.startError.textContent = error instanceof Error ? error.message : String(error);
      el.startButton.disabled = false;
    }
  });

  el.joinToggle.addEventListener("click", () => showJoin(el.join.hidden === true));

  /**
   * @param {"pause" | "resume"} what
   */
  async function pauseOrResume(what) {
    try {
      showRoom(await api.send("POST", `${api.roomPath(code)}/${what}`));
    } catch (error) {
      if (!lostClass(error)) say(error instanceof Error ? error.message : String(error));
    }
  }
  el.pause.addEventListener("click", () => pauseOrResume("pause"));
  el.resume.addEventListener("click", () => pauseOrResume("resume"));

  el.end.addEventListener("click", async () => {
    if (!confirm(TEACH.confirmEnd)) return;
    try {
      await api.send("DELETE", api.roomPath(code));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        say(error instanceof Error ? error.message : String(error));
        return;
      }
    }
    forget();
    showStart(TEACH.ended);
  });

  /** The body of PUT /activity from the form; throws an Error with a sentence. */
  function activityBody() {
    /** @type {Json} */
    const config = {};
    /** @type {string[]} */
    const locked = [];
    for (const f of formFields) {
      let v = f.read();
      if (f.field.kind === "layers") {
        const bounds = { min: Number(f.field.min ?? 1), max: Number(f.field.max ?? 8), most: Number(f.field.max_length ?? 6) };
        v = parseLayers(String(v), bounds);
        if (!v) throw new Error(TEACH.layersBad(bounds.most, bounds.min, bounds.max));
      }
      if (f.field.kind === "features" && v.length === 0) throw new Error(TEACH.featuresNone);
      config[f.field.name] = v;
      if (f.lock.checked) locked.push(f.field.name);
    }
    // The dataset decides the problem; a locked dataset locks the problem too.
    const dataset = options.field.dataset?.choices.find((c) => c.name === config.dataset);
    if (dataset?.problem) config.problem = dataset.problem;
    if (locked.includes("dataset") && options.field.problem) locked.push("problem");
    const message = el.activityMessage.value.trim();
    if (message.length > 280) throw new Error(TEACH.messageLong(message.length));
    /** @type {Json} */
    const body = { config, locked, message };
    const goal = goalOf(el.goalMetric.value, el.goalThreshold.value, el.goalRank.value);
    if (goal) body.goal = goal;
    return body;
  }

  el.activityForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    el.activityError.textContent = "";
    let body;
    try {
      body = activityBody();
    } catch (error) {
      el.activityError.textContent = error instanceof Error ? error.message : String(error);
      return;
    }
    el.pushButton.disabled = true;
    try {
      const r = await api.send("PUT", `${api.roomPath(code)}/activity`, body);
      showRoom(r);
      render();
      say(TEACH.pushed(r.activity?.version ?? 0));
    } catch (error) {
      if (!lostClass(error)) el.activityError.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      el.pushButton.disabled = false;
    }
  });

  /**
   * Put everyone on a lesson's step (the teacher paces: Previous / Next push again).
   * @param {string} id
   * @param {number} number
   */
  async function pushLesson(id, number) {
    el.lessonError.textContent = "";
    const steps = lessonList.find((l) => l.id === id)?.steps ?? 0;
    if (!Number.isInteger(number) || number < 1 || number > steps) {
      el.lessonError.textContent = TEACH.stepBad(steps);
      return;
    }
    for (const b of [el.lessonPrev, el.lessonNext]) b.disabled = true;
    try {
      const r = await api.send("PUT", `${api.roomPath(code)}/activity`, { lesson: id, step: number });
      el.lessonStep.value = String(number);
      showRoom(r);
      render();
      say(TEACH.lessonPushed(number, steps));
    } catch (error) {
      if (!lostClass(error)) el.lessonError.textContent = error instanceof Error ? error.message : String(error);
      showLesson(room?.activity?.lesson ?? null);
    }
  }

  el.lessonForm.addEventListener("submit", (e) => {
    e.preventDefault();
    pushLesson(el.lessonChoice.value, Number(el.lessonStep.value));
  });
  for (const [button, by] of /** @type {const} */ ([[el.lessonPrev, -1], [el.lessonNext, 1]])) {
    button.addEventListener("click", () => {
      const lesson = room?.activity?.lesson;
      if (lesson) pushLesson(lesson.id, lesson.step + by);
    });
  }

  el.experimentForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    el.experimentError.textContent = "";
    const field = options.field[el.experimentField.value];
    let values;
    try {
      values = parseExperimentValues(field, el.experimentValues.value);
    } catch (error) {
      el.experimentError.textContent = error instanceof Error ? error.message : String(error);
      return;
    }
    try {
      const r = await api.send("PUT", `${api.roomPath(code)}/experiment`, { field: field.name, values });
      showRoom(r);
      render();
      say(TEACH.experimentPushed(field.label, values.length));
    } catch (error) {
      if (!lostClass(error)) el.experimentError.textContent = error instanceof Error ? error.message : String(error);
    }
  });

  const controlsToggle = /** @type {HTMLButtonElement} */ ($("controls-toggle"));
  /** @param {boolean} shown */
  function showControls(shown) {
    el.main.classList.toggle("controls-hidden", !shown);
    controlsToggle.textContent = shown ? TEACH.hideControls : TEACH.showControls;
    controlsToggle.setAttribute("aria-expanded", String(shown));
  }
  showControls(true);
  controlsToggle.addEventListener("click", () => showControls(el.main.classList.contains("controls-hidden")));

  el.sort.addEventListener("change", render);
  el.hideNames.addEventListener("change", () => {
    render();
    // The spotlight's title too, now rather than at its next refresh.
    const s = board?.students?.find((/** @type {Json} */ x) => x.id === spotlight.id);
    if (s) spotlight.rename(displayName(s, el.hideNames.checked));
  });

  // -- start: resume the class this browser holds, or offer a new one -------------------------

  const saved = savedRoom();
  if (!saved) {
    showStart("");
    return;
  }
  for (;;) {
    try {
      const r = await api.send("GET", api.roomPath(saved.code));
      enter(r, saved.teacher_token, false);
      say(TEACH.resumed);
      return;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        forget();
        showStart(TEACH.roomGone);
        return;
      }
      if (!(error instanceof ApiError) || error.status !== 0) {
        // Not a lost connection (e.g. 429): say so, and let the teacher start afresh.
        showStart(error instanceof Error ? error.message : String(error));
        return;
      }
      connection(true);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

main().catch((error) => {
  console.warn(error);
  const start = document.getElementById("start");
  const message = document.getElementById("start-error");
  if (start && message) {
    start.hidden = false;
    message.textContent = error instanceof Error ? error.message : String(error);
  }
});
