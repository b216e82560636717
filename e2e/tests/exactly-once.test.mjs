// Exactly once, never stuck (issue 15): each numbered defect of the issue, end to end with
// the packed package's mount API (fixtures/plain-html) against the sandbox, which records
// what was created. The faults make the sandbox act and then lose, slow or spoil the answer,
// as a flaky network or live Nexudus's generic 500 would. Every wait is on DOM state or on
// the sandbox's records, never a fixed sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, PNG, useStack, watchPageErrors, armFault, liveRecords, withoutFailedLoads, eventually, storedFile } from '../harness.mjs';

const THREADS = '/api/community/communitythreads';
const FILES = '/api/community/communitythreadfiles';
const START = { businessId: 1, userId: 10, groupId: 1 };

const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });
const fault = (spec) => armFault(shared.stack, spec);
const threads = async () => (await liveRecords(shared.stack)).threads;
const files = async () => (await liveRecords(shared.stack)).files;
const pageErrors = withoutFailedLoads;

async function open() {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, errors };
}

/**
 * Mounts a panel in a new element `#id` with the sandbox's member token and `options`;
 * `token: 'never'` gives a `getToken` that never settles, `token: { resolves }` one that
 * resolves to that text. Host events land in `window.hostEvents`.
 */
async function mountPanel(page, options = {}, id = 'under-test') {
  await page.evaluate(
    ({ options, id }) => {
      const div = document.createElement('div');
      div.id = id;
      document.body.append(div);
      window.hostEvents ??= [];
      const { token, ...rest } = options;
      const auth =
        token === 'never'
          ? { getToken: () => new Promise(() => {}) }
          : typeof token === 'object'
            ? { getToken: async () => token.resolves }
            : { token: token ?? 'sandbox-member-token' };
      window.handle = window.nsc.mount(div, {
        baseUrl: location.origin,
        timeoutMs: 10000,
        ...auth,
        ...rest,
        onError: (detail) => window.hostEvents.push(['error', detail]),
        onCreated: (detail) => window.hostEvents.push(['created', detail]),
      });
    },
    { options, id },
  );
  const panel = page.locator(`#${id}`);
  await panel.locator('.nsc-panel').waitFor();
  return panel;
}

async function write(panel, subject = 'Lunch on Friday', message = 'Who is in for tacos?') {
  await panel.locator('[name="Subject"]').fill(subject);
  await panel.locator('[name="Message"]').fill(message);
}

async function link(panel, url, name = 'Minutes') {
  await panel.locator('input[type="url"][name="NewFileDataUrl"]').fill(url);
  await panel.locator('input[name="Name"]').fill(name);
}

const submitButton = (panel) => panel.locator('button[type="submit"]');

async function submit(panel) {
  await submitButton(panel).click();
}

/** Waits for the form to be editable again with `text` in its summary. */
async function failedWith(panel, text) {
  await panel.locator('.nsc-error-summary', { hasText: text }).waitFor();
  await panel.locator('button[type="submit"]:not([disabled])').waitFor();
}

async function success(panel) {
  const done = panel.locator('.nsc-success');
  await done.waitFor();
  const fileId = await done.getAttribute('data-file-id');
  return {
    threadId: Number(await done.getAttribute('data-thread-id')),
    fileId: fileId && Number(fileId),
    title: (await done.locator('.nsc-title').innerText()).trim(),
  };
}

