// The page's loss history follows the server's cursor across the server's thinning.
import assert from "node:assert/strict";
import test from "node:test";

import { LossHistory } from "../../static/js/history.js";

/** The server's rule (app/engine/history.py), small: LIMIT points, the newest RECENT whole. */
class ServerHistory {
  constructor(limit = 40, recent = 10) {
    Object.assign(this, { limit, recent, epochs: [], total: 0, tailPosition: 0, tailIndex: 0 });
  }
  append(epoch) {
    this.epochs.push(epoch);
    this.total += 1;
    if (this.epochs.length > this.limit) {
      const old = this.epochs.length - this.recent;
      this.epochs = [...this.epochs.slice(0, old).filter((_, i) => i % 2 === 0), ...this.epochs.slice(old)];
      this.tailPosition = this.epochs.length - this.recent;
      this.tailIndex = this.total - this.recent;
    }
  }
  frame(since) {
    const ok = since <= this.total && since >= this.tailIndex;
    const position = ok ? this.tailPosition + (since - this.tailIndex) : 0;
    const epochs = this.epochs.slice(position);
    return { start: ok ? since : 0, next: this.total, epochs, train: epochs.map((e) => e / 10), test: epochs.map((e) => -e) };
  }
}

test("following by the cursor gets every point once, across many thinnings", () => {
  const server = new ServerHistory();
  const page = new LossHistory();
  let epoch = 0;
  server.append(epoch);
  for (let round = 0; round < 60; round++) {
    for (let k = 0; k < (round % 7) + 1; k++) server.append(++epoch);
    assert.equal(page.take(server.frame(page.next)), true);
  }
  assert.equal(page.next, server.total);
  assert.deepEqual(page.epochs, Array.from({ length: epoch + 1 }, (_, i) => i)); // it keeps all it saw
  assert.deepEqual(page.train, page.epochs.map((e) => e / 10));
});

test("a page that joins late gets the thinned history, then appends", () => {
  const server = new ServerHistory();
  for (let e = 0; e <= 100; e++) server.append(e);
  const page = new LossHistory();
  assert.equal(page.take(server.frame(0)), true);
  assert.deepEqual(page.epochs, server.epochs);
  assert.ok(page.floor <= server.total - 10 && page.floor > 0); // the whole tail maps by number
  server.append(101);
  server.append(102);
  page.take(server.frame(page.next));
  assert.deepEqual(page.epochs.slice(-3), [100, 101, 102]);
  assert.equal(page.next, server.total);
});

test("a state that goes back drops its points; one behind a thinning refetches whole", () => {
  const page = new LossHistory();
  page.take({ start: 0, next: 5, epochs: [0, 1, 2, 3, 4], train: [5, 4, 3, 2, 1], test: [5, 4, 3, 2, 1] });
  page.dropFrom(4); // e.g. a live change: the point of epoch 4 comes again
  assert.deepEqual(page.epochs, [0, 1, 2, 3]);
  assert.equal(page.next, 4);
  assert.equal(page.take({ start: 9, next: 12, epochs: [9, 10, 11], train: [0, 0, 0], test: [0, 0, 0] }), false);
  assert.equal(page.next, 0); // cleared: the next request asks from 0
  page.take({ start: 0, next: 50, epochs: [0, 8, 16, 40, 41, 42], train: [1, 1, 1, 1, 1, 1], test: [1, 1, 1, 1, 1, 1] });
  assert.equal(page.floor, 47);
  page.dropFrom(0); // a reset: nothing of the old run stays
  assert.equal(page.epochs.length, 0);
});
