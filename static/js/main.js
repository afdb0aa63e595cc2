// @ts-check
/** Wiring only: options → settings from the URL → controller → views, redrawn per frame. */

import { Announcer } from "./announcer.js";
import { Api } from "./api.js";
import { LINE_COLORS } from "./colors.js";
import { Controller, plainMessage } from "./controller.js";
import { ConfusionMatrix } from "./confusion.js";
import { Controls } from "./controls.js";
import { DataTools } from "./draw.js";
import { applyHelp, applyHidden, fillExplain } from "./explain.js";
import { ExplainPoint } from "./explain-point.js";
import { formatBatch, formatEpoch, formatLoss } from "./format.js";
import { HeatMap, drawLegend } from "./heatmap.js";
import { Legend } from "./legend.js";
import { applyTexts, chooseLang, currentLang, hashWithLang, htmlLang, loadCatalogs, STORAGE_KEY, t } from "./i18n.js";
import { LessonPanel } from "./lesson.js";
import { LossChart } from "./linechart.js";
import { NetworkDiagram } from "./network.js";
import { classCount, fieldWithControl, normalizeOptions } from "./options.js";
import { Projector, wholeView } from "./projector.js";
import { RoomBar, lockPlan, readEntry, removeEntry, roomOfUrl } from "./room.js";
import { hashKeysOf, readHash, toHash } from "./state.js";
import { IGNORED, ROOM, setLockOwner } from "./text.js";
import { Timeline } from "./timeline.js";

/**
 * Call `fn` at most once per animation frame, however often this is called.
 * @param {() => void} fn
 */
function perFrame(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}

/** Space toggles play, unless a control that takes keys has the focus. */
function takesKeys(/** @type {EventTarget | null} */ target) {
  return target instanceof Element && target.closest("input, select, textarea, button, a, [contenteditable], [role=button], form") !== null;
}

/**
 * The notice about the parts of the link that were ignored (dismissible).
 * @param {string[]} ignored
 */
function showLinkNotice(ignored) {
  const notice = /** @type {HTMLElement} */ (document.getElementById("link-notice"));
  if (ignored.length === 0) return;
  /** @type {HTMLElement} */ (document.getElementById("link-notice-title")).textContent = IGNORED.title;
  /** @type {HTMLElement} */ (document.getElementById("link-notice-list")).replaceChildren(
    ...ignored.map((text) => Object.assign(document.createElement("li"), { textContent: text })),
  );
  notice.hidden = false;
  document.getElementById("link-notice-close")?.addEventListener("click", () => (notice.hidden = true));
}

/** @param {string} text */
function showFatal(text) {
  const banner = document.getElementById("banner");
  const p = document.getElementById("banner-text");
  if (banner && p) {
    p.textContent = text;
    banner.hidden = false;
  }
}

/**
 * The diagram's parts of locked fields: the input features (still hoverable, so not
 * disabled: aria-disabled, and a click is refused by the controller) and the neuron
 * buttons. Runs after each rebuild of the diagram; a changed lock set rebuilds it.
 * @param {HTMLElement} root  #network
 * @param {Set<string>} kinds  the control kinds of the locked fields
 */
function lockDiagram(root, kinds) {
  root.classList.toggle("locked-features", kinds.has("features"));
  root.classList.toggle("locked-layers", kinds.has("layers"));
  if (kinds.has("features")) {
    for (const button of root.querySelectorAll(".node.feature")) {
      button.setAttribute("aria-disabled", "true");
      /** @type {HTMLElement} */ (button).title = ROOM.locked;
    }
  }
  if (kinds.has("layers")) {
    for (const button of root.querySelectorAll(".layer-head button")) {
      /** @type {HTMLButtonElement} */ (button).disabled = true;
      /** @type {HTMLElement} */ (button).title = ROOM.locked;
    }
  }
}

