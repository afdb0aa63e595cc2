// @ts-check
/**
 * The CSV tools of the data column: "Upload CSV…" (a file), "Paste data" (a box for rows
 * copied from a spreadsheet) and "Download CSV". The table goes to the server as text;
 * the server reads it and names the row and column of anything wrong (draw.js shows its
 * sentence). The page never parses the table itself.
 */

import { download } from "./canvas.js";

/** Every word these tools show (issue 15 moves them into catalogs). */
export const FILE_TEXT = {
  upload: "Upload CSV…",
  uploadTitle: "Replace the data with a CSV file: x,y,label (regression: x,y,value)",
  file: "CSV file",
  download: "Download CSV",
  downloadTitle: "Save the current points as a CSV file",
  paste: "Paste data",
  pasteLabel: "Rows of x, y and label (regression: value), separated by commas, tabs or semicolons; a header row is optional.",
  pasteUse: "Use pasted data",
  fileName: "neural-playground-data.csv",
};

/**
 * A new element: `aria-*`, `data-*`, `role` and `for` as attributes, the rest as
 * properties; children as nodes or text (never HTML).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith("aria-") || k.startsWith("data-") || k === "role" || k === "for") node.setAttribute(k, String(v));
    else /** @type {any} */ (node)[k] = v;
  }
  node.append(...children);
  return node;
}

export class DataFileTools {
  /**
   * @param {{upload: (text: string) => Promise<unknown>, download: () => Promise<string | null>}} hooks
   *        upload: replace the data with a table; download: the data as CSV (null: failed)
   */
  constructor(hooks) {
    const T = FILE_TEXT;
    this.hooks = hooks;
    this.file = el("input", { type: "file", accept: ".csv,.tsv,.txt,text/csv,text/plain", className: "visually-hidden", tabIndex: -1, "aria-label": T.file });
    this.uploadButton = el("button", { type: "button", className: "text-button", title: T.uploadTitle }, [T.upload]);
    this.downloadButton = el("button", { type: "button", className: "text-button", title: T.downloadTitle }, [T.download]);
    this.pasteBox = el("textarea", { id: "paste-data", rows: 5, spellcheck: false, className: "paste-text", placeholder: "x,y,label\n1.5,-2,1" });
    this.pasteButton = el("button", { type: "button", className: "text-button" }, [T.pasteUse]);
    this.paste = el("details", { className: "paste-data" }, [
      el("summary", {}, [T.paste]),
      el("label", { className: "paste-label", "for": "paste-data" }, [T.pasteLabel]),
      this.pasteBox,
      this.pasteButton,
    ]);
    this.root = el("div", { className: "data-files" }, [
      el("div", { className: "file-row" }, [this.uploadButton, this.file, this.downloadButton]),
      this.paste,
    ]);

    this.uploadButton.addEventListener("click", () => this.file.click());
    this.file.addEventListener("change", async () => {
      const chosen = this.file.files?.[0];
      this.file.value = ""; // the same file chosen again is read again
      if (chosen) await this.hooks.upload(await chosen.text());
    });
    this.pasteButton.addEventListener("click", () => this.hooks.upload(this.pasteBox.value));
    this.downloadButton.addEventListener("click", async () => {
      const text = await this.hooks.download();
      if (text !== null) download(new Blob([text], { type: "text/csv" }), T.fileName);
    });
  }

  /** The controls a class's lock disables. */
  get controls() {
    return [this.uploadButton, this.downloadButton, this.pasteButton, this.pasteBox];
  }
}
