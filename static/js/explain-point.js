// @ts-check
/**
 * Explain one training point (issue 14): the "Explain" button pauses training; a click on
 * a training point of the output map asks the server for one SGD step on that point alone
 * (POST …/explain {"index": i}, app/engine/explain.py) and the network diagram shows it in
 * three stages:
 *
 *   Forward   each input's value, each neuron's weighted sum z and activation a, the output
 *   Backward  each neuron's δ = ∂L/∂z; each link drawn by its gradient ∂L/∂w
 *   Update    each bias's new value; each link drawn by its step Δw = −lr · ∂L/∂w
 *
 * Picking a link, a bias or a neuron writes its chain rule out with the numbers plugged in.
 * "Apply this step" makes the step (apply: true), "Next point" explains the next training
 * point, "Done" leaves. Every number shown is the server's; the page only multiplies them
 * out in the text (f′ from the activation, as the engine does).
 *
 * Pure parts (formatting, picking a point, the chain-rule text, labels and link styles)
 * are exported for tests/js/explain-point.test.mjs; the view below has a constructor and
 * `update(view)` and talks to the server only through its hooks.
 */

import { cssColor } from "./colors.js";
import { has, t } from "./i18n.js";
import { nearestPoint } from "./draw.js";
import { toPixel } from "./grid.js";

/** Every word this view shows or says (issue 15 moves them into catalogs). */
export const TEXT = {
  get button() {
    return t("xp.button");
  },
  get buttonTitle() {
    return t("xp.buttonTitle");
  },
  get heading() {
    return t("xp.heading");
  },
  get instruction() {
    return t("xp.instruction");
  },
  get noPoint() {
    return t("xp.noPoint");
  },
  get noTraining() {
    return t("xp.noTraining");
  },
  get working() {
    return t("xp.working");
  },
  get stages() {
    return t("xp.stages");
  },
  get forward() {
    return t("xp.forward");
  },
  get backward() {
    return t("xp.backward");
  },
  get update() {
    return t("xp.update");
  },
  get apply() {
    return t("xp.apply");
  },
  get applyTitle() {
    return t("xp.applyTitle");
  },
  get previous() {
    return t("xp.previous");
  },
  get next() {
    return t("xp.next");
  },
  get done() {
    return t("xp.done");
  },
  get table() {
    return t("xp.table");
  },
  get pickHint() {
    return t("xp.pickHint");
  },
  get legend() {
    return t("xp.legend");
  },
  get columns() {
    return ["parameter", "value", "gradient", "step", "newValue"].map((k) => t(`xp.columns.${k}`));
  },
  penalty: (/** @type {string} */ kind, /** @type {string} */ rate) => t("xp.penalty", { kind, rate }),
  /** "Training point 17 of 250 at (0.339, 4.909), label −1" */
  point: (/** @type {number} */ i, /** @type {number} */ n, /** @type {string} */ x, /** @type {string} */ y, /** @type {string} */ label) =>
    t("xp.point", { i: i + 1, n, x, y, label }),
  label: (/** @type {string} */ v) => t("xp.label", { v }),
  target: (/** @type {string} */ v) => t("xp.target", { v }),
  classLabel: (/** @type {number} */ k) => t("xp.classLabel", { k }),
  summary: {
    get forward() {
      return t("xp.summary.forward");
    },
    get backward() {
      return t("xp.summary.backward");
    },
    update: (/** @type {string} */ lr) => t("xp.summary.update", { lr }),
  },
  /** What the live region says. */
  say: {
    get entered() {
      return t("xp.say.entered");
    },
    get left() {
      return t("xp.say.left");
    },
    stage: (/** @type {string} */ stage, /** @type {string} */ rest) => t("xp.say.stage", { stage, rest }),
    point: (/** @type {number} */ i, /** @type {string} */ out, /** @type {string} */ loss) => t("xp.say.point", { i: i + 1, out, loss }),
    applied: (/** @type {string} */ before, /** @type {string} */ after) => t("xp.say.applied", { before, after }),
  },
  /** A neuron's name in a sentence ("neuron 2 of hidden layer 1") or at its start (`cap`). */
  names: {
    output: (cap = false) => t(cap ? "xp.names.outputCap" : "xp.names.output"),
    outputOf: (/** @type {number} */ k, cap = false) => t(cap ? "xp.names.outputOfCap" : "xp.names.outputOf", { n: k + 1, k }),
    hidden: (/** @type {number} */ l, /** @type {number} */ j, cap = false) => t(cap ? "xp.names.hiddenCap" : "xp.names.hidden", { l, j: j + 1 }),
    weight: (/** @type {string} */ from, /** @type {string} */ to) => t("xp.names.weight", { from, to }),
    bias: (/** @type {string} */ of) => t("xp.names.bias", { of }),
  },
  /** @param {string} kind  "l1" | "l2" */
  regularization: (kind) => (has(`xp.regularization.${kind}`) ? t(`xp.regularization.${kind}`) : kind),
};

/** How near (CSS px) a click must be to a training point to pick it. */
export const PICK_RADIUS_PX = 10;
/** Significant digits of every number shown. */
export const DIGITS = 4;

/** @typedef {Record<string, any>} Json */
/** @typedef {"forward" | "backward" | "update"} Stage */
/** @typedef {import("./network.js").Pick} Pick */
/** @typedef {import("./network.js").Overlay} Overlay */
/** @typedef {{color: string, width: number}} LinkStyle */

