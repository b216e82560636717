// Types of nexudus-start-conversation's JavaScript API (the package's main entry).
//
//   import init, { mount } from 'nexudus-start-conversation';
//   await init();
//   const panel = mount(element, { baseUrl, token, businessId, userId });
//   panel.update({ locale: 'fr' });
//   panel.destroy();

/** A positive integer, as a number or a string of digits (`1001` or `"1001"`). */
export type Id = number | `${number}`;

/**
 * The languages shipped; a regional tag such as `"fr-CA"` selects its language (`"pt-PT"`
 * Portuguese as written in Portugal, any other `pt` Brazilian). English and French are
 * built in; the others are packs: `await loadLocale(tag)` before `mount()`/`update()`.
 */
export type Locale =
  | 'en' | 'fr' | 'de' | 'es' | 'it' | 'nl' | 'pt' | 'pt-PT'
  | `${'en' | 'fr' | 'de' | 'es' | 'it' | 'nl' | 'pt'}-${string}`;

/** The keys of the messages that say a `{count}`, which may take plural forms. */
export type CountedKey = 'moreErrors' | 'charactersLeft' | 'charactersOver' | 'filesLeftOut';

/** The plural forms of `Intl.PluralRules`. */
export type PluralForm = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';

/** The keys of the visible strings a host may override (`strings: { submitStart: "Publish" }`). */
export type StringKey = /* STRING_KEYS: filled in from src/i18n.rs by `cargo xtask package` */ string;

/** Limits on the attachment, checked before any request. */
export interface Limits {
  /** The largest file, in bytes (default 25 MB). */
  maxBytes?: Id;
  /** Allowed types as for `<input accept>`: MIME types, wildcards (`image/*`) or extensions (`.pdf`). */
  accept?: string | readonly string[];
}

/** The conversation's optional fields the panel shows, and so sends (start mode only). */
export interface Fields {
  /** Tags (`Tags`: comma-separated, at most 50 characters in all). Default `true`, as in the portal's own form. */
  tags?: boolean;
  /** "Make this conversation private" (`Private`). Default `false`: who may see a private conversation is the space's to decide. */
  private?: boolean;
}

/**
 * How a chosen picture is cleaned on the device before it is uploaded: its metadata (EXIF with
 * GPS, XMP, IPTC, comments, PNG text chunks) stripped from the whole file, losslessly, and a
 * JPEG, PNG or WebP photo that is too big or carried metadata decoded the right way up,
 * downscaled and re-encoded. A picture nothing can vouch for (cut short, lying about itself, an
 * unknown format, over 100 MB) waits on its card for the member to send it as it is or remove
 * it; HEIC/AVIF is refused. The size limit applies to the cleaned copy. `false` sends pictures
 * as they are.
 */
export interface ImageSettings {
  /** The longest side of a cleaned photo, 320 to 8192 pixels (default 2560). */
  maxDimension?: Id;
  /** The encoder's quality for JPEG and WebP, 0.3 to 1 (default 0.85). */
  quality?: number;
  /** Leave a photo with metadata as it is rather than remove it (default `false`). */
  keepMetadata?: boolean;
}

/** `detail` of `onCreated` / `nexudus:conversation-created`. */
export interface Created {
  /** The conversation's Id. */
  threadId: number;
  /** The (first) attachment's Id, or `null` when nothing was attached. */
  fileId: number | null;
  /** Every attachment's Id, in the order shown (several with `maxFiles` over 1). */
  fileIds: number[];
}

/**
 * `detail` of `onAttachFailed` / `nexudus:attachment-failed`: the conversation (started by this
 * panel) exists, some attachments are missing; sent once per submission, after a Cancel too.
 */
export interface AttachFailed {
  threadId: number;
  /** The messages shown to the member. */
  messages: string[];
  /** The Ids of the attachments that were added (several attachments). */
  fileIds: number[];
  /** The display names of the attachments that were not. */
  missing: string[];
}

/** Codes of `PanelError` (more may come; `invalid-options` and `load` come from the custom element). */
export type PanelErrorCode =
  | 'unauthorized'
  | 'not-found'
  | 'throttled'
  | 'server'
  | 'unexpected'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'upload'
  | 'invalid-options'
  | 'load'
  | (string & {});

/** `detail` of `onError` / `nexudus:error`: a failure that is not about one field. */
export interface PanelError {
  code: PanelErrorCode;
  /** The message shown to the member. */
  message: string;
}

/** What the panel hands the uploader with each file. */
export interface UploadContext {
  /** Report progress in bytes. */
  onProgress(loaded: number, total: number): void;
  /** Aborted when the member cancels or the panel is destroyed. */
  signal: AbortSignal;
}

/** The host's uploader: stores the file and resolves to a URL the Nexudus API can download. */
export type Uploader = (file: File, context: UploadContext) => Promise<string> | string;

/** Supplies the bearer token; called again with `refresh: true` after a 401. */
export type GetToken = (context: { refresh: boolean }) => Promise<string> | string;

