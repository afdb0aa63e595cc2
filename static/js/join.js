// @ts-check
/**
 * The join page (/join, /r/{code}): the class code (from the address, or typed), the
 * class's title, the student's name → a session of their own in the class, kept in this
 * browser's storage (`np-room:CODE`), then the playground in room mode (/?room=CODE).
 * A browser that has joined this class before and whose session still exists goes
 * straight on. Every text is set as text, never as HTML.
 */

import { Api, ApiError } from "./api.js";
import { plainMessage } from "./controller.js";
import { displayCode, nameProblem, normaliseCode, readEntry, removeEntry, writeEntry } from "./room.js";
import { startPageLanguage, t } from "./i18n.js";
import { ROOM } from "./text.js";

/** How long "Welcome back" is shown before the page moves on (ms). */
const WELCOME_MS = 700;

/**
 * @param {string} id
 * @returns {any}
 */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

/**
 * The server's sentence for a refusal, or the page's own when it has none.
 * @param {unknown} error
 */
export function joinMessage(error) {
  if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) return plainMessage(error);
  if (error.message && error.message !== t("model.serverAnswered", { status: error.status })) return error.message;
  return { 404: ROOM.notFound, 409: ROOM.full, 429: ROOM.tooMany, 422: ROOM.badName }[error.status] ?? error.message;
}

/** @param {string} code */
function playground(code) {
  return `/?room=${code}`;
}

class JoinPage {
  constructor() {
    this.api = new Api();
    this.root = byId("join");
    this.codeForm = byId("code-form");
    this.codeInput = byId("code-input");
    this.nameForm = byId("name-form");
    this.nameInput = byId("name-input");
    this.joinButton = byId("join-button");
    this.status = byId("join-status");
    this.errorText = byId("join-error");
    /** @type {string | null} the class found */
    this.code = null;
    this.busy = false;
    this.fillTexts();
    this.codeForm.addEventListener("submit", (/** @type {Event} */ e) => {
      e.preventDefault();
      this.findTyped();
    });
    this.nameForm.addEventListener("submit", (/** @type {Event} */ e) => {
      e.preventDefault();
      this.join();
    });
    byId("other-code").addEventListener("click", () => this.askCode());
  }

  fillTexts() {
    document.title = ROOM.pageTitle;
    byId("join-heading").textContent = ROOM.joinHeading;
    byId("code-label").textContent = ROOM.codeLabel;
    byId("code-hint").textContent = ROOM.codeHint;
    byId("code-button").textContent = ROOM.codeButton;
    byId("name-label").textContent = ROOM.nameLabel;
    byId("name-hint").textContent = ROOM.nameHint;
    this.joinButton.textContent = ROOM.joinButton;
    byId("other-code").textContent = ROOM.otherCode;
  }

  /** @param {string} text */
  say(text) {
    this.status.textContent = text;
  }

  /** @param {string} text */
  showError(text) {
    this.errorText.textContent = text;
    this.errorText.hidden = text === "";
  }

  /** The code from the address, if any. */
  async start() {
    this.showError("");
    const code = normaliseCode(this.root.dataset.code);
    if (code) await this.find(code);
    else this.askCode();
  }

  askCode() {
    this.code = null;
    this.nameForm.hidden = true;
    this.codeForm.hidden = false;
    this.say("");
    this.codeInput.focus();
  }

  findTyped() {
    const code = normaliseCode(this.codeInput.value);
    if (!code) {
      this.showError(ROOM.badCode);
      this.codeInput.focus();
      return;
    }
    this.find(code);
  }

  /**
   * Look the class up; a browser that has joined it before goes straight on.
   * @param {string} code
   */
  async find(code) {
    if (this.busy) return;
    this.busy = true;
    this.showError("");
    this.say(ROOM.looking);
    try {
      const entry = readEntry(localStorage, code);
      if (entry) {
        if (await this.api.sessionExists(entry.session)) {
          this.say(ROOM.welcomeBack(entry.name));
          setTimeout(() => location.replace(playground(code)), WELCOME_MS);
          return;
        }
        removeEntry(localStorage, code);
      }
      const room = await this.api.room(code);
      this.code = code;
      if (location.pathname !== `/r/${code}`) history.replaceState(null, "", `/r/${code}`);
      byId("room-title").textContent = room.title || ROOM.classNamed(displayCode(code));
      byId("room-code").textContent = room.title ? displayCode(code) : "";
      this.say("");
      this.codeForm.hidden = true;
      this.nameForm.hidden = false;
      this.nameInput.focus();
    } catch (error) {
      this.say("");
      this.showError(joinMessage(error));
      this.codeInput.value = displayCode(code);
      this.codeForm.hidden = false;
      this.nameForm.hidden = true;
    } finally {
      this.busy = false;
    }
  }

  /** Join the class found under the name typed. */
  async join() {
    const code = this.code;
    if (!code || this.busy) return;
    const name = String(this.nameInput.value).trim();
    const problem = nameProblem(name);
    if (problem) {
      this.showError(problem);
      this.nameInput.focus();
      return;
    }
    this.busy = true;
    this.joinButton.disabled = true;
    this.showError("");
    this.say(ROOM.joining);
    try {
      const answer = await this.api.joinRoom(code, name);
      writeEntry(localStorage, { code, session: answer.session.id, student: answer.student.id, name: answer.student.name ?? name });
      location.assign(playground(code));
    } catch (error) {
      this.say("");
      this.showError(joinMessage(error));
      this.joinButton.disabled = false;
      this.busy = false;
      // The class is gone (or never was): back to the code.
      if (error instanceof ApiError && (error.status === 404 || error.status === 429)) {
        this.nameForm.hidden = true;
        this.codeForm.hidden = false;
        this.codeInput.value = displayCode(code);
      }
    }
  }
}

if (typeof document !== "undefined" && document.getElementById("join")) {
  // The language first (lang in the address, the saved choice, the browser's), then the page.
  startPageLanguage(["page"], "room.pageTitle")
    .then(() => new JoinPage().start())
    .catch((error) => {
      console.warn(error);
      const el = document.getElementById("join-error");
      if (el) el.textContent = plainMessage(error);
    });
}
