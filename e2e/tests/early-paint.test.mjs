// The first frame painted before the .wasm loads (js/paint.js, prerendered by prerender/),
// from the packed tarball in the plain page of fixtures/plain-html under its strict CSP.
// The .wasm is held back by the test until it says so, so everything here happens in the
// window a member on a slow phone has: typing, choosing, dropping a file, pressing Post.
// Then the live panel takes over, and must keep all of it and post exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { FIXTURES, PNG, useStack, watchPageErrors, watchLiveResources, cspViolations, createdRecords, resetSandbox, eventually } from '../harness.mjs';

const TOKEN = 'sandbox-member-token';
const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });
const PACKAGE = './node_modules/nexudus-start-conversation';

/**
 * Opens element.html with the .wasm held back until `release()` (or refused with `failWasm`).
 * `wasmDone` resolves once the .wasm has been answered.
 */
async function open({ failWasm = false } = {}) {
  await resetSandbox(shared.stack.sandboxUrl);
  const context = await shared.browser.newContext();
  await watchLiveResources(context);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  let answered;
  const wasmDone = new Promise((resolve) => (answered = resolve));
  await page.route('**/*_bg.wasm', async (route) => {
    if (failWasm) await route.fulfill({ status: 503, body: 'down' });
    else {
      await gate;
      await route.continue();
    }
    answered();
  });
  await page.goto(new URL('/element.html', shared.stack.pageUrl).href);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, errors, release, wasmDone, element: page.locator('#panel') };
}

/** Configures the page's element for the sandbox, then loads its module. */
async function loadElement(page, attributes) {
  await page.evaluate(
    ({ token, attributes }) => {
      const el = document.getElementById('panel');
      el.setAttribute('base-url', location.origin);
      for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
      el.token = token;
      window.errors = [];
      el.addEventListener('nexudus:error', (event) => window.errors.push(event.detail));
      // What is on screen when the element says the live panel is: no early frame left.
      window.ready = [];
      el.addEventListener('nexudus:ready', () =>
        window.ready.push({
          early: el.shadowRoot.querySelectorAll('[data-nsc-early]').length,
          hidden: el.shadowRoot.querySelectorAll('.nsc-root[hidden]').length,
          panels: el.shadowRoot.querySelectorAll('.nsc-panel').length,
        }),
      );
      return window.loadElement();
    },
    { token: TOKEN, attributes },
  );
}

/** Whether the element's panel is the live one (its ids are numbered from 1, the shell's 0). */
const isLive = (page) =>
  page.evaluate(() => {
    const title = document.getElementById('panel').shadowRoot.querySelector('.nsc-title');
    return title !== null && !title.id.startsWith('nsc0');
  });

/** Drops or pastes a PNG named `name` on `target`, as the browser would; whether it was taken. */
const giveFile = (target, type, name) =>
  target.evaluate(
    (node, { type, name, bytes }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
      const init = { bubbles: true, cancelable: true, composed: true };
      const event = type === 'drop' ? new DragEvent('drop', { ...init, dataTransfer: data }) : new ClipboardEvent('paste', { ...init, clipboardData: data });
      node.dispatchEvent(event);
      return event.defaultPrevented;
    },
    { type, name, bytes: [...PNG] },
  );

const START = { 'early-paint': '', 'business-id': '1', 'user-id': '10', 'group-id': '1', 'upload-endpoint': '/uploads' };

