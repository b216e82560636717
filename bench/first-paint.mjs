// Navigation → the panel painted, side by side with what a portal developer would pick
// instead (Uppy core + Dashboard, pinned in bench/uppy/package-lock.json), in one run: fresh
// browser contexts, the panel's ways and Uppy in turn, on a phone's profile (4× CPU slowdown, a
// 9 Mbit/s link with 40 ms latency) and on the desktop (no throttling). Run by
// `cargo xtask bench`; see BENCHMARKS.md ("First paint beside Uppy").
//
//   PKG_DIR=pkg node bench/first-paint.mjs
//
// Environment (all have defaults):
//   PKG_DIR     the built npm package (default pkg/)
//   CHROMIUM    the browser (default /usr/bin/chromium)
//   BENCH_OUT   where first-paint.{md,json} go (default target/bench)
//   BENCH_QUICK set to 1 for fewer runs (a smoke test of the bench itself)
//
// The widgets are served the way a CDN serves them: brotli (quality 11) when the browser
// asks for it, cacheable for ten minutes, so the repeat visit finds them in the HTTP cache
// (and Chromium its compiled code). The host page itself is never cached.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';

import { launchBrowser, listen, requestPath } from '../e2e/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = (name, fallback) => process.env[name] || fallback;
const PKG_DIR = path.resolve(env('PKG_DIR', path.join(ROOT, 'pkg')));
const OUT = path.resolve(env('BENCH_OUT', path.join(ROOT, 'target/bench')));
const UPPY_OUT = path.join(OUT, 'uppy');
const QUICK = env('BENCH_QUICK') === '1';
const RUNS = QUICK ? 2 : 9;
/** A visit that has not painted by then is a failure of the bench, not a figure. */
const VISIT_LIMIT_MS = 60_000;

/** The phone: Lighthouse's CPU slowdown, and the link the issue names. */
const PROFILES = {
  mobile: { cpu: 4, network: { latency: 40, downloadThroughput: 9e6 / 8, uploadThroughput: 9e6 / 8 } },
  desktop: { cpu: 1, network: null },
};

const WIDGETS = {
  panel: { page: '/first-paint-panel.html', prefix: '/pkg/', label: 'mount()' },
  hinted: { page: '/first-paint-panel-hinted.html', prefix: '/pkg/', label: 'mount(), preload hints' },
  painted: { page: '/first-paint-painted.html', prefix: '/pkg/', label: 'paint() + mount()' },
  element: { page: '/first-paint-element.html', prefix: '/pkg/', label: 'the element, early-paint' },
  elementHinted: { page: '/first-paint-element-hinted.html', prefix: '/pkg/', label: 'the element, early-paint, preload hints' },
  uppy: { page: '/first-paint-uppy.html', prefix: '/uppy/', label: 'Uppy' },
};
/** The panel's ways, in the table's order. */
const OURS = ['element', 'elementHinted', 'painted', 'panel', 'hinted'];
/** The pages served with the preload hints in their head, and the page each is made from. */
const HINTED = { [WIDGETS.hinted.page]: WIDGETS.panel.page, [WIDGETS.elementHinted.page]: WIDGETS.element.page };
/** The pages served as they are from bench/. */
const PAGES = new Set(['panel', 'painted', 'element', 'uppy'].map((w) => WIDGETS[w].page));

/**
 * The hints README.md ("Loading early") gives hosts: the modules and the .wasm fetched while
 * the page is still being parsed. The hinted page is the panel's page with these in its head.
 */
const HINTS = [
  '<link rel="modulepreload" href="/pkg/index.js">',
  '<link rel="modulepreload" href="/pkg/nexudus-start-conversation.js">',
  '<link rel="preload" href="/pkg/nexudus-start-conversation_bg.wasm" as="fetch" type="application/wasm" crossorigin>',
].join('\n');

// ── the Uppy bundle ─────────────────────────────────────────────────────────────────

