// The one page interface every engine's driver gives the scenarios (see README.md here).
// An engine implements a few primitives (evaluate a string expression, get a native element
// handle, click, fill, set files, press keys); everything else is built here, the same for
// all three, and runs in the page: finding elements across open shadow roots, reading
// them, and waiting for DOM state.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The page-side finder, sent as source with each call. `selector` is CSS; ` >>> ` steps
 * into the open shadow roots of what was matched so far
 * (`#element-panel >>> [name="Subject"]`). Options: `text` (the normalised text content
 * equals it), `contains` (includes it), `enabled`, `visible`.
 */
function findAll(selector, options) {
  const parts = selector.split(' >>> ');
  let found = [];
  let scopes = [document];
  parts.forEach((part, i) => {
    found = scopes.flatMap((scope) => [...scope.querySelectorAll(part)]);
    if (i < parts.length - 1) scopes = found.map((el) => el.shadowRoot).filter(Boolean);
  });
  const norm = (text) => (text ?? '').replace(/\s+/g, ' ').trim();
  const opts = options ?? {};
  if (opts.text !== undefined) found = found.filter((el) => norm(el.textContent) === opts.text);
  if (opts.contains !== undefined) found = found.filter((el) => norm(el.textContent).includes(opts.contains));
  if (opts.enabled) found = found.filter((el) => !el.disabled);
  if (opts.visible) {
    found = found.filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
  }
  return found;
}

const FIND = findAll.toString();

/** `(fn)(...args)` as an expression: args are JSON, `fn` is sent as source. */
export function call(fn, args) {
  return `(${fn.toString()})(...${JSON.stringify(args)})`;
}

/** An expression giving the first element `selector` finds, or throwing. */
function elementExpression(selector, options) {
  return `(() => {
    const el = (${FIND})(${JSON.stringify(selector)}, ${JSON.stringify(options ?? {})})[0];
    if (!el) throw new Error(${JSON.stringify(`no element for ${selector} ${JSON.stringify(options ?? {})}`)});
    return el;
  })()`;
}

/** What an engine cannot do through its driver: a thrown `Unsupported` becomes a skip. */
export class Unsupported extends Error {}

/**
 * Writes `files` (`{ name, buffer }`) into a new temporary folder, for the drivers that set
 * a file input from paths on disk; the folder is added to `folders`, which the page removes
 * when it closes (`removeFolders`).
 */
export async function writeTempFiles(files, folders) {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'nsc-files-'));
  folders.push(folder);
  const paths = [];
  for (const { name, buffer } of files) {
    const file = path.join(folder, name);
    await writeFile(file, buffer);
    paths.push(file);
  }
  return paths;
}

/** Removes the folders `writeTempFiles` made. */
export function removeFolders(folders) {
  return Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
}

const POLL_MS = 50;

export class EnginePage {
  /** @param {string} engine the engine's name, for messages */
  constructor(engine) {
    this.engine = engine;
  }

  // ── the primitives each engine implements ──
  /* async _eval(expression) → JSON value (promises awaited) */
  /* async _element(expression) → the driver's element handle */
  /* async _click(handle), _fill(handle, text), _setFiles(handle, files) */
  /* async press(key), type(text), goto(url), reload(), close(), console() */

  /** Runs `fn(...args)` in the page; `fn` must not close over anything. */
  evaluate(fn, ...args) {
    return this._eval(call(fn, args));
  }

  /** Runs `fn(elements, arg)` in the page with the elements `selector` finds. */
  withAll(selector, options, fn, arg) {
    return this._eval(`(${fn.toString()})((${FIND})(${JSON.stringify(selector)}, ${JSON.stringify(options ?? {})}), ${JSON.stringify(arg ?? null)})`);
  }

  /** Runs `fn(element, arg)` with the first element `selector` finds (throws if none). */
  withElement(selector, fn, arg, options) {
    return this._eval(`(${fn.toString()})(${elementExpression(selector, options)}, ${JSON.stringify(arg ?? null)})`);
  }

  count(selector, options) {
    return this.withAll(selector, options, (els) => els.length);
  }

