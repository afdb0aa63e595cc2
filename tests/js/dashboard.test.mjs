// The teacher's dashboard, pure part (static/js/dashboard.js): codes, names, sorting, the
// leaderboard's rows, thumbnails, the teacher's inputs and the experiment plot's scales.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  decodeThumbnail,
  displayName,
  experimentScale,
  formatAccuracy,
  formatCode,
  goalOf,
  hiddenNeurons,
  leaderboardRows,
  niceCeiling,
  parseExperimentValues,
  parseLayers,
  plotPoints,
  shapeText,
  sortStudents,
  valueText,
} from "../../static/js/dashboard.js";
import { loadCatalogs, useCatalog } from "../../static/js/i18n.js";
import { formatSeconds } from "../../static/js/teach-text.js";
import { OPTIONS, catalog } from "./fixture.mjs";

// The teacher's words come from the "teach" catalog (English unless a test says otherwise).
await loadCatalogs("en", ["page", "teach"]);

/** A student as GET /api/rooms/{code}/students lists one, with `change` on top. */
const student = (number, change = {}) => ({
  id: `s${number}`, number, name: `Name ${number}`, epoch: 0, train_loss: 0.5, test_loss: 0.5,
  test_accuracy: 0.5, status: "ready", layer_sizes: [2, 4, 2, 1], neurons: 6, thumbnail: null,
  thumb: 24, goal_reached_at: null, value: null, last_seen: 0.1, ...change,
}); // prettier-ignore

const CLASS = [
  student(1, { name: "zoë", epoch: 100, test_loss: 0.2 }),
  student(2, { name: "Ada", epoch: 300, test_loss: 0.05 }),
  student(3, { name: "<b>Bob</b>", epoch: 50, test_loss: null }),
  student(4, { name: "ada", epoch: 300, test_loss: 0.01, status: "diverged" }),
  student(5, { name: "李雷", epoch: 10, test_loss: 0.3, status: "gone" }),
];
const ids = (list) => list.map((s) => s.id);

test("a code is shown in two halves; any spelling of it too", () => {
  assert.equal(formatCode("K7QR4M"), "K7Q-R4M");
  assert.equal(formatCode("k7q r4m"), "K7Q-R4M");
  assert.equal(formatCode("K7Q-R4M"), "K7Q-R4M");
  assert.equal(formatCode("ABC"), "ABC", "not a code: as it is");
});

test("names as typed, or Student N when hidden (the number, never the name)", () => {
  assert.equal(displayName(CLASS[2], false), "<b>Bob</b>", "text, not HTML: shown verbatim");
  assert.equal(displayName(CLASS[2], true), "Student 3");
  assert.equal(displayName(student(17, { name: "Ada" }), true), "Student 17");
});

test("sorting: joining order, name (case- and accent-blind), loss (broken last), progress", () => {
  assert.deepEqual(ids(sortStudents(CLASS, "join", false)), ["s1", "s2", "s3", "s4", "s5"]);
  // Ada and ada tie: joining order decides; "<b>Bob</b>" sorts by its first character.
  assert.deepEqual(ids(sortStudents(CLASS, "name", false)), ["s3", "s2", "s4", "s1", "s5"]);
  assert.deepEqual(ids(sortStudents(CLASS, "loss", false)), ["s2", "s1", "s3", "s4", "s5"], "no loss, diverged and gone after every loss");
  assert.deepEqual(ids(sortStudents(CLASS, "progress", false)), ["s2", "s4", "s1", "s3", "s5"]);
});

test("sorting by name with names hidden follows the numbers (it gives no name away)", () => {
  assert.deepEqual(ids(sortStudents(CLASS, "name", true)), ["s1", "s2", "s3", "s4", "s5"]);
});

test("sorting leaves the server's list as it was", () => {
  const before = ids(CLASS);
  sortStudents(CLASS, "loss", false);
  assert.deepEqual(ids(CLASS), before);
});

