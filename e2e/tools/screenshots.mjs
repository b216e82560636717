// Takes screenshots of the demo's panels in each state, for a person to look at:
//   SANDBOX_BIN=target/debug/sandbox HOST_PROXY_BIN=target/debug/nexudus-host-proxy DIST_DIR=dist \
//     node e2e/tools/screenshots.mjs OUT_DIR
// Not a test: it asserts nothing beyond reaching each state. The several-attachments states
// (22-…) mount a panel with the packed package in e2e/fixtures/plain-html (installed by
// `cargo xtask test`); SHOTS=demo or SHOTS=several takes only those of the demo page or only
// those (the latter needs no DIST_DIR); SHOTS=hostile only issue 22's card states (30-…: a
// picture nothing can vouch for, a refused file blocking Post, the missing files named after
// a new mount), at 320 px and in the dark scheme; SHOTS=keys only issue 21's states of the
// panel with `idempotencyKeys` through the host backend (35-…: a key in flight, the 422 message);
// SHOTS=boards only issue 26's board states (39-…: the member panel through the host backend
// offering a restricted board, and another member's crafted post refused on the Board field).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { FIXTURES, startStack, launchBrowser } from '../harness.mjs';
import { drawPhoto, withExif, hostileCorpus } from '../support/images.js';

const out = process.argv[2] ?? 'target/screenshots';
const only = process.env.SHOTS;
await mkdir(out, { recursive: true });
const browser = await launchBrowser();
const stack = only === 'several' || only === 'hostile' || only === 'keys' ? null : await startStack();
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAJ0lEQVR42mNkYPhfz0AEYBxVSF+FjP8ZGBj+MzAwMDAxUKgQ0w8AAEQsB/0RBzM1AAAAAElFTkSuQmCC',
  'base64',
);

async function shot(name, { width = 480, scheme = 'light', locale, selector = '#start-panel', ready = '[name="Subject"]', memberSession } = {}, steps) {
  if (!stack || (only === 'boards' && !name.includes('-board'))) return;
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  if (memberSession) {
    // Another member signs in: the stand-in login hands the page their session.
    await context.route('**/login/session', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: memberSession }));
  }
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

