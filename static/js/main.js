// @ts-check
/** Wiring only: options → settings from the URL → controller → views, redrawn per frame. */

import { Api } from "./api.js";
import { Controller } from "./controller.js";
import { Controls } from "./controls.js";
import { HeatMap, drawLegend } from "./heatmap.js";
import { LossChart } from "./linechart.js";
import { NetworkDiagram } from "./network.js";
import { fieldWithControl, normalizeOptions } from "./options.js";
import { parseHash, toHash } from "./state.js";

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

/** @param {string} text */
function showFatal(text) {
  const banner = document.getElementById("banner");
  const p = document.getElementById("banner-text");
  if (banner && p) {
    p.textContent = text;
    banner.hidden = false;
  }
}

async function main() {
  const columns = /** @type {HTMLElement} */ (document.querySelector("main"));
  // aria-busy while a request is queued or in flight; the session id for scripts and tests.
  const api = new Api({ onBusy: (busy) => columns.setAttribute("aria-busy", String(busy)) });
  const options = normalizeOptions(await api.options());
  const features = fieldWithControl(options, "features");
  const layers = fieldWithControl(options, "layers");
  let writtenHash = "";
  const writeHash = (/** @type {import("./state.js").Settings} */ s) => {
    writtenHash = `#${toHash(s, options)}`;
    if (location.hash !== writtenHash) history.replaceState(null, "", writtenHash);
  };
  const render = perFrame(() => draw());
  const controller = new Controller({
    api,
    options,
    settings: parseHash(location.hash, options),
    onChange: render,
    onSettings: writeHash,
  });
  const c = controller;

  const controls = new Controls(options, {
    change: (change) => c.change(change),
    togglePlay: () => c.toggle(),
    step: () => c.step(),
    reset: () => c.reset(),
    regenerate: () => c.regenerate(),
    dismiss: () => c.dismissError(),
    exportModel: () => c.exportModel(),
    importModel: (file) => c.loadModelFile(file),
    savePicture: () => heatmap.toBlob(),
  });
  const network = new NetworkDiagram(
    /** @type {HTMLElement} */ (document.getElementById("network")),
    {
      onHoverNeuron: (neuron) => c.hoverNeuron(neuron),
      onFeatures: (enabled) => c.change({ [features.name]: enabled }),
      onHidden: (hidden) => c.change({ [layers.name]: hidden }),
      onEditWeight: (layer, source, target, value) => c.setWeight(layer, source, target, value),
      onEditBias: (layer, neuron, value) => c.setBias(layer, neuron, value),
    },
    { minNeurons: Number(layers.min), maxNeurons: Number(layers.max), maxWeight: options.limits.max_weight },
  );
  const chart = new LossChart(/** @type {HTMLElement} */ (document.getElementById("linechart")));
  const heatmap = new HeatMap(/** @type {HTMLElement} */ (document.getElementById("heatmap")), options.limits.grid_extent);
  drawLegend(/** @type {HTMLCanvasElement} */ (document.getElementById("legend-canvas")));

  let lastFrame = /** @type {unknown} */ (null);
  let framesDrawn = 0;
  function draw() {
    const s = c.settings;
    const frame = c.frame;
    const config = c.state?.config;
    if (c.state) columns.dataset.session = c.state.id;
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
    });
    const enabled = config?.features ?? s.features;
    network.update({
      features: features.choices,
      enabled,
      hidden: config?.hidden_layers ?? s.hidden_layers,
      chosen: { features: s.features, hidden: s.hidden_layers },
      frame,
      discretize: s.discretize,
      featureThumbs: c.previews?.features ?? null,
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
      showTest: s.show_test_data,
    });
    c.drawn();
  }

  document.addEventListener("keydown", (e) => {
    if (e.key !== " " || e.repeat || takesKeys(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    c.toggle();
  });
  document.addEventListener("visibilitychange", () => c.visibilityChanged());
  window.addEventListener("pagehide", () => api.closeSession());
  // Back from the back/forward cache: the session was closed on pagehide, start afresh.
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });
  window.addEventListener("hashchange", () => {
    if (location.hash !== writtenHash) location.reload();
  });

  render();
  await c.start();
  writeHash(c.settings);
  await c.loadPreviews();
}

main().catch((error) => {
  console.warn(error);
  showFatal(error instanceof Error ? error.message : String(error));
});
