// A student in a class: the pure rules of room.js (codes, the saved entry, goals and
// progress in words, locked fields, what an answer's `room` says), the page's Api in a
// class (a 404 ends the class, nothing replaces the session) and the Controller's room
// mode against a fake API (a new activity, a pause, polling while stopped, the end).
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { Api, ApiError, ClassEnded } from "../../static/js/api.js";
import { FieldControls } from "../../static/js/controls.js";
import { Controller, ROOM_POLL_MS } from "../../static/js/controller.js";
import {
  RoomTracker,
  displayCode,
  experimentText,
  goalText,
  lockPlan,
  nameProblem,
  normaliseCode,
  progressText,
  readEntry,
  removeEntry,
  roomOfUrl,
  storageKey,
  withoutLocked,
  writeEntry,
} from "../../static/js/room.js";
import { defaultSettings } from "../../static/js/state.js";
import { ROOM } from "../../static/js/text.js";
import { FakeElement, fakeDocument } from "./fake-dom.mjs";
import { OPTIONS, fakeClock } from "./fixture.mjs";

/** Let every settled promise run its callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A student's `room` as the server answers it. */
function roomOf(changes = {}) {
  return {
    code: "K7QR4M", title: "Year 10", student: "st1", name: "Ada", version: 1, locked: [],
    message: "", goal: null, goal_reached: null, paused: false, experiment: null, ...changes,
  };
}

// -- codes, names and the saved entry ---------------------------------------------------------

test("a code is read in any case, with or without its dash or spaces; others are refused", () => {
  for (const text of ["K7QR4M", "k7q-r4m", " k7q r4m ", "K7Q-R4M"]) assert.equal(normaliseCode(text), "K7QR4M");
  // Too short, too long, look-alikes (0, O, 1, I, L, 2, Z, 5, S, 8, B), other characters.
  for (const text of ["", "K7Q", "K7QR4MM", "K7QR40", "K7QROM", "K7QR1M", "K7QRLM", "K7QRZM", "K7QRSM", "K7QRBM", "K7Q_R4M", null, undefined]) {
    assert.equal(normaliseCode(text), null, String(text));
  }
  assert.equal(displayCode("K7QR4M"), "K7Q-R4M");
});

test("the playground's address names its class, or a code that is none", () => {
  assert.equal(roomOfUrl(""), undefined);
  assert.equal(roomOfUrl("?x=1"), undefined);
  assert.equal(roomOfUrl("?room=k7q-r4m"), "K7QR4M");
  assert.equal(roomOfUrl("?room=nope"), null);
});

test("a name has 1 to 40 characters of any script, counted as the server counts them", () => {
  assert.equal(nameProblem(""), ROOM.nameEmpty);
  assert.equal(nameProblem("x".repeat(40)), null);
  assert.equal(nameProblem("x".repeat(41)), ROOM.nameLong(40));
  assert.equal(nameProblem("😀".repeat(40)), null, "40 emoji are 80 UTF-16 units but 40 characters");
  assert.equal(nameProblem("李".repeat(41)), ROOM.nameLong(40));
  assert.equal(nameProblem("<b>Ada</b>"), null);
});

test("the entry of a class is kept under np-room:CODE; a broken or foreign one is none", () => {
  const items = new Map();
  const storage = {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => items.set(k, v),
    removeItem: (k) => items.delete(k),
  };
  const entry = { code: "K7QR4M", session: "s1", student: "st1", name: "<b>Ada</b>" };
  writeEntry(storage, entry);
  assert.equal(storageKey("K7QR4M"), "np-room:K7QR4M");
  assert.deepEqual(JSON.parse(items.get("np-room:K7QR4M")), entry);
  assert.deepEqual(readEntry(storage, "K7QR4M"), entry);
  assert.equal(readEntry(storage, "AAAAAA"), null);
  for (const bad of ["{", "null", "[]", JSON.stringify({ ...entry, session: "" }), JSON.stringify({ ...entry, code: "AAAAAA" })]) {
    items.set("np-room:K7QR4M", bad);
    assert.equal(readEntry(storage, "K7QR4M"), null, bad);
  }
  writeEntry(storage, entry);
  removeEntry(storage, "K7QR4M");
  assert.equal(readEntry(storage, "K7QR4M"), null);
});

