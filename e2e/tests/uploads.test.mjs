// How a chosen file reaches Nexudus, end to end with the packed package's custom element
// (fixtures/plain-html/element.html) against the sandbox as live Nexudus behaves: it
// downloads attachments from a public http(s) URL and answers a `data:` URL with a generic
// 500. So the panel offers files only when the host gives somewhere to put them (here the
// `upload-endpoint` attribute and the sandbox's presigned-upload store), a link otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, PNG, useStack, watchPageErrors, createdRecords, attachmentBytes, eventually } from '../harness.mjs';

const TOKEN = 'sandbox-member-token';
const FILES = '/api/community/communitythreadfiles';

const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });

/**
 * A 5 MB document: a PDF header, then bytes that are not all alike. (Not a picture: a
 * picture goes through the photo cleaner, and junk after a PNG signature is one it cannot
 * vouch for, which waits for the member's choice.)
 */
function bigDocument() {
  const bytes = Buffer.alloc(5 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + (i >> 9)) & 255;
  Buffer.from('%PDF-1.7\n').copy(bytes);
  return bytes;
}

/**
 * Opens element.html and loads the element in attach mode for conversation 1001, with
 * `attributes` set first. Records every request body sent, the console, and each status
 * text the panel announces.
 */
async function openElement(attributes) {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const consoleText = [];
  page.on('console', (message) => consoleText.push(`${message.type()}: ${message.text()}`));
  const bodies = [];
  page.on('request', (request) => bodies.push(`${request.method()} ${new URL(request.url()).pathname} ${request.postData() ?? ''}`));
  await page.goto(new URL('/element.html', shared.stack.pageUrl).href);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.evaluate(
    ({ token, attributes }) => {
      const el = document.getElementById('panel');
      el.setAttribute('base-url', location.origin);
      el.setAttribute('thread-id', '1001');
      for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
      el.token = token;
    },
    { token: TOKEN, attributes },
  );
  await page.evaluate(() => window.loadElement());
  const element = page.locator('#panel');
  await element.locator('.nsc-panel').waitFor();
  // Every status the panel announces, as a screen reader would hear them.
  await page.evaluate(() => {
    window.statuses = [];
    const root = document.getElementById('panel').shadowRoot;
    new MutationObserver(() => {
      const text = root.querySelector('.nsc-status')?.textContent;
      if (text && window.statuses.at(-1) !== text) window.statuses.push(text);
    }).observe(root, { subtree: true, childList: true, characterData: true });
  });
  return { context, page, element, errors, consoleText, bodies };
}

test('the element with only upload-endpoint attaches a 5 MB picture, with progress; Nexudus gets the same bytes', async () => {
  const { context, page, element, errors, bodies } = await openElement({ 'upload-endpoint': '/uploads' });
  // Slow the upload down (Chromium's DevTools protocol) so its progress can be seen.
  const devtools = await context.newCDPSession(page);
  await devtools.send('Network.enable');
  await devtools.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 8 * 1024 * 1024,
  });
  const picture = bigDocument();
  await element.locator('input[type="file"]').setInputFiles({ name: 'rooftop.pdf', mimeType: 'application/pdf', buffer: picture });
  await element.locator('.nsc-file-card').waitFor();
  await element.getByRole('button', { name: 'Attach file' }).click();
  const success = element.locator('.nsc-success');
  await success.waitFor({ timeout: 30_000 });
  const fileId = Number(await success.getAttribute('data-file-id'));

  // Ticket, then the bytes, then the API given the store's public URL (never a data: URL).
  const order = bodies.map((line) => line.split(' ').slice(0, 2).join(' '));
  const ticket = order.indexOf('POST /uploads');
  const put = order.findIndex((line) => line.startsWith('PUT /uploads/'));
  const attach = order.indexOf(`POST ${FILES}`);
  assert.ok(ticket >= 0 && put > ticket && attach > put, order.join('\n'));
  assert.deepEqual(JSON.parse(bodies[ticket].slice('POST /uploads '.length)), {
    fileName: 'rooftop.pdf',
    contentType: 'application/pdf',
    size: picture.length,
  });
  const sent = JSON.parse(bodies[attach].slice(`POST ${FILES} `.length));
  assert.match(sent.NewFileDataUrl, /^http:\/\/127\.0\.0\.1:\d+\/uploads\/[^/]+\/rooftop\.pdf$/);
  assert.ok(!bodies.some((line) => line.includes('data:')), 'no data: URL was sent');

  // The panel announced the upload's progress in percent.
  const statuses = await page.evaluate(() => window.statuses);
  assert.ok(statuses.some((text) => /Uploading the file… \d+%/.test(text)), statuses.join(' | '));
  // What the sandbox downloaded, as Nexudus would, is the picture byte for byte.
  const stored = await attachmentBytes(shared.stack, fileId);
  assert.equal(stored.length, picture.length);
  assert.ok(stored.equals(picture), 'the stored bytes are the picture');
  assert.deepEqual(errors, []);
  await context.close();
});

