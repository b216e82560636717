// `cargo xtask bench`: measures what the panel costs the page that hosts it, in headless
// Chromium, on the release build of the npm package, against the sandbox. See BENCHMARKS.md
// for what each figure means and how it is taken.
//
//   SANDBOX_BIN=target/debug/sandbox node bench/run.mjs
//
// Environment (all but SANDBOX_BIN have defaults):
//   SANDBOX_BIN  the sandbox binary
//   PKG_DIR      the built npm package (default pkg/)
//   HELLO_DIR    the built Yew hello world baseline: hello.js, hello_bg.wasm (default target/bench/hello)
//   CHROMIUM     the browser (default /usr/bin/chromium)
//   BENCH_OUT    where results.json and results.md go (default target/bench)
//   BENCH_QUICK  set to 1 for fewer runs (a smoke test of the bench itself)
//   BENCH_TRACE_DIR  keep each submit's Chromium trace there (DevTools → Performance → load)
//
// Prints the results table; exits non-zero when a measurement could not be taken (a
// figure that misses its target is reported, not an error).
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The sandbox, the browser and the static serving are the end-to-end harness's (playwright-core
// comes from e2e/'s lockfile, which `cargo xtask` installs).
import { launchBrowser, listen, requestPath, resetSandbox, sendFile, startSandbox, watchPageErrors } from '../e2e/harness.mjs';
import { measure, sizeTable } from './sizes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const env = (name, fallback) => process.env[name] || fallback;
const PKG_DIR = path.resolve(env('PKG_DIR', path.join(ROOT, 'pkg')));
const HELLO_DIR = path.resolve(env('HELLO_DIR', path.join(ROOT, 'target/bench/hello')));
const OUT = path.resolve(env('BENCH_OUT', path.join(ROOT, 'target/bench')));
const QUICK = env('BENCH_QUICK') === '1';
// Set to a folder to keep each submit's Chromium trace (open it in DevTools' Performance panel).
const TRACE_DIR = process.env.BENCH_TRACE_DIR ? path.resolve(process.env.BENCH_TRACE_DIR) : null;
let traceCount = 0;

const RUNS = {
  startup: QUICK ? 2 : 7, // fresh browser contexts (nothing cached)
  mounts: QUICK ? 5 : 20, // mount → frame → destroy, per context
  typed: QUICK ? 200 : 2000, // characters typed into Message, once
  pendingTags: 1000, // tags pasted into the tag input (not yet added) before typing into Subject
  bigFile: QUICK ? 1 : 3, // 25 MB submits per path
  plain: QUICK ? 1 : 3, // submits without an attachment
};
const FILE_BYTES = 25 * 1024 * 1024;
const TOKEN = 'sandbox-admin-token';
const BUSINESS_ID = 1;
const USER_ID = 10;
/** One submit may take this long before the bench gives up on it (not a measured wait). */
const SUBMIT_LIMIT_MS = 180_000;

/** The files a host loads with the mount API, and with the custom element. */
const MOUNT_FILES = [
  'nexudus-start-conversation_bg.wasm',
  'nexudus-start-conversation.js',
  'index.js',
  'language.js',
  'nexudus-start-conversation.css',
];
/** What the custom element with `early-paint` loads before its first paint (issue 23). */
const EARLY_FILES = ['element.js', 'paint.js', 'early-frame.js', 'frames.js', 'language.js', 'style.js'];
const ELEMENT_FILES = [
  'nexudus-start-conversation_bg.wasm',
  'nexudus-start-conversation.js',
  'index.js',
  ...EARLY_FILES,
];
const HELLO_FILES = ['hello_bg.wasm', 'hello.js'];

// Targets of the issue "Measured performance". KB = 1,000 bytes, MB of memory = 2^20 bytes.
const TARGETS = {
  brotliTotal: 80_000,
  mountToFrameMs: 16,
  typingMedianMs: 4,
  typingWithTagsMs: 16,
  wasmGrowthBytes: 1024 * 1024,
  longestTaskMs: 50,
};

// ── statistics ──────────────────────────────────────────────────────────────────────

function stats(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1], p95: at(0.95) };
}

// ── the stack: sandbox, static server, browser ─────────────────────────────────────────

