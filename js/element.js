// <nexudus-start-conversation>: the panel as a custom element, registered by importing
// `nexudus-start-conversation/element`.
//
// - An open shadow root holds the panel and its own styles (a constructed stylesheet, so
//   a page's Content-Security-Policy needs no `style-src` for it).
// - Non-secret settings are attributes (observed: a change updates the panel).
// - The token is set only through the write-only `token` property, or `getToken`; a
//   `token` attribute is refused and removed. `upload`, `strings`, `limits` and `images` are
//   properties too.
// - Properties and attributes set before this module loads are applied when it does.
// - Events `nexudus:conversation-created`, `nexudus:attachment-failed` and `nexudus:error`
//   bubble and cross the shadow boundary (composed), with plain data in `detail`.
// - Removing the element destroys the panel: listeners, timers, object URLs, requests.
// - Importing it where there is no DOM (server-side rendering) is safe: the class extends
//   a stand-in there, and the element registers itself only where `customElements` exists.
// - A language shipped as a pack (`locale="de"`, or the page's) is fetched first: the panel
//   paints in it, never in English first; a pack that fails leaves it in English.
// - With `early-paint`, the panel's first frame paints as soon as the element connects,
//   before the .wasm (and the JavaScript API, imported after this module) has loaded, when
//   it was prerendered for the element's settings (paint.js); the live panel then takes its
//   place, keeping what the member did meanwhile. Opt-in: until then the form on screen is a
//   stand-in whose nodes are replaced: scripts that hold on to them wait for the live
//   panel, which the element announces with `nexudus:ready` (with or without early-paint).
import { paint, paintFailed } from './paint.js';
import css from './style.js';

export const TAG = 'nexudus-start-conversation';

// OPTIONS:start (generated from src/js_api/options.rs)
/** Observed attributes and the option each sets (the `limits` keys go into `limits`). */
const ATTRIBUTES = {
  'base-url': 'baseUrl',
  'business-id': 'businessId',
  'user-id': 'userId',
  'thread-id': 'threadId',
  'group-id': 'groupId',
  'max-files': 'maxFiles',
  'upload-endpoint': 'uploadEndpoint',
  fields: 'fields',
  locale: 'locale',
  'draft-key': 'draftKey',
  'conversation-url': 'conversationUrl',
  'timeout-ms': 'timeoutMs',
  'max-bytes': 'maxBytes',
  accept: 'accept',
};

/** The keys of `limits` that attributes set. */
const LIMIT_KEYS = ['maxBytes', 'accept'];

/** Observed boolean attributes (present = true) and the option each sets. */
const BOOLEAN_ATTRIBUTES = {
  'inline-files': 'inlineFiles',
  'idempotency-keys': 'idempotencyKeys',
};

/** Options that are properties only (functions, objects, and the secret). */
const PROPERTIES = ['token', 'getToken', 'limits', 'images', 'upload', 'strings'];

/** The callbacks the element sets, and the event each dispatches. */
const EVENTS = {
  onCreated: 'nexudus:conversation-created',
  onAttachFailed: 'nexudus:attachment-failed',
  onError: 'nexudus:error',
};
// OPTIONS:end

/** Shown in an early-painted frame when the panel cannot load (it is English only). */
const LOAD_FAILED = 'The form could not be loaded. Check your connection, then reload the page.';

let api;
/**
 * The JavaScript API, ready: index.js and its glue imported after this module (the first
 * frame does not wait for them) and the .wasm instantiated. The .wasm is fetched at once,
 * beside the import, not after it: the glue would ask for it only once it has arrived
 * itself. A failure is tried again on the next call.
 */
function loadApi() {
  if (!api) {
    // Not when the page called init() itself already (perhaps with the .wasm elsewhere):
    // that loading is the one used.
    const wasm = globalThis[Symbol.for('nexudus-start-conversation:init')]
      ? undefined
      : fetch(new URL('./nexudus-start-conversation_bg.wasm', import.meta.url));
    // A fetch that fails while the import does too is reported once, by the import.
    wasm?.catch(() => {});
    api = import('./index.js')
      .then((loaded) => loaded.default(wasm).then(() => loaded))
      .catch((error) => {
        api = undefined;
        throw error;
      });
  }
  return api;
}

