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
import initWasm, { mount as mountWasm, PanelHandle } from './nexudus-start-conversation.js';

let ready = false;
let loading;

export default function init(moduleOrPath) {
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
  if (!ready) {
    throw new Error('nexudus-start-conversation: call `await init()` before mount()');
  }
  return mountWasm(element, options);
}

export { PanelHandle };
