// The panel's paths, written once for every engine (run.mjs runs them in each; page.mjs is
// the interface they drive). Selectors step into a shadow root with ` >>> `. Each waits on
// DOM state, never on fixed sleeps; checks of what was sent are made at the server, so they
// hold the same whatever drives the browser.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Unsupported } from './page.mjs';
import { hostileCorpus, leaks } from '../support/images.js';

const THREADS = '/api/community/communitythreads';
const FILES = '/api/community/communitythreadfiles';
const TOKEN = 'sandbox-member-token';
const START = '#start-panel';
const ELEMENT = '#element-panel >>>';

const live = (list) => (list ?? []).filter((record) => !record.Deleted);

async function write(page, scope, { subject = 'Lunch on Friday', message = 'Who is in for tacos?' } = {}) {
  await page.fill(`${scope} [name="Subject"]`, subject);
  await page.fill(`${scope} [name="Message"]`, message);
}

const button = (page, scope, name) => page.click(`${scope} button`, { text: name });
const waitText = (page, scope, text, options) => page.waitFor(`${scope} *`, { contains: text, ...options });

async function success(page, scope) {
  await page.waitFor(`${scope} .nsc-success`);
  const ids = await page.withElement(`${scope} .nsc-success`, (el) => [el.getAttribute('data-thread-id'), el.getAttribute('data-file-id')]);
  return { threadId: Number(ids[0]), fileId: ids[1] && Number(ids[1]) };
}

/** The one error message a field is described by. */
async function fieldError(page, scope, name) {
  const selector = `${scope} [name="${name}"][aria-invalid="true"]`;
  await page.waitFor(selector, { state: 'attached' });
  const ids = await page.withElement(selector, (el) => (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-error')));
  assert.equal(ids.length, 1, `${name} is described by one error message`);
  return page.withElement(selector, (el, id) => el.getRootNode().getElementById(id)?.textContent.replace(/\s+/g, ' ').trim(), ids[0]);
}

/** Chooses a file through the file input; `Unsupported` where the driver cannot. */
async function chooseFile(page, scope, name = 'menu.png', mimeType = 'image/png', buffer) {
  await page.setFiles(`${scope} input[type="file"]`, [{ name, mimeType, buffer }]);
  await page.waitFor(`${scope} .nsc-file-card`);
}

/** Gives a link as the attachment, switching to it where files are offered. */
async function attachByLink(page, scope, url, name) {
  if ((await page.count(`${scope} button`, { text: 'Link to a file instead' })) > 0) await button(page, scope, 'Link to a file instead');
  await page.fill(`${scope} input[type="url"][name="NewFileDataUrl"]`, url);
  if (name !== undefined) await page.fill(`${scope} input[name="Name"]`, name);
}

/** Sets up element.html's element before its module loads, then loads it. */
async function loadElement(page, { attributes = {}, token = TOKEN, before } = {}) {
  await page.evaluate(
    (attrs, secret) => {
      const el = document.getElementById('panel');
      el.setAttribute('base-url', location.origin);
      for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
      if (secret) el.token = secret; // an own property of the not-yet-upgraded element
      window.seen = [];
      for (const type of ['nexudus:conversation-created', 'nexudus:attachment-failed', 'nexudus:error']) {
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
    },
    attributes,
    token,
  );
  if (before) await page.evaluate(before);
  await page.evaluate(() => window.loadElement().then(() => true));
  await page.waitFor('#panel >>> .nsc-panel');
}

/** A file of `size` bytes: a PNG signature, then bytes that are not all alike (sent as a PDF: as a picture, the cleaner could not vouch for it). */
function bigPicture(size) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + (i >> 9)) & 255;
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

const require = createRequire(import.meta.url);
let axeSource;

/** axe-core run in the page itself (it needs no driver support), limited to `include`. */
async function axeScan(page, include, state) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // Evaluated through the driver, which the page's CSP does not govern.
    await page._eval(`(() => { ${axeSource}\n; window.axe = axe; return true; })()`);
  }
  const found = await page.evaluate(
    (selector) =>
      window.axe
        .run({ include: [selector] }, { resultTypes: ['violations'] })
        .then((results) => ({
          violations: results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
          passes: results.passes.length,
        })),
    include,
  );
  assert.deepEqual(found.violations, [], `axe violations in the ${state} state`);
  assert.ok(found.passes > 0, 'axe ran its rules');
}