export const STAGES = /** @type {Stage[]} */ (["forward", "backward", "update"]);

// -- numbers ---------------------------------------------------------------------------------

const MINUS = "−";
const MARKER_NONE = "none"; // the marker layer is blank

/**
 * A number with `digits` significant digits, trailing zeros dropped, a real minus sign;
 * exponent form only when very large or small ("1.234e−5").
 * @param {number} v
 * @param {number} [digits]
 */
export function sig(v, digits = DIGITS) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "–" : v > 0 ? "∞" : `${MINUS}∞`;
  if (v === 0) return "0";
  const a = Math.abs(v);
  let text;
  if (a >= 1e5 || a < 1e-4) {
    const [mant, exp] = a.toExponential(digits - 1).split("e");
    text = `${trimZeros(mant)}e${Number(exp) < 0 ? MINUS : ""}${Math.abs(Number(exp))}`;
  } else {
    text = a.toPrecision(digits);
    if (text.includes("e")) text = String(Number(text)); // 1.235e+4 → 12350
    text = trimZeros(text);
  }
  return v < 0 ? `${MINUS}${text}` : text;
}

/** @param {string} s */
function trimZeros(s) {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * A number as an operand: negative ones in parentheses ("0.5 × (−0.25)").
 * @param {number} v
 */
export function term(v) {
  const text = sig(v);
  return v < 0 ? `(${text})` : text;
}

/**
 * The number a text shows (the inverse of sig, for tests and the page's checks).
 * @param {string} text
 */
export function parseShown(text) {
  return Number(text.trim().replaceAll(MINUS, "-"));
}

// -- picking a point -------------------------------------------------------------------------

/**
 * The training point under a click: the nearest within `radiusPx`, or -1.
 * @param {number[][]} points  the training points (GET data's `train.points`)
 * @param {number} px  CSS px from the map's left
 * @param {number} py  CSS px from the map's top
 * @param {number} size  the map's side in CSS px
 * @param {number} extent  the map shows [−extent, extent]²
 * @param {number} [radiusPx]
 */
export function pickPoint(points, px, py, size, extent, radiusPx = PICK_RADIUS_PX) {
  if (size <= 0) return -1;
  const unit = (2 * extent) / size;
  const at = [-extent + px * unit, extent - py * unit];
  return nearestPoint(points, at, radiusPx * unit);
}

/**
 * The next (or previous) training index, wrapping around.
 * @param {number | null} index
 * @param {number} count
 * @param {1 | -1} direction
 */
export function stepIndex(index, count, direction) {
  if (count <= 0) return null;
  if (index === null) return direction > 0 ? 0 : count - 1;
  return (((index + direction) % count) + count) % count;
}

// -- the maths written out -------------------------------------------------------------------

/**
 * f′ of a hidden activation, from its output a as the engine writes it (and z for ReLU).
 * @param {string} name  relu | tanh | sigmoid | linear
 * @param {number} a
 * @returns {{value: number, text: string}}  text: how it is worked out, with numbers
 */
export function derivative(name, a) {
  if (name === "tanh") return { value: 1 - a * a, text: `1 − a² = 1 − ${term(a)}²` };
  if (name === "sigmoid") return { value: a * (1 - a), text: `a · (1 − a) = ${term(a)} × (1 − ${term(a)})` };
  if (name === "relu") return { value: a > 0 ? 1 : 0, text: a > 0 ? "1 (z > 0)" : "0 (z ≤ 0)" };
  return { value: 1, text: "1 (linear)" };
}

/**
 * What the chain rule needs beside the explanation: the parameters before the step, the
 * names of the nodes, the activations and the regularisation.
 * @typedef {Object} Context
 * @property {Json} ex                 the explain answer
 * @property {number[][][]} weights    before the step, weights[l][i][j]
 * @property {number[][]} biases       before the step, biases[l-1][j] of node layer l
 * @property {string[]} inputs         the enabled features' labels (X₁, X₂ …)
 * @property {string} activation       the hidden layers' activation
 * @property {string} problem          classification | regression | multiclass
 * @property {string} regularization   none | l1 | l2
 * @property {number} rate             the regularisation rate
 */

/**
 * The parameters before the step: the frame's when they are the ones explained
 * (updated + lr·gradient matches them), else worked back from the answer.
 * @param {Json} ex
 * @param {Json | null} frame
 * @returns {{weights: number[][][], biases: number[][]}}
 */
export function paramsBefore(ex, frame) {
  const lr = ex.learning_rate;
  /** @type {number[][][]} */
  const weights = ex.updated_weights.map((/** @type {number[][]} */ layer, /** @type {number} */ l) =>
    layer.map((row, i) => row.map((w, j) => w + lr * ex.weight_gradients[l][i][j])),
  );
  /** @type {number[][]} */
  const biases = ex.updated_biases.map((/** @type {number[]} */ layer, /** @type {number} */ l) =>
    layer.map((b, j) => b + lr * ex.bias_gradients[l][j]),
  );
  const close = (/** @type {number} */ a, /** @type {number} */ b) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(a));
  const fw = frame?.weights;
  const fb = frame?.biases;
  const same =
    Array.isArray(fw) &&
    Array.isArray(fb) &&
    fw.length === weights.length &&
    weights.every((layer, l) => layer.every((row, i) => row.every((w, j) => close(w, fw[l]?.[i]?.[j] ?? NaN)))) &&
    biases.every((layer, l) => layer.every((b, j) => close(b, fb[l]?.[j] ?? NaN)));
  return same ? { weights: fw, biases: fb } : { weights, biases };
}

