// @ts-check
/**
 * The timeline under the loss chart (issue 14, replay and resume): a slider over the
 * session's checkpoints (GET …/checkpoints). Moving it back pauses training and shows the
 * network as it was at that checkpoint (GET …/frame?epoch=e: the map, the neuron maps and
 * the weights) without changing the session; "Resume from here" goes back to it (POST
 * …/restore), after which the epoch counter and the loss history follow the session. The
 * slider's last position is "now": the live network.
 *
 * The list of checkpoints is asked for when the epoch changed while paused, and at most
 * every REFRESH_MS while training (the slider is not used then). The replayed frame is
 * asked for once at a time; while one is on its way only the newest wish is kept.
 *
 * The pure part (the slider's stops) is exported for tests/js/timeline.test.mjs.
 */

import { t } from "./i18n.js";

/** Every word this view shows or says (issue 15 moves them into catalogs). */
export const TEXT = {
  get label() {
    return t("timeline.label");
  },
  get title() {
    return t("timeline.title");
  },
  get resume() {
    return t("timeline.resume");
  },
  get resumeTitle() {
    return t("timeline.resumeTitle");
  },
  get live() {
    return t("timeline.live");
  },
  get loading() {
    return t("timeline.loading");
  },
  now: (/** @type {string} */ epoch) => t("timeline.now", { epoch }),
  showing: (/** @type {string} */ epoch, /** @type {string} */ now) => t("timeline.showing", { epoch, now }),
  valueNow: (/** @type {number} */ epoch) => t("timeline.valueNow", { epoch }),
  valueAt: (/** @type {number} */ epoch) => t("timeline.valueAt", { epoch }),
};

/** While training, the list of checkpoints is asked for at most this often. */
export const REFRESH_MS = 5000;

/** @typedef {Record<string, any>} Json */

/**
 * The slider's stops: the checkpoints before the current epoch, then now (the current
 * epoch, whether or not the list has it yet).
 * @param {number[]} epochs  the checkpoints' epochs, oldest first
 * @param {number} now       the session's epoch
 * @returns {number[]}
 */
export function stops(epochs, now) {
  return [...epochs.filter((e) => e < now), now];
}

/**
 * The stop nearest to an epoch (the index into `list`).
 * @param {number[]} list
 * @param {number} epoch
 */
export function nearestStop(list, epoch) {
  let best = 0;
  list.forEach((e, i) => {
    if (Math.abs(e - epoch) < Math.abs(list[best] - epoch)) best = i;
  });
  return best;
}

/**
 * @typedef {Object} TimelineHooks
 * @property {() => Promise<Json>} checkpoints          GET checkpoints
 * @property {(epoch: number) => Promise<Json>} frameAt  GET frame?epoch=e
 * @property {(epoch: number) => Promise<unknown>} restore  POST restore
 * @property {() => void} pause
 * @property {() => void} changed                        something to redraw
 * @property {() => number} now                           a clock in ms
 * @property {() => void} [scrubbed]                     the person moved back (explain mode ends)
 */

export class Timeline {
  /**
   * @param {HTMLElement} root
   * @param {TimelineHooks} hooks
   */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    /** @type {number[]} the checkpoints' epochs, as last listed */
    this.epochs = [];
    /** The session's epoch the list was asked at (-1: never). */
    this.listedAt = -1;
    this.listing = false;
    this.listedTime = -Infinity;
    /** @type {number | null} the epoch shown (null: now) */
    this.selected = null;
    /** @type {Json | null} the frame of the epoch shown */
    this.frame = null;
    /** @type {number | null} the epoch whose frame is on its way */
    this.loading = null;
    /** @type {number | null} the epoch wanted after it */
    this.wanted = null;
    /** The session's epoch at the last update: going back (a reset, a restore) ends a replay. */
    this.epochNow = 0;

