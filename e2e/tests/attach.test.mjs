// The walking skeleton's slice, end to end: the trunk-built demo page, its attach-mode
// panel (#attach-panel, mounted through the JS API), and the sandbox behind /api.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, watchPageErrors, pageSnapshot, storedFile } from '../harness.mjs';

// A link the panel accepts (http on the loopback host) and the sandbox can download.
let FILE;

let stack;
let browser;
before(async () => {
  // The demo's panels share one token, so their first requests come in a burst: no throttle.
  stack = await startStack({ sandboxArgs: ['--no-throttle'] });
  browser = await launchBrowser();
  FILE = await storedFile(stack.sandboxUrl, 'floor-plan.txt', 'floor plan, level 2');
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

test('an empty Name shows its message on the Name field, then a filled one attaches', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors = watchPageErrors(page);
  await page.goto(stack.pageUrl);
  const panel = page.locator('#attach-panel');

  const name = panel.locator('input[name="Name"]');
  await panel.getByRole('button', { name: 'Link to a file instead' }).click();
  await panel.locator('input[type="url"][name="NewFileDataUrl"]').fill(FILE);
  await panel.getByRole('button', { name: 'Attach file' }).click();

  // The panel's own check lands on the Name input: aria-invalid and a linked message.
  await panel.locator('input[name="Name"][aria-invalid="true"]').waitFor();
  const describedBy = await name.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the Name input is described by its error message');
  const errorIds = describedBy.split(' ').filter((id) => id.endsWith('-error'));
  assert.equal(errorIds.length, 1);
  const message = panel.locator(`[id="${errorIds[0]}"]`);
  assert.match(await message.innerText(), /Enter a display name for the file/);
  assert.equal(await panel.locator('[name="Description"]').getAttribute('aria-invalid'), null);

  // The summary lists it, as a link that focuses the field, and took focus itself.
  const summary = panel.locator('.nsc-error-summary');
  await assert.doesNotReject(summary.locator('[role="alert"]').waitFor());
  assert.equal(await summary.evaluate((el) => el === document.activeElement), true);
  await summary.getByRole('link', { name: /Enter a display name for the file/ }).click();
  assert.equal(await name.evaluate((el) => el === document.activeElement), true);

  // Nothing typed was lost.
  assert.equal(await panel.locator('input[name="NewFileDataUrl"]').inputValue(), FILE);

  // Editing the field clears its error; submitting again succeeds with the new Id.
  await name.fill('Floor plan');
  assert.equal(await name.getAttribute('aria-invalid'), null);
  await panel.getByRole('button', { name: 'Attach file' }).click();
  const success = panel.locator('.nsc-success');
  await success.waitFor();
  const createdId = await success.getAttribute('data-file-id');
  assert.match(createdId, /^\d+$/);

  const created = await stack.sandboxJson('/_sandbox/created');
  const files = created.files ?? created.Files ?? [];
  const file = files.find((f) => String(f.Id ?? f.id) === createdId);
  assert.ok(file, `the sandbox holds file ${createdId}`);
  assert.equal(file.Name ?? file.name, 'Floor plan');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the token never reaches the DOM, an attribute, a URL, web storage or the console', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const urls = [];
  const consoleText = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('console', (message) => consoleText.push(message.text()));
  await page.goto(stack.pageUrl);
  const panel = page.locator('#attach-panel');
  await panel.getByRole('button', { name: 'Link to a file instead' }).click();
  await panel.locator('input[type="url"][name="NewFileDataUrl"]').fill(FILE);
  await panel.locator('input[name="Name"]').fill('Notes');
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.locator('.nsc-success').waitFor();
  // The element panel in its shadow root is part of the snapshot too.
  await page.locator('#element-panel .nsc-panel').waitFor();
  const snapshot = await pageSnapshot(page);
  assert.ok(snapshot.includes('nsc-panel'), 'the snapshot holds the panels');
  assert.ok(!snapshot.includes('sandbox-admin-token'), 'not in the DOM, attributes or storage');
  assert.ok(!urls.some((url) => url.includes('sandbox-admin-token')), 'not in any URL');
  assert.ok(!consoleText.some((text) => text.includes('sandbox-admin-token')), 'not in the console');
  await context.close();
});
