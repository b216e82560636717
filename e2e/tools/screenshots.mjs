// Takes screenshots of the demo's panels in each state, for a person to look at:
//   SANDBOX_BIN=target/debug/sandbox HOST_PROXY_BIN=target/debug/nexudus-host-proxy DIST_DIR=dist \
//     node e2e/tools/screenshots.mjs OUT_DIR
// Not a test: it asserts nothing beyond reaching each state.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startStack, launchBrowser } from '../harness.mjs';
import { drawPhoto, withExif } from '../support/images.js';

const out = process.argv[2] ?? 'target/screenshots';
await mkdir(out, { recursive: true });
const stack = await startStack();
const browser = await launchBrowser();
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAJ0lEQVR42mNkYPhfz0AEYBxVSF+FjP8ZGBj+MzAwMDAxUKgQ0w8AAEQsB/0RBzM1AAAAAElFTkSuQmCC',
  'base64',
);

async function shot(name, { width = 480, scheme = 'light', locale, selector = '#start-panel', ready = '[name="Subject"]' } = {}, steps) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  await page.goto(stack.pageUrl + (locale ? `?locale=${locale}` : ''));
  const panel = page.locator(selector);
  await panel.locator(ready).waitFor();
  await fetch(new URL('/_sandbox/reset', stack.sandboxUrl), { method: 'POST' });
  await steps?.(page, panel);
  await panel.screenshot({ path: path.join(out, `${name}.png`) });
  await context.close();
}

const fault = (spec) =>
  fetch(new URL('/_sandbox/faults', stack.sandboxUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
const fill = async (panel) => {
  await panel.locator('[name="Subject"]').fill('Lunch on Friday');
  await panel.locator('[name="Message"]').fill('Who is in for tacos at the corner place?');
};
const file = (panel) => panel.locator('input[type="file"]').setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: PNG });