/**
 * Short names for the equations: X₁ (inputs), h1.2 (neuron 2 of hidden layer 1), out
 * (out 0, out 1 … for several outputs).
 * @param {Context} c
 * @param {number} layer  0 = inputs … output
 * @param {number} j
 */
export function shortName(c, layer, j) {
  if (layer === 0) return c.inputs[j] ?? `x${j + 1}`;
  const outputLayer = c.ex.activations.length;
  if (layer === outputLayer) return c.ex.output.length > 1 ? `out ${j}` : "out";
  return `h${layer}.${j + 1}`;
}

/**
 * A name in words: "neuron 2 of hidden layer 1", "the output", "X₁"; `cap`: at the start
 * of a sentence ("Neuron 2 of hidden layer 1").
 * @param {Context} c
 * @param {number} layer
 * @param {number} j
 * @param {boolean} [cap]
 */
export function longName(c, layer, j, cap = false) {
  if (layer === 0) return c.inputs[j] ?? t("net.input", { j: j + 1 });
  const outputLayer = c.ex.activations.length;
  if (layer === outputLayer) return c.ex.output.length > 1 ? TEXT.names.outputOf(j, cap) : TEXT.names.output(cap);
  return TEXT.names.hidden(layer, j, cap);
}

/**
 * The activation a of node (layer, j): the input's value for layer 0.
 * @param {Json} ex
 * @param {number} layer
 * @param {number} j
 * @returns {number}
 */
function act(ex, layer, j) {
  return layer === 0 ? ex.inputs[j] : ex.activations[layer - 1][j];
}

/**
 * The loss of the point written out: ½(out − y)² (or −log p_y), then the penalty.
 * @param {Context} c
 * @returns {string[]}
 */
export function lossLines(c) {
  const ex = c.ex;
  const lines = [];
  if (c.problem === "multiclass") {
    const k = Math.round(ex.label);
    lines.push(`L = −log p(class ${k}) = −log ${term(ex.output[k])} = ${sig(ex.data_loss)}`);
  } else {
    lines.push(`L = ½ (out − y)² = ½ × (${sig(ex.output[0])} − ${term(ex.label)})² = ${sig(ex.data_loss)}`);
  }
  if (ex.penalty !== 0 || (c.regularization !== "none" && c.rate > 0)) {
    const sum = c.regularization === "l1" ? "Σ |w|" : "Σ ½w²";
    lines.push(`penalty = ${sig(c.rate)} × ${sum} (every weight, no bias) = ${sig(ex.penalty)}`);
    lines.push(`L = ${sig(ex.data_loss)} + ${sig(ex.penalty)} = ${sig(ex.loss)}`);
  }
  return lines;
}

/**
 * The forward pass into node (layer ≥ 1, j): z = Σ w·a + b and a = f(z).
 * @param {Context} c
 * @param {number} layer
 * @param {number} j
 */
export function forwardLines(c, layer, j) {
  const ex = c.ex;
  const name = shortName(c, layer, j);
  const below = layer === 1 ? ex.inputs : ex.activations[layer - 2];
  const parts = below.map((/** @type {number} */ a, /** @type {number} */ i) => `${term(c.weights[layer - 1][i][j])} × ${term(a)}`);
  const z = ex.pre_activations[layer - 1][j];
  const a = ex.activations[layer - 1][j];
  const lines = [`z(${name}) = Σ w·a + b = ${[...parts, term(c.biases[layer - 1][j])].join(" + ")} = ${sig(z)}`];
  const outputLayer = ex.activations.length;
  if (layer === outputLayer && c.problem === "multiclass") {
    lines.push(`p(${name}) = e^z / Σ e^z (softmax over the ${ex.output.length} outputs) = ${sig(a)}`);
  } else {
    const f = layer === outputLayer ? (c.problem === "regression" ? "linear" : "tanh") : c.activation;
    lines.push(`a(${name}) = ${f}(z) = ${f}(${sig(z)}) = ${sig(a)}`);
  }
  return lines;
}

/**
 * δ of node (layer ≥ 1, j) written out: from the loss at the output, else
 * δ_j = f′(z_j) · Σ_k w_jk δ_k.
 * @param {Context} c
 * @param {number} layer
 * @param {number} j
 */
export function deltaLines(c, layer, j) {
  const ex = c.ex;
  const name = shortName(c, layer, j);
  const delta = ex.deltas[layer - 1][j];
  const outputLayer = ex.activations.length;
  if (layer === outputLayer) {
    const out = ex.output[j];
    if (c.problem === "multiclass") {
      const hit = Math.round(ex.label) === j ? 1 : 0;
      return [`δ(${name}) = p − [y = ${j}] = ${sig(out)} − ${hit} = ${sig(delta)}`];
    }
    const f = derivative(c.problem === "regression" ? "linear" : "tanh", out);
    return [
      `f′(z) = ${f.text} = ${sig(f.value)}`,
      `δ(${name}) = (out − y) · f′(z) = (${sig(out)} − ${term(ex.label)}) × ${term(f.value)} = ${sig(delta)}`,
    ];
  }
  const a = ex.activations[layer - 1][j];
  const f = derivative(c.activation, a);
  const next = ex.deltas[layer];
  const sum = next.map((/** @type {number} */ d, /** @type {number} */ k) => `${term(c.weights[layer][j][k])} × ${term(d)}`);
  const names = next.map((/** @type {number} */ _, /** @type {number} */ k) => shortName(c, layer + 1, k)).join(", ");
  return [
    `f′(z) = ${f.text} = ${sig(f.value)}`,
    `δ(${name}) = f′(z) · Σ w·δ (over ${names}) = ${term(f.value)} × (${sum.join(" + ")}) = ${sig(delta)}`,
  ];
}

