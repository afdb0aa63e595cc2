// @ts-check
/** Wiring only: options → settings from the URL → controller → views, redrawn per frame. */

import { Api } from "./api.js";
import { download } from "./canvas.js";
import { Controller } from "./controller.js";
import { Controls } from "./controls.js";
import { firstLayerLines } from "./grid.js";
import { HeatMap, drawLegend } from "./heatmap.js";
import { LossChart } from "./linechart.js";
import { NetworkDiagram } from "./network.js";
import { normalizeOptions } from "./options.js";
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
  let writtenHash = "";
  const writeHash = (/** @type {import("./state.js").Settings} */ s) => {
    writtenHash = `#${toHash(s)}`;
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
    exportModel: async () => {
      const model = await c.exportModel();
      if (model) download(new Blob([JSON.stringify(model)], { type: "application/json" }), `neural-playground-epoch-${c.state?.epoch ?? 0}.json`);
    },
    importModel: async (file) => {
      let model;
      try {
        model = JSON.parse(await file.text());
      } catch {
        c.fail("That file is not JSON: choose a model exported from this page.");
        return;
      }
      await c.loadModel(model);
    },
    savePicture: async () => {
      const blob = await heatmap.toBlob();
      if (blob) download(blob, "neural-playground.png");
    },
  });
  const network = new NetworkDiagram(/** @type {HTMLElement} */ (document.getElementById("network")), {
    onHoverNeuron: (neuron) => c.hoverNeuron(neuron),
    onToggleFeature: (name) => {
      const on = new Set(c.settings.features);
      if (on.has(name)) on.delete(name);
      else on.add(name);
      if (on.size > 0) c.change({ features: options.features.map((f) => f.name).filter((f) => on.has(f)) });
    },
    onNeurons: (layer, delta) => {
      const layers = [...c.settings.hiddenLayers];
      const n = layers[layer] + delta;
      if (n >= 1 && n <= Number(options.limits.max_neurons ?? 8)) {
        layers[layer] = n;
        c.change({ hiddenLayers: layers });
      }
    },
    onEditWeight: (layer, source, target, value) => c.setWeight(layer, source, target, value),
    onEditBias: (layer, neuron, value) => c.setBias(layer, neuron, value),
  });
  const chart = new LossChart(/** @type {HTMLElement} */ (document.getElementById("linechart")));
  const heatmap = new HeatMap(/** @type {HTMLElement} */ (document.getElementById("heatmap")));
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
    network.update({
      features: options.features,
      enabled: config?.features ?? s.features,
      hidden: config?.hidden_layers ?? s.hiddenLayers,
      maxNeurons: Number(options.limits.max_neurons ?? 8),
      frame,
      discretize: s.discretize,
      featureThumbs: c.previews?.features ?? null,
    });
    chart.update(c.history);

    const shown = frame?.neuron;
    const hovering = c.neuron && shown && shown.layer === c.neuron[0] && shown.index === c.neuron[1];
    let caption = "Output";
    if (hovering) {
      caption =
        shown.layer === 0
          ? `Input feature ${options.features.find((f) => f.name === config?.features[shown.index])?.label ?? ""}`
          : `Neuron ${shown.index + 1} of hidden layer ${shown.layer}`;
    }
    let lines = null;
    if (s.lines && frame && config) {
      lines = firstLayerLines(config.features, frame.weights, frame.biases);
      if (!lines) caption += " (first-layer lines need exactly the inputs X₁ and X₂)";
    }
    heatmap.update({
      grid: hovering ? shown.grid : frame?.output ?? null,
      discretize: s.discretize,
      train: c.data?.train ?? null,
      test: c.data?.test ?? null,
      showTest: s.showTestData,
      lines,
      highlight: c.neuron && c.neuron[0] === 1 ? c.neuron[1] : null,
      caption,
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
