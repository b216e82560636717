// The photo cleaner (js/clean-image.js) in Chromium on a 24-megapixel phone photo with GPS
// EXIF and orientation 6: the result carries no EXIF, its long side is 2560 px, it is the
// right way up; in a Worker, and on the main thread when a CSP refuses the Worker. Checked
// on the source module and on each copy the builds ship (the npm package's and the trunk
// demo's `snippets/`, present once the glue imports the cleaner). The panel's own path (a
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

/** The cleaner's source, and the built copies whose glue imports it. */
async function cleaners() {
  const found = [{ label: 'js/clean-image.js', file: path.join(ROOT, 'js/clean-image.js') }];
  const builds = [
    ['npm package', process.env.PKG_DIR ?? path.join(ROOT, 'pkg')],
    ['trunk demo', process.env.DIST_DIR ?? path.join(ROOT, 'dist')],
  ];
  for (const [label, dir] of builds) {
    if (!existsSync(path.join(dir, GLUE))) continue;
    const glue = await readFile(path.join(dir, GLUE), 'utf8');
    const snippet = /\.\/(snippets\/[^'"]*\/clean-image\.js)/.exec(glue)?.[1];
    if (snippet) found.push({ label: `${label}: ${snippet}`, file: path.join(dir, snippet) });
  }
  return found;
}

/** The strict policy of the demo page: no `worker-src blob:`, so the Worker is refused. */
const STRICT_CSP = "default-src 'none'; script-src 'self'";

let server;
let browser;
let origin;
let modules;

before(async () => {
  modules = await cleaners();
  server = http.createServer(async (request, response) => {
    const { pathname, searchParams } = new URL(request.url, 'http://x');
    const send = (type, body, headers = {}) => response.writeHead(200, { 'content-type': type, ...headers }).end(body);
    if (pathname === '/') {
      const csp = searchParams.get('csp') ? { 'content-security-policy': STRICT_CSP } : {};
      send('text/html', '<!doctype html><title>photo cleaner</title>', csp);
    } else if (pathname === '/images.js') {
      send('text/javascript', await readFile(path.join(ROOT, 'e2e/support/images.js')));
    } else if (/^\/cleaner\/\d+\.js$/.test(pathname)) {
      send('text/javascript', await readFile(modules[Number(pathname.match(/\d+/)[0])].file));
    } else if (pathname === '/favicon.ico') {
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** In the page: makes the 24 MP photo, cleans it with cleaner `index`, reads the result. */
async function cleanInPage({ index }) {
  const images = await import('/images.js');
  const { cleanImage } = await import(`/cleaner/${index}.js`);
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

for (const csp of [false, true]) {
  const where = csp ? 'on the main thread (a CSP refuses the Worker)' : 'in a Worker';
  test(`a 24 MP phone photo loses its GPS EXIF and is turned and shrunk, ${where}`, async (t) => {
    for (const [index, { label }] of modules.entries()) {
      await t.test(label, async () => {
        const page = await browser.newPage();
        const errors = [];
        page.on('pageerror', (error) => errors.push(error.message));
        const refusals = [];
        page.on('console', (message) => {
          if (message.type() === 'error') (/worker/i.test(message.text()) ? refusals : errors).push(message.text());
        });
        await page.goto(`${origin}/${csp ? '?csp=1' : ''}`);
        checkCleaned(await page.evaluate(cleanInPage, { index }));
        assert.deepEqual(errors, []);
        // Refused once, then the cleaner stops asking for a Worker on that page.
        assert.equal(refusals.length, csp ? 1 : 0, refusals.join('\n'));
        await page.close();
      });
    }
  });
}