test("the leaderboard in the server's order, ranked from 1, unknown ids skipped", () => {
  const list = [
    student(1, { goal_reached_at: { epoch: 412, seconds: 38.2 }, neurons: 16 }),
    student(2, { name: "Ada", goal_reached_at: { epoch: 90, seconds: 12.5 }, neurons: undefined, layer_sizes: [2, 3, 1] }),
  ];
  const rows = leaderboardRows(["s2", "gone", "s1"], list, false);
  assert.deepEqual(rows, [
    { rank: 1, id: "s2", name: "Ada", epoch: 90, seconds: 12.5, neurons: 3 },
    { rank: 2, id: "s1", name: "Name 1", epoch: 412, seconds: 38.2, neurons: 16 },
  ]);
  assert.deepEqual(leaderboardRows(["s2"], list, true).map((r) => r.name), ["Student 2"]);
  assert.deepEqual(leaderboardRows([], list, false), []);
});

test("network shape, neurons and accuracy as the tiles show them", () => {
  assert.equal(shapeText([2, 8, 8, 1]), "2·8·8·1");
  assert.equal(shapeText([]), "–");
  assert.equal(hiddenNeurons([2, 8, 8, 1]), 16);
  assert.equal(hiddenNeurons([3, 1]), 0);
  assert.equal(formatAccuracy(0.974), "97 %");
  assert.equal(formatAccuracy(null), "–");
});

test("a thumbnail decodes to thumb² values v = byte / 127.5 − 1", () => {
  const bytes = Uint8Array.from([0, 255, 127, 128]);
  const b64 = Buffer.from(bytes).toString("base64");
  const v = decodeThumbnail(b64, 2);
  assert.ok(v);
  assert.equal(v.length, 4);
  assert.equal(v[0], -1);
  assert.equal(v[1], 1);
  assert.ok(Math.abs(v[2] - (127 / 127.5 - 1)) < 1e-6);
  assert.ok(Math.abs(v[3] - (128 / 127.5 - 1)) < 1e-6);
  assert.equal(decodeThumbnail(b64, 3), null, "not thumb × thumb bytes");
  assert.equal(decodeThumbnail(null, 2), null);
  assert.equal(decodeThumbnail("%%%", 2), null, "not base64");
});

test("hidden layers typed as 8,8,8 within the server's bounds", () => {
  const bounds = { min: 1, max: 8, most: 6 };
  assert.deepEqual(parseLayers("8,8,8", bounds), [8, 8, 8]);
  assert.deepEqual(parseLayers(" 4, 2 ", bounds), [4, 2]);
  assert.deepEqual(parseLayers("", bounds), []);
  assert.equal(parseLayers("9", bounds), null);
  assert.equal(parseLayers("0", bounds), null);
  assert.equal(parseLayers("2.5", bounds), null);
  assert.equal(parseLayers("1,1,1,1,1,1,1", bounds), null);
});

test("a goal: losses below, accuracies at least, ranked by time unless asked", () => {
  assert.equal(goalOf("", "0.1", "time"), null);
  assert.deepEqual(goalOf("test_loss", "0.1", "time"), { metric: "test_loss", below: 0.1, rank: "time" });
  assert.deepEqual(goalOf("test_accuracy", "0.95", "neurons"), { metric: "test_accuracy", at_least: 0.95, rank: "neurons" });
  assert.deepEqual(goalOf("train_loss", "0.2", ""), { metric: "train_loss", below: 0.2, rank: "time" });
  assert.throws(() => goalOf("test_loss", "", "time"), /number/);
  assert.throws(() => goalOf("test_loss", "abc", "time"), /number/);
});

test("experiment values in each field's type", () => {
  const f = OPTIONS.field;
  assert.deepEqual(parseExperimentValues(f.learning_rate, "0.001, 0.01,0.1 , 3"), [0.001, 0.01, 0.1, 3]);
  assert.deepEqual(parseExperimentValues(f.activation, "relu, Tanh"), ["relu", "tanh"], "names or labels");
  assert.deepEqual(parseExperimentValues(f.hidden_layers, "8,8; 4; 2,2,2"), [[8, 8], [4], [2, 2, 2]]);
  assert.deepEqual(parseExperimentValues(f.features, "x1, x2; x1, x2, sin_x1"), [["x1", "x2"], ["x1", "x2", "sin_x1"]]);
  assert.deepEqual(parseExperimentValues(f.seed, "1, 2, abc"), [1, 2, "abc"]);
  assert.throws(() => parseExperimentValues(f.learning_rate, "0.1"), /2 to 40/);
  assert.throws(() => parseExperimentValues(f.learning_rate, "0.1, fast"), /not a number/);
  assert.throws(() => parseExperimentValues(f.noise, Array.from({ length: 41 }, (_, i) => i).join(",")), /2 to 40/);
});

