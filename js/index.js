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
// Importing this module runs nothing that needs a browser, so server-side rendering
// (Next.js, Nuxt, Astro, SvelteKit) can import it; `init()` and `mount()` there fail with
// an error that says to call them in the browser.
import initWasm, { mount as mountWasm, PanelHandle } from './nexudus-start-conversation.js';

let ready = false;
let loading;

const NO_BROWSER =
  'nexudus-start-conversation: needs a browser (server-side rendering?): ' +
  'call init() and mount() in client-only code (useEffect, onMounted, onMount)';

function inBrowser() {
  return typeof document !== 'undefined' && typeof window !== 'undefined';
}

export default function init(moduleOrPath) {
  if (!inBrowser()) return Promise.reject(new Error(NO_BROWSER));
  if (!loading) {
    const input =
      moduleOrPath === undefined ||
      (moduleOrPath !== null && Object.getPrototypeOf(moduleOrPath) === Object.prototype)
        ? moduleOrPath
        : { module_or_path: moduleOrPath };
    loading = initWasm(input).then(
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
  return mountWasm(element, options);
}

export { PanelHandle };
