// A pseudo-locale: every English string accented and 40 % longer (bracketed, so a cut end
// shows), given by a host through `strings`, at 320 px wide with the error summary and field
// errors up; then the same right to left (`dir="rtl"` on the host's element): nothing runs
// past the panel's edges, the page never scrolls sideways, and the error marks sit on the
// start side. Screenshots go to $NSC_SCREENSHOTS (default the system's temp folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, useStack, watchPageErrors } from '../harness.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = process.env.NSC_SCREENSHOTS ?? os.tmpdir();

const shared = useStack({ root: path.join(FIXTURES, 'plain-html'), sandboxArgs: ['--no-throttle'] });

/** The English texts by key, from the `messages!` table of src/i18n.rs. */
function english() {
  const source = readFileSync(path.join(ROOT, 'src/i18n.rs'), 'utf8');
  const texts = {};
  for (const [, key, text] of source.matchAll(/= "(\w+)" \{ en: "((?:[^"\\]|\\.)*)" \}/g)) {
    texts[key] = JSON.parse(`"${text}"`);
  }
  return texts;
}

const ACCENTED = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyz'].map((letter, i) => [letter, [...'àƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýž'][i]]),
);

/** `[Àççéñţéð téẋţ {placeholders} ŀöñĝéŕ]`: accented, placeholders kept, 40 % longer. */
function pseudo(text) {
  const body = text
    .split(/(\{\w+\})/)
    .map((part) =>
      /^\{\w+\}$/.test(part)
        ? part
        : [...part].map((c) => ACCENTED[c] ?? ACCENTED[c.toLowerCase()]?.toUpperCase() ?? c).join(''),
    )
    .join('');
  const extra = Math.ceil(text.length * 0.4);
  const padding = 'ŀöñĝéŕ ŵöŕðš ĥéŕé '.repeat(Math.ceil(extra / 18) + 1).slice(0, extra).trim();
  return `[${body} ${padding}]`;
}

test('the pseudo-locale shows whole at 320 px, left to right and right to left', async () => {
  const strings = Object.fromEntries(Object.entries(english()).map(([key, text]) => [key, pseudo(text)]));
  assert.ok(Object.keys(strings).length > 90, 'the English table was read');
  const context = await shared.browser.newContext({ viewport: { width: 320, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(shared.stack.pageUrl);
  await page.locator('body[data-ready="true"]').waitFor();

  for (const dir of ['ltr', 'rtl']) {
    await page.evaluate(
      ({ strings, dir }) => {
        document.getElementById('under-test')?.remove();
        const div = document.createElement('div');
        div.id = 'under-test';
        div.dir = dir;
        document.querySelector('main').prepend(div);
        window.nsc.mount(div, {
          baseUrl: location.origin,
          token: 'sandbox-member-token',
          businessId: 1,
          userId: 10,
          groupId: 1,
          strings,
        });
      },
      { strings, dir },
    );
    const panel = page.locator('#under-test');
    await panel.getByRole('button', { name: strings.submitStart }).click();
    await panel.locator('[name="Subject"][aria-invalid="true"]').waitFor();
    await panel.getByText(strings.summaryTitle).waitFor();

    const layout = await page.evaluate(() => {
      const root = document.querySelector('#under-test .nsc-panel');
      const edge = root.getBoundingClientRect();
      const outside = [];
      for (const el of root.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || getComputedStyle(el).position === 'absolute') continue;
        // Past the panel's edges, or text cut inside its own box.
        if (box.left < edge.left - 1 || box.right > edge.right + 1 || el.scrollWidth > el.clientWidth + 1) {
          if (el.clientWidth > 0 || box.left < edge.left - 1 || box.right > edge.right + 1) {
            outside.push(`${el.tagName}.${el.className}: ${Math.round(box.left)}–${Math.round(box.right)}`);
          }
        }
      }
      const field = document.querySelector('#under-test .nsc-field--error');
      const style = getComputedStyle(field);
      return {
        outside,
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        mark: { left: style.borderLeftWidth, right: style.borderRightWidth },
      };
    });
    await page.screenshot({ path: path.join(SHOTS, `nsc-pseudo-320-${dir}.png`), fullPage: true });
    assert.deepEqual(layout.outside, [], dir);
    assert.ok(layout.scroll <= layout.client, `${dir}: ${JSON.stringify(layout)}`);
    // The thick error mark is on the side the text starts from.
    assert.deepEqual(layout.mark, dir === 'ltr' ? { left: '5px', right: '0px' } : { left: '0px', right: '5px' });
  }
  assert.deepEqual(errors, []);
  await context.close();
});