/**
 * The chain rule of the weight from node (layer, i) to node (layer + 1, j), by stage.
 * @param {Context} c
 * @param {number} layer  the source layer (0 = inputs)
 * @param {number} i
 * @param {number} j
 * @returns {{title: string, forward: string[], backward: string[], update: string[]}}
 */
export function weightLines(c, layer, i, j) {
  const ex = c.ex;
  const from = shortName(c, layer, i);
  const to = shortName(c, layer + 1, j);
  const w = c.weights[layer][i][j];
  const a = act(ex, layer, i);
  const delta = ex.deltas[layer][j];
  const grad = ex.weight_gradients[layer][i][j];
  const lr = ex.learning_rate;
  let backward = `∂L/∂w = δ(${to}) · a(${from}) = ${term(delta)} × ${term(a)} = ${sig(grad)}`;
  if (c.regularization !== "none" && c.rate > 0) {
    const l1 = c.regularization === "l1";
    const slope = l1 ? Math.sign(w) : w;
    const what = l1 ? "sign(w)" : "w";
    backward = `∂L/∂w = δ(${to}) · a(${from}) + rate · ${what} = ${term(delta)} × ${term(a)} + ${sig(c.rate)} × ${term(slope)} = ${sig(grad)}`;
  }
  const step = -lr * grad;
  const updated = ex.updated_weights[layer][i][j];
  return {
    title: TEXT.names.weight(longName(c, layer, i), longName(c, layer + 1, j)),
    forward: [`w = ${sig(w)}: adds w · a(${from}) = ${term(w)} × ${term(a)} = ${sig(w * a)} to z(${to})`],
    backward: [backward],
    update: [
      `Δw = −lr · ∂L/∂w = −${sig(lr)} × ${term(grad)} = ${sig(step)}`,
      `new w = w − lr · ∂L/∂w = ${sig(w)} − ${sig(lr)} × ${term(grad)} = ${sig(updated)}`,
    ],
  };
}

/**
 * The bias of node (layer ≥ 1, j): ∂L/∂b = δ_j (never regularised), then its step.
 * @param {Context} c
 * @param {number} layer
 * @param {number} j
 */
export function biasLines(c, layer, j) {
  const ex = c.ex;
  const name = shortName(c, layer, j);
  const b = c.biases[layer - 1][j];
  const grad = ex.bias_gradients[layer - 1][j];
  const lr = ex.learning_rate;
  return {
    title: TEXT.names.bias(longName(c, layer, j)),
    forward: [`b = ${sig(b)}: added to z(${name})`],
    backward: [`∂L/∂b = δ(${name}) = ${sig(grad)}`],
    update: [
      `Δb = −lr · ∂L/∂b = −${sig(lr)} × ${term(grad)} = ${sig(-lr * grad)}`,
      `new b = b − lr · ∂L/∂b = ${sig(b)} − ${sig(lr)} × ${term(grad)} = ${sig(ex.updated_biases[layer - 1][j])}`,
    ],
  };
}

/**
 * A node: an input's value, or a neuron's forward pass, δ and bias step.
 * @param {Context} c
 * @param {number} layer
 * @param {number} j
 */
export function nodeLines(c, layer, j) {
  const title = longName(c, layer, j, true);
  if (layer === 0) {
    const value = [`a(${shortName(c, 0, j)}) = ${sig(c.ex.inputs[j])}`];
    return { title, forward: value, backward: [], update: [] };
  }
  const outputLayer = c.ex.activations.length;
  const bias = biasLines(c, layer, j);
  return {
    title,
    forward: [...forwardLines(c, layer, j), ...(layer === outputLayer ? lossLines(c) : [])],
    backward: [...deltaLines(c, layer, j), ...bias.backward],
    update: bias.update,
  };
}

/**
 * The lines of a picked item up to (and including) the stage shown.
 * @param {Context} c
 * @param {Pick} pick
 * @param {Stage} stage
 * @returns {{title: string, lines: string[]}}
 */
export function pickLines(c, pick, stage) {
  const parts =
    pick.kind === "weight"
      ? weightLines(c, pick.layer, pick.source, pick.target)
      : pick.kind === "bias"
        ? biasLines(c, pick.layer, pick.neuron)
        : nodeLines(c, pick.layer, pick.index);
  const upTo = STAGES.slice(0, STAGES.indexOf(stage) + 1);
  return { title: parts.title, lines: upTo.flatMap((s) => parts[s]) };
}

/**
 * The short lines under each node of the diagram, per layer (0 = inputs … output).
 * @param {Context} c
 * @param {Stage} stage
 * @returns {string[][][]}
 */
