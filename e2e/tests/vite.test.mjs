// The packed tarball in a Vite 7 project (fixtures/vite, built by `cargo xtask test` with
// `vite build`): the bundled page mounts the panel by package name, registers the element
// from `nexudus-start-conversation/element`, and completes a submission against the sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  FIXTURES,
  startStack,
  launchBrowser,
  watchPageErrors,
  watchLiveResources,
  cspViolations,
  attachByLink,
  storedFile,
} from '../harness.mjs';

const DIST = path.join(FIXTURES, 'vite', 'dist');

let stack;
let browser;
before(async () => {
  assert.ok(existsSync(path.join(DIST, 'index.html')), `${DIST} is missing: run through \`cargo xtask test\``);
  stack = await startStack({ root: DIST, sandboxArgs: ['--no-throttle'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

test('a Vite 7 build mounts the panel and the element, and attaches a file', async () => {
  const context = await browser.newContext();
  await watchLiveResources(context);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();

  // Vite emitted the wasm as a hashed asset and the glue found it.
  assert.ok(requests.some((url) => /\/assets\/nexudus-start-conversation_bg-[\w-]+\.wasm$/.test(url)), requests.join('\n'));
  // The element is registered and rendered in its shadow root.
  await page.locator('#element .nsc-panel').waitFor();
  assert.equal(await page.evaluate(() => customElements.get('nexudus-start-conversation')?.name), 'NexudusStartConversationElement');

  const panel = page.locator('#panel');
  await attachByLink(panel, await storedFile(stack.sandboxUrl, 'agenda.txt', 'agenda'), 'Agenda');
  await panel.getByRole('button', { name: 'Attach file' }).click();
  const success = panel.locator('.nsc-success');
  await success.waitFor();
  const fileId = Number(await success.getAttribute('data-file-id'));
  assert.equal(
    await page.locator('#events li[data-event="created"]').innerText(),
    `created ${JSON.stringify({ threadId: 1001, fileId, fileIds: [fileId] })}`,
  );
  // The bundled CSS styles the light-DOM panel.
  assert.equal(await panel.locator('.nsc-panel').evaluate((el) => getComputedStyle(el).borderTopStyle), 'solid');
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});
