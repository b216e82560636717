// The host backend scaled out (issue 24): two nexudus-host-proxy instances on one Redis, one
// upload folder between them, behind a round-robin balancer (the page's server alternates them
// request by request), in front of the sandbox. The panel (the packed package's plain page,
// `idempotencyKeys` on) must not notice which instance answers, nor that one dies with its
// create in flight. Every wait is on DOM state, a response or the sandbox's records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, PNG, useStack, armFault, liveRecords, attachmentBytes, withoutFailedLoads, eventually } from '../harness.mjs';
import { open as openPage, mountPanel, write, submit, failedWith, assertKept, success, writesTo } from '../backend-panel.mjs';

const THREADS = '/api/community/communitythreads';
const START = { businessId: 1, userId: 10, groupId: 1 };

const shared = useStack({
  root: path.join(FIXTURES, 'plain-html'),
  sandboxArgs: ['--no-throttle'],
  hostProxies: 2,
  redis: true,
  // A dead instance's claim on a key lapses after 1 s; a keyed write whose Nexudus answer was
  // lost is looked up after 2 s.
  hostProxyArgs: ['--idempotency-lease-seconds', '1', '--idempotency-settle-seconds', '2'],
});
const open = () => openPage(shared);

/** The balancer's log from entry `from` on: which instance took which call. */
const calls = (from = 0) => shared.stack.hostProxyLog.slice(from);

test('a conversation with a picture, its calls spread over both instances', async () => {
  const from = calls().length;
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  await write(panel, 'Two instances', 'One balancer, one Redis.');
  await panel.locator('input[type="file"]').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: PNG });
  await panel.locator('.nsc-file-card').waitFor();
  await submit(panel);
  const { threadId, fileId } = await success(panel);

  // The ticket, the PUT, the create and the attach did not all go to one instance: an upload
  // ticket issued by one was taken by the other, through Redis and the shared folder.
  const taken = calls(from);
  const by = (i) => taken.filter((c) => c.instance === i).map((c) => `${c.method} ${c.path.split('?')[0]}`);
  assert.ok(by(0).length > 0 && by(1).length > 0, JSON.stringify(taken));
  const upload = taken.find((c) => c.method === 'POST' && c.path === '/uploads');
  const put = taken.find((c) => c.method === 'PUT' && c.path.startsWith('/uploads/'));
  assert.ok(upload && put, JSON.stringify(taken));

  // Nexudus (the sandbox) has the one conversation and downloaded the same bytes, from
  // whichever instance the balancer picked for its download.
  const { threads, files } = await liveRecords(shared.stack);
  assert.deepEqual(threads.map((t) => t.Id), [threadId]);
  assert.deepEqual(files.map((f) => [f.Id, f.CommunityThreadId]), [[fileId, threadId]]);
  assert.ok((await attachmentBytes(shared.stack, fileId)).equals(PNG));
  assert.deepEqual(withoutFailedLoads(errors), []);
  await context.close();
});

test('the instance forwarding the create is SIGKILLed: the member posts again, one conversation', async () => {
  const { context, page, errors, writes } = await open();
  const panel = await mountPanel(page, START);
  // Nexudus creates the conversation, then is slow to say so: the instance dies meanwhile.
  await armFault(shared.stack, { method: 'POST', path: THREADS, delayMs: 4000, delayAfterHandling: true });
  await write(panel, 'Killed mid-create', 'Nothing I wrote may be lost.');
  await panel.locator('input[type="file"]').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: PNG });
  await panel.locator('.nsc-file-card').waitFor();
  await submit(panel);
  assert.equal(await eventually(async () => (await liveRecords(shared.stack)).threads.length === 1, 10_000), true);
  const forwarding = calls().findLast((c) => c.method === 'POST' && c.path === THREADS);
  await shared.stack.killHostProxy(forwarding.instance);

  // The answer is lost with the instance: the panel says so and keeps everything.
  await failedWith(panel, 'The server could not be reached.');
  await assertKept(panel, 'Killed mid-create', 'Nothing I wrote may be lost.');

  // Posting again goes to the survivor with the same key, which settles it: the same record.
  await submit(panel);
  const { threadId, fileId } = await success(panel);
  const { threads, files } = await liveRecords(shared.stack);
  assert.deepEqual(threads.map((t) => t.Id), [threadId], 'one conversation');
  assert.deepEqual(files.map((f) => [f.Id, f.CommunityThreadId]), [[fileId, threadId]]);
  const creates = writesTo(writes, THREADS);
  assert.ok(creates.length >= 2 && creates.every((w) => w.key === creates[0].key), JSON.stringify(creates));
  const survivor = 1 - forwarding.instance;
  assert.ok(
    calls().some((c) => c.instance === survivor && c.method === 'POST' && c.path === THREADS),
    'the retry reached the other instance',
  );
  assert.deepEqual(withoutFailedLoads(errors), []);
  await context.close();
});
