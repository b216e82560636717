// Issue 22: the panel's promises under hostile input, end to end with the packed package's
// mount API (fixtures/plain-html) against the sandbox. Each test names the defect it pins:
// one host event per ending of a submission (3, 4), the presigned ticket's addresses and
// headers checked before a byte leaves (6, 8, 11), files already stored reused on a retry
// (8), the member's token blanked out of server text (7), a refused file blocking Post and
// the limits applied to the cleaned photo (9), the missing files named after a new mount
// (11). Every wait is on DOM state, the page's events or the sandbox's records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, useStack, watchPageErrors, armFault, createdRecords, attachmentBytes, eventually } from '../harness.mjs';
import { greyJpeg, jpegWith, exifSegment, leaks } from '../support/images.js';

const FILES = '/api/community/communitythreadfiles';
const THREADS = '/api/community/communitythreads';
const TOKEN = 'sandbox-member-token';
const START = { businessId: 1, userId: 10, groupId: 1, uploadEndpoint: '/uploads' };

const requests = [];
const shared = useStack({
  root: path.join(FIXTURES, 'plain-html'),
  sandboxArgs: ['--no-throttle'],
  onRequest: ({ method, path: at }) => requests.push(`${method} ${at}`),
});
const fault = (spec) => armFault(shared.stack, spec);
const live = (list) => (list ?? []).filter((record) => !record.Deleted);
const textFile = (name) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(`the contents of ${name}`) });
const names = (count) => Array.from({ length: count }, (_, i) => `file${i + 1}.txt`);

/** A fresh page with a panel in `#under-test` (options merged over START); host events in `window.hostEvents`. */
async function mountPanel(options = {}) {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.evaluate(mount, { token: TOKEN, ...START, ...options });
  const panel = page.locator('#under-test');
  await panel.locator('.nsc-panel').waitFor();
  requests.length = 0;
  return { context, page, panel, errors };
}

/** In the page: mounts the panel into a new `#under-test`, recording every host event. */
function mount(options) {
  document.getElementById('under-test')?.remove();
  const div = document.createElement('div');
  div.id = 'under-test';
  document.body.append(div);
  window.hostEvents ??= [];
  window.handle = window.nsc.mount(div, {
    baseUrl: location.origin,
    timeoutMs: 10000,
    ...options,
    onCreated: (detail) => window.hostEvents.push(['created', detail]),
    onAttachFailed: (detail) => window.hostEvents.push(['attach-failed', detail]),
    onError: (detail) => window.hostEvents.push(['error', detail]),
  });
}

const hostEvents = (page) => page.evaluate(() => window.hostEvents);

async function writeAndChoose(panel, files, subject = 'Minutes') {
  await panel.locator('[name="Subject"]').fill(subject);
  await panel.locator('[name="Message"]').fill('Read before Friday.');
  await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles(files);
  if (files.length > 1) await panel.locator('.nsc-card').nth(files.length - 2).waitFor();
}

test('defects 3, 4: a partial failure is one attach-failed event; Keep is one created event with the Ids that exist', async () => {
  const { context, page, panel } = await mountPanel({ maxFiles: 3 });
  await writeAndChoose(panel, ['minutes.txt', 'agenda.txt', 'menu.txt'].map(textFile));
  await fault({ method: 'POST', path: FILES, whenBody: { Name: 'agenda' }, fieldErrors: [{ propertyName: 'Name', message: 'is not allowed' }] });
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.getByRole('button', { name: 'Keep it without the missing attachments' }).waitFor();
  const added = live((await createdRecords(shared.stack)).files);
  assert.equal(added.length, 2);
  const ids = added.map((file) => file.Id).sort();
  let events = await hostEvents(page);
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0][0], 'attach-failed');
  assert.deepEqual([...events[0][1].fileIds].sort(), ids);
  assert.deepEqual(events[0][1].missing, ['agenda']);

  await panel.getByRole('button', { name: 'Keep it without the missing attachments' }).click();
  await panel.locator('.nsc-success').waitFor();
  events = await hostEvents(page);
  assert.equal(events.length, 2, JSON.stringify(events));
  assert.equal(events[1][0], 'created');
  assert.deepEqual([...events[1][1].fileIds].sort(), ids, 'the Ids that exist');
  assert.ok(ids.includes(events[1][1].fileId));
  await context.close();
});

/** Nine files whose second attach is held at the server until `held` is reached; resolves once the first is added. */
async function nineFilesHeld(page, panel) {
  await writeAndChoose(panel, names(9).map(textFile));
  await fault({ method: 'POST', path: FILES, skip: 1, delayMs: 4000 });
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  const first = await eventually(async () => live((await createdRecords(shared.stack)).files).length === 1, 10000);
  assert.ok(first, 'the first file was added');
  await eventually(() => requests.filter((line) => line === `POST ${FILES}`).length === 2, 5000);
}

