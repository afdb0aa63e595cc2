// @ts-check
/**
 * The play loop as one state machine (pure: no DOM, no fetch; the host does the work).
 *
 * Its state is three small parts, each with named values:
 *
 *   mode    paused | playing           what the person asked for (play, pause)
 *   wire    idle | step | stale step | action | fetch
 *                                      the one request the page has on its way
 *   screen  drawn | undrawn | held     has the last step's answer been drawn? held: a
 *                                      newer answer waits for that draw
 *
 * and the work waiting for the wire: actions (changes, reset, edits, a new session) in
 * order, then data or a frame that is wanted, then a single step, then — when playing and
 * visible — the next step.
 *
 * Transitions (each a method below):
 *   play / pause              mode; pausing lets the step on the wire finish, sends no more
 *   stepOnce(unit)            pause, then one epoch (or one mini-batch) when the wire is free
 *   act(run)                  queue an action; a step on the wire becomes a stale step
 *                             (its answer predates the action and is dropped) and a held
 *                             answer is dropped; the action's answer asks for data and, when
 *                             paused, for a frame
 *   step answered             stale step: dropped. drawn: taken, screen → undrawn.
 *                             undrawn/held: held (a newer answer replaces a held one)
 *   drawn                     held: take it (screen stays undrawn); else screen → drawn
 *   wantData / wantFrame      fetch when the wire is free (a repeated want while one is on
 *                             its way fetches once more afterwards)
 *   visibilityChanged         the host's `hidden()` is asked again
 * After every transition `next()` puts the next piece of work on the wire when it is idle.
 * At the fixed speeds (1, 3, 10 epochs per frame) no step is sent while an answer is held,
 * so every answer is drawn; at the fast speeds the next step goes at once and a newer
 * answer replaces a held one (its history starts where the held one's did). The slow
 * speeds (epochs per second) are fixed speeds whose next step also waits until
 * `interval()` ms have passed since the previous one was sent (a timer calls `next`).
 */

/** @typedef {Record<string, any>} Json */
/** @typedef {{epochs?: number, batches?: number, batch_points?: boolean, max_ms?: number}} StepBody */
/** @typedef {{data?: boolean} | void} ActionResult */

/**
 * What the loop asks of the page's model (the Controller).
 * @typedef {Object} LoopHost
 * @property {() => StepBody} stepBody                   the body at the current speed
 * @property {() => number} interval                     least ms between steps while playing (0: none)
 * @property {() => number} now                          a clock in ms
 * @property {(fn: () => void, ms: number) => void} later  call fn after ms
 * @property {(body: StepBody) => Promise<Json>} sendStep  a step request (with its frame)
 * @property {(answer: Json) => void} takeStep           show a step's answer
 * @property {() => Promise<void>} fetchData
 * @property {() => Promise<void>} fetchFrame
 * @property {(error: unknown) => void} failed           show an error (and pause)
 * @property {() => boolean} hidden                      the tab is hidden: no steps
 * @property {() => void} changed                        something to redraw (play/pause)
 */

/**
 * @typedef {Object} Work
 * @property {() => Promise<ActionResult>} run   sends the request and takes its answer
 * @property {string | undefined} key            work with the same key waiting is done once
 * @property {Promise<void>} done
 * @property {() => void} resolve
 */

export class Loop {
  /** @param {LoopHost} host */
  constructor(host) {
    this.host = host;
    /** @type {"paused" | "playing"} */
    this.mode = "paused";
    /** @type {"idle" | "step" | "stale step" | "action" | "fetch"} */
    this.wire = "idle";
    /** @type {"drawn" | "undrawn" | "held"} */
    this.screen = "drawn";
    /** @type {Json | null} the held answer (screen "held") */
    this.held = null;
    /** @type {Work[]} */
    this.actions = [];
    /** @type {{data: boolean, frame: boolean, step: "epoch" | "batch" | null}} */
    this.wants = { data: false, frame: false, step: null };
    /** When the last step was sent (host.now()), for the slow speeds. */
    this.lastStepAt = -Infinity;
    /** A timer is waiting to call next() (slow speeds). */
    this.timer = false;
  }

  get playing() {
    return this.mode === "playing";
  }