  text(selector, options) {
    return this.withElement(selector, (el) => el.textContent.replace(/\s+/g, ' ').trim(), null, options);
  }

  value(selector) {
    return this.withElement(selector, (el) => el.value);
  }

  attr(selector, name) {
    return this.withElement(selector, (el, attribute) => el.getAttribute(attribute), name);
  }

  /** The page's focused element, through open shadow roots: `{ name, className, type, id }`. */
  focused() {
    return this.evaluate(() => {
      let active = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      return active && { name: active.getAttribute('name'), className: String(active.className), type: active.getAttribute('type'), tag: active.localName };
    });
  }

  async handle(selector, options) {
    await this.waitFor(selector, { ...options, visible: options?.visible ?? true });
    return this._element(elementExpression(selector, { ...options, visible: options?.visible ?? true }));
  }

  /** Clicks once the element is visible and enabled (a click on a disabled button is lost). */
  async click(selector, options) {
    await this._click(await this.handle(selector, { ...options, enabled: true }));
  }

  /** Replaces a field's value by typing, as a person would. */
  async fill(selector, text) {
    await this._fill(await this.handle(selector), text);
  }

  async focus(selector) {
    await this.withElement(selector, (el) => el.focus());
  }

  /** Sets files on an `<input type=file>`: `[{ name, mimeType, buffer }]`. */
  async setFiles(selector, files) {
    const handle = await this._element(elementExpression(selector));
    await this._setFiles(handle, files);
  }

  /** Waits until `fn(...args)` in the page gives a truthy value; returns it. */
  async waitForFunction(fn, args = [], { timeout = 15_000, what = fn.toString().slice(0, 80) } = {}) {
    const deadline = Date.now() + timeout;
    let lastError;
    for (;;) {
      try {
        const value = await this._eval(call(fn, args));
        if (value) return value;
      } catch (error) {
        // The page may be between documents (a reload): try again.
        lastError = error;
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.engine}: timed out after ${timeout} ms waiting for ${what}${lastError ? ` (${lastError.message})` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /**
   * Waits for `selector` (with `text`/`contains` options): `state` is `visible` (default),
   * `attached`, or `detached`.
   */
  waitFor(selector, { state = 'visible', timeout, ...options } = {}) {
    const want = state === 'detached' ? 0 : 1;
    const find = { ...options, visible: state === 'visible' || options.visible };
    const what = `${selector} ${JSON.stringify(options)} to be ${state}`;
    return this.#poll(selector, find, want, timeout, what);
  }

  async #poll(selector, find, want, timeout = 15_000, what) {
    const deadline = Date.now() + timeout;
    let lastError;
    for (;;) {
      try {
        const n = await this.count(selector, find);
        if (want === 0 ? n === 0 : n >= 1) return true;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.engine}: timed out after ${timeout} ms waiting for ${what}${lastError ? ` (${lastError.message})` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Errors the page reported (console errors, uncaught errors and rejections). */
  async errors() {
    return (await this.console()).filter((m) => m.type === 'error' || m.type === 'pageerror').map((m) => `${m.type}: ${m.text}`);
  }
}

/**
 * The in-page recorder for engines whose driver cannot listen to the console (WebKit over
 * classic WebDriver): installed after each navigation, so what a page logs while it loads
 * is not seen. Records console calls, uncaught errors and unhandled rejections.
 */
export function installConsoleRecorder() {
  if (window.__engineConsole) return;
  const seen = [];
  window.__engineConsole = seen;
  const text = (args) => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message}` : JSON.stringify(a) ?? String(a))).join(' ');
  for (const [method, type] of [
    ['log', 'log'],
    ['info', 'info'],
    ['warn', 'warning'],
    ['error', 'error'],
    ['debug', 'debug'],
  ]) {
    const original = console[method];
    console[method] = function (...args) {
      seen.push({ type, text: text(args) });
      return original.apply(this, args);
    };
  }
  window.addEventListener('error', (event) => seen.push({ type: 'pageerror', text: event.message }));
  window.addEventListener('unhandledrejection', (event) => seen.push({ type: 'pageerror', text: String(event.reason?.message ?? event.reason) }));
}
