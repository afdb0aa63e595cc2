// The output area's caption, map and first-layer lines (static/js/heatmap.js, pure part).
import assert from "node:assert/strict";
import { test } from "node:test";

import { picture } from "../../static/js/heatmap.js";
import { OPTIONS } from "./fixture.mjs";

const FEATURES = OPTIONS.field.features.choices;
const E = OPTIONS.limits.grid_extent;

/** What the page gives the output area, with `change` on top. */
const view = (change = {}) => ({
  frame: { output: "OUT", weights: [[[1], [0]], [[1]]], biases: [[0], [0]] },
  hovered: null, enabled: ["x1", "x2"], features: FEATURES, lines: false, discretize: false,
  train: null, test: null, showTest: false, ...change,
}); // prettier-ignore

test("the output map, captioned Output", () => {
  const p = picture(view(), E);
  assert.equal(p.caption, "Output");
  assert.equal(p.grid, "OUT");
  assert.equal(p.lines, null);
});

test("a hovered neuron's map once the frame carries it", () => {
  const frame = { ...view().frame, neuron: { layer: 1, index: 1, grid: "N" } };
  assert.equal(picture(view({ hovered: [1, 1] }), E).caption, "Output", "not yet in the frame");
  const p = picture(view({ hovered: [1, 1], frame }), E);
  assert.equal(p.caption, "Neuron 2 of hidden layer 1");
  assert.equal(p.grid, "N");
  assert.equal(p.highlight, 1);
  const input = { ...frame, neuron: { layer: 0, index: 1, grid: "F" } };
  assert.equal(picture(view({ hovered: [0, 1], frame: input }), E).caption, "Input feature X₂");
});

test("first-layer lines, or a note when the inputs are not exactly X₁ and X₂", () => {
  const p = picture(view({ lines: true }), E);
  assert.deepEqual(p.lines?.[0]?.map(([x, y]) => [x + 0, y]), [[0, -E], [0, E]], "x = 0: a vertical line");
  const q = picture(view({ lines: true, enabled: ["x1"] }), E);
  assert.equal(q.lines, null);
  assert.equal(q.caption, "Output (first-layer lines need exactly the inputs X₁ and X₂)");
});

// -- multi-class -----------------------------------------------------------------------------

/** A 2-2-3 network's frame: three class grids, output = the largest. */
const multi = (change = {}) =>
  view({
    frame: { output: "MAX", classes: ["C0", "C1", "C2"], weights: [[[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0]]], biases: [[0, 0], [0, 0, 0]] },
    classes: 3,
    ...change,
  });

test("a multi-class output is the map of the most probable class, with words for its colours", () => {
  const p = picture(multi(), E);
  assert.equal(p.caption, "Output");
  assert.equal(p.grid, null);
  assert.deepEqual(p.classMap, { grids: ["C0", "C1", "C2"], index: null });
  assert.equal(p.pointClasses, 3);
  assert.match(p.colors, /orange class 0, blue class 1, green class 2/);
  assert.equal(picture(view(), E).colors, "orange is −1, blue is +1");
  assert.equal(picture(view(), E).classMap, null);
});

test("hovering output neuron k shows the probability of class k; hidden neurons keep their maps", () => {
  const p = picture(multi({ hovered: [2, 2] }), E);
  assert.equal(p.caption, "Probability of class 2");
  assert.deepEqual(p.classMap, { grids: ["C0", "C1", "C2"], index: 2 });
  assert.match(p.colors, /deeper green where class 2 is more probable/);
  const frame = { ...multi().frame, neuron: { layer: 1, index: 0, grid: "H" } };
  const q = picture(multi({ hovered: [1, 0], frame }), E);
  assert.equal(q.caption, "Neuron 1 of hidden layer 1");
  assert.equal(q.grid, "H");
  assert.equal(q.classMap, null);
  assert.equal(picture(multi({ hovered: [2, 5] }), E).caption, "Output", "no such class");
});
