// @ts-check
/**
 * The only module that talks to the server (docs/API.md).
 *
 * Every request goes through one queue, so there is never more than one in flight.
 * A session the server no longer knows (404, e.g. expired) is recreated with the same
 * config, seed included, and the request is retried once; `onSessionReplaced` tells the
 * page that its history and data must be fetched again. When the lost session held the
 * person's own data, the new one is given back the points the page last knew
 * (`customData`) before the retry; an edit of the points is never retried on data that
 * differ from those it was meant for (SessionLost says so instead).
 *
 * In a class (`inRoom`) the session is the student's place in the class: a 404 means the
 * class ended or the teacher removed the student (ClassEnded), and nothing creates a new
 * session in its place or deletes it when the page goes away.
 *
 * Steps and frames are asked for in the binary frame format (frames.js): their maps
 * arrive as Uint8Array instead of base64 strings; everything else is as in JSON.
 */

import { FRAME_TYPE, decodeFrameAnswer } from "./frames.js";
import { currentLang, t } from "./i18n.js";
import { MESSAGES, ROOM } from "./text.js";

/** An answer with a 4xx/5xx status, or no answer at all (status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} detail  a sentence a person can act on
   */
  constructor(status, detail) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
  }
}

/** The student's session is gone: the class ended or the teacher removed the student. */
export class ClassEnded extends ApiError {
  constructor() {
    super(404, ROOM.ended);
    this.name = "ClassEnded";
  }
}

/** Why an edit of the points was not made on a new session (issue 15 moves it into catalogs). */
export const SESSION_LOST =
  "The server had forgotten this session (it was idle too long) and your points could not be given back to the new one, so this change was not made. The problem's default dataset is shown; draw or upload your data again.";

/**
 * The session had expired and its own data could not be given back to the new one, so
 * an edit of its points was not retried (it would have changed other data).
 */
export class SessionLost extends ApiError {
  constructor() {
    super(409, SESSION_LOST);
    this.name = "SessionLost";
  }
}

/** @typedef {Record<string, any>} Json */
/** @typedef {{points: number[][], labels: number[]}} PointSet */
/**
 * How a request is sent and its answer read. csv: the body is CSV text and the answer may
 * be CSV text (returned as a string); frame: ask for the binary frame format, the frame
 * being the answer's `frame` ("frame") or the answer itself ("self").
 * @typedef {{csv?: boolean, frame?: "frame" | "self"}} How
 */

/** The dataset a session has once it holds the person's own data (the data routes). */
export const CUSTOM_DATASET = "custom";

export class Api {
  /**
   * @param {{onSessionReplaced?: (state: Json) => void, onBusy?: (busy: boolean) => void}} [hooks]
   */
  constructor(hooks = {}) {
    this.onSessionReplaced = hooks.onSessionReplaced ?? (() => {});
    /** Told when the queue becomes busy or idle. */
    this.onBusy = hooks.onBusy ?? (() => {});
    /** @type {string | null} */
    this.sessionId = null;
    /** @type {Json | null} the config of the last state seen (to recreate the session) */
    this.config = null;
    /** @type {Promise<unknown>} */
    this.queue = Promise.resolve();
    this.pending = 0;
    /** A student's session in a class: never replaced, never deleted by the page. */
    this.inRoom = false;
    /** @type {string | null} a class's teacher token, sent as Authorization (the teacher's page) */
    this.token = null;
    /**
     * The custom points the page last knew, in their order (null: not known); a session
     * that is lost while it holds custom data gets them back.
     * @type {() => PointSet | null}
     */
    this.customData = () => null;
  }

  /** True while a request is queued or in flight. */
  get busy() {
    return this.pending > 0;
  }

  /**
   * Run `task` after every request queued before it.
   * @template T
   * @param {() => Promise<T>} task
   * @returns {Promise<T>}
   */
  enqueue(task) {
    if (this.pending++ === 0) this.onBusy(true);
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run.finally(() => {
      if (--this.pending === 0) this.onBusy(false);
    });
  }

