// @ts-check
/**
 * The output area: the decision region (or a hovered neuron's map) as ImageData at grid
 * resolution scaled by CSS, with the data points and the first layer's decision lines on
 * a sharp overlay canvas, and its caption.
 */

import { paintClassMap, paintGrid, sharpContext } from "./canvas.js";
import { LINE_COLORS, REGION_ALPHA, classCss, colorName, cssColor } from "./colors.js";
import { firstLayerLines, gridBytes, toPixel } from "./grid.js";
import { t } from "./i18n.js";

/** @typedef {{points: number[][], labels: number[]}} Points */
/** @typedef {[[number, number], [number, number]]} Segment */
/** @typedef {Record<string, any>} Json */

/**
 * What the page gives the output area.
 * @typedef {Object} OutputView
 * @property {Json | null} frame
 * @property {[number, number] | null} hovered   the neuron asked for (layer, index); null: the output
 * @property {string[]} enabled                  the features of the drawn network, in order
 * @property {{name: string, label: string}[]} features  all features (for their labels)
 * @property {boolean} lines                     show the first layer's decision lines
 * @property {boolean} discretize
 * @property {Points | null} train
 * @property {Points | null} test
 * @property {boolean} showTest
 * @property {number[] | null} [batch]           training points of the last one-batch step
 * @property {string} [batchText]                what that batch was ("batch 3 of 25")
 * @property {number | null} [classes]           K when the data's labels are classes 0 … K−1
 */

/**
 * What is drawn.
 * @typedef {Object} HeatMapView
 * @property {import("./canvas.js").GridData | null} grid  the map shown (density² bytes, or
 *           their base64), on the −1 … 1 scale
 * @property {import("./canvas.js").ClassMap | null} classMap  a multi-class map instead: the
 *           most probable class, or one class's probability (an output neuron hovered)
 * @property {number | null} pointClasses  K when the points' labels are classes
 * @property {string} colors               what the colours mean, in words
 * @property {boolean} discretize
 * @property {Points | null} train
 * @property {Points | null} test
 * @property {boolean} showTest
 * @property {(Segment | null)[] | null} lines  first-layer decision lines, when shown
 * @property {number | null} highlight  the line drawn bold (the hovered first-layer neuron)
 * @property {number[] | null} batch    training points ringed (the last one-batch step)
 * @property {string} caption
 * @property {number} extent            the square shown is [−extent, extent]²
 */

/**
 * The map, lines and caption of what the page gives (pure).
 * @param {OutputView} view
 * @param {number} extent
 * @returns {HeatMapView}
 */
export function picture(view, extent) {
  const { frame, hovered } = view;
  const shown = frame?.neuron;
  // A multi-class network's output neurons: each is the probability of its class.
  const grids = Array.isArray(frame?.classes) && frame.classes.length > 0 ? /** @type {import("./canvas.js").GridData[]} */ (frame.classes) : null;
  const outputLayer = frame?.weights?.length;
  const classIndex = grids && hovered && hovered[0] === outputLayer && hovered[1] < grids.length ? hovered[1] : null;
  const hovering = classIndex === null && Boolean(hovered && shown && shown.layer === hovered[0] && shown.index === hovered[1]);
  let caption = t("map.output");
  if (hovering) {
    const feature = view.features.find((f) => f.name === view.enabled[shown.index]);
    caption = shown.layer === 0 ? t("map.feature", { name: feature?.label ?? "" }) : t("map.neuron", { j: shown.index + 1, l: shown.layer });
  } else if (classIndex !== null) {
    caption = t("map.classProb", { k: classIndex });
  }
  const classMap = grids && !hovering ? { grids, index: classIndex } : null;
  let lines = null;
  if (view.lines && frame) {
    lines = firstLayerLines(view.enabled, frame.weights, frame.biases, extent);
    if (!lines) caption += t("map.noLines");
  }
  const batch = view.batch && view.batch.length > 0 ? view.batch : null;
  if (batch) caption += t("map.ringed", { n: batch.length, batch: view.batchText || t("map.lastBatch") });
  return {
    grid: hovering ? shown.grid : classMap ? null : frame?.output ?? null,
    classMap,
    pointClasses: view.classes ?? null,
    colors: colorWords(classMap),
    train: view.train,
    test: view.test,
    showTest: view.showTest,
    lines,
    highlight: hovered && hovered[0] === 1 ? hovered[1] : null,
    batch,
    caption,
    extent,
    discretize: view.discretize,
  };
}