test('typed, chosen and posted before the .wasm loads: kept, focused, and posted exactly once', async () => {
  const { context, page, errors, release, wasmDone, element } = await open();
  await loadElement(page, START);

  // The frame is there while the .wasm is still held back.
  await element.locator('form').waitFor();
  assert.equal(await isLive(page), false);
  await element.getByLabel('Subject').fill('Lost umbrella');
  await element.getByLabel('Message').fill('A black one, by the coffee machine.');
  await element.locator('input[type="file"]').setInputFiles({ name: 'umbrella.png', mimeType: 'image/png', buffer: PNG });
  // Enter in the tag field adds a tag in the live panel: here it must not post.
  await element.getByLabel('Tags (optional)').fill('lost-and-found');
  await element.getByLabel('Tags (optional)').press('Enter');
  assert.equal(await element.locator('form[aria-busy="true"]').count(), 0, 'Enter in the tag field did not post');
  await element.getByRole('button', { name: 'Post conversation' }).click();
  await element.getByLabel('Message').focus();
  await element.getByLabel('Message').evaluate((textarea) => textarea.setSelectionRange(2, 7));
  assert.equal(await element.locator('form[aria-busy="true"]').count(), 1, 'the Post is shown as pending');
  assert.equal(await element.locator('.nsc-status').innerText(), 'Posting your conversation…');
  assert.equal(await element.getByRole('button', { name: 'Post conversation' }).isDisabled(), true);
  assert.equal((await createdRecords(shared.stack)).threads?.length ?? 0, 0);

  release();
  await wasmDone;
  const success = element.locator('.nsc-success');
  await success.waitFor();
  const { threads, files } = await createdRecords(shared.stack);
  assert.equal(threads.length, 1, 'one conversation');
  assert.equal(threads[0].Subject, 'Lost umbrella');
  assert.equal(threads[0].Message, 'A black one, by the coffee machine.');
  assert.equal(threads[0].Tags, 'lost-and-found');
  assert.equal(files.length, 1, 'the picture chosen in the frame is attached');
  assert.deepEqual(await page.evaluate(() => window.errors), []);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the focus and the caret move to the live panel, which alone remains', async () => {
  const { context, page, errors, release, wasmDone, element } = await open();
  await loadElement(page, START);
  const subject = element.getByLabel('Subject');
  await subject.fill('Board games night');
  await subject.evaluate((input) => input.setSelectionRange(6, 11));
  release();
  await wasmDone;
  await eventually(() => isLive(page));
  const seen = await page.evaluate(() => {
    const root = document.getElementById('panel').shadowRoot;
    const active = root.activeElement;
    return {
      panels: root.querySelectorAll('.nsc-panel').length,
      forms: root.querySelectorAll('form').length,
      focused: active?.name,
      value: active?.value,
      selection: [active?.selectionStart, active?.selectionEnd],
    };
  });
  assert.deepEqual(seen, { panels: 1, forms: 1, focused: 'Subject', value: 'Board games night', selection: [6, 11] });
  assert.deepEqual(await eventually(() => page.evaluate(() => (window.ready.length ? window.ready : null))), [{ early: 0, hidden: 0, panels: 1 }]);
  // Typing goes on in the live panel from where the caret was.
  await page.keyboard.type('s');
  assert.equal(await subject.inputValue(), 'Board s night');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file dropped or pasted on the frame is the live panel\'s; "Link to a file instead" carries over', async () => {
  const { context, page, errors, release, wasmDone, element } = await open();
  await loadElement(page, START);
  await element.locator('.nsc-drop-zone').waitFor();
  // A drop the page did not take would make the browser open the file in its place.
  assert.equal(await giveFile(element.locator('.nsc-drop-zone'), 'drop', 'map.png'), true, 'the drop is taken');
  release();
  await wasmDone;
  await eventually(() => isLive(page));
  await element.getByText('map.png').first().waitFor();

  // The switch to a link, pressed before the .wasm, is made on the live panel.
  const second = await open();
  await loadElement(second.page, START);
  await second.element.getByRole('button', { name: 'Link to a file instead' }).click();
  second.release();
  await second.wasmDone;
  await second.element.locator('input[type="url"][name="NewFileDataUrl"]').waitFor();

  // A picture pasted where files cannot go is refused by the live panel, with its reason.
  const third = await open();
  await loadElement(third.page, { 'early-paint': '', 'thread-id': '1001' });
  assert.equal(await giveFile(third.element.locator('input[type="url"]'), 'paste', 'photo.png'), true, 'the paste is taken');
  third.release();
  await third.element.locator('input[type="url"][aria-invalid="true"]').waitFor();
  await third.element.getByText('Files can’t be attached from this page.').first().waitFor();

  assert.deepEqual(errors, []);
  assert.deepEqual(second.errors, []);
  assert.deepEqual(third.errors, []);
  await third.context.close();
  await second.context.close();
  await context.close();
});

test('when the .wasm cannot load, the frame says so and keeps what was typed', async () => {
  const { context, page, element } = await open({ failWasm: true });
  await loadElement(page, START);
  await element.getByLabel('Subject').fill('Keep me');
  const status = element.locator('.nsc-status');
  await eventually(async () => (await status.innerText()).includes('could not be loaded'));
  assert.equal(await element.getByLabel('Subject').inputValue(), 'Keep me');
  assert.equal(await element.getByRole('button', { name: 'Post conversation' }).isDisabled(), true);
  const reported = await eventually(() => page.evaluate(() => (window.errors.length ? window.errors : null)));
  assert.equal(reported[0].code, 'load');
  await context.close();
});

test('without early-paint, or with options the frames were not rendered for, nothing paints before the live panel', async () => {
  for (const attributes of [
    { ...START, 'early-paint': undefined },
    { ...START, locale: 'fr' },
    { ...START, 'max-bytes': '1000' },
    { ...START, fields: 'tags,private' },
    { 'business-id': 'one', 'user-id': '10' },
  ]) {
    const { context, page, element } = await open();
    await loadElement(page, Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined)));
    // The element's module has run (it painted, or not, when it connected).
    await page.waitForFunction(() => customElements.get('nexudus-start-conversation') !== undefined);
    assert.equal(await element.locator('.nsc-panel').count(), 0, JSON.stringify(attributes));
    await context.close();
  }
});

