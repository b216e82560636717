// Five 5 MB attachments through `uploadEndpoint` (issue 13, several attachments), in headless
// Chromium against a sandbox that throttles as live Nexudus does: the time from choosing the
// files to the success message, how many uploads ran at once, and the spacing of the attach
// calls (read from the page's server, which sees each request as it arrives). Prints numbers;
// `cargo xtask bench` runs it and adds its table to BENCHMARKS.md.
//
//   SANDBOX_BIN=target/debug/sandbox node bench/several-files.mjs
//
// Environment: SANDBOX_BIN, PKG_DIR (default pkg/), CHROMIUM, BENCH_OUT (several-files.md
// goes there, default target/bench), BENCH_QUICK=1 for one run.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(ROOT, 'e2e/package.json'))('playwright-core');
const SANDBOX_BIN = process.env.SANDBOX_BIN;
const PKG_DIR = path.resolve(process.env.PKG_DIR || path.join(ROOT, 'pkg'));
const OUT = path.resolve(process.env.BENCH_OUT || path.join(ROOT, 'target/bench'));
const RUNS = process.env.BENCH_QUICK === '1' ? 1 : 3;
const FILES = 5;
const FILE_BYTES = 5 * 1024 * 1024;
const ATTACH = '/api/community/communitythreadfiles';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Starts the sandbox (throttled, as live Nexudus) with its upload store on `publicUrl`. */
async function startSandbox(publicUrl) {
  if (!SANDBOX_BIN) throw new Error('SANDBOX_BIN is not set: run the bench through `cargo xtask bench`');
  const child = spawn(SANDBOX_BIN, ['--addr', '127.0.0.1:0', '--public-url', publicUrl, '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the sandbox exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const match = /(http:\/\/\S+)$/.exec(line);
      match ? resolve(match[1]) : reject(new Error(`unexpected sandbox output: ${line}`));
    });
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * The page's server: the page, the package under /pkg/, and /api/ and /uploads proxied to
 * the sandbox. Every proxied request is logged with its arrival and answer times.
 */
async function startServer(log) {
  let sandboxUrl;
  const server = http.createServer(async (request, response) => {
    const { pathname } = new URL(request.url, 'http://x');
    if (pathname.startsWith('/api/') || pathname.startsWith('/uploads')) {
      const entry = { method: request.method, path: pathname, start: performance.now() };
      log.push(entry);
      const upstream = http.request(
        new URL(request.url, sandboxUrl),
        { method: request.method, headers: { ...request.headers, host: new URL(sandboxUrl).host } },
        (answer) => {
          entry.status = answer.statusCode;
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on('end', () => (entry.end = performance.now()));
        },
      );
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    } else if (pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(
        `<!doctype html><html lang="en"><title>several files bench</title><link rel="stylesheet" href="/pkg/nexudus-start-conversation.css">` +
          `<div id="panel"></div><script type="module">import init, { mount } from '/pkg/index.js'; await init(); window.mount = mount; document.body.dataset.ready = 'true';</script>`,
      );
    } else if (pathname.startsWith('/pkg/')) {
      try {
        const file = path.join(PKG_DIR, path.normalize(pathname.slice('/pkg/'.length)));
        response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
      } catch {
        response.writeHead(404).end();
      }
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, setSandbox: (url) => (sandboxUrl = url), close: () => new Promise((r) => server.close(r)) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${Math.round(value).toLocaleString('en-US')} ms`;

/** The most requests matching `method path` in flight at once. */
function mostAtOnce(entries) {
  const edges = entries.flatMap((e) => [[e.start, 1], [e.end ?? Infinity, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

const log = [];
const server = await startServer(log);
const sandbox = await startSandbox(server.origin);
server.setSandbox(sandbox.url);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const runs = [];
try {
  const files = Array.from({ length: FILES }, (_, at) => ({
    name: `bench-${at + 1}.bin`,
    mimeType: 'application/octet-stream',
    buffer: Buffer.alloc(FILE_BYTES, at + 1),
  }));
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    await page.evaluate(() => {
      window.mount(document.getElementById('panel'), {
        baseUrl: location.origin,
        token: 'sandbox-admin-token',
        businessId: 1,
        userId: 10,
        groupId: 1,
        uploadEndpoint: '/uploads',
        maxFiles: 5,
      });
      // The moment the member chose (the input's change) and the success message showed.
      document.addEventListener('change', () => (window.chosenAt ??= performance.now()), true);
      new MutationObserver(() => {
        if (document.querySelector('.nsc-success')) window.doneAt ??= performance.now();
      }).observe(document.body, { childList: true, subtree: true });
    });
    const panel = page.locator('#panel');
    await panel.locator('[name="Subject"]').fill('Five files');
    await panel.locator('[name="Message"]').fill('Bench.');
    log.length = 0;
    await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles(files);
    await panel.locator('.nsc-card').nth(FILES - 2).waitFor();
    await panel.getByRole('button', { name: 'Post conversation' }).click();
    await panel.locator('.nsc-success').waitFor({ timeout: 180_000 });
    const { chosenAt, doneAt } = await page.evaluate(() => ({ chosenAt: window.chosenAt, doneAt: window.doneAt }));
    const attaches = log.filter((e) => e.method === 'POST' && e.path === ATTACH);
    const gaps = attaches.slice(1).map((e, at) => e.start - attaches[at].start);
    // From one attach's answer to the next one's arrival: the panel's own spacing.
    const idle = attaches.slice(1).map((e, at) => e.start - attaches[at].end);
    runs.push({
      chooseToSuccessMs: doneAt - chosenAt,
      puts: log.filter((e) => e.method === 'PUT').length,
      putsAtOnce: mostAtOnce(log.filter((e) => e.method === 'PUT')),
      attaches: attaches.length,
      throttled: log.filter((e) => e.status === 409 || e.status === 429).length,
      gaps,
      idle,
    });
    await context.close();
  }
} finally {
  await browser.close();
  sandbox.stop();
  await server.close();
}

const all = (key) => runs.flatMap((r) => r[key]);
const lines = [
  '## Five 5 MB attachments through uploadEndpoint',
  '',
  '`node bench/several-files.mjs`: a start-mode panel with `maxFiles: 5`, five 5 MB files chosen at',
  `once, against the sandbox with its throttle on (as live Nexudus: 1 request per 100 ms); ${RUNS} fresh`,
  `page(s), load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores at the end. "Choosing → success": the`,
  "input's `change` → the success message (includes the member's click on Post, right after the cards",
  'show). Spacing: between the arrivals of consecutive attach calls at the page\'s server; "idle": from',
  "one attach's answer to the next one's arrival.",
  '',
  '| choosing → success, median (max) | uploads (PUT), most at once | attach calls | throttled answers | gap between attach calls, min / median | idle between attach calls, min / median |',
  '| --- | --- | --- | --- | --- | --- |',
  `| ${ms(median(runs.map((r) => r.chooseToSuccessMs)))} (${ms(Math.max(...runs.map((r) => r.chooseToSuccessMs)))}) ` +
    `| ${runs[0].puts}, ${Math.max(...runs.map((r) => r.putsAtOnce))} at once | ${runs.map((r) => r.attaches).join(', ')} ` +
    `| ${runs.reduce((n, r) => n + r.throttled, 0)} | ${ms(Math.min(...all('gaps')))} / ${ms(median(all('gaps')))} ` +
    `| ${ms(Math.min(...all('idle')))} / ${ms(median(all('idle')))} |`,
  '',
];
const markdown = lines.join('\n');
console.log(markdown);
await mkdir(OUT, { recursive: true });
await writeFile(path.join(OUT, 'several-files.md'), markdown);
await writeFile(path.join(OUT, 'several-files.json'), `${JSON.stringify(runs, null, 1)}\n`);
if (runs.some((r) => r.attaches < FILES)) {
  console.error('bench/several-files.mjs: not every file was attached');
  process.exit(1);
}
