// The photo cleaner on a 24-megapixel phone photo, in headless Chromium: bytes before and
// after, time from choosing to ready, the main thread's longest task while it works, and
// proof that the result carries no EXIF. Prints numbers (targets are reported, not
// enforced); `cargo xtask bench` runs it after bench/run.mjs and adds its table to
// BENCHMARKS.md.
//
//   node bench/photo.mjs
//
// Environment: PKG_DIR (default pkg/: its minified cleaner is measured when the glue
// imports it, else js/clean-image.js), CHROMIUM, BENCH_OUT (photo.md and photo.json go
// there, default target/bench), BENCH_QUICK=1 for one run per path.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(ROOT, 'e2e/package.json'))('playwright-core');
const PKG_DIR = path.resolve(process.env.PKG_DIR || path.join(ROOT, 'pkg'));
const OUT = path.resolve(process.env.BENCH_OUT || path.join(ROOT, 'target/bench'));
const RUNS = process.env.BENCH_QUICK === '1' ? 1 : 3;
const LONG_TASK_TARGET_MS = 50;
/** The Worker path, and the main-thread path a CSP without `worker-src blob:` leads to. */
const PATHS = [
  { label: 'Worker + OffscreenCanvas', csp: null },
  { label: "main thread (CSP refuses the Worker)", csp: "default-src 'none'; script-src 'self'; connect-src 'self'" },
];