    root.classList.add("timeline");
    root.title = TEXT.title;
    const label = document.createElement("label");
    label.className = "timeline-label";
    label.htmlFor = "timeline-slider";
    label.textContent = TEXT.label;
    this.slider = document.createElement("input");
    this.slider.type = "range";
    this.slider.id = "timeline-slider";
    this.slider.min = "0";
    this.slider.max = "0";
    this.slider.step = "1";
    this.slider.value = "0";
    this.slider.addEventListener("input", () => this.scrub(Number(this.slider.value)));
    this.text = document.createElement("output");
    this.text.className = "timeline-epoch";
    this.text.htmlFor.add("timeline-slider");
    this.resume = document.createElement("button");
    this.resume.type = "button";
    this.resume.className = "text-button timeline-resume";
    this.resume.textContent = TEXT.resume;
    this.resume.title = TEXT.resumeTitle;
    this.resume.addEventListener("click", () => this.resumeHere());
    this.back = document.createElement("button");
    this.back.type = "button";
    this.back.className = "text-button timeline-live";
    this.back.textContent = TEXT.live;
    this.back.addEventListener("click", () => this.goLive());
    const row = document.createElement("div");
    row.className = "timeline-row";
    row.append(label, this.slider);
    const actions = document.createElement("div");
    actions.className = "timeline-actions";
    actions.append(this.text, this.resume, this.back);
    root.append(row, actions);
    /** @type {number[]} */
    this.list = [0];
  }

  /** True while an earlier checkpoint is shown. */
  get replaying() {
    return this.selected !== null;
  }

  /**
   * The slider moved to stop `i`.
   * @param {number} i
   */
  scrub(i) {
    const epoch = this.list[i];
    if (epoch === undefined || i === this.list.length - 1) {
      this.goLive();
      return;
    }
    this.hooks.pause();
    this.hooks.scrubbed?.();
    this.select(epoch);
  }

  /**
   * Show a checkpoint. While the list is older than the session (it was moved during
   * training, when checkpoints are thinned out) the list is asked for first.
   * @param {number} epoch
   */
  select(epoch) {
    this.selected = epoch;
    if (this.listedAt === this.epochNow && this.epochs.includes(epoch)) this.fetchFrame(epoch);
    this.hooks.changed();
  }

  /** Show the live network again. */
  goLive() {
    if (this.selected === null && this.frame === null) return;
    this.selected = null;
    this.frame = null;
    this.wanted = null;
    this.hooks.changed();
  }

  /** @param {number} epoch */
  async fetchFrame(epoch) {
    if (this.loading !== null) {
      this.wanted = epoch;
      return;
    }
    this.loading = epoch;
    try {
      const frame = await this.hooks.frameAt(epoch);
      if (this.selected === epoch) this.frame = frame;
    } catch (error) {
      console.warn("replay frame", error);
      // The checkpoint may have been thinned out meanwhile: list them again (which picks
      // the nearest one); with a fresh list, give up and show now.
      if (this.selected === epoch && this.listedAt === this.epochNow) this.goLive();
      else this.listedAt = -1;
    } finally {
      this.loading = null;
    }
    this.hooks.changed();
    const next = this.wanted;
    this.wanted = null;
    if (next !== null && next === this.selected && next !== this.frame?.epoch) this.fetchFrame(next);
  }

  async resumeHere() {
    const epoch = this.selected;
    if (epoch === null) return;
    this.resume.disabled = true;
    try {
      await this.hooks.restore(epoch);
    } finally {
      this.resume.disabled = false;
    }
    // The state that answered is newer than the one scrubbed from: update() goes live.
  }

  async refresh() {
    if (this.listing) return;
    this.listing = true;
    const at = this.epochNow;
    this.listedTime = this.hooks.now();
    try {
      const answer = await this.hooks.checkpoints();
      this.epochs = (answer?.checkpoints ?? []).map((/** @type {Json} */ c) => Number(c.epoch));
      this.listedAt = at;
      this.listed();
    } catch (error) {
      console.warn("checkpoints", error);
      this.listedAt = at; // not again until the epoch changes
    } finally {
      this.listing = false;
    }
    this.hooks.changed();
  }

  /** A new list while a checkpoint is shown: keep it, or move to the nearest one listed. */
  listed() {
    const selected = this.selected;
    if (selected === null) return;
    const earlier = this.epochs.filter((e) => e < this.epochNow);
    if (earlier.length === 0) {
      this.goLive();
      return;
    }
    const epoch = earlier[nearestStop(earlier, selected)];
    if (epoch !== selected || (this.frame?.epoch !== epoch && this.loading === null)) this.select(epoch);
  }

  /**
   * @param {{state: Json | null, playing: boolean}} view
   */
  update({ state, playing }) {
    const epoch = Number(state?.epoch ?? 0);
    // Training ends a replay; so does going back (a reset, a restore: the later checkpoints
    // are gone). A step taken meanwhile does not: the checkpoint shown is still there.
    const back = epoch < this.epochNow;
    this.epochNow = epoch;
    if (this.selected !== null && (playing || back || this.selected >= epoch)) this.goLive();
    if (state && epoch !== this.listedAt && !this.listing) {
      if (!playing || this.hooks.now() - this.listedTime >= REFRESH_MS) this.refresh();
    }
    this.list = stops(this.epochs, epoch);
    const last = this.list.length - 1;
    const index = this.selected === null ? last : nearestStop(this.list, this.selected);
    this.slider.max = String(last);
    if (this.slider.value !== String(index)) this.slider.value = String(index);
    this.slider.disabled = last === 0;
    const shown = this.list[index];
    this.slider.setAttribute("aria-valuetext", this.selected === null ? TEXT.valueNow(epoch) : TEXT.valueAt(shown));
    const text = this.selected === null ? TEXT.now(String(epoch)) : TEXT.showing(String(shown), String(epoch));
    if (this.text.textContent !== text) this.text.textContent = text;
    this.resume.hidden = this.selected === null;
    this.back.hidden = this.selected === null;
    this.root.classList.toggle("replaying", this.selected !== null);
    this.root.dataset.shown = String(this.selected ?? epoch);
    this.root.dataset.loaded = String(this.selected === null || (this.frame !== null && this.frame.epoch === this.selected));
  }
}
