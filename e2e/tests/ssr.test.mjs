// Server-side rendering: Next.js, Nuxt, Astro and SvelteKit import a page's modules in Node,
// where there is no DOM. Importing the installed package (fixtures/plain-html, resolved
// through its `exports` as a framework would) must not throw; the element must not register
// itself; `init()` and `mount()` must fail with an error that says a browser is needed.
// Each check runs in a fresh Node process, with no DOM globals at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Not through harness.mjs: these tests need no browser nor playwright.
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/plain-html');

/** Runs `source` as an ES module in a fresh Node in the fixture; returns its stdout as JSON. */
async function inNode(source) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', source], {
    cwd: DIR,
  });
  return JSON.parse(stdout);
}

test('importing the main entry in Node does not throw', async () => {
  const seen = await inNode(`
    const api = await import('nexudus-start-conversation');
    console.log(JSON.stringify({
      init: typeof api.default, mount: typeof api.mount, handle: typeof api.PanelHandle,
      document: typeof document,
    }));
  `);
  assert.deepEqual(seen, { init: 'function', mount: 'function', handle: 'function', document: 'undefined' });
});

test('importing the element in Node does not throw nor register anything', async () => {
  const seen = await inNode(`
    const element = await import('nexudus-start-conversation/element');
    console.log(JSON.stringify({
      tag: element.TAG, class: typeof element.NexudusStartConversationElement,
      customElements: typeof customElements,
    }));
  `);
  assert.deepEqual(seen, { tag: 'nexudus-start-conversation', class: 'function', customElements: 'undefined' });
});

test('init() and mount() without a browser fail with a clear error', async () => {
  const seen = await inNode(`
    const { default: init, mount } = await import('nexudus-start-conversation');
    const initError = await init().then(() => 'resolved', (error) => error.message);
    let mountError = 'returned';
    try { mount({}, {}); } catch (error) { mountError = error.message; }
    console.log(JSON.stringify({ initError, mountError }));
  `);
  for (const message of [seen.initError, seen.mountError]) {
    assert.match(message, /^nexudus-start-conversation: needs a browser/);
    assert.match(message, /client-only/);
  }
});