  /**
   * One HTTP request (not queued: callers go through enqueue).
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @param {How} [how]
   * @returns {Promise<any>}
   */
  async send(method, path, body, how = {}) {
    // The server answers (its `detail` sentences, the divergence explanation) in the page's language.
    const language = currentLang() === "zh" ? "zh" : "en";
    const accept = how.csv ? "text/csv, application/json" : how.frame ? `${FRAME_TYPE}, application/json` : "application/json";
    /** @type {RequestInit} */
    const init = { method, headers: { Accept: accept, "Accept-Language": language } };
    if (this.token) init.headers = { ...init.headers, Authorization: `Bearer ${this.token}` };
    if (body !== undefined) {
      init.body = how.csv ? String(body) : JSON.stringify(body);
      init.headers = { ...init.headers, "Content-Type": how.csv ? "text/csv" : "application/json" };
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, MESSAGES.noAnswer);
    }
    if (response.status === 204) return null;
    if (response.ok && how.frame && response.headers.get("Content-Type") === FRAME_TYPE) {
      return decodeFrameAnswer(await response.arrayBuffer(), how.frame === "frame" ? "frame" : null);
    }
    const text = await response.text();
    if (response.ok && how.csv && !(response.headers.get("Content-Type") ?? "").includes("json")) return text;
    /** @type {any} */
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const detail = typeof json?.detail === "string" ? json.detail : t("model.serverAnswered", { status: response.status });
      throw new ApiError(response.status, detail);
    }
    return json;
  }

  /**
   * Remember the session of a state answer (to address it and to recreate it).
   * @param {any} json
   */
  track(json) {
    if (json && typeof json === "object" && "config" in json && "id" in json) {
      this.sessionId = json.id;
      this.config = json.config;
    }
    return json;
  }

  /**
   * A request on the current session; a 404 recreates the session and retries once.
   * @param {string} method
   * @param {string} suffix  e.g. "/step"
   * @param {unknown} [body]
   * @param {How} [how]  see send
   */
  session(method, suffix, body, how = {}) {
    return this.enqueue(async () => {
      if (!this.sessionId) throw new ApiError(0, t("model.noSession"));
      try {
        return this.track(await this.send(method, `/api/sessions/${this.sessionId}${suffix}`, body, how));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 404) throw error;
        if (this.inRoom) throw new ClassEnded();
        if (!this.config) throw error;
        // Custom data were the old session's: the new one starts from the problem's
        // default, then takes back the custom points the page knows (unless the request
        // replaces the data anyway).
        const { dataset, ...rest } = this.config;
        const lostCustom = dataset === CUSTOM_DATASET;
        const replaces = method === "PUT" && (suffix === "/data" || suffix === "/data.csv");
        let state = this.track(await this.send("POST", "/api/sessions", { config: lostCustom ? rest : this.config }));
        let same = !lostCustom || replaces;
        const custom = same ? null : this.customData();
        if (custom) {
          try {
            state = this.track(await this.send("PUT", `/api/sessions/${this.sessionId}/data`, custom));
            same = true;
          } catch (failed) {
            console.warn("custom data not restored", failed);
          }
        }
        this.onSessionReplaced(state);
        // Adding or removing points (by index) on other data would silently change them.
        if (!same && suffix === "/points") throw new SessionLost();
        return this.track(await this.send(method, `/api/sessions/${this.sessionId}${suffix}`, body, how));
      }
    });
  }

  /** @returns {Promise<Json>} every choice and bound */
  options() {
    return this.enqueue(() => this.send("GET", "/api/options"));
  }

  /**
   * A new session from a (partial) config or an exported model; it becomes the current
   * one and the previous session is deleted.
   * @param {{config?: Json, model?: Json}} body
   * @returns {Promise<Json>} the state
   */
  createSession(body) {
    return this.enqueue(async () => {
      if (this.inRoom) throw new ApiError(403, ROOM.noNewSession);
      const old = this.sessionId;
      const state = this.track(await this.send("POST", "/api/sessions", body));
      if (old && old !== state.id) await this.send("DELETE", `/api/sessions/${old}`).catch(() => {});
      return state;
    });
  }

  /**
   * Take up an existing session (a student's in a class): it becomes the current one.
   * @param {string} id
   * @returns {Promise<Json>} the state
   */
  openSession(id) {
    return this.enqueue(async () => {
      try {
        return this.track(await this.send("GET", `/api/sessions/${id}`));
      } catch (error) {
        if (this.inRoom && error instanceof ApiError && error.status === 404) throw new ClassEnded();
        throw error;
      }
    });
  }

  /** @returns {Promise<Json>} the current session's state */
  state() {
    return this.session("GET", "");
  }

  /**
   * Whether a session still exists (not queued behind the current one's requests).
   * @param {string} id
   * @returns {Promise<boolean>}
   */
  async sessionExists(id) {
    try {
      await this.enqueue(() => this.send("GET", `/api/sessions/${id}`));
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * A class's public information (title, activity, paused).
   * @param {string} code  normalised
   * @returns {Promise<Json>}
   */
  room(code) {
    return this.enqueue(() => this.send("GET", `/api/rooms/${encodeURIComponent(code)}`));
  }

  /**
   * Join a class: a new session of the student's own, tied to the class.
   * @param {string} code  normalised
   * @param {string} name
   * @returns {Promise<Json>} {student, session}
   */
  joinRoom(code, name) {
    return this.enqueue(() => this.send("POST", `/api/rooms/${encodeURIComponent(code)}/students`, { name }));
  }

  /** @param {Json} changes  a partial config */
  patch(changes) {
    return this.session("PATCH", "", changes);
  }

  /**
   * @param {{epochs?: number, batches?: number, batch_points?: boolean, max_ms?: number, frame?: boolean,
   *          since?: number, thumb?: number, neuron?: number[] | null, thumbs?: boolean}} body  epochs or
   *          batches; thumbs false: the frame's features and neurons are null (keep the previous ones)
   * @returns {Promise<Json>} state + epochs_run + batches_run (+ batch_points, frame; its maps Uint8Array)
   */
  step(body) {
    const clean = { ...body };
    if (!clean.neuron) delete clean.neuron;
    if (clean.thumbs !== false) delete clean.thumbs; // true is the default
    return this.session("POST", "/step", clean, { frame: "frame" });
  }

  reset() {
    return this.session("POST", "/reset");
  }

  regenerate() {
    return this.session("POST", "/regenerate");
  }

  /**
   * @param {{since: number, thumb: number, neuron?: number[] | null, thumbs?: boolean}} params
   * @returns {Promise<Json>} a frame, its maps Uint8Array
   */
  frame({ since, thumb, neuron, thumbs = true }) {
    const query = new URLSearchParams({ since: String(since), thumb: String(thumb) });
    if (neuron) query.set("neuron", neuron.join(","));
    if (!thumbs) query.set("thumbs", "false");
    return this.session("GET", `/frame?${query}`, undefined, { frame: "self" });
  }

  /** @param {{layer: number, source: number, target: number, value: number}} body */
  setWeight(body) {
    return this.session("PUT", "/weights", body);
  }

  /** @param {{layer: number, neuron: number, value: number}} body */
  setBias(body) {
    return this.session("PUT", "/biases", body);
  }

  /** @param {number[][]} points */
  predict(points) {
    return this.session("POST", "/predict", { points });
  }

  /**
   * @returns {Promise<Json>} {train: {points, labels}, test: {points, labels}, custom:
   *   {points, labels} | null}; custom is in its own order (the indices removePoints takes)
   */
  data() {
    return this.session("GET", "/data");
  }

  /**
   * Replace the session's data (it becomes custom; the network is reset).
   * @param {PointSet} body  points may be empty
   * @returns {Promise<Json>} the state
   */
  putData(body) {
    return this.session("PUT", "/data", body);
  }

  /**
   * Replace the session's data with a CSV table (x,y,label or x,y,value; comma, tab or
   * semicolon separated). A 422 names the row and column at fault.
   * @param {string} text
   * @returns {Promise<Json>} the state
   */
  putCsv(text) {
    return this.session("PUT", "/data.csv", text, { csv: true });
  }

  /** @returns {Promise<string>} the session as a standalone NumPy script that trains it again */
  script() {
    return this.session("GET", "/script.py", undefined, { csv: true });
  }

  /** @returns {Promise<string>} the data as CSV: the custom set in its order, or train then test */
  dataCsv() {
    return this.session("GET", "/data.csv", undefined, { csv: true });
  }

  /**
   * Add points (the dataset becomes custom; the network keeps training).
   * @param {PointSet} body
   * @returns {Promise<Json>} the state
   */
  addPoints(body) {
    return this.session("POST", "/points", body);
  }

  /**
   * Remove points by their index in the custom order (GET /data's `custom`).
   * @param {number[]} indices
   * @returns {Promise<Json>} the state
   */
  removePoints(indices) {
    return this.session("DELETE", "/points", { indices });
  }

  /**
   * Keep a copy of a custom dataset on the server, for a link.
   * @param {{problem: string, classes?: number} & PointSet} body
   * @returns {Promise<Json>} {id, problem, classes, size}
   */
  shareData(body) {
    return this.enqueue(() => this.send("POST", "/api/datasets", body));
  }

  /**
   * A shared dataset (404 when it is no longer kept).
   * @param {string} id
   * @returns {Promise<Json>} {id, problem, classes, points, labels}
   */
  sharedData(id) {
    return this.enqueue(() => this.send("GET", `/api/datasets/${encodeURIComponent(id)}`));
  }

  /** @returns {Promise<Json>} {config, weights, biases} */
  model() {
    return this.session("GET", "/model");
  }

  /**
   * Pictures that do not depend on the current session: the data of every dataset (for
   * the dataset buttons) and the thumbnails of all input features. They come from a
   * scratch session that is deleted afterwards.
   * @param {{name: string}[]} features   all features
   * @param {Record<string, {name: string}[]>} datasets  per problem
   * @param {number[]} [classes]  multi-class datasets: also each of these numbers of
   *   classes, under "name/K" (controls.js previewKey)
   * @returns {Promise<{features: Record<string, string>, datasets: Record<string, Json>}>}
   */
  previews(features, datasets, classes = []) {
    return this.enqueue(async () => {
      const names = features.map((f) => f.name);
      const scratch = await this.send("POST", "/api/sessions", {
        config: { features: names, hidden_layers: [], seed: 1 },
      });
      const path = `/api/sessions/${scratch.id}`;
      try {
        const frame = await this.send("GET", `${path}/frame?since=0`);
        /** @type {Record<string, string>} */
        const thumbs = {};
        names.forEach((name, i) => {
          thumbs[name] = frame.features[i];
        });
        /** @type {Record<string, Json>} */
        const data = {};
        for (const [problem, list] of Object.entries(datasets)) {
          for (const { name } of list) {
            await this.send("PATCH", path, { problem, dataset: name });
            data[name] = await this.send("GET", `${path}/data`);
            for (const k of problem === "multiclass" ? classes : []) {
              await this.send("PATCH", path, { classes: k });
              data[`${name}/${k}`] = await this.send("GET", `${path}/data`);
            }
            if (problem === "multiclass" && classes.length) await this.send("PATCH", path, { classes: classes[0] });
          }
        }
        return { features: thumbs, datasets: data };
      } finally {
        await this.send("DELETE", path).catch(() => {});
      }
    });
  }

  /**
   * Delete the session when the page goes away (keepalive: survives the unload); a
   * student's session in a class stays, so a reload comes back to it.
   */
  closeSession() {
    if (!this.sessionId || this.inRoom) return;
    fetch(`/api/sessions/${this.sessionId}`, { method: "DELETE", keepalive: true }).catch(() => {});
    this.sessionId = null;
  }
}
