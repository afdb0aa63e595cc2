// Explain a point (static/js/explain-point.js, pure parts): number formatting, picking a
// training point on the map, and the chain rule written out — checked against real answers
// of POST /api/sessions/{id}/explain (embedded below), so every equation the page writes
// must hold for the server's own numbers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cssColor } from "../../static/js/colors.js";
import {
  derivative,
  deltaLines,
  forwardLines,
  linkStyles,
  lossLines,
  nodeLabels,
  paramsBefore,
  parseShown,
  pickKey,
  pickLines,
  pickPoint,
  pickTooltip,
  sig,
  stepIndex,
  tableRows,
  term,
  weightLines,
} from "../../static/js/explain-point.js";

/** Real answers (app/engine/explain.py), one SGD step on one training point each. */
const FIXTURES = {"binary_l2": {"point": [0.33923535970365626, 4.90902631468438], "label": -1.0, "inputs": [0.33923535970365626, 4.90902631468438], "pre_activations": [[0.5922654495130283, -1.584652028959742], [0.7039204480334074]], "activations": [[0.5315229865592441, -0.9193253062100762], [0.6068503457959772]], "output": [0.6068503457959772], "data_loss": 1.290984016892326, "penalty": 0.0024145202219618364, "loss": 1.2933985371142878, "deltas": [[0.22143153212965253, -0.07562451879512952], [1.0150998396482764]], "weight_gradients": [[[0.07343612937041541, -0.02557818423695751], [1.0881321778618005, -0.3746797710379104]], [[0.5425892156502168], [-0.9380183319885447]]], "bias_gradients": [[0.22143153212965253, -0.07562451879512952], [1.0150998396482764]], "learning_rate": 0.03, "updated_weights": [[[-0.170330692013012, 0.008400005419525297], [0.07925200830980472, -0.33246143059647104]], [[0.28775404598600973], [-0.4529955570496996]]], "updated_biases": [[0.09335705403611043, 0.1022687355638539], [0.06954700481055172]]}, "binary_l2_model": {"weights": [[[-0.16812760813189953, 0.007632659892416571], [0.11189597364565873, -0.3437018237276084]], [[0.30403172245551624], [-0.48113610700935594]]], "biases": [[0.1, 0.1], [0.1]]}, "binary_l1_relu": {"point": [-0.0006336392556154683, 0.007941688729220887], "label": 1.0, "inputs": [-0.0006336392556154683, 0.007941688729220887], "pre_activations": [[0.10256912654984006, 0.10388580692759379], [0.05053824551402752]], "activations": [[0.10256912654984006, 0.10388580692759379], [0.05049526260895234]], "output": [0.05049526260895234], "data_loss": 0.4507796231640212, "penalty": 0.0597547417032078, "loss": 0.510534364867229, "deltas": [[0.43370836610796965, 0.022710840681345875], [-0.947083717228906]], "weight_gradients": [[[0.029725185353745145, -0.030014390480183728], [0.033444376842888465, 0.030180362427470176]], [[-0.1271415496457446], [-0.12838855619230996]]], "bias_gradients": [[0.43370836610796965, 0.022710840681345875], [-0.947083717228906]], "learning_rate": 0.03, "updated_weights": [[[0.3937457530596509, -0.293584241554722], [0.35398217154716743, 0.46489097130246665]], [[-0.4541266495667513], [-0.02012810378123149]]], "updated_biases": [[0.08698874901676092, 0.09931867477955963], [0.1284125115168672]]}, "multiclass": {"point": [2.318007104290938, -0.19742422923592184], "label": 2.0, "inputs": [2.318007104290938, -0.19742422923592184], "pre_activations": [[-0.31181196642878317, 0.18554762749166187], [-0.034316803251054934, -0.11310657087141135, 0.46327172217588763]], "activations": [[0.42267252014454554, 0.546254279727346], [0.2801917527603563, 0.25896280269469274, 0.4608454445449509]], "output": [0.2801917527603563, 0.25896280269469274, 0.4608454445449509], "data_loss": 0.7746925534888983, "penalty": 0.0, "loss": 0.7746925534888983, "deltas": [[-0.06557334032168616, -0.07945082975435315], [0.2801917527603563, 0.25896280269469274, -0.5391545554550491]], "weight_gradients": [[[-0.15199946871775594, -0.18416758781240042], [0.012945766171433686, 0.015685518826407615]], [[0.11842935426293721, 0.10945646043866049, -0.22788581470159774], [0.15305594408965104, 0.1414595392621642, -0.29451548335181527]]], "bias_gradients": [[-0.06557334032168616, -0.07945082975435315], [0.2801917527603563, 0.25896280269469274, -0.5391545554550491]], "learning_rate": 0.03, "updated_weights": [[[-0.16356762407036685, 0.013157687526788583], [0.11150760066051572, -0.3441723892924006]], [[0.30047884182762813, -0.42658086487912433, 0.4599341531425096], [-0.48572778533204547, -0.06683457965223173, 0.3232674663889065]]], "updated_biases": [[0.1019672002096506, 0.1023835248926306], [0.09159424741718931, 0.09223111591915922, 0.11617463666365148]]}, "regression_no_hidden": {"point": [-3.857137461907537, 2.1959762437076336], "label": -0.16611612181999033, "inputs": [-3.857137461907537, 2.1959762437076336], "pre_activations": [[0.9942121955988619]], "activations": [[0.9942121955988619]], "output": [0.9942121955988619], "data_loss": 0.6731809021020322, "penalty": 0.0, "loss": 0.6731809021020322, "deltas": [[1.1603283174188521]], "weight_gradients": [[[-4.475545821228394], [2.5480534199530496]]], "bias_gradients": [[1.1603283174188521]], "learning_rate": 0.03, "updated_weights": [[[-0.033861233495047716], [0.03545437104706725]]], "updated_biases": [[0.06519015047743444]]}};

