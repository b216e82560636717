// The ES module API as a consumer meets it: the packed tarball installed in a plain page
// without a bundler (fixtures/plain-html, under a strict CSP), `init()` and `mount()`, the
// handle's `update` and `destroy`, the TypeErrors of wrong options, and the token's secrecy.
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

const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });
let LINK;
beforeEach(async () => {
  LINK = await storedFile(shared.stack.sandboxUrl, 'minutes.txt', 'minutes of the members meeting');
});

/** Opens the fixture page with every watch in place. */
async function open() {
  const context = await shared.browser.newContext();
  await watchLiveResources(context);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const consoleText = [];
  const requests = [];
  page.on('console', (message) => consoleText.push(message.text()));
  page.on('request', (request) => requests.push(request));
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, errors, consoleText, requests, panel: page.locator('#panel') };
}

function authorizations(requests, pathname) {
  return requests
    .filter((request) => new URL(request.url()).pathname === pathname)
    .map((request) => request.headers().authorization);
}

test('a plain ES module page imports the package, mounts the panel and attaches a file', async () => {
  const { context, page, errors, requests, panel } = await open();
  await attachByLink(panel, LINK, 'Minutes');
  await panel.getByRole('button', { name: 'Attach file' }).click();
  const success = panel.locator('.nsc-success');
  await success.waitFor();
  const fileId = Number(await success.getAttribute('data-file-id'));
  assert.ok(fileId > 0);

  // onCreated received plain data.
  const created = page.locator('#events li[data-event="created"]');
  assert.equal(await created.innerText(), `created ${JSON.stringify({ threadId: 1001, fileId, fileIds: [fileId] })}`);
  assert.deepEqual(authorizations(requests, FILES), [`Bearer ${TOKEN}`]);
  // The wasm came from the package's folder, next to its JS.
  assert.ok(requests.some((r) => r.url().endsWith('/node_modules/nexudus-start-conversation/nexudus-start-conversation_bg.wasm')));
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('wrong options throw a TypeError that names the option, and the module keeps working', async () => {
  const { context, page, errors } = await open();
  const results = await page.evaluate(() => {
    const { mount } = window.nsc;
    const attempt = (target, options) => {
      try {
        mount(target ?? document.createElement('div'), options);
        return { threw: false };
      } catch (error) {
        return { threw: true, type: error?.constructor?.name, message: String(error?.message) };
      }
    };
    return {
      businessId: attempt(undefined, { businessId: 'abc' }),
      baseUrl: attempt(undefined, { baseUrl: 'http://example.com' }),
      both: attempt(undefined, { token: 'x', getToken: async () => 'y' }),
      strings: attempt(undefined, { strings: { nope: 'x' } }),
      unknown: attempt(undefined, { threadID: 1001 }),
      locale: attempt(undefined, { locale: 'ja' }),
      limits: attempt(undefined, { limits: { maxBytes: 0 } }),
      notObject: attempt(undefined, 'threadId=1001'),
      selector: attempt('#panel', {}),
      plainObject: attempt({ id: 'panel' }, {}),
      occupied: attempt(document.getElementById('panel'), { threadId: 1001 }),
      secretValue: attempt(undefined, { token: { value: 'sandbox-member-token' } }),
    };
  });
  const expectations = {
    businessId: /option `businessId` must be a positive integer .*got "abc"/,
    baseUrl: /option `baseUrl` must be an absolute https: URL .*got "http:\/\/example\.com"/,
    both: /options `token` and `getToken` cannot both be given/,
    strings: /unknown key of option `strings`: `nope`/,
    unknown: /unknown option `threadID` \(did you mean `threadId`\?\)/,
    locale: /option `locale` must be "en", "fr", "de"/,
    limits: /option `limits\.maxBytes` must be a positive integer/,
    notObject: /the options must be an object, got a string/,
    selector: /needs a DOM Element as `element`, got "#panel"/,
    plainObject: /needs a DOM Element as `element`, got an object/,
    occupied: /already holds a panel/,
    secretValue: /option `token` must be a string, got an object/,
  };
  for (const [name, pattern] of Object.entries(expectations)) {
    const result = results[name];
    assert.equal(result.threw, true, `${name} should throw`);
    assert.equal(result.type, 'TypeError', `${name}: ${result.message}`);
    assert.match(result.message, /^nexudus-start-conversation: /, name);
    assert.match(result.message, pattern, name);
  }
  assert.ok(!results.secretValue.message.includes(TOKEN), 'a wrong token is never echoed');

  // No panic poisoned the module: a good mount still works.
  const mounted = await page.evaluate(async () => {
    const div = document.createElement('div');
    document.body.append(div);
    const panel = window.nsc.mount(div, { threadId: 1001, baseUrl: location.origin });
    // Yew renders on its scheduler, right after the current task.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const ok = div.querySelector('.nsc-panel') !== null;
    panel.destroy();
    return ok && div.childElementCount === 0;
  });
  assert.equal(mounted, true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('update() swaps the locale and the token without losing the draft; a wrong update changes nothing', async () => {
  const { context, page, requests, panel } = await open();
  await attachByLink(panel, LINK, 'Budget');
  await page.evaluate(() => window.nsc.panel.update({ locale: 'fr' }));
  await panel.getByRole('button', { name: 'Joindre le fichier' }).waitFor();
  assert.equal(await panel.locator('input[name="Name"]').inputValue(), 'Budget');
  assert.equal(await panel.locator('input[name="NewFileDataUrl"]').inputValue(), LINK);

  // A wrong update throws and leaves the panel as it was.
  const message = await page.evaluate(() => {
    try {
      window.nsc.panel.update({ threadId: 'one' });
      return null;
    } catch (error) {
      return `${error.constructor.name}: ${error.message}`;
    }
  });
  assert.match(message, /^TypeError: .*option `threadId`/);
  assert.equal(await panel.getByRole('button', { name: 'Joindre le fichier' }).count(), 1);

  // A getToken that gives an expired token first, then a good one when asked to refresh.
  await page.evaluate(() => {
    window.tokenCalls = [];
    window.nsc.panel.update({
      locale: 'en',
      getToken: async ({ refresh }) => {
        window.tokenCalls.push(refresh);
        return refresh ? 'sandbox-member-token' : 'sandbox-expired-token';
      },
    });
  });
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.locator('.nsc-success').waitFor();
  assert.deepEqual(await page.evaluate(() => window.tokenCalls), [false, true]);
  assert.deepEqual(authorizations(requests, FILES), ['Bearer sandbox-expired-token', `Bearer ${TOKEN}`]);
  await context.close();
});

test('destroy() removes the panel, its listeners, timers and object URLs, and aborts the request in flight', async () => {
  const { context, page, errors, requests } = await open();
  const baseline = await page.evaluate(() => {
    window.nsc.panel.destroy();
    return window.__nscLive();
  });
  // Mount a fresh panel, use it, and destroy it mid-request.
  await page.evaluate(() => {
    const host = document.createElement('div');
    host.id = 'second';
    document.body.append(host);
    window.second = window.nsc.mount(host, {
      baseUrl: location.origin,
      token: 'sandbox-member-token',
      threadId: 1001,
      uploadEndpoint: '/uploads',
      onCreated: () => {
        window.createdAfterDestroy = true;
      },
    });
  });
  const panel = page.locator('#second');
  await panel.locator('input[type="file"]').setInputFiles({
    name: 'dot.png',
    mimeType: 'image/png',
    buffer: Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  });
  await panel.locator('.nsc-file-card').waitFor();
  assert.ok((await liveResources(page)).objectUrls >= 1, 'the preview uses an object URL');
  await panel.locator('input[name="Name"]').fill('Dot');
  await fetch(new URL('/_sandbox/faults', shared.stack.sandboxUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'POST', path: FILES, delayMs: 5000 }),
  });
  const sent = page.waitForRequest((request) => request.url().endsWith(FILES));
  await panel.getByRole('button', { name: 'Attach file' }).click();
  const request = await sent;
  const failed = page.waitForEvent('requestfailed', { predicate: (r) => r === request, timeout: 4000 });
  await page.evaluate(() => window.second.destroy());
  await failed;

  assert.equal(await page.evaluate(() => document.getElementById('second').childElementCount), 0);
  assert.equal(await page.evaluate(() => window.second.destroyed), true);
  // Idempotent; an update afterwards says the panel is gone.
  const after = await page.evaluate(() => {
    window.second.destroy();
    try {
      window.second.update({ locale: 'fr' });
      return 'no error';
    } catch (error) {
      return error.message;
    }
  });
  assert.match(after, /this panel was destroyed/);
  const left = await eventually(async () => {
    const now = await liveResources(page);
    return now.listeners.length === baseline.listeners.length && now.timers.length === 0 && now.objectUrls === 0
      ? now
      : null;
  });
  assert.ok(left, `left behind: ${JSON.stringify(await liveResources(page))} (baseline ${JSON.stringify(baseline)})`);
  assert.deepEqual((await liveResources(page)).listeners.sort(), baseline.listeners.sort());
  assert.equal(await page.evaluate(() => window.createdAfterDestroy ?? false), false);
  assert.ok(requests.length > 0);
  assert.deepEqual(
    errors.filter((e) => !e.includes('Failed to load resource')),
    [],
  );
  await context.close();
});

test('the token never reaches the DOM, an attribute, web storage, the console or a URL', async () => {
  const { context, page, consoleText, requests, panel } = await open();
  await attachByLink(panel, LINK, 'Notes');
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.locator('.nsc-success').waitFor();
  // And an expired one, to go through the 401 path's messages too.
  await page.evaluate(() => window.nsc.panel.update({ token: 'sandbox-expired-token' }));
  await panel.getByRole('button', { name: /another/ }).click();
  await attachByLink(panel, LINK, 'Notes again');
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.locator('.nsc-error-summary [role="alert"]').waitFor();
  const snapshot = await pageSnapshot(page);
  for (const token of [TOKEN, 'sandbox-expired-token']) {
    assert.ok(!snapshot.includes(token), `${token} is not in the DOM, attributes or storage`);
    assert.ok(!requests.some((request) => request.url().includes(token)), `${token} is in no URL`);
    assert.ok(!consoleText.some((text) => text.includes(token)), `${token} is not in the console`);
  }
  await context.close();
});