export function nodeLabels(c, stage) {
  const ex = c.ex;
  const multi = ex.output.length > 1;
  const outputLayer = ex.activations.length;
  /** @type {string[][][]} */
  const labels = [ex.inputs.map((/** @type {number} */ v) => [sig(v)])];
  for (let layer = 1; layer <= outputLayer; layer++) {
    const isOut = layer === outputLayer;
    labels.push(
      ex.activations[layer - 1].map((/** @type {number} */ a, /** @type {number} */ j) => {
        const z = ex.pre_activations[layer - 1][j];
        if (stage === "forward") return [`z ${sig(z)}`, `${isOut ? (multi ? "p" : "out") : "a"} ${sig(a)}`];
        if (stage === "backward") return [`${isOut ? (multi ? "p" : "out") : "a"} ${sig(a)}`, `δ ${sig(ex.deltas[layer - 1][j])}`];
        return [`b ${sig(c.biases[layer - 1][j])}`, `→ ${sig(ex.updated_biases[layer - 1][j])}`];
      }),
    );
  }
  return labels;
}

/**
 * The links drawn by the gradient (backward) or the step (update): colour by sign, width
 * from 1 px to 10 px by the magnitude relative to the largest; null in the forward stage
 * (the links are the weights, as usual).
 * @param {Json} ex
 * @param {Stage} stage
 * @returns {LinkStyle[][][] | null}
 */
export function linkStyles(ex, stage) {
  if (stage === "forward") return null;
  const sign = stage === "update" ? -1 : 1;
  /** @type {number[][][]} */
  const values = ex.weight_gradients.map((/** @type {number[][]} */ layer) => layer.map((row) => row.map((g) => sign * g)));
  let max = 0;
  for (const layer of values) for (const row of layer) for (const v of row) max = Math.max(max, Math.abs(v));
  return values.map((layer) =>
    layer.map((row) =>
      row.map((v) => {
        const t = max > 0 ? Math.abs(v) / max : 0;
        return { color: cssColor(Math.sign(v) * (0.35 + 0.65 * t)), width: Number((1 + 9 * t).toFixed(2)) };
      }),
    ),
  );
}

/**
 * The hover text of a link or bias in each stage.
 * @param {Context} c
 * @param {Pick} pick
 * @param {Stage} stage
 */
export function pickTooltip(c, pick, stage) {
  const ex = c.ex;
  if (pick.kind === "weight") {
    const { layer: l, source: i, target: j } = pick;
    if (stage === "forward") return `w ${sig(c.weights[l][i][j])}`;
    if (stage === "backward") return `∂L/∂w ${sig(ex.weight_gradients[l][i][j])}`;
    return `w ${sig(c.weights[l][i][j])} → ${sig(ex.updated_weights[l][i][j])}`;
  }
  if (pick.kind === "bias") {
    const { layer: l, neuron: j } = pick;
    if (stage === "forward") return `b ${sig(c.biases[l - 1][j])}`;
    if (stage === "backward") return `∂L/∂b ${sig(ex.bias_gradients[l - 1][j])}`;
    return `b ${sig(c.biases[l - 1][j])} → ${sig(ex.updated_biases[l - 1][j])}`;
  }
  return longName(c, pick.layer, pick.index, true);
}

/**
 * Every parameter in a row: its name, value, gradient, step and new value.
 * @param {Context} c
 * @returns {{key: string, name: string, cells: string[]}[]}
 */
export function tableRows(c) {
  const ex = c.ex;
  const lr = ex.learning_rate;
  /** @type {{key: string, name: string, cells: string[]}[]} */
  const rows = [];
  for (let l = 0; l < ex.weight_gradients.length; l++) {
    ex.weight_gradients[l].forEach((/** @type {number[]} */ row, /** @type {number} */ i) =>
      row.forEach((g, j) => {
        rows.push({
          key: `w:${l},${i},${j}`,
          name: `w ${shortName(c, l, i)} → ${shortName(c, l + 1, j)}`,
          cells: [sig(c.weights[l][i][j]), sig(g), sig(-lr * g), sig(ex.updated_weights[l][i][j])],
        });
      }),
    );
    ex.bias_gradients[l].forEach((/** @type {number} */ g, /** @type {number} */ j) => {
      rows.push({
        key: `b:${l + 1},${j}`,
        name: `b ${shortName(c, l + 1, j)}`,
        cells: [sig(c.biases[l][j]), sig(g), sig(-lr * g), sig(ex.updated_biases[l][j])],
      });
    });
  }
  return rows;
}

/** @param {Pick} pick */
export function pickKey(pick) {
  if (pick.kind === "weight") return `w:${pick.layer},${pick.source},${pick.target}`;
  if (pick.kind === "bias") return `b:${pick.layer},${pick.neuron}`;
  return `n:${pick.layer},${pick.index}`;
}

// -- the view --------------------------------------------------------------------------------

/**
 * What the page gives this view on each redraw.
 * @typedef {Object} ExplainView
 * @property {Json | null} state    the session's state (a new object after every change)
 * @property {Json | null} frame    the latest frame (its weights are the network's now)
 * @property {Json | null} data     GET data's answer
 * @property {boolean} playing
 * @property {string[]} inputs      the enabled features' labels, in order
 * @property {number} extent        the map shows [−extent, extent]²
 */

