// The end-to-end stack: the sandbox binary on a free port, and a static server for the
// trunk-built demo (dist/) — or a consumer fixture (fixtures/) — that proxies /api,
// /uploads and /_sandbox to the sandbox, exactly as `trunk serve` does in
// `cargo xtask demo`. Each test file starts its own stack, so files are isolated from
// each other. `bench/run.mjs` starts its sandbox, server and browser with these too.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { before, after, beforeEach } from 'node:test';
import { chromium } from 'playwright-core';
import { startBucket } from './bucket.mjs';
import { endProcess } from './process.mjs';

const PROXIED = ['/api/', '/uploads', '/_sandbox/'];

/** The consumer fixtures (`cargo xtask test` installs the packed tarball in each). */
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
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
  if (!value) throw new Error(`${name} is not set: run this through \`cargo xtask test\` (or \`cargo xtask bench\`)`);
  return value;
}

/**
 * Starts a server binary that prints one line ending with its address once it listens;
 * resolves with that address and a `stop()`.
 */
async function startService(what, bin, args, env = process.env) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 30 s`)), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${what} exited early (${code})`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = /(http:\/\/\S+)$/.exec(line);
      match ? resolve(match[1]) : reject(new Error(`unexpected output from ${what}: ${line}`));
    });
  });
  return {
    url,
    stop: () => endProcess(child, 'SIGTERM'),
    /** Ends it as a crash or an OOM killer would: no draining, no goodbye. */
    kill: () => endProcess(child, 'SIGKILL'),
  };
}

/**
 * Starts Debian's `redis-server` (or `REDIS_SERVER`) on a Unix socket in a fresh temporary
 * folder (no port to race for), nothing saved to disk; resolves with its `url` for
 * `--redis-url` once it takes connections, and a `stop()`.
 */
