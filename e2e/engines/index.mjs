// The three engines the end-to-end scenarios run in, each behind one page interface
// (page.mjs): Chromium through Playwright, Firefox ESR through puppeteer-core over WebDriver
// BiDi, WebKitGTK through selenium-webdriver over classic WebDriver.
import { chromiumEngine } from './chromium.mjs';
import { firefoxEngine } from './firefox.mjs';
import { webkitEngine } from './webkit.mjs';

export const ENGINES = { chromium: chromiumEngine, firefox: firefoxEngine, webkit: webkitEngine };
export { Unsupported } from './page.mjs';
