// The photo cleaner on a 24-megapixel phone photo, in headless Chromium: bytes before and
// after, time from choosing to ready, the main thread's longest task while it works, and
// proof that the result carries no EXIF; for each way it runs. Prints numbers (targets are
// reported, not enforced); `cargo xtask bench` runs it after bench/run.mjs and adds its
// table to BENCHMARKS.md.
//
//   node bench/photo.mjs
//
// Environment: PKG_DIR (default pkg/: its minified cleaner is measured when the glue
// imports it, else js/), CHROMIUM, BENCH_OUT (photo.md and photo.json go there, default
// target/bench), BENCH_QUICK=1 for one run per way.
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

/** The ways the cleaner runs, and how a page leads to each (as in e2e/tests/photo-cleaner.test.mjs). */
const WAYS = [
  { label: 'module Worker (same origin)', crossOrigin: false, csp: null },
  { label: 'Blob URL Worker (cleaner on another origin)', crossOrigin: true, csp: null },
  { label: "main thread (CSP worker-src 'none')", crossOrigin: false, csp: "worker-src 'none'" },
];

/** The cleaner's folder as the package ships it, or the sources before the glue imports it. */
async function cleanerDir() {
  const glue = path.join(PKG_DIR, 'nexudus-start-conversation.js');
  const folder = existsSync(glue) && /\.\/(snippets\/[^'"]*)\/clean-image\.js/.exec(await readFile(glue, 'utf8'))?.[1];
  return folder ? path.join(PKG_DIR, folder) : path.join(ROOT, 'js');
}

/**
 * Serves the page, `images.js`, the cleaner's folder under `/cleaner/`, and the photo:
 * made once in a page, which POSTs it into `store`.
 */
async function startServer(cleaner, store) {
  const server = http.createServer(async (request, response) => {
    const { pathname, searchParams } = new URL(request.url, 'http://x');
    const script = (file) =>
      readFile(file).then(
        (body) =>
          response
            .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store', 'access-control-allow-origin': '*' })
            .end(body),
        () => response.writeHead(404).end(),
      );
    const module = /^\/cleaner\/([\w-]+\.js)$/.exec(pathname);
    if (pathname === '/photo.jpg' && request.method === 'POST') {
      const chunks = [];
      for await (const chunk of request) chunks.push(chunk);
      store.photo = Buffer.concat(chunks);
      response.writeHead(204).end();
    } else if (pathname === '/photo.jpg' && store.photo) {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' }).end(store.photo);
    } else if (pathname === '/') {
      const csp = searchParams.get('csp');
      response.writeHead(200, { 'content-type': 'text/html', ...(csp ? { 'content-security-policy': csp } : {}) });
      response.end('<!doctype html><title>photo bench</title>');
    } else if (pathname === '/images.js') {
      await script(path.join(ROOT, 'e2e/support/images.js'));
    } else if (module) {
      await script(path.join(cleaner, module[1]));
    } else {
      response.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** In a page: makes the photo and stores it at the server (its own page, so that making it leaves no garbage behind in the measured ones). */
async function makePhoto() {
  const images = await import('/images.js');
  const drawn = await images.drawPhoto({ width: 6000, height: 4000, orientation: 6, noise: 24 });
  const jpeg = images.withExif(drawn, { orientation: 6, latitude: 48.8582, longitude: 2.2945 });
  await fetch('/photo.jpg', { method: 'POST', body: jpeg });
}

/**
 * In a fresh page: the photo as a chosen `File` would be (its bytes outside the page's
 * heap), and the cleaner's entry as the glue loads it with the page.
 */
async function choosePhoto({ entry }) {
  const blob = await (await fetch('/photo.jpg')).blob();
  window.chosen = new File([blob], 'rooftop.jpg', { type: 'image/jpeg' });
  window.cleaner = await import(entry);
  await import('/images.js');
}

/**
 * Times `cleanImage` on the chosen photo (loading the cleaner itself, as a first photo
 * does) while a Long Tasks observer and a MessageChannel heartbeat watch the main thread
 * (the longest gap between two beats bounds the longest task, including those under 50 ms
 * the observer skips).
 */
async function cleanOnce() {
  const images = await import('/images.js');
  const { chosen, cleaner } = window;
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
  const { file, report } = await cleaner.cleanImage(chosen);
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

/**
 * The control: the same watch for `ms` with nothing else running, so that what the
 * machine itself adds (other work on its cores) can be told apart.
 */
async function idleFor({ ms }) {
  const longTasks = [];
  const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ type: 'longtask', buffered: false });
  const start = performance.now();
  let last = start;
  let longestGap = 0;
  await new Promise((resolve) => {
    const beat = new MessageChannel();
    beat.port1.onmessage = () => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      if (now - start < ms) beat.port2.postMessage(0);
      else resolve(beat.port1.close());
    };
    beat.port2.postMessage(0);
  });
  observer.disconnect();
  return { longTasks, longestGapMs: longestGap };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (n) => `${Math.round(n)} ms`;
const bytes = (n) => `${n.toLocaleString('en-US')} bytes (${(n / 2 ** 20).toFixed(1)} MiB)`;

const cleaner = await cleanerDir();
const store = {};
const servers = [await startServer(cleaner, store), await startServer(cleaner, store)];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const results = [];
try {
  const maker = await browser.newPage();
  await maker.goto(`${servers[0].origin}/`);
  await maker.evaluate(makePhoto);
  await maker.close();
  for (const { label, crossOrigin, csp } of WAYS) {
    const runs = [];
    for (let run = 0; run < RUNS; run += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const workers = [];
      page.on('worker', (worker) => workers.push(worker.url()));
      await page.goto(`${servers[0].origin}/${csp ? `?csp=${encodeURIComponent(csp)}` : ''}`);
      await page.evaluate(choosePhoto, { entry: `${servers[crossOrigin ? 1 : 0].origin}/cleaner/clean-image.js` });
      // A full GC first, so that none falls into the measured time for what came before.
      const devtools = await context.newCDPSession(page);
      await devtools.send('HeapProfiler.collectGarbage');
      runs.push({ ...(await page.evaluate(cleanOnce)), workers });
      await context.close();
    }
    results.push({ label, runs });
  }
  const control = [];
  for (let run = 0; run < RUNS; run += 1) {
    const page = await browser.newPage();
    await page.goto(`${servers[0].origin}/`);
    control.push(await page.evaluate(idleFor, { ms: median(results[0].runs.map((r) => r.readyMs)) }));
    await page.close();
  }
  results.control = control;
} finally {
  await browser.close();
  await Promise.all(servers.map((server) => server.close()));
}

const lines = [
  '## A 24-megapixel photo cleaned on the device',
  '',
  '`node bench/photo.mjs`: a 6000×4000 JPEG with GPS EXIF and orientation 6 (made in a page by',
  "`e2e/support/images.js`, with grain so that it has a camera's size, then fetched as a `File`),",
  `cleaned with the default settings (2560 px, quality 0.85) by \`${path.relative(ROOT, cleaner)}/\`;`,
  `${RUNS} fresh page(s) for each way it runs, median (max); load average ${os.loadavg()[0].toFixed(1)} on`,
  `${os.cpus().length} cores at the end (other work on the machine shows up as longer tasks). "Choosing →`,
  'ready": `cleanImage(file)` → resolved, loading the lazy part as a first photo does. Long tasks: the',
  'Long Tasks API (≥ 50 ms only); the heartbeat: the longest gap between MessageChannel messages.',
  '',
  '| way | bytes before → after | choosing → ready | long tasks ≥ 50 ms | longest heartbeat gap | EXIF after | size after |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
let failed = false;
for (const [index, { label, runs }] of results.entries()) {
  const [first] = runs;
  const longest = Math.max(0, ...runs.flatMap((r) => r.longTasks));
  const clean = runs.every((r) => r.before.exif && !r.after.exif && r.after.exifMarkers.length === 0);
  // Each way ran as meant: a module Worker, a Blob Worker, no Worker.
  const ranAsMeant = runs.every(({ workers }) =>
    [workers.length === 1 && /clean-image-work\.js$/.test(workers[0]), workers.length === 1 && workers[0].startsWith('blob:'), workers.length === 0][index],
  );
  const size = first.after.stored;
  failed ||= !clean || !ranAsMeant || runs.some((r) => r.report.action !== 'cleaned');
  lines.push(
    `| ${label}${ranAsMeant ? '' : ' (ran otherwise ✗)'} | ${first.before.bytes.toLocaleString('en-US')} → ${first.after.bytes.toLocaleString('en-US')} ` +
      `| ${ms(median(runs.map((r) => r.readyMs)))} (${ms(Math.max(...runs.map((r) => r.readyMs)))}) ` +
      `| ${runs.reduce((n, r) => n + r.longTasks.length, 0)}${longest ? `, longest ${ms(longest)}` : ''} ` +
      `${longest > LONG_TASK_TARGET_MS ? '(target: none)' : '✓'} ` +
      `| ${ms(median(runs.map((r) => r.longestGapMs)))} (${ms(Math.max(...runs.map((r) => r.longestGapMs)))}) ` +
      `| ${clean ? 'none ✓' : 'PRESENT ✗'} | ${size.width}×${size.height} |`,
  );
}
const controlLongest = Math.max(0, ...results.control.flatMap((r) => r.longTasks));
lines.push(
  `| control: nothing running, as long as the first way | | | ${results.control.reduce((n, r) => n + r.longTasks.length, 0)}` +
    `${controlLongest ? `, longest ${ms(controlLongest)}` : ''} | ${ms(median(results.control.map((r) => r.longestGapMs)))} ` +
    `(${ms(Math.max(...results.control.map((r) => r.longestGapMs)))}) | | |`,
);
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
