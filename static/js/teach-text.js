// @ts-check
/**
 * Every word of the teacher's page (/teach) that its script writes: buttons that change,
 * statuses, messages and the dashboard's labels. English for now; another language is one
 * more object of the same shape (a later issue adds Chinese). Pure: no DOM.
 *
 * The field labels themselves come from the server's table of fields (GET /api/options).
 */

export const TEACH = {
  // Fixed words of templates/teach.html (elements with data-t="key").
  pageTitle: "Neural Playground · Teach",
  startHeading: "Start a class",
  startIntro: "Students join with a code or a QR code and each gets their own network on this server. You push activities, watch everyone learn live, and can show one student's network big.",
  titleLabel: "Title (optional)",
  titlePlaceholder: "e.g. Year 10 — networks",
  startButton: "Start a class",
  endClass: "End the class",
  activityHeading: "Push an activity",
  messageLabel: "Message to students",
  messagePlaceholder: "e.g. Make the spiral work without sin features.",
  goalLabel: "Goal",
  thresholdLabel: "Threshold",
  rankLabel: "Rank by",
  pushButton: "Push to everyone",
  experimentHeading: "Class experiment",
  fieldLabel: "Setting",
  valuesLabel: "Values",
  valuesPlaceholder: "0.001, 0.01, 0.1, 1, 3",
  runExperiment: "Start the experiment",
  dashboardHeading: "Students",
  // The join panel.
  showJoin: "Show join code",
  hideJoin: "Hide join code",
  joinAt: "Join at",
  qrAlt: (/** @type {string} */ link) => `QR code of the join link ${link}`,
  // The class bar.
  noTitle: "Class",
  running: "Running",
  paused: "Paused: students cannot train",
  pauseAll: "Pause all",
  resumeAll: "Resume all",
  students: (/** @type {number} */ n) => (n === 1 ? "1 student" : `${n} students`),
  activityVersion: (/** @type {number} */ v) => `activity ${v}`,
  noActivity: "no activity pushed yet",
  connectionLost: "Connection lost, retrying…",
  // Starting and resuming.
  starting: "Starting the class…",
  resumed: "Resumed your class.",
  roomGone: "That class has ended (or expired). Start a new one.",
  notYours: "This browser no longer holds the key of that class. Start a new one.",
  confirmEnd: "End the class for everyone? Students' networks are deleted and the code stops working.",
  ended: "The class has ended.",
  // The activity form.
  lockHint: "Tick a padlock to stop students changing that setting.",
  lockTitle: (/** @type {string} */ label) => `Students may not change ${label}`,
  layersHint: "e.g. 8,8,8 (empty: no hidden layer)",
  noGoal: "No goal",
  goalMetrics: /** @type {Record<string, string>} */ ({
    test_loss: "Test loss below",
    train_loss: "Training loss below",
    test_accuracy: "Test accuracy at least",
    train_accuracy: "Training accuracy at least",
  }),
  rankBy: /** @type {Record<string, string>} */ ({
    time: "fastest",
    neurons: "fewest neurons",
  }),
  pushing: "Pushing…",
  pushed: (/** @type {number} */ v) => `Pushed: everyone starts activity ${v}.`,
  layersBad: (/** @type {number} */ most, /** @type {number} */ min, /** @type {number} */ max) =>
    `Hidden layers: at most ${most} numbers from ${min} to ${max}, separated by commas.`,
  featuresNone: "Pick at least one input feature.",
  thresholdBad: "The goal needs a number (a loss such as 0.1, an accuracy such as 0.95).",
  messageLong: (/** @type {number} */ n) => `The message is ${n} characters long; at most 280.`,
  // The experiment.
  experimentHint: "Values separated by commas; for hidden layers or features separate them by ; (8,8; 4; 2,2,2).",
  experimentPushed: (/** @type {string} */ label, /** @type {number} */ n) => `Experiment on ${label}: ${n} values given out round-robin.`,
  experimentNone: "No experiment running.",
  experimentOn: (/** @type {string} */ label, /** @type {string} */ values) => `Experiment: ${label} = ${values}`,
  experimentAxis: "final test loss",
  experimentEmpty: "No student has a value and a test loss yet.",
  valuesBad: (/** @type {string} */ what) => `Cannot read the values: ${what}`,
  valuesCount: "Give 2 to 40 values.",
  // The dashboard.
  sortBy: "Sort by",
  sorts: /** @type {Record<string, string>} */ ({ join: "joining order", name: "name", loss: "test loss", progress: "progress (epoch)" }),
  hideNames: "Hide names",
  hideControls: "Hide controls",
  showControls: "Show controls",
  student: (/** @type {number} */ n) => `Student ${n}`,
  nobody: "Nobody has joined yet. Students open the join link or scan the QR code.",
  epoch: "epoch",
  testLoss: "test loss",
  accuracy: "accuracy",
  shape: "network",
  value: "value",
  status: /** @type {Record<string, string>} */ ({ ready: "", diverged: "diverged", gone: "left" }),
  reached: (/** @type {number} */ epoch, /** @type {number} */ seconds) => `goal at epoch ${epoch} · ${formatSeconds(seconds)}`,
  leaderboard: "Leaderboard",
  leaderboardEmpty: "Nobody has reached the goal yet.",
  noGoalSet: "Push an activity with a goal to get a leaderboard.",
  neurons: (/** @type {number} */ n) => (n === 1 ? "1 neuron" : `${n} neurons`),
  tileLabel: (/** @type {string} */ name) => `Show ${name} big`,
  // The spotlight.
  spotlightOf: (/** @type {string} */ name) => `Spotlight: ${name}`,
  share: "Push this network to everyone",
  shared: (/** @type {string} */ name, /** @type {number} */ v) => `${name}'s network is activity ${v} for everyone.`,
  remove: "Remove student",
  confirmRemove: (/** @type {string} */ name) => `Remove ${name} from the class? Their network is deleted.`,
  close: "Close (Esc)",
  studentGone: "This student is no longer in the class.",
  readOnly: "Read-only: what this student sees now.",
  lossLegend: "Loss: test (black) and training (grey), by epoch",
};

/**
 * Seconds as a person reads them: "38.2 s", "4 min 05 s".
 * @param {number} s
 */
export function formatSeconds(s) {
  if (!Number.isFinite(s)) return "–";
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s - 60 * m)).padStart(2, "0")} s`;
}