/**
 * The class of the address (`?room=CODE`) and the student's entry for it; null outside a
 * class. Without an entry this browser has not joined: off to the join page.
 * @returns {{code: string, entry: import("./room.js").Entry} | null | "left"}
 */
function roomOfPage() {
  const code = roomOfUrl(location.search);
  if (code === undefined) return null;
  const entry = code ? readEntry(localStorage, code) : null;
  if (!code || !entry) {
    location.replace(code ? `/r/${code}` : "/join");
    return "left";
  }
  return { code, entry };
}

/**
 * What the page keeps across the reload a language switch makes (set once the page's
 * controller exists): the trained network and its data, as an exported model.
 * @type {() => Promise<void>}
 */
let beforeLanguageSwitch = async () => {};
const CARRY_KEY = "np-language-switch-model";

/**
 * The page's language (i18n.js, chooseLang): its catalog loaded, `<html lang>` set, the
 * template's texts replaced, and the switch in the header. Switching saves the choice,
 * writes `lang` into the hash (outside a class) and reloads the page in the new language;
 * outside a class the trained network and its data come back after the reload (an exported
 * model kept in sessionStorage, loaded as "Load model…" loads one).
 * @param {boolean} inRoom
 */
async function startLanguage(inRoom) {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage switched off: the hash and the browser decide.
  }
  const lang = chooseLang({ hash: location.hash, saved, browser: navigator.languages ?? [navigator.language] });
  await loadCatalogs(lang, ["page"]);
  const shown = currentLang(); // English when the chosen language's catalog could not be read
  document.documentElement.lang = htmlLang(shown);
  applyTexts(document);
  document.title = t("page.title");
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById("lang-select"));
  if (!select) return;
  select.value = shown === "zh" ? "zh" : "en"; // the pseudo-language qps is not offered
  select.addEventListener("change", async () => {
    try {
      localStorage.setItem(STORAGE_KEY, select.value);
    } catch {
      // Not kept: the hash still says it.
    }
    await beforeLanguageSwitch();
    if (!inRoom) history.replaceState(null, "", `${location.pathname}${location.search}${hashWithLang(location.hash, select.value)}`);
    location.reload();
  });
}

