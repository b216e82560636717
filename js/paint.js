// `nexudus-start-conversation/paint`: the panel's first frame, painted before the .wasm
// (and the JavaScript API) have loaded.
//
//   import { paint } from 'nexudus-start-conversation/paint';
//   paint(element, options);                   // at once: a few kilobytes
//   const { default: init, mount } = await import('nexudus-start-conversation');
//   await init();
//   mount(element, options);                   // the live panel takes the frame's place
//
// `frames.js` holds the component's own first render for the options hosts give most
// often, rendered natively at package time (prerender/, yew's `ssr`), so what paints early
// is what the live panel paints. Options they were not rendered for (strings, limits,
// fields, another language, a saved draft…) paint nothing early: the live panel paints
// when it is ready, as without paint(). The custom element does this with `early-paint`.
import { BUSY, FRAMES } from './frames.js';
import { EarlyFrame } from './early-frame.js';
import { pick } from './language.js';

/** Options that do not change the first frame (prerender/ checks ids, files and images). */
const SAME_FRAME = new Set([
  'token', 'getToken', 'baseUrl', 'businessId', 'userId', 'threadId', 'groupId', 'upload',
  'uploadEndpoint', 'inlineFiles', 'images', 'timeoutMs', 'idempotencyKeys', 'conversationUrl',
  'draftKey', 'locale', 'onCreated', 'onAttachFailed', 'onError',
]);

/** Where the live panel keeps a draft (src/components/hooks/use_saved_draft.rs). */
const DRAFT_PREFIX = 'nexudus-start-conversation:';

/**
 * Element → its frame, until mount() hands it over. Shared through the global symbol
 * registry with index.js, which must not import this module (hosts that never paint early
 * do not load it).
 */
const EARLY = Symbol.for('nexudus-start-conversation:early-frames');
const painted = () => (globalThis[EARLY] ??= new WeakMap());
/** Numbers the frames' id prefixes, so two on one page never share an id. */
let count = 0;

const given = (value) => value !== undefined && value !== null;
const isId = (value) => (typeof value === 'number' || typeof value === 'string') && /^[1-9]\d*$/.test(String(value));

/** The frame for these options (a key of `frames.js`), or undefined when there is none. */
function variant(options) {
  if (options === null || typeof options !== 'object' || Object.getPrototypeOf(options) !== Object.prototype) return undefined;
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !SAME_FRAME.has(name)) return undefined;
  }
  if (given(options.locale) && typeof options.locale !== 'string') return undefined;
  if (pick(options.locale ?? undefined) !== 'en') return undefined;
  if (given(options.draftKey) && savedDraft(options.draftKey)) return undefined;
  let mode;
  if (given(options.threadId)) mode = isId(options.threadId) && 'attach';
  else if (isId(options.businessId) && isId(options.userId)) {
    mode = given(options.groupId) ? isId(options.groupId) && 'start' : 'board';
  }
  if (!mode) return undefined;
  const files = given(options.upload) || given(options.uploadEndpoint) || options.inlineFiles === true;
  return `${mode} ${files ? 'file' : 'link'}`;
}

/** Whether a draft is saved under `key` (or storage cannot be read: then do not guess). */
function savedDraft(key) {
  try {
    return sessionStorage.getItem(DRAFT_PREFIX + key) !== null;
  } catch {
    return true;
  }
}

/**
 * Paints the panel's first frame into `element` now, when one was prerendered for these
 * options; returns whether it did. `mount(element, …)` on the same element then takes over.
 */
export function paint(element, options) {
  if (typeof document === 'undefined' || !(element instanceof Element)) return false;
  if (painted().has(element)) return true;
  // A live panel is there already (mount() came first): nothing to paint before it.
  if (element.querySelector(':scope > .nsc-root')) return false;
  const key = variant(options);
  if (!key) return false;
  const template = document.createElement('template');
  try {
    template.innerHTML = FRAMES[key].replaceAll('nsc0-', `nsc0s${(count += 1)}-`);
  } catch {
    // A page that requires Trusted Types refuses markup: it gets the live panel only.
    return false;
  }
  // In a container like the one mount() renders the live panel in (src/js_api/mount.rs).
  const root = document.createElement('div');
  root.className = 'nsc-root';
  root.dataset.nscEarly = '';
  root.append(template.content);
  painted().set(element, new EarlyFrame(root, BUSY[key.split(' ')[0] === 'attach' ? 'attach' : 'start']));
  element.append(root);
  return true;
}

/** Says in `element`'s frame, if it has one, that the live panel could not be loaded. */
export function paintFailed(element, message) {
  painted().get(element)?.fail(message);
}