test('cancel during the PUT stops the upload; nothing is attached and the file stays chosen', async () => {
  const { context, page, element } = await openElement({ 'upload-endpoint': '/uploads' });
  // Hold every PUT to the store until the test lets it go.
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  const aborted = [];
  page.on('requestfailed', (request) => aborted.push(`${request.method()} ${request.failure()?.errorText}`));
  await context.route('**/uploads/**', async (route) => {
    if (route.request().method() !== 'PUT') return route.continue();
    await held;
    return route.continue().catch(() => {});
  });
  await element.locator('input[type="file"]').setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: bigDocument() });
  await element.getByRole('button', { name: 'Attach file' }).click();
  await element.getByText(/Uploading the file/).waitFor();
  await element.getByRole('button', { name: 'Cancel' }).click();
  await element.getByText('Cancelled. Your text is still here.').waitFor();
  await element.locator('.nsc-file-card').waitFor();
  assert.ok(
    await eventually(() => aborted.some((line) => line.startsWith('PUT'))),
    `the PUT was aborted: ${aborted.join(', ')}`,
  );
  release();
  const records = await createdRecords(shared.stack);
  assert.equal((records.files ?? []).length, 0);
  await context.close();
});

test('with no upload and no upload-endpoint no data: URL can be sent: a link only, and the host is told why', async () => {
  const { context, page, element, consoleText, bodies } = await openElement({});
  assert.equal(await element.locator('input[type="file"]').count(), 0);
  assert.equal(await element.getByRole('button', { name: 'Choose a file instead' }).count(), 0);
  await element.getByText('Files can’t be uploaded from this page.', { exact: false }).waitFor();
  // A pasted picture is refused on the field with the reason, and nothing is sent.
  await element.locator('input[type="url"]').evaluate((field) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'photo.png', { type: 'image/png' }));
    field.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  });
  await element.locator('input[type="url"][aria-invalid="true"]').waitFor();
  await element.getByText('Files can’t be attached from this page.', { exact: false }).first().waitFor();
  // The host page's developer is told once, on the console, how to take files.
  const told = consoleText.filter((line) => line.includes('uploadEndpoint'));
  assert.equal(told.length, 1, consoleText.join('\n'));
  assert.match(told[0], /^info: .*refuses data: URLs/);
  // A link still works, through the API as usual.
  await element.locator('input[type="url"]').fill(`${new URL(shared.stack.pageUrl).origin}/uploads/none/missing.pdf`);
  await element.locator('input[name="Name"]').fill('Missing');
  await element.getByRole('button', { name: 'Attach file' }).click();
  await element.locator('input[type="url"][aria-invalid="true"]').waitFor();
  assert.ok(!bodies.some((line) => line.includes('data:')), 'no data: URL was sent');
  await context.close();
});

test('inline-files sends a data: URL, which the live API (and the sandbox) answers with its generic 500', async () => {
  const { context, element } = await openElement({ 'inline-files': '' });
  await element.locator('input[type="file"]').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: PNG });
  await element.getByRole('button', { name: 'Attach file' }).click();
  await element.getByText('The server had a problem: Ooops! There was a problem', { exact: false }).waitFor();
  // Nothing is lost: the file is still chosen for another try.
  await element.locator('.nsc-file-card').waitFor();
  assert.equal(((await createdRecords(shared.stack)).files ?? []).length, 0);
  await context.close();
});