// -- goals, progress and the experiment in words ----------------------------------------------

test("a goal in words: a loss as written, an accuracy in per cent, and the ranking", () => {
  assert.equal(goalText(null), "");
  assert.equal(goalText({ metric: "test_loss", below: 0.1 }), "Goal: test loss below 0.1");
  assert.equal(goalText({ metric: "train_loss", below: 0.005 }), "Goal: training loss below 0.005");
  assert.equal(goalText({ metric: "test_accuracy", at_least: 0.95 }), "Goal: test accuracy at least 95 %");
  assert.equal(goalText({ metric: "train_accuracy", at_least: 0.875 }), "Goal: training accuracy at least 87.5 %");
  assert.equal(
    goalText({ metric: "test_loss", below: 0.1, rank: "neurons" }),
    "Goal: test loss below 0.1, with as few neurons as you can",
  );
});

test("progress: the goal's metric now, or when the server saw the goal reached", () => {
  const state = { test_loss: 0.23456, train_loss: 0.2, test_accuracy: 0.9312, train_accuracy: 0.95 };
  assert.equal(progressText(roomOf(), state), "", "no goal, no progress");
  assert.equal(progressText(roomOf({ goal: { metric: "test_loss", below: 0.1 } }), state), "Your test loss now: 0.235");
  assert.equal(progressText(roomOf({ goal: { metric: "test_accuracy", at_least: 0.95 } }), state), "Your test accuracy now: 93.1 %");
  assert.equal(progressText(roomOf({ goal: { metric: "test_loss", below: 0.1 } }), null), "Your test loss now: –");
  const reached = roomOf({ goal: { metric: "test_loss", below: 0.1 }, goal_reached: { epoch: 412, seconds: 38.2 } });
  assert.equal(progressText(reached, state), "Goal reached at epoch 412 (38 s)");
  const late = { ...reached, goal_reached: { epoch: 12345, seconds: 61.5 } };
  assert.equal(progressText(late, state), "Goal reached at epoch 12,345 (62 s)");
});

test("the experiment's value in words, with the field's label and a choice's label", () => {
  assert.equal(experimentText(OPTIONS, roomOf()), "");
  assert.equal(
    experimentText(OPTIONS, roomOf({ experiment: { field: "learning_rate", value: 0.3 } })),
    "Your value in the class experiment: learning rate 0.3",
  );
  assert.equal(
    experimentText(OPTIONS, roomOf({ experiment: { field: "activation", value: "relu" } })),
    `Your value in the class experiment: activation ${OPTIONS.field.activation.choices.find((c) => c.name === "relu").label}`,
  );
  assert.equal(
    experimentText(OPTIONS, roomOf({ experiment: { field: "hidden_layers", value: [4, 2] } })),
    "Your value in the class experiment: hidden layers 4, 2",
  );
});

// -- locked fields ----------------------------------------------------------------------------

test("a locked field disables its own control, or the special controls of its kind", () => {
  const plan = lockPlan(["features", "learning_rate", "hidden_layers", "seed", "dataset", "noise"], OPTIONS);
  assert.deepEqual([...plan.fields].sort(), ["dataset", "features", "hidden_layers", "learning_rate", "noise", "seed"]);
  assert.deepEqual([...plan.kinds].sort(), ["datasets", "features", "layers", "seed", "select", "slider"]);
  // In the table's order, as a sentence reads them.
  assert.deepEqual(plan.labels, ["dataset", "noise", "features", "hidden layers", "learning rate", "seed"]);
  assert.deepEqual(lockPlan([], OPTIONS), { fields: new Set(), kinds: new Set(), labels: [] });
  assert.deepEqual(withoutLocked({ learning_rate: 0.1, activation: "relu" }, new Set(["learning_rate"])), {
    kept: { activation: "relu" },
    dropped: ["learning_rate"],
  });
});

/** A fake element with what showing a lock touches: classes, attributes, removal. */
class LockableElement extends FakeElement {
  constructor(tag) {
    super(tag);
    this.classes = new Set();
    this.disabled = false;
    this.title = "";
    const el = this;
    this.classList = {
      toggle: (name, on) => (on ? el.classes.add(name) : el.classes.delete(name)),
      contains: (name) => el.classes.has(name),
    };
  }

