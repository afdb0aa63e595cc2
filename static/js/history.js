// @ts-check
/**
 * The loss history the page holds, read from the frames by the server's cursor (pure).
 *
 * The server counts every point of a run (`next` is the count after the points it sent)
 * and thins its older points once there are thousands (docs/API.md, "The frame"): a frame
 * sends the points from number `start` on, or — `start` 0 — the whole thinned history
 * again. The page keeps what it received and maps point number v to position
 * `length - (next - v)` for every v from `floor` on (its points there are contiguous).
 */

/** @typedef {{start: number, next?: number, train: number[], test: number[], epochs?: number[]}} FrameHistory */

export class LossHistory {
  constructor() {
    /** @type {number[]} */
    this.train = [];
    /** @type {number[]} */
    this.test = [];
    /** @type {number[]} the epoch of each point */
    this.epochs = [];
    /** The server's count after the last point held: the `since` of the next request. */
    this.next = 0;
    /** Points from this number on sit contiguously at the end. */
    this.floor = 0;
  }

  clear() {
    this.train = [];
    this.test = [];
    this.epochs = [];
    this.next = 0;
    this.floor = 0;
  }

  /**
   * Drop the points from `epoch` on (the state went back: a change, a reset).
   * @param {number} epoch
   */
  dropFrom(epoch) {
    let keep = this.epochs.length;
    while (keep > 0 && this.epochs[keep - 1] >= epoch) keep--;
    const removed = this.epochs.length - keep;
    if (removed === 0) return;
    if (this.next - removed < this.floor) {
      this.clear(); // cannot say which points remain: fetch it whole
      return;
    }
    this.train.length = this.test.length = this.epochs.length = keep;
    this.next -= removed;
  }

  /**
   * Take a frame's history. Returns false when it left a gap (then fetch it whole).
   * @param {FrameHistory} h
   */
  take(h) {
    const epochs = h.epochs ?? h.train.map((_, i) => h.start + i);
    const next = h.next ?? h.start + h.train.length;
    if (h.start > this.next || (h.start > 0 && h.start < this.floor)) {
      this.clear();
      return false;
    }
    if (h.start === 0) {
      this.clear();
    } else {
      const position = this.train.length - (this.next - h.start);
      this.train.length = this.test.length = this.epochs.length = position;
    }
    // A loop, not push(...): a long history would exceed the argument limit.
    for (let i = 0; i < h.train.length; i++) {
      this.train.push(h.train[i]);
      this.test.push(h.test[i]);
      this.epochs.push(epochs[i]);
    }
    this.next = next;
    if (h.start === 0) this.floor = next - contiguousTail(this.epochs);
    return true;
  }
}

/**
 * How many of the last points have consecutive epochs (the part never thinned).
 * @param {number[]} epochs
 */
function contiguousTail(epochs) {
  let n = epochs.length ? 1 : 0;
  while (n < epochs.length && epochs[epochs.length - n - 1] === epochs[epochs.length - n] - 1) n++;
  return n;
}
