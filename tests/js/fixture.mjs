// What GET /api/options answers (the parts the page reads): the server's table of fields
// and its limits (options.json), normalised as the page does; and a clock tests move by hand.
import { readFileSync } from "node:fs";

import { normalizeOptions } from "../../static/js/options.js";

/** @returns {Record<string, any>} a fresh copy of the raw answer */
export function rawOptions() {
  return JSON.parse(readFileSync(new URL("./options.json", import.meta.url), "utf8"));
}

export const OPTIONS = normalizeOptions(rawOptions());

/**
 * A message catalog as stored (static/i18n/<lang>/<namespace>.json).
 * @param {string} lang
 * @param {string} [namespace]
 */
export function catalog(lang, namespace = "page") {
  return JSON.parse(readFileSync(new URL(`../../static/i18n/${lang}/${namespace}.json`, import.meta.url), "utf8"));
}

/** A clock the test moves by hand: `advance(ms)` runs the timers that fall due. */
export function fakeClock() {
  let now = 0;
  /** @type {{at: number, fn: () => void}[]} */
  let timers = [];
  return {
    now: () => now,
    later: (fn, ms) => timers.push({ at: now + ms, fn }),
    get waiting() {
      return timers.length;
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}