/** Serves /bench/ (this folder), /pkg/ (the package) and /hello/ (the baseline); no caching. */
function startServer() {
  const mounts = [
    ['/bench/', path.join(ROOT, 'bench')],
    ['/pkg/', PKG_DIR],
    ['/hello/', HELLO_DIR],
  ];
  const pages = { '/': '/bench/page.html', '/hello.html': '/bench/hello.html' };
  return listen(
    http.createServer((request, response) => {
      const asked = requestPath(request);
      const pathname = pages[asked] ?? asked;
      const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
      if (!mount) {
        response.writeHead(404).end();
        return;
      }
      sendFile(response, mount[1], pathname.slice(mount[0].length), { 'cache-control': 'no-store' });
    }),
  );
}

/**
 * Ask for frames without waiting for vsync. In this headless Chromium that makes the frame
 * after an input event come as soon as the main thread is free, but an rAF requested outside
 * input handling still waits for the next 60 Hz tick (BENCHMARKS.md), so start-up work is
 * measured directly rather than read off rAF timing.
 */
const BROWSER_ARGS = ['--disable-gpu-vsync', '--disable-frame-rate-limit'];

/** A fresh context (empty HTTP and code caches) with the bench page loaded. */
async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(url);
  await page.locator('html[data-bench-ready="true"]').waitFor();
  return { context, page, errors };
}

// ── the measurements ─────────────────────────────────────────────────────────────────

async function startupRuns(browser, server, sandboxUrl) {
  const config = { sandboxUrl, token: TOKEN, businessId: BUSINESS_ID, userId: USER_ID };
  // One unmeasured round first: the browser's first renderer, disk cache and code paths.
  for (const [url, action] of [
    [`${server.url}/`, () => window.bench.startup()],
    [`${server.url}/hello.html`, () => window.bench.helloStartup()],
  ]) {
    const { context, page } = await openPage(browser, url);
    await page.evaluate(action);
    await context.close();
  }
  const runs = [];
  for (let i = 0; i < RUNS.startup; i += 1) {
    const { context, page, errors } = await openPage(browser, `${server.url}/`);
    const startup = await page.evaluate(() => window.bench.startup());
    const mounts = await page.evaluate(([n, c]) => window.bench.mountLoop(n, c), [RUNS.mounts, config]);
    await context.close();
    if (errors.length) throw new Error(`start-up run ${i + 1}: ${errors.join('; ')}`);
    runs.push({ startup, mounts });
    process.stderr.write(`bench: start-up ${i + 1}/${RUNS.startup}: init ${startup.initMs.toFixed(1)} ms\n`);
  }
  const hello = [];
  for (let i = 0; i < RUNS.startup; i += 1) {
    const { context, page, errors } = await openPage(browser, `${server.url}/hello.html`);
    hello.push(await page.evaluate(() => window.bench.helloStartup()));
    await context.close();
    if (errors.length) throw new Error(`hello world run ${i + 1}: ${errors.join('; ')}`);
  }
  return { runs, hello };
}

const LOREM =
  'The meeting room on the second floor has a new projector, and the kitchen gets a coffee machine on Monday. ';

/**
 * Types RUNS.typed characters into the panel's Message (or, as the control, a plain
 * textarea); with `pendingTags`, into Subject once that many tags wait in the tag input
 * (issue 22: 1000 pasted tags made every keystroke take 180 to 330 ms).
 */
async function typingRun(browser, server, sandboxUrl, { control = false, pendingTags = 0 } = {}) {
  const { context, page, errors } = await openPage(browser, `${server.url}/`);
  let memoryBefore = null;
  if (!control) await page.evaluate(() => window.bench.startup());
  if (control) {
    await page.evaluate(() => window.bench.plainTextarea());
  } else {
    memoryBefore = await page.evaluate(
      (config) => window.bench.mount(config),
      { sandboxUrl, token: TOKEN, businessId: BUSINESS_ID, userId: USER_ID },
    );
  }
  if (pendingTags > 0) {
    // All left typed, not added: the first is longer than the 50 characters a send allows,
    // so the tag input keeps the whole text (and says it is too long).
    const tags = ['x'.repeat(60), ...Array.from({ length: pendingTags }, (_, n) => `t${n}`)].join(', ');
    await page.locator('#panel [name="Tags"]').fill(tags);
    await page.waitForFunction((n) => document.querySelector('#panel [name="Tags"]').value.length === n, tags.length);
  }
  await page.evaluate(() => window.bench.armTyping());
  const selector = control ? '#plain' : pendingTags > 0 ? '#panel [name="Subject"]' : '#panel [name="Message"]';
  await page.locator(selector).focus();
  const count = pendingTags > 0 ? 200 : RUNS.typed;
  const text = LOREM.repeat(Math.ceil(count / LOREM.length)).slice(0, count);
  const started = Date.now();
  await page.keyboard.type(text);
  await page.waitForFunction((n) => window.bench.typingDone(n), count);
  const typingWallMs = Date.now() - started;
  const result = await page.evaluate((s) => window.bench.typingResults(s), selector);
  await context.close();
  const what = control ? 'a plain textarea' : pendingTags > 0 ? `Subject with ${pendingTags} pending tags` : 'the panel';
  if (errors.length) throw new Error(`typing into ${what}: ${errors.join('; ')}`);
  if (result.length !== count) {
    throw new Error(`typing into ${what}: the field holds ${result.length} characters, not ${count}`);
  }
  process.stderr.write(`bench: typed ${count} characters into ${what} in ${(typingWallMs / 1000).toFixed(1)} s\n`);
  return { ...result, memoryBefore, typingWallMs };
}

