// The production topology end to end: the demo's member panel (#member-panel) → the host
// backend (host-proxy, on the page's origin at /host/) → the sandbox. The panel holds only
// the member's session from the host's login; the backend holds the Nexudus credential,
// posts as that member whatever the page claims, and stores the file Nexudus downloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG, useStack, openDemoPage, cspViolations, createdRecords, attachmentBytes, pageSnapshot } from '../harness.mjs';

const shared = useStack({ sandboxArgs: ['--no-throttle'] });

async function openMemberPanel() {
  const opened = await openDemoPage(shared);
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
