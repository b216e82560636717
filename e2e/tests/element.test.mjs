// The <nexudus-start-conversation> custom element from the packed tarball, in a plain page
// (fixtures/plain-html/element.html) whose CSP has no style-src at all: attributes and
// properties before and after its module loads, the token property, events crossing the
// shadow boundary, and removal leaving nothing behind.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  FIXTURES,
  useStack,
  watchPageErrors,
  watchLiveResources,
  liveResources,
  cspViolations,
  pageSnapshot,
  eventually,
  attachByLink,
  storedFile,
} from '../harness.mjs';

const TOKEN = 'sandbox-member-token';
const FILES = '/api/community/communitythreadfiles';
const EVENTS = ['nexudus:conversation-created', 'nexudus:attachment-failed', 'nexudus:error'];

const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });
let LINK;
beforeEach(async () => {
  LINK = await storedFile(shared.stack.sandboxUrl, 'plan.txt', 'floor plan, level 2');
});

/** Opens element.html; the element's module is not loaded yet. */
async function open() {
  const context = await shared.browser.newContext();
  await watchLiveResources(context);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const consoleText = [];
  const requests = [];
  page.on('console', (message) => consoleText.push(`${message.type()}: ${message.text()}`));
  page.on('request', (request) => requests.push(request));
  await page.goto(new URL('/element.html', shared.stack.pageUrl).href);
  await page.locator('body[data-ready="true"]').waitFor();
  // Record every event of the element as the document sees it.
  await page.evaluate((types) => {
    window.seen = [];
    for (const type of types) {
      document.addEventListener(type, (event) =>
        window.seen.push({
          type,
          target: event.target.id,
          bubbles: event.bubbles,
          composed: event.composed,
          plain: Object.getPrototypeOf(event.detail) === Object.prototype,
          detail: event.detail,
        }),
      );
    }
  }, EVENTS);
  return { context, page, errors, consoleText, requests, element: page.locator('#panel') };
}

const load = (page) => page.evaluate(() => window.loadElement());

