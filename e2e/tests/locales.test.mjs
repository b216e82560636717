// The languages: each pack (locales/<tag>.json) fetched by the npm entry when used, the
// panel's first painted text already in it (no flash of English), sizes written as it
// writes them, a field error from the
// API's Errors[] and the success screen in it; the page's <html lang> chosen when the host
// gives no locale; the host's strings over the pack; a pack that fails to load leaves the
// panel in English with a console note, never blank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, useStack, watchPageErrors, armFault } from '../harness.mjs';

const THREADS = '/api/community/communitythreads';
const LOCALES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../locales');
const START = { businessId: 1, userId: 10, groupId: 1 };

const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });

/** A pack as the page gets it (`pt-PT` over `pt`). */
function pack(tag) {
  const read = (name) => JSON.parse(readFileSync(path.join(LOCALES, `${name}.json`), 'utf8'));
  return tag === 'pt-PT' ? { ...read('pt'), ...read('pt-PT') } : read(tag);
}

// Chromium logs a fetch answered with an error status (the armed 400, the 404 of a pack)
// as a console error; those are expected here.
const pageErrors = (errors) => errors.filter((line) => !line.includes('Failed to load resource'));

async function open() {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const consoleText = [];
  page.on('console', (message) => consoleText.push(`${message.type()}: ${message.text()}`));
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, errors, consoleText };
}

/**
 * Mounts a start panel in `#under-test` after `loadLocale(tag)` (the page's language when
 * `tag` is undefined), recording the first text its heading showed; resolves to the tag
 * `loadLocale` gave.
 */
async function mountIn(page, tag, options = {}) {
  const loaded = await page.evaluate(
    async ({ tag, options }) => {
      const div = document.createElement('div');
      div.id = 'under-test';
      window.firstHeading = null;
      // Mutation records are delivered before the browser paints: the first heading text
      // seen here is the first the member could see.
      new MutationObserver((_, observer) => {
        const heading = div.querySelector('h2');
        if (heading?.textContent) {
          window.firstHeading = heading.textContent;
          observer.disconnect();
        }
      }).observe(div, { childList: true, subtree: true, characterData: true });
      document.body.append(div);
      const { loadLocale } = await import('./node_modules/nexudus-start-conversation/index.js');
      const loaded = await loadLocale(tag);
      window.handle = window.nsc.mount(div, {
        baseUrl: location.origin,
        token: 'sandbox-member-token',
        timeoutMs: 10000,
        ...options,
        ...(tag === undefined ? {} : { locale: tag }),
      });
      return loaded;
    },
    { tag, options: { ...START, ...options } },
  );
  const panel = page.locator('#under-test');
  await panel.locator('.nsc-panel').waitFor();
  return { loaded, panel };
}

async function fieldError(panel, name) {
  const input = panel.locator(`[name="${name}"][aria-invalid="true"]`);
  await input.waitFor();
  const ids = (await input.getAttribute('aria-describedby')).split(' ').filter((id) => id.endsWith('-error'));
  assert.equal(ids.length, 1, `${name} is described by one error message`);
  return (await panel.locator(`[id="${ids[0]}"]`).textContent()).replace(/\s+/g, ' ').trim();
}

for (const tag of ['fr', 'de', 'es', 'it', 'nl', 'pt', 'pt-PT']) {
  test(`${tag}: painted in it from the first text, a server field error and the success screen`, async () => {
    const strings = pack(tag);
    const { context, page, errors } = await open();
    // 2.3 MB: the size in the hint is written as the language writes it (`2,3 Mo`).
    const { loaded, panel } = await mountIn(page, tag, { limits: { maxBytes: 2_411_725 }, inlineFiles: true });
    assert.equal(loaded, tag);
    const max = strings.sizeMb.replace('{count}', (2.3).toLocaleString(tag));
    await panel.getByText(strings.attachmentHint.replace('{max}', max)).waitFor();
    assert.equal(await page.evaluate(() => window.firstHeading), strings.titleStart);
    assert.equal(await panel.locator('section.nsc-panel').getAttribute('lang'), tag);

    await armFault(shared.stack, {
      method: 'POST',
      path: THREADS,
      status: 400,
      body: JSON.stringify({
        Message: 'Subject: is not allowed',
        Value: null,
        Errors: [{ AttemptedValue: 'x', Message: 'is not allowed', PropertyName: 'Subject' }],
        WasSuccessful: false,
      }),
    });
    await panel.locator('[name="Subject"]').fill('Lunch');
    await panel.locator('[name="Message"]').fill('Tacos?');
    await panel.getByRole('button', { name: strings.submitStart }).click();
    const sentence = strings.fieldSentence.replace('{label}', strings.labelSubject).replace('{text}', 'is not allowed');
    assert.equal(await fieldError(panel, 'Subject'), `${strings.errorPrefix} ${sentence}`.replace(/\s+/g, ' '));
    await panel.getByText(strings.summaryTitle).waitFor();

    await panel.getByRole('button', { name: strings.submitStart }).click();
    const success = panel.locator('.nsc-success');
    await success.waitFor();
    await success.getByText(strings.successStart).waitFor();
    await success.getByRole('button', { name: strings.startAnother }).waitFor();
    assert.deepEqual(pageErrors(errors), []);
    await context.close();
  });
}

test("without a locale option the page's <html lang> chooses, and the host's strings win over the pack", async () => {
  const { context, page, errors } = await open();
  await page.evaluate(() => {
    document.documentElement.lang = 'es-MX';
  });
  const { loaded, panel } = await mountIn(page, undefined, { strings: { submitStart: 'Publicar ya' } });
  assert.equal(loaded, 'es');
  assert.equal(await page.evaluate(() => window.firstHeading), pack('es').titleStart);
  await panel.getByRole('button', { name: 'Publicar ya' }).waitFor();

  // Back to English: the pack goes, the host's own string stays.
  await page.evaluate(() => window.handle.update({ locale: 'en' }));
  await panel.getByRole('heading', { name: 'Start a conversation' }).waitFor();
  await panel.getByRole('button', { name: 'Publicar ya' }).waitFor();
  // To Dutch, not loaded before: the panel follows once the pack is there.
  await page.evaluate(() => window.handle.update({ locale: 'nl', strings: {} }));
  await panel.getByRole('heading', { name: pack('nl').titleStart }).waitFor();
  await panel.getByRole('button', { name: pack('nl').submitStart }).waitFor();
  assert.equal(await panel.locator('section.nsc-panel').getAttribute('lang'), 'nl');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a pack that fails to load leaves the panel in English, with a console note', async () => {
  const { context, page, errors, consoleText } = await open();
  await context.route('**/locales/de.json', (route) => route.fulfill({ status: 404, body: 'gone' }));
  const { loaded, panel } = await mountIn(page, 'de');
  assert.equal(loaded, 'en');
  assert.equal(await page.evaluate(() => window.firstHeading), 'Start a conversation');
  await panel.getByRole('button', { name: 'Post conversation' }).waitFor();
  assert.equal(await panel.locator('section.nsc-panel').getAttribute('lang'), 'en');
  assert.ok(
    consoleText.some((text) => text.startsWith('warning: ') && text.includes('"de" strings could not be loaded (HTTP 404)')),
    JSON.stringify(consoleText),
  );
  assert.deepEqual(pageErrors(errors), []);
  await context.close();
});