const HOST_CSS = ':host{display:block}:host([hidden]){display:none}';

let sharedSheet;
// On a server (no DOM) the class still loads, over a stand-in; it is never registered there.
const Base = globalThis.HTMLElement ?? class {};

function adoptStyles(root) {
  // Detect what is used: a shadow root's adoptedStyleSheets (not the document's).
  if ('adoptedStyleSheets' in ShadowRoot.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(HOST_CSS + css);
    }
    root.adoptedStyleSheets = [sharedSheet];
  } else {
    // Old browsers: a <style> element (subject to the page's style-src).
    const style = document.createElement('style');
    style.textContent = HOST_CSS + css;
    root.append(style);
  }
}

export class NexudusStartConversationElement extends Base {
  static get observedAttributes() {
    return [...Object.keys(ATTRIBUTES), ...Object.keys(BOOLEAN_ATTRIBUTES), 'token'];
  }

  #values = {};
  #handle = null;
  #loading = false;
  #scheduled = false;
  #container;
  #callbacks;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    this.#container = document.createElement('div');
    root.append(this.#container);
    this.#callbacks = {};
    for (const [option, type] of Object.entries(EVENTS)) {
      // A removed element says nothing more (its panel is destroyed at the end of the task).
      this.#callbacks[option] = (detail) =>
        this.isConnected && this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }
  }

  connectedCallback() {
    // Properties set on the element before it was upgraded shadow the accessors: re-set
    // them through the accessors.
    for (const name of [...PROPERTIES, ...Object.values(ATTRIBUTES), ...Object.values(BOOLEAN_ATTRIBUTES)]) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    this.#refuseTokenAttribute();
    this.#mountWhenReady();
  }

  disconnectedCallback() {
    // A move (removed and added back in the same task) keeps the panel.
    queueMicrotask(() => {
      if (!this.isConnected) this.#destroy();
    });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (name === 'token') {
      this.#refuseTokenAttribute();
    } else if (oldValue !== newValue) {
      this.#refresh();
    }
  }

  // The token: write-only, never reflected to an attribute.
  set token(value) {
    this.#values.token = value;
    if (value != null) this.#values.getToken = undefined;
    this.#refresh();
  }
  get token() {
    return undefined;
  }

  set getToken(value) {
    this.#values.getToken = value;
    if (value != null) this.#values.token = undefined;
    this.#refresh();
  }
  get getToken() {
    return this.#values.getToken;
  }

  set upload(value) {
    this.#values.upload = value;
    this.#refresh();
  }
  get upload() {
    return this.#values.upload;
  }

  set strings(value) {
    this.#values.strings = value;
    this.#refresh();
  }
  get strings() {
    return this.#values.strings;
  }

  set limits(value) {
    this.#values.limits = value;
    this.#refresh();
  }
  get limits() {
    return this.#values.limits;
  }

  set images(value) {
    this.#values.images = value;
    this.#refresh();
  }
  get images() {
    return this.#values.images;
  }