/**
 * What the colours of a map mean, in words (for its accessible name).
 * @param {import("./canvas.js").ClassMap | null} map
 */
export function colorWords(map) {
  if (!map) return t("map.binary");
  if (map.index !== null) {
    return t("map.oneClass", { color: colorName(map.index), k: map.index });
  }
  const names = map.grids.map((_, k) => t("map.classEntry", { color: colorName(k), k })).join(", ");
  return t("map.classes", { names });
}

const POINT_RADIUS = 3;

export class HeatMap {
  /**
   * @param {HTMLElement} root
   * @param {number} extent  the server's grid_extent
   */
  constructor(root, extent) {
    this.root = root;
    this.extent = extent;
    this.frameBox = document.createElement("div");
    this.frameBox.className = "heatmap-box";
    this.map = document.createElement("canvas");
    this.map.className = "heatmap-grid";
    // Lighter than the points on it, as the reference (see colors.js REGION_ALPHA).
    this.map.style.opacity = String(REGION_ALPHA);
    this.overlay = document.createElement("canvas");
    this.overlay.className = "heatmap-overlay";
    this.caption = document.createElement("p");
    this.caption.className = "heatmap-caption";
    this.frameBox.append(this.map, this.overlay);
    root.append(this.frameBox, this.caption);
    root.setAttribute("role", "img");
    /** @type {HeatMapView | null} */
    this.view = null;
    /** @type {import("./canvas.js").GridData | null} */
    this.paintedGrid = null;
    /** @type {import("./canvas.js").ClassMap | null} */
    this.paintedClasses = null;
    this.paintedDiscrete = false;
    this.overlayKey = "";
    /** @type {Points | null} */
    this.drawnTrain = null;
    this.size = 0;
    new ResizeObserver(() => this.resize()).observe(this.frameBox);
  }

  resize() {
    const size = this.frameBox.clientWidth;
    if (size === this.size) return;
    this.size = size;
    this.overlayKey = "";
    if (this.view) this.draw(this.view);
  }

  /** @param {OutputView} output */
  update(output) {
    this.draw(picture(output, this.extent));
  }

  /** @param {HeatMapView} view */
  draw(view) {
    this.view = view;
    const map = view.classMap;
    const painted = this.paintedClasses;
    if (map) {
      const same = painted && painted.grids === map.grids && painted.index === map.index;
      if (!same || view.discretize !== this.paintedDiscrete) {
        paintClassMap(this.map, map, view.discretize);
        this.paintedClasses = map;
        this.paintedGrid = null;
        this.paintedDiscrete = view.discretize;
      }
    } else if (view.grid && (view.grid !== this.paintedGrid || view.discretize !== this.paintedDiscrete)) {
      const bytes = gridBytes(view.grid);
      paintGrid(this.map, bytes, Math.round(Math.sqrt(bytes.length)), view.discretize);
      this.paintedGrid = view.grid;
      this.paintedClasses = null;
      this.paintedDiscrete = view.discretize;
    }
    this.map.classList.toggle("discrete", view.discretize);
    if (this.caption.textContent !== view.caption) this.caption.textContent = view.caption;
    this.root.setAttribute("aria-label", `${view.caption}: ${view.colors}`);
    this.root.dataset.batchPoints = String(view.batch?.length ?? 0);
    const key = JSON.stringify([this.size, view.showTest, view.lines, view.highlight, view.batch, view.pointClasses]);
    if (key !== this.overlayKey || view.train !== this.drawnTrain) {
      this.overlayKey = key;
      this.drawnTrain = view.train;
      const ctx = sharpContext(this.overlay, this.size, this.size);
      drawOverlay(ctx, this.size, view);
    }
  }