test('each frame is the live panel\'s first render, and passes axe', async () => {
  const { context, page, errors, release, element } = await open();
  release();
  const variants = {
    'start link': { businessId: 1, userId: 10, groupId: 1 },
    'start file': { businessId: 1, userId: 10, groupId: 1, uploadEndpoint: '/uploads' },
    'board link': { businessId: 1, userId: 10 },
    'board file': { businessId: 1, userId: 10, inlineFiles: true },
    'attach link': { threadId: 1001 },
    'attach file': { threadId: 1001, uploadEndpoint: '/uploads' },
  };
  const seen = await page.evaluate(
    async ({ variants, pkg }) => {
      const { paint } = await import(`${pkg}/paint.js`);
      const { default: init, mount } = await import(`${pkg}/index.js`);
      // What a render leaves that differs only in form: ids' panel numbers, and a value
      // the server writes as an attribute where the browser's render sets the property.
      const normal = (node) =>
        node.outerHTML
          .replace(/nsc\d+(s\d+)?-/g, 'nsc-')
          .replace(/ value=""/g, '')
          .replace(/ data-nsc-early=""/g, '')
          .replace(/ (selected|novalidate)="[^"]*"/g, ' $1');
      const out = {};
      const frames = {};
      for (const [name, options] of Object.entries(variants)) {
        const host = document.createElement('div');
        document.body.append(host);
        out[name] = { painted: paint(host, { baseUrl: location.origin, token: 'x', ...options }) };
        frames[name] = host;
      }
      await init();
      for (const [name, options] of Object.entries(variants)) {
        const live = document.createElement('div');
        document.body.append(live);
        // The first render: a board list comes later.
        mount(live, { baseUrl: location.origin, token: 'x', ...options });
        await new Promise((resolve) => {
          const done = () => live.querySelector('.nsc-panel') && (observer.disconnect(), resolve());
          const observer = new MutationObserver(done);
          observer.observe(live, { childList: true, subtree: true });
          done();
        });
        out[name].same = normal(frames[name].firstElementChild) === normal(live.firstElementChild);
        if (!out[name].same) out[name].diff = [normal(frames[name].firstElementChild), normal(live.firstElementChild)];
        frames[name].remove();
        live.remove();
      }
      return out;
    },
    { variants, pkg: PACKAGE },
  );
  for (const [name, result] of Object.entries(seen)) {
    assert.equal(result.painted, true, `${name} painted`);
    assert.equal(result.same, true, `${name}: ${JSON.stringify(result.diff)}`);
  }
  assert.deepEqual(errors, []);

  // The frame itself, as a member with assistive technology meets it.
  const held = await open();
  await loadElement(held.page, START);
  await held.element.locator('form').waitFor();
  const results = await new AxeBuilder({ page: held.page }).analyze();
  assert.deepEqual(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
  );
  held.release();
  await held.context.close();
  await context.close();
});

test('paint() + mount() under host code that misbehaves: the frame removed, destroy() before the hand-over, paint() over a live panel', async () => {
  const { context, page, errors, release } = await open();
  release();
  const seen = await page.evaluate(async (pkg) => {
    const { paint } = await import(`${pkg}/paint.js`);
    const { default: init, mount } = await import(`${pkg}/index.js`);
    const options = { baseUrl: location.origin, token: 'x', businessId: 1, userId: 10, groupId: 1 };
    const host = (id) => Object.assign(document.body.appendChild(document.createElement('div')), { id });
    await init();
    // The host takes the frame out between mount() and the hand-over.
    const removed = host('removed');
    paint(removed, options);
    mount(removed, options);
    removed.querySelector('[data-nsc-early]').remove();
    // destroy() before the hand-over leaves nothing behind, then or after the next frames.
    const destroyed = host('destroyed');
    paint(destroyed, options);
    mount(destroyed, options).destroy();
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    await frame();
    await frame();
    // paint() over a live panel paints nothing.
    const over = host('over');
    mount(over, options);
    const paintedOver = paint(over, options);
    return { left: destroyed.childElementCount, paintedOver, frames: over.querySelectorAll('[data-nsc-early]').length };
  }, PACKAGE);
  assert.deepEqual(seen, { left: 0, paintedOver: false, frames: 0 });
  // The live panel shows although its frame was taken away.
  await page.waitForFunction(() => {
    const root = document.querySelector('#removed > .nsc-root');
    return root !== null && !root.hidden && root.querySelector('.nsc-panel') !== null;
  }, null, { timeout: 5000 });
  assert.deepEqual(errors, []);
  await context.close();
});