  #refuseTokenAttribute() {
    if (this.hasAttribute('token')) {
      this.removeAttribute('token');
      console.warn(
        `${TAG}: the token attribute is ignored and was removed (attributes are visible to ` +
          'every script and in the DOM); set the token property, or getToken, instead',
      );
    }
  }

  /** The full options: attributes, properties and the event callbacks. */
  #options() {
    const options = { ...this.#callbacks };
    const limits = { ...(this.#values.limits ?? {}) };
    for (const [attribute, option] of Object.entries(ATTRIBUTES)) {
      const raw = this.getAttribute(attribute);
      const value = raw === null || raw.trim() === '' ? undefined : raw;
      if (LIMIT_KEYS.includes(option)) {
        if (value !== undefined) limits[option] = value;
      } else {
        options[option] = value;
      }
    }
    for (const [attribute, option] of Object.entries(BOOLEAN_ATTRIBUTES)) {
      options[option] = this.hasAttribute(attribute) ? true : undefined;
    }
    options.limits = Object.keys(limits).length > 0 ? limits : undefined;
    for (const name of PROPERTIES) {
      if (name !== 'limits') options[name] = this.#values[name] ?? undefined;
    }
    return options;
  }

  #mountWhenReady() {
    if (this.#handle || this.#loading) return;
    this.#loading = true;
    if (this.hasAttribute('early-paint')) paint(this.#container, this.#options());
    loadApi()
      .then((loaded) => this.#loadLocale(loaded).then(() => loaded))
      .then(
        (loaded) => {
          this.#loading = false;
          if (!this.isConnected || this.#handle) return;
          try {
            this.#handle = loaded.mount(this.#container, this.#options());
          } catch (error) {
            this.#fail(error, 'invalid-options');
            return;
          }
          this.#announceReady();
        },
        (error) => {
          this.#loading = false;
          paintFailed(this.#container, LOAD_FAILED);
          this.#fail(error, 'load');
        },
      );
  }

  /** Applies changed settings once per task, whatever number changed. */
  #refresh() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.#handle) {
        loadApi()
          .then((loaded) => this.#loadLocale(loaded))
          .then(() => {
            if (!this.#handle) return;
            try {
              this.#handle.update(this.#options());
            } catch (error) {
              this.#fail(error, 'invalid-options');
            }
          });
      } else if (this.isConnected) {
        this.#mountWhenReady();
      }
    });
  }

  /** The strings of the `locale` attribute's language (or the page's), when a pack. */
  #loadLocale(loaded) {
    const tag = this.getAttribute('locale');
    return loaded.loadLocale(tag === null || tag.trim() === '' ? undefined : tag);
  }

  /** `nexudus:ready` once the live panel is on screen (after an early frame, in its place). */
  #announceReady() {
    const container = this.#container;
    const live = () => container.querySelector('.nsc-panel') && !container.querySelector('[data-nsc-early], .nsc-root[hidden]');
    const announce = () => this.isConnected && this.dispatchEvent(new CustomEvent('nexudus:ready', { bubbles: true, composed: true }));
    if (live()) return announce();
    const observer = new MutationObserver(() => {
      if (!live()) return;
      observer.disconnect();
      announce();
    });
    observer.observe(container, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden'] });
  }

  #fail(error, code) {
    console.error(error);
    this.#callbacks.onError({ code, message: String(error?.message ?? error) });
  }

  #destroy() {
    if (this.#handle) {
      this.#handle.destroy();
      this.#handle.free();
      this.#handle = null;
    }
  }
}

// The attribute-backed options as properties too (`el.threadId = 1001`), reflected.
for (const [attribute, option] of Object.entries(ATTRIBUTES)) {
  Object.defineProperty(NexudusStartConversationElement.prototype, option, {
    configurable: true,
    enumerable: true,
    get() {
      return this.getAttribute(attribute);
    },
    set(value) {
      if (value === null || value === undefined) this.removeAttribute(attribute);
      else this.setAttribute(attribute, Array.isArray(value) ? value.join(',') : String(value));
    },
  });
}

// The boolean attributes as boolean properties (`el.inlineFiles = true`), reflected;
// `early-paint` is the element's own (read when it connects), not an option of mount().
for (const [attribute, option] of [...Object.entries(BOOLEAN_ATTRIBUTES), ['early-paint', 'earlyPaint']]) {
  Object.defineProperty(NexudusStartConversationElement.prototype, option, {
    configurable: true,
    enumerable: true,
    get() {
      return this.hasAttribute(attribute);
    },
    set(value) {
      this.toggleAttribute(attribute, Boolean(value));
    },
  });
}

if (globalThis.customElements && !customElements.get(TAG)) {
  customElements.define(TAG, NexudusStartConversationElement);
  // Fetch, compile and instantiate the .wasm now, while the page goes on loading, rather
  // than when the first element connects (which may be much later, in a single-page app).
  // A failure here is not reported: the first element to connect calls init() again and
  // reports it as a `load` error (init() forgets a failed attempt).
  loadApi().catch(() => {});
}
