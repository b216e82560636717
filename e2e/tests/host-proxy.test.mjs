// The production topology end to end: the demo's member panel (#member-panel) → the host
// backend (host-proxy, on the page's origin at /host/) → the sandbox. The panel holds only
// the member's session from the host's login; the backend holds the Nexudus credential,
// posts as that member whatever the page claims, and stores the file Nexudus downloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG, useStack, openDemoPage, cspViolations, createdRecords, attachmentBytes, pageSnapshot } from '../harness.mjs';

const shared = useStack({ sandboxArgs: ['--no-throttle'] });

async function openMemberPanel(options) {
  const opened = await openDemoPage(shared, options);
  const panel = opened.page.locator('#member-panel');
  await panel.locator('[name="Subject"]').waitFor();
  return { ...opened, panel };
}

test('a member starts a conversation with a picture through the host backend', async () => {
  const { context, page, panel, errors, requests } = await openMemberPanel();
  // The boards come through the backend too, limited to the member's business.
  await panel.locator('select[name="CommunityGroupId"] option', { hasText: 'General' }).waitFor({ state: 'attached' });
  await panel.locator('[name="Subject"]').fill('Rooftop garden');
  await panel.locator('[name="Message"]').fill('Photos from this morning.');
  await panel.locator('input[type="file"]').setInputFiles({ name: 'rooftop.png', mimeType: 'image/png', buffer: PNG });
  await panel.locator('.nsc-file-card').waitFor();
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  const done = panel.locator('.nsc-success');
  await done.waitFor();
  const threadId = Number(await done.getAttribute('data-thread-id'));
  const fileId = Number(await done.getAttribute('data-file-id'));
  assert.ok(threadId > 0 && fileId > 0);

  // Every call went to the backend on this origin, with the member's session: never to the
  // sandbox (Nexudus) directly, never with a Nexudus token.
  const calls = requests.filter((r) => new URL(r.url()).pathname.startsWith('/host/'));
  const paths = calls.map((r) => `${r.method()} ${new URL(r.url()).pathname}`);
  for (const expected of [
    'POST /host/uploads',
    'POST /host/api/community/communitythreads',
    'POST /host/api/community/communitythreadfiles',
  ]) {
    assert.ok(paths.includes(expected), `${expected} in ${paths.join(', ')}`);
  }
  assert.ok(paths.some((p) => p.startsWith('PUT /host/uploads/')), paths.join(', '));
  // Every write to Nexudus went with an Idempotency-Key (the demo turns idempotencyKeys on
  // for this panel), each write its own.
  const writes = calls.filter((r) => r.method() === 'POST' && new URL(r.url()).pathname.startsWith('/host/api/'));
  const keys = writes.map((r) => r.headers()['idempotency-key']);
  assert.ok(keys.length >= 2 && keys.every((key) => /^[0-9a-f-]{36}$/.test(key ?? '')), JSON.stringify(keys));
  assert.equal(new Set(keys).size, keys.length, 'a key per write');
  for (const request of calls) {
    const authorization = request.headers().authorization;
    if (authorization) assert.match(authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, 'a member JWT, not a Nexudus token');
  }
  // (The demo's other panels talk to the sandbox directly with its admin token; this one never does.)
  const fromThisPanel = requests.filter((r) => r.headers().authorization?.split('.').length === 3);
  assert.ok(fromThisPanel.every((r) => new URL(r.url()).pathname.startsWith('/host/')), 'the member session goes only to the backend');

  // The sandbox (Nexudus) got the conversation as user 10 of business 1, and downloaded
  // the picture from the backend's file store, byte for byte.
  const records = await createdRecords(shared.stack);
  const thread = records.threads.find((t) => t.Id === threadId);
  assert.equal(thread.UserId, 10);
  assert.equal(thread.BusinessId, 1);
  const file = records.files.find((f) => f.Id === fileId);
  assert.equal(file.CommunityThreadId, threadId);
  assert.ok((await attachmentBytes(shared.stack, fileId)).equals(PNG));

  // Neither the operator's credential nor any Nexudus token reached the page.
  const snapshot = await pageSnapshot(page);
  assert.ok(!snapshot.includes('sandbox-api-password') && !/sbx-at-/.test(snapshot));
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

// Issue 26: the portal's board rule, which the operator's credential would bypass. The
// sandbox seeds Ada (user 10) in restricted board 4 "Founders circle" and Grace (user 11) in
// private board 3 "Managers"; the host's login (the harness) puts them in each session's
// `groups` claim.
const BOARD = 'select[name="CommunityGroupId"]';

test('a member of a restricted board sees it in the picker and posts to it', async () => {
  const { context, panel, errors } = await openMemberPanel();
  const founders = panel.locator(`${BOARD} option[value="4"]`);
  await founders.waitFor({ state: 'attached' });
  assert.equal((await founders.textContent()).trim(), 'Founders circle (members only)');
  // Grace's private board is not Ada's.
  assert.equal(await panel.locator(`${BOARD} option[value="3"]`).count(), 0);
  await panel.locator(BOARD).selectOption('4');
  await panel.locator('[name="Subject"]').fill('Seed round');
  await panel.locator('[name="Message"]').fill('Notes from the pitch night.');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  const done = panel.locator('.nsc-success');
  await done.waitFor();
  const threadId = Number(await done.getAttribute('data-thread-id'));
  const thread = (await createdRecords(shared.stack)).threads.find((t) => t.Id === threadId);
  assert.deepEqual([thread.CommunityGroupId, thread.UserId, thread.BusinessId], [4, 10, 1]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a member outside a restricted board is not offered it, and a crafted request gets the Board field\'s error', async () => {
  const grace = shared.stack.memberSessions.grace;
  const { context, page, panel, errors } = await openMemberPanel({ memberSession: grace });
  // Her own private board is offered, marked; Ada's restricted board is not.
  const managers = panel.locator(`${BOARD} option[value="3"]`);
  await managers.waitFor({ state: 'attached' });
  assert.equal((await managers.textContent()).trim(), 'Managers (members only)');
  assert.equal(await panel.locator(`${BOARD} option[value="4"]`).count(), 0);

  // Crafted through the page: the board added to the picker by hand and posted.
  await panel.locator(BOARD).evaluate((select) => select.add(new Option('Founders circle', '4')));
  await panel.locator(BOARD).selectOption('4');
  await panel.locator('[name="Subject"]').fill('Let me in');
  await panel.locator('[name="Message"]').fill('Posted where I may not.');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator(`${BOARD}[aria-invalid="true"]`).waitFor();
  const field = panel.locator('.nsc-field', { has: page.locator(BOARD) });
  assert.match(await field.textContent(), /You cannot post on this board\./);
  assert.equal(await panel.locator('.nsc-success').count(), 0);
  // What she typed is still there.
  assert.equal(await panel.locator('[name="Subject"]').inputValue(), 'Let me in');

  // Crafted by hand: her session, straight at the backend.
  const answer = await page.evaluate(async (session) => {
    const response = await fetch('/host/api/community/communitythreads', {
      method: 'POST',
      headers: { Authorization: `Bearer ${session}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Subject: 'Let me in', Message: 'Again.', CommunityGroupId: 4 }),
    });
    return { status: response.status, body: await response.json() };
  }, grace);
  assert.equal(answer.status, 400);
  assert.equal(answer.body.WasSuccessful, false);
  assert.deepEqual(
    answer.body.Errors.map((e) => [e.PropertyName, e.AttemptedValue]),
    [['CommunityGroupId', 4]],
  );
  // Nothing reached Nexudus.
  assert.deepEqual((await createdRecords(shared.stack)).threads, []);
  // The two refusals are the browser's own "Failed to load resource" lines; nothing else.
  assert.deepEqual(errors.filter((line) => !/Failed to load resource: .* 400/.test(line)), []);
  assert.equal(errors.length, 2, errors.join('\n'));
  await context.close();
});
