// @ts-check
/**
 * The output area: the decision region (or a hovered neuron's map) as ImageData at grid
 * resolution scaled by CSS, with the data points and the first layer's decision lines on
 * a sharp overlay canvas, and its caption.
 */

import { paintGrid, sharpContext } from "./canvas.js";
import { cssColor } from "./colors.js";
import { decodeBytes, firstLayerLines, toPixel } from "./grid.js";

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
 */

/**
 * What is drawn.
 * @typedef {Object} HeatMapView
 * @property {string | null} grid          base64 bytes of the map shown (density²)
 * @property {boolean} discretize
 * @property {Points | null} train
 * @property {Points | null} test
 * @property {boolean} showTest
 * @property {(Segment | null)[] | null} lines  first-layer decision lines, when shown
 * @property {number | null} highlight  the line drawn bold (the hovered first-layer neuron)
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
  const hovering = Boolean(hovered && shown && shown.layer === hovered[0] && shown.index === hovered[1]);
  let caption = "Output";
  if (hovering) {
    const feature = view.features.find((f) => f.name === view.enabled[shown.index]);
    caption = shown.layer === 0 ? `Input feature ${feature?.label ?? ""}` : `Neuron ${shown.index + 1} of hidden layer ${shown.layer}`;
  }
  let lines = null;
  if (view.lines && frame) {
    lines = firstLayerLines(view.enabled, frame.weights, frame.biases, extent);
    if (!lines) caption += " (first-layer lines need exactly the inputs X₁ and X₂)";
  }
  return {
    grid: hovering ? shown.grid : frame?.output ?? null,
    discretize: view.discretize,
    train: view.train,
    test: view.test,
    showTest: view.showTest,
    lines,
    highlight: hovered && hovered[0] === 1 ? hovered[1] : null,
    caption,
    extent,
  };
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
    this.overlay = document.createElement("canvas");
    this.overlay.className = "heatmap-overlay";
    this.caption = document.createElement("p");
    this.caption.className = "heatmap-caption";
    this.frameBox.append(this.map, this.overlay);
    root.append(this.frameBox, this.caption);
    root.setAttribute("role", "img");
    /** @type {HeatMapView | null} */
    this.view = null;
    /** @type {string | null} */
    this.paintedGrid = null;
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
    if (view.grid && (view.grid !== this.paintedGrid || view.discretize !== this.paintedDiscrete)) {
      const bytes = decodeBytes(view.grid);
      paintGrid(this.map, bytes, Math.round(Math.sqrt(bytes.length)), view.discretize);
      this.paintedGrid = view.grid;
      this.paintedDiscrete = view.discretize;
    }
    this.map.classList.toggle("discrete", view.discretize);
    if (this.caption.textContent !== view.caption) this.caption.textContent = view.caption;
    this.root.setAttribute("aria-label", `${view.caption}: orange is −1, blue is +1`);
    const key = JSON.stringify([this.size, view.showTest, view.lines, view.highlight]);
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
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    ctx.imageSmoothingEnabled = !this.view?.discretize;
    ctx.drawImage(this.map, 0, 0, size, size);
    if (this.view) drawOverlay(ctx, size, this.view);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} size
 * @param {HeatMapView} view
 */
function drawOverlay(ctx, size, view) {
  if (view.lines) {
    ctx.save();
    view.lines.forEach((line, j) => {
      if (!line) return;
      const bold = j === view.highlight;
      ctx.lineWidth = bold ? 3 : 1.5;
      ctx.strokeStyle = bold ? "rgba(0, 0, 0, 0.9)" : "rgba(20, 20, 20, 0.7)";
      ctx.setLineDash(bold ? [] : [6, 4]);
      const [a, b] = line.map(([x, y]) => toPixel(x, y, size, size, view.extent));
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.stroke();
    });
    ctx.restore();
  }
  if (view.train) drawPoints(ctx, size, view.extent, view.train, "#ffffff");
  if (view.test && view.showTest) drawPoints(ctx, size, view.extent, view.test, "#222222");
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} size
 * @param {number} extent
 * @param {Points} data
 * @param {string} outline
 */
function drawPoints(ctx, size, extent, data, outline) {
  ctx.lineWidth = 1;
  ctx.strokeStyle = outline;
  data.points.forEach(([x, y], i) => {
    const [px, py] = toPixel(x, y, size, size, extent);
    ctx.beginPath();
    ctx.arc(px, py, POINT_RADIUS, 0, 2 * Math.PI);
    ctx.fillStyle = cssColor(data.labels[i]);
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