/** Every number in a text (− is a minus). */
const numbers = (text) => (text.match(/[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?/g) ?? []).map(parseShown);

/** A shown number (4 significant digits) is the exact one, rounded. */
const close = (shown, exact) => Math.abs(shown - exact) <= 5e-4 * Math.abs(exact) + 1e-12;

/** @returns the context explain-point.js builds for an answer */
function context(ex, { activation = "tanh", problem = "classification", regularization = "none", rate = 0, frame = null } = {}) {
  const { weights, biases } = paramsBefore(ex, frame);
  return { ex, weights, biases, inputs: ["X₁", "X₂"], activation, problem, regularization, rate };
}

test("numbers: four significant digits, a real minus, no trailing zeros, exponents only at the ends", () => {
  assert.equal(sig(0.123456), "0.1235");
  assert.equal(sig(-0.0561234), "−0.05612");
  assert.equal(sig(1.5), "1.5");
  assert.equal(sig(0.5), "0.5");
  assert.equal(sig(1), "1");
  assert.equal(sig(0), "0");
  assert.equal(sig(12345.6), "12350");
  assert.equal(sig(-123456), "−1.235e5");
  assert.equal(sig(0.00001234), "1.234e−5");
  assert.equal(sig(NaN), "–");
  assert.equal(sig(-Infinity), "−∞");
  assert.equal(term(-0.25), "(−0.25)");
  assert.equal(term(0.25), "0.25");
  for (const v of [0.123456, -7.891e-5, 42.4242, -0.5, 3e7]) assert.ok(close(parseShown(sig(v)), v), `${v} → ${sig(v)}`);
});

test("picking: the nearest training point within the radius, else none", () => {
  const points = [[0, 0], [1, 1], [-5, 5]];
  // A 300 px map of [−6, 6]²: 25 px per unit; (0, 0) is the centre.
  assert.equal(pickPoint(points, 150, 150, 300, 6), 0);
  assert.equal(pickPoint(points, 150 + 25 + 4, 150 - 25 - 3, 300, 6), 1, "5 px from (1, 1)");
  assert.equal(pickPoint(points, 150 + 12, 150 - 12, 300, 6), -1, "between the two, 17 px from each");
  assert.equal(pickPoint(points, 25, 25, 300, 6), 2);
  assert.equal(pickPoint(points, 25, 25, 300, 6, 0), 2, "radius 0: a direct hit");
  assert.equal(pickPoint(points, 26, 25, 300, 6, 0), -1, "radius 0: a pixel off");
  assert.equal(pickPoint([], 150, 150, 300, 6), -1);
  assert.equal(pickPoint(points, 150, 150, 0, 6), -1, "no map yet");
});

test("next and previous point wrap around", () => {
  assert.equal(stepIndex(null, 5, 1), 0);
  assert.equal(stepIndex(null, 5, -1), 4);
  assert.equal(stepIndex(4, 5, 1), 0);
  assert.equal(stepIndex(0, 5, -1), 4);
  assert.equal(stepIndex(2, 5, 1), 3);
  assert.equal(stepIndex(null, 0, 1), null);
});

test("f′ as the engine takes it, from the activation's output", () => {
  assert.equal(derivative("tanh", 0.5).value, 0.75);
  assert.equal(derivative("sigmoid", 0.25).value, 0.1875);
  assert.equal(derivative("relu", 0.3).value, 1);
  assert.equal(derivative("relu", 0).value, 0);
  assert.equal(derivative("linear", -3).value, 1);
});

test("the parameters before the step: the frame's when they are the ones explained, else worked back", () => {
  const ex = FIXTURES.binary_l2;
  const model = FIXTURES.binary_l2_model;
  const fromFrame = paramsBefore(ex, model);
  assert.equal(fromFrame.weights, model.weights, "the frame's own arrays");
  const stale = { weights: model.weights.map((l) => l.map((r) => r.map((w) => w + 0.1))), biases: model.biases };
  const worked = paramsBefore(ex, stale);
  assert.notEqual(worked.weights, stale.weights);
  worked.weights.forEach((layer, l) =>
    layer.forEach((row, i) => row.forEach((w, j) => assert.ok(Math.abs(w - model.weights[l][i][j]) < 1e-12))),
  );
  assert.ok(Math.abs(paramsBefore(ex, null).biases[1][0] - model.biases[1][0]) < 1e-12);
});

test("a weight's chain rule (L2): ∂L/∂w = δ_j · a_i + rate · w, Δw = −lr · ∂L/∂w, new w — the server's numbers", () => {
  const ex = FIXTURES.binary_l2;
  const c = context(ex, { regularization: "l2", rate: 0.01, frame: FIXTURES.binary_l2_model });
  for (const [l, i, j] of [[0, 0, 0], [0, 1, 1], [1, 0, 0], [1, 1, 0]]) {
    const parts = weightLines(c, l, i, j);
    const w = c.weights[l][i][j];
    const [grad] = parts.backward;
    assert.match(grad, /^∂L\/∂w = δ\(.+\) · a\(.+\) \+ rate · w = /);
    const [delta, a, rate, shownW, g] = numbers(grad.split("=").slice(2).join("="));
    assert.ok(close(delta, ex.deltas[l][j]) && close(a, l === 0 ? ex.inputs[i] : ex.activations[l - 1][i]));
    assert.equal(rate, 0.01);
    assert.ok(close(shownW, w));
    assert.ok(close(g, ex.weight_gradients[l][i][j]));
    assert.ok(Math.abs(ex.deltas[l][j] * (l === 0 ? ex.inputs[i] : ex.activations[l - 1][i]) + 0.01 * w - ex.weight_gradients[l][i][j]) < 1e-12);
    const [step, update] = parts.update;
    assert.ok(close(numbers(step).at(-1), -ex.learning_rate * ex.weight_gradients[l][i][j]));
    assert.ok(close(numbers(update).at(-1), ex.updated_weights[l][i][j]));
    assert.match(update, /^new w = w − lr · ∂L\/∂w = /);
  }
  assert.equal(weightLines(c, 1, 0, 0).title, "Weight from neuron 1 of hidden layer 1 to the output");
  assert.equal(weightLines(c, 0, 1, 0).title, "Weight from X₂ to neuron 1 of hidden layer 1");
});

test("L1: the gradient's penalty part is rate · sign(w); a bias has none: ∂L/∂b = δ", () => {
  const ex = FIXTURES.binary_l1_relu;
  const c = context(ex, { activation: "relu", regularization: "l1", rate: 0.03 });
  const [grad] = weightLines(c, 0, 0, 1).backward;
  assert.match(grad, /\+ rate · sign\(w\)/);
  const [, , rate, sign, g] = numbers(grad.split("=").slice(2).join("="));
  assert.equal(rate, 0.03);
  assert.equal(Math.abs(sign), 1);
  assert.ok(close(g, ex.weight_gradients[0][0][1]));
  const bias = pickLines(c, { kind: "bias", layer: 1, neuron: 1 }, "update").lines;
  assert.ok(close(numbers(bias.find((t) => t.startsWith("∂L/∂b"))).at(-1), ex.deltas[0][1]));
  assert.ok(close(numbers(bias.find((t) => t.startsWith("new b"))).at(-1), ex.updated_biases[0][1]));
});

test("δ of a hidden neuron = f′(z) · Σ_k w_jk δ_k, and of the output from the loss", () => {
  for (const [name, activation] of [["binary_l2", "tanh"], ["binary_l1_relu", "relu"]]) {
    const ex = FIXTURES[name];
    const c = context(ex, { activation });
    for (const j of [0, 1]) {
      const [fLine, dLine] = deltaLines(c, 1, j);
      const f = numbers(fLine).at(-1);
      const shown = numbers(dLine.split("=").slice(2).join("="));
      // f′ × (w × δ) = δ
      assert.ok(close(shown[0], f) && close(shown[1], c.weights[1][j][0]) && close(shown[2], ex.deltas[1][0]));
      assert.ok(close(shown.at(-1), ex.deltas[0][j]), `${name} δ(h1.${j + 1})`);
      assert.ok(Math.abs(derivative(activation, ex.activations[0][j]).value * c.weights[1][j][0] * ex.deltas[1][0] - ex.deltas[0][j]) < 1e-12);
    }
    const [fOut, dOut] = deltaLines(c, 2, 0);
    const out = ex.output[0];
    assert.ok(close(numbers(fOut).at(-1), 1 - out * out), "tanh output");
    assert.ok(close(numbers(dOut).at(-1), ex.deltas[1][0]));
    assert.ok(Math.abs((out - ex.label) * (1 - out * out) - ex.deltas[1][0]) < 1e-12);
  }
});

test("the loss with its penalty, and the forward pass z = Σ w·a + b, a = f(z)", () => {
  const ex = FIXTURES.binary_l2;
  const c = context(ex, { regularization: "l2", rate: 0.01 });
  const lines = lossLines(c);
  assert.equal(lines.length, 3);
  assert.ok(close(numbers(lines[0]).at(-1), ex.data_loss));
  assert.ok(close(numbers(lines[1]).at(-1), ex.penalty));
  assert.ok(close(numbers(lines[2]).at(-1), ex.loss));
  const [z, a] = forwardLines(c, 1, 0);
  assert.ok(close(numbers(z).at(-1), ex.pre_activations[0][0]));
  assert.ok(close(numbers(a).at(-1), ex.activations[0][0]));
  assert.match(a, /^a\(h1\.1\) = tanh\(z\)/);
  assert.equal(lossLines(context(FIXTURES.regression_no_hidden, { problem: "regression" })).length, 1, "no regularisation: no penalty line");
});

test("multi-class: K outputs, softmax probabilities, δ = p − [y = k], the loss −log p_y", () => {
  const ex = FIXTURES.multiclass;
  const c = context(ex, { activation: "sigmoid", problem: "multiclass" });
  const labels = nodeLabels(c, "forward");
  assert.equal(labels.at(-1).length, 3);
  labels.at(-1).forEach((lines, k) => {
    assert.ok(lines[1].startsWith("p ") && close(numbers(lines[1])[0], ex.output[k]));
  });
  const y = Math.round(ex.label);
  for (let k = 0; k < 3; k++) {
    const [line] = deltaLines(c, 2, k);
    const [p, hit, d] = numbers(line.split("=").slice(1).join("=")).slice(-3);
    assert.ok(close(p, ex.output[k]) && hit === (k === y ? 1 : 0) && close(d, ex.deltas[1][k]));
  }
  assert.ok(close(numbers(lossLines(c)[0]).at(-1), ex.loss));
  const sigmoid = deltaLines(c, 1, 0)[0];
  assert.match(sigmoid, /^f′\(z\) = a · \(1 − a\)/);
  assert.equal(pickLines(c, { kind: "node", layer: 2, index: 1 }, "forward").title, "Output neuron 2 (class 1)");
});

test("regression without hidden layers: a linear output, f′ = 1", () => {
  const ex = FIXTURES.regression_no_hidden;
  const c = context(ex, { problem: "regression" });
  const [fLine, dLine] = deltaLines(c, 1, 0);
  assert.match(fLine, /1 \(linear\)/);
  assert.ok(close(numbers(dLine).at(-1), ex.deltas[0][0]));
  assert.ok(Math.abs(ex.output[0] - ex.label - ex.deltas[0][0]) < 1e-12);
  assert.match(forwardLines(c, 1, 0)[1], /^a\(out\) = linear\(z\)/);
  assert.equal(tableRows(c).length, 3, "two weights and a bias");
});

test("labels under the nodes per stage, links drawn by the gradient or the step", () => {
  const ex = FIXTURES.binary_l2;
  const c = context(ex, { regularization: "l2", rate: 0.01 });
  assert.deepEqual(nodeLabels(c, "forward")[0], ex.inputs.map((v) => [sig(v)]));
  assert.deepEqual(nodeLabels(c, "backward")[1][1], [`a ${sig(ex.activations[0][1])}`, `δ ${sig(ex.deltas[0][1])}`]);
  assert.deepEqual(nodeLabels(c, "update")[2][0], [`b ${sig(c.biases[1][0])}`, `→ ${sig(ex.updated_biases[1][0])}`]);
  assert.equal(linkStyles(ex, "forward"), null);
  const back = linkStyles(ex, "backward");
  const flat = back.flat(2);
  assert.equal(Math.max(...flat.map((s) => s.width)), 10);
  // The largest |∂L/∂w| is X₂ → h1.1's here (1.088): blue, 10 px; h1.2 → out's (−0.938) orange.
  assert.equal(back[0][1][0].width, 10);
  assert.equal(back[0][1][0].color, cssColor(1));
  assert.equal(back[1][1][0].color, cssColor(-(0.35 + (0.65 * 0.9380183319885447) / 1.0881321778618005)));
  assert.ok(back[1][1][0].width > back[1][0][0].width);
  assert.equal(linkStyles(ex, "update")[0][1][0].color, cssColor(-1), "the step goes against the gradient");
  assert.equal(pickTooltip(c, { kind: "weight", layer: 1, source: 0, target: 0 }, "update"),
    `w ${sig(c.weights[1][0][0])} → ${sig(ex.updated_weights[1][0][0])}`);
  assert.equal(pickKey({ kind: "weight", layer: 1, source: 0, target: 0 }), "w:1,0,0");
  assert.equal(pickKey({ kind: "bias", layer: 2, neuron: 0 }), "b:2,0");
  assert.equal(pickKey({ kind: "node", layer: 0, index: 1 }), "n:0,1");
});

test("the stages add up: forward lines, then the gradient, then the step", () => {
  const c = context(FIXTURES.binary_l2, { regularization: "l2", rate: 0.01 });
  const pick = { kind: "weight", layer: 0, source: 0, target: 0 };
  const [f, b, u] = ["forward", "backward", "update"].map((s) => pickLines(c, pick, s).lines.length);
  assert.deepEqual([f, b, u], [1, 2, 4]);
});
