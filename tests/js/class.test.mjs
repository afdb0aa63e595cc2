// Pure parts of the page in front of a class: the announcer's pace, the editor's place,
// plain messages, the map's lighter regions and the one-batch rings' caption.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Announcer } from "../../static/js/announcer.js";
import { ApiError } from "../../static/js/api.js";
import { REGION_ALPHA, colorOf, seenColor } from "../../static/js/colors.js";
import { notAModel, plainMessage } from "../../static/js/controller.js";
import { picture } from "../../static/js/heatmap.js";
import { besides, overlap } from "../../static/js/place.js";
import { OPTIONS } from "./fixture.mjs";

test("the announcer speaks at most every 5 s while playing, and at once when paused", () => {
  let now = 0;
  const said = [];
  const a = new Announcer((text) => said.push(text), () => now);
  a.update("Epoch 1", true);
  for (let t = 1; t < 50; t++) {
    now = t * 100; // ten updates a second for five seconds
    a.update(`Epoch ${t + 1}`, true);
  }
  assert.deepEqual(said, ["Epoch 1"]);
  now = 5000;
  a.update("Epoch 51", true);
  a.update("Epoch 52", false); // paused: at once
  a.update("Epoch 52", false); // the same text: not again
  assert.deepEqual(said, ["Epoch 1", "Epoch 51", "Epoch 52"]);
});

test("the editor goes beside the link and both its neurons, inside the diagram", () => {
  const bounds = { left: 0, top: 0, width: 700, height: 2000 };
  const source = { left: 100, top: 100, width: 36, height: 36 };
  const target = { left: 300, top: 200, width: 36, height: 36 };
  const link = { left: 136, top: 118, width: 164, height: 100 };
  const size = { width: 210, height: 140 };
  const at = besides(link, size, bounds, [source, target]);
  assert.deepEqual(at, { left: 344, top: 98 }, "to the right of it all");
  for (const r of [source, target, link]) assert.equal(overlap({ ...at, ...size }, r), 0);
  // No room on the right: the left; no room on either side: below.
  const right = besides({ ...link, left: 436 }, size, bounds, [{ ...source, left: 400 }, { ...target, left: 600 }]);
  assert.equal(right.left, 400 - 8 - 210);
  const narrow = { ...bounds, width: 400 };
  const below = besides(link, size, narrow, [source, target]);
  assert.equal(below.top, 236 + 8);
  for (const r of [source, target, link]) assert.equal(overlap({ ...below, ...size }, r), 0);
});

test("messages a person reads are plain", () => {
  assert.match(plainMessage(new TypeError("x is undefined")), /^Something went wrong on this page \(x is undefined\)\. Reload/);
  assert.match(plainMessage(new ApiError(500, "Internal Server Error")), /^The server could not do that \(error 500\)/);
  assert.match(plainMessage(new ApiError(413, "body too large")), /^That is more than the server accepts/);
  assert.equal(plainMessage(new ApiError(422, "The seed is too long.")), "The seed is too long.");
  assert.equal(plainMessage("Already plain."), "Already plain.");
  assert.equal(notAModel([1, 2]), "it holds no settings and weights");
  assert.equal(notAModel({ weights: [] }), "it has no settings (config)");
  assert.equal(notAModel({ config: {}, weights: [[[1]]] }), "it has no weights and biases");
  assert.equal(notAModel({ config: {}, weights: [], biases: [] }), null);
});

test("regions are seen lighter than the points on them; the canvas keeps exact colours", () => {
  assert.equal(REGION_ALPHA, 160 / 255, "the reference's alpha");
  const blue = colorOf(1);
  const seen = seenColor(blue);
  assert.deepEqual(seen, [100, 170, 214]);
  assert.ok(seen.every((c, k) => c > blue[k]), "lighter in every channel");
  assert.deepEqual(seenColor(colorOf(0)), [241, 242, 242], "near-white stays near-white");
});

test("the points of a one-batch step are ringed and named in the caption", () => {
  const view = {
    frame: { output: "OUT", weights: [[[1], [0]], [[1]]], biases: [[0], [0]] },
    hovered: null, enabled: ["x1", "x2"], features: OPTIONS.field.features.choices, lines: false,
    discretize: false, train: null, test: null, showTest: false,
  }; // prettier-ignore
  const p = picture({ ...view, batch: [3, 4, 5], batchText: "batch 2 of 25" }, 6);
  assert.deepEqual(p.batch, [3, 4, 5]);
  assert.equal(p.caption, "Output · ringed: the 3 points of batch 2 of 25");
  assert.equal(picture({ ...view, batch: [] }, 6).batch, null);
  assert.equal(picture(view, 6).caption, "Output");
});