test('defect 4: one Cancel during the attaches is one attach-failed event naming the eight files missing', async () => {
  const { context, page, panel } = await mountPanel({ maxFiles: 9 });
  await nineFilesHeld(page, panel);
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await panel.getByRole('button', { name: 'Keep it without the missing attachments' }).waitFor();
  const events = await hostEvents(page);
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0][0], 'attach-failed');
  assert.equal(events[0][1].fileIds.length, 1);
  assert.deepEqual(events[0][1].missing, names(9).slice(1).map((name) => name.replace('.txt', '')));
  // The held attach was never followed by another.
  assert.equal(requests.filter((line) => line === `POST ${FILES}`).length, 2, requests.join('\n'));
  await context.close();
});

test('defect 4: destroy() during the attaches: no callback runs afterwards', async () => {
  const { context, page, panel } = await mountPanel({ maxFiles: 9 });
  await nineFilesHeld(page, panel);
  await page.evaluate(() => window.handle.destroy());
  // The held attach completes at the server; by then the panel's run has long ended.
  assert.ok(await eventually(async () => live((await createdRecords(shared.stack)).files).length === 2, 10000));
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  assert.deepEqual(await hostEvents(page), []);
  await context.close();
});

test('defect 11: after a new mount with draftKey the missing files are named, not "the attachment"', async () => {
  const { context, page, panel } = await mountPanel({ maxFiles: 3, draftKey: 'hostile' });
  await writeAndChoose(panel, ['minutes.txt', 'agenda.txt', 'menu.txt'].map(textFile));
  await fault({ method: 'POST', path: FILES, whenBody: { Name: 'agenda' }, fieldErrors: [{ propertyName: 'Name', message: 'is not allowed' }] });
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-error-summary').getByText('2 of 3 attachments added').waitFor();
  await page.evaluate(() => window.handle.destroy());
  await page.evaluate(mount, { token: TOKEN, ...START, maxFiles: 3, draftKey: 'hostile' });
  const summary = page.locator('#under-test .nsc-error-summary');
  await summary.waitFor();
  const text = await summary.innerText();
  assert.match(text, /2 of 3 attachments added\. Not added: agenda\./);
  assert.doesNotMatch(text, /the attachment was not added/);
  await context.close();
});

test('defect 8: a failed ticket, then a retry: the files already stored are not uploaded again', async () => {
  const { context, panel } = await mountPanel({ maxFiles: 10 });
  await writeAndChoose(panel, names(10).map(textFile));
  await fault({ method: 'POST', path: '/uploads', skip: 4, status: 500, body: '{"Message":"storage hiccup"}' });
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-error-summary').waitFor();
  const putsBefore = requests.filter((line) => line.startsWith('PUT /uploads/')).length;
  assert.ok(putsBefore >= 4, requests.join('\n'));
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-success').waitFor();
  const puts = requests.filter((line) => line.startsWith('PUT /uploads/')).length;
  assert.equal(puts, 10, `each file uploaded once (was 19 for 10):\n${requests.join('\n')}`);
  assert.equal(live((await createdRecords(shared.stack)).files).length, 10);
  await context.close();
});

/** Answers the panel's ticket request with `ticket`, recording every request the page makes. */
async function withTicket(page, ticket) {
  const seen = [];
  page.on('request', (request) => seen.push(`${request.method()} ${request.url()}`));
  await page.route('**/uploads', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(ticket) })
      : route.continue(),
  );
  return seen;
}

