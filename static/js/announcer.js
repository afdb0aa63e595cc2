// @ts-check
/**
 * What a screen reader hears of training: the epoch and losses, said politely at most
 * every `every` ms while playing, and at once when training stops (pause, a step, a
 * reset). The counters on screen change ~50 times a second and are not live regions.
 */

/** While playing, the least time between two announcements. */
export const ANNOUNCE_EVERY_MS = 5000;

export class Announcer {
  /**
   * @param {(text: string) => void} say   writes into the live region
   * @param {() => number} now              a clock in ms
   * @param {number} [every]
   */
  constructor(say, now, every = ANNOUNCE_EVERY_MS) {
    this.say = say;
    this.now = now;
    this.every = every;
    this.said = "";
    this.at = -Infinity;
  }

  /**
   * The current text; said now when paused, or while playing once `every` ms have passed.
   * @param {string} text
   * @param {boolean} playing
   */
  update(text, playing) {
    if (text === this.said) return;
    const t = this.now();
    if (playing && t - this.at < this.every) return;
    this.said = text;
    this.at = t;
    this.say(text);
  }
}
