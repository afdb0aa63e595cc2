// Drawing data on the output map (static/js/draw.js, pure parts): pixel → point, the nearest
// point, the order the point routes index, batching a drag, the labels offered.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CLASS_COLORS, hexToRgb } from "../../static/js/colors.js";
import {
  BATCH_MS,
  DragBatcher,
  countPoints,
  indexedPoints,
  labelChoices,
  nearestPoint,
  pixelToPoint,
} from "../../static/js/draw.js";
import { MAX_FILE_BYTES, MAX_TABLE_CHARS, tooLarge } from "../../static/js/datafile-ui.js";
import { toPixel } from "../../static/js/grid.js";
import { fakeClock } from "./fixture.mjs";

const E = 6;

test("pixel → point: the corners and the centre of the map, y up", () => {
  assert.deepEqual(pixelToPoint(0, 0, 300, E), [-6, 6], "top left");
  assert.deepEqual(pixelToPoint(300, 300, 300, E), [6, -6], "bottom right");
  assert.deepEqual(pixelToPoint(150, 150, 300, E), [0, 0], "centre, no −0");
  assert.deepEqual(pixelToPoint(75, 225, 300, E), [-3, -3]);
  assert.deepEqual(pixelToPoint(300, 0, 300, E), [6, 6], "top right");
});

test("pixel → point: outside the map is clamped into the square; three decimals", () => {
  assert.deepEqual(pixelToPoint(-20, 400, 300, E), [-6, -6]);
  assert.deepEqual(pixelToPoint(100, 100, 299, E), [-1.987, 1.987]);
});

test("pixel → point is the inverse of the heat map's point → pixel", () => {
  for (const size of [137, 300, 612]) {
    for (const [x, y] of [[-6, 6], [1.25, -3.5], [5.999, 0.001], [0, 0]]) {
      const [px, py] = toPixel(x, y, size, size, E);
      const [bx, by] = pixelToPoint(px, py, size, E);
      assert.ok(Math.abs(bx - x) <= 0.0005 && Math.abs(by - y) <= 0.0005, `${x},${y} at ${size}px → ${bx},${by}`);
    }
  }
}); // prettier-ignore

test("the nearest point within the radius, or -1", () => {
  const points = [[0, 0], [1, 1], [1.1, 1.1], [-4, 2]];
  assert.equal(nearestPoint(points, [1.04, 1.04], 0.2), 1);
  assert.equal(nearestPoint(points, [1.08, 1.08], 0.2), 2);
  assert.equal(nearestPoint(points, [-4, 2.3], 0.2), -1, "too far");
  assert.equal(nearestPoint(points, [-4, 2.25], 0.25), 3, "on the radius counts");
  assert.equal(nearestPoint([], [0, 0], 1), -1);
  assert.equal(nearestPoint([[2, 2], [2, 2]], [2, 2], 0.1), 0, "a tie: the first");
}); // prettier-ignore

test("the point routes' order: the custom set, else train then test", () => {
  const train = { points: [[1, 1], [2, 2]], labels: [1, -1] };
  const test_ = { points: [[3, 3]], labels: [1] };
  assert.deepEqual(indexedPoints({ train, test: test_, custom: null }), {
    points: [[1, 1], [2, 2], [3, 3]],
    labels: [1, -1, 1],
  });
  const custom = { points: [[3, 3], [1, 1], [2, 2]], labels: [1, 1, -1] };
  assert.equal(indexedPoints({ train, test: test_, custom }), custom);
  assert.deepEqual(indexedPoints(null), { points: [], labels: [] });
  assert.equal(countPoints({ train, test: test_, custom: null }), 3);
  assert.equal(countPoints({ train, test: test_, custom: { points: [], labels: [] } }), 0);
  assert.equal(countPoints(null), null);
});

test("a drag's points go together, at most one request per BATCH_MS", () => {
  const clock = fakeClock();
  const sent = [];
  const batcher = new DragBatcher({ send: (points, labels) => sent.push({ points, labels }), later: clock.later });
  for (let i = 0; i < 5; i++) {
    batcher.push([i, 0], 1);
    clock.advance(30);
  }
  // 0 ms: the timer starts; at 100 ms points 0–3 go (pushed at 0, 30, 60, 90).
  assert.deepEqual(sent.map((s) => s.points.length), [4]);
  for (let i = 5; i < 8; i++) {
    batcher.push([i, 0], 1);
    clock.advance(10);
  }
  batcher.flush(); // the drag ended
  assert.deepEqual(sent.map((s) => s.points.length), [4, 4]);
  assert.deepEqual(sent[1].points, [[4, 0], [5, 0], [6, 0], [7, 0]]);
  clock.advance(BATCH_MS);
  assert.equal(sent.length, 2, "the timer finds nothing left");
  batcher.flush();
  assert.equal(sent.length, 2, "an empty flush sends nothing");
  assert.deepEqual(sent.flatMap((s) => s.labels), Array(8).fill(1));
}); // prettier-ignore

test("a click's point goes at once when flushed; a later push starts a new batch", () => {
  const clock = fakeClock();
  const sent = [];
  const batcher = new DragBatcher({ send: (points) => sent.push(points), later: clock.later, every: 50 });
  batcher.push([1, 2], -1);
  batcher.flush();
  assert.deepEqual(sent, [[[1, 2]]]);
  clock.advance(50);
  batcher.push([3, 4], -1);
  clock.advance(49);
  assert.equal(sent.length, 1);
  clock.advance(1);
  assert.deepEqual(sent[1], [[3, 4]]);
});

test("the labels offered: two classes, K classes in their colours, or a value", () => {
  assert.deepEqual(labelChoices("classification", 3).map((c) => c.label), [-1, 1]);
  assert.match(labelChoices("classification", 3)[0].name, /Orange/);
  const k4 = labelChoices("multiclass", 4);
  assert.deepEqual(k4.map((c) => c.label), [0, 1, 2, 3]);
  assert.deepEqual(k4.map((c) => c.name), ["Class 0 (orange)", "Class 1 (blue)", "Class 2 (green)", "Class 3 (purple)"]);
  assert.equal(k4[2].color, `rgb(${hexToRgb(CLASS_COLORS[2]).join(", ")})`);
  assert.deepEqual(labelChoices("regression", 3), []);
});

test("a table too large for the server is refused by the page, without reading a large file", () => {
  assert.equal(tooLarge({ size: MAX_FILE_BYTES }), null, "read, then counted");
  assert.match(tooLarge({ size: 5_000_000 }), /^The file is 5,000,000 bytes; a data table may have at most 200,000 characters .*stay as they were\.$/);
  assert.equal(tooLarge({ text: "x".repeat(MAX_TABLE_CHARS) }), null);
  assert.match(tooLarge({ text: "x".repeat(MAX_TABLE_CHARS + 1) }), /^The table has 200,001 characters; /);
  assert.equal(MAX_TABLE_CHARS, 200_000, "app/engine/datafile.py MAX_CHARS");
  assert.ok(MAX_FILE_BYTES < 1_000_000, "below the server's body limit: its own sentence, not a 413");
});
