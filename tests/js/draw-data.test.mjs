// The person's own data in the Controller (static/js/controller.js) and the link to them
// (static/js/state.js), against a fake API whose answers the test gives by hand: drawing
// while training, a refused table, sharing the data for a link, opening such a link.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../../static/js/api.js";
import { Controller, SHARE_AFTER_MS } from "../../static/js/controller.js";
import { nearestPoint } from "../../static/js/draw.js";
import { normalizeOptions } from "../../static/js/options.js";
import { defaultSettings, readHash, toHash, toServerConfig, withoutCustom } from "../../static/js/state.js";
import { fakeClock, rawOptions } from "./fixture.mjs";

/** The fixture's options with what issue 13 adds: multiclass, its datasets, `custom`, `classes`. */
function optionsWithCustom() {
  const raw = rawOptions();
  const choice = (name, problem, url_value = null) => ({ name, label: name, url_value, problem, url_key: null, url_flag: null });
  const problem = raw.fields.find((f) => f.name === "problem");
  problem.choices.push(choice("multiclass", null));
  const dataset = raw.fields.find((f) => f.name === "dataset");
  dataset.choices.push(choice("blobs", "multiclass"), choice("spirals", "multiclass"), choice("custom", null));
  dataset.url_keys = { ...dataset.url_keys, multiclass: "mcDataset" };
  raw.fields.push({ ...raw.fields.find((f) => f.name === "noise"), name: "classes", kind: "integer", label: "Classes", default: 3, min: 3, max: 5, step: 1, control_id: "classes", url_key: "classes" });
  return normalizeOptions(raw);
} // prettier-ignore

const OPTIONS = optionsWithCustom();

const METHODS = [
  "createSession", "patch", "step", "reset", "regenerate", "frame", "data", "setWeight", "setBias",
  "addPoints", "removePoints", "putData", "putCsv", "dataCsv", "shareData", "sharedData",
]; // prettier-ignore

const settle = () => new Promise((resolve) => setImmediate(resolve));

const EMPTY = { train: { points: [], labels: [] }, test: { points: [], labels: [] }, custom: null };

function fakeApi() {
  const open = [];
  const sent = [];
  const api = { onSessionReplaced: () => {} };
  for (const method of METHODS) {
    api[method] = (body) =>
      new Promise((resolve, reject) => {
        assert.equal(open.length, 0, `${method} sent while ${open[0]?.method} is in flight`);
        open.push({ method, body, resolve, reject });
        sent.push({ method, body });
      });
  }
  return { api, open, sent };
}

function stateOf(config, epoch = 0) {
  return { id: "s1", epoch, status: "ok", train_loss: 0.5, test_loss: 0.5, config: { seed: 1, classes: 3, ...config } };
}

/** A Controller against a fake API; `settings` on top of the defaults. */
function controller(settings = {}) {
  const fake = fakeApi();
  const clock = fakeClock();
  const written = [];
  const c = new Controller({
    api: fake.api,
    options: OPTIONS,
    settings: { ...defaultSettings(OPTIONS), seed: "1", ...settings },
    onChange: () => {},
    onSettings: (s) => written.push(s),
    hidden: () => false,
    clock,
  });
  const answer = async (method, value) => {
    await settle();
    assert.equal(fake.open.length, 1, `expected ${method} in flight, sent: ${fake.sent.map((x) => x.method)}`);
    const call = fake.open.shift();
    assert.equal(call.method, method);
    if (value instanceof Error) call.reject(value);
    else call.resolve(typeof value === "function" ? value(call.body) : value);
    await settle();
    return call.body;
  };
  const idle = async () => {
    await settle();
    assert.deepEqual(fake.open.map((x) => x.method), [], "nothing in flight");
  };
  return { c, fake, clock, answer, idle, written };
}

async function started(settings = {}) {
  const t = controller(settings);
  const done = t.c.start();
  const config = toServerConfig(t.c.settings, OPTIONS);
  await t.answer("createSession", stateOf(config));
  await t.answer("data", EMPTY);
  await t.answer("frame", { history: { start: 0, train: [], test: [] } });
  await done;
  await t.idle();
  return { ...t, config };
}

const stepAnswer = (config, from, to) => ({
  ...stateOf(config, to),
  epochs_run: to - from,
  frame: { history: { start: from, train: Array(to - from).fill(0.5), test: Array(to - from).fill(0.5) } },
});

