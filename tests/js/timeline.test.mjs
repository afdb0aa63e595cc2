// The replay slider (static/js/timeline.js, pure part): its stops over the checkpoints.
import assert from "node:assert/strict";
import { test } from "node:test";

import { nearestStop, stops } from "../../static/js/timeline.js";

test("the stops are the checkpoints before now, then now", () => {
  assert.deepEqual(stops([0, 1, 2, 3], 3), [0, 1, 2, 3]);
  assert.deepEqual(stops([0, 1, 2], 5), [0, 1, 2, 5], "now, before the list has it");
  assert.deepEqual(stops([0, 4, 8, 9, 10], 7), [0, 4, 7], "a list older than a restore");
  assert.deepEqual(stops([], 0), [0]);
});

test("the nearest stop to an epoch", () => {
  assert.equal(nearestStop([0, 4, 8, 12], 5), 1);
  assert.equal(nearestStop([0, 4, 8, 12], 7), 2);
  assert.equal(nearestStop([0, 4, 8, 12], 100), 3);
  assert.equal(nearestStop([0], 3), 0);
});
