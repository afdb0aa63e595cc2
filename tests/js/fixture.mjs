// What GET /api/options answers (the parts the page reads): the server's table of fields
// and its limits (options.json), normalised as the page does.
import { readFileSync } from "node:fs";

import { normalizeOptions } from "../../static/js/options.js";

/** @returns {Record<string, any>} a fresh copy of the raw answer */
export function rawOptions() {
  return JSON.parse(readFileSync(new URL("./options.json", import.meta.url), "utf8"));
}

export const OPTIONS = normalizeOptions(rawOptions());
