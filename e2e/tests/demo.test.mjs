// The trunk demo as a visitor uses it: panels through the public API (#start-panel and
// #attach-panel with mount(), #element-panel as the custom element; #member-panel, through
// the host backend, has its own test in host-proxy.test.mjs) under a strict CSP,
// the token field, the locale switch, the sandbox's fault switches, the uploader backed by
// the sandbox's upload store, and the live log of the events the panels emit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PNG,
  openDemoPage,
  useStack,
  cspViolations,
  attachByLink,
  storedFile,
  eventually,
} from '../harness.mjs';

const FILES = '/api/community/communitythreadfiles';
// The demo's panels share one token, so their first requests come in a burst: no throttle.
const shared = useStack({ sandboxArgs: ['--no-throttle'] });

async function openDemo() {
  const opened = await openDemoPage(shared);
  return { ...opened, log: opened.page.locator('#event-log') };
}

/** The log's entries for one source and event. */
function logged(log, source, event) {
  return log.locator(`li[data-source="${source}"][data-event="${event}"]`);
}

test('the demo shows both modes and the element under a CSP without unsafe-inline or unsafe-eval', async () => {
  const { context, page, errors } = await openDemo();
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval'(?<!wasm-unsafe-eval')/);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');

  await page.locator('#start-panel [name="Subject"]').waitFor();
  await page.locator('#attach-panel [name="Name"]').waitFor();
  await page.locator('#element-panel [name="Subject"]').waitFor();
  assert.equal(await page.locator('#element-panel').evaluate((el) => el.shadowRoot?.mode), 'open');
  // The element's board is fixed by its group-id attribute: no picker.
  assert.equal(await page.locator('#element-panel select[name="CommunityGroupId"]').count(), 0);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('start mode with a picture goes through the uploader: POST /uploads, PUT with progress, then the API', async () => {
  const { context, page, errors, requests, log } = await openDemo();
  const panel = page.locator('#start-panel');
  await panel.locator('[name="Subject"]').fill('Lost and found');
  await panel.locator('[name="Message"]').fill('A blue umbrella is waiting at reception.');
  await panel.locator('input[type="file"]').setInputFiles({ name: 'umbrella.png', mimeType: 'image/png', buffer: PNG });
  await panel.locator('[name="Name"]').fill('Umbrella');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  const success = panel.locator('.nsc-success');
  await success.waitFor();
  const threadId = Number(await success.getAttribute('data-thread-id'));
  const fileId = Number(await success.getAttribute('data-file-id'));
  assert.ok(threadId > 0 && fileId > 0);

  const sent = requests.map((r) => `${r.method()} ${new URL(r.url()).pathname}`);
  const upload = sent.indexOf('POST /uploads');
  const put = sent.findIndex((line) => line.startsWith('PUT /uploads/'));
  const attach = sent.indexOf(`POST ${FILES}`);
  assert.ok(upload >= 0 && put > upload && attach > put, sent.join('\n'));
  // The API was given the upload store's public URL, not a data: URL.
  const body = JSON.parse(requests[attach].postData());
  assert.match(body.NewFileDataUrl, /\/uploads\/[^/]+\/umbrella\.png$/);

  await logged(log, 'start-panel', 'onCreated').waitFor();
  assert.deepEqual(
    JSON.parse(await logged(log, 'start-panel', 'onCreated').locator('code').innerText()),
    { threadId, fileId, fileIds: [fileId] },
  );
  // The conversation link follows conversationUrl.
  assert.equal(await success.getByRole('link').getAttribute('href'), `#/conversations/${threadId}`);
  // The preview (blob:) and the progress bar kept within the CSP.
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the token field applies a new token to every panel through update()', async () => {
  const { context, page, requests, log } = await openDemo();
  await page.locator('#token').fill('sandbox-expired-token');
  await page.getByRole('button', { name: 'Use this token' }).click();
  await logged(log, 'page', 'token applied').waitFor();

  const panel = page.locator('#attach-panel');
  await attachByLink(panel, await storedFile(shared.stack.sandboxUrl), 'Notes');
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await logged(log, 'attach-panel', 'onError').waitFor();
  assert.equal(JSON.parse(await logged(log, 'attach-panel', 'onError').locator('code').innerText()).code, 'unauthorized');
  const sent = requests.filter((r) => r.url().endsWith(FILES)).map((r) => r.headers().authorization);
  assert.deepEqual(sent, ['Bearer sandbox-expired-token']);

  // Emptying the field goes back to the demo token: the same draft goes through.
  await page.locator('#token').fill('');
  await page.getByRole('button', { name: 'Use this token' }).click();
  await eventually(async () => (await logged(log, 'page', 'token applied').count()) === 2 || null);
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.locator('.nsc-success').waitFor();
  await context.close();
});

test('the locale switch re-renders every panel in French and keeps the drafts', async () => {
  const { context, page, errors } = await openDemo();
  await page.locator('#start-panel [name="Subject"]').fill('Ménage de printemps');
  await page.locator('#element-panel [name="Subject"]').fill('Élément');
  await page.getByLabel('Français').check();
  await page.locator('#start-panel').getByRole('button', { name: 'Publier la discussion' }).waitFor();
  await page.locator('#attach-panel').getByRole('button', { name: 'Joindre le fichier' }).waitFor();
  await page.locator('#element-panel').getByRole('button', { name: 'Publier la discussion' }).waitFor();
  assert.equal(await page.locator('#start-panel [name="Subject"]').inputValue(), 'Ménage de printemps');
  assert.equal(await page.locator('#element-panel [name="Subject"]').inputValue(), 'Élément');
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a fault switch makes the next attach fail, and the log shows the error event', async () => {
  const { context, page, log } = await openDemo();
  await page.locator('#fault-endpoint').selectOption('POST /api/community/communitythreadfiles');
  await page.locator('#fault-kind').selectOption('server');
  await page.getByRole('button', { name: 'Arm' }).click();
  await logged(log, 'sandbox', 'fault armed').waitFor();

  const panel = page.locator('#attach-panel');
  await attachByLink(panel, await storedFile(shared.stack.sandboxUrl), 'Notes');
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await logged(log, 'attach-panel', 'onError').waitFor();
  const detail = JSON.parse(await logged(log, 'attach-panel', 'onError').locator('code').innerText());
  assert.equal(detail.code, 'server');
  assert.match(await panel.locator('.nsc-error-summary').innerText(), /server/i);
  // The fault was used up: trying again attaches.
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.locator('.nsc-success').waitFor();
  await context.close();
});

test('the custom element posts with its token property, and its events reach the log from the shadow root', async () => {
  const { context, page, errors, log } = await openDemo();
  const element = page.locator('#element-panel');
  await element.locator('[name="Subject"]').fill('Board games night');
  await element.locator('[name="Message"]').fill('Thursday, 7 pm, kitchen.');
  await element.getByRole('button', { name: 'Post conversation' }).click();
  await element.locator('.nsc-success').waitFor();
  const entry = logged(log, 'element-panel', 'nexudus:conversation-created');
  await entry.waitFor();
  const detail = JSON.parse(await entry.locator('code').innerText());
  assert.equal(detail.fileId, null);
  const created = await (await fetch(new URL('/_sandbox/created', shared.stack.sandboxUrl))).json();
  const thread = created.threads.find((t) => t.Id === detail.threadId);
  assert.equal(thread?.CommunityGroupId, 1, 'posted on the board the group-id attribute fixes');
  assert.deepEqual(errors, []);
  await context.close();
});