  /**
   * The picture as a PNG: the map scaled up, with the points and lines as on screen.
   * @param {number} [size]
   * @returns {Promise<Blob | null>}
   */
  toBlob(size = 600) {
    const canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    this.drawTo(/** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d")), 0, 0, size);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  /**
   * The map as on screen (regions at REGION_ALPHA over white, points and lines on top).
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} x
   * @param {number} y
   * @param {number} size
   */
  drawTo(ctx, x, y, size) {
    ctx.save();
    ctx.translate(x, y);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size, size);
    ctx.globalAlpha = REGION_ALPHA;
    ctx.imageSmoothingEnabled = !this.view?.discretize;
    ctx.drawImage(this.map, 0, 0, size, size);
    ctx.globalAlpha = 1;
    if (this.view) drawOverlay(ctx, size, this.view);
    ctx.restore();
  }
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} size
 * @param {HeatMapView} view
 */
function drawOverlay(ctx, size, view) {
  if (view.lines) drawLines(ctx, size, view);
  const color = view.pointClasses ? classCss : cssColor;
  if (view.train) drawPoints(ctx, size, view.extent, view.train, "#ffffff", color);
  if (view.test && view.showTest) drawPoints(ctx, size, view.extent, view.test, "#222222", color);
  if (view.train && view.batch) drawRings(ctx, size, view.extent, view.train, view.batch);
}

/**
 * The first layer's decision lines, each in its neuron's colour (LINE_COLORS) and labelled
 * with the neuron's number; the hovered neuron's line bold and solid, the others dashed.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} size
 * @param {HeatMapView} view
 */
function drawLines(ctx, size, view) {
  ctx.save();
  ctx.font = "bold 12px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  const dim = view.highlight !== null;
  (view.lines ?? []).forEach((line, j) => {
    if (!line) return;
    const bold = j === view.highlight;
    const color = LINE_COLORS[j % LINE_COLORS.length];
    ctx.globalAlpha = dim && !bold ? 0.45 : 1;
    ctx.lineWidth = bold ? 3.5 : 2;
    ctx.strokeStyle = color;
    ctx.setLineDash(bold ? [] : [7, 4]);
    const [a, b] = line.map(([x, y]) => toPixel(x, y, size, size, view.extent));
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
    // The label sits on the line, a little in from where it leaves the square.
    const t = 0.12 + 0.1 * (j % 4);
    const [lx, ly] = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    ctx.setLineDash([]);
    ctx.fillStyle = "#ffffff";
    ctx.beginPath();
    ctx.arc(lx, ly, 8, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = color;
    ctx.fillText(String(j + 1), lx, ly + 0.5);
  });
  ctx.restore();
}

/**
 * Rings around the training points of the last one-batch step.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} size
 * @param {number} extent
 * @param {Points} data
 * @param {number[]} indices
 */
function drawRings(ctx, size, extent, data, indices) {
  ctx.save();
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#000000";
  for (const i of indices) {
    const p = data.points[i];
    if (!p) continue;
    const [px, py] = toPixel(p[0], p[1], size, size, extent);
    ctx.beginPath();
    ctx.arc(px, py, POINT_RADIUS + 3, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} size
 * @param {number} extent
 * @param {Points} data
 * @param {string} outline
 * @param {(label: number) => string} color  a label's colour
 */
function drawPoints(ctx, size, extent, data, outline, color) {
  ctx.lineWidth = 1;
  ctx.strokeStyle = outline;
  data.points.forEach(([x, y], i) => {
    const [px, py] = toPixel(x, y, size, size, extent);
    ctx.beginPath();
    ctx.arc(px, py, POINT_RADIUS, 0, 2 * Math.PI);
    ctx.fillStyle = color(data.labels[i]);
    ctx.fill();
    ctx.stroke();
  });
}

/**
 * The colour legend: the scale from −1 to 1.
 * @param {HTMLCanvasElement} canvas
 */
export function drawLegend(canvas) {
  const width = canvas.clientWidth || 200;
  const height = canvas.clientHeight || 10;
  const ctx = sharpContext(canvas, width, height);
  for (let x = 0; x < width; x++) {
    ctx.fillStyle = cssColor((2 * x) / Math.max(1, width - 1) - 1);
    ctx.fillRect(x, 0, 1, height);
  }
}