/**
 * @typedef {Object} ExplainHooks
 * @property {() => void} pause
 * @property {(index: number) => Promise<Json>} explain        POST explain {index}
 * @property {(index: number) => Promise<Json | null>} apply   POST explain {index, apply: true} (null: failed)
 * @property {() => void} changed        something to redraw
 * @property {() => void} [entered]      explain mode began
 */

export class ExplainPoint {
  /**
   * @param {{button: HTMLButtonElement, panel: HTMLElement, mapBox: HTMLElement}} els
   * @param {ExplainHooks} hooks
   */
  constructor({ button, panel, mapBox }, hooks) {
    this.button = button;
    this.panel = panel;
    this.mapBox = mapBox;
    this.hooks = hooks;
    this.active = false;
    /** @type {number | null} the training point explained */
    this.index = null;
    /** @type {Json | null} the explain answer shown */
    this.ex = null;
    /** @type {Json | null} the state the answer belongs to */
    this.exState = null;
    /** @type {Json | null} the state the last request was sent for */
    this.askedState = null;
    /** @type {number | null} */
    this.askedIndex = null;
    this.inFlight = false;
    /** @type {Stage} */
    this.stage = "forward";
    /** @type {Pick | null} */
    this.pick = null;
    /** @type {string | null} */
    this.error = null;
    /** @type {number | null} the loss before an applied step (to say how it changed) */
    this.lossBefore = null;
    /** @type {ExplainView | null} */
    this.view = null;
    /** @type {Context | null} */
    this.context = null;
    this.drawnKey = "";
    this.markerKey = MARKER_NONE; // what the marker layer shows: none yet
    /** @type {boolean | null} whether the DOM shows the panel open (null: not set yet) */
    this.shownActive = null;

    button.textContent = TEXT.button;
    button.title = TEXT.buttonTitle;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => (this.active ? this.leave() : this.enter()));
    this.ui = this.build();
    this.layer = document.createElement("canvas");
    this.layer.className = "xp-map-layer";
    this.layer.setAttribute("aria-hidden", "true");
    mapBox.append(this.layer);
    this.layer.addEventListener("click", (e) => this.clickMap(e));
  }

  /** The panel's parts (built once; their text changes in render). */
  build() {
    const el = (/** @type {string} */ tag, /** @type {string} */ cls, /** @type {string} */ text = "") => {
      const node = document.createElement(tag);
      node.className = cls;
      if (text) node.textContent = text;
      return node;
    };
    const panel = this.panel;
    panel.hidden = true;
    const head = el("h3", "xp-heading", TEXT.heading);
    head.id = "xp-heading";
    panel.setAttribute("aria-labelledby", head.id);
    const message = el("p", "xp-message");
    const pointText = el("p", "xp-point");
    const stageButtons = el("div", "xp-stages");
    stageButtons.setAttribute("role", "group");
    stageButtons.setAttribute("aria-label", TEXT.stages);
    /** @type {Record<Stage, HTMLButtonElement>} */
    const stageButton = /** @type {any} */ ({});
    for (const s of STAGES) {
      const b = /** @type {HTMLButtonElement} */ (el("button", "xp-stage", TEXT[/** @type {Stage} */ (s)]));
      b.type = "button";
      b.dataset.stage = s;
      b.addEventListener("click", () => this.setStage(s));
      stageButton[s] = b;
      stageButtons.append(b);
    }
    const summary = el("p", "xp-summary");
    const lossBox = el("div", "xp-loss");
    const detail = el("div", "xp-detail");
    const detailTitle = el("p", "xp-detail-title");
    const detailLines = el("div", "xp-detail-lines");
    detail.append(detailTitle, detailLines);
    const hint = el("p", "xp-hint", `${TEXT.pickHint} ${TEXT.legend}`);
    const penaltyNote = el("p", "xp-penalty");
    const actions = el("div", "xp-actions");
    const button = (/** @type {string} */ text, /** @type {() => void} */ fn, /** @type {string} */ cls) => {
      const b = /** @type {HTMLButtonElement} */ (el("button", `text-button ${cls}`, text));
      b.type = "button";
      b.addEventListener("click", fn);
      return b;
    };
    const applyButton = button(TEXT.apply, () => this.applyStep(), "xp-apply");
    applyButton.title = TEXT.applyTitle;
    const prevButton = button(TEXT.previous, () => this.move(-1), "xp-prev");
    const nextButton = button(TEXT.next, () => this.move(1), "xp-next");
    const doneButton = button(TEXT.done, () => this.leave(), "xp-done");
    actions.append(applyButton, prevButton, nextButton, doneButton);
    const tableBox = /** @type {HTMLDetailsElement} */ (el("details", "xp-table"));
    const tableSummary = el("summary", "", TEXT.table);
    const tableWrap = el("div", "xp-table-wrap");
    const table = el("table", "xp-params");
    const thead = el("thead", "");
    const tr = el("tr", "");
    for (const name of TEXT.columns) {
      const th = el("th", "", name);
      th.setAttribute("scope", "col");
      tr.append(th);
    }
    thead.append(tr);
    const tbody = el("tbody", "");
    table.append(thead, tbody);
    tableWrap.append(table);
    tableBox.append(tableSummary, tableWrap);
    const say = el("p", "visually-hidden");
    say.setAttribute("role", "status");
    say.setAttribute("aria-live", "polite");
    panel.append(head, message, pointText, stageButtons, summary, lossBox, penaltyNote, detail, hint, actions, tableBox, say);
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.leave();
      }
    });
    return { message, pointText, stageButtons, stageButton, summary, lossBox, detail, detailTitle, detailLines, hint, penaltyNote, applyButton, prevButton, nextButton, doneButton, tableBox, tableWrap, table, tbody, say };
  }

  // -- actions ---------------------------------------------------------------------------

  enter() {
    this.active = true;
    this.hooks.pause();
    this.hooks.entered?.();
    this.error = null;
    this.stage = "forward";
    this.announce(TEXT.say.entered);
    this.hooks.changed();
  }

  leave() {
    if (!this.active) return;
    this.active = false;
    this.index = null;
    this.ex = null;
    this.pick = null;
    this.error = null;
    this.announce(TEXT.say.left);
    this.hooks.changed();
    if (this.panel.contains(document.activeElement)) this.button.focus();
  }

  /** @param {Stage} stage */
  setStage(stage) {
    this.stage = stage;
    if (this.context) this.announce(TEXT.say.stage(TEXT[stage], this.stageSummary(this.context)));
    this.hooks.changed();
  }

  /** @param {1 | -1} direction */
  move(direction) {
    const n = this.trainCount();
    const next = stepIndex(this.index, n, direction);
    if (next === null) {
      this.error = TEXT.noTraining;
      this.hooks.changed();
      return;
    }
    this.choose(next);
  }

  /** @param {number} index */
  choose(index) {
    this.hooks.pause();
    this.index = index;
    this.error = null;
    this.pick = null;
    this.stage = "forward";
    this.request();
    this.hooks.changed();
  }

  /** @param {MouseEvent} e */
  clickMap(e) {
    if (!this.active || !this.view) return;
    const r = this.layer.getBoundingClientRect();
    const points = this.view.data?.train?.points ?? [];
    const i = pickPoint(points, e.clientX - r.left, e.clientY - r.top, r.width, this.view.extent);
    if (i < 0) {
      this.error = TEXT.noPoint;
      this.announce(TEXT.noPoint);
      this.hooks.changed();
      return;
    }
    this.choose(i);
  }

  async applyStep() {
    if (this.index === null || !this.ex) return;
    this.lossBefore = this.ex.loss;
    this.ui.applyButton.disabled = true;
    const out = await this.hooks.apply(this.index);
    this.ui.applyButton.disabled = false;
    if (!out) this.lossBefore = null;
    this.stage = "forward";
    // The state changed: update() asks for this point again, on the new weights.
    this.hooks.changed();
  }

  /** Ask for the explanation of the chosen point on the current state (one request at a time). */
  async request() {
    const state = this.view?.state ?? null;
    if (this.index === null || this.inFlight) return;
    if (this.askedIndex === this.index && this.askedState === state && this.ex) return;
    this.inFlight = true;
    this.askedIndex = this.index;
    this.askedState = state;
    try {
      const ex = await this.hooks.explain(this.index);
      if (this.active && this.askedIndex === this.index) {
        const applied = this.lossBefore;
        this.ex = ex;
        this.exState = state;
        this.error = null;
        this.lossBefore = null;
        this.announce(
          applied !== null ? TEXT.say.applied(sig(applied), sig(ex.loss)) : TEXT.say.point(this.index, sig(ex.output[0]), sig(ex.loss)),
        );
      }
    } catch (error) {
      this.ex = null;
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.inFlight = false;
    }
    this.hooks.changed();
    // The state or the point changed meanwhile: once more.
    if (this.active && this.index !== null && (this.askedIndex !== this.index || this.askedState !== (this.view?.state ?? null))) {
      this.request();
    }
  }

  trainCount() {
    return this.view?.data?.train?.points?.length ?? 0;
  }

  /** @param {string} text */
  announce(text) {
    this.ui.say.textContent = "";
    requestAnimationFrame(() => (this.ui.say.textContent = text));
  }

  /** @param {Pick} pick */
  choosePick(pick) {
    this.pick = pick;
    this.hooks.changed();
  }

  // -- drawing ---------------------------------------------------------------------------

  /** @param {ExplainView} view */
  update(view) {
    this.view = view;
    if (this.active && view.playing) this.leave();
    if (this.active && this.index !== null && this.index >= this.trainCount() && view.data) {
      this.index = null; // new data with fewer points
      this.ex = null;
    }
    if (this.active && this.index !== null && view.state !== this.askedState && !this.inFlight) this.request();
    // The page calls this for every frame: while closed, touch the DOM only when that
    // changes (reading the map's width after a change forces a layout, ~4 ms a frame).
    if (this.shownActive !== this.active) {
      this.shownActive = this.active;
      this.button.setAttribute("aria-pressed", String(this.active));
      this.button.classList.toggle("active", this.active);
      this.mapBox.classList.toggle("explaining", this.active);
      this.panel.hidden = !this.active;
    }
    this.context = this.active && this.ex ? this.contextOf(this.ex, view) : null;
    if (this.active) this.render();
    if (this.active || this.markerKey !== MARKER_NONE) this.drawMarker();
  }

  /**
   * @param {Json} ex
   * @param {ExplainView} view
   * @returns {Context}
   */
  contextOf(ex, view) {
    const config = view.state?.config ?? {};
    const { weights, biases } = paramsBefore(ex, view.frame);
    return {
      ex,
      weights,
      biases,
      inputs: view.inputs,
      activation: config.activation ?? "tanh",
      problem: config.problem ?? "classification",
      regularization: config.regularization ?? "none",
      rate: Number(config.regularization_rate ?? 0),
    };
  }

  /** @param {Context} c */
  stageSummary(c) {
    if (this.stage === "forward") return TEXT.summary.forward;
    if (this.stage === "backward") return TEXT.summary.backward;
    return TEXT.summary.update(sig(c.ex.learning_rate));
  }

  render() {
    const c = this.context;
    const ex = this.ex;
    const n = this.trainCount();
    let message = this.error ?? "";
    if (!message && this.index === null) message = TEXT.instruction;
    if (!message && this.inFlight && !ex) message = TEXT.working;
    setText(this.ui.message, message);
    this.ui.message.classList.toggle("xp-error", this.error !== null);
    const shown = c && ex && this.index !== null;
    for (const el of [this.ui.stageButtons, this.ui.summary, this.ui.lossBox, this.ui.detail, this.ui.hint, this.ui.tableBox]) el.hidden = !shown;
    this.ui.applyButton.disabled = !shown || this.inFlight;
    this.ui.prevButton.disabled = n === 0;
    this.ui.nextButton.disabled = n === 0;
    if (!shown) {
      setText(this.ui.pointText, "");
      this.ui.penaltyNote.hidden = true;
      return;
    }
    const problem = c.problem;
    const label =
      problem === "multiclass" ? TEXT.label(TEXT.classLabel(Math.round(ex.label))) : problem === "regression" ? TEXT.target(sig(ex.label)) : TEXT.label(sig(ex.label));
    setText(this.ui.pointText, TEXT.point(this.index ?? 0, n, sig(ex.point[0]), sig(ex.point[1]), label));
    this.ui.pointText.dataset.index = String(this.index);
    for (const s of STAGES) this.ui.stageButton[s].setAttribute("aria-pressed", String(s === this.stage));
    setText(this.ui.summary, this.stageSummary(c));
    setLines(this.ui.lossBox, lossLines(c));
    const reg = c.regularization !== "none" && c.rate > 0;
    this.ui.penaltyNote.hidden = !reg;
    if (reg) setText(this.ui.penaltyNote, TEXT.penalty(TEXT.regularization(c.regularization), sig(c.rate)));
    const outputLayer = ex.activations.length;
    const pick = this.pick ?? { kind: "node", layer: outputLayer, index: problem === "multiclass" ? Math.round(ex.label) : 0 };
    const { title, lines } = pickLines(c, pick, this.stage);
    setText(this.ui.detailTitle, title);
    this.ui.detail.dataset.pick = pickKey(pick);
    setLines(this.ui.detailLines, lines);
    const key = JSON.stringify([this.index, this.askedState === this.exState, ex.loss, c.weights.length]);
    if (key !== this.drawnKey || this.ui.tbody.childElementCount === 0) {
      this.drawnKey = key;
      this.ui.tbody.replaceChildren(
        ...tableRows(c).map((row) => {
          const tr = document.createElement("tr");
          tr.dataset.key = row.key;
          const th = document.createElement("th");
          th.scope = "row";
          th.textContent = row.name;
          tr.append(th, ...row.cells.map((text) => Object.assign(document.createElement("td"), { textContent: text })));
          return tr;
        }),
      );
    }
  }

  /**
   * What the network diagram draws over itself, or null (not explaining).
   * @returns {Overlay | null}
   */
  overlay() {
    const c = this.context;
    if (!this.active) return null;
    const selected = this.pick ? pickKey(this.pick) : null;
    return {
      gap: 28,
      labels: c ? nodeLabels(c, this.stage) : null,
      links: c ? linkStyles(c.ex, this.stage) : null,
      selected,
      onPick: (pick) => this.choosePick(pick),
      describe: (pick) => (c ? pickTooltip(c, pick, this.stage) : ""),
    };
  }

  /** A ring around the point explained, on the map. */
  drawMarker() {
    const layer = this.layer;
    const size = this.mapBox.clientWidth;
    const points = this.view?.data?.train?.points;
    const p = this.active && this.index !== null ? points?.[this.index] : null;
    const key = p ? JSON.stringify([size, p]) : MARKER_NONE;
    if (key === this.markerKey) return;
    this.markerKey = key;
    const dpr = window.devicePixelRatio || 1;
    layer.width = Math.round(size * dpr);
    layer.height = Math.round(size * dpr);
    const ctx = layer.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    if (!p || !this.view) return;
    const [px, py] = toPixel(p[0], p[1], size, size, this.view.extent);
    for (const [color, width] of [["#ffffff", 5], ["#000000", 2.5]]) {
      ctx.strokeStyle = /** @type {string} */ (color);
      ctx.lineWidth = /** @type {number} */ (width);
      ctx.beginPath();
      ctx.arc(px, py, 8, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}

/**
 * @param {HTMLElement} el
 * @param {string} text
 */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * One line per paragraph, as text.
 * @param {HTMLElement} el
 * @param {string[]} lines
 */
function setLines(el, lines) {
  const now = [...el.children].map((p) => p.textContent);
  if (JSON.stringify(now) === JSON.stringify(lines)) return;
  el.replaceChildren(...lines.map((text) => Object.assign(document.createElement("p"), { textContent: text })));
}
