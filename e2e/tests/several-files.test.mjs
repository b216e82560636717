// Several attachments (issue 13, maxFiles over 1), end to end with the packed package's mount
// API (fixtures/plain-html) against the sandbox, which records what was created and (through
// the page's server) every request: three files in one submission with the second one's
// attach failing then retried alone, a file-level server error on its own card, axe, 320 px,
// keyboard only, both locales, and once through the host backend. Every wait is on DOM state
// or on the sandbox's records, never a fixed sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { FIXTURES, useStack, watchPageErrors, armFault, createdRecords, attachmentBytes } from '../harness.mjs';

const THREADS = '/api/community/communitythreads';
const FILES = '/api/community/communitythreadfiles';
const START = { businessId: 1, userId: 10, groupId: 1, uploadEndpoint: '/uploads', maxFiles: 3 };
const GENERIC_500 = JSON.stringify({ Message: 'Ooops! There was a problem while running this action. Please try again later.' });

// Every request the page sent, in order (`METHOD /path?query`), as the page's server got it.
const requests = [];
const shared = useStack({
  root: path.join(FIXTURES, 'plain-html'),
  // The throttle (as live Nexudus) would refuse this test's own reads of the records; the
  // benchmark (bench/several-files.mjs) runs the panel with it on.
  sandboxArgs: ['--no-throttle'],
  onRequest: ({ method, path: at }) => requests.push(`${method} ${at}`),
});
const fault = (spec) => armFault(shared.stack, spec);
const live = (list) => (list ?? []).filter((record) => !record.Deleted);
// Thrown errors and console errors, without the browser's own note of each failed answer.
const pageErrors = (errors) => errors.filter((line) => !line.includes('Failed to load resource'));

async function open(contextOptions = {}) {
  const context = await shared.browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  requests.length = 0;
  return { context, page, errors };
}

/** Mounts a panel in a new element `#under-test`; host events land in `window.hostEvents`. */
async function mountPanel(page, options) {
  await page.evaluate((options) => {
    const div = document.createElement('div');
    div.id = 'under-test';
    document.body.append(div);
    window.hostEvents = [];
    const { session, ...rest } = options;
    // `session`: the member's session from the host's own sign-in (the stand-in at
    // /login/session), as the host backend expects; else the sandbox's member token.
    const auth = session ? { getToken: async () => (await fetch('/login/session')).text() } : { token: 'sandbox-member-token' };
    window.handle = window.nsc.mount(div, {
      baseUrl: location.origin,
      timeoutMs: 10000,
      ...auth,
      ...rest,
      onCreated: (detail) => window.hostEvents.push(['created', detail]),
      onAttachFailed: (detail) => window.hostEvents.push(['attach-failed', detail]),
    });
  }, options);
  const panel = page.locator('#under-test');
  await panel.locator('.nsc-panel').waitFor();
  return panel;
}

const textFile = (name) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(`the contents of ${name}`) });

async function writeAndChoose(panel, names, subject = 'Three files') {
  await panel.locator('[name="Subject"]').fill(subject);
  await panel.locator('[name="Message"]').fill('Minutes, agenda and menu.');
  await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles(names.map(textFile));
  await panel.locator('.nsc-card').nth(names.length - 2).waitFor();
}

