// The in-page half of `cargo xtask bench` (bench/run.mjs drives it through `window.bench`).
// Every function waits on events or DOM state, never on a fixed delay, and returns plain
// numbers (milliseconds from `performance.now()`, bytes).

/** performance.now() in the next requestAnimationFrame callback. */
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));

/** performance.now() once the current task (and its microtasks) has ended. */
const afterTask = () =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve(performance.now());
    };
    channel.port2.postMessage(0);
  });

/** Resolves once `selector` matches inside `root` (checked on every DOM change). */
function whenPresent(root, selector) {
  const found = root.querySelector(selector);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const element = root.querySelector(selector);
      if (element) {
        observer.disconnect();
        resolve(element);
      }
    });
    observer.observe(root, { childList: true, subtree: true, attributes: true });
  });
}

const host = () => document.getElementById('host');
let nsc; // the package's index.js
let wasmExports; // the instance's exports (memory)
let panel; // the handle of the mounted panel
let events = []; // onCreated / onError calls
let waiters = []; // resolved by onCreated / onError

function notify(event) {
  events.push(event);
  const pending = waiters;
  waiters = [];
  for (const resolve of pending) resolve(event);
}
const nextEvent = () => new Promise((resolve) => waiters.push(resolve));

/** The host's uploader: the sandbox's upload store, PUT with XHR for progress, abortable. */
function uploaderFor(sandboxUrl, token) {
  return async (file, { onProgress, signal }) => {
    const type = file.type || 'application/octet-stream';
    const answer = await fetch(new URL('/uploads', sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ fileName: file.name, contentType: type, size: file.size }),
      signal,
    });
    if (!answer.ok) throw new Error(`POST /uploads answered ${answer.status}`);
    const { uploadUrl, fileUrl } = await answer.json();
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const abort = () => xhr.abort();
      xhr.open('PUT', uploadUrl);
      xhr.setRequestHeader('content-type', type);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total);
      xhr.onload = () => {
        signal.removeEventListener('abort', abort);
        xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`PUT answered ${xhr.status}`));
      };
      xhr.onerror = () => reject(new Error('the upload failed'));
      xhr.onabort = () => reject(new DOMException('the upload was cancelled', 'AbortError'));
      if (signal.aborted) return reject(new DOMException('the upload was cancelled', 'AbortError'));
      signal.addEventListener('abort', abort, { once: true });
      xhr.send(file);
    });
    return fileUrl;
  };
}

/** How the file gets to the API: `inline` (data: URL), `uploader` (the host's), `endpoint` (the panel's presigned upload). */
function delivery(kind, sandboxUrl, token) {
  switch (kind) {
    case 'inline':
      return { inlineFiles: true };
    case 'uploader':
      return { upload: uploaderFor(sandboxUrl, token) };
    case 'endpoint':
      return { uploadEndpoint: new URL('/uploads', sandboxUrl).href };
    default:
      return {};
  }
}

function options({ sandboxUrl, token, businessId, userId, delivery: kind }) {
  return {
    baseUrl: sandboxUrl,
    token,
    businessId,
    userId,
    timeoutMs: 120000,
    ...delivery(kind, sandboxUrl, token),
    onCreated: (created) => notify({ kind: 'created', ...created }),
    onError: (error) => notify({ kind: 'error', code: error.code, message: error.message }),
    onAttachFailed: (failed) => notify({ kind: 'attach-failed', messages: failed.messages }),
  };
}