export async function startRedis() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nsc-redis-'));
  const socket = path.join(dir, 'redis.sock');
  const args = ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(process.env.REDIS_SERVER || 'redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 30 s')), 30_000);
    child.once('error', (error) =>
      reject(new Error(`cannot start redis-server (${error.message}): \`cargo xtask test\` installs Debian's`)),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited early (${code})`)));
    lines.on('line', (line) => {
      if (/ready to accept connections/i.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis+unix://${socket}`,
    async stop() {
      await endProcess(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the sandbox binary, with its fault switches on unless `faults` is false (with
 * them on it closes every connection after one answer); resolves once it printed its
 * address.
 */
export function startSandbox(extraArgs = [], { faults = true } = {}) {
  const args = ['--addr', '127.0.0.1:0', ...(faults ? ['--enable-faults'] : []), '--quiet', ...extraArgs];
  return startService('the sandbox', required('SANDBOX_BIN'), args);
}

/** Puts the sandbox back at its seed state (records, uploads, faults, throttle counters). */
export function resetSandbox(sandboxUrl) {
  return fetch(new URL('/_sandbox/reset', sandboxUrl), { method: 'POST' });
}

/**
 * Starts the host backend (host-proxy) in front of the sandbox, as a portal operator runs
 * it: signed in as the sandbox's API user, accepting member sessions signed with a key of
 * this run, storing files under a temporary folder that `publicBase` serves. Returns it
 * with member sessions, as the host's login would give them: `session` for user 10 (Ada) of
 * business 1, and `sessions` for users 10 and 11 (Grace), each with a `groups` claim naming
 * the boards the sandbox seeds them in (its `/_sandbox/memberships`: Ada in restricted board
 * 4, Grace in private board 3).
 */
async function startHostProxy(sandboxUrl, pageOrigin, publicBase, extraArgs = [], count = 1, extraEnv = {}) {
  const bin = required('HOST_PROXY_BIN');
  const secret = randomBytes(32).toString('hex');
  const uploads = await mkdtemp(path.join(os.tmpdir(), 'nsc-host-proxy-'));
  const { NEXUDUS_API_TOKEN: _ignored, ...withoutToken } = process.env;
  const mint = async (user) => {
    const { groups } = await (await fetch(new URL(`/_sandbox/memberships?user=${user}`, sandboxUrl))).json();
    const args = ['mint-session', '--sub', String(user), '--business-id', '1'];
    if (groups.length > 0) args.push('--groups', groups.join(','));
    const minted = spawnSync(bin, args, { env: { ...process.env, MEMBER_JWT_SECRET: secret }, encoding: 'utf8' });
    if (minted.status !== 0) throw new Error(`mint-session failed: ${minted.stderr}`);
    return minted.stdout.trim();
  };
  const sessions = { ada: await mint(10), grace: await mint(11) };
  // Several instances share what an operator gives them all: the session key, the upload
  // folder (one volume), and whatever `extraArgs` names (a `--redis-url`).
  const instances = [];
  try {
    for (let i = 0; i < count; i += 1) {
      instances.push(
        await startService(
          'the host proxy',
          bin,
          [
            ...['--listen', '127.0.0.1:0', '--upstream', sandboxUrl, '--cors-origin', pageOrigin, '--public-base-url', publicBase, '--quiet'],
            // One store: the shared folder, unless `extraArgs` names a bucket.
            ...(extraArgs.includes('--store-url') ? [] : ['--uploads-dir', uploads]),
            ...extraArgs,
          ],
          { ...withoutToken, NEXUDUS_USERNAME: 'api@sandbox.test', NEXUDUS_PASSWORD: 'sandbox-api-password', MEMBER_JWT_SECRET: secret, ...extraEnv },
        ),
      );
    }
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.stop()));
    throw error;
  }
  return {
    url: instances[0].url,
    instances,
    session: sessions.ada,
    sessions,
    async stop() {
      await Promise.all(instances.map((instance) => instance.stop()));
      await rm(uploads, { recursive: true, force: true });
    },
  };
}

function proxy(request, response, target, pathname = request.url) {
  const upstream = http.request(
    new URL(pathname, target),
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

/** The request's path, decoded. */
export function requestPath(request) {
  return decodeURIComponent(new URL(request.url, 'http://x').pathname);
}

/**
 * Answers with the file at `relative` under `root`, typed by its extension, with `headers`
 * added (and its text through `transform`, when given): 403 for a path that leaves `root`,
 * 404 for a missing file.
 */
export async function sendFile(response, root, relative, headers = {}, transform = undefined) {
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const bytes = await readFile(file);
    const body = transform ? transform(bytes.toString('utf8')) : bytes;
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...headers });
    response.end(body);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

function serveFile(root, request, response, transform = undefined) {
  const pathname = requestPath(request);
  return sendFile(response, root, pathname === '/' ? 'index.html' : pathname.slice(1), {}, transform);
}

/** Starts `server` on a free loopback port; resolves with its origin and a `close()`. */
export async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Starts the sandbox and a server for `root` (default: the trunk-built demo in DIST_DIR);
 * returns their URLs and a `close()`. `onRequest`, if given, sees every request the page
 * sent, as the server got it (`{ method, path, headers, body }`, the body's first 64 KB as
 * text): what a browser sent, observed the same way whatever drives it. `hostProxyArgs` are
 * added to the host backend's command line.
 */
export async function startStack({
  sandboxArgs = [],
  hostProxyArgs = [],
  hostProxies = 1,
  redis = false,
  bucket = undefined,
  root = undefined,
  onRequest = undefined,
} = {}) {
  root ??= required('DIST_DIR');
  let sandbox;
  let hostProxy;
  let redisServer;
  let bucketServer;
  // The load balancer in front of the host backend's instances: each request to the next
  // live one in turn (a request is one call: the page's server keeps no connection alive).
  const balanced = { next: 0, dead: new Set(), log: [] };
  const server = http.createServer((request, response) => {
    if (onRequest) {
      const chunks = [];
      let kept = 0;
      request.on('data', (chunk) => {
        if (kept < 65_536) chunks.push(chunk.subarray(0, 65_536 - kept));
        kept += chunk.length;
      });
      request.on('end', () =>
        onRequest({ method: request.method, path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    }
    // No connection is reused, as the sandbox does with faults on: Chrome silently
    // resends a request once when a reused connection closes without an answer, which
    // would hide a dropped connection from the page under test.
    response.shouldKeepAlive = false;
    if (PROXIED.some((prefix) => request.url.startsWith(prefix))) {
      proxy(request, response, sandbox.url);
    } else if (request.url.startsWith('/host/')) {
      // The host backend on the page's own origin, as `cargo xtask demo` serves it.
      const live = hostProxy.instances.map((_, i) => i).filter((i) => !balanced.dead.has(i));
      const instance = live[balanced.next++ % live.length];
      const pathname = request.url.slice('/host'.length);
      balanced.log.push({ instance, method: request.method, path: pathname });
      proxy(request, response, hostProxy.instances[instance].url, pathname);
    } else if (request.url === '/login/session') {
      // The stand-in for the host's own sign-in: the member's session.
      response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(hostProxy.session);
    } else if (bucketServer && /^\/(index\.html)?$/.test(requestPath(request))) {
      // A portal whose files are in a bucket lets its page reach the bucket's origin.
      serveFile(root, request, response, (html) => html.replace("connect-src 'self'", `connect-src 'self' ${bucketServer.url}`));
    } else {
      serveFile(root, request, response);
    }
  });
  const page = await listen(server);
  // The upload store's addresses use the page's origin, which proxies /uploads to the
  // sandbox, as a host's storage would sit on an origin the page's CSP allows.
  const pageOrigin = page.url;
  try {
    sandbox = await startSandbox(['--public-url', pageOrigin, ...sandboxArgs]);
    const shared = [];
    if (redis) {
      redisServer = await startRedis();
      shared.push('--redis-url', redisServer.url);
    }
    if (bucket) {
      // The files in a bucket on another origin (`bucket` is `startBucket`'s options).
      bucketServer = await startBucket({ ...bucket, origin: pageOrigin });
      shared.push(...bucketServer.args);
    }
    hostProxy = await startHostProxy(sandbox.url, pageOrigin, `${pageOrigin}/host`, [...shared, ...hostProxyArgs], hostProxies, bucketServer?.env);
  } catch (error) {
    await page.close();
    await sandbox?.stop();
    await redisServer?.stop();
    await bucketServer?.stop();
    throw error;
  }
  return {
    pageUrl: `${pageOrigin}/`,
    /** The bucket's address (its CORS front), with `bucket`. */
    bucketUrl: bucketServer?.url,
    sandboxUrl: sandbox.url,
    hostProxyUrl: hostProxy.url,
    /** Member sessions for the host backend: `{ ada, grace }` (see `startHostProxy`). */
    memberSessions: hostProxy.sessions,
    /** GETs a sandbox JSON endpoint (inspection, faults). */
    async sandboxJson(pathname, init) {
      const answer = await fetch(new URL(pathname, sandbox.url), init);
      return answer.json();
    },
    /**
     * The requests the balancer sent to the host backend, in order: `{ instance, method,
     * path }` (`instance` indexes the instances started, with `hostProxies`).
     */
    hostProxyLog: balanced.log,
    /** SIGKILLs instance `i`; the balancer sends nothing more to it. */
    async killHostProxy(i) {
      balanced.dead.add(i);
      await hostProxy.instances[i].kill();
    },
    async close() {
      await page.close();
      await hostProxy.stop();
      await sandbox.stop();
      await redisServer?.stop();
      await bucketServer?.stop();
    },
  };
}

/**
 * Launches Debian's Chromium headless (`CHROMIUM` names another), without the background
 * traffic this closed network refuses; `extraArgs` are added to its command line.
 */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
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

/**
 * Everything a page shows or keeps that a secret must never reach: the serialized DOM with
 * every attribute, each open shadow root's content (recursively), form values, and both
 * web storages.
 */
export function pageSnapshot(page) {
  return page.evaluate(() => {
    const parts = [document.documentElement.outerHTML];
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        for (const attribute of el.attributes) parts.push(`${attribute.name}=${attribute.value}`);
        if ('value' in el && typeof el.value === 'string') parts.push(el.value);
        if (el.shadowRoot) {
          parts.push(el.shadowRoot.innerHTML);
          walk(el.shadowRoot);
        }
      }
    };
    walk(document);
    parts.push(JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }));
    return parts.join('\n');
  });
}

/**
 * Counts what a page keeps alive, installed before any of its scripts runs: event
 * listeners on window, document and connected nodes (including shadow roots), pending
 * timers and intervals, and object URLs not yet revoked. `liveResources(page)` reads it.
 * Also records Content-Security-Policy violations (`cspViolations(page)`).
 */
export async function watchLiveResources(context) {
  await context.addInitScript(() => {
    const listeners = [];
    const capture = (options) => (typeof options === 'boolean' ? options : Boolean(options?.capture));
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    const find = (target, type, listener, options) =>
      listeners.findIndex(
        (entry) =>
          entry.target === target && entry.type === type && entry.listener === listener && entry.capture === capture(options),
      );
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (listener && find(this, type, listener, options) < 0 && !options?.once) {
        listeners.push({ target: this, type, listener, capture: capture(options) });
      }
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      const index = find(this, type, listener, options);
      if (index >= 0) listeners.splice(index, 1);
      return remove.call(this, type, listener, options);
    };
    const timers = new Map();
    const wrap = (name, clearName, repeating) => {
      const original = window[name];
      const clear = window[clearName];
      window[name] = function (handler, delay, ...rest) {
        const id = original.call(
          window,
          typeof handler === 'function'
            ? (...args) => {
                if (!repeating) timers.delete(id);
                return handler(...args);
              }
            : handler,
          delay,
          ...rest,
        );
        timers.set(id, `${name}(${delay ?? 0})`);
        return id;
      };
      window[clearName] = function (id) {
        timers.delete(id);
        return clear.call(window, id);
      };
    };
    wrap('setTimeout', 'clearTimeout', false);
    wrap('setInterval', 'clearInterval', true);
    const objectUrls = new Set();
    const create = URL.createObjectURL;
    const revoke = URL.revokeObjectURL;
    URL.createObjectURL = (object) => {
      const url = create.call(URL, object);
      objectUrls.add(url);
      return url;
    };
    URL.revokeObjectURL = (url) => {
      objectUrls.delete(url);
      return revoke.call(URL, url);
    };
    const violations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
    const describe = (target) =>
      target === window
        ? 'window'
        : target === document
          ? 'document'
          : target instanceof ShadowRoot
            ? `#shadow-root(${target.host.localName})`
            : `${target.nodeName?.toLowerCase() ?? 'object'}${target.id ? `#${target.id}` : ''}`;
    const connected = (target) => target === window || target === document || target.isConnected === true;
    window.__nscLive = () => ({
      listeners: listeners.filter((entry) => connected(entry.target)).map((e) => `${describe(e.target)} ${e.type}`),
      timers: [...timers.values()],
      objectUrls: objectUrls.size,
    });
    window.__nscViolations = () => violations.slice();
  });
}

