// The play loop (static/js/loop.js) driven through the Controller against a fake API whose
// answers are resolved by hand: which request goes when, which answer is drawn.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Controller, THUMBS_EVERY_MS } from "../../static/js/controller.js";
import { defaultSettings, toServerConfig } from "../../static/js/state.js";
import { OPTIONS, fakeClock } from "./fixture.mjs";

const METHODS = ["createSession", "patch", "step", "reset", "regenerate", "frame", "data", "setWeight", "setBias"];

/** Let every settled promise run its callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A fake Api: each call waits until the test answers it; at most one may be open. */
function fakeApi() {
  /** @type {{method: string, body: any, resolve: (v: any) => void, reject: (e: any) => void}[]} */
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


/** The session's state with a config and an epoch. */
function stateOf(config, epoch = 0, status = "ok") {
  return { id: "s1", epoch, status, train_loss: 0.5, test_loss: 0.5, config: { seed: 1, ...config } };
}

/** A step's answer: its state and a frame with the losses of its epochs. */
function stepAnswer(config, from, to, status = "ok") {
  const losses = Array.from({ length: to - from }, (_, i) => 1 / (from + i + 1));
  return { ...stateOf(config, to, status), epochs_run: to - from, frame: { history: { start: from, train: losses, test: losses } } };
}

/** A Controller started against a fake API (session, data and frame answered). */
async function started({ speed = "fast", hidden = () => false, clock = fakeClock() } = {}) {
  const fake = fakeApi();
  const settings = { ...defaultSettings(OPTIONS), seed: "1", speed };
  const c = new Controller({ api: fake.api, options: OPTIONS, settings, onChange: () => {}, onSettings: () => {}, hidden, clock });
  const config = toServerConfig(settings, OPTIONS);
  const answer = async (method, value) => {
    await settle();
    assert.equal(fake.open.length, 1, `expected ${method} in flight`);
    const call = fake.open.shift();
    assert.equal(call.method, method);
    call.resolve(typeof value === "function" ? value(call.body) : value);
    await settle();
    return call.body;
  };
  const fail = async (method, error) => {
    await settle();
    const call = fake.open.shift();
    assert.equal(call?.method, method);
    call.reject(error);
    await settle();
  };
  const idle = async () => {
    await settle();
    assert.deepEqual(fake.open.map((x) => x.method), [], "nothing in flight");
  };
  const done = c.start();
  await answer("createSession", stateOf(config));
  await answer("data", { train: { points: [], labels: [] }, test: { points: [], labels: [] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await done;
  await idle();
  return { c, config, answer, fail, idle, fake };
}

test("start: a session for the settings, then its data and frame, one at a time", async () => {
  const { c, fake } = await started();
  assert.deepEqual(fake.sent.map((x) => x.method), ["createSession", "data", "frame"]);
  assert.equal(fake.sent[0].body.config.seed, 1);
  assert.equal(c.state.epoch, 0);
  assert.equal(c.playing, false);
});

test("playing: the next step goes as soon as an answer is in, with its frame", async () => {
  const { c, config, answer } = await started();
  c.play();
  const body = await answer("step", stepAnswer(config, 0, 5));
  assert.deepEqual(body, { epochs: 10000, max_ms: 12, frame: true, since: 0, thumb: 25, neuron: null, thumbs: true });
  assert.equal(c.state.epoch, 5);
  assert.equal((await answer("step", stepAnswer(config, 5, 9))).since, 5);
  c.pause();
});

test("fast speeds: a newer answer replaces one waiting to be drawn; the newest is drawn", async () => {
  const { c, config, answer } = await started({ speed: "fastest" });
  c.play();
  await answer("step", stepAnswer(config, 0, 5)); // taken, not drawn yet
  await answer("step", stepAnswer(config, 5, 9)); // waits for the draw
  await answer("step", stepAnswer(config, 5, 12)); // replaces the waiting one
  assert.equal(c.state.epoch, 5);
  c.drawn();
  assert.equal(c.state.epoch, 12);
  assert.deepEqual(c.history.train.length, 12, "the history has no gap");
  c.pause();
  await answer("step", stepAnswer(config, 12, 20));
});

test("fixed speeds: every answer is drawn; no step goes while one waits", async () => {
  const { c, config, answer, idle } = await started({ speed: "1" });
  c.play();
  assert.equal((await answer("step", stepAnswer(config, 0, 1))).epochs, 1);
  await answer("step", stepAnswer(config, 1, 2)); // waits: the first is not drawn yet
  await idle();
  c.drawn(); // epoch 1's answer is drawn: epoch 2's is taken and the next step goes
  assert.equal(c.state.epoch, 2);
  await answer("step", stepAnswer(config, 2, 3)); // waits again
  assert.equal(c.state.epoch, 2);
  c.pause();
  c.drawn();
  assert.equal(c.state.epoch, 3, "paused, the last answer is still drawn");
  c.drawn();
  await idle();
});

test("pause stops within one request", async () => {
  const { c, config, answer, idle } = await started();
  c.play();
  c.pause();
  await answer("step", stepAnswer(config, 0, 5));
  assert.equal(c.state.epoch, 5, "the answer of the step on its way is shown");
  c.drawn();
  await idle();
});

test("a change made while a step is in flight is never lost", async () => {
  const { c, config, answer } = await started();
  c.play();
  await settle();
  c.change({ learning_rate: 0.1 });
  assert.equal(c.settings.learning_rate, 0.1, "the page shows it at once");
  assert.equal(c.playing, true, "a live change does not pause");
  // The step's answer predates the change: it is dropped.
  await answer("step", stepAnswer(config, 0, 5));
  assert.equal(c.state.epoch, 0);
  const patched = { ...config, learning_rate: 0.1 };
  assert.deepEqual(await answer("patch", stateOf(patched, 5)), { learning_rate: 0.1 });
  assert.equal(c.settings.learning_rate, 0.1);
  await answer("step", stepAnswer(patched, 5, 9));
  assert.equal(c.state.epoch, 9);
  c.pause();
});

test("a change whose row resets the network or the data pauses, as the reference", async () => {
  for (const change of [{ features: ["x1"] }, { activation: "relu" }, { batch_size: 3 }, { noise: 20 }, { hidden_layers: [3] }]) {
    const { c, config, answer, idle } = await started();
    c.play();
    await settle();
    c.change(change);
    assert.equal(c.playing, false, JSON.stringify(change));
    await answer("step", stepAnswer(config, 0, 5)); // dropped: it predates the change
    assert.equal(c.state.epoch, 0);
    assert.deepEqual(await answer("patch", stateOf({ ...config, ...change }, 0)), change);
    if ("noise" in change) await answer("data", { train: { points: [], labels: [] }, test: { points: [], labels: [] } });
    await answer("frame", { history: { start: 0, train: [0.5], test: [0.5] } });
    await idle();
  }
});

test("changes made while a PATCH is in flight go together in the next one", async () => {
  const { c, config, answer, idle } = await started();
  c.change({ activation: "relu" });
  await settle();
  c.change({ noise: 10 });
  c.change({ noise: 15, show_test_data: true });
  c.change({ batch_size: 3 });
  const first = { ...config, activation: "relu" };
  assert.deepEqual(await answer("patch", stateOf(first)), { activation: "relu" });
  assert.equal(c.settings.noise, 15, "the server's older config does not undo a change");
  const second = { ...first, noise: 15, batch_size: 3 };
  assert.deepEqual(await answer("patch", stateOf(second)), { noise: 15, batch_size: 3 });
  await answer("data", { train: { points: [], labels: [] }, test: { points: [], labels: [] } });
  await answer("frame", { history: { start: 0, train: [], test: [] } });
  await idle();
  assert.equal(c.settings.show_test_data, true);
});

test("a page-only change sends nothing and keeps the step's answer", async () => {
  const { c, config, answer } = await started();
  c.play();
  await settle();
  c.change({ show_test_data: true, speed: "fastest" });
  await answer("step", stepAnswer(config, 0, 5));
  assert.equal(c.state.epoch, 5);
  const next = await answer("step", stepAnswer(config, 5, 9));
  assert.equal(next.max_ms, 16, "the new speed applies to the next step");
  c.pause();
});

test("a refused change is undone on the page and explained", async () => {
  const { c, fail, idle } = await started();
  const warn = console.warn;
  const warned = [];
  console.warn = (error) => warned.push(error);
  c.change({ learning_rate: 10 });
  await fail("patch", new Error("learning_rate must be at most 1")).finally(() => {
    console.warn = warn;
  });
  assert.equal(warned.length, 1, "logged once");
  assert.equal(c.settings.learning_rate, 0.03);
  assert.match(String(c.error), /learning_rate/);
  await idle();
});

test("nothing is sent while the tab is hidden", async () => {
  let hidden = true;
  const { c, config, answer, idle } = await started({ hidden: () => hidden });
  c.play();
  await idle();
  hidden = false;
  c.visibilityChanged();
  await answer("step", stepAnswer(config, 0, 5));
  c.pause();
});

test("the step button pauses and trains one epoch", async () => {
  const { c, config, answer, idle } = await started();
  c.play();
  c.step();
  assert.equal(c.playing, false);
  await answer("step", stepAnswer(config, 0, 5)); // the one that was on its way
  c.drawn();
  await idle();
  c.step();
  assert.equal((await answer("step", stepAnswer(config, 5, 6))).epochs, 1);
  await idle();
});

test("divergence pauses", async () => {
  const { c, config, answer, idle } = await started();
  c.play();
  await answer("step", stepAnswer(config, 0, 5, "diverged"));
  assert.equal(c.playing, false);
  c.drawn();
  await idle();
});

test("a reset while playing pauses, drops the step on its way and shows epoch 0", async () => {
  const { c, config, answer, idle } = await started();
  c.play();
  await settle();
  const reset = c.reset();
  assert.equal(c.playing, false);
  await answer("step", stepAnswer(config, 0, 5));
  await answer("reset", stateOf(config, 0));
  await reset;
  assert.equal(c.state.epoch, 0);
  assert.equal((await answer("frame", { history: { start: 0, train: [0.5], test: [0.5] } })).since, 0);
  await idle();
  c.play();
  assert.equal((await answer("step", stepAnswer(config, 0, 3))).since, 1);
  c.pause();
});

test("hovering a neuron while paused fetches its frame once per hover", async () => {
  const { c, answer, idle } = await started();
  c.hoverNeuron([1, 0]);
  c.hoverNeuron([1, 0]);
  await answer("frame", { history: { start: 0, train: [], test: [] }, neuron: { layer: 1, index: 0 } });
  await idle();
});

test("slow speeds: one epoch per step, the next sent only when its time has come", async () => {
  const clock = fakeClock();
  const { c, config, answer, idle } = await started({ speed: "5ps", clock });
  c.play();
  assert.deepEqual(await answer("step", stepAnswer(config, 0, 1)), { epochs: 1, frame: true, since: 0, thumb: 25, neuron: null, thumbs: true });
  c.drawn();
  await idle(); // 200 ms have not passed
  assert.equal(clock.waiting, 1);
  clock.advance(150);
  await idle();
  clock.advance(50);
  assert.equal((await answer("step", stepAnswer(config, 1, 2))).epochs, 1);
  c.pause();
  c.drawn();
  clock.advance(1000);
  await idle(); // paused: the timer sends nothing
});

test("one batch: pauses, sends batches 1 asking for its points, and keeps them to highlight", async () => {
  const { c, config, answer, idle } = await started();
  c.play();
  await settle();
  c.stepBatch(); // while a step is on its way: only pauses
  assert.equal(c.playing, false);
  await answer("step", stepAnswer(config, 0, 2));
  c.drawn();
  await idle();
  c.stepBatch();
  assert.equal(c.playing, false);
  const body = await answer("step", { ...stateOf(config, 2), batch: 1, batches_per_epoch: 25, epochs_run: 0, batches_run: 1, batch_points: [0, 1, 2], frame: null });
  assert.equal(body.batches, 1);
  assert.equal(body.batch_points, true);
  assert.equal("epochs" in body, false);
  assert.deepEqual(c.batchPoints, [0, 1, 2]);
  assert.equal(c.state.batch, 1);
  assert.equal("batch_points" in c.state, false);
  c.drawn();
  await idle();
  c.step(); // an epoch step: no batch to highlight any more
  await answer("step", stepAnswer(config, 2, 3));
  assert.equal(c.batchPoints, null);
});

test("thumbnails: asked at most every THUMBS_EVERY_MS while playing, kept in between, always when paused or after a change", async () => {
  const clock = fakeClock();
  // 3 epochs per frame: the next step goes when the answer has been drawn.
  const { c, config, answer, idle } = await started({ speed: "3", clock });
  const weights = [[[0.1, 0.2]], [[0.3], [0.4]]];
  const withThumbs = (from, to, tag) => {
    const a = stepAnswer(config, from, to);
    return { ...a, frame: { ...a.frame, weights, output: `out${to}`, features: [`f${tag}`], neurons: [[`n${tag}`, `m${tag}`]] } };
  };
  const without = (from, to) => {
    const a = stepAnswer(config, from, to);
    return { ...a, frame: { ...a.frame, weights, output: `out${to}`, features: null, neurons: null } };
  };
  // While playing, the next step goes as soon as an answer is in: each answer's body is
  // that of a step sent when the answer before it came in.
  c.play();
  assert.equal((await answer("step", withThumbs(0, 1, "A"))).thumbs, true, "the first step after a change asks");
  c.drawn();
  clock.advance(THUMBS_EVERY_MS - 1);
  assert.equal((await answer("step", without(1, 2))).thumbs, false, "too soon: the output map only");
  assert.equal(c.frame.output, "out2");
  assert.deepEqual([c.frame.features, c.frame.neurons], [["fA"], [["nA", "mA"]]], "the previous thumbnails are kept");
  c.drawn();
  clock.advance(1);
  assert.equal((await answer("step", without(2, 3))).thumbs, false, "sent 1 ms too soon");
  c.drawn();
  assert.equal((await answer("step", withThumbs(3, 4, "B"))).thumbs, true, "time for new thumbnails");
  assert.deepEqual(c.frame.features, ["fB"]);
  c.drawn();
  // Another shape (a network changed meanwhile): not kept, and the next step asks.
  const other = without(4, 5);
  other.frame.weights = [[[0.1, 0.2, 0.3]], [[0.3], [0.4], [0.5]]];
  assert.equal((await answer("step", other)).thumbs, false);
  assert.equal(c.frame.features, null);
  c.drawn();
  assert.equal((await answer("step", withThumbs(5, 6, "C"))).thumbs, true, "thumbnails that did not fit: asked at once");
  c.drawn();
  await answer("step", without(6, 7));
  c.drawn();
  // Pausing while the thumbnails shown are older than the network: a whole frame follows.
  c.pause();
  await answer("step", without(7, 8));
  const frameQuery = await answer("frame", withThumbs(8, 8, "D").frame);
  assert.notEqual(frameQuery.thumbs, false);
  assert.deepEqual(c.frame.features, ["fD"]);
  c.drawn();
  await idle();
  // Paused, a single step asks for thumbnails.
  c.step();
  assert.equal((await answer("step", withThumbs(8, 9, "E"))).thumbs, true);
  c.drawn();
  c.play();
  assert.equal((await answer("step", without(9, 10))).thumbs, false);
  c.drawn();
  // A change while a step is on its way: that answer is dropped, the next step asks.
  c.change({ learning_rate: 0.3 });
  await answer("step", without(10, 11));
  await answer("patch", stateOf({ ...config, learning_rate: 0.3 }, 11));
  assert.equal((await answer("step", withThumbs(10, 12, "F"))).thumbs, true, "after a change");
  c.drawn();
  c.pause();
  await answer("step", withThumbs(12, 13, "G"));
  c.drawn();
  await idle();
});
