// axe-core scans of the start panel in its empty, error, uploading and success states
// (and the attach-failed recovery state), in light and dark colour schemes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { PNG, armFault, useStack } from '../harness.mjs';

const shared = useStack();
const fault = (spec) => armFault(shared.stack, spec);

async function scan(page, state) {
  const results = await new AxeBuilder({ page }).include('#start-panel').analyze();
  const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe violations in the ${state} state`);
  assert.ok(results.passes.length > 0, 'axe ran its rules');
}

for (const colorScheme of ['light', 'dark']) {
  test(`no axe violations in any state (${colorScheme})`, async () => {
    const context = await shared.browser.newContext({ colorScheme });
    const page = await context.newPage();
    await page.goto(shared.stack.pageUrl);
    const panel = page.locator('#start-panel');
    await panel.locator('[name="Subject"]').waitFor();
    await scan(page, 'empty');

    await panel.getByRole('button', { name: 'Post conversation' }).click();
    await panel.locator('.nsc-error-summary').waitFor();
    await scan(page, 'client error');

    await panel.locator('[name="Subject"]').fill('Lunch');
    await panel.locator('[name="Message"]').fill('Tacos?');
    await panel.locator('input[type="file"]').setInputFiles({ name: 'menu.png', mimeType: 'image/png', buffer: PNG });
    await panel.locator('.nsc-file-card').waitFor();
    await scan(page, 'file chosen');

    await fault({ method: 'POST', path: '/uploads', delayMs: 4000 });
    await panel.getByRole('button', { name: 'Post conversation' }).click();
    await panel.getByText(/Uploading the file/).waitFor();
    await scan(page, 'uploading');
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await panel.getByText('Cancelled. Your text is still here.').waitFor();

    await fault({ method: 'POST', path: '/api/community/communitythreadfiles', status: 500, body: '' });
    await panel.getByRole('button', { name: 'Post conversation' }).click();
    await panel.getByRole('button', { name: 'Try attaching again' }).waitFor();
    await scan(page, 'attach failed');

    await panel.getByRole('button', { name: 'Try attaching again' }).click();
    await panel.locator('.nsc-success').waitFor();
    await scan(page, 'success');
    await context.close();
  });
}