  querySelector(selector) {
    if (selector.startsWith(".")) return [...this.elements()].find((e) => e.className === selector.slice(1)) ?? null;
    return super.querySelector(selector);
  }

  remove() {
    this.parent?.replaceChildren(...this.parent.children.filter((c) => c !== this));
  }

  append(...nodes) {
    for (const n of nodes) if (n instanceof FakeElement) n.parent = this;
    super.append(...nodes);
  }
}

afterEach(() => {
  delete globalThis.document;
});

test("a locked control is disabled, marked and says why; unlocked it is as before", () => {
  const doc = fakeDocument(["div", { "data-controls": "select" }, ["label", { "data-field": "learning_rate" }]]);
  // Swap in elements that can show a lock.
  const slot = new LockableElement("label");
  slot.dataset.field = "learning_rate";
  doc.children[0].replaceChildren(slot);
  doc.createElement = (tag) => new LockableElement(tag);
  globalThis.document = doc;
  const controls = new FieldControls(doc, OPTIONS.fields, () => {});
  const select = doc.getElementById("learningRate");
  const settings = defaultSettings(OPTIONS);
  controls.update(settings, new Set(["learning_rate", "features"]));
  assert.equal(select.disabled, true);
  assert.equal(slot.classes.has("locked"), true);
  assert.equal(slot.title, ROOM.locked);
  assert.equal(slot.querySelector(".lock-mark")?.text, ` ${ROOM.locked}`);
  controls.update(settings, new Set(["learning_rate"]));
  assert.equal([...slot.elements()].filter((c) => c.className === "lock-mark").length, 1, "one mark, however often drawn");
  controls.update(settings, new Set());
  assert.equal(select.disabled, false);
  assert.equal(slot.classes.has("locked"), false);
  assert.equal(slot.querySelector(".lock-mark"), null);
  assert.notEqual(slot.title, ROOM.locked);
});

// -- what an answer's room says ---------------------------------------------------------------

test("the tracker tells a new activity, a pause and a resume from the answers' room", () => {
  const t = new RoomTracker();
  assert.equal(t.take(null), null);
  assert.equal(t.take(roomOf({ version: 1 })), "first");
  assert.equal(t.take(roomOf({ version: 1 })), null);
  assert.deepEqual(t.status(), { text: "", kind: "" });
  assert.equal(t.take(roomOf({ version: 1, paused: true })), "paused");
  assert.deepEqual(t.status(), { text: ROOM.paused, kind: "paused" });
  assert.equal(t.take(roomOf({ version: 1, paused: true })), null);
  assert.equal(t.take(roomOf({ version: 1 })), "resumed");
  assert.deepEqual(t.status(), { text: ROOM.resumed, kind: "notice" });
  assert.equal(t.take(roomOf({ version: 2 })), "new activity");
  assert.equal(t.version, 2);
  assert.deepEqual(t.status(), { text: ROOM.newActivity, kind: "notice" });
  // A version can go back too (a restarted room store): still a different activity.
  assert.equal(t.take(roomOf({ version: 1 })), "new activity");
  // A refused step (409) is a pause the answers have not told yet.
  t.refusedPaused();
  assert.equal(t.paused, true);
  assert.equal(t.take(roomOf({ version: 1, paused: true })), null);
  t.end();
  assert.deepEqual(t.status(), { text: ROOM.ended, kind: "ended" });
  assert.equal(t.take(roomOf({ version: 3 })), null, "after the end nothing more is taken");
});

// -- the Api in a class -----------------------------------------------------------------------

/** Replace fetch: `answers` maps "METHOD path" to [status, body]; every call is logged. */
function fakeFetch(answers) {
  const calls = [];
  globalThis.fetch = async (path, init = {}) => {
    const key = `${init.method ?? "GET"} ${path}`;
    calls.push(key);
    const [status, body] = answers[key] ?? [404, { detail: "Not found." }];
    return {
      status,
      ok: status >= 200 && status < 300,
      headers: new Headers({ "Content-Type": "application/json" }),
      text: async () => (body === undefined ? "" : JSON.stringify(body)),
    };
  };
  return calls;
}

