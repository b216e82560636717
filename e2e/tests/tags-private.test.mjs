// Tags and the private choice end to end: the demo's start panel (mounted with
// `fields: { tags: true, private: true }`) and its element (`fields="tags private"`) against
// the sandbox. What arrives, where the sandbox's refusals land, the draft across a reload,
// keyboard only, axe, 320 px and French. Every wait is on DOM state or events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { armFault, createdRecords, eventually, useStack, watchPageErrors } from '../harness.mjs';

const THREADS = '/api/community/communitythreads';
const shared = useStack();

async function openDemo({ width = 1280, colorScheme = 'light' } = {}) {
  const context = await shared.browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();
  const panel = page.locator('#start-panel');
  await panel.locator('[name="Subject"]').waitFor();
  return { context, page, panel, errors };
}

async function write(panel) {
  await panel.locator('[name="Subject"]').fill('Lunch on Friday');
  await panel.locator('[name="Message"]').fill('Who is in for tacos?');
}

/** The tags shown, in order (each chip's text without its remove button). */
function shownTags(panel) {
  return panel.locator('.nsc-tag').evaluateAll((chips) => chips.map((chip) => chip.firstChild.textContent));
}

/** Waits until the tags shown are `expected`. */
async function tagsAre(panel, expected) {
  const same = async () => JSON.stringify(await shownTags(panel)) === JSON.stringify(expected);
  await eventually(same);
  assert.deepEqual(await shownTags(panel), expected);
}

/** Waits until the tag input's live region says `expected`. */
async function announced(panel, expected) {
  const says = () => panel.locator('.nsc-tag-notice').textContent();
  await eventually(async () => (await says()) === expected);
  assert.equal(await says(), expected);
}

async function addTags(panel, ...tags) {
  const input = panel.locator('input[name="Tags"]');
  for (const tag of tags) {
    await input.fill(tag);
    await input.press('Enter');
  }
  await panel.locator('.nsc-tag').nth(tags.length - 1).waitFor();
}

/** The field error under `name`, as its `aria-describedby` names it. */
async function fieldError(panel, name) {
  const input = panel.locator(`[name="${name}"][aria-invalid="true"]`);
  await input.waitFor();
  const id = (await input.getAttribute('aria-describedby')).split(' ').find((part) => part.endsWith('-error'));
  return (await panel.locator(`[id="${id}"]`).textContent()).replace(/\s+/g, ' ').trim();
}

async function summaryLinks(panel) {
  const summary = panel.locator('.nsc-error-summary');
  await summary.waitFor();
  return summary.locator('a').evaluateAll((links) => links.map((a) => [a.textContent.trim(), a.getAttribute('href')]));
}

const newestThread = async () => (await createdRecords(shared.stack)).threads.at(-1);

test('keyboard only: tags added with Enter and comma, one removed with Backspace, private ticked with Space; both arrive', async () => {
  const { context, page, panel, errors } = await openDemo();
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('name'));
  await panel.locator('[name="Subject"]').focus();
  await page.keyboard.type('Lunch on Friday');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Who is in for tacos?');
  await page.keyboard.press('Tab'); // the board
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Tags');
  await page.keyboard.type('events');
  await page.keyboard.press('Enter');
  await page.keyboard.type('food,drinks');
  await page.keyboard.press('Enter');
  await tagsAre(panel, ['events', 'food', 'drinks']);
  await page.keyboard.press('Backspace');
  await tagsAre(panel, ['events', 'food']);
  await announced(panel, 'Tag drinks removed');
  // Typed and not yet added: sent as a tag too.
  await page.keyboard.type('Lunch');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Private');
  await page.keyboard.press('Space');
  await panel.locator('[name="Private"]:checked').waitFor();
  for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement?.type)) !== 'submit'; i += 1) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await panel.locator('.nsc-success').waitFor();
  const thread = await newestThread();
  assert.equal(thread.Tags, 'events,food,Lunch');
  assert.equal(thread.Private, true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a conversation without tags sends no Tags, and an unticked box sends Private false', async () => {
  const { context, panel } = await openDemo();
  await write(panel);
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  await panel.locator('.nsc-success').waitFor();
  const thread = await newestThread();
  assert.equal(thread.Tags, null);
  assert.equal(thread.Private, false);
  await context.close();
});

test("the sandbox's refusal of over-long Tags lands on the tag input and in the summary", async () => {
  const { context, page, panel } = await openDemo();
  // The panel checks the 50 characters itself; a server stricter than it (here, the sent
  // tags made longer on the way) answers with the API's 400 envelope on `Tags`.
  await page.route(`**${THREADS}`, (route) => {
    const body = JSON.parse(route.request().postData());
    route.continue({ postData: JSON.stringify({ ...body, Tags: `${body.Tags},${'x'.repeat(60)}` }) });
  });
  await write(panel);
  await addTags(panel, 'events');
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  assert.equal(await fieldError(panel, 'Tags'), 'Error: Tags cannot be longer than 50 characters');
  const tagsId = await panel.locator('[name="Tags"]').getAttribute('id');
  assert.deepEqual(await summaryLinks(panel), [['Tags cannot be longer than 50 characters', `#${tagsId}`]]);
  assert.equal((await createdRecords(shared.stack)).threads.length, 0);
  await context.close();
});