for (const { defect, ticket, expect } of [
  { defect: '6: an uploadUrl over plain http to another machine', ticket: { uploadUrl: 'http://storage.example/put/1', fileUrl: 'https://cdn.example/1' }, expect: /uploadUrl/ },
  { defect: '8: a fileUrl Nexudus could not download', ticket: { uploadUrl: '/uploads/never', fileUrl: 'http://cdn.example/1' }, expect: /fileUrl/ },
  { defect: '11: a header value with a line break', ticket: { uploadUrl: '/uploads/never', fileUrl: 'https://cdn.example/1', headers: { 'x-note': 'one\r\nInjected: two' } }, expect: /header `x-note` has a value that cannot be sent \(a line break/ },
]) {
  test(`defect ${defect} is refused before any byte leaves, and said so`, async () => {
    const { context, page, panel } = await mountPanel();
    const seen = await withTicket(page, ticket);
    await writeAndChoose(panel, [textFile('minutes.txt')]);
    await panel.getByRole('button', { name: 'Post conversation' }).click();
    const summary = panel.locator('.nsc-error-summary');
    await summary.waitFor();
    const text = await summary.innerText();
    assert.match(text, expect);
    assert.doesNotMatch(text, /at most 20 texts|Injected/);
    assert.ok(!seen.some((line) => line.startsWith('PUT ') || line.includes('storage.example')), seen.join('\n'));
    assert.equal(live((await createdRecords(shared.stack)).threads).length, 0);
    await context.close();
  });
}

test('defect 7: server text echoing the token shows it nowhere, also where the 300-character cut falls inside it', async () => {
  const { context, page, panel } = await mountPanel();
  // The second echo straddles the cut at 300 characters.
  const message = `Bad token ${TOKEN}. ${'x'.repeat(300 - 22 - TOKEN.length - 8)}${TOKEN} and ${TOKEN}`;
  await fault({ method: 'POST', path: THREADS, status: 500, body: JSON.stringify({ Message: message }) });
  await panel.locator('[name="Subject"]').fill('Echo');
  await panel.locator('[name="Message"]').fill('Echo');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  const summary = panel.locator('.nsc-error-summary');
  await summary.waitFor();
  const html = await page.content();
  const shown = await panel.innerText();
  for (const piece of [TOKEN, TOKEN.slice(0, 12), TOKEN.slice(-12)]) {
    assert.ok(!shown.includes(piece) && !html.includes(piece), `"${piece}" is shown`);
  }
  assert.match(shown, /Bad token \[hidden\]/);
  await context.close();
});

test('defect 9: an empty file stays on its card and blocks Post until removed; a photo too big is measured once cleaned', async () => {
  const { context, page, panel } = await mountPanel({ limits: { maxBytes: 1_000_000 } });
  await panel.locator('[name="Subject"]').fill('Refused');
  await panel.locator('[name="Message"]').fill('Refused');
  await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles([{ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) }]);
  await panel.locator('.nsc-file-card').waitFor();
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-error-summary').getByText('The selected file is empty').waitFor();
  assert.equal(requests.filter((line) => line.includes(THREADS)).length, 0, 'nothing posted');
  await panel.getByRole('button', { name: 'Remove' }).click();

  // 2.6 MB chosen (a JPEG padded with 40 APP segments of 64 KB, and GPS), a few hundred
  // bytes once cleaned: under the 1 MB limit, so it is taken and sent.
  const padding = Array.from({ length: 40 }, () => Buffer.concat([Buffer.from([0xff, 0xe5, 0xff, 0xff]), Buffer.alloc(65533)]));
  const photo = Buffer.from(jpegWith(greyJpeg(64, 64), exifSegment(), ...padding));
  assert.ok(photo.length > 2_500_000);
  await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles([{ name: 'padded.jpg', mimeType: 'image/jpeg', buffer: photo }]);
  await panel.getByText('location data removed').waitFor();
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-success').waitFor();
  const [file] = live((await createdRecords(shared.stack)).files);
  const stored = await attachmentBytes(shared.stack, file.Id);
  assert.ok(stored.length < 1_000_000, `${stored.length} bytes sent`);
  assert.deepEqual(leaks(stored), []);
  await context.close();
});

test('defect 4: one host event for each other ending: success, a failure before the conversation, a Cancel during the upload', async (t) => {
  const endings = [
    { ending: 'created', arm: null, act: (panel) => panel.locator('.nsc-success').waitFor() },
    {
      ending: 'error',
      arm: { method: 'POST', path: THREADS, status: 500, body: '{"Message":"An error has occurred."}' },
      act: (panel) => panel.locator('.nsc-error-summary').waitFor(),
    },
    {
      ending: 'error',
      arm: { method: 'POST', path: '/uploads', delayMs: 4000 },
      act: async (panel) => {
        await panel.getByRole('button', { name: 'Cancel' }).click();
        await panel.getByText('Cancelled').first().waitFor();
      },
    },
  ];
  for (const { ending, arm, act } of endings) {
    await t.test(`${ending}${arm ? ` (${arm.path} ${arm.status ?? 'held'})` : ''}`, async () => {
      const { context, page, panel } = await mountPanel({ maxFiles: 3 });
      await writeAndChoose(panel, ['minutes.txt', 'agenda.txt', 'menu.txt'].map(textFile));
      if (arm) await fault(arm);
      await panel.getByRole('button', { name: 'Post conversation' }).click();
      await act(panel);
      const events = await hostEvents(page);
      assert.deepEqual(events.map(([name]) => name), [ending], JSON.stringify(events));
      if (ending === 'created') assert.equal(events[0][1].fileIds.length, 3);
      await context.close();
    });
  }
});

test('defect 4: the element removed during the attaches dispatches no event', async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL('/element.html', shared.stack.pageUrl).href);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.evaluate((token) => {
    const el = document.getElementById('panel');
    for (const [name, value] of Object.entries({ 'base-url': location.origin, 'business-id': '1', 'user-id': '10', 'group-id': '1', 'upload-endpoint': '/uploads', 'max-files': '9' })) {
      el.setAttribute(name, value);
    }
    el.token = token;
    window.hostEvents = [];
    for (const type of ['nexudus:conversation-created', 'nexudus:attachment-failed', 'nexudus:error']) {
      document.addEventListener(type, (event) => window.hostEvents.push([type, event.detail]));
      el.addEventListener(type, (event) => window.hostEvents.push([`on the element: ${type}`, event.detail]));
    }
  }, TOKEN);
  await page.evaluate(() => window.loadElement());
  const panel = page.locator('#panel');
  await panel.locator('.nsc-panel').waitFor();
  requests.length = 0;
  await nineFilesHeld(page, panel);
  await page.evaluate(() => document.getElementById('panel').remove());
  assert.ok(await eventually(async () => live((await createdRecords(shared.stack)).files).length === 2, 10000));
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  assert.deepEqual(await hostEvents(page), []);
  await context.close();
});
