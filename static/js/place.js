// @ts-check
/**
 * Where a floating box (the weight editor, a value tooltip) goes: beside what it is about,
 * never on top of it. Pure geometry, no DOM; rectangles in one coordinate space.
 */

/** @typedef {{left: number, top: number, width: number, height: number}} Rect */

const GAP = 8;

/**
 * @param {Rect} a
 * @param {Rect} b
 * @returns {number} the area the two share
 */
export function overlap(a, b) {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The place for a box of `size` beside `anchor` and the rectangles `avoid` it belongs to
 * (e.g. the two neurons a link joins): right of them all, left, below or above (in that
 * order of preference), kept inside `bounds`; the first that covers none of them, else the
 * one that covers least.
 * @param {Rect} anchor
 * @param {{width: number, height: number}} size
 * @param {Rect} bounds
 * @param {Rect[]} [avoid]
 * @returns {{left: number, top: number}}
 */
export function besides(anchor, size, bounds, avoid = []) {
  const { width, height } = size;
  const all = [anchor, ...avoid];
  // Beside the whole of it: the anchor and what it belongs to.
  const left = Math.min(...all.map((r) => r.left));
  const top = Math.min(...all.map((r) => r.top));
  const right = Math.max(...all.map((r) => r.left + r.width));
  const bottom = Math.max(...all.map((r) => r.top + r.height));
  const midX = (left + right) / 2 - width / 2;
  const midY = (top + bottom) / 2 - height / 2;
  const candidates = [
    { left: right + GAP, top: midY },
    { left: left - width - GAP, top: midY },
    { left: midX, top: bottom + GAP },
    { left: midX, top: top - height - GAP },
  ].map(({ left, top }) => ({
    left: Math.max(bounds.left, Math.min(left, bounds.left + bounds.width - width)),
    top: Math.max(bounds.top, Math.min(top, bounds.top + bounds.height - height)),
  }));
  const covered = (/** @type {{left: number, top: number}} */ p) =>
    all.reduce((sum, r) => sum + overlap({ ...p, width, height }, r), 0);
  let best = candidates[0];
  let least = Infinity;
  for (const c of candidates) {
    const area = covered(c);
    if (area === 0) return c;
    if (area < least) [best, least] = [c, area];
  }
  return best;
}
