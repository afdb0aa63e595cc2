// @ts-check
/**
 * The words of the page that are not in the server's table of fields: explanations,
 * messages and notices, read from the message catalogs (static/i18n/<lang>/page.json,
 * through i18n.js) whenever they are used, so they are in the language chosen. Pure
 * apart from the catalog: no DOM.
 *
 * Explanations are keyed by the field's name (the server's config name, or the page's own
 * setting) or by the name of a figure; a field without an entry simply has no tooltip.
 */

import { has, t } from "./i18n.js";

/** Tooltips: what a control or a figure means, in a sentence or two ("" when none). */
export const HELP = {
  /** @param {string} name */
  of: (name) => (has(`help.${name}`) ? t(`help.${name}`) : ""),
};

/** The collapsible panel "What am I looking at?": a title and short paragraphs. */
export const EXPLAIN = {
  get title() {
    return t("explain.title");
  },
  get paragraphs() {
    return [t("explain.data"), t("explain.network"), t("explain.output"), t("explain.play")];
  },
};

/** Buttons named by the page's own code. */
export const LABELS = {
  get projector() {
    return t("labels.projector");
  },
  get projectorExit() {
    return t("labels.projectorExit");
  },
};

/** Messages shown in the banner. */
export const MESSAGES = {
  get notJson() {
    return t("messages.notJson");
  },
  notModel: (/** @type {string} */ why) => t("messages.notModel", { why }),
  get noAnswer() {
    return t("messages.noAnswer");
  },
  serverFailed: (/** @type {number} */ status) => t("messages.serverFailed", { status }),
  get tooLarge() {
    return t("messages.tooLarge");
  },
  pageFailed: (/** @type {string} */ what) => t("messages.pageFailed", { what }),
};

/** Why a part of a link was ignored (the link notice). */
export const IGNORED = {
  get title() {
    return t("ignored.title");
  },
  get flag() {
    return t("ignored.flag");
  },
  get noFeature() {
    return t("ignored.noFeature");
  },
  get unknown() {
    return t("ignored.unknown");
  },
  get badEscape() {
    return t("ignored.badEscape");
  },
  oneOf: (/** @type {string[]} */ values) => t("ignored.oneOf", { values: values.join(", ") }),
  between: (/** @type {number | null} */ min, /** @type {number | null} */ max, /** @type {boolean} */ whole) =>
    min !== null && max !== null
      ? t(whole ? "ignored.wholeBetween" : "ignored.numberBetween", { min, max })
      : t(whole ? "ignored.wholeNumber" : "ignored.number"),
  layers: (/** @type {number} */ most, /** @type {number} */ min, /** @type {number} */ max) => t("ignored.layers", { most, min, max }),
  text: (/** @type {number} */ most) => t("ignored.text", { most }),
  get sharedData() {
    return t("ignored.sharedData");
  },
  /** "networkShape=9,9,… ignored: at most 6 hidden layers of 1–8 neurons" */
  part: (/** @type {string} */ key, /** @type {string} */ value, /** @type {string} */ why) =>
    t("ignored.part", { key, value: value.length > 12 ? `${value.slice(0, 11)}…` : value, why }),
};

/**
 * A metric of a goal, in words (the server's names: docs/API.md, "Rooms").
 * @param {string} metric
 */
export function metricText(metric) {
  return has(`metrics.${metric}`) ? t(`metrics.${metric}`) : metric.replace(/_/g, " ");
}

/** A student in a class: the join page and the room bar of the playground. */
/** @type {"teacher" | "lesson"} */
let lockOwner = "teacher";

/**
 * Whose locks a locked control shows: a teacher's (in a class) or a lesson step's (the
 * lesson panel is offered only outside a class).
 * @param {"teacher" | "lesson"} owner
 */
export function setLockOwner(owner) {
  lockOwner = owner;
}

export const ROOM = {
  get pageTitle() {
    return t("room.pageTitle");
  },
  get joinHeading() {
    return t("room.joinHeading");
  },
  get codeLabel() {
    return t("room.codeLabel");
  },
  get codeHint() {
    return t("room.codeHint");
  },
  get codeButton() {
    return t("room.codeButton");
  },
  get badCode() {
    return t("room.badCode");
  },
  get looking() {
    return t("room.looking");
  },
  get nameLabel() {
    return t("room.nameLabel");
  },
  get nameHint() {
    return t("room.nameHint");
  },
  get nameEmpty() {
    return t("room.nameEmpty");
  },
  get joinButton() {
    return t("room.joinButton");
  },
  get joining() {
    return t("room.joining");
  },
  get otherCode() {
    return t("room.otherCode");
  },
  get notFound() {
    return t("room.notFound");
  },
  get full() {
    return t("room.full");
  },
  get tooMany() {
    return t("room.tooMany");
  },
  get badName() {
    return t("room.badName");
  },
  get barLabel() {
    return t("room.barLabel");
  },
  get rankNeurons() {
    return t("room.rankNeurons");
  },
  get noActivity() {
    return t("room.noActivity");
  },
  get locked() {
    return t(lockOwner === "lesson" ? "lesson.locked" : "room.locked");
  },
  get paused() {
    return t("room.paused");
  },
  get resumed() {
    return t("room.resumed");
  },
  get newActivity() {
    return t("room.newActivity");
  },
  get ended() {
    return t("room.ended");
  },
  get joinLink() {
    return t("room.joinLink");
  },
  get noNewSession() {
    return t("room.noNewSession");
  },
  classNamed: (/** @type {string} */ code) => t("room.classNamed", { code }),
  nameLong: (/** @type {number} */ most) => t("room.nameLong", { most }),
  welcomeBack: (/** @type {string} */ name) => t("room.welcomeBack", { name }),
  you: (/** @type {string} */ name) => t("room.you", { name }),
  goalBelow: (/** @type {string} */ metric, /** @type {string} */ x) => t("room.goalBelow", { metric, x }),
  goalAtLeast: (/** @type {string} */ metric, /** @type {string} */ x) => t("room.goalAtLeast", { metric, x }),
  progress: (/** @type {string} */ metric, /** @type {string} */ value) => t("room.progress", { metric, value }),
  reached: (/** @type {string} */ epoch, /** @type {number} */ seconds) => t("room.reached", { epoch, seconds }),
  lessonStep: (/** @type {string} */ title, /** @type {number} */ step, /** @type {number} */ steps) =>
    t("room.lessonStep", { title, step, steps }),
  get lessonNotYet() {
    return t("room.lessonNotYet");
  },
  lockedList: (/** @type {string[]} */ labels) => t("room.lockedList", { labels: labels.join(", ") }),
  experiment: (/** @type {string} */ label, /** @type {string} */ value) => t("room.experiment", { label, value }),
};
