// The panel through the host backend, as the exactly-once tests drive it: the packed package's
// plain page (fixtures/plain-html), the member's session from the stand-in login, the backend at
// /host/ on the page's origin, `idempotencyKeys` on. Every wait is on DOM state.
import assert from 'node:assert/strict';
import { watchPageErrors } from './harness.mjs';

/** Opens the fixture page; records every write to the backend and its answer. */
export async function open(shared) {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const warnings = [];
  page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
  const writes = [];
  page.on('response', async (response) => {
    const request = response.request();
    if (!new URL(request.url()).pathname.startsWith('/host/api/') || request.method() === 'GET') return;
    writes.push({
      method: request.method(),
      path: new URL(request.url()).pathname.slice('/host'.length),
      key: (await request.allHeaders())['idempotency-key'],
      status: response.status(),
      replayed: response.headers()['idempotent-replayed'],
    });
  });
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, errors, warnings, writes };
}

/** Mounts a panel through the backend, with keys on, in a new element `#id`. */
export async function mountPanel(page, options = {}, id = 'under-test') {
  await page.evaluate(
    ({ options, id }) => {
      const div = document.createElement('div');
      div.id = id;
      document.body.append(div);
      window.hostEvents ??= [];
      window.handles ??= {};
      window.handles[id] = window.nsc.mount(div, {
        baseUrl: `${location.origin}/host`,
        getToken: () => fetch('/login/session').then((answer) => answer.text()),
        uploadEndpoint: '/host/uploads',
        idempotencyKeys: true,
        timeoutMs: 10000,
        ...options,
        onError: (detail) => window.hostEvents.push(['error', detail]),
        onCreated: (detail) => window.hostEvents.push(['created', detail]),
        onAttachFailed: (detail) => window.hostEvents.push(['attach-failed', detail]),
      });
    },
    { options, id },
  );
  const panel = page.locator(`#${id}`);
  await panel.locator('.nsc-panel').waitFor();
  return panel;
}

export async function write(panel, subject, message = 'Who is in?') {
  await panel.locator('[name="Subject"]').fill(subject);
  await panel.locator('[name="Message"]').fill(message);
}

export async function submit(panel) {
  await panel.locator('button[type="submit"]:not([disabled])').click();
}

export async function failedWith(panel, text) {
  await panel.locator('.nsc-error-summary', { hasText: text }).waitFor();
  await panel.locator('button[type="submit"]:not([disabled])').waitFor();
}

/** The panel still holds what the member wrote and the file card. */
export async function assertKept(panel, subject, message) {
  assert.equal(await panel.locator('[name="Subject"]').inputValue(), subject);
  assert.equal(await panel.locator('[name="Message"]').inputValue(), message);
  await panel.locator('.nsc-file-card').waitFor();
}

export async function success(panel) {
  const done = panel.locator('.nsc-success');
  await done.waitFor({ timeout: 30_000 });
  const fileId = await done.getAttribute('data-file-id');
  return { threadId: Number(await done.getAttribute('data-thread-id')), fileId: fileId && Number(fileId) };
}

export const writesTo = (writes, path) => writes.filter((w) => w.method === 'POST' && w.path === path);
