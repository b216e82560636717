// A frame painted early (paint.js): what the member does in it, and the hand-over to the
// live panel once it has rendered.
//
// The member can type, choose, drop or paste files and press Post in the frame. The live
// panel renders hidden beside it; in one task it then gets what the member typed and chose
// (as the same input, change, drop and paste events), the focus and the caret, and takes
// the frame's place (no frame on screen shows both); a Post pressed meanwhile is then made
// once, with the live panel's own progress.

/**
 * A painted frame: what the member does in it, kept for the live panel, and the
 * hand-over to it.
 */
export class EarlyFrame {
  /** `root` holds the frame; `busy` is the live panel's progress line for a Post. */
  constructor(root, busy) {
    this.root = root;
    const section = root.firstElementChild;
    this.section = section;
    this.posted = false;
    this.failed = false;
    /** Presses of "Link to a file instead" (and back), made again on the live panel. */
    this.switches = 0;
    /** Files dropped or pasted, given to the live panel as the same events. */
    this.transfers = [];
    const form = section.querySelector('form');
    form?.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.posted || this.failed) return;
      this.posted = true;
      // As the live panel shows a Post under way: the form busy, the button off, its line.
      form.setAttribute('aria-busy', 'true');
      const button = form.querySelector('[type=submit]');
      if (button) button.disabled = true;
      const status = form.querySelector('[role=status]');
      if (status) status.textContent = busy;
    });
    section.addEventListener('click', (event) => {
      if (event.target.closest?.('.nsc-link-button')) this.switches += 1;
    });
    section.addEventListener('keydown', (event) => {
      // Enter in the tag field adds a tag in the live panel; here it must not post.
      if (event.key === 'Enter' && event.target.id?.endsWith('-tags')) event.preventDefault();
    });
    section.addEventListener('dragover', (event) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    });
    section.addEventListener('drop', (event) => {
      // Not left to the browser, which would open the file in place of the page.
      event.preventDefault();
      this.#keep(event, event.dataTransfer);
    });
    section.addEventListener('paste', (event) => {
      // Text pastes into the field as ever; files wait for the live panel.
      if (event.clipboardData?.files.length) {
        event.preventDefault();
        this.#keep(event, event.clipboardData);
      }
    });
  }

  /** Keeps a drop's or a paste's files, and where they landed. */
  #keep(event, data) {
    if (!data?.files.length) return;
    const landed = event.target.closest?.('[id], .nsc-drop-zone, .nsc-attachment');
    const place = landed?.id ? `#${suffix(landed.id)}` : landed?.classList.contains('nsc-drop-zone') ? '.nsc-drop-zone' : '.nsc-attachment';
    this.transfers.push({ type: event.type, place, files: [...data.files] });
  }

  /**
   * Makes each kept drop or paste again on the live panel, where it landed here. A browser
   * whose made events cannot carry files (Firefox's ClipboardEvent) gives them to the file
   * input instead, as a choice.
   */
  #giveTransfers(live, theirs) {
    for (const { type, place, files } of this.transfers) {
      const target = (place.startsWith('#') ? theirs.get(place.slice(1)) : live.querySelector(place)) ?? live.querySelector('form');
      const data = new DataTransfer();
      for (const file of files) data.items.add(file);
      const init = { bubbles: true, cancelable: true, composed: true };
      const event = type === 'paste' ? new ClipboardEvent('paste', { ...init, clipboardData: data }) : new DragEvent('drop', { ...init, dataTransfer: data });
      const carried = (event.clipboardData ?? event.dataTransfer)?.files.length === files.length;
      const input = live.querySelector('input[type=file]');
      if (carried || !input) target?.dispatchEvent(event);
      else {
        input.files = data.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
  }

  /**
   * Mounts the live panel with `mountLive()` (which empties `element`) over this frame:
   * the frame stays in view, focused as it was, until the live panel has rendered, then
   * hands over to it. Returns `mountLive()`'s handle.
   */
  mountOver(element, mountLive) {
    const root = this.root.getRootNode();
    const focused = root.activeElement;
    const caret = focused && [focused.selectionStart, focused.selectionEnd, focused.selectionDirection];
    let handle;
    try {
      handle = mountLive();
    } catch (error) {
      // Options the live panel refuses: it paints nothing, and neither does this frame.
      this.root.remove();
      throw error;
    }
    // The live panel's container stays hidden, this frame in view, until the hand-over.
    const live = element.firstElementChild;
    if (live) live.hidden = true;
    element.prepend(this.root);
    if (focused && this.root.contains(focused)) {
      focused.focus({ preventScroll: true });
      if (typeof caret[0] === 'number') focused.setSelectionRange(...caret);
    }
    let timer;
    const observer = new MutationObserver(() => rendered());
    const rendered = () => {
      if (!live?.querySelector('.nsc-panel')) return;
      observer.disconnect();
      // In a task of its own: the live panel's effects of its first render run after it
      // is in the DOM, and one of them empties its file list.
      timer = setTimeout(() => this.handOverTo(live));
    };
    observer.observe(live ?? element, { childList: true });
    rendered();
    const destroy = handle.destroy.bind(handle);
    handle.destroy = () => {
      observer.disconnect();
      clearTimeout(timer);
      this.root.remove();
      destroy();
    };
    return handle;
  }

  fail(message) {
    this.failed = true;
    const status = this.section.querySelector('[role=status]');
    if (status) status.textContent = message;
    this.section.querySelector('form')?.removeAttribute('aria-busy');
    const button = this.section.querySelector('[type=submit]');
    if (button) button.disabled = true;
  }

  /**
   * Gives the live panel rendered in `container` what the member typed and chose, the
   * focus and a pending Post, removes this frame and shows the live panel.
   */
  handOverTo(container) {
    const live = container.querySelector('.nsc-panel');
    if (!live) return;
    if (!this.root.isConnected) {
      // The frame was taken out by someone else: the live panel shows, with nothing to pass on.
      container.hidden = false;
      return;
    }
    const root = this.section.getRootNode();
    const focused = root.activeElement;
    const theirs = new Map([...live.querySelectorAll('[id]')].map((node) => [suffix(node.id), node]));
    let focus;
    // No select: the frames' only one is the board picker while it loads, with nothing to pick.
    for (const control of this.section.querySelectorAll('input[id], textarea[id]')) {
      const target = theirs.get(suffix(control.id));
      if (!target || target.tagName !== control.tagName || target.type !== control.type) continue;
      replay(control, target);
      if (control === focused) focus = { target, from: control };
    }
    this.#giveTransfers(live, theirs);
    const linkButton = live.querySelector('.nsc-link-button');
    if (this.switches % 2 === 1) linkButton?.click();
    if (focused?.matches?.('.nsc-link-button') && linkButton) focus = { target: linkButton, from: focused };
    this.root.remove();
    container.hidden = false;
    if (focus) {
      focus.target.focus({ preventScroll: true });
      if (typeof focus.from.selectionStart === 'number' && focus.target.setSelectionRange) {
        focus.target.setSelectionRange(focus.from.selectionStart, focus.from.selectionEnd, focus.from.selectionDirection);
      }
    }
    const form = live.querySelector('form');
    // After the live panel has rendered what was replayed (its scheduler runs in microtasks).
    if (this.posted && form) setTimeout(() => form.isConnected && form.requestSubmit());
  }
}

/** An id without its panel's prefix (`nsc0s1-subject` → `subject`). */
const suffix = (id) => id.slice(id.indexOf('-') + 1);

/**
 * Gives `target` (live) what the member changed in `control` (the frame's), as events do.
 * Only what the member changed from what the frame painted: what the live panel shows of
 * its own (a restored draft) is not overwritten with the frame's empty fields.
 */
function replay(control, target) {
  if (control.type === 'file') {
    if (control.files.length === 0) return;
    target.files = control.files;
    target.dispatchEvent(new Event('change', { bubbles: true }));
  } else if (control.type === 'checkbox' || control.type === 'radio') {
    if (control.checked === control.defaultChecked) return;
    target.checked = control.checked;
    target.dispatchEvent(new Event('change', { bubbles: true }));
  } else if (control.value !== control.defaultValue) {
    target.value = control.value;
    target.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText' }));
  }
}