test("in a class a gone session ends the class: nothing creates one in its place or deletes it", async () => {
  const realFetch = globalThis.fetch;
  try {
    const calls = fakeFetch({
      "GET /api/sessions/s1": [200, { id: "s1", config: { seed: 1 }, room: roomOf() }],
      "POST /api/sessions/s1/step": [404, { detail: "This class has ended." }],
      "POST /api/sessions": [201, { id: "s2", config: { seed: 1 } }],
    });
    const api = new Api();
    api.inRoom = true;
    assert.equal((await api.openSession("s1")).id, "s1");
    await assert.rejects(api.step({ epochs: 1 }), (e) => e instanceof ClassEnded && e.status === 404 && e.message === ROOM.ended);
    await assert.rejects(api.createSession({ model: {} }), (e) => e instanceof ApiError && e.status === 403 && e.message === ROOM.noNewSession);
    api.closeSession();
    assert.deepEqual(calls, ["GET /api/sessions/s1", "POST /api/sessions/s1/step"]);
    // Outside a class the same 404 recreates the session, as before.
    const outside = new Api();
    await outside.openSession("s1");
    fakeFetch({
      "POST /api/sessions/s1/step": [404, { detail: "gone" }],
      "POST /api/sessions": [201, { id: "s2", config: { seed: 1 } }],
      "POST /api/sessions/s2/step": [200, { id: "s2", config: { seed: 1 }, epoch: 1 }],
    });
    assert.equal((await outside.step({ epochs: 1 })).id, "s2");
  } finally {
    globalThis.fetch = realFetch;
  }
});

// -- the Controller in a class ----------------------------------------------------------------

const METHODS = ["openSession", "createSession", "state", "patch", "step", "reset", "regenerate", "frame", "data", "setWeight", "setBias"];

/** A fake Api whose calls wait until the test answers them (at most one open). */
function fakeApi() {
  const open = [];
  const sent = [];
  const api = { onSessionReplaced: () => {}, inRoom: false };
  for (const method of METHODS) {
    api[method] = (body) =>
      new Promise((resolve, reject) => {
        assert.equal(open.length, 0, `${method} sent while ${open[0]?.method} is in flight`);
        open.push({ method, body, resolve, reject });
        sent.push(method);
      });
  }
  return { api, open, sent };
}


const CONFIG = { ...Object.fromEntries(OPTIONS.fields.filter((f) => f.reset !== "page").map((f) => [f.name, f.default])), seed: 7 };

function stateOf(epoch, room, config = {}) {
  return { id: "s1", epoch, status: "ok", train_loss: 0.5, test_loss: 0.5, config: { ...CONFIG, ...config }, room };
}

