// nexudus-start-conversation: the ES module entry of the npm package.
//
//   import init, { mount } from 'nexudus-start-conversation';
//   await init();
//   const panel = mount(element, options);
//   panel.update(partialOptions);
//   panel.destroy();
//
// `init()` fetches the .wasm next to this file (`new URL(…, import.meta.url)`, which CDNs,
// plain ES module pages and bundlers all resolve); it may be given another location or a
// compiled `WebAssembly.Module`. Calling it again returns the same promise.
//
// Languages: English is in the .wasm; French, German, Spanish, Italian, Dutch and
// Portuguese (pt, and pt-PT over it) are small packs, `locales/<tag>.json` next to this file,
// fetched only when used: `init()` loads the page's (`<html lang>`, then
// `navigator.languages`), `await loadLocale(tag)` another one, before mount() or update().
// A pack that fails to load leaves the panel in English, with a console note.
//
// Painting early: `paint(element, options)` from `nexudus-start-conversation/paint`,
// before this module has even loaded, shows the panel's first frame at once, prerendered,
// when the options are ones it was rendered for (English, no strings, limits or fields of
// the host's own); `mount(element, options)` then puts the live panel in its place, with
// what the member typed, chose, focused and a Post pressed meanwhile.
//
// Importing this module runs nothing that needs a browser, so server-side rendering
// (Next.js, Nuxt, Astro, SvelteKit) can import it; `init()` and `mount()` there fail with
// an error that says to call them in the browser.
import initWasm, { mount as mountWasm, PanelHandle } from './nexudus-start-conversation.js';
import { PACKS, pick } from './language.js';

/** The frames paint() painted, by element (paint.js; shared without importing it). */
const EARLY = Symbol.for('nexudus-start-conversation:early-frames');

let ready = false;
let loading;

const NO_BROWSER =
  'nexudus-start-conversation: needs a browser (server-side rendering?): ' +
  'call init() and mount() in client-only code (useEffect, onMounted, onMount)';

function inBrowser() {
  return typeof document !== 'undefined' && typeof window !== 'undefined';
}

/** Tag → the loading of its pack (a promise of the tag to use: 'en' when it failed). */
const pending = new Map();
/** Tag → the pack's strings, once loaded. */
const packs = new Map();

/** Fetches one pack, next to this module. */
async function fetchPack(tag) {
  const response = await fetch(new URL(`./locales/${tag}.json`, import.meta.url));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

/**
 * Loads the strings of `tag` (or, without one, of the page's language) once; resolves to
 * the tag to use, 'en' when the pack could not be loaded (said on the console).
 */
export function loadLocale(tag) {
  if (!inBrowser()) return Promise.reject(new Error(NO_BROWSER));
  const picked = pick(tag);
  if (!PACKS.includes(picked)) return Promise.resolve(picked);
  if (!pending.has(picked)) {
    const parts = picked === 'pt-PT' ? ['pt', picked] : [picked];
    const loaded = Promise.all(parts.map(fetchPack)).then(
      (list) => {
        packs.set(picked, Object.assign({}, ...list));
        return picked;
      },
      (error) => {
        // Forgotten, so a later call tries again.
        pending.delete(picked);
        console.warn(`nexudus-start-conversation: the "${picked}" strings could not be loaded (${error.message}); the panel is in English`);
        return 'en';
      },
    );
    pending.set(picked, loaded);
  }
  return pending.get(picked);
}

/**
 * The options the .wasm gets for the host's `locale` and `strings`: a loaded pack's strings
 * under the host's (the host's win); English while the pack is not loaded.
 */
function withPack(options, { locale, strings }) {
  const tag = pick(locale);
  if (!PACKS.includes(tag)) return { ...options, locale, strings };
  const pack = packs.get(tag);
  if (!pack) return { ...options, locale: 'en', strings };
  // Strings that are not an object go as they are, for the .wasm to name the mistake.
  const merged = strings == null || isPlain(strings) ? { ...pack, ...strings } : strings;
  return { ...options, locale: locale ?? tag, strings: merged };
}

function isPlain(value) {
  return value != null && Object.getPrototypeOf(value) === Object.prototype;
}

export default function init(moduleOrPath) {
  if (!inBrowser()) return Promise.reject(new Error(NO_BROWSER));
  if (!loading) {
    // Seen by the element's module, which then leaves the .wasm to this loading.
    globalThis[Symbol.for('nexudus-start-conversation:init')] = true;
    const input =
      moduleOrPath === undefined ||
      (moduleOrPath !== null && Object.getPrototypeOf(moduleOrPath) === Object.prototype)
        ? moduleOrPath
        : { module_or_path: moduleOrPath };
    loading = Promise.all([initWasm(input), loadLocale()]).then(
      () => {
        ready = true;
      },
      (error) => {
        loading = undefined;
        throw error;
      },
    );
  }
  return loading;
}

export function mount(element, options) {
  if (!inBrowser()) throw new Error(NO_BROWSER);
  if (!ready) {
    throw new Error('nexudus-start-conversation: call `await init()` before mount()');
  }
  // A frame painted early by paint(element, …) gives way to the live panel when it renders.
  const frame = globalThis[EARLY]?.get(element);
  if (!frame) return mountLive(element, options);
  globalThis[EARLY].delete(element);
  return frame.mountOver(element, () => mountLive(element, options));
}

function mountLive(element, options) {
  if (!isPlain(options)) return mountWasm(element, options);
  // The host's own locale and strings, as last given: a pack goes under them each time.
  let host = { locale: options.locale, strings: options.strings };
  const handle = mountWasm(element, withPack(options, host));
  const update = handle.update.bind(handle);
  // A pack not loaded yet (no `await loadLocale(tag)` first): English now, the language
  // when it comes.
  const follow = () => {
    const tag = pick(host.locale);
    if (!PACKS.includes(tag) || packs.has(tag)) return;
    console.warn(`nexudus-start-conversation: "${tag}" is loaded after the first paint; \`await loadLocale('${tag}')\` first paints in it at once`);
    loadLocale(tag).then(() => {
      if (!handle.destroyed && packs.has(tag) && pick(host.locale) === tag) update(withPack({}, host));
    });
  };
  handle.update = (partial) => {
    if (!isPlain(partial)) return update(partial);
    const next = {
      locale: 'locale' in partial ? partial.locale : host.locale,
      strings: 'strings' in partial ? partial.strings : host.strings,
    };
    update(withPack(partial, next));
    host = next;
    follow();
  };
  follow();
  return handle;
}

export { PanelHandle };
