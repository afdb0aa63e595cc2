// The catalogs' machinery (static/js/i18n.js): the language rule, placeholders, the
// English fallback, plurals, the pseudo-language, and a field of the server's table
// translated by name.
import assert from "node:assert/strict";
import { test } from "node:test";

import { chooseLang, fill, flatten, hashWithLang, htmlLang, plural, t, tOr, useCatalog } from "../../static/js/i18n.js";
import { localized } from "../../static/js/options.js";
import { OPTIONS, catalog } from "./fixture.mjs";

test("the language: the hash's, else the saved one, else the browser's, else English", () => {
  assert.equal(chooseLang({ hash: "#dataset=xor&lang=zh", saved: "en", browser: ["en-GB"] }), "zh");
  assert.equal(chooseLang({ hash: "#lang=en", saved: "zh", browser: ["zh-CN"] }), "en");
  assert.equal(chooseLang({ hash: "#lang=fr", saved: "zh", browser: ["en"] }), "zh");
  assert.equal(chooseLang({ hash: "", saved: null, browser: ["de-DE", "zh-Hans-CN", "en"] }), "zh");
  for (const tag of ["zh", "zh-CN", "zh-Hans", "zh-SG", "zh-TW", "zh-HK", "ZH"]) assert.equal(chooseLang({ browser: [tag] }), "zh", tag);
  assert.equal(chooseLang({ browser: ["de-DE", "en-US", "zh"] }), "en");
  assert.equal(chooseLang({ browser: ["fr"] }), "en");
  assert.equal(chooseLang({}), "en");
  assert.equal(chooseLang({ hash: "#lang=qps" }), "qps");
  assert.equal(chooseLang({ saved: "qps", browser: [] }), "en");
});

test("html lang, and lang written into the hash", () => {
  assert.equal(htmlLang("zh"), "zh-Hans");
  assert.equal(htmlLang("en"), "en");
  assert.equal(hashWithLang("#a=1&lang=en&b=2", "zh"), "#a=1&lang=zh&b=2");
  assert.equal(hashWithLang("#a=1", "zh"), "#a=1&lang=zh");
  assert.equal(hashWithLang("", "en"), "#lang=en");
});

test("catalogs: nested keys flattened, placeholders filled", () => {
  assert.deepEqual(flatten({ a: { b: "x", c: { d: "y" } }, e: "z" }), { "a.b": "x", "a.c.d": "y", e: "z" });
  assert.equal(fill("{n} of {m}", { n: 1, m: 2 }), "1 of 2");
  assert.equal(fill("{n} of {missing}", { n: 1 }), "1 of {missing}");
});

test("t(): the chosen language, English for a missing key (with a warning), the key when none has it", () => {
  useCatalog("zh", catalog("zh"));
  assert.equal(t("page.play"), "播放");
  assert.equal(t("lesson.progress", { k: 2, n: 5 }), "第 2 步（共 5 步）");
  const warnings = [];
  const warn = console.warn;
  console.warn = (/** @type {unknown[]} */ ...args) => warnings.push(args.join(" "));
  try {
    useCatalog("zh", { page: { pause: "暂停" } });
    assert.equal(t("page.pause"), "暂停");
    assert.equal(t("page.play"), "Play");
    assert.equal(t("page.play"), "Play");
    assert.equal(t("no.such.key"), "no.such.key");
    assert.equal(warnings.length, 2, "one warning per missing key");
  } finally {
    console.warn = warn;
    useCatalog("en");
  }
});

test("plurals and the pseudo-language", () => {
  useCatalog("en");
  assert.equal(plural("data.count", 1), "1 point");
  assert.equal(plural("data.count", 7), "7 points");
  assert.equal(tOr("field.no_such_field.label", "Server text"), "Server text");
  useCatalog("qps");
  assert.equal(t("page.play"), "⟦Play⟧");
  assert.equal(t("page.dataset", { name: "Circle" }), "⟦Dataset Circle⟧");
  useCatalog("en");
});

test("a field of the server's table: label and choices by name, the server's text when unknown", () => {
  useCatalog("zh", catalog("zh"));
  const f = localized(OPTIONS.field.activation);
  assert.equal(f.label, "激活函数");
  assert.equal(f.choices.find((c) => c.name === "linear")?.label, "线性");
  const unknown = localized({ ...OPTIONS.field.activation, name: "brand_new", label: "Brand new" });
  assert.equal(unknown.label, "Brand new");
  useCatalog("en");
});