/** Bundles bench/uppy/entry.js with the esbuild of tools/ into UPPY_OUT (uppy.js, uppy.css). */
async function bundleUppy() {
  const esbuild = createRequire(path.join(ROOT, 'tools/package.json'))('esbuild');
  await mkdir(UPPY_OUT, { recursive: true });
  await esbuild.build({
    entryPoints: { uppy: path.join(ROOT, 'bench/uppy/entry.js') },
    absWorkingDir: path.join(ROOT, 'bench/uppy'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    outdir: UPPY_OUT,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const version = JSON.parse(await readFile(path.join(ROOT, 'bench/uppy/node_modules/@uppy/core/package.json'), 'utf8')).version;
  const dashboard = JSON.parse(await readFile(path.join(ROOT, 'bench/uppy/node_modules/@uppy/dashboard/package.json'), 'utf8')).version;
  return { core: version, dashboard };
}

// ── serving ─────────────────────────────────────────────────────────────────────────

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

/** The pages' timing helpers, put into each page as it is served. */
const timing = await readFile(path.join(ROOT, 'bench/first-paint-timing.js'), 'utf8');

/** Serves the pages (the timing helpers put in; never cached) and /pkg/ and /uppy/ (brotli-compressed once, kept in memory). */
function startServer() {
  const mounts = [
    ['/pkg/', PKG_DIR],
    ['/uppy/', UPPY_OUT],
  ];
  const compressed = new Map();
  async function body(file) {
    if (!compressed.has(file)) {
      const raw = await readFile(file);
      const br = brotliCompressSync(raw, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
      });
      compressed.set(file, { raw, br });
    }
    return compressed.get(file);
  }
  return listen(
    http.createServer(async (request, response) => {
      const pathname = requestPath(request);
      if (HINTED[pathname] || PAGES.has(pathname)) {
        // Pages: the timing helpers put in (the same for every page), never cached.
        const page = await readFile(path.join(ROOT, 'bench', HINTED[pathname] ?? pathname), 'utf8');
        const html = page.replace(/^ *\/\/ TIMING .*\n/m, () => timing);
        response.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' });
        response.end(HINTED[pathname] ? html.replace('<head>', `<head>\n${HINTS}`) : html);
        return;
      }
      const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
      const file = mount && path.resolve(mount[1], pathname.slice(mount[0].length));
      if (!file || !file.startsWith(path.resolve(mount[1]) + path.sep)) {
        response.writeHead(404).end();
        return;
      }
      try {
        const { raw, br } = await body(file);
        const brotli = /\bbr\b/.test(request.headers['accept-encoding'] ?? '');
        response.writeHead(200, {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'cache-control': 'public, max-age=600',
          vary: 'accept-encoding',
          ...(brotli ? { 'content-encoding': 'br' } : {}),
        });
        response.end(brotli ? br : raw);
      } catch {
        response.writeHead(404).end();
      }
    }),
  );
}

// ── one visit ───────────────────────────────────────────────────────────────────────

/**
 * Opens `widget`'s page in `context` under `profile`; returns its times (ms from navigation
 * start) and the widget's bytes: those whose response ended before the painted frame, and all.
 */
async function visit(context, origin, widget, profile) {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
    if (profile.network) {
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.network });
    }
    await page.goto(origin + WIDGETS[widget].page);
    await page.waitForFunction(() => window.__bench && (window.__bench.live || window.__bench.error), null, {
      timeout: VISIT_LIMIT_MS,
      polling: 50,
    });
    const result = await page.evaluate((prefix) => {
      const bench = window.__bench;
      const ours = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith(prefix));
      const sum = (entries, key) => entries.reduce((total, e) => total + e[key], 0);
      const before = ours.filter((e) => e.responseEnd <= bench.painted);
      return {
        error: bench.error,
        ready: bench.ready,
        painted: bench.painted,
        live: bench.live,
        bytesBeforePaint: sum(before, 'encodedBodySize'),
        transferredBeforePaint: sum(before, 'transferSize'),
        bytesTotal: sum(ours, 'encodedBodySize'),
        requestsBeforePaint: before.length,
      };
    }, WIDGETS[widget].prefix);
    if (result.error) throw new Error(`${widget}: ${result.error}`);
    return result;
  } finally {
    await page.close();
  }
}