/** What `watchLiveResources` counts, now. */
export function liveResources(page) {
  return page.evaluate(() => window.__nscLive());
}

/** Content-Security-Policy violations seen so far (needs `watchLiveResources`). */
export function cspViolations(page) {
  return page.evaluate(() => window.__nscViolations());
}

/** Polls `check` (an async function returning a truthy value) until it holds or `ms` pass. */
export async function eventually(check, ms = 5000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return last;
}

/** Gives a link as the attachment (switching to it where files are offered), and names the file. */
export async function attachByLink(panel, url, name) {
  // A panel with nowhere to put files shows the link field alone.
  const toLink = panel.getByRole('button', { name: 'Link to a file instead' });
  if ((await toLink.count()) > 0) await toLink.click();
  await panel.locator('input[type="url"][name="NewFileDataUrl"]').fill(url);
  if (name !== undefined) await panel.locator('input[name="Name"]').fill(name);
}

/**
 * Stores `text` in the sandbox's upload store and returns its public URL: an http link on
 * the loopback host, which the panel accepts and the sandbox downloads as NewFileDataUrl.
 */
export async function storedFile(sandboxUrl, fileName = 'notes.txt', text = 'meeting notes', contentType = 'text/plain') {
  const answer = await fetch(new URL('/uploads', sandboxUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sandbox-admin-token' },
    body: JSON.stringify({ fileName, contentType, size: Buffer.byteLength(text) }),
  });
  if (!answer.ok) throw new Error(`POST /uploads answered ${answer.status}`);
  const { uploadUrl, fileUrl } = await answer.json();
  const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': contentType }, body: text });
  if (!put.ok) throw new Error(`PUT ${uploadUrl} answered ${put.status}`);
  return fileUrl;
}