/** Polls the JS heap through the DevTools protocol every ~20 ms until stopped. */
function heapSampler(cdp) {
  let running = true;
  const samples = [];
  const loop = (async () => {
    while (running) {
      const usage = await cdp.send('Runtime.getHeapUsage');
      samples.push({ at: Date.now(), used: usage.usedSize, backing: usage.backingStorageSize ?? 0 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute'];

/**
 * From a trace: the renderer main thread's longest task (the longest `toplevel` event,
 * which is what the scheduler runs as one task), what ran inside it, and the largest heap
 * V8 reported at a GC (a peak the sampler, which only runs between tasks, can miss).
 */
function analyseTrace(traceBuffer) {
  const { traceEvents = [] } = JSON.parse(traceBuffer.toString('utf8'));
  const mainThreads = new Set(
    traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = traceEvents.filter((e) => e.ph === 'X' && typeof e.dur === 'number' && mainThreads.has(`${e.pid}:${e.tid}`));
  const isTask = (e) => String(e.cat).split(',').includes('toplevel');
  const tasks = onMain.filter(isTask);
  const gcHeap = Math.max(
    0,
    ...onMain.filter((e) => e.name === 'MajorGC' || e.name === 'MinorGC').map((e) => e.args?.usedHeapSizeBefore ?? 0),
  );
  if (tasks.length === 0) return { ms: null, inside: [], gcHeap };
  const longest = tasks.reduce((a, b) => (b.dur > a.dur ? b : a));
  const inside = onMain
    .filter(
      (e) =>
        !isTask(e) &&
        e.pid === longest.pid &&
        e.tid === longest.tid &&
        e.ts >= longest.ts &&
        e.ts + e.dur <= longest.ts + longest.dur &&
        e.dur >= 2000 &&
        !['RunTask', 'v8.callFunction', 'RunMicrotasks'].includes(e.name),
    )
    .sort((a, b) => b.dur - a.dur)
    .slice(0, 6)
    .map((e) => {
      const data = e.args?.data ?? {};
      const detail = [data.type, data.functionName, data.url && path.basename(data.url)].filter(Boolean).join(' ');
      return `${e.name}${detail ? ` (${detail})` : ''} ${(e.dur / 1000).toFixed(1)} ms`;
    });
  return { ms: longest.dur / 1000, name: longest.name, inside, gcHeap };
}

async function submitRun(browser, server, sandboxUrl, { file, delivery }) {
  const { context, page, errors } = await openPage(browser, `${server.url}/`);
  const cdp = await context.newCDPSession(page);
  await page.evaluate(() => window.bench.startup());
  const memoryMounted = await page.evaluate(
    (config) => window.bench.mount(config),
    { sandboxUrl, token: TOKEN, businessId: BUSINESS_ID, userId: USER_ID, delivery },
  );
  const panel = page.locator('#panel');
  // The board picker loads the boards ("everyone" stays chosen); wait until it has them.
  await page.locator('#panel select[name="CommunityGroupId"]:not([aria-busy])').waitFor();
  await panel.locator('[name="Subject"]').fill('Bench: the quarterly members meeting');
  await panel.locator('[name="Message"]').fill('The minutes are attached. Comments welcome before Friday.');
  let memoryChosen = memoryMounted;
  if (file) {
    memoryChosen = await page.evaluate(([bytes, name]) => window.bench.chooseFile(bytes, name), [FILE_BYTES, 'bench-25mb.bin']);
    await panel.locator('[name="Name"]').fill('Bench attachment');
  }
  await cdp.send('HeapProfiler.collectGarbage');
  const heapBefore = await cdp.send('Runtime.getHeapUsage');
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const sampler = heapSampler(cdp);
  let result;
  let samples = [];
  let trace;
  try {
    result = await Promise.race([
      page.evaluate(() => window.bench.submit()),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no success within ${SUBMIT_LIMIT_MS / 1000} s`)), SUBMIT_LIMIT_MS).unref()),
    ]);
  } finally {
    samples = await sampler.stop();
    trace = await browser.stopTracing();
  }
  const heapAfter = await cdp.send('Runtime.getHeapUsage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heapRetained = await cdp.send('Runtime.getHeapUsage');
  await context.close();
  if (errors.length) throw new Error(`submit: ${errors.join('; ')}`);
  if (file && !result.fileId) throw new Error('submit: the success view has no file id');
  const sampledPeak = Math.max(heapBefore.usedSize, heapAfter.usedSize, ...samples.map((s) => s.used));
  const peakBacking = Math.max(heapBefore.backingStorageSize ?? 0, ...samples.map((s) => s.backing));
  if (TRACE_DIR) {
    await mkdir(TRACE_DIR, { recursive: true });
    const name = `submit-${file ? delivery : 'plain'}-${++traceCount}.json`;
    await writeFile(path.join(TRACE_DIR, name), trace);
  }
  const traced = analyseTrace(trace);
  const peakUsed = Math.max(sampledPeak, traced.gcHeap);
  const longTaskMax = Math.max(0, ...result.longTasks.map((t) => t.duration));
  return {
    submitMs: result.submitMs,
    wasmGrowth: result.memoryAfter - memoryMounted,
    wasmGrowthSubmit: result.memoryAfter - result.memoryBefore,
    wasmGrowthChoose: memoryChosen - memoryMounted,
    wasmBytesAfter: result.memoryAfter,
    heapBefore: heapBefore.usedSize,
    heapPeak: peakUsed,
    heapPeakGrowth: peakUsed - heapBefore.usedSize,
    heapPeakFromGc: traced.gcHeap > sampledPeak,
    backingPeakGrowth: peakBacking - (heapBefore.backingStorageSize ?? 0),
    heapRetainedGrowth: heapRetained.usedSize - heapBefore.usedSize,
    heapSamples: samples.length,
    longTasks: result.longTasks.length,
    longTaskMax,
    tracedLongestMs: traced.ms,
    tracedInside: traced.inside,
    threadId: result.threadId,
    fileId: result.fileId,
  };
}

// ── the report ───────────────────────────────────────────────────────────────────────

const bytes = (n) => n.toLocaleString('en-US');
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const ms = (n) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

/** A row: label, stats, formatter, optional target text and pass. */
function row(label, s, format, target = '', pass = null) {
  if (!s) return { label, median: 'n/a', min: '', max: '', target, pass: pass === null ? '' : 'n/a' };
  return {
    label: s.n > 1 ? `${label} (n=${s.n})` : label,
    median: format(s.median),
    min: s.n > 1 ? format(s.min) : '',
    max: s.n > 1 ? format(s.max) : '',
    target,
    pass: pass === null ? '' : pass ? 'pass' : 'FAIL',
  };
}

function one(value) {
  return stats([value]);
}

function summarise(results) {
  const { sizes, startup, typing, controlTyping, tagsTyping, submits } = results;
  const rows = [];
  const section = (title) => rows.push({ section: title });

  section('Bytes a host loads (mount API: wasm + glue + index.js + CSS)');
  for (const file of sizes.mount.files) {
    rows.push(row(`${file.file}: raw / gzip / brotli`, one(file.raw), () => `${bytes(file.raw)} / ${bytes(file.gzip)} / ${bytes(file.brotli)}`));
  }
  const total = sizes.mount.total;
  rows.push(
    row('total: raw / gzip / brotli', one(total.brotli), () => `${bytes(total.raw)} / ${bytes(total.gzip)} / ${bytes(total.brotli)}`, `brotli ≤ ${kb(TARGETS.brotliTotal)}`, total.brotli <= TARGETS.brotliTotal),
  );
  const el = sizes.element.total;
  rows.push(row('custom element instead (wasm + glue + index.js + element.js, its early frame + style.js)', one(el.brotli), () => `${bytes(el.raw)} / ${bytes(el.gzip)} / ${bytes(el.brotli)}`));
  const early = sizes.early.total;
  rows.push(
    row(`before the first paint: the element with early-paint (${EARLY_FILES.join(', ')})`, one(early.brotli), () => `${bytes(early.raw)} / ${bytes(early.gzip)} / ${bytes(early.brotli)}`, `brotli ≤ ${kb(TARGETS.brotliTotal)}`, early.brotli <= TARGETS.brotliTotal),
  );
  if (sizes.hello) {
    const h = sizes.hello.total;
    rows.push(row('baseline: Yew hello world (wasm + glue)', one(h.brotli), () => `${bytes(h.raw)} / ${bytes(h.gzip)} / ${bytes(h.brotli)}`));
    rows.push(
      row('the widget on top of the framework (total − baseline)', one(total.brotli - h.brotli), () =>
        `${bytes(total.raw - h.raw)} / ${bytes(total.gzip - h.gzip)} / ${bytes(total.brotli - h.brotli)}`,
      ),
    );
  }

  section('Start-up (fresh browser context each run: nothing cached)');
  const runs = startup.runs;
  rows.push(row('import index.js + glue', stats(runs.map((r) => r.startup.importMs)), ms));
  rows.push(row('init(): fetch + compile + instantiate the wasm', stats(runs.map((r) => r.startup.initMs)), ms));
  rows.push(row('  of which the .wasm resource (request → last byte)', stats(runs.map((r) => r.startup.wasmFetchMs)), ms));
  const first = stats(runs.map((r) => r.mounts.samples[0].toFrameMs));
  rows.push(row('first mount() → next frame (rAF), first use of the code', first, ms));
  const warm = runs.flatMap((r) => r.mounts.samples.slice(1));
  const pick = (f) => stats(warm.map(f));
  rows.push(row('mount() → next frame (rAF), module initialised', pick((s) => s.toFrameMs), ms));
  rows.push(row('mount() → end of that frame (painted)', pick((s) => s.toFrameEndMs), ms));
  const work = pick((s) => s.builtMs + (s.toFrameEndMs - s.toFrameMs));
  rows.push(row('main-thread work: mount() + first render + that frame', work, ms, `≤ ${TARGETS.mountToFrameMs} ms`, work && work.median <= TARGETS.mountToFrameMs));
  rows.push(row('  mount() call (validates options, schedules the render)', pick((s) => s.callMs), ms));
  rows.push(row('  mount() → the panel\'s DOM built (first render)', pick((s) => s.builtMs), ms));
  rows.push(row('  the frame: rAF → style, layout, paint done', pick((s) => s.toFrameEndMs - s.toFrameMs), ms));
  rows.push(row('wasm memory after start-up', stats(runs.map((r) => r.startup.memoryBytes)), mib));
  rows.push(row(`wasm memory growth over ${RUNS.mounts} mount/destroy cycles`, stats(runs.map((r) => r.mounts.memoryAfter - r.mounts.memoryBefore)), mib));
  const hello = startup.hello;
  rows.push(row('baseline: Yew hello world import + init (renders inside init)', stats(hello.map((r) => r.totalMs)), ms));
  rows.push(row('baseline: Yew hello world import → next frame', stats(hello.map((r) => r.toFrameMs)), ms));

  section(`Typing ${typing.frame.length} characters into Message (per keystroke; control: a plain <textarea>)`);
  const frame = stats(typing.frame);
  rows.push(row('keydown → next frame (rAF)', frame, ms, `median ≤ ${TARGETS.typingMedianMs} ms`, frame && frame.median <= TARGETS.typingMedianMs));
  rows.push(row('  p95', frame && one(frame.p95), ms));
  const control = stats(controlTyping.frame);
  rows.push(row('  control: plain textarea, keydown → next frame', control, ms));
  rows.push(row('keydown → end of that frame (style, layout, paint)', stats(typing.painted), ms));
  rows.push(row('  control: plain textarea', stats(controlTyping.painted), ms));
  const handled = stats(typing.handled);
  rows.push(row('keydown → input handled and re-rendered', handled, ms));
  rows.push(row('  p95', handled && one(handled.p95), ms));
  rows.push(row('the panel\'s own input handling (its handler + re-render)', stats(typing.handling), ms));
  rows.push(row('wasm memory growth while typing', one(typing.memoryBytes - typing.memoryBefore), mib));

  section(`Typing ${tagsTyping.frame.length} characters into Subject with ${RUNS.pendingTags} tags pasted and pending (per keystroke)`);
  const tagFrame = stats(tagsTyping.frame);
  rows.push(row('keydown → next frame (rAF)', tagFrame, ms, `median ≤ ${TARGETS.typingWithTagsMs} ms`, tagFrame && tagFrame.median <= TARGETS.typingWithTagsMs));
  rows.push(row('  p95', tagFrame && one(tagFrame.p95), ms));
  rows.push(row('keydown → input handled and re-rendered', stats(tagsTyping.handled), ms));

  for (const [key, title] of [
    ['dataUrl', '25 MB attachment, inlineFiles (data: URL in the JSON body; a sandbox with --accept-data-urls)'],
    ['uploader', '25 MB attachment, through the host\'s uploader (XHR PUT to the upload store)'],
    ['endpoint', '25 MB attachment, through uploadEndpoint (the panel\'s presigned upload: ticket, XHR PUT)'],
  ]) {
    const list = submits[key];
    section(title);
    rows.push(row('submit → success view', stats(list.map((r) => r.submitMs)), ms));
    const growth = stats(list.map((r) => r.wasmGrowth));
    rows.push(row('wasm memory growth (mounted → success)', growth, mib, `< ${mib(TARGETS.wasmGrowthBytes)}`, growth && growth.max < TARGETS.wasmGrowthBytes));
    rows.push(row('JS heap peak above the pre-submit heap', stats(list.map((r) => r.heapPeakGrowth)), mib));
    rows.push(row('JS heap still held after success (after GC)', stats(list.map((r) => r.heapRetainedGrowth)), mib));
    const traced = stats(list.map((r) => r.tracedLongestMs));
    rows.push(row('longest main-thread task (trace)', traced, ms, `< ${TARGETS.longestTaskMs} ms`, traced && traced.max < TARGETS.longestTaskMs));
    rows.push(row('long tasks (Long Tasks API, ≥ 50 ms): count', stats(list.map((r) => r.longTasks)), (n) => String(Math.round(n))));
    rows.push(row('longest long task (Long Tasks API; 0 = none)', stats(list.map((r) => r.longTaskMax)), ms));
  }
  section('Without an attachment');
  rows.push(row('submit → success view (create only)', stats(submits.plain.map((r) => r.submitMs)), ms));
  return rows;
}

function textTable(rows) {
  const widths = [62, 28, 12, 12, 16, 5];
  const out = [];
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' ');
  out.push(line(['figure', 'median', 'min', 'max', 'target', '']));
  for (const r of rows) {
    if (r.section) out.push(`\n${r.section}`);
    else out.push(line([`  ${r.label}`.slice(0, widths[0]), r.median, r.min, r.max, r.target, r.pass]));
  }
  return out.join('\n');
}

const escapeMd = (text) => String(text).replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('|', '\\|');

function markdownTable(rows) {
  const out = ['| figure | median | min | max | target | |', '| --- | ---: | ---: | ---: | --- | --- |'];
  for (const r of rows) {
    if (r.section) out.push(`| **${escapeMd(r.section)}** | | | | | |`);
    else {
      const label = escapeMd(r.label.replace(/^ {2}/, '↳ '));
      out.push(`| ${label} | ${r.median} | ${r.min} | ${r.max} | ${escapeMd(r.target)} | ${r.pass === 'FAIL' ? '**FAIL**' : r.pass} |`);
    }
  }
  return out.join('\n');
}

/** One line per target: the figure, its median (or value) and the verdict. */
function targetSummary(rows) {
  const lines = [];
  let section = '';
  for (const r of rows) {
    if (r.section) section = r.section;
    else if (r.pass) {
      lines.push(
        `- ${r.pass === 'FAIL' ? '**FAIL**' : 'pass'}: ${escapeMd(section)}: ${escapeMd(r.label)}: ` +
          `${r.median}${r.max ? ` (max ${r.max})` : ''}; target ${escapeMd(r.target)}`,
      );
    }
  }
  return lines.join('\n');
}

function diagnostics(results) {
  const lines = [];
  for (const [key, title] of [
    ['dataUrl', 'data: URL'],
    ['uploader', 'uploader'],
    ['endpoint', 'uploadEndpoint'],
    ['plain', 'no attachment'],
  ]) {
    results.submits[key].forEach((r, i) => {
      lines.push(
        `- ${title}, run ${i + 1}: submit ${ms(r.submitMs)}; wasm memory +${bytes(r.wasmGrowth)} B ` +
          `(choosing the file +${bytes(r.wasmGrowthChoose)}, submitting +${bytes(r.wasmGrowthSubmit)}; ${mib(r.wasmBytesAfter)} in all); ` +
          `JS heap ${mib(r.heapBefore)} before, peak +${mib(r.heapPeakGrowth)} (${r.heapSamples} samples${r.heapPeakFromGc ? '; peak from a GC event' : ''}), ` +
          `array buffers peak +${mib(r.backingPeakGrowth)}; longest task ${r.tracedLongestMs === null ? 'n/a' : ms(r.tracedLongestMs)}` +
          `${r.tracedInside.length ? `: ${r.tracedInside.join(', ')}` : ''}`,
      );
    });
  }
  return lines.join('\n');
}

// ── main ─────────────────────────────────────────────────────────────────────────────

async function main() {
  const started = Date.now();
  const sizes = {
    mount: await measure(PKG_DIR, MOUNT_FILES),
    element: await measure(PKG_DIR, ELEMENT_FILES),
    early: await measure(PKG_DIR, EARLY_FILES),
    hello: await measure(HELLO_DIR, HELLO_FILES),
  };
  console.log(sizeTable(sizes.mount, 'the package, mount API (bytes)'));
  console.log(sizeTable(sizes.hello, 'baseline: Yew hello world (bytes)'));

  // `--accept-data-urls`: the inline path a host turns on with `inlineFiles` is measured
  // too, although live Nexudus refuses data: URLs. No faults: they close every connection.
  const sandbox = await startSandbox(['--no-throttle', '--accept-data-urls'], { faults: false });
  const server = await startServer();
  const browser = await launchBrowser(BROWSER_ARGS);
  try {
    const startup = await startupRuns(browser, server, sandbox.url);
    const typing = await typingRun(browser, server, sandbox.url);
    const controlTyping = await typingRun(browser, server, sandbox.url, { control: true });
    const tagsTyping = await typingRun(browser, server, sandbox.url, { pendingTags: RUNS.pendingTags });
    const submits = { dataUrl: [], uploader: [], endpoint: [], plain: [] };
    for (let i = 0; i < RUNS.bigFile; i += 1) {
      for (const [key, delivery] of [
        ['dataUrl', 'inline'],
        ['uploader', 'uploader'],
        ['endpoint', 'endpoint'],
      ]) {
        const r = await submitRun(browser, server, sandbox.url, { file: true, delivery });
        submits[key].push(r);
        process.stderr.write(`bench: 25 MB via ${key} ${i + 1}/${RUNS.bigFile}: ${ms(r.submitMs)}\n`);
      }
      // The sandbox keeps every upload in memory; forget them between rounds.
      await resetSandbox(sandbox.url).catch(() => {});
    }
    for (let i = 0; i < RUNS.plain; i += 1) {
      submits.plain.push(await submitRun(browser, server, sandbox.url, { file: false, delivery: null }));
    }
    const results = {
      when: new Date().toISOString(),
      chromium: browser.version(),
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      quick: QUICK,
      runs: RUNS,
      wallSeconds: (Date.now() - started) / 1000,
      sizes,
      startup,
      typing,
      controlTyping,
      tagsTyping,
      submits,
    };
    const rows = summarise(results);
    const text = textTable(rows);
    const markdown =
      `${markdownTable(rows)}\n\n### Against the targets\n\n${targetSummary(rows)}\n\n` +
      `### Per submit\n\n${diagnostics(results)}\n`;
    await mkdir(OUT, { recursive: true });
    await writeFile(path.join(OUT, 'results.json'), `${JSON.stringify({ ...results, rows }, null, 1)}\n`);
    await writeFile(path.join(OUT, 'results.md'), markdown);
    console.log(`\n${text}\n`);
    console.log(diagnostics(results));
    console.log(`\nbench: measured in ${results.wallSeconds.toFixed(0)} s; results in ${path.relative(ROOT, OUT) || OUT}/results.{md,json}`);
  } finally {
    await browser.close();
    await server.close();
    await sandbox.stop();
  }
}

main().catch((error) => {
  console.error(`bench: ${error.stack || error.message}`);
  process.exit(1);
});
