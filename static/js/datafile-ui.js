// @ts-check
/**
 * The CSV tools of the data column: "Upload CSV…" (a file), "Paste data" (a box for rows
 * copied from a spreadsheet) and "Download CSV". The table goes to the server as text;
 * the server reads it and names the row and column of anything wrong (draw.js shows its
 * sentence). The page never parses the table itself; it only refuses, without sending or
 * even reading it, a file far larger than the server would take.
 */

import { download } from "./canvas.js";
import { t } from "./i18n.js";

/** Every word these tools show (issue 15 moves them into catalogs). */
export const FILE_TEXT = {
  get upload() {
    return t("file.upload");
  },
  get uploadTitle() {
    return t("file.uploadTitle");
  },
  get file() {
    return t("file.file");
  },
  get download() {
    return t("file.download");
  },
  get downloadTitle() {
    return t("file.downloadTitle");
  },
  get paste() {
    return t("file.paste");
  },
  get pasteLabel() {
    return t("file.pasteLabel");
  },
  get pasteUse() {
    return t("file.pasteUse");
  },
  fileName: "neural-playground-data.csv",
  tooLarge: (/** @type {string} */ what) => t("file.tooLarge", { what, most: MAX_TABLE_CHARS.toLocaleString("en") }),
  fileSize: (/** @type {number} */ bytes) => t("file.fileSize", { bytes: bytes.toLocaleString("en") }),
  chars: (/** @type {number} */ n) => t("file.chars", { n: n.toLocaleString("en") }),
};

/** The most characters of CSV text the server reads (app/engine/datafile.py MAX_CHARS). */
export const MAX_TABLE_CHARS = 200_000;
/**
 * A file larger than this (bytes) is refused without being read: even at four bytes per
 * character it would hold more than MAX_TABLE_CHARS (and the server's body limit is 1 MB).
 */
export const MAX_FILE_BYTES = 4 * MAX_TABLE_CHARS;

/**
 * Why the page refuses a table without sending it (null: send it).
 * @param {{size?: number, text?: string}} table  a file's size in bytes, or the text
 * @returns {string | null}
 */
export function tooLarge({ size, text }) {
  if (size !== undefined && size > MAX_FILE_BYTES) return FILE_TEXT.tooLarge(FILE_TEXT.fileSize(size));
  if (text !== undefined && text.length > MAX_TABLE_CHARS) return FILE_TEXT.tooLarge(FILE_TEXT.chars(text.length));
  return null;
}

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
   * @param {{upload: (text: string) => Promise<unknown>, download: () => Promise<string | null>,
   *          refuse: (sentence: string) => void}} hooks
   *        upload: replace the data with a table; download: the data as CSV (null: failed);
   *        refuse: show why a table was not sent (too large)
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
      if (chosen) await this.send({ size: chosen.size }, () => chosen.text());
    });
    this.pasteButton.addEventListener("click", () => this.send({}, async () => this.pasteBox.value));
    this.downloadButton.addEventListener("click", async () => {
      const text = await this.hooks.download();
      if (text !== null) download(new Blob([text], { type: "text/csv" }), T.fileName);
    });
  }

  /**
   * Send a table unless it is too large (then say why): its size first, then its text.
   * @param {{size?: number}} known
   * @param {() => Promise<string>} read
   */
  async send(known, read) {
    let why = tooLarge(known);
    if (why === null) {
      const text = await read();
      why = tooLarge({ text });
      if (why === null) {
        await this.hooks.upload(text);
        return;
      }
    }
    this.hooks.refuse(why);
  }

  /** The controls a class's lock disables. */
  get controls() {
    return [this.uploadButton, this.downloadButton, this.pasteButton, this.pasteBox];
  }
}