test('three files, the second attach failing: retried alone, one conversation, each file once, looked up first', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  await writeAndChoose(panel, ['minutes.txt', 'agenda.txt', 'menu.txt']);
  await fault({ method: 'POST', path: FILES, skip: 1, status: 500, body: GENERIC_500 });
  await panel.getByRole('button', { name: 'Post conversation' }).click();

  // The partial failure says which were added and which not, and offers the three ways on.
  const summary = panel.locator('.nsc-error-summary');
  await summary.getByText('2 of 3 attachments added').waitFor();
  assert.match(await summary.innerText(), /Not added: agenda\./);
  await panel.getByRole('button', { name: 'Keep it without the missing attachments' }).waitFor();
  await panel.getByRole('button', { name: 'Remove the conversation' }).waitFor();
  // The files already added say so, the form's own first file as well as a card.
  assert.equal(await panel.getByText('Added', { exact: true }).count(), 2);
  const posted = requests.filter((r) => r.startsWith(`POST ${FILES}`)).length;
  assert.equal(posted, 3, requests.join('\n'));

  // Retried alone: a look-up of the missing file, then its attach; nothing else posted.
  requests.length = 0;
  await panel.getByRole('button', { name: 'Try attaching again' }).click();
  const done = panel.locator('.nsc-success');
  await done.waitFor();
  const apiCalls = requests.filter((r) => r.includes('/api/'));
  assert.equal(apiCalls.length, 2, apiCalls.join('\n'));
  assert.match(apiCalls[0], new RegExp(`^GET ${FILES}\\?`), apiCalls.join('\n'));
  assert.equal(apiCalls[1], `POST ${FILES}`);

  const records = await createdRecords(shared.stack);
  const threads = live(records.threads);
  const files = live(records.files);
  assert.equal(threads.length, 1);
  assert.deepEqual(files.map((f) => f.Name).sort(), ['agenda', 'menu', 'minutes']);
  assert.ok(files.every((f) => f.CommunityThreadId === threads[0].Id));
  for (const file of files) {
    assert.equal((await attachmentBytes(shared.stack, file.Id)).toString(), `the contents of ${file.Name}.txt`);
  }
  const created = await page.evaluate(() => window.hostEvents.filter(([name]) => name === 'created'));
  assert.equal(created.length, 1);
  assert.deepEqual([...created[0][1].fileIds].sort(), files.map((f) => f.Id).sort());
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('a file-level server error lands on its card; focus on the summary, whose link focuses the field', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, { threadId: 1001, uploadEndpoint: '/uploads', maxFiles: 3 });
  await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles(['one.txt', 'two.txt', 'three.txt'].map(textFile));
  await panel.locator('.nsc-card').nth(1).waitFor();
  await fault({
    method: 'POST',
    path: FILES,
    whenBody: { Name: 'three' },
    fieldErrors: [{ propertyName: 'Name', message: 'is not allowed' }],
  });
  await panel.getByRole('button', { name: 'Attach file' }).click();
  const card = panel.locator('.nsc-card', { hasText: 'three.txt' });
  const field = card.locator('[name="Name"][aria-invalid="true"]');
  await field.waitFor();
  assert.equal(await panel.locator('[aria-invalid="true"]').count(), 1, 'only that card is wrong');
  assert.match(await card.innerText(), /Error:\s*Display name is not allowed/);
  await page.waitForFunction(() => document.activeElement?.closest('.nsc-error-summary'));
  await panel.locator('.nsc-error-summary a', { hasText: 'is not allowed' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), await field.getAttribute('id'));
  // Fixed on the card and sent again: only that file.
  await field.fill('three (fixed)');
  requests.length = 0;
  await panel.getByRole('button', { name: 'Attach file' }).click();
  await panel.locator('.nsc-success').waitFor();
  const names = live((await createdRecords(shared.stack)).files).map((f) => f.Name).sort();
  assert.deepEqual(names, ['one', 'three (fixed)', 'two']);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`several cards: no axe violations, chosen and failed (${colorScheme})`, async () => {
    const { context, page } = await open({ colorScheme });
    const panel = await mountPanel(page, START);
    await writeAndChoose(panel, ['a.txt', 'b.txt', 'c.txt']);
    const scan = async (state) => {
      const results = await new AxeBuilder({ page }).include('#under-test').analyze();
      const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(found, [], `axe violations with ${state}`);
    };
    await scan('three files');
    await panel.locator('.nsc-card').last().locator('[name="Name"]').fill('');
    await panel.getByRole('button', { name: 'Post conversation' }).click();
    await panel.locator('.nsc-card [aria-invalid="true"]').waitFor();
    await scan('an error on a card');
    await panel.locator('.nsc-card').last().locator('[name="Name"]').fill('c');
    await fault({ method: 'POST', path: FILES, skip: 1, status: 500, body: GENERIC_500 });
    await panel.getByRole('button', { name: 'Post conversation' }).click();
    await panel.getByText('2 of 3 attachments added').waitFor();
    await scan('a partial failure');
    await context.close();
  });
}