test("points drawn while training: sent together, training neither pauses nor restarts", async () => {
  const { c, config, answer } = await started();
  c.play();
  await settle();
  c.addPoints([[1, 2]], [1]);
  c.addPoints([[3, 4]], [-1]); // while the first waits for the step on the wire: one request
  assert.equal(c.playing, true);
  await answer("step", stepAnswer(config, 0, 5)); // predates the points: dropped
  const custom = { ...config, dataset: "custom" };
  const body = await answer("addPoints", stateOf(custom, 5));
  assert.deepEqual(body, { points: [[1, 2], [3, 4]], labels: [1, -1] });
  assert.equal(c.state.epoch, 5, "the epoch is kept");
  await answer("data", { ...EMPTY, custom: { points: [[1, 2], [3, 4]], labels: [1, -1] } });
  await answer("step", stepAnswer(custom, 5, 9));
  assert.equal(c.playing, true);
  assert.equal(c.state.epoch, 9);
  c.pause();
});

test("a refused table: the server's sentence for the tools, not the banner; the data stay", async () => {
  const { c, answer, idle, fake } = await started();
  c.play();
  await settle();
  const taken = c.uploadCsv("x,y,label\n1,2,7\n");
  assert.equal(c.playing, false, "new data reset the network: training pauses");
  await answer("step", stepAnswer({}, 0, 3));
  const sentence = "Row 2, column label: 7 is not a class; classes are -1 and 1.";
  await answer("putCsv", new ApiError(422, sentence));
  assert.equal(await taken, false);
  assert.equal(c.dataError, sentence);
  assert.equal(c.error, null);
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await idle();
  assert.ok(!fake.sent.slice(-2).some((x) => x.method === "data"), "no data fetched: none changed");
  // A table taken clears the sentence.
  const ok = c.uploadCsv("x,y,label\n1,2,1\n");
  await answer("putCsv", stateOf({ dataset: "custom" }));
  assert.equal(await ok, true);
  assert.equal(c.dataError, null);
});

