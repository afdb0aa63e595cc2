// A session lost (404, e.g. expired) while it held the person's own data (static/js/api.js):
// the new session takes back the points the page knows before the request is retried, and
// an edit of the points is never retried on other data. Against a fake fetch.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { Api, SESSION_LOST, SessionLost } from "../../static/js/api.js";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

const CUSTOM = { problem: "multiclass", classes: 3, dataset: "custom", seed: 5 };
const KNOWN = { points: [[1, 1], [2, 2]], labels: [0, 2] };

/**
 * A server that has forgotten session "old": every request to it is 404, a new session is
 * "new"; requests to "new" answer a state. Every request is written down.
 */
function fakeServer() {
  const calls = [];
  globalThis.fetch = async (path, init) => {
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    calls.push([init.method, path, body]);
    const json = (status, value) => new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json" } });
    if (path.startsWith("/api/sessions/old")) return json(404, { detail: "No such session." });
    if (init.method === "POST" && path === "/api/sessions") return json(201, { id: "new", config: { ...body.config, dataset: "blobs" } });
    const dataset = init.method === "GET" ? "blobs" : "custom";
    return json(200, { id: "new", config: { ...CUSTOM, dataset } });
  };
  return calls;
}

/** An api whose session "old" held custom data; the page knows `known` of them. */
function lostApi(known, config = CUSTOM) {
  const api = new Api();
  api.sessionId = "old";
  api.config = config;
  api.customData = () => known;
  const replaced = [];
  api.onSessionReplaced = (state) => replaced.push(state);
  return { api, replaced };
}

test("adding points to a lost custom session: the known points first, then the new ones", async () => {
  const calls = fakeServer();
  const { api, replaced } = lostApi(KNOWN);
  await api.addPoints({ points: [[3, 3]], labels: [1] });
  assert.deepEqual(calls, [
    ["POST", "/api/sessions/old/points", { points: [[3, 3]], labels: [1] }],
    ["POST", "/api/sessions", { config: { problem: "multiclass", classes: 3, seed: 5 } }],
    ["PUT", "/api/sessions/new/data", KNOWN],
    ["POST", "/api/sessions/new/points", { points: [[3, 3]], labels: [1] }],
  ]);
  assert.equal(replaced.length, 1);
  assert.equal(api.sessionId, "new");
});

test("removing by index on a lost custom session: only on the same points given back", async () => {
  const calls = fakeServer();
  await lostApi(KNOWN).api.removePoints([1]);
  assert.deepEqual(calls.slice(2), [
    ["PUT", "/api/sessions/new/data", KNOWN],
    ["DELETE", "/api/sessions/new/points", { indices: [1] }],
  ]);
});

test("the points not known: no edit of other data, a sentence instead", async () => {
  const edits = [
    ["DELETE", (api) => api.removePoints([1])],
    ["POST", (api) => api.addPoints({ points: [[3, 3]], labels: [1] })],
  ];
  for (const [method, edit] of edits) {
    const calls = fakeServer();
    const { api, replaced } = lostApi(null);
    await assert.rejects(edit(api), (error) => error instanceof SessionLost && error.message === SESSION_LOST && error.status === 409);
    assert.deepEqual(calls.map(([m, p]) => `${m} ${p}`), [`${method} /api/sessions/old/points`, "POST /api/sessions"], "nothing sent to the new session");
    assert.equal(replaced.length, 1, "the page fetches the new session's data");
  }
}); // prettier-ignore

test("other requests on a lost custom session: the known points first; a new table: not needed", async () => {
  let calls = fakeServer();
  await lostApi(KNOWN).api.state();
  assert.deepEqual(calls.map(([m, p]) => `${m} ${p}`), ["GET /api/sessions/old", "POST /api/sessions", "PUT /api/sessions/new/data", "GET /api/sessions/new"]);
  calls = fakeServer();
  await lostApi(KNOWN).api.putData({ points: [], labels: [] });
  assert.deepEqual(calls.map(([m, p]) => `${m} ${p}`), ["PUT /api/sessions/old/data", "POST /api/sessions", "PUT /api/sessions/new/data"]);
  assert.deepEqual(calls[2][2], { points: [], labels: [] });
}); // prettier-ignore

test("a lost session with generated data: the same config and seed, the edit retried", async () => {
  const calls = fakeServer();
  const config = { ...CUSTOM, dataset: "blobs" };
  await lostApi(null, config).api.removePoints([4]);
  assert.deepEqual(calls, [
    ["DELETE", "/api/sessions/old/points", { indices: [4] }],
    ["POST", "/api/sessions", { config }],
    ["DELETE", "/api/sessions/new/points", { indices: [4] }],
  ]);
});
