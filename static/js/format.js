// @ts-check
/**
 * Numbers as the page shows them: short, fixed width, never running off the page; the same
 * digits in every language (only the words around them are translated). Pure.
 */

import { t } from "./i18n.js";

/** From here on a loss is written in exponent form ("4.2e+227"). */
export const LARGE = 1000;

/**
 * The epoch as the reference shows it: zero-padded to six digits, with commas.
 * @param {number} n
 */
export function formatEpoch(n) {
  const text = n < 1e6 ? String(n).padStart(6, "0") : String(n);
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A loss: three decimals as the reference ("0.012"); from LARGE on one digit and an
 * exponent ("4.2e+227"), at most 8 characters; "–" when there is none.
 * @param {number | null | undefined} v
 */
export function formatLoss(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  return Math.abs(v) < LARGE ? v.toFixed(3) : v.toExponential(1);
}

/**
 * The batch within the epoch, for the counter ("batch 3 of 25"); "" at an epoch boundary.
 * @param {number | undefined} batch      mini-batches done in the current epoch
 * @param {number | undefined} perEpoch   mini-batches in an epoch
 */
export function formatBatch(batch, perEpoch) {
  return batch && perEpoch ? t("page.batch", { batch, of: perEpoch }) : "";
}
