// WebKitGTK (Debian's webkit2gtk-driver: WebKitWebDriver and its MiniBrowser) through
// selenium-webdriver over classic WebDriver, behind the engines' page interface. The
// MiniBrowser has no headless mode here, so it draws on an Xvfb display this module starts
// (what `xvfb-run` does), and stops with the browser.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { Builder, Capabilities, Key } from 'selenium-webdriver';
import { EnginePage, Unsupported, call, installConsoleRecorder, removeFolders, writeTempFiles } from './page.mjs';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
/** libwebkit2gtk's MiniBrowser, under the machine's multiarch folder (x86_64-linux-gnu, …). */
export const MINIBROWSER =
  process.env.MINIBROWSER ||
  readdirSync('/usr/lib')
    .map((arch) => `/usr/lib/${arch}/webkit2gtk-4.1/MiniBrowser`)
    .find((file) => existsSync(file));
const XVFB = '/usr/bin/Xvfb';

const KEYS = { Tab: Key.TAB, Enter: Key.ENTER, Backspace: Key.BACK_SPACE, Escape: Key.ESCAPE, Space: Key.SPACE };

class WebKitPage extends EnginePage {
  /** `onStuck` is told when the session would not quit, so the next page gets a fresh driver. */
  constructor(driver, onStuck) {
    super('webkit');
    this.driver = driver;
    this.onStuck = onStuck;
    this.folders = [];
  }

  _eval(expression) {
    return this.driver.executeScript(`return ${expression};`);
  }

  _element(expression) {
    return this.driver.executeScript(`return ${expression};`);
  }

  _click(element) {
    return element.click();
  }

  async _fill(element, text) {
    // Focused first, so typing replaces the selection instead of going to the end.
    await this.driver.executeScript('arguments[0].focus(); arguments[0].select?.();', element);
    await element.sendKeys(text === '' ? Key.BACK_SPACE : text);
  }

  /** The files go through the driver (Element Send Keys on the file input), from a temporary folder. */
  async _setFiles(element, files) {
    const paths = await writeTempFiles(files, this.folders);
    await element.sendKeys(paths.join('\n'));
  }

  press(key) {
    if (!(key in KEYS)) throw new Error(`webkit adapter: no mapping for key ${key}`);
    return this.driver.actions().sendKeys(KEYS[key]).perform();
  }

  type(text) {
    return this.driver.actions().sendKeys(text).perform();
  }

  async goto(url) {
    await this.driver.get(url);
    await this._eval(call(installConsoleRecorder, []));
  }

  async reload() {
    await this.driver.navigate().refresh();
    await this._eval(call(installConsoleRecorder, []));
  }

  /** From the in-page recorder, installed once each page has loaded (no BiDi here). */
  async console() {
    return (await this._eval('window.__engineConsole ?? []')) ?? [];
  }

  async throttleUpload() {
    throw new Unsupported('no network throttling over classic WebDriver (a DevTools-protocol measurement)');
  }

  async close() {
    await within(20_000, 'closing the session', this.driver.quit()).catch(() => this.onStuck());
    await removeFolders(this.folders);
  }
}

/** `promise`, or an error naming `what` after `ms`. */
function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`webkit: ${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on a free display; resolves with `{ display, stop }`. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    // -displayfd: Xvfb picks a free display and writes its number on fd 3 once it is ready.
    const child = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    let number = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start within 15 s')), 15_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited early (${code})`)));
    child.stdio[3].on('data', (chunk) => {
      number += chunk;
      if (number.includes('\n')) {
        clearTimeout(timer);
        resolve({ display: `:${number.trim()}`, stop: () => stopChild(child) });
      }
    });
  });
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Stops a child started `detached` and every process of its group (the driver's MiniBrowser and
 * WebKit's web processes, which a SIGTERM to the driver alone can leave behind). */
async function stopGroup(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    await exited;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

/** Starts WebKitWebDriver on the display; resolves once it answers /status. */
async function startDriver(display) {
  const port = await freePort();
  const child = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=local'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DISPLAY: display },
    // Its own process group, so stopping it also stops the browsers it started.
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited early (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('WebKitWebDriver did not answer within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, stop: () => stopGroup(child) };
}

export const webkitEngine = {
  name: 'webkit',
  driver: 'selenium-webdriver (classic WebDriver, WebKitWebDriver)',
  // The console is read by an in-page recorder installed after each load.
  consoleFromStart: false,
  needs: [WEBKIT_DRIVER, MINIBROWSER, XVFB],
  async launch() {
    const xvfb = await startXvfb();
    let driverService;
    try {
      driverService = await startDriver(xvfb.display);
    } catch (error) {
      await xvfb.stop();
      throw error;
    }
    const capabilities = () =>
      new Capabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      });
    // The driver runs one session at a time. A session that would not quit, or one that would not
    // start (seen once in CI on a loaded machine: no answer within 60 s), leaves it unusable, so it
    // is replaced, browsers and all, instead of failing every page after it on the engine's account.
    let stuck = false;
    const restartDriver = async (why) => {
      console.error(`webkit: ${why}; starting a fresh WebKitWebDriver`);
      await driverService.stop();
      driverService = await startDriver(xvfb.display);
    };
    const openSession = async () => {
      const driver = await within(60_000, 'a WebKit session', new Builder().usingServer(driverService.url).withCapabilities(capabilities()).build());
      await driver.manage().setTimeouts({ script: 60_000, pageLoad: 60_000 });
      return driver;
    };
    // One browser session per page: each page gets fresh storage, like a new Playwright context.
    const newDriver = async () => {
      if (stuck) {
        stuck = false;
        await restartDriver('the last session did not quit');
      }
      try {
        return await openSession();
      } catch (error) {
        await restartDriver(error.message);
        return openSession();
      }
    };
    const probe = await newDriver();
    const version = (await probe.getCapabilities()).get('browserVersion');
    await probe.quit();
    return {
      version,
      async newPage({ colorScheme } = {}) {
        if (colorScheme) throw new Unsupported('no prefers-color-scheme emulation over classic WebDriver');
        return new WebKitPage(await newDriver(), () => {
          stuck = true;
        });
      },
      async close() {
        await driverService.stop();
        await xvfb.stop();
      },
    };
  },
};
