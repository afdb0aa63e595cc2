// @ts-check
/**
 * The page's words in the reader's language: message catalogs (JSON, one file per language
 * and namespace: static/i18n/<lang>/<namespace>.json), the choice of language, and `t()`.
 *
 * A catalog is flat or shallow-nested JSON ({"help": {"noise": "…"}} is the key
 * "help.noise"); a text may hold `{name}` placeholders, filled by `t(key, {name: …})`.
 * English is the base: its "page" namespace is loaded when this module loads (so every
 * module may call `t()`, on every page), and a key missing in the chosen language falls
 * back to English with a console warning. Another page loads its own namespace with
 * `await loadCatalogs(lang, ["teach"])`.
 *
 * The pseudo-language `qps` (tests only) shows "⟦" + the English text + "⟧", so that a
 * browser test can find text on the page that did not come from a catalog.
 */

/** @typedef {"en" | "zh" | "qps"} Lang */
/** @typedef {Record<string, string | number>} Params */

/** The languages offered in the switch, with their names in their own language. */
export const LANGS = /** @type {const} */ (["en", "zh"]);
export const LANG_NAMES = /** @type {Record<string, string>} */ ({ en: "English", zh: "中文" });
/** Test-only: every text wrapped in ⟦…⟧. */
export const PSEUDO = "qps";
/** Where a choice made with the switch is kept. */
export const STORAGE_KEY = "np-lang";

const ROOT = new URL("../i18n/", import.meta.url);

/**
 * A catalog as flat keys: {"a": {"b": "x"}} → {"a.b": "x"} (pure).
 * @param {Record<string, any>} tree
 * @param {string} [prefix]
 * @returns {Record<string, string>}
 */
export function flatten(tree, prefix = "") {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object") Object.assign(out, flatten(v, key));
    else out[key] = String(v);
  }
  return out;
}

/**
 * `{name}` placeholders filled from `params`; an unknown one stays as written (pure).
 * @param {string} text
 * @param {Params} [params]
 */
