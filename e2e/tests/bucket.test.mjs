// Files in an S3-compatible bucket (issue 24): two nexudus-host-proxy instances on one Redis
// with `--store-url s3://…`, behind the round-robin balancer, in front of the sandbox. The
// bucket is s3s-fs (it checks every signature) on another origin, behind the CORS rule a
// portal's bucket has. The panel (the packed package's plain page, its connect-src naming the
// bucket's origin, as a portal's would) PUTs the bytes to the bucket with the presigned URL; the host backend
// never sees them; Nexudus (the sandbox) downloads them from the bucket with a URL signed
// afresh at the attach. Every wait is on DOM state, a response or the sandbox's records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, PNG, useStack, liveRecords, attachmentBytes, withoutFailedLoads } from '../harness.mjs';
import { open as openPage, mountPanel, write, submit, failedWith, assertKept, success } from '../backend-panel.mjs';

const START = { businessId: 1, userId: 10, groupId: 1 };

/** The bucket answers the next `failPuts` PUTs with a 503 of its own (an XML body). */
const bucketFaults = { failPuts: 0, puts: [] };
const shared = useStack({
  root: path.join(FIXTURES, 'plain-html'),
  sandboxArgs: ['--no-throttle'],
  hostProxies: 2,
  redis: true,
  bucket: {
    fault(request) {
      if (request.method !== 'PUT') return undefined;
      bucketFaults.puts.push(request.url.split('?')[0]);
      if (bucketFaults.failPuts === 0) return undefined;
      bucketFaults.failPuts -= 1;
      return 503;
    },
  },
});

/** Opens the page and records where each request of the page went. */
async function open() {
  const opened = await openPage(shared);
  const requests = [];
  opened.page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
  return { ...opened, requests };
}

async function withPicture(panel, subject) {
  await write(panel, subject, 'The plan is attached.');
  await panel.locator('input[type="file"]').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: PNG });
  await panel.locator('.nsc-file-card').waitFor();
}

test('a picture goes to the bucket, not through the host backend, and Nexudus downloads it from there', async () => {
  const from = shared.stack.hostProxyLog.length;
  const { context, page, errors, requests } = await open();
  const panel = await mountPanel(page, START);
  await withPicture(panel, 'Into the bucket');
  await submit(panel);
  const { threadId, fileId } = await success(panel);

  // The page PUT the bytes to the bucket's origin, signed for its type and length.
  const puts = requests.filter((r) => r.method === 'PUT');
  assert.equal(puts.length, 1, JSON.stringify(puts));
  const put = new URL(puts[0].url);
  assert.equal(put.origin, shared.stack.bucketUrl);
  assert.match(put.searchParams.get('X-Amz-SignedHeaders') ?? '', /content-length;content-type;host/);
  // No instance saw a PUT; both took part (the ticket on one, the attach maybe on the other).
  const calls = shared.stack.hostProxyLog.slice(from);
  assert.ok(!calls.some((c) => c.method === 'PUT'), JSON.stringify(calls));
  assert.ok(calls.some((c) => c.instance === 0) && calls.some((c) => c.instance === 1), JSON.stringify(calls));

  const { threads, files } = await liveRecords(shared.stack);
  assert.deepEqual(threads.map((t) => t.Id), [threadId]);
  assert.deepEqual(files.map((f) => [f.Id, f.CommunityThreadId]), [[fileId, threadId]]);
  assert.ok((await attachmentBytes(shared.stack, fileId)).equals(PNG), 'the same bytes');
  assert.deepEqual(withoutFailedLoads(errors), []);
  await context.close();
});

test('the bucket refuses the upload: the member keeps everything, posts again, one conversation', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  await withPicture(panel, 'The bucket was down');
  bucketFaults.failPuts = 1;
  const before = bucketFaults.puts.length;
  await submit(panel);
  await failedWith(panel, 'The file could not be uploaded: the storage refused the file (HTTP 503)');
  assert.equal(bucketFaults.puts.length - before, 1, 'one PUT, refused');
  assert.equal((await liveRecords(shared.stack)).threads.length, 0, 'nothing posted yet');
  await assertKept(panel, 'The bucket was down', 'The plan is attached.');

  await submit(panel);
  const { threadId, fileId } = await success(panel);
  const { threads, files } = await liveRecords(shared.stack);
  assert.deepEqual(threads.map((t) => t.Id), [threadId], 'one conversation');
  assert.deepEqual(files.map((f) => [f.Id, f.CommunityThreadId]), [[fileId, threadId]]);
  assert.ok((await attachmentBytes(shared.stack, fileId)).equals(PNG));
  assert.deepEqual(withoutFailedLoads(errors), []);
  await context.close();
});