/** The cleaner as the package ships it, or its source before the glue imports it. */
async function cleanerFile() {
  const glue = path.join(PKG_DIR, 'nexudus-start-conversation.js');
  const snippet = existsSync(glue) && /\.\/(snippets\/[^'"]*\/clean-image\.js)/.exec(await readFile(glue, 'utf8'))?.[1];
  return snippet ? path.join(PKG_DIR, snippet) : path.join(ROOT, 'js/clean-image.js');
}

/** Serves the page, the modules, and the photo: made once in a page, which POSTs it here. */
async function startServer(cleaner) {
  const files = { '/images.js': path.join(ROOT, 'e2e/support/images.js'), '/clean-image.js': cleaner };
  let photo = null;
  const server = http.createServer(async (request, response) => {
    const { pathname, searchParams } = new URL(request.url, 'http://x');
    if (pathname === '/photo.jpg' && request.method === 'POST') {
      const chunks = [];
      for await (const chunk of request) chunks.push(chunk);
      photo = Buffer.concat(chunks);
      response.writeHead(204).end();
    } else if (pathname === '/photo.jpg' && photo) {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' }).end(photo);
    } else if (pathname === '/') {
      const csp = searchParams.get('csp');
      response.writeHead(200, { 'content-type': 'text/html', ...(csp ? { 'content-security-policy': csp } : {}) });
      response.end('<!doctype html><title>photo bench</title>');
    } else if (files[pathname]) {
      response.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      response.end(await readFile(files[pathname]));
    } else {
      response.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** In a page: makes the photo and stores it at the server (its own page, so that making it leaves no garbage behind in the measured ones). */
async function makePhoto() {
  const images = await import('/images.js');
  const drawn = await images.drawPhoto({ width: 6000, height: 4000, orientation: 6, noise: 24 });
  const jpeg = images.withExif(drawn, { orientation: 6, latitude: 48.8582, longitude: 2.2945 });
  await fetch('/photo.jpg', { method: 'POST', body: jpeg });
}

/** In a fresh page: the photo as a chosen `File` would be (its bytes outside the page's heap). */
async function choosePhoto() {
  const blob = await (await fetch('/photo.jpg')).blob();
  window.chosen = new File([blob], 'rooftop.jpg', { type: 'image/jpeg' });
  await import('/images.js');
  await import('/clean-image.js');
}

/**
 * Times `cleanImage` on the chosen photo while a Long Tasks observer and a MessageChannel
 * heartbeat watch the main thread (the longest gap between two beats bounds the longest
 * task, including those under 50 ms the observer skips).
 */
async function cleanOnce() {
  const images = await import('/images.js');
  const { cleanImage } = await import('/clean-image.js');
  const { chosen } = window;
  const jpeg = new Uint8Array(await chosen.arrayBuffer());

  const longTasks = [];
  const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ type: 'longtask', buffered: false });
  let beating = true;
  let last = performance.now();
  let longestGap = 0;
  const beat = new MessageChannel();
  beat.port1.onmessage = () => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    if (beating) beat.port2.postMessage(0);
  };
  beat.port2.postMessage(0);

  const start = performance.now();
  const { file, report } = await cleanImage(chosen);
  const readyMs = performance.now() - start;
  beating = false;
  // Let the observer deliver what the last task reported.
  await new Promise((resolve) => setTimeout(resolve, 0));
  observer.disconnect();
  beat.port1.close();

  const out = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder('latin1').decode(out);
  return {
    readyMs,
    longTasks,
    longestGapMs: longestGap,
    report,
    before: { bytes: jpeg.length, exif: images.hasExif(jpeg), stored: images.jpegSize(jpeg) },
    after: {
      bytes: out.length,
      exif: images.hasExif(out),
      // No EXIF segment, and none of its markers anywhere in the bytes either.
      exifMarkers: ['Exif\0\0', 'MM\0*', 'II*\0'].filter((marker) => text.includes(marker)),
      stored: images.jpegSize(out),
    },
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (n) => `${Math.round(n)} ms`;
const bytes = (n) => `${n.toLocaleString('en-US')} bytes (${(n / 2 ** 20).toFixed(1)} MiB)`;

const cleaner = await cleanerFile();
const server = await startServer(cleaner);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const results = [];
try {
  const maker = await browser.newPage();
  await maker.goto(server.url);
  await maker.evaluate(makePhoto);
  await maker.close();
  for (const { label, csp } of PATHS) {
    const runs = [];
    for (let run = 0; run < RUNS; run += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(csp ? `${server.url}?csp=${encodeURIComponent(csp)}` : server.url);
      await page.evaluate(choosePhoto);
      // A full GC first, so that none falls into the measured time for what came before.
      const devtools = await context.newCDPSession(page);
      await devtools.send('HeapProfiler.collectGarbage');
      runs.push(await page.evaluate(cleanOnce));
      await context.close();
    }
    results.push({ label, runs });
  }
} finally {
  await browser.close();
  await server.close();
}

const lines = [
  '## A 24-megapixel photo cleaned on the device',
  '',
  `\`node bench/photo.mjs\`: a 6000×4000 JPEG with GPS EXIF and orientation 6 (made in the page by`,
  '`e2e/support/images.js`, grain added so it has a camera\'s size, and fetched as a `File`), cleaned with the default settings',
  `(2560 px, quality 0.85) by \`${path.relative(ROOT, cleaner)}\`; ${RUNS} fresh page(s) per path, median (max);`,
  `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores at the end (other work shows up as longer tasks).`,
  '"Choosing → ready" is `cleanImage(file)` → its promise resolved. The longest task: the Long Tasks',
  'API (tasks ≥ 50 ms only) and the longest gap between MessageChannel heartbeats (every task).',
  '',
  '| path | bytes before → after | choosing → ready | long tasks ≥ 50 ms | longest heartbeat gap | EXIF after | size after |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
let failed = false;
for (const { label, runs } of results) {
  const [first] = runs;
  const longest = Math.max(0, ...runs.flatMap((r) => r.longTasks));
  const clean = runs.every((r) => r.before.exif && !r.after.exif && r.after.exifMarkers.length === 0);
  const size = first.after.stored;
  failed ||= !clean || runs.some((r) => r.report.action !== 'cleaned');
  lines.push(
    `| ${label} | ${first.before.bytes.toLocaleString('en-US')} → ${first.after.bytes.toLocaleString('en-US')} ` +
      `| ${ms(median(runs.map((r) => r.readyMs)))} (${ms(Math.max(...runs.map((r) => r.readyMs)))}) ` +
      `| ${runs.reduce((n, r) => n + r.longTasks.length, 0)}${longest ? `, longest ${ms(longest)}` : ''} ` +
      `${longest > LONG_TASK_TARGET_MS ? '(target: none)' : '✓'} ` +
      `| ${ms(median(runs.map((r) => r.longestGapMs)))} (${ms(Math.max(...runs.map((r) => r.longestGapMs)))}) ` +
      `| ${clean ? 'none ✓' : 'PRESENT ✗'} | ${size.width}×${size.height} |`,
  );
}
const [{ runs: [sample] }] = results;
lines.push(
  '',
  `Before: ${bytes(sample.before.bytes)}, stored ${sample.before.stored.width}×${sample.before.stored.height}, EXIF with GPS. ` +
    `After: ${bytes(sample.after.bytes)}, ${sample.after.stored.width}×${sample.after.stored.height} (the right way up), ` +
    `report \`${JSON.stringify(sample.report)}\`.`,
  '',
);
const markdown = lines.join('\n');
console.log(markdown);
await mkdir(OUT, { recursive: true });
await writeFile(path.join(OUT, 'photo.md'), markdown);
await writeFile(path.join(OUT, 'photo.json'), `${JSON.stringify({ cleaner, results }, null, 1)}\n`);
if (failed) {
  console.error('bench/photo.mjs: the photo was not cleaned as it should be');
  process.exit(1);
}