/** The bytes of an attachment as the sandbox stored them (what Nexudus downloaded). */
export async function attachmentBytes(stack, fileId) {
  const answer = await fetch(new URL(`/api/community/communitythreadfiles/${fileId}/content`, stack.sandboxUrl), {
    headers: { authorization: 'Bearer sandbox-admin-token' },
  });
  if (!answer.ok) throw new Error(`GET the content of file ${fileId} answered ${answer.status}`);
  return Buffer.from(await answer.arrayBuffer());
}

/** A 1×1 PNG for tests that attach a picture. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * One stack and one browser for a test file, with the sandbox back at its seed state
 * before each test. Returns an object whose `stack` and `browser` are set once started.
 */
export function useStack(options) {
  const shared = {};
  before(async () => {
    shared.stack = await startStack(options);
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.stack?.close();
  });
  beforeEach(async () => {
    await resetSandbox(shared.stack.sandboxUrl);
  });
  return shared;
}

/** Arms a sandbox fault (see sandbox/src/faults.rs) and checks it was accepted. */
export async function armFault(stack, spec) {
  const answer = await fetch(new URL('/_sandbox/faults', stack.sandboxUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (answer.status !== 200) throw new Error(`the sandbox refused the fault: ${await answer.text()}`);
}

/**
 * Opens the demo page in a fresh context that counts live resources, once its script is
 * ready; records page errors and every request. With `memberSession`, the stand-in login
 * (`/login/session`) hands the page that session instead of Ada's: another member signs in.
 */
export async function openDemoPage(shared, { memberSession } = {}) {
  const context = await shared.browser.newContext();
  await watchLiveResources(context);
  if (memberSession) {
    await context.route('**/login/session', (route) =>
      route.fulfill({ status: 200, contentType: 'text/plain', headers: { 'cache-control': 'no-store' }, body: memberSession }),
    );
  }
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const requests = [];
  page.on('request', (request) => requests.push(request));
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, errors, requests };
}

/** What the sandbox created since its last reset: `{ threads, files }`. */
export async function createdRecords(stack) {
  const answer = await fetch(new URL('/_sandbox/created', stack.sandboxUrl));
  return answer.json();
}

/** What the sandbox created since its last reset and still holds: `{ threads, files }`. */
export async function liveRecords(stack) {
  const { threads, files } = await createdRecords(stack);
  const live = (list) => (list ?? []).filter((record) => !record.Deleted);
  return { threads: live(threads), files: live(files) };
}

/**
 * Thrown errors and console errors, without the browser's own note of each failed answer
 * (the sandbox's faults make them on purpose).
 */
export function withoutFailedLoads(errors) {
  return errors.filter((line) => !line.includes('Failed to load resource'));
}