test('320 px wide with three cards and an error: no horizontal scroll', async () => {
  const { context, page } = await open({ viewport: { width: 320, height: 800 } });
  const panel = await mountPanel(page, START);
  await writeAndChoose(panel, ['a-rather-long-file-name-for-a-narrow-phone.txt', 'b.txt', 'c.txt']);
  await panel.locator('.nsc-card').last().locator('[name="Name"]').fill('');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-card [aria-invalid="true"]').waitFor();
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(widths.scroll <= widths.client, JSON.stringify(widths));
  await context.close();
});

test('keyboard only: three files, a card removed and the rest sent', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, START);
  await panel.locator('[name="Subject"]').focus();
  await page.keyboard.type('Keyboard');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Only the keys.');
  // Tab onto the file input (past the tag input; the board picker is absent with a fixed board).
  const focusedType = () => page.evaluate(() => document.activeElement.type);
  // Waited on before the keys that open it: Playwright turns on the chooser's interception
  // asynchronously, and a chooser opened before that is cancelled, not reported.
  const chooserOpened = page.waitForEvent('filechooser');
  for (let tabs = 0; tabs < 3 && (await focusedType()) !== 'file'; tabs++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await focusedType(), 'file');
  await page.keyboard.press('Space');
  const chooser = await chooserOpened;
  await chooser.setFiles(['k1.txt', 'k2.txt', 'k3.txt'].map(textFile));
  await panel.locator('.nsc-card').nth(1).waitFor();
  // Tab to the second card's Remove and press it.
  const remove = panel.locator('.nsc-card').first().getByRole('button', { name: 'Remove' });
  for (let tabs = 0; tabs < 20 && !(await remove.evaluate((button) => button === document.activeElement)); tabs++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await panel.locator('.nsc-card').nth(1).waitFor({ state: 'detached' });
  assert.equal(await panel.locator('.nsc-card legend').innerText(), 'k3.txt');
  await panel.getByRole('button', { name: 'Post conversation' }).focus();
  await page.keyboard.press('Enter');
  await panel.locator('.nsc-success').waitFor();
  const names = live((await createdRecords(shared.stack)).files).map((f) => f.Name).sort();
  assert.deepEqual(names, ['k1', 'k3']);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});

test('French: the cards, the count limit and the partial failure', async () => {
  const { context, page } = await open();
  const panel = await mountPanel(page, { ...START, locale: 'fr', maxFiles: 2 });
  await panel.locator('[name="Subject"]').fill('Trois fichiers');
  await panel.locator('[name="Message"]').fill('Deux passent.');
  await panel.locator('input[type="file"][name="NewFileDataUrl"]').setInputFiles(['a.txt', 'b.txt', 'c.txt'].map(textFile));
  await panel.getByText('1 fichier laissé de côté : 2 pièces jointes au plus').first().waitFor();
  assert.equal(await panel.locator('.nsc-card').count(), 1);
  await panel.locator('.nsc-card').getByRole('button', { name: 'Retirer' }).waitFor();
  await fault({ method: 'POST', path: FILES, skip: 1, status: 500, body: GENERIC_500 });
  await panel.locator('button[type="submit"]').click();
  await panel.getByText('1 pièces jointes sur 2 ajoutées').waitFor();
  await context.close();
});

test('through the host backend: three files, one conversation, three attachments', async () => {
  const { context, page, errors } = await open();
  const panel = await mountPanel(page, {
    ...START,
    session: true,
    baseUrl: `${new URL(shared.stack.pageUrl).origin}/host`,
    uploadEndpoint: '/host/uploads',
  });
  await writeAndChoose(panel, ['h1.txt', 'h2.txt', 'h3.txt'], 'Through the backend');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-success').waitFor();
  // Every call went through the backend (an attach the throttle refused is sent again).
  assert.ok(requests.filter((r) => r.startsWith(`POST /host${FILES}`)).length >= 3, requests.join('\n'));
  assert.ok(!requests.some((r) => r.startsWith('POST /api/')), requests.join('\n'));
  const records = await createdRecords(shared.stack);
  const threads = live(records.threads);
  assert.equal(threads.length, 1);
  assert.equal(threads[0].UserId, 10);
  assert.deepEqual(live(records.files).map((f) => f.Name).sort(), ['h1', 'h2', 'h3']);
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});