await shot('01-empty');
await shot('02-client-errors', {}, async (page, panel) => {
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-error-summary').waitFor();
});
await shot('03-file-chosen', {}, async (page, panel) => {
  await fill(panel);
  await file(panel);
  await panel.locator('.nsc-file-card').waitFor();
});
await shot('04-uploading', {}, async (page, panel) => {
  await fault({ method: 'POST', path: '/uploads', delayMs: 5000 });
  await fill(panel);
  await file(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.getByText(/Uploading the file/).waitFor();
});
await shot('05-server-errors', {}, async (page, panel) => {
  await fault({
    method: 'POST',
    path: '/api/community/communitythreads',
    status: 400,
    body: JSON.stringify({
      Message: 'Subject: is not allowed',
      Errors: [
        { PropertyName: 'Subject', Message: 'is not allowed', AttemptedValue: 'x' },
        { PropertyName: 'Business', Message: 'The location is closed today', AttemptedValue: 1 },
      ],
      WasSuccessful: false,
    }),
  });
  await fill(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('[name="Subject"][aria-invalid="true"]').waitFor();
});
await shot('06-attach-failed', {}, async (page, panel) => {
  await fault({ method: 'POST', path: '/api/community/communitythreadfiles', status: 500, body: '' });
  await fill(panel);
  await file(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.getByRole('button', { name: 'Try attaching again' }).waitFor();
});
await shot('07-success', {}, async (page, panel) => {
  await fill(panel);
  await file(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-success').waitFor();
});
await shot('08-narrow-320-errors', { width: 320 }, async (page, panel) => {
  await fill(panel);
  await file(panel);
  await panel.locator('[name="Name"]').fill('');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-error-summary').waitFor();
});
await shot('09-dark', { scheme: 'dark' }, async (page, panel) => {
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-error-summary').waitFor();
});

await shot('10-subject-count', {}, async (page, panel) => {
  await panel.locator('[name="Subject"]').fill('A'.repeat(258));
  await panel.locator('[name="Message"]').fill('Long subject');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('[name="Subject"][aria-invalid="true"]').waitFor();
});
// The element without somewhere to put files: a link only, and a pasted file refused.
const linksOnly = async (page, panel) => {
  await page.evaluate(() => document.getElementById('element-panel').removeAttribute('upload-endpoint'));
  await panel.locator('input[type="url"]').waitFor();
  await panel.locator('input[type="url"]').evaluate((field) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array([1])], 'photo.png', { type: 'image/png' }));
    field.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
  });
  await panel.locator('input[type="url"][aria-invalid="true"]').waitFor();
};
await shot('11-links-only-paste-refused', { selector: '#element-panel' }, linksOnly);
await shot('12-links-only-dark-320', { selector: '#element-panel', scheme: 'dark', width: 320 }, linksOnly);
await shot('13-presigned-progress', { selector: '#attach-panel', ready: '[name="Name"]' }, async (page, panel) => {
  await page.route('**/uploads/**', async (route) => {
    if (route.request().method() === 'PUT') return; // held: the bar stays mid-way
    return route.continue();
  });
  await panel.locator('input[type="file"]').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: Buffer.alloc(2_000_000, 7) });
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.getByText(/Uploading the file/).waitFor();
});
await shot('14-member-through-host-backend', { selector: '#member-panel' }, async (page, panel) => {
  await fill(panel);
  await file(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-success').waitFor();
});

await shot('15-many-server-errors-bounded', {}, async (page, panel) => {
  await fault({
    method: 'POST',
    path: '/api/community/communitythreads',
    status: 400,
    body: JSON.stringify({
      Message: 'x'.repeat(5000),
      Errors: Array.from({ length: 40 }, (_, i) => ({
        PropertyName: i % 2 ? 'Business' : 'Subject',
        Message: `problem ${i} ${'very long '.repeat(60)}`,
        AttemptedValue: null,
      })),
      WasSuccessful: false,
    }),
  });
  await fill(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('[name="Subject"][aria-invalid="true"]').waitFor();
});

// A phone photo with its GPS position (drawn in a blank page: the demo's CSP refuses eval),
// cleaned on choosing: the card's note says what left.
const blank = await (await browser.newContext()).newPage();
const drawn = await blank.evaluate(
  async ([source, options]) => Array.from(await (0, eval)(`(${source})`)(options)),
  [drawPhoto.toString(), { width: 3200, height: 2400, orientation: 6, noise: 12 }],
);
await blank.context().close();
const photo = Buffer.from(withExif(Uint8Array.from(drawn), { orientation: 6 }));
const cleanedPhoto = async (page, panel) => {
  await fill(panel);
  await panel.locator('input[type="file"]').setInputFiles({ name: 'rooftop.jpg', mimeType: 'image/jpeg', buffer: photo });
  await panel.locator('.nsc-file-card__note').filter({ hasText: 'location data removed' }).waitFor({ timeout: 20_000 });
};
await shot('16-photo-cleaned', {}, cleanedPhoto);
await shot('17-photo-cleaned-dark-320', { scheme: 'dark', width: 320 }, cleanedPhoto);
await shot('18-photo-preparing-fr', {}, async (page, panel) => {
  // Held mid-way: the cleaner's module never arrives, so the card stays "preparing".
  await page.route('**/clean-image-work.js', () => {});
  await page.locator('input[name="locale"][value="fr"]').check();
  await panel.locator('[name="Subject"]').fill('Déjeuner vendredi');
  await panel.locator('[name="Message"]').fill('Qui vient ?');
  await panel.locator('input[type="file"]').setInputFiles({ name: 'rooftop.jpg', mimeType: 'image/jpeg', buffer: photo });
  await panel.getByText('Préparation de la photo…').waitFor();
  await panel.getByRole('button', { name: 'Publier la discussion' }).click();
  await panel.getByText('Préparation des photos', { exact: false }).waitFor();
});

await browser.close();
await stack.close();
console.log(`screenshots in ${out}`);