// Tags and the private choice (the demo's start panel shows both).
const addTags = async (panel, ...tags) => {
  const input = panel.locator('input[name="Tags"]');
  for (const tag of tags) {
    await input.fill(tag);
    await input.press('Enter');
  }
};
const tagsAndPrivate = async (page, panel) => {
  await fill(panel);
  await addTags(panel, 'events', 'food', 'averylongtagwithoutspaces');
  await panel.locator('input[name="Tags"]').fill('lunch');
  await panel.locator('[name="Private"]').check();
};
await shot('16-tags-and-private', {}, tagsAndPrivate);
await shot('17-tags-refused', {}, async (page, panel) => {
  await fill(panel);
  await addTags(panel, 'events', 'food');
  await panel.locator('input[name="Tags"]').fill(`${'x'.repeat(45)},`);
  await panel.locator('[name="Tags"][aria-invalid="true"]').waitFor();
});
await shot('18-tags-private-server-errors', {}, async (page, panel) => {
  await fault({
    method: 'POST',
    path: '/api/community/communitythreads',
    fieldErrors: ['Tags', { propertyName: 'Private', message: 'is not allowed on this board' }],
  });
  await tagsAndPrivate(page, panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('[name="Private"][aria-invalid="true"]').waitFor();
});
await shot('19-tags-private-dark', { scheme: 'dark' }, tagsAndPrivate);
await shot('20-tags-private-320', { width: 320 }, async (page, panel) => {
  await tagsAndPrivate(page, panel);
  await panel.locator('input[name="Tags"]').fill(`${'y'.repeat(30)},`);
  await panel.locator('[name="Tags"][aria-invalid="true"]').waitFor();
});
await shot('21-tags-private-fr-dark-320', { width: 320, scheme: 'dark' }, async (page, panel) => {
  await page.getByLabel('Français').check();
  await panel.getByText('Étiquettes').waitFor();
  await tagsAndPrivate(page, panel);
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
await shot('27-photo-cleaned', {}, cleanedPhoto);
await shot('28-photo-cleaned-dark-320', { scheme: 'dark', width: 320 }, cleanedPhoto);
await shot('29-photo-preparing-fr', {}, async (page, panel) => {
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

// Issue 26: through the host backend, Ada (in restricted board 4) is offered it, named as
// members only; the open list is shown as a list box (a closed <select>'s pop-up is the
// browser's own window, which a page screenshot does not hold). Grace (not in it) posts to it
// by hand and gets the Board field's error.
const BOARD = 'select[name="CommunityGroupId"]';
const boardsListed = async (page, panel) => {
  await panel.locator(`${BOARD} option[value="4"]`).waitFor({ state: 'attached' });
  await panel.locator(BOARD).evaluate((select) => { select.size = select.options.length; });
  await panel.locator(BOARD).selectOption('4');
};
await shot('39-board-members-only-offered', { selector: '#member-panel' }, boardsListed);
await shot('40-board-members-only-offered-fr-dark-320', { selector: '#member-panel', scheme: 'dark', width: 320 }, async (page, panel) => {
  await page.locator('input[name="locale"][value="fr"]').check();
  await panel.getByText('Forum', { exact: true }).waitFor();
  await boardsListed(page, panel);
});
await shot('41-board-refused-on-the-field', { selector: '#member-panel', memberSession: stack?.memberSessions.grace }, async (page, panel) => {
  await panel.locator(`${BOARD} option[value="3"]`).waitFor({ state: 'attached' });
  await panel.locator(BOARD).evaluate((select) => select.add(new Option('Founders circle', '4')));
  await panel.locator(BOARD).selectOption('4');
  await fill(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator(`${BOARD}[aria-invalid="true"]`).waitFor();
});

await stack?.close();
if (!only || only === 'several') await severalAttachments();
if (!only || only === 'hostile') await hostileStates();
if (!only || only === 'keys') await keyStates();

/** Issue 21's states: a panel with `idempotencyKeys` through the host backend (/host/). */
async function keyStates() {
  const fixture = await startStack({ root: path.join(FIXTURES, 'plain-html'), hostProxyArgs: ['--idempotency-settle-seconds', '2'] });
  const take = async (name, { width = 480, scheme = 'light', locale = 'en' } = {}, steps) => {
    const { context, page } = await fixturePage(fixture, { width, scheme, height: 1000 });
    await page.evaluate((locale) => {
      const div = document.createElement('div');
      div.id = 'keyed';
      document.querySelector('main').prepend(div);
      window.nsc.mount(div, {
        baseUrl: `${location.origin}/host`,
        getToken: () => fetch('/login/session').then((answer) => answer.text()),
        businessId: 1,
        userId: 10,
        groupId: 1,
        idempotencyKeys: true,
        timeoutMs: 3000,
        locale,
      });
    }, locale);
    const panel = page.locator('#keyed');
    await panel.locator('[name="Subject"]').fill(locale === 'fr' ? 'Déjeuner vendredi' : 'Lunch on Friday');
    await panel.locator('[name="Message"]').fill(locale === 'fr' ? 'Qui vient ?' : 'Who is in for tacos?');
    // The sandbox acts after 8 s: the panel gives up at 3 s, the backend keeps the key in flight.
    await fetch(new URL('/_sandbox/faults', fixture.sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/api/community/communitythreads', delayMs: 8000 }),
    });
    await panel.locator('button[type="submit"]').click();
    await panel.locator('.nsc-error-summary').waitFor();
    await panel.locator('button[type="submit"]:not([disabled])').waitFor();
    await steps(page, panel);
    await panel.screenshot({ path: path.join(out, `${name}.png`) });
    await context.close();
  };
  const waiting = async (page, panel) => {
    await panel.locator('button[type="submit"]').click();
    await panel.locator('.nsc-status', { hasText: /earlier attempt|tentative précédente/ }).waitFor();
  };
  const reused = async (page, panel) => {
    await panel.locator('[name="Message"]').fill('Changed my mind: pizza?');
    await panel.locator('button[type="submit"]').click();
    await panel.locator('.nsc-error-summary', { hasText: /different details|autres détails/ }).waitFor();
  };
  await take('35-key-in-flight-waiting', {}, waiting);
  await take('36-key-reused-422', {}, reused);
  await take('37-key-reused-422-320-dark', { width: 320, scheme: 'dark' }, reused);
  await take('38-key-in-flight-waiting-fr', { locale: 'fr' }, waiting);
  await fixture.close();
}

/** A fresh page of a plain-html `fixture` stack at this size and scheme, its sandbox reset. */
async function fixturePage(fixture, { width = 480, scheme = 'light', height = 1400 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
  const page = await context.newPage();
  await page.goto(fixture.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  await fetch(new URL('/_sandbox/reset', fixture.sandboxUrl), { method: 'POST' });
  return { context, page };
}

/** Issue 22's card states, in a panel mounted in the plain-html fixture. */
async function hostileStates() {
  const fixture = await startStack({ root: path.join(FIXTURES, 'plain-html') });
  const unsure = hostileCorpus().find((entry) => !entry.vouchable);
  const text = (name) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(`the contents of ${name}`) });
  const take = async (name, { width = 480, scheme = 'light' } = {}, steps) => {
    const { context, page } = await fixturePage(fixture, { width, scheme });
    const mount = (options) => {
      document.getElementById('hostile')?.remove();
      const div = document.createElement('div');
      div.id = 'hostile';
      document.querySelector('main').prepend(div);
      window.hostile = window.nsc.mount(div, { baseUrl: location.origin, token: 'sandbox-member-token', businessId: 1, userId: 10, groupId: 1, uploadEndpoint: '/uploads', maxFiles: 3, draftKey: 'shots', ...options });
    };
    await page.evaluate(mount, {});
    const panel = page.locator('#hostile');
    await panel.locator('[name="Subject"]').fill('Photos from the roof');
    await panel.locator('[name="Message"]').fill('Two shots and the rota.');
    await steps(page, panel, mount);
    await panel.screenshot({ path: path.join(out, `${name}.png`) });
    await context.close();
  };
  const choices = async (page, panel) => {
    await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles([
      { name: 'roof.webp', mimeType: unsure.type, buffer: Buffer.from(unsure.bytes) },
      { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
      text('rota.txt'),
    ]);
    await panel.getByText('could not be checked for location data').waitFor();
    await panel.locator('button[type="submit"]').click();
    await panel.locator('.nsc-error-summary').waitFor();
  };
  const missing = async (page, panel, mount) => {
    await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles([text('minutes.txt'), text('agenda.txt'), text('menu.txt')]);
    await panel.locator('.nsc-card').nth(1).waitFor();
    await fetch(new URL('/_sandbox/faults', fixture.sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/api/community/communitythreadfiles', whenBody: { Name: 'agenda' }, status: 500, body: '' }),
    });
    await panel.locator('button[type="submit"]').click();
    await panel.getByText('2 of 3 attachments added').waitFor();
    await page.evaluate(() => window.hostile.destroy());
    await page.evaluate(mount, {});
    await page.locator('#hostile').getByText('Not added: agenda').waitFor();
  };
  await take('30-cannot-vouch-and-refused', {}, choices);
  await take('31-cannot-vouch-and-refused-320', { width: 320 }, choices);
  await take('32-cannot-vouch-and-refused-dark', { scheme: 'dark' }, choices);
  await take('33-missing-named-after-remount-320', { width: 320 }, missing);
  await take('34-missing-named-after-remount-dark', { scheme: 'dark' }, missing);
  await fixture.close();
}

/** Several attachments: a panel with `maxFiles: 3` mounted in the plain-html fixture. */
async function severalAttachments() {
  const fixture = await startStack({ root: path.join(FIXTURES, 'plain-html') });
  const text = (name) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(name) });
  const picture = (name) => ({ name, mimeType: 'image/png', buffer: PNG });
  const several = async (name, { width = 480, scheme = 'light', locale = 'en' } = {}, steps) => {
    const { context, page } = await fixturePage(fixture, { width, scheme });
    await page.evaluate((locale) => {
      const div = document.createElement('div');
      div.id = 'several';
      document.querySelector('main').prepend(div);
      window.nsc.mount(div, {
        baseUrl: location.origin,
        token: 'sandbox-member-token',
        businessId: 1,
        userId: 10,
        groupId: 1,
        uploadEndpoint: '/uploads',
        maxFiles: 3,
        locale,
      });
    }, locale);
    const panel = page.locator('#several');
    await panel.locator('[name="Subject"]').fill('Lunch on Friday');
    await panel.locator('[name="Message"]').fill('The menu, the map and the sign-up sheet.');
    await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles([picture('menu.png'), text('map-of-the-corner-place.txt'), picture('sign-up.png')]);
    await panel.locator('.nsc-card').nth(1).waitFor();
    await steps?.(page, panel, fixture);
    await panel.screenshot({ path: path.join(out, `${name}.png`) });
    await context.close();
  };
  const cardError = async (page, panel, { sandboxUrl }) => {
    await fetch(new URL('/_sandbox/faults', sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        method: 'POST',
        path: '/api/community/communitythreadfiles',
        whenBody: { Name: 'sign-up' },
        fieldErrors: [{ propertyName: 'Name', message: 'is not allowed' }],
      }),
    });
    await panel.locator('button[type="submit"]').click();
    await panel.locator('.nsc-card [aria-invalid="true"]').waitFor();
  };
  await several('22-several-cards');
  await several('23-card-error', {}, cardError);
  await several('24-partial-failure', {}, async (page, panel, { sandboxUrl }) => {
    await fetch(new URL('/_sandbox/faults', sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/api/community/communitythreadfiles', skip: 1, status: 500, body: '' }),
    });
    await panel.locator('button[type="submit"]').click();
    await panel.getByText('2 of 3 attachments added').waitFor();
  });
  await several('25-several-320-card-error', { width: 320 }, cardError);
  await several('26-several-dark-fr', { scheme: 'dark', locale: 'fr' }, cardError);
  await fixture.close();
}

await browser.close();
console.log(`screenshots in ${out}`);
