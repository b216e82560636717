// The demo host page (`cargo xtask demo`). It uses only the package's public API — the
// `mount` function and the <nexudus-start-conversation> element — against the local
// sandbox, which trunk proxies at /api, /uploads and /_sandbox on this page's origin.
// Loaded as a file: the page's Content-Security-Policy allows no inline script.
import init, { mount } from './index.js';

// The sandbox's seeded administrator token. A real host page gets its member's token
// from its own sign-in. It is kept in this script's memory only: never in the DOM, an
// attribute, a URL or web storage.
const DEMO_TOKEN = 'sandbox-admin-token';
const THREAD_ID = 1001;

let token = DEMO_TOKEN;
let locale = 'en';

// The start panel asks for the token when it needs one (and again with `refresh: true`
// after a 401), as a host with expiring tokens would; the others are given the value.
const getToken = async ({ refresh }) => {
  if (refresh) record('page', 'getToken', { refresh });
  return token;
};

const $ = (id) => document.getElementById(id);
const log = $('event-log');

function record(source, name, detail) {
  const item = document.createElement('li');
  const time = new Date().toLocaleTimeString([], { hour12: false });
  const what = document.createElement('strong');
  what.textContent = `${source} · ${name}`;
  const data = document.createElement('code');
  data.textContent = detail === undefined ? '' : JSON.stringify(detail);
  item.append(`${time} `, what, ' ', data);
  item.dataset.source = source;
  item.dataset.event = name;
  log.prepend(item);
}

/**
 * A host's own uploader (the `upload` option), backed by the sandbox's presigned-upload
 * store: `POST /uploads` for a one-time upload URL, then an XHR `PUT` of the bytes with
 * upload progress; resolves to the public URL Nexudus downloads. The other panels get
 * the same store with no code at all, through `uploadEndpoint`.
 */
async function uploadToSandbox(file, { onProgress, signal }) {
  const answer = await fetch('/uploads', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ fileName: file.name, contentType: file.type, size: file.size }),
    signal,
  });
  if (!answer.ok) throw new Error(`the upload store answered ${answer.status}`);
  const { uploadUrl, fileUrl } = await answer.json();
  await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    xhr.open('PUT', new URL(uploadUrl, location.href));
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () =>
      xhr.status < 300 ? resolve() : reject(new Error(`the upload store answered ${xhr.status}`));
    xhr.onerror = () => reject(new Error('the upload store could not be reached'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    xhr.onloadend = () => signal.removeEventListener('abort', abort);
    signal.addEventListener('abort', abort, { once: true });
    xhr.send(file);
  });
  return fileUrl;
}

function callbacks(source) {
  return {
    onCreated: (detail) => record(source, 'onCreated', detail),
    onAttachFailed: (detail) => record(source, 'onAttachFailed', detail),
    onError: (detail) => record(source, 'onError', detail),
  };
}

// The custom element: settings and properties given before its module loads are applied
// when it does.
const element = $('element-panel');
element.setAttribute('base-url', location.origin);
element.token = token;
for (const type of ['nexudus:conversation-created', 'nexudus:attachment-failed', 'nexudus:error']) {
  // Listened for on the document: the events bubble out of the shadow root.
  document.addEventListener(type, (event) => record(event.target.id || event.target.localName, type, event.detail));
}
await import('./element.js');

await init();
const common = { baseUrl: location.origin, locale, timeoutMs: 10_000 };
const panels = {
  'start-panel': mount($('start-panel'), {
    ...common,
    getToken,
    businessId: 1,
    userId: 10,
    draftKey: 'demo-start',
    conversationUrl: '#/conversations/{id}',
    // The portal form's private choice too (off by default: its effect is the space's).
    fields: { tags: true, private: true },
    upload: uploadToSandbox,
    ...callbacks('start-panel'),
  }),
  'attach-panel': mount($('attach-panel'), {
    ...common,
    token,
    threadId: THREAD_ID,
    uploadEndpoint: '/uploads',
    ...callbacks('attach-panel'),
  }),
};
// The production topology: the host's own backend (host-proxy, on this origin at /host/)
// between the panel and Nexudus. The panel's bearer token is the member's session from the
// host's login (here its stand-in at /login/session), never a Nexudus credential.
const memberSession = async () => {
  const answer = await fetch('/login/session', { cache: 'no-store' });
  if (!answer.ok) throw new Error(`the login answered ${answer.status}`);
  return answer.text();
};
panels['member-panel'] = mount($('member-panel'), {
  ...common,
  baseUrl: `${location.origin}/host`,
  getToken: memberSession,
  businessId: 1,
  userId: 10,
  uploadEndpoint: '/host/uploads',
  draftKey: 'demo-member',
  // The backend honours Idempotency-Key: every write goes with one (a bare Nexudus origin
  // would refuse the header, so the other panels leave it off).
  idempotencyKeys: true,
  ...callbacks('member-panel'),
});
document.body.dataset.ready = 'true';

// The token field: empty means the sandbox's demo token. The start panel's getToken reads
// it from here; the attach panel gets it through update(), the element as its property.
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  token = $('token').value.trim() || DEMO_TOKEN;
  panels['attach-panel'].update({ token });
  element.token = token;
  record('page', 'token applied', { length: token.length });
});

// The locale switch.
for (const input of document.querySelectorAll('input[name="locale"]')) {
  input.addEventListener('change', () => {
    if (!input.checked) return;
    locale = input.value;
    for (const panel of Object.values(panels)) panel.update({ locale });
    element.setAttribute('locale', locale);
    document.documentElement.lang = locale;
    record('page', 'locale', { locale });
  });
}

// The sandbox's fault switches: the next matching request fails as chosen.
const FAULTS = {
  server: { status: 500, body: '{"Message":"An error has occurred."}', contentType: 'application/json' },
  // Live Nexudus's generic 500, which may come after the record was saved.
  'server-after-acting': { failAfterHandling: true },
  unauthorized: { status: 401 },
  'not-found': { status: 404, body: '{"Message":"No record was found."}', contentType: 'application/json' },
  throttled: { status: 429, headers: { 'Retry-After': '30' } },
  'throttled-text': {
    status: 429,
    body: '{"Message":"You have made too many requests. Wait 2 seconds and try again."}',
    contentType: 'application/json',
  },
  unexpected: { status: 502, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' },
  network: { drop: true },
  lost: { dropAfterHandling: true },
  timeout: { delayMs: 15_000 },
};
$('fault-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const [method, path] = $('fault-endpoint').value.split(' ');
  const kind = $('fault-kind').value;
  const fault = { method, path, count: 1, ...FAULTS[kind] };
  const answer = await fetch('/_sandbox/faults', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(fault),
  });
  record('sandbox', answer.ok ? 'fault armed' : `fault refused (${answer.status})`, { method, path, kind });
});
$('fault-clear').addEventListener('click', async () => {
  const answer = await fetch('/_sandbox/faults', { method: 'DELETE' });
  record('sandbox', answer.ok ? 'faults cleared' : `clear refused (${answer.status})`);
});
$('log-clear').addEventListener('click', () => log.replaceChildren());