test("custom data are shared once they stay unchanged; the link names the copy", async () => {
  const { c, config, answer, idle, clock, written } = await started();
  const custom = { points: [[1, 2]], labels: [1] };
  c.addPoints(custom.points, custom.labels);
  await answer("addPoints", stateOf({ ...config, dataset: "custom" }));
  await answer("data", { ...EMPTY, custom });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await idle();
  clock.advance(SHARE_AFTER_MS - 1);
  await idle();
  clock.advance(1);
  const body = await answer("shareData", { id: "abc", problem: "classification", classes: 3, size: 1 });
  assert.deepEqual(body, { problem: "classification", classes: 3, points: [[1, 2]], labels: [1] });
  assert.equal(c.settings.data_link, "abc");
  assert.match(toHash(written.at(-1), OPTIONS), /&data=abc$/);
  // The same data fetched again (a regenerate: a new split): no new copy.
  c.regenerate();
  await answer("regenerate", stateOf({ ...config, dataset: "custom", seed: 2 }));
  await answer("data", { ...EMPTY, custom });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  clock.advance(SHARE_AFTER_MS);
  await idle();
  assert.equal(c.settings.data_link, "abc");
  // Changed data: the link drops the old copy at once; two changes in a row, one copy.
  c.removePoints([0]);
  await answer("removePoints", stateOf({ ...config, dataset: "custom", seed: 2 }));
  await answer("data", { ...EMPTY, custom: { points: [], labels: [] } });
  assert.equal(c.settings.data_link, null);
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  clock.advance(SHARE_AFTER_MS / 2);
  c.addPoints([[0, 0]], [-1]);
  await answer("addPoints", stateOf({ ...config, dataset: "custom", seed: 2 }));
  await answer("data", { ...EMPTY, custom: { points: [[0, 0]], labels: [-1] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  clock.advance(SHARE_AFTER_MS / 2);
  await idle();
  clock.advance(SHARE_AFTER_MS / 2);
  assert.deepEqual((await answer("shareData", { id: "def" })).points, [[0, 0]]);
  assert.equal(c.settings.data_link, "def");
  // Another dataset: no link to data any more.
  c.change({ dataset: { ...c.settings.dataset, classification: "xor" } });
  await answer("patch", stateOf({ ...config, dataset: "xor", seed: 2 }));
  await answer("data", EMPTY);
  assert.equal(c.settings.data_link, null);
});

test("a link to shared data: their problem and classes, then the data; no new copy", async () => {
  const { settings } = readHash("#problem=classification&dataset=custom&data=abc", OPTIONS);
  assert.equal(settings.data_link, "abc");
  const { c, answer, idle, clock } = controller(settings);
  const done = c.start();
  assert.equal(await answer("sharedData", { id: "abc", problem: "multiclass", classes: 4, points: [[1, 1], [2, 2]], labels: [0, 3] }), "abc");
  const create = await answer("createSession", (body) => stateOf(body.config));
  assert.equal(create.config.problem, "multiclass");
  assert.equal(create.config.classes, 4);
  assert.equal(create.config.dataset, "blobs", "a session starts from the default, then takes the data");
  const config = { ...create.config, dataset: "custom" };
  assert.deepEqual(await answer("putData", stateOf(config)), { points: [[1, 1], [2, 2]], labels: [0, 3] });
  await answer("data", { ...EMPTY, custom: { points: [[1, 1], [2, 2]], labels: [0, 3] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await done;
  assert.equal(c.settings.data_link, "abc");
  assert.match(toHash(c.settings, OPTIONS), /mcDataset=custom.*&data=abc/);
  clock.advance(SHARE_AFTER_MS);
  await idle();
}); // prettier-ignore

test("a link whose shared data are gone: the default dataset and the server's sentence", async () => {
  const { settings } = readHash("#problem=multiclass&mcDataset=custom&data=gone1", OPTIONS);
  const { c, answer } = controller(settings);
  const done = c.start();
  const why = "These shared data are no longer on the server.";
  await answer("sharedData", new ApiError(404, why));
  const create = await answer("createSession", (body) => stateOf(body.config));
  assert.equal(create.config.dataset, "blobs");
  await answer("data", EMPTY);
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await done;
  assert.equal(c.sharedGone, why);
  assert.equal(c.error, null);
  assert.equal(c.settings.data_link, null);
  assert.doesNotMatch(toHash(c.settings, OPTIONS), /data=/);
  c.dismissDataMessages();
  assert.equal(c.sharedGone, null);
});

test("another problem forgets a remembered custom dataset (the server dropped it)", async () => {
  const { c, config, answer } = await started({ problem: "multiclass", dataset: { ...defaultSettings(OPTIONS).dataset, classification: "custom" } });
  assert.equal(config.dataset, "blobs");
  c.change({ problem: "classification" });
  const patch = await answer("patch", (body) => stateOf({ ...config, ...body }));
  assert.deepEqual(patch, { problem: "classification", dataset: "circle" });
}); // prettier-ignore

test("the link: data=<id> read and written; a bad id is named; custom for every problem", () => {
  const { settings, ignored } = readHash("#problem=multiclass&mcDataset=custom&data=x_Y-9", OPTIONS);
  assert.deepEqual(ignored, []);
  assert.equal(settings.dataset.multiclass, "custom");
  assert.equal(settings.data_link, "x_Y-9");
  assert.match(toHash(settings, OPTIONS), /&data=x_Y-9$/);
  assert.match(toHash(settings, OPTIONS, ["noise"]), /&data=x_Y-9&noise_hide=true$/);
  const bad = readHash("#data=a%20b", OPTIONS);
  assert.equal(bad.settings.data_link, undefined);
  assert.deepEqual(bad.ignored, ["data=a b ignored: not the id of shared data"]);
  assert.equal(withoutCustom(settings, OPTIONS).dataset.multiclass, "blobs");
  assert.equal(withoutCustom(settings, OPTIONS).dataset.classification, "circle");
  assert.equal(readHash("", OPTIONS).settings.data_link, undefined, "no link, no key");
});

/** What the map's Remove tool asks: the point nearest `at` (within 0.1) when the request goes. */
const near = (at) => (known) => {
  const i = nearestPoint(known.points, at, 0.1);
  return i < 0 ? [] : [i];
};

test("removals queued before the data are fetched again each remove the point they meant", async () => {
  const { c, config, answer, idle, fake } = await started();
  const custom = { ...config, dataset: "custom" };
  const three = { points: [[0, 0], [1, 1], [2, 2]], labels: [1, 1, -1] };
  c.replaceData(three);
  await answer("putData", stateOf(custom));
  await answer("data", { ...EMPTY, custom: three });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await idle();
  // Two right-clicks in a row: the second is chosen after the first is answered.
  const first = c.removePoints(near([1, 1]));
  const second = c.removePoints(near([2, 2]));
  assert.deepEqual(await answer("removePoints", stateOf(custom)), [1]);
  assert.deepEqual(await answer("removePoints", stateOf(custom)), [1], "[2, 2] is now the second point");
  assert.equal(await first, true);
  assert.equal(await second, true);
  // A point added meanwhile is known too, before any data are fetched.
  c.addPoints([[3, 3]], [1]);
  const third = c.removePoints(near([3, 3]));
  await answer("data", { ...EMPTY, custom: { points: [[0, 0]], labels: [1] } });
  await answer("addPoints", stateOf(custom));
  assert.deepEqual(await answer("removePoints", stateOf(custom)), [1]);
  assert.equal(await third, true);
  // Nothing near: no request at all.
  await answer("data", { ...EMPTY, custom: { points: [[0, 0]], labels: [1] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  assert.equal(await c.removePoints(near([5, 5])), true);
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await idle();
  assert.ok(!fake.sent.slice(-2).some((x) => x.method === "removePoints"));
}); // prettier-ignore

test("a removal after new data not yet fetched: the data are read first, then the index", async () => {
  const { c, config, answer, idle } = await started();
  const custom = { ...config, dataset: "custom" };
  c.uploadCsv("x,y,label\n4,4,1\n5,5,-1\n");
  const removed = c.removePoints(near([5, 5]));
  await answer("putCsv", stateOf(custom));
  await answer("data", { ...EMPTY, custom: { points: [[4, 4], [5, 5]], labels: [1, -1] } });
  assert.deepEqual(await answer("removePoints", stateOf(custom)), [1]);
  assert.equal(await removed, true);
  await answer("data", { ...EMPTY, custom: { points: [[4, 4]], labels: [1] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await idle();
});

test("points the server refuses: addPoints answers false, the sentence is the tools'", async () => {
  const { c, config, answer, idle, fake } = await started();
  const custom = { ...config, dataset: "custom" };
  const sentence = "A custom dataset holds at most 2,000 points; it has 2,000.";
  const before = fake.sent.length;
  const refused = c.addPoints([[1, 1]], [1]);
  await answer("addPoints", new ApiError(422, sentence));
  assert.equal(await refused, false);
  assert.equal(c.dataError, sentence);
  assert.equal(c.error, null);
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await idle();
  assert.ok(!fake.sent.slice(before).some((x) => x.method === "data"), "nothing changed: no data fetched");
  // Taken, even when sent with a request that was already waiting.
  c.step();
  await settle();
  const a = c.addPoints([[2, 2]], [1]);
  const b = c.addPoints([[3, 3]], [-1]);
  await answer("step", stepAnswer(config, 0, 1));
  assert.deepEqual(await answer("addPoints", stateOf(custom)), { points: [[2, 2], [3, 3]], labels: [1, -1] });
  assert.equal(await a, true);
  assert.equal(await b, true);
  assert.equal(c.dataError, null);
  await answer("data", { ...EMPTY, custom: { points: [[2, 2], [3, 3]], labels: [1, -1] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  // A failure (no answer): false as well, and the banner says why.
  const failed = c.addPoints([[4, 4]], [1]);
  await answer("addPoints", new ApiError(0, "The server does not answer."));
  assert.equal(await failed, false);
  assert.equal(c.error, "The server does not answer.");
}); // prettier-ignore

test("a lost session's custom data: the page hands the api the points it knows", async () => {
  const { c, config, answer } = await started();
  const custom = { ...config, dataset: "custom" };
  const two = { points: [[1, 1], [2, 2]], labels: [1, -1] };
  assert.deepEqual(c.api.customData(), { points: [], labels: [] }, "the data fetched at the start");
  c.replaceData(two);
  await answer("putData", stateOf(custom));
  assert.deepEqual(c.api.customData(), two);
  await answer("data", { ...EMPTY, custom: two });
  c.addPoints([[3, 3]], [1]);
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await answer("addPoints", stateOf(custom));
  assert.deepEqual(c.api.customData(), { points: [[1, 1], [2, 2], [3, 3]], labels: [1, -1, 1] });
  c.api.onSessionReplaced(stateOf(config));
  assert.equal(c.api.customData(), null, "a new session: fetched again");
});

test("a shared dataset's id: the server's rule, 1 to 64 letters, digits, _ and -", () => {
  const id64 = "a".repeat(64);
  assert.equal(readHash(`#data=${id64}`, OPTIONS).settings.data_link, id64);
  const long = readHash(`#data=${id64}b`, OPTIONS);
  assert.equal(long.settings.data_link, undefined);
  assert.equal(long.ignored.length, 1);
  assert.match(long.ignored[0], /^data=a+… ignored: not the id of shared data$/);
});
