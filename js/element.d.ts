// Types of the <nexudus-start-conversation> custom element
// (`import 'nexudus-start-conversation/element'` registers it).
import type {
  AttachFailed,
  Created,
  GetToken,
  Fields,
  Id,
  ImageSettings,
  Limits,
  Locale,
  PanelError,
  StringKey,
  Uploader,
} from './index.js';

export type { AttachFailed, Created, Fields, GetToken, ImageSettings, Limits, PanelError, Uploader } from './index.js';

/** The tag name: `nexudus-start-conversation`. */
export declare const TAG: 'nexudus-start-conversation';

/** The element's events: they bubble and cross the shadow boundary (`composed`). */
export interface NexudusStartConversationEventMap {
  'nexudus:conversation-created': CustomEvent<Created>;
  'nexudus:attachment-failed': CustomEvent<AttachFailed>;
  'nexudus:error': CustomEvent<PanelError>;
  /** The live panel is on screen (with `early-paint`, in the early frame's place). No detail. */
  'nexudus:ready': CustomEvent<null>;
}

/**
 * `<nexudus-start-conversation base-url="…" business-id="…" user-id="…" thread-id="…"
 * group-id="…" locale="…" draft-key="…" conversation-url="…" upload-endpoint="…" timeout-ms="…"
 * max-files="…" max-bytes="…" accept="…" fields="tags private" inline-files>`: the panel in an open shadow root. Attributes are observed; the token is
 * set only through the write-only `token` property (or `getToken`), never an attribute.
 */
export declare class NexudusStartConversationElement extends HTMLElement {
  static readonly observedAttributes: string[];
  /** The bearer token. Write-only: reading it gives `undefined`. Replaces `getToken`. */
  set token(value: string | null | undefined);
  get token(): undefined;
  /** Supplies the token; called again with `refresh: true` after a 401. Replaces `token`. */
  getToken: GetToken | null | undefined;
  /** The host's own uploader (the `upload-endpoint` attribute is the no-code alternative). */
  upload: Uploader | null | undefined;
  /** Overrides of the visible strings, by key. */
  strings: Partial<Record<StringKey, string>> | null | undefined;
  /** Limits on the attachment (the `max-bytes` and `accept` attributes win). */
  limits: Limits | null | undefined;
  /** How photos are cleaned before upload; `false` sends them as they are. */
  images: ImageSettings | boolean | null | undefined;

  // The attributes, as reflected properties (attribute values are strings).
  get baseUrl(): string | null;
  set baseUrl(value: string | null | undefined);
  get businessId(): string | null;
  set businessId(value: Id | null | undefined);
  get userId(): string | null;
  set userId(value: Id | null | undefined);
  get threadId(): string | null;
  set threadId(value: Id | null | undefined);
  get groupId(): string | null;
  set groupId(value: Id | null | undefined);
  get locale(): string | null;
  set locale(value: Locale | null | undefined);
  get draftKey(): string | null;
  set draftKey(value: string | null | undefined);
  get conversationUrl(): string | null;
  set conversationUrl(value: string | null | undefined);
  get uploadEndpoint(): string | null;
  set uploadEndpoint(value: string | null | undefined);
  /** The `inline-files` boolean attribute: `data:` URLs, for a backend known to accept them. */
  get inlineFiles(): boolean;
  set inlineFiles(value: boolean | null | undefined);
  /** The `idempotency-keys` boolean attribute: an `Idempotency-Key` on every write, only for a backend that honours it. */
  get idempotencyKeys(): boolean;
  set idempotencyKeys(value: boolean | null | undefined);
  /**
   * The `early-paint` boolean attribute, read when the element connects: the panel's first
   * frame, prerendered, paints at once, before the .wasm has loaded (for the settings it was
   * rendered for, in English); the live panel then takes its place with what the member did
   * in it, and `nexudus:ready` says so. The frame's nodes are replaced: do not hold on to them.
   */
  get earlyPaint(): boolean;
  set earlyPaint(value: boolean | null | undefined);
  /** The `fields` attribute: the conversation's optional fields to show, `"tags private"` (or `"none"`). */
  get fields(): string | null;
  set fields(value: string | readonly (keyof Fields)[] | null | undefined);
  get timeoutMs(): string | null;
  set timeoutMs(value: Id | null | undefined);
  get maxFiles(): string | null;
  set maxFiles(value: Id | null | undefined);
  get maxBytes(): string | null;
  set maxBytes(value: Id | null | undefined);
  get accept(): string | null;
  set accept(value: string | readonly string[] | null | undefined);

  addEventListener<K extends keyof NexudusStartConversationEventMap>(
    type: K,
    listener: (this: NexudusStartConversationElement, event: NexudusStartConversationEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: NexudusStartConversationElement, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof NexudusStartConversationEventMap>(
    type: K,
    listener: (this: NexudusStartConversationElement, event: NexudusStartConversationEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: NexudusStartConversationElement, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'nexudus-start-conversation': NexudusStartConversationElement;
  }
  // The events bubble out of the shadow root, so ancestors and the document see them too.
  interface GlobalEventHandlersEventMap extends NexudusStartConversationEventMap {}
}
