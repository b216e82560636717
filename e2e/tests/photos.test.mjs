// Photos through the panel, end to end: the packed package's custom element
// (fixtures/plain-html/element.html, under its strict CSP) uploads through `upload-endpoint`
// to the sandbox's store, and Nexudus (the sandbox) downloads what arrived. A phone photo
// with GPS (EXIF orientation 6) arrives without EXIF, at most 2560 px on its long side, the
// right way up; an animated GIF and, with `images = false`, the photo arrive byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { FIXTURES, useStack, watchPageErrors, attachmentBytes } from '../harness.mjs';
import { drawPhoto, pixelAt, withExif, hasExif, jpegSize, animatedGif } from '../support/images.js';

const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });

/** Opens element.html with the element in attach mode (conversation 1001), `images` set first. */
async function openElement(images) {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(new URL('/element.html', shared.stack.pageUrl).href);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.evaluate(
    ({ images }) => {
      const el = document.getElementById('panel');
      el.setAttribute('base-url', location.origin);
      el.setAttribute('thread-id', '1001');
      el.setAttribute('upload-endpoint', '/uploads');
      el.token = 'sandbox-member-token';
      if (images !== undefined) el.images = images;
    },
    { images },
  );
  await page.evaluate(() => window.loadElement());
  const element = page.locator('#panel');
  await element.locator('.nsc-panel').waitFor();
  return { context, page, element, errors };
}

/**
 * Runs `fn` (self-contained, from support/images.js) with `args` in a blank page of
 * `context`: the fixture's CSP would refuse the eval that brings it in.
 */
async function inBlankPage(context, fn, args) {
  const blank = await context.newPage();
  try {
    return await blank.evaluate(
      async ([source, args]) => {
        const value = await (0, eval)(`(${source})`)(...args.map((arg) => (arg?.bytes ? new Blob([Uint8Array.from(arg.bytes)]) : arg)));
        return Array.from(value);
      },
      [fn.toString(), args],
    );
  } finally {
    await blank.close();
  }
}

/** A 3200×2400 JPEG stored turned (EXIF orientation 6) with a GPS position. */
async function phonePhoto(context) {
  const drawn = await inBlankPage(context, drawPhoto, [{ width: 3200, height: 2400, orientation: 6 }]);
  const jpeg = withExif(Uint8Array.from(drawn), { orientation: 6, latitude: 48.8582, longitude: 2.2945 });
  assert.ok(hasExif(jpeg));
  return Buffer.from(jpeg);
}

/** Attaches the file chosen (its card shown), and returns what the sandbox stored. */
async function attachChosen(element) {
  await element.getByRole('button', { name: 'Attach file' }).click();
  const success = element.locator('.nsc-success');
  await success.waitFor({ timeout: 30_000 });
  return attachmentBytes(shared.stack, Number(await success.getAttribute('data-file-id')));
}

/** Chooses `file` and waits for its card; returns how many photo notes the card has. */
async function choose(element, file) {
  await element.locator('input[type="file"]').setInputFiles(file);
  await element.locator('.nsc-file-card').waitFor();
  return element.locator('.nsc-file-card__note').count();
}

test('a GPS-tagged phone photo arrives without EXIF, within 2560 px, the right way up; the card said so', async () => {
  const { context, page, element, errors } = await openElement();
  const photo = await phonePhoto(context);
  await choose(element, { name: 'rooftop.jpg', mimeType: 'image/jpeg', buffer: photo });
  const note = element.locator('.nsc-file-card__note');
  await note.filter({ hasText: /^location data removed · .+ → .+$/ }).waitFor({ timeout: 20_000 });

  const results = await new AxeBuilder({ page }).include('#panel').analyze();
  const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], 'axe violations with the note shown');

  const stored = await attachChosen(element);
  assert.ok(!hasExif(stored), 'no EXIF arrived');
  const { width, height } = jpegSize(stored);
  assert.deepEqual({ width, height }, { width: 1920, height: 2560 });
  assert.ok(stored.length < photo.length, `${stored.length} < ${photo.length}`);
  // Decoded as stored (no EXIF is left to turn it), red is on top: the right way up.
  const pixel = (x, y) => inBlankPage(context, pixelAt, [{ bytes: Array.from(stored) }, x, y]);
  const isRed = ([r, g, b]) => r > 180 && g < 80 && b < 80;
  assert.ok(isRed(await pixel(960, 40)), 'red at the top');
  assert.ok(!isRed(await pixel(960, 2520)), 'not red at the bottom');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an animated GIF arrives byte for byte, without a note', async () => {
  const { context, element, errors } = await openElement();
  const gif = Buffer.from(animatedGif());
  // Looked at by the cleaner (a GIF may carry comments), then left without a note.
  await choose(element, { name: 'wave.gif', mimeType: 'image/gif', buffer: gif });
  await element.locator('.nsc-file-card__note').waitFor({ state: 'detached' });
  const stored = await attachChosen(element);
  assert.ok(stored.equals(gif), 'the stored bytes are the GIF');
  assert.deepEqual(errors, []);
  await context.close();
});

test('with images = false the photo arrives as chosen, EXIF and all', async () => {
  const { context, element, errors } = await openElement(false);
  const photo = await phonePhoto(context);
  assert.equal(await choose(element, { name: 'rooftop.jpg', mimeType: 'image/jpeg', buffer: photo }), 0);
  const stored = await attachChosen(element);
  assert.ok(stored.equals(photo), 'the stored bytes are the photo');
  assert.deepEqual(errors, []);
  await context.close();
});
