// The binary frame format's decoder (static/js/frames.js) on answers built here byte by
// byte as docs/API.md describes them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { FRAME_TYPE, decodeFrameAnswer } from "../../static/js/frames.js";

/**
 * "NPF1" | uint32 LE length of the head | the head as UTF-8 JSON | maps.
 * @param {unknown} head
 * @param {number[]} maps
 */
function encode(head, maps) {
  const text = new TextEncoder().encode(JSON.stringify(head));
  const out = new Uint8Array(8 + text.length + maps.length);
  out.set([..."NPF1"].map((ch) => ch.charCodeAt(0)), 0);
  new DataView(out.buffer).setUint32(4, text.length, true);
  out.set(text, 8);
  out.set(maps, 8 + text.length);
  return out.buffer;
}

const HISTORY = { run: 1, start: 0, next: 1, train: [0.5], test: [0.6], epochs: [1] };

/** A frame's head: output 4 bytes, 2 features of 1, neurons [[1 byte], [2 of 1]], neuron grid 4. */
const FRAME = {
  epoch: 1,
  density: 2,
  thumb: 1,
  output: [0, 4],
  classes: null,
  features: [[4, 1], [5, 1]],
  neurons: [[[6, 1]], [[7, 1], [8, 1]]],
  neuron: { layer: 1, index: 0, grid: [9, 4] },
  weights: [[[0.5]]],
  biases: [[0.1]],
  history: HISTORY,
};
const MAPS = [0, 64, 128, 255, 10, 11, 12, 13, 14, 1, 2, 3, 4];

test("the media type is the one the server answers with", () => {
  assert.equal(FRAME_TYPE, "application/vnd.playground.frame");
});

test("a step's answer: the state as sent, each map of its frame its bytes", () => {
  const answer = decodeFrameAnswer(encode({ id: "s1", epoch: 1, epochs_run: 1, frame: FRAME, room: null }, MAPS), "frame");
  assert.equal(answer.id, "s1");
  assert.equal(answer.room, null);
  const f = answer.frame;
  assert.ok(f.output instanceof Uint8Array);
  assert.deepEqual([...f.output], [0, 64, 128, 255]);
  assert.deepEqual(f.features.map((/** @type {Uint8Array} */ m) => [...m]), [[10], [11]]);
  assert.deepEqual(f.neurons.map((/** @type {Uint8Array[]} */ l) => l.map((m) => [...m])), [[[12]], [[13], [14]]]);
  assert.deepEqual({ ...f.neuron, grid: [...f.neuron.grid] }, { layer: 1, index: 0, grid: [1, 2, 3, 4] });
  assert.equal(f.classes, null);
  assert.deepEqual([f.weights, f.biases, f.history, f.epoch], [FRAME.weights, FRAME.biases, HISTORY, 1]);
});

test("maps are views of the answer's bytes, not copies", () => {
  const buffer = encode({ frame: FRAME }, MAPS);
  const f = decodeFrameAnswer(buffer, "frame").frame;
  assert.equal(f.output.buffer, buffer);
});

test("a frame on its own; without thumbnails; class probabilities with an empty output", () => {
  const plain = decodeFrameAnswer(encode({ ...FRAME, features: null, neurons: null, neuron: null }, MAPS.slice(0, 4)), null);
  assert.deepEqual([...plain.output], [0, 64, 128, 255]);
  assert.equal(plain.features, null);
  assert.equal(plain.neurons, null);
  assert.equal(plain.neuron, null);
  const multi = decodeFrameAnswer(encode({ ...FRAME, output: "", classes: [[0, 2], [2, 2]], features: [], neurons: [], neuron: null }, [1, 2, 3, 4]), null);
  assert.equal(multi.output, "");
  assert.deepEqual(multi.classes.map((/** @type {Uint8Array} */ m) => [...m]), [[1, 2], [3, 4]]);
});

test("a step's answer without a frame", () => {
  assert.equal(decodeFrameAnswer(encode({ epoch: 2, frame: null }, []), "frame").frame, null);
});

test("the head may hold any UTF-8 text (a divergence message in Chinese)", () => {
  const answer = decodeFrameAnswer(encode({ message: "训练发散了", frame: null }, []), "frame");
  assert.equal(answer.message, "训练发散了");
});

test("what is not a binary frame is refused", () => {
  assert.throws(() => decodeFrameAnswer(new TextEncoder().encode('{"frame": null}').buffer, "frame"), /magic/);
  assert.throws(() => decodeFrameAnswer(new Uint8Array(3).buffer, "frame"), /too short/);
  const long = new Uint8Array(encode({ frame: null }, []));
  new DataView(long.buffer).setUint32(4, 1000, true);
  assert.throws(() => decodeFrameAnswer(long.buffer, "frame"), /head longer/);
  assert.throws(() => decodeFrameAnswer(encode({ ...FRAME, output: [2, 4] }, [1, 2, 3, 4]), null), /outside/);
  assert.throws(() => decodeFrameAnswer(encode({ ...FRAME, output: "abc" }, [1, 2, 3, 4]), null), /offset, length/);
});
