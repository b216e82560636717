// Runs every scenario (scenarios.mjs) in one engine: one stack for the trunk-built demo
// and one for the plain-html consumer fixture (the packed package), one browser, a fresh
// page (fresh storage) per scenario, each sandbox back at its seed before each scenario.
// A step an engine's driver cannot do is a subtest skipped with the reason; the rest of
// the scenario still runs there.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURES, PNG, armFault, attachmentBytes, createdRecords, startStack, storedFile } from '../harness.mjs';
import { ENGINES, Unsupported } from './index.mjs';
import { SCENARIOS } from './scenarios.mjs';

const PAGES = {
  demo: { stack: 'demo', path: '/' },
  element: { stack: 'fixture', path: '/element.html' },
  mount: { stack: 'fixture', path: '/' },
};

export function runEngine(name) {
  const engine = ENGINES[name];
  describe(`${name} (${engine.driver})`, () => {
    const shared = { requests: [] };
    // Nothing here may hang a run: a stuck driver fails its scenario (or the launch).
    before(async () => {
      // A missing browser fails the run (it is never a silent skip).
      for (const file of engine.needs) {
        if (!file || !existsSync(file)) throw new Error(`${name}: ${file ?? engine.needs.join(', ')} is not installed (cargo xtask test installs it; see the README's prerequisites)`);
      }
      const onRequest = (request) => shared.requests.push(request);
      // The demo's panels share one token, so their first requests come in a burst: no throttle.
      shared.demo = await startStack({ sandboxArgs: ['--no-throttle'], onRequest });
      shared.fixture = await startStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'], onRequest });
      shared.browser = await engine.launch();
      process.stdout.write(`# ${name}: ${shared.browser.version}\n`);
    }, { timeout: 180_000 });
    after(async () => {
      await shared.browser?.close();
      await shared.demo?.close();
      await shared.fixture?.close();
    }, { timeout: 60_000 });
    beforeEach(async () => {
      for (const stack of [shared.demo, shared.fixture]) {
        await fetch(new URL('/_sandbox/reset', stack.sandboxUrl), { method: 'POST' });
        await fetch(new URL('/_sandbox/faults', stack.sandboxUrl), { method: 'DELETE' });
      }
      shared.requests.length = 0;
    });

    for (const scenario of SCENARIOS) {
      test(scenario.name, { timeout: 120_000 }, async (t) => {
        const ctx = context(t, engine, shared);
        try {
          await scenario.run(ctx);
        } catch (error) {
          if (!(error instanceof Unsupported)) throw error;
          t.skip(`${name} cannot: ${error.message}`);
        } finally {
          await ctx.closeAll();
        }
      });
    }
  });
}

/** What a scenario gets: pages of either origin, the sandbox behind it, and steps. */
function context(t, engine, shared) {
  const pages = [];
  const ctx = {
    engine: engine.name,
    /** Whether console messages are seen from the page's start (else from its load on). */
    consoleFromStart: engine.consoleFromStart,
    PNG,
    stack: shared.demo,
    /** Opens `demo`, `element` (fixture element.html) or `mount` (fixture index.html). */
    async open(which, options) {
      const where = PAGES[which];
      ctx.stack = shared[where.stack];
      // One page at a time (WebKitWebDriver runs one session): a new page closes the last.
      await ctx.closeAll();
      const page = await shared.browser.newPage(options);
      pages.push(page);
      await page.goto(new URL(where.path, ctx.stack.pageUrl).href);
      await page.waitFor('body[data-ready="true"]', { state: 'attached' });
      return page;
    },
    /** The requests the page sent to its origin, as `METHOD /path`, with the bodies. */
    requests: () => shared.requests.map((r) => ({ ...r, line: `${r.method} ${new URL(r.path, 'http://x').pathname}` })),
    fault: (spec) => armFault(ctx.stack, spec),
    created: () => createdRecords(ctx.stack),
    attachmentBytes: (fileId) => attachmentBytes(ctx.stack, fileId),
    storedFile: (...args) => storedFile(ctx.stack.sandboxUrl, ...args),
    /**
     * A step that may need what an engine's driver cannot do: a subtest, skipped with the
     * reason if the step throws `Unsupported`.
     */
    async step(name, fn) {
      await t.test(name, async (st) => {
        try {
          await fn();
        } catch (error) {
          if (!(error instanceof Unsupported)) throw error;
          st.skip(`${engine.name} cannot: ${error.message}`);
        }
      });
    },
    /**
     * Fails on any error the page reported (see `consoleFromStart`), but for the network
     * log lines of the HTTP error statuses a scenario provoked (`statuses`; Chromium logs
     * each as a console error) and the messages it provoked (`allowed`, patterns).
     */
    async noErrors(page, statuses = [], allowed = []) {
      const expected = (text) =>
        statuses.some((status) => text.includes(`Failed to load resource: the server responded with a status of ${status} `)) ||
        allowed.some((pattern) => pattern.test(text));
      assert.deepEqual((await page.errors()).filter((text) => !expected(text)), [], `${engine.name}: errors on the page`);
    },
    async closeAll() {
      for (const page of pages.splice(0)) await page.close().catch(() => {});
    },
  };
  return ctx;
}
