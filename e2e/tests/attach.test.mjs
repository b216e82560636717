// The walking skeleton's slice, end to end: the trunk-built demo page, its panel in
// "attach a file to an existing conversation" mode, and the sandbox behind /api.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, launchBrowser, watchPageErrors } from '../harness.mjs';

const FILE = 'data:text/plain;base64,' + Buffer.from('floor plan, level 2').toString('base64');

let stack;
let browser;
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

test('an empty Name shows the sandbox message on the Name field, then a filled one attaches', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors = watchPageErrors(page);
  await page.goto(stack.pageUrl);

  const name = page.locator('input[name="Name"]');
  await page.locator('input[name="NewFileDataUrl"]').fill(FILE);
  await page.getByRole('button', { name: 'Attach file' }).click();

  // The sandbox's 400 lands on the Name input: aria-invalid and a linked message.
  await page.locator('input[name="Name"][aria-invalid="true"]').waitFor();
  const describedBy = await name.getAttribute('aria-describedby');
  assert.ok(describedBy, 'the Name input is described by its error message');
  const errorIds = describedBy.split(' ').filter((id) => id.endsWith('-error'));
  assert.equal(errorIds.length, 1);
  const message = page.locator(`[id="${errorIds[0]}"]`);
  assert.match(await message.innerText(), /Display name is a required field/);
  assert.equal(await page.locator('input[name="Description"]').getAttribute('aria-invalid'), null);

  // The summary lists it, as a link that focuses the field, and took focus itself.
  const summary = page.locator('.nsc-error-summary');
  await assert.doesNotReject(summary.locator('[role="alert"]').waitFor());
  assert.equal(await summary.evaluate((el) => el === document.activeElement), true);
  await summary.getByRole('link', { name: /Display name is a required field/ }).click();
  assert.equal(await name.evaluate((el) => el === document.activeElement), true);

  // Nothing typed was lost.
  assert.equal(await page.locator('input[name="NewFileDataUrl"]').inputValue(), FILE);

  // Editing the field clears its error; submitting again succeeds with the new Id.
  await name.fill('Floor plan');
  assert.equal(await name.getAttribute('aria-invalid'), null);
  await page.getByRole('button', { name: 'Attach file' }).click();
  const createdId = await page.locator('.nsc-created-id').innerText();
  assert.match(createdId, /^\d+$/);

  const created = await stack.sandboxJson('/_sandbox/created');
  const files = created.files ?? created.Files ?? [];
  const file = files.find((f) => String(f.Id ?? f.id) === createdId);
  assert.ok(file, `the sandbox holds file ${createdId}`);
  assert.equal(file.Name ?? file.name, 'Floor plan');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the token never reaches the DOM, the URL or web storage', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const urls = [];
  page.on('request', (request) => urls.push(request.url()));
  await page.goto(stack.pageUrl);
  await page.locator('input[name="Name"]').fill('Notes');
  await page.getByRole('button', { name: 'Attach file' }).click();
  await page.locator('.nsc-created-id').waitFor();
  const html = await page.content();
  assert.ok(!html.includes('sandbox-admin-token'), 'not in the DOM');
  assert.ok(!urls.some((url) => url.includes('sandbox-admin-token')), 'not in any URL');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!storage.includes('sandbox-admin-token'), 'not in web storage');
  await context.close();
});