export const SCENARIOS = [
  {
    name: 'start with a file through the presigned upload (the element with upload-endpoint)',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${ELEMENT} [name="Subject"]`);
      await write(page, ELEMENT, { subject: 'Rooftop garden', message: 'Photos from this morning.' });
      await chooseFile(page, ELEMENT, 'rooftop.png', 'image/png', ctx.PNG);
      await button(page, ELEMENT, 'Post conversation');
      const { threadId, fileId } = await success(page, ELEMENT);
      assert.ok(threadId > 0 && fileId > 0);

      // The ticket, the bytes, then the API given the store's public URL (never data:).
      const sent = ctx.requests();
      const lines = sent.map((r) => r.line);
      const ticket = lines.indexOf('POST /uploads');
      const put = lines.findIndex((line) => line.startsWith('PUT /uploads/'));
      const attach = lines.indexOf(`POST ${FILES}`);
      assert.ok(ticket >= 0 && put > ticket && attach > put, lines.join('\n'));
      assert.deepEqual(JSON.parse(sent[ticket].body), { fileName: 'rooftop.png', contentType: 'image/png', size: ctx.PNG.length });
      assert.match(JSON.parse(sent[attach].body).NewFileDataUrl, /^http:\/\/127\.0\.0\.1:\d+\/uploads\/[^/]+\/rooftop\.png$/);
      assert.ok(!sent.some((r) => r.body.includes('data:')), 'no data: URL was sent');
      const file = live((await ctx.created()).files).find((f) => f.Id === fileId);
      assert.equal(file.CommunityThreadId, threadId);
      assert.equal(file.FileContentType, 'image/png');
      assert.ok((await ctx.attachmentBytes(fileId)).equals(ctx.PNG), 'Nexudus got the same bytes');
      // The element's event crossed the shadow root to the page's log.
      const entry = '#event-log li[data-source="element-panel"][data-event="nexudus:conversation-created"] code';
      await page.waitFor(entry);
      assert.deepEqual(JSON.parse(await page.text(entry)), { threadId, fileId, fileIds: [fileId] });
      await ctx.noErrors(page);

      await ctx.step('the upload announces its progress in percent (upload throttled to 1 MB/s)', async () => {
        const slow = await ctx.open('demo');
        await slow.throttleUpload(1024 * 1024);
        await slow.waitFor(`${ELEMENT} [name="Subject"]`);
        await slow.evaluate(() => {
          window.statuses = [];
          const root = document.getElementById('element-panel').shadowRoot;
          new MutationObserver(() => {
            const text = root.querySelector('.nsc-status')?.textContent;
            if (text && window.statuses.at(-1) !== text) window.statuses.push(text);
          }).observe(root, { subtree: true, childList: true, characterData: true });
        });
        await write(slow, ELEMENT, { subject: 'Big one' });
        await chooseFile(slow, ELEMENT, 'big.pdf', 'application/pdf', bigPicture(2 * 1024 * 1024));
        await button(slow, ELEMENT, 'Post conversation');
        await slow.waitFor(`${ELEMENT} .nsc-success`, { timeout: 30_000 });
        const statuses = await slow.evaluate(() => window.statuses);
        assert.ok(statuses.some((text) => /Uploading the file… \d+%/.test(text)), statuses.join(' | '));
      });
    },
  },

  {
    name: 'cancel during the upload aborts it; nothing is created and the file stays chosen',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${ELEMENT} [name="Subject"]`);
      // The upload ticket is held at the server for 8 s (it ends while the next scenarios run).
      await ctx.fault({ method: 'POST', path: '/uploads', delayMs: 8000 });
      await write(page, ELEMENT, { subject: 'Not yet' });
      await chooseFile(page, ELEMENT, 'menu.png', 'image/png', ctx.PNG);
      await button(page, ELEMENT, 'Post conversation');
      await waitText(page, ELEMENT, 'Uploading the file');
      await button(page, ELEMENT, 'Cancel');
      await waitText(page, ELEMENT, 'Cancelled. Your text is still here.');
      await page.waitFor(`${ELEMENT} .nsc-file-card`);
      assert.equal(await page.value(`${ELEMENT} [name="Subject"]`), 'Not yet');
      assert.equal(live((await ctx.created()).threads).length, 0);
      assert.ok(!ctx.requests().some((r) => r.line.startsWith('PUT /uploads/')), 'no bytes were sent');
      await ctx.noErrors(page);
    },
  },

  {
    name: 'inline-files reads the file in the page (FileReader) into the data: URL it sends',
    async run(ctx) {
      const page = await ctx.open('element');
      await loadElement(page, { attributes: { 'thread-id': '1001', 'inline-files': '' } });
      const el = '#panel >>>';
      await chooseFile(page, el, 'tiny.png', 'image/png', ctx.PNG);
      await button(page, el, 'Attach file');
      // The sandbox, like live Nexudus, answers a data: URL with its generic 500.
      await waitText(page, el, 'The server had a problem: Ooops! There was a problem');
      await page.waitFor(`${el} .nsc-file-card`);
      const attach = ctx.requests().find((r) => r.line === `POST ${FILES}`);
      assert.equal(JSON.parse(attach.body).NewFileDataUrl, `data:image/png;base64,${ctx.PNG.toString('base64')}`);
      await ctx.noErrors(page, [500]);
    },
  },

  {
    name: 'field errors from Errors[] and the summary focus',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${START} [name="Subject"]`);
      // The panel's own checks first: nothing sent, the summary takes focus.
      await button(page, START, 'Post conversation');
      assert.equal(await fieldError(page, START, 'Subject'), 'Error: Enter a subject');
      assert.equal(await fieldError(page, START, 'Message'), 'Error: Enter a message');
      await page.waitForFunction(() => document.activeElement?.classList.contains('nsc-error-summary'), [], { what: 'the summary to take focus' });

      await ctx.fault({
        method: 'POST',
        path: THREADS,
        status: 400,
        body: JSON.stringify({
          Message: 'Subject: is not allowed\nMessage: is too short',
          Value: null,
          Errors: [
            { AttemptedValue: 'x', Message: 'is not allowed', PropertyName: 'Subject' },
            { AttemptedValue: 'y', Message: 'is too short', PropertyName: 'Message' },
            { AttemptedValue: 9, Message: 'was not found', PropertyName: 'CommunityGroup' },
            { AttemptedValue: null, Message: 'The location is closed', PropertyName: 'Business' },
          ],
          WasSuccessful: false,
        }),
      });
      await write(page, START);
      await button(page, START, 'Post conversation');
      await waitText(page, `${START} .nsc-error-summary [role="alert"]`, 'The location is closed');
      assert.equal(await fieldError(page, START, 'Subject'), 'Error: Subject is not allowed');
      assert.equal(await fieldError(page, START, 'Message'), 'Error: Message is too short');
      assert.equal(await fieldError(page, START, 'CommunityGroupId'), 'Error: Board was not found');
      assert.equal(await page.count(`${START} .nsc-error-summary [role="alert"] a`), 3);
      await page.waitForFunction(() => document.activeElement?.classList.contains('nsc-error-summary'), [], { what: 'the summary to take focus' });
      // Its link focuses the field.
      await page.click(`${START} .nsc-error-summary a`, { text: 'Message is too short' });
      await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'Message', [], { what: 'Message to take focus' });
      // Editing one field clears only its error; nothing typed was lost.
      await page.fill(`${START} [name="Message"]`, 'Longer message');
      await page.waitFor(`${START} [name="Message"]:not([aria-invalid])`, { state: 'attached' });
      assert.equal(await page.attr(`${START} [name="Subject"]`, 'aria-invalid'), 'true');
      assert.equal(await page.value(`${START} [name="Subject"]`), 'Lunch on Friday');
      assert.equal(live((await ctx.created()).threads).length, 0);
      await ctx.noErrors(page, [400]);
    },
  },

  {
    // Issue 22, defects 1 and 2: pictures that lie, are cut short, or hide a location
    // where a header scan does not look. What reaches the server is checked, whichever
    // engine cleaned them.
    name: 'hostile photos: what reaches the server carries no location, text or comment',
    async run(ctx) {
      const page = await ctx.open('element');
      await loadElement(page, { attributes: { 'thread-id': '1001', 'upload-endpoint': '/uploads', 'max-files': '10' } });
      const el = '#panel >>>';
      const corpus = hostileCorpus();
      const sent = corpus.filter((file) => file.vouchable);
      await page.setFiles(
        `${el} input[type="file"]`,
        sent.map((file) => ({ name: file.name, mimeType: file.type, buffer: Buffer.from(file.bytes) })),
      );
      // Every card there, and every photo prepared (each card says what was removed).
      await page.waitForFunction(
        (count) => {
          const root = document.getElementById('panel').shadowRoot;
          const notes = [...root.querySelectorAll('.nsc-file-card__note')].map((note) => note.textContent);
          return notes.length === count && notes.every((note) => note.includes('removed'));
        },
        [sent.length],
        { timeout: 30_000 },
      );
      await button(page, el, 'Attach file');
      await page.waitFor(`${el} .nsc-success`, { timeout: 30_000 });
      const files = live((await ctx.created()).files).filter((file) => file.CommunityThreadId === 1001);
      assert.equal(files.length, sent.length);
      for (const file of files) {
        const bytes = await ctx.attachmentBytes(file.Id);
        assert.deepEqual(leaks(bytes), [], `${file.Name} as the server got it`);
      }
      // Firefox reports the previews of the pictures cut short (as sent, cut short) as page
      // errors; nothing else may be.
      await ctx.noErrors(page, [], [/Image corrupt or truncated/]);

      await ctx.step('a picture nothing can vouch for waits for the member: sent only when they choose', async () => {
        const unsure = corpus.find((file) => !file.vouchable);
        const puts = () => ctx.requests().filter((r) => r.line.startsWith('PUT /uploads/')).length;
        const again = await ctx.open('element');
        await loadElement(again, { attributes: { 'thread-id': '1001', 'upload-endpoint': '/uploads' } });
        const before = puts();
        await chooseFile(again, el, unsure.name, unsure.type, Buffer.from(unsure.bytes));
        await waitText(again, el, 'could not be checked for location data');
        await button(again, el, 'Attach file');
        await waitText(again, el, 'Choose whether to send this photo as it is, or remove it');
        assert.equal(puts(), before, 'nothing sent before the member chose');
        await button(again, el, 'Send as it is');
        await button(again, el, 'Attach file');
        const { fileId } = await success(again, el);
        assert.ok((await ctx.attachmentBytes(fileId)).equals(Buffer.from(unsure.bytes)), 'as it is, by the member\'s choice');
      });
    },
  },

  {
    name: 'attach-only retry after a failed attach: one conversation',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${START} [name="Subject"]`);
      await ctx.fault({ method: 'POST', path: FILES, status: 500, body: '{"Message":"An error has occurred."}' });
      await write(page, START);
      await chooseFile(page, START, 'menu.png', 'image/png', ctx.PNG);
      await button(page, START, 'Post conversation');
      await waitText(page, START, 'Your conversation is posted; the attachment was not added.');
      // Subject and message are posted, so no longer editable; the attachment stays.
      assert.equal(await page.count(`${START} [name="Subject"]`), 0);
      await page.waitFor(`${START} .nsc-file-card`);
      await button(page, START, 'Try attaching again');
      const { threadId, fileId } = await success(page, START);
      assert.ok(fileId > 0);
      const records = await ctx.created();
      assert.equal(live(records.threads).length, 1);
      assert.equal(live(records.files)[0].CommunityThreadId, threadId);
      assert.equal(ctx.requests().filter((r) => r.line === `POST ${THREADS}`).length, 1, 'one create');
      await ctx.noErrors(page, [500]);
    },
  },

  {
    name: "the custom element's attributes, properties and events across the shadow root",
    async run(ctx) {
      const page = await ctx.open('element');
      const link = await ctx.storedFile('plan.txt', 'floor plan, level 2');
      assert.equal(await page.evaluate(() => customElements.get('nexudus-start-conversation') === undefined), true);
      await loadElement(page, { attributes: { 'thread-id': '1001' } });
      const state = await page.evaluate(() => {
        const el = document.getElementById('panel');
        return {
          open: el.shadowRoot?.mode === 'open',
          ownToken: Object.prototype.hasOwnProperty.call(el, 'token'),
          token: el.token ?? null,
          constructed: el.shadowRoot.adoptedStyleSheets?.length ?? 0,
          styleElements: el.shadowRoot.querySelectorAll('style').length,
          panelInShadow: el.shadowRoot.querySelector('.nsc-panel') !== null,
          panelInLight: el.querySelector('.nsc-panel') !== null,
          border: getComputedStyle(el.shadowRoot.querySelector('.nsc-panel')).borderTopStyle,
        };
      });
      // The shadow styles apply although the page's CSP has no style-src: a constructed sheet.
      assert.deepEqual(state, {
        open: true,
        ownToken: false,
        token: null,
        constructed: 1,
        styleElements: 0,
        panelInShadow: true,
        panelInLight: false,
        border: 'solid',
      });
      const el = '#panel >>>';
      assert.equal(await page.text(`${el} .nsc-title`), 'Attach a file to the conversation');

      // The summary inside the shadow root takes focus; its link focuses the field.
      await button(page, el, 'Attach file');
      await page.waitFor(`${el} .nsc-error-summary`);
      const focusedName = () => page.focused();
      await page.waitForFunction(() => document.getElementById('panel').shadowRoot.activeElement?.classList.contains('nsc-error-summary'), [], {
        what: 'the summary in the shadow root to take focus',
      });
      await page.click(`${el} .nsc-error-summary a`, { text: 'Choose a file or give a link to one' });
      await page.waitForFunction(() => document.getElementById('panel').shadowRoot.activeElement?.getAttribute('name') === 'NewFileDataUrl', [], {
        what: 'the link field to take focus',
      });
      assert.equal((await focusedName()).name, 'NewFileDataUrl');

      // Attributes after load update the panel and keep the draft.
      await attachByLink(page, el, link, 'Floor plan');
      await page.evaluate(() => document.getElementById('panel').setAttribute('locale', 'fr'));
      await page.waitFor(`${el} button`, { text: 'Joindre le fichier' });
      assert.equal(await page.value(`${el} input[name="Name"]`), 'Floor plan');
      await page.evaluate(() => document.getElementById('panel').setAttribute('locale', 'en'));
      await page.waitFor(`${el} button`, { text: 'Attach file' });

      // A wrong attribute: the panel stays, and says why through nexudus:error.
      await page.evaluate(() => document.getElementById('panel').setAttribute('thread-id', 'abc'));
      const wrong = await page.waitForFunction(() => window.seen.find((e) => e.type === 'nexudus:error'), [], { what: 'nexudus:error' });
      assert.equal(wrong.detail.code, 'invalid-options');
      assert.match(wrong.detail.message, /option `threadId` must be a positive integer/);
      assert.equal(await page.count(`${el} button`, { text: 'Attach file' }), 1);

      // A submission with the token property; the event crosses the shadow root, plain data.
      await button(page, el, 'Attach file');
      const { fileId } = await success(page, el);
      const authorizations = ctx.requests().filter((r) => r.line === `POST ${FILES}`).map((r) => r.headers.authorization);
      assert.deepEqual(authorizations, [`Bearer ${TOKEN}`]);
      const created = await page.waitForFunction(() => {
        const events = window.seen.filter((e) => e.type === 'nexudus:conversation-created');
        return events.length > 0 && events;
      }, [], {
        what: 'nexudus:conversation-created',
      });
      assert.deepEqual(created, [
        { type: 'nexudus:conversation-created', target: 'panel', bubbles: true, composed: true, plain: true, detail: { threadId: 1001, fileId, fileIds: [fileId] } },
      ]);

      // Properties reflect to attributes; start mode once the thread goes (the success
      // screen still reports the attach it ran; the next form is in the new mode).
      await page.evaluate(() => {
        const panel = document.getElementById('panel');
        panel.threadId = null;
        panel.businessId = 1;
        panel.userId = 10;
        panel.groupId = 1;
      });
      assert.equal(await page.attr('#panel', 'business-id'), '1');
      assert.equal(await page.attr('#panel', 'group-id'), '1');
      assert.equal(await page.attr('#panel', 'thread-id'), null);
      await button(page, el, 'Attach another file');
      await page.waitFor(`${el} [name="Subject"]`);
      assert.equal(await page.text(`${el} .nsc-title`), 'Start a conversation');

      // A token attribute is refused and removed, with a warning; never used.
      await page.evaluate(() => document.getElementById('panel').setAttribute('token', 'sandbox-admin-token'));
      assert.equal(await page.evaluate(() => document.getElementById('panel').hasAttribute('token')), false);
      const warned = (await page.console()).filter((m) => m.type === 'warning' && m.text.includes('token attribute is ignored'));
      assert.equal(warned.length, 1, JSON.stringify(await page.console()));
      // The wrong attribute's TypeError is on the console too, for the host's developer.
      await ctx.noErrors(page, [], [/TypeError: nexudus-start-conversation: option `threadId` must be a positive integer/, /^error: \[an Error, whose message WebDriver BiDi does not send\]$/]);
    },
  },

  {
    name: 'drag and drop a file onto the drop zone',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${START} .nsc-attachment`);
      const dropped = await page.withElement(`${START} .nsc-attachment`, (zone) => {
        let data;
        try {
          data = new DataTransfer();
          data.items.add(new File(['%PDF-1.4 plan'], 'floor-plan.pdf', { type: 'application/pdf' }));
        } catch (error) {
          return `no DataTransfer constructor: ${error.message}`;
        }
        const probe = new DragEvent('drop', { dataTransfer: data });
        if (probe.dataTransfer?.files.length !== 1) return 'DragEvent drops the dataTransfer it was given';
        for (const type of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true, composed: true }));
        }
        return 'dropped';
      });
      if (dropped !== 'dropped') throw new Unsupported(`a synthetic drop: ${dropped}`);
      await page.waitFor(`${START} .nsc-file-card`);
      assert.equal(await page.text(`${START} .nsc-file-card__name`), 'floor-plan.pdf');
      assert.match(await page.text(`${START} .nsc-file-card__meta`), /application\/pdf/);
      assert.equal(await page.value(`${START} [name="Name"]`), 'floor-plan');
      await ctx.noErrors(page);
    },
  },

  {
    name: 'paste an image into the message',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${START} [name="Message"]`);
      await page.focus(`${START} [name="Message"]`);
      const pasted = await page.withElement(
        `${START} [name="Message"]`,
        (field, bytes) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
          const event = new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
          if (event.clipboardData?.files.length !== 1) return `a ClipboardEvent made in the page carries ${event.clipboardData?.files.length ?? 'no'} of the 1 file given it, and no driver here pastes a real clipboard with a file`;
          field.dispatchEvent(event);
          return 'pasted';
        },
        [...ctx.PNG],
      );
      if (pasted !== 'pasted') throw new Unsupported(`a synthetic paste: ${pasted}`);
      await page.waitFor(`${START} .nsc-file-card`);
      assert.match(await page.text(`${START} .nsc-file-card__name`), /^image-\d{8}-\d{6}\.png$/);
      assert.match(await page.value(`${START} [name="Name"]`), /^image-\d{8}-\d{6}$/);
      await ctx.noErrors(page);
    },
  },

  {
    name: 'the draft survives a reload and is cleared by success',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${START} [name="Subject"]`);
      await write(page, START, { subject: 'Draft subject', message: 'Draft message' });
      await page.reload();
      await page.waitForFunction(() => document.querySelector('#start-panel [name="Subject"]')?.value === 'Draft subject', [], {
        what: 'the draft back after the reload',
      });
      assert.equal(await page.value(`${START} [name="Message"]`), 'Draft message');
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
      assert.ok(stored.includes('Draft message'), stored);
      assert.ok(!stored.includes('sandbox-'), 'no token in storage');
      await button(page, START, 'Post conversation');
      await success(page, START);
      await page.reload();
      await page.waitFor(`${START} [name="Subject"]`);
      assert.equal(await page.value(`${START} [name="Subject"]`), '');
      await ctx.noErrors(page);
    },
  },

  {
    name: 'keyboard only: tab to each field, type, submit with Enter',
    async run(ctx) {
      const page = await ctx.open('demo');
      await page.waitFor(`${START} [name="Subject"]`);
      await page.focus(`${START} [name="Subject"]`);
      await page.type('Typed with keys');
      await page.press('Tab');
      assert.equal((await page.focused()).name, 'Message');
      await page.type('No mouse needed');
      let reached = false;
      for (let i = 0; i < 12 && !reached; i += 1) {
        await page.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.getAttribute('type') === 'submit' && !!document.activeElement.closest('#start-panel'));
      }
      assert.ok(reached, 'Tab reaches the submit button');
      await page.press('Enter');
      const { threadId } = await success(page, START);
      assert.equal(live((await ctx.created()).threads).find((t) => t.Id === threadId).Subject, 'Typed with keys');
      await ctx.noErrors(page);
    },
  },

  {
    name: 'the data:-free defaults: no upload, a link only, a pasted file refused, the host told once',
    async run(ctx) {
      const page = await ctx.open('element');
      await loadElement(page, { attributes: { 'thread-id': '1001' } });
      const el = '#panel >>>';
      assert.equal(await page.count(`${el} input[type="file"]`), 0);
      assert.equal(await page.count(`${el} button`, { text: 'Choose a file instead' }), 0);
      await waitText(page, el, 'Files can’t be uploaded from this page.');
      // The host page's developer is told once, on the console, how to take files.
      const told = (await page.console()).filter((m) => m.text.includes('uploadEndpoint'));
      assert.equal(told.length, 1, JSON.stringify(await page.console()));
      assert.equal(told[0].type, 'info');
      assert.match(told[0].text, /refuses data: URLs/);

      await ctx.step('a pasted picture is refused on the field with the reason', async () => {
        const pasted = await page.withElement(`${el} input[type="url"]`, (field) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'photo.png', { type: 'image/png' }));
          const event = new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
          if (event.clipboardData?.files.length !== 1) return `a ClipboardEvent made in the page carries ${event.clipboardData?.files.length ?? 'no'} of the 1 file given it, and no driver here pastes a real clipboard with a file`;
          field.dispatchEvent(event);
          return 'pasted';
        });
        if (pasted !== 'pasted') throw new Unsupported(`a synthetic paste: ${pasted}`);
        await page.waitFor(`${el} input[type="url"][aria-invalid="true"]`);
        await waitText(page, el, 'Files can’t be attached from this page.');
      });

      // A link still works, through the API as usual; no data: URL is ever sent.
      await page.fill(`${el} input[type="url"]`, `${new URL(ctx.stack.pageUrl).origin}/uploads/none/missing.pdf`);
      await page.fill(`${el} input[name="Name"]`, 'Missing');
      await button(page, el, 'Attach file');
      await page.waitFor(`${el} input[type="url"][aria-invalid="true"]`);
      const sent = ctx.requests();
      assert.ok(sent.some((r) => r.line === `POST ${FILES}`), 'the link was sent');
      assert.ok(!sent.some((r) => r.body.includes('data:')), 'no data: URL was sent');
      await ctx.noErrors(page, [400]);
    },
  },

  {
    name: 'without constructable stylesheets the element falls back to a <style> and still works',
    async run(ctx) {
      const page = await ctx.open('element');
      const link = await ctx.storedFile('plan.txt', 'floor plan');
      // Take away what the element uses, shadow roots' adoptedStyleSheets, before its module
      // loads (the document's stays): it must detect that, not assume it.
      await loadElement(page, {
        attributes: { 'thread-id': '1001' },
        before: () => {
          delete ShadowRoot.prototype.adoptedStyleSheets;
        },
      });
      const state = await page.evaluate(() => {
        const root = document.getElementById('panel').shadowRoot;
        return { styles: [...root.querySelectorAll('style')].map((s) => s.textContent.startsWith(':host{display:block}')), adopted: 'adoptedStyleSheets' in root };
      });
      assert.deepEqual(state, { styles: [true], adopted: false });
      await attachByLink(page, '#panel >>>', link, 'Plan');
      await button(page, '#panel >>>', 'Attach file');
      await success(page, '#panel >>>');
    },
  },

  {
    name: 'axe-core finds no violations in the main states',
    async run(ctx) {
      const scanStates = async (colorScheme) => {
        const page = await ctx.open('demo', colorScheme ? { colorScheme } : undefined);
        await page.waitFor(`${START} [name="Subject"]`);
        await axeScan(page, START, 'empty');
        await button(page, START, 'Post conversation');
        await page.waitFor(`${START} .nsc-error-summary`);
        await axeScan(page, START, 'client error');
        await write(page, START, { subject: 'Lunch', message: 'Tacos?' });
        let withFile = true;
        try {
          await chooseFile(page, START, 'menu.png', 'image/png', ctx.PNG);
          await axeScan(page, START, 'file chosen');
        } catch (error) {
          if (!(error instanceof Unsupported)) throw error;
          withFile = false;
          await attachByLink(page, START, await ctx.storedFile('menu.txt', 'tacos'), 'Menu');
        }
        await ctx.fault({ method: 'POST', path: FILES, status: 500, body: '' });
        await button(page, START, 'Post conversation');
        await page.waitFor(`${START} button`, { text: 'Try attaching again' });
        await axeScan(page, START, 'attach failed');
        await button(page, START, 'Try attaching again');
        await page.waitFor(`${START} .nsc-success`);
        await axeScan(page, START, 'success');
        return withFile;
      };
      await scanStates();
      await ctx.step('the same states in the dark colour scheme', async () => {
        await scanStates('dark');
      });
    },
  },

  {
    name: 'early-paint: typed, chosen and posted in the frame before the .wasm, posted once by the live panel',
    async run(ctx) {
      const page = await ctx.open('element');
      // All in the task that connects the element, so the .wasm cannot have loaded yet,
      // whatever the driver's pace: the frame is there at once, and takes the member's work.
      const inFrame = await page.evaluate(
        async (token, bytes) => {
          await window.loadElement();
          const el = document.createElement('nexudus-start-conversation');
          el.id = 'early';
          el.toggleAttribute('early-paint', true);
          for (const [name, value] of Object.entries({ 'base-url': location.origin, 'business-id': '1', 'user-id': '10', 'group-id': '1', 'upload-endpoint': '/uploads' })) el.setAttribute(name, value);
          el.token = token;
          document.body.append(el);
          const root = el.shadowRoot;
          const frame = root.querySelector('[data-nsc-early]');
          if (!frame) return 'no frame painted';
          const type = (name, value) => {
            const field = root.querySelector(`[name="${name}"]`);
            field.value = value;
            field.dispatchEvent(new Event('input', { bubbles: true }));
          };
          type('Subject', 'Early bird');
          type('Message', 'Typed before the panel had loaded.');
          const data = new DataTransfer();
          data.items.add(new File([new Uint8Array(bytes)], 'early.png', { type: 'image/png' }));
          root.querySelector('input[type="file"]').files = data.files;
          root.querySelector('form').requestSubmit();
          window.readyCount = 0;
          el.addEventListener('nexudus:ready', () => (window.readyCount += 1));
          return root.querySelector('form[aria-busy="true"]') ? 'posted in the frame' : 'the Post was not taken';
        },
        TOKEN,
        [...ctx.PNG],
      );
      assert.equal(inFrame, 'posted in the frame');
      const { threadId, fileId } = await success(page, '#early >>>');
      const threads = live((await ctx.created()).threads);
      assert.deepEqual(threads.map((t) => [t.Id, t.Subject, t.Message]), [[threadId, 'Early bird', 'Typed before the panel had loaded.']]);
      assert.ok((await ctx.attachmentBytes(fileId)).equals(ctx.PNG), 'Nexudus got the picture chosen in the frame');
      assert.equal(await page.evaluate(() => document.getElementById('early').shadowRoot.querySelectorAll('[data-nsc-early]').length), 0);
      assert.equal(await page.evaluate(() => window.readyCount), 1);
      await ctx.noErrors(page);
    },
  },
];
