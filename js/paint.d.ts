// Types of `nexudus-start-conversation/paint`: the panel's first frame, before the .wasm.
//
//   import { paint } from 'nexudus-start-conversation/paint';
//   paint(element, options);
//   const { default: init, mount } = await import('nexudus-start-conversation');
//   await init();
//   mount(element, options);

import type { MountOptions } from './index.js';

/**
 * Paints the panel's first frame into `element` at once, prerendered from the component,
 * when one was rendered for these options: English (the `locale` option, or the page's
 * language), no `strings`, `limits`, `maxFiles` or `fields` of the host's own, and no draft
 * saved under `draftKey`. Returns whether it painted; without a frame, `mount` paints the
 * live panel when it is ready, as ever.
 *
 * The member can type, choose, drop or paste files and press Post in the frame. `mount`
 * on the same element then puts the live panel in its place, with all of it, the focus and
 * the caret, and makes a pending Post once. The frame's nodes are replaced then: do not
 * hold on to them. A page that requires Trusted Types gets no frame.
 */
export function paint(element: Element, options?: MountOptions): boolean;