export function fill(text, params) {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/**
 * The language to show: `lang` of the URL hash, else the choice saved with the switch,
 * else the browser's languages (zh, zh-CN, zh-Hans, zh-SG, and for now zh-TW and zh-HK
 * too → zh; en… → en; the first one we have wins), else English. `qps` only from the hash.
 * @param {{hash?: string | null, saved?: string | null, browser?: readonly string[]}} from
 * @returns {Lang}
 */
export function chooseLang({ hash, saved, browser = [] }) {
  const fromHash = new URLSearchParams((hash ?? "").replace(/^#/, "")).get("lang");
  if (fromHash === PSEUDO) return PSEUDO;
  for (const wanted of [fromHash, saved]) {
    if (wanted === "en" || wanted === "zh") return wanted;
  }
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "zh" || base === "en") return base;
  }
  return "en";
}

/**
 * The value of `<html lang>` for a language.
 * @param {string} lang
 */
export function htmlLang(lang) {
  return lang === "zh" ? "zh-Hans" : "en";
}

/**
 * The hash with `lang` set to `lang` (kept in place when there, else added at the end).
 * @param {string} hash
 * @param {string} lang
 */
export function hashWithLang(hash, lang) {
  const parts = hash.replace(/^#/, "").split("&").filter(Boolean);
  const i = parts.findIndex((p) => p.split("=")[0] === "lang");
  if (i >= 0) parts[i] = `lang=${lang}`;
  else parts.push(`lang=${lang}`);
  return `#${parts.join("&")}`;
}

/**
 * A JSON file by URL: fetched in a browser, read from disk under Node (unit tests).
 * @param {URL} url
 * @returns {Promise<Record<string, any>>}
 */
async function readJson(url) {
  if (url.protocol === "file:") {
    const fs = /** @type {any} */ (globalThis).process.getBuiltinModule("node:fs");
    return JSON.parse(fs.readFileSync(url, "utf8"));
  }
  // A catalog that does not come within 5 s is given up on: the page goes on in English.
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url.pathname}: ${response.status}`);
  return response.json();
}

/** @type {Record<string, string>} English, every namespace loaded so far */
const english = {};
/** @type {Record<string, string>} the chosen language, every namespace loaded so far */
let chosen = english;
/** @type {Lang} */
let current = "en";
/** Namespaces loaded, per language ("en/page"). */
const loaded = new Set();
/** Keys already reported missing (one warning each). */
const warned = new Set();

/**
 * @param {string} lang
 * @param {string} namespace
 * @param {Record<string, string>} into
 */
async function loadOne(lang, namespace, into) {
  const id = `${lang}/${namespace}`;
  if (loaded.has(id)) return;
  Object.assign(into, flatten(await readJson(new URL(`${id}.json`, ROOT))));
  loaded.add(id);
}

// The English page catalog is always there: a page that loads no catalog reads English.
await loadOne("en", "page", english).catch((error) => console.warn("English catalog not loaded", error));

/** @type {Record<string, Record<string, string>>} */
const catalogs = { en: english };

/**
 * Load the catalogs of `namespaces` in `lang` (and in English, the fallback) and make
 * `lang` the language of `t()`. An unknown language loads English.
 * @param {string} lang
 * @param {string[]} [namespaces]
 */
export async function loadCatalogs(lang, namespaces = ["page"]) {
  let shown = /** @type {Lang} */ (lang === "zh" || lang === PSEUDO ? lang : "en");
  // A catalog that cannot be read never stops the page: English (the template's words,
  // where the English catalog is missing too) is shown instead, with a warning.
  for (const ns of namespaces) {
    await loadOne("en", ns, english).catch((error) => console.warn(`i18n: en/${ns} not loaded`, error));
  }
  if (shown === "zh") {
    catalogs.zh ??= {};
    try {
      for (const ns of namespaces) await loadOne("zh", ns, catalogs.zh);
    } catch (error) {
      console.warn("i18n: zh not loaded, the page stays in English", error);
      shown = "en";
    }
  }
  current = shown;
  chosen = catalogs[shown] ?? english;
}

/**
 * Use a catalog already in hand (unit tests): it becomes `lang`'s (English stays the
 * fallback); without one, `lang`'s catalog as loaded.
 * @param {Lang} lang
 * @param {Record<string, any>} [catalog]
 */
export function useCatalog(lang, catalog) {
  if (catalog && lang !== "en") catalogs[lang] = flatten(catalog);
  current = lang;
  chosen = catalogs[lang] ?? english;
}

/** The language of `t()`: "en", "zh" or "qps". */
export function currentLang() {
  return current;
}

/**
 * Whether the catalog (the chosen language's or English) has `key`.
 * @param {string} key
 */
export function has(key) {
  return key in chosen || key in english;
}

/**
 * The text of `key` in the chosen language, its `{name}` placeholders filled; missing
 * there: the English (with a warning); missing in English too: the key itself.
 * @param {string} key
 * @param {Params} [params]
 */
export function t(key, params) {
  let text = current === PSEUDO ? undefined : chosen[key];
  if (text === undefined) {
    text = english[key];
    if (current !== PSEUDO && !warned.has(key)) {
      warned.add(key);
      console.warn(`i18n: no "${key}" in ${current}${text === undefined ? " nor in en" : ""}`);
    }
    if (text === undefined) return key;
  }
  const filled = fill(text, params);
  return current === PSEUDO ? `⟦${filled}⟧` : filled;
}

/**
 * `t(key)` when the catalog has `key`, else `fallback` as it is (a label of the server's
 * table that the catalog does not know yet).
 * @param {string} key
 * @param {string} fallback
 */
export function tOr(key, fallback) {
  return has(key) ? t(key) : fallback;
}

/**
 * A text that depends on a count: `key.one` for 1, else `key.other`; `{n}` is the count.
 * @param {string} key
 * @param {number} n
 * @param {Params} [params]
 */
export function plural(key, n, params) {
  return t(`${key}.${n === 1 ? "one" : "other"}`, { n, ...params });
}

/**
 * Put the catalog's texts into the elements below `root` that name them:
 * `data-i18n="key"` (the text) and `data-i18n-attr="aria-label:key,title:key"`.
 * The template keeps the English as the text without JavaScript.
 * @param {ParentNode} root
 */
export function applyTexts(root) {
  // A key no catalog has (one that could not be loaded) keeps the template's English.
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const key = /** @type {HTMLElement} */ (el).dataset.i18n ?? "";
    if (has(key)) el.textContent = t(key);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of (/** @type {HTMLElement} */ (el).dataset.i18nAttr ?? "").split(",")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key && has(key)) el.setAttribute(attr, t(key));
    }
  }
}

/**
 * `lang` of the address: the hash's, else the query's (`/teach?lang=zh`), else null.
 * @param {string} hash
 * @param {string} search
 */
export function langOfAddress(hash, search) {
  return new URLSearchParams(hash.replace(/^#/, "")).get("lang") ?? new URLSearchParams(search.replace(/^\?/, "")).get("lang");
}

/**
 * A page's language in one call (the teacher's page, the join page, /compare): chosen as
 * `chooseLang` says (`lang` from the hash or the query), its catalogs loaded, `<html lang>`
 * set, `document.title` from `titleKey`, the template's texts applied, and the switch
 * `#lang-select` wired: a change saves the choice, writes `lang` into the hash and reloads.
 * @param {string[]} namespaces
 * @param {string} titleKey
 * @returns {Promise<Lang>}
 */
export async function startPageLanguage(namespaces, titleKey) {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage switched off: the address and the browser decide.
  }
  const fromAddress = langOfAddress(location.hash, location.search);
  const lang = chooseLang({ hash: fromAddress ? `lang=${fromAddress}` : "", saved, browser: navigator.languages ?? [navigator.language] });
  await loadCatalogs(lang, namespaces);
  const shown = currentLang(); // English when the chosen language's catalog could not be read
  document.documentElement.lang = htmlLang(shown);
  applyTexts(document);
  document.title = t(titleKey);
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById("lang-select"));
  if (select) {
    select.value = shown === PSEUDO ? "en" : shown;
    select.addEventListener("change", () => {
      try {
        localStorage.setItem(STORAGE_KEY, select.value);
      } catch {
        // Not kept: the address still says it.
      }
      const search = new URLSearchParams(location.search);
      search.delete("lang");
      const query = search.toString();
      history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${hashWithLang(location.hash, select.value)}`);
      location.reload();
    });
  }
  return lang;
}
