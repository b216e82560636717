// Chromium through Playwright (the driver the rest of the suite uses), behind the engines'
// page interface.
import { launchBrowser } from '../harness.mjs';
import { EnginePage } from './page.mjs';

class ChromiumPage extends EnginePage {
  constructor(context, page) {
    super('chromium');
    this.context = context;
    this.page = page;
    this.messages = [];
    page.on('console', (message) => this.messages.push({ type: message.type(), text: message.text() }));
    page.on('pageerror', (error) => this.messages.push({ type: 'pageerror', text: error.message }));
  }

  _eval(expression) {
    return this.page.evaluate(expression);
  }

  async _element(expression) {
    const handle = await this.page.evaluateHandle(expression);
    return handle.asElement();
  }

  _click(handle) {
    return handle.click();
  }

  _fill(handle, text) {
    return handle.fill(text);
  }

  _setFiles(handle, files) {
    return handle.setInputFiles(files.map(({ name, mimeType, buffer }) => ({ name, mimeType, buffer })));
  }

  press(key) {
    return this.page.keyboard.press(key);
  }

  type(text) {
    return this.page.keyboard.type(text);
  }

  async goto(url) {
    await this.page.goto(url);
  }

  async reload() {
    await this.page.reload();
  }

  async console() {
    return this.messages.slice();
  }

  /** Slows uploads down through the DevTools protocol, so progress can be seen. */
  async throttleUpload(bytesPerSecond) {
    const devtools = await this.context.newCDPSession(this.page);
    await devtools.send('Network.enable');
    await devtools.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond,
    });
  }

  close() {
    return this.context.close();
  }
}

export const chromiumEngine = {
  name: 'chromium',
  driver: 'playwright-core (DevTools protocol)',
  consoleFromStart: true,
  needs: [process.env.CHROMIUM || '/usr/bin/chromium'],
  async launch() {
    const browser = await launchBrowser();
    return {
      version: browser.version(),
      async newPage({ colorScheme } = {}) {
        const context = await browser.newContext(colorScheme ? { colorScheme } : {});
        return new ChromiumPage(context, await context.newPage());
      },
      close: () => browser.close(),
    };
  },
};
