// @ts-check
/**
 * Every word of the teacher's page (/teach) that its script writes: buttons that change,
 * statuses, messages and the dashboard's labels, read from the message catalogs
 * (static/i18n/<lang>/teach.json, through i18n.js) whenever they are used, so they are in
 * the language chosen. Pure apart from the catalog: no DOM. The fixed words of
 * templates/teach.html name their keys themselves (data-i18n).
 *
 * The field labels themselves come from the server's table of fields (GET /api/options),
 * named in the page's catalog (options.js).
 */

import { plural, t } from "./i18n.js";

/** @param {Record<string, string>} keys  value → catalog key */
const texts = (keys) => Object.fromEntries(Object.entries(keys).map(([value, key]) => [value, t(key)]));

export const TEACH = {
  get pageTitle() {
    return t("teach.pageTitle");
  },
  // The join panel.
  get showJoin() {
    return t("teach.showJoin");
  },
  get hideJoin() {
    return t("teach.hideJoin");
  },
  qrAlt: (/** @type {string} */ link) => t("teach.qrAlt", { link }),
  // The class bar.
  get noTitle() {
    return t("teach.noTitle");
  },
  get running() {
    return t("teach.running");
  },
  get paused() {
    return t("teach.paused");
  },
  students: (/** @type {number} */ n) => plural("teach.students", n),
  activityVersion: (/** @type {number} */ v) => t("teach.activityVersion", { v }),
  get noActivity() {
    return t("teach.noActivity");
  },
  get connectionLost() {
    return t("teach.connectionLost");
  },
  // Starting and resuming.
  get starting() {
    return t("teach.starting");
  },
  get resumed() {
    return t("teach.resumed");
  },
  get roomGone() {
    return t("teach.roomGone");
  },
  get notYours() {
    return t("teach.notYours");
  },
  get confirmEnd() {
    return t("teach.confirmEnd");
  },
  get ended() {
    return t("teach.ended");
  },
  // The activity form.
  lockTitle: (/** @type {string} */ label) => t("teach.lockTitle", { label }),
  get layersHint() {
    return t("teach.layersHint");
  },
  get noGoal() {
    return t("teach.noGoal");
  },
  /** @returns {Record<string, string>} */
  get goalMetrics() {
    return texts({
      test_loss: "teach.goalMetrics.test_loss",
      train_loss: "teach.goalMetrics.train_loss",
      test_accuracy: "teach.goalMetrics.test_accuracy",
      train_accuracy: "teach.goalMetrics.train_accuracy",
    });
  },
  /** @returns {Record<string, string>} */
  get rankBy() {
    return texts({ time: "teach.rankBy.time", neurons: "teach.rankBy.neurons" });
  },
  pushed: (/** @type {number} */ v) => t("teach.pushed", { v }),
  layersBad: (/** @type {number} */ most, /** @type {number} */ min, /** @type {number} */ max) => t("teach.layersBad", { most, min, max }),
  get featuresNone() {
    return t("teach.featuresNone");
  },
  get thresholdBad() {
    return t("teach.thresholdBad");
  },
  messageLong: (/** @type {number} */ n) => t("teach.messageLong", { n }),
  // The lesson.
  stepOf: (/** @type {number} */ k, /** @type {number} */ n, /** @type {string} */ title) => t("teach.stepOf", { k, n, title }),
  lessonPushed: (/** @type {number} */ k, /** @type {number} */ n) => t("teach.lessonPushed", { k, n }),
  stepBad: (/** @type {number} */ n) => t("teach.stepBad", { n }),
  get noLessons() {
    return t("teach.noLessons");
  },
  // The experiment.
  experimentPushed: (/** @type {string} */ label, /** @type {number} */ n) => t("teach.experimentPushed", { label, n }),
  get experimentNone() {
    return t("teach.experimentNone");
  },
  experimentOn: (/** @type {string} */ label, /** @type {string} */ values) => t("teach.experimentOn", { label, values }),
  get experimentAxis() {
    return t("teach.experimentAxis");
  },
  logScale: (/** @type {string} */ label) => t("teach.logScale", { label }),
  get experimentEmpty() {
    return t("teach.experimentEmpty");
  },
  notNumber: (/** @type {string} */ value) => t("teach.notNumber", { value }),
  get valuesCount() {
    return t("teach.valuesCount");
  },
  // The dashboard.
  /** @returns {Record<string, string>} */
  get sorts() {
    return texts({ join: "teach.sorts.join", name: "teach.sorts.name", loss: "teach.sorts.loss", progress: "teach.sorts.progress" });
  },
  get hideControls() {
    return t("teach.hideControls");
  },
  get showControls() {
    return t("teach.showControls");
  },
  student: (/** @type {number} */ n) => t("teach.student", { n }),
  get epoch() {
    return t("teach.epoch");
  },
  epochN: (/** @type {number} */ n) => t("teach.epochN", { n }),
  get testLoss() {
    return t("teach.testLoss");
  },
  get accuracy() {
    return t("teach.accuracy");
  },
  get shape() {
    return t("teach.shape");
  },
  get value() {
    return t("teach.value");
  },
  /** @returns {Record<string, string>} */
  get status() {
    return { ready: "", ...texts({ diverged: "teach.status.diverged", gone: "teach.status.gone" }) };
  },
  reached: (/** @type {number} */ epoch, /** @type {number} */ seconds) => t("teach.reached", { epoch, time: formatSeconds(seconds) }),
  get leaderboardEmpty() {
    return t("teach.leaderboardEmpty");
  },
  get noGoalSet() {
    return t("teach.noGoalSet");
  },
  neurons: (/** @type {number} */ n) => plural("teach.neurons", n),
  tileLabel: (/** @type {string} */ name) => t("teach.tileLabel", { name }),
  // The spotlight.
  spotlightOf: (/** @type {string} */ name) => t("teach.spotlightOf", { name }),
  shared: (/** @type {string} */ name, /** @type {number} */ v) => t("teach.shared", { name, v }),
  confirmRemove: (/** @type {string} */ name) => t("teach.confirmRemove", { name }),
  get studentGone() {
    return t("teach.studentGone");
  },
  get readOnly() {
    return t("teach.readOnly");
  },
};

/**
 * Seconds as a person reads them: "38.2 s", "4 min 05 s" (in the catalog's words).
 * @param {number} s
 */
export function formatSeconds(s) {
  if (!Number.isFinite(s)) return "–";
  if (s < 60) return t("teach.seconds", { s: s.toFixed(1) });
  const m = Math.floor(s / 60);
  return t("teach.minutes", { m, s: String(Math.floor(s - 60 * m)).padStart(2, "0") });
}