  /** The step on the wire was sent before an action. */
  get stale() {
    return this.wire === "stale step";
  }

  play() {
    if (this.mode === "playing") return;
    this.mode = "playing";
    this.host.changed();
    this.next();
  }

  pause() {
    if (this.mode === "paused") return;
    this.mode = "paused";
    this.host.changed();
  }

  /**
   * One epoch or one mini-batch (the step buttons): pauses; nothing more while a step is
   * on its way.
   * @param {"epoch" | "batch"} [unit]
   */
  stepOnce(unit = "epoch") {
    this.pause();
    if (this.wire === "step" || this.wire === "stale step") return;
    this.wants.step = unit;
    this.next();
  }

  /**
   * Queue an action; resolves when its own answer has been taken.
   * @param {() => Promise<ActionResult>} run
   * @param {string} [key]  e.g. "patch": while one waits, the same work is not queued again
   * @returns {Promise<void>}
   */
  act(run, key) {
    const waiting = key === undefined ? undefined : this.actions.find((w) => w.key === key);
    if (waiting) return waiting.done;
    if (this.wire === "step") this.wire = "stale step";
    if (this.screen === "held") {
      this.held = null;
      this.screen = "undrawn";
    }
    /** @type {() => void} */
    let resolve = () => {};
    const done = new Promise((r) => {
      resolve = () => r(undefined);
    });
    this.actions.push({ run, key, done, resolve });
    this.next();
    return done;
  }

  wantData() {
    this.wants.data = true;
    this.next();
  }

  wantFrame() {
    this.wants.frame = true;
    this.next();
  }

  /** The page has drawn: a held answer is taken now (and drawn next). */
  drawn() {
    if (this.screen === "held" && this.held) {
      const answer = this.held;
      this.held = null;
      this.screen = "undrawn";
      this.host.takeStep(answer);
    } else {
      this.screen = "drawn";
    }
    this.next();
  }

  visibilityChanged() {
    this.next();
  }

  /** Put the next piece of work on the wire, if it is idle. */
  next() {
    if (this.wire !== "idle") return;
    const action = this.actions.shift();
    if (action) this.runAction(action);
    else if (this.wants.data) this.fetch("data");
    else if (this.wants.frame) this.fetch("frame");
    else if (this.wants.step) {
      const unit = this.wants.step;
      this.wants.step = null;
      this.runStep(unit === "batch" ? { batches: 1, batch_points: true } : { epochs: 1 });
    } else if (this.mode === "playing" && !this.host.hidden()) {
      const body = this.host.stepBody();
      const fixedPace = !("max_ms" in body);
      if (fixedPace && this.screen === "held") return;
      const wait = this.lastStepAt + this.host.interval() - this.host.now();
      if (wait <= 0) this.runStep(body);
      else if (!this.timer) {
        this.timer = true;
        this.host.later(() => {
          this.timer = false;
          this.next();
        }, wait);
      }
    }
  }

  /** @param {StepBody} body */
  async runStep(body) {
    this.wire = "step";
    this.lastStepAt = this.host.now();
    try {
      const answer = await this.host.sendStep(body);
      if (this.stale) {
        // Sent before an action: its state may predate it (e.g. the old features).
      } else if (this.screen === "drawn") {
        this.screen = "undrawn";
        this.host.takeStep(answer);
      } else {
        this.held = answer;
        this.screen = "held";
      }
    } catch (error) {
      this.host.failed(error);
    }
    this.wire = "idle";
    this.next();
  }

  /** @param {Work} work */
  async runAction(work) {
    this.wire = "action";
    try {
      const result = await work.run();
      if (result?.data) this.wants.data = true;
      if (this.mode === "paused") this.wants.frame = true;
    } catch (error) {
      this.host.failed(error);
    }
    this.wire = "idle";
    work.resolve();
    this.next();
  }

  /** @param {"data" | "frame"} what */
  async fetch(what) {
    this.wire = "fetch";
    this.wants[what] = false;
    try {
      await (what === "data" ? this.host.fetchData() : this.host.fetchFrame());
    } catch (error) {
      this.host.failed(error);
    }
    this.wire = "idle";
    this.next();
  }
}
