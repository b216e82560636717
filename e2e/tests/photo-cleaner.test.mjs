// The photo cleaner (js/clean-image.js, which loads js/clean-image-work.js) in Chromium on
// a 24-megapixel phone photo with GPS EXIF and orientation 6: the result carries no EXIF,
// its long side is 2560 px, it is the right way up; each way it runs (a module Worker, a
// Blob URL Worker, the main thread). Checked on the sources and on the npm package's
// minified copy; the trunk demo's copy is the sources' (once the glues import it). The panel's own path (a
// chosen photo reaching the sandbox) is tested with the panel; e2e/support/images.js
// makes the pictures for both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '../..');
const GLUE = 'nexudus-start-conversation.js';

const PKG_DIR = process.env.PKG_DIR ?? path.join(ROOT, 'pkg');
const DIST_DIR = process.env.DIST_DIR ?? path.join(ROOT, 'dist');
const FILES = ['clean-image.js', 'clean-image-work.js'];

/** The folder of the cleaner in a build (`snippets/<crate>-<hash>/js`), if its glue imports it. */
async function shippedIn(build) {
  if (!existsSync(path.join(build, GLUE))) return null;
  const glue = await readFile(path.join(build, GLUE), 'utf8');
  const folder = /\.\/(snippets\/[^'"]*)\/clean-image\.js/.exec(glue)?.[1];
  return folder ? path.join(build, folder) : null;
}

/** The cleaner's folder in the sources, and the npm package's (minified) copy once it ships. */
async function cleaners() {
  const found = [{ label: 'js/', dir: path.join(ROOT, 'js') }];
  const packaged = await shippedIn(PKG_DIR);
  if (packaged) found.push({ label: `npm package: ${path.relative(PKG_DIR, packaged)}/`, dir: packaged });
  return found;
}

/**
 * The three ways the cleaner runs, and how each page leads to it: its module as a Worker
 * (served from the page's origin), a Worker from a Blob URL (the module from another
 * origin, as from a CDN: a Worker's script must be same-origin), the main thread (a CSP
 * refusing Workers).
 */
const WAYS = [
  { way: 'a module Worker', crossOrigin: false, csp: null },
  { way: 'a Blob URL Worker (the cleaner served from another origin)', crossOrigin: true, csp: null },
  { way: "the main thread (a CSP with worker-src 'none')", crossOrigin: false, csp: "worker-src 'none'" },
];

let servers = [];
let browser;
let modules;

/** A server for the page, `images.js`, and `/cleaner/N/…` from the folder of cleaner N. */
async function startServer() {
  const server = http.createServer(async (request, response) => {
    const { pathname, searchParams } = new URL(request.url, 'http://x');
    const script = (file) =>
      readFile(file).then(
        (body) => response.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }).end(body),
        () => response.writeHead(404).end(),
      );
    const cleaner = /^\/cleaner\/(\d+)\/([\w-]+\.js)$/.exec(pathname);
    if (pathname === '/') {
      const csp = searchParams.get('csp');
      response.writeHead(200, { 'content-type': 'text/html', ...(csp ? { 'content-security-policy': csp } : {}) });
      response.end('<!doctype html><title>photo cleaner</title>');
    } else if (pathname === '/images.js') {
      await script(path.join(ROOT, 'e2e/support/images.js'));
    } else if (cleaner && modules[Number(cleaner[1])]) {
      await script(path.join(modules[Number(cleaner[1])].dir, cleaner[2]));
    } else {
      response.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

before(async () => {
  modules = await cleaners();
  servers = [await startServer(), await startServer()];
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map(({ server }) => new Promise((resolve) => server.close(resolve))));
});

/** In the page: makes the 24 MP photo, cleans it with the cleaner at `entry`, reads the result. */
async function cleanInPage({ entry }) {
  const images = await import('/images.js');
  const { cleanImage } = await import(entry);
  // Stored 6000×4000, seen 4000×6000 once turned as orientation 6 says: red on top.
  const drawn = await images.drawPhoto({ width: 6000, height: 4000, orientation: 6, noise: 24 });
  const jpeg = images.withExif(drawn, { orientation: 6, latitude: 48.8582, longitude: 2.2945 });
  const chosen = new File([jpeg], 'rooftop.jpg', { type: 'image/jpeg' });
  const { file, report } = await cleanImage(chosen);
  const bytes = new Uint8Array(await file.arrayBuffer());
  return {
    report,
    chosenHadExif: images.hasExif(jpeg),
    name: file.name,
    type: file.type,
    size: file.size,
    hasExif: images.hasExif(bytes),
    stored: images.jpegSize(bytes),
    top: await images.pixelAt(file, 853, 40),
    bottom: await images.pixelAt(file, 853, 2520),
  };
}

function checkCleaned(result) {
  const { report } = result;
  assert.ok(result.chosenHadExif, 'the fixture carries EXIF');
  assert.equal(report.action, 'cleaned', JSON.stringify(report));
  assert.ok(report.metadataRemoved && report.locationRemoved && report.resized, JSON.stringify(report));
  assert.deepEqual([report.widthBefore, report.heightBefore], [4000, 6000]);
  assert.deepEqual([report.widthAfter, report.heightAfter], [1707, 2560]);
  assert.ok(report.bytesAfter < report.bytesBefore / 2, `${report.bytesBefore} → ${report.bytesAfter}`);
  assert.equal(report.bytesAfter, result.size);
  assert.equal(result.name, 'rooftop.jpg');
  assert.equal(result.type, 'image/jpeg');
  assert.equal(result.hasExif, false, 'the output carries no EXIF');
  assert.deepEqual(result.stored, { width: 1707, height: 2560 });
  const [r, g, b] = result.top;
  assert.ok(r > 180 && g < 80 && b < 80, `red on top, got ${result.top}`);
  assert.ok(result.bottom[1] > 150 && result.bottom[0] < 80, `green at the bottom, got ${result.bottom}`);
}

for (const { way, crossOrigin, csp } of WAYS) {
  test(`a 24 MP phone photo loses its GPS EXIF and is turned and shrunk, in ${way}`, async (t) => {
    for (const [index, { label }] of modules.entries()) {
      await t.test(label, async () => {
        const page = await browser.newPage();
        const errors = [];
        page.on('pageerror', (error) => errors.push(error.message));
        const refusals = [];
        page.on('console', (message) => {
          if (message.type() === 'error') (/worker/i.test(message.text()) ? refusals : errors).push(message.text());
        });
        const workers = [];
        page.on('worker', (worker) => workers.push(worker.url()));
        const [pageServer, moduleServer] = crossOrigin ? servers : [servers[0], servers[0]];
        await page.goto(`${pageServer.origin}/${csp ? `?csp=${encodeURIComponent(csp)}` : ''}`);
        const entry = `${moduleServer.origin}/cleaner/${index}/clean-image.js`;
        checkCleaned(await page.evaluate(cleanInPage, { entry }));
        assert.deepEqual(errors, []);
        if (csp) {
          // Both ways refused (once each: the cleaner stops asking), then this thread.
          assert.deepEqual(workers, []);
          assert.equal(refusals.length, 2, refusals.join('\n'));
        } else {
          assert.equal(workers.length, 1, workers.join('\n'));
          assert.match(workers[0], crossOrigin ? /^blob:/ : /\/clean-image-work\.js$/);
          // A module Worker from another origin is refused before it is made: no message.
          assert.deepEqual(refusals, []);
        }
        await page.close();
      });
    }
  });
}

test('the trunk demo ships the cleaner as written, its entry and the part loaded later side by side', async (t) => {
  const demo = await shippedIn(DIST_DIR);
  if (!demo) {
    t.skip('the demo does not import the cleaner yet (nothing calls photo::clean_photo)');
    return;
  }
  for (const file of FILES) {
    assert.equal(await readFile(path.join(demo, file), 'utf8'), await readFile(path.join(ROOT, 'js', file), 'utf8'), file);
  }
});