async function main() {
  const room = roomOfPage();
  if (room === "left") return;
  await startLanguage(room !== null);
  const columns = /** @type {HTMLElement} */ (document.querySelector("main"));
  // aria-busy while a request is queued or in flight; the session id for scripts and tests.
  const api = new Api({ onBusy: (busy) => columns.setAttribute("aria-busy", String(busy)) });
  const options = normalizeOptions(await api.options());
  const features = fieldWithControl(options, "features");
  const layers = fieldWithControl(options, "layers");
  // In a class the teacher's setup counts, not a link's: the hash is neither read nor
  // written (a link copied from here leads to the class, not out of it).
  if (room && location.hash) history.replaceState(null, "", `${location.pathname}${location.search}`);
  const link = readHash(room ? "" : location.hash, options);
  showLinkNotice(link.ignored);
  // `<control>_hide=true`: hidden controls; a hidden input feature is not used at all
  // (as the reference), and the flags stay in the hash the page writes.
  const hide = new Set(link.hide);
  const shownFeatures = features.choices.filter((c) => !hide.has(c.url_key ?? c.name));
  const usable = link.settings.features.filter((name) => shownFeatures.some((c) => c.name === name));
  if (usable.length > 0) link.settings.features = usable;
  let writtenHash = "";
  // The lesson open (and the language), at the end of the hash: lesson.js says which.
  /** @type {[string, string][]} */
  let lessonLink = link.extra.lang ? [["lang", currentLang()]] : [];
  const writeHash = (/** @type {import("./state.js").Settings} */ s) => {
    if (room) return;
    writtenHash = `#${toHash(s, options, link.hide, lessonLink)}`;
    if (location.hash !== writtenHash) history.replaceState(null, "", writtenHash);
  };
  const render = perFrame(() => draw());
  const controller = new Controller({
    api,
    options,
    settings: link.settings,
    onChange: render,
    onSettings: writeHash,
    room: room ? { session: room.entry.session } : null,
    onEnded: () => {
      if (room) removeEntry(localStorage, room.code);
    },
  });
  const roomBar = room
    ? new RoomBar(
        /** @type {HTMLElement} */ (document.getElementById("room-bar")),
        (id) => api.enqueue(() => api.send("GET", `/api/lessons/${encodeURIComponent(id)}?lang=${currentLang() === "zh" ? "zh" : "en"}`)),
        () => render(),
      )
    : null;
  document.body.classList.toggle("in-room", room !== null);
  const c = controller;

  const controls = new Controls(options, {
    change: (change) => c.change(change),
    current: () => c.settings,
    togglePlay: () => c.toggle(),
    step: () => c.step(),
    stepBatch: () => c.stepBatch(),
    reset: () => c.reset(),
    regenerate: () => c.regenerate(),
    dismiss: () => c.dismissError(),
    exportModel: () => c.exportModel(),
    exportScript: () => c.exportScript(),
    importModel: (file) => c.loadModelFile(file),
    savePicture: () => heatmap.toBlob(),
    saveView: () => wholeView({ network, map: heatmap, chart: chart.canvas, caption: summary(false) }),
  });
  const network = new NetworkDiagram(
    /** @type {HTMLElement} */ (document.getElementById("network")),
    {
      onHoverNeuron: (neuron) => c.hoverNeuron(neuron),
      chosen: () => ({ features: c.settings[features.name], hidden: c.settings[layers.name] }),
      onFeatures: (enabled) => c.change({ [features.name]: enabled }),
      onHidden: (hidden) => c.change({ [layers.name]: hidden }),
      onEditWeight: (layer, source, target, value) => {
        timeline.goLive();
        c.setWeight(layer, source, target, value);
      },
      onEditBias: (layer, neuron, value) => {
        timeline.goLive();
        c.setBias(layer, neuron, value);
      },
    },
    { minNeurons: Number(layers.min), maxNeurons: Number(layers.max), maxWeight: options.limits.max_weight },
    {
      shapeKey: hashKeysOf(layers).join(" "),
      onBuilt: () => {
        applyHidden(document, hide);
        lockDiagram(network.root, lockPlan(c.locked, options).kinds);
      },
    },
  );
  const chart = new LossChart(/** @type {HTMLElement} */ (document.getElementById("linechart")));
  const heatmap = new HeatMap(/** @type {HTMLElement} */ (document.getElementById("heatmap")), options.limits.grid_extent);
  const dataTools = new DataTools(/** @type {HTMLElement} */ (document.getElementById("data-tools")), heatmap.frameBox, options.limits.grid_extent, {
    add: (points, labels) => c.addPoints(points, labels),
    remove: (indices) => c.removePoints(indices),
    clear: () => c.replaceData({ points: [], labels: [] }),
    uploadCsv: (text) => c.uploadCsv(text),
    downloadCsv: () => c.downloadCsv(),
    dismiss: () => c.dismissDataMessages(),
    changed: render,
  });
  drawLegend(/** @type {HTMLCanvasElement} */ (document.getElementById("legend-canvas")));
  const legend = new Legend(
    /** @type {HTMLElement} */ (document.querySelector(".legend")),
    /** @type {HTMLElement} */ (document.getElementById("class-legend")),
  );
  const confusion = new ConfusionMatrix(/** @type {HTMLElement} */ (document.getElementById("confusion")));
  // Explain a point (its button pauses; a point of the map is explained on the diagram)
  // and the replay slider under the chart; each ends the other.
  const explainPoint = new ExplainPoint(
    {
      button: /** @type {HTMLButtonElement} */ (document.getElementById("explain-point-button")),
      panel: /** @type {HTMLElement} */ (document.getElementById("explain-point")),
      mapBox: heatmap.frameBox,
    },
    {
      pause: () => c.pause(),
      explain: (index) => c.explainPoint(index),
      apply: (index) => c.applyExplained(index),
      changed: render,
      entered: () => timeline.goLive(),
    },
  );
  const timeline = new Timeline(/** @type {HTMLElement} */ (document.getElementById("timeline")), {
    checkpoints: () => c.checkpoints(),
    frameAt: (epoch) => c.replayFrame(epoch),
    restore: (epoch) => c.restore(epoch),
    pause: () => c.pause(),
    changed: render,
    now: () => performance.now(),
    scrubbed: () => explainPoint.leave(),
  });
  applyHelp(document);
  applyHidden(document, hide);
  fillExplain(/** @type {HTMLDetailsElement} */ (document.getElementById("explain")));
  const projector = new Projector(/** @type {HTMLButtonElement} */ (document.getElementById("projector-button")), render);
  // Lessons (static/js/lesson.js): a panel above the columns, opened by its button or by
  // `#lesson=<id>&step=<n>` (`lang=en|zh`); not in a class.
  const lessonButton = /** @type {HTMLButtonElement} */ (document.getElementById("lessons-button"));
  lessonButton.hidden = room !== null;
  const lang = currentLang() === "zh" ? "zh" : "en";
  if (!room) setLockOwner("lesson");
  const lessons = room
    ? null
    : new LessonPanel({ root: /** @type {HTMLElement} */ (document.getElementById("lesson")), button: lessonButton }, lang, {
        get: (path) => api.enqueue(() => api.send("GET", path)),
        check: (id, n, l) => api.session("GET", `/lessons/${encodeURIComponent(id)}/steps/${n}/check?lang=${l}`),
        apply: (config, view) => c.applySetup(config, view),
        lock: (fields) => {
          c.lessonLocks = new Set(fields);
          render();
        },
        linked: (open) => {
          const keep = link.extra.lang || open ? [/** @type {[string, string]} */ (["lang", currentLang()])] : [];
          lessonLink = open ? [["lesson", open.lesson], ["step", String(open.step)], ...keep] : keep;
          writeHash(c.settings);
        },
        changed: render,
        now: () => performance.now(),
        later: (fn, ms) => void setTimeout(fn, ms),
      });
  const announcer = new Announcer(
    (text) => (/** @type {HTMLElement} */ (document.getElementById("announcer")).textContent = text),
    () => performance.now(),
  );

  /**
   * The epoch and losses in words (for the announcer and the whole-view picture).
   * @param {boolean} spoken  numbers without padding
   */
  function summary(spoken) {
    const st = c.state;
    if (!st) return "";
    const batch = formatBatch(st.batch, st.batches_per_epoch);
    const epochText = spoken ? String(st.epoch) : formatEpoch(st.epoch);
    return t(batch ? "page.summaryBatch" : "page.summary", { epoch: epochText, batch, train: formatLoss(st.train_loss), test: formatLoss(st.test_loss) });
  }

  let lastFrame = /** @type {unknown} */ (null);
  let framesDrawn = 0;
  let lockKey = "[]";
  function draw() {
    const s = c.settings;
    timeline.update({ state: c.state, playing: c.playing });
    // While replaying, the network as it was at the checkpoint shown.
    const frame = timeline.frame ?? c.frame;
    const config = c.state?.config;
    if (c.state) columns.dataset.session = c.state.id;
    const locked = c.locked;
    const key = JSON.stringify([...locked].sort());
    if (key !== lockKey) {
      lockKey = key;
      network.structureKey = ""; // rebuilt below, with its locks
    }
    if (roomBar && c.tracker) {
      roomBar.update({ tracker: c.tracker, state: c.state, options });
      columns.dataset.roomVersion = String(c.tracker.version ?? "");
    }
    if (frame !== lastFrame) {
      // How many server frames have been drawn: for benchmarks and tests.
      lastFrame = frame;
      columns.dataset.framesDrawn = String(++framesDrawn);
    }
    controls.update({
      settings: s,
      state: c.state,
      playing: c.playing,
      error: c.error,
      datasetPreviews: c.previews?.datasets ?? null,
      data: c.data,
      locked,
      inRoom: room !== null,
      ended: c.ended,
    });
    const enabled = config?.features ?? s.features;
    // K for a multi-class problem (the server's config), else null.
    const classes = classCount(config);
    explainPoint.update({
      state: c.state,
      frame: c.frame,
      data: c.data,
      playing: c.playing,
      inputs: enabled.map((/** @type {string} */ name) => features.choices.find((f) => f.name === name)?.label ?? name),
      extent: options.limits.grid_extent,
    });
    network.update({
      features: shownFeatures,
      enabled,
      hidden: config?.hidden_layers ?? s.hidden_layers,
      chosen: { features: s.features, hidden: s.hidden_layers },
      frame,
      discretize: s.discretize,
      featureThumbs: c.previews?.features ?? null,
      lineColors: s.lines ? LINE_COLORS : null,
      outputs: classes ?? 1,
      overlay: timeline.replaying ? null : explainPoint.overlay(),
    });
    chart.update(c.history);
    heatmap.update({
      frame,
      hovered: c.neuron,
      enabled,
      features: features.choices,
      lines: s.lines,
      discretize: s.discretize,
      train: c.data?.train ?? null,
      test: c.data?.test ?? null,
      showTest: s.show_test_data || dataTools.drawing, // while drawing, every point drawn is shown
      batch: timeline.replaying ? null : c.batchPoints,
      batchText: formatBatch(c.state?.batch, c.state?.batches_per_epoch) || t("page.endBatch"),
      classes,
    });
    legend.update({ classes });
    confusion.update({ confusion: c.state?.confusion });
    dataTools.update({
      problem: config?.problem ?? s.problem,
      classes: Number(config?.classes ?? s.classes ?? 0),
      data: c.data,
      error: c.dataError,
      sharedGone: c.sharedGone,
      disabled: c.ended || locked.has("dataset"),
    });
    announcer.update(summary(true), c.playing);
    lessons?.update({ state: c.state });
    c.drawn();
  }

  // Space plays or pauses; P switches projector mode.
  document.addEventListener("keydown", (e) => {
    if (e.repeat || takesKeys(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === " ") c.toggle();
    else if (e.key === "p" || e.key === "P") projector.toggle();
    else return;
    e.preventDefault();
  });
  document.addEventListener("visibilitychange", () => c.visibilityChanged());
  window.addEventListener("pagehide", () => api.closeSession());
  // Back from the back/forward cache: the session was closed on pagehide, start afresh.
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });
  window.addEventListener("hashchange", () => {
    if (!room && location.hash !== writtenHash) location.reload();
  });

  render();
  await c.start();
  if (!room) {
    beforeLanguageSwitch = async () => {
      if (!c.state?.epoch && c.state?.config?.dataset !== "custom") return; // nothing trained or drawn
      const model = await c.exportModel();
      try {
        if (model) sessionStorage.setItem(CARRY_KEY, JSON.stringify(model));
      } catch {
        // Storage full or off: the settings still come back from the hash.
      }
    };
    let carried = null;
    try {
      carried = sessionStorage.getItem(CARRY_KEY);
      sessionStorage.removeItem(CARRY_KEY);
    } catch {
      carried = null;
    }
    if (carried) await c.loadModel(JSON.parse(carried));
  }
  writeHash(c.settings);
  if (lessons && link.extra.lesson) await lessons.open(link.extra.lesson, Number(link.extra.step ?? 1));
  if (!c.ended) await c.loadPreviews();
}

main().catch((error) => {
  console.warn(error);
  showFatal(plainMessage(error));
});
