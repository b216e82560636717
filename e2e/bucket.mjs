// A local S3-compatible bucket for the host backend's `--store-url s3://…`: s3s-fs from
// crates.io (`cargo xtask test` installs it; it checks SigV4 signatures, presigned URLs
// included) over a fresh temporary folder, with random credentials, behind the CORS rule a
// portal's bucket has for the portal's origin (xtask/bucket-cors.mjs). The browser PUTs to
// it and the sandbox downloads from it directly; the host backend only signs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startBucketCors } from '../xtask/bucket-cors.mjs';
import { endProcess } from './process.mjs';

/** The bucket's name; the host backend keeps its files under `e2e/` in it. */
export const BUCKET = 'portal-files';

function binary() {
  if (process.env.S3S_FS) return process.env.S3S_FS;
  const cargoHome = process.env.CARGO_HOME || path.join(os.homedir(), '.cargo');
  return path.join(cargoHome, 'bin', 's3s-fs');
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepting(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts the bucket for pages of `origin`. `fault(request)` may answer a request instead of
 * the bucket (a status), as in `startBucketCors`. Resolves with the `args` and `env` a host
 * backend instance needs, the CORS front's `url`, and a `stop()`.
 */
export async function startBucket({ origin, fault = undefined }) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'nsc-bucket-'));
  await mkdir(path.join(root, BUCKET));
  const port = await freePort();
  const accessKey = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretKey = randomBytes(24).toString('hex');
  const child = spawn(
    binary(),
    ['--host', '127.0.0.1', '--port', String(port), '--access-key', accessKey, '--secret-key', secretKey, root],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const started = new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start s3s-fs (${error.message}): \`cargo xtask test\` installs it`)));
    child.once('exit', (code) => reject(new Error(`s3s-fs exited early (${code})`)));
  });
  const deadline = Date.now() + 30_000;
  while (!(await Promise.race([accepting(port), started]))) {
    if (Date.now() > deadline) throw new Error('s3s-fs did not listen within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const front = await startBucketCors({ target: `http://127.0.0.1:${port}`, origin, fault });
  return {
    url: front.url,
    secretKey,
    args: ['--store-url', `s3://${BUCKET}/e2e`],
    env: {
      AWS_ENDPOINT_URL: front.url,
      AWS_ALLOW_HTTP: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: accessKey,
      AWS_SECRET_ACCESS_KEY: secretKey,
    },
    async stop() {
      await front.close();
      await endProcess(child, 'SIGTERM');
      await rm(root, { recursive: true, force: true });
    },
  };
}