// ── statistics and report ───────────────────────────────────────────────────────────

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (v) => `${Math.round(v).toLocaleString('en-US')} ms`;
const bytes = (v) => Math.round(v).toLocaleString('en-US');
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

function table(samples, profile) {
  const of = (widget, visitKind, key) => median(samples.filter((s) => s.widget === widget && s.visit === visitKind && s.profile === profile).map((s) => s[key]));
  const rows = [
    ['**first visit, navigation → painted**', (w) => of(w, 'first', 'painted'), ms],
    ['first visit, navigation → the live panel in place', (w) => of(w, 'first', 'live'), ms],
    ['repeat visit (caches warm), navigation → painted', (w) => of(w, 'repeat', 'painted'), ms],
    ['repeat visit, navigation → the live panel in place', (w) => of(w, 'repeat', 'live'), ms],
    ['brotli bytes loaded before the first paint', (w) => of(w, 'first', 'bytesBeforePaint'), bytes],
    ['brotli bytes in all', (w) => of(w, 'first', 'bytesTotal'), bytes],
    ['bytes transferred on the repeat visit before the paint', (w) => of(w, 'repeat', 'transferredBeforePaint'), bytes],
  ];
  const lines = [
    `| ${profile} (median of ${RUNS}) | Uppy | ${OURS.map((w) => `${WIDGETS[w].label} | ÷ Uppy`).join(' | ')} |`,
    `| --- | ---: | ${OURS.map(() => '---: | ---:').join(' | ')} |`,
  ];
  for (const [label, figure, format] of rows) {
    const uppy = figure('uppy');
    const cells = OURS.map((w) => `${format(figure(w))} | ${uppy ? ratio(figure(w), uppy) : '–'}`);
    lines.push(`| ${label} | ${format(uppy)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

// ── main ────────────────────────────────────────────────────────────────────────────

const versions = await bundleUppy();
const server = await startServer();
const browser = await launchBrowser();
const samples = [];
try {
  for (const profile of Object.keys(PROFILES)) {
    for (let run = 0; run < RUNS; run += 1) {
      // Alternate which widget goes first, so neither always meets a warmer machine.
      const order = run % 2 ? ['uppy', ...OURS].reverse() : ['uppy', ...OURS];
      for (const widget of order) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
        try {
          for (const visitKind of ['first', 'repeat']) {
            const result = await visit(context, server.url, widget, PROFILES[profile]);
            samples.push({ profile, widget, visit: visitKind, run, ...result });
          }
        } finally {
          await context.close();
        }
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}

const header = `Uppy: @uppy/core ${versions.core} + @uppy/dashboard ${versions.dashboard}, bundled and minified by esbuild. The panel from pkg/: the custom element (its prerendered frame first), the mount API with paint() before init(), and the mount API alone, without and with the preload hints. "Painted" is the panel's form on screen; "the live panel in place" is the .wasm's panel taking over (the same moment without an early frame). Chromium, fresh context per widget and run, the order reversed every other run; a repeat visit is a second page in the same context.`;
const markdown = [
  '### First paint beside Uppy (`node bench/first-paint.mjs`)',
  '',
  header,
  '',
  table(samples, 'mobile'),
  '',
  'mobile: 4× CPU slowdown, 9 Mbit/s both ways, 40 ms latency (Chromium DevTools protocol).',
  '',
  table(samples, 'desktop'),
  '',
].join('\n');
console.log(markdown);
await mkdir(OUT, { recursive: true });
await writeFile(path.join(OUT, 'first-paint.md'), markdown);
await writeFile(path.join(OUT, 'first-paint.json'), JSON.stringify({ versions, runs: RUNS, profiles: PROFILES, samples }, null, 2));
