// Exactly once through the host backend (issue 21): the panel with `idempotencyKeys` on,
// mounted from the packed package (fixtures/plain-html) with the member's session, talks to
// nexudus-host-proxy (at /host/ on the page's origin), which talks to the sandbox. The faults
// make the sandbox slow or lose its answer while it acts; each case is one the look-ups alone
// cannot close (the README's "direct" column). Every wait is on DOM state, a response or the
// sandbox's records, never a fixed sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, PNG, useStack, armFault, liveRecords, withoutFailedLoads, eventually } from '../harness.mjs';
import { open as openPage, mountPanel, write, submit, failedWith, success, writesTo } from '../backend-panel.mjs';

const THREADS = '/api/community/communitythreads';
const FILES = '/api/community/communitythreadfiles';
const START = { businessId: 1, userId: 10, groupId: 1 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// A keyed write whose Nexudus answer was lost is looked up by the backend after this window
// (its default is the upstream timeout plus 5 s).
const shared = useStack({
  root: path.join(FIXTURES, 'plain-html'),
  sandboxArgs: ['--no-throttle'],
  hostProxyArgs: ['--idempotency-settle-seconds', '2'],
});
const fault = (spec) => armFault(shared.stack, spec);
const threads = async () => (await liveRecords(shared.stack)).threads;
const files = async () => (await liveRecords(shared.stack)).files;
const pageErrors = withoutFailedLoads;
const open = () => openPage(shared);

test('(a) an attach that timed out while the sandbox still acts, retried at once: one file', async () => {
  const { context, page, errors, writes } = await open();
  const panel = await mountPanel(page, { ...START, timeoutMs: 3000 });
  // The sandbox takes 3.8 s before it attaches: the panel gives up at 3 s, the backend waits.
  await fault({ method: 'POST', path: FILES, delayMs: 3800 });
  await write(panel, 'Slow attach');
  await panel.locator('input[type="file"]').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: PNG });
  await panel.locator('.nsc-file-card').waitFor();
  await submit(panel);
  await failedWith(panel, 'The server took too long to answer.');
  assert.equal((await files()).length, 0, 'the sandbox has not acted yet');
  await submit(panel);
  const { threadId, fileId } = await success(panel);
  assert.equal((await eventually(async () => (await files()).length === 1, 5000)), true);
  assert.deepEqual((await files()).map((f) => [f.Id, f.CommunityThreadId]), [[fileId, threadId]]);
  assert.deepEqual((await threads()).map((t) => t.Id), [threadId]);
  // Both sends of the attach carried the same key; the second was answered 409 (in flight)
  // or with the first answer, replayed.
  const attaches = writesTo(writes, FILES);
  assert.ok(attaches.length >= 2, JSON.stringify(attaches));
  assert.match(attaches[0].key, UUID);
  assert.ok(attaches.every((w) => w.key === attaches[0].key), JSON.stringify(attaches));
  assert.equal(attaches.at(-1).status, 200);
  assert.equal(attaches.at(-1).replayed, 'true');
  assert.notEqual(writesTo(writes, THREADS)[0].key, attaches[0].key, 'a key per write');
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('(b) a create whose answer is lost, retried after a reload with draftKey: one conversation, replayed', async () => {
  const { context, page, errors, writes } = await open();
  const panel = await mountPanel(page, { ...START, draftKey: 'lost-create' });
  await fault({ method: 'POST', path: THREADS, dropAfterHandling: true });
  await write(panel, 'Lost answer');
  await submit(panel);
  await panel.locator('.nsc-error-summary').waitFor();
  assert.equal((await threads()).length, 1, 'the sandbox acted');
  const saved = await page.evaluate(() => JSON.parse(sessionStorage.getItem('nexudus-start-conversation:lost-create')));
  assert.equal(saved.keys?.[0]?.write, 'thread', JSON.stringify(saved));
  assert.match(saved.keys[0].key, UUID);

  writes.length = 0;
  await page.reload();
  await page.locator('body[data-ready="true"]').waitFor();
  const remounted = await mountPanel(page, { ...START, draftKey: 'lost-create' });
  assert.equal(await remounted.locator('[name="Subject"]').inputValue(), 'Lost answer');
  await submit(remounted);
  const { threadId } = await success(remounted);
  assert.deepEqual((await threads()).map((t) => t.Id), [threadId]);
  const creates = writesTo(writes, THREADS);
  assert.ok(creates.every((w) => w.key === saved.keys[0].key), 'the saved key, after the reload');
  assert.equal(creates.at(-1).replayed, 'true', JSON.stringify(creates));
  // Settled: the key is retired with the draft.
  assert.equal(await page.evaluate(() => sessionStorage.getItem('nexudus-start-conversation:lost-create')), null);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('(c) two live panels sharing a draftKey: a console warning, and one conversation after a reload', async () => {
  const { context, page, errors, warnings, writes } = await open();
  const options = { ...START, draftKey: 'shared', timeoutMs: 3000 };
  const first = await mountPanel(page, options, 'first');
  const second = await mountPanel(page, options, 'second');
  assert.equal(warnings.filter((w) => w.includes('draftKey "shared"')).length, 1, JSON.stringify(warnings));
  assert.match(warnings.find((w) => w.includes('draftKey')), /another live panel on this page uses draftKey "shared"/);
  // The first panel's create is lost while the sandbox still acts: its mark and key are saved.
  await fault({ method: 'POST', path: THREADS, delayMs: 3800 });
  await write(first, 'Shared slot');
  await submit(first);
  await failedWith(first, 'The server took too long to answer.');
  const saved = await page.evaluate(() => sessionStorage.getItem('nexudus-start-conversation:shared'));
  // The second panel, edited meanwhile, leaves the first one's saved draft alone.
  await write(second, 'Other words', 'Typed in the second panel');
  await second.locator('[name="Message"]').press('Tab');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('nexudus-start-conversation:shared')), saved);
  assert.match(JSON.parse(saved).keys[0].key, UUID);

  writes.length = 0;
  await page.reload();
  await page.locator('body[data-ready="true"]').waitFor();
  const again = await mountPanel(page, options, 'first');
  assert.equal(await again.locator('[name="Subject"]').inputValue(), 'Shared slot');
  await submit(again);
  const { threadId } = await success(again);
  assert.deepEqual((await threads()).map((t) => [t.Id, t.Subject]), [[threadId, 'Shared slot']]);
  assert.ok(writesTo(writes, THREADS).every((w) => w.key === JSON.parse(saved).keys[0].key));
  // Once the first panel goes, a new panel with the key holds it again, without a warning.
  const before = warnings.length;
  await page.evaluate(() => window.handles.first.destroy());
  await mountPanel(page, options, 'third');
  assert.equal(warnings.length, before, JSON.stringify(warnings.slice(before)));
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('(d) a key in flight: 409, the panel says it waits, then the first answer', async () => {
  const { context, page, errors, writes } = await open();
  const panel = await mountPanel(page, { ...START, timeoutMs: 3000 });
  await fault({ method: 'POST', path: THREADS, delayMs: 3800 });
  await write(panel, 'Still in flight');
  await submit(panel);
  await failedWith(panel, 'The server took too long to answer.');
  await submit(panel);
  await panel.locator('.nsc-status', { hasText: 'still finishing your earlier attempt' }).waitFor();
  const { threadId } = await success(panel);
  assert.deepEqual((await threads()).map((t) => t.Id), [threadId]);
  const creates = writesTo(writes, THREADS);
  assert.ok(creates.some((w) => w.status === 409), JSON.stringify(creates));
  assert.equal(creates.at(-1).status, 200);
  assert.ok(creates.every((w) => w.key === creates[0].key));
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('(e) the text changed under one key: 422 as a clear message, nothing lost', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, { ...START, timeoutMs: 3000 });
  await fault({ method: 'POST', path: THREADS, delayMs: 3800 });
  await write(panel, 'Changed under a key', 'First words');
  await submit(panel);
  await failedWith(panel, 'The server took too long to answer.');
  await panel.locator('[name="Message"]').fill('Second thoughts');
  await submit(panel);
  await failedWith(panel, 'An earlier attempt with different details may already have been posted');
  assert.equal(await panel.locator('[name="Subject"]').inputValue(), 'Changed under a key');
  assert.equal(await panel.locator('[name="Message"]').inputValue(), 'Second thoughts');
  const events = await page.evaluate(() => window.hostEvents);
  assert.ok(events.some(([name, detail]) => name === 'error' && detail.code === 'key-reused'), JSON.stringify(events));
  // The first attempt lands, once, with the words it was sent with; the changed text was
  // not sent under its key (sending again is the member's choice, after that message).
  assert.equal((await eventually(async () => (await threads()).length === 1, 5000)), true);
  assert.deepEqual((await threads()).map((t) => t.Message), ['First words']);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('without idempotencyKeys no write carries the header (a bare Nexudus origin refuses it)', async () => {
  const { context, page, errors, writes } = await open();
  const panel = await mountPanel(page, { ...START, idempotencyKeys: false });
  await write(panel, 'No keys');
  await submit(panel);
  await success(panel);
  assert.ok(writes.length > 0 && writes.every((w) => w.key === undefined), JSON.stringify(writes));
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});