test('attributes and properties set before the module loads apply when it does; events cross the shadow root', async () => {
  const { context, page, errors, requests, element } = await open();
  await page.evaluate((token) => {
    const el = document.getElementById('panel');
    el.setAttribute('base-url', location.origin);
    el.setAttribute('thread-id', '1001');
    el.token = token; // an own property of the not-yet-upgraded element
  }, TOKEN);
  assert.equal(await page.evaluate(() => customElements.get('nexudus-start-conversation')), undefined);
  await load(page);

  await element.locator('.nsc-panel').waitFor();
  assert.equal(await element.locator('.nsc-title').first().innerText(), 'Attach a file to the conversation');
  const state = await page.evaluate(() => {
    const el = document.getElementById('panel');
    return {
      open: el.shadowRoot !== null && el.shadowRoot.mode === 'open',
      ownToken: Object.prototype.hasOwnProperty.call(el, 'token'),
      token: el.token,
      styled: el.shadowRoot.adoptedStyleSheets.length,
      panelInShadow: el.shadowRoot.querySelector('.nsc-panel') !== null,
      panelInLight: el.querySelector('.nsc-panel') !== null,
    };
  });
  assert.deepEqual(state, { open: true, ownToken: false, token: undefined, styled: 1, panelInShadow: true, panelInLight: false });
  // The shadow styles apply although the page's CSP has no style-src.
  const border = await element.locator('.nsc-panel').evaluate((el) => getComputedStyle(el).borderTopStyle);
  assert.equal(border, 'solid');

  await attachByLink(element, LINK, 'Floor plan');
  await element.getByRole('button', { name: 'Attach file' }).click();
  const success = element.locator('.nsc-success');
  await success.waitFor();
  const fileId = Number(await success.getAttribute('data-file-id'));
  const authorizations = requests.filter((r) => r.url().endsWith(FILES)).map((r) => r.headers().authorization);
  assert.deepEqual(authorizations, [`Bearer ${TOKEN}`]);

  const seen = await eventually(() => page.evaluate(() => (window.seen.length ? window.seen : null)));
  assert.deepEqual(seen, [
    {
      type: 'nexudus:conversation-created',
      target: 'panel',
      bubbles: true,
      composed: true,
      plain: true,
      detail: { threadId: 1001, fileId, fileIds: [fileId] },
    },
  ]);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('importing the module fetches and compiles the .wasm before any element connects', async () => {
  const { context, page, errors, element } = await open();
  // No element on the page when the module loads: the .wasm is fetched all the same.
  await page.evaluate(() => document.getElementById('panel').remove());
  const wasm = page.waitForResponse((response) => response.url().endsWith('_bg.wasm'));
  await load(page);
  assert.equal((await wasm).status(), 200);
  await page.evaluate((token) => {
    const el = document.createElement('nexudus-start-conversation');
    el.id = 'panel';
    el.setAttribute('base-url', location.origin);
    el.setAttribute('thread-id', '1001');
    el.token = token;
    document.querySelector('main').append(el);
  }, TOKEN);
  await element.locator('.nsc-panel').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('attribute changes after load update the panel and keep the draft; a wrong one is a nexudus:error', async () => {
  const { context, page, element } = await open();
  await page.evaluate((token) => {
    const el = document.getElementById('panel');
    el.setAttribute('base-url', location.origin);
    el.setAttribute('thread-id', '1001');
    el.token = token;
  }, TOKEN);
  await load(page);
  await element.locator('input[name="Name"]').fill('Kept');

  await page.evaluate(() => document.getElementById('panel').setAttribute('locale', 'fr'));
  await element.getByRole('button', { name: 'Joindre le fichier' }).waitFor();
  assert.equal(await element.locator('input[name="Name"]').inputValue(), 'Kept');

  // A wrong attribute: the panel stays as it was and says why through nexudus:error.
  await page.evaluate(() => document.getElementById('panel').setAttribute('thread-id', 'abc'));
  const seen = await eventually(() => page.evaluate(() => (window.seen.length ? window.seen : null)));
  assert.equal(seen[0].type, 'nexudus:error');
  assert.equal(seen[0].detail.code, 'invalid-options');
  assert.match(seen[0].detail.message, /option `threadId` must be a positive integer/);
  assert.equal(await element.getByRole('button', { name: 'Joindre le fichier' }).count(), 1);

  // Properties reflect to attributes; start mode once the thread goes.
  await page.evaluate(() => {
    const el = document.getElementById('panel');
    el.threadId = null;
    el.businessId = 1;
    el.userId = 10;
    el.groupId = 1;
  });
  await element.locator('[name="Subject"]').waitFor();
  assert.equal(await page.evaluate(() => document.getElementById('panel').getAttribute('business-id')), '1');
  assert.equal(await element.getByRole('button', { name: 'Publier la discussion' }).count(), 1);
  await context.close();
});

test('the token is a property only: a token attribute is refused, removed and never used', async () => {
  const { context, page, consoleText, requests, element } = await open();
  await load(page);
  await page.evaluate(() => {
    const el = document.getElementById('panel');
    el.setAttribute('base-url', location.origin);
    el.setAttribute('thread-id', '1001');
    el.setAttribute('token', 'sandbox-member-token');
  });
  assert.equal(await page.evaluate(() => document.getElementById('panel').hasAttribute('token')), false);
  assert.ok(consoleText.some((text) => text.startsWith('warning: ') && text.includes('token attribute is ignored')));

  // Without the property the panel has no token: the API says 401.
  await attachByLink(element, LINK, 'No token');
  await element.getByRole('button', { name: 'Attach file' }).click();
  await element.locator('.nsc-error-summary [role="alert"]').waitFor();
  const authorization = requests.find((r) => r.url().endsWith(FILES))?.headers().authorization;
  assert.equal(authorization, undefined);

  // With it, the same draft goes through.
  await page.evaluate((token) => {
    document.getElementById('panel').token = token;
  }, TOKEN);
  await eventually(async () => (await element.getByRole('button', { name: 'Attach file' }).isEnabled()) || null);
  await element.getByRole('button', { name: 'Attach file' }).click();
  await element.locator('.nsc-success').waitFor();

  const snapshot = await pageSnapshot(page);
  assert.ok(snapshot.includes('nsc-success'), 'the snapshot reads the shadow root');
  assert.ok(!snapshot.includes(TOKEN), 'not in the DOM, shadow roots, attributes or storage');
  assert.ok(!requests.some((request) => request.url().includes(TOKEN)), 'in no URL');
  assert.ok(!consoleText.some((text) => text.includes(TOKEN)), 'not in the console');
  await context.close();
});

test('removing the element destroys the panel: no listeners, timers or object URLs left; a move keeps it', async () => {
  const { context, page, errors, element } = await open();
  const baseline = await liveResources(page);
  await page.evaluate((token) => {
    const el = document.getElementById('panel');
    el.setAttribute('base-url', location.origin);
    el.setAttribute('thread-id', '1001');
    el.setAttribute('upload-endpoint', '/uploads');
    el.token = token;
  }, TOKEN);
  await load(page);
  await element.locator('input[type="file"]').setInputFiles({
    name: 'dot.png',
    mimeType: 'image/png',
    buffer: Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  });
  await element.locator('.nsc-file-card').waitFor();
  await element.locator('input[name="Name"]').fill('Dot');
  const during = await liveResources(page);
  assert.ok(during.listeners.length > baseline.listeners.length, 'the panel listens while mounted');
  assert.ok(during.objectUrls >= 1, 'the preview uses an object URL');

  // A move within one task keeps the panel and its draft.
  await page.evaluate(() => {
    const el = document.getElementById('panel');
    const box = document.createElement('section');
    document.querySelector('main').append(box);
    box.append(el);
  });
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50)));
  assert.equal(await element.locator('input[name="Name"]').inputValue(), 'Dot');

  await page.evaluate(() => document.getElementById('panel').remove());
  const left = await eventually(async () => {
    const now = await liveResources(page);
    return now.listeners.length === baseline.listeners.length && now.timers.length === 0 && now.objectUrls === 0
      ? now
      : null;
  });
  assert.ok(left, `left behind: ${JSON.stringify(await liveResources(page))} (baseline ${JSON.stringify(baseline)})`);
  assert.deepEqual(left.listeners.sort(), baseline.listeners.sort());
  assert.deepEqual(errors, []);
  await context.close();
});

test('inside the shadow root the error summary takes focus and its links focus their fields', async () => {
  const { context, page, element } = await open();
  await load(page);
  await page.evaluate((token) => {
    const el = document.getElementById('panel');
    el.setAttribute('base-url', location.origin);
    el.setAttribute('thread-id', '1001');
    el.token = token;
  }, TOKEN);
  await element.getByRole('button', { name: 'Attach file' }).click();
  const summary = element.locator('.nsc-error-summary');
  await summary.waitFor();
  const focused = () => page.evaluate(() => {
    const active = document.getElementById('panel').shadowRoot.activeElement;
    return active && (active.getAttribute('name') || active.className);
  });
  assert.match(await focused(), /nsc-error-summary/);
  await summary.getByRole('link', { name: 'Choose a file or give a link to one' }).click();
  assert.equal(await focused(), 'NewFileDataUrl');
  await context.close();
});
