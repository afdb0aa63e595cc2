// A tiny stand-in for the DOM: just what controls.js's FieldControls touches (elements
// with children, ids, data attributes, properties and listeners; attribute selectors).

const camel = (name) => name.replace(/-(\w)/g, (_, c) => c.toUpperCase());

export class FakeElement {
  /** @param {string} tag */
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    /** @type {(FakeElement | string)[]} */
    this.children = [];
    this.dataset = {};
    this.listeners = {};
    this.value = "";
    this.id = "";
  }

  append(...nodes) {
    this.children.push(...nodes);
  }

  replaceChildren(...nodes) {
    this.children = [...nodes];
  }

  addEventListener(type, fn) {
    (this.listeners[type] ??= []).push(fn);
  }

  /** Fire an event at this element's listeners. */
  fire(type) {
    for (const fn of this.listeners[type] ?? []) fn();
  }

  /** Every element below this one, depth first. */
  *elements() {
    for (const child of this.children) {
      if (child instanceof FakeElement) {
        yield child;
        yield* child.elements();
      }
    }
  }

  /** The text of this element and its children (or its own textContent when set). */
  get text() {
    if (this.textContent !== undefined) return this.textContent;
    return this.children.map((c) => (c instanceof FakeElement ? c.text : c)).join("");
  }

  /** Only `[data-name="value"]`. */
  querySelector(selector) {
    const match = /^\[data-([\w-]+)="(.*)"\]$/.exec(selector);
    if (!match) throw new Error(`the fake DOM cannot select ${selector}`);
    for (const el of this.elements()) if (el.dataset[camel(match[1])] === match[2]) return el;
    return null;
  }

  getElementById(id) {
    for (const el of this.elements()) if (el.id === id) return el;
    return null;
  }
}

/**
 * A document whose body holds `tree`: [tag, {data-* and other props}, ...children].
 * @returns {FakeElement & {createElement: (tag: string) => FakeElement, activeElement: null}}
 */
export function fakeDocument(...tree) {
  const build = ([tag, props = {}, ...children]) => {
    const el = new FakeElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key.startsWith("data-")) el.dataset[camel(key.slice(5))] = value;
      else el[key] = value;
    }
    el.append(...children.map(build));
    return el;
  };
  const doc = build(["body", {}, ...tree]);
  return Object.assign(doc, { createElement: (tag) => new FakeElement(tag), activeElement: null });
}
