// Firefox ESR (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi, headless,
// behind the engines' page interface.
import puppeteer from 'puppeteer-core';
import { EnginePage, Unsupported, removeFolders, writeTempFiles } from './page.mjs';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
/** How an Error logged on the console reads here: BiDi sends it without its message. */
export const OPAQUE_ERROR = '[an Error, whose message WebDriver BiDi does not send]';

class FirefoxPage extends EnginePage {
  constructor(context, page) {
    super('firefox');
    this.context = context;
    this.page = page;
    this.messages = [];
    this.folders = [];
    page.on('console', (message) => {
      const type = message.type() === 'warn' ? 'warning' : message.type();
      // An Error argument comes over BiDi without its message (text `JSHandle@error`).
      const text = message.text().replaceAll('JSHandle@error', OPAQUE_ERROR);
      this.messages.push({ type, text });
    });
    page.on('pageerror', (error) => this.messages.push({ type: 'pageerror', text: error.message }));
  }

  _eval(expression) {
    return this.page.evaluate(expression);
  }

  _element(expression) {
    return this.page.evaluateHandle(expression);
  }

  _click(handle) {
    return handle.click();
  }

  async _fill(handle, text) {
    await handle.evaluate((el) => {
      el.focus();
      el.select?.();
    });
    if (text === '') await this.page.keyboard.press('Backspace');
    else await this.page.keyboard.type(text);
  }

  /** The files go through the driver (BiDi input.setFiles), from a temporary folder. */
  async _setFiles(handle, files) {
    const paths = await writeTempFiles(files, this.folders);
    await handle.uploadFile(...paths);
  }

  press(key) {
    return this.page.keyboard.press(key);
  }

  type(text) {
    return this.page.keyboard.type(text);
  }

  async goto(url) {
    await this.page.goto(url, { waitUntil: 'load' });
  }

  async reload() {
    await this.page.reload({ waitUntil: 'load' });
  }

  async throttleUpload() {
    throw new Unsupported('no network throttling over WebDriver BiDi (a DevTools-protocol measurement)');
  }

  async console() {
    return this.messages.slice();
  }

  async close() {
    await this.context.close();
    await removeFolders(this.folders);
  }
}

export const firefoxEngine = {
  name: 'firefox',
  driver: 'puppeteer-core (WebDriver BiDi)',
  consoleFromStart: true,
  needs: [FIREFOX],
  async launch() {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: {
        // Nothing to reach on this closed network.
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
      },
    });
    return {
      version: await browser.version(),
      async newPage({ colorScheme } = {}) {
        const context = await browser.createBrowserContext();
        const page = await context.newPage();
        if (colorScheme) {
          try {
            await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: colorScheme }]);
          } catch (error) {
            await context.close();
            throw new Unsupported(`no prefers-color-scheme emulation through the driver (${error.message})`);
          }
        }
        return new FirefoxPage(context, page);
      },
      close: () => browser.close(),
    };
  },
};
