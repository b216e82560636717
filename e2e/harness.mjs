// The end-to-end stack: the sandbox binary on a free port, and a static server for the
// trunk-built demo (dist/) that proxies /api, /uploads and /_sandbox to the sandbox,
// exactly as `trunk serve` does in `cargo xtask demo`. Each test file starts its own
// stack, so files are isolated from each other.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const PROXIED = ['/api/', '/uploads', '/_sandbox/'];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through \`cargo xtask test\``);
  return value;
}

/** Starts the sandbox binary; resolves once it printed its address. */
export async function startSandbox(extraArgs = []) {
  const child = spawn(required('SANDBOX_BIN'), ['--addr', '127.0.0.1:0', '--enable-faults', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the sandbox exited early (${code})`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = /(http:\/\/\S+)$/.exec(line);
      match ? resolve(match[1]) : reject(new Error(`unexpected sandbox output: ${line}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function proxy(request, response, target) {
  const upstream = http.request(
    new URL(request.url, target),
    { method: request.method, headers: { ...request.headers, host: new URL(target).host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  // A dropped upstream connection must look dropped to the browser too.
  upstream.on('error', () => response.destroy());
  request.pipe(upstream);
}

async function serveFile(root, request, response) {
  const pathname = decodeURIComponent(new URL(request.url, 'http://x').pathname);
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

/** Starts the sandbox and the demo server; returns their URLs and a `close()`. */
export async function startStack({ sandboxArgs = [] } = {}) {
  const sandbox = await startSandbox(sandboxArgs);
  const root = required('DIST_DIR');
  const server = http.createServer((request, response) => {
    if (PROXIED.some((prefix) => request.url.startsWith(prefix))) {
      proxy(request, response, sandbox.url);
    } else {
      serveFile(root, request, response);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    pageUrl: `http://127.0.0.1:${port}/`,
    sandboxUrl: sandbox.url,
    /** GETs a sandbox JSON endpoint (inspection, faults). */
    async sandboxJson(pathname, init) {
      const answer = await fetch(new URL(pathname, sandbox.url), init);
      return answer.json();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sandbox.stop();
    },
  };
}

/** Launches Debian's Chromium headless, without the background traffic this closed network refuses. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Fails the test on any uncaught page error or console error. */
export function watchPageErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}