test('1. Cancel after the create was sent: the next submit finds the conversation, never a second', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  // The server creates the conversation at once, then answers slowly.
  await fault({ method: 'POST', path: THREADS, delayMs: 4000, delayAfterHandling: true });
  await write(panel, 'Cancelled but sent');
  await submit(panel);
  assert.equal((await eventually(async () => (await threads()).length === 1, 5000)), true, 'the server acted');
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await failedWith(panel, 'Cancelled. Your text is still here.');
  await submit(panel);
  const { threadId } = await success(panel);
  const made = await threads();
  assert.deepEqual(made.map((t) => [t.Id, t.Subject]), [[threadId, 'Cancelled but sent']]);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

for (const [name, spec, message] of [
  ['a 500 after acting', { failAfterHandling: true }, 'The server had a problem'],
  ['a lost answer', { dropAfterHandling: true }, 'The server could not be reached.'],
  ['a timeout', { delayMs: 3000, delayAfterHandling: true }, 'The server took too long to answer.'],
  ['an unreadable success', { failAfterHandling: true, status: 200, body: '{"WasSuccessful":true,"Value":null}' }, 'could not read'],
]) {
  test(`2. "Try again" after an attach with ${name}: one copy of the attachment`, async () => {
    const { context, page, errors } = await open();
    const url = await storedFile(shared.stack.sandboxUrl, 'minutes.txt', 'minutes');
    const panel = await mountPanel(page, { threadId: 1001, timeoutMs: 1000 });
    await fault({ method: 'POST', path: FILES, ...spec });
    await link(panel, url, `Minutes (${name})`);
    await submit(panel);
    await failedWith(panel, message);
    assert.equal((await eventually(async () => (await files()).length === 1, 5000)), true, 'the server acted');
    await submit(panel);
    const { fileId } = await success(panel);
    const made = await files();
    assert.deepEqual(made.map((f) => [f.Id, f.CommunityThreadId]), [[fileId, 1001]]);
    assert.deepEqual(pageErrors(errors), []);
    await context.close();
  });
}

test('3. destroy() during a create, with a draftKey: a new mount looks before creating', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, { ...START, draftKey: 'torn' });
  await fault({ method: 'POST', path: THREADS, delayMs: 4000, delayAfterHandling: true });
  await write(panel, 'Torn down mid-flight');
  await submit(panel);
  assert.equal((await eventually(async () => (await threads()).length === 1, 5000)), true, 'the server acted');
  await page.evaluate(() => window.handle.destroy());
  const again = await mountPanel(page, { ...START, draftKey: 'torn' }, 'remounted');
  assert.equal(await again.locator('[name="Subject"]').inputValue(), 'Torn down mid-flight');
  await submit(again);
  const { threadId } = await success(again);
  assert.deepEqual((await threads()).map((t) => t.Id), [threadId]);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('4. A success with Id 0, or with no Value, after acting is looked up, not re-posted', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  await fault({ method: 'POST', path: THREADS, failAfterHandling: true, status: 200, body: '{"WasSuccessful":true,"Value":{"Id":0}}' });
  await write(panel, 'Zero is no Id');
  await submit(panel);
  await failedWith(panel, 'could not read');
  await submit(panel);
  const { threadId } = await success(panel);
  assert.ok(threadId > 0);
  assert.deepEqual((await threads()).map((t) => t.Id), [threadId]);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('5. A token that is no header value is a TypeError at the door, or unauthorized from getToken; never stuck', async () => {
  const { context, page, errors } = await open();
  const thrown = await page.evaluate(() => {
    const attempt = (call) => {
      try {
        call();
        return null;
      } catch (error) {
        return `${error.constructor.name}: ${error.message}`;
      }
    };
    const div = document.createElement('div');
    document.body.append(div);
    return {
      crlf: attempt(() => window.nsc.mount(div, { threadId: 1001, token: 'abc\r\nX-Evil: 1' })),
      wide: attempt(() => window.nsc.mount(div, { threadId: 1001, token: 'to\u2603ken' })),
      update: attempt(() => window.nsc.panel.update({ token: 'a\nb' })),
    };
  });
  for (const [name, message] of Object.entries(thrown)) {
    assert.match(message ?? 'did not throw', /^TypeError: .*option `token` must be .*header value/, name);
    assert.ok(!message.includes('X-Evil') && !message.includes('\u2603'), 'the token is never echoed');
  }
  // The fixture's panel still works after the refused update.
  await page.locator('#panel .nsc-panel').waitFor();
  // From getToken: an unauthorized failure, and an editable form.
  const panel = await mountPanel(page, { ...START, token: { resolves: 'to\r\nken' } });
  await write(panel);
  await submit(panel);
  await failedWith(panel, 'You are signed out');
  assert.equal((await threads()).length, 0);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('6. A getToken that never settles: timeoutMs bounds it, and Cancel stops it', async () => {
  const { context, page, errors } = await open();
  const slow = await mountPanel(page, { ...START, token: 'never', timeoutMs: 1000 });
  await write(slow);
  await submit(slow);
  await failedWith(slow, 'The server took too long to answer.');
  const waiting = await mountPanel(page, { ...START, token: 'never', timeoutMs: 600000 }, 'waiting');
  await write(waiting);
  await submit(waiting);
  await waiting.getByRole('button', { name: 'Cancel' }).click();
  await failedWith(waiting, 'Cancelled. Your text is still here.');
  assert.equal((await threads()).length, 0);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('7. update({threadId}) during a create waits for the submission: no false "File attached"', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  await fault({ method: 'POST', path: THREADS, delayMs: 1500 });
  await write(panel, 'Mode switched mid-flight');
  await submit(panel);
  await panel.locator('.nsc-status', { hasText: 'Posting' }).waitFor();
  await page.evaluate(() => window.handle.update({ threadId: 1001 }));
  const done = await success(panel);
  assert.equal(done.title, 'Conversation posted');
  assert.equal(done.fileId, null);
  assert.deepEqual((await threads()).map((t) => t.Id), [done.threadId]);
  // Back at a form, the new mode applies.
  await panel.getByRole('button', { name: /Start another|Attach another/ }).click();
  await panel.getByRole('button', { name: 'Attach file' }).waitFor();
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('8. timeoutMs out of range is a TypeError', async () => {
  const { context, page } = await open();
  const messages = await page.evaluate(() =>
    [2 ** 31, 0.5e3, 1e12].map((timeoutMs) => {
      try {
        window.nsc.mount(document.createElement('div'), { threadId: 1001, timeoutMs });
        return null;
      } catch (error) {
        return `${error.constructor.name}: ${error.message}`;
      }
    }),
  );
  for (const message of messages) assert.match(message ?? 'did not throw', /^TypeError: .*`timeoutMs` must be a whole number of milliseconds from 1000 to 600000/);
  await context.close();
});

test('9. A huge server message is shortened, and 10,000 errors are listed as a handful "and N more"', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  const huge = `Broken ${'x'.repeat(1_500_000)}`;
  await fault({ method: 'POST', path: THREADS, status: 500, body: JSON.stringify({ Message: huge }) });
  await write(panel);
  await submit(panel);
  await failedWith(panel, 'Broken');
  const summary = await panel.locator('.nsc-error-summary').innerText();
  assert.ok(summary.length < 1000, `the summary is ${summary.length} characters`);
  const many = Array.from({ length: 10_000 }, (_, i) => ({ PropertyName: 'Subject', Message: `is wrong (${i})` }));
  await fault({ method: 'POST', path: THREADS, status: 400, body: JSON.stringify({ WasSuccessful: false, Errors: many }) });
  await submit(panel);
  await failedWith(panel, 'and 9994 more');
  assert.equal(await panel.locator('.nsc-error-summary li').count(), 7);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('10. Invisible-only text is empty; a draft the browser will not keep is said once, and stays', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  await write(panel, '\u200b\u200d\ufeff', '\u2060 ');
  await submit(panel);
  await failedWith(panel, 'Enter a subject');
  await panel.locator('.nsc-error-summary', { hasText: 'Enter a message' }).waitFor();
  assert.equal((await threads()).length, 0);
  // A full storage: the panel says so once and keeps the text.
  await page.evaluate(() => {
    // Fill it to the last character: big pieces, then ever smaller ones.
    for (let i = 0, size = 1_000_000; size >= 1; i += 1) {
      try {
        sessionStorage.setItem(`f${i}`, 'x'.repeat(size));
      } catch {
        size = Math.floor(size / 2);
      }
    }
  });
  const kept = await mountPanel(page, { ...START, draftKey: 'full' }, 'full');
  await write(kept, 'Kept in memory', 'Storage is full');
  await kept.locator('.nsc-status', { hasText: 'could not be saved' }).waitFor();
  await kept.locator('[name="Message"]').fill('Still typing');
  assert.equal(await kept.locator('.nsc-status', { hasText: 'could not be saved' }).count(), 1);
  assert.equal(await kept.locator('[name="Subject"]').inputValue(), 'Kept in memory');
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test("10. An uploader's address the server cannot download is an upload error, and nothing is posted", async () => {
  const { context, page, errors } = await open();
  for (const [index, answer] of ['javascript:alert(1)', '/relative/menu.png', 'http://example.com/menu.png'].entries()) {
    const id = `uploader-${index}`;
    await page.evaluate(
      ({ answer, id }) => {
        const div = document.createElement('div');
        div.id = id;
        document.body.append(div);
        window.nsc.mount(div, {
          baseUrl: location.origin,
          token: 'sandbox-member-token',
          threadId: 1001,
          upload: async () => answer,
        });
      },
      { answer, id },
    );
    const panel = page.locator(`#${id}`);
    await panel.locator('input[type="file"]').setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: PNG });
    await panel.locator('.nsc-file-card').waitFor();
    await submit(panel);
    await failedWith(panel, 'cannot download');
  }
  assert.equal((await files()).length, 0);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});