/** A Controller in a class, its session taken up (state, data and frame answered). */
async function inClass(room = roomOf()) {
  const fake = fakeApi();
  const clock = fakeClock();
  let ended = 0;
  const c = new Controller({
    api: fake.api, options: OPTIONS, settings: { ...defaultSettings(OPTIONS), speed: "fast" },
    onChange: () => {}, onSettings: () => {}, hidden: () => false, clock,
    room: { session: "s1" }, onEnded: () => ended++,
  });
  const answer = async (method, value) => {
    await settle();
    assert.equal(fake.open.length, 1, `expected ${method} in flight, sent: ${fake.sent}`);
    const call = fake.open.shift();
    assert.equal(call.method, method);
    if (value instanceof Error) call.reject(value);
    else call.resolve(value);
    await settle();
    return call.body;
  };
  assert.equal(fake.api.inRoom, true);
  const started = c.start();
  await answer("openSession", stateOf(0, room));
  await answer("data", { train: { points: [], labels: [] }, test: { points: [], labels: [] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await started;
  return { c, fake, clock, answer, ended: () => ended };
}

test("in a class the page takes up the student's session and the server's seed", async () => {
  const { c, fake } = await inClass();
  assert.deepEqual(fake.sent.slice(0, 1), ["openSession"]);
  assert.equal(c.settings.seed, "7");
  assert.equal(c.tracker.version, 1);
});

test("a new activity in a step's answer: settings, history and data read again, play stops", async () => {
  const { c, fake, answer } = await inClass();
  c.play();
  await answer("step", { ...stateOf(3, roomOf()), epochs_run: 3, frame: { history: { start: 0, train: [1, 1, 1], test: [1, 1, 1] } } });
  assert.equal(c.history.next, 3);
  c.drawn();
  const fresh = roomOf({ version: 2, locked: ["learning_rate"], message: "Next!" });
  await answer("step", { ...stateOf(1, fresh, { learning_rate: 0.3, hidden_layers: [5], seed: 9 }), epochs_run: 1, frame: { history: { start: 3, train: [9], test: [9] } } });
  assert.equal(c.playing, false);
  assert.equal(c.tracker.notice, ROOM.newActivity);
  assert.equal(c.settings.learning_rate, 0.3);
  assert.deepEqual(c.settings.hidden_layers, [5]);
  assert.equal(c.settings.seed, "9", "the new activity's seed, not the old text");
  assert.equal(c.history.next, 0, "the old run's history is gone; the frame from the old cursor was not taken");
  assert.deepEqual([...c.locked], ["learning_rate"]);
  c.drawn();
  await answer("data", { train: { points: [], labels: [] }, test: { points: [], labels: [] } });
  const since = await answer("frame", { history: { start: 0, train: [9], test: [9] } });
  assert.equal(since.since, 0, "the whole history of the new run");
  assert.equal(fake.open.length, 0);
  // A change to a locked field is not sent; the reason is shown.
  await c.change({ learning_rate: 1 });
  assert.equal(fake.open.length, 0);
  assert.equal(c.error, ROOM.locked);
  assert.equal(c.settings.learning_rate, 0.3);
});

test("a paused class: the refused step stops play; polling every 2 s learns of the resume", async () => {
  const { c, fake, clock, answer } = await inClass();
  c.play();
  await answer("step", new ApiError(409, "Your teacher has paused the class. Wait until they resume it."));
  assert.equal(c.playing, false);
  assert.equal(c.error, null, "the room bar says it, not the error banner");
  assert.deepEqual(c.tracker.status(), { text: ROOM.paused, kind: "paused" });
  await settle();
  assert.equal(fake.open.length, 0, "no step while paused");
  clock.advance(ROOM_POLL_MS - 1);
  await settle();
  assert.equal(fake.open.length, 0);
  clock.advance(1);
  await answer("state", stateOf(0, roomOf({ paused: true })));
  assert.equal(c.tracker.paused, true);
  clock.advance(ROOM_POLL_MS);
  await answer("state", stateOf(0, roomOf()));
  assert.equal(c.tracker.paused, false);
  assert.equal(c.tracker.notice, ROOM.resumed);
  c.play();
  await answer("step", { ...stateOf(1, roomOf()), epochs_run: 1, frame: { history: { start: 0, train: [1], test: [1] } } });
  assert.equal(c.playing, true);
  // While playing nothing polls: the step answers carry the room.
  const before = fake.sent.filter((m) => m === "state").length;
  clock.advance(10 * ROOM_POLL_MS);
  c.pause();
  await settle();
  assert.equal(fake.sent.filter((m) => m === "state").length, before);
});

test("a poll that finds a new activity reads the data and the frame again", async () => {
  const { c, clock, answer } = await inClass();
  clock.advance(ROOM_POLL_MS);
  await answer("state", stateOf(0, roomOf({ version: 4, message: "Spiral time" }), { dataset: "spiral" }));
  assert.equal(c.tracker.room.message, "Spiral time");
  assert.equal(c.tracker.notice, ROOM.newActivity);
  assert.equal(c.settings.dataset.classification, "spiral");
  await answer("data", { train: { points: [], labels: [] }, test: { points: [], labels: [] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
});

test("a 404 in a class ends it: the page stops, says so, and sends nothing more", async () => {
  const { c, fake, clock, answer, ended } = await inClass();
  c.play();
  await answer("step", new ClassEnded());
  assert.equal(c.playing, false);
  assert.equal(c.ended, true);
  assert.equal(ended(), 1);
  assert.equal(c.error, null);
  assert.deepEqual(c.tracker.status(), { text: ROOM.ended, kind: "ended" });
  c.play();
  c.reset();
  c.change({ activation: "relu" });
  clock.advance(10 * ROOM_POLL_MS);
  await settle();
  assert.equal(fake.open.length, 0);
  assert.ok(!fake.sent.includes("createSession"));
});

test("in a class a model file is refused without a request", async () => {
  const { c, fake } = await inClass();
  await c.loadModel({ config: {}, weights: [], biases: [] });
  assert.equal(c.error, ROOM.noNewSession);
  assert.equal(fake.open.length, 0);
  assert.ok(!fake.sent.includes("createSession"));
});