test("the experiment's x axis: log for learning rates, linear for other numbers, categories otherwise", () => {
  const lr = experimentScale("learning_rate", [0.001, 0.01, 0.1, 1]);
  assert.equal(lr.kind, "log");
  assert.equal(lr.x(0.001), 0);
  assert.equal(lr.x(1), 1);
  assert.ok(Math.abs(/** @type {number} */ (lr.x(0.01)) - 1 / 3) < 1e-12, "decades evenly spaced");
  const noise = experimentScale("noise", [0, 10, 50]);
  assert.equal(noise.kind, "linear");
  assert.equal(noise.x(10), 0.2);
  assert.equal(experimentScale("seed", [1, 1000]).kind, "log", "over two decades");
  const act = experimentScale("activation", ["relu", "tanh"]);
  assert.equal(act.kind, "category");
  assert.equal(act.x("relu"), 0.25);
  assert.equal(act.x("tanh"), 0.75);
  assert.equal(act.x("sigmoid"), null);
  assert.equal(experimentScale("noise", [5, 5]).x(5), 0.5, "one value: the middle");
  assert.equal(lr.x(0), null, "no place for 0 on a log axis");
});

test("the experiment plot: losses scaled to a round top, means per value, a tick per value", () => {
  const experiment = { field: "learning_rate", values: [0.01, 0.1, 1] };
  const list = [
    student(1, { value: 0.01, test_loss: 0.3 }),
    student(2, { value: 0.1, test_loss: 0.1 }),
    student(3, { value: 1, test_loss: 0.4 }),
    student(4, { value: 0.01, test_loss: 0.1 }),
    student(5, { value: 0.1, test_loss: null }),
    student(6, { value: null, test_loss: 0.2 }),
    student(7, { value: 1, test_loss: 0.2, status: "gone" }),
  ];
  const plot = plotPoints(list, experiment);
  assert.equal(plot.kind, "log");
  assert.equal(plot.top, 0.5);
  assert.deepEqual(plot.points.map((p) => p.id), ["s1", "s2", "s3", "s4"], "no loss, no value or gone: left out");
  const s3 = plot.points.find((p) => p.id === "s3");
  assert.deepEqual([s3?.x, s3?.y], [1, 0.8]);
  assert.deepEqual(plot.ticks.map((t) => [t.x, t.label]), [[0, "0.01"], [0.5, "0.1"], [1, "1"]]);
  const mean = plot.means.find((m) => m.value === 0.01);
  assert.ok(mean && Math.abs(mean.y - 0.4) < 1e-12, "(0.3 + 0.1) / 2 / 0.5");
  assert.deepEqual(plotPoints([], experiment).points, []);
  assert.equal(plotPoints([], experiment).top, 1);
});

test("round tops of the loss axis", () => {
  assert.equal(niceCeiling(0.43), 0.5);
  assert.equal(niceCeiling(0.5), 0.5);
  assert.equal(niceCeiling(0.11), 0.2);
  assert.equal(niceCeiling(3), 5);
  assert.equal(niceCeiling(7), 10);
  assert.equal(niceCeiling(0), 1);
});

test("values as text: short numbers, lists joined", () => {
  assert.equal(valueText(0.30000000000000004), "0.3");
  assert.equal(valueText([8, 8]), "8,8");
  assert.equal(valueText([]), "none");
  assert.equal(valueText("relu"), "relu");
  assert.equal(valueText(null), "–");
});

test("the teacher's words follow the catalog: English, then Chinese", () => {
  assert.equal(formatSeconds(38.21), "38.2 s");
  assert.equal(formatSeconds(245), "4 min 05 s");
  assert.throws(() => parseExperimentValues({ kind: "number" }, "0.1, abc"), /“abc” is not a number/);
  useCatalog("zh", { ...catalog("zh", "page"), ...catalog("zh", "teach") });
  try {
    assert.equal(displayName(student(3), true), "学生 3");
    assert.equal(formatSeconds(245), "4 分 05 秒");
    assert.throws(() => goalOf("test_loss", "x", "time"), /目标需要一个数/);
  } finally {
    useCatalog("en");
  }
});