test("a server's errors on Tags and Private land on their fields; a summary link focuses its field", async () => {
  const { context, page, panel } = await openDemo();
  await armFault(shared.stack, { method: 'POST', path: THREADS, fieldErrors: ['Tags', 'Private'] });
  await write(panel);
  await addTags(panel, 'events');
  await panel.locator('[name="Private"]').check();
  await panel.getByRole('button', { name: 'Post conversation' }).click();
  const tagsError = await fieldError(panel, 'Tags');
  const privateError = await fieldError(panel, 'Private');
  assert.match(tagsError, /^Error: Tags /);
  assert.match(privateError, /^Error: Private conversation /);
  const links = await summaryLinks(panel);
  const ids = await Promise.all(['Tags', 'Private'].map((name) => panel.locator(`[name="${name}"]`).getAttribute('id')));
  assert.deepEqual(links.map(([, href]) => href), ids.map((id) => `#${id}`));
  await panel.locator('.nsc-error-summary a').nth(1).click();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'Private');
  // Changing a field clears its own error only.
  await panel.locator('[name="Private"]').uncheck();
  await panel.locator('[name="Private"]:not([aria-invalid])').waitFor();
  assert.equal(await panel.locator('[name="Tags"][aria-invalid="true"]').count(), 1);
  await context.close();
});

test('the tags, the typed text and the private choice survive a reload', async () => {
  const { context, page, panel } = await openDemo();
  await write(panel);
  await addTags(panel, 'events', 'food');
  await panel.locator('input[name="Tags"]').fill('half typed');
  await panel.locator('[name="Private"]').check();
  await page.waitForFunction(() => (sessionStorage.getItem('nexudus-start-conversation:demo-start') ?? '').includes('half typed'));
  await page.reload();
  await tagsAre(panel, ['events', 'food']);
  assert.equal(await panel.locator('input[name="Tags"]').inputValue(), 'half typed');
  assert.equal(await panel.locator('[name="Private"]').isChecked(), true);
  await context.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`no axe violations with tags, a refused tag and the private choice (${colorScheme})`, async () => {
    const { context, page, panel } = await openDemo({ colorScheme });
    const scan = async (state) => {
      const results = await new AxeBuilder({ page }).include('#start-panel').analyze();
      const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(found, [], `axe violations with ${state}`);
    };
    await addTags(panel, 'events', 'food');
    await panel.locator('[name="Private"]').check();
    await scan('tags entered');
    await panel.locator('input[name="Tags"]').fill(`${'x'.repeat(45)},`);
    await panel.locator('[name="Tags"][aria-invalid="true"]').waitFor();
    await scan('a refused tag');
    await context.close();
  });
}

test('at 320 px wide, long tags and their errors wrap within the panel', async () => {
  const { context, page, panel } = await openDemo({ width: 320 });
  await addTags(panel, 'averyveryverylongtagwithoutspaces', 'b');
  await panel.locator('input[name="Tags"]').fill(`${'y'.repeat(20)},`);
  await panel.locator('[name="Tags"][aria-invalid="true"]').waitFor();
  await panel.locator('[name="Private"]').check();
  // The panel and everything in it stay within the viewport (the demo page's own fault
  // switches, outside the panel, are not the panel's to fit).
  const overflow = await page.evaluate(() => {
    const panel = document.querySelector('#start-panel .nsc-panel');
    const width = document.documentElement.clientWidth;
    const outside = [panel, ...panel.querySelectorAll('*')]
      .filter((node) => node.getBoundingClientRect().right > width + 0.5)
      .map((node) => `${node.tagName}.${node.className}`);
    return { scroll: panel.scrollWidth - panel.clientWidth, outside };
  });
  assert.deepEqual(overflow, { scroll: 0, outside: [] });
  await context.close();
});

test('in French: labels, hint, announcements and the limit message', async () => {
  const { context, page, panel } = await openDemo();
  await page.getByLabel('Français').check();
  await panel.getByText('Étiquettes').waitFor();
  assert.ok(await panel.getByText('Appuyez sur Entrée ou sur la virgule pour ajouter une étiquette').isVisible());
  assert.ok(await panel.getByText('Rendre cette discussion privée').isVisible());
  await addTags(panel, 'réunion');
  await announced(panel, 'Étiquette réunion ajoutée');
  await panel.getByRole('button', { name: 'Retirer l’étiquette réunion' }).click();
  await announced(panel, 'Étiquette réunion retirée');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'Tags');
  await panel.locator('input[name="Tags"]').fill(`${'z'.repeat(51)},`);
  assert.equal(
    await fieldError(panel, 'Tags'),
    'Erreur : Les étiquettes doivent compter 50 caractères au maximum, virgules comprises',
  );
  await context.close();
});

test('the element takes the fields as an attribute: "tags private", then "none"', async () => {
  const { context, page } = await openDemo();
  const element = page.locator('#element-panel');
  await element.locator('[name="Private"]').waitFor();
  assert.equal(await element.locator('input[name="Tags"]').count(), 1);
  await page.evaluate(() => {
    document.getElementById('element-panel').fields = 'none';
  });
  await element.locator('[name="Private"]').waitFor({ state: 'detached' });
  assert.equal(await element.locator('input[name="Tags"]').count(), 0);
  await context.close();
});