window.bench = {
  /** Imports index.js and runs `init()`: the host's start-up cost, timed in parts. */
  async startup() {
    const t0 = performance.now();
    nsc = await import('/pkg/index.js');
    const t1 = performance.now();
    const result = await nsc.default();
    const t2 = performance.now();
    // index.js's init() may not hand out the exports; the glue's own init returns the
    // cached instance's exports once initialised.
    wasmExports = result && result.memory ? result : await (await import('/pkg/nexudus-start-conversation.js')).default();
    const wasm = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('.wasm'));
    return {
      importMs: t1 - t0,
      initMs: t2 - t1,
      totalMs: t2 - t0,
      wasmFetchMs: wasm ? wasm.responseEnd - wasm.startTime : null,
      wasmBytes: wasm ? wasm.decodedBodySize : null,
      memoryBytes: wasmExports.memory.buffer.byteLength,
    };
  },

  /** The Yew hello world: import its glue, init (which renders), next frame. */
  async helloStartup() {
    const t0 = performance.now();
    const glue = await import('/hello/hello.js');
    const t1 = performance.now();
    const exports = await glue.default();
    const t2 = performance.now();
    const t3 = await nextFrame();
    if (!document.querySelector('body > p')) throw new Error('the hello world rendered nothing');
    const wasm = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('.wasm'));
    return {
      importMs: t1 - t0,
      initMs: t2 - t1,
      totalMs: t2 - t0,
      toFrameMs: t3 - t0,
      wasmFetchMs: wasm ? wasm.responseEnd - wasm.startTime : null,
      memoryBytes: exports.memory.buffer.byteLength,
    };
  },

  /**
   * Mounts the panel into a fresh element, awaits the next frame, destroys it; `n` times.
   * Returns per mount: the synchronous `mount()` call, mount → the panel's DOM built (Yew
   * renders in a microtask after the call), mount → next rAF callback (the form must be in
   * the DOM by then), and mount → the end of that frame's rendering task.
   */
  async mountLoop(n, config) {
    const memoryBefore = wasmExports.memory.buffer.byteLength;
    const samples = [];
    for (let i = 0; i < n; i += 1) {
      const element = document.createElement('div');
      host().append(element);
      // A MutationObserver's callback is a microtask queued by the first DOM change, so it
      // runs once the microtask that renders the panel has finished.
      let built = null;
      const observer = new MutationObserver(() => {
        built ??= performance.now();
        observer.disconnect();
      });
      observer.observe(element, { childList: true, subtree: true });
      const t0 = performance.now();
      const handle = nsc.mount(element, options(config));
      const t1 = performance.now();
      const frame = await new Promise((resolve) =>
        requestAnimationFrame(() =>
          resolve({ at: performance.now(), rendered: element.querySelector('[name="Subject"]') !== null }),
        ),
      );
      const t3 = await afterTask();
      if (!frame.rendered) throw new Error('the panel was not in the DOM at the next frame');
      handle.destroy();
      element.remove();
      observer.disconnect();
      samples.push({
        callMs: t1 - t0,
        builtMs: built === null ? null : built - t0,
        toFrameMs: frame.at - t0,
        toFrameEndMs: t3 - t0,
      });
    }
    return { samples, memoryBefore, memoryAfter: wasmExports.memory.buffer.byteLength };
  },

  /**
   * Arms the typing probe, before mounting. Per keystroke, from the keydown's timestamp
   * (when the browser took the key):
   * - `frame`: to the next requestAnimationFrame callback (rAF registered by a capture-phase
   *   `input` listener on window, which runs before the panel's own handler);
   * - `painted`: to the end of that frame's rendering (a MessageChannel message posted from
   *   the rAF callback runs once style, layout and paint are done);
   * - `handled`: to a bubble-phase `input` listener on window, which runs after the panel's
   *   handler and after the microtasks that follow it, where Yew re-renders;
   * - `handling`: the panel's part alone: capture listener → bubble listener.
   */
  armTyping() {
    const typing = { frame: [], painted: [], handled: [], handling: [], lastKeyDown: null, began: null };
    window.typing = typing;
    window.addEventListener('keydown', (event) => (typing.lastKeyDown = event.timeStamp), true);
    window.addEventListener(
      'input',
      (event) => {
        const start = typing.lastKeyDown ?? event.timeStamp;
        typing.began = { start, at: performance.now() };
        typing.lastKeyDown = null;
        requestAnimationFrame(() => {
          typing.frame.push(performance.now() - start);
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            channel.port1.close();
            typing.painted.push(performance.now() - start);
          };
          channel.port2.postMessage(0);
        });
      },
      true,
    );
    window.addEventListener('input', () => {
      const now = performance.now();
      if (typing.began) {
        typing.handled.push(now - typing.began.start);
        typing.handling.push(now - typing.began.at);
        typing.began = null;
      }
    });
  },

  typingDone(count) {
    const typing = window.typing;
    return typing.painted.length >= count && typing.handled.length >= count;
  },

  typingResults(selector) {
    const { frame, painted, handled, handling } = window.typing;
    const field = document.querySelector(selector);
    return {
      frame,
      painted,
      handled,
      handling,
      length: field.value.length,
      memoryBytes: wasmExports ? wasmExports.memory.buffer.byteLength : null,
    };
  },

  /** The control: a plain <textarea> with no framework behind it. */
  plainTextarea() {
    const field = document.createElement('textarea');
    field.id = 'plain';
    field.name = 'Message';
    field.rows = 6;
    field.cols = 60;
    host().append(field);
  },

  /** Mounts one panel (start mode) into #host and waits for its form. */
  async mount(config) {
    events = [];
    const element = document.createElement('div');
    element.id = 'panel';
    host().append(element);
    panel = nsc.mount(element, options(config));
    await whenPresent(element, '[name="Subject"]');
    return wasmExports.memory.buffer.byteLength;
  },

  memoryBytes() {
    return wasmExports.memory.buffer.byteLength;
  },

  /**
   * Makes a `bytes`-long file with a non-repeating-looking pattern in the page and puts it
   * into the panel's file input (DataTransfer + change), as a picker would.
   */
  async chooseFile(bytes, name) {
    let data = new Uint8Array(bytes);
    let x = 0x2545f491;
    for (let i = 0; i < bytes; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      data[i] = x & 0xff;
    }
    const file = new File([data], name, { type: 'application/octet-stream' });
    data = null;
    const input = host().querySelector('input[type="file"]');
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await whenPresent(host(), '.nsc-file-card');
    return wasmExports.memory.buffer.byteLength;
  },

  /**
   * Clicks "Post conversation" and waits for the success view. Long tasks are observed
   * from just before the click (buffered: false) until the frame after success.
   */
  async submit() {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
    });
    observer.observe({ type: 'longtask', buffered: false });
    const button = host().querySelector('.nsc-form button[type="submit"]');
    if (!button) throw new Error('no submit button');
    const memoryBefore = wasmExports.memory.buffer.byteLength;
    const outcome = nextEvent();
    const t0 = performance.now();
    button.click();
    const success = await Promise.race([
      whenPresent(host(), '.nsc-success'),
      outcome.then((event) => {
        if (event.kind !== 'created') throw new Error(`the submit failed: ${JSON.stringify(event)}`);
        return whenPresent(host(), '.nsc-success');
      }),
    ]);
    const t1 = performance.now();
    await nextFrame();
    await afterTask();
    for (const entry of observer.takeRecords()) longTasks.push({ start: entry.startTime, duration: entry.duration });
    observer.disconnect();
    return {
      submitMs: t1 - t0,
      threadId: Number(success.getAttribute('data-thread-id')),
      fileId: Number(success.getAttribute('data-file-id')) || null,
      longTasks: longTasks.filter((task) => task.start + task.duration >= t0),
      memoryBefore,
      memoryAfter: wasmExports.memory.buffer.byteLength,
      events,
    };
  },
};

document.documentElement.dataset.benchReady = 'true';