/** Every option but the token. */
export interface CommonOptions {
  /** The API origin or the host's proxy; `https:` except on localhost, 127.0.0.0/8 and [::1]. Default `https://spaces.nexudus.com`. */
  baseUrl?: string;
  /** The location (`BusinessId`) conversations are created in (start mode). */
  businessId?: Id;
  /** The account (`UserId`) that posts (start mode). */
  userId?: Id;
  /** Attach mode: the conversation to attach a file to. */
  threadId?: Id;
  /** A board fixed by the host; the board picker is then hidden. */
  groupId?: Id;
  /** Limits on the attachment. */
  limits?: Limits;
  /** How photos are cleaned before upload; `false` sends them as they are (default: on, 2560 px, 0.85). */
  images?: ImageSettings | boolean;
  /**
   * Send chosen files as `data:` URLs when there is no `upload` or `uploadEndpoint`: only for a backend
   * known to accept them (live Nexudus answers a `data:` URL with a 500). Default `false`: members give a link.
   */
  inlineFiles?: boolean;
  /**
   * The conversation's optional fields: `{ tags, private }`, or a list of those to show (`"tags private"`,
   * `"none"`), as the element's `fields` attribute gives it. Default `{ tags: true, private: false }`.
   */
  fields?: Fields | string;
  /**
   * The language of the shipped strings (default: the page's `<html lang>`, then
   * `navigator.languages`, then `"en"`). A pack's language needs `await loadLocale(tag)`
   * first, or the panel shows English (said on the console).
   */
  locale?: Locale;
  /**
   * Overrides of the visible strings, by key; an unknown key is a `TypeError`. A message
   * that says a `{count}` (`moreErrors`, `charactersLeft`, `charactersOver`, `filesLeftOut`)
   * may also take one plural form (`Intl.PluralRules`) as `key.form`: `charactersLeft.one`.
   */
  strings?: Partial<Record<StringKey | `${CountedKey}.${PluralForm}`, string>>;
  /** Where in `sessionStorage` to keep the draft; no draft is kept without it. */
  draftKey?: string;
  /** A link to a new conversation, with `{id}` for its Id (`"/community/threads/{id}"`). */
  conversationUrl?: string;
  /** How long one request may take, in milliseconds (default 30000). */
  timeoutMs?: Id;
  /**
   * Send an `Idempotency-Key` (a UUID v4, kept with the draft) with every write, so that a
   * backend that honours it (`nexudus-host-proxy`) never acts twice on a retried write.
   * Default `false`: a bare Nexudus `baseUrl` refuses the header (its CORS answer does not
   * allow it), so turn it on only when `baseUrl` is such a backend.
   */
  idempotencyKeys?: boolean;
  /** How many files one conversation may get, 1 to 10 (default 1): several are chosen, dropped or pasted at once, each with its own card. */
  maxFiles?: Id;
  /** After a conversation (and its attachment) was created. */
  onCreated?: (created: Created) => void;
  /** When the conversation exists but the attachment failed. */
  onAttachFailed?: (failed: AttachFailed) => void;
  /** On a failure that is not about one field. */
  onError?: (error: PanelError) => void;
}

/** The token as a value, or a function that gets it — not both. */
export type TokenOptions =
  | { token?: string; getToken?: undefined }
  | { getToken?: GetToken; token?: undefined };

/**
 * Where chosen files go, so Nexudus can download them — not both. Without either (and without
 * `inlineFiles`), members give a link instead of a file.
 */
export type UploadOptions =
  | {
      /**
       * The host's presigned-upload endpoint, absolute or relative to the page: the panel `POST`s
       * `{ fileName, contentType, size }` to it with the bearer token, `PUT`s the file to the
       * `uploadUrl` it answers (with its optional `method` and `headers`), and sends its `fileUrl`.
       */
      uploadEndpoint?: string;
      upload?: undefined;
    }
  | {
      /** The host's own uploader: stores the file and resolves to its public URL. */
      upload?: Uploader;
      uploadEndpoint?: undefined;
    };

/** The options of `mount`. Without a token the panel says the member is signed out when they submit. */
export type MountOptions = CommonOptions & TokenOptions & UploadOptions;

/**
 * A partial update: a key set to `undefined` or `null` goes back to its default. A new value of
 * one of a pair (`token` / `getToken`, `upload` / `uploadEndpoint`) replaces the other, which
 * may also be cleared in the same update with `null`.
 */
export type UpdateOptions = { [K in keyof CommonOptions]?: CommonOptions[K] | null } &
  (
    | { token?: string | null; getToken?: null }
    | { getToken?: GetToken | null; token?: null }
  ) &
  (
    | { uploadEndpoint?: string | null; upload?: null }
    | { upload?: Uploader | null; uploadEndpoint?: null }
  );

/** The handle `mount` returns. */
export declare class PanelHandle {
  private constructor();
  /**
   * Merges new options into the current ones and re-renders, keeping what the member typed.
   * A new `token` replaces a `getToken` and the other way round.
   * @throws TypeError naming the option when one is wrong (nothing changes then).
   */
  update(partial: UpdateOptions): void;
  /** Removes the panel: its DOM, listeners, timers, object URLs and requests in flight. Idempotent. */
  destroy(): void;
  /** Whether `destroy()` was called. */
  readonly destroyed: boolean;
  /** Frees the handle's memory (the panel stays; call `destroy()` first to remove it). */
  free(): void;
}

/** Where the .wasm is, or the compiled module; default: next to this package's JS. */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<Response | BufferSource | WebAssembly.Module>;

/**
 * Loads and instantiates the WebAssembly module; call and await it once before `mount`.
 * Calling it again returns the same promise.
 */
export default function init(moduleOrPath?: InitInput | { module_or_path: InitInput }): Promise<void>;

/**
 * Renders the panel into `element`, replacing its content; a frame that `paint()`
 * (`nexudus-start-conversation/paint`) painted there stays until the panel has rendered,
 * then hands over what the member did in it.
 * @throws TypeError naming the option when an option is wrong, when `element` is not an
 * Element, or when it already holds a panel.
 */
export function mount(element: Element, options?: MountOptions): PanelHandle;

/**
 * Fetches the strings of a language shipped as a pack (`locales/<tag>.json` next to the
 * module; without a tag, the page's language), once. Resolves to the tag to use: `"en"`
 * when the pack could not be loaded (said on the console). `init()` already loads the
 * page's language.
 */
export function loadLocale(tag?: Locale): Promise<string>;
