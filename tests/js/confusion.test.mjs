// The confusion matrices' figures and the legend's entries (pure parts of confusion.js, legend.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { captionOf, summarize } from "../../static/js/confusion.js";
import { classEntries } from "../../static/js/legend.js";

test("a matrix's total, diagonal and accuracy", () => {
  const m = [
    [50, 2, 0],
    [3, 40, 5],
    [0, 0, 100],
  ];
  assert.deepEqual(summarize(m), { total: 200, right: 190, accuracy: 0.95 });
  assert.deepEqual(captionOf("Training", m), ["Training 95.0 %", "190 of 200 right"]);
  assert.deepEqual(captionOf("Test", [[0, 0], [0, 0]]), ["Test", "no points"]);
});

test("rows are true classes: a point of class 1 predicted as 2 is not counted right", () => {
  assert.equal(summarize([[0, 0, 0], [0, 0, 1], [0, 0, 0]]).right, 0);
  assert.equal(summarize([[0, 0, 0], [0, 0, 0], [0, 0, 1]]).right, 1);
});

test("the legend lists each class with its colour", () => {
  assert.deepEqual(classEntries(0), []);
  assert.deepEqual(
    classEntries(3).map((e) => [e.name, e.color, e.colorName]),
    [["Class 0", "#e69f00", "orange"], ["Class 1", "#0072b2", "blue"], ["Class 2", "#009e73", "green"]],
  );
  assert.equal(classEntries(5).length, 5);
});
